/**
 * numpy's `a.reshape(shape).transpose(perm)` followed by a C-order flatten, applied to an index array:
 * the tool the TL1/TL2 layouts (spec/bitnet.md §4, §5) use to turn the converter's reshape/transpose
 * chains into element maps without pasting any table.
 *
 *   out[i] = values[src(i)]   where i is the C-order position in the transposed array of shape
 *                             shape[perm[0]] × … × shape[perm[d-1]] and src(i) its position before
 */

/** One `reshape(shape).transpose(perm)` step of a layout chain. Implements spec/bitnet.md §4. */
export interface AxisStep {
  /** The shape the flat array is reshaped to (its product is the array's length). */
  readonly shape: readonly number[];
  /** The axis order of the transpose (a permutation of 0..shape.length−1). */
  readonly perm: readonly number[];
}

/** C-order strides of a shape: stride[d] = Π shape[d+1..]. */
function cOrderStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(1);
  for (let d = shape.length - 2; d >= 0; d--) strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

/**
 * Apply one step to a flat array: reshape to step.shape, transpose by step.perm, flatten in C order.
 * Throws when the shape's product is not the array's length or perm is not a permutation.
 * Implements spec/bitnet.md §4.
 */
export function applyAxisStep(values: Int32Array, step: AxisStep): Int32Array {
  const { shape, perm } = step;
  const total = shape.reduce((a, b) => a * b, 1);
  if (total !== values.length || shape.some((s) => !Number.isInteger(s) || s <= 0)) {
    throw new Error(`cannot reshape ${values.length} elements to (${shape.join(", ")})`);
  }
  if (perm.length !== shape.length || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) {
    throw new Error(`(${perm.join(", ")}) is not a permutation of ${shape.length} axes`);
  }
  const strides = cOrderStrides(shape);
  const outShape = perm.map((p) => shape[p]);
  const outStrides = perm.map((p) => strides[p]); // source stride of each output axis
  const out = new Int32Array(total);
  const counter = new Array<number>(outShape.length).fill(0);
  let src = 0;
  for (let i = 0; i < total; i++) {
    out[i] = values[src];
    // advance the output multi-index (C order) and the matching source offset
    for (let d = outShape.length - 1; d >= 0; d--) {
      counter[d]++;
      src += outStrides[d];
      if (counter[d] < outShape[d]) break;
      src -= outStrides[d] * outShape[d];
      counter[d] = 0;
    }
  }
  return out;
}

/** Apply a chain of steps in order, starting from values. Implements spec/bitnet.md §4. */
export function applyAxisSteps(values: Int32Array, steps: readonly AxisStep[]): Int32Array {
  return steps.reduce((acc, step) => applyAxisStep(acc, step), values);
}

/** [0, 1, …, n−1] as an Int32Array: the identity index array a chain is applied to. Spec/bitnet.md §4. */
export function iota(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}
