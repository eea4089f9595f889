/**
 * Reading the (m, n) output matrix y.npy of a whole-matrix kernel format (I2_S, spec/kernel-protocol.md §12; TriRun,
 * §11): a file that is not .npy, or has the wrong dtype or shape, fails with the reason (§4).
 */

import { parseNpy, pythonTupleRepr, type NpyArray } from "../io/npy.js";

/** The words naming each output dtype in a reason. */
const DTYPE_NAMES = { "<f4": "float32", "<f2": "float16" } as const;

/** The elements of an output of each dtype (float16: the binary16 bit patterns). */
interface OutputElements {
  readonly "<f4": Float32Array;
  readonly "<f2": Uint16Array;
}

/** The elements of output file `name` (its `bytes`), which must hold `dtype` with shape `shape`; else the reason. */
export function readMatrixOutputNpy<D extends keyof typeof DTYPE_NAMES>(
  bytes: Uint8Array,
  name: string,
  dtype: D,
  shape: readonly [number, number],
): OutputElements[D] | string {
  let array: NpyArray;
  try {
    array = parseNpy(bytes, name);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  if (array.dtype !== dtype) return `${name} has dtype '${array.dtype}', expected ${DTYPE_NAMES[dtype]} '${dtype}'`;
  if (array.shape.length !== 2 || array.shape[0] !== shape[0] || array.shape[1] !== shape[1])
    return `${name} has shape ${pythonTupleRepr(array.shape)}, expected ${pythonTupleRepr(shape)}`;
  return array.data as OutputElements[D];
}
