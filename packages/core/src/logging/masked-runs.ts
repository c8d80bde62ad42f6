import { ByteMatcher } from './byte-matcher.js'
import { planNeedles, type Needle } from './needle-plan.js'
import { WasmReplacer } from './wasm-replacer.js'

/**
 * Above this many needles one pass of the automaton (a table lookup per byte, in JavaScript)
 * beats one native search per needle.
 */
const MAX_NEEDLES = 12

/** One pattern of a needle, as a latin1 string (one char per byte) for the string search. */
interface NeedlePattern {
  text: string
  length: number
  /** a proper prefix is also a suffix: occurrences may overlap, so split() would skip some */
  overlaps: boolean
}

interface PlannedNeedle {
  bytes: Buffer
  patterns: NeedlePattern[]
}

/** Where `pattern` starts in `text`, ascending: every occurrence, overlapping ones too. */
function startsOf(text: string, pattern: NeedlePattern): number[] {
  const starts: number[] = []
  if (pattern.overlaps) {
    for (let i = text.indexOf(pattern.text); i !== -1; i = text.indexOf(pattern.text, i + 1))
      starts.push(i)
    return starts
  }
  // One native call finds them all; a JavaScript call per occurrence (indexOf) costs ~5× more
  // on dense output (a value in every line).
  const pieces = text.split(pattern.text)
  let at = 0
  for (let i = 0; i < pieces.length - 1; i++) {
    at += pieces[i]!.length
    starts.push(at)
    at += pattern.length
  }
  return starts
}

/**
 * Whether a proper, non-empty suffix of `x` equals a prefix of `y` shorter than `y` (two
 * occurrences could overlap without one containing the other). Borders of `y` + U+0100 + `x`
 * (U+0100 is no latin1 char, so no border crosses it) are exactly those suffix/prefix pairs.
 */
function overlapsInto(x: string, y: string): boolean {
  const joined = `${y}\u0100${x}`
  const failure = new Int32Array(joined.length)
  let k = 0
  for (let i = 1; i < joined.length; i++) {
    while (k && joined[i] !== joined[k]) k = failure[k - 1]!
    if (joined[i] === joined[k]) k++
    failure[i] = k
  }
  for (let border = failure[joined.length - 1]!; border > 0; border = failure[border - 1]!)
    if (border < x.length && border < y.length) return true
  return false
}

/**
 * Whether replacing each form by the mask in turn, longest first (String.replaceAll), gives the
 * same output as masking the union of all occurrences: true when no two occurrences can
 * overlap unless one contains the other, and no form can occur across a mask put in its place.
 */
function replaceable(forms: readonly string[], mask: string): boolean {
  for (const form of forms) {
    if (form.includes(mask) || mask.includes(form)) return false
    if (overlapsInto(form, mask) || overlapsInto(mask, form)) return false
    for (const other of forms) if (overlapsInto(form, other)) return false
  }
  return true
}

/** Above this many forms the pairwise replaceable() check is not worth it. */
const MAX_REPLACEABLE_FORMS = 64

function planned(needle: Needle): PlannedNeedle {
  // a pattern holding its needle twice is listed once per offset: search it once
  const patterns = [...new Set(needle.patterns.map((p) => p.bytes))]
  return {
    bytes: needle.bytes,
    patterns: patterns.map((bytes) => {
      const text = bytes.toString('latin1')
      return { text, length: bytes.length, overlaps: overlapsInto(text, text) }
    }),
  }
}

/**
 * Merges ascending start lists (list i holds occurrences of length lengths[i]) into sorted,
 * disjoint runs: overlapping occurrences become one run, adjacent ones stay apart.
 */
function mergeByStart(lists: number[][], lengths: number[]): number[] {
  const runs: number[] = []
  if (lists.length === 1) {
    const length = lengths[0]!
    for (const start of lists[0]!) pushRun(runs, start, start + length)
    return runs
  }
  const at = new Array<number>(lists.length).fill(0)
  for (;;) {
    let which = -1
    let start = Infinity
    for (let l = 0; l < lists.length; l++) {
      const next = lists[l]![at[l]!]
      if (next !== undefined && next < start) {
        start = next
        which = l
      }
    }
    if (which === -1) return runs
    at[which]!++
    pushRun(runs, start, start + lengths[which]!)
  }
}

/** Appends [start, end) (starts arrive ascending), merged into the last run if they overlap. */
function pushRun(runs: number[], start: number, end: number): void {
  const last = runs.length - 1
  if (last > 0 && runs[last]! > start) {
    if (end > runs[last]!) runs[last] = end
  } else runs.push(start, end)
}

/**
 * Finds where a set of byte patterns occur in a buffer, as the union of all occurrences:
 * sorted, disjoint [start, end) runs, overlapping occurrences merged into one (adjacent ones are
 * not). Few patterns (the usual exec: a handful of values and their encoded forms) are found with
 * native Buffer.indexOf on a shared needle each; many with the Aho–Corasick automaton.
 */
