/**
 * The browser page's check that the gpujs backend keeps prepared weights on the GPU (M12 item 7):
 * in WebGL, a matmul call on a prepared TQ2_0 matrix must upload less data than the matrix's packed
 * bytes — only the activations and their block scales — because prepareMatrix left the packed words
 * and scales in textures (accelerated/gpujs/kernels.ts, KernelCache.resident). Uploads are counted as
 * the bytes of every typed array handed to texImage2D / texSubImage2D on the WebGL contexts' prototypes
 * while the call runs. Typechecked without the DOM lib: the WebGL globals are reached through globalThis.
 */
import type { Backend } from "../../../src/backend/backend.js";
import { GgmlType } from "../../../reference/codec/index.js";
import { packMatrix } from "../../../reference/model/packed-matrix.js";

/** What checkGpujsResidentWeights measured. */
export interface ResidentWeightsCheck {
  /** Bytes of the prepared matrix's packed TQ2_0 data. */
  readonly packedBytes: number;
  /** Bytes handed to texImage2D / texSubImage2D during the second matmul call (the first compiles). */
  readonly uploadedBytes: number;
  /** Whether uploadedBytes < packedBytes: the weights were not uploaded again. */
  readonly resident: boolean;
}

type Method = (this: unknown, ...args: unknown[]) => unknown;

/** The texImage2D/texSubImage2D methods of WebGLRenderingContext and WebGL2RenderingContext present in this page. */
function uploadMethods(): { proto: Record<string, Method>; name: string; original: Method }[] {
  const found: { proto: Record<string, Method>; name: string; original: Method }[] = [];
  const g = globalThis as unknown as Record<string, { prototype: Record<string, Method> } | undefined>;
  for (const context of ["WebGLRenderingContext", "WebGL2RenderingContext"])
    for (const name of ["texImage2D", "texSubImage2D"]) {
      const proto = g[context]?.prototype;
      if (proto !== undefined && typeof proto[name] === "function") found.push({ proto, name, original: proto[name] });
    }
  return found;
}

/**
 * Prepare a 128×512 TQ2_0 matrix of `rand`'s ternary values on `backend`, run matmul twice (batch 1,
 * f32 activations) and count the bytes uploaded by the second call. Throws when the page has no WebGL.
 */
export function checkGpujsResidentWeights(backend: Backend, rand: () => number): ResidentWeightsCheck {
  const rows = 128;
  const cols = 512;
  const matrix = packMatrix(
    GgmlType.TQ2_0,
    rows,
    cols,
    new Float32Array(rows * cols).map(() => Math.round(rand() * 2) - 1),
  );
  const x = new Float32Array(cols).map(() => rand() * 2 - 1);
  const methods = uploadMethods();
  if (methods.length === 0) throw new Error("no WebGL in this page: texImage2D not found");
  const prepared = backend.prepareMatrix(matrix);
  let uploadedBytes = 0;
  try {
    backend.matmul(prepared, x, 1, "f32"); // compiles the kernel
    for (const { proto, name, original } of methods)
      proto[name] = function (this: unknown, ...args: unknown[]): unknown {
        for (const a of args) if (ArrayBuffer.isView(a)) uploadedBytes += a.byteLength;
        return original.apply(this, args);
      };
    backend.matmul(prepared, x, 1, "f32");
  } finally {
    for (const { proto, name, original } of methods) proto[name] = original;
    prepared.dispose();
  }
  const packedBytes = matrix.data.length;
  return { packedBytes, uploadedBytes, resident: uploadedBytes < packedBytes };
}
