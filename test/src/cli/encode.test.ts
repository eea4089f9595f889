import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { GgmlType, quantizeRow } from "../../../reference/codec/index.js";
import { parseNpy } from "../../../src/io/npy.js";
import { expectRefused, pseudoRandomValues, ternaryRows, trilm, useTempDir, writeF32, writeNpy } from "./harness.js";

const temp = useTempDir();

const FORMATS = [
  ["tq1_0", GgmlType.TQ1_0],
  ["tq2_0", GgmlType.TQ2_0],
  ["q8_K", GgmlType.Q8_K],
] as const;

/** A .npy file whose header is `dict` (padded by hand) followed by `data`. */
function handMadeNpy(path: string, dict: string, data: Uint8Array): string {
  const header = dict + " ".repeat(118 - 1 - dict.length) + "\n";
  writeFileSync(
    path,
    Buffer.concat([Buffer.from([0x93, ...Buffer.from("NUMPY"), 1, 0, 118, 0]), Buffer.from(header, "latin1"), data]),
  );
  return path;
}

describe("trilm encode", () => {
  it.each(FORMATS)("%s: .npy input gives exactly quantizeRow's bytes", async (name, type) => {
    const values = pseudoRandomValues(3 * 512);
    const result = await trilm("encode", name, writeNpy(temp("x.npy"), [3, 512], values), temp("x.bin"));
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(new Uint8Array(readFileSync(temp("x.bin")))).toEqual(quantizeRow(type, values));
  });

  it.each(FORMATS)("%s: .f32 input gives exactly quantizeRow's bytes", async (name, type) => {
    const values = pseudoRandomValues(768, 7);
    const result = await trilm("encode", name, writeF32(temp("x.f32"), values), temp("x.bin"));
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(new Uint8Array(readFileSync(temp("x.bin")))).toEqual(quantizeRow(type, values));
  });

  it("concatenates the rows of an array with more dimensions (C order)", async () => {
    const values = pseudoRandomValues(2 * 3 * 256, 3);
    await trilm("encode", "tq2_0", writeNpy(temp("x.npy"), [2, 3, 256], values), temp("x.bin"));
    expect(new Uint8Array(readFileSync(temp("x.bin")))).toEqual(quantizeRow(GgmlType.TQ2_0, values));
  });

  it("prints one summary line: rows, blocks, bytes, bits per weight", async () => {
    const result = await trilm(
      "encode",
      "TQ2_0",
      writeNpy(temp("x.npy"), [2, 512], ternaryRows(2, 512)),
      temp("x.bin"),
    );
    expect(result.stdout).toBe(`encoded 2 × 512 values as tq2_0: 4 blocks, 264 bytes, 2.0625 bpw → ${temp("x.bin")}\n`);
  });

  it.each(["tq1_0", "tq2_0"])("%s: encode → decode gives back ternary × scale input exactly", async (name) => {
    const values = ternaryRows(4, 512);
    await trilm("encode", name, writeNpy(temp("in.npy"), [4, 512], values), temp("x.bin"));
    const result = await trilm("decode", name, temp("x.bin"), temp("out.npy"), "--shape", "4,512");
    expect(result.code).toBe(0);
    const decoded = parseNpy(readFileSync(temp("out.npy")), "out.npy");
    expect(decoded.shape).toEqual([4, 512]);
    expect(decoded.data).toEqual(values);
  });
});

