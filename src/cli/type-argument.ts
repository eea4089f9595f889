/**
 * Parsers for ggml type names given on the command line (`tq2_0`, `q8_K`, `f16`, …), for commander's
 * `argParser`: an unknown or unsupported name is an InvalidArgumentError, which commander reports
 * as a one-line usage error.
 */

import { InvalidArgumentError } from "commander";
import { ggmlTypeByName, type GgmlTypeTraits } from "../../reference/codec/index.js";

/** The block formats `trilm encode` and `trilm decode` handle. */
export const BLOCK_FORMAT_NAMES = ["tq1_0", "tq2_0", "q8_K"] as const;
/** The ternary formats `trilm quantize` converts a model to. */
export const TERNARY_FORMAT_NAMES = ["tq1_0", "tq2_0"] as const;
/** The types `--token-embedding-type` and `--output-tensor-type` accept. */
export const TENSOR_TYPE_NAMES = ["f32", "f16", "bf16", "q8_0", "q4_0", "q4_K", "tq1_0", "tq2_0"] as const;

/** "a, b or c". */
function listOfNames(names: readonly string[]): string {
  return names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}`;
}

/** A parser accepting exactly the type names in `allowed` (case-insensitive, as ggml's names). */
export function typeNameParser(allowed: readonly string[]): (text: string) => GgmlTypeTraits {
  return (text) => {
    const traits = ggmlTypeByName(text);
    if (traits === undefined || !allowed.includes(traits.name)) {
      throw new InvalidArgumentError(`Expected ${listOfNames(allowed)}.`);
    }
    return traits;
  };
}
