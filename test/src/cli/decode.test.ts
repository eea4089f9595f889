import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { GgmlType, dequantizeRow, quantizeRow, validateTq2_0Row } from "../../../reference/codec/index.js";
import { formatNpyHeader, parseNpy } from "../../../src/io/npy.js";
import { expectRefused, pseudoRandomValues, trilm, useTempDir } from "./harness.js";

const temp = useTempDir();

/** Write packed blocks of `values` in `type` to `name`. */
function writeBlocks(name: string, type: GgmlType, values: Float32Array): string {
  writeFileSync(temp(name), quantizeRow(type, values));
  return temp(name);
}

/** A TQ2_0 block the encoder never writes: code 3 at element 5, code 2 at element 6, scale -1.0 (0xbc00). */
function oddTq2Block(): Uint8Array {
  const block = new Uint8Array(66).fill(0x55);
  block[5] = 0x57; // element 5: bits 0-1 = 3
  block[6] = 0x56; // element 6: bits 0-1 = 2
  block[64] = 0x00;
  block[65] = 0xbc;
  return block;
}

describe("trilm decode", () => {
  it.each([
    ["tq1_0", GgmlType.TQ1_0],
    ["tq2_0", GgmlType.TQ2_0],
    ["q8_K", GgmlType.Q8_K],
  ] as const)("%s: writes dequantizeRow's values as a 1-D float32 .npy by default", async (name, type) => {
    const packed = quantizeRow(type, pseudoRandomValues(768, 5));
    writeFileSync(temp("x.bin"), packed);
    const result = await trilm("decode", name, temp("x.bin"), temp("x.npy"));
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const file = readFileSync(temp("x.npy"));
    expect(new Uint8Array(file.subarray(0, 128))).toEqual(formatNpyHeader("<f4", [768]));
    const decoded = parseNpy(file, "x.npy");
    expect(decoded.shape).toEqual([768]);
    expect(new Uint32Array(decoded.data.buffer)).toEqual(new Uint32Array(dequantizeRow(type, packed, 768).buffer));
  });

  it("--shape gives the array its rows", async () => {
    const result = await trilm(
      "decode",
      "tq2_0",
      writeBlocks("x.bin", GgmlType.TQ2_0, pseudoRandomValues(1024)),
      temp("x.npy"),
      "--shape",
      "2,512",
    );
    expect(result.stdout).toBe(
      `decoded 4 tq2_0 blocks (264 bytes) → 1024 float32 values, shape (2, 512) → ${temp("x.npy")}\n`,
    );
    expect(parseNpy(readFileSync(temp("x.npy")), "x.npy").shape).toEqual([2, 512]);
  });

  it("--validate lists what the encoder never writes, then decodes anyway", async () => {
    const block = oddTq2Block();
    const packed = new Uint8Array([...quantizeRow(GgmlType.TQ2_0, pseudoRandomValues(256)), ...block]);
    writeFileSync(temp("x.bin"), packed);
    const result = await trilm("decode", "tq2_0", temp("x.bin"), temp("x.npy"), "--validate");
    expect(result.code).toBe(0);
    const findings = validateTq2_0Row(packed);
    expect(findings.map((f) => f.kind)).toEqual(["tq2-code-3", "scale-negative"]);
    const expectedLines = findings.map(
      (f) => `block ${f.block} byte ${f.byte}: ${f.kind} (${f.severity}): ${f.message}`,
    );
    expect(result.stdout.split("\n")).toEqual([
      ...expectedLines,
      "validate: 2 findings in 2 blocks",
      `decoded 2 tq2_0 blocks (132 bytes) → 512 float32 values, shape (512,) → ${temp("x.npy")}`,
      "",
    ]);
    expect(expectedLines[0]).toMatch(/^block 1 byte 71: tq2-code-3 \(invalid\): element 5/);
    expect(parseNpy(readFileSync(temp("x.npy")), "x.npy").data).toEqual(dequantizeRow(GgmlType.TQ2_0, packed, 512));
  });

  it("--validate says so when there is nothing to find", async () => {
    const result = await trilm(
      "decode",
      "tq1_0",
      writeBlocks("x.bin", GgmlType.TQ1_0, pseudoRandomValues(512)),
      temp("x.npy"),
      "--validate",
    );
    expect(result.stdout.split("\n")[0]).toBe("validate: no findings in 2 blocks");
  });

  it("--validate with q8_K is a usage error", async () => {
    const input = writeBlocks("x.bin", GgmlType.Q8_K, pseudoRandomValues(256));
    expectRefused(
      await trilm("decode", "q8_K", input, temp("x.npy"), "--validate"),
      undefined,
      "--validate checks tq1_0 and tq2_0 blocks, not q8_K",
      temp("x.npy"),
    );
  });
});

describe("trilm decode refuses bad input with one line and exit 2", () => {
  it(".bin that is not a whole number of blocks", async () => {
    writeFileSync(temp("x.bin"), new Uint8Array(66 * 2 + 10));
    expectRefused(
      await trilm("decode", "tq2_0", temp("x.bin"), temp("x.npy")),
      temp("x.bin"),
      "is 142 bytes, not a whole number of 66-byte tq2_0 blocks (2 blocks and 10 bytes left over)",
      temp("x.npy"),
    );
  });

  it("--shape that does not match the file", async () => {
    const input = writeBlocks("x.bin", GgmlType.TQ2_0, pseudoRandomValues(512));
    expectRefused(
      await trilm("decode", "tq2_0", input, temp("x.npy"), "--shape", "3,256"),
      input,
      "--shape 3,256 holds 768 values, but the file's 2 tq2_0 blocks hold 512",
      temp("x.npy"),
    );
  });

  it("--shape whose last dimension is not a multiple of 256", async () => {
    const input = writeBlocks("x.bin", GgmlType.TQ2_0, pseudoRandomValues(512));
    expectRefused(
      await trilm("decode", "tq2_0", input, temp("x.npy"), "--shape", "4,128"),
      undefined,
      "--shape 4,128: the last dimension 128 is not a multiple of 256",
      temp("x.npy"),
    );
  });

  it("--shape that is not a list of numbers", async () => {
    const input = writeBlocks("x.bin", GgmlType.TQ2_0, pseudoRandomValues(512));
    expectRefused(
      await trilm("decode", "tq2_0", input, temp("x.npy"), "--shape", "2x256"),
      undefined,
      "option '--shape <dims>' argument '2x256' is invalid",
      temp("x.npy"),
    );
  });

  it("an output path equal to the input", async () => {
    const input = writeBlocks("x.bin", GgmlType.TQ2_0, pseudoRandomValues(256));
    const before = readFileSync(input);
    expectRefused(
      await trilm("decode", "tq2_0", input, `${input}/../x.bin`),
      `${input}/../x.bin`,
      "is also the input file",
    );
    expect(readFileSync(input)).toEqual(before);
  });
});
