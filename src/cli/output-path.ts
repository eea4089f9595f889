/**
 * A command never writes its output over one of its inputs: checked before anything is read.
 * (The writing itself is src/io/atomic-write.ts: a temp file renamed into place.)
 */

import { statSync } from "node:fs";
import { resolve } from "node:path";
import { InputError } from "../errors.js";

/** Device and inode of an existing path, or `undefined` when it cannot be stat'ed. */
function identityOf(path: string): string | undefined {
  try {
    const stats = statSync(path);
    return `${stats.dev}:${stats.ino}`;
  } catch {
    return undefined;
  }
}

/** Do `a` and `b` name the same file: the same path, or (through links) the same inode? */
function sameFile(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  const identity = identityOf(a);
  return identity !== undefined && identity === identityOf(b);
}

/** InputError (naming `output`) when `output` is the same file as `input`. */
export function refuseOutputOverInput(output: string, input: string): void {
  if (sameFile(output, input)) {
    throw new InputError(
      output,
      `is also the input file; writing it would destroy ${input}; choose another output path`,
    );
  }
}
