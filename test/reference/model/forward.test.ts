/**
 * reference/model/forward.ts — the TriLM forward pass (spec/forward.md §8).
 *
 * Properties, on small random models (test/support/tiny-model.ts):
 * - §8.2: token-by-token decoding with the KV cache (`forward` at positions 0..n−1) gives the same
 *   logits as full-sequence evaluation with an explicit causal mask (`evaluateSequence`), BIT FOR
 *   BIT, in f32 and ggml-exact modes (there with micro-batches of one token, `ubatchTokens: 1`: tinyBLAS
 *   declines n < 2, so one batch of the prompt differs), with f32 and f16 caches — including across the
 *   32-position boundary where llama.cpp's KV window n_kv grows;
 * - causality: changing token t changes no logits before t, and does change the logits at t;
 * - §2/§10.4: the same ternary model stored as TQ1_0, TQ2_0, F16 or F32 gives IDENTICAL logits in
 *   f32 mode (decoding is exact, the sums are the same float64 sums);
 * - §7: a model with nKvHeads < nHeads equals, bit for bit, the model whose W_k, W_v rows are
 *   duplicated for every query head of a group (kv head = ⌊h / (nHeads/nKvHeads)⌋);
 * - §4.3: a Hugging Face (rotate-half) model and its GGUF form (q/k rows permuted, adjacent pairs)
 *   agree up to the summation order of q·k, while pairing the wrong convention with the weights
 *   does not;
 * - §13: a token outside the vocabulary or a position outside the context is a RangeError that
 *   names the numbers.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { GgmlType } from "../../../reference/codec/index.js";
import {
  createForwardState,
  decode,
  F32_FORWARD_OPTIONS,
  evaluateSequence,
  forward,
  type ForwardOptions,
  LLAMA_UBATCH_TOKENS,
  matmulBatchAt,
  repackKernelAt,
} from "../../../reference/model/forward.js";
import type { KvCacheType } from "../../../reference/model/kv-cache.js";
import type { ForwardActivationMode } from "../../../reference/model/modes.js";
import { nmse } from "../../../reference/tolerances/index.js";
import { checkProperty } from "../../support/property.js";
import {
  duplicateKvHeads,
  firstDifference,
  packModel,
  permuteToAdjacent,
  randomModelValues,
  randomTokens,
  sameBits,
  tinyModel,
  type TinyModel,
  type TinyModelSpec,
} from "../../support/tiny-model.js";
import { mulberry32 } from "../../../src/random/mulberry32.js";

/** Logits for every position, one `forward` call per token on a fresh state. */
function incremental(
  model: TinyModel | { config: TinyModel["config"]; weights: TinyModel["weights"] },
  tokens: readonly number[],
  options: ForwardOptions,
): Float32Array[] {
  const state = createForwardState(model.config, model.weights, options);
  return tokens.map((token, pos) => forward(state, token, pos));
}

/**
 * The options evaluateSequence needs to match token-by-token decoding: in ggml-exact mode, micro-batches of one
 * token (llama.cpp's kernels depend on the micro-batch: tinyBLAS declines n < 2, spec §9.3).
 */
function decodedAlone(options: ForwardOptions): ForwardOptions {
  return options.activations === "ggml-exact" ? { ...options, ubatchTokens: 1 } : options;
}

/** Describe the first differing logit for a failure message. */
function where(a: Float32Array[], b: Float32Array[]): string {
  for (let p = 0; p < a.length; p++) {
    const i = firstDifference(a[p], b[p]);
    if (i >= 0) return `position ${p}, logit ${i}: ${a[p][i]} vs ${b[p][i]}`;
  }
  return "none";
}

/**
 * Two families of model: "tq" (dim 256 so TQ1_0/TQ2_0 blocks fit, 4 heads of 64) and "small"
 * (F32 weights, odd sizes: exercises ggml's vec_dot fallbacks where tinyBLAS needs m % 4, k % 8).
 */
