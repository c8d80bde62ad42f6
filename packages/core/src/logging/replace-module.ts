/**
 * The WebAssembly module behind WasmReplacer, assembled here instruction by instruction: core has
 * no build step for other languages and no dependencies beyond its four, and the function is
 * small. One export, `replace(input, n, output, mask, maskLength, shift, window, candidates)`:
 * writes input[0, n) to output with every occurrence of a form replaced by the mask (leftmost,
 * longest at a position first) and returns the output's length, or -1 when nothing occurs.
 *
 * Memory the caller lays out: at 0 a table indexed by the two bytes at a position (little-endian
 * u16) holding the offset of the forms starting with them — (offset, length) u32 pairs, longest
 * first, ended by length 0 — or 0; at `shift` the Wu–Manber shift table (u8 per byte pair) for a
 * window of `window` bytes (≤ the shortest form); the forms; the mask; input; output (with 8
 * bytes of slack); 4 × (n + 4) bytes for `candidates`.
 *
 * Two passes. Scan: four cursors, one per quarter of the input, each jumps by the shift of the
 * last two bytes of its window and records the positions where the shift is 0 (a form may start
 * there). One cursor would wait on its own two dependent loads per step; four interleaved keep
 * the CPU busy (≈ 4× the speed on random bytes). Replace: the candidates in order, each checked
 * against the forms of its byte pair unless an earlier occurrence covers it.
 */

// opcodes (WebAssembly core specification, §5.4)
const BLOCK = 0x02
const LOOP = 0x03
const IF = 0x04
const ELSE = 0x05
const END = 0x0b
const BR = 0x0c
const BR_IF = 0x0d
const RETURN = 0x0f
const SELECT = 0x1b
const VOID = 0x40
const GET = 0x20
const SET = 0x21
const TEE = 0x22
const LOAD32 = [0x28, 0x02, 0x00]
const LOAD32_AT4 = [0x28, 0x02, 0x04]
const LOAD64 = [0x29, 0x00, 0x00]
const LOAD8 = [0x2d, 0x00, 0x00]
const LOAD16 = [0x2f, 0x00, 0x00]
const STORE32 = [0x36, 0x02, 0x00]
const STORE64 = [0x37, 0x00, 0x00]
const CONST = 0x41
const EQZ = 0x45
const NE = 0x47
const LT_U = 0x49
const GT_U = 0x4b
const LE_S = 0x4c
const LE_U = 0x4d
const GE_U = 0x4f
const NE64 = 0x52
const ADD = 0x6a
const SUB = 0x6b
const MUL = 0x6c
const AND = 0x71
const SHL = 0x74
const SHR_U = 0x76
const COPY = [0xfc, 0x0a, 0x00, 0x00]
const I32 = 0x7f

const PARAMS = ['in', 'n', 'out', 'mask', 'maskLength', 'shift', 'window', 'candidates'] as const
const CURSORS = [0, 1, 2, 3] as const
const LOCALS = [
  ...['i', 'o', 'gap', 'list', 'form', 'length', 'j', 'to', 'from', 'left'],
  ...['step', 'base', 'quarter', 'starts', 'k'],
  ...CURSORS.flatMap((c) => [`p${c}`, `e${c}`, `w${c}`, `b${c}`]),
]
const index = new Map([...PARAMS, ...LOCALS].map((name, at) => [name, at]))
/** local.get / local.set of a named parameter or local */
const get = (name: string): number[] => [GET, index.get(name)!]
const set = (name: string): number[] => [SET, index.get(name)!]
const tee = (name: string): number[] => [TEE, index.get(name)!]
const min = (a: number[], b: number[]): number[] => [...a, ...b, ...a, ...b, LT_U, SELECT]

/** Below this memory.copy's call costs more than copying 8 bytes at a time inline. */
const NATIVE_FROM = 64

/**
 * Copies `length` bytes from `from` to o and advances o. Short copies move whole 8-byte words and
 * may write up to 7 bytes past the end (into output not yet written; the output has slack).
 */
// prettier-ignore
const copy = (from: number[], length: number[]): number[] => [
  ...get('o'), ...set('to'), ...from, ...set('from'), ...length, ...tee('left'),
  ...get('o'), ADD, ...set('o'),
  ...get('left'), CONST, NATIVE_FROM, GE_U, IF, VOID,
  ...get('to'), ...get('from'), ...get('left'), ...COPY,
  ELSE,
  BLOCK, VOID, LOOP, VOID,
  ...get('left'), CONST, 0, LE_S, BR_IF, 1,
  ...get('to'), ...get('from'), ...LOAD64, ...STORE64,
  ...get('to'), CONST, 8, ADD, ...set('to'),
  ...get('from'), CONST, 8, ADD, ...set('from'),
  ...get('left'), CONST, 8, SUB, ...set('left'), BR, 0,
  END, END,
  END,
]

/** input[gap, until) to the output */
const copyGap = (until: number[]): number[] =>
  copy([...get('in'), ...get('gap'), ADD], [...until, ...get('gap'), SUB])

/**
 * One step of cursor c: move on by the shift of the window's last two bytes; where it is 0,
 * record p as a candidate and move on by 1.
 */
// prettier-ignore
const step = (c: number): number[] => [
  ...get('shift'), ...get('base'), ...get(`p${c}`), ADD, ...LOAD16, ADD, ...LOAD8, ...tee('step'),
  EQZ, IF, VOID,
  ...get(`w${c}`), ...get(`p${c}`), ...STORE32,
  ...get(`w${c}`), CONST, 4, ADD, ...set(`w${c}`),
  CONST, 1, ...set('step'),
  END,
  ...get(`p${c}`), ...get('step'), ADD, ...set(`p${c}`),
]

