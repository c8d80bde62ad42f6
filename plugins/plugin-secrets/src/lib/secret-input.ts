import { readFile } from 'node:fs/promises'
import { randomInt } from 'node:crypto'
import { parse as parseDotenv } from 'dotenv'
import { SecretValue, UsageError, type SecretData } from '@floe/core'

async function readValueFile(path: string, label: string): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    throw new UsageError(
      `cannot read ${label} ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    )
  }
}

/**
 * Builds the data to store from files (never argv, so values stay out of shell history):
 * `--from-file key=path` (repeatable; a bare path is a single-value secret), `--from-env-file`,
 * and `--from-literal key=value` which is accepted with a warning.
 */
export async function readSecretInput(
  name: string,
  input: { fromFile?: string[]; fromEnvFile?: string; fromLiteral?: string[] },
  warn: (message: string) => void,
): Promise<SecretData> {
  const entries: [string | undefined, SecretValue][] = []
  for (const spec of input.fromFile ?? []) {
    const eq = spec.indexOf('=')
    const key = eq > 0 ? spec.slice(0, eq) : undefined
    const path = eq > 0 ? spec.slice(eq + 1) : spec
    entries.push([
      key,
      new SecretValue(await readValueFile(path, 'value file'), key ? `${name}/${key}` : name),
    ])
  }
  if (input.fromEnvFile) {
    const parsed = parseDotenv(await readValueFile(input.fromEnvFile, 'env file'))
    for (const [k, v] of Object.entries(parsed))
      entries.push([k, new SecretValue(v, `${name}/${k}`)])
  }
  if (input.fromLiteral?.length) {
    warn(
      '--from-literal puts values in your shell history and process list; prefer --from-file or --from-env-file',
    )
    for (const spec of input.fromLiteral) {
      const eq = spec.indexOf('=')
      if (eq <= 0) throw new UsageError('--from-literal expects key=value')
      entries.push([
        spec.slice(0, eq),
        new SecretValue(spec.slice(eq + 1), `${name}/${spec.slice(0, eq)}`),
      ])
    }
  }
  if (!entries.length) {
    throw new UsageError('no value given', {
      hint: `floe secrets create ${name} --from-file password=./password.txt (or --from-env-file FILE)`,
    })
  }
  if (entries.length === 1 && entries[0]![0] === undefined) return entries[0]![1]
  const data: Record<string, SecretValue> = {}
  for (const [key, value] of entries) {
    if (key === undefined)
      throw new UsageError(
        'mixing a bare --from-file path with key=path entries: give every value a key',
      )
    if (data[key]) throw new UsageError(`key "${key}" given twice`)
    data[key] = value
  }
  return data
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
const SYMBOLS = '!#%+-.:=@^_~'

/** A random value from the OS CSPRNG, uniform over the alphabet (randomInt avoids modulo bias). */
export function generateValue(length: number, symbols: boolean): string {
  if (!Number.isInteger(length) || length < 8 || length > 4096) {
    throw new UsageError('--length must be an integer between 8 and 4096')
  }
  const alphabet = symbols ? ALPHANUMERIC + SYMBOLS : ALPHANUMERIC
  let out = ''
  for (let i = 0; i < length; i += 1) out += alphabet[randomInt(alphabet.length)]
  return out
}
