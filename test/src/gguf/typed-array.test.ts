import { Buffer } from "node:buffer";
import { describe, expect, test } from "vitest";
import { GgufValueType } from "../../../src/gguf/value.js";
import { isNumericArray, numericArrayFromFileBytes } from "../../../src/gguf/typed-array.js";

describe("numericArrayFromFileBytes", () => {
  test("copies exactly the array's bytes, also from a Node Buffer (whose slice() is a view of the whole file)", () => {
    const file = Buffer.alloc(4096, 7); // a "file" much larger than the array read from it
    file.writeUInt32LE(0xdeadbeef, 100);
    file.writeUInt32LE(42, 104);
    const array = numericArrayFromFileBytes(GgufValueType.UINT32, file.subarray(100, 108));
    if (!isNumericArray(array) || !(array.values instanceof Uint32Array)) throw new Error("expected a Uint32Array");
    expect(Array.from(array.values)).toEqual([0xdeadbeef, 42]);
    expect(array.values.buffer.byteLength).toBe(8);
    file.writeUInt32LE(0, 100); // the value is a copy, not a view of the file
    expect(array.values[0]).toBe(0xdeadbeef);
  });
});
