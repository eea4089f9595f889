import { describe, expect, test } from "vitest";
import {
  chooseTernaryBlockScale,
  dequantizeTq1Block,
  dequantizeTq2Block,
  quantizeTq1Block,
  quantizeTq2Block,
  validateTq1_0Row,
  validateTq2_0Row,
} from "../../../../reference/codec/index.js";
import { drawTriLmBlock } from "../../../../src/explain/input.js";
import {
  differingElements,
  encodeExplorerBlock,
  f32BitsHex,
  withEditedBytes,
} from "../../../../src/web/explorer/block-model.js";
import { scaleFacts } from "../../../../src/web/explorer/scale-facts.js";

/** Float32 bits via DataView big-endian hex, independent of f32ToBits. */
function bitsHexByDataView(values: Float32Array): string {
  const view = new DataView(new ArrayBuffer(4));
  return Array.from(values, (v) => {
    view.setFloat32(0, v);
    return view.getUint32(0).toString(16).padStart(8, "0");
  }).join("");
}

describe("encodeExplorerBlock", () => {
  test("seed 1: both encodings and decodings are the reference codec's", () => {
    const { values } = drawTriLmBlock(1);
    const block = encodeExplorerBlock(values);
    expect(block.tq2_0.bytes).toEqual(quantizeTq2Block(values));
    expect(block.tq1_0.bytes).toEqual(quantizeTq1Block(values));
    expect(block.tq2_0.decoded).toEqual(dequantizeTq2Block(quantizeTq2Block(values)));
    expect(block.tq1_0.decoded).toEqual(dequantizeTq1Block(quantizeTq1Block(values)));
    expect(block.tq2_0.scaleBits).toBe(chooseTernaryBlockScale(values).scaleBits);
    expect(block.tq2_0.findings).toEqual([]);
    expect(block.tq1_0.findings).toEqual([]);
    expect(block.tq2_0.edited || block.tq1_0.edited).toBe(false);
  });

  test("data-f32-bits text: 2048 hex digits, matching a DataView", () => {
    const block = encodeExplorerBlock(drawTriLmBlock(7).values);
    const hex = f32BitsHex(block.tq1_0.decoded);
    expect(hex.length).toBe(2048);
    expect(hex).toBe(bitsHexByDataView(block.tq1_0.decoded));
    expect(f32BitsHex(Float32Array.of(-0, 1, NaN)).slice(0, 16)).toBe("800000003f800000");
  });
});

describe("withEditedBytes", () => {
  test("TQ2_0 with a code 3 and a negative scale: decoded as given, findings the validator's", () => {
    const block = encodeExplorerBlock(drawTriLmBlock(3).values);
    const bytes = Uint8Array.from(block.tq2_0.bytes);
    bytes[0] |= 0xc0; // element 96 → code 3
    bytes[65] |= 0x80; // negative scale
    const edited = withEditedBytes(block, "tq2_0", bytes);
    expect(edited.tq2_0.edited).toBe(true);
    expect(edited.tq2_0.bytes).toEqual(bytes);
    expect(edited.tq2_0.decoded).toEqual(dequantizeTq2Block(bytes));
    expect(edited.tq2_0.codes[96]).toBe(3);
    expect(edited.tq2_0.findings).toEqual(validateTq2_0Row(bytes));
    expect(edited.tq2_0.findings.map((f) => f.severity)).toEqual(["invalid", "non-canonical"]);
    expect(edited.tq1_0).toBe(block.tq1_0);
    expect(edited.input).toBe(block.input);
  });

  test("TQ1_0 with an alias byte and a qh 5th trit: non-canonical findings, decoded like ggml", () => {
    const block = encodeExplorerBlock(drawTriLmBlock(5).values);
    const bytes = Uint8Array.from(block.tq1_0.bytes);
    bytes[3] = 20; // alias of 19 (spec §5.6)
    bytes[49] = 2; // qh byte 2: trits 0,0,0,0,1
    const edited = withEditedBytes(block, "tq1_0", bytes);
    expect(edited.tq1_0.decoded).toEqual(dequantizeTq1Block(bytes));
    expect(edited.tq1_0.findings).toEqual(validateTq1_0Row(bytes));
    expect(edited.tq1_0.findings.map((f) => f.kind)).toEqual(["tq1-alias-byte", "tq1-qh-fifth-trit"]);
    expect(edited.tq2_0).toBe(block.tq2_0);
  });

  test("differingElements compares bits (−0 differs from +0)", () => {
    expect(differingElements(Float32Array.of(0, 1, NaN, 2), Float32Array.of(-0, 1, NaN, 3))).toEqual([0, 3]);
  });
});

describe("scaleFacts (spec §2.2, §4.4)", () => {
  test("0x3D19 = 1.2744140625, fields, relative error", () => {
    const facts = scaleFacts(0x3d19, Math.fround(1.2745));
    expect(facts.value).toBe(1.2744140625);
    expect(facts.bitsHex).toBe("3d19");
    expect(facts.fields).toEqual({ sign: 0, exponent: 15, mantissa: 0x119 });
    expect(facts.relativeError).toBeCloseTo((1.2744140625 - 1.2745) / 1.2745, 6);
    expect(facts.notes).toEqual([]);
  });

  test("notes for subnormal, infinite and zero scales", () => {
    expect(scaleFacts(0x0001).notes.join(" ")).toContain("Subnormal");
    expect(scaleFacts(0x7c00, 70000).notes.join(" ")).toContain("Infinite");
    expect(scaleFacts(0x7c00, 70000).relativeError).toBeUndefined();
    expect(scaleFacts(0x0000, 1e-9).notes.join(" ")).toContain("Zero scale");
    expect(scaleFacts(0x8000).notes.join(" ")).toContain("Sign bit");
  });
});
