/**
 * A manifest's bytes to text: YAML is Unicode, and a stray Latin-1 byte read with Node's
 * lenient decoder would become U+FFFD inside a value (or a secret name) without a word.
 */
import { ConfigError } from '../errors.js'

/** Decodes UTF-8 strictly (a leading BOM is dropped); invalid bytes are a located error. */
export function decodeManifestBytes(bytes: Uint8Array, file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    const offset = firstInvalidByte(bytes)
    const lineStart = bytes.lastIndexOf(0x0a, offset - 1) + 1
    const line = countNewlines(bytes, lineStart) + 1
    // Columns count UTF-16 units, as the YAML readers' positions do.
    const column = new TextDecoder('utf-8').decode(bytes.subarray(lineStart, offset)).length + 1
    const shown = Array.from(bytes.subarray(offset, offset + 4), (b) =>
      b.toString(16).padStart(2, '0'),
    ).join(' ')
    throw new ConfigError(
      `the manifest is not valid UTF-8 (bytes ${shown} at byte ${offset}): save it as UTF-8`,
      { location: { file, line, column } },
    )
  }
}

/**
 * The smallest prefix a streaming strict decoder refuses ends at the first invalid byte (a
 * sequence cut at the prefix's end is not refused in stream mode): binary search over
 * prefixes keeps the decoder as the only judge of UTF-8.
 */
function firstInvalidByte(bytes: Uint8Array): number {
  const refuses = (length: number): boolean => {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, length), { stream: true })
      return false
    } catch {
      return true
    }
  }
  let low = 1 // refuses(low - 1) is false
  let high = bytes.length // refuses(high) is true, or the end is a truncated sequence
  if (!refuses(high)) {
    // only the final sequence is incomplete: it starts at the last lead byte
    let i = bytes.length - 1
    while (i > 0 && ((bytes[i] as number) & 0xc0) === 0x80) i -= 1
    return i
  }
  while (low < high) {
    const mid = (low + high) >> 1
    if (refuses(mid)) high = mid
    else low = mid + 1
  }
  // The refused prefix ends at the byte that cannot go on. When that byte interrupts (or
  // wrongly continues) a sequence begun before it, the fault is that sequence's first byte.
  const last = high - 1
  let lead = last - 1
  while (lead > 0 && ((bytes[lead] as number) & 0xc0) === 0x80) lead -= 1
  if (lead >= 0 && (bytes[lead] as number) >= 0xc0 && isIncomplete(bytes, lead, last)) return lead
  return last
}

/** Whether the sequence starting at lead byte `lead` needs more bytes than it has before `end`. */
function isIncomplete(bytes: Uint8Array, lead: number, end: number): boolean {
  const b = bytes[lead] as number
  const needed = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2
  return end - lead < needed
}

function countNewlines(bytes: Uint8Array, end: number): number {
  let count = 0
  for (let i = bytes.indexOf(0x0a); i !== -1 && i < end; i = bytes.indexOf(0x0a, i + 1)) count += 1
  return count
}
