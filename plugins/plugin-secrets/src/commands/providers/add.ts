import { Args } from '@oclif/core'
import { FloeCommand, type Outcome } from '../../lib/base-command.js'
import {
  dataDirPackages,
  ensureDataDir,
  packageRequestFor,
  runNpm,
} from '../../lib/data-dir-packages.js'
import { providedRow, renderProvided, type ProvidedRow } from '../../lib/provided-rows.js'

interface Added {
  dataDir: string
  requested: { name: string; package: string; spec: string }[]
  installed: ProvidedRow[]
}

export default class ProvidersAdd extends FloeCommand<Added> {
  static override summary = 'Install providers and emitters for this CLI (global and npx use)'
  static override description = `Installs into the CLI's data directory (<%= config.dataDir %>, env FLOE_DATA_DIR) with npm, so a CLI installed globally or run with npx can use backends without a package.json. First-party packages go by short name (vault, aws_secrets_manager, kubernetes, azure_key_vault, gcp_secret_manager, aws_parameter_store, duckdb, dbt, k8s, access) and are pinned to the CLI's version range; third-party packages by their npm name. npm's own settings (registry, .npmrc) apply. In a project with a package.json, prefer your package manager (npm i @floe/provider-vault): the project's packages win over the data directory.`
  static override examples = [
    '<%= config.bin %> providers add vault',
    '<%= config.bin %> providers add aws_secrets_manager duckdb',
    '<%= config.bin %> providers add floe-provider-onepassword --json',
  ]
  static override args = {
    name: Args.string({ description: 'provider short name or package name', required: true }),
  }
  static override strict = false

  protected async execute(): Promise<Outcome<Added>> {
    const { argv } = await this.parse(ProvidersAdd)
    const requested = (argv as string[]).map((n) => packageRequestFor(n, this.config.version))
    const dataDir = this.config.dataDir
    ensureDataDir(dataDir)
    const progress = this.progress(`Installing ${requested.map((r) => r.spec).join(' ')}`)
    try {
      await runNpm(['install', '--save', ...requested.map((r) => r.spec)], dataDir)
    } finally {
      progress.stop()
    }
    const found = dataDirPackages(dataDir)
    const wanted = new Set(requested.map((r) => r.package))
    const installed = found.filter((p) => wanted.has(p.packageName)).map(providedRow)
    const warnings = requested
      .filter((r) => !installed.some((row) => row.package === r.package))
      .map(
        (r) =>
          `${r.package} was installed but declares no floe provider or emitter (no "floe" field in its package.json)`,
      )
    return {
      result: { dataDir, requested, installed },
      warnings,
      human: `${this.paint.ok('✓')} Installed into ${dataDir}\n${renderProvided(installed)}`,
    }
  }
}
