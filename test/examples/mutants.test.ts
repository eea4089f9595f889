/**
 * The mutation catalogue of spec/kernel-protocol.md §10: examples/kernels/mutants/tq_matmul_mutant.c
 * compiled once per mutant (-DMUTANT=name) with the system C compiler. The correct build passes
 * `trilm check` and `trilm fuzz`; each mutant is failed by the default `trilm check` (built-in cases)
 * and found by `trilm fuzz --resident --runs 200 --seed 1` (on cases of at most 2 rows × 2 blocks,
 * batch 2: SMALL_CASES). The diagnosis (§9) never names a wrong cause: every failed check row names the mutant's
 * hypothesis (as the cause, or as ambiguous on that case), and fuzz's diagnosis line (first failing case and minimal
 * case together) names it as the only cause or, where both cases are too small, lists it as ambiguous. The mutants
 * the harness does not catch are listed with
 * `check: false` / `fuzz: false`, as the spec's table records them: a harness that starts catching
 * one fails this test, and the table and this list are updated together.
 */

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { MATMUL_HYPOTHESES } from "../../src/harness/diagnose.js";
import { repoFile, trilm } from "../src/cli/harness.js";
import { HAS_CC } from "../support/toolchain.js";

/** One row of the catalogue: how the mutant is checked and what the harness must find. */
interface Mutant {
  /** The -DMUTANT value (the enum of tq_matmul_mutant.c). */
  readonly name: string;
  readonly format: "tq1_0" | "tq2_0";
  /** The activation mode `trilm fuzz` draws (the bug's mode); `trilm check` runs both. */
  readonly activations: "f32" | "ggml";
  /** The §9 hypothesis id the diagnosis must name. */
  readonly hypothesis: string;
  /**
   * How fuzz's `diagnosis:` line names it: "cause" (a match on the first failing case and the minimal one, the only
   * one), or "ambiguous" (both cases too small to tell it from another cause: listed as ambiguous, no cause named).
   */
  readonly fuzzDiagnosis: "cause" | "ambiguous";
  /** Does the default `trilm check` fail it? Does `trilm fuzz --runs 200 --seed 1` find it? */
  readonly check: boolean;
  readonly fuzz: boolean;
}

const FUZZ_SEED = "1";

/**
 * The test's fuzz draws smaller cases than the default (4 rows × 4 blocks, batch 3), which the table of
 * spec/kernel-protocol.md §10 was measured with: shrinking from them costs half the time, and every mutant
 * the table says is found is found from these too.
 */
const SMALL_CASES = ["--max-rows", "2", "--max-blocks", "2", "--max-batch", "2"];

const MUTANTS: readonly Mutant[] = [
  { name: "tq2_consecutive_elements", format: "tq2_0", activations: "f32", hypothesis: "tq2-consecutive-elements" },
  { name: "tq1_consecutive_elements", format: "tq1_0", activations: "f32", hypothesis: "tq1-consecutive-elements" },
  { name: "tq1_qh_order", format: "tq1_0", activations: "f32", hypothesis: "tq1-qh-order" },
  { name: "first_block_scale", format: "tq2_0", activations: "f32", hypothesis: "first-block-scale" },
  { name: "scale_bf16", format: "tq2_0", activations: "f32", hypothesis: "scale-bf16" },
  {
    name: "subnormal_scale_flushed",
    format: "tq2_0",
    activations: "f32",
    hypothesis: "subnormal-scale-flushed",
    fuzzDiagnosis: "ambiguous",
  },
  { name: "q8k_ties_away", format: "tq2_0", activations: "ggml", hypothesis: "q8k-ties-away" },
  {
    name: "q8_1_activation_blocks",
    format: "tq2_0",
    activations: "ggml",
    hypothesis: "q8_1-activation-blocks",
    fuzzDiagnosis: "ambiguous",
  },
  {
    name: "no_activation_quantization",
    format: "tq2_0",
    activations: "ggml",
    hypothesis: "no-activation-quantization",
  },
  { name: "fp16_accumulation", format: "tq2_0", activations: "f32", hypothesis: "fp16-accumulation" },
  {
    name: "last_block_skipped",
    format: "tq2_0",
    activations: "f32",
    hypothesis: "last-block-skipped",
    fuzzDiagnosis: "ambiguous",
  },
  { name: "only_last_block", format: "tq2_0", activations: "f32", hypothesis: "only-last-block" },
  { name: "batch_rows_swapped", format: "tq2_0", activations: "f32", hypothesis: "batch-rows-swapped" },
  { name: "output_transposed", format: "tq2_0", activations: "f32", hypothesis: "output-transposed" },
  {
    name: "last_row_skipped",
    format: "tq2_0",
    activations: "f32",
    hypothesis: "last-row-skipped",
    fuzzDiagnosis: "ambiguous",
  },
  { name: "batch_row0_reused", format: "tq2_0", activations: "f32", hypothesis: "batch-row0-reused" },
  {
    name: "nonfinite_scale_zeroed",
    format: "tq2_0",
    activations: "f32",
    hypothesis: "nonfinite-scale-zeroed",
    fuzzDiagnosis: "ambiguous",
  },
  { name: "zero_block_sum_skipped", format: "tq2_0", activations: "f32", hypothesis: "zero-block-dot-skipped" },
  {
    name: "zero_x_block_nan",
    format: "tq2_0",
    activations: "ggml",
    hypothesis: "q8k-unguarded-zero-block",
    fuzzDiagnosis: "ambiguous",
  },
  { name: "code3_as_zero", format: "tq2_0", activations: "f32", hypothesis: "code3-as-zero" },
  { name: "code3_as_minus_one", format: "tq2_0", activations: "f32", hypothesis: "code3-as-minus-one" },
  { name: "tq1_alias_table", format: "tq1_0", activations: "f32", hypothesis: "tq1-alias-table" },
  { name: "q8k_d_fp16", format: "tq2_0", activations: "ggml", hypothesis: "q8k-d-fp16", fuzzDiagnosis: "ambiguous" },
  { name: "int16_accumulator", format: "tq2_0", activations: "ggml", hypothesis: "int16-accumulator" },
].map((m) => ({ check: true, fuzz: true, fuzzDiagnosis: "cause", ...m }) as Mutant);

