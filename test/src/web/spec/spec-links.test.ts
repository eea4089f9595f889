/**
 * Every specLink("<doc>", "<section>" and specHref("<doc>", "<section>" with literal arguments in
 * src/web must name a heading of spec/<doc>.md, so no link on the page points nowhere.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, test } from "vitest";
import { repoFile } from "../../cli/harness.js";

const SPEC_CALL = /\bspec(?:Link|Href)\(\s*"([^"]+)"\s*,\s*"([^"]*)"/g;

/** The .ts files under a folder, recursively. */
function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? typeScriptFiles(path) : entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** Whether spec/<doc>.md has a heading "§<section> …" (or exists, for section ""). */
function sectionExists(doc: string, section: string): boolean {
  let markdown: string;
  try {
    markdown = readFileSync(repoFile(`spec/${doc}.md`), "utf8");
  } catch {
    return false;
  }
  if (section === "") return true;
  return new RegExp(`^#{1,6} §${section.replace(/\./g, "\\.")}(?:\\s|$)`, "m").test(markdown);
}

/** The literal spec links of a source text that name no heading: "file: specLink(doc, section)". */
function brokenSpecLinks(source: string, name: string): string[] {
  const broken: string[] = [];
  for (const [call, doc, section] of source.matchAll(SPEC_CALL)) {
    if (!sectionExists(doc, section)) broken.push(`${name}: ${call}`);
  }
  return broken;
}

describe("literal spec links of src/web", () => {
  const files = typeScriptFiles(repoFile("src/web"));

  test("the scan finds the page's links (it is not vacuous)", () => {
    const calls = files.flatMap((file) => [...readFileSync(file, "utf8").matchAll(SPEC_CALL)]);
    expect(calls.length).toBeGreaterThan(5);
  });

  test("every one names a heading of its spec document", () => {
    const broken = files.flatMap((file) => brokenSpecLinks(readFileSync(file, "utf8"), relative(repoFile("."), file)));
    expect(broken).toEqual([]);
  });

  test("the check fails on a made-up section or document", () => {
    expect(brokenSpecLinks('specLink("formats", "4.2"); specHref("golden", "")', "ok.ts")).toEqual([]);
    expect(brokenSpecLinks('specLink("formats", "99.9", "x")', "bad.ts")).toEqual([
      'bad.ts: specLink("formats", "99.9"',
    ]);
    expect(brokenSpecLinks('specHref("formats", "4.22")', "bad.ts")).toHaveLength(1);
    expect(brokenSpecLinks('specLink("nowhere", "1")', "bad.ts")).toHaveLength(1);
  });
});
