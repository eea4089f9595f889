import { buildSync } from "esbuild";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import {
  dequantizeRowQ8K,
  packTq2Block,
  quantizeQ8KBlockValues,
  quantizeRowQ8K,
} from "../../../reference/codec/index.js";
import { builtinCases, runCheck } from "../../../src/harness/check.js";
import { fuzzCases } from "../../../src/harness/fuzz.js";
import { judgeMatmul } from "../../../src/harness/judge.js";
import {
  coverageLine,
  EDGE_CLASSES,
  edgeClassesOf,
  q8kInverseScale,
  q8kTieBlock,
  q8kTieValue,
  saturatedQ8KBlock,
  TQ1_ALIAS_BYTES,
  type EdgeClass,
} from "../../../src/harness/edge-cases.js";
import { KERNEL_FORMATS, KERNEL_OPS, type KernelCase } from "../../../src/harness/protocol.js";
import { mulberry32 } from "../../../src/random/index.js";
import { repoFile, trilm } from "../cli/harness.js";
import { matmulWithRounding, type TieRounding } from "./fixtures/q8k-rounding.js";
import { HAS_CC } from "../../support/toolchain.js";

/** The bundled rounding kernel (fixtures/q8k-rounding-kernel.ts): `command("roundf")`. */
const kernelDir = mkdtempSync(join(tmpdir(), "trilm-rounding-kernel-"));
const kernelFile = join(kernelDir, "kernel.mjs");
buildSync({
  entryPoints: [fileURLToPath(new URL("./fixtures/q8k-rounding-kernel.ts", import.meta.url))],
  bundle: true,
  platform: "node",
  format: "esm",
  outfile: kernelFile,
  logLevel: "silent",
});
const command = (rounding: string): string => `'${process.execPath}' '${kernelFile}' ${rounding}`;
afterAll(() => rmSync(kernelDir, { recursive: true, force: true }));

/** Every built-in case of every op and format (matmul of q8_K excepted). */
function allBuiltinCases(seed: number): KernelCase[] {
  return KERNEL_OPS.flatMap((op) =>
    KERNEL_FORMATS.filter((f) => op !== "matmul" || f !== "q8_K").flatMap((f) => builtinCases(op, f, { seed })),
  );
}

/** How many cases exercise each class. */
function countClasses(cases: readonly KernelCase[]): Map<EdgeClass, number> {
  const counts = new Map<EdgeClass, number>();
  for (const c of cases) for (const k of edgeClassesOf(c)) counts.set(k, (counts.get(k) ?? 0) + 1);
  return counts;
}

describe("q8kTieValue", () => {
  it("lands x·iscale exactly on k + ½ in float32, for both signs and even and odd k", () => {
    for (const max of [127, -127, Math.fround(3.7), Math.fround(-0.3), Math.fround(-41.3)]) {
      const iscale = q8kInverseScale(max);
      let found = 0;
      for (const tie of [0.5, 1.5, 2.5, -2.5, -3.5, 100.5, -125.5]) {
        const x = q8kTieValue(iscale, tie);
        if (x === undefined) continue;
        expect(Math.fround(x)).toBe(x);
        expect(Math.fround(iscale * x)).toBe(tie);
        found++;
      }
      expect(found).toBeGreaterThanOrEqual(5);
    }
  });
  it("builds blocks the reference quantizes with ties to even", () => {
    const x = q8kTieBlock(Math.fround(3.7), 9, mulberry32(4));
    const iscale = q8kInverseScale(Math.fround(3.7));
    const ties = Array.from(x)
      .map((v) => Math.fround(iscale * v))
      .filter((t) => t - Math.floor(t) === 0.5);
    expect(ties.length).toBeGreaterThan(200);
    const kinds = new Set(ties.map((t) => `${Math.sign(t)}/${Math.abs(Math.floor(Math.abs(t))) % 2}`));
    expect(kinds).toEqual(new Set(["1/0", "1/1", "-1/0", "-1/1"]));
    const q = dequantizeRowQ8K(quantizeRowQ8K(x));
    const d = 1 / iscale;
    for (let j = 0; j < 256; j++) {
      const t = Math.fround(iscale * x[j]);
      if (t - Math.floor(t) !== 0.5) continue;
      const k = Math.round(q[j] / Math.fround(d));
      expect(Math.abs(k) % 2).toBe(0); // the even neighbour
    }
  });
});

