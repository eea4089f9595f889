/**
 * `trilm convert <hf-dir> <out.gguf> --type …`: the report, the file (read back by the oracle's
 * GGUF loader), lossy-conversion warnings on stderr, and bad input refused with one line and exit 2.
 */

import { existsSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GgmlType } from "../../../reference/codec/index.js";
import { evaluateSequence } from "../../../reference/model/forward.js";
import { findPreset } from "../../../reference/model/presets.js";
import { readGgufFile, writeGgufFile } from "../../../src/gguf/file.js";
import { modelFromGguf } from "../../../src/model/gguf-model.js";
import { loadHfModel } from "../../../src/model/hf-folder.js";
import { randomTrilm } from "../../../src/model/random-model.js";
import { parseSafetensors } from "../../../src/safetensors/index.js";
import { LOSSLESS, STRADDLING, makeFixture, writeHfFolder, type FixtureOptions } from "../model/hf-fixture.js";
import { expectRefused, repoFile, trilm, useTempDir } from "./harness.js";

const temp = useTempDir();
const TINY: FixtureOptions = { ...LOSSLESS, dim: 256, hiddenDim: 512, nLayers: 1, vocabSize: 40 };
const F32_OPTIONS = { activations: "f32", kvCache: "f32" } as const;

describe("trilm convert", () => {
  it("tq2_0: reports every tensor, writes a GGUF whose logits equal the checkpoint's", async () => {
    const dir = writeHfFolder(temp("TriLM_tiny"), makeFixture({ ...TINY, dim: 512, hiddenDim: 1024 }), { files: 2 });
    const result = await trilm("convert", dir, temp("out.gguf"), "--type", "tq2_0");
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(12 + 1);
    expect(lines[0]).toBe(
      "[ 1/12] lm_head.weight                                 -> output.weight              f16   [512, 40]",
    );
    expect(lines[3]).toBe(
      "[ 4/12] model.layers.0.mlp.down_proj.weight            -> blk.0.ffn_down.weight      tq2_0 [1024, 512]",
    );
    const file = readGgufFile(temp("out.gguf"));
    expect(lines[12]).toBe(`wrote ${temp("out.gguf")} (${file.byteLength} bytes, 12 tensors, no tokenizer)`);
    expect(file.getString("general.name")).toBe("TriLM_tiny");
    expect(file.tensor("blk.0.attn_q.weight")?.type).toBe(GgmlType.TQ2_0);
    const gguf = modelFromGguf(file);
    const hf = loadHfModel(dir, { ropeStyle: "adjacent" });
    const tokens = [0, 5, 39];
    expect(evaluateSequence(gguf.config, gguf.weights, tokens, F32_OPTIONS)).toEqual(
      evaluateSequence(hf.config, hf.weights, tokens, F32_OPTIONS),
    );
  });

  it("writes f16 by default, and takes --name", async () => {
    const dir = writeHfFolder(temp("m"), makeFixture(TINY));
    expect((await trilm("convert", dir, temp("out.gguf"), "--name", "My TriLM")).code).toBe(0);
    const file = readGgufFile(temp("out.gguf"));
    expect(file.getUint32("general.file_type")).toBe(1);
    expect(file.getString("general.name")).toBe("My TriLM");
    expect(file.tensor("blk.0.ffn_up.weight")?.type).toBe(GgmlType.F16);
  });

  it("warns on stderr, one line per matrix, when a 256-block straddles two shard scales; still writes the file", async () => {
    const dir = writeHfFolder(temp("m"), makeFixture(STRADDLING));
    const result = await trilm("convert", dir, temp("out.gguf"), "--type", "tq1_0");
    expect(result.code).toBe(0);
    const warnings = result.stderr.trimEnd().split("\n");
    expect(warnings).toHaveLength(2);
    for (const [i, line] of warnings.entries()) {
      expect(
        line.startsWith(
          `trilm: warning: ${join(dir, "model.safetensors")}: tensor ` +
            `'model.layers.${i}.self_attn.o_proj.weight': 256 of 256 256-element blocks hold two shard scales`,
        ),
      ).toBe(true);
      expect(line).toMatch(
        /; tq1_0 keeps one scale per block, so \d+ of 65536 values change: the conversion is lossy$/,
      );
    }
    expect(result.stdout.trimEnd().split("\n").at(-1)).toMatch(/, 2 lossy \(see the warnings\)\)$/);
    expect(readGgufFile(temp("out.gguf")).tensor("blk.1.attn_output.weight")?.type).toBe(GgmlType.TQ1_0);
  });

  it("--help says that no tokenizer is written", async () => {
    const result = await trilm("convert", "--help");
    expect(result.code).toBe(0);
    expect(result.stdout.replace(/\s+/g, " ")).toContain("No tokenizer is written (no tokenizer.* keys)");
  });
});