const modelSpec: fc.Arbitrary<TinyModelSpec> = fc.oneof(
  fc.record({
    seed: fc.integer(),
    nLayers: fc.constantFrom(1, 2),
    nKvHeads: fc.constantFrom(1, 2, 4),
    hiddenDim: fc.constant(256),
    vocabSize: fc.constantFrom(24, 32),
    linearType: fc.constantFrom(GgmlType.TQ2_0, GgmlType.TQ1_0),
    shards: fc.constantFrom(1, 2),
  }),
  fc.record({
    seed: fc.integer(),
    nLayers: fc.constantFrom(1, 2),
    dim: fc.constantFrom(24, 32, 48),
    nHeads: fc.constant(4),
    nKvHeads: fc.constantFrom(1, 2, 4),
    hiddenDim: fc.constantFrom(36, 64),
    vocabSize: fc.constantFrom(19, 32),
    linearType: fc.constant(GgmlType.F32),
    embeddingType: fc.constantFrom(GgmlType.F32, GgmlType.F16),
  }),
);

const COMBINATIONS: ReadonlyArray<readonly [ForwardActivationMode, KvCacheType]> = [
  ["f32", "f32"],
  ["f32", "f16"],
  ["ggml-exact", "f32"],
  ["ggml-exact", "f16"],
];

describe("incremental decoding = full-sequence evaluation (spec §8.2)", () => {
  test.each(COMBINATIONS)(
    "property: %s activations, %s cache — bit for bit at every position",
    (activations, kvCache) => {
      const arbitrary = fc.tuple(modelSpec, fc.integer({ min: 1, max: 5 }), fc.integer());
      checkProperty(
        `forward: incremental = batched (${activations}, ${kvCache} cache)`,
        fc.property(arbitrary, ([spec, n, tokenSeed]) => {
          const model = tinyModel(spec);
          const tokens = randomTokens(mulberry32(tokenSeed), n, model.config.vocabSize);
          const options = { activations, kvCache };
          const stepwise = incremental(model, tokens, options);
          const batched = evaluateSequence(model.config, model.weights, tokens, decodedAlone(options));
          expect(batched).toHaveLength(n);
          stepwise.forEach((row) => expect(row.length).toBe(model.config.vocabSize));
          expect(where(stepwise, batched)).toBe("none");
        }),
        { numRuns: 10 },
      );
    },
  );

  test.each(COMBINATIONS)(
    "40 positions (past the 32-position KV window step), %s activations, %s cache",
    (activations, kvCache) => {
      const model = tinyModel({
        seed: 11,
        dim: 16,
        nHeads: 2,
        nKvHeads: 1,
        hiddenDim: 24,
        vocabSize: 20,
        contextLength: 40,
        nLayers: 1,
        linearType: GgmlType.F32,
      });
      const tokens = randomTokens(mulberry32(12), 40, 20);
      const options = { activations, kvCache };
      expect(
        where(
          incremental(model, tokens, options),
          evaluateSequence(model.config, model.weights, tokens, decodedAlone(options)),
        ),
      ).toBe("none");
    },
  );

  test.each(["f32", "f16"] as const)(
    "ggml-exact, %s cache: one micro-batch of the prompt differs from decoding token by token (tinyBLAS needs n ≥ 2)",
    (kvCache) => {
      const model = tinyModel({
        seed: 5,
        dim: 32,
        nHeads: 4,
        nKvHeads: 2,
        hiddenDim: 64,
        vocabSize: 32,
        nLayers: 1,
        linearType: GgmlType.F32,
      });
      const tokens = randomTokens(mulberry32(6), 4, 32);
      const options: ForwardOptions = { activations: "ggml-exact", kvCache };
      const batched = evaluateSequence(model.config, model.weights, tokens, options);
      expect(where(incremental(model, tokens, options), batched)).not.toBe("none");
      expect(
        where(evaluateSequence(model.config, model.weights, tokens, { ...options, ubatchTokens: 2 }), batched),
      ).toBe("none");
      expect(() => evaluateSequence(model.config, model.weights, tokens, { ...options, ubatchTokens: 0 })).toThrow(
        /micro-batch size 0/,
      );
    },
  );

  test("F32_FORWARD_OPTIONS, the options callers pass for the model as trained: float activations, float32 cache", () => {
    expect(F32_FORWARD_OPTIONS).toEqual({ activations: "f32", kvCache: "f32" });
    const model = tinyModel({ seed: 3, dim: 32, hiddenDim: 32, linearType: GgmlType.F32, nLayers: 1 });
    const state = createForwardState(model.config, model.weights, F32_FORWARD_OPTIONS);
    expect(state.options).toEqual(F32_FORWARD_OPTIONS);
    const batched = evaluateSequence(model.config, model.weights, [5], F32_FORWARD_OPTIONS);
    expect(sameBits(forward(state, 5, 0), batched[0])).toBe(true);
  });
});

