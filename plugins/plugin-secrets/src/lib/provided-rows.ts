import type { InstalledFloePackage } from '@floe/core'
import { renderTable, useColor } from './output.js'

/** One provider/emitter/hook a package provides, as `floe providers …` prints it. */
export interface ProvidedRow {
  kind: string
  name: string
  package: string
  version: string
}

export function renderProvided(rows: ProvidedRow[]): string {
  if (!rows.length) return '(none)'
  return renderTable(
    ['KIND', 'NAME', 'PACKAGE', 'VERSION'],
    rows.map((r) => [r.kind, r.name, r.package, r.version]),
    useColor(),
  )
}

export function providedRow(p: InstalledFloePackage): ProvidedRow {
  return { kind: p.kind, name: p.name, package: p.packageName, version: p.version }
}
