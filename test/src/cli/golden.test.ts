import { cpSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectRefused, repoFile, trilm, useTempDir } from "./harness.js";

const SUITES = repoFile("golden/suites");
const temp = useTempDir();

/** A copy of one checked-in suite in the test's temp dir. */
function copySuite(name: string): string {
  const dir = temp(name);
  cpSync(join(SUITES, name), dir, { recursive: true });
  return dir;
}

/** Flip the lowest bit of byte `offset` (from the end when negative) of `path`. */
function flipByte(path: string, offset: number): void {
  const bytes = readFileSync(path);
  const at = offset < 0 ? bytes.length + offset : offset;
  bytes[at] ^= 1;
  writeFileSync(path, bytes);
}

describe("trilm golden verify", () => {
  it("passes on the checked-in corpus, per suite and in total", async () => {
    const result = await trilm("golden", "verify", SUITES);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n")).toEqual([
      "codecs: 45 passed, 0 failed",
      "hf-bitnet: 10 passed, 0 failed",
      "i2_s: 50 passed, 0 failed",
      "matmul: 36 passed, 0 failed",
      "model: 2 passed, 0 failed",
      "ops: 30 passed, 0 failed",
      "trirun: 61 passed, 0 failed",
      "w2a8: 8 passed, 0 failed",
      "242 passed, 0 failed",
      "",
    ]);
  });

  it("reports a flipped byte in an input file (sha256) with exit status 1", async () => {
    const dir = copySuite("matmul");
    flipByte(join(dir, "tc0003", "x.npy"), -1);
    const result = await trilm("golden", "verify", dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /^FAIL matmul tcId 3: tc0003\/x\.npy: sha256 [0-9a-f]{64}, the manifest says [0-9a-f]{64}$/m,
    );
    expect(result.stdout.trimEnd().split("\n").at(-1)).toBe("35 passed, 1 failed");
  });

  it("reports an expected output that the reference does not reproduce (file and manifest both edited)", async () => {
    const dir = copySuite("codecs");
    const manifestPath = join(dir, "manifest.json");
    const file = join(dir, "tc0001", "weight.bin");
    const before = readFileSync(file);
    flipByte(file, 0);
    const { createHash } = await import("node:crypto");
    const oldSha = createHash("sha256").update(before).digest("hex");
    const newSha = createHash("sha256").update(readFileSync(file)).digest("hex");
    writeFileSync(manifestPath, readFileSync(manifestPath, "utf8").replace(oldSha, newSha));
    const result = await trilm("golden", "verify", dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("FAIL codecs tcId 1: tc0001/weight.bin: the reference's output differs");
    expect(result.stdout).toContain("44 passed, 1 failed");
  });

  it("reports an emptied file and a wrong shape", async () => {
    const dir = copySuite("ops");
    const manifestPath = join(dir, "manifest.json");
    const text = readFileSync(manifestPath, "utf8");
    writeFileSync(
      manifestPath,
      text.replace(
        '"shape": [\n                2,\n                256\n              ]',
        '"shape": [\n                256,\n                2\n              ]',
      ),
    );
    const secondTest = readdirSync(dir)
      .filter((e) => e.startsWith("tc"))
      .sort()[1];
    writeFileSync(join(dir, secondTest, "y.npy"), "");
    const result = await trilm("golden", "verify", dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/FAIL ops tcId 1: .*shape \[2, 256\], the manifest says \[256, 2\]/);
    expect(result.stdout).toMatch(/FAIL ops tcId 2: tc0002\/y\.npy: sha256/);
  });

  it.each([
    ["invalid JSON", (t: string) => t.slice(0, 100), /not valid JSON/],
    [
      "a schema violation",
      (t: string) => t.replace('"version": 1', '"version": 9'),
      /does not match \.\.\/\.\.\/schema\/manifest\.schema\.json: \/version: must be 1/,
    ],
    [
      "a wrong numberOfTests",
      (t: string) => t.replace('"numberOfTests": 2', '"numberOfTests": 3'),
      /numberOfTests is 3/,
    ],
    [
      "params that do not fit the op",
      (t: string) => t.replace('"activations": "f32"', '"activations": "int4"'),
      /param 'activations' must be one of f32, ggml/,
    ],
  ])("refuses a manifest with %s: exit 2, one line naming the file", async (_name, edit, problem) => {
    const dir = copySuite("model");
    const manifestPath = join(dir, "manifest.json");
    writeFileSync(manifestPath, edit(readFileSync(manifestPath, "utf8")));
    expectRefused(await trilm("golden", "verify", dir), manifestPath, problem);
  });

  it("checks every manifest before running any test", async () => {
    const dir = temp("two");
    cpSync(join(SUITES, "codecs"), join(dir, "codecs"), { recursive: true });
    cpSync(join(SUITES, "ops"), join(dir, "ops"), { recursive: true });
    writeFileSync(join(dir, "ops", "manifest.json"), "[]");
    expectRefused(
      await trilm("golden", "verify", dir),
      join(dir, "ops", "manifest.json"),
      "(root): must be of type object",
    );
  });

  it("refuses a folder without manifests", async () => {
    const dir = temp("empty");
    writeFileSync(join(temp(""), "notes.md"), "no suites here\n");
    expectRefused(await trilm("golden", "verify", temp("")), temp(""), "holds no manifest.json");
    expectRefused(await trilm("golden", "verify", dir), dir, "is not a folder");
  });
});

describe("trilm golden generate", () => {
  it("writes the requested suites reproducibly and records --commit", async () => {
    const a = temp("a");
    const b = temp("b");
    const first = await trilm("golden", "generate", a, "--suite", "model,codecs", "--seed", "5", "--commit", "abc1234");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(
      /^model: 2 tests, \d+ bytes\ncodecs: 45 tests, \d+ bytes\nwrote 47 tests in 2 suite\(s\) to .* MiB\), seed 5\n$/,
    );
    expect(first.stderr).toBe(""); // progress only on a terminal
    expect(
      (
        await trilm(
          "golden",
          "generate",
          b,
          "--suite",
          "model",
          "--suite",
          "codecs",
          "--seed",
          "5",
          "--commit",
          "abc1234",
        )
      ).code,
    ).toBe(0);
    for (const suite of ["model", "codecs"])
      expect(readFileSync(join(a, suite, "manifest.json"), "utf8")).toBe(
        readFileSync(join(b, suite, "manifest.json"), "utf8"),
      );
    const manifest = JSON.parse(readFileSync(join(a, "codecs", "manifest.json"), "utf8")) as {
      seed: number;
      generator: { commit: string };
    };
    expect(manifest.seed).toBe(5);
    expect(manifest.generator.commit).toBe("abc1234");
    const verified = await trilm("golden", "verify", a);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toContain("47 passed, 0 failed");
  });

  it("refuses an unknown suite, a bad seed and a bad commit", async () => {
    expectRefused(
      await trilm("golden", "generate", temp("x"), "--suite", "nope"),
      undefined,
      /Expected one of codecs, matmul, ops, model, trirun, i2_s, hf-bitnet, w2a8, matmul-large, trirun-bench/,
    );
    expectRefused(await trilm("golden", "generate", temp("x"), "--seed", "-1"), undefined, /seed/);
    expectRefused(await trilm("golden", "generate", temp("x"), "--commit", "HEAD"), undefined, /--commit/);
  });
});
