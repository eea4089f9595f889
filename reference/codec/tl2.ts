/**
 * bitnet.cpp's TL2 weight layout (the x86 LUT kernel): ternary triples as a 4-bit magnitude plus a
 * sign bit, a TL1-like "two" remainder, zero padding, and one fp32 scale per tensor.
 * Implements spec/bitnet.md §5.
 *
 * Source: microsoft/BitNet 16da220a, utils/convert-hf-to-gguf-bitnet.py `preprocess_weights_tl2`,
 * `preprocess_three_weights_tl2`, `preprocess_two_weights_tl2`, `transform_to_tl2`; utils/codegen_tl2.py.
 *
 *   W: Int8Array[m × k]; k3 = k − k mod BK columns form triples, the last k2 = k mod BK columns pairs
 *   triple (row, j) = columns 3j..3j+2:  v = 9·w0 + 3·w1 + w2 ∈ [−13, 13]
 *       magnitude |v| (4 bits, two per byte: first << 4 | second), sign bit = (v < 0)
 *   pair (row, t) of the remainder:      idx = 3·w0 + w1 + 4 ∈ [0, 8], two per byte
 *   bytes = [magnitudes m·k3/6][sign bits m·k3/24][remainder m·k2/4][zeros up to the converter's size]
 *   scale: the separate F32 tensor `<name>_scale` = max|W_float|
 */

import { applyAxisSteps, iota, type AxisStep } from "./axis-permute.js";
import type { BitnetLutKernelConfig } from "./bitnet-lut-config.js";

/** The remainder's fixed tiling in `preprocess_weights_tl2`: BY = 32, bm = 32, by = 4. */
const TL2_TWO_BK = 32;
const TL2_TWO_BM = 32;
const TL2_TWO_BY = 4;

/** by = 192 / bm: inputs per SIMD step of the TL2 kernel (`preprocess_weights_tl2`). Spec §5. */
export function tl2StepInputs(config: BitnetLutKernelConfig): number {
  return 192 / config.bm;
}

/** The split of k: k3 columns in triples (a multiple of BK), k2 = k mod BK columns in pairs. Spec §5. */
export function tl2Split(config: BitnetLutKernelConfig): { k3: number; k2: number } {
  const k2 = config.k % config.BK;
  return { k3: config.k - k2, k2 };
}

/**
 * The size the converter pads the data to: ((k − 256)·m) // 3 · 5 // 8 + 256·m // 2 · 4 // 8 (Python
 * integer division, left to right). It is the true size only when the remainder is 256 columns; when the
 * data is longer, np.pad raises and the converter fails. Spec §5.
 */
export function tl2ConverterBytes(m: number, k: number): number {
  const three = Math.floor((Math.floor(((k - 256) * m) / 3) * 5) / 8);
  const two = Math.floor((Math.floor((256 * m) / 2) * 4) / 8);
  return three + two;
}

/** The bytes the magnitude, sign and remainder streams take before padding. Spec §5. */
export function tl2StreamBytes(config: BitnetLutKernelConfig): { magnitude: number; sign: number; two: number } {
  const { k3, k2 } = tl2Split(config);
  return { magnitude: (config.m * k3) / 6, sign: (config.m * k3) / 24, two: (config.m * k2) / 4 };
}

/**
 * Why the converter cannot lay out this shape (empty when it can): the reshapes of both streams and of the
 * remainder must divide exactly, the pairing `w[..., 0] << 4 + w[..., 1]` needs by/3 = 2 and the 16-bit sign
 * words need by/3·8 = 16 (so bm = 32), and the data must fit the padded size. Spec §5.
 */
