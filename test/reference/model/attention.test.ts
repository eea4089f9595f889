/**
 * reference/model/attention.ts — causal attention with grouped KV heads over the cache
 * (spec/forward.md §7).
 *
 * Oracles:
 * - §7.2 softmax: with the sum in float64, Σ_t p_t = Σ_t f32(e_t · f32(1/S)) lies within 2u(1 + u)
 *   of 1 (two float32 roundings per term, the float64 sum's own error is ≤ n·2^-53), which is
 *   within the n·u the spec promises for n ≥ 2 (n = 1 gives exactly 1); p is monotone in the scores;
 *   masked (−inf) scores get exactly 0.
 * - §7: at position 0 a query attends only to itself, so head h returns exactly the value vector of
 *   kv head ⌊h / (nHeads/nKvHeads)⌋ (contiguous groups, as ggml's mul_mat broadcast `i02 = i12/r2`),
 *   in every mode and for both cache types;
 * - the output against the float64 formula o_h = Σ_t softmax_t(q_h·k_g,t / √d) · v_g,t, within a
 *   bound derived in spec §7.2 from the float32 roundings of the scores;
 * - causality inside attend: what the cache holds after position pos does not change the result.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { LLAMA_REFERENCE_ISA, softMaxRow } from "../../../reference/ggml-x86/index.js";
import { attend, softmax } from "../../../reference/model/attention.js";
import { createKvCache, storeKeyValue, type KvCacheType } from "../../../reference/model/kv-cache.js";
import type { OpArithmetic } from "../../../reference/model/modes.js";
import { checkProperty } from "../../support/property.js";
import { sameBits } from "../../support/tiny-model.js";
import { mulberry32 } from "../../../src/random/mulberry32.js";

const U = 2 ** -24;
const MODES: readonly OpArithmetic[] = ["f32", "ggml-x86"];
const CACHES: readonly KvCacheType[] = ["f32", "f16"];

const scores = fc
  .array(
    fc.oneof(
      { weight: 8, arbitrary: fc.float({ noNaN: true, noDefaultInfinity: true, min: -60, max: 60 }) },
      { weight: 1, arbitrary: fc.constant(-Infinity) },
    ),
    { minLength: 1, maxLength: 80 },
  )
  .filter((list) => list.some((s) => s !== -Infinity));

describe("softmax (spec §7.2)", () => {
  test("property: the probabilities sum to 1 within 2u(1 + u) + n·2^-53 (so within n·u)", () => {
    checkProperty(
      "attention: softmax sums to 1",
      fc.property(scores, (list) => {
        const p = softmax(Float32Array.from(list), "f32");
        let sum = 0;
        for (const v of p) sum += v;
        const n = list.length;
        expect(Math.abs(sum - 1)).toBeLessThanOrEqual(2 * U * (1 + U) + n * 2 ** -53 + n * 2 ** -149);
        expect(Math.abs(sum - 1)).toBeLessThanOrEqual(n === 1 ? 0 : n * U);
      }),
      { numRuns: 400 },
    );
  });

  test("property: masked scores get exactly 0, the others a positive share, in the order of the scores", () => {
    checkProperty(
      "attention: softmax mask and order",
      fc.property(scores, (list) => {
        const s = Float32Array.from(list);
        const p = softmax(s, "f32");
        const max = Math.max(...list);
        for (let t = 0; t < s.length; t++) {
          if (s[t] === -Infinity) expect(p[t]).toBe(0);
          if (s[t] === max) expect(p[t]).toBeGreaterThan(0);
          for (let r = 0; r < s.length; r++) if (s[t] <= s[r]) expect(p[t]).toBeLessThanOrEqual(p[r]);
        }
      }),
      { numRuns: 200 },
    );
  });

  test("equal scores share equally; one finite score takes everything", () => {
    for (const arithmetic of MODES) {
      expect(Array.from(softmax(Float32Array.of(3, 3, 3, 3), arithmetic))).toEqual([0.25, 0.25, 0.25, 0.25]);
      expect(Array.from(softmax(Float32Array.of(-Infinity, 1.5, -Infinity), arithmetic))).toEqual([0, 1, 0]);
    }
  });

  test("property: ggml-x86 of w = f32(x·scale) + mask is soft_max_ext(x, mask, scale) bit for bit (what attention relies on)", () => {
    checkProperty(
      "attention: ggml-x86 softmax of scaled, masked scores",
      fc.property(scores, fc.float({ min: Math.fround(0.01), max: 4, noNaN: true }), (list, scale) => {
        const x = Float32Array.from(list, (v) => (v === -Infinity ? 0 : v));
        const mask = Float32Array.from(list, (v) => (v === -Infinity ? -Infinity : 0));
        const w = x.map((v, t) => Math.fround(v * scale) + mask[t]);
        expect(sameBits(softmax(w, "ggml-x86"), softMaxRow(x, mask, scale, LLAMA_REFERENCE_ISA))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

/** A cache holding random k, v for positions 0..count−1 of layer 0, plus the raw vectors. */
function filledCache(seed: number, count: number, kvDim: number, context: number, type: KvCacheType) {
  const random = mulberry32(seed);
  const cache = createKvCache(1, kvDim, context, type);
  const ks: Float32Array[] = [];
  const vs: Float32Array[] = [];
  for (let t = 0; t < count; t++) {
    const k = Float32Array.from({ length: kvDim }, () => 4 * random() - 2);
    const v = Float32Array.from({ length: kvDim }, () => 4 * random() - 2);
    storeKeyValue(cache, 0, t, k, v);
    ks.push(cache.keys[0].slice(t * kvDim, (t + 1) * kvDim)); // as stored (fp16-rounded for f16)
    vs.push(cache.values[0].slice(t * kvDim, (t + 1) * kvDim));
  }
  return { cache, ks, vs, random };
}

