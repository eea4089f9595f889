/**
 * Pure logic of the golden viewer (no DOM): reading its route, finding a case in a manifest,
 * filtering cases, and splitting a tolerance's `spec` field into spec sections to link.
 */
import type { Manifest, TestCase, TestGroup, TestResult } from "../../golden/manifest-core.js";

/** What a `#golden/...` route shows. */
export type GoldenRoute =
  | { readonly kind: "suites" }
  | { readonly kind: "suite"; readonly suite: string }
  | { readonly kind: "case"; readonly suite: string; readonly tcId: number };

/** `[]` → the suite list, `["codecs"]` → a suite, `["codecs", "12"]` → a case (tcId as written). */
export function parseGoldenRoute(path: readonly string[]): GoldenRoute {
  if (path.length === 0) return { kind: "suites" };
  if (path.length === 1) return { kind: "suite", suite: path[0] };
  return { kind: "case", suite: path[0], tcId: /^\d+$/.test(path[1]) ? Number(path[1]) : Number.NaN };
}

/** A case with the group it belongs to. */
export interface CaseInGroup {
  readonly group: TestGroup;
  readonly test: TestCase;
}

/** Every case of a manifest with its group, in manifest order. */
export function casesOf(manifest: Manifest): CaseInGroup[] {
  return manifest.testGroups.flatMap((group) => group.tests.map((test) => ({ group, test })));
}

/** The case with this tcId, or undefined. */
export function findCase(manifest: Manifest, tcId: number): CaseInGroup | undefined {
  return casesOf(manifest).find(({ test }) => test.tcId === tcId);
}

/** A filter of the cases table: "" means any. */
export interface CaseFilter {
  readonly flag: string;
  readonly result: TestResult | "";
}

/** Whether a case passes the filter. */
export function matchesFilter(test: TestCase, filter: CaseFilter): boolean {
  return (
    (filter.flag === "" || test.flags.includes(filter.flag)) && (filter.result === "" || test.result === filter.result)
  );
}

/** The flags used by a manifest's cases, sorted. */
export function flagsUsed(manifest: Manifest): string[] {
  return [...new Set(casesOf(manifest).flatMap(({ test }) => test.flags))].sort();
}

/** Count of cases per result. */
export function resultCounts(manifest: Manifest): Record<TestResult, number> {
  const counts: Record<TestResult, number> = { valid: 0, invalid: 0, acceptable: 0 };
  for (const { test } of casesOf(manifest)) counts[test.result] += 1;
  return counts;
}

/** A section a tolerance's `spec` field names. */
export interface SpecSectionReference {
  /** The document name without spec/ and .md: "formats". */
  readonly doc: string;
  /** "8.2" */
  readonly section: string;
}

/**
 * The sections named by a tolerance's `spec` field: "spec/formats.md §4.3, §5.4; spec/tolerances.md
 * §3.1" → formats 4.3, formats 5.4, tolerances 3.1. A bare § belongs to the last document named.
 */
export function specSectionsOf(spec: string): SpecSectionReference[] {
  const references: SpecSectionReference[] = [];
  let doc: string | undefined;
  for (const match of spec.matchAll(/(?:spec\/)?([A-Za-z-]+)\.md|§(\d+(?:\.\d+)*)/g)) {
    if (match[1] !== undefined) doc = match[1];
    else if (doc !== undefined) references.push({ doc, section: match[2] });
  }
  return references;
}

/** The manifest's folder key of a glob path: "../../../golden/suites/codecs/manifest.json" → "codecs". */
export function suiteOfManifestPath(path: string): string | undefined {
  return /\/golden\/suites\/([^/]+)\/manifest\.json$/.exec(path)?.[1];
}

/** The glob key of a case file: suite "codecs", file "tc0001/w.npy" → "../../../golden/suites/codecs/tc0001/w.npy". */
export function caseFileGlobKey(suite: string, file: string): string {
  return `../../../golden/suites/${suite}/${file}`;
}