export function tl2ConfigProblems(config: BitnetLutKernelConfig): string[] {
  const { m, BM, BK, bm } = config;
  const by = tl2StepInputs(config);
  const { k3, k2 } = tl2Split(config);
  const problems: string[] = [];
  const need = (ok: boolean, text: string): void => {
    if (!ok) problems.push(text);
  };
  need(
    [m, config.k, BM, BK, bm].every((v) => Number.isInteger(v) && v > 0),
    "m, k, BM, BK and bm must be positive integers",
  );
  need(by === 6, `bm = ${bm} gives by = 192/bm = ${by}; the converter's pairing and sign words need by = 6 (bm = 32)`);
  need(m % BM === 0, `m = ${m} is not a multiple of BM = ${BM}`);
  need(BM % bm === 0, `BM = ${BM} is not a multiple of bm = ${bm}`);
  need(BK % 24 === 0, `BK = ${BK} is not a multiple of 4·by = 24 (the sign words' reshape)`);
  need(k3 > 0, `k = ${config.k} has no full BK = ${BK} block`);
  need(k2 % TL2_TWO_BK === 0, `the remainder k mod BK = ${k2} is not a multiple of 32`);
  need(k2 === 0 || BM % TL2_TWO_BM === 0, `BM = ${BM} is not a multiple of the remainder's bm = 32`);
  if (problems.length === 0) {
    const s = tl2StreamBytes(config);
    const data = s.magnitude + s.sign + s.two;
    need(
      data <= tl2ConverterBytes(m, config.k),
      `the data (${data} bytes) exceeds the converter's padded size (np.pad fails)`,
    );
  }
  return problems;
}

/** Throw a one-line error naming what is wrong with a config. */
function assertTl2Config(config: BitnetLutKernelConfig): void {
  const problems = tl2ConfigProblems(config);
  if (problems.length > 0) throw new Error(`TL2 tiling (m=${config.m}, k=${config.k}): ${problems.join("; ")}`);
}

/** The first four reshape/transposes, shared by the magnitude, sign and remainder streams. g = inputs per group. */
function tileSteps(M: number, K: number, BM: number, BY: number, bm: number, g: number): AxisStep[] {
  return [
    { shape: [M / BM, BM, K / g], perm: [0, 2, 1] },
    { shape: [M / BM, K / BY, BY / g, BM], perm: [0, 1, 3, 2] },
    { shape: [M / BM, K / BY, BM / bm, bm, BY / g], perm: [0, 1, 2, 4, 3] },
  ];
}

/** The quarter swap `w[:, [0,1,2,3], :] = w[:, [0,2,1,3], :]` on rows of bm bytes (8-byte quarters). */
function quarterSwap(bytePositions: Int32Array, bm: number): Int32Array {
  const out = new Int32Array(bytePositions.length);
  const swap = [0, 2, 1, 3];
  for (let i = 0; i < bytePositions.length; i++) {
    const row = Math.floor(i / bm);
    const quarter = Math.floor((i % bm) / 8);
    const source = quarter < 4 ? row * bm + swap[quarter] * 8 + (i % 8) : i;
    out[i] = bytePositions[source];
  }
  return out;
}

/**
 * Nibble slots of a pair-of-groups stream (magnitudes, or the remainder's indices): slots[s] = the
 * group index held by slot s (byte s >> 1, high nibble for even s), after the quarter swap.
 */
function nibbleSlots(groups: Int32Array, steps: AxisStep[], bm: number): Int32Array {
  const positions = applyAxisSteps(groups, steps); // position 2b: high nibble of byte b, 2b+1: low
  const bytes = new Int32Array(positions.length / 2);
  for (let b = 0; b < bytes.length; b++) bytes[b] = b;
  const swapped = quarterSwap(bytes, bm); // swapped[b] = the pre-swap byte now at b
  const out = new Int32Array(positions.length);
  for (let b = 0; b < swapped.length; b++) {
    out[2 * b] = positions[2 * swapped[b]];
    out[2 * b + 1] = positions[2 * swapped[b] + 1];
  }
  return out;
}

