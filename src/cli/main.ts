#!/usr/bin/env node
/**
 * The `trilm` executable: runs the command line on the process's arguments and streams and sets
 * the exit status.
 */

import { runCli } from "./cli.js";
import { ExitCode } from "./exit-code.js";

/**
 * A reader that goes away (`trilm inspect m.gguf | head`) closes the pipe: stop quietly, as a
 * SIGPIPE would, instead of Node's unhandled 'error' stack trace. Any other stream error is internal.
 */
function handleStreamErrors(stream: NodeJS.WriteStream): void {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") process.stderr.write(`trilm: internal error: cannot write output: ${error.message}\n`);
    process.exit(error.code === "EPIPE" ? process.exitCode : ExitCode.INTERNAL);
  });
}

handleStreamErrors(process.stdout);
handleStreamErrors(process.stderr);
process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