describe("trilm encode refuses bad input with one line and exit 2", () => {
  it("a missing file", async () => {
    expectRefused(
      await trilm("encode", "tq2_0", temp("missing.npy"), temp("out.bin")),
      temp("missing.npy"),
      "no such file or directory",
      temp("out.bin"),
    );
  });

  it("a directory", async () => {
    mkdirSync(temp("dir.npy"));
    expectRefused(
      await trilm("encode", "tq2_0", temp("dir.npy"), temp("out.bin")),
      temp("dir.npy"),
      "is a directory",
      temp("out.bin"),
    );
  });

  it("an empty file", async () => {
    writeFileSync(temp("empty.f32"), "");
    expectRefused(
      await trilm("encode", "tq2_0", temp("empty.f32"), temp("out.bin")),
      temp("empty.f32"),
      "file is empty",
      temp("out.bin"),
    );
  });

  it(".npy with the wrong magic", async () => {
    writeFileSync(temp("x.npy"), "this is not a numpy file at all");
    expectRefused(
      await trilm("encode", "tq2_0", temp("x.npy"), temp("out.bin")),
      temp("x.npy"),
      "not a .npy file",
      temp("out.bin"),
    );
  });

  it(".npy with a truncated header", async () => {
    writeFileSync(temp("x.npy"), Buffer.from([0x93, ...Buffer.from("NUMPY"), 1, 0, 0x76]));
    expectRefused(
      await trilm("encode", "tq2_0", temp("x.npy"), temp("out.bin")),
      temp("x.npy"),
      "truncated .npy header",
      temp("out.bin"),
    );
  });

  it(".npy whose header length runs beyond the file", async () => {
    writeFileSync(
      temp("x.npy"),
      Buffer.from([0x93, ...Buffer.from("NUMPY"), 1, 0, 0x00, 0x10, ...Buffer.from("{'descr'")]),
    );
    expectRefused(
      await trilm("encode", "tq2_0", temp("x.npy"), temp("out.bin")),
      temp("x.npy"),
      "header length 4096 runs past the end of the file",
      temp("out.bin"),
    );
  });

  it(".npy of dtype '<f8' (readable since golden bounds are float64, but encode takes float32 only)", async () => {
    handMadeNpy(temp("x.npy"), "{'descr': '<f8', 'fortran_order': False, 'shape': (256,), }", new Uint8Array(8 * 256));
    expectRefused(
      await trilm("encode", "tq2_0", temp("x.npy"), temp("out.bin")),
      temp("x.npy"),
      "dtype '<f8' is not float32; encode reads '<f4' arrays",
      temp("out.bin"),
    );
  });

  it(".npy of dtype '>f4'", async () => {
    handMadeNpy(temp("x.npy"), "{'descr': '>f4', 'fortran_order': False, 'shape': (256,), }", new Uint8Array(4 * 256));
    expectRefused(
      await trilm("encode", "tq2_0", temp("x.npy"), temp("out.bin")),
      temp("x.npy"),
      "big-endian",
      temp("out.bin"),
    );
  });

  it(".npy with fortran_order True", async () => {
    handMadeNpy(temp("x.npy"), "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 256), }", new Uint8Array(4 * 512));
    expectRefused(
      await trilm("encode", "tq2_0", temp("x.npy"), temp("out.bin")),
      temp("x.npy"),
      "fortran_order is True",
      temp("out.bin"),
    );
  });

  it(".npy whose shape does not match the data length", async () => {
    handMadeNpy(
      temp("x.npy"),
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 256), }",
      new Uint8Array(4 * 256),
    );
    expectRefused(
      await trilm("encode", "tq2_0", temp("x.npy"), temp("out.bin")),
      temp("x.npy"),
      "needs 2048 bytes of data, but the file has 1024",
      temp("out.bin"),
    );
  });

  it(".npy whose last dimension is not a multiple of 256", async () => {
    writeNpy(temp("x.npy"), [4, 100], new Float32Array(400));
    expectRefused(
      await trilm("encode", "tq2_0", temp("x.npy"), temp("out.bin")),
      temp("x.npy"),
      "last dimension 100 of shape (4, 100) is not a positive multiple of 256",
      temp("out.bin"),
    );
  });

  it("a 0-d .npy array", async () => {
    writeNpy(temp("x.npy"), [], new Float32Array(1));
    expectRefused(
      await trilm("encode", "tq2_0", temp("x.npy"), temp("out.bin")),
      temp("x.npy"),
      "is a 0-d array",
      temp("out.bin"),
    );
  });

  it(".f32 whose length is not a multiple of 4", async () => {
    writeFileSync(temp("x.f32"), new Uint8Array(1026));
    expectRefused(
      await trilm("encode", "tq2_0", temp("x.f32"), temp("out.bin")),
      temp("x.f32"),
      "raw float32 file is 1026 bytes, not a multiple of 4",
      temp("out.bin"),
    );
  });

  it(".f32 whose value count is not a multiple of 256", async () => {
    writeF32(temp("x.f32"), new Float32Array(300));
    expectRefused(
      await trilm("encode", "tq2_0", temp("x.f32"), temp("out.bin")),
      temp("x.f32"),
      "holds 300 float32 values, not a multiple of 256",
      temp("out.bin"),
    );
  });

  it("an unknown extension", async () => {
    writeF32(temp("x.txt"), new Float32Array(256));
    expectRefused(
      await trilm("encode", "tq2_0", temp("x.txt"), temp("out.bin")),
      temp("x.txt"),
      "extension '.txt': expected a .npy file or a raw little-endian float32 .f32 file",
      temp("out.bin"),
    );
  });

  it("an unknown format name", async () => {
    writeF32(temp("x.f32"), new Float32Array(256));
    expectRefused(
      await trilm("encode", "tq3_0", temp("x.f32"), temp("out.bin")),
      undefined,
      /'tq3_0' is invalid for argument 'format'\. Expected tq1_0, tq2_0 or q8_K\./,
      temp("out.bin"),
    );
  });

  it("an output path equal to the input", async () => {
    const input = writeF32(temp("x.f32"), new Float32Array(256));
    const before = readFileSync(input);
    expectRefused(await trilm("encode", "tq2_0", input, input), input, "is also the input file");
    expect(readFileSync(input)).toEqual(before);
  });
});
