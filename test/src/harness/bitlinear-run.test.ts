import { describe, expect, test } from "vitest";
import { runBitlinearCheck } from "../../../src/harness/bitlinear-run.js";
import { HF_BITNET_KERNEL_FORMAT, hfBitnetBuiltinCases } from "../../../src/harness/hf-bitnet-cases.js";
import { W2A8_KERNEL_FORMAT, w2a8BuiltinCases } from "../../../src/harness/w2a8-cases.js";

describe("runBitlinearCheck", () => {
  const run = { timeoutS: 10 };

  test("a w2a8 kernel that exits 0 and writes nothing fails every case, all-zero y included (H3)", async () => {
    const cases = w2a8BuiltinCases(1).filter((c) => c.n * c.k <= 16 * 512);
    const results = await runBitlinearCheck(W2A8_KERNEL_FORMAT, "true", cases, run);
    expect(results.map((r) => r.verdict?.passed)).toEqual(cases.map(() => false));
    for (const r of results) expect(r.verdict?.reason).toMatch(/^y\.bin left untouched: .*kernel-bugs H3/);
  });

  test("exit 3 skips; an hf-bitnet kernel that writes no y.bin fails saying so", async () => {
    const cases = hfBitnetBuiltinCases(1).slice(0, 2);
    const skipped = await runBitlinearCheck(HF_BITNET_KERNEL_FORMAT, "sh -c 'exit 3' --", cases, run);
    expect(skipped.every((r) => r.verdict?.unsupported === true)).toBe(true);
    const silent = await runBitlinearCheck(HF_BITNET_KERNEL_FORMAT, "true", cases, run);
    expect(silent[0].verdict?.reason).toBe("the kernel exited 0 but wrote no y.bin");
  });
});
