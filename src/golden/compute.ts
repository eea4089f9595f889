/**
 * How every expected value of the golden suites is produced (spec/golden.md §4): one function
 * from a group's op, format and params and a test's input tensors to its output tensors, using
 * only the reference (reference/codec, reference/model). `generate` and `verify` both call it.
 */

import { readFileSync } from "node:fs";
import { dequantizeRow, quantizeRow } from "../../reference/codec/index.js";
import type { F16MatmulInput } from "../../reference/ggml-x86/index.js";
import { attendQuery } from "../../reference/model/attention.js";
import { evaluateSequence } from "../../reference/model/forward.js";
import { linear } from "../../reference/model/linear.js";
import { opArithmeticOf, type ForwardActivationMode } from "../../reference/model/modes.js";
import { rmsNorm } from "../../reference/model/rmsnorm.js";
import { applyRope, ropeAngles } from "../../reference/model/rope.js";
import { swiglu } from "../../reference/model/swiglu.js";
import { EMBEDDED_MODEL_FILE, embeddedModelPath } from "../model/embedded.js";
import { loadModel, type LoadedModelFile } from "../model/load-model.js";
import { computeI2sOutputs, i2sRoles } from "./i2s-compute.js";
import { computeHfBitnetOutputs, hfBitnetRoles } from "./hf-bitnet-compute.js";
import { computeW2a8Outputs, w2a8Roles } from "./w2a8-compute.js";
import { computeTrirunOutputs, TRIRUN_INPUT_ROLES, TRIRUN_OUTPUT_ROLES } from "./trirun-compute.js";
import { computeTrirunMatmul, TRIRUN_MATMUL_INPUT_ROLES } from "./trirun-matmul.js";
import { ManifestError, type GoldenFormat, type GoldenOp, type ParamValue } from "./manifest.js";
import {
  floatTensor,
  ggmlTypeOf,
  packedTensor,
  sha256Hex,
  type FloatTensor,
  type PackedDtype,
  type Tensor,
} from "./tensor.js";

/** What compute needs of a group. */
export interface GroupSpec {
  readonly op: GoldenOp;
  readonly format: GoldenFormat;
  readonly params: Readonly<Record<string, ParamValue>>;
}

/** The model file the `model` suite names (from the repository root). */
export const MODEL_PARAM = `golden/models/${EMBEDDED_MODEL_FILE}`;

function param(group: GroupSpec, name: string): ParamValue {
  const value = group.params[name];
  if (value === undefined) throw new ManifestError(`a ${group.op} group has no param '${name}'`);
  return value;
}

/** An integer param ≥ min. */
export function intParam(group: GroupSpec, name: string, min = 1): number {
  const value = param(group, name);
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min)
    throw new ManifestError(`a ${group.op} group's param '${name}' must be an integer ≥ ${min}`);
  return value;
}

/** A number param. */
export function numberParam(group: GroupSpec, name: string): number {
  const value = param(group, name);
  if (typeof value !== "number") throw new ManifestError(`a ${group.op} group's param '${name}' must be a number`);
  return value;
}

/** A string param, one of `choices`. */
export function choiceParam<T extends string>(group: GroupSpec, name: string, choices: readonly T[]): T {
  const value = param(group, name);
  const found = choices.find((choice) => choice === value);
  if (found === undefined)
    throw new ManifestError(`a ${group.op} group's param '${name}' must be one of ${choices.join(", ")}`);
  return found;
}

/** A non-empty list of integers ≥ 0. */
export function intListParam(group: GroupSpec, name: string): number[] {
  const value = param(group, name);
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    !value.every((v) => typeof v === "number" && Number.isSafeInteger(v) && v >= 0)
  ) {
    throw new ManifestError(`a ${group.op} group's param '${name}' must be a non-empty list of integers ≥ 0`);
  }
  return value as number[];
}

