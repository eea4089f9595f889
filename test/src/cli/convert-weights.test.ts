/**
 * `trilm convert-weights`: TQ (raw and GGUF tensor) → TriRun safetensors → TQ byte for byte, hf-ternary → TriRun,
 * and refusals as one line naming the input file, with no output written.
 */

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { f16BitsToF32, quantizeRowTq2_0 } from "../../../reference/codec/index.js";
import { unpackTrirun } from "../../../reference/codec/trirun.js";
import { readGgufFile } from "../../../src/gguf/file.js";
import { parseNpy } from "../../../src/io/npy.js";
import { parseTrirunWeight } from "../../../src/model/trirun-files.js";
import { serializeSafetensors } from "../../../src/safetensors/index.js";
import { expectRefused, repoFile, trilm, useTempDir } from "./harness.js";

const temp = useTempDir();
const TINY = repoFile("golden/models/trilm-tiny-tq2_0.gguf");

/** Ternary values [n, k] with one scale per row (0.5 or 0.25), every third value zero. */
function perRowTernary(n: number, k: number): Float32Array {
  return Float32Array.from(
    { length: n * k },
    (_, i) => (((i * 7) % 3) - 1) * (Math.floor(i / k) % 2 === 0 ? 0.5 : 0.25),
  );
}

describe("trilm convert-weights", () => {
  it("a GGUF tq2_0 tensor → TriRun (groups of 128) → raw tq2_0 gives the tensor's bytes back", async () => {
    const tensor = readGgufFile(TINY).tensor("blk.0.attn_q.weight");
    expect(tensor?.ne).toEqual([256, 256]);
    const trirun = temp("q.safetensors");
    const first = await trilm(
      "convert-weights",
      TINY,
      trirun,
      "--from",
      "tq2_0",
      "--tensor",
      "blk.0.attn_q.weight",
      "--to",
      "trirun",
      "--group-size",
      "128",
    );
    expect(first).toMatchObject({ code: 0, stderr: "" });
    expect(first.stdout).toMatch(/^wrote .*q\.safetensors: TriRun k=256, n=256, groups of 128 \(B, s\), \d+ bytes\n$/);
    const packed = parseTrirunWeight(readFileSync(trirun), trirun);
    expect([packed.k, packed.n, packed.groupSize, packed.B.length, packed.s.length]).toEqual([
      256,
      256,
      128,
      16 * 256,
      2 * 256,
    ]);
    const back = temp("q.bin");
    expect(await trilm("convert-weights", trirun, back, "--from", "trirun", "--to", "tq2_0")).toMatchObject({
      code: 0,
      stderr: "",
    });
    expect(Buffer.from(readFileSync(back)).equals(Buffer.from(tensor?.data ?? []))).toBe(true);
  });

  it("raw tq2_0 with one scale per row → per-column TriRun by default", async () => {
    const input = temp("w.bin");
    writeFileSync(input, quantizeRowTq2_0(perRowTernary(256, 256)));
    const output = temp("w.safetensors");
    const result = await trilm(
      "convert-weights",
      input,
      output,
      "--from",
      "tq2_0",
      "--k",
      "256",
      "--n",
      "256",
      "--to",
      "trirun",
    );
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const matrix = unpackTrirun(parseTrirunWeight(readFileSync(output), output));
    expect(matrix.groupSize).toBe(-1);
    expect([f16BitsToF32(matrix.scales[0]), f16BitsToF32(matrix.scales[1])]).toEqual([0.5, 0.25]);
  });

  it("hf-ternary: a safetensors tensor [n, k] → TriRun whose decoded weights are the values", async () => {
    const values = perRowTernary(256, 128);
    const input = temp("model.safetensors");
    writeFileSync(
      input,
      serializeSafetensors([{ name: "w", dtype: "F32", shape: [256, 128], data: new Uint8Array(values.buffer) }]),
    );
    const output = temp("w.safetensors");
    expect(
      await trilm("convert-weights", input, output, "--from", "hf-ternary", "--tensor", "w", "--to", "trirun"),
    ).toMatchObject({ code: 0 });
    const matrix = unpackTrirun(parseTrirunWeight(readFileSync(output), output));
    expect(matrix.codes[3 * 256 + 1] - 1).toBe(Math.sign(values[1 * 128 + 3]));
    expect(f16BitsToF32(matrix.scales[1])).toBe(0.25);
  });

  it("refuses a shape TriRun cannot hold, per column where blocks differ, and a missing --k, writing nothing", async () => {
    const output = temp("k.safetensors");
    expectRefused(
      await trilm(
        "convert-weights",
        TINY,
        output,
        "--from",
        "tq2_0",
        "--tensor",
        "blk.0.attn_k.weight",
        "--to",
        "trirun",
      ),
      TINY,
      "TriRun shape k=256, n=128: n = 128 must be a positive multiple of 256",
      output,
    );
    const input = temp("w.bin");
    const values = perRowTernary(256, 512).map((v, i) => (i % 512 < 256 ? v : v / 2));
    writeFileSync(input, quantizeRowTq2_0(values));
    expectRefused(
      await trilm(
        "convert-weights",
        input,
        output,
        "--from",
        "tq2_0",
        "--k",
        "512",
        "--n",
        "256",
        "--to",
        "trirun",
        "--group-size",
        "-1",
      ),
      input,
      "output row n=0: block 0 (inputs 0..255) has scale 0x3800 (0.5) but output row n=0: block 1 (inputs 256..511) has 0x3400 (0.25)",
      output,
    );
    const missing = await trilm("convert-weights", input, output, "--from", "tq2_0", "--to", "trirun");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--k and --n are required for a raw tq2_0 input");
  });

  it("--layout npy writes B.npy, s.npy and trirun.json; the folder converts back to the same TQ2_0 bytes", async () => {
    const tq = quantizeRowTq2_0(perRowTernary(256, 256));
    const input = temp("w.bin");
    writeFileSync(input, tq);
    const folder = temp("w-trirun");
    const args = ["--from", "tq2_0", "--k", "256", "--n", "256", "--to", "trirun", "--group-size", "128"];
    const result = await trilm("convert-weights", input, folder, ...args, "--layout", "npy");
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toMatch(
      /^wrote .*w-trirun: TriRun k=256, n=256, groups of 128 \(B, s\), in B\.npy, s\.npy, trirun\.json\n$/,
    );
    const B = parseNpy(readFileSync(join(folder, "B.npy")), "B.npy");
    const s = parseNpy(readFileSync(join(folder, "s.npy")), "s.npy");
    expect([B.dtype, B.shape, s.dtype, s.shape]).toEqual(["<i4", [16, 256], "<f2", [2, 256]]);
    expect(JSON.parse(readFileSync(join(folder, "trirun.json"), "utf8"))).toEqual({ k: 256, n: 256, groupsize: 128 });
    const back = temp("back.bin");
    expect(await trilm("convert-weights", folder, back, "--from", "trirun", "--to", "tq2_0")).toMatchObject({
      code: 0,
      stderr: "",
    });
    expect(Buffer.from(readFileSync(back)).equals(Buffer.from(tq))).toBe(true);
    expectRefused(
      await trilm("convert-weights", folder, temp("x"), "--from", "trirun", "--to", "tq2_0", "--layout", "npy"),
      undefined,
      "--layout applies to --to trirun only",
      temp("x"),
    );
  });
});
