/**
 * llama.cpp's bitnet architecture (spec/forward.md §17) against llama.cpp itself: golden/external/llama-bitnet/
 * holds random BitNet-shaped GGUFs (dim 512, 4 heads, 1 KV head, head dim 128, FFN 1280, 2 layers, tied head) —
 * `ts-*` with each matrix stored as T·s, `scale-*` with T and the F32 `blk.N.<linear>.scale` tensors — quantized
 * by llama-quantize, and llama.cpp de3ff815's logits for 32 tokens in one llama_decode: with its SiLU graph, and
 * with the ReLU² graph of llama.cpp PR #25885 (PROVENANCE.md). ggml-exact mode must reproduce every logit bit for
 * bit with the matching activation; f32 mode must meet spec/tolerances.md §9.1 against llama.cpp's logits of the
 * F32 source, which quantizes no activation. Then: the loader's bitnet reading, its refusals, and
 * `make-model --arch bitnet`'s files read back.
 */

import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { GgmlType } from "../../../reference/codec/index.js";
import { evaluateSequence, type ForwardOptions } from "../../../reference/model/forward.js";
import { decodeMatrixRow } from "../../../reference/model/packed-matrix.js";
import { findPreset } from "../../../reference/model/presets.js";
import { layerLinears } from "../../../reference/model/weights.js";
import { argmaxAgreement, NMSE_TOLERANCE, nmse } from "../../../reference/tolerances/index.js";
import { InputError, UsageError } from "../../../src/errors.js";
import { GgufFile, parseGguf, serializeGguf, type GgufTensor } from "../../../src/gguf/index.js";
import { modelFromGguf, type GgufModelOptions } from "../../../src/model/gguf-model.js";
import { randomTrilm } from "../../../src/model/random-model.js";

const FIXTURES = new URL("../../../golden/external/llama-bitnet/", import.meta.url);
const VOCAB = 512;
const GGML: ForwardOptions = { activations: "ggml-exact", kvCache: "f32" };
const F32: ForwardOptions = { activations: "f32", kvCache: "f32" };

/** Read a fixture file. */
function read(name: string): Buffer {
  return readFileSync(new URL(name, FIXTURES));
}

const TOKENS = (JSON.parse(read("tokens.json").toString("utf8")) as { tokens: number[] }).tokens;

/** The GGUF fixture `model` (without .gguf), parsed. */
function fixture(model: string): GgufFile {
  const name = `${model}.gguf`;
  return parseGguf(new Uint8Array(read(name)), name);
}

/** llama.cpp's logits in `name`: one Float32Array[VOCAB] per token. */
function llamaLogits(name: string): Float32Array[] {
  const bytes = read(name);
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  expect(all.length).toBe(TOKENS.length * VOCAB);
  return TOKENS.map((_, pos) => all.subarray(pos * VOCAB, (pos + 1) * VOCAB));
}

/** The oracle's logits of `model` with `load` options, evaluated as one batch (one llama_decode). */
function oracleLogits(model: string, load: GgufModelOptions, options: ForwardOptions): Float32Array[] {
  const { config, weights } = modelFromGguf(fixture(model), load);
  return evaluateSequence(config, weights, TOKENS, options);
}

/** Positions whose logits are not all bit-identical. */
function differingPositions(ours: readonly Float32Array[], llama: readonly Float32Array[]): number[] {
  return ours.flatMap((row, pos) => (row.some((v, i) => !Object.is(v, llama[pos][i])) ? [pos] : []));
}

/** One llama.cpp run: the model file, the FFN activation of the graph, and its logits file. */
interface BitnetCase {
  readonly model: string;
  readonly act: "silu" | "relu2";
  readonly logits: string;
  readonly variant: string;
}

const CASES: readonly BitnetCase[] = [
  { model: "ts-tq2_0", act: "silu", logits: "logits-ts-tq2_0.f32", variant: "T·s, TQ2_0, F16 head" },
  { model: "ts-tq1_0", act: "silu", logits: "logits-ts-tq1_0.f32", variant: "T·s, TQ1_0, F16 head" },
  { model: "scale-tq2_0", act: "silu", logits: "logits-scale-tq2_0.f32", variant: ".scale tensors, TQ2_0, F32 head" },
  { model: "ts-tq2_0", act: "relu2", logits: "logits-ts-tq2_0-relu2.f32", variant: "T·s, TQ2_0, ReLU² graph" },
  {
    model: "scale-tq2_0",
    act: "relu2",
    logits: "logits-scale-tq2_0-relu2.f32",
    variant: ".scale tensors, ReLU² graph",
  },
];

