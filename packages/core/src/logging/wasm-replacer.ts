import { replaceModuleBytes } from './replace-module.js'

/**
 * Replaces every occurrence of a set of byte forms by a mask in one WebAssembly pass
 * (replace-module.ts), for the case MaskedRuns.replace() covers: no two forms overlap unless one
 * contains the other, and none can occur across the mask — then masking leftmost and longest
 * first equals masking the union of all occurrences. Dense output (a value in every line) costs
 * ~60 ns per occurrence with String.replaceAll and ~3 ns per byte in a JavaScript loop; here it
 * is well under 1 ns per byte, and a chunk without any form costs one copy into the module's
 * memory and a scan that skips most bytes.
 */

const TABLE_BYTES = 65_536 * 4
const SHIFT_BYTES = 65_536
const PAGE = 65_536

/** The part of the WebAssembly global used here (core's TypeScript lib has no DOM types). */
interface WasmMemory {
  readonly buffer: ArrayBuffer
  grow(pages: number): number
}
interface WasmModule {
  readonly kind?: never
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule
  Instance: new (module: WasmModule, imports: object) => { exports: Record<string, unknown> }
  Memory: new (descriptor: { initial: number }) => WasmMemory
}
const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly

let compiled: WasmModule | undefined | null

function wasmModule(): WasmModule | undefined {
  if (compiled === undefined) {
    try {
      compiled = new wasm!.Module(replaceModuleBytes())
    } catch {
      compiled = null // no WebAssembly (or no bulk memory): the string path is used
    }
  }
  return compiled ?? undefined
}

type Run = (
  input: number,
  n: number,
  out: number,
  mask: number,
  maskLength: number,
  shift: number,
  window: number,
  candidates: number,
) => number

/** Key of the two bytes at `at` as the module reads them (little-endian u16). */
const pairAt = (bytes: Uint8Array, at: number): number => bytes[at]! | (bytes[at + 1]! << 8)

export class WasmReplacer {
  private readonly memory: WasmMemory
  private readonly run: Run
  private readonly mask: number
  private readonly maskLength: number
  private readonly input: number
  /** bytes of the window the shift table was built for: the shortest form, at most 255 */
  private readonly window: number
  /** output bytes per input byte at most (a form shorter than the mask grows the output) */
  private readonly growth: number

  private constructor(module: WasmModule, forms: readonly Buffer[], mask: Buffer) {
    const lists = new Map<number, Buffer[]>()
    for (const form of forms) {
      const key = pairAt(form, 0)
      lists.set(key, [...(lists.get(key) ?? []), form])
    }
    let size = TABLE_BYTES + SHIFT_BYTES
    for (const list of lists.values()) size += (list.length + 1) * 8
    for (const form of forms) size += form.length
    size += mask.length
    this.input = size
    this.memory = new wasm!.Memory({ initial: Math.ceil((size + 4 * PAGE) / PAGE) })
    const view = new DataView(this.memory.buffer)
    const bytes = new Uint8Array(this.memory.buffer)
    const shortest = Math.min(...forms.map((f) => f.length))
    this.window = Math.min(shortest, 255)
    // shift[pair]: how far the window may move when its last two bytes are `pair` — the
    // distance from the pair's last position in any form's first `window` bytes to their end
    const shift = bytes.subarray(TABLE_BYTES, TABLE_BYTES + SHIFT_BYTES)
    shift.fill(this.window - 1)
    for (const form of forms)
      for (let q = 1; q < this.window; q++) {
        const key = pairAt(form, q - 1)
        shift[key] = Math.min(shift[key]!, this.window - 1 - q)
      }
    let at = TABLE_BYTES + SHIFT_BYTES
    const placed = new Map<Buffer, number>()
    for (const [key, list] of lists) {
      view.setUint32(key * 4, at, true)
      at += (list.length + 1) * 8
    }
    for (const form of forms) {
      placed.set(form, at)
      bytes.set(form, at)
      at += form.length
    }
    this.mask = at
    this.maskLength = mask.length
    bytes.set(mask, at)
    for (const [key, list] of lists) {
      let entry = view.getUint32(key * 4, true)
      for (const form of [...list].sort((a, b) => b.length - a.length)) {
        view.setUint32(entry, placed.get(form)!, true)
        view.setUint32(entry + 4, form.length, true)
        entry += 8
      }
    }
    this.growth = Math.max(1, Math.ceil(mask.length / shortest))
    const instance = new wasm!.Instance(module, { m: { memory: this.memory } })
    this.run = instance.exports.replace as Run
  }

  /**
   * A replacer for these forms, or undefined where it cannot be used (no WebAssembly, or a
   * form shorter than 2 bytes).
   */
  static create(forms: readonly Buffer[], mask: Buffer): WasmReplacer | undefined {
    if (!forms.length || forms.some((f) => f.length < 2)) return undefined
    const module = wasmModule()
    return module && new WasmReplacer(module, forms, mask)
  }

  /**
   * `data` with every occurrence of a form replaced by the mask, leftmost and longest first;
   * `data` itself when none occurs. `overwrite`: the output goes into data's memory when it
   * fits (a view of it is returned), else into a new buffer.
   */
  replace(data: Buffer, overwrite = false): Buffer {
    const out = this.input + data.length
    const candidates = out + data.length * this.growth + 8
    const end = candidates + 4 * (data.length + 4)
    if (end > this.memory.buffer.byteLength)
      this.memory.grow(Math.ceil((end - this.memory.buffer.byteLength) / PAGE))
    new Uint8Array(this.memory.buffer, this.input, data.length).set(data)
    const length = this.run(
      this.input,
      data.length,
      out,
      this.mask,
      this.maskLength,
      TABLE_BYTES,
      this.window,
      candidates,
    )
    if (length < 0) return data
    const output = new Uint8Array(this.memory.buffer, out, length)
    if (!overwrite || length > data.length) return Buffer.from(output)
    data.set(output)
    return data.subarray(0, length)
  }
}
