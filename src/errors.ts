/**
 * Errors about the user's input. The CLI prints them as one line,
 * `trilm: <file>: <problem>`, and exits with status 2 (see src/cli/main.ts).
 */

/** A problem with an input file (or an output path) that the user can fix. */
export class InputError extends Error {
  /** The file the problem is in, as the user named it. */
  readonly file: string;
  /** What is wrong, as one line without the file name. */
  readonly problem: string;

  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = "InputError";
    this.file = file;
    this.problem = problem;
  }
}

/** A problem with the command line itself (bad option value, unknown format name). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
