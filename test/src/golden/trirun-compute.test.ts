/**
 * The trirun groups' computations (src/golden/trirun-compute.ts, spec/golden.md §9): pack and unpack are inverse
 * through the tensors; the findings table's refusals (shape, b-length, s-length) and findings; params checked.
 */

import { describe, expect, test } from "vitest";
import { packTrirun } from "../../../reference/codec/trirun.js";
import { ManifestError } from "../../../src/golden/manifest.js";
import { arrayTensor, parseTensor, serializeTensor, type Tensor } from "../../../src/golden/tensor.js";
import { computeTrirunOutputs, TRIRUN_FINDING_KINDS, trirunFindings } from "../../../src/golden/trirun-compute.js";

const kind = (name: (typeof TRIRUN_FINDING_KINDS)[number]) => TRIRUN_FINDING_KINDS.indexOf(name);
const params = (k: number, n: number, groupSize: number) => ({ k, n, groupSize });

describe("computeTrirunOutputs", () => {
  test("pack then unpack gives the codes and scales back, as float16 / int32 / uint8 tensors that round-trip as .npy", () => {
    const codes = Uint8Array.from({ length: 128 * 256 }, (_, i) => (i * 7) % 3);
    const scales = Uint16Array.from({ length: 256 }, (_, i) => 0x3000 + i);
    const group = { op: "pack" as const, format: "trirun" as const, params: params(128, 256, -1) };
    const packed = computeTrirunOutputs(group, {
      codes: arrayTensor("uint8", [128, 256], codes),
      scales: arrayTensor("float16", [1, 256], scales),
    });
    expect(packed.B.shape).toEqual([8, 256]);
    expect(packed.B.data).toEqual(packTrirun({ k: 128, n: 256, groupSize: -1, codes, scales }).B);
    const back = computeTrirunOutputs({ ...group, op: "unpack" }, packed);
    expect(back.codes.data).toEqual(codes);
    expect(back.scales.data).toEqual(scales);
    for (const tensor of [packed.B, packed.s, back.codes] as Tensor[]) {
      const parsed = parseTensor(serializeTensor(tensor), tensor.dtype, tensor.shape, "t.npy");
      expect(parsed).toEqual(tensor);
    }
  });

  test("refuses params and inputs that do not fit", () => {
    const group = { op: "pack" as const, format: "trirun" as const, params: params(64, 256, -1) };
    expect(() => computeTrirunOutputs(group, {})).toThrow(ManifestError);
    expect(() => computeTrirunOutputs({ ...group, params: params(128, 256, 64) }, {})).toThrow(/groupSize/);
    expect(() =>
      computeTrirunOutputs(
        { ...group, params: params(128, 256, -1) },
        { codes: arrayTensor("uint8", [128, 128], new Uint8Array(128 * 128)) },
      ),
    ).toThrow(/shape/);
  });
});

describe("trirunFindings", () => {
  test("a shape TriRun refuses is one row (shape, k, n, -1) and nothing else", () => {
    const table = trirunFindings(
      { k: 64, n: 256, groupSize: -1 },
      new Int32Array(4 * 256).fill(-1),
      new Uint16Array(256),
    );
    expect(table.shape).toEqual([1, 4]);
    expect([...table.data]).toEqual([kind("shape"), 64, 256, -1]);
  });

  test("B or s of the wrong length is a length row with the entries found", () => {
    const shape = { k: 256, n: 256, groupSize: 128 as const };
    const table = trirunFindings(shape, new Int32Array(15 * 256), new Uint16Array(256));
    expect([...table.data]).toEqual([kind("b-length"), -1, -1, 15 * 256, kind("s-length"), -1, -1, 256]);
  });

  test("validateTrirun's findings otherwise: code 3 at its element and word, a NaN scale at its index", () => {
    const shape = { k: 128, n: 256, groupSize: -1 as const };
    const B = new Int32Array(8 * 256).fill(0x55555555);
    B[0] |= 3 << 0;
    const s = new Uint16Array(256).fill(0x3c00);
    s[9] = 0x7e00;
    const table = trirunFindings(shape, B, s);
    expect(table.shape).toEqual([2, 4]);
    expect([...table.data.subarray(0, 4)]).toEqual([kind("code-3"), 0, 0, 0]);
    expect(table.data[4]).toBe(kind("scale-nan"));
    expect(table.data[7]).toBe(9);
  });
});
