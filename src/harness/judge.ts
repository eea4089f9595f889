/**
 * Judging a kernel's outputs against the reference codec (pure: no I/O).
 * Tolerances: matmul per output element under spec/formats.md §8.2 (ggml activations) or a float32
 * summation bound (f32 activations); dequantize and quantize bit-exact. See spec/kernel-protocol.md §5.
 */

import {
  dequantizeRow,
  dotResultsAgree,
  QK_K,
  quantizeRow,
  quantizeRowQ8K,
  dequantizeRowQ8K,
  ternaryDotErrorBound,
  ternaryDotMayOverflow,
  tq1ElementPosition,
  tq2ElementPosition,
  tritOfByte,
  vecDotTq1_0Q8K,
  vecDotTq2_0Q8K,
} from "../../reference/codec/index.js";
import { floatDotAgreementBound, floatDotMayOverflow, maxAbsDiff, nmse } from "../../reference/tolerances/index.js";
import { parseNpy, pythonTupleRepr } from "../io/npy.js";
import { diagnoseDequantize, diagnoseMatmul } from "./diagnose.js";
import { diagnoseQuantize } from "./diagnose-quantize.js";
import {
  blockBytes,
  formatProblem,
  formatType,
  isTernaryFormat,
  outputRole,
  weightRowBytes,
  ROLE_FILES,
  type CaseVerdict,
  type KernelCase,
  type KernelFormat,
  type WorstElement,
} from "./protocol.js";

/** Where element `e` (0..255) of a block is stored: byte, and bit (TQ2_0) or trit (TQ1_0); Q8_K: qs byte 4 + e. */
export function elementPosition(format: KernelFormat, e: number): { byte: number; bit?: number; trit?: number } {
  if (format === "q8_K") return { byte: 4 + e };
  if (format === "tq2_0") {
    const { byte, shift } = tq2ElementPosition(e);
    return { byte, bit: shift };
  }
  return tq1ElementPosition(e);
}

/** The elements (0..255, ascending) stored in byte `byte` of a block; empty for scale bytes. */
export function elementsInByte(format: KernelFormat, byte: number): number[] {
  const out: number[] = [];
  for (let e = 0; e < QK_K; e++) if (elementPosition(format, e).byte === byte) out.push(e);
  return out;
}

/**
 * max |a − e| and NMSE (reference/tolerances) over the elements where both are finite, and the count
 * of the others where a and e differ (NaN equal to NaN), which those two leave out (spec/kernel-protocol.md §5.3).
 */
function errorStats(
  expected: Float32Array,
  actual: Float32Array,
): { maxAbsError: number; nmse: number; nonFinite: number } {
  const finite: number[] = [];
  let nonFinite = 0;
  for (let i = 0; i < expected.length; i++) {
    if (Number.isFinite(expected[i]) && Number.isFinite(actual[i])) finite.push(i);
    else if (!Object.is(expected[i], actual[i])) nonFinite++;
  }
  const e = Float32Array.from(finite, (i) => expected[i]);
  const a = Float32Array.from(finite, (i) => actual[i]);
  return { maxAbsError: maxAbsDiff(a, e), nmse: nmse([a], [e]), nonFinite };
}

/** A number for reports: shortest round-trip form. */
function show(v: number): string {
  return Number.isNaN(v) ? "NaN" : String(v);
}

/**
 * Matmul: the reference y[b, r] and its tolerance (bound, and 1 where a correct order may overflow), for every output:
 * what judgeMatmul decides with, and what the golden suites write as y_bound.npy (src/golden/acceptance.ts).
 */
