/**
 * TriRun-format kernel cases (spec/kernel-protocol.md §11): an fp16 × 2-bit matmul y = x·W with W in
 * TriRun's packed layout (reference/codec/trirun.ts, spec/trirun.md), written as a case directory of
 * protocol v1: case.json, B.bin + s.bin (raw little-endian) and the same arrays as B.npy + s.npy, x.npy.
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  packTrirun,
  trirunScaleRows,
  trirunShapeProblems,
  unpackTrirun,
  TRIRUN_TILE,
  type TrirunGroupSize,
  type TrirunMatrix,
} from "../../reference/codec/trirun.js";
import { InputError } from "../errors.js";
import { jsonDeeperThan, MAX_JSON_DEPTH } from "../io/json-depth.js";
import { parseNpy, pythonTupleRepr, serializeNpy, type NpyArray } from "../io/npy.js";
import { CASE_FILE, PROTOCOL_VERSION } from "./protocol.js";
import { formatCaseJsonIn, positiveInteger, readCaseFile, readCaseFileText } from "./format-case-json.js";

/** The case.json `format` of a TriRun-format kernel case. */
export const TRIRUN_FORMAT = "trirun";

/** The case.json `activations` of a TriRun-format case: fp16 activations, as TriRun's A. */
export const TRIRUN_ACTIVATIONS = "f16";

/** The files of a TriRun-format case directory, by role (spec/kernel-protocol.md §11). */
export const TRIRUN_FILES = {
  /** TriRun's B: (k/16) × n int32, raw little-endian, row-major. */
  B: "B.bin",
  /** TriRun's s: groups × n fp16 bits (permuted), raw little-endian. */
  s: "s.bin",
  /** B as .npy '<i4' (k/16, n). */
  B_npy: "B.npy",
  /** s as .npy '<f2' (groups, n). */
  s_npy: "s.npy",
  /** Activations .npy '<f2' (m, k). */
  x: "x.npy",
  /** The kernel's output .npy '<f2' (m, n). */
  y: "y.npy",
} as const;

/**
 * One TriRun-format matmul case: y[i, j] = Σ_k x[i, k]·W[k, j] (spec/trirun.md §8), the weights held
 * logically (codes and unpermuted scales; written packed) and x as fp16 bits.
 */
export interface TrirunKernelCase {
  /** The logical weights: k inputs × n outputs, codes t + 1, scales per column or per group of 128. */
  readonly weights: TrirunMatrix;
  /** m: activation rows. */
  readonly m: number;
  /** Activations, fp16 bits [m × k], row-major. */
  readonly x: Uint16Array;
  /** A name for reports. */
  readonly label?: string;
}

/** case.json of a TriRun-format case. */
export interface TrirunCaseJson {
  readonly protocol: number;
  readonly op: "matmul";
  readonly format: typeof TRIRUN_FORMAT;
  /** rows = n (output features), cols = k (input features), batch = m, as in spec/kernel-protocol.md §2. */
  readonly shape: { readonly rows: number; readonly cols: number; readonly batch: number };
  readonly group_size: TrirunGroupSize;
  readonly activations: typeof TRIRUN_ACTIVATIONS;
  readonly inputs: Readonly<Record<"B" | "s" | "B_npy" | "s_npy" | "x", string>>;
  readonly outputs: Readonly<Record<"y", string>>;
  readonly label?: string;
}

/** The case.json object of a TriRun-format case. */
export function trirunCaseJsonOf(kernelCase: TrirunKernelCase): TrirunCaseJson {
  const { k, n, groupSize } = kernelCase.weights;
  return {
    protocol: PROTOCOL_VERSION,
    op: "matmul",
    format: TRIRUN_FORMAT,
    shape: { rows: n, cols: k, batch: kernelCase.m },
    group_size: groupSize,
    activations: TRIRUN_ACTIVATIONS,
    inputs: {
      B: TRIRUN_FILES.B,
      s: TRIRUN_FILES.s,
      B_npy: TRIRUN_FILES.B_npy,
      s_npy: TRIRUN_FILES.s_npy,
      x: TRIRUN_FILES.x,
    },
    outputs: { y: TRIRUN_FILES.y },
    ...(kernelCase.label === undefined ? {} : { label: kernelCase.label }),
  };
}

