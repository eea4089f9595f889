/**
 * The hyper-parameters of a TriLM (a LLaMA decoder). Implements spec/forward.md §1.
 */

/** Which elements RoPE rotates together (spec/forward.md §4). */
export type RopeStyle =
  /** (x[2i], x[2i+1]): llama.cpp's "normal" RoPE, used on GGUF files (their q/k rows are permuted). */
  | "adjacent"
  /** (x[i], x[i + d/2]): Hugging Face's rotate_half, used on HF checkpoints as released. */
  | "rotate-half";

/**
 * The decoder family (spec/forward.md §1, §17): "llama" is the TriLM/LLaMA decoder; "bitnet" adds BitNet b1.58's
 * sub-norms (attn_sub_norm before W_o, ffn_sub_norm before W_down), its FFN activation and per-tensor scales.
 */
export type DecoderArchitecture = "llama" | "bitnet";

/** The gate activation of the FFN (spec/forward.md §6, §17): SiLU (LLaMA, llama.cpp's bitnet graph) or ReLU² (BitNet b1.58-2B-4T). */
export type FfnActivation = "silu" | "relu2";

/** Shapes and constants of one model. */
export interface TrilmConfig {
  /** Hidden size d_model (embedding length). */
  readonly dim: number;
  /** SwiGLU inner size (feed-forward length). */
  readonly hiddenDim: number;
  /** Number of decoder layers. */
  readonly nLayers: number;
  /** Query heads. */
  readonly nHeads: number;
  /** Key/value heads (= nHeads in every released TriLM; fewer means grouped-query attention). */
  readonly nKvHeads: number;
  /** Per-head size; dim = nHeads · headDim. */
  readonly headDim: number;
  /** Vocabulary size (rows of the embedding and of the lm head). */
  readonly vocabSize: number;
  /** Largest number of positions (KV cache length). */
  readonly contextLength: number;
  /** RMSNorm epsilon (1e-5 for TriLMs), as a float32. */
  readonly normEps: number;
  /** RoPE base θ (10000). */
  readonly ropeTheta: number;
  /** Number of leading head dimensions RoPE rotates (= headDim for TriLMs). */
  readonly ropeDim: number;
  /** Pair convention for RoPE. */
  readonly ropeStyle: RopeStyle;
  /** The decoder family; absent means "llama" (spec §1, §17). */
  readonly architecture?: DecoderArchitecture;
  /** The FFN gate activation; absent means "silu" (spec §6, §17). */
  readonly ffnActivation?: FfnActivation;
}

/** Everything wrong with a config, one line each (empty when it is usable). Spec §1. */
export function configProblems(config: TrilmConfig): string[] {
  const problems: string[] = [];
  const positive = [
    "dim",
    "hiddenDim",
    "nLayers",
    "nHeads",
    "nKvHeads",
    "headDim",
    "vocabSize",
    "contextLength",
    "ropeDim",
  ] as const;
  for (const key of positive) {
    const value = config[key];
    if (!Number.isInteger(value) || value <= 0) problems.push(`${key} must be a positive integer, got ${value}`);
  }
  if (config.nHeads * config.headDim !== config.dim) {
    problems.push(`nHeads (${config.nHeads}) × headDim (${config.headDim}) must equal dim (${config.dim})`);
  }
  if (config.nHeads % config.nKvHeads !== 0) {
    problems.push(`nHeads (${config.nHeads}) must be a multiple of nKvHeads (${config.nKvHeads})`);
  }
  if (config.ropeDim > config.headDim || config.ropeDim % 2 !== 0) {
    problems.push(`ropeDim (${config.ropeDim}) must be even and at most headDim (${config.headDim})`);
  }
  if (!(config.normEps > 0) || !(config.ropeTheta > 0)) problems.push("normEps and ropeTheta must be positive");
  return problems;
}
