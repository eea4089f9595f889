/**
 * `trilm run --backend …` (src/cli/commands/run.ts): tfjs backends through src/backend/registry.ts and
 * backend-forward print their describe() line and the same argmax as the reference on the embedded model.
 */

import { describe, expect, it } from "vitest";
import { expectRefused, trilm } from "../cli/harness.js";

/** The argmax column of the position table. */
function argmaxes(stdout: string): number[] {
  return stdout
    .split("\n")
    .filter((l) => /\s(prompt|generated)$/.test(l))
    .map((l) => Number(l.trim().split(/\s+/)[2]));
}

describe("trilm run --backend", () => {
  it("tfjs-cpu and tfjs-wasm agree with the reference's argmax and print describe()", async () => {
    const reference = await trilm("run", "--generate", "3");
    expect(reference.code).toBe(0);
    for (const name of ["tfjs-cpu", "tfjs-wasm"]) {
      const result = await trilm("run", "--backend", name, "--generate", "3");
      expect(result.code).toBe(0);
      const lines = result.stdout.split("\n");
      expect(lines[1]).toBe(`backend ${name}, activations f32, kv cache f32`);
      expect(lines[2]).toMatch(new RegExp(`^backend: tfjs 4\\.22\\.0 backend ${name.slice(5)}`));
      expect(argmaxes(result.stdout)).toEqual(argmaxes(reference.stdout));
    }
  });

  it("refuses an f16 KV cache on a non-reference backend", async () => {
    expectRefused(
      await trilm("run", "--backend", "tfjs-cpu", "--kv-cache", "f16"),
      undefined,
      "--kv-cache f16: --backend tfjs-cpu runs with an f32 KV cache only (use --backend reference for f16)",
    );
  });
});
