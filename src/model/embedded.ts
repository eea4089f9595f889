/**
 * The model `trilm run` uses when none is given: golden/models/trilm-tiny-tq2_0.gguf, a random
 * TriLM of the `tiny` preset (seed 1, TQ2_0) with the GPT-NeoX vocabulary cut to its 512 tokens,
 * shipped with the package (see golden/models/README.md for how it was made). Node only.
 */

import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The embedded model's file name under golden/models/. */
export const EMBEDDED_MODEL_FILE = "trilm-tiny-tq2_0.gguf";

/** The command that regenerates the embedded model byte for byte (from the repository root). */
export const EMBEDDED_MODEL_COMMAND =
  "trilm make-model --preset tiny --seed 1 --type tq2_0 --vocab golden/external/llama-tokenize/ggml-vocab-gpt-neox.gguf " +
  `golden/models/${EMBEDDED_MODEL_FILE}`;

/**
 * Where the package root is relative to this module: two levels up from src/model/ (running the
 * TypeScript sources, as vitest does) or three from dist/src/model/ (after `npm run build`).
 */
const ROOT_CANDIDATES = ["../../", "../../../"];

/**
 * Absolute path of the embedded model file, found relative to this module (works from src/ and
 * from dist/). Throws Error when the file is in neither place (a broken installation).
 */
export function embeddedModelPath(): string {
  for (const root of ROOT_CANDIDATES) {
    const path = fileURLToPath(new URL(`${root}golden/models/${EMBEDDED_MODEL_FILE}`, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error(`the embedded model golden/models/${EMBEDDED_MODEL_FILE} is missing from this installation`);
}
