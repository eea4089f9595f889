/**
 * I2_S: bitnet.cpp's ternary weight tensor, 2 bits a weight and one float32 scale for the whole tensor.
 * Implements spec/bitnet.md §2 (microsoft/BitNet src/ggml-bitnet-mad.cpp `quantize_i2_s`;
 * utils/convert-hf-to-gguf-bitnet.py `quantize_to_i2_s`).
 *
 *   byte 0 ........................ n/4 − 1 | n/4 .. n/4+3 | n/4+4 .. n/4+31
 *        codes, four a byte                 | scale (f32)  | 28 pad bytes
 *
 * The layout is a build choice of bitnet.cpp, not something the file records, so it is always an explicit
 * parameter (I2sLayout):
 *   "x86" (QK_I2_S 128): element e of the flattened tensor is in byte 32·⌊e/128⌋ + e%32, shift 6 − 2·⌊(e%128)/32⌋
 *                         — byte 0 holds elements {0, 32, 64, 96} at bits 7:6, 5:4, 3:2, 1:0;
 *   "arm" (QK_I2_S 64):  byte 16·⌊e/64⌋ + e%16, shift 6 − 2·⌊(e%64)/16⌋ — byte 0 holds {0, 16, 32, 48};
 *   "1x4" (x86 with ACT_PARALLEL undefined): four rows share a byte — element (r, c) is in byte
 *                         ⌊r/4⌋·cols + c, shift 6 − 2·(r%4).
 * Codes: 0 → −1, 1 → 0, 2 → +1; 3 is never written.
 */

import { f32ToBits } from "./float-bits.js";

/** Which of bitnet.cpp's three I2_S packings a tensor uses (spec/bitnet.md §2.1). */
export type I2sLayout = "x86" | "arm" | "1x4";

/** Every I2_S layout, in the order the spec lists them. */
export const I2S_LAYOUTS: readonly I2sLayout[] = ["x86", "arm", "1x4"];

/** Bytes after the codes: the float32 scale, then 28 bytes of padding ("32B for alignment"). */
export const I2S_TAIL_BYTES = 32;

/** The ternary value of each 2-bit code; code 3 has none (NaN). */
export const I2S_CODE_VALUES: readonly number[] = [-1, 0, 1, Number.NaN];

/** An I2_S tensor's shape: nrow = ne01 rows of n_per_row = ne00 weights. */
export interface I2sShape {
  readonly rows: number;
  readonly cols: number;
}

/** Where one weight's 2-bit code lives: `(bytes[byte] >> shift) & 3`. */
export interface I2sLocation {
  readonly byte: number;
  readonly shift: number;
}

/** A decoded I2_S tensor: the codes of the elements the layout stores (row-major order), and the scale. */
export interface I2sTensor extends I2sShape {
  readonly layout: I2sLayout;
  /** codes[e] ∈ {0, 1, 2} (3 invalid) for e < i2sStoredElements(layout, shape). */
  readonly codes: Uint8Array;
  /** The float32 tensor scale (bytes n/4 .. n/4+3, little-endian). */
  readonly scale: number;
}

/** QK_I2_S, the elements of one block: 128 on x86, 64 on ARM; the 1x4 layout has no blocks (undefined). Spec §2.1. */
export function i2sBlockElements(layout: I2sLayout): number | undefined {
  return layout === "x86" ? 128 : layout === "arm" ? 64 : undefined;
}

/** Total tensor bytes: ⌊n/4⌋ + 32 (ggml_nbytes in bitnet.cpp's ggml: nbytes / 4 + 32). Spec §2.1. */
export function i2sTensorBytes(shape: I2sShape): number {
  return Math.floor((shape.rows * shape.cols) / 4) + I2S_TAIL_BYTES;
}

/** Byte offset of the float32 scale: ⌊n/4⌋. Spec §2.1. */
export function i2sScaleOffset(shape: I2sShape): number {
  return Math.floor((shape.rows * shape.cols) / 4);
}

/**
 * How many elements (row-major, from the first) the layout stores: ⌊n/QK⌋·QK for "x86" and "arm" — a partial
 * last block is never written by quantize_i2_s nor read by the kernels — and n for "1x4". Spec §2.3.
 */
export function i2sStoredElements(layout: I2sLayout, shape: I2sShape): number {
  const n = shape.rows * shape.cols;
  const qk = i2sBlockElements(layout);
  return qk === undefined ? n : Math.floor(n / qk) * qk;
}