describe("trilm convert refuses bad input with one line and exit 2", () => {
  it("a missing folder", async () => {
    expectRefused(
      await trilm("convert", temp("nope"), temp("out.gguf")),
      temp("nope"),
      "no such file or directory",
      temp("out.gguf"),
    );
  });

  it("a config.json that is not JSON", async () => {
    const dir = writeHfFolder(temp("m"), makeFixture(TINY), { config: "{ nope" });
    expectRefused(
      await trilm("convert", dir, temp("out.gguf")),
      join(dir, "config.json"),
      "is not valid JSON",
      temp("out.gguf"),
    );
  });

  it("an unsupported architecture", async () => {
    const fixture = makeFixture(TINY);
    const dir = writeHfFolder(temp("m"), fixture, {
      config: { ...fixture.config, architectures: ["Qwen2ForCausalLM"], model_type: "qwen2" },
    });
    expectRefused(
      await trilm("convert", dir, temp("out.gguf")),
      join(dir, "config.json"),
      'unsupported architecture "Qwen2ForCausalLM"',
      temp("out.gguf"),
    );
  });

  it("a shard named in the index but absent", async () => {
    const dir = writeHfFolder(temp("m"), makeFixture(TINY), { files: 2 });
    unlinkSync(join(dir, "model-00001-of-00002.safetensors"));
    expectRefused(
      await trilm("convert", dir, temp("out.gguf")),
      join(dir, "model-00001-of-00002.safetensors"),
      "no such file or directory",
      temp("out.gguf"),
    );
  });

  it("a tensor of the wrong shape", async () => {
    const dir = writeHfFolder(temp("m"), makeFixture(TINY), {
      tensors: (ts) =>
        ts.map((t) => (t.name === "model.layers.0.mlp.gate_proj.weight" ? { ...t, shape: [256, 512] } : t)),
    });
    expectRefused(
      await trilm("convert", dir, temp("out.gguf")),
      join(dir, "model.safetensors"),
      "tensor 'model.layers.0.mlp.gate_proj.weight' has shape [256, 512], expected [512, 256]",
      temp("out.gguf"),
    );
  });

  it("a safetensors file breaking a rule (data_offsets past the end)", async () => {
    const dir = writeHfFolder(temp("m"), makeFixture(TINY));
    const bytes = readFileSync(join(dir, "model.safetensors"));
    writeFileSync(join(dir, "model.safetensors"), bytes.subarray(0, bytes.length - 2));
    expectRefused(
      await trilm("convert", dir, temp("out.gguf")),
      join(dir, "model.safetensors"),
      "end beyond the data section",
      temp("out.gguf"),
    );
  });

  it("an output path that is one of the inputs", async () => {
    const dir = writeHfFolder(temp("m"), makeFixture(TINY));
    const before = readFileSync(join(dir, "model.safetensors"));
    expectRefused(
      await trilm("convert", dir, join(dir, "model.safetensors")),
      join(dir, "model.safetensors"),
      "is also the input file",
    );
    expect(Buffer.compare(readFileSync(join(dir, "model.safetensors")), before)).toBe(0);
    expectRefused(
      await trilm("convert", dir, join(dir, "config.json")),
      join(dir, "config.json"),
      "is also the input file",
    );
  });

  it("an output type convert does not write", async () => {
    const dir = writeHfFolder(temp("m"), makeFixture(TINY));
    expectRefused(
      await trilm("convert", dir, temp("out.gguf"), "--type", "q8_0"),
      undefined,
      "Expected tq2_0, tq1_0, f16, trirun, i2_s, hf-bitnet.",
      temp("out.gguf"),
    );
  });
});

