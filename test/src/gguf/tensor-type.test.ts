/**
 * Tensor types across the two dialects (spec/gguf.md §9, spec/bitnet.md §1): names, sizes and the
 * refusal of bitnet.cpp types where only ggml types can be read.
 */

import { describe, expect, test } from "vitest";
import { BitnetCppType, GgmlType } from "../../../reference/codec/index.js";
import { InputError } from "../../../src/errors.js";
import { tensorToFloat32 } from "../../../src/gguf/tensor-data.js";
import {
  isBitnetCppType,
  isGgmlType,
  requireGgmlType,
  tensorTypeName,
  tensorTypeSize,
} from "../../../src/gguf/tensor-type.js";

describe("tensor types", () => {
  test("names: ggml's, then bitnet.cpp's, then the bare id", () => {
    expect([GgmlType.TQ2_0, BitnetCppType.I2_S, BitnetCppType.TL2, 41].map(tensorTypeName)).toEqual([
      "tq2_0",
      "i2_s",
      "tl2",
      "type 41",
    ]);
    expect([isGgmlType(GgmlType.F32), isGgmlType(BitnetCppType.TL1)]).toEqual([true, false]);
    expect([isBitnetCppType(GgmlType.TQ1_0), isBitnetCppType(BitnetCppType.TL1)]).toEqual([false, true]);
  });

  test("sizes: whole blocks for ggml types, ggml_nbytes for bitnet.cpp's, none for I8_S", () => {
    expect(tensorTypeSize(GgmlType.TQ2_0, [256, 2])).toEqual({ bytes: 132n });
    expect(tensorTypeSize(GgmlType.TQ2_0, [100, 2])).toEqual({
      problem: "has 100 elements per row (ne[0]), not a multiple of the tq2_0 block size 256",
    });
    expect(tensorTypeSize(BitnetCppType.I2_S, [128, 4])).toEqual({ bytes: 160n });
    expect(tensorTypeSize(BitnetCppType.I8_S, [128, 4])).toHaveProperty("problem");
    expect(tensorTypeSize(BitnetCppType.TL2, [0, 0])).toEqual({
      problem: "has shape [0, 0], for which bitnet.cpp's ggml_nbytes gives no size as tl2",
    });
  });

  test("requireGgmlType passes ggml tensors and refuses bitnet.cpp ones naming the file, tensor and type", () => {
    const tq = { name: "a", type: GgmlType.TQ2_0 };
    expect(requireGgmlType("f.gguf", tq, "llama-quantize")).toBe(tq);
    const i2s = { name: "b", type: BitnetCppType.I2_S };
    expect(() => requireGgmlType("f.gguf", i2s, "llama-quantize")).toThrow(InputError);
    expect(() => requireGgmlType("f.gguf", i2s, "llama-quantize")).toThrow(
      "f.gguf: tensor 'b' has bitnet.cpp type i2_s (id 36); llama-quantize reads ggml types only",
    );
    const tensor = { name: "c", type: BitnetCppType.TL1, ne: [4], data: new Uint8Array(33) };
    expect(() => tensorToFloat32(tensor)).toThrow("tensor 'c' has bitnet.cpp type tl1, not a ggml row format");
  });
});