const running = (c: number): number[] => [...get(`p${c}`), ...get(`e${c}`), LT_U]

// prettier-ignore
const scan = (): number[] => [
  // window starts 0 … n − window, in four quarters; cursor c's candidates from candidates + 4·(start + c)
  ...get('n'), ...get('window'), SUB, CONST, 1, ADD, ...set('starts'),
  ...get('starts'), CONST, 3, ADD, CONST, 2, SHR_U, ...set('quarter'),
  ...get('in'), ...get('window'), ADD, CONST, 2, SUB, ...set('base'),
  ...CURSORS.flatMap((c) => [
    ...min([...get('quarter'), CONST, c, MUL], get('starts')), ...set(`p${c}`),
    ...min([...get('quarter'), CONST, c + 1, MUL], get('starts')), ...set(`e${c}`),
    // one slot more than the quarter holds: a step writes before it knows whether to keep
    ...get('candidates'), ...get(`p${c}`), CONST, c, ADD, CONST, 2, SHL, ADD,
    ...tee(`w${c}`), ...set(`b${c}`),
  ]),
  BLOCK, VOID, LOOP, VOID,
  ...running(0), ...running(1), AND, ...running(2), AND, ...running(3), AND, EQZ, BR_IF, 1,
  ...CURSORS.flatMap(step),
  BR, 0,
  END, END,
  ...CURSORS.flatMap((c) => [
    BLOCK, VOID, LOOP, VOID, ...running(c), EQZ, BR_IF, 1, ...step(c), BR, 0, END, END,
  ]),
]

/** At candidate i (labels: 0 = the candidate loop, 1 = its block): mask the longest form there. */
// prettier-ignore
const verify = (): number[] => [
  ...get('in'), ...get('i'), ADD, ...LOAD16, CONST, 2, SHL, ...LOAD32, ...set('list'),
  BLOCK, VOID, // $next
  ...get('list'), EQZ, BR_IF, 0,
  LOOP, VOID, // $form
  ...get('list'), ...LOAD32_AT4, ...tee('length'), EQZ, BR_IF, 1,
  BLOCK, VOID, // $fail
  ...get('i'), ...get('length'), ADD, ...get('n'), GT_U, BR_IF, 0,
  ...get('list'), ...LOAD32, ...set('form'),
  CONST, 2, ...set('j'),
  LOOP, VOID, // $compare8: 8 bytes at a time
  ...get('j'), CONST, 8, ADD, ...get('length'), LE_U, IF, VOID,
  ...get('in'), ...get('i'), ADD, ...get('j'), ADD, ...LOAD64,
  ...get('form'), ...get('j'), ADD, ...LOAD64, NE64, BR_IF, 2,
  ...get('j'), CONST, 8, ADD, ...set('j'), BR, 1,
  END, END, // if, $compare8
  LOOP, VOID, // $compare: the rest byte by byte
  ...get('j'), ...get('length'), LT_U, IF, VOID,
  ...get('in'), ...get('i'), ADD, ...get('j'), ADD, ...LOAD8,
  ...get('form'), ...get('j'), ADD, ...LOAD8, NE, BR_IF, 2,
  ...get('j'), CONST, 1, ADD, ...set('j'), BR, 1,
  END, END, // if, $compare
  ...copyGap(get('i')),
  ...copy(get('mask'), get('maskLength')),
  ...get('i'), ...get('length'), ADD, ...set('gap'),
  BR, 3, // the candidate loop
  END, // $fail
  ...get('list'), CONST, 8, ADD, ...set('list'), BR, 0,
  END, END, // $form, $next
]

// The function's code is assembled when the module is first compiled, not when core loads:
// every floe start loads core, few mask output through WebAssembly (≈ 0.5 ms, 200 kB).
// prettier-ignore
const body = (): number[] => [
  ...get('n'), ...get('window'), LT_U, IF, VOID, CONST, 0x7f, RETURN, END, // shorter than any form
  ...scan(),
  ...get('out'), ...set('o'),
  ...CURSORS.flatMap((c) => [
    ...get(`b${c}`), ...set('k'),
    BLOCK, VOID, LOOP, VOID,
    ...get('k'), ...get(`w${c}`), GE_U, BR_IF, 1,
    ...get('k'), ...LOAD32, ...set('i'),
    ...get('k'), CONST, 4, ADD, ...set('k'),
    ...get('i'), ...get('gap'), LT_U, BR_IF, 0, // inside the occurrence masked last
    ...verify(),
    BR, 0,
    END, END,
  ]),
  ...get('gap'), EQZ, IF, VOID, CONST, 0x7f, RETURN, END, // nothing found: -1
  ...copyGap(get('n')),
  ...get('o'), ...get('out'), SUB,
  END,
]

function leb(value: number): number[] {
  const out: number[] = []
  do {
    let byte = value & 0x7f
    value >>>= 7
    if (value) byte |= 0x80
    out.push(byte)
  } while (value)
  return out
}

const section = (id: number, content: number[]): number[] => [
  id,
  ...leb(content.length),
  ...content,
]
const name = (text: string): number[] => [text.length, ...Buffer.from(text, 'latin1')]

/** The module's bytes; it imports its memory as m.memory. */
export function replaceModuleBytes(): Uint8Array {
  const code = [1, ...leb(LOCALS.length), I32, ...body()]
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [1, 0x60, PARAMS.length, ...PARAMS.map(() => I32), 1, I32]),
    ...section(2, [1, ...name('m'), ...name('memory'), 0x02, 0x00, 0x01]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...name('replace'), 0x00, 0]),
    ...section(10, [1, ...leb(code.length), ...code]),
  ])
}