export function matmulReference(kernelCase: KernelCase): {
  expected: Float32Array;
  bounds: Float64Array;
  mayOverflow: Uint8Array;
  xUsed: Float32Array[];
} {
  const { rows, cols, batch, format } = kernelCase;
  if (!isTernaryFormat(format)) throw new RangeError(formatProblem("matmul", format));
  const type = formatType(format);
  const weight = kernelCase.weight!;
  const x = kernelCase.x!;
  const rowBytes = weightRowBytes(format, cols);
  const expected = new Float32Array(batch * rows);
  const bounds = new Float64Array(batch * rows);
  const mayOverflow = new Uint8Array(batch * rows);
  const decoded = Array.from({ length: rows }, (_, r) =>
    dequantizeRow(type, weight.subarray(r * rowBytes, (r + 1) * rowBytes), cols),
  );
  const xUsed: Float32Array[] = [];
  const dot = format === "tq1_0" ? vecDotTq1_0Q8K : vecDotTq2_0Q8K;
  for (let b = 0; b < batch; b++) {
    const xb = x.subarray(b * cols, (b + 1) * cols);
    if (kernelCase.activations === "ggml") {
      const xq = quantizeRowQ8K(xb);
      xUsed.push(dequantizeRowQ8K(xq));
      for (let r = 0; r < rows; r++) {
        const row = weight.subarray(r * rowBytes, (r + 1) * rowBytes);
        expected[b * rows + r] = dot(row, xq);
        bounds[b * rows + r] = ternaryDotErrorBound(type, row, xq);
        mayOverflow[b * rows + r] = ternaryDotMayOverflow(type, row, xq) ? 1 : 0; // spec/formats.md §8.2
      }
    } else {
      xUsed.push(xb);
      for (let r = 0; r < rows; r++) {
        const w = decoded[r];
        let sum = 0;
        let magnitude = 0;
        let positive = 0; // the positive and |negative| products' sums: where an order may overflow
        let negative = 0;
        for (let c = 0; c < cols; c++) {
          const p = w[c] * xb[c];
          sum += p;
          magnitude += Math.abs(p);
          if (p > 0) positive += p;
          else negative -= p;
        }
        expected[b * rows + r] = sum;
        bounds[b * rows + r] = floatDotAgreementBound(magnitude, cols); // spec/kernel-protocol.md §5.1
        mayOverflow[b * rows + r] = floatDotMayOverflow(positive, negative, cols) ? 1 : 0;
      }
    }
  }
  return { expected, bounds, mayOverflow, xUsed };
}

/**
 * The single weight of row r whose change to another ternary value best explains err = actual − expected
 * (what a layout bug or a wrong code produces): its column, or undefined when err is not finite.
 */
function likelyColumn(kernelCase: KernelCase, r: number, x: Float32Array, err: number): number | undefined {
  if (!Number.isFinite(err) || err === 0) return undefined;
  const { cols, format } = kernelCase;
  const rowBytes = weightRowBytes(format, cols);
  const w = dequantizeRow(formatType(format), kernelCase.weight!.subarray(r * rowBytes, (r + 1) * rowBytes), cols);
  let best: number | undefined;
  let bestMiss = Math.abs(err);
  for (let c = 0; c < cols; c++) {
    let d = 0;
    for (let e = Math.floor(c / QK_K) * QK_K, end = e + QK_K; e < end && d === 0; e++) d = Math.abs(w[e]);
    if (d === 0 || !Number.isFinite(d)) continue;
    for (const target of [-d, 0, d]) {
      const miss = Math.abs(err - (target - w[c]) * x[c]);
      if (miss < bestMiss) {
        bestMiss = miss;
        best = c;
      }
    }
  }
  return best;
}

/**
 * Judge y: Float32Array[batch · rows] (y = x·Wᵀ, row-major [B, R]) against the reference.
 * ggml activations: x is quantized to Q8_K and each y[b, r] must agree with ggml's generic dot
 * within ternaryDotErrorBound (dotResultsAgree, spec/formats.md §8.2). f32 activations: within
 * 2·γ_C·Σ_c|W[r,c]·x[b,c]| + 2·C·2^-149 of the exact dot product. With finite scales a non-finite
 * y (or reference) is accepted only where some correct float32 order may overflow
 * (ternaryDotMayOverflow, floatDotMayOverflow).
 */
