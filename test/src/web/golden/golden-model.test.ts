import { readFileSync, readdirSync } from "node:fs";
import { describe, expect, test } from "vitest";
import {
  ManifestError,
  parseManifestWithSchema,
  type Manifest,
  type TestCase,
} from "../../../../src/golden/manifest-core.js";
import type { JsonValue } from "../../../../src/golden/json-schema.js";
import {
  findCase,
  flagsUsed,
  matchesFilter,
  parseGoldenRoute,
  specSectionsOf,
  suiteOfManifestPath,
} from "../../../../src/web/golden/golden-model.js";
import { repoFile } from "../../cli/harness.js";

const schema = JSON.parse(readFileSync(repoFile("golden/schema/manifest.schema.json"), "utf8")) as JsonValue;
const suites = readdirSync(repoFile("golden/suites"), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);
const rawText = (suite: string): string => readFileSync(repoFile(`golden/suites/${suite}/manifest.json`), "utf8");
const raw = (suite: string): { testGroups: { tests: TestCase[]; tolerance: { spec: string } }[] } =>
  JSON.parse(rawText(suite)) as never;

describe("routes", () => {
  test("suite list, suite, case", () => {
    expect(parseGoldenRoute([])).toEqual({ kind: "suites" });
    expect(parseGoldenRoute(["codecs"])).toEqual({ kind: "suite", suite: "codecs" });
    expect(parseGoldenRoute(["codecs", "12"])).toEqual({ kind: "case", suite: "codecs", tcId: 12 });
    expect(parseGoldenRoute(["codecs", "x"])).toMatchObject({ kind: "case", tcId: Number.NaN });
    expect(suiteOfManifestPath("../../../golden/suites/matmul/manifest.json")).toBe("matmul");
  });
});

describe.each(suites)("the %s manifest", (suite) => {
  const manifest: Manifest = parseManifestWithSchema(rawText(suite), schema);
  const tests = raw(suite).testGroups.flatMap((g) => g.tests);

  test("parses against the schema; every tcId is found", () => {
    for (const t of tests) expect(findCase(manifest, t.tcId)?.test.comment).toBe(t.comment);
    expect(findCase(manifest, 99999)).toBeUndefined();
  });

  test("filters agree with a count over the raw JSON", () => {
    for (const flag of flagsUsed(manifest)) {
      for (const result of ["", "valid", "invalid", "acceptable"] as const) {
        const expected = tests.filter((t) => t.flags.includes(flag) && (result === "" || t.result === result)).length;
        expect(tests.filter((t) => matchesFilter(t, { flag, result })).length).toBe(expected);
      }
    }
    expect(tests.filter((t) => matchesFilter(t, { flag: "", result: "" })).length).toBe(tests.length);
  });

  test("every tolerance names sections that are headings of the spec", () => {
    for (const group of raw(suite).testGroups) {
      const refs = specSectionsOf(group.tolerance.spec);
      expect(refs.length).toBe((group.tolerance.spec.match(/§/g) ?? []).length);
      for (const { doc, section } of refs) {
        const markdown = readFileSync(repoFile(`spec/${doc}.md`), "utf8");
        expect(new RegExp(`^#+ §${section.replace(/\./g, "\\.")}\\s`, "m").test(markdown), `${doc} §${section}`).toBe(
          true,
        );
      }
    }
  });
});

describe("specSectionsOf", () => {
  test("bare § belong to the last document named", () => {
    expect(specSectionsOf("spec/formats.md §4.3, §5.4; spec/tolerances.md §3.1")).toEqual([
      { doc: "formats", section: "4.3" },
      { doc: "formats", section: "5.4" },
      { doc: "tolerances", section: "3.1" },
    ]);
  });
});

describe("a malformed manifest", () => {
  test("is a ManifestError, not a crash", () => {
    expect(() => parseManifestWithSchema("{", schema)).toThrow(ManifestError);
    const broken = JSON.parse(rawText("codecs")) as { numberOfTests: number };
    broken.numberOfTests += 1;
    expect(() => parseManifestWithSchema(JSON.stringify(broken), schema)).toThrow(/numberOfTests/);
  });
});
