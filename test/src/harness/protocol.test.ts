import { describe, expect, it } from "vitest";
import {
  caseJsonOf,
  inputRoles,
  outputRole,
  parseCaseJson,
  weightRowBytes,
  PROTOCOL_VERSION,
} from "../../../src/harness/protocol.js";

describe("kernel protocol v1: case.json", () => {
  it("names the fixed files of each op's roles", () => {
    const json = caseJsonOf({ op: "matmul", format: "tq2_0", rows: 3, cols: 512, batch: 2, activations: "ggml" });
    expect(json).toEqual({
      protocol: PROTOCOL_VERSION,
      op: "matmul",
      format: "tq2_0",
      shape: { rows: 3, cols: 512, batch: 2 },
      activations: "ggml",
      inputs: { weight: "weight.bin", x: "x.npy" },
      outputs: { y: "y.npy" },
    });
    expect(
      caseJsonOf({ op: "dequantize", format: "tq1_0", rows: 1, cols: 256, batch: 1, activations: "f32" }).outputs,
    ).toEqual({ w: "w.npy" });
    expect(
      caseJsonOf({ op: "quantize", format: "tq1_0", rows: 1, cols: 256, batch: 1, activations: "f32" }).inputs,
    ).toEqual({ w: "w.npy" });
    expect(inputRoles("quantize")).toEqual(["w"]);
    expect(outputRole("quantize")).toBe("weight");
    expect(weightRowBytes("tq1_0", 512)).toBe(108);
    expect(weightRowBytes("tq2_0", 512)).toBe(132);
  });

  it("always carries activations, f32 for every op but matmul (one rule for built-in, suite and saved cases)", () => {
    for (const op of ["dequantize", "quantize"] as const) {
      const json = caseJsonOf({ op, format: "tq2_0", rows: 1, cols: 256, batch: 1, activations: "ggml" });
      expect(json.activations).toBe("f32");
      expect(parseCaseJson(JSON.stringify({ ...json, activations: "ggml" })).activations).toBe("f32");
    }
  });

  it("parses what it writes", () => {
    const json = caseJsonOf({
      op: "quantize",
      format: "tq1_0",
      rows: 4,
      cols: 768,
      batch: 1,
      activations: "f32",
      label: "t1",
    });
    expect(parseCaseJson(JSON.stringify(json))).toEqual(json);
  });

  it.each([
    ["not json", "{", /not valid JSON/],
    ["wrong protocol", { protocol: 2 }, /protocol must be 1/],
    ["unknown op", { op: "conv" }, /op must be one of/],
    ["cols not a multiple of 256", { shape: { rows: 1, cols: 100, batch: 1 } }, /shape.cols/],
    [
      "batch for dequantize",
      {
        op: "dequantize",
        inputs: { weight: "weight.bin" },
        outputs: { w: "w.npy" },
        shape: { rows: 1, cols: 256, batch: 2 },
      },
      /batch must be 1/,
    ],
    ["other file names", { inputs: { weight: "w.bin", x: "x.npy" } }, /inputs must be/],
  ])("refuses %s", (_name, patch, message) => {
    const base = caseJsonOf({ op: "matmul", format: "tq2_0", rows: 1, cols: 256, batch: 1, activations: "f32" });
    const text = typeof patch === "string" ? patch : JSON.stringify({ ...base, ...patch });
    expect(() => parseCaseJson(text)).toThrow(message);
  });
});

describe("parseCaseJson on deeply nested values (found by test/fuzz)", () => {
  it("refuses a value nested 100,000 deep with a plain Error, not a stack-overflow RangeError", () => {
    const deep = `${"[".repeat(100_000)}1${"]".repeat(100_000)}`;
    for (const text of [
      `{"protocol":${deep}}`,
      `{"protocol":1,"op":"matmul","format":"tq1_0","activations":"f32","shape":{"rows":${deep}}}`,
    ]) {
      let thrown: unknown;
      try {
        parseCaseJson(text);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(Error);
      expect(Object.getPrototypeOf(thrown)).toBe(Error.prototype);
      expect((thrown as Error).message).toMatch(/nests arrays or objects more than 64 deep/);
    }
  });
});
