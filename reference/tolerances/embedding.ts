/**
 * The allowed difference of a candidate backend's embedding lookup from the reference's: none.
 * Implements spec/tolerances.md §8.
 */

/**
 * Allowed |Δ| for `length` embedding outputs: all 0, since decoding a packed row is exact for
 * every type (spec/formats.md). Implements spec/tolerances.md §8.
 */
export function embeddingBounds(length: number): Float64Array {
  return new Float64Array(length);
}
