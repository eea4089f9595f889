/** The compute backends the bench measures: packed-wasm once per thread count, labelled, the others once. */
import { describe, expect, test } from "vitest";
import { packedWasmLabel, PACKED_WASM_BASELINE } from "../../../src/bench/backends.js";
import { benchBackendSpecs, isReferenceSpec } from "../../../src/bench/compute-backends.js";

describe("benchBackendSpecs", () => {
  test("expands packed-wasm into one labelled spec per thread count, in registry order", () => {
    expect(benchBackendSpecs(["reference", "packed-wasm", "tfjs-wasm"], [1, 2])).toEqual([
      { name: "reference", label: "reference" },
      { name: "packed-wasm", threads: 1, label: "packed-wasm (1 thread)" },
      { name: "packed-wasm", threads: 2, label: "packed-wasm (2 threads)" },
      { name: "tfjs-wasm", label: "tfjs-wasm" },
    ]);
    expect(benchBackendSpecs(["gpujs"], [1, 2])).toEqual([{ name: "gpujs", label: "gpujs" }]);
  });

  test("the baseline label is packed-wasm on one thread; only the reference is the reference", () => {
    expect(PACKED_WASM_BASELINE).toBe(packedWasmLabel(1));
    expect(packedWasmLabel(4)).toBe("packed-wasm (4 threads)");
    const specs = benchBackendSpecs(["reference", "packed-wasm"], [1]);
    expect(specs.map(isReferenceSpec)).toEqual([true, false]);
  });
});
