import { describe, expect, it } from "vitest";
import { InputError } from "../../../src/errors.js";
import { parseRawF32, serializeRawF32 } from "../../../src/io/raw-f32.js";

describe("raw little-endian float32", () => {
  it("reads the values back to back, little-endian", () => {
    const bytes = Uint8Array.from([0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0]); // 1.0, -2.0
    expect(parseRawF32(bytes, "x.f32")).toEqual(Float32Array.from([1, -2]));
  });

  it("round trips every bit pattern, NaN payloads included", () => {
    const bits = new Uint32Array([0x80000000, 0x7fc00001, 0xffbfffff, 0x00000001, 0x7f800000]);
    const back = parseRawF32(serializeRawF32(new Float32Array(bits.buffer)), "x.f32");
    expect(new Uint32Array(back.buffer)).toEqual(bits);
  });

  it("reads from an unaligned view", () => {
    const bytes = new Uint8Array(9);
    bytes.set(serializeRawF32(Float32Array.from([0.25, 3])), 1);
    expect(parseRawF32(bytes.subarray(1), "x.f32")).toEqual(Float32Array.from([0.25, 3]));
  });

  it("refuses a length that is not a multiple of 4, naming the file", () => {
    const attempt = () => parseRawF32(new Uint8Array(10), "odd.f32");
    expect(attempt).toThrow(InputError);
    expect(attempt).toThrow("odd.f32: raw float32 file is 10 bytes, not a multiple of 4");
  });
});
