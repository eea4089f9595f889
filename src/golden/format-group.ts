/**
 * What the kernel-format suites' computations (src/golden/i2s-compute.ts, hf-bitnet-compute.ts, w2a8-compute.ts)
 * share in reading a group: its op's roles, its positive integer params and its inputs of an exact dtype and shape,
 * each refused with a ManifestError naming the fault.
 */

import { ManifestError, type GoldenFormat, type GoldenOp, type ParamValue } from "./manifest-core.js";
import type { Tensor } from "./tensor-core.js";

/** What a format suite's computations need of a group. */
export interface FormatGroupSpec {
  readonly op: GoldenOp;
  readonly format: GoldenFormat;
  readonly params: Readonly<Record<string, ParamValue>>;
}

/** The roles of each op of a format suite, for inputs or outputs. */
export type FormatOpRoles = Readonly<Partial<Record<GoldenOp, readonly string[]>>>;

/**
 * The roles `op` has in `roles`; ManifestError "<groupName> group cannot have op <op>" for an op the suite does not
 * have (groupName with its article: "an i2_s", "a w2a8").
 */
export function formatOpRoles(roles: FormatOpRoles, op: GoldenOp, groupName: string): readonly string[] {
  const found = roles[op];
  if (found === undefined) throw new ManifestError(`${groupName} group cannot have op ${op}`);
  return found;
}

/** The positive integer param `name` of `group`; ManifestError naming groupName ("an i2_s") otherwise. */
export function positiveIntegerParam(group: FormatGroupSpec, name: string, groupName: string): number {
  const value = group.params[name];
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1)
    throw new ManifestError(`${groupName} ${group.op} group's param '${name}' must be a positive integer`);
  return value;
}

/** An input of exactly `dtype` and `shape`; ManifestError otherwise. */
export function exactInput<T extends Tensor>(
  inputs: Readonly<Record<string, Tensor>>,
  role: string,
  dtype: T["dtype"],
  shape: number[],
): T {
  const tensor = inputs[role];
  if (tensor?.dtype !== dtype || tensor.shape.join() !== shape.join() || tensor.shape.length !== shape.length)
    throw new ManifestError(`input '${role}' must be ${dtype} [${shape.join(", ")}]`);
  return tensor as T;
}