/**
 * A group's `activations` param as the manifests spell it (spec/golden.md §2): "f32", or "ggml" for
 * llama.cpp's x86-64 arithmetic — reference/model's ggml-exact mode.
 */
export type GoldenActivations = "f32" | "ggml";

/**
 * F16 weights in the corpus's "ggml" groups take their input as the llama.cpp build of
 * golden/external/llama/ did (F16 × F32 in tinyBLAS, spec/forward.md §9.3), so the corpus stays byte-identical.
 */
const GOLDEN_F16_INPUT: F16MatmulInput = "f32-tinyblas";

/**
 * The reference mode of a group's `activations` param. The manifests spell llama.cpp's arithmetic
 * "ggml" (spec/golden.md §2, kept so the corpus stays byte-identical); its expected values are
 * reference/model's ggml-exact mode, "ggml-x86" arithmetic for the ops (spec/forward.md §9.1).
 */
function activations(group: GroupSpec): Extract<ForwardActivationMode, "f32" | "ggml-exact"> {
  const golden = choiceParam<GoldenActivations>(group, "activations", ["f32", "ggml"]);
  return golden === "ggml" ? "ggml-exact" : "f32";
}

function packedFormat(group: GroupSpec): PackedDtype {
  if (
    group.format === "f32" ||
    group.format === "trirun" ||
    group.format === "i2_s" ||
    group.format === "hf-bitnet" ||
    group.format === "w2a8"
  )
    throw new ManifestError(`a ${group.op} group needs a ggml packed format, not ${group.format}`);
  return group.format;
}

function floatInput(inputs: Readonly<Record<string, Tensor>>, role: string, shape: readonly number[]): FloatTensor {
  const tensor = inputs[role];
  if (tensor === undefined || tensor.dtype !== "float32")
    throw new ManifestError(`input '${role}' must be a float32 .npy`);
  if (tensor.shape.join() !== shape.join() || tensor.shape.length !== shape.length)
    throw new ManifestError(
      `input '${role}' has shape [${tensor.shape.join(", ")}], the params say [${shape.join(", ")}]`,
    );
  return tensor;
}

function packedInput(
  inputs: Readonly<Record<string, Tensor>>,
  role: string,
  dtype: PackedDtype,
  rows: number,
  cols: number,
): Uint8Array {
  const tensor = inputs[role];
  if (tensor === undefined || tensor.dtype !== dtype) throw new ManifestError(`input '${role}' must be ${dtype} rows`);
  if (tensor.shape[0] !== rows || tensor.shape[1] !== cols)
    throw new ManifestError(
      `input '${role}' has shape [${tensor.shape.join(", ")}], the params say [${rows}, ${cols}]`,
    );
  return tensor.data;
}

/** Row b of a [B, n] float tensor. */
function row(tensor: FloatTensor, b: number, n: number): Float32Array {
  return tensor.data.subarray(b * n, (b + 1) * n);
}

/** Concatenate rows into a [rows.length, n] tensor. */
function stack(rows: readonly Float32Array[], n: number): FloatTensor {
  const out = new Float32Array(rows.length * n);
  rows.forEach((r, i) => out.set(r, i * n));
  return floatTensor([rows.length, n], out);
}

let cachedModel: { path: string; sha256: string; model: LoadedModelFile } | undefined;

/** The embedded model and its sha256 (loaded once). */
export function goldenModel(): { sha256: string; model: LoadedModelFile } {
  const path = embeddedModelPath();
  if (cachedModel?.path !== path) {
    cachedModel = { path, sha256: sha256Hex(readFileSync(path)), model: loadModel(path) };
  }
  return cachedModel;
}

/** The output roles of each op, in the order the manifest lists them (a trirun matmul's: outputRolesOf). */
export const OUTPUT_ROLES: Readonly<Record<GoldenOp, readonly string[]>> = {
  quantize: ["weight"],
  dequantize: ["w"],
  ...TRIRUN_OUTPUT_ROLES,
  matmul: ["y"],
  rmsnorm: ["y"],
  rope: ["y"],
  attention: ["y"],
  swiglu: ["y"],
  model: ["logits"],
};

