/**
 * `trilm run [model] [--tokens 1,2,3] …`: run a TriLM on token ids with the reference forward pass
 * (reference/model/forward.ts), print each position's argmax, optionally generate more tokens, and
 * write every position's logits as a float32 .npy file. The run itself is src/run/ (the request and
 * its checks, the stepper of each backend, the prefill-and-generate loop); this command parses the
 * options and prints. Also the option parsers `perplexity` and `make-model` share.
 */

import { Option, type Command } from "commander";
import type { FfnActivation } from "../../../reference/model/config.js";
import type { KvCacheType } from "../../../reference/model/kv-cache.js";
import { argmax, topK } from "../../../reference/model/sampling.js";
import type { Backend } from "../../backend/backend.js";
import { MAX_THREADS } from "../../../accelerated/packed-wasm/thread-pool.js";
import { NODE_BACKEND_NAMES, type NodeBackendName } from "../../backend/registry.js";
import { InputError, UsageError } from "../../errors.js";
import { writeFileAtomic } from "../../io/atomic-write.js";
import { serializeNpy } from "../../io/npy.js";
import { embeddedModelPath } from "../../model/embedded.js";
import { DEFAULT_GENERATE, DEFAULT_PROMPT, DEFAULT_PROMPT_TEXT } from "../../model/default-prompt.js";
import { loadModel, type LoadedModelFile } from "../../model/load-model.js";
import {
  ACTIVATION_CHOICES,
  checkModelActivations,
  checkRunActivations,
  parseActivations,
} from "../../run/activation-choice.js";
import { createBackendBeforeModel, createForwardStepper, type ForwardStepper } from "../../run/forward-stepper.js";
import { prefillAndGenerate } from "../../run/generate.js";
import { checkBackendKvCache, checkPromptFits, type RunRequest } from "../../run/run-request.js";
import { parseTokenList } from "../../run/token-list.js";
import type { Tokenizer } from "../../tokenizer/tokenizer.js";
import { writeLine, type CliIo, type TextSink } from "../cli-io.js";
import { refuseOutputOverInput } from "../output-path.js";

/** KV cache element types, as the CLI names them. */
export const KV_CACHE_TYPES: readonly KvCacheType[] = ["f32", "f16"];

/** Largest seed: seeds are 32-bit. */
const MAX_SEED = 0xffffffff;

/** How many candidates `--verbose` lists per position. */
const VERBOSE_TOP = 5;

/** `text` as a whole number from `min` to `max`, else UsageError naming `option`. */
export function parseWholeNumber(text: string, option: string, min: number, max: number): number {
  const trimmed = text.trim();
  const value = /^\d+$/.test(trimmed) ? Number(trimmed) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`${option} must be a whole number from ${min} to ${max}, got '${text}'`);
  }
  return value;
}

/** A 32-bit seed from `--seed`. */
export function parseSeedOption(text: string): number {
  return parseWholeNumber(text, "--seed", 0, MAX_SEED);
}

/**
 * The commander option `--activations <mode>` (choices f32, ggml-exact, ggml-matmul, int8-per-token
 * and the alias ggml; default f32); parseActivations resolves it (src/run/activation-choice.ts).
 */
export function activationsOption(): Option {
  return new Option(
    "--activations <mode>",
    "how activations are computed: f32 = float as trained; ggml-exact (alias ggml) = llama.cpp's x86 CPU arithmetic end to end, " +
      "bit for bit (reference/model's forward, --backend reference only); ggml-matmul = activations converted as llama.cpp " +
      "converts them (Q8_K for TQ weights), the backend's own sums, f32 elsewhere (the backend forward pass, any backend); " +
      "int8-per-token = BitNet absmax",
  )
    .choices(ACTIVATION_CHOICES)
    .default("f32");
}

/** The FFN activations `--ffn-activation` takes. */
const FFN_ACTIVATIONS: readonly FfnActivation[] = ["silu", "relu2"];

/** The commander option `--ffn-activation <act>` (silu or relu2; no default: a bitnet GGUF file's is then silu). */
export function ffnActivationOption(): Option {
  return new Option(
    "--ffn-activation <act>",
    "FFN activation of a bitnet GGUF file, which the file does not record: silu (the default: what llama.cpp computes) " +
      "or relu2 (what BitNet b1.58 was trained with; spec/forward.md §17.3)",
  ).choices(FFN_ACTIVATIONS);
}