describe("trilm convert --type trirun", () => {
  /** A random tiny TQ2_0 model whose k/v projections are n = 256 wide (as many k/v heads as heads), on disk. */
  function writeTinyGguf(path: string): string {
    const tiny = findPreset("tiny");
    if (tiny === undefined) throw new Error("no tiny preset");
    const preset = { ...tiny, config: { ...tiny.config, nKvHeads: tiny.config.nHeads } };
    writeGgufFile(path, randomTrilm(preset, 2, "tq2_0"));
    return path;
  }

  it("a GGUF file: one line per layer, the folder with model.safetensors and trirun.json", async () => {
    const input = writeTinyGguf(temp("m.gguf"));
    const out = temp("out/trirun");
    const result = await trilm("convert", input, out, "--type", "trirun", "--group-size", "128");
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(14 + 7 + 1);
    expect(lines[0]).toBe("[ 1/14] blk.0.attn_k.weight      tq2_0 -> blk.0.attn_k.{B,s} k=256 n=256 groups of 128");
    expect(lines[14]).toBe("copied  output.weight F16 [512, 256]");
    const weights = join(out, "model.safetensors");
    expect(lines[21]).toBe(
      `wrote ${weights} (${readFileSync(weights).length} bytes: 14 TriRun layers, 7 tensors copied, 0 skipped) ` +
        `and ${join(out, "trirun.json")} (row order gguf)`,
    );
    const description = JSON.parse(readFileSync(join(out, "trirun.json"), "utf8")) as Record<string, unknown>;
    expect(description).toMatchObject({
      format: "trirun",
      version: 1,
      weights: "model.safetensors",
      row_order: "gguf",
    });
    const file = parseSafetensors(readFileSync(weights), weights, { int32: true });
    expect(file.tensors.get("blk.1.ffn_down.B")).toMatchObject({ dtype: "I32", shape: [768 / 16, 256] });
    expect(file.tensors.get("blk.1.ffn_down.s")).toMatchObject({ dtype: "F16", shape: [768 / 128, 256] });
    expect(file.tensors.get("token_embd.weight")).toMatchObject({ dtype: "F16", shape: [512, 256] });
  });

  it("a Hugging Face folder: Hugging Face names, row order hf", async () => {
    const dir = writeHfFolder(temp("m"), makeFixture({ ...TINY, dim: 512, hiddenDim: 1024 }));
    const result = await trilm("convert", dir, temp("out"), "--type", "trirun");
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toContain(
      "model.layers.0.self_attn.o_proj.weight f16   -> model.layers.0.self_attn.o_proj.{B,s} k=512 n=512 groups of 128",
    );
    const description = JSON.parse(readFileSync(temp("out/trirun.json"), "utf8")) as { row_order: string };
    expect(description.row_order).toBe("hf");
  });

  it("refuses the embedded model, naming every layer TriRun cannot hold, and writes nothing", async () => {
    const input = repoFile("golden/models/trilm-tiny-tq2_0.gguf");
    const result = await trilm("convert", input, temp("out"), "--type", "trirun");
    expectRefused(
      result,
      input,
      "cannot convert to TriRun, nothing written: 4 of 14 linear layers do not fit: blk.0.attn_k.weight (tq2_0 [128, 256]): " +
        "TriRun shape k=256, n=128: n = 128 must be a positive multiple of 256; blk.0.attn_v.weight",
      temp("out"),
    );
    for (const layer of ["blk.1.attn_k.weight", "blk.1.attn_v.weight"]) expect(result.stderr).toContain(layer);
  });

  it("refuses an output folder that would overwrite the input, and options that do not go together", async () => {
    const dir = writeHfFolder(temp("m"), makeFixture(TINY));
    const before = readFileSync(join(dir, "model.safetensors"));
    expectRefused(
      await trilm("convert", dir, dir, "--type", "trirun"),
      join(dir, "model.safetensors"),
      "is also the input file",
    );
    expect(Buffer.compare(readFileSync(join(dir, "model.safetensors")), before)).toBe(0);
    expect(existsSync(join(dir, "trirun.json"))).toBe(false);
    expectRefused(
      await trilm("convert", dir, temp("out.gguf"), "--group-size", "128"),
      undefined,
      "--group-size applies to --type trirun only",
      temp("out.gguf"),
    );
    expectRefused(
      await trilm("convert", dir, temp("out"), "--type", "trirun", "--name", "x"),
      undefined,
      "--name names a GGUF file",
      temp("out"),
    );
  });
});