/** The input roles of each op (a trirun matmul's: inputRolesOf). */
export const INPUT_ROLES: Readonly<Record<GoldenOp, readonly string[]>> = {
  quantize: ["w"],
  dequantize: ["weight"],
  ...TRIRUN_INPUT_ROLES,
  matmul: ["weight", "x"],
  rmsnorm: ["x", "gamma"],
  rope: ["x"],
  attention: ["q", "k", "v"],
  swiglu: ["gate", "up"],
  model: [],
};

/** A group's input roles: INPUT_ROLES of its op, TriRun's B, s and x for a trirun matmul (spec/golden.md §9). */
export function inputRolesOf(group: Pick<GroupSpec, "op" | "format">): readonly string[] {
  if (group.format === "i2_s") return i2sRoles(group.op, "inputs");
  if (group.format === "hf-bitnet") return hfBitnetRoles(group.op, "inputs");
  if (group.format === "w2a8") return w2a8Roles(group.op, "inputs");
  return group.op === "matmul" && group.format === "trirun" ? TRIRUN_MATMUL_INPUT_ROLES : INPUT_ROLES[group.op];
}

/** A group's output roles: OUTPUT_ROLES of its op (y for a trirun matmul too). */
export function outputRolesOf(group: Pick<GroupSpec, "op" | "format">): readonly string[] {
  if (group.format === "i2_s") return i2sRoles(group.op, "outputs");
  if (group.format === "hf-bitnet") return hfBitnetRoles(group.op, "outputs");
  if (group.format === "w2a8") return w2a8Roles(group.op, "outputs");
  return OUTPUT_ROLES[group.op];
}

/**
 * The expected outputs of one test: role → tensor, computed by the reference. ManifestError when
 * the params or inputs do not fit the op.
 */
