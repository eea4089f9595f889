/**
 * TriRun folders on disk. A model folder (src/model/convert-trirun.ts makes its content): `<dir>/model.safetensors`
 * and `<dir>/trirun.json`, each written atomically (src/io/atomic-write.ts), and only once the whole model
 * has been converted, so a refused conversion leaves nothing behind. One weight's .npy folder
 * (src/model/trirun-files.ts): B.npy, s.npy, trirun.json.
 */

import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../errors.js";
import { describeFileSystemError, writeFileAtomic } from "../io/atomic-write.js";
import type { TrirunPacked } from "../../reference/codec/trirun.js";
import { readInputFile } from "../io/input-file.js";
import { TRIRUN_DESCRIPTION_FILE, TRIRUN_MODEL_FILE, type TrirunModelConversion } from "./convert-trirun.js";
import { TRIRUN_NPY_FILES, parseTrirunNpy, serializeTrirunNpy } from "./trirun-files.js";

/** Create `dir` (and its parents) unless it is a folder already; InputError naming it when it is a file. */
function makeFolder(dir: string, holds: string): void {
  const stats = statSync(dir, { throwIfNoEntry: false });
  if (stats !== undefined && !stats.isDirectory())
    throw new InputError(dir, `is a file; the TriRun output is a folder (${holds})`);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new InputError(dir, `cannot create the folder: ${describeFileSystemError(error)}`);
  }
}

/** The two files of the folder `dir`: [model.safetensors, trirun.json]. */
export function trirunFolderFiles(dir: string): [string, string] {
  return [join(dir, TRIRUN_MODEL_FILE), join(dir, TRIRUN_DESCRIPTION_FILE)];
}

/**
 * Create `dir` (and its parents) when missing and write the converted model into it: model.safetensors, then
 * trirun.json. InputError naming the path when `dir` is a file or a file cannot be written.
 */
export function writeTrirunFolder(dir: string, conversion: TrirunModelConversion): void {
  makeFolder(dir, "model.safetensors and trirun.json");
  const [weights, description] = trirunFolderFiles(dir);
  writeFileAtomic(weights, conversion.safetensors);
  writeFileAtomic(description, new TextEncoder().encode(`${JSON.stringify(conversion.description, null, 2)}\n`));
}

/** The paths of the files of the weight .npy folder `dir`. */
export function trirunNpyPaths(dir: string): Record<keyof typeof TRIRUN_NPY_FILES, string> {
  return {
    B: join(dir, TRIRUN_NPY_FILES.B),
    s: join(dir, TRIRUN_NPY_FILES.s),
    description: join(dir, TRIRUN_NPY_FILES.description),
  };
}

/** Write one weight as the .npy folder `dir` (created when missing): B.npy, s.npy, trirun.json, each atomically. */
export function writeTrirunNpyFolder(dir: string, packed: TrirunPacked): void {
  makeFolder(dir, "B.npy, s.npy and trirun.json");
  const files = serializeTrirunNpy(packed);
  const paths = trirunNpyPaths(dir);
  writeFileAtomic(paths.B, files.B);
  writeFileAtomic(paths.s, files.s);
  writeFileAtomic(paths.description, files.description);
}

/** Read the weight .npy folder `dir` (see parseTrirunNpy); InputError naming the file at fault. */
export function readTrirunNpyFolder(dir: string): TrirunPacked {
  const paths = trirunNpyPaths(dir);
  return parseTrirunNpy(
    { B: readInputFile(paths.B), s: readInputFile(paths.s), description: readInputFile(paths.description) },
    paths,
  );
}
