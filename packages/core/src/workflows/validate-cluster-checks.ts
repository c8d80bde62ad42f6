/** The cluster's view of each secret (platform hooks), folded into the secret's own line. */
import type { LoadedManifest, PlatformSecretCheck } from '../types.js'
import type { ValidateManifestInput, ValidationCheck } from './validation-types.js'

/** A cluster check and the number of keys the cluster's Secret holds. */
type ClusterLine = ValidationCheck & { clusterKeys?: number }

export async function platformChecks(
  manifest: LoadedManifest,
  platform: NonNullable<ValidateManifestInput['platform']>,
): Promise<ClusterLine[]> {
  const checks: ClusterLine[] = []
  const { hooks, ctx } = await platform()
  for (const hook of hooks) {
    if (!hook.validate) continue
    try {
      for (const c of await hook.validate({ manifest, ctx })) checks.push(clusterCheck(c))
    } catch (error) {
      // The sources were checked above; the cluster view is extra. An unreachable cluster is
      // a warning (an error with --strict), not a failed secret.
      checks.push({
        ok: true,
        severity: 'warning',
        subject: hook.name,
        message: `cluster checks skipped: ${error instanceof Error ? error.message : String(error)}`,
        code: 'UNAVAILABLE',
      })
    }
  }
  return checks
}

/**
 * One line per declared secret: each cluster check folds into its secret's
 * source line — a failing source line stays as it is, a failing cluster check replaces a
 * passing source line, and a passing pair reads "exists, N keys" with the key count the
 * cluster's Secret confirms. The folded messages stay in `details` (--verbose, --json).
 */
export function foldClusterChecks(checks: ValidationCheck[], cluster: ClusterLine[]): void {
  for (const line of cluster) {
    const { clusterKeys, ...c } = line
    const i = checks.findIndex((s) => s.subject === c.subject && s.subject !== 'manifest')
    const source = i < 0 ? undefined : checks[i]!
    if (!source || source.subject === 'access') {
      checks.push(c)
      continue
    }
    const details = [...(source.details ?? [])]
    if (!source.ok) {
      checks[i] = { ...source, details: [...details, c.message] }
    } else if (!c.ok) {
      checks[i] = { ...c, details: [...details, source.message] }
    } else {
      const message =
        clusterKeys !== undefined && source.message.startsWith('exists')
          ? `exists, ${clusterKeys} key${clusterKeys === 1 ? '' : 's'}`
          : source.message
      checks[i] = { ...source, message, details: [...details, c.message] }
    }
  }
}

function clusterCheck(c: PlatformSecretCheck): ClusterLine {
  const where = `${c.namespace}/${c.name}`
  if (c.error)
    return {
      ok: false,
      severity: 'error',
      subject: c.secret,
      message: `${where}: ${c.error}`,
      code: 'UNAVAILABLE',
    }
  if (!c.exists)
    return {
      ok: false,
      severity: 'error',
      subject: c.secret,
      // no `fix`: the cure (applying the emitted manifests) depends on how the team deploys
      message: `Secret ${where} NOT FOUND in the cluster (apply what floe secrets emit k8s writes)`,
      code: 'NOT_FOUND',
    }
  if (c.missingKeys.length)
    return {
      ok: false,
      severity: 'error',
      subject: c.secret,
      message: `Secret ${where} lacks ${c.missingKeys.join(', ')}`,
      code: 'NOT_FOUND',
    }
  return {
    ok: true,
    severity: 'info',
    subject: c.secret,
    message: `Secret ${where} exists, ${c.keys} key${c.keys === 1 ? '' : 's'}`,
    clusterKeys: c.keys,
  }
}
