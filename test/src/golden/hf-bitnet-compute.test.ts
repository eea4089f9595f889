import { describe, expect, test } from "vitest";
import { packHfBitnet } from "../../../reference/codec/hf-bitnet.js";
import { computeHfBitnetOutputs, hfBitnetMatmulBoundTensors } from "../../../src/golden/hf-bitnet-compute.js";
import { arrayTensor, floatTensor, type ByteTensor } from "../../../src/golden/tensor-core.js";

describe("the hf-bitnet suite's expected outputs", () => {
  const params = { rows: 8, cols: 5 };
  const t = Int8Array.from({ length: 40 }, (_, e) => (e % 3) - 1);
  const codes = arrayTensor<ByteTensor>(
    "uint8",
    [8, 5],
    Uint8Array.from(t, (v) => v + 1),
  );

  test("pack is planar (byte (p, c) crumb i = row i·n/4 + p) and unpack inverts it", () => {
    const { weight } = computeHfBitnetOutputs({ op: "pack", format: "hf-bitnet", params }, { codes });
    expect(weight.shape).toEqual([2, 5]);
    expect(Array.from(weight.data as Uint8Array)).toEqual(Array.from(packHfBitnet(t, 8, 5)));
    // W[2, 0] (t = +1 → code 2) is byte (0, 0), crumb 1
    expect(((weight.data as Uint8Array)[0] >> 2) & 3).toBe(t[2 * 5] + 1);
    const back = computeHfBitnetOutputs({ op: "unpack", format: "hf-bitnet", params }, { weight });
    expect(back.codes).toEqual(codes);
  });

  test("matmul: y is the reference's, within its own bound; the convention is required", () => {
    const weight = arrayTensor<ByteTensor>("uint8", [2, 5], packHfBitnet(t, 8, 5));
    const inputs = {
      weight,
      weight_scale: floatTensor([1], Float32Array.of(2)),
      x: floatTensor([1, 5], Float32Array.of(1, -2, 3, 0.5, 127)),
    };
    const group = {
      op: "matmul" as const,
      format: "hf-bitnet" as const,
      params: { ...params, batch: 1, scale: "divide" },
    };
    const { y } = computeHfBitnetOutputs(group, inputs);
    const multiplied = computeHfBitnetOutputs({ ...group, params: { ...group.params, scale: "multiply" } }, inputs).y;
    (y.data as Float32Array).forEach((v, i) => expect((multiplied.data as Float32Array)[i]).toBeCloseTo(v * 4, 4));
    const bounds = hfBitnetMatmulBoundTensors(group, inputs, y, { bound: "y_bound", center: "y" });
    expect(bounds.y_bound.shape).toEqual([1, 8]);
    expect(() => computeHfBitnetOutputs({ ...group, params: { ...group.params, scale: "guess" } }, inputs)).toThrow(
      /param 'scale' must be multiply or divide/,
    );
  });
});