/** Why the layout cannot hold a tensor of this shape, or undefined: 1x4 needs rows % 4 = 0. Spec §2.1. */
export function i2sShapeProblem(layout: I2sLayout, shape: I2sShape): string | undefined {
  if (!Number.isSafeInteger(shape.rows) || !Number.isSafeInteger(shape.cols) || shape.rows < 1 || shape.cols < 1) {
    return `shape ${shape.rows}×${shape.cols} is not two positive integers`;
  }
  if (layout === "1x4" && shape.rows % 4 !== 0) return `the 1x4 layout needs rows % 4 = 0, got ${shape.rows} rows`;
  return undefined;
}

/** Throw on a shape the layout cannot hold (see i2sShapeProblem). */
function assertI2sShape(layout: I2sLayout, shape: I2sShape): void {
  const problem = i2sShapeProblem(layout, shape);
  if (problem !== undefined) throw new RangeError(`I2_S ${layout}: ${problem}`);
}

/**
 * Where element (row, col) is stored, or undefined for an element of a partial last block ("x86"/"arm"),
 * which no layout stores. Implements spec/bitnet.md §2.2:
 *   x86/arm: e = row·cols + col, b = ⌊e/QK⌋, j = e%QK, g = QK/4: byte = g·b + j%g, shift = 6 − 2·⌊j/g⌋;
 *   1x4:     byte = ⌊row/4⌋·cols + col, shift = 6 − 2·(row%4).
 */
export function i2sElementLocation(
  layout: I2sLayout,
  shape: I2sShape,
  row: number,
  col: number,
): I2sLocation | undefined {
  const qk = i2sBlockElements(layout);
  if (qk === undefined) return { byte: Math.floor(row / 4) * shape.cols + col, shift: 6 - 2 * (row % 4) };
  const e = row * shape.cols + col;
  if (e >= i2sStoredElements(layout, shape)) return undefined;
  const group = qk / 4;
  const j = e % qk;
  return { byte: group * Math.floor(e / qk) + (j % group), shift: 6 - 2 * Math.floor(j / group) };
}

/**
 * The inverse map: the flat element index (row·cols + col) held at each shift of code byte `byte`, in the order
 * shifts 6, 4, 2, 0 (bits 7:6 first). Implements spec/bitnet.md §2.2.
 */
export function i2sByteElements(layout: I2sLayout, shape: I2sShape, byte: number): readonly number[] {
  const qk = i2sBlockElements(layout);
  if (qk === undefined) {
    const col = byte % shape.cols;
    const rowGroup = Math.floor(byte / shape.cols);
    return [0, 1, 2, 3].map((r) => (4 * rowGroup + r) * shape.cols + col);
  }
  const group = qk / 4;
  const block = Math.floor(byte / group);
  return [0, 1, 2, 3].map((plane) => block * qk + plane * group + (byte % group));
}

/** The little-endian bytes of a float32. */
function f32Bytes(value: number): Uint8Array {
  const bits = f32ToBits(value);
  return Uint8Array.of(bits & 0xff, (bits >>> 8) & 0xff, (bits >>> 16) & 0xff, bits >>> 24);
}

/**
 * Pack codes and a scale into I2_S bytes (spec/bitnet.md §2.1–§2.2): bytes[byte(e)] |= code[e] << shift(e) for
 * every stored element, the float32 scale at ⌊n/4⌋, every other byte 0 (the tail of a partial block, the pad).
 * codes: Uint8Array[≥ stored elements] (values 0..3) → Uint8Array[⌊n/4⌋ + 32].
 */
export function packI2s(layout: I2sLayout, shape: I2sShape, codes: Uint8Array, scale: number): Uint8Array {
  assertI2sShape(layout, shape);
  const stored = i2sStoredElements(layout, shape);
  if (codes.length < stored)
    throw new RangeError(`I2_S ${layout}: ${codes.length} codes for ${stored} stored elements`);
  const out = new Uint8Array(i2sTensorBytes(shape));
  for (let e = 0; e < stored; e++) {
    const location = i2sElementLocation(layout, shape, Math.floor(e / shape.cols), e % shape.cols) as I2sLocation;
    out[location.byte] |= (codes[e] & 3) << location.shift;
  }
  out.set(f32Bytes(scale), i2sScaleOffset(shape));
  return out;
}

/**
 * Read I2_S bytes back (spec/bitnet.md §2.2): code[e] = (bytes[byte(e)] >> shift(e)) & 3 for every stored element,
 * and the float32 at ⌊n/4⌋. Reading with another layout than the writer's gives a scrambled tensor (kernel-bugs B1).
 * bytes: Uint8Array[⌊n/4⌋ + 32] → I2sTensor.
 */
