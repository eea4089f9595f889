/**
 * Where the CLI writes its output: the process streams in src/cli/main.ts, string buffers in tests.
 */

/** Anything text can be written to (a Node stream, a test buffer). */
export interface TextSink {
  write(text: string): unknown;
}

/** The CLI's two output streams. */
export interface CliIo {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
}

/** Write one line (a newline is added). */
export function writeLine(sink: TextSink, line: string): void {
  sink.write(`${line}\n`);
}