/** Why the case is inconsistent (shape TriRun refuses, array lengths), or undefined. */
export function trirunCaseProblem(kernelCase: TrirunKernelCase): string | undefined {
  const { weights, m, x } = kernelCase;
  const problems = trirunShapeProblems(weights);
  if (problems.length > 0) return problems.join("; ");
  if (!Number.isSafeInteger(m) || m < 1) return `m must be a positive integer, got ${m}`;
  if (weights.codes.length !== weights.k * weights.n)
    return `codes has ${weights.codes.length} entries, k·n = ${weights.k * weights.n}`;
  const scales = trirunScaleRows(weights) * weights.n;
  if (weights.scales.length !== scales) return `scales has ${weights.scales.length} entries, expected ${scales}`;
  if (x.length !== m * weights.k) return `x has ${x.length} entries, m·k = ${m * weights.k}`;
  return undefined;
}

/** Little-endian bytes of a typed array (the host is little-endian, as Node's typed arrays are here). */
function rawBytes(array: Int32Array | Uint16Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/**
 * Write `kernelCase` as the case directory `dir` (created if needed): case.json, B.bin, s.bin, B.npy,
 * s.npy and x.npy (spec/kernel-protocol.md §11). RangeError when the case is inconsistent.
 */
export function writeTrirunCaseDir(dir: string, kernelCase: TrirunKernelCase): void {
  const problem = trirunCaseProblem(kernelCase);
  if (problem !== undefined) throw new RangeError(problem);
  const { k, n } = kernelCase.weights;
  const packed = packTrirun(kernelCase.weights);
  const rows = trirunScaleRows(packed);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, CASE_FILE), `${JSON.stringify(trirunCaseJsonOf(kernelCase), null, 2)}\n`);
  writeFileSync(join(dir, TRIRUN_FILES.B), rawBytes(packed.B));
  writeFileSync(join(dir, TRIRUN_FILES.s), rawBytes(packed.s));
  writeFileSync(
    join(dir, TRIRUN_FILES.B_npy),
    serializeNpy({ dtype: "<i4", shape: [k / TRIRUN_TILE, n], data: packed.B }),
  );
  writeFileSync(join(dir, TRIRUN_FILES.s_npy), serializeNpy({ dtype: "<f2", shape: [rows, n], data: packed.s }));
  writeFileSync(
    join(dir, TRIRUN_FILES.x),
    serializeNpy({ dtype: "<f2", shape: [kernelCase.m, k], data: kernelCase.x }),
  );
}

/** The parsed case.json of `dir` when its format is "trirun"; undefined for any other case directory. */
export function trirunCaseJsonIn(dir: string): TrirunCaseJson | undefined {
  return formatCaseJsonIn(dir, TRIRUN_FORMAT, parseTrirunCaseJson, readCaseFileText);
}

