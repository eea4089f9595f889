/**
 * The bug zoo's kernels (examples/bug-zoo/, spec/bug-zoo.md): each reproduces a real ternary-kernel bug through the
 * kernel protocol, and `trilm check` must fail it with every failing row's reason naming the bug's cause — a
 * catalogued hypothesis (spec/kernel-protocol.md §9, §11.6 and the bitnet formats' catalogues) as the cause, not among
 * several (except, for the bitnet formats' kernels, on a case too small to tell it from another, where it is listed as
 * ambiguous), or the judge's own named reason (W2A8's untouched output). The TriRun scale-permutation bug is
 * examples/kernels/trirun_bug_scale_perm.c, checked here as the zoo's entry; the i2_s, hf-bitnet and w2a8 kernels
 * belong to those formats too (their own tests are the formats'; here they are checked as zoo entries). A harness that
 * stopped catching a bug, or stopped naming its cause (a hypothesis removed or renamed), fails this test; so does a
 * reproduction added to examples/bug-zoo/ without its story.
 */

import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { MATMUL_HYPOTHESES } from "../../src/harness/diagnose.js";
import { HF_BITNET_HYPOTHESES } from "../../src/harness/hf-bitnet-judge.js";
import { I2S_HYPOTHESES } from "../../src/harness/i2s-diagnose.js";
import { TRIRUN_HYPOTHESES } from "../../src/harness/trirun-diagnose.js";
import { W2A8_UNTOUCHED_REASON } from "../../src/harness/w2a8-judge.js";
import { repoFile, trilm } from "../src/cli/harness.js";
import { HAS_CC } from "../support/toolchain.js";

/** One kernel of the zoo: its source, the check it fails, and the cause every failing row must name. */
interface ZooKernel {
  /** The C file, relative to the repository root. */
  readonly source: string;
  /** `trilm check` options after --kernel. */
  readonly check: readonly string[];
  /** The printed cause: a hypothesis's description (undefined when the id is gone), or a judge's reason. */
  readonly cause: string | undefined;
  /** Is the cause a hypothesis, printed as "matches: <cause>"? */
  readonly hypothesis: boolean;
  /** Words the printed cause must contain: the bug as users know it. */
  readonly words: string;
  /**
   * How many of the built-in cases fail (all the cases that can show the bug), each naming the cause; or "some" (the
   * bitnet formats' kernels, whose cases are those formats'): at least one names it as the cause, every failing one
   * names it (as a hypothesis: the cause, or ambiguous).
   */
  readonly failed: number | "some";
}

/** The description of hypothesis `id` in `catalogue`, undefined when there is none. */
function described(catalogue: readonly { id: string; description: string }[], id: string): string | undefined {
  return catalogue.find((h) => h.id === id)?.description;
}

const ZOO: readonly ZooKernel[] = [
  {
    source: "examples/bug-zoo/cuda_tq2_0_q2_0_layout.c",
    check: ["--op", "matmul", "--format", "tq2_0"],
    cause: described(MATMUL_HYPOTHESES, "tq2-consecutive-elements"),
    hypothesis: true,
    words: "Q2_0's layout",
    failed: 26,
  },
  {
    source: "examples/bug-zoo/tq2_0_code3_clamped.c",
    check: ["--op", "matmul", "--format", "tq2_0"],
    cause: described(MATMUL_HYPOTHESES, "code3-as-plus-one"),
    hypothesis: true,
    words: "code 3 decoded as code 2, weight +1",
    failed: 2,
  },
  {
    source: "examples/kernels/trirun_bug_scale_perm.c",
    check: ["--format", "trirun"],
    cause: described(TRIRUN_HYPOTHESES, "trirun-scale-permutation-skipped"),
    hypothesis: true,
    words: "scale permutation not undone",
    failed: 36,
  },
  {
    source: "examples/bug-zoo/i2s_arm_layout.c",
    check: ["--format", "i2_s"],
    cause: described(I2S_HYPOTHESES, "i2s-reads-arm-layout"),
    hypothesis: true,
    words: "arm (64-element) layout",
    failed: "some",
  },
  {
    source: "examples/bug-zoo/i2s_int16_accumulator.c",
    check: ["--format", "i2_s"],
    cause: described(I2S_HYPOTHESES, "i2s-int16-avx2-1x1"),
    hypothesis: true,
    words: "int16 accumulator overflow",
    failed: "some",
  },
  {
    source: "examples/bug-zoo/hf_bitnet_scale_divided.c",
    check: ["--format", "hf-bitnet"],
    cause: described(HF_BITNET_HYPOTHESES, "scale-convention"),
    hypothesis: true,
    words: "weight_scale divided instead of multiplied",
    failed: "some",
  },
  {
    source: "examples/bug-zoo/w2a8_no_write.c",
    check: ["--format", "w2a8"],
    cause: W2A8_UNTOUCHED_REASON,
    hypothesis: false,
    words: "the kernel wrote no output",
    failed: "some",
  },
];

