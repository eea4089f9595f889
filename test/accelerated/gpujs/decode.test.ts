/**
 * The gpujs kernels' in-kernel decode of packed TQ2_0 / TQ1_0 bytes, checked exactly against
 * reference/codec's unpackTq2Block / unpackTq1Block (spec/formats.md §4.2, §5.5).
 */
import { afterAll, describe, expect, it } from "vitest";
import {
  GgmlType,
  TQ1_0_BLOCK_BYTES,
  TQ2_0_BLOCK_BYTES,
  unpackTq1Block,
  unpackTq2Block,
} from "../../../reference/codec/index.js";
import { createGpujsBackend } from "../../../accelerated/gpujs/index.js";
import { layoutMatrix } from "../../../accelerated/gpujs/layout.js";
import { mulberry32 } from "../../../src/random/index.js";

const backend = await createGpujsBackend();
afterAll(() => backend.dispose());

/** Decode `blocks` blocks of `type` bytes in a gpu.js kernel: codes Float32Array[blocks · 256]. */
function decodeInKernel(type: GgmlType.TQ1_0 | GgmlType.TQ2_0, data: Uint8Array, blocks: number): Float32Array {
  const layout = layoutMatrix({ type, rows: blocks, cols: 256, data });
  if (layout.kind === "float") throw new Error("expected a ternary layout");
  return backend.kernels.get(type === GgmlType.TQ2_0 ? "tq2Decode" : "tq1Decode", [blocks * 256], {})(layout.words);
}

describe("gpujs in-kernel decode", () => {
  it("TQ1_0: every byte value at every byte position decodes like unpackTq1Block", () => {
    const blocks = 256;
    const data = new Uint8Array(blocks * TQ1_0_BLOCK_BYTES);
    for (let k = 0; k < blocks; k++) {
      for (let j = 0; j < TQ1_0_BLOCK_BYTES; j++) data[k * TQ1_0_BLOCK_BYTES + j] = (k + 37 * j) & 0xff; // byte j takes all 256 values over k
    }
    const codes = decodeInKernel(GgmlType.TQ1_0, data, blocks);
    for (let k = 0; k < blocks; k++) {
      const expected = unpackTq1Block(data.subarray(k * TQ1_0_BLOCK_BYTES, (k + 1) * TQ1_0_BLOCK_BYTES)).codes;
      expect(Array.from(codes.subarray(k * 256, (k + 1) * 256))).toEqual(Array.from(expected));
    }
  });

  it("TQ2_0: random blocks (codes 0..3) decode like unpackTq2Block", () => {
    const seed = 0x5eed2;
    console.log(`[gpujs decode] TQ2_0 seed=${seed}`);
    const next = mulberry32(seed);
    const blocks = 64;
    const data = new Uint8Array(blocks * TQ2_0_BLOCK_BYTES).map(() => Math.floor(next() * 256));
    const codes = decodeInKernel(GgmlType.TQ2_0, data, blocks);
    for (let k = 0; k < blocks; k++) {
      const expected = unpackTq2Block(data.subarray(k * TQ2_0_BLOCK_BYTES, (k + 1) * TQ2_0_BLOCK_BYTES)).codes;
      expect(Array.from(codes.subarray(k * 256, (k + 1) * 256))).toEqual(Array.from(expected));
    }
  });
});
