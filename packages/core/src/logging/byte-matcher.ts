/**
 * A multi-pattern matcher over raw bytes (Aho–Corasick compiled to a full transition table).
 *
 * Why not a library: the maintained Aho–Corasick packages work on JavaScript strings (UTF-16
 * code units), so they would need the output decoded — which is exactly what corrupts binary
 * output and splits surrogate pairs. None keeps its state between chunks either. This one works
 * on Buffers, one table lookup per byte, and can be resumed at any byte boundary.
 */
export class ByteMatcher {
  /** next state = table[state * 256 + byte] */
  private readonly table: Int32Array
  /** length of the longest pattern ending in this state (0: none) */
  readonly matchLength: Int32Array
  /** bytes of the longest pattern prefix this state stands for */
  readonly depth: Int32Array
  readonly longest: number

  constructor(patterns: readonly Buffer[]) {
    const goto: Map<number, number>[] = [new Map()]
    const depth: number[] = [0]
    const output: number[] = [0]
    let longest = 0
    for (const pattern of patterns) {
      if (!pattern.length) continue
      longest = Math.max(longest, pattern.length)
      let state = 0
      for (const byte of pattern) {
        let next = goto[state]!.get(byte)
        if (next === undefined) {
          next = goto.length
          goto.push(new Map())
          depth.push(depth[state]! + 1)
          output.push(0)
          goto[state]!.set(byte, next)
        }
        state = next
      }
      output[state] = Math.max(output[state]!, pattern.length)
    }
    const states = goto.length
    const table = new Int32Array(states * 256)
    const fail = new Int32Array(states)
    // Breadth-first: a state's failure link is shallower, so its row is complete when needed.
    const queue: number[] = []
    for (let byte = 0; byte < 256; byte++) {
      const next = goto[0]!.get(byte)
      if (next !== undefined) {
        table[byte] = next
        queue.push(next)
      }
    }
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head]!
      output[state] = Math.max(output[state]!, output[fail[state]!]!)
      const row = state * 256
      const failRow = fail[state]! * 256
      for (let byte = 0; byte < 256; byte++) {
        const next = goto[state]!.get(byte)
        if (next === undefined) {
          table[row + byte] = table[failRow + byte]!
        } else {
          fail[next] = table[failRow + byte]!
          table[row + byte] = next
          queue.push(next)
        }
      }
    }
    this.table = table
    this.matchLength = Int32Array.from(output)
    this.depth = Int32Array.from(depth)
    this.longest = longest
  }

  /**
   * Feeds `bytes` from `state`; calls `onMatch(end, length)` for the longest pattern ending at
   * each byte (end is exclusive, relative to `bytes`). Returns the state after the last byte.
   */
  scan(bytes: Uint8Array, state: number, onMatch: (end: number, length: number) => void): number {
    const { table, matchLength } = this
    let s = state
    for (let i = 0; i < bytes.length; i++) {
      s = table[(s << 8) | bytes[i]!]!
      if (matchLength[s] !== 0) onMatch(i + 1, matchLength[s]!)
    }
    return s
  }
}
