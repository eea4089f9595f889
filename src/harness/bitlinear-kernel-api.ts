/**
 * checkKernel for JavaScript kernels of the BitNet linear-layer formats (spec/kernel-protocol.md §13 hf-bitnet, §14
 * w2a8): the function gets what the case directory holds — packed bytes, scales, activations — and returns y; random
 * cases are judged as `trilm check` judges them and a failure is shrunk (bitlinear-fuzz.ts).
 */

import { packHfBitnet, type HfBitnetScaleConvention } from "../../reference/codec/hf-bitnet.js";
import { packW2a8 } from "../../reference/codec/w2a8.js";
import { fuzzBitlinearCases, type BitlinearFuzzOptions, type BitlinearFuzzResult } from "./bitlinear-fuzz.js";
import { randomSeed } from "./fuzz.js";
import { HF_BITNET_FORMAT, type HfBitnetKernelCase } from "./hf-bitnet-case.js";
import { hfBitnetFuzzFormat } from "./hf-bitnet-fuzz.js";
import { judgeHfBitnetOutput } from "./hf-bitnet-judge.js";
import { unsupportedVerdict, type CaseVerdict } from "./protocol.js";
import { W2A8_FORMAT, type W2a8KernelCase } from "./w2a8-case.js";
import { W2A8_FUZZ_FORMAT } from "./w2a8-fuzz.js";
import { judgeW2a8Output } from "./w2a8-judge.js";

/** What an hf-bitnet kernel function gets: weight.bin's bytes, weight_scale and its convention, x. */
export interface HfBitnetKernelInput {
  readonly n: number;
  readonly k: number;
  readonly m: number;
  /** uint8 [n/4, k], pack_weights' bytes. */
  readonly weight: Uint8Array;
  readonly weightScale: number;
  readonly scale: HfBitnetScaleConvention;
  /** float32 [m, k]. */
  readonly x: Float32Array;
}

/** An hf-bitnet kernel under test: returns y float32 [m·n], row-major [m, n]. */
export type HfBitnetKernelFunction = (input: HfBitnetKernelInput) => Float32Array | Promise<Float32Array>;

/** What a w2a8 kernel function gets: the arguments of bitlinear_int8xint2. */
export interface W2a8KernelInput {
  readonly n: number;
  readonly k: number;
  readonly m: number;
  /** int8 [n, k/4] as bytes: pack_weight.py's layout. */
  readonly weight: Uint8Array;
  /** bf16 values, at least 4; output o uses ws[o / (n / wsNum)]. */
  readonly ws: Float32Array;
  readonly wsNum: number;
  /** int8 [m, k]. */
  readonly q: Int8Array;
  /** bf16 values [m]: the kernel divides by s[i]. */
  readonly s: Float32Array;
}

/** A w2a8 kernel under test: returns y as bf16 bits [m·n], row-major [m, n]. */
export type W2a8KernelFunction = (input: W2a8KernelInput) => Uint16Array | Promise<Uint16Array>;

/** checkKernel's options for an hf-bitnet kernel: the fuzzing options; `scale` fixes the convention (else drawn). */
export interface CheckHfBitnetKernelOptions extends Partial<Omit<BitlinearFuzzOptions, "onProgress">> {
  readonly format: typeof HF_BITNET_FORMAT;
  readonly scale?: HfBitnetScaleConvention;
}

/** checkKernel's options for a w2a8 kernel: the fuzzing options. */
export interface CheckW2a8KernelOptions extends Partial<Omit<BitlinearFuzzOptions, "onProgress">> {
  readonly format: typeof W2A8_FORMAT;
}

/** Why `error` declines a case (UnsupportedCaseError's message), or undefined for a failure. */
export type UnsupportedMessage = (error: unknown) => string | undefined;

/** Call the kernel; a declined case is unsupported, any other exception propagates (a failure of the session). */
async function judged<T>(
  call: () => T | Promise<T>,
  unsupported: UnsupportedMessage,
  judge: (output: T) => CaseVerdict,
): Promise<CaseVerdict> {
  let output: T;
  try {
    output = await call();
  } catch (error) {
    const message = unsupported(error);
    if (message !== undefined) return unsupportedVerdict(`unsupported: ${message}`);
    throw error;
  }
  return judge(output);
}

/** checkKernel for an hf-bitnet kernel function. */
export function checkHfBitnetKernel(
  fn: HfBitnetKernelFunction,
  options: CheckHfBitnetKernelOptions,
  unsupported: UnsupportedMessage,
): Promise<BitlinearFuzzResult<HfBitnetKernelCase>> {
  const judge = (c: HfBitnetKernelCase): Promise<CaseVerdict> =>
    judged(
      () =>
        fn({
          n: c.n,
          k: c.k,
          m: c.m,
          weight: packHfBitnet(c.weights, c.n, c.k),
          weightScale: c.scale,
          scale: c.convention,
          x: c.x.slice(),
        }),
      unsupported,
      (y) => judgeHfBitnetOutput(c, new Uint8Array(y.buffer, y.byteOffset, y.byteLength)),
    );
  return fuzzBitlinearCases(hfBitnetFuzzFormat(options.scale), judge, {
    ...options,
    seed: options.seed ?? randomSeed(),
  });
}

/** checkKernel for a w2a8 kernel function. */
export function checkW2a8Kernel(
  fn: W2a8KernelFunction,
  options: CheckW2a8KernelOptions,
  unsupported: UnsupportedMessage,
): Promise<BitlinearFuzzResult<W2a8KernelCase>> {
  const judge = (c: W2a8KernelCase): Promise<CaseVerdict> =>
    judged(
      () =>
        fn({
          n: c.n,
          k: c.k,
          m: c.m,
          weight: packW2a8(c.weights, c.n, c.k),
          ws: c.ws.slice(),
          wsNum: c.wsNum,
          q: c.q.slice(),
          s: c.s.slice(),
        }),
      unsupported,
      (y) => judgeW2a8Output(c, new Uint8Array(y.buffer, y.byteOffset, y.byteLength)),
    );
  return fuzzBitlinearCases(W2A8_FUZZ_FORMAT, judge, { ...options, seed: options.seed ?? randomSeed() });
}