/**
 * For a bitnet model, the line naming its FFN activation and why it is a choice (llama.cpp computes SiLU where
 * BitNet b1.58 was trained with ReLU²: kernel-bugs B8, spec/forward.md §17.3); undefined for llama models.
 */
export function describeFfnActivation(model: LoadedModelFile): string | undefined {
  const c = model.config;
  if (c.architecture !== "bitnet") return undefined;
  return (
    `ffn activation: ${c.ffnActivation ?? "silu"} (bitnet; llama.cpp de3ff815 computes silu for every bitnet GGUF, BitNet ` +
    "b1.58 was trained with relu2: llama.cpp bug B8, spec/forward.md §17.3; choose with --ffn-activation)"
  );
}

/** The commander option `--kv-cache <type>` (f32 or f16; default f32). */
export function kvCacheOption(): Option {
  return new Option("--kv-cache <type>", "element type of the KV cache (f16 = llama.cpp's default)")
    .choices(KV_CACHE_TYPES)
    .default("f32");
}

/** `--backend <name>`: one of NODE_BACKEND_NAMES (src/backend/registry.ts); anything else is a UsageError (exit 2). */
export function parseBackend(name: string): NodeBackendName {
  const known: readonly string[] = NODE_BACKEND_NAMES;
  if (known.includes(name)) return name as NodeBackendName;
  throw new UsageError(
    `--backend ${name}: backend '${name}' is not available (available: ${NODE_BACKEND_NAMES.join(", ")})`,
  );
}

/** One line about the loaded model: name, kind and shape. */
export function describeModel(model: LoadedModelFile, shownPath: string): string {
  const c = model.config;
  const name = model.modelName === undefined ? "" : `${model.modelName}; `;
  return (
    `model: ${shownPath} (${name}${model.kind}; dim ${c.dim}, ${c.nLayers} layers, ${c.nHeads} ` +
    `heads, ${c.nKvHeads} kv heads, ffn ${c.hiddenDim}, vocab ${c.vocabSize}, context ${c.contextLength})`
  );
}

/** Does the sink write to a terminal (a Node TTY stream)? Progress output is only for terminals. */
export function isTerminal(sink: TextSink): boolean {
  return "isTTY" in sink && (sink as { isTTY?: unknown }).isTTY === true;
}

/** The options commander collects for `run`. */
interface RunOptions {
  readonly tokens?: string;
  readonly prompt?: string;
  readonly logits?: string;
  readonly activations: string;
  readonly kvCache: KvCacheType;
  readonly ffnActivation?: FfnActivation;
  readonly generate?: string;
  readonly temperature: string;
  readonly seed: string;
  readonly backend: string;
  readonly threads?: string;
  readonly verbose?: boolean;
}

/** `--temperature T`: a finite number ≥ 0. */
function parseTemperature(text: string): number {
  const value = /^\s*(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(value) || value < 0) throw new UsageError(`--temperature must be a number ≥ 0, got '${text}'`);
  return value;
}

/** Everything `run` was asked to do, checked: the run (src/run/run-request.ts) and where its output goes. */
interface RunCommandRequest extends RunRequest {
  readonly modelPath: string;
  readonly shownPath: string;
  readonly logitsPath: string | undefined;
  readonly verbose: boolean;
  /** --threads: the packed-wasm engine's threads (undefined: every core). */
  readonly threads: number | undefined;
}

