import { describe, expect, it } from "vitest";
import { explainBlock } from "../../../src/explain/index.js";
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
    expectRefused(await trilm("explain", "q8_K"), undefined, "unknown format 'q8_K': explain knows tq1_0 and tq2_0");
  });

  it("refuses --values together with --seed", async () => {
    expectRefused(
      await trilm("explain", "--values", "1,2", "--seed", "3"),
      undefined,
      "give --values or --seed, not both",
    );
  });

  it("refuses a bad --seed", async () => {
    expectRefused(await trilm("explain", "--seed", "-3"), undefined, "--seed must be a whole number");
  });
});
