import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { GgmlType, validateTq1_0Row, validateTq2_0Row } from "../../../reference/codec/index.js";
import { packageVersion } from "../../../src/cli/package-version.js";
import { DEFAULT_SUITES, findManifests, generateGolden, readManifest, verifySuite } from "../../../src/golden/index.js";
import { repoFile } from "../cli/harness.js";

const SUITES = repoFile("golden/suites");

/** Every file under dir, as relative paths, sorted. */
function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.push(relative(dir, path));
    }
  };
  walk(dir);
  return out.sort();
}

const temp = mkdtempSync(join(tmpdir(), "trilm-golden-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe("the checked-in corpus golden/suites", () => {
  it("regenerates byte for byte (every file) with the documented command's defaults", () => {
    const out = join(temp, "regen");
    generateGolden(out, { seed: 1, suites: DEFAULT_SUITES, version: packageVersion(), commit: "unknown" });
    const files = listFiles(SUITES).filter((f) => f !== "README.md");
    expect(listFiles(out)).toEqual(files);
    for (const file of files)
      expect(readFileSync(join(out, file)).equals(readFileSync(join(SUITES, file))), file).toBe(true);
  });

  it("verifies: every sha256 and shape, every expected value recomputed", () => {
    const reports = findManifests(SUITES).map((path) => verifySuite(path));
    expect(reports.map((r) => [r.suite, r.failed])).toEqual([
      ["codecs", 0],
      ["hf-bitnet", 0],
      ["i2_s", 0],
      ["matmul", 0],
      ["model", 0],
      ["ops", 0],
      ["trirun", 0],
      ["w2a8", 0],
    ]);
    expect(reports.reduce((s, r) => s + r.passed, 0)).toBe(224 + 18);
  });

  it("stays under 5 MB", () => {
    const bytes = listFiles(SUITES).reduce((sum, f) => sum + statSync(join(SUITES, f)).size, 0);
    expect(bytes).toBeLessThan(5 * 1000 * 1000);
  });

  it("has the cases the brief asks for, flagged as the validator sees them", () => {
    const manifest = readManifest(join(SUITES, "codecs", "manifest.json"));
    const results = new Map<string, string>();
    for (const group of manifest.testGroups) {
      for (const test of group.tests) {
        for (const flag of test.flags) results.set(`${group.format}/${group.op}/${flag}`, test.result);
        const bin =
          group.op === "dequantize" ? test.files.weight : group.op === "quantize" ? test.files.weight : undefined;
        if (bin === undefined || group.format === "q8_K") continue;
        const bytes = new Uint8Array(readFileSync(join(SUITES, "codecs", bin.file)));
        const findings = (group.format === "tq1_0" ? validateTq1_0Row(bytes) : validateTq2_0Row(bytes)).map(
          (f) => f.severity,
        );
        if (test.result === "valid") expect(findings, `tcId ${test.tcId}`).toEqual([]);
        if (test.result === "invalid") expect(findings, `tcId ${test.tcId}`).toContain("invalid");
        if (test.result === "acceptable") expect(findings.length, `tcId ${test.tcId}`).toBeGreaterThan(0);
      }
    }
    expect(results.get("tq2_0/dequantize/Tq2Code3")).toBe("invalid");
    expect(results.get("tq1_0/dequantize/Tq1AliasByte")).toBe("acceptable");
    expect(results.get("tq1_0/dequantize/Tq1QhFifthTrit")).toBe("acceptable");
    for (const flag of ["InfiniteScale", "NanScale", "SubnormalScale"])
      expect(results.get(`tq2_0/dequantize/${flag}`)).toBe("acceptable");
    for (const format of ["tq1_0", "tq2_0", "q8_K"]) {
      expect(results.get(`${format}/quantize/ZeroBlock`)).toBe("valid");
      expect(results.get(`${format}/quantize/HalfTie`)).toBe("valid");
    }
    expect(GgmlType.TQ1_0).toBe(34);
  });

  it("covers both activation modes in matmul, ops and model", () => {
    for (const suite of ["matmul", "ops", "model"]) {
      const manifest = readManifest(join(SUITES, suite, "manifest.json"));
      const modes = new Set(manifest.testGroups.map((g) => g.params.activations));
      expect([...modes].sort(), suite).toEqual(["f32", "ggml"]);
    }
  });

  it("a different seed gives different inputs; the same seed the same bytes", () => {
    const a = join(temp, "a");
    const b = join(temp, "b");
    const c = join(temp, "c");
    generateGolden(a, { seed: 7, suites: ["matmul"], version: "0.1.0", commit: "unknown" });
    generateGolden(b, { seed: 7, suites: ["matmul"], version: "0.1.0", commit: "unknown" });
    generateGolden(c, { seed: 8, suites: ["matmul"], version: "0.1.0", commit: "unknown" });
    const x = "matmul/tc0002/x.npy";
    expect(readFileSync(join(a, x)).equals(readFileSync(join(b, x)))).toBe(true);
    expect(readFileSync(join(a, x)).equals(readFileSync(join(c, x)))).toBe(false);
    expect(readFileSync(join(a, "matmul/manifest.json"), "utf8")).toBe(
      readFileSync(join(b, "matmul/manifest.json"), "utf8"),
    );
  });
});
