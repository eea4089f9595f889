/**
 * The W2A8 codec and activation quantization against microsoft/BitNet's own GPU code (16da220a), run on
 * CPU outside the repository (golden/external/bitnet-gpu/PROVENANCE.md): `convert_weight_int8_to_int2`
 * (gpu/pack_weight.py) on pseudo-random ternary matrices, and `BitLinearKernel.quant_input` (gpu/model.py)
 * eagerly and under torch.compile. Spec/bitnet.md §6.
 */

import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { bf16BitsToF32 } from "../../../reference/codec/bfloat16.js";
import { packW2a8, unpackW2a8 } from "../../../reference/codec/w2a8.js";
import { quantizeW2a8Activations, type W2a8ActivationRounding } from "../../../reference/codec/w2a8-matmul.js";
import { expectShaTableMatches, firstDifference, hashedTernary, sha256Hex } from "../../support/bitnet-external.js";

const GOLDEN = new URL("../../../golden/external/bitnet-gpu/", import.meta.url);

/** One packing case of cases.json. */
interface PackCase {
  readonly id: string;
  readonly n: number;
  readonly k: number;
  readonly seed: number;
  readonly bytes: number;
  readonly sha256: string;
  readonly file: string | null;
}

/** One activation case of activations.json: x as bf16 bits, and quant_input's q and s per mode. */
interface ActivationCase {
  readonly id: string;
  readonly k: number;
  readonly x_bf16: number[];
  readonly eager: { q: number[]; s_bf16: number };
  readonly fused: { q: number[]; s_bf16: number };
}

const PACKS = (JSON.parse(readFileSync(new URL("cases.json", GOLDEN), "utf8")) as { cases: PackCase[] }).cases;
const ACTIVATIONS = (
  JSON.parse(readFileSync(new URL("activations.json", GOLDEN), "utf8")) as { cases: ActivationCase[] }
).cases;

describe("golden/external/bitnet-gpu: BitNet's GPU packer and activation quantizer", () => {
  test("every file matches the sha256 list in PROVENANCE.md, and every file is listed", () => {
    expectShaTableMatches(GOLDEN);
  });

  test("has small shapes and at least two kernel shapes", () => {
    expect(PACKS.filter((c) => c.file !== null && c.n * c.k <= 8192).length).toBeGreaterThanOrEqual(4);
    expect(PACKS.filter((c) => c.n * c.k >= 2560 * 2560).length).toBeGreaterThanOrEqual(2);
  });

  test.each(PACKS.map((c) => [c.id, c] as const))("%s: pack gives the packer's bytes, unpack the weights", (_id, c) => {
    const weights = hashedTernary(c.seed, c.n, c.k);
    const bytes = packW2a8(weights, c.n, c.k);
    expect(bytes.length).toBe(c.bytes);
    expect(sha256Hex(bytes)).toBe(c.sha256);
    if (c.file !== null) {
      const expected = new Uint8Array(readFileSync(new URL(c.file, GOLDEN)));
      expect(firstDifference(bytes, expected), `${c.id}: first byte that differs`).toBe(-1);
      expect(firstDifference(unpackW2a8(expected, c.n, c.k), weights), `${c.id}: first weight that differs`).toBe(-1);
    }
  });

  const modes: W2a8ActivationRounding[] = ["eager", "fused"];
  test.each(ACTIVATIONS.flatMap((c) => modes.map((mode) => [c.id, mode, c] as const)))(
    "%s %s: quantizeW2a8Activations gives quant_input's q and s",
    (_id, mode, c) => {
      const x = Float32Array.from(c.x_bf16, bf16BitsToF32);
      const { q, scale } = quantizeW2a8Activations(x, mode);
      expect(scale).toBe(bf16BitsToF32(c[mode].s_bf16));
      expect(firstDifference(q, c[mode].q), `${c.id} ${mode}: first q that differs`).toBe(-1);
    },
  );
});
