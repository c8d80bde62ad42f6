/**
 * Which short byte strings ("needles") to search for so that every pattern is found: each
 * pattern contains its needle, so searching for the needles with Buffer.indexOf (native, memchr-
 * fast) and checking the patterns around each hit finds every occurrence. Few needles matter
 * more than anything: each is one native pass over the data, and a value's raw, JSON-escaped and
 * URL-encoded forms (and padded, unpadded, URL-safe base64) usually share one.
 */
export interface Needle {
  bytes: Buffer
  /** patterns holding this needle, with every offset it has in them */
  patterns: { bytes: Buffer; offset: number }[]
}

/** Needle length: long enough that random bytes almost never hit it, short enough to share. */
const NEEDLE_LENGTH = 4
/** One hit checked in JavaScript costs about as much as this many bytes of native search. */
const HIT_COST_BYTES = 200
/** Counting candidates in the sample costs a native pass each: skip it for huge value sets. */
const MAX_SAMPLED_CANDIDATES = 2_000
const SAMPLE_BYTES = 4_096

function countIn(sample: Buffer, needle: Buffer): number {
  let hits = 0
  for (let i = sample.indexOf(needle); i !== -1; i = sample.indexOf(needle, i + 1)) hits++
  return hits
}

/**
 * Greedy weighted set cover: repeatedly takes the candidate with the lowest estimated cost per
 * newly covered pattern, the cost being one pass plus its hits in `sample` (output seen so far),
 * so that a needle common in this output ("line", "----") loses to a rarer one.
 */
export function planNeedles(patterns: readonly Buffer[], sample?: Buffer): Needle[] {
  const covering = new Map<string, Set<number>>()
  patterns.forEach((pattern, index) => {
    const size = Math.min(NEEDLE_LENGTH, pattern.length)
    for (let offset = 0; offset + size <= pattern.length; offset++) {
      const key = pattern.toString('latin1', offset, offset + size)
      let set = covering.get(key)
      if (!set) covering.set(key, (set = new Set()))
      set.add(index)
    }
  })
  const probe = sample?.subarray(0, SAMPLE_BYTES)
  const sampled = probe && probe.length > 0 && covering.size <= MAX_SAMPLED_CANDIDATES
  const cost = new Map<string, number>()
  for (const key of covering.keys())
    cost.set(
      key,
      SAMPLE_BYTES + (sampled ? countIn(probe, Buffer.from(key, 'latin1')) * HIT_COST_BYTES : 0),
    )
  const uncovered = new Set(patterns.keys())
  const needles: Needle[] = []
  while (uncovered.size) {
    let best: string | undefined
    let bestScore = Infinity
    for (const [key, holders] of covering) {
      let fresh = 0
      for (const index of holders) if (uncovered.has(index)) fresh++
      if (!fresh) continue
      const score = cost.get(key)! / fresh
      if (score < bestScore) {
        best = key
        bestScore = score
      }
    }
    const bytes = Buffer.from(best!, 'latin1')
    const needle: Needle = { bytes, patterns: [] }
    for (const index of covering.get(best!)!) {
      if (!uncovered.delete(index)) continue
      const pattern = patterns[index]!
      for (let at = pattern.indexOf(bytes); at !== -1; at = pattern.indexOf(bytes, at + 1))
        needle.patterns.push({ bytes: pattern, offset: at })
    }
    needles.push(needle)
  }
  return needles
}