/** A one-row, one-block tq2_0 matmul case: every code `code`, scale bits `scaleBits`, activations `x`. */
function oneBlockCase(code: number, scaleBits: number, x: Float32Array, activations: "f32" | "ggml"): KernelCase {
  const weight = packTq2Block(new Uint8Array(256).fill(code), scaleBits);
  return { op: "matmul", format: "tq2_0", rows: 1, cols: 256, batch: 1, activations, weight, x };
}

describe("the matmul block-pair classes", () => {
  it("saturatedQ8KBlock makes Q8_K saturate: Σ code·q8 against weights +1 is −65024 or +64516", () => {
    const sums = [false, true].map((flipped) => {
      const { qs } = quantizeQ8KBlockValues(saturatedQ8KBlock(Math.fround(-2.5), flipped));
      expect(qs[0]).toBe(-127);
      return qs.reduce((sum, q) => sum + 2 * q, 0);
    });
    expect(sums).toEqual([-65024, 64516]);
  });
  it("max-block-sum: a ggml pair beyond int16 (both signs), not a f32 pair, not a half-+1 block", () => {
    for (const flipped of [false, true]) {
      const x = saturatedQ8KBlock(1.5, flipped);
      expect(edgeClassesOf(oneBlockCase(2, 0x3c00, x, "ggml")).has("max-block-sum")).toBe(true);
      expect(edgeClassesOf(oneBlockCase(2, 0x3c00, x, "f32")).has("max-block-sum")).toBe(false);
      expect(edgeClassesOf(oneBlockCase(1, 0x3c00, x, "ggml")).has("max-block-sum")).toBe(false);
    }
  });
  it("nonfinite-scale-zero-dot: inf or NaN scale on weights 0 or on an all-zero activation block, not on a non-zero dot", () => {
    const x = Float32Array.from({ length: 256 }, (_, i) => (i % 3) - 1.25);
    for (const activations of ["f32", "ggml"] as const)
      for (const bits of [0x7c00, 0xfc00, 0x7e00]) {
        const has = (c: KernelCase) => edgeClassesOf(c).has("nonfinite-scale-zero-dot");
        expect(has(oneBlockCase(1, bits, x, activations))).toBe(true);
        expect(has(oneBlockCase(2, bits, new Float32Array(256), activations))).toBe(true);
        expect(has(oneBlockCase(2, bits, x, activations))).toBe(false);
        expect(has(oneBlockCase(1, 0x3c00, x, activations))).toBe(false);
      }
  });
});

describe("built-in cases", () => {
  it("cover every edge class by construction", () => {
    const seed = 1;
    const counts = countClasses(allBuiltinCases(seed));
    console.log(
      `built-in edge coverage (seed ${seed}): ${EDGE_CLASSES.map((c) => `${c} ${counts.get(c) ?? 0}`).join(", ")}`,
    );
    for (const c of EDGE_CLASSES) expect(counts.get(c) ?? 0, c).toBeGreaterThan(0);
    expect(TQ1_ALIAS_BYTES).toHaveLength(13);
  });
  it("refuse a q8_K matmul", () => {
    expect(() => builtinCases("matmul", "q8_K", { seed: 1 })).toThrow(RangeError);
  });
});

describe("the roundf mutant", () => {
  const entries = (cases: KernelCase[]) => cases.map((kernelCase) => ({ label: kernelCase.label ?? "", kernelCase }));
  it("passes nothing it should not: a kernel rounding half to even passes every built-in case", async () => {
    const cases = [
      ...builtinCases("matmul", "tq2_0", { seed: 1 }),
      ...builtinCases("quantize", "q8_K", { seed: 1 }),
      ...builtinCases("dequantize", "q8_K", { seed: 1 }),
    ];
    const results = await runCheck(command("half-even"), entries(cases), { timeoutS: 20 });
    expect(results.filter((r) => r.verdict?.passed !== true).map((r) => [r.label, r.verdict?.reason])).toEqual([]);
  }, 60_000);
  it("fails the built-in Q8_K tie cases of matmul (ggml activations) and of q8_K quantize", async () => {
    for (const [op, format] of [
      ["matmul", "tq2_0"],
      ["matmul", "tq1_0"],
      ["quantize", "q8_K"],
    ] as const) {
      const results = await runCheck(command("roundf"), entries(builtinCases(op, format, { seed: 1 })), {
        timeoutS: 20,
      });
      const failed = results.filter((r) => r.verdict?.passed === false).map((r) => r.label);
      expect(failed.length, `${op} ${format}`).toBeGreaterThan(0);
      expect(
        failed.every((l) => /ties/.test(l)),
        failed.join(", "),
      ).toBe(true);
    }
  }, 60_000);
});

