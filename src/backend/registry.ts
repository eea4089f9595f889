/**
 * Backends by name, created on demand (accelerated backends load their packages only when asked).
 */

import type { Backend } from "./backend.js";

/** Every backend name the CLI accepts in Node. */
export const NODE_BACKEND_NAMES = ["reference", "gpujs", "tfjs-cpu", "tfjs-wasm"] as const;

/** A backend name the CLI accepts in Node. */
export type NodeBackendName = (typeof NODE_BACKEND_NAMES)[number];

/** Create the backend called `name` (async: accelerated backends initialise their runtime). */
export async function createBackend(name: NodeBackendName): Promise<Backend> {
  switch (name) {
    case "reference":
      return (await import("./reference-backend.js")).createReferenceBackend();
    case "gpujs":
      return (await import("../../accelerated/gpujs/index.js")).createGpujsBackend();
    case "tfjs-cpu":
    case "tfjs-wasm":
      return (await import("../../accelerated/tfjs/index.js")).createTfjsBackend(name === "tfjs-cpu" ? "cpu" : "wasm");
  }
}
