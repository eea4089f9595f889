/**
 * The forward pass against the real llama.cpp on random TriLM shapes, on every run: node-llama-cpp
 * (a devDependency) ships llama.cpp's CPU backend as prebuilt npm packages, so no build and no
 * download is needed (spec/forward.md §9.3, "llama.cpp in the test suite").
 *
 * Each run draws a TriLM-shaped model (MHA or GQA 2/4, head dim 64/128, tied or untied output,
 * rope base 10000/500000, eps 1e-5/1e-6, 1–5 FFN blocks of 256, TQ2_0/TQ1_0/F16 matrices packed by
 * reference/codec's quantizers), writes it as a GGUF file, and compares every logit at every position
 * of a random prompt: llama.cpp (1 thread, F32 KV cache, flash attention off, one batch with every
 * position's logits) against `trilm run --activations ggml` (evaluateSequence in ggml-exact mode),
 * bit for bit; then one more token decoded alone (a second batch, of one token) against `forward` after
 * `decode` of the prompt.
 *
 * The prebuilt package holds one CPU backend per x86-64 micro-architecture (GGML_CPU_ALL_VARIANTS)
 * and ggml loads the best the machine supports. ggml-exact mode reproduces the AVX-512 build
 * (LLAMA_REFERENCE_ISA); the variants below were checked bit-identical on golden/external/llama-matrix.
 * On any other variant (AVX2 and narrower, or one not checked) or platform the test is skipped, saying why.
 */

import fc from "fast-check";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import type { ControlledEvaluateInputItem, Llama, Token } from "node-llama-cpp";
import {
  createForwardState,
  decode,
  evaluateSequence,
  forward,
  type ForwardOptions,
} from "../../reference/model/forward.js";
import type { TrilmPreset } from "../../reference/model/presets.js";
import { parseGguf } from "../../src/gguf/index.js";
import { modelFromGguf } from "../../src/model/gguf-model.js";
import { planRandomTrilm, type RandomModelType } from "../../src/model/random-model.js";
import { writePlannedGguf } from "../../src/model/stream-gguf.js";
import { checkAsyncProperty } from "../support/property.js";

/** ggml CPU backend variants (libggml-cpu-<name>.so) whose arithmetic is the AVX-512 build's, checked bit-identical. */
const AVX512_VARIANTS: readonly string[] = ["skylakex", "cannonlake", "cascadelake", "cooperlake", "icelake", "zen4"];

const GGML: ForwardOptions = { activations: "ggml-exact", kvCache: "f32" };

/** llama.cpp through node-llama-cpp, CPU only, never building or downloading; or why it cannot be compared. */
async function loadLlama(): Promise<{ llama: Llama; variant: string } | { skip: string }> {
  if (process.platform !== "linux" || process.arch !== "x64")
    return {
      skip: `${process.platform}-${process.arch}: ggml-exact mode emulates llama.cpp's x86-64 AVX-512 build only`,
    };
  const { getLlama, LlamaLogLevel } = await import("node-llama-cpp");
  const loaded: string[] = [];
  const llama = await getLlama({
    gpu: false,
    build: "never",
    skipDownload: true,
    progressLogs: false,
    logLevel: LlamaLogLevel.debug,
    logger: (_level, message) => {
      const match = /load_backend: loaded CPU backend from .*libggml-cpu-([a-z0-9_]+)\.so/.exec(message);
      if (match !== null) loaded.push(match[1]);
    },
  });
  // llama.cpp's log lines reach the logger asynchronously: wait (up to 5 s) for the backend's.
  for (let waited = 0; loaded.length === 0 && waited < 5000; waited += 10) await new Promise((r) => setTimeout(r, 10));
  const variant = loaded.join(",");
  if (!AVX512_VARIANTS.includes(variant)) {
    await llama.dispose();
    return {
      skip:
        `ggml loaded the CPU backend '${variant || "unknown"}'; ggml-exact mode emulates the AVX-512 build ` +
        `(${AVX512_VARIANTS.join(", ")}), not this one`,
    };
  }
  return { llama, variant };
}

const probe = await loadLlama();
const workDir = mkdtempSync(join(tmpdir(), "trilm-node-llama-cpp-"));
afterAll(async () => {
  rmSync(workDir, { recursive: true, force: true });
  if ("llama" in probe) await probe.llama.dispose();
});

/** One random case: the model's shape and storage, its seed, and the prompt. */
interface AgreementCase {
  readonly dim: number;
  readonly headDim: number;
  readonly gqa: number;
  readonly ffnBlocks: number;
  readonly nLayers: number;
  readonly vocabSize: number;
  readonly normEps: number;
  readonly ropeTheta: number;
  readonly tied: boolean;
  readonly type: RandomModelType;
  readonly seed: number;
  readonly tokens: readonly number[];
  /** A token generated after the prompt: decoded alone, a batch of one token (node-llama-cpp's second call). */
  readonly next: number;
}

/**
 * Random cases: dim 256/512, head dim 64/128, 1, 2 or 4 query heads per KV head, prompts of 1…40 tokens
 * starting with BOS (1) and one generated token after them, vocabularies 260…600 — any, not only multiples
 * of 4: llamafile_sgemm declines a matmul of n < 2 tokens or m % 4 ≠ 0 rows (found by this test), and
 * ggml-exact mode follows it (spec/forward.md §9.3).
 */
