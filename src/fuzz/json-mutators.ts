/**
 * JSON-aware mutations for safetensors headers, golden manifests and case.json: replace a random
 * node with a value of another type (huge, negative, fractional, NaN-like, deeply nested), delete
 * or add a key, or damage the text itself (truncate, flip a character, duplicate a span). Pure.
 */

import type { FuzzRng } from "./rng.js";

/** A JSON value as JSON.parse returns it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Values that break careless validators. */
function hostileJson(rng: FuzzRng): Json {
  switch (rng.int(14)) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.pick([-1, 0, 0.5, 1e308, -1e308, 2 ** 53, 2 ** 53 + 2, 2 ** 64, 4294967296, 1e21, 256, 255, 257]);
    case 3:
      return rng.pick([
        "",
        "F32",
        "F16",
        "BF16",
        "I64",
        "float32",
        "tq1_0",
        "tq2_0",
        "..",
        "../x",
        "x.bin",
        "x.npy",
        "\u0000",
        "__proto__",
      ]);
    case 4:
      return [];
    case 5:
      return {};
    case 6:
      return [rng.int(10), rng.int(10)];
    case 7:
      return [0, 2 ** 53];
    case 8:
      return [4294967296, 4294967296, 4294967296];
    case 9: {
      let v: Json = 1;
      for (let i = 0, n = 1 + rng.int(64); i < n; i++) v = [v];
      return v;
    }
    case 10: {
      let v: Json = 1;
      for (let i = 0, n = 1 + rng.int(64); i < n; i++) v = { a: v };
      return v;
    }
    case 11:
      return Array.from({ length: rng.int(2000) }, () => rng.int(3));
    case 12:
      return "x".repeat(rng.int(10000));
    default:
      return -rng.int(1000);
  }
}

/** Every path (list of keys/indices) to a node in `value`, up to `limit` of them. */
function paths(value: Json, limit = 4000): (string | number)[][] {
  const out: (string | number)[][] = [];
  const walk = (v: Json, path: (string | number)[]): void => {
    if (out.length >= limit) return;
    out.push(path);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v !== null && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(value, []);
  return out;
}

/** A structurally mutated copy of `value` (the input is not changed). */
export function mutateJsonValue(rng: FuzzRng, value: Json): Json {
  const root = structuredClone(value);
  const all = paths(root);
  const path = rng.pick(all);
  if (path.length === 0) return rng.chance(0.5) ? hostileJson(rng) : root;
  const parentPath = path.slice(0, -1);
  let parent: Json = root;
  for (const k of parentPath) parent = (parent as Record<string | number, Json>)[k];
  const key = path[path.length - 1];
  const container = parent as Record<string | number, Json>;
  const op = rng.int(4);
  if (op === 0 && !Array.isArray(parent)) delete container[key];
  else if (op === 1 && !Array.isArray(parent))
    container[rng.pick(["extra", "__metadata__", "dtype", "shape", "data_offsets", String(rng.int(100))])] =
      hostileJson(rng);
  else if (op === 2 && typeof container[key] === "number")
    container[key] = (container[key] as number) + rng.pick([-256, -1, 1, 256, 0.5]);
  else container[key] = hostileJson(rng);
  return root;
}

/** Text-level damage: truncate, change a character, duplicate or delete a span, nest thousands deep. */
export function mutateJsonText(rng: FuzzRng, text: string, op: number = rng.int(6)): string {
  const at = rng.int(text.length + 1);
  switch (op) {
    case 5: {
      // Replace the value after a random ':' with arrays or objects nested up to 20,000 deep.
      const colon = text.indexOf(":", at);
      if (colon < 0) return text;
      const n = rng.pick([1, 63, 64, 65, 100, 5000, 12000, 30000]);
      const deep = rng.chance(0.5) ? `${"[".repeat(n)}1${"]".repeat(n)}` : `${'{"a":'.repeat(n)}1${"}".repeat(n)}`;
      return `${text.slice(0, colon + 1)}${deep}${text.slice(colon + 1)}`;
    }
    case 0:
      return text.slice(0, at);
    case 1:
      return (
        text.slice(0, at) +
        rng.pick(["{", "}", "[", "]", ",", ":", '"', "\\", "\u0000", "\ud800", "9", "-", "e", "\n"]) +
        text.slice(at + 1)
      );
    case 2:
      return text.slice(0, at) + text.slice(at, at + 1 + rng.int(64)).repeat(2) + text.slice(at + 1 + rng.int(64));
    case 3:
      return text.slice(0, at) + text.slice(at + 1 + rng.int(64));
    default:
      return "[".repeat(rng.int(20000)) + text;
  }
}

const DEEP_MARKER = "\u0000deep\u0000";

/** Replace one random value of the (parsed) text with arrays or objects nested up to 30,000 deep. */
export function nestDeep(rng: FuzzRng, text: string): string {
  let parsed: Json;
  try {
    parsed = JSON.parse(text) as Json;
  } catch {
    return mutateJsonText(rng, text, 5);
  }
  const all = paths(parsed, 400);
  const path = rng.pick(all);
  const n = rng.pick([63, 64, 65, 100, 5000, 12000, 30000]);
  const deep = rng.chance(0.5) ? `${"[".repeat(n)}1${"]".repeat(n)}` : `${'{"a":'.repeat(n)}1${"}".repeat(n)}`;
  if (path.length === 0) return deep;
  let parent: Json = parsed;
  for (const k of path.slice(0, -1)) parent = (parent as Record<string | number, Json>)[k];
  (parent as Record<string | number, Json>)[path[path.length - 1]] = DEEP_MARKER;
  return JSON.stringify(parsed).replace(JSON.stringify(DEEP_MARKER), deep);
}

/** Mutate JSON text: usually structurally (re-serialized), sometimes as text; 1 to 3 rounds. */
export function mutateJson(rng: FuzzRng, text: string): string {
  let out = text;
  // Deep nesting at a random value: what overflows recursive validators and JSON.stringify.
  if (rng.chance(0.12)) return nestDeep(rng, out);
  for (let round = 0, n = 1 + rng.int(3); round < n; round++) {
    let parsed: Json | undefined;
    try {
      parsed = JSON.parse(out) as Json;
    } catch {
      parsed = undefined;
    }
    let structural: string | undefined;
    if (parsed !== undefined && rng.chance(0.75)) {
      try {
        structural = JSON.stringify(mutateJsonValue(rng, parsed));
      } catch {
        structural = undefined; // nested too deep for the structural walk: damage the text instead
      }
    }
    out = structural ?? mutateJsonText(rng, out);
  }
  return out;
}
