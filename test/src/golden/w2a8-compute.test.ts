import { describe, expect, test } from "vitest";
import { packW2a8 } from "../../../reference/codec/w2a8.js";
import { computeW2a8Outputs } from "../../../src/golden/w2a8-compute.js";
import { arrayTensor, floatTensor, type ByteTensor, type Int32Tensor } from "../../../src/golden/tensor-core.js";

describe("the w2a8 suite's expected outputs", () => {
  const params = { rows: 16, cols: 32 };
  const t = Int8Array.from({ length: 512 }, (_, e) => ((e * 7) % 3) - 1);
  const codes = arrayTensor<ByteTensor>(
    "uint8",
    [16, 32],
    Uint8Array.from(t, (v) => v + 2),
  );

  test("pack writes pack_weight.py's bytes and unpack inverts them", () => {
    const { weight } = computeW2a8Outputs({ op: "pack", format: "w2a8", params }, { codes });
    expect(Array.from(weight.data as Uint8Array)).toEqual(Array.from(packW2a8(t, 16, 32)));
    expect(computeW2a8Outputs({ op: "unpack", format: "w2a8", params }, { weight }).codes).toEqual(codes);
  });

  test("matmul: bf16(f32(f32(acc)/s)·ws[o / (n / ws_num)]), per token", () => {
    const group = { op: "matmul" as const, format: "w2a8" as const, params: { ...params, batch: 2, ws_num: 2 } };
    const q = Int32Array.from({ length: 64 }, (_, j) => (j < 32 ? 1 : -128));
    const inputs = {
      weight: arrayTensor<ByteTensor>("uint8", [16, 8], packW2a8(t, 16, 32)),
      ws: floatTensor([4], Float32Array.of(1, 0.5, 0, 0)),
      x_q: arrayTensor<Int32Tensor>("int32", [2, 32], q),
      s: floatTensor([2], Float32Array.of(1, 2)),
    };
    const y = computeW2a8Outputs(group, inputs).y.data as Float32Array;
    const rowSum = (o: number): number => t.slice(o * 32, o * 32 + 32).reduce((a, v) => a + v, 0);
    expect(y[0]).toBe(rowSum(0));
    expect(y[8]).toBe(rowSum(8) * 0.5);
    expect(y[16 + 9]).toBe((rowSum(9) * -128) / 2 / 2);
  });
});
