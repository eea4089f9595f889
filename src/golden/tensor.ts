/**
 * Tensors of the golden suites and their files (spec/golden.md §3). The pure part lives in
 * tensor-core.ts and is re-exported here; this module adds hashing with node:crypto.
 */

import { createHash } from "node:crypto";

export * from "./tensor-core.js";

/** sha256 of bytes, lower-case hex. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}
