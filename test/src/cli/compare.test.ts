/**
 * `trilm compare` (spec/forward.md §8.3): identical models report no divergence and exit 0; a model with one
 * changed weight, or a bitnet model run with ReLU² instead of SiLU, is named at its first diverging tensor
 * and exits 1; a bad command line exits 2.
 */

import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { GgufFile, parseGguf, serializeGguf } from "../../../src/gguf/index.js";
import { expectRefused, repoFile, trilm, useTempDir } from "./harness.js";

const temp = useTempDir();
const TINY = repoFile("golden/models/trilm-tiny-tq2_0.gguf");

/** The tiny model with one byte of TQ2_0 codes in `tensor` set to other valid codes (the block scale unchanged). */
function withOneChange(path: string, tensor: string): string {
  const file = parseGguf(new Uint8Array(readFileSync(TINY)), TINY);
  const tensors = file.tensors.map((t) => {
    if (t.name !== tensor) return t;
    const data = t.data.slice();
    data[5] = [0x00, 0x55, 0xaa].find((v) => v !== data[5]) ?? 0;
    return { ...t, data };
  });
  writeFileSync(path, serializeGguf(GgufFile.create(path, file.metadata, tensors)));
  return path;
}

describe("trilm compare", () => {
  it("a model against itself: every tensor in graph order, 'no divergence', exit 0", async () => {
    const result = await trilm("compare", TINY, "--tokens", "1,17,300");
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^A \(.*trilm-tiny-tq2_0\.gguf, ggml-exact\): model: /);
    expect(lines[2]).toBe("tokens (3): 1 17 300");
    expect(lines.some((l) => /^ {2}blk\.0 attn_norm +\d+ +0 +0 +0\/\d+ +-$/.test(l))).toBe(true);
    expect(lines.at(-1)).toMatch(/^no divergence \(bit-exact\): \d+ tensors agree over 3 positions$/);
  });

  it("two models differing in blk.1.ffn_down.weight: the first divergence is blk.1 ffn_out, exit 1", async () => {
    const changed = withOneChange(temp("changed.gguf"), "blk.1.ffn_down.weight");
    const result = await trilm("compare", TINY, changed, "--tokens", "1,17,300", "--mode", "f32");
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("");
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines.at(-1)).toMatch(
      /^first divergence \(bit-exact\): blk\.1 ffn_out \(pos 0\): max \|Δ\| [\d.e+-]+ there, /,
    );
    expect(lines.some((l) => /^ {2}blk\.1 l_out .* 0$/.test(l))).toBe(true);
    expect(lines.some((l) => /^ {2}blk\.1 ffn_gate_par .* -$/.test(l))).toBe(true);
  });

  it("a bitnet model with silu against relu2: the first divergence is blk.0 ffn_gate_par", async () => {
    const model = temp("bitnet.gguf");
    expect((await trilm("make-model", "--arch", "bitnet", "--seed", "1", model)).code).toBe(0);
    const result = await trilm(
      "compare",
      model,
      "--tokens",
      "1,2",
      "--ffn-activation",
      "silu",
      "--ffn-activation-b",
      "relu2",
    );
    expect(result.code).toBe(1);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^A \(.*, ggml-exact, ffn silu\)/);
    expect(lines[1]).toMatch(/^B \(.*, ggml-exact, ffn relu2\)/);
    expect(lines.at(-1)).toMatch(/^first divergence \(bit-exact\): blk\.0 ffn_gate_par \(pos 0\)/);
  }, 120_000);

  it("refuses ggml-matmul and a bad tolerance with one line, exit 2", async () => {
    expectRefused(
      await trilm("compare", TINY, "--mode-b", "ggml-matmul"),
      undefined,
      /compare runs reference\/model's forward pass/,
    );
    expectRefused(await trilm("compare", TINY, "--tolerance", "-1"), undefined, /--tolerance must be a number ≥ 0/);
  });
});
