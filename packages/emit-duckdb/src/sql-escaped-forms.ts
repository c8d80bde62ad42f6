const REGEX_SPECIAL = /[.*+?^${}()|[\]\\/]/g

/**
 * A regular expression source that matches `value` as stored and in every escaped form a SQL
 * result can show it: as a SQL literal body (`'` doubled, what a result that echoes SQL holds)
 * and as DuckDB prints a string nested in a list, struct or map cast to VARCHAR
 * (`secret_string`'s `extra_http_headers={K='…'}`, `[v]::VARCHAR`), where `\` becomes `\\` and
 * `'` becomes `\'` — again at each level of nesting. So each `'` matches any run of quotes and
 * backslashes ending in a quote, and each `\` any run of backslashes: a superset of the forms
 * (masking a little more is harmless, missing a level would leak).
 */
export function sqlEscapedPattern(value: string): string {
  let pattern = ''
  for (const char of value) {
    if (char === "'") pattern += "[\\\\']*'"
    else if (char === '\\') pattern += '\\\\+'
    else pattern += char.replace(REGEX_SPECIAL, '\\$&')
  }
  return pattern
}
