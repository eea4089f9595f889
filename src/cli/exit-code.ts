/**
 * The CLI's exit statuses.
 */

/** Exit statuses of `trilm`. */
export const ExitCode = {
  /** The command did what was asked. */
  OK: 0,
  /** Bad input or a bad command line (InputError, UsageError, commander's parse errors). */
  USAGE: 2,
  /** A bug or an unexpected condition (sysexits.h EX_SOFTWARE). */
  INTERNAL: 70,
} as const;

/** One of the exit statuses above. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