/** The binary name of a kernel source. */
function nameOf(source: string): string {
  return source.replace(/^.*\//, "").replace(/\.c$/, "");
}

if (!HAS_CC) console.warn("\n*** test/examples/bug-zoo.test.ts: SKIPPED, no C compiler `cc` on PATH ***\n");

describe.skipIf(!HAS_CC)("examples/bug-zoo kernels (C, protocol v1)", () => {
  let dir = "";
  const binary = (source: string): string => join(dir, nameOf(source));

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "trilm-bug-zoo-"));
    for (const { source } of ZOO)
      execFileSync("cc", ["-O2", "-Wall", "-Werror", "-o", binary(source), repoFile(source), "-lm"]);
  });
  afterAll(() => {
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  });

  test.each(ZOO)("trilm check fails $source and every failing row names its cause", async (zoo) => {
    const cause = zoo.cause ?? "(no such hypothesis)";
    expect(cause).toContain(zoo.words);
    const result = await trilm("check", "--kernel", binary(zoo.source), ...zoo.check);
    expect(result.code, result.stdout + result.stderr).toBe(1);
    const failing = result.stdout.split("\n").filter((line) => / FAIL /.test(line));
    const named = failing.filter((line) => line.includes(zoo.hypothesis ? `matches: ${cause}` : cause));
    if (zoo.failed === "some") {
      expect(named.length, result.stdout).toBeGreaterThan(0);
      for (const line of failing) expect(line).toContain(cause);
    } else {
      expect(failing.length, result.stdout).toBe(zoo.failed);
      expect(named).toEqual(failing);
    }
  });

  test("the Q2_0-layout kernel: trilm fuzz shrinks it to one row of one block and names Q2_0's layout", async () => {
    const zoo = ZOO[0];
    const out = join(dir, "fuzz-q2_0-layout");
    const result = await trilm(
      "fuzz",
      ...["--kernel", binary(zoo.source), "--op", "matmul", "--format", "tq2_0", "--seed", "3", "--out", out],
    );
    expect(result.code, result.stdout).toBe(1);
    expect(result.stdout).toContain("minimal case: 1 row × 1 block (cols 256), batch 1");
    expect(result.stdout).toContain(`  diagnosis: matches: ${zoo.cause} (y equals the reference`);
  });

  test("every reproduction in the zoo has its story in spec/bug-zoo.md and examples/bug-zoo/README.md", () => {
    const files = readdirSync(repoFile("examples/bug-zoo")).filter((name) => name.endsWith(".c"));
    expect(files.map((name) => `examples/bug-zoo/${name}`).sort()).toEqual(
      ZOO.map((zoo) => zoo.source)
        .filter((source) => source.startsWith("examples/bug-zoo/"))
        .sort(),
    );
    const spec = readFileSync(repoFile("spec/bug-zoo.md"), "utf8");
    const readme = readFileSync(repoFile("examples/bug-zoo/README.md"), "utf8");
    for (const { source } of ZOO) {
      expect(spec, source).toContain(source);
      expect(readme, source).toContain(source.replace("examples/bug-zoo/", ""));
    }
  });
});
