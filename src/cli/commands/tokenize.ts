/**
 * `trilm tokenize <model.gguf> <text> [--no-bos] [--no-parse-special]`: the token ids of a text with
 * the GGUF file's own tokenizer (src/tokenizer/), printed as `llama-tokenize --ids` prints them.
 */

import type { Command } from "commander";
import { readTokenizerFile } from "../../tokenizer/file.js";
import { writeLine, type CliIo } from "../cli-io.js";

/** The options commander collects for `tokenize` (false with --no-…). */
interface TokenizeCommandOptions {
  readonly bos: boolean;
  readonly parseSpecial: boolean;
}

const EXAMPLES = `
Examples:
  $ trilm tokenize model.gguf "Hello world"
      [12092, 1533]
  $ trilm tokenize model.gguf "<|endoftext|>" --no-parse-special
      the text of a control token tokenized as plain text`;

/** Add the `tokenize` command to `program`. */
export function registerTokenize(program: Command, io: CliIo): void {
  program
    .command("tokenize")
    .summary("print the token ids of a text, with a GGUF file's own tokenizer")
    .description(
      "Tokenize a text with the tokenizer a GGUF file carries (tokenizer.ggml.*: gpt2 byte-level BPE or llama SentencePiece), " +
        "as llama.cpp's llama-tokenize --ids does: BOS first where tokenizer.ggml.add_bos_token asks for it, the texts of " +
        "special tokens (e.g. <|endoftext|>) as those tokens. The text is used as given (no escape processing). See spec/tokenizer.md.",
    )
    .argument("<model>", "GGUF file with tokenizer.ggml.* keys (a model or a vocab-only file)")
    .argument("<text>", "the text to tokenize")
    .option("--no-bos", "do not add BOS (nor EOS), even where the vocabulary asks for it")
    .option("--no-parse-special", "tokenize the texts of control tokens as plain text")
    .addHelpText("after", EXAMPLES)
    .action((model: string, text: string, options: TokenizeCommandOptions) => {
      const ids = readTokenizerFile(model).tokenize(text, {
        addSpecial: options.bos,
        parseSpecial: options.parseSpecial,
      });
      writeLine(io.stdout, `[${ids.join(", ")}]`);
    });
}
