/** The published TriLM shapes (spec/forward.md §1, "The released sizes"): every preset is a usable config of the right size. */
import { describe, expect, test } from "vitest";
import { configProblems } from "../../../reference/model/config.js";
import {
  BITNET_PRESET_NAMES,
  BITNET_PRESETS,
  findPreset,
  parameterCount,
  ternaryParameterCount,
  TRILM_PRESET_NAMES,
  TRILM_PRESETS,
} from "../../../reference/model/presets.js";

/** name → hidden, ffn, layers, heads, model-parallel shards, nominal size (the table of trilm.md). */
const PUBLISHED: ReadonlyArray<readonly [string, number, number, number, number, number, number]> = [
  ["99m", 512, 1280, 16, 8, 1, 99e6],
  ["190m", 768, 2048, 16, 12, 1, 190e6],
  ["390m", 1024, 2560, 24, 16, 1, 390e6],
  ["560m", 1280, 3072, 24, 20, 1, 560e6],
  ["830m", 1536, 4096, 24, 24, 1, 830e6],
  ["1.1b", 1792, 5120, 24, 28, 2, 1.1e9],
  ["1.5b", 2048, 6144, 24, 32, 2, 1.5e9],
  ["2.4b", 2304, 7680, 30, 36, 3, 2.4e9],
  ["3.9b", 3072, 9216, 30, 24, 6, 3.9e9],
];

describe("presets", () => {
  test("are tiny and the nine released sizes, smallest first", () => {
    expect(TRILM_PRESET_NAMES).toEqual(["tiny", ...PUBLISHED.map((row) => row[0])]);
  });

  test.each(PUBLISHED)(
    "%s: hidden %i, ffn %i, %i layers, %i heads, %i shard(s)",
    (name, dim, ffn, layers, heads, shards, nominal) => {
      const preset = findPreset(name);
      expect(preset).toBeDefined();
      const { config, modelParallel } = preset!;
      const headDim = name === "3.9b" ? 128 : 64;
      expect(config).toEqual({
        dim,
        hiddenDim: ffn,
        nLayers: layers,
        nHeads: heads,
        nKvHeads: heads,
        headDim,
        vocabSize: name === "3.9b" ? 50688 : 50304,
        contextLength: 2048,
        normEps: Math.fround(1e-5),
        ropeTheta: 10000,
        ropeDim: headDim,
        ropeStyle: "adjacent",
      });
      expect(modelParallel).toBe(shards);
      // the nominal size is the parameter count (embedding and lm head included) to within 6%
      expect(Math.abs(parameterCount(config) / nominal - 1)).toBeLessThan(0.06);
    },
  );

  test("tiny is the shape of golden/external/llama/tiny-*.gguf", () => {
    expect(findPreset("tiny")).toEqual({
      name: "tiny",
      config: {
        dim: 256,
        hiddenDim: 768,
        nLayers: 2,
        nHeads: 4,
        nKvHeads: 2,
        headDim: 64,
        vocabSize: 512,
        contextLength: 256,
        normEps: Math.fround(1e-5),
        ropeTheta: 10000,
        ropeDim: 64,
        ropeStyle: "adjacent",
      },
      modelParallel: 1,
    });
  });

  test.each(TRILM_PRESETS.map((p) => [p.name, p] as const))(
    "%s: a valid config whose matrices are whole 256-blocks in every shard",
    (_name, preset) => {
      expect(configProblems(preset.config)).toEqual([]);
      const { dim, hiddenDim } = preset.config;
      expect(dim % 256).toBe(0);
      expect(hiddenDim % 256).toBe(0);
      expect(dim / 256 >= preset.modelParallel && hiddenDim / 256 >= preset.modelParallel).toBe(true);
    },
  );

  test("parameter counts: the seven matrices, plus untied embedding and head, plus norms", () => {
    const tiny = findPreset("tiny")!.config;
    // per layer: q 256·256 + k, v 2·128·256 + o 256·256 + 3·256·768
    expect(ternaryParameterCount(tiny)).toBe(2 * (65536 + 65536 + 65536 + 589824));
    expect(parameterCount(tiny)).toBe(ternaryParameterCount(tiny) + 2 * 512 * 256 + 5 * 256);
  });

  test("lookup is case-insensitive and unknown names give undefined", () => {
    expect(findPreset("3.9B")?.name).toBe("3.9b");
    expect(findPreset("99M")?.config.dim).toBe(512);
    expect(findPreset("7b")).toBeUndefined();
  });

  test("bitnet-tiny: BitNet b1.58-2B-4T's layout scaled down (head dim 128, GQA 4:1, NEOX RoPE), a usable config", () => {
    expect(BITNET_PRESET_NAMES).toEqual(["bitnet-tiny"]);
    const config = findPreset("BitNet-Tiny")!.config;
    expect(config).toBe(BITNET_PRESETS[0].config);
    expect(configProblems(config)).toEqual([]);
    expect(config).toMatchObject({ headDim: 128, nHeads: 4, nKvHeads: 1, ropeStyle: "rotate-half", ropeTheta: 500000 });
    expect(config).toMatchObject({ architecture: "bitnet", ffnActivation: "silu" });
    expect(config.nHeads * config.headDim).toBe(config.dim); // llama.cpp's attn_q is [dim, dim] (spec/forward.md §17.1)
  });
});
