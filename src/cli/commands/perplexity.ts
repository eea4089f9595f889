/**
 * `trilm perplexity <model> --tokens-file F | --text-file T [--ctx N]`: perplexity over token ids, windowed and
 * scored exactly the way llama.cpp's `llama-perplexity` scores a text. The windows and the scoring
 * are reference/model/perplexity.ts (spec/forward.md §11), the tokens file src/model/tokens-file.ts;
 * this command checks the options, prints the windows, a progress bar and the estimate.
 */

import type { Command } from "commander";
import type { FfnActivation } from "../../../reference/model/config.js";
import type { KvCacheType } from "../../../reference/model/kv-cache.js";
import {
  evaluatePerplexity,
  MIN_PERPLEXITY_WINDOW,
  perplexityEstimate,
  perplexityWindows,
  scorePerplexity,
  type PerplexityResult,
} from "../../../reference/model/perplexity.js";
import { createBackendSession } from "../../backend/backend-forward.js";
import { createReferenceBackend } from "../../backend/reference-backend.js";
import { InputError, UsageError } from "../../errors.js";
import { readInputFile } from "../../io/input-file.js";
import { loadModel, type LoadedModelFile } from "../../model/load-model.js";
import { checkTokensInVocabulary, readTokensFile } from "../../model/tokens-file.js";
import { checkModelActivations, checkRunActivations, parseActivations } from "../../run/activation-choice.js";
import { writeLine, type CliIo } from "../cli-io.js";
import {
  activationsOption,
  describeFfnActivation,
  describeModel,
  ffnActivationOption,
  isTerminal,
  kvCacheOption,
  parseWholeNumber,
} from "./run.js";

/** Window length without --ctx (llama-perplexity's usual -c 512), capped by the model's context. */
const DEFAULT_CTX = 512;

/** The options commander collects for `perplexity`. */
interface PerplexityOptions {
  readonly tokensFile?: string;
  readonly textFile?: string;
  readonly ctx?: string;
  readonly activations: string;
  readonly kvCache: KvCacheType;
  readonly ffnActivation?: FfnActivation;
}

/**
 * ggml-matmul perplexity: the backend forward pass (src/backend/backend-forward.ts) on the reference
 * backend, one session reused by every window — each window writes positions 0, 1, … before it reads
 * them, so that is a forward pass from an empty cache.
 */
function ggmlMatmulPerplexity(
  model: LoadedModelFile,
  ids: readonly number[],
  ctx: number,
  onPosition: (window: number, pos: number) => void,
  bos: number | undefined,
): PerplexityResult {
  const options = { activations: "ggml-matmul", kvCache: "f32" } as const;
  const config = { ...model.config, contextLength: ctx };
  const session = createBackendSession(config, model.weights, createReferenceBackend(), options);
  try {
    return scorePerplexity(ids, ctx, () => session.step, onPosition, bos);
  } finally {
    session.dispose();
  }
}

/**
 * The id llama-perplexity writes over the first token of every window: the vocabulary's BOS when the
 * GGUF file's tokenizer adds one (tokenizer.ggml.add_bos_token, true by default for SentencePiece);
 * undefined for a model without a tokenizer the oracle reads (then the ids are used as given). Spec §11.
 */
function windowBos(model: LoadedModelFile): number | undefined {
  if (model.readTokenizer === undefined) return undefined;
  let vocab;
  try {
    vocab = model.readTokenizer().vocab;
  } catch (error) {
    if (error instanceof InputError) return undefined;
    throw error;
  }
  return vocab.addBos ? vocab.bosId : undefined;
}

/**
 * The ids to score and the file they came from: --tokens-file as given, or --text-file tokenized by the
 * GGUF file's own tokenizer as llama-perplexity -f does (one trailing newline dropped, BOS per the
 * vocabulary, special-token texts as plain text). Spec §16.
 */
function perplexityIds(model: LoadedModelFile, options: PerplexityOptions): { ids: number[]; source: string } {
  if (options.tokensFile !== undefined) {
    const tokens = readTokensFile(options.tokensFile);
    checkTokensInVocabulary(tokens, model.config.vocabSize, options.tokensFile);
    return { ids: tokens.map((token) => token.id), source: options.tokensFile };
  }
  const path = options.textFile ?? "";
  if (model.readTokenizer === undefined)
    throw new InputError(path, `--text-file needs a GGUF file's tokenizer; a ${model.kind} model has none here`);
  const tokenizer = model.readTokenizer();
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(readInputFile(path));
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(path, "is not UTF-8 text");
  }
  const ids = tokenizer.tokenize(text.endsWith("\n") ? text.slice(0, -1) : text, { parseSpecial: false });
  const outside = ids.find((id) => id >= model.config.vocabSize);
  if (outside !== undefined)
    throw new InputError(path, `tokenizes to id ${outside}, outside the model's ${model.config.vocabSize} tokens`);
  return { ids, source: path };
}

/** A plain progress bar on stderr when it is a terminal: "[#####-----] 50% window 1/2". */
function progressBar(io: CliIo, total: number): { tick: (done: number, label: string) => void; clear: () => void } {
  if (!isTerminal(io.stderr)) return { tick: () => {}, clear: () => {} };
  const width = 30;
  return {
    tick: (done, label) => {
      const filled = Math.round((width * done) / total);
      io.stderr.write(
        `\r\x1b[K[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${Math.floor((100 * done) / total)}% ${label}`,
      );
    },
    clear: () => io.stderr.write("\r\x1b[K"),
  };
}

