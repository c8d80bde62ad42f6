/**
 * What `floe secrets rotate` turns its flags into: the new value (generated or read from
 * files) and the `--timeout` duration. Kept out of the command so it stays a thin wrapper.
 */
import {
  SecretValue,
  UsageError,
  valueForKey,
  type SecretData,
  type SecretDefinition,
} from '@floe/core'
import { generateValue, readSecretInput } from './secret-input.js'

export interface RotationValueFlags {
  generate?: boolean
  length?: number
  symbols?: boolean
  key?: string
  'value-file'?: string[]
  'from-env-file'?: string
}

/** The new value from the flags: generated, or read from files (merged by writeSecret). */
export async function rotationValue(
  def: SecretDefinition,
  flags: RotationValueFlags,
  warn: (message: string) => void,
): Promise<SecretData> {
  if (flags.generate) {
    const fresh = new SecretValue(
      generateValue(flags.length ?? 32, Boolean(flags.symbols)),
      def.name,
    )
    const data = valueForKey(def, fresh, flags.key)
    if (data instanceof SecretValue && def.keys?.length)
      throw new UsageError(
        `"${def.name}" has keys (${def.keys.join(', ')}): say which one to generate with --key`,
      )
    return data
  }
  const fresh = await readSecretInput(
    def.name,
    { fromFile: flags['value-file'], fromEnvFile: flags['from-env-file'] },
    warn,
  )
  return fresh instanceof SecretValue ? valueForKey(def, fresh, flags.key) : fresh
}

/** `30s`, `2m`, `500ms`, `1h`, or bare seconds → ms; anything else is a usage error. */
export function timeoutMs(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim())
  if (!match || Number(match[1]) <= 0)
    throw new UsageError(`--timeout ${value}: expected a duration such as 30s, 2m or 500ms`)
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] ?? 's'] ?? 1000
  return Number(match[1]) * unit
}