/** The layout of one TL2 tensor: which group each nibble or sign bit holds. Spec §5. */
export interface Tl2Layout {
  /** magnitudeSlots[s] = triple j' = row·(k3/3) + j in nibble s of the magnitude stream. */
  readonly magnitudeSlots: Int32Array;
  /** signSlots[s] = the triple whose sign is bit (7 − s mod 8) of sign-stream byte s >> 3. */
  readonly signSlots: Int32Array;
  /** twoSlots[s] = pair row·(k2/2) + t in nibble s of the remainder stream. */
  readonly twoSlots: Int32Array;
}

/**
 * The sign stream: the chain of `preprocess_three_weights_tl2` on the (m, k3/3) sign array, then sixteen
 * bits per uint16 (`sign[..., i, :] << 15 − i`) stored little-endian. Returned as one entry per bit in
 * stream order: bit 7 of byte 0 first.
 */
function signBitSlots(config: BitnetLutKernelConfig, k3: number): Int32Array {
  const { m: M, BM, BK: BY, bm } = config;
  const by = tl2StepInputs(config);
  const steps: AxisStep[] = [
    ...tileSteps(M, k3, BM, BY, bm, 3),
    { shape: [M / BM, k3 / BY, BM / bm, BY / (by * 4), (by / 3) * 4, bm], perm: [0, 1, 2, 3, 5, 4] },
    { shape: [M / BM, k3 / BY, BM / bm, BY / (by * 4), bm, (by / 3) * 4], perm: [0, 1, 2, 3, 5, 4] },
  ];
  const order = applyAxisSteps(iota((M * k3) / 3), steps); // viewed as (…, 16, bm/2)
  const words = order.length / 16;
  const half = bm / 2;
  const out = new Int32Array(order.length);
  for (let w = 0; w < words; w++) {
    const block = Math.floor(w / half);
    const column = w % half;
    for (let i = 0; i < 16; i++) {
      const bit = 15 - i; // of uint16 word w; little-endian: bits 0..7 in byte 2w, 8..15 in byte 2w+1
      const byte = 2 * w + (bit >= 8 ? 1 : 0);
      out[8 * byte + (7 - (bit % 8))] = order[block * 16 * half + i * half + column];
    }
  }
  return out;
}

/** Generate the TL2 layout of a shape by running the converter's chains on index arrays. Spec §5. */
export function tl2Layout(config: BitnetLutKernelConfig): Tl2Layout {
  assertTl2Config(config);
  const { m: M, BM, BK: BY, bm } = config;
  const by = tl2StepInputs(config);
  const { k3, k2 } = tl2Split(config);
  const magnitudeSteps = [
    ...tileSteps(M, k3, BM, BY, bm, 3),
    { shape: [M / BM, k3 / BY, BM / bm, BY / by, by / 3, bm], perm: [0, 1, 2, 3, 5, 4] },
  ];
  const twoSteps = [
    ...tileSteps(M, k2, BM, TL2_TWO_BK, TL2_TWO_BM, 2),
    {
      shape: [M / BM, k2 / TL2_TWO_BK, BM / TL2_TWO_BM, TL2_TWO_BK / TL2_TWO_BY, TL2_TWO_BY / 2, TL2_TWO_BM],
      perm: [0, 1, 2, 3, 5, 4],
    },
  ];
  return {
    magnitudeSlots: nibbleSlots(iota((M * k3) / 3), magnitudeSteps, bm),
    signSlots: signBitSlots(config, k3),
    twoSlots: k2 === 0 ? new Int32Array(0) : nibbleSlots(iota((M * k2) / 2), twoSteps, TL2_TWO_BM),
  };
}

/** v = 9·w0 + 3·w1 + w2 of a ternary triple. Spec §5. */
export function tl2TripleValue(w0: number, w1: number, w2: number): number {
  return 9 * w0 + 3 * w1 + w2;
}

/** The balanced-ternary digits (w0, w1, w2) of v ∈ [−13, 13] (inverse of tl2TripleValue). Spec §5. */
export function tl2Triple(v: number): [number, number, number] {
  const w2 = ((((v + 1) % 3) + 3) % 3) - 1;
  const rest = (v - w2) / 3;
  const w1 = ((((rest + 1) % 3) + 3) % 3) - 1;
  return [(rest - w1) / 3, w1, w2];
}

