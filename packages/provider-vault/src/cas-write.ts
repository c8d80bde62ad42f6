/**
 * A KV v2 write whose answer may be lost (timeout, dropped connection) after Vault applied
 * it. Check-and-set makes the outcome knowable: version `cas + 1` exists only if some write
 * on top of `cas` landed, and its data says whether it was this one. Retrying with the same
 * `cas` is therefore safe — it can never apply twice nor overwrite a concurrent writer.
 */
import { ProviderUnavailableError, type FloeError } from '@floe/core'
import { PROVIDER, vaultStatus } from './client.js'

export interface CasWriteDeps {
  write(cas: number): Promise<number | undefined>
  /** current_version from the metadata path */
  currentVersion(): Promise<number>
  /** the data stored at one version */
  readVersion(version: number): Promise<Record<string, string>>
  fail(error: unknown, action: string): FloeError
  secret: string
  dataPath: string
}

export interface CasWriteResult {
  version?: number
  /** how an ambiguous outcome was settled, for the caller's warning and audit */
  warnings: string[]
}

export async function casWrite(
  data: Record<string, string>,
  cas: number,
  deps: CasWriteDeps,
): Promise<CasWriteResult> {
  let first: FloeError
  try {
    return { version: await deps.write(cas), warnings: [] }
  } catch (error) {
    first = deps.fail(error, `write ${deps.dataPath}`)
    if (first.code !== 'UNAVAILABLE' || vaultStatus(error) !== undefined) throw first
  }
  // No HTTP answer at all (timeout, reset): the write may have landed.
  const lost = `the answer to the write was lost (${first.message.replace(/^\[[^\]]+\] /, '')})`
  const settled = await readBack(data, cas, deps, lost)
  if (settled) return settled
  try {
    const version = await deps.write(cas)
    return {
      version,
      warnings: [
        `${lost}; it had not landed, and the retry (check-and-set on version ${cas}) wrote version ${version ?? '?'}`,
      ],
    }
  } catch (error) {
    const again = deps.fail(error, `write ${deps.dataPath}`)
    // lost again, or a check-and-set mismatch: the first request may have been applied late
    if (
      again.code === 'CONFLICT' ||
      (again.code === 'UNAVAILABLE' && vaultStatus(error) === undefined)
    ) {
      const late = await readBack(data, cas, deps, lost)
      if (late) return late
    }
    throw again.code === 'UNAVAILABLE'
      ? new ProviderUnavailableError(
          `${lost}, and the retry failed too: secret "${deps.secret}" did not change (still version ${cas})`,
          {
            provider: PROVIDER,
            secret: deps.secret,
            details: { writeState: 'not-landed', version: String(cas) },
            cause: again,
          },
        )
      : again
  }
}

/**
 * Undefined when version `cas` is still current (nothing landed: retry). Throws when the
 * read-back fails or another writer's value landed on top of `cas`.
 */
async function readBack(
  data: Record<string, string>,
  cas: number,
  deps: CasWriteDeps,
  lost: string,
): Promise<CasWriteResult | undefined> {
  let current: number
  let stored: Record<string, string> | undefined
  try {
    current = await deps.currentVersion()
    if (current === cas) return undefined
    stored = await deps.readVersion(cas + 1)
  } catch (error) {
    throw new ProviderUnavailableError(
      `${lost}, and reading it back failed: whether secret "${deps.secret}" changed is unknown`,
      {
        provider: PROVIDER,
        secret: deps.secret,
        hint: `check with: floe secrets describe ${deps.secret} (version ${cas} was current before the write)`,
        details: { writeState: 'unknown', expectedVersion: String(cas) },
        cause: error,
      },
    )
  }
  if (sameData(stored, data)) {
    return { version: cas + 1, warnings: [`${lost}; read back: it landed as version ${cas + 1}`] }
  }
  throw new ProviderUnavailableError(
    `${lost}; read back: version ${cas + 1} holds another writer's value, so this write did not land (secret "${deps.secret}" is now at version ${current})`,
    {
      provider: PROVIDER,
      secret: deps.secret,
      hint: 're-read the secret and retry if the new value is still wanted',
      details: { writeState: 'not-landed', version: String(current) },
    },
  )
}

function sameData(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a)
  return (
    keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && a[k] === b[k])
  )
}
