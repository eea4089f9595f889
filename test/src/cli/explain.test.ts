import { describe, expect, it } from "vitest";
import { explainBlock, explainTrirunTile } from "../../../src/explain/index.js";
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
      "unknown format 'q8_K': explain knows tq1_0, tq2_0 and trirun",
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
    expectRefused(await trilm("explain", "trirun", "--values", "1"), undefined, "--values is for tq1_0 / tq2_0");
    expectRefused(await trilm("explain", "tq2_0", "--tile", "1"), undefined, "--codes and --tile are for trirun");
    expectRefused(await trilm("explain", "trirun", "--tile", "4"), undefined, "--tile must be 0, 1, 2 or 3");
    expectRefused(
      await trilm("explain", "trirun", "--codes", "1,4"),
      undefined,
      "--codes: item 2 ('4') is not a code 0..3",
    );
  });

  it("refuses a bad --seed", async () => {
    expectRefused(await trilm("explain", "--seed", "-3"), undefined, "--seed must be a whole number");
  });
});