export function computeOutputs(group: GroupSpec, inputs: Readonly<Record<string, Tensor>>): Record<string, Tensor> {
  if (group.format === "i2_s") return computeI2sOutputs(group, inputs);
  if (group.format === "hf-bitnet") return computeHfBitnetOutputs(group, inputs);
  if (group.format === "w2a8") return computeW2a8Outputs(group, inputs);
  switch (group.op) {
    case "pack":
    case "unpack":
    case "validate":
      return computeTrirunOutputs({ ...group, op: group.op }, inputs);
    case "quantize": {
      const dtype = packedFormat(group);
      const rows = intParam(group, "rows");
      const cols = intParam(group, "cols");
      const w = floatInput(inputs, "w", [rows, cols]);
      const parts = Array.from({ length: rows }, (_, r) => quantizeRow(ggmlTypeOf(dtype), row(w, r, cols)));
      const data = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
      parts.reduce((offset, p) => (data.set(p, offset), offset + p.length), 0);
      return { weight: packedTensor(dtype, rows, cols, data) };
    }
    case "dequantize": {
      const dtype = packedFormat(group);
      const rows = intParam(group, "rows");
      const cols = intParam(group, "cols");
      const bytes = packedInput(inputs, "weight", dtype, rows, cols);
      const rowBytes = bytes.length / rows;
      const out = Array.from({ length: rows }, (_, r) =>
        dequantizeRow(ggmlTypeOf(dtype), bytes.subarray(r * rowBytes, (r + 1) * rowBytes), cols),
      );
      return { w: stack(out, cols) };
    }
    case "matmul": {
      if (group.format === "trirun") return computeTrirunMatmul(group, inputs);
      const dtype = packedFormat(group);
      if (dtype === "q8_K") throw new ManifestError("matmul groups take tq1_0 or tq2_0 weights");
      const rows = intParam(group, "rows");
      const cols = intParam(group, "cols");
      const batch = intParam(group, "batch");
      const mode = activations(group);
      const matrix = { type: ggmlTypeOf(dtype), rows, cols, data: packedInput(inputs, "weight", dtype, rows, cols) };
      const x = floatInput(inputs, "x", [batch, cols]);
      return {
        y: stack(
          Array.from({ length: batch }, (_, b) => linear(matrix, row(x, b, cols), mode, GOLDEN_F16_INPUT)),
          rows,
        ),
      };
    }
    case "rmsnorm": {
      const n = intParam(group, "n");
      const batch = intParam(group, "batch");
      const eps = numberParam(group, "eps");
      const x = floatInput(inputs, "x", [batch, n]);
      const gamma = floatInput(inputs, "gamma", [n]);
      return {
        y: stack(
          Array.from({ length: batch }, (_, b) => rmsNorm(row(x, b, n), gamma.data, eps)),
          n,
        ),
      };
    }
    case "rope": {
      const heads = intParam(group, "heads");
      const headDim = intParam(group, "headDim");
      const ropeDim = intParam(group, "ropeDim");
      const theta = numberParam(group, "theta");
      const style = choiceParam(group, "style", ["adjacent", "rotate-half"] as const);
      const arithmetic = opArithmeticOf(activations(group));
      const positions = intListParam(group, "positions");
      if (ropeDim > headDim || ropeDim % 2 !== 0)
        throw new ManifestError("rope: ropeDim must be even and at most headDim");
      const width = heads * headDim;
      const x = floatInput(inputs, "x", [positions.length, width]);
      const out = positions.map((pos, t) => {
        const v = row(x, t, width).slice();
        applyRope(v, headDim, ropeAngles(pos, ropeDim, theta, arithmetic), style, arithmetic);
        return v;
      });
      return { y: stack(out, width) };
    }
    case "attention": {
      const nHeads = intParam(group, "nHeads");
      const nKvHeads = intParam(group, "nKvHeads");
      const headDim = intParam(group, "headDim");
      const seqLen = intParam(group, "seqLen");
      const arithmetic = opArithmeticOf(activations(group));
      if (nHeads % nKvHeads !== 0) throw new ManifestError("attention: nHeads must be a multiple of nKvHeads");
      const qDim = nHeads * headDim;
      const kvDim = nKvHeads * headDim;
      const q = floatInput(inputs, "q", [seqLen, qDim]);
      const k = floatInput(inputs, "k", [seqLen, kvDim]);
      const v = floatInput(inputs, "v", [seqLen, kvDim]);
      const out = Array.from({ length: seqLen }, (_, s) =>
        attendQuery(
          k.data,
          v.data,
          s + 1,
          row(q, s, qDim),
          { nHeads, nKvHeads, headDim },
          { arithmetic, cacheType: "f32" },
        ),
      );
      return { y: stack(out, qDim) };
    }
    case "swiglu": {
      const n = intParam(group, "n");
      const batch = intParam(group, "batch");
      const arithmetic = opArithmeticOf(activations(group));
      const gate = floatInput(inputs, "gate", [batch, n]);
      const up = floatInput(inputs, "up", [batch, n]);
      return {
        y: stack(
          Array.from({ length: batch }, (_, b) => swiglu(row(gate, b, n), row(up, b, n), arithmetic)),
          n,
        ),
      };
    }
    case "model": {
      const mode = activations(group);
      const tokens = intListParam(group, "tokens");
      if (param(group, "model") !== MODEL_PARAM)
        throw new ManifestError(`a model group's param 'model' must be ${MODEL_PARAM}`);
      const { sha256, model } = goldenModel();
      if (param(group, "modelSha256") !== sha256)
        throw new Error(
          `${MODEL_PARAM} has sha256 ${sha256}, the manifest expects ${String(param(group, "modelSha256"))}`,
        );
      const logits = evaluateSequence(model.config, model.weights, tokens, {
        activations: mode,
        kvCache: "f32",
        f16MatmulInput: GOLDEN_F16_INPUT,
      });
      return { logits: stack(logits, model.config.vocabSize) };
    }
  }
}
