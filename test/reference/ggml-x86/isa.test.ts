/**
 * reference/ggml-x86/isa.ts — register widths, and which build llama.cpp's reference logits came
 * from (spec/forward.md §9). The choice itself is checked end to end by
 * test/src/model/llama-agreement.test.ts (bit-identical logits).
 */
import { expect, test } from "vitest";
import { f32Lanes, LLAMA_REFERENCE_ISA } from "../../../reference/ggml-x86/isa.js";

test("AVX2 registers hold 8 float32 lanes, AVX-512 registers 16", () => {
  expect(f32Lanes("avx2")).toBe(8);
  expect(f32Lanes("avx512")).toBe(16);
});

test("ggml mode emulates the AVX-512 build that produced golden/external/llama", () => {
  expect(LLAMA_REFERENCE_ISA).toBe("avx512");
});