export class MaskedRuns {
  readonly matcher: ByteMatcher
  private readonly needles: PlannedNeedle[] | undefined
  /**
   * The data of the last find() as a latin1 string when it was searched as one (some needle
   * hit), else undefined: render() builds the masked output from it without copying byte runs.
   */
  text: string | undefined
  /**
   * Forms (latin1) longest first, each with the needle that finds it, when replace() may be
   * used (see replaceable()); else undefined.
   */
  private readonly replaceOrder: { text: string; needle: number }[] | undefined
  private readonly maskText: string
  /** the one-pass replace() where WebAssembly is there; else one replaceAll per form */
  private readonly replacer: WasmReplacer | undefined

  /**
   * `mask`: what replace() puts in place of a form (default "[REDACTED]"). `wasm: false` keeps
   * replace() on the string path (tests compare the two).
   */
  constructor(
    patterns: readonly Buffer[],
    sample?: Buffer,
    mask = '[REDACTED]',
    options: { wasm?: boolean } = {},
  ) {
    this.matcher = new ByteMatcher(patterns)
    this.maskText = Buffer.from(mask).toString('latin1')
    const needles = planNeedles(patterns, sample)
    this.needles = needles.length <= MAX_NEEDLES ? needles.map(planned) : undefined
    const order = this.needles
      ?.flatMap((n, needle) => n.patterns.map((p) => ({ text: p.text, needle })))
      .sort((a, b) => b.text.length - a.text.length)
    this.replaceOrder =
      order &&
      order.length <= MAX_REPLACEABLE_FORMS &&
      replaceable(
        order.map((o) => o.text),
        this.maskText,
      )
        ? order
        : undefined
    this.replacer =
      this.replaceOrder && options.wasm !== false
        ? WasmReplacer.create(
            this.needles!.flatMap((n) => n.patterns.map((p) => Buffer.from(p.text, 'latin1'))),
            Buffer.from(mask),
          )
        : undefined
  }

  /** Whether replace() may be used for these forms and this mask. */
  get canReplace(): boolean {
    return this.replaceOrder !== undefined
  }

  /**
   * data[0, upTo) with every occurrence replaced by the mask (only when canReplace). A chunk in
   * which nothing occurs is passed on as a view; else one pass of the WebAssembly replacer
   * (its output in data's own memory when `overwrite` allows and it fits), or one native
   * replaceAll per form whose needle occurs.
   */
  replace(data: Buffer, upTo: number, overwrite = false): Buffer {
    const head = data.subarray(0, upTo)
    const needles = this.needles!
    if (this.replacer) return this.replacer.replace(head, overwrite)
    const hit = needles.map((n) => head.indexOf(n.bytes) !== -1)
    if (!hit.includes(true)) return head
    let text = head.toString('latin1')
    for (const form of this.replaceOrder!)
      if (hit[form.needle]) text = text.replaceAll(form.text, this.maskText)
    return Buffer.from(text, 'latin1')
  }

  /**
   * `upTo`, or the start of the occurrence that straddles it (only when canReplace: then no
   * two occurrences overlap, so at most one does, and it lies within the longest form of it).
   */
  cutBefore(data: Buffer, upTo: number): number {
    const reach = this.matcher.longest - 1
    const from = Math.max(0, upTo - reach)
    const window = data.subarray(from, Math.min(data.length, upTo + reach))
    const found = this.find(window)
    for (let r = 0; r < found.length; r += 2)
      if (from + found[r]! < upTo && from + found[r + 1]! > upTo) return from + found[r]!
    return upTo
  }

  /**
   * Runs in `data`, flat: [start0, end0, start1, end1, …]. Few patterns: a native
   * Buffer.indexOf per needle decides whether the chunk holds anything at all (binary output
   * and most text: no); only then is the chunk read as a latin1 string and each pattern of a hit
   * needle located with native string search, the per-pattern lists merged by start. Many
   * patterns: one automaton pass.
   */
  find(data: Buffer): number[] {
    this.text = undefined
    if (!this.needles) {
      const runs: number[] = []
      this.matcher.scan(data, 0, (end, length) => {
        let start = end - length
        // occurrences arrive by end: the runs they overlap are the trailing ones
        while (runs.length && runs[runs.length - 1]! > start) {
          end = Math.max(end, runs.pop()!)
          start = Math.min(start, runs.pop()!)
        }
        runs.push(start, end)
      })
      return runs
    }
    let text: string | undefined
    const lists: number[][] = []
    const lengths: number[] = []
    for (const needle of this.needles) {
      if (data.indexOf(needle.bytes) === -1) continue
      text ??= data.toString('latin1')
      for (const pattern of needle.patterns) {
        const starts = startsOf(text, pattern)
        if (!starts.length) continue
        lists.push(starts)
        lengths.push(pattern.length)
      }
    }
    this.text = text
    return mergeByStart(lists, lengths)
  }

  /** How many trailing bytes of `data` may begin an occurrence that more input completes. */
  pendingPrefix(data: Buffer): number {
    const from = Math.max(0, data.length - (this.matcher.longest - 1))
    const state = this.matcher.scan(data.subarray(from), 0, () => {})
    return this.matcher.depth[state]!
  }
}
