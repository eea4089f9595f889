/**
 * hf-bitnet-format kernel cases (spec/kernel-protocol.md §13): one Hugging Face BitNet linear layer, y = f(x)·Wᵀ ·s or
 * /s, with W packed as transformers' `pack_weights` stores it (reference/codec/hf-bitnet.ts, spec/bitnet.md §7) and
 * x quantized per token by the kernel (ActQuant). A case directory of protocol v1: case.json and raw little-endian
 * weight.bin, weight_scale.bin and x.bin; the kernel writes y.bin.
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  hfBitnetProblems,
  packHfBitnet,
  unpackHfBitnet,
  type HfBitnetScaleConvention,
} from "../../reference/codec/hf-bitnet.js";
import { InputError } from "../errors.js";
import { jsonDeeperThan, MAX_JSON_DEPTH } from "../io/json-depth.js";
import { CASE_FILE, PROTOCOL_VERSION } from "./protocol.js";
import { formatCaseJsonIn, readCaseFileOfSize, readCaseFileTextNamingCode } from "./format-case-json.js";

/** The case.json `format` of an hf-bitnet case. */
export const HF_BITNET_FORMAT = "hf-bitnet";

/** The case.json `activations` of the BitNet formats: the kernel quantizes each token to int8 with its absmax. */
export const INT8_PER_TOKEN = "int8-per-token";

/** The files of an hf-bitnet case directory, by role (spec/kernel-protocol.md §13.1). */
export const HF_BITNET_FILES = {
  /** uint8 [n/4, k]: pack_weights' bytes, row-major. */
  weight: "weight.bin",
  /** float32 [1]: weight_scale (a bfloat16 value in a real checkpoint, widened exactly). */
  weight_scale: "weight_scale.bin",
  /** float32 [m, k]: the activations. */
  x: "x.bin",
  /** float32 [m, n]: the kernel's output. */
  y: "y.bin",
} as const;

/** One hf-bitnet case: W [n, k] ternary (row = output), weight_scale with its convention, x [m, k]. */
export interface HfBitnetKernelCase {
  readonly n: number;
  readonly k: number;
  readonly m: number;
  /** Ternary W, row-major [n, k]. */
  readonly weights: Int8Array;
  /** weight_scale, a float32 value. */
  readonly scale: number;
  readonly convention: HfBitnetScaleConvention;
  /** Activations float32 [m, k]. */
  readonly x: Float32Array;
  readonly label?: string;
}

/** case.json of an hf-bitnet case. */
export interface HfBitnetCaseJson {
  readonly protocol: number;
  readonly op: "matmul";
  readonly format: typeof HF_BITNET_FORMAT;
  /** rows = n (outputs), cols = k (inputs), batch = m (tokens). */
  readonly shape: { readonly rows: number; readonly cols: number; readonly batch: number };
  readonly activations: typeof INT8_PER_TOKEN;
  /** How weight_scale is applied: y·s (AutoBitLinear) or y/s (BitLinear). Never guessed. */
  readonly scale: HfBitnetScaleConvention;
  readonly inputs: Readonly<Record<"weight" | "weight_scale" | "x", string>>;
  readonly outputs: Readonly<Record<"y", string>>;
  readonly label?: string;
}

/** The case.json object of a case. */
export function hfBitnetCaseJsonOf(kernelCase: HfBitnetKernelCase): HfBitnetCaseJson {
  return {
    protocol: PROTOCOL_VERSION,
    op: "matmul",
    format: HF_BITNET_FORMAT,
    shape: { rows: kernelCase.n, cols: kernelCase.k, batch: kernelCase.m },
    activations: INT8_PER_TOKEN,
    scale: kernelCase.convention,
    inputs: { weight: HF_BITNET_FILES.weight, weight_scale: HF_BITNET_FILES.weight_scale, x: HF_BITNET_FILES.x },
    outputs: { y: HF_BITNET_FILES.y },
    ...(kernelCase.label === undefined ? {} : { label: kernelCase.label }),
  };
}

/** Why the case is inconsistent, or undefined: hfBitnetProblems of its packed W, array lengths, finite x. */
export function hfBitnetCaseProblem(kernelCase: HfBitnetKernelCase): string | undefined {
  const { n, k, m, weights, x } = kernelCase;
  if (![n, k, m].every((v) => Number.isSafeInteger(v) && v > 0)) return `n, k and m must be positive integers`;
  if (weights.length !== n * k) return `weights has ${weights.length} entries, n·k = ${n * k}`;
  if (weights.some((t) => t < -1 || t > 1)) return `weights must be ternary`;
  if (x.length !== m * k) return `x has ${x.length} entries, m·k = ${m * k}`;
  if (x.some((v) => !Number.isFinite(v))) return `x must be finite`;
  if (n % 4 !== 0) return hfBitnetProblems(new Uint8Array(0), n, k, kernelCase.scale)[0];
  const problems = hfBitnetProblems(packHfBitnet(weights, n, k), n, k, kernelCase.scale);
  return problems.length === 0 ? undefined : problems.join("; ");
}