describe("decode: one llama_decode call on a state (spec §8.2)", () => {
  test.each(COMBINATIONS)(
    "property: %s activations, %s cache — a prompt decoded = evaluateSequence; then one token decoded = forward",
    (activations, kvCache) => {
      const arbitrary = fc.tuple(modelSpec, fc.integer({ min: 1, max: 5 }), fc.integer());
      checkProperty(
        `forward: decode = evaluateSequence, then forward (${activations}, ${kvCache} cache)`,
        fc.property(arbitrary, ([spec, n, tokenSeed]) => {
          const model = tinyModel(spec);
          const tokens = randomTokens(mulberry32(tokenSeed), n + 1, model.config.vocabSize);
          const options: ForwardOptions = { activations, kvCache };
          const prompt = tokens.slice(0, n);
          const [a, b] = [0, 1].map(() => createForwardState(model.config, model.weights, options));
          expect(where(decode(a, prompt, 0), evaluateSequence(model.config, model.weights, prompt, options))).toBe(
            "none",
          );
          decode(b, prompt, 0);
          expect(where(decode(a, [tokens[n]], n), [forward(b, tokens[n], n)])).toBe("none");
        }),
        { numRuns: 8 },
      );
    },
  );
});

describe("causality", () => {
  test.each(["f32", "ggml-exact"] as const)(
    "property: changing token t leaves positions < t bit for bit and changes position t (%s activations)",
    (activations) => {
      const arbitrary = fc
        .tuple(modelSpec, fc.integer({ min: 2, max: 5 }), fc.integer())
        .chain(([spec, n, tokenSeed]) =>
          fc.tuple(
            fc.constant(spec),
            fc.constant(n),
            fc.constant(tokenSeed),
            fc.nat({ max: n - 1 }),
            fc.integer({ min: 1, max: 1000 }),
          ),
        );
      checkProperty(
        `forward: causal (${activations})`,
        fc.property(arbitrary, ([spec, n, tokenSeed, t, shift]) => {
          const model = tinyModel(spec);
          const vocab = model.config.vocabSize;
          const tokens = randomTokens(mulberry32(tokenSeed), n, vocab);
          const changed = tokens.slice();
          changed[t] = (tokens[t] + 1 + (shift % (vocab - 1))) % vocab; // a different token
          const options = { activations, kvCache: "f32" as const };
          const a = evaluateSequence(model.config, model.weights, tokens, options);
          const b = evaluateSequence(model.config, model.weights, changed, options);
          for (let p = 0; p < t; p++) expect(sameBits(a[p], b[p])).toBe(true);
          expect(sameBits(a[t], b[t])).toBe(false);
        }),
        { numRuns: 10 },
      );
    },
  );
});

describe("storage does not change the model (spec §2, §10.4)", () => {
  test("property: TQ1_0, TQ2_0, F16 and F32 storage of the same ternary model give identical f32-mode logits", () => {
    const arbitrary = fc.record({
      seed: fc.integer(),
      nKvHeads: fc.constantFrom(2, 4),
      shards: fc.constantFrom(1, 2),
      tokenSeed: fc.integer(),
    });
    checkProperty(
      "forward: storage-independent logits",
      fc.property(arbitrary, ({ seed, nKvHeads, shards, tokenSeed }) => {
        const values = randomModelValues({ seed, nLayers: 1, nKvHeads, shards, hiddenDim: 256, vocabSize: 16 });
        const tokens = randomTokens(mulberry32(tokenSeed), 3, 16);
        const logits = [GgmlType.TQ1_0, GgmlType.TQ2_0, GgmlType.F16, GgmlType.F32].map((linearType) => {
          const weights = packModel(values, {
            linearType,
            embeddingType: linearType === GgmlType.F32 ? GgmlType.F32 : GgmlType.F16,
          });
          return evaluateSequence(values.config, weights, tokens, { activations: "f32", kvCache: "f32" });
        });
        for (const other of logits.slice(1)) expect(where(logits[0], other)).toBe("none");
      }),
      { numRuns: 6 },
    );
  });
});

