import { isFloeError, UnsupportedError } from '../errors.js'
import { SecretValue } from '../secret-value.js'
import type { HookStep, RotationHookModule, SecretDefinition } from '../types.js'
import {
  assertMayWrite,
  writeSecret,
  type SecretData,
  type WriteSecretDeps,
} from './write-secret.js'

export interface RotateSecretOptions {
  /** the new value; absent → the provider's own rotation */
  value?: () => Promise<SecretData>
  /**
   * with no `value`: the new value when the provider has no rotation of its own for this
   * secret (no `rotate`, or it answers UNSUPPORTED, e.g. no rotation Lambda) — a manifest
   * generator or a prompt. It may throw a UsageError saying how to give a value.
   */
  fallbackValue?: () => Promise<SecretData>
  /** do not change the value; run the platform steps again */
  hooksOnly?: boolean
  restartDeployments?: boolean
  dryRun?: boolean
  /** passed to the hooks: how long to wait for sync steps */
  timeoutMs?: number
  /** passed to the hooks: progress lines while they wait */
  onProgress?: (message: string) => void
}

export interface RotateSecretDeps extends WriteSecretDeps {
  hooks: () => Promise<RotationHookModule[]>
}

export interface RotationReport {
  secret: string
  provider: string
  dryRun: boolean
  valueChanged: boolean
  version?: string
  previousVersion?: string
  steps: HookStep[]
  /** every step succeeded */
  complete: boolean
  /** the value changed, but not plainly (e.g. the write's answer was lost; a read-back found it) */
  warnings?: string[]
}

/**
 * Rotation: a new value at the source (given, or the provider's own rotation), then the
 * platform hooks (sync, restarts). `onStep` sees each step as it happens. A hook failure after
 * the value changed is reported, not thrown: the caller says what changed and how to finish.
 */
export async function rotateSecret(
  def: SecretDefinition,
  options: RotateSecretOptions,
  deps: RotateSecretDeps,
  onStep: (step: HookStep) => void = () => {},
): Promise<RotationReport> {
  const where = deps.label ?? def.provider
  const dryRun = Boolean(options.dryRun)
  const report: RotationReport = {
    secret: def.name,
    provider: def.provider,
    dryRun,
    valueChanged: false,
    steps: [],
    complete: false,
  }
  const mark = (step: HookStep): void => {
    report.steps.push(step)
    onStep(step)
  }
  // the keys the write replaces, for hooks that act per key (undefined: every key may change)
  let changedKeys: string[] | undefined

  const writeValue = async (value: () => Promise<SecretData>): Promise<void> => {
    const written = await writeSecret(
      def,
      value,
      { action: 'rotate', mustExist: true, mergeKeys: true, dryRun },
      deps,
    )
    if (written.keys.length) changedKeys = written.keys
    if (dryRun) {
      const what = written.keys.length
        ? `key${written.keys.length === 1 ? '' : 's'} ${written.keys.join(', ')}`
        : 'the value'
      mark({
        ok: true,
        message: `Would update ${what} of ${def.name} in ${where}${written.expectedVersion ? ` (compare-and-set on version ${written.expectedVersion})` : ''}`,
      })
    } else {
      report.valueChanged = true
      report.version = written.version
      report.previousVersion = written.previousVersion
      if (written.warnings) report.warnings = written.warnings
      // the version is in --json / --verbose: the human line has no suffix
      mark({ ok: true, message: `Secret updated in ${where}` })
    }
  }

  if (!options.hooksOnly) {
    if (options.value) await writeValue(options.value)
    else {
      try {
        await nativeRotation(def, dryRun, deps, report, mark)
      } catch (error) {
        if (!options.fallbackValue || !isFloeError(error, 'UNSUPPORTED')) throw error
        await writeValue(options.fallbackValue)
      }
    }
  }

  let failed = false
  for (const hook of await deps.hooks()) {
    try {
      for await (const step of hook.afterRotate({
        secret: def,
        manifest: deps.manifest,
        restartDeployments: Boolean(options.restartDeployments),
        dryRun,
        ctx: deps.ctx,
        ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(changedKeys ? { changedKeys } : {}),
      })) {
        mark(step)
        if (!step.ok) failed = true
        // the platform steps (sync, each restart) are part of the rotation's record
        if (!dryRun)
          deps.audit?.append({
            action: 'rotate-step',
            secret: def.name,
            provider: hook.name,
            outcome: step.ok ? 'ok' : 'FAILED',
            detail: step.message,
          })
      }
    } catch (error) {
      failed = true
      mark({
        ok: false,
        message: `${hook.name}: ${error instanceof Error ? error.message : String(error)}`,
      })
    }
  }
  report.complete = !failed
  return report
}

/** The provider's own rotation (e.g. AWS RotateSecret with a rotation Lambda). */
async function nativeRotation(
  def: SecretDefinition,
  dryRun: boolean,
  deps: RotateSecretDeps,
  report: RotationReport,
  mark: (step: HookStep) => void,
): Promise<void> {
  const where = deps.label ?? def.provider
  await assertMayWrite(def, {}, deps)
  const provider = await deps.provider(def.provider)
  if (!provider.rotate) {
    throw new UnsupportedError(`${where} has no built-in rotation for "${def.name}"`, {
      provider: def.provider,
      hint: `give the new value: floe secrets rotate ${def.name} --generate${def.keys?.length ? ` --key ${def.keys[0]}` : ''} (or --value-file FILE)`,
    })
  }
  if (dryRun) {
    // a dry run must say what rotate would do: ask the provider to check (it throws
    // UNSUPPORTED when the secret has no rotation of its own, so the fallback is planned)
    if (!provider.planRotation) {
      mark({
        ok: true,
        message: `Would start ${where}'s own rotation (${where} cannot check in a dry run whether "${def.name}" has one configured)`,
      })
      return
    }
    const planned = await provider.planRotation({ secret: def.name, config: def.fields }, deps.ctx)
    for (const message of planned.steps.length
      ? planned.steps
      : [`Would start ${where}'s own rotation`])
      mark({ ok: true, message })
    return
  }
  const rotated = await provider.rotate({ secret: def.name, config: def.fields }, deps.ctx)
  report.valueChanged = true
  report.version = rotated.version
  report.previousVersion = rotated.previousVersion
  deps.audit?.append({
    action: 'rotate',
    secret: def.name,
    provider: def.provider,
    outcome: 'ok',
    ...(rotated.version ? { detail: `version ${rotated.version}` } : {}),
  })
  for (const message of rotated.steps.length ? rotated.steps : [`Secret rotated in ${where}`])
    mark({ ok: true, message })
}

/** A value of `def` for a one-key rotation: `{key: value}` when the secret has keys. */
export function valueForKey(def: SecretDefinition, value: SecretValue, key?: string): SecretData {
  // A definition with `key:` (e.g. a _groups member) owns one key of a shared secret: write
  // that key; the provider merges it into the version it compares against.
  const ownKey = typeof def.fields.key === 'string' ? def.fields.key : undefined
  const target = key ?? ownKey
  return target ? { [target]: value } : value
}
