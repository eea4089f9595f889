/**
 * The i2_s suite's expected outputs (spec/golden.md §10): unpack and pack are inverses through the layout's element
 * map, validate's table rows are (kind, byte, element), and a matmul's y_bound is i2sOutputBound of y — refused when
 * the params or inputs do not fit.
 */

import { describe, expect, test } from "vitest";
import { i2sElementLocation, packI2s } from "../../../reference/codec/i2_s.js";
import { i2sOutputBound } from "../../../reference/tolerances/i2s-matmul.js";
import {
  computeI2sOutputs,
  i2sMatmulBoundTensors,
  i2sRoles,
  I2S_FINDING_KINDS,
} from "../../../src/golden/i2s-compute.js";
import { arrayTensor, floatTensor, type ByteTensor, type Tensor } from "../../../src/golden/tensor-core.js";

const W = (bytes: Uint8Array): ByteTensor => arrayTensor<ByteTensor>("uint8", [bytes.length], bytes);
const params = { layout: "arm", rows: 2, cols: 128 };

describe("computeI2sOutputs", () => {
  test("unpack then pack gives W back; a code lands where i2sElementLocation says", () => {
    const codes = Uint8Array.from({ length: 256 }, (_, e) => (e === 77 ? 2 : e % 3));
    const bytes = packI2s("arm", { rows: 2, cols: 128 }, codes, 0.5);
    const unpacked = computeI2sOutputs({ op: "unpack", format: "i2_s", params }, { W: W(bytes) });
    expect(unpacked.codes.data).toEqual(codes);
    expect(Array.from(unpacked.scale.data as Float32Array)).toEqual([0.5]);
    const packed = computeI2sOutputs(
      { op: "pack", format: "i2_s", params },
      { codes: unpacked.codes, scale: unpacked.scale },
    );
    expect(packed.W.data).toEqual(bytes);
    const { byte, shift } = i2sElementLocation("arm", { rows: 2, cols: 128 }, 0, 77)!;
    expect((bytes[byte] >> shift) & 3).toBe(2);
  });

  test("validate: rows (kind index, byte, element)", () => {
    const bytes = packI2s("arm", { rows: 2, cols: 128 }, new Uint8Array(256).fill(1), 1);
    bytes[3] |= 0b11 << 4; // element 16·1 + 3 = 19 of block 0 → code 3
    const { findings } = computeI2sOutputs({ op: "validate", format: "i2_s", params }, { W: W(bytes) });
    expect(findings.shape).toEqual([1, 3]);
    expect(Array.from(findings.data as Int32Array)).toEqual([I2S_FINDING_KINDS.indexOf("code-3"), 3, 19]);
  });

  test("matmul: y and its bound; wrong inputs and params are refused", () => {
    const group = {
      op: "matmul" as const,
      format: "i2_s" as const,
      params: { ...params, batch: 1, activations: "i8_s" },
    };
    const bytes = packI2s("arm", { rows: 2, cols: 128 }, new Uint8Array(256).fill(2), 0.5);
    const inputs: Record<string, Tensor> = { W: W(bytes), x: floatTensor([1, 128], new Float32Array(128).fill(1)) };
    const { y } = computeI2sOutputs(group, inputs);
    expect(Array.from(y.data as Float32Array)).toEqual([64, 64]); // 128·127 / 127 · 0.5
    const bounds = i2sMatmulBoundTensors(group, inputs, y, { bound: "y_bound", center: "y" });
    expect(Array.from(bounds.y_bound.data as Float64Array)).toEqual([
      i2sOutputBound(64, 16256),
      i2sOutputBound(64, 16256),
    ]);
    expect(() => computeI2sOutputs({ ...group, params: { ...group.params, layout: "avx" } }, inputs)).toThrow(/layout/);
    expect(() => computeI2sOutputs(group, { ...inputs, x: floatTensor([1, 64], new Float32Array(64)) })).toThrow(
      /input 'x' must be float32 \[1, 128\]/,
    );
    expect(() => i2sRoles("rope", "inputs")).toThrow(/cannot have op rope/);
  });
});
