import { describe, expect, it } from "vitest";
import {
  explainBlock,
  explainHfBitnet,
  explainI2s,
  explainRosetta,
  explainTrirunTile,
} from "../../../src/explain/index.js";
import { expectRefused, trilm } from "./harness.js";

describe("trilm explain", () => {
  it("defaults to tq2_0 and seed 1", async () => {
    const result = await trilm("explain");
    expect(result).toEqual({ code: 0, stdout: explainBlock("tq2_0", { seed: 1 }), stderr: "" });
  });

  it("takes the format and --seed", async () => {
    expect((await trilm("explain", "tq1_0", "--seed", "7")).stdout).toBe(explainBlock("tq1_0", { seed: 7 }));
  });

  it("takes --values, negative numbers included", async () => {
    expect((await trilm("explain", "tq2_0", "--values", "-1,0.5,0.25")).stdout).toBe(
      explainBlock("tq2_0", { values: [-1, 0.5, 0.25] }),
    );
  });

  it("refuses an unknown format with one line", async () => {
    expectRefused(
      await trilm("explain", "q8_K"),
      undefined,
      "unknown format 'q8_K': explain knows tq1_0, tq2_0, trirun, i2_s, hf-bitnet and rosetta",
    );
  });

  it("refuses --values together with --seed", async () => {
    expectRefused(
      await trilm("explain", "--values", "1,2", "--seed", "3"),
      undefined,
      "give --values or --seed, not both",
    );
  });

  it("explains a TriRun tile: --tile, --seed, --codes", async () => {
    expect(await trilm("explain", "trirun", "--tile", "2", "--seed", "5")).toEqual({
      code: 0,
      stdout: explainTrirunTile({ tile: 2, seed: 5 }),
      stderr: "",
    });
    expect((await trilm("explain", "trirun", "--codes", "2,0,3")).stdout).toBe(explainTrirunTile({ codes: [2, 0, 3] }));
  });

  it("refuses options of the other formats, and a bad --tile or --codes, with one line", async () => {
    expectRefused(
      await trilm("explain", "trirun", "--values", "1"),
      undefined,
      "--values is not an option of explain trirun (it takes --codes, --seed, --tile)",
    );
    expectRefused(
      await trilm("explain", "tq2_0", "--tile", "1"),
      undefined,
      "--tile is not an option of explain tq2_0 (it takes --values, --seed)",
    );
    expectRefused(
      await trilm("explain", "rosetta", "--layout", "arm"),
      undefined,
      "--layout is not an option of explain rosetta",
    );
    expectRefused(await trilm("explain", "trirun", "--tile", "4"), undefined, "--tile must be 0, 1, 2 or 3");
    expectRefused(
      await trilm("explain", "trirun", "--codes", "1,4"),
      undefined,
      "--codes: item 2 ('4') is not a code 0..3",
    );
  });

  it("explains I2_S, HF BitNet and the Rosetta stone with their options", async () => {
    expect(await trilm("explain", "i2_s", "--layout", "arm", "--seed", "3")).toEqual({
      code: 0,
      stdout: explainI2s({ layout: "arm", seed: 3 }),
      stderr: "",
    });
    expect((await trilm("explain", "I2_S", "--codes", "2,0")).stdout).toBe(explainI2s({ codes: [2, 0] }));
    expect((await trilm("explain", "hf-bitnet", "--rows", "6")).stdout).toBe(explainHfBitnet({ rows: 6 }));
    expect((await trilm("explain", "rosetta", "--element", "37", "--shape", "square")).stdout).toBe(
      explainRosetta({ element: 37, arrangement: "square" }),
    );
    expect((await trilm("explain", "rosetta", "--seed", "4", "--element", "9")).stdout).toBe(
      explainRosetta({ seed: 4, element: 9 }),
    );
  });

  it("refuses bad I2_S, HF and Rosetta options with one line", async () => {
    expectRefused(await trilm("explain", "i2_s", "--layout", "neon"), undefined, "--layout must be x86, arm or 1x4");
    expectRefused(await trilm("explain", "hf-bitnet", "--rows", "0"), undefined, "--rows must be 1 to 64");
    expectRefused(await trilm("explain", "rosetta", "--element", "256"), undefined, "--element must be 0 to 255");
    expectRefused(await trilm("explain", "rosetta", "--shape", "tall"), undefined, "--shape must be row");
    expectRefused(
      await trilm("explain", "rosetta", "--codes", "1,3"),
      undefined,
      "--codes: item 2 ('3') is not a code 0..2",
    );
  });

  it("refuses a bad --seed", async () => {
    expectRefused(await trilm("explain", "--seed", "-3"), undefined, "--seed must be a whole number");
  });
});