describe.each(CASES)("$model.gguf with $act ($variant) against llama.cpp", (c) => {
  test("ggml-exact mode: every logit at every position is bit-identical to llama.cpp's", () => {
    const ours = oracleLogits(c.model, { ffnActivation: c.act }, GGML);
    expect(differingPositions(ours, llamaLogits(c.logits))).toEqual([]);
  });
});

describe.each(["silu", "relu2"] as const)("scale-tq2_0.gguf with %s in f32 mode", (act) => {
  test("within spec/tolerances.md §9.1 of llama.cpp on the F32 source (NMSE ≤ 1e-6, argmax)", () => {
    const llama = llamaLogits(act === "silu" ? "logits-scale-f32.f32" : "logits-scale-f32-relu2.f32");
    const ours = oracleLogits("scale-tq2_0", { ffnActivation: act }, F32);
    const error = nmse(ours, llama);
    console.log(`scale-tq2_0 ${act} f32 mode against llama.cpp's F32 source: NMSE ${error.toExponential(2)}`);
    expect(error).toBeLessThanOrEqual(NMSE_TOLERANCE);
    expect(ours.map((row, pos) => argmaxAgreement(row, llama[pos], NMSE_TOLERANCE))).not.toContain("disagree");
  });
});

test("the FFN activation decides the logits: SiLU differs from llama.cpp's ReLU² graph at every position", () => {
  const ours = oracleLogits("ts-tq2_0", {}, GGML);
  expect(differingPositions(ours, llamaLogits("logits-ts-tq2_0.f32"))).toEqual([]);
  expect(differingPositions(ours, llamaLogits("logits-ts-tq2_0-relu2.f32"))).toHaveLength(TOKENS.length);
});

describe("modelFromGguf on a bitnet file", () => {
  test("reads the bitnet.* keys, NEOX RoPE, SiLU by default, sub-norms, .scale tensors, and ties the head", () => {
    const { config, weights } = modelFromGguf(fixture("scale-tq2_0"));
    expect(config).toEqual(findPreset("bitnet-tiny")!.config);
    expect(weights.output).toBe(weights.tokenEmbedding);
    for (const layer of weights.layers) {
      expect(layer.attnSubNorm).toHaveLength(512);
      expect(layer.ffnSubNorm).toHaveLength(1280);
      expect(Object.keys(layer.outputScales ?? {}).sort()).toEqual(
        layerLinears(layer)
          .map(([n]) => n)
          .sort(),
      );
      expect(Object.values(layer.outputScales ?? {}).every((s) => s.op === "multiply" && s.value > 0)).toBe(true);
    }
    expect(modelFromGguf(fixture("ts-tq2_0")).weights.layers[0].outputScales).toBeUndefined();
  });

  /** The tensors of `file`, changed by `edit`, as a new in-memory file of the same metadata. */
  function edited(file: GgufFile, edit: (tensors: GgufTensor[]) => GgufTensor[]): GgufFile {
    return GgufFile.create(file.name, file.metadata, edit(file.tensors.map((t) => ({ ...t }))));
  }

  /** The one-line InputError message of loading `file`. */
  function refusal(file: GgufFile, options: GgufModelOptions = {}): string {
    try {
      modelFromGguf(file, options);
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      const message = (error as Error).message;
      expect(message).not.toContain("\n");
      return message;
    }
    throw new Error(`${file.name} loaded`);
  }

  const scaled = fixture("scale-tq2_0");
  const f32 = (name: string, values: number[]): GgufTensor => ({
    name,
    type: GgmlType.F32,
    ne: [values.length],
    data: new Uint8Array(Float32Array.from(values).buffer),
  });

  test("refuses output.weight (llama.cpp's bitnet graph has none and refuses such a file)", () => {
    const withOutput = edited(scaled, (ts) => [
      ...ts,
      { ...ts.find((t) => t.name === "token_embd.weight")!, name: "output.weight" },
    ]);
    expect(refusal(withOutput)).toMatch(/^scale-tq2_0\.gguf: .*'output\.weight'.*bitnet/);
  });

  test("refuses a missing sub-norm, naming the tensor", () => {
    const file = edited(scaled, (ts) => ts.filter((t) => t.name !== "blk.1.ffn_sub_norm.weight"));
    expect(refusal(file)).toContain("missing tensor 'blk.1.ffn_sub_norm.weight'");
  });

  test("refuses a .scale tensor of the wrong shape or type, naming the tensor", () => {
    const twoValues = edited(scaled, (ts) =>
      ts.map((t) => (t.name === "blk.0.attn_k.scale" ? f32(t.name, [0.5, 0.5]) : t)),
    );
    expect(refusal(twoValues)).toContain("tensor 'blk.0.attn_k.scale' has shape [2], expected [1]");
    const f16 = edited(scaled, (ts) =>
      ts.map((t) => (t.name === "blk.0.ffn_up.scale" ? { ...t, type: GgmlType.F16, data: new Uint8Array(2) } : t)),
    );
    expect(refusal(f16)).toContain("tensor 'blk.0.ffn_up.scale' has type F16, expected F32");
  });

  test("refuses bitnet-only tensors in a llama file and relu2 for a llama file", () => {
    const llama = randomTrilm("tiny", 1, "tq2_0");
    const withSubNorm = edited(llama, (ts) => [
      ...ts,
      f32("blk.0.attn_sub_norm.weight", new Array<number>(256).fill(1)),
    ]);
    expect(refusal(withSubNorm)).toContain("unsupported tensor 'blk.0.attn_sub_norm.weight'");
    expect(refusal(llama, { ffnActivation: "relu2" })).toContain("is a llama model, whose FFN activation is SiLU");
    expect(modelFromGguf(llama, { ffnActivation: "silu" }).config.ffnActivation).toBeUndefined();
  });
});