describe("grouped-query attention (spec §7)", () => {
  test.each(["f32", "ggml-exact"] as const)(
    "property: nKvHeads < nHeads equals the model with each kv head duplicated per query head (%s activations)",
    (activations) => {
      const arbitrary = fc
        .oneof(
          fc.record({
            seed: fc.integer(),
            nHeads: fc.constant(4),
            nKvHeads: fc.constantFrom(1, 2),
            dim: fc.constant(256),
            hiddenDim: fc.constant(256),
            vocabSize: fc.constant(16),
            nLayers: fc.constant(1),
            linearType: fc.constant(GgmlType.TQ2_0),
          }),
          fc.record({
            seed: fc.integer(),
            nHeads: fc.constantFrom(4, 6),
            nKvHeads: fc.constantFrom(1, 2),
            dim: fc.constant(48),
            hiddenDim: fc.constant(40),
            vocabSize: fc.constant(20),
            nLayers: fc.constant(2),
            linearType: fc.constant(GgmlType.F32),
          }),
        )
        .chain((spec) => fc.tuple(fc.constant(spec), fc.integer(), fc.constantFrom<KvCacheType>("f32", "f16")));
      checkProperty(
        `forward: GQA = duplicated kv heads (${activations})`,
        fc.property(arbitrary, ([spec, tokenSeed, kvCache]) => {
          const values = randomModelValues(spec);
          const types = { linearType: spec.linearType ?? GgmlType.TQ2_0, embeddingType: GgmlType.F16 };
          const duplicated = duplicateKvHeads(values);
          expect(duplicated.config.nKvHeads).toBe(duplicated.config.nHeads);
          const tokens = randomTokens(mulberry32(tokenSeed), 4, values.config.vocabSize);
          const options = { activations, kvCache };
          const grouped = evaluateSequence(values.config, packModel(values, types), tokens, decodedAlone(options));
          const full = incremental(
            { config: duplicated.config, weights: packModel(duplicated, types) },
            tokens,
            options,
          );
          expect(where(grouped, full)).toBe("none");
        }),
        { numRuns: 8 },
      );
    },
  );
});

describe("Hugging Face rotate-half vs GGUF adjacent pairs (spec §4.3)", () => {
  test("property: the permuted model with adjacent RoPE matches the original with rotate-half RoPE; mixing them up does not", () => {
    const arbitrary = fc.record({
      seed: fc.integer(),
      nKvHeads: fc.constantFrom(2, 4),
      tokenSeed: fc.integer(),
      linearType: fc.constantFrom(GgmlType.TQ2_0, GgmlType.F32),
    });
    checkProperty(
      "forward: rotate-half = permuted adjacent",
      fc.property(arbitrary, ({ seed, nKvHeads, tokenSeed, linearType }) => {
        const hf = randomModelValues({
          seed,
          nLayers: 1,
          nKvHeads,
          hiddenDim: 256,
          vocabSize: 16,
          ropeStyle: "rotate-half",
        });
        const gguf = permuteToAdjacent(hf);
        const types = { linearType, embeddingType: GgmlType.F16 };
        const tokens = randomTokens(mulberry32(tokenSeed), 4, 16);
        const options = { activations: "f32" as const, kvCache: "f32" as const };
        const hfLogits = evaluateSequence(hf.config, packModel(hf, types), tokens, options);
        const ggufLogits = evaluateSequence(gguf.config, packModel(gguf, types), tokens, options);
        expect(nmse(ggufLogits, hfLogits)).toBeLessThanOrEqual(1e-12);
        // position 0 does not rotate at all (θ = 0), so it agrees exactly
        expect(sameBits(hfLogits[0], ggufLogits[0])).toBe(true);
        // the released q/k rows with llama.cpp's adjacent pairs: plausible numbers, different model
        const wrong = evaluateSequence({ ...hf.config, ropeStyle: "adjacent" }, packModel(hf, types), tokens, options);
        expect(nmse(wrong.slice(1), hfLogits.slice(1))).toBeGreaterThan(1e-8);
      }),
      { numRuns: 6 },
    );
  });
});

