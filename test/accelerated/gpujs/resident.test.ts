/**
 * accelerated/gpujs/kernels.ts, KernelCache.resident: weight arrays go into GPU textures only in gpu.js's
 * GL modes. In Node gpu.js runs webasm or cpu, where there are no textures: prepared weights stay the
 * host arrays themselves, passed to the kernels on every call. (That WebGL keeps them in textures, and
 * uploads only the activations per call, is checked in the browser page: test/browser/page/gpujs-resident.ts.)
 */
import { GPU } from "gpu.js";
import { describe, expect, test } from "vitest";
import { KernelCache } from "../../../accelerated/gpujs/kernels.js";

describe("KernelCache.resident outside GL modes", () => {
  for (const mode of ["webasm", "cpu"] as const) {
    test(`${mode}: no textures; resident() returns the array itself`, () => {
      const gpu = new GPU({ mode });
      const kernels = new KernelCache(gpu);
      try {
        expect(kernels.keepsTextures).toBe(false);
        const values = new Float32Array([1, 2, 65535, 0.5]);
        expect(kernels.resident(values)).toBe(values);
        expect(kernels.size).toBe(0);
      } finally {
        kernels.clear();
        gpu.destroy();
      }
    });
  }
});
