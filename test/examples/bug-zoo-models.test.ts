/**
 * The bug zoo's model-level bugs (examples/bug-zoo/README.md, spec/bug-zoo.md), run as the README's commands, in
 * process: `trilm compare` must name the first diverging tensor — the place of the bug — with every tensor before it
 * bit-identical.
 *   B8  SiLU instead of ReLU² in a BitNet FFN: a random bitnet GGUF (made here, nothing committed) run with
 *       --ffn-activation relu2 against silu → blk.0 ffn_gate_par.
 *   B9  weight_scale divided instead of multiplied: transformers' own autobitlinear folder
 *       (golden/external/transformers-bitnet/) against a copy whose config.json says "bitlinear" → blk.0 Qcur, the
 *       first scaled linear's output.
 */

import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { repoFile, trilm, useTempDir } from "../src/cli/harness.js";

/** The table rows of `trilm compare` before the named tensor: each must show 0 differing values. */
function rowsBefore(stdout: string, tensor: string): string[] {
  const rows = stdout.split("\n").filter((line) => /^ {2}(blk\.\d+|output) /.test(line));
  const at = rows.findIndex((line) => line.startsWith(`  ${tensor} `));
  expect(at, stdout).toBeGreaterThanOrEqual(0);
  return rows.slice(0, at);
}

/** The closing line of `trilm compare`. */
function verdictLine(stdout: string): string {
  return stdout.trimEnd().split("\n").at(-1) ?? "";
}

describe("examples/bug-zoo model-level bugs, caught by trilm compare", () => {
  const temp = useTempDir();

  test("B8: SiLU instead of ReLU² in a BitNet FFN — the first divergence is blk.0 ffn_gate_par", async () => {
    const model = temp("bitnet-tiny.gguf");
    const made = await trilm("make-model", "--arch", "bitnet", "--scale-tensors", "--seed", "1", model);
    expect(made.code, made.stderr).toBe(0);
    const result = await trilm("compare", model, "--ffn-activation", "relu2", "--ffn-activation-b", "silu");
    expect(result.stderr).toBe("");
    expect(result.code, result.stdout).toBe(1);
    expect(result.stdout).toMatch(/^A \(.*, ggml-exact, ffn relu2\): /);
    expect(result.stdout).toMatch(/\nB \(.*, ggml-exact, ffn silu\): /);
    expect(verdictLine(result.stdout)).toMatch(/^first divergence \(bit-exact\): blk\.0 ffn_gate_par \(pos 0\): /);
    const before = rowsBefore(result.stdout, "blk.0 ffn_gate_par");
    expect(before.map((line) => line.trim().split(/\s+/)[1])).toEqual([
      "attn_norm",
      "Qcur",
      "Kcur",
      "Vcur",
      "kqv_out",
      "attn_sub_norm",
      "attn_out",
      "ffn_inp",
      "ffn_norm",
      "ffn_up",
      "ffn_gate",
    ]);
    for (const line of before) expect(line).toMatch(/ 0\/\d+ +- *$/);
  });

  test("B9: weight_scale divided instead of multiplied — the first divergence is blk.0 Qcur", async () => {
    const multiplied = repoFile("golden/external/transformers-bitnet/autobitlinear");
    const divided = temp("divided");
    cpSync(multiplied, divided, { recursive: true });
    const config = join(divided, "config.json");
    const text = readFileSync(config, "utf8");
    expect(text).toContain('"linear_class": "autobitlinear"');
    writeFileSync(config, text.replace('"autobitlinear"', '"bitlinear"'));
    const result = await trilm("compare", multiplied, divided);
    expect(result.stderr).toBe("");
    expect(result.code, result.stdout).toBe(1);
    expect(verdictLine(result.stdout)).toMatch(/^first divergence \(bit-exact\): blk\.0 Qcur \(pos 0\): /);
    const before = rowsBefore(result.stdout, "blk.0 Qcur");
    expect(before.map((line) => line.trim().split(/\s+/)[1])).toEqual(["attn_norm"]);
    for (const line of before) expect(line).toMatch(/ 0\/\d+ +- *$/);
  });
});
