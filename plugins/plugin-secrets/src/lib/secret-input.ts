import { readFile } from 'node:fs/promises'
import { parse as parseDotenv } from 'dotenv'
import {
  keysWithoutGenerator,
  SecretValue,
  UsageError,
  type GeneratorSpec,
  type SecretData,
  type SecretDefinition,
} from '@floe/core'

// node:crypto is loaded at first use: a start that hashes nothing does not pay for it (issue 17)
const crypto = () => process.getBuiltinModule('node:crypto')

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
const CHARSETS: Record<GeneratorSpec['charset'], string> = {
  alphanumeric: ALPHANUMERIC,
  'alphanumeric-symbols': ALPHANUMERIC + SYMBOLS,
  hex: '0123456789abcdef',
  numeric: '0123456789',
}

export function generateValue(length: number, symbols: boolean | GeneratorSpec['charset']): string {
  if (!Number.isInteger(length) || length < 8 || length > 4096) {
    throw new UsageError('--length must be an integer between 8 and 4096')
  }
  const alphabet =
    typeof symbols === 'string'
      ? CHARSETS[symbols]
      : symbols
        ? ALPHANUMERIC + SYMBOLS
        : ALPHANUMERIC
  let out = ''
  for (let i = 0; i < length; i += 1) out += alphabet[crypto().randomInt(alphabet.length)]
  return out
}

/** The value `rotation.generate` declares for `def`, or undefined when it declares none. */
export function generatedData(def: SecretDefinition): SecretData | undefined {
  const gen = def.rotation?.generate
  if (!gen) return undefined
  if ('value' in gen)
    return new SecretValue(generateValue(gen.value.length, gen.value.charset), def.name)
  return Object.fromEntries(
    Object.entries(gen.keys).map(([key, spec]) => [
      key,
      new SecretValue(generateValue(spec.length, spec.charset), `${def.name}/${key}`),
    ]),
  )
}

/**
 * Hidden prompts on a terminal, one per key (`keys` given) or one for a single value. An
 * empty answer leaves that key out (rotate keeps its stored value).
 */
export async function promptData(def: SecretDefinition, keys: string[]): Promise<SecretData> {
  const { default: password } = await import('@inquirer/password')
  if (!keys.length || (keys.length === 1 && keys[0] === ''))
    return new SecretValue(
      await password({ message: `New value for ${def.name}`, mask: true }),
      def.name,
    )
  const data: Record<string, SecretValue> = {}
  for (const key of keys) {
    const answer = await password({ message: `${def.name} ${key}`, mask: true })
    if (answer) data[key] = new SecretValue(answer, `${def.name}/${key}`)
  }
  if (!Object.keys(data).length) throw new UsageError('no value entered')
  return data
}

/**
 * What `rotate NAME` / `create NAME` write when no value flag is given: the manifest's
 * generator, else a hidden prompt when stdin and stderr are terminals, else a usage error
 * naming the flags that give a value.
 */
export async function valueWithoutFlags(
  def: SecretDefinition,
  command: 'rotate' | 'create',
): Promise<SecretData> {
  const generated = generatedData(def)
  const missing = keysWithoutGenerator(def)
  if (generated && (command === 'rotate' || !missing.length)) return generated
  if (process.stdin.isTTY && process.stderr.isTTY) {
    const prompted = await promptData(def, generated ? missing : (def.keys ?? []))
    return generated && !(prompted instanceof SecretValue)
      ? { ...(generated as Record<string, SecretValue>), ...prompted }
      : prompted
  }
  throw new UsageError(`no new value for "${def.name}" (not a terminal, so no prompt)`, {
    hint: valueFlagHint(def, command),
  })
}

/** A hint naming the flags that give a value (and the generator alternative). */
export function valueFlagHint(def: SecretDefinition, command: 'rotate' | 'create'): string {
  const fileFlag = command === 'create' ? '--from-file' : '--value-file'
  return def.keys?.length
    ? `floe secrets ${command} ${def.name} --from-env-file FILE (one KEY=value line per key: ${def.keys.join(', ')}), or declare rotation.generate for ${def.name} in the manifest`
    : `floe secrets ${command} ${def.name} ${fileFlag} FILE, or declare rotation.generate for ${def.name} in the manifest`
}
