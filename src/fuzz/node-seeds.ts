/**
 * Node-only seed loading: the golden GGUF model (its header region and its metadata) and the
 * golden manifests, found from src/fuzz/ or dist/src/fuzz/. Missing files are skipped.
 */

import { existsSync, readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseGguf } from "../gguf/index.js";
import { buildSeeds, type FuzzSeeds } from "./seeds.js";

const ROOT_CANDIDATES = ["../../", "../../../"];

function packageRoot(): string | undefined {
  for (const root of ROOT_CANDIDATES) {
    const path = fileURLToPath(new URL(root, import.meta.url));
    if (existsSync(`${path}golden/suites`)) return path;
  }
  return undefined;
}

/** The built seeds plus the golden files of this checkout (when present). */
export function loadSeeds(): FuzzSeeds {
  const root = packageRoot();
  if (root === undefined) return buildSeeds();
  const modelPath = `${root}golden/external/llama/tiny-tq2_0.gguf`;
  let ggufModel: Uint8Array | undefined;
  let ggufPrefix: Uint8Array | undefined;
  if (existsSync(modelPath)) {
    ggufModel = new Uint8Array(readFileSync(modelPath));
    const file = parseGguf(ggufModel, modelPath);
    // The header region: everything up to the data section, plus one 64-byte peek into the data.
    ggufPrefix = ggufModel.slice(0, file.dataOffset + 64);
  }
  const suites = `${root}golden/suites`;
  const manifests = readdirSync(suites)
    .map((name) => `${suites}/${name}/manifest.json`)
    .filter((path) => existsSync(path))
    .map((path) => readFileSync(path, "utf8"));
  return buildSeeds({ ...(ggufModel === undefined ? {} : { ggufModel, ggufPrefix }), manifests });
}
