/**
 * Backends by name, created on demand. The accelerated backends run on packages that are
 * optionalDependencies of trilm-oracle (an install with `--omit=optional` lacks them): their modules
 * are imported only here, when asked for, and a missing package becomes a BackendUnavailableError
 * that names the backend, the package and the command that installs it.
 */

import { availableParallelism } from "node:os";
import { UsageError } from "../errors.js";
import type { Backend } from "./backend.js";
import { createReferenceBackend } from "./reference-backend.js";

/** Every backend name the CLI accepts in Node. */
export const NODE_BACKEND_NAMES = ["reference", "packed-wasm", "gpujs", "tfjs-cpu", "tfjs-wasm"] as const;

/** A backend name the CLI accepts in Node. */
export type NodeBackendName = (typeof NODE_BACKEND_NAMES)[number];

/** The backends that run on an optional package (all but the reference and the packed-wasm engine, which ship with trilm-oracle). */
export type OptionalBackendName = Exclude<NodeBackendName, "reference" | "packed-wasm">;

/** How to create a backend. */
export interface BackendOptions {
  /** packed-wasm: threads that compute the matmuls (default: every core, os.availableParallelism()). */
  readonly threads?: number;
}

/**
 * The optional packages each accelerated backend imports, with the versions package.json pins
 * (test/src/backend/registry.test.ts checks that they agree).
 */
export const BACKEND_PACKAGES: Readonly<Record<OptionalBackendName, Readonly<Record<string, string>>>> = {
  gpujs: { "gpu.js": "2.24.1" },
  "tfjs-cpu": { "@tensorflow/tfjs-core": "4.22.0", "@tensorflow/tfjs-backend-cpu": "4.22.0" },
  "tfjs-wasm": { "@tensorflow/tfjs-core": "4.22.0", "@tensorflow/tfjs-backend-wasm": "4.22.0" },
};

/**
 * A backend whose optional package is not installed. A UsageError, so the CLI prints its message as
 * one line and exits with status 2.
 */
export class BackendUnavailableError extends UsageError {
  /** The backend asked for. */
  readonly backend: OptionalBackendName;
  /** The package that is missing. */
  readonly packageName: string;

  constructor(backend: OptionalBackendName, packageName: string) {
    const install = Object.entries(BACKEND_PACKAGES[backend]).map(([name, version]) => `${name}@${version}`);
    super(
      `backend '${backend}' needs the package ${packageName}, an optional dependency of trilm-oracle that is not ` +
        `installed; install it with: npm install ${install.join(" ")}`,
    );
    this.name = "BackendUnavailableError";
    this.backend = backend;
    this.packageName = packageName;
  }
}

/**
 * Which of `packages` `error` says cannot be found: Node's ERR_MODULE_NOT_FOUND (import) or
 * MODULE_NOT_FOUND (require), whose message quotes the package name (`Cannot find package 'gpu.js'
 * imported from …`). Undefined for any other error, including a missing package not in `packages`.
 */
export function missingPackage(error: unknown, packages: readonly string[]): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") return undefined;
  return packages.find((name) => error.message.includes(`'${name}'`) || error.message.includes(`'${name}/`));
}

/** Import and create the accelerated backend `name` (its packages may be missing). */
async function createAccelerated(name: OptionalBackendName): Promise<Backend> {
  switch (name) {
    case "gpujs":
      return (await import("../../accelerated/gpujs/index.js")).createGpujsBackend();
    case "tfjs-cpu":
    case "tfjs-wasm":
      return (await import("../../accelerated/tfjs/index.js")).createTfjsBackend(name === "tfjs-cpu" ? "cpu" : "wasm");
  }
}

/**
 * The packed-wasm engine (accelerated/packed-wasm) in Node on `threads` threads (default: every core), the reference
 * backend computing what it has no kernel for.
 */
async function createNodePackedWasmBackend(threads: number | undefined): Promise<Backend> {
  const { createNodeEngine } = await import("../../accelerated/packed-wasm/node-engine.js");
  const { createPackedWasmBackend } = await import("../../accelerated/packed-wasm/index.js");
  return createPackedWasmBackend(await createNodeEngine(threads ?? availableParallelism()), createReferenceBackend());
}

/**
 * Create the backend called `name` (async: accelerated backends load their packages and initialise
 * their runtime). Throws BackendUnavailableError when the backend's optional package is not installed.
 */
export async function createBackend(name: NodeBackendName, options: BackendOptions = {}): Promise<Backend> {
  if (name === "reference") return createReferenceBackend();
  if (name === "packed-wasm") return createNodePackedWasmBackend(options.threads);
  try {
    return await createAccelerated(name);
  } catch (error) {
    const missing = missingPackage(error, Object.keys(BACKEND_PACKAGES[name]));
    if (missing !== undefined) throw new BackendUnavailableError(name, missing);
    throw error;
  }
}
