import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  formatManifest,
  manifestSchema,
  ManifestError,
  parseManifest,
  SCHEMA_REFERENCE,
  type Manifest,
} from "../../../src/golden/manifest.js";
import { repoFile } from "../cli/harness.js";

const SUITES = repoFile("golden/suites");
const suiteNames = readdirSync(SUITES, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

function checkedIn(name: string): string {
  return readFileSync(join(SUITES, name, "manifest.json"), "utf8");
}

describe("golden/schema/manifest.schema.json", () => {
  it("is a draft 2020-12 schema", () => {
    const schema = manifestSchema() as Record<string, unknown>;
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
  });

  it("is where the manifests' schema field points", () => {
    expect(readFileSync(join(SUITES, "codecs", SCHEMA_REFERENCE), "utf8")).toBe(
      readFileSync(repoFile("golden/schema/manifest.schema.json"), "utf8"),
    );
  });
});

describe("the checked-in manifests", () => {
  it("are the six default suites", () => {
    expect(suiteNames).toEqual(["codecs", "hf-bitnet", "i2_s", "matmul", "model", "ops", "trirun", "w2a8"]);
  });

  it.each(suiteNames)("%s validates against the schema and the extra rules, and is formatted canonically", (name) => {
    const text = checkedIn(name);
    const manifest = parseManifest(text);
    expect(manifest.suite).toBe(name);
    expect(manifest.generator.commit).toBe("unknown");
    expect(formatManifest(manifest)).toBe(text);
  });
});

describe("parseManifest refuses malformed manifests with one line", () => {
  const base = (): Manifest => JSON.parse(checkedIn("codecs")) as Manifest;
  const mutate = (edit: (m: Record<string, unknown>) => void): string => {
    const m = base() as unknown as Record<string, unknown>;
    edit(m);
    return JSON.stringify(m);
  };
  const groups = (m: Record<string, unknown>) => m.testGroups as Record<string, unknown>[];
  const tests = (m: Record<string, unknown>) => groups(m)[0].tests as Record<string, unknown>[];

  it.each([
    ["not JSON", "{", /not valid JSON/],
    ["a missing field", mutate((m) => delete m.seed), /missing required property 'seed'/],
    ["an extra field", mutate((m) => (m.date = "today")), /unexpected property 'date'/],
    ["a wrong version", mutate((m) => (m.version = 2)), /\/version: must be 1/],
    ["a wrong result", mutate((m) => (tests(m)[0].result = "ok")), /result: must be one of/],
    [
      "a bad sha256",
      mutate((m) => (Object.values(tests(m)[0].files as Record<string, Record<string, unknown>>)[0].sha256 = "abc")),
      /sha256/,
    ],
    ["a wrong numberOfTests", mutate((m) => (m.numberOfTests = 1)), /numberOfTests is 1/],
    ["a duplicate tcId", mutate((m) => (tests(m)[1].tcId = tests(m)[0].tcId)), /appears twice/],
    ["an undeclared flag", mutate((m) => (tests(m)[0].flags = ["Nope"])), /flag 'Nope' is not described/],
    [
      "a missing role",
      mutate((m) => delete (tests(m)[0].files as Record<string, unknown>).w),
      /do not match the group's roles/,
    ],
    [
      "a path leaving the suite",
      mutate((m) => ((tests(m)[0].files as Record<string, Record<string, unknown>>).w.file = "../x.npy")),
      /does not match|leaves the suite/,
    ],
  ] as [string, string, RegExp][])("%s", (_name, text, message) => {
    let error: unknown;
    try {
      parseManifest(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ManifestError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain("\n");
  });
});

describe("parseManifest on deeply nested values (found by test/fuzz)", () => {
  it("refuses a value nested 100,000 deep with a ManifestError, not a stack-overflow RangeError", () => {
    const deep = `${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}`;
    const text = `{"schema":"x","version":${deep}}`;
    expect(() => parseManifest(text)).toThrow(ManifestError);
    expect(() => parseManifest(text)).toThrow(/nests arrays or objects more than 64 deep/);
  });
});
