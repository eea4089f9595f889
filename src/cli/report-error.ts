/**
 * Turning whatever a command threw into one line on stderr and an exit status. Never a stack trace,
 * except for internal errors under `--debug`.
 */

import { CommanderError } from "commander";
import { InputError, UsageError } from "../errors.js";
import { writeLine, type CliIo } from "./cli-io.js";
import { CommandFailed, ExitCode } from "./exit-code.js";

/** Commander's code for help it printed (to stderr, when no command was given, with a non-zero exit code). */
const HELP_CODE = "commander.help";

/** `text` on one line: every run of whitespace holding a line break becomes one space. */
function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, " ").trim();
}

/** Commander's parse error message without its `error: ` prefix. */
function commanderProblem(error: CommanderError): string {
  return oneLine(error.message.replace(/^error:\s*/, ""));
}

/**
 * Report `error` on `io.stderr` as `trilm: …` and return the exit status: 2 for InputError,
 * UsageError and command-line errors, 0 for help and version, a CommandFailed's own code (silently), 70 for anything else (an internal
 * error, whose stack is printed only when `debug` is set).
 */
export function reportError(error: unknown, io: CliIo, debug: boolean): ExitCode {
  if (error instanceof CommandFailed) return error.code; // already reported by the command
  if (error instanceof InputError) {
    writeLine(io.stderr, `trilm: ${oneLine(error.file)}: ${oneLine(error.problem)}`);
    return ExitCode.USAGE;
  }
  if (error instanceof UsageError) {
    writeLine(io.stderr, `trilm: ${oneLine(error.message)}`);
    return ExitCode.USAGE;
  }
  if (error instanceof CommanderError) {
    if (error.exitCode === 0) return ExitCode.OK; // --help, --version, `trilm help`
    if (error.code !== HELP_CODE) writeLine(io.stderr, `trilm: ${commanderProblem(error)}`);
    return ExitCode.USAGE;
  }
  const message = error instanceof Error ? error.message : String(error);
  writeLine(io.stderr, `trilm: internal error: ${oneLine(message)}`);
  if (debug && error instanceof Error && error.stack !== undefined) io.stderr.write(`${error.stack}\n`);
  return ExitCode.INTERNAL;
}
