import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { QK_K, unpackTq1Block, unpackTq2Block } from "../../../reference/codec/index.js";
import {
  activations,
  EDGE_SCALE_BITS,
  matmulCase,
  ternaryMatrix,
  tq1Block,
  tq2Block,
  type TernaryBlock,
} from "../../../src/harness/arbitraries.js";
import { requireConsistentCase } from "../../../src/harness/case-dir.js";
import { edgeClassesOf, TQ1_ALIAS_BYTES } from "../../../src/harness/edge-cases.js";
import type { KernelCase } from "../../../src/harness/protocol.js";

describe("block arbitraries", () => {
  test("tq2Block: 66 canonical bytes that unpack to its codes (0..2) and scale", () => {
    fc.assert(
      fc.property(tq2Block({ edgeScales: false, edgeCodes: false }), (block) => {
        expect(block.bytes.length).toBe(66);
        const unpacked = unpackTq2Block(block.bytes);
        expect(unpacked.codes).toEqual(block.codes);
        expect(unpacked.scaleBits).toBe(block.scaleBits);
        expect(block.codes.every((c) => c <= 2)).toBe(true);
        expect(block.scaleBits).toBeGreaterThanOrEqual(0x2000);
        expect(block.scaleBits).toBeLessThanOrEqual(0x4800);
      }),
      { numRuns: 50, seed: 1 },
    );
  });

  test("tq1Block: 54 canonical bytes that unpack to its codes and scale", () => {
    fc.assert(
      fc.property(tq1Block({ edgeScales: false, edgeCodes: false }), (block) => {
        expect(block.bytes.length).toBe(54);
        const unpacked = unpackTq1Block(block.bytes);
        expect(unpacked.codes).toEqual(block.codes);
        expect(unpacked.scaleBits).toBe(block.scaleBits);
      }),
      { numRuns: 50, seed: 2 },
    );
  });

  test("by default blocks draw every edge fp16 scale, and code 3 (TQ2_0) or the alias bytes (TQ1_0)", () => {
    const tq2 = fc.sample(tq2Block(), { numRuns: 1000, seed: 3 });
    const scales = new Set(tq2.map((b) => b.scaleBits));
    expect(EDGE_SCALE_BITS.filter((bits) => !scales.has(bits))).toEqual([]);
    const code3 = tq2.filter((b) => b.nonCanonical === true);
    expect(code3.length).toBeGreaterThan(0);
    for (const b of code3) expect(unpackTq2Block(b.bytes).codes).toContain(3);
    const tq1 = fc.sample(tq1Block(), { numRuns: 200, seed: 3 }).filter((b) => b.nonCanonical === true);
    expect(tq1.length).toBeGreaterThan(0);
    for (const b of tq1) expect(Array.from(b.bytes.subarray(0, 13))).toEqual(TQ1_ALIAS_BYTES);
  });

  test("edgeScales false draws normal scales only", () => {
    const scales = fc.sample(tq2Block({ edgeScales: false }), { numRuns: 300, seed: 3 }).map((b) => b.scaleBits);
    expect(scales.every((bits) => bits >= 0x2000 && bits <= 0x4800)).toBe(true);
  });

  test("blocks shrink to all-zero weights with scale 1.0", () => {
    const details = fc.check(
      fc.property(tq2Block(), () => false),
      { seed: 4 },
    );
    const block = (details.counterexample as [TernaryBlock])[0];
    expect(block.scaleBits).toBe(0x3c00);
    expect(block.codes.every((c) => c === 1)).toBe(true);
  });
});

describe("matrices, activations and cases", () => {
  test("ternaryMatrix: weight length fits rows × blocks within the bounds", () => {
    fc.assert(
      fc.property(ternaryMatrix({ format: "tq1_0", maxRows: 3, maxBlocks: 2 }), (m) => {
        expect(m.rows).toBeGreaterThanOrEqual(1);
        expect(m.rows).toBeLessThanOrEqual(3);
        expect([256, 512]).toContain(m.cols);
        expect(m.weight.length).toBe(m.rows * (m.cols / QK_K) * 54);
      }),
      { numRuns: 30, seed: 5 },
    );
  });

  test("activations: batch × cols finite float32 values", () => {
    fc.assert(
      fc.property(activations(256, 2, { edgeValues: false }), (x) => {
        expect(x.length).toBe(512);
        expect(x.every((v) => Number.isFinite(v) && Math.abs(v) <= 8)).toBe(true);
      }),
      { numRuns: 20, seed: 6 },
    );
  });

  test("activations: by default Q8_K tie blocks and all-zero blocks too", () => {
    const blocks = fc.sample(activations(256, 1), { numRuns: 200, seed: 6 });
    expect(blocks.every((x) => x.length === 256 && x.every((v) => Number.isFinite(v)))).toBe(true);
    const classes = blocks.map((x) =>
      edgeClassesOf({ op: "matmul", format: "tq2_0", rows: 1, cols: 256, batch: 1, activations: "ggml", x }),
    );
    expect(classes.filter((c) => c.has("q8k-ties")).length).toBeGreaterThan(20);
    expect(classes.filter((c) => c.has("zero-x-block")).length).toBeGreaterThan(5);
  });

  test("matmulCase: consistent cases of the requested format and activations", () => {
    fc.assert(
      fc.property(matmulCase({ format: "tq2_0", activations: "ggml" }), (c) => {
        expect(c.op).toBe("matmul");
        expect(c.format).toBe("tq2_0");
        expect(c.activations).toBe("ggml");
        expect(() => requireConsistentCase(c)).not.toThrow();
      }),
      { numRuns: 30, seed: 7 },
    );
  });

  test("matmulCase shrinks toward one row, one block, batch 1, zero weights and zero activations", () => {
    const details = fc.check(
      fc.property(matmulCase({ format: "tq2_0" }), () => false),
      { seed: 8 },
    );
    const c = (details.counterexample as [KernelCase])[0];
    expect([c.rows, c.cols, c.batch]).toEqual([1, 256, 1]);
    expect(unpackTq2Block(c.weight!).codes.every((code) => code === 1)).toBe(true);
    expect(c.x!.every((v) => v === 0)).toBe(true);
  });
});
