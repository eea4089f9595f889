/**
 * The manifest of one golden suite (spec/golden.md §2): the pure part lives in manifest-core.ts
 * (types, formatManifest, parseManifestWithSchema) and is re-exported here; this module adds the
 * lookup of golden/schema/manifest.schema.json in the installation (Node only) and parseManifest,
 * which checks against that file.
 */

import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { JsonValue } from "./json-schema.js";
import { parseManifestWithSchema, type Manifest } from "./manifest-core.js";

export * from "./manifest-core.js";

/** Where the package root is relative to this module: from src/golden/ or dist/src/golden/. */
const ROOT_CANDIDATES = ["../../", "../../../"];

/** Absolute path of golden/schema/manifest.schema.json in this installation. */
export function manifestSchemaPath(): string {
  for (const root of ROOT_CANDIDATES) {
    const path = fileURLToPath(new URL(`${root}golden/schema/manifest.schema.json`, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error("golden/schema/manifest.schema.json is missing from this installation");
}

let cachedSchema: JsonValue | undefined;

/** The manifest schema, parsed. */
export function manifestSchema(): JsonValue {
  cachedSchema ??= JSON.parse(readFileSync(manifestSchemaPath(), "utf8")) as JsonValue;
  return cachedSchema;
}

/**
 * Parse and check a manifest's text: JSON, then the schema, then the rules of semanticProblem.
 * ManifestError (one line) for anything wrong.
 */
export function parseManifest(text: string): Manifest {
  return parseManifestWithSchema(text, manifestSchema());
}
