/**
 * The tile parameters of bitnet.cpp's TL1 and TL2 LUT kernels, and the shape presets it ships.
 * Implements spec/bitnet.md §4 and §5.
 *
 * microsoft/BitNet (commit 16da220ae2b510caff437d403288882687f44ae5) generates one kernel per weight
 * shape (m outputs, k inputs) with utils/codegen_tl1.py / codegen_tl2.py and records the tiling in
 * include/kernel_config.ini; the converter (utils/convert-hf-to-gguf-bitnet.py, `preprocess_weights_tl1`
 * / `preprocess_weights_tl2`) reads the section whose m and k match the weight exactly and raises
 * NotImplementedError for any other shape. The presets below are those .ini files, transcribed as data.
 *
 *   BM  = `bm`  rows of one kernel call (the weight is cut into M/BM row blocks)
 *   BK  = `bk`  inputs of one int16 accumulation block (the converter calls it BY)
 *   bm  = `bmm` rows one SIMD step computes; by = 256/bm (TL1) or 192/bm (TL2) inputs per step
 */

/** One `[Kernels_i]` section: a weight shape and its tiling. Spec/bitnet.md §4. */
export interface BitnetLutKernelConfig {
  /** Output rows of the weight (`m`, ggml ne[1]). */
  readonly m: number;
  /** Inputs of the weight (`k`, ggml ne[0]). */
  readonly k: number;
  /** Row block `BM` (`bm` in the .ini). */
  readonly BM: number;
  /** Input block `BK` (`bk` in the .ini; `BY` in the converter). */
  readonly BK: number;
  /** Rows per SIMD step `bm` (`bmm` in the .ini). */
  readonly bm: number;
}

/** Which LUT kernel family a config is for. */
export type BitnetLutKind = "tl1" | "tl2";

/** A named preset file: where it is in microsoft/BitNet and its sections in order. */
export interface BitnetLutPreset {
  /** Path of the .ini in microsoft/BitNet at commit 16da220a. */
  readonly source: string;
  readonly kind: BitnetLutKind;
  readonly kernels: readonly BitnetLutKernelConfig[];
}

/** Shorthand for a section: [m, k, BM, BK, bm]. */
function section(m: number, k: number, BM: number, BK: number, bm: number): BitnetLutKernelConfig {
  return { m, k, BM, BK, bm };
}

/**
 * The kernel_config.ini files of microsoft/BitNet 16da220a, transcribed (sections in file order).
 * include/kernel_config.ini is the file the converter reads (as shipped: the bitnet_b1_58-3B TL2 tiling).
 */
export const BITNET_LUT_PRESETS: readonly BitnetLutPreset[] = [
  {
    source: "include/kernel_config.ini",
    kind: "tl2",
    kernels: [section(3200, 8640, 160, 96, 32), section(3200, 3200, 320, 96, 32), section(8640, 3200, 320, 96, 32)],
  },
  {
    source: "preset_kernels/Llama3-8B-1.58-100B-tokens/kernel_config_tl1.ini",
    kind: "tl1",
    kernels: [
      section(14336, 4096, 256, 128, 64),
      section(4096, 14336, 256, 128, 32),
      section(1024, 4096, 128, 64, 64),
      section(4096, 4096, 128, 64, 32),
    ],
  },
  {
    source: "preset_kernels/Llama3-8B-1.58-100B-tokens/kernel_config_tl2.ini",
    kind: "tl2",
    kernels: [
      section(14336, 4096, 256, 96, 32),
      section(4096, 14336, 128, 96, 32),
      section(1024, 4096, 256, 96, 32),
      section(4096, 4096, 128, 96, 32),
    ],
  },
  {
    source: "preset_kernels/bitnet_b1_58-3B/kernel_config_tl1.ini",
    kind: "tl1",
    kernels: [section(3200, 8640, 160, 64, 32), section(3200, 3200, 320, 128, 64), section(8640, 3200, 320, 64, 32)],
  },
  {
    source: "preset_kernels/bitnet_b1_58-3B/kernel_config_tl2.ini",
    kind: "tl2",
    kernels: [section(3200, 8640, 160, 96, 32), section(3200, 3200, 320, 96, 32), section(8640, 3200, 320, 96, 32)],
  },
  {
    source: "preset_kernels/bitnet_b1_58-large/kernel_config_tl1.ini",
    kind: "tl1",
    kernels: [section(1536, 4096, 256, 128, 32), section(1536, 1536, 128, 64, 64), section(4096, 1536, 256, 128, 32)],
  },
  {
    source: "preset_kernels/bitnet_b1_58-large/kernel_config_tl2.ini",
    kind: "tl2",
    kernels: [section(1536, 4096, 256, 96, 32), section(1536, 1536, 128, 192, 32), section(4096, 1536, 256, 96, 64)],
  },
];

/**
 * The section of a preset list matching (m, k) exactly, as the converter's loop over
 * `config.sections()` finds it (the first match); undefined where the converter raises NotImplementedError.
 * Spec/bitnet.md §4.
 */
export function findBitnetLutKernel(
  kernels: readonly BitnetLutKernelConfig[],
  m: number,
  k: number,
): BitnetLutKernelConfig | undefined {
  return kernels.find((c) => c.m === m && c.k === k);
}
