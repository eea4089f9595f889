/**
 * w2a8-format kernel cases (spec/kernel-protocol.md §14): BitNet's GPU linear layer, what `bitlinear_int8xint2`
 * (microsoft/BitNet gpu/bitnet_kernels/bitnet_kernels.cu) takes: int8 activations with their bf16 per-token scale,
 * the packed weights of gpu/pack_weight.py (reference/codec/w2a8.ts, spec/bitnet.md §6) and bf16 weight scales; it
 * writes bf16 y. A case directory of protocol v1: case.json and raw little-endian weight.bin, ws.bin, x_q.bin, s.bin;
 * the kernel writes y.bin.
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bf16BitsToF32, f32ToBf16Bits, roundToBf16 } from "../../reference/codec/bfloat16.js";
import { packW2a8, unpackW2a8, validateW2a8, w2a8ShapeProblems } from "../../reference/codec/w2a8.js";
import { InputError } from "../errors.js";
import { jsonDeeperThan, MAX_JSON_DEPTH } from "../io/json-depth.js";
import { INT8_PER_TOKEN } from "./hf-bitnet-case.js";
import { CASE_FILE, PROTOCOL_VERSION } from "./protocol.js";
import { formatCaseJsonIn, readCaseFileOfSize, readCaseFileTextNamingCode } from "./format-case-json.js";

/** The case.json `format` of a w2a8 case. */
export const W2A8_FORMAT = "w2a8";

/** The weight scales ws.bin holds at least (gpu/convert_checkpoint.py pads them with zeros to 4). */
export const W2A8_MIN_WEIGHT_SCALES = 4;

/** The files of a w2a8 case directory, by role (spec/kernel-protocol.md §14.1). */
export const W2A8_FILES = {
  /** int8 [n, k/4]: gpu/pack_weight.py's bytes. */
  weight: "weight.bin",
  /** bf16 [max(4, ws_num)]: the weight scales, zero-padded. */
  ws: "ws.bin",
  /** int8 [m, k]: each token's activation codes. */
  x_q: "x_q.bin",
  /** bf16 [m]: each token's activation scale s (the kernel divides by it). */
  s: "s.bin",
  /** bf16 [m, n]: the kernel's output. */
  y: "y.bin",
} as const;

/** One w2a8 case: W [n, k] ternary (row = output), ws with ws_num, activation codes [m, k] and scales [m]. */
export interface W2a8KernelCase {
  readonly n: number;
  readonly k: number;
  readonly m: number;
  /** Ternary W, row-major [n, k]. */
  readonly weights: Int8Array;
  /** Weight scales (bf16 values), at least 4; output o uses ws[o / (n / wsNum)]. */
  readonly ws: Float32Array;
  readonly wsNum: number;
  /** Activation codes, row-major [m, k]. */
  readonly q: Int8Array;
  /** Per-token scales (bf16 values, > 0), [m]. */
  readonly s: Float32Array;
  readonly label?: string;
}

/** case.json of a w2a8 case. */
export interface W2a8CaseJson {
  readonly protocol: number;
  readonly op: "matmul";
  readonly format: typeof W2A8_FORMAT;
  /** rows = n (outputs), cols = k (inputs), batch = m (tokens). */
  readonly shape: { readonly rows: number; readonly cols: number; readonly batch: number };
  readonly activations: typeof INT8_PER_TOKEN;
  /** Weight scales of the fused matrix. */
  readonly ws_num: number;
  readonly inputs: Readonly<Record<"weight" | "ws" | "x_q" | "s", string>>;
  readonly outputs: Readonly<Record<"y", string>>;
  readonly label?: string;
}