/** Check a parsed case.json of format trirun (spec/kernel-protocol.md §11); Error with a one-line reason. */
export function parseTrirunCaseJson(value: unknown): TrirunCaseJson {
  if (jsonDeeperThan(value)) throw new Error(`nests arrays or objects more than ${MAX_JSON_DEPTH} deep`);
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error("must hold a JSON object");
  const o = value as Record<string, unknown>;
  if (o.protocol !== PROTOCOL_VERSION)
    throw new Error(`protocol must be ${PROTOCOL_VERSION}, got ${JSON.stringify(o.protocol)}`);
  if (o.op !== "matmul") throw new Error(`op must be matmul for format trirun, got ${JSON.stringify(o.op)}`);
  if (o.activations !== TRIRUN_ACTIVATIONS)
    throw new Error(
      `activations must be ${TRIRUN_ACTIVATIONS} for format trirun, got ${JSON.stringify(o.activations)}`,
    );
  if (o.group_size !== -1 && o.group_size !== 128)
    throw new Error(`group_size must be -1 or 128, got ${JSON.stringify(o.group_size)}`);
  const shape = o.shape as Record<string, unknown> | null;
  if (typeof shape !== "object" || shape === null) throw new Error("shape must be an object {rows, cols, batch}");
  if (!positiveInteger(shape.rows) || !positiveInteger(shape.cols) || !positiveInteger(shape.batch))
    throw new Error(`shape.rows, shape.cols and shape.batch must be positive integers, got ${JSON.stringify(shape)}`);
  const problems = trirunShapeProblems({ k: shape.cols, n: shape.rows, groupSize: o.group_size });
  if (problems.length > 0) throw new Error(problems.join("; "));
  const expected = trirunCaseJsonOf({
    weights: { k: 128, n: 256, groupSize: o.group_size, codes: new Uint8Array(0), scales: new Uint16Array(0) },
    m: 1,
    x: new Uint16Array(0),
  });
  for (const key of ["inputs", "outputs"] as const) {
    const got = JSON.stringify(o[key]);
    const want = JSON.stringify(expected[key]);
    if (got !== want) throw new Error(`${key} must be ${want} for format trirun, got ${got}`);
  }
  return {
    ...expected,
    shape: { rows: shape.rows, cols: shape.cols, batch: shape.batch },
    ...(typeof o.label === "string" ? { label: o.label } : {}),
  };
}

/** A .npy input of exactly `dtype` and `shape`; InputError otherwise. */
function readNpyInput(path: string, dtype: "<i4" | "<f2", shape: readonly number[]): NpyArray {
  const array = parseNpy(readCaseFile(path), path);
  if (array.dtype !== dtype) throw new InputError(path, `must hold '${dtype}', not '${array.dtype}'`);
  if (array.shape.length !== shape.length || array.shape.some((d, i) => d !== shape[i]))
    throw new InputError(path, `must have shape ${pythonTupleRepr(shape)}, not ${pythonTupleRepr(array.shape)}`);
  return array;
}

/**
 * Read a TriRun-format case directory back (as writeTrirunCaseDir writes it). The .npy copies are
 * read and must equal B.bin and s.bin. InputError naming the file for anything malformed.
 */
export function readTrirunCaseDir(dir: string): TrirunKernelCase {
  const json = trirunCaseJsonIn(dir);
  if (json === undefined) throw new InputError(join(dir, CASE_FILE), `format must be ${TRIRUN_FORMAT}`);
  const { rows: n, cols: k, batch: m } = json.shape;
  const groupSize = json.group_size;
  const scaleRows = trirunScaleRows({ k, n, groupSize });
  const B = readNpyInput(join(dir, TRIRUN_FILES.B_npy), "<i4", [k / TRIRUN_TILE, n]).data as Int32Array;
  const s = readNpyInput(join(dir, TRIRUN_FILES.s_npy), "<f2", [scaleRows, n]).data as Uint16Array;
  for (const [file, array] of [
    [TRIRUN_FILES.B, B],
    [TRIRUN_FILES.s, s],
  ] as const) {
    const path = join(dir, file);
    const bytes = readCaseFile(path);
    const want = rawBytes(array);
    if (bytes.length !== want.length) throw new InputError(path, `is ${bytes.length} bytes, expected ${want.length}`);
    if (bytes.some((b, i) => b !== want[i])) throw new InputError(path, `differs from its .npy copy`);
  }
  const x = readNpyInput(join(dir, TRIRUN_FILES.x), "<f2", [m, k]).data as Uint16Array;
  return {
    weights: unpackTrirun({ k, n, groupSize, B, s }),
    m,
    x,
    ...(json.label === undefined ? {} : { label: json.label }),
  };
}