export function judgeMatmul(kernelCase: KernelCase, y: Float32Array): CaseVerdict {
  const { rows, batch } = kernelCase;
  if (y.length !== rows * batch)
    return { passed: false, reason: `y has ${y.length} values, expected ${batch}×${rows}` };
  const { expected, bounds, mayOverflow, xUsed } = matmulReference(kernelCase);
  const stats = errorStats(expected, y);
  let failures = 0;
  let worstIndex = -1;
  let worstScore = -1;
  let worstFailed = false;
  for (let i = 0; i < y.length; i++) {
    const ok = dotResultsAgree(y[i], expected[i], bounds[i], mayOverflow[i] === 1);
    const diff = Math.abs(y[i] - expected[i]);
    const score =
      Number.isNaN(diff) || diff === Infinity
        ? Infinity
        : bounds[i] > 0 && Number.isFinite(bounds[i])
          ? diff / bounds[i]
          : diff;
    if (!ok) failures++;
    if ((!ok && !worstFailed) || ((!ok || !worstFailed) && score > worstScore)) {
      worstIndex = i;
      worstScore = score;
      worstFailed = !ok;
    }
  }
  if (worstIndex < 0 || (failures === 0 && stats.maxAbsError === 0)) return { passed: true, ...stats };
  const b = Math.floor(worstIndex / rows);
  const r = worstIndex % rows;
  const col = likelyColumn(kernelCase, r, xUsed[b], y[worstIndex] - expected[worstIndex]);
  const position = col === undefined ? { byte: 0 } : elementPosition(kernelCase.format, col % QK_K);
  const worst: WorstElement = {
    index: worstIndex,
    batch: b,
    row: r,
    ...(col === undefined ? {} : { col }),
    block: col === undefined ? 0 : Math.floor(col / QK_K),
    ...position,
    expected: expected[worstIndex],
    actual: y[worstIndex],
  };
  if (failures === 0) return { passed: true, ...stats, worst };
  const bound = bounds[worstIndex];
  const reason =
    `${failures} of ${y.length} outputs out of tolerance; y[${b},${r}] = ${show(y[worstIndex])}, expected ${show(expected[worstIndex])}` +
    (bound === Infinity
      ? " (a non-finite block scale: the result must be non-finite)"
      : ` ± ${bound.toExponential(3)}`);
  const accepts = (i: number, value: number): boolean =>
    dotResultsAgree(value, expected[i], bounds[i], mayOverflow[i] === 1);
  return { passed: false, reason, ...stats, worst, diagnosis: diagnoseMatmul(kernelCase, y, accepts) };
}

/** Are two float32 values the same bits, counting every NaN as equal? */
function sameF32(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  return Object.is(a, b);
}

/** Judge w: Float32Array[rows · cols] against the reference decoding of the weights: bit-exact, NaN equal to NaN. */
export function judgeDequantize(kernelCase: KernelCase, w: Float32Array): CaseVerdict {
  const { rows, cols, format } = kernelCase;
  if (w.length !== rows * cols) return { passed: false, reason: `w has ${w.length} values, expected ${rows}×${cols}` };
  const expected = dequantizeRow(formatType(format), kernelCase.weight!, rows * cols);
  const stats = errorStats(expected, w);
  let mismatches = 0;
  let worstIndex = -1;
  let worstErr = -1;
  for (let i = 0; i < w.length; i++) {
    if (sameF32(w[i], expected[i])) continue;
    mismatches++;
    const d = Math.abs(w[i] - expected[i]);
    const err = Number.isNaN(d) ? Infinity : d;
    if (err > worstErr) {
      worstErr = err;
      worstIndex = i;
    }
  }
  if (mismatches === 0) return { passed: true, ...stats };
  const row = Math.floor(worstIndex / cols);
  const col = worstIndex % cols;
  const worst: WorstElement = {
    index: worstIndex,
    batch: 0,
    row,
    col,
    block: Math.floor(col / QK_K),
    ...elementPosition(format, col % QK_K),
    expected: expected[worstIndex],
    actual: w[worstIndex],
  };
  return {
    passed: false,
    reason:
      `${mismatches} of ${w.length} values differ (bit-exact required); w[${row},${col}] = ` +
      `${show(w[worstIndex])}, expected ${show(expected[worstIndex])}`,
    ...stats,
    worst,
    diagnosis: diagnoseDequantize(kernelCase, w),
  };
}

/** Does element e (0..255) have a different code in two versions of the same block byte? */
function codeDiffers(format: KernelFormat, e: number, a: number, b: number): boolean {
  const p = elementPosition(format, e);
  if (format === "q8_K") return a !== b;
  if (format === "tq2_0") return ((a >> p.bit!) & 3) !== ((b >> p.bit!) & 3);
  return tritOfByte(a, p.trit!) !== tritOfByte(b, p.trit!);
}

/**
 * Judge packed weights (rows · cols/256 blocks) against the reference quantizer: bit-exact. The worst
 * element is the first differing byte (its row, block and byte, the elements it holds, and the first
 * of those whose code differs); max abs error and NMSE compare the two decodings. A failure is
 * diagnosed by cause (diagnoseQuantize, spec/kernel-protocol.md §9).
 */