/** The case.json object of a case. */
export function w2a8CaseJsonOf(kernelCase: W2a8KernelCase): W2a8CaseJson {
  return {
    protocol: PROTOCOL_VERSION,
    op: "matmul",
    format: W2A8_FORMAT,
    shape: { rows: kernelCase.n, cols: kernelCase.k, batch: kernelCase.m },
    activations: INT8_PER_TOKEN,
    ws_num: kernelCase.wsNum,
    inputs: { weight: W2A8_FILES.weight, ws: W2A8_FILES.ws, x_q: W2A8_FILES.x_q, s: W2A8_FILES.s },
    outputs: { y: W2A8_FILES.y },
    ...(kernelCase.label === undefined ? {} : { label: kernelCase.label }),
  };
}

/** Weight scales ws.bin holds for `wsNum`. */
export function w2a8WeightScaleCount(wsNum: number): number {
  return Math.max(W2A8_MIN_WEIGHT_SCALES, wsNum);
}

/** Why a shape and ws_num cannot be a case, or undefined. */
function shapeProblem(n: number, k: number, m: number, wsNum: number): string | undefined {
  const problems = w2a8ShapeProblems(n, k);
  if (problems.length > 0) return problems.join("; ");
  if (!Number.isSafeInteger(m) || m < 1) return `m = ${m} is not a positive integer`;
  if (!Number.isSafeInteger(wsNum) || wsNum < 1 || n % wsNum !== 0)
    return `ws_num = ${wsNum} is not a positive divisor of n = ${n}`;
  return undefined;
}

/** Is v a bfloat16 value (finite)? */
function isBf16(v: number): boolean {
  return Number.isFinite(v) && roundToBf16(v) === v;
}

/** Why the case is inconsistent, or undefined. */
export function w2a8CaseProblem(kernelCase: W2a8KernelCase): string | undefined {
  const { n, k, m, weights, ws, wsNum, q, s } = kernelCase;
  const shape = shapeProblem(n, k, m, wsNum);
  if (shape !== undefined) return shape;
  if (weights.length !== n * k || weights.some((t) => t < -1 || t > 1))
    return `weights must be ${n * k} ternary values`;
  if (ws.length !== w2a8WeightScaleCount(wsNum) || !ws.every(isBf16))
    return `ws must be ${w2a8WeightScaleCount(wsNum)} finite bfloat16 values`;
  if (q.length !== m * k) return `q has ${q.length} entries, m·k = ${m * k}`;
  if (s.length !== m || !s.every((v) => isBf16(v) && v > 0)) return `s must be ${m} positive finite bfloat16 values`;
  return undefined;
}

/** bf16 bits of the values, as little-endian bytes. */
function bf16Bytes(values: Float32Array): Uint8Array {
  const bits = Uint16Array.from(values, f32ToBf16Bits);
  return new Uint8Array(bits.buffer);
}

/** The values of little-endian bf16 bytes. */
export function bf16Values(bytes: Uint8Array): Float32Array {
  return Float32Array.from(new Uint16Array(bytes.slice().buffer), bf16BitsToF32);
}

/** Write the case directory `dir` (created if needed). RangeError when the case is inconsistent. */
export function writeW2a8CaseDir(dir: string, kernelCase: W2a8KernelCase): void {
  const problem = w2a8CaseProblem(kernelCase);
  if (problem !== undefined) throw new RangeError(problem);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, CASE_FILE), `${JSON.stringify(w2a8CaseJsonOf(kernelCase), null, 2)}\n`);
  writeFileSync(join(dir, W2A8_FILES.weight), packW2a8(kernelCase.weights, kernelCase.n, kernelCase.k));
  writeFileSync(join(dir, W2A8_FILES.ws), bf16Bytes(kernelCase.ws));
  writeFileSync(
    join(dir, W2A8_FILES.x_q),
    new Uint8Array(kernelCase.q.buffer, kernelCase.q.byteOffset, kernelCase.q.length),
  );
  writeFileSync(join(dir, W2A8_FILES.s), bf16Bytes(kernelCase.s));
}

