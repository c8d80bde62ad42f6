import { FloeCommand, type Outcome } from '../../lib/base-command.js'
import { renderTable, useColor } from '../../lib/output.js'

interface InstalledRow {
  kind: string
  name: string
  package: string
  version: string
}

export default class SecretsProviders extends FloeCommand<{ installed: InstalledRow[] }> {
  static override summary =
    'Show installed providers, emitters, hooks and CLI plugins, with versions'
  static override description =
    'Providers and emitters are discovered from the dependencies of your project (nearest package.json) and of the CLI; nothing is imported to list them. Install a backend with e.g. `npm i @floe/provider-vault`.'
  static override examples = [
    '<%= config.bin %> secrets providers',
    '<%= config.bin %> secrets providers --json',
  ]

  protected async execute(): Promise<Outcome<{ installed: InstalledRow[] }>> {
    const rows: InstalledRow[] = this.session.registry
      .installed()
      .map((p) => ({ kind: p.kind, name: p.name, package: p.packageName, version: p.version }))
    for (const plugin of this.config.getPluginsList()) {
      if (plugin.name === this.config.name) continue
      rows.push({
        kind: 'plugin',
        name: plugin.name,
        package: plugin.name,
        version: plugin.version,
      })
    }
    rows.sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name))
    return {
      result: { installed: rows },
      human: renderTable(
        ['KIND', 'NAME', 'PACKAGE', 'VERSION'],
        rows.map((r) => [r.kind, r.name, r.package, r.version]),
        useColor(),
      ),
    }
  }
}
