/**
 * The public API report (test/package/api-report.ts): api/trilm-oracle.api.md must be what the
 * entry points export now, byte for byte; every export must carry a TSDoc comment, and every type an
 * exported signature names must be exported too. Run with
 * `--mode write-api-report` (as `npm run api:report` does), it writes the report instead.
 */

/// <reference types="vite/client" />
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { API_REPORT_FILE, apiEntries, generateApiReport, REPO_ROOT } from "./api-report.js";

const WRITE = import.meta.env.MODE === "write-api-report";

describe("the public API", () => {
  const report = generateApiReport();

  test(`${API_REPORT_FILE} is up to date`, () => {
    const path = join(REPO_ROOT, API_REPORT_FILE);
    if (WRITE) {
      writeFileSync(path, report.text); // npm run api:report
      return;
    }
    if (readFileSync(path, "utf8") !== report.text) {
      expect.fail(
        `${API_REPORT_FILE} differs from the public API the entry points export: ` +
          "run `npm run api:report` and review the diff (it is a change to the public API)",
      );
    }
  });

  test("every export has a TSDoc comment", () => {
    const missing = report.undocumented.map((u) => `${u.specifier}: ${u.name} (${u.location})`);
    expect(missing, `exports without a TSDoc comment:\n${missing.join("\n")}`).toEqual([]);
  });

  test("every type an exported signature names is exported too", () => {
    const missing = report.unexported.map((u) => `${u.specifier}: ${u.name} (${u.location})`);
    expect(missing, `types the public API names but no entry point exports:\n${missing.join("\n")}`).toEqual([]);
  });

  test("every module of src/api/ is an entry point of package.json's exports", () => {
    const entries = apiEntries().map((entry) => entry.source);
    const modules = readdirSync(join(REPO_ROOT, "src/api")).map((name) => join(REPO_ROOT, "src/api", name));
    expect([...entries].sort()).toEqual(modules.sort());
  });
});