function runRequest(modelArgument: string | undefined, options: RunOptions): RunCommandRequest {
  const backend = parseBackend(options.backend);
  const activations = parseActivations(options.activations);
  checkRunActivations(backend, activations, options.activations, options.kvCache);
  checkBackendKvCache(backend, options.kvCache);
  const modelPath = modelArgument ?? embeddedModelPath();
  if (options.tokens !== undefined && options.prompt !== undefined) {
    throw new UsageError("give the prompt either as --tokens or as --prompt, not both");
  }
  const request: RunCommandRequest = {
    modelPath,
    shownPath: modelArgument ?? `embedded ${modelPath}`,
    prompt: options.tokens === undefined ? DEFAULT_PROMPT : parseTokenList(options.tokens, "--tokens"),
    promptSource:
      options.prompt !== undefined ? "--prompt" : options.tokens === undefined ? "the default prompt" : "--tokens",
    generate:
      options.generate === undefined ? 0 : parseWholeNumber(options.generate, "--generate", 0, Number.MAX_SAFE_INTEGER),
    temperature: parseTemperature(options.temperature),
    seed: parseSeedOption(options.seed),
    forwardOptions: { activations, kvCache: options.kvCache },
    logitsPath: options.logits,
    verbose: options.verbose === true,
    backend,
    threads: parseThreads(options.threads, backend),
  };
  if (request.logitsPath !== undefined) refuseOutputOverInput(request.logitsPath, modelPath);
  return request;
}

/** `--threads N`: a whole number from 1 to MAX_THREADS, for --backend packed-wasm only; undefined when not given. */
function parseThreads(text: string | undefined, backend: NodeBackendName): number | undefined {
  if (text === undefined) return undefined;
  if (backend !== "packed-wasm")
    throw new UsageError(`--threads applies to --backend packed-wasm only, not --backend ${backend}`);
  return parseWholeNumber(text, "--threads", 1, MAX_THREADS);
}

/** Milliseconds with two decimals. */
function ms(value: number): string {
  return value.toFixed(2);
}

/** One table row: position, token fed, argmax and its logit, where the token came from; top-k when verbose. */
function positionLine(pos: number, token: number, logits: Float32Array, generated: boolean, verbose: boolean): string {
  const best = argmax(logits);
  const head =
    `${String(pos).padStart(5)}  ${String(token).padStart(7)}  ` +
    `${String(best).padStart(7)}  ${logits[best].toFixed(4).padStart(10)}  ${generated ? "generated" : "prompt"}`;
  if (!verbose) return head;
  const top = topK(logits, VERBOSE_TOP)
    .map((t) => `${t.token}:${t.logit.toFixed(4)}`)
    .join(" ");
  return `${head}  top${VERBOSE_TOP} ${top}`;
}

/** The ids of `--prompt` text with the model file's own tokenizer (as llama-tokenize: BOS per the file), and that tokenizer. */
function promptTokens(model: LoadedModelFile, text: string): { ids: number[]; tokenizer: Tokenizer } {
  if (model.readTokenizer === undefined) {
    throw new InputError(
      model.path,
      `--prompt needs a GGUF file's tokenizer (tokenizer.ggml.*); a ${model.kind} model has none here: give --tokens`,
    );
  }
  const tokenizer = model.readTokenizer();
  const ids = tokenizer.tokenize(text);
  if (ids.length === 0) throw new UsageError(`--prompt ${JSON.stringify(text)} gives no tokens`);
  return { ids, tokenizer };
}

/**
 * The request with its prompt text tokenized: --prompt, or, with neither --tokens nor --prompt and a model that has
 * a tokenizer, DEFAULT_PROMPT_TEXT followed by DEFAULT_GENERATE generated tokens unless --generate says otherwise.
 */
function withPromptText(
  asked: RunCommandRequest,
  model: LoadedModelFile,
  options: RunOptions,
): { request: RunCommandRequest; tokenizer: Tokenizer | undefined } {
  if (options.prompt !== undefined) {
    const text = promptTokens(model, options.prompt);
    return { request: { ...asked, prompt: text.ids }, tokenizer: text.tokenizer };
  }
  if (options.tokens !== undefined || model.readTokenizer === undefined)
    return { request: asked, tokenizer: undefined };
  const text = promptTokens(model, DEFAULT_PROMPT_TEXT);
  const generate = options.generate === undefined ? DEFAULT_GENERATE : asked.generate;
  return { request: { ...asked, prompt: text.ids, generate }, tokenizer: text.tokenizer };
}

/** What a run computes with: the checked request, the model, its tokenizer where --prompt text was given, the stepper. */
interface PreparedRun {
  readonly request: RunCommandRequest;
  readonly model: LoadedModelFile;
  readonly tokenizer: Tokenizer | undefined;
  readonly stepper: ForwardStepper;
}

