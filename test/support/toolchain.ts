/**
 * Which outside tools this machine has, probed once for every test that compiles C kernels or runs the numpy
 * verifier; tests that need one skip loudly without it.
 */

import { spawnSync } from "node:child_process";

/** A C compiler `cc` is on PATH. */
export const HAS_CC = spawnSync("cc", ["--version"]).status === 0;

/** python3 with numpy is on PATH. */
export const HAS_NUMPY = spawnSync("python3", ["-c", "import numpy"]).status === 0;
