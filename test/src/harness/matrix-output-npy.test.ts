import { describe, expect, it } from "vitest";
import { readMatrixOutputNpy } from "../../../src/harness/matrix-output-npy.js";
import { serializeNpy } from "../../../src/io/npy.js";

describe("readMatrixOutputNpy", () => {
  it("gives the elements of a file of the right dtype and shape", () => {
    const bytes = serializeNpy({ dtype: "<f2", shape: [1, 2], data: new Uint16Array([0x3c00, 0]) });
    expect(readMatrixOutputNpy(bytes, "y.npy", "<f2", [1, 2])).toEqual(new Uint16Array([0x3c00, 0]));
  });

  it("says what is wrong with any other file", () => {
    const f4 = serializeNpy({ dtype: "<f4", shape: [2, 1], data: new Float32Array(2) });
    expect(readMatrixOutputNpy(f4, "y.npy", "<f2", [2, 1])).toBe("y.npy has dtype '<f4', expected float16 '<f2'");
    expect(readMatrixOutputNpy(f4, "y.npy", "<f4", [1, 2])).toBe("y.npy has shape (2, 1), expected (1, 2)");
    expect(readMatrixOutputNpy(new Uint8Array(3), "y.npy", "<f4", [1, 1])).toMatch(/^y\.npy/);
  });
});
