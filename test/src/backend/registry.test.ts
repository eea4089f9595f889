/**
 * src/backend/registry.ts: backends by name, and the one-line error when an accelerated backend's
 * optional package is missing (the installed-package test, test/package/install.test.ts, sees the
 * real thing; here the errors are Node's, built by hand).
 */

import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import {
  BACKEND_PACKAGES,
  BackendUnavailableError,
  createBackend,
  missingPackage,
} from "../../../src/backend/registry.js";
import { UsageError } from "../../../src/errors.js";

/** An error as Node's module loader throws it. */
function notFound(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe("missingPackage", () => {
  test("names the package of Node's ESM and CommonJS not-found errors", () => {
    const esm = notFound("ERR_MODULE_NOT_FOUND", "Cannot find package 'gpu.js' imported from /x/dist/index.js");
    expect(missingPackage(esm, ["gpu.js"])).toBe("gpu.js");
    const cjs = notFound("MODULE_NOT_FOUND", "Cannot find module '@tensorflow/tfjs-backend-wasm/dist/x.js'");
    expect(missingPackage(cjs, ["@tensorflow/tfjs-core", "@tensorflow/tfjs-backend-wasm"])).toBe(
      "@tensorflow/tfjs-backend-wasm",
    );
  });

  test("ignores other packages, other errors and a name that is only a prefix", () => {
    const other = notFound("ERR_MODULE_NOT_FOUND", "Cannot find package 'webgpu' imported from /x/gpu.js");
    expect(missingPackage(other, ["gpu.js"])).toBeUndefined();
    expect(missingPackage(new Error("Cannot find package 'gpu.js'"), ["gpu.js"])).toBeUndefined();
    expect(missingPackage("Cannot find package 'gpu.js'", ["gpu.js"])).toBeUndefined();
    const prefix = notFound("ERR_MODULE_NOT_FOUND", "Cannot find package '@tensorflow/tfjs-core-extra' imported");
    expect(missingPackage(prefix, ["@tensorflow/tfjs-core"])).toBeUndefined();
  });
});

describe("BackendUnavailableError", () => {
  test("is a one-line UsageError naming the backend, the package and the install command", () => {
    const error = new BackendUnavailableError("tfjs-wasm", "@tensorflow/tfjs-backend-wasm");
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe(
      "backend 'tfjs-wasm' needs the package @tensorflow/tfjs-backend-wasm, an optional dependency of trilm-oracle " +
        "that is not installed; install it with: npm install @tensorflow/tfjs-core@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0",
    );
  });

  test("BACKEND_PACKAGES pins the versions package.json's optionalDependencies pin", () => {
    const manifest = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as {
      optionalDependencies: Record<string, string>;
    };
    for (const packages of Object.values(BACKEND_PACKAGES)) {
      for (const [name, version] of Object.entries(packages)) {
        expect(manifest.optionalDependencies[name], name).toBe(version);
      }
    }
  });
});

describe("createBackend", () => {
  test("creates the reference backend", async () => {
    expect((await createBackend("reference")).name).toBe("reference");
  });
});
