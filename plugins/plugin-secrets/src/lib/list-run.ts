import {
  declaredSecrets,
  listRemoteSecrets,
  remoteListProvider,
  type DeclaredSecretRow,
  type RemoteSecretRow,
} from '@floe/core'
import type { Outcome } from './command-run.js'
import { age, renderTable, useColor } from './output.js'
import type { Progress } from './progress.js'
import type { FloeSession } from './session.js'

export type ListResult =
  { secrets: DeclaredSecretRow[] } | { provider: string; secrets: RemoteSecretRow[] }

export interface ListFlags {
  remote?: boolean | undefined
  provider?: string | undefined
  namespace?: string | undefined
  prefix?: string | undefined
}

/**
 * `floe secrets list` without oclif: commands/secrets/list.ts runs it, and so does apps/floe's
 * start-up for the common case (@floe/plugin-secrets/fast-run).
 */
export async function runList(
  session: FloeSession,
  flags: ListFlags,
  progress: (text: string) => Progress,
): Promise<Outcome<ListResult>> {
  const manifest = await session.manifest()
  const color = useColor()

  if (!flags.remote && flags.namespace === undefined) {
    const secrets = declaredSecrets(manifest)
    const human = secrets.length
      ? renderTable(
          ['NAME', 'PROVIDER', 'KEYS', 'KIND'],
          secrets.map((s) => [s.name, s.provider, s.keys.join(',') || '-', s.kind]),
          color,
        )
      : 'No secrets declared in the manifest.'
    return { result: { secrets }, human }
  }

  const providerName = remoteListProvider(manifest, flags)
  const provider = await session.provider(providerName)
  const spinner = progress(`Listing secrets at ${providerName}…`)
  let secrets: RemoteSecretRow[]
  try {
    secrets = await listRemoteSecrets({
      manifest,
      providerName,
      provider,
      ctx: await session.providerContext(),
      ...(flags.prefix !== undefined ? { prefix: flags.prefix } : {}),
      ...(flags.namespace !== undefined ? { namespace: flags.namespace } : {}),
    })
  } finally {
    spinner.stop()
  }
  const human = secrets.length
    ? renderTable(
        ['NAME', 'TYPE', 'AGE'],
        secrets.map((s) => [s.name, s.type ?? '-', age(s.createdAt)]),
        color,
      )
    : `No secrets found at ${providerName}${flags.namespace ? ` in ${flags.namespace}` : ''}.`
  return { result: { provider: providerName, secrets }, human }
}
