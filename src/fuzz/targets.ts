/**
 * The parsers under fuzz, each with its mutator, its documented error type and the extra check
 * an accepted input must pass (an accepted GGUF must re-serialize, and re-parse to the same bytes).
 */

import { ManifestError, parseManifest } from "../golden/manifest.js";
import { parseGguf, serializeGguf } from "../gguf/index.js";
import { InputError } from "../errors.js";
import { parseCaseJson } from "../harness/protocol.js";
import { parseNpy } from "../io/npy.js";
import { parseSafetensors } from "../safetensors/index.js";
import { craftNestedArrays, mutateGguf, scanGgufFields, type GgufLayout } from "./gguf-mutators.js";
import { mutateJson } from "./json-mutators.js";
import { mutateNpy } from "./npy-mutators.js";
import type { FuzzRng } from "./rng.js";
import { mutateSafetensors } from "./safetensors-mutators.js";
import type { FuzzSeeds } from "./seeds.js";

/** Names of the fuzzed parsers. */
export type FuzzTargetName = "gguf" | "safetensors" | "npy" | "manifest" | "caseJson";

/** One mutated input, as bytes (its size is what the allocation bound is derived from). */
export interface FuzzInput {
  readonly bytes: Uint8Array;
  /** What was done to which seed, for failure reports. */
  readonly description: string;
}

/** A parser under fuzz. */
export interface FuzzTarget {
  readonly name: FuzzTargetName;
  /** Which allocation bound applies (see allocationBound in engine.ts). */
  readonly family: "binary" | "json";
  /** Make the `index`-th mutated input from the seeds. */
  mutate(rng: FuzzRng): FuzzInput;
  /** Parse; return a value to keep alive while memory is measured. Throws what the parser throws. */
  parse(bytes: Uint8Array): unknown;
  /** Is `error` the parser's documented error type? */
  isTypedError(error: unknown): boolean;
  /** Check an accepted input further; return a problem or undefined. */
  checkAccepted?(result: unknown, bytes: Uint8Array): string | undefined;
}

const UTF8 = new TextEncoder();
const decode = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function ggufTarget(seeds: FuzzSeeds): FuzzTarget {
  const layouts: GgufLayout[] = seeds.gguf.map(scanGgufFields);
  return {
    name: "gguf",
    family: "binary",
    mutate(rng) {
      if (rng.chance(0.08)) return { bytes: craftNestedArrays(rng), description: "crafted nested arrays" };
      const i = rng.int(seeds.gguf.length);
      let bytes = seeds.gguf[i];
      const rounds = 1 + rng.int(3);
      for (let k = 0; k < rounds; k++) bytes = mutateGguf(rng, bytes, layouts[i]);
      return { bytes, description: `seed ${i}, ${rounds} mutation(s)` };
    },
    parse: (bytes) => parseGguf(bytes, "fuzz.gguf"),
    isTypedError: (e) => e instanceof InputError,
    checkAccepted(result, bytes) {
      const file = result as ReturnType<typeof parseGguf>;
      let out: Uint8Array;
      try {
        out = serializeGguf(file);
      } catch (error) {
        return `accepted, but re-serializing threw ${String(error)}`;
      }
      // R16's one exception (spec/gguf.md §5): a file without tensors that ends at its header comes back padded
      const unpaddedTensorless =
        file.tensors.length === 0 &&
        out.length >= bytes.length &&
        equalBytes(out.subarray(0, bytes.length), bytes) &&
        out.subarray(bytes.length).every((b) => b === 0);
      if (!equalBytes(out, bytes) && !unpaddedTensorless)
        return `accepted, but re-serialized to ${out.length} different bytes (input ${bytes.length})`;
      return undefined;
    },
  };
}

function safetensorsTarget(seeds: FuzzSeeds): FuzzTarget {
  return {
    name: "safetensors",
    family: "json",
    mutate(rng) {
      const i = rng.int(seeds.safetensors.length);
      return { bytes: mutateSafetensors(rng, seeds.safetensors[i]), description: `seed ${i}` };
    },
    parse: (bytes) => parseSafetensors(bytes, "fuzz.safetensors"),
    isTypedError: (e) => e instanceof InputError,
  };
}

function npyTarget(seeds: FuzzSeeds): FuzzTarget {
  return {
    name: "npy",
    family: "binary",
    mutate(rng) {
      const i = rng.int(seeds.npy.length);
      return { bytes: mutateNpy(rng, seeds.npy[i]), description: `seed ${i}` };
    },
    parse: (bytes) => parseNpy(bytes, "fuzz.npy"),
    isTypedError: (e) => e instanceof InputError,
  };
}

function jsonTarget(
  name: "manifest" | "caseJson",
  texts: readonly string[],
  parse: (text: string) => unknown,
  isTypedError: (e: unknown) => boolean,
): FuzzTarget {
  return {
    name,
    family: "json",
    mutate(rng) {
      const i = rng.int(texts.length);
      return { bytes: UTF8.encode(mutateJson(rng, texts[i])), description: `seed ${i}` };
    },
    parse: (bytes) => parse(decode(bytes)),
    isTypedError,
  };
}

/**
 * The targets that have seeds. parseManifest documents ManifestError; parseCaseJson documents a
 * plain Error (readCaseDir wraps it in an InputError), so a TypeError or RangeError from either is a bug.
 */
export function fuzzTargets(seeds: FuzzSeeds): FuzzTarget[] {
  const targets = [ggufTarget(seeds), safetensorsTarget(seeds), npyTarget(seeds)];
  if (seeds.manifest.length > 0)
    targets.push(jsonTarget("manifest", seeds.manifest, parseManifest, (e) => e instanceof ManifestError));
  if (seeds.caseJson.length > 0) {
    targets.push(
      jsonTarget(
        "caseJson",
        seeds.caseJson,
        parseCaseJson,
        (e) => e instanceof Error && Object.getPrototypeOf(e) === Error.prototype,
      ),
    );
  }
  return targets;
}