describe("trilm convert between BitNet formats", () => {
  const fixture = repoFile("golden/external/llama-bitnet/scale-tq2_0.gguf");

  it("GGUF → I2_S → Hugging Face → TQ2_0: one line per tensor, the folder, the note about the activation", async () => {
    const i2s = await trilm("convert", fixture, temp("m-i2_s.gguf"), "--type", "i2_s");
    expect(i2s).toMatchObject({ code: 0, stderr: "" });
    const lines = i2s.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(24 + 1);
    expect(lines[8]).toBe("[ 9/24] blk.0.attn_k.weight        i2_s  [512, 128]");
    expect(lines[24]).toMatch(new RegExp(`^wrote ${temp("m-i2_s.gguf")} \\(\\d+ bytes, 24 tensors, no tokenizer\\)$`));
    expect(readGgufFile(temp("m-i2_s.gguf")).getString("general.name")).toBe("scale-tq2_0.gguf"); // the source's

    const hfArgs = ["convert", temp("m-i2_s.gguf"), temp("hf"), "--type", "hf-bitnet"];
    expectRefused(await trilm(...hfArgs), undefined, "--type hf-bitnet needs --weight-scale multiply|divide");
    expectRefused(
      await trilm(...hfArgs, "--weight-scale", "multiply"),
      temp("m-i2_s.gguf"),
      "records no FFN activation (GGUF has no key for it): name hidden_act with --ffn-activation relu2|silu",
    );
    expect(existsSync(temp("hf"))).toBe(false);
    const hf = await trilm(...hfArgs, "--weight-scale", "multiply", "--ffn-activation", "relu2");
    expect(hf).toMatchObject({ code: 0, stderr: "" });
    expect(hf.stdout).toMatch(/\(hidden_act relu2, linear_class autobitlinear, torch_dtype float32\)\n$/);
    expect(JSON.parse(readFileSync(join(temp("hf"), "config.json"), "utf8"))).toMatchObject({ hidden_act: "relu2" });

    const back = await trilm("convert", temp("hf"), temp("back.gguf"), "--type", "tq2_0", "--name", "scale-tq2_0.gguf");
    // the same model from the I2_S file: the same bytes
    expect(back.code).toBe(0);
    expect(back.stderr).toBe(
      `trilm: note: GGUF records no FFN activation: run ${temp("back.gguf")} with --ffn-activation relu2\n`,
    );
    const again = await trilm("convert", temp("m-i2_s.gguf"), temp("again.gguf"), "--type", "tq2_0");
    expect(again.code).toBe(0);
    expect(Buffer.compare(readFileSync(temp("again.gguf")), readFileSync(temp("back.gguf")))).toBe(0);
  });

  it("runs an I2_S file in f32 and int8-per-token, and refuses llama.cpp's arithmetic with the reason", async () => {
    expect((await trilm("convert", fixture, temp("m.gguf"), "--type", "i2_s")).code).toBe(0);
    const args = ["run", temp("m.gguf"), "--tokens", "1,2,3", "--ffn-activation", "relu2"];
    expect((await trilm(...args, "--activations", "int8-per-token")).code).toBe(0);
    expect((await trilm(...args, "--activations", "f32")).code).toBe(0);
    expectRefused(
      await trilm(...args, "--activations", "ggml"),
      temp("m.gguf"),
      "--activations ggml-exact: holds bitnet.cpp I2_S weights, which llama.cpp cannot read",
    );
  });

  it("refuses options that do not go together", async () => {
    expectRefused(
      await trilm("convert", fixture, temp("x.gguf"), "--type", "tq2_0", "--weight-scale", "divide"),
      undefined,
      "--weight-scale applies to --type hf-bitnet only",
    );
    expectRefused(
      await trilm("convert", fixture, temp("x.gguf"), "--type", "trirun", "--ffn-activation", "relu2"),
      undefined,
      "--weight-scale and --ffn-activation apply to BitNet conversions",
    );
    expectRefused(
      await trilm("convert", repoFile("golden/external/llama-bitnet/ts-tq2_0.gguf"), temp("x.gguf"), "--type", "i2_s"),
      repoFile("golden/external/llama-bitnet/ts-tq2_0.gguf"),
      "tensor 'blk.0.attn_q.weight' (TQ2_0): its weights are ±",
    );
    expect(existsSync(temp("x.gguf"))).toBe(false);
  });
});
