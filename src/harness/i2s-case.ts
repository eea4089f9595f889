/**
 * I2_S-format kernel cases (spec/kernel-protocol.md §12): bitnet.cpp's I2_S weights times I8_S-quantized float32
 * activations, y = x·Wᵀ, written as a case directory of protocol v1: case.json, W.bin (the I2_S tensor bytes exactly
 * as in a GGUF: codes, float32 scale, 28 pad bytes), x.npy, and the I8_S rows of x (q.npy, act_scale.npy,
 * act_sum.npy) for kernels that take them ready-made, as bitnet.cpp's do.
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  I2S_LAYOUTS,
  i2sShapeProblem,
  i2sStoredElements,
  packI2s,
  unpackI2s,
  type I2sLayout,
} from "../../reference/codec/i2_s.js";
import { quantizeRowI8s, type I8sRow } from "../../reference/codec/i8_s.js";
import { InputError } from "../errors.js";
import { jsonDeeperThan, MAX_JSON_DEPTH } from "../io/json-depth.js";
import { parseNpy, pythonTupleRepr, serializeNpy, type NpyArray } from "../io/npy.js";
import { CASE_FILE, PROTOCOL_VERSION } from "./protocol.js";
import { formatCaseJsonIn, positiveInteger, readCaseFile, readCaseFileText } from "./format-case-json.js";

/** The case.json `format` of an I2_S-format kernel case. */
export const I2S_FORMAT = "i2_s";

/** The case.json `activations` of an I2_S-format case: float32 x, quantized per row by quantize_row_i8_s. */
export const I2S_ACTIVATIONS = "i8_s";

/** The files of an I2_S-format case directory, by role (spec/kernel-protocol.md §12.1). */
export const I2S_FILES = {
  /** The I2_S tensor bytes: ⌊n·k/4⌋ code bytes, the float32 scale, 28 zero bytes. */
  W: "W.bin",
  /** Activations .npy '<f4' (m, k). */
  x: "x.npy",
  /** quantize_row_i8_s of each row of x: .npy '|i1' (m, k). */
  q: "q.npy",
  /** Each row's act_scale (float32(127 / max)): .npy '<f4' (m,). */
  act_scale: "act_scale.npy",
  /** Each row's act_sum (Σ q, int32): .npy '<i4' (m,). */
  act_sum: "act_sum.npy",
  /** The kernel's output .npy '<f4' (m, n). */
  y: "y.npy",
} as const;

/** One I2_S-format matmul case: y[i, r] = Σ_c t(r, c)·x[i, c]·α through I8_S (spec/tolerances.md §12.1). */
export interface I2sKernelCase {
  /** Which of bitnet.cpp's packings W.bin uses (spec/bitnet.md §2.1). */
  readonly layout: I2sLayout;
  /** n: weight rows (outputs). */
  readonly n: number;
  /** k: weight columns (inputs). */
  readonly k: number;
  /** m: activation rows. */
  readonly m: number;
  /** The weights' codes, row-major [n × k]: 0 → −1, 1 → 0, 2 → +1. */
  readonly codes: Uint8Array;
  /** α, the tensor's float32 scale. */
  readonly scale: number;
  /** Activations, float32 [m × k], row-major. */
  readonly x: Float32Array;
  /** A name for reports. */
  readonly label?: string;
}

/** case.json of an I2_S-format case. */
export interface I2sCaseJson {
  readonly protocol: number;
  readonly op: "matmul";
  readonly format: typeof I2S_FORMAT;
  readonly layout: I2sLayout;
  /** rows = n (output features), cols = k (input features), batch = m, as in spec/kernel-protocol.md §2. */
  readonly shape: { readonly rows: number; readonly cols: number; readonly batch: number };
  readonly activations: typeof I2S_ACTIVATIONS;
  readonly inputs: Readonly<Record<"W" | "x" | "q" | "act_scale" | "act_sum", string>>;
  readonly outputs: Readonly<Record<"y", string>>;
  readonly label?: string;
}

/** The case.json object of an I2_S-format case. */
export function i2sCaseJsonOf(kernelCase: I2sKernelCase): I2sCaseJson {
  return {
    protocol: PROTOCOL_VERSION,
    op: "matmul",
    format: I2S_FORMAT,
    layout: kernelCase.layout,
    shape: { rows: kernelCase.n, cols: kernelCase.k, batch: kernelCase.m },
    activations: I2S_ACTIVATIONS,
    inputs: {
      W: I2S_FILES.W,
      x: I2S_FILES.x,
      q: I2S_FILES.q,
      act_scale: I2S_FILES.act_scale,
      act_sum: I2S_FILES.act_sum,
    },
    outputs: { y: I2S_FILES.y },
    ...(kernelCase.label === undefined ? {} : { label: kernelCase.label }),
  };
}