/** The parsed case.json of `dir` when its format is w2a8; undefined for any other case directory. */
export function w2a8CaseJsonIn(dir: string): W2a8CaseJson | undefined {
  return formatCaseJsonIn(dir, W2A8_FORMAT, parseW2a8CaseJson, readCaseFileTextNamingCode);
}

/** Check a parsed case.json of format w2a8 (spec/kernel-protocol.md §14.1); Error with a one-line reason. */
export function parseW2a8CaseJson(value: unknown): W2a8CaseJson {
  if (jsonDeeperThan(value)) throw new Error(`nests arrays or objects more than ${MAX_JSON_DEPTH} deep`);
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error("must hold a JSON object");
  const o = value as Record<string, unknown>;
  if (o.protocol !== PROTOCOL_VERSION)
    throw new Error(`protocol must be ${PROTOCOL_VERSION}, got ${JSON.stringify(o.protocol)}`);
  if (o.op !== "matmul") throw new Error(`op must be matmul for format w2a8, got ${JSON.stringify(o.op)}`);
  if (o.activations !== INT8_PER_TOKEN)
    throw new Error(`activations must be ${INT8_PER_TOKEN} for format w2a8, got ${JSON.stringify(o.activations)}`);
  const shape = o.shape as Record<string, unknown> | null;
  if (typeof shape !== "object" || shape === null)
    throw new Error(`shape must be {rows, cols, batch}, got ${JSON.stringify(shape)}`);
  const [rows, cols, batch, wsNum] = [shape.rows, shape.cols, shape.batch, o.ws_num].map(Number);
  const numeric = [shape.rows, shape.cols, shape.batch, o.ws_num].every((v) => typeof v === "number");
  const problem = numeric ? shapeProblem(rows, cols, batch, wsNum) : "shape and ws_num must be numbers";
  if (problem !== undefined) throw new Error(problem);
  const expected = w2a8CaseJsonOf({
    n: rows,
    k: cols,
    m: batch,
    weights: new Int8Array(0),
    ws: new Float32Array(0),
    wsNum,
    q: new Int8Array(0),
    s: new Float32Array(0),
  });
  for (const key of ["inputs", "outputs"] as const) {
    const got = JSON.stringify(o[key]);
    const want = JSON.stringify(expected[key]);
    if (got !== want) throw new Error(`${key} must be ${want} for format w2a8, got ${got}`);
  }
  return { ...expected, ...(typeof o.label === "string" ? { label: o.label } : {}) };
}

/** Read a w2a8 case directory back; InputError naming the file for anything malformed. */
export function readW2a8CaseDir(dir: string): W2a8KernelCase {
  const json = w2a8CaseJsonIn(dir);
  if (json === undefined) throw new InputError(join(dir, CASE_FILE), `format must be ${W2A8_FORMAT}`);
  const { rows: n, cols: k, batch: m } = json.shape;
  const weightPath = join(dir, W2A8_FILES.weight);
  const packed = readCaseFileOfSize(weightPath, (n * k) / 4);
  const findings = validateW2a8(packed, n, k);
  if (findings.length > 0) throw new InputError(weightPath, findings[0].message);
  const wsPath = join(dir, W2A8_FILES.ws);
  const ws = bf16Values(readCaseFileOfSize(wsPath, 2 * w2a8WeightScaleCount(json.ws_num)));
  if (!ws.every(Number.isFinite)) throw new InputError(wsPath, "holds a NaN or ±inf");
  const q = new Int8Array(readCaseFileOfSize(join(dir, W2A8_FILES.x_q), m * k).buffer);
  const sPath = join(dir, W2A8_FILES.s);
  const s = bf16Values(readCaseFileOfSize(sPath, 2 * m));
  if (!s.every((v) => Number.isFinite(v) && v > 0)) throw new InputError(sPath, "must hold positive finite scales");
  return {
    n,
    k,
    m,
    weights: unpackW2a8(packed, n, k),
    ws,
    wsNum: json.ws_num,
    q,
    s,
    ...(json.label === undefined ? {} : { label: json.label }),
  };
}