describe("make-model --arch bitnet (randomTrilm of bitnet-tiny)", () => {
  const plain = randomTrilm("bitnet-tiny", 3, "tq2_0");
  const scaled = randomTrilm("bitnet-tiny", 3, "tq2_0", { scaleTensors: true });

  test("writes llama.cpp's bitnet file: bitnet.* keys, sub-norms, no output.weight, .scale tensors when asked", () => {
    expect(plain.getString("general.architecture")).toBe("bitnet");
    expect(plain.getUint32("bitnet.attention.head_count_kv")).toBe(1);
    expect(plain.tensor("output.weight")).toBeUndefined();
    expect(plain.tensor("blk.1.attn_sub_norm.weight")?.ne).toEqual([512]);
    expect(plain.tensors.filter((t) => t.name.endsWith(".scale"))).toEqual([]);
    expect(scaled.tensors.filter((t) => t.name.endsWith(".scale"))).toHaveLength(2 * 7);
    expect(() => randomTrilm("tiny", 3, "tq2_0", { scaleTensors: true })).toThrow(UsageError);
  });

  test("reads back as the preset, through bytes, with each .scale equal to the scale of the T·s matrix", () => {
    const back = modelFromGguf(parseGguf(serializeGguf(scaled), "bitnet-tiny.gguf"));
    expect(back.config).toEqual(findPreset("bitnet-tiny")!.config);
    const ts = modelFromGguf(plain).weights.layers[0];
    const unit = back.weights.layers[0];
    for (const [name, matrix] of layerLinears(ts)) {
      const s = unit.outputScales?.[name]?.value ?? NaN;
      const row = decodeMatrixRow(matrix, 0);
      const trits = decodeMatrixRow(unit[name], 0);
      expect(row.map((v, i) => (trits[i] === 0 ? 0 : v / trits[i]))).toEqual(trits.map((t) => (t === 0 ? 0 : s)));
    }
  });

  test("both storages give the same model: f32-mode logits within NMSE 1e-6 of each other", () => {
    const a = modelFromGguf(plain);
    const b = modelFromGguf(scaled);
    const tokens = TOKENS.slice(0, 8);
    const error = nmse(
      evaluateSequence(b.config, b.weights, tokens, F32),
      evaluateSequence(a.config, a.weights, tokens, F32),
    );
    expect(error).toBeLessThanOrEqual(NMSE_TOLERANCE);
  });
});

test("every file matches the sha256 list in PROVENANCE.md, and every file is listed", () => {
  const provenance = read("PROVENANCE.md").toString("utf8");
  const listed = new Map<string, { bytes: number; sha256: string }>();
  for (const [, path, bytes, sha256] of provenance.matchAll(/^\| `([^`]+)` \| (\d+) \| `([0-9a-f]{64})` \|$/gm))
    listed.set(path, { bytes: Number(bytes), sha256 });
  const files = readdirSync(FIXTURES).filter((name) => name !== "PROVENANCE.md");
  expect([...listed.keys()].sort()).toEqual(files.sort());
  for (const name of files) {
    const bytes = read(name);
    expect({ bytes: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") }, name).toEqual(
      listed.get(name),
    );
  }
});
