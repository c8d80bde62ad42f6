import { Args } from '@oclif/core'
import { ExitCode, usesCluster, UsageError } from '@floe/core'
import { FloeCommand, type Outcome } from '../../lib/base-command.js'
import { age, renderTable, useColor } from '../../lib/output.js'

export interface StatusRow {
  name: string
  provider: string
  exists: boolean | null
  version?: string
  updatedAt?: string
  keys?: string[]
  state?: string
  store?: string
  sync?: string
  lastSync?: string
  leaseTtlSeconds?: number
  error?: { code: string; message: string }
}

export default class SecretsStatus extends FloeCommand<{ secrets: StatusRow[] }> {
  static override summary =
    'Show whether each secret exists, its version, last change, sync status and lease TTL'
  static override description =
    'Reads metadata only (never values). For secrets synced by External Secrets Operator it shows the store, sync status and last sync; for dynamic Vault secrets the lease TTL. Exit code 1 when any secret is missing or unreadable.'
  static override examples = [
    '<%= config.bin %> secrets status',
    '<%= config.bin %> secrets status snowflake-credentials',
    '<%= config.bin %> secrets status --json',
  ]
  static override args = {
    names: Args.string({ description: 'secrets to check (default: all)', required: false }),
  }
  static override strict = false

  protected async execute(): Promise<Outcome<{ secrets: StatusRow[] }>> {
    const { argv } = await this.parse(SecretsStatus)
    const manifest = await this.session.manifest()
    const names = (argv as string[]).length ? (argv as string[]) : Object.keys(manifest.secrets)
    for (const name of names) {
      if (!manifest.secrets[name])
        throw new UsageError(`secret "${name}" is not declared in ${manifest.path}`)
    }
    const progress = this.progress(
      `Checking ${names.length} secret${names.length === 1 ? '' : 's'}…`,
    )
    const resolver = await this.session.resolver()
    let outcomes
    try {
      outcomes = await resolver.describe(names)
    } finally {
      progress.stop()
    }
    const rows: StatusRow[] = outcomes.map((o) => {
      const m = o.metadata
      const row: StatusRow = {
        name: o.secret,
        provider: o.provider,
        exists: m ? m.exists : o.error?.code === 'NOT_FOUND' ? false : null,
      }
      if (m?.version) row.version = m.version
      if (m?.updatedAt) row.updatedAt = m.updatedAt.toISOString()
      if (m?.keys) row.keys = m.keys
      if (m?.state) row.state = m.state
      if (m?.status?.store) row.store = m.status.store
      if (m?.status?.sync) row.sync = m.status.sync
      if (m?.status?.lastSync) row.lastSync = m.status.lastSync
      if (m?.lease) row.leaseTtlSeconds = m.lease.ttlSeconds
      if (o.error) row.error = { code: o.error.code, message: o.error.message }
      return row
    })
    if (usesCluster(manifest)) {
      for (const hook of await this.session.registry.hookModules()) {
        if (!hook.status) continue
        try {
          const statuses = await hook.status({
            manifest,
            ctx: await this.session.providerContext(),
            secrets: names,
          })
          for (const row of rows) {
            const st = statuses[row.name]
            if (!st) continue
            if (st.store) row.store = st.store
            if (st.sync) row.sync = st.sync
            if (st.lastSync) row.lastSync = st.lastSync
            if (st.missingKeys)
              this.warn_(
                `${row.name}: ${st.sync ?? 'synced'} but the target Secret lacks ${st.missingKeys}`,
              )
          }
        } catch (error) {
          this.warn_(
            `${hook.name}: sync status unavailable: ${error instanceof Error ? error.message : String(error)}`,
          )
        }
      }
    }
    const failed = rows.some((r) => r.exists !== true)
    // The ESO table lists what the cluster syncs; a declared secret with no
    // ExternalSecret is not a sync row: it is named on stderr (and in --json) instead.
    const synced = rows.filter((r) => r.sync && r.sync !== 'NotFound')
    const esoStyle = synced.length > 0
    if (esoStyle)
      for (const r of rows.filter((row) => !synced.includes(row)))
        this.warn_(
          `${r.name}: no ExternalSecret in the cluster (emit it with: floe secrets emit k8s); at ${r.provider}: ${statusWord(r)}`,
        )
    const color = useColor()
    const human = esoStyle
      ? renderTable(
          ['NAME', 'STORE', 'SYNC STATUS', 'LAST SYNC'],
          synced.map((r) => [
            r.name,
            r.store ?? r.provider,
            r.sync ?? statusWord(r),
            r.lastSync ? age(r.lastSync, Date.now(), ' ago') : '-',
          ]),
          color,
        )
      : renderTable(
          ['NAME', 'PROVIDER', 'STATUS', 'VERSION', 'LAST CHANGE', 'LEASE TTL'],
          rows.map((r) => [
            r.name,
            r.provider,
            statusWord(r),
            r.version ?? '-',
            r.updatedAt ? age(r.updatedAt, Date.now(), ' ago') : '-',
            r.leaseTtlSeconds !== undefined ? `${r.leaseTtlSeconds}s` : '-',
          ]),
          color,
        )
    const errors = rows
      .filter((r) => r.error && r.error.code !== 'NOT_FOUND')
      .map((r) => `${r.name}: ${r.error?.message}`)
    return {
      result: { secrets: rows },
      human: errors.length ? `${human}\n\n${errors.join('\n')}` : human,
      exitCode: failed ? ExitCode.CHECK_FAILED : ExitCode.OK,
    }
  }
}

function statusWord(row: StatusRow): string {
  if (row.exists === true) return row.state && row.state !== 'enabled' ? row.state : 'exists'
  if (row.exists === false) return 'NOT FOUND'
  return row.error?.code === 'FORBIDDEN'
    ? 'DENIED'
    : row.error?.code === 'UNSUPPORTED'
      ? 'n/a'
      : 'ERROR'
}
