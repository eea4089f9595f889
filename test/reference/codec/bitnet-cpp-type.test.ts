/**
 * bitnet.cpp's type ids and byte sizes (spec/bitnet.md §1): the ids of its ggml fork and ggml_nbytes'
 * formulas, checked against values worked out by hand from Eddie-Wang1120/llama.cpp merge-dev ggml.c.
 */

import { describe, expect, test } from "vitest";
import {
  BitnetCppFileType,
  BitnetCppType,
  bitnetCppTensorBytes,
  bitnetCppType,
  bitnetCppTypeName,
} from "../../../reference/codec/bitnet-cpp-type.js";

describe("bitnet.cpp type ids", () => {
  test("ids and names as the fork's ggml.h and type_traits give them", () => {
    expect([BitnetCppType.I2_S, BitnetCppType.I8_S, BitnetCppType.TL1, BitnetCppType.TL2]).toEqual([36, 37, 38, 39]);
    expect([36, 37, 38, 39].map((id) => bitnetCppTypeName(id))).toEqual(["i2_s", "i8_s", "tl1", "tl2"]);
    expect([BitnetCppFileType.MOSTLY_TL1, BitnetCppFileType.MOSTLY_TL2, BitnetCppFileType.MOSTLY_I2_S]).toEqual([
      38, 39, 40,
    ]);
  });

  test("ids shared with ggml or beyond the fork's GGML_TYPE_COUNT are not bitnet.cpp types", () => {
    expect([0, 34, 35, 40, 41, 999].map(bitnetCppType)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(bitnetCppType(39)).toBe(BitnetCppType.TL2);
  });
});

describe("ggml_nbytes of the fork", () => {
  test("I2_S and TL1: n/4 + 32, n the element count (integer division)", () => {
    expect(bitnetCppTensorBytes(BitnetCppType.I2_S, [128, 4])).toBe(160n);
    expect(bitnetCppTensorBytes(BitnetCppType.TL1, [2560, 6912])).toBe(4423712n);
    expect(bitnetCppTensorBytes(BitnetCppType.I2_S, [130, 1])).toBe(64n); // 130/4 = 32
    expect(bitnetCppTensorBytes(BitnetCppType.I2_S, [128, 2, 3])).toBe(224n);
  });

  test("TL2: (ne0 − 256)·ne1/3·5/8 + 256·ne1/2·4/8, padded to 32, + 32", () => {
    // (96·32)/3 = 1024, ·5 = 5120, /8 = 640; 256·32/2·4/8 = 2048; 2688 is a multiple of 32; + 32
    expect(bitnetCppTensorBytes(BitnetCppType.TL2, [352, 32])).toBe(2720n);
    // 2B-4T's ffn_down [6912, 2560]: (6656·2560)/3·5/8 = 3549866, + 163840 = 3713706 → 3713728, + 32
    expect(bitnetCppTensorBytes(BitnetCppType.TL2, [6912, 2560])).toBe(3713760n);
    // C truncates toward zero: (−128)/3 = −42, ·5 = −210, /8 = −26 (not −27); + 64 = 38 → 64, + 32
    expect(bitnetCppTensorBytes(BitnetCppType.TL2, [128, 1])).toBe(96n);
  });

  test("I8_S (never stored) and a TL2 shape with no positive size have none", () => {
    expect(bitnetCppTensorBytes(BitnetCppType.I8_S, [128, 4])).toBeUndefined();
    expect(bitnetCppTensorBytes(BitnetCppType.TL2, [0, 0])).toBeUndefined();
  });
});
