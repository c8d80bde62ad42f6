/**
 * `${VAR}`, `${env:VAR}` and `${VAR:-default}` interpolation of manifest string scalars.
 * `$${` is a literal `${`. Values are configuration, but errors still never echo
 * them: they name the variable only.
 */

export interface InterpolationProblem {
  message: string
  /** 0-based index in the original string */
  offset: number
  /** the variable, when the problem is that it is not set (a field may then be left out) */
  unset?: string
}

export interface InterpolationResult {
  value: string
  /** whether at least one `${…}` was substituted */
  substituted: boolean
  problems: InterpolationProblem[]
}

const VARIABLE = /^(?:env:)?([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/

export function interpolate(text: string, env: NodeJS.ProcessEnv): InterpolationResult {
  if (!text.includes('${')) return { value: text, substituted: false, problems: [] }
  let out = ''
  let substituted = false
  const problems: InterpolationProblem[] = []
  let i = 0
  while (i < text.length) {
    const dollar = text.indexOf('$', i)
    if (dollar === -1) {
      out += text.slice(i)
      break
    }
    out += text.slice(i, dollar)
    if (text.startsWith('$${', dollar)) {
      out += '${'
      i = dollar + 3
      continue
    }
    if (text[dollar + 1] !== '{') {
      out += '$'
      i = dollar + 1
      continue
    }
    const close = text.indexOf('}', dollar + 2)
    if (close === -1) {
      problems.push({
        message: 'unterminated "${" (write "$${" for a literal "${")',
        offset: dollar,
      })
      out += text.slice(dollar)
      break
    }
    const body = text.slice(dollar + 2, close)
    const match = VARIABLE.exec(body)
    if (!match) {
      problems.push({
        message: `invalid interpolation "\${${body.length > 40 ? body.slice(0, 40) + '…' : body}}": expected \${VAR}, \${env:VAR} or \${VAR:-default}`,
        offset: dollar,
      })
      i = close + 1
      continue
    }
    const name = match[1] as string
    const fallback = match[2]
    const value = env[name]
    substituted = true
    if (value !== undefined && (value !== '' || fallback === undefined)) out += value
    else if (fallback !== undefined) out += fallback
    else
      problems.push({
        message: `environment variable ${name} is not set (use \${${name}:-default} for a default)`,
        offset: dollar,
        unset: name,
      })
    i = close + 1
  }
  return { value: out, substituted, problems }
}