/**
 * Load the model — into `given`'s memory where the backend was created first (createBackendBeforeModel;
 * spec/performance.md §4) — check the request against it and create the stepper (which then owns `given`).
 */
async function prepareRun(
  asked: RunCommandRequest,
  options: RunOptions,
  given: Backend | undefined,
): Promise<PreparedRun> {
  const model = loadModel(asked.modelPath, { ffnActivation: options.ffnActivation, memory: given?.weightMemory });
  checkModelActivations(asked.shownPath, model, asked.forwardOptions.activations);
  const { request, tokenizer } = withPromptText(asked, model, options);
  checkPromptFits(request, model.config);
  const positions = request.prompt.length + request.generate;
  const stepper = await createForwardStepper(
    request.backend,
    model.config,
    model.weights,
    request.forwardOptions,
    positions,
    given,
  );
  return { request, model, tokenizer, stepper };
}

async function run(modelArgument: string | undefined, options: RunOptions, io: CliIo): Promise<void> {
  const asked = runRequest(modelArgument, options);
  const given = await createBackendBeforeModel(asked.backend, asked.forwardOptions, { threads: asked.threads });
  let prepared: PreparedRun;
  try {
    prepared = await prepareRun(asked, options, given);
  } catch (error) {
    given?.dispose();
    throw error;
  }
  const { request, model, tokenizer, stepper } = prepared;
  try {
    runPositions(request, model, options, io, stepper, tokenizer);
  } finally {
    stepper.dispose();
  }
}

function runPositions(
  request: RunCommandRequest,
  model: LoadedModelFile,
  options: RunOptions,
  io: CliIo,
  stepper: ForwardStepper,
  tokenizer: Tokenizer | undefined,
): void {
  const backend = stepper.backend;
  const positions = request.prompt.length + request.generate;
  const vocab = model.config.vocabSize;
  const allLogits = request.logitsPath === undefined ? undefined : new Float32Array(positions * vocab);
  writeLine(io.stdout, describeModel(model, request.shownPath));
  const activationLine = describeFfnActivation(model);
  if (activationLine !== undefined) writeLine(io.stdout, activationLine);
  writeLine(
    io.stdout,
    `backend ${options.backend}, activations ${request.forwardOptions.activations}, kv cache ${options.kvCache}`,
  );
  if (backend !== undefined) writeLine(io.stdout, `backend: ${backend.describe()}`);
  writeLine(io.stdout, `  pos    token   argmax       logit  source${tokenizer === undefined ? "" : "     text"}`);
  // with --prompt, each row also shows its token's text, decoded as the bytes arrive (a piece may end inside a character)
  const decoder = new TextDecoder();
  const pieceOf = (token: number): string =>
    tokenizer === undefined
      ? ""
      : `  ${JSON.stringify(decoder.decode(tokenizer.tokenToPiece(token), { stream: true }))}`;

  const { generated, prefillMs, decodeMs } = prefillAndGenerate(
    stepper.step,
    request,
    (pos, token, logits, isGenerated) => {
      allLogits?.set(logits, pos * vocab);
      writeLine(io.stdout, positionLine(pos, token, logits, isGenerated, request.verbose) + pieceOf(token));
    },
    stepper.prefill,
  );

  if (request.generate > 0) {
    const how =
      request.temperature === 0 ? "greedy (temperature 0)" : `temperature ${request.temperature}, seed ${request.seed}`;
    writeLine(io.stdout, `generated (${how}): ${generated.join(" ")}`);
    if (tokenizer !== undefined) {
      writeLine(io.stdout, `generated text: ${JSON.stringify(new TextDecoder().decode(tokenizer.pieces(generated)))}`);
    }
  }
  writeLine(
    io.stdout,
    `prefill: ${request.prompt.length} tokens in ${ms(prefillMs)} ms (${ms(prefillMs / request.prompt.length)} ms/token)`,
  );
  if (request.generate > 0)
    writeLine(
      io.stdout,
      `decode: ${request.generate} tokens in ${ms(decodeMs)} ms (${ms(decodeMs / request.generate)} ms/token)`,
    );
  if (request.logitsPath !== undefined && allLogits !== undefined) {
    writeFileAtomic(request.logitsPath, serializeNpy({ dtype: "<f4", shape: [positions, vocab], data: allLogits }));
    writeLine(
      io.stdout,
      `wrote ${request.logitsPath}: float32 [${positions}, ${vocab}], one row of logits per position`,
    );
  }
}

