/**
 * `runCli`: the whole command line as a function, so tests run it in-process. src/cli/main.ts
 * calls it with the process's arguments and streams.
 */

import type { Command } from "commander";
import type { CliIo } from "./cli-io.js";
import { ExitCode } from "./exit-code.js";
import { createProgram, type GlobalOptions } from "./program.js";
import { reportError } from "./report-error.js";

/** Was `--debug` given (as far as parsing got)? */
function debugRequested(program: Command | undefined): boolean {
  return program?.opts<GlobalOptions>().debug === true;
}

/**
 * Run `trilm` with `argv` (the arguments after the program name) and return its exit status:
 * 0 on success, 2 for bad input or usage, 70 for an internal error. Errors are reported on
 * `io.stderr` as one line each.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let program: Command | undefined;
  try {
    program = createProgram(io);
    await program.parseAsync([...argv], { from: "user" });
    return ExitCode.OK;
  } catch (error) {
    return reportError(error, io, debugRequested(program));
  }
}
