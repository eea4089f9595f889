/**
 * The default prompt of `trilm run` and of the page's model runner, in a module of its own so that
 * browser code can import it (src/cli/commands/run.ts imports Node modules).
 */

/** The prompt `run` uses without --tokens: the first 8 ids of golden/external/llama/tokens.json (valid for any vocabulary of ≥ 512). */
export const DEFAULT_PROMPT: readonly number[] = [1, 17, 300, 42, 511, 259, 3, 88];