/** Set a nibble of out: high for even slots. */
function putNibble(out: Uint8Array, offset: number, slot: number, value: number): void {
  out[offset + (slot >> 1)] |= value << ((slot & 1) === 0 ? 4 : 0);
}

/** Read a nibble: high for even slots. */
function getNibble(bytes: Uint8Array, offset: number, slot: number): number {
  return (bytes[offset + (slot >> 1)] >> ((slot & 1) === 0 ? 4 : 0)) & 0x0f;
}

/** Ternary weight of W (row-major m × k) at column col of row, checked. */
function ternaryAt(weights: Int8Array, k: number, row: number, col: number): number {
  const w = weights[row * k + col];
  if (w < -1 || w > 1) throw new Error(`TL2: weight (${row}, ${col}) = ${w} is not ternary`);
  return w;
}

/**
 * Ternary weights [m × k] → TL2 bytes, padded with zeros to tl2ConverterBytes(m, k), as
 * `preprocess_weights_tl2` writes them. Spec §5.
 */
export function encodeTl2(weights: Int8Array, config: BitnetLutKernelConfig): Uint8Array {
  const { m, k } = config;
  if (weights.length !== m * k) throw new Error(`TL2: ${weights.length} weights, expected m·k = ${m * k}`);
  const layout = tl2Layout(config);
  const { k3, k2 } = tl2Split(config);
  const sizes = tl2StreamBytes(config);
  const out = new Uint8Array(tl2ConverterBytes(m, k));
  const tripleValue = (j: number): number => {
    const row = Math.floor(j / (k3 / 3));
    const col = 3 * (j % (k3 / 3));
    return tl2TripleValue(
      ternaryAt(weights, k, row, col),
      ternaryAt(weights, k, row, col + 1),
      ternaryAt(weights, k, row, col + 2),
    );
  };
  layout.magnitudeSlots.forEach((j, s) => putNibble(out, 0, s, Math.abs(tripleValue(j))));
  layout.signSlots.forEach((j, s) => {
    if (tripleValue(j) < 0) out[sizes.magnitude + (s >> 3)] |= 0x80 >> (s & 7);
  });
  const twoOffset = sizes.magnitude + sizes.sign;
  layout.twoSlots.forEach((p, s) => {
    const row = Math.floor(p / (k2 / 2));
    const col = k3 + 2 * (p % (k2 / 2));
    putNibble(out, twoOffset, s, 3 * ternaryAt(weights, k, row, col) + ternaryAt(weights, k, row, col + 1) + 4);
  });
  return out;
}

/** One thing wrong with a TL2 tensor. */
export interface Tl2Finding {
  readonly kind:
    "tiling" | "byte-count" | "magnitude-out-of-range" | "sign-on-zero" | "index-out-of-range" | "padding" | "scale";
  readonly byte?: number;
  readonly message: string;
}

/**
 * Everything wrong with a TL2 weight and its scale: a tiling the converter cannot apply, a byte count other
 * than the converter's padded size, a magnitude above 13, a sign bit on a zero triple (the converter never
 * sets one; the kernel's (v + s) ^ s leaves 0 alone, so it is non-canonical), a remainder index above 8,
 * non-zero padding, a scale that is NaN, infinite or negative. Spec §5.
 */
