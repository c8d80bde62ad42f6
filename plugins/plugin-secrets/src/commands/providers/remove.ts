import { Args } from '@oclif/core'
import { UsageError } from '@floe/core'
import { FloeCommand, type Outcome } from '../../lib/base-command.js'
import { dataDirDependencies, packageRequestFor, runNpm } from '../../lib/data-dir-packages.js'

interface Removed {
  dataDir: string
  removed: string[]
}

export default class ProvidersRemove extends FloeCommand<Removed> {
  static override summary = 'Uninstall providers and emitters that `floe providers add` installed'
  static override description =
    "Removes packages from the CLI's data directory (env FLOE_DATA_DIR). Packages of your project (package.json) are not touched: remove those with your package manager."
  static override examples = [
    '<%= config.bin %> providers remove vault',
    '<%= config.bin %> providers remove floe-provider-onepassword --json',
  ]
  static override args = {
    name: Args.string({ description: 'provider short name or package name', required: true }),
  }
  static override strict = false

  protected async execute(): Promise<Outcome<Removed>> {
    const { argv } = await this.parse(ProvidersRemove)
    const dataDir = this.config.dataDir
    const listed = dataDirDependencies(dataDir)
    const packages = (argv as string[]).map(
      (n) => packageRequestFor(n, this.config.version).package,
    )
    const missing = packages.filter((p) => !(p in listed))
    if (missing.length) {
      throw new UsageError(`not installed in ${dataDir}: ${missing.join(', ')}`, {
        hint: `see what is: ${this.config.bin} providers list`,
      })
    }
    await runNpm(['uninstall', '--save', ...packages], dataDir)
    return {
      result: { dataDir, removed: packages },
      human: `${this.paint.ok('✓')} Removed ${packages.join(', ')} from ${dataDir}`,
    }
  }
}