export function judgeQuantize(kernelCase: KernelCase, weight: Uint8Array): CaseVerdict {
  const { rows, cols, format } = kernelCase;
  const type = formatType(format);
  const rowBytes = weightRowBytes(format, cols);
  if (weight.length !== rows * rowBytes) {
    return {
      passed: false,
      reason: `weight.bin is ${weight.length} bytes, expected ${rows * rowBytes} (${rows} rows of ${cols / QK_K} ${format} blocks)`,
    };
  }
  const expected = quantizeRow(type, kernelCase.w!);
  const stats = errorStats(dequantizeRow(type, expected, rows * cols), dequantizeRow(type, weight, rows * cols));
  let first = -1;
  let mismatches = 0;
  for (let i = 0; i < weight.length; i++) {
    if (weight[i] !== expected[i]) {
      mismatches++;
      if (first < 0) first = i;
    }
  }
  if (first < 0) return { passed: true, ...stats };
  const row = Math.floor(first / rowBytes);
  const block = Math.floor((first % rowBytes) / blockBytes(format));
  const byte = first % blockBytes(format);
  const elements = elementsInByte(format, byte);
  const e = elements.find((el) => codeDiffers(format, el, weight[first], expected[first]));
  const position = e === undefined ? {} : elementPosition(format, e);
  const worst: WorstElement = {
    index: first,
    batch: 0,
    row,
    ...(e === undefined ? {} : { col: block * QK_K + e }),
    block,
    ...position,
    byte,
    expected: expected[first],
    actual: weight[first],
    elements,
  };
  const holds = elements.length === 0 ? "the fp16 scale" : `elements ${elements.join(", ")}`;
  return {
    passed: false,
    reason:
      `${mismatches} of ${weight.length} bytes differ (bit-exact required); first at row ` +
      `${row} block ${block} byte ${byte} (${holds}): 0x${hex(weight[first])}, expected 0x${hex(expected[first])}`,
    ...stats,
    worst,
    diagnosis: diagnoseQuantize(format, kernelCase.w!, weight),
  };
}

/** Two hex digits. */
function hex(v: number): string {
  return v.toString(16).padStart(2, "0");
}

/** Parse a float32 .npy output of exactly `shape`, or say what is wrong with it. */
function readF32Output(bytes: Uint8Array, name: string, shape: readonly number[]): Float32Array | string {
  let array;
  try {
    array = parseNpy(bytes, name);
  } catch (error) {
    return `${name} is not a readable .npy file: ${error instanceof Error ? error.message.replace(`${name}: `, "") : String(error)}`;
  }
  if (array.dtype !== "<f4") return `${name} has dtype '${array.dtype}', expected float32 '<f4'`;
  if (array.shape.length !== shape.length || array.shape.some((n, i) => n !== shape[i])) {
    return `${name} has shape ${pythonTupleRepr(array.shape)}, expected ${pythonTupleRepr(shape)}`;
  }
  return array.data;
}

/**
 * Judge a case from the kernel's raw output files. `outputs` maps the output role ("y", "w",
 * "weight") or its file name ("y.npy", "w.npy", "weight.bin") to the file's bytes. A missing file,
 * an unreadable .npy, a wrong dtype or shape, a wrong byte count, or NaN where the reference has a
 * number gives a failed verdict with the reason; never throws for bad outputs.
 */
export function judgeCase(kernelCase: KernelCase, outputs: ReadonlyMap<string, Uint8Array>): CaseVerdict {
  const role = outputRole(kernelCase.op);
  const name = ROLE_FILES[role];
  const bytes = outputs.get(role) ?? outputs.get(name);
  if (bytes === undefined) return { passed: false, reason: `the kernel wrote no ${name}` };
  const { rows, cols, batch } = kernelCase;
  switch (kernelCase.op) {
    case "matmul": {
      const y = readF32Output(bytes, name, [batch, rows]);
      return typeof y === "string" ? { passed: false, reason: y } : judgeMatmul(kernelCase, y);
    }
    case "dequantize": {
      const w = readF32Output(bytes, name, [rows, cols]);
      return typeof w === "string" ? { passed: false, reason: w } : judgeDequantize(kernelCase, w);
    }
    case "quantize":
      return judgeQuantize(kernelCase, bytes);
  }
}
