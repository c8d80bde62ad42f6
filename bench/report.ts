import { appendFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'

export interface BenchFigure {
  /** e.g. 'core: load + validate 10,000-secret manifest' */
  name: string
  value: number
  unit: string
  /** the design target, for the summary line, e.g. '≤ 500 ms' */
  target?: string
  /** whether the measured value meets the target */
  ok?: boolean
}

const resultsDir = join(import.meta.dirname, 'results')

/** Prints one figure and appends it to bench/results/latest.jsonl. */
export function report(figure: BenchFigure): void {
  mkdirSync(resultsDir, { recursive: true })
  appendFileSync(
    join(resultsDir, 'latest.jsonl'),
    JSON.stringify({ ...figure, at: new Date().toISOString() }) + '\n',
  )
  const verdict = figure.ok === undefined ? '' : figure.ok ? '  ✓' : '  ✗ (misses target)'
  const target = figure.target ? `  (target ${figure.target})` : ''
  process.stdout.write(`BENCH ${figure.name}: ${figure.value} ${figure.unit}${target}${verdict}\n`)
}

/** Median of repeated measurements. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}
