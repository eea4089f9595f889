/**
 * Which mode gpu.js's kernels really ran in. `GPU.mode` says "gpu" for every GL flavour and a
 * kernel can silently fall back to the CPU, so browser pages that must prove WebGL was used (the
 * differential test page, the teaching page's runner) count kernel runs by kernel class instead:
 * every kernel class's run() is wrapped once. CPUKernel compiles its run() onto the instance when it
 * builds, past the wrapper, so CPU runs are not counted: a count shows that kernels ran in a mode,
 * not that none fell back (the backends' results are checked separately).
 */
import { CPUKernel, WebAssemblyKernel, WebGL2Kernel, WebGLKernel } from "gpu.js";

/** The mode of one gpu.js kernel instance, by its class: "webgl2", "webgl", "cpu", "webasm" or "other(<class>)". */
export function gpujsKernelMode(kernel: unknown): string {
  if (kernel instanceof WebGL2Kernel) return "webgl2";
  if (kernel instanceof WebGLKernel) return "webgl";
  if (kernel instanceof CPUKernel) return "cpu";
  if (kernel instanceof WebAssemblyKernel) return "webasm";
  return `other(${(kernel as { constructor?: { name?: string } } | null)?.constructor?.name ?? "?"})`;
}

/** Kernel runs so far, by mode. */
const kernelRuns: Record<string, number> = {};
let instrumented = false;

/** Start counting: wrap the run() each kernel class actually uses (own or inherited), once per defining prototype. */
export function countGpujsKernelRuns(): void {
  if (instrumented) return;
  instrumented = true;
  const seen = new Set<object>();
  for (const cls of [WebGL2Kernel, WebGLKernel, CPUKernel, WebAssemblyKernel] as unknown as {
    prototype: Record<string, unknown>;
  }[]) {
    let proto: Record<string, unknown> | null = cls.prototype;
    while (proto !== null && !Object.prototype.hasOwnProperty.call(proto, "run"))
      proto = Object.getPrototypeOf(proto) as Record<string, unknown> | null;
    if (proto === null || seen.has(proto)) continue;
    seen.add(proto);
    const original = proto.run as (...args: unknown[]) => unknown;
    proto.run = function (this: unknown, ...args: unknown[]): unknown {
      const mode = gpujsKernelMode(this);
      kernelRuns[mode] = (kernelRuns[mode] ?? 0) + 1;
      return original.apply(this, args);
    };
  }
}

/** A copy of the counts so far (to pass to gpujsKernelRunsSince later). */
export function gpujsKernelRunsNow(): Record<string, number> {
  return { ...kernelRuns };
}

/** Kernel runs since `before`, by mode (modes with no new run left out). */
export function gpujsKernelRunsSince(before: Readonly<Record<string, number>>): Record<string, number> {
  const since: Record<string, number> = {};
  for (const [mode, n] of Object.entries(kernelRuns))
    if (n - (before[mode] ?? 0) > 0) since[mode] = n - (before[mode] ?? 0);
  return since;
}