/** Little-endian bytes of a typed array. */
function rawBytes(array: Float32Array | Uint8Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/** Write the case directory `dir` (created if needed). RangeError when the case is inconsistent. */
export function writeHfBitnetCaseDir(dir: string, kernelCase: HfBitnetKernelCase): void {
  const problem = hfBitnetCaseProblem(kernelCase);
  if (problem !== undefined) throw new RangeError(problem);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, CASE_FILE), `${JSON.stringify(hfBitnetCaseJsonOf(kernelCase), null, 2)}\n`);
  writeFileSync(join(dir, HF_BITNET_FILES.weight), packHfBitnet(kernelCase.weights, kernelCase.n, kernelCase.k));
  writeFileSync(join(dir, HF_BITNET_FILES.weight_scale), rawBytes(new Float32Array([kernelCase.scale])));
  writeFileSync(join(dir, HF_BITNET_FILES.x), rawBytes(kernelCase.x));
}

/** Float32 values of little-endian bytes. */
function float32Of(bytes: Uint8Array): Float32Array {
  return new Float32Array(bytes.slice().buffer);
}

/** The parsed case.json of `dir` when its format is hf-bitnet; undefined for any other case directory. */
export function hfBitnetCaseJsonIn(dir: string): HfBitnetCaseJson | undefined {
  return formatCaseJsonIn(dir, HF_BITNET_FORMAT, parseHfBitnetCaseJson, readCaseFileTextNamingCode);
}

/** Check a parsed case.json of format hf-bitnet (spec/kernel-protocol.md §13.1); Error with a one-line reason. */
export function parseHfBitnetCaseJson(value: unknown): HfBitnetCaseJson {
  if (jsonDeeperThan(value)) throw new Error(`nests arrays or objects more than ${MAX_JSON_DEPTH} deep`);
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error("must hold a JSON object");
  const o = value as Record<string, unknown>;
  if (o.protocol !== PROTOCOL_VERSION)
    throw new Error(`protocol must be ${PROTOCOL_VERSION}, got ${JSON.stringify(o.protocol)}`);
  if (o.op !== "matmul") throw new Error(`op must be matmul for format hf-bitnet, got ${JSON.stringify(o.op)}`);
  if (o.activations !== INT8_PER_TOKEN)
    throw new Error(`activations must be ${INT8_PER_TOKEN} for format hf-bitnet, got ${JSON.stringify(o.activations)}`);
  if (o.scale !== "multiply" && o.scale !== "divide")
    throw new Error(`scale must be "multiply" or "divide", got ${JSON.stringify(o.scale)}`);
  const shape = o.shape as Record<string, unknown> | null;
  const positive = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v > 0;
  if (typeof shape !== "object" || shape === null || ![shape.rows, shape.cols, shape.batch].every(positive))
    throw new Error(`shape must be {rows, cols, batch}, positive integers, got ${JSON.stringify(shape)}`);
  const { rows, cols, batch } = shape as { rows: number; cols: number; batch: number };
  if (rows % 4 !== 0) throw new Error(`shape.rows = ${rows} is not a multiple of 4 (transformers cannot load it)`);
  const expected = hfBitnetCaseJsonOf({
    n: rows,
    k: cols,
    m: batch,
    weights: new Int8Array(0),
    scale: 1,
    convention: o.scale,
    x: new Float32Array(0),
  });
  for (const key of ["inputs", "outputs"] as const) {
    const got = JSON.stringify(o[key]);
    const want = JSON.stringify(expected[key]);
    if (got !== want) throw new Error(`${key} must be ${want} for format hf-bitnet, got ${got}`);
  }
  return { ...expected, ...(typeof o.label === "string" ? { label: o.label } : {}) };
}

/** Read an hf-bitnet case directory back; InputError naming the file for anything malformed. */
export function readHfBitnetCaseDir(dir: string): HfBitnetKernelCase {
  const json = hfBitnetCaseJsonIn(dir);
  if (json === undefined) throw new InputError(join(dir, CASE_FILE), `format must be ${HF_BITNET_FORMAT}`);
  const { rows: n, cols: k, batch: m } = json.shape;
  const weightPath = join(dir, HF_BITNET_FILES.weight);
  const packed = readCaseFileOfSize(weightPath, (n / 4) * k);
  const scale = float32Of(readCaseFileOfSize(join(dir, HF_BITNET_FILES.weight_scale), 4))[0];
  const problems = hfBitnetProblems(packed, n, k, scale);
  if (problems.length > 0) throw new InputError(weightPath, problems.join("; "));
  const x = float32Of(readCaseFileOfSize(join(dir, HF_BITNET_FILES.x), 4 * m * k));
  if (x.some((v) => !Number.isFinite(v))) throw new InputError(join(dir, HF_BITNET_FILES.x), "holds a NaN or ±inf");
  return {
    n,
    k,
    m,
    weights: unpackHfBitnet(packed, n / 4, k),
    scale,
    convention: json.scale,
    x,
    ...(json.label === undefined ? {} : { label: json.label }),
  };
}
