/**
 * The repository's own source files for the hygiene tests: every `.ts`, `.mts`, `.js` and `.mjs`
 * file git tracks or would track (`git ls-files --cached --others --exclude-standard`, so
 * node_modules/, dist/, dist-web/ and everything else .gitignore names stay out), repository-relative
 * with `/` separators, sorted.
 */

import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The repository root (this file is test/hygiene/source-files.ts). */
export const REPOSITORY_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** File names the hygiene tests read as source. */
const SOURCE_FILE = /\.(ts|mts|js|mjs)$/;

/** Source files under `folder` ("." for the whole repository) that exist in the working tree. */
export function repositorySourceFiles(folder = "."): string[] {
  const listed = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z", "--", folder], {
    cwd: REPOSITORY_ROOT,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  return [...new Set(listed.split("\0"))]
    .filter((path) => SOURCE_FILE.test(path) && existsSync(REPOSITORY_ROOT + path))
    .sort();
}
