/**
 * The CLI's exit statuses.
 */

/** Exit statuses of `trilm`. */
export const ExitCode = {
  /** The command did what was asked. */
  OK: 0,
  /** The command ran and found failures it has already reported (e.g. `trilm check`: a case failed). */
  FAILED: 1,
  /** Bad input or a bad command line (InputError, UsageError, commander's parse errors). */
  USAGE: 2,
  /** A bug or an unexpected condition (sysexits.h EX_SOFTWARE). */
  INTERNAL: 70,
} as const;

/** One of the exit statuses above. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * Thrown by a command that ran to the end and has reported its failures itself: the CLI prints
 * nothing more and exits with `code` (ExitCode.FAILED unless given).
 */
export class CommandFailed extends Error {
  readonly code: ExitCode;

  constructor(message: string, code: ExitCode = ExitCode.FAILED) {
    super(message);
    this.name = "CommandFailed";
    this.code = code;
  }
}
