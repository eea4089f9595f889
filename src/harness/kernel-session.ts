/**
 * A kernel session shared by the formats' `with…Kernel` helpers: one process per case, or (protocol v1.1,
 * spec/kernel-protocol.md §8) one resident process for all of them, closed when the session's body settles.
 */

import { ResidentKernel } from "./resident-kernel.js";

/**
 * Call `body` with the session's resident kernel (undefined unless options.resident) and the run options every case
 * of the session shares (timeoutS, and the resident kernel when there is one); the resident kernel is closed when
 * `body` settles.
 */
export async function withKernelSession<T>(
  command: string,
  options: { readonly timeoutS: number; readonly resident?: boolean },
  body: (
    run: { readonly timeoutS: number; readonly resident?: ResidentKernel },
    kernel: ResidentKernel | undefined,
  ) => Promise<T>,
): Promise<T> {
  const resident = options.resident === true ? new ResidentKernel(command, { timeoutS: options.timeoutS }) : undefined;
  try {
    return await body({ timeoutS: options.timeoutS, ...(resident === undefined ? {} : { resident }) }, resident);
  } finally {
    await resident?.close();
  }
}