const agreementCase: fc.Arbitrary<AgreementCase> = fc
  .record({
    dim: fc.constantFrom(256, 512),
    headDim: fc.constantFrom(64, 128),
    gqa: fc.constantFrom(1, 2, 4),
    ffnBlocks: fc.integer({ min: 1, max: 5 }),
    nLayers: fc.integer({ min: 1, max: 2 }),
    vocabSize: fc.integer({ min: 260, max: 600 }),
    normEps: fc.constantFrom(Math.fround(1e-5), Math.fround(1e-6)),
    ropeTheta: fc.constantFrom(10000, 500000),
    tied: fc.boolean(),
    type: fc.constantFrom<RandomModelType>("tq2_0", "tq1_0", "f16"),
    seed: fc.integer({ min: 0, max: 0xffffffff }),
    length: fc.integer({ min: 1, max: 40 }),
    draws: fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 40, maxLength: 40 }),
  })
  .map(({ length, draws, ...c }) => {
    const ids = draws.map((u) => 3 + Math.floor(u * (c.vocabSize - 3)));
    return { ...c, tokens: [1, ...ids.slice(0, length - 1)], next: ids[length - 1] };
  });

/** The case's model as a GGUF file in workDir (output.weight dropped when tied: llama.cpp then uses token_embd). */
function writeModel(c: AgreementCase, path: string): void {
  const nHeads = c.dim / c.headDim;
  const nKvHeads = Math.max(1, Math.floor(nHeads / c.gqa));
  const preset: TrilmPreset = {
    name: "agreement",
    modelParallel: 1,
    config: {
      dim: c.dim,
      hiddenDim: 256 * c.ffnBlocks,
      nLayers: c.nLayers,
      nHeads,
      nKvHeads,
      headDim: c.headDim,
      vocabSize: c.vocabSize,
      contextLength: 256,
      normEps: c.normEps,
      ropeTheta: c.ropeTheta,
      ropeDim: c.headDim,
      ropeStyle: "adjacent",
    },
  };
  const plan = planRandomTrilm(preset, c.seed, c.type);
  const tensors = c.tied ? plan.tensors.filter((t) => t.name !== "output.weight") : plan.tensors;
  writePlannedGguf(path, { ...plan, tensors });
}

/**
 * llama.cpp's logits for every position of the prompt, one batch, then for `next` decoded alone after it:
 * row-major [tokens + 1, vocab].
 */
async function llamaLogits(
  llama: Llama,
  path: string,
  tokens: readonly number[],
  next: number,
  vocab: number,
): Promise<Float32Array> {
  const model = await llama.loadModel({ modelPath: path, gpuLayers: 0 });
  try {
    const context = await model.createContext({
      contextSize: 256,
      batchSize: 512,
      sequences: 1,
      threads: { ideal: 1, min: 1 },
      flashAttention: false,
      experimentalKvCacheKeyType: "F32",
      experimentalKvCacheValueType: "F32",
    });
    const sequence = context.getSequence();
    const input = (ids: readonly number[]) =>
      ids.map((t): ControlledEvaluateInputItem => [t as Token, { generateNext: { logits: true } }]);
    const results = [
      ...(await sequence.controlledEvaluate(input(tokens))),
      ...(await sequence.controlledEvaluate(input([next]))),
    ];
    const logits = new Float32Array((tokens.length + 1) * vocab).fill(Number.NaN);
    results.forEach((result, pos) => {
      for (const [token, value] of result?.next?.logits ?? []) logits[pos * vocab + token] = value;
    });
    await context.dispose();
    return logits;
  } finally {
    await model.dispose();
  }
}

/** Positions whose logits are not all bit-identical. */
function differingPositions(ours: Float32Array, theirs: Float32Array, vocab: number): number[] {
  const positions: number[] = [];
  for (let pos = 0; pos * vocab < theirs.length; pos++)
    for (let i = pos * vocab; i < (pos + 1) * vocab; i++)
      if (!Object.is(ours[i], theirs[i])) {
        positions.push(pos);
        break;
      }
  return positions;
}

test("random TriLM shapes: ggml-exact logits are bit-identical to llama.cpp's (node-llama-cpp)", async (ctx) => {
  if ("skip" in probe) {
    process.stdout.write(`[node-llama-cpp] skipped: ${probe.skip}\n`);
    ctx.skip(probe.skip);
    return;
  }
  const { llama, variant } = probe;
  process.stdout.write(`[node-llama-cpp] llama.cpp CPU backend: libggml-cpu-${variant}.so\n`);
  let run = 0;
  await checkAsyncProperty(
    "node-llama-cpp agreement",
    fc.asyncProperty(agreementCase, async (c) => {
      const path = join(workDir, `case-${run++}.gguf`);
      writeModel(c, path);
      const { config, weights } = modelFromGguf(parseGguf(new Uint8Array(readFileSync(path)), path));
      const ours = new Float32Array((c.tokens.length + 1) * c.vocabSize);
      evaluateSequence(config, weights, [...c.tokens], GGML).forEach((row, pos) => ours.set(row, pos * c.vocabSize));
      const state = createForwardState(config, weights, GGML);
      decode(state, c.tokens, 0);
      ours.set(forward(state, c.next, c.tokens.length), c.tokens.length * c.vocabSize);
      const theirs = await llamaLogits(llama, path, c.tokens, c.next, c.vocabSize);
      rmSync(path);
      expect(differingPositions(ours, theirs, c.vocabSize)).toEqual([]);
    }),
    { numRuns: 5, interruptAfterTimeLimit: 50_000 },
  );
}, 60_000);