/** Why a shape is not an I2_S-format case shape: the layout must store every weight (n·k % QK = 0 for x86 / arm). */
export function i2sCaseShapeProblem(layout: I2sLayout, n: number, k: number): string | undefined {
  const problem = i2sShapeProblem(layout, { rows: n, cols: k });
  if (problem !== undefined) return problem;
  if (i2sStoredElements(layout, { rows: n, cols: k }) !== n * k)
    return `the ${layout} layout does not store all ${n}×${k} weights (n·k must be a multiple of its block)`;
  return undefined;
}

/** Why the case is inconsistent (shape, array lengths, codes), or undefined. */
export function i2sCaseProblem(kernelCase: I2sKernelCase): string | undefined {
  const { layout, n, k, m, codes, x } = kernelCase;
  const shape = i2sCaseShapeProblem(layout, n, k);
  if (shape !== undefined) return shape;
  if (!Number.isSafeInteger(m) || m < 1) return `m must be a positive integer, got ${m}`;
  if (codes.length !== n * k) return `codes has ${codes.length} entries, n·k = ${n * k}`;
  const bad = codes.findIndex((c) => c > 2);
  if (bad >= 0) return `code ${codes[bad]} at row ${Math.floor(bad / k)}, col ${bad % k} is not 0, 1 or 2`;
  if (x.length !== m * k) return `x has ${x.length} entries, m·k = ${m * k}`;
  return undefined;
}

/** The I2_S tensor bytes of the case's weights (packI2s in its layout). */
export function i2sCaseBytes(kernelCase: I2sKernelCase): Uint8Array {
  return packI2s(kernelCase.layout, { rows: kernelCase.n, cols: kernelCase.k }, kernelCase.codes, kernelCase.scale);
}

/** quantize_row_i8_s of every activation row of the case. */
export function i2sCaseActivations(kernelCase: I2sKernelCase): I8sRow[] {
  const { m, k, x } = kernelCase;
  return Array.from({ length: m }, (_, i) => quantizeRowI8s(x.subarray(i * k, (i + 1) * k)));
}

/**
 * Write `kernelCase` as the case directory `dir` (created if needed): case.json, W.bin, x.npy, q.npy,
 * act_scale.npy, act_sum.npy (spec/kernel-protocol.md §12.1). RangeError when the case is inconsistent.
 */
export function writeI2sCaseDir(dir: string, kernelCase: I2sKernelCase): void {
  const problem = i2sCaseProblem(kernelCase);
  if (problem !== undefined) throw new RangeError(problem);
  const { m, k } = kernelCase;
  const input = i2sKernelInputOf(kernelCase);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, CASE_FILE), `${JSON.stringify(i2sCaseJsonOf(kernelCase), null, 2)}\n`);
  writeFileSync(join(dir, I2S_FILES.W), input.weight);
  writeFileSync(join(dir, I2S_FILES.x), serializeNpy({ dtype: "<f4", shape: [m, k], data: kernelCase.x }));
  writeFileSync(join(dir, I2S_FILES.q), serializeNpy({ dtype: "|i1", shape: [m, k], data: input.q }));
  writeFileSync(join(dir, I2S_FILES.act_scale), serializeNpy({ dtype: "<f4", shape: [m], data: input.actScale }));
  writeFileSync(join(dir, I2S_FILES.act_sum), serializeNpy({ dtype: "<i4", shape: [m], data: input.actSum }));
}

/** The parsed case.json of `dir` when its format is "i2_s"; undefined for any other case directory. */
export function i2sCaseJsonIn(dir: string): I2sCaseJson | undefined {
  return formatCaseJsonIn(dir, I2S_FORMAT, parseI2sCaseJson, readCaseFileText);
}

/** Check a parsed case.json of format i2_s (spec/kernel-protocol.md §12.1); Error with a one-line reason. */
export function parseI2sCaseJson(value: unknown): I2sCaseJson {
  if (jsonDeeperThan(value)) throw new Error(`nests arrays or objects more than ${MAX_JSON_DEPTH} deep`);
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error("must hold a JSON object");
  const o = value as Record<string, unknown>;
  if (o.protocol !== PROTOCOL_VERSION)
    throw new Error(`protocol must be ${PROTOCOL_VERSION}, got ${JSON.stringify(o.protocol)}`);
  if (o.op !== "matmul") throw new Error(`op must be matmul for format i2_s, got ${JSON.stringify(o.op)}`);
  if (o.activations !== I2S_ACTIVATIONS)
    throw new Error(`activations must be ${I2S_ACTIVATIONS} for format i2_s, got ${JSON.stringify(o.activations)}`);
  if (!(I2S_LAYOUTS as readonly unknown[]).includes(o.layout))
    throw new Error(`layout must be one of ${I2S_LAYOUTS.join(", ")}, got ${JSON.stringify(o.layout)}`);
  const layout = o.layout as I2sLayout;
  const shape = o.shape as Record<string, unknown> | null;
  if (typeof shape !== "object" || shape === null) throw new Error("shape must be an object {rows, cols, batch}");
  if (!positiveInteger(shape.rows) || !positiveInteger(shape.cols) || !positiveInteger(shape.batch))
    throw new Error(`shape.rows, shape.cols and shape.batch must be positive integers, got ${JSON.stringify(shape)}`);
  const problem = i2sCaseShapeProblem(layout, shape.rows, shape.cols);
  if (problem !== undefined) throw new Error(problem);
  const expected = i2sCaseJsonOf({
    layout,
    n: shape.rows,
    k: shape.cols,
    m: shape.batch,
    codes: new Uint8Array(0),
    scale: 1,
    x: new Float32Array(0),
  });
  for (const key of ["inputs", "outputs"] as const) {
    const got = JSON.stringify(o[key]);
    const want = JSON.stringify(expected[key]);
    if (got !== want) throw new Error(`${key} must be ${want} for format i2_s, got ${got}`);
  }
  return { ...expected, ...(typeof o.label === "string" ? { label: o.label } : {}) };
}