const EXAMPLES = `
Examples:
  $ trilm run
      the embedded tiny random TriLM on the default prompt ${JSON.stringify(DEFAULT_PROMPT_TEXT)}, then ${DEFAULT_GENERATE} generated tokens
  $ trilm run model-tq2_0.gguf --tokens 1,17,300,42 --activations ggml-exact --kv-cache f16 --logits logits.npy
      llama.cpp's CPU arithmetic bit for bit (--activations ggml is the same)
  $ trilm run model-tq2_0.gguf --backend tfjs-wasm --activations ggml-matmul
      llama.cpp's activation conversion on an accelerated backend
  $ trilm run --generate 16 --temperature 0.8 --seed 7
      sample 16 more tokens from softmax(logits / 0.8) with a seeded PRNG (mulberry32)
  $ trilm make-model --preset 99m --seed 1 99m.gguf && trilm run 99m.gguf --generate 4`;

/** Add the `run` command to `program`. */
export function registerRun(program: Command, io: CliIo): void {
  program
    .command("run")
    .summary("run a TriLM on token ids with the reference forward pass")
    .description(
      "Run a TriLM (a GGUF file of the llama architecture, or a Hugging Face LlamaForCausalLM folder) on token ids, one position at a time with a KV cache, " +
        "and print for every position the token fed, the argmax of its logits and that logit. --generate N then " +
        "feeds N more tokens, each chosen from the previous position's logits: argmax at temperature 0, else drawn " +
        "from softmax(logits / T) with mulberry32(--seed). Timing: prefill = the prompt's positions, decode = the " +
        "generated ones (the reference does not batch, so both are per-token forward passes). Without a model, " +
        "runs the embedded tiny random TriLM (golden/models/trilm-tiny-tq2_0.gguf, GPT-NeoX's vocabulary cut to 512 tokens); " +
        `without --tokens or --prompt, the text ${JSON.stringify(DEFAULT_PROMPT_TEXT)} with the model's tokenizer and ` +
        `${DEFAULT_GENERATE} generated tokens (unless --generate says otherwise), or, for a model without a tokenizer, ` +
        `the ids ${DEFAULT_PROMPT.join(",")} (the first ids of golden/external/llama/tokens.json).`,
    )
    .argument("[model]", "GGUF model file or Hugging Face checkpoint folder (default: the embedded tiny random TriLM)")
    .option("--tokens <ids>", "prompt token ids, comma-separated")
    .option(
      "--prompt <text>",
      "prompt text, tokenized with the GGUF file's own tokenizer as llama-tokenize does (BOS per tokenizer.ggml.add_bos_token); " +
        "each row then also shows its token's text",
    )
    .option(
      "--logits <out.npy>",
      "write the logits of every position (prompt and generated) as float32 [positions, vocab], atomically",
    )
    .addOption(activationsOption())
    .addOption(kvCacheOption())
    .addOption(ffnActivationOption())
    .option(
      "--generate <N>",
      `generate N more tokens after the prompt (default: ${DEFAULT_GENERATE} after the default prompt text, else 0)`,
    )
    .option("--temperature <T>", "0 = greedy (argmax); T > 0 samples from softmax(logits / T)", "0")
    .option("--seed <S>", "seed of the sampler's PRNG, 0 to 4294967295", "0")
    .option(
      "--backend <name>",
      `implementation to run: ${NODE_BACKEND_NAMES.join(", ")} (reference = reference/model, or the ` +
        `backend forward pass for ggml-matmul; the others run the forward pass of src/backend/backend-forward.ts, f32 KV cache only)`,
      "reference",
    )
    .option(
      "--threads <N>",
      "threads of --backend packed-wasm's matmuls (default: every core); the logits do not depend on it",
    )
    .option("--verbose", `also print each position's top ${VERBOSE_TOP} tokens and logits`)
    .addHelpText("after", EXAMPLES)
    .action(async (model: string | undefined, options: RunOptions) => run(model, options, io));
}