/**
 * The hypotheses a diagnosis line names as the cause: those in its "matches: …" part, before any
 * "ambiguous on this case" list (none when it begins "no catalogued cause").
 */
function namedCauses(line: string): string[] {
  const causes = line.startsWith("matches: ") ? line.split("; ambiguous on this case")[0] : "";
  return MATMUL_HYPOTHESES.filter((h) => causes.includes(h.description)).map((h) => h.id);
}

/** The words a report uses for hypothesis `id`. */
function describeHypothesis(id: string): string {
  const hypothesis = MATMUL_HYPOTHESES.find((h) => h.id === id);
  if (hypothesis === undefined) throw new Error(`no hypothesis ${id} in the catalogue`);
  return hypothesis.description;
}

if (!HAS_CC) console.warn("\n*** test/examples/mutants.test.ts: SKIPPED, no C compiler `cc` on PATH ***\n");

describe.skipIf(!HAS_CC)("examples/kernels/mutants (the mutation catalogue, spec/kernel-protocol.md §10)", () => {
  let dir = "";
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "trilm-mutants-"));
  });
  afterAll(() => {
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  });

  /** Compile the kernel with -DMUTANT=name; returns the binary's path. */
  const compile = (name: string): string => {
    const binary = join(dir, name);
    const source = repoFile("examples/kernels/mutants/tq_matmul_mutant.c");
    execFileSync("cc", ["-O2", "-Wall", "-Werror", `-DMUTANT=${name}`, "-o", binary, source, "-lm"]);
    return binary;
  };

  const fuzz = (binary: string, format: string, activations: string, out: string): ReturnType<typeof trilm> =>
    trilm(
      "fuzz",
      "--kernel",
      binary,
      "--resident",
      "--op",
      "matmul",
      "--format",
      format,
      "--activations",
      activations,
      ...SMALL_CASES,
      "--runs",
      "200",
      "--seed",
      FUZZ_SEED,
      "--out",
      join(dir, out),
    );

  test("the catalogue holds at least 20 mutants, each named once", () => {
    expect(MUTANTS.length).toBeGreaterThanOrEqual(20);
    expect(new Set(MUTANTS.map((m) => m.name)).size).toBe(MUTANTS.length);
  });

  test("the correct build passes trilm check and trilm fuzz (tq2_0 and tq1_0, f32 and ggml)", async () => {
    const binary = compile("correct");
    for (const format of ["tq2_0", "tq1_0"]) {
      const checked = await trilm("check", "--kernel", binary, "--op", "matmul", "--format", format);
      expect(checked.code, `${format}\n${checked.stdout}`).toBe(0);
      for (const activations of ["f32", "ggml"]) {
        const fuzzed = await fuzz(binary, format, activations, `correct-${format}-${activations}`);
        expect(fuzzed.code, `${format} ${activations}\n${fuzzed.stdout}`).toBe(0);
      }
    }
  }, 60_000);

  test.each(MUTANTS)(
    `$name: trilm check, then trilm fuzz --resident --runs 200 --seed ${FUZZ_SEED}`,
    async ({ name, format, activations, hypothesis, fuzzDiagnosis, check, fuzz: fuzzFinds }) => {
      const binary = compile(name);
      const checked = await trilm("check", "--kernel", binary, "--op", "matmul", "--format", format);
      const failedRows = checked.stdout.split("\n").filter((line) => / FAIL /.test(line));
      expect(checked.code, checked.stdout).toBe(check ? 1 : 0);
      expect(failedRows.length > 0).toBe(check);
      for (const row of failedRows) {
        expect(row).toContain(describeHypothesis(hypothesis));
        const causes = namedCauses(row.slice(row.indexOf("matches: ")));
        if (causes.length > 0) expect(causes, row).toContain(hypothesis);
      }

      const fuzzed = await fuzz(binary, format, activations, `fuzz-${name}`);
      expect(fuzzed.code, fuzzed.stdout + fuzzed.stderr).toBe(fuzzFinds ? 1 : 0);
      if (!fuzzFinds) return;
      const diagnosis = fuzzed.stdout.match(/\n {2}diagnosis: (.*)\n/)?.[1] ?? "";
      expect(diagnosis).toContain(describeHypothesis(hypothesis));
      expect(namedCauses(diagnosis)).toEqual(fuzzDiagnosis === "cause" ? [hypothesis] : []);
    },
    60_000,
  );
});