export function unpackI2s(layout: I2sLayout, shape: I2sShape, bytes: Uint8Array): I2sTensor {
  assertI2sShape(layout, shape);
  const expected = i2sTensorBytes(shape);
  if (bytes.length !== expected) {
    throw new RangeError(`I2_S ${shape.rows}×${shape.cols}: ${bytes.length} bytes, expected ⌊n/4⌋ + 32 = ${expected}`);
  }
  const stored = i2sStoredElements(layout, shape);
  const codes = new Uint8Array(stored);
  for (let e = 0; e < stored; e++) {
    const location = i2sElementLocation(layout, shape, Math.floor(e / shape.cols), e % shape.cols) as I2sLocation;
    codes[e] = (bytes[location.byte] >> location.shift) & 3;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { layout, rows: shape.rows, cols: shape.cols, codes, scale: view.getFloat32(i2sScaleOffset(shape), true) };
}

/**
 * The weights an I2_S tensor stands for: w[e] = value(code[e]) · scale, exact in float32 (±scale or 0; code 3 → NaN),
 * for the stored elements. Implements spec/bitnet.md §2.2. I2sTensor → Float32Array[stored elements].
 */
export function dequantizeI2s(tensor: I2sTensor): Float32Array {
  const out = new Float32Array(tensor.codes.length);
  for (let e = 0; e < out.length; e++) out[e] = I2S_CODE_VALUES[tensor.codes[e]] * tensor.scale;
  return out;
}

/**
 * quantize_i2_s's code for one weight (spec/bitnet.md §2.3), given the tensor's scale max|w| (as a double):
 * |w| < 1e-6 → 1 (zero); else w·scale > 0 → 2 (+1); else 0 (−1) — so NaN becomes −1, and the magnitude is ignored.
 */
export function i2sSignCode(w: number, scale: number): number {
  if (Math.abs(w) < 1e-6) return 1;
  return w * scale > 0 ? 2 : 0;
}

/**
 * bitnet.cpp's `quantize_i2_s` (src/ggml-bitnet-mad.cpp), exactly (spec/bitnet.md §2.3):
 *   scale = max |w| over the WHOLE tensor (fmax: NaN ignored), code = i2sSignCode(w, scale),
 *   the first ⌊n/4⌋ bytes zeroed, codes of the ⌊n/QK⌋ full blocks OR-ed in — the elements of a partial last block
 *   are dropped and their bytes stay 0, which reads as code 0 = −1 — and the scale written as float32 at ⌊n/4⌋.
 * The 28 pad bytes are not written by the C function (whatever the buffer held stays); here they are 0.
 * src: Float32Array[rows·cols] (row-major) → Uint8Array[⌊n/4⌋ + 32].
 */
export function quantizeI2s(layout: I2sLayout, shape: I2sShape, src: Float32Array): Uint8Array {
  assertI2sShape(layout, shape);
  if (src.length !== shape.rows * shape.cols)
    throw new RangeError(`I2_S: ${src.length} weights for ${shape.rows}×${shape.cols}`);
  let scale = 0;
  for (const w of src) scale = fmax(scale, Math.abs(w));
  const codes = new Uint8Array(src.length);
  for (let e = 0; e < src.length; e++) codes[e] = i2sSignCode(src[e], scale);
  return packI2s(layout, shape, codes, scale);
}

/** C `fmax`: the larger of two doubles, the other one where one is NaN. */
function fmax(a: number, b: number): number {
  if (Number.isNaN(a)) return b;
  if (Number.isNaN(b)) return a;
  return Math.max(a, b);
}

/** Round half to even, as numpy's `np.round` does (x a double). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * The scale utils/convert-hf-to-gguf-bitnet.py `quantize_to_i2_s` writes without `override_scale`: the FIRST |w| above
 * float32(1e-6) in row-major order (not the maximum), or float32(1e-5) when there is none. Spec §2.4.
 */
export function i2sPythonScale(src: Float32Array): number {
  const threshold = Math.fround(1e-6);
  for (const w of src) if (Math.abs(w) > threshold) return Math.abs(w);
  return Math.fround(1e-5);
}

/**
 * The Python converter's `quantize_to_i2_s(w, override_scale)` (spec/bitnet.md §2.4), numpy 2 semantics, x86 layout
 * only (it always packs 128/32):
 *   without override: scale = i2sPythonScale(w), q = clip(np.round(f32(w · f32(1/scale))), −1, 1);
 *   with override:    scale = f32(override), q = w (already ternary);
 *   code = q > 0.5 ? 2 : q < −0.5 ? 0 : 1 (NaN → 1).
 * It raises (numpy ValueError) when n % 128 ≠ 0: the padded pack does not fit its n/4-byte slice; so does this.
 * src: Float32Array[rows·cols] → Uint8Array[n/4 + 32].
 */
export function quantizeI2sPython(shape: I2sShape, src: Float32Array, overrideScale?: number): Uint8Array {
  const n = shape.rows * shape.cols;
  if (src.length !== n) throw new RangeError(`I2_S: ${src.length} weights for ${shape.rows}×${shape.cols}`);
  if (n % 128 !== 0) {
    throw new RangeError(
      `quantize_to_i2_s: n = ${n} is not a multiple of 128 (the Python converter raises ValueError)`,
    );
  }
  const scale = overrideScale === undefined ? i2sPythonScale(src) : Math.fround(overrideScale);
  const inverse = Math.fround(1 / scale);
  const codes = new Uint8Array(n);
  for (let e = 0; e < n; e++) {
    const q = overrideScale === undefined ? roundHalfEven(Math.fround(src[e] * inverse)) : src[e];
    codes[e] = q > 0.5 ? 2 : q < -0.5 ? 0 : 1;
  }
  return packI2s("x86", shape, codes, scale);
}

/** The kinds of finding validateI2s reports. Spec §2.5. */
export type I2sFindingKind =
  "code-3" | "scale-nan" | "scale-infinite" | "scale-negative" | "partial-block" | "pad-nonzero";

/** One thing validateI2s found in an I2_S tensor. */
export interface I2sFinding {
  readonly kind: I2sFindingKind;
  /** "invalid": not a ternary I2_S tensor; "lossy": elements the layout cannot store; "non-canonical": decodes, but quantize_i2_s never writes it. */
  readonly severity: "invalid" | "lossy" | "non-canonical";
  /** The byte the finding is about. */
  readonly byte: number;
  /** The flat element index (row·cols + col), or −1 for a finding about the scale or the pad. */
  readonly element: number;
  /** One line for a person. */
  readonly message: string;
}

/**
 * Validate I2_S bytes under a layout (spec/bitnet.md §2.5): a wrong length or shape throws RangeError; each code 3,
 * a NaN / infinite / negative scale, a partial last block (n % QK ≠ 0: those weights are not stored — quantize_i2_s
 * drops them and they read as −1 nowhere), and non-zero pad bytes are findings. At most `limit` findings (default 64).
 */
export function validateI2s(layout: I2sLayout, shape: I2sShape, bytes: Uint8Array, limit = 64): I2sFinding[] {
  const tensor = unpackI2s(layout, shape, bytes);
  const findings: I2sFinding[] = [];
  const push = (finding: I2sFinding): boolean => (findings.push(finding), findings.length >= limit);
  for (let e = 0; e < tensor.codes.length; e++) {
    if (tensor.codes[e] !== 3) continue;
    const row = Math.floor(e / shape.cols);
    const col = e % shape.cols;
    const { byte, shift } = i2sElementLocation(layout, shape, row, col) as I2sLocation;
    const message = `code 3 at row ${row}, col ${col} (byte ${byte}, bits ${shift + 1}:${shift}): not a ternary weight`;
    if (push({ kind: "code-3", severity: "invalid", byte, element: e, message })) return findings;
  }
  const offset = i2sScaleOffset(shape);
  const bits = f32ToBits(tensor.scale);
  const scaleKind: I2sFindingKind | undefined = Number.isNaN(tensor.scale)
    ? "scale-nan"
    : !Number.isFinite(tensor.scale)
      ? "scale-infinite"
      : bits >>> 31 === 1 && tensor.scale !== 0
        ? "scale-negative"
        : undefined;
  if (scaleKind !== undefined) {
    const severity = scaleKind === "scale-negative" ? "non-canonical" : "invalid";
    const message = `scale at byte ${offset}: ${scaleKind.replace(/-/g, " ")} (f32 0x${bits.toString(16).padStart(8, "0")})`;
    if (push({ kind: scaleKind, severity, byte: offset, element: -1, message })) return findings;
  }
  const n = shape.rows * shape.cols;
  if (tensor.codes.length < n) {
    const qk = i2sBlockElements(layout) as number;
    const message =
      `${n - tensor.codes.length} weights after the last full ${qk}-element block (n = ${n}, n % ${qk} = ${n % qk}) ` +
      `are not stored: quantize_i2_s leaves their bytes 0 and the kernels skip them`;
    if (
      push({
        kind: "partial-block",
        severity: "lossy",
        byte: tensor.codes.length / 4,
        element: tensor.codes.length,
        message,
      })
    ) {
      return findings;
    }
  }
  for (let byte = offset + 4; byte < bytes.length; byte++) {
    if (bytes[byte] === 0) continue;
    const message = `pad byte ${byte} is 0x${bytes[byte].toString(16).padStart(2, "0")}, not 0`;
    if (push({ kind: "pad-nonzero", severity: "non-canonical", byte, element: -1, message })) return findings;
  }
  return findings;
}
