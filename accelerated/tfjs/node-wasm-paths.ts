/**
 * Node only: the folder holding @tensorflow/tfjs-backend-wasm's .wasm binaries (its dist/ folder),
 * for setWasmPaths. The browser build never imports this file; a page passes `wasmPaths` instead.
 */

import { createRequire } from "node:module";
import { dirname } from "node:path";

/** The package's dist folder with a trailing slash, as a path (Node's wasm loader reads files). */
export function nodeWasmPaths(): string {
  const require = createRequire(import.meta.url);
  const main = require.resolve("@tensorflow/tfjs-backend-wasm"); // …/dist/tf-backend-wasm.node.js
  return `${dirname(main)}/`;
}