describe("refusals (spec §13)", () => {
  const model = tinyModel({
    seed: 4,
    dim: 16,
    nHeads: 2,
    hiddenDim: 16,
    vocabSize: 10,
    contextLength: 3,
    nLayers: 1,
    linearType: GgmlType.F32,
  });

  test("a token outside the vocabulary is a RangeError naming the token and the vocabulary size", () => {
    const state = createForwardState(model.config, model.weights, F32_FORWARD_OPTIONS);
    expect(() => forward(state, 10, 0)).toThrow(RangeError);
    expect(() => forward(state, 10, 0)).toThrow(/10.*10 tokens/);
    expect(() => forward(state, -1, 0)).toThrow(/-1/);
    expect(() => forward(state, 2.5, 0)).toThrow(/2\.5/);
    expect(() => evaluateSequence(model.config, model.weights, [1, 12], F32_FORWARD_OPTIONS)).toThrow(RangeError);
    expect(() => evaluateSequence(model.config, model.weights, [1, 12], F32_FORWARD_OPTIONS)).toThrow(/12/);
  });

  test("a position at or beyond the context is a RangeError naming the position and the context", () => {
    const state = createForwardState(model.config, model.weights, F32_FORWARD_OPTIONS);
    expect(() => forward(state, 1, 3)).toThrow(RangeError);
    expect(() => forward(state, 1, 3)).toThrow(/position 3.*context of 3/);
    expect(() => forward(state, 1, -1)).toThrow(RangeError);
    expect(() => evaluateSequence(model.config, model.weights, [1, 2, 3, 4], F32_FORWARD_OPTIONS)).toThrow(
      /position 3.*context of 3/,
    );
  });

  test("the last position of the context is accepted", () => {
    expect(evaluateSequence(model.config, model.weights, [1, 2, 3], F32_FORWARD_OPTIONS)).toHaveLength(3);
  });
});

describe("repackKernelAt: which repacked-matrix kernel llama.cpp runs for a token of a prompt (spec §15)", () => {
  test("gemm for the first m − m mod 4 tokens of a micro-batch of m, gemv for the rest", () => {
    expect(Array.from({ length: 6 }, (_, pos) => repackKernelAt(pos, 6))).toEqual([
      "gemm",
      "gemm",
      "gemm",
      "gemm",
      "gemv",
      "gemv",
    ]);
    expect(repackKernelAt(0, 3)).toBe("gemv");
    expect(repackKernelAt(0, 1)).toBe("gemv");
  });

  test("a prompt longer than 512 tokens is cut into micro-batches of 512", () => {
    expect(LLAMA_UBATCH_TOKENS).toBe(512);
    expect(repackKernelAt(511, 520)).toBe("gemm");
    expect(repackKernelAt(512, 520)).toBe("gemm"); // second micro-batch: 8 tokens, two groups of four
    expect(repackKernelAt(519, 520)).toBe("gemm");
    expect(repackKernelAt(512, 515)).toBe("gemv"); // second micro-batch: 3 tokens
  });
});

describe("matmulBatchAt: the micro-batch a token of a prompt is multiplied in (spec §9.3, §15)", () => {
  test("its size, the prompt cut into micro-batches of n_ubatch, and repackKernelAt's kernel", () => {
    expect(matmulBatchAt(0, 1)).toEqual({ tokens: 1, repack: "gemv" }); // a lone token: tinyBLAS declines
    expect(matmulBatchAt(3, 6)).toEqual({ tokens: 6, repack: "gemm" });
    expect(matmulBatchAt(511, 513)).toEqual({ tokens: 512, repack: "gemm" });
    expect(matmulBatchAt(512, 513)).toEqual({ tokens: 1, repack: "gemv" }); // the lone last token of a prompt
    expect(matmulBatchAt(5, 6, 4)).toEqual({ tokens: 2, repack: "gemv" });
    expect(matmulBatchAt(2, 6, 1)).toEqual({ tokens: 1, repack: "gemv" });
  });
});
