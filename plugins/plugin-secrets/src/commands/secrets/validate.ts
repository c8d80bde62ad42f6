import { basename } from 'node:path'
import { Flags } from '@oclif/core'
import {
  accessFindings,
  AggregateConfigError,
  buildAccessModel,
  ExitCode,
  isFloeError,
  lintManifest,
  type LoadedManifest,
  type SourceLocation,
} from '@floe/core'
import { FloeCommand, type Outcome } from '../../lib/base-command.js'
import { applyDualChecks } from '../../lib/dual-checks.js'
import { usesCluster } from '../../lib/platform.js'

export interface Check {
  ok: boolean
  severity: 'error' | 'warning' | 'info'
  subject: string
  message: string
  code?: string
  location?: SourceLocation
  fix?: string
}

interface ValidateResult {
  manifest: string
  offline: boolean
  checks: Check[]
  errors: number
  warnings: number
}

export default class SecretsValidate extends FloeCommand<ValidateResult> {
  static override summary =
    'Check the manifest, then check every secret exists with the keys its consumers need'
  static override description = `Static checks first: schema, references, groups, env-name collisions, plaintext credentials, secrets shared across environments. Then live metadata checks at each provider (exists, expected keys present) — values are never read.

Exit codes: 0 all good · 1 a check failed · 2 the manifest cannot be loaded · 3 a provider is unreachable · 4 access denied.`
  static override examples = [
    '<%= config.bin %> secrets validate',
    '<%= config.bin %> secrets validate --offline',
    '<%= config.bin %> secrets validate -m deploy/prod/floe.yaml --json',
  ]
  static override flags = {
    offline: Flags.boolean({ description: 'static checks only: no provider is contacted' }),
    strict: Flags.boolean({ description: 'treat warnings as errors' }),
  }

