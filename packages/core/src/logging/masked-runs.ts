import { ByteMatcher } from './byte-matcher.js'
import { planNeedles, type Needle } from './needle-plan.js'

/**
 * Above this many needles one pass of the automaton (a table lookup per byte, in JavaScript)
 * beats one native search per needle.
 */
const MAX_NEEDLES = 12

/** Below this a JavaScript loop beats the native call's overhead. */
const NATIVE_COMPARE_FROM = 48

/** Whether `data` holds `pattern` at `start` (the caller checked the bounds). */
function equalAt(data: Buffer, start: number, pattern: Buffer): boolean {
  if (pattern.length >= NATIVE_COMPARE_FROM)
    return data.compare(pattern, 0, pattern.length, start, start + pattern.length) === 0
  for (let i = 0; i < pattern.length; i++) if (data[start + i] !== pattern[i]) return false
  return true
}

/**
 * Finds where a set of byte patterns occur in a buffer, as the union of all occurrences:
 * sorted, disjoint [start, end) runs, overlapping occurrences merged into one (adjacent ones are
 * not). Few patterns (the usual exec: a handful of values and their encoded forms) are found with
 * native Buffer.indexOf on a shared needle each; many with the Aho–Corasick automaton.
 */
export class MaskedRuns {
  readonly matcher: ByteMatcher
  private readonly needles: Needle[] | undefined

  constructor(patterns: readonly Buffer[], sample?: Buffer) {
    this.matcher = new ByteMatcher(patterns)
    const needles = planNeedles(patterns, sample)
    this.needles = needles.length <= MAX_NEEDLES ? needles : undefined
  }

  /**
   * Runs in `data`, flat: [start0, end0, start1, end1, …]. Occurrences arrive in order of a
   * position inside them (needle hit or match end), so every run recorded before starts before
   * the new occurrence ends: the runs it overlaps are exactly the trailing ones ending after its
   * start — popped and merged.
   */
  find(data: Buffer): number[] {
    const runs: number[] = []
    const record = (start: number, end: number) => {
      while (runs.length && runs[runs.length - 1]! > start) {
        end = Math.max(end, runs.pop()!)
        start = Math.min(start, runs.pop()!)
      }
      runs.push(start, end)
    }
    if (this.needles) this.findByNeedles(data, this.needles, record)
    else this.matcher.scan(data, 0, (end, length) => record(end - length, end))
    return runs
  }

  private findByNeedles(
    data: Buffer,
    needles: Needle[],
    record: (start: number, end: number) => void,
  ): void {
    const next = needles.map((n) => data.indexOf(n.bytes))
    for (;;) {
      // the needle hit that comes first (few needles: a linear pick)
      let which = -1
      for (let k = 0; k < next.length; k++)
        if (next[k]! !== -1 && (which === -1 || next[k]! < next[which]!)) which = k
      if (which === -1) return
      const hit = next[which]!
      const needle = needles[which]!
      for (const { bytes, offset } of needle.patterns) {
        const start = hit - offset
        const end = start + bytes.length
        if (start >= 0 && end <= data.length && equalAt(data, start, bytes)) record(start, end)
      }
      next[which] = data.indexOf(needle.bytes, hit + 1)
    }
  }

  /** How many trailing bytes of `data` may begin an occurrence that more input completes. */
  pendingPrefix(data: Buffer): number {
    const from = Math.max(0, data.length - (this.matcher.longest - 1))
    const state = this.matcher.scan(data.subarray(from), 0, () => {})
    return this.matcher.depth[state]!
  }
}
