/**
 * What the browser offers the runner (browser-only): the WebGL renderer string and version, and
 * which mode gpu.js's kernels actually ran in (accelerated/gpujs/kernel-runs.ts: GPU.mode alone says
 * "gpu" for every GL flavour).
 */
import {
  countGpujsKernelRuns,
  gpujsKernelRunsNow,
  gpujsKernelRunsSince,
} from "../../../accelerated/gpujs/kernel-runs.js";

export { countGpujsKernelRuns, gpujsKernelRunsNow };

/** The WebGL context a fresh canvas gets. */
export interface WebglInfo {
  /** Unmasked renderer (WEBGL_debug_renderer_info), else the masked RENDERER; null without WebGL. */
  readonly renderer: string | null;
  /** gl.VERSION, e.g. "WebGL 2.0 (OpenGL ES 3.0 Chromium)"; null without WebGL. */
  readonly version: string | null;
}

/** Ask a throw-away canvas for WebGL 2 (else 1) and read its renderer and version. */
export function probeWebgl(): WebglInfo {
  try {
    const canvas = document.createElement("canvas");
    const gl = canvas.getContext("webgl2") ?? canvas.getContext("webgl");
    if (gl === null) return { renderer: null, version: null };
    const debug = gl.getExtension("WEBGL_debug_renderer_info");
    const renderer = String(debug ? gl.getParameter(debug.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
    const version = String(gl.getParameter(gl.VERSION));
    gl.getExtension("WEBGL_lose_context")?.loseContext();
    return { renderer, version };
  } catch {
    return { renderer: null, version: null };
  }
}

/** The modes gpu.js kernels ran in since `before`, e.g. "webgl2", "webgl2+cpu"; null if none ran. */
export function gpujsModeSince(before: Readonly<Record<string, number>>): string | null {
  const modes = Object.keys(gpujsKernelRunsSince(before));
  return modes.length === 0 ? null : modes.sort().reverse().join("+");
}