function perplexity(modelPath: string, options: PerplexityOptions, io: CliIo): void {
  const requestedCtx =
    options.ctx === undefined
      ? DEFAULT_CTX
      : parseWholeNumber(options.ctx, "--ctx", MIN_PERPLEXITY_WINDOW, Number.MAX_SAFE_INTEGER);
  const activations = parseActivations(options.activations);
  checkRunActivations("reference", activations, options.activations, options.kvCache);
  if ((options.tokensFile === undefined) === (options.textFile === undefined))
    throw new UsageError("give the ids either as --tokens-file or as --text-file (exactly one)");
  const model = loadModel(modelPath, { ffnActivation: options.ffnActivation });
  checkModelActivations(modelPath, model, activations);
  const { ids, source } = perplexityIds(model, options);
  const ctx = Math.min(requestedCtx, model.config.contextLength);
  const { count: windows, first, scoredPerWindow, leftOver } = perplexityWindows(ids.length, ctx);
  if (windows === 0) {
    throw new InputError(
      source,
      `has ${ids.length} token ids, fewer than one window of ${ctx} (--ctx); give more ids or a smaller --ctx`,
    );
  }
  if (ctx < MIN_PERPLEXITY_WINDOW)
    throw new UsageError(`--ctx: windows of ${ctx} tokens score nothing; use at least ${MIN_PERPLEXITY_WINDOW}`);

  writeLine(io.stdout, describeModel(model, modelPath));
  const activationLine = describeFfnActivation(model);
  if (activationLine !== undefined) writeLine(io.stdout, activationLine);
  writeLine(io.stdout, `activations ${activations}, kv cache ${options.kvCache}`);
  writeLine(
    io.stdout,
    `${ids.length} token ids from ${source}: ${windows} window(s) of ${ctx}` +
      `${ctx < requestedCtx ? ` (--ctx ${requestedCtx} capped by the model's context)` : ""}, ${leftOver} left over; ` +
      `scoring positions ${first}..${ctx - 2} of each window (predicting tokens ${first + 1}..${ctx - 1}): ${scoredPerWindow} per window`,
  );

  const bos = windowBos(model);
  if (bos !== undefined)
    writeLine(io.stdout, `the first id of every window is replaced by BOS ${bos}, as llama-perplexity does`);
  const progress = progressBar(io, windows * ctx);
  const start = performance.now();
  const onPosition = (w: number, i: number): void => progress.tick(w * ctx + i + 1, `window ${w + 1}/${windows}`);
  let result;
  try {
    result =
      activations === "ggml-matmul"
        ? ggmlMatmulPerplexity(model, ids, ctx, onPosition, bos)
        : evaluatePerplexity(
            model.config,
            model.weights,
            ids,
            ctx,
            { activations, kvCache: options.kvCache },
            onPosition,
            bos,
          );
  } finally {
    progress.clear();
  }
  const elapsed = performance.now() - start;
  const { totals, pplAfterWindow } = result;
  const { ppl, plusMinus } = perplexityEstimate(totals);
  writeLine(io.stdout, pplAfterWindow.map((windowPpl, w) => `[${w + 1}]${windowPpl.toFixed(4)},`).join(""));
  const uncertainty = plusMinus === undefined ? "" : ` +/- ${plusMinus.toFixed(5)}`;
  writeLine(io.stdout, `Final estimate: PPL = ${ppl.toFixed(4)}${uncertainty}`);
  writeLine(
    io.stdout,
    `${totals.count} tokens scored; ${windows * (ctx - 1)} positions evaluated in ${(elapsed / 1000).toFixed(2)} s ` +
      `(${(elapsed / (windows * (ctx - 1))).toFixed(2)} ms/token)`,
  );
}

const EXAMPLES = `
Examples:
  $ trilm perplexity model-tq2_0.gguf --tokens-file wiki.test.ids --ctx 512
  $ trilm perplexity model-tq2_0.gguf --text-file wiki.test.raw --ctx 512 --activations ggml-exact
  $ trilm perplexity golden/models/trilm-tiny-tq2_0.gguf --tokens-file ids.txt --ctx 64 --activations ggml-exact`;

/** Add the `perplexity` command to `program`. */
export function registerPerplexity(program: Command, io: CliIo): void {
  program
    .command("perplexity")
    .summary("perplexity over token ids, windowed and scored as llama-perplexity does")
    .description(
      "Perplexity of a TriLM over the token ids in a text file (non-negative integers separated by white space " +
        "and/or commas). As llama.cpp's llama-perplexity: the ids are cut into consecutive windows of N (--ctx; " +
        "leftover ids are not scored), each evaluated from an empty KV cache, and only the second half of each " +
        "window is scored: with first = floor(N/2), the logits at positions first..N-2 predict tokens first+1..N-1, " +
        "N - first - 1 tokens per window. PPL = exp(mean negative log-likelihood), ± " +
        "PPL·sqrt(var(NLL)/(count - 1)); the running PPL after each window is printed as [1]…,[2]…, and the estimate as " +
        "llama-perplexity prints them. As llama-perplexity, the first id of every window is replaced by BOS when the " +
        "GGUF file's tokenizer adds one (tokenizer.ggml.add_bos_token). A progress bar goes to stderr when it " +
        "is a terminal.",
    )
    .argument("<model>", "GGUF model file or Hugging Face checkpoint folder")
    .option("--tokens-file <file>", "token ids as text: integers separated by white space and/or commas")
    .option(
      "--text-file <file>",
      "UTF-8 text, tokenized by the GGUF file's own tokenizer as llama-perplexity -f does (instead of --tokens-file)",
    )
    .option("--ctx <N>", `window length, at least 3 (default: ${DEFAULT_CTX}, capped by the model's context length)`)
    .addOption(activationsOption())
    .addOption(kvCacheOption())
    .addOption(ffnActivationOption())
    .addHelpText("after", EXAMPLES)
    .action((model: string, options: PerplexityOptions) => perplexity(model, options, io));
}
