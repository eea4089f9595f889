/** reference/codec/k-quant-search.ts: the degenerate groups (the full searches are tested through the ggml KATs). */
import { expect, test } from "vitest";
import { makeQkx2Quants, makeQxQuants } from "../../../reference/codec/index.js";

test("make_qkx2_quants of a constant group: scale 0, levels 0, the_min = −min(0, x)", () => {
  const L = new Uint8Array(4).fill(9);
  expect(makeQkx2Quants(new Float32Array(4).fill(-2), 15, new Float32Array(4).fill(1), L, -1, 0.1, 20)).toEqual({
    scale: 0,
    theMin: 2,
  });
  expect(Array.from(L)).toEqual([0, 0, 0, 0]);
});

test("make_qx_quants of a group below GROUP_MAX_EPS is scale 0 with all levels 0", () => {
  const L = new Uint8Array(16).fill(7);
  expect(makeQxQuants(new Float32Array(16).fill(1e-16), 32, L)).toBe(0);
  expect(L.every((l) => l === 0)).toBe(true);
});

test("make_qx_quants maps the largest |x| to level −nmax (stored 0)", () => {
  const x = Float32Array.from({ length: 16 }, (_, i) => (i === 5 ? 3.2 : i / 16));
  const L = new Uint8Array(16);
  const scale = makeQxQuants(x, 32, L);
  expect(L[5]).toBe(0);
  expect(scale).toBeLessThan(0);
});