/** A .npy input of exactly `dtype` and `shape`; InputError otherwise. */
function readNpyInput(path: string, dtype: "<f4" | "|i1" | "<i4", shape: readonly number[]): NpyArray {
  const array = parseNpy(readCaseFile(path), path);
  if (array.dtype !== dtype) throw new InputError(path, `must hold '${dtype}', not '${array.dtype}'`);
  if (array.shape.length !== shape.length || array.shape.some((d, i) => d !== shape[i]))
    throw new InputError(path, `must have shape ${pythonTupleRepr(shape)}, not ${pythonTupleRepr(array.shape)}`);
  return array;
}

/**
 * Read an I2_S-format case directory back (as writeI2sCaseDir writes it). q.npy, act_scale.npy and act_sum.npy
 * must be quantize_row_i8_s of x.npy, and W.bin must hold codes 0..2 only. InputError naming the file otherwise.
 */
export function readI2sCaseDir(dir: string): I2sKernelCase {
  const json = i2sCaseJsonIn(dir);
  if (json === undefined) throw new InputError(join(dir, CASE_FILE), `format must be ${I2S_FORMAT}`);
  const { rows: n, cols: k, batch: m } = json.shape;
  const wPath = join(dir, I2S_FILES.W);
  let tensor;
  try {
    tensor = unpackI2s(json.layout, { rows: n, cols: k }, readCaseFile(wPath));
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(wPath, error instanceof Error ? error.message : String(error));
  }
  const x = readNpyInput(join(dir, I2S_FILES.x), "<f4", [m, k]).data as Float32Array;
  const kernelCase: I2sKernelCase = {
    layout: json.layout,
    n,
    k,
    m,
    codes: tensor.codes,
    scale: tensor.scale,
    x,
    ...(json.label === undefined ? {} : { label: json.label }),
  };
  const problem = i2sCaseProblem(kernelCase);
  if (problem !== undefined) throw new InputError(wPath, problem);
  const acts = i2sCaseActivations(kernelCase);
  const q = readNpyInput(join(dir, I2S_FILES.q), "|i1", [m, k]).data as Int8Array;
  const scales = readNpyInput(join(dir, I2S_FILES.act_scale), "<f4", [m]).data as Float32Array;
  const sums = readNpyInput(join(dir, I2S_FILES.act_sum), "<i4", [m]).data as Int32Array;
  acts.forEach((act, i) => {
    if (act.q.some((v, c) => v !== q[i * k + c]))
      throw new InputError(join(dir, I2S_FILES.q), `row ${i} is not quantize_row_i8_s of x.npy's row ${i}`);
    if (!Object.is(act.scale, scales[i]) && !(Number.isNaN(act.scale) && Number.isNaN(scales[i])))
      throw new InputError(
        join(dir, I2S_FILES.act_scale),
        `row ${i} is ${scales[i]}, quantize_row_i8_s gives ${act.scale}`,
      );
    if (act.sum !== sums[i])
      throw new InputError(join(dir, I2S_FILES.act_sum), `row ${i} is ${sums[i]}, Σ q = ${act.sum}`);
  });
  return kernelCase;
}

/** What a JavaScript I2_S kernel is given (checkKernel): the case, and the files a case directory holds, as arrays. */
export interface I2sKernelInput extends I2sKernelCase {
  /** W.bin: the I2_S tensor bytes in the case's layout. */
  readonly weight: Uint8Array;
  /** q.npy: quantize_row_i8_s of each row of x, Int8Array[m × k]. */
  readonly q: Int8Array;
  /** act_scale.npy: Float32Array[m]. */
  readonly actScale: Float32Array;
  /** act_sum.npy: Int32Array[m]. */
  readonly actSum: Int32Array;
}

/** The arrays of a case as writeI2sCaseDir writes them (spec/kernel-protocol.md §12.1). */
export function i2sKernelInputOf(kernelCase: I2sKernelCase): I2sKernelInput {
  const acts = i2sCaseActivations(kernelCase);
  const q = new Int8Array(kernelCase.m * kernelCase.k);
  acts.forEach((act, i) => q.set(act.q, i * kernelCase.k));
  return {
    ...kernelCase,
    weight: i2sCaseBytes(kernelCase),
    q,
    actScale: Float32Array.from(acts, (act) => act.scale),
    actSum: Int32Array.from(acts, (act) => act.sum),
  };
}
