/**
 * No line of the repository's TypeScript or JavaScript is longer than 160 characters. Prettier
 * (printWidth 120) wraps code but leaves long strings, template literals and comments alone; this
 * test catches those. Each offending line is reported as `file:line (length)`.
 */

import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { REPOSITORY_ROOT, repositorySourceFiles } from "./source-files.js";

/** The longest line allowed, in characters (code points). */
const MAX_LINE_LENGTH = 160;

/** `file:line (length)` for each line of `text` longer than MAX_LINE_LENGTH code points. */
function longLines(file: string, text: string): string[] {
  return text.split("\n").flatMap((line, index) => {
    const length = [...line.replace(/\r$/, "")].length;
    return length > MAX_LINE_LENGTH ? [`${file}:${index + 1} (${length})`] : [];
  });
}

describe(`no line over ${MAX_LINE_LENGTH} characters`, () => {
  test("the check counts code points and reports file:line", () => {
    const text = ["short", "x".repeat(MAX_LINE_LENGTH), "é".repeat(MAX_LINE_LENGTH + 1)].join("\n");
    expect(longLines("a.ts", text)).toEqual([`a.ts:3 (${MAX_LINE_LENGTH + 1})`]);
  });

  test("every .ts, .mts, .js and .mjs file of the repository", () => {
    const files = repositorySourceFiles();
    expect(files.length).toBeGreaterThan(100);
    const problems = files.flatMap((file) => longLines(file, readFileSync(REPOSITORY_ROOT + file, "utf8")));
    expect(problems).toEqual([]);
  });
});
