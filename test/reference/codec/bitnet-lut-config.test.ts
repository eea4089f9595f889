/** The TL1/TL2 tiling presets (spec/bitnet.md §4, §5): what the converter can and cannot lay out. */

import { describe, expect, test } from "vitest";
import { BITNET_LUT_PRESETS, findBitnetLutKernel } from "../../../reference/codec/bitnet-lut-config.js";
import { tl1ConfigProblems } from "../../../reference/codec/tl1.js";
import { tl2ConfigProblems } from "../../../reference/codec/tl2.js";

describe("BITNET_LUT_PRESETS", () => {
  test("lists the seven .ini files of microsoft/BitNet 16da220a", () => {
    expect(BITNET_LUT_PRESETS.map((p) => p.source)).toHaveLength(7);
    expect(BITNET_LUT_PRESETS.filter((p) => p.kind === "tl1")).toHaveLength(3);
  });

  test("every TL1 preset tiles; every TL2 preset but bitnet_b1_58-large's bm = 64 section tiles", () => {
    const failing: string[] = [];
    for (const preset of BITNET_LUT_PRESETS) {
      for (const kernel of preset.kernels) {
        const problems = preset.kind === "tl1" ? tl1ConfigProblems(kernel) : tl2ConfigProblems(kernel);
        if (problems.length > 0) failing.push(`${preset.source} m=${kernel.m} k=${kernel.k}`);
      }
    }
    expect(failing).toEqual(["preset_kernels/bitnet_b1_58-large/kernel_config_tl2.ini m=4096 k=1536"]);
  });

  test("finds a section by exact (m, k), as the converter does, and nothing otherwise", () => {
    const kernels = BITNET_LUT_PRESETS[0].kernels;
    expect(findBitnetLutKernel(kernels, 3200, 3200)).toEqual({ m: 3200, k: 3200, BM: 320, BK: 96, bm: 32 });
    expect(findBitnetLutKernel(kernels, 3200, 3201)).toBeUndefined();
  });
});
