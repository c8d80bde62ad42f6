import { FloeCommand, type Outcome } from '../../lib/base-command.js'
import { dataDirPackages } from '../../lib/data-dir-packages.js'
import { providedRow, renderProvided, type ProvidedRow } from '../../lib/provided-rows.js'

interface Listed {
  dataDir: string
  installed: ProvidedRow[]
}

export default class ProvidersList extends FloeCommand<Listed> {
  static override summary = 'List what `floe providers add` installed'
  static override description = `Shows the providers and emitters in the CLI's data directory (env FLOE_DATA_DIR). Everything floe can use, with where it came from (project, data-dir, beside-cli, built-in): floe secrets providers.`
  static override examples = [
    '<%= config.bin %> providers list',
    '<%= config.bin %> providers list --json',
  ]

  protected async execute(): Promise<Outcome<Listed>> {
    const dataDir = this.config.dataDir
    const installed = dataDirPackages(dataDir).map(providedRow)
    return {
      result: { dataDir, installed },
      human: `${dataDir}\n${renderProvided(installed)}`,
    }
  }
}