export function validateTl2(bytes: Uint8Array, scale: number, config: BitnetLutKernelConfig): Tl2Finding[] {
  const findings: Tl2Finding[] = tl2ConfigProblems(config).map((message) => ({ kind: "tiling", message }));
  if (!Number.isFinite(scale) || scale < 0)
    findings.push({ kind: "scale", message: `scale ${scale} is not a finite value ≥ 0` });
  if (findings.some((f) => f.kind === "tiling")) return findings;
  const expected = tl2ConverterBytes(config.m, config.k);
  if (bytes.length !== expected) {
    findings.push({ kind: "byte-count", message: `${bytes.length} bytes, expected ${expected}` });
    return findings;
  }
  const sizes = tl2StreamBytes(config);
  const magnitudes = new Uint8Array((2 * sizes.magnitude) as number);
  for (let s = 0; s < magnitudes.length; s++) {
    magnitudes[s] = getNibble(bytes, 0, s);
    if (magnitudes[s] > 13)
      findings.push({
        kind: "magnitude-out-of-range",
        byte: s >> 1,
        message: `byte ${s >> 1} holds magnitude ${magnitudes[s]} > 13`,
      });
  }
  const layout = tl2Layout(config);
  const magnitudeOf = new Uint8Array(magnitudes.length);
  layout.magnitudeSlots.forEach((j, s) => (magnitudeOf[j] = magnitudes[s]));
  layout.signSlots.forEach((j, s) => {
    const byte = sizes.magnitude + (s >> 3);
    if ((bytes[byte] & (0x80 >> (s & 7))) !== 0 && magnitudeOf[j] === 0) {
      findings.push({ kind: "sign-on-zero", byte, message: `byte ${byte} sets the sign bit of a zero triple` });
    }
  });
  const twoOffset = sizes.magnitude + sizes.sign;
  for (let s = 0; s < 2 * sizes.two; s++) {
    const idx = getNibble(bytes, twoOffset, s);
    if (idx > 8)
      findings.push({
        kind: "index-out-of-range",
        byte: twoOffset + (s >> 1),
        message: `byte ${twoOffset + (s >> 1)} holds index ${idx} > 8`,
      });
  }
  for (let b = twoOffset + sizes.two; b < bytes.length; b++) {
    if (bytes[b] !== 0) findings.push({ kind: "padding", byte: b, message: `padding byte ${b} is ${bytes[b]}, not 0` });
  }
  return findings;
}

/**
 * TL2 bytes → ternary weights [m × k]. Throws on a byte count other than the converter's, a magnitude
 * above 13 or an index above 8 (validateTl2 lists findings instead). Spec §5.
 */
export function decodeTl2(bytes: Uint8Array, config: BitnetLutKernelConfig): Int8Array {
  const { m, k } = config;
  const expected = tl2ConverterBytes(m, k);
  if (bytes.length !== expected) throw new Error(`TL2: ${bytes.length} bytes, expected ${expected}`);
  const layout = tl2Layout(config);
  const { k3, k2 } = tl2Split(config);
  const sizes = tl2StreamBytes(config);
  const negative = new Uint8Array((m * k3) / 3);
  layout.signSlots.forEach((j, s) => (negative[j] = (bytes[sizes.magnitude + (s >> 3)] >> (7 - (s & 7))) & 1));
  const out = new Int8Array(m * k);
  layout.magnitudeSlots.forEach((j, s) => {
    const magnitude = getNibble(bytes, 0, s);
    if (magnitude > 13) throw new Error(`TL2: byte ${s >> 1} holds magnitude ${magnitude} > 13`);
    const [w0, w1, w2] = tl2Triple(negative[j] === 1 ? -magnitude : magnitude);
    const base = Math.floor(j / (k3 / 3)) * k + 3 * (j % (k3 / 3));
    out[base] = w0;
    out[base + 1] = w1;
    out[base + 2] = w2;
  });
  const twoOffset = sizes.magnitude + sizes.sign;
  layout.twoSlots.forEach((p, s) => {
    const idx = getNibble(bytes, twoOffset, s);
    if (idx > 8) throw new Error(`TL2: byte ${twoOffset + (s >> 1)} holds index ${idx} > 8`);
    const base = Math.floor(p / (k2 / 2)) * k + k3 + 2 * (p % (k2 / 2));
    out[base] = Math.floor(idx / 3) - 1;
    out[base + 1] = (idx % 3) - 1;
  });
  return out;
}
