/**
 * The version `trilm --version` prints: the one in the project's package.json, found by walking up
 * from this module (it lives in src/cli/ when run from source, in dist/src/cli/ when built).
 */

import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const PACKAGE_NAME = "trilm-oracle";

/** The `version` field of the trilm-oracle package.json above this module. */
export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, "package.json");
    if (existsSync(candidate)) {
      const manifest: unknown = JSON.parse(readFileSync(candidate, "utf8"));
      if (isOurManifest(manifest)) return manifest.version;
    }
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error(`cannot find the ${PACKAGE_NAME} package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

function isOurManifest(manifest: unknown): manifest is { name: string; version: string } {
  if (typeof manifest !== "object" || manifest === null) return false;
  const { name, version } = manifest as Record<string, unknown>;
  return name === PACKAGE_NAME && typeof version === "string";
}
