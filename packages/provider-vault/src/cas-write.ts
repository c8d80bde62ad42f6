/**
 * A KV v2 write whose answer may be lost (timeout, dropped connection) after Vault applied
 * it. Check-and-set makes the outcome knowable: version `cas + 1` exists only if some write
 * on top of `cas` landed, and its data says whether it was this one. Retrying with the same
 * `cas` is therefore safe — it can never apply twice nor overwrite a concurrent writer. The
 * settling itself is core's `verifiedWrite`; this file says how Vault is read back.
 */
import { verifiedWrite, type FloeError, type ReadBackState } from '@floe/core'
import { vaultStatus } from './errors.js'
import { PROVIDER_NAME } from './validate.js'

/** sends of one write with the same check-and-set version */
const CAS_ATTEMPTS = 2

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
  const result = await verifiedWrite({
    provider: PROVIDER_NAME,
    secret: deps.secret,
    operation: 'the write',
    before: String(cas),
    write: () => deps.write(cas),
    classify: (error) => deps.fail(error, `write ${deps.dataPath}`),
    // no HTTP answer at all (timeout, reset): the write may have landed
    answerLost: (error, failure) =>
      failure.code === 'UNAVAILABLE' && vaultStatus(error) === undefined,
    readBack: () => readBack(data, cas, deps),
    retry: { attempts: CAS_ATTEMPTS, how: `(check-and-set on version ${cas})` },
    versionOf: (version) => (version === undefined ? undefined : String(version)),
  })
  const version = result.answer ?? (result.version ? Number(result.version) : undefined)
  return { ...(version !== undefined ? { version } : {}), warnings: result.warnings }
}

/** Version `cas` still current: not landed. Version `cas + 1` with this data: landed. */
async function readBack(
  data: Record<string, string>,
  cas: number,
  deps: CasWriteDeps,
): Promise<ReadBackState> {
  const current = await deps.currentVersion()
  if (current === cas) return { landed: false, version: String(cas) }
  const stored = await deps.readVersion(cas + 1)
  if (sameData(stored, data)) return { landed: true, version: String(cas + 1) }
  return {
    landed: false,
    version: String(current),
    superseded: `version ${cas + 1} holds another writer's value`,
  }
}

function sameData(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a)
  return (
    keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && a[k] === b[k])
  )
}
