import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { expectRefused, repoFile, trilm, useTempDir } from "./harness.js";

const temp = useTempDir();
const TINY_F32 = repoFile("golden/external/llama/tiny-f32.gguf");
const F16_EMBEDDINGS = ["--token-embedding-type", "f16", "--output-tensor-type", "f16"];

describe("trilm quantize", () => {
  it.each(["tq1_0", "tq2_0"])("%s: writes exactly the file llama-quantize wrote", async (type) => {
    const result = await trilm("quantize", TINY_F32, temp("out.gguf"), type, ...F16_EMBEDDINGS);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(
      Buffer.compare(readFileSync(temp("out.gguf")), readFileSync(repoFile(`golden/external/llama/tiny-${type}.gguf`))),
    ).toBe(0);
  });

  it("reports every tensor as llama-quantize does, then the totals", async () => {
    const result = await trilm("quantize", TINY_F32, temp("out.gguf"), "tq2_0", ...F16_EMBEDDINGS);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(21 + 3);
    expect(lines[0]).toBe(
      "[   1/  21] output.weight                        - [  256,   512,     1,     1], type =    " +
        "f32, converting to f16 .. size =     0.50 MiB ->     0.25 MiB",
    );
    expect(lines[1]).toBe(
      "[   2/  21] output_norm.weight                   - [  256,     1,     1,     1], type =    f32, size =    0.001 MiB",
    );
    expect(lines[3]).toBe(
      "[   4/  21] blk.0.attn_k.weight                  - [  256,   128,     1,     1], type =    " +
        "f32, converting to tq2_0 .. size =     0.13 MiB ->     0.01 MiB",
    );
    expect(lines.slice(21)).toEqual([
      "model size  =     7.00 MiB",
      "quant size  =     0.89 MiB",
      `wrote ${temp("out.gguf")} (948160 bytes)`,
    ]);
  });

  it("without options stores token_embd as q4_K and output as q6_K, as llama-quantize does", async () => {
    const result = await trilm("quantize", TINY_F32, temp("out.gguf"), "tq2_0");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/token_embd\.weight .*converting to q4_K/);
    expect(result.stdout).toMatch(/output\.weight .*converting to q6_K/);
  });

  it("refuses an option type llama-quantize cannot write", async () => {
    const result = await trilm("quantize", TINY_F32, temp("out.gguf"), "tq2_0", "--output-tensor-type", "q8_K");
    expectRefused(
      result,
      undefined,
      "option '--output-tensor-type <type>' argument 'q8_K' is invalid. Expected f32, f16, bf16, q8_0, q4_0, q4_K, tq1_0 or tq2_0.",
      temp("out.gguf"),
    );
  });

  it("refuses a target other than tq1_0 or tq2_0", async () => {
    expectRefused(
      await trilm("quantize", TINY_F32, temp("out.gguf"), "q8_0"),
      undefined,
      "Expected tq1_0 or tq2_0.",
      temp("out.gguf"),
    );
  });
});

describe("trilm quantize refuses bad input with one line and exit 2", () => {
  it("a garbage .gguf (random bytes)", async () => {
    const garbage = Uint8Array.from({ length: 4096 }, (_, i) => (Math.imul(i + 1, 2654435761) >>> 24) & 0xff);
    writeFileSync(temp("garbage.gguf"), garbage);
    expectRefused(
      await trilm("quantize", temp("garbage.gguf"), temp("out.gguf"), "tq2_0"),
      temp("garbage.gguf"),
      "not a GGUF file",
      temp("out.gguf"),
    );
  });

  it("a truncated .gguf (the first 100 bytes of tiny-f32.gguf)", async () => {
    writeFileSync(temp("truncated.gguf"), readFileSync(TINY_F32).subarray(0, 100));
    expectRefused(
      await trilm("quantize", temp("truncated.gguf"), temp("out.gguf"), "tq2_0"),
      temp("truncated.gguf"),
      "tensor count at offset 8 is 21, but 21 × at least 32 bytes cannot fit in the 84 bytes left",
      temp("out.gguf"),
    );
  });

  it("an output path equal to the input", async () => {
    writeFileSync(temp("model.gguf"), readFileSync(TINY_F32));
    const before = readFileSync(temp("model.gguf"));
    expectRefused(
      await trilm("quantize", temp("model.gguf"), temp("model.gguf"), "tq2_0", ...F16_EMBEDDINGS),
      temp("model.gguf"),
      "is also the input file",
    );
    expect(Buffer.compare(readFileSync(temp("model.gguf")), before)).toBe(0);
  });
});
