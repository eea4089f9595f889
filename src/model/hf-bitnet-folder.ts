/**
 * Writing a Hugging Face BitNet folder (src/model/convert-hf-bitnet.ts makes its content): `<dir>/config.json` and
 * `<dir>/model.safetensors`, each atomically (src/io/atomic-write.ts), after the whole model converted, so a refused
 * conversion leaves nothing behind. Node only.
 */

import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../errors.js";
import { describeFileSystemError, writeFileAtomic } from "../io/atomic-write.js";
import type { HfBitnetFolder } from "./convert-hf-bitnet.js";

/** The two files of the folder `dir`: [config.json, model.safetensors]. */
export function hfBitnetFolderFiles(dir: string): [string, string] {
  return [join(dir, "config.json"), join(dir, "model.safetensors")];
}

/**
 * Create `dir` (and its parents) when missing and write the folder: model.safetensors, then config.json (2-space JSON
 * and a newline). InputError naming the path when `dir` is a file or a file cannot be written.
 */
export function writeHfBitnetFolder(dir: string, folder: HfBitnetFolder): void {
  const stats = statSync(dir, { throwIfNoEntry: false });
  if (stats !== undefined && !stats.isDirectory())
    throw new InputError(dir, "is a file; --type hf-bitnet writes a folder (config.json, model.safetensors)");
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new InputError(dir, `cannot create the folder: ${describeFileSystemError(error)}`);
  }
  const [config, weights] = hfBitnetFolderFiles(dir);
  writeFileAtomic(weights, folder.safetensors);
  writeFileAtomic(config, new TextEncoder().encode(`${JSON.stringify(folder.config, null, 2)}\n`));
}
