import { FloeCommand, type Outcome } from '../../lib/base-command.js'
import { renderTable, useColor } from '../../lib/output.js'

interface InstalledRow {
  kind: string
  name: string
  package: string
  version: string
  /** project | data-dir | beside-cli | built-in (plugin rows: oclif's plugin type) */
  source: string
  dir?: string
}

export default class SecretsProviders extends FloeCommand<{ installed: InstalledRow[] }> {
  static override summary =
    'Show installed providers, emitters, hooks and CLI plugins, with versions'
  static override description =
    "Providers and emitters are discovered, first match winning, from your project's dependencies (nearest package.json: source project), the CLI's data directory (`floe providers add`: data-dir), packages installed beside a global or npx CLI (beside-cli), and the CLI's own dependencies (the env and file providers: built-in). Nothing is imported to list them. Install a backend with `npm i @floe/provider-vault` in a project, or `floe providers add vault` for a global or npx CLI."
  static override examples = [
    '<%= config.bin %> secrets providers',
    '<%= config.bin %> secrets providers --json',
  ]

  protected async execute(): Promise<Outcome<{ installed: InstalledRow[] }>> {
    const rows: InstalledRow[] = this.session.registry.installed().map((p) => ({
      kind: p.kind,
      name: p.name,
      package: p.packageName,
      version: p.version,
      source: p.source ?? 'project',
      dir: p.dir,
    }))
    for (const plugin of this.config.getPluginsList()) {
      if (plugin.name === this.config.name) continue
      rows.push({
        kind: 'plugin',
        name: plugin.name,
        package: plugin.name,
        version: plugin.version,
        source: plugin.type,
      })
    }
    rows.sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name))
    return {
      result: { installed: rows },
      human: renderTable(
        ['KIND', 'NAME', 'PACKAGE', 'VERSION', 'SOURCE'],
        rows.map((r) => [r.kind, r.name, r.package, r.version, r.source]),
        useColor(),
      ),
    }
  }
}