  protected async execute(): Promise<Outcome<ValidateResult>> {
    const { flags } = await this.parse(SecretsValidate)
    const checks: Check[] = []
    let manifest: LoadedManifest
    const path = this.session.manifestPath()
    try {
      manifest = await this.session.manifest()
    } catch (error) {
      if (
        !isFloeError(error) ||
        (error.code !== 'CONFIG' && error.code !== 'NOT_INSTALLED' && error.code !== 'REFERENCE')
      )
        throw error
      const problems = error instanceof AggregateConfigError ? error.errors : [error]
      for (const p of problems) {
        checks.push({
          ok: false,
          severity: 'error',
          subject: 'manifest',
          message: p.located,
          code: p.code,
          ...(p.location ? { location: p.location } : {}),
          ...(p.hint ? { fix: p.hint } : {}),
        })
      }
      return this.finish(path, Boolean(flags.offline), checks, Boolean(flags.strict))
    }

    for (const finding of lintManifest(manifest)) {
      checks.push({
        ok: finding.severity !== 'error',
        severity: finding.severity,
        subject: finding.secret ?? 'manifest',
        message: finding.message,
        code: finding.code,
        ...(finding.location ? { location: finding.location } : {}),
      })
    }

    try {
      for (const finding of accessFindings(manifest, buildAccessModel(manifest))) {
        checks.push({
          ok: finding.severity !== 'error',
          severity: finding.severity,
          subject: 'access',
          message: finding.message,
          code: finding.code,
          ...(finding.location ? { location: finding.location } : {}),
        })
      }
    } catch (error) {
      if (!isFloeError(error, 'CONFIG')) throw error
      for (const p of error instanceof AggregateConfigError ? error.errors : [error]) {
        checks.push({
          ok: false,
          severity: 'error',
          subject: 'manifest',
          message: p.located,
          code: p.code,
        })
      }
    }

    const names = Object.keys(manifest.secrets)
    if (flags.offline) {
      for (const name of names) {
        const def = manifest.secrets[name]!
        const refs = expectedKeys(manifest, name)
        checks.push({
          ok: true,
          severity: 'info',
          subject: name,
          message: `declared (${def.provider}${refs.length ? `, ${refs.length} key${refs.length === 1 ? '' : 's'} referenced` : ''})`,
        })
      }
      return this.finish(manifest.path, true, checks, Boolean(flags.strict))
    }

    const progress = this.progress(`Checking ${names.length} secrets at their providers…`)
    const resolver = await this.session.resolver()
    let outcomes
    try {
      outcomes = await resolver.describe(names)
    } finally {
      progress.stop()
    }
    let worstExit: ExitCode = ExitCode.OK
    for (const outcome of outcomes) {
      const name = outcome.secret
      const m = outcome.metadata
      if (outcome.error) {
        const err = outcome.error
        const def = manifest.secrets[name]!
        const fallsBack =
          def.default !== undefined ||
          def.onMissing?.action === 'default' ||
          def.onMissing?.action === 'warn'
        if (err.code === 'NOT_FOUND' && fallsBack) {
          checks.push({
            ok: true,
            severity: 'warning',
            subject: name,
            message:
              def.onMissing?.action === 'warn'
                ? 'NOT FOUND — on_missing: warn, it will resolve empty'
                : 'NOT FOUND — its default will be used',
            code: err.code,
          })
        } else if (err.code === 'NOT_FOUND') {
          checks.push({
            ok: false,
            severity: 'error',
            subject: name,
            message: 'NOT FOUND',
            code: err.code,
            fix: `floe secrets create ${name}`,
          })
        } else if (err.code === 'UNSUPPORTED') {
          checks.push({
            ok: true,
            severity: 'warning',
            subject: name,
            message: `cannot be checked without reading it (${outcome.provider} has no metadata API)`,
            code: err.code,
          })
        } else {
          checks.push({
            ok: false,
            severity: 'error',
            subject: name,
            message: err.message,
            code: err.code,
          })
          if (err.exitCode > worstExit) worstExit = err.exitCode
        }
        continue
      }
      if (!m?.exists) {
        checks.push({
          ok: false,
          severity: 'error',
          subject: name,
          message: 'NOT FOUND',
          code: 'NOT_FOUND',
          fix: `floe secrets create ${name}`,
        })
        continue
      }
      const wanted = expectedKeys(manifest, name)
      const missing = m.keys ? wanted.filter((k) => !m.keys!.includes(k)) : []
      if (m.state && !['enabled', 'ENABLED', 'active'].includes(m.state)) {
        checks.push({
          ok: false,
          severity: 'error',
          subject: name,
          message: `exists but is ${m.state}`,
          code: 'INVALID',
        })
      } else if (missing.length) {
        checks.push({
          ok: false,
          severity: 'error',
          subject: name,
          message: `exists, missing key${missing.length === 1 ? '' : 's'}: ${missing.join(', ')}`,
          code: 'NOT_FOUND',
          fix: `floe secrets rotate ${name} --value-file FILE`,
        })
      } else {
        const keyText = m.keys
          ? `${m.keys.length} key${m.keys.length === 1 ? '' : 's'}`
          : wanted.length
            ? `${wanted.length} key${wanted.length === 1 ? '' : 's'} expected`
            : 'single value'
        checks.push({ ok: true, severity: 'info', subject: name, message: `exists, ${keyText}` })
      }
    }
    applyDualChecks(manifest, checks)
    if (usesCluster(manifest)) {
      for (const hook of await this.session.registry.hookModules()) {
        if (!hook.validate) continue
        try {
          for (const c of await hook.validate({
            manifest,
            ctx: await this.session.providerContext(),
          })) {
            const where = `${c.namespace}/${c.name}`
            if (c.error)
              checks.push({
                ok: false,
                severity: 'error',
                subject: c.secret,
                message: `${where}: ${c.error}`,
                code: 'UNAVAILABLE',
              })
            else if (!c.exists)
              checks.push({
                ok: false,
                severity: 'error',
                subject: c.secret,
                message: `Secret ${where} NOT FOUND in the cluster`,
                code: 'NOT_FOUND',
                fix: `floe secrets create ${c.secret}`,
              })
            else if (c.missingKeys.length)
              checks.push({
                ok: false,
                severity: 'error',
                subject: c.secret,
                message: `Secret ${where} lacks ${c.missingKeys.join(', ')}`,
                code: 'NOT_FOUND',
              })
            else
              checks.push({
                ok: true,
                severity: 'info',
                subject: c.secret,
                message: `Secret ${where} exists, ${c.keys} key${c.keys === 1 ? '' : 's'}`,
              })
          }
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
    }
    const done = this.finish(manifest.path, false, checks, Boolean(flags.strict))
    if (worstExit > (done.exitCode ?? 0)) done.exitCode = worstExit
    return done
  }

  private finish(
    path: string,
    offline: boolean,
    checks: Check[],
    strict: boolean,
  ): Outcome<ValidateResult> {
    // One error per failing secret (a provider ✗ and a cluster ✗ for the same secret are one
    // problem to fix); manifest and access problems count one per line.
    const failing = checks.filter((c) => !c.ok || (strict && c.severity === 'warning'))
    const perLine = failing.filter((c) => c.subject === 'manifest' || c.subject === 'access').length
    const errors =
      perLine +
      new Set(
        failing
          .filter((c) => c.subject !== 'manifest' && c.subject !== 'access')
          .map((c) => c.subject),
      ).size
    const warnings = checks.filter((c) => c.severity === 'warning').length
    const p = this.paint
    const lines = [
      `Validating secret references in ${basename(path)}${offline ? ' (offline)' : ''}...`,
    ]
    for (const c of checks) {
      const mark = !c.ok ? p.bad('✗') : c.severity === 'warning' ? p.warn('!') : p.ok('✓')
      const where = c.location ? p.dim(` (${c.location.line}:${c.location.column})`) : ''
      lines.push(`${mark} ${c.subject}: ${c.message}${c.subject === 'manifest' ? '' : where}`)
    }
    lines.push('')
    if (errors === 0) {
      lines.push(
        p.ok(
          `No errors found${warnings ? ` (${warnings} warning${warnings === 1 ? '' : 's'})` : ''}.`,
        ),
      )
    } else {
      const fixes = [...new Set(checks.filter((c) => !c.ok && c.fix).map((c) => c.fix as string))]
      const fixText =
        fixes.length === 1
          ? ` Run '${fixes[0]}' to fix.`
          : fixes.length > 1
            ? ` To fix, run:\n${fixes.map((f) => `  ${f}`).join('\n')}`
            : ''
      lines.push(`${errors} error${errors === 1 ? '' : 's'} found.${fixText}`)
    }
    return {
      result: { manifest: path, offline, checks, errors, warnings },
      human: lines.join('\n'),
      exitCode: errors ? ExitCode.CHECK_FAILED : ExitCode.OK,
      status: errors ? 'failed' : 'ok',
    }
  }
}

/** Keys consumers need: declared keys plus every key referenced in the manifest. */
export function expectedKeys(manifest: LoadedManifest, name: string): string[] {
  const keys = new Set(manifest.secrets[name]?.keys ?? [])
  for (const site of manifest.references)
    if (site.ref.name === name && site.ref.key) keys.add(site.ref.key)
  for (const binding of manifest.env)
    if (binding.ref.name === name && binding.ref.key) keys.add(binding.ref.key)
  return [...keys]
}
