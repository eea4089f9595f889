/**
 * Spec ↔ code, both directions (conventions in test/spec/spec-code.ts and spec/README.md):
 * every exported function of reference/ cites the spec section it implements; every section that
 * code or the spec cites exists; every numbered section names its code, and that code exists.
 */
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { SPEC_DOCUMENT_NAMES } from "../../src/web/spec/spec-text.js";
import { repoFile } from "../src/cli/harness.js";
import {
  brokenCodeCitations,
  brokenSpecCitations,
  exportedFunctions,
  filesUnder,
  formatOffenders,
  sectionIndex,
  sectionsWithoutCode,
  specSections,
  uncitedFunctions,
  type Offender,
} from "./spec-code.js";

const root = repoFile(".");
const read = (path: string): string => readFileSync(repoFile(path), "utf8");
const sections = sectionIndex(root);
const referenceFiles = filesUnder(root, "reference", [".ts"]);
const codeFiles = ["reference", "accelerated", "src"].flatMap((dir) => filesUnder(root, dir, [".ts", ".mjs"]));

/** Fails with one line per offender. */
function expectNone(offenders: readonly Offender[]): void {
  expect(offenders.length, `\n${formatOffenders(offenders)}\n`).toBe(0);
}

describe("reference/ → spec", () => {
  test("the scan sees reference/'s exported functions (it is not vacuous)", () => {
    const count = referenceFiles.flatMap((f) => exportedFunctions(f, read(f))).length;
    expect(count).toBeGreaterThan(100);
  });

  test("every exported function of reference/ cites a spec section in its TSDoc", () => {
    expectNone(referenceFiles.flatMap((file) => uncitedFunctions(file, read(file))));
  });
});

describe("citations → sections", () => {
  test("every § cited in the comments of reference/, accelerated/ and src/ exists", () => {
    expectNone(codeFiles.flatMap((file) => brokenCodeCitations(file, read(file), sections)));
  });

  test("every § cited by a spec document exists", () => {
    expectNone(SPEC_DOCUMENT_NAMES.flatMap((doc) => brokenSpecCitations(doc, read(`spec/${doc}.md`), sections)));
  });
});

describe("spec → code", () => {
  const all = SPEC_DOCUMENT_NAMES.flatMap((doc) => specSections(doc, read(`spec/${doc}.md`)));

  test("the scan sees every numbered section (it is not vacuous)", () => {
    expect(all.length).toBe([...sections.values()].reduce((n, s) => n + s.size, 0));
    expect(all.length).toBeGreaterThan(100);
  });

  test("every numbered section names its code, and the files and symbols it names exist", () => {
    expectNone(sectionsWithoutCode(root, all));
  });
});

describe("the checks can fail", () => {
  test("an exported function without a citation, and a bare § without a home document", () => {
    const source =
      "/** Spec: spec/formats.md. */\n/** Decodes. */\nexport function f(): void {}\n/** Spec §4. */\nexport const g = (): void => {};\n";
    expect(uncitedFunctions("x.ts", source).map((o) => o.name)).toEqual(["f"]);
    expect(brokenCodeCitations("x.ts", "// Spec §4.\n", sections).map((o) => o.problem)).toEqual([
      "bare § in a file that names no spec document",
    ]);
  });

  test("a citation of a missing section, in code and in the spec", () => {
    const code = "/** See spec/forward.md §99.1 and spec/formats.md §4.2. */\n";
    expect(formatOffenders(brokenCodeCitations("x.ts", code, sections))).toBe(
      "x.ts:1 spec/forward.md §99.1: spec/forward.md has no §99.1",
    );
    expect(brokenSpecCitations("formats", "Text.\n\nAs in §4.9 and gguf.md §3.\n", sections)).toHaveLength(1);
  });

  test("a section without Code:, or naming a missing file or symbol", () => {
    const markdown = [
      "## §1 A",
      "Text.",
      "### §1.1 B",
      "Code: `reference/codec/tq2_0.ts` (`quantizeRowTq2_0`, `noSuchFunction`); `reference/nowhere.ts`.",
    ].join("\n");
    const problems = sectionsWithoutCode(root, specSections("formats", markdown)).map((o) => `${o.name} ${o.problem}`);
    expect(problems).toEqual([
      '§1 names no code (no "Code:" paragraph)',
      "§1.1 reference/codec/tq2_0.ts does not export noSuchFunction",
      "§1.1 names reference/nowhere.ts, which is not a file",
    ]);
  });
});