describe("trilm check and q8_K", () => {
  it("--suite runs the q8_K groups of the codecs suite: roundf fails exactly the tie cases", async () => {
    const suite = repoFile("golden/suites/codecs");
    const good = await trilm("check", "--kernel", command("half-even"), "--suite", suite, "--format", "q8_K");
    expect(good.code, good.stdout).toBe(0);
    expect(good.stdout).toMatch(/\n9 passed, 0 failed, 0 skipped\n$/);
    const bad = await trilm("check", "--kernel", command("roundf"), "--suite", suite, "--format", "q8_K");
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/\n6 passed, 3 failed, 0 skipped\n$/);
  }, 60_000);
  it("refuses a q8_K matmul (exit status 2)", async () => {
    const result = await trilm("check", "--kernel", "true", "--op", "matmul", "--format", "q8_K");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("format q8_K is not a matmul weight format");
  });
});

describe("fuzzing with default options", () => {
  const fuzz = (rounding: TieRounding, seed: number, format: "tq1_0" | "tq2_0" = "tq2_0") =>
    fuzzCases((c) => judgeMatmul(c, matmulWithRounding(c, rounding)), {
      op: "matmul",
      format,
      activations: "ggml",
      runs: 100,
      seed,
    });
  it("draws every matmul edge class", async () => {
    const seed = 12345;
    for (const format of ["tq1_0", "tq2_0"] as const) {
      const result = await fuzz("half-even", seed, format);
      console.log(`fuzz ${format} edge coverage (seed ${seed}): ${coverageLine(result.coverage)}`);
      expect(result.passed).toBe(true);
      const expected = EDGE_CLASSES.filter(
        (c) => !["q8k-equal-max", "tq-half-ties", format === "tq1_0" ? "tq2-code-3" : "tq1-alias-byte"].includes(c),
      );
      for (const c of expected) expect(result.coverage.get(c) ?? 0, c).toBeGreaterThan(0);
    }
  }, 60_000);
  it("catches the roundf mutant", async () => {
    const seed = 777;
    const result = await fuzz("roundf", seed);
    console.log(`fuzz roundf mutant (seed ${seed}): ${result.verdict?.reason}`);
    expect(result.passed).toBe(false);
    expect(edgeClassesOf(result.counterexample!).has("q8k-ties")).toBe(true);
  }, 60_000);
  it("with edge scales and values off draws none of them", async () => {
    const result = await fuzzCases((c) => judgeMatmul(c, matmulWithRounding(c, "half-even")), {
      op: "matmul",
      format: "tq2_0",
      activations: "ggml",
      runs: 50,
      seed: 3,
      edgeScales: false,
      edgeValues: false,
    });
    const edges = ["q8k-ties", "zero-x-block", "zero-scale", "inf-scale", "nan-scale", "tq2-code-3"] as const;
    for (const c of [...edges, "max-block-sum", "nonfinite-scale-zero-dot"] as const)
      expect(result.coverage.get(c) ?? 0, c).toBe(0);
  }, 60_000);
});

describe.skipIf(!HAS_CC)("a C kernel that quantizes activations with roundf", () => {
  it("fails `trilm check` on the built-in Q8_K tie cases and nothing else; the correct C example passes them", async () => {
    const dir = mkdtempSync(join(tmpdir(), "trilm-roundf-"));
    try {
      const io = readFileSync(repoFile("examples/kernels/kernel_io.h"), "utf8");
      const mutant = io.replace("nearest_int(iscale * x[j])", "(int)roundf(iscale * x[j])");
      expect(mutant).not.toBe(io);
      writeFileSync(join(dir, "kernel_io.h"), mutant);
      writeFileSync(join(dir, "k.c"), readFileSync(repoFile("examples/kernels/tq2_0_matmul.c"), "utf8"));
      execFileSync("cc", ["-O2", "-o", join(dir, "roundf"), join(dir, "k.c"), "-lm"]);
      execFileSync("cc", ["-O2", "-o", join(dir, "correct"), repoFile("examples/kernels/tq2_0_matmul.c"), "-lm"]);
      const args = ["--op", "matmul", "--format", "tq2_0", "--activations", "ggml"];
      const bad = await trilm("check", "--kernel", join(dir, "roundf"), ...args);
      expect(bad.code, bad.stdout).toBe(1);
      const failed = bad.stdout.split("\n").filter((l) => / FAIL /.test(l));
      expect(failed.map((l) => l.split(/\s+/)[0])).toEqual(["matmul-tq2_0-q8k-ties-batch2-ggml"]);
      const good = await trilm("check", "--kernel", join(dir, "correct"), ...args);
      expect(good.code, good.stdout).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
