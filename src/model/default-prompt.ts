/**
 * The default prompt of `trilm run` and of the page's model runner, in a module of its own so that
 * browser code can import it (src/cli/commands/run.ts imports Node modules).
 */

/**
 * The prompt ids `run` uses for a model without a tokenizer (and the golden `model` suite's prompt): the first 8
 * ids of golden/external/llama/tokens.json (valid for any vocabulary of ≥ 512).
 */
export const DEFAULT_PROMPT: readonly number[] = [1, 17, 300, 42, 511, 259, 3, 88];

/** The prompt text `run` and the page's model runner use with a model that has a tokenizer (the embedded model has GPT-NeoX's, cut to 512 tokens). */
export const DEFAULT_PROMPT_TEXT = "Once upon a time";

/** How many tokens `run` generates after the default prompt text when --generate is not given. */
export const DEFAULT_GENERATE = 16;