const shapes = fc.record({
  nKvHeads: fc.constantFrom(1, 2, 3),
  group: fc.constantFrom(1, 2, 4),
  headDim: fc.constantFrom(4, 6, 16, 32, 64),
  mode: fc.constantFrom(...MODES),
  type: fc.constantFrom(...CACHES),
  seed: fc.integer(),
});

describe("attend (spec §7)", () => {
  test("property: at position 0, query head h returns the value vector of kv head ⌊h / group⌋ exactly", () => {
    checkProperty(
      "attention: position 0 and the GQA map",
      fc.property(shapes, ({ nKvHeads, group, headDim, mode, type, seed }) => {
        const nHeads = nKvHeads * group;
        const kvDim = nKvHeads * headDim;
        const { cache, vs, random } = filledCache(seed, 1, kvDim, 4, type);
        const q = Float32Array.from({ length: nHeads * headDim }, () => 4 * random() - 2);
        const out = attend(cache, 0, 0, q, { nHeads, nKvHeads, headDim }, mode);
        expect(out.length).toBe(nHeads * headDim);
        for (let h = 0; h < nHeads; h++) {
          const g = Math.floor(h / group);
          expect(
            sameBits(out.subarray(h * headDim, (h + 1) * headDim), vs[0].subarray(g * headDim, (g + 1) * headDim)),
          ).toBe(true);
        }
      }),
      { numRuns: 100 },
    );
  });

  test("property: the output follows the float64 formula Σ softmax(q·k/√d)·v within the rounding bound", () => {
    const arbitrary = fc.tuple(shapes, fc.integer({ min: 1, max: 40 }));
    checkProperty(
      "attention: formula",
      fc.property(arbitrary, ([{ nKvHeads, group, headDim, mode, type, seed }, count]) => {
        const nHeads = nKvHeads * group;
        const kvDim = nKvHeads * headDim;
        const { cache, ks, vs, random } = filledCache(seed, count, kvDim, count, type);
        const q = Float32Array.from({ length: nHeads * headDim }, () => 2 * random() - 1);
        const out = attend(cache, 0, count - 1, q, { nHeads, nKvHeads, headDim }, mode);
        // an f16 cache rounds q (and in f32 mode the probabilities) to fp16: allow 2^-11 relative on each
        const extra = type === "f16" ? 2 ** -10 : 0;
        for (let h = 0; h < nHeads; h++) {
          const g = Math.floor(h / group);
          const logits: number[] = [];
          let spread = 0; // Σ|q_i k_i| / √d, the size of a score's rounding error
          for (let t = 0; t < count; t++) {
            let dot = 0;
            let magnitude = 0;
            for (let i = 0; i < headDim; i++) {
              dot += q[h * headDim + i] * ks[t][g * headDim + i];
              magnitude += Math.abs(q[h * headDim + i] * ks[t][g * headDim + i]);
            }
            logits.push(dot / Math.sqrt(headDim));
            spread = Math.max(spread, magnitude / Math.sqrt(headDim));
          }
          const max = Math.max(...logits);
          const weights = logits.map((s) => Math.exp(s - max));
          const total = weights.reduce((a, b) => a + b, 0);
          for (let i = 0; i < headDim; i++) {
            let exact = 0;
            let vmax = 0;
            for (let t = 0; t < count; t++) {
              exact += (weights[t] / total) * vs[t][g * headDim + i];
              vmax = Math.max(vmax, Math.abs(vs[t][g * headDim + i]));
            }
            const bound = vmax * (2 * ((headDim + 4) * U + extra) * spread + (count + 16) * U + 2 * extra);
            expect(Math.abs(out[h * headDim + i] - exact)).toBeLessThanOrEqual(bound);
          }
        }
      }),
      { numRuns: 80 },
    );
  });

  test("property: positions after pos do not matter (the cache may hold anything there)", () => {
    const arbitrary = fc.tuple(shapes, fc.integer({ min: 1, max: 12 }));
    checkProperty(
      "attention: causal inside attend",
      fc.property(arbitrary, ([{ nKvHeads, group, headDim, mode, type, seed }, pos]) => {
        const nHeads = nKvHeads * group;
        const kvDim = nKvHeads * headDim;
        const { cache, random } = filledCache(seed, pos + 1, kvDim, pos + 4, type);
        const q = Float32Array.from({ length: nHeads * headDim }, () => 2 * random() - 1);
        const before = attend(cache, 0, pos, q, { nHeads, nKvHeads, headDim }, mode);
        for (let t = pos + 1; t < pos + 4; t++) {
          storeKeyValue(
            cache,
            0,
            t,
            Float32Array.from({ length: kvDim }, () => 1e4 * random()),
            Float32Array.from({ length: kvDim }, () => 1e4 * random()),
          );
        }
        expect(sameBits(attend(cache, 0, pos, q, { nHeads, nKvHeads, headDim }, mode), before)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});

describe("kqv and the micro-batch (spec §9.3): tinyBLAS for a batch, ggml_vec_dot_* for a token decoded alone", () => {
  test.each(["f32", "f16"] as const)(
    "%s cache: 40 positions differ between 1 and 2 tokens; 16 or fewer agree",
    (type) => {
      const random = mulberry32(21);
      const [nHeads, headDim] = [2, 64];
      const cache = createKvCache(1, headDim, 40, type);
      for (let t = 0; t < 40; t++) {
        const row = () => Float32Array.from({ length: headDim }, () => random() * 2 - 1);
        storeKeyValue(cache, 0, t, row(), row());
      }
      const q = Float32Array.from({ length: nHeads * headDim }, () => random() * 2 - 1);
      const shape = { nHeads, nKvHeads: 1, headDim };
      const run = (pos: number, tokens: number) => attend(cache, 0, pos, q, shape, "ggml-x86", undefined, tokens);
      // ≤ 16 positions, one per lane, all in vec_dot's vector loop (n_kv = 256): both sum the same products
      expect(sameBits(run(15, 1), run(15, 2))).toBe(true);
      expect(sameBits(run(39, 1), run(39, 2))).toBe(false);
      expect(sameBits(run(39, 2), run(39, 512))).toBe(true);
    },
  );
});
