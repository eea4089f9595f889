/*
 * tq_matmul_mutant.c: the mutation catalogue of spec/kernel-protocol.md section 10 -- the correct kernel of
 * ../tq2_0_matmul.c (tq2_0 and tq1_0, f32 and ggml activations) with ONE classic bug put in, chosen at compile time:
 *
 *   cc -O2 -DMUTANT=first_block_scale -o mutant examples/kernels/mutants/tq_matmul_mutant.c -lm
 *   trilm check --kernel ./mutant --op matmul --format tq2_0            (one process per case, protocol v1)
 *   trilm fuzz --kernel ./mutant --resident --op matmul --format tq2_0  (started with no argument: resident, v1.1)
 *
 * Without -DMUTANT (or with -DMUTANT=correct) it is the correct kernel, which the harness must pass.
 * Every mutant is a bug someone has written; each is named by the enum below, in the table's order.
 */
#include "../kernel_io.h"

enum mutant {
  correct,
  tq2_consecutive_elements, /* TQ2_0 element e read from byte e/4, bits 2*(e%4) */
  tq1_consecutive_elements, /* TQ1_0 element e < 240 read from qs byte e/5, trit e%5 */
  tq1_qh_order,             /* TQ1_0 element 240 + 4j + n read from qh byte j, trit n */
  first_block_scale,        /* every block of a row scaled by the row's first block scale */
  scale_bf16,               /* the fp16 scale bits widened as bfloat16 (bits << 16) */
  subnormal_scale_flushed,  /* fp16-subnormal scales flushed to (signed) zero (FTZ) */
  q8k_ties_away,            /* Q8_K quantization with roundf: halves away from zero, not to even */
  q8_1_activation_blocks,   /* x quantized in blocks of 32 as Q8_1 (fp16 d = amax/127, roundf) */
  no_activation_quantization, /* ggml activations used as float32 (the f32 path) */
  fp16_accumulation,        /* the running sum kept in fp16 */
  last_block_skipped,       /* the block loop stops one block short */
  only_last_block,          /* acc = ... for acc += ...: only the last block counts */
  batch_rows_swapped,       /* y's batch rows written in reverse order */
  output_transposed,        /* y written [rows, batch] */
  last_row_skipped,         /* off-by-one rows: the row loop stops at rows - 1, the last output stays 0 */
  batch_row0_reused,        /* activation row 0 used for every batch row */
  nonfinite_scale_zeroed,   /* NaN swallowed: a NaN or inf block scale read as 0 */
  zero_block_sum_skipped,   /* NaN swallowed: blocks whose dot is 0 skipped, so NaN or inf scale times 0 is lost */
  zero_x_block_nan,         /* NaN passed through: Q8_K without the amax = 0 guard, q kept as float: 0 * inf = NaN */
  code3_as_zero,            /* TQ2_0 code 3 decoded as weight 0 (it is +2, spec/formats.md 4.5) */
  code3_as_minus_one,       /* TQ2_0 code 3 decoded as code 0, weight -1 */
  tq1_alias_table,          /* TQ1_0 decoded through a 243-entry table of the bytes the encoder writes */
  q8k_d_fp16,               /* the Q8_K activation scale d stored as fp16, as Q8_0 does */
  int16_accumulator,        /* SIMD-style: sum of code*q8 (codes 0..3) kept in a wrapping int16, minus bsums */
};

#ifndef MUTANT
#define MUTANT correct
#endif
static const enum mutant mutant = MUTANT;

/* v rounded once to fp16 (round to nearest even), back as float. */
static float to_fp16(double v) { return (float)(_Float16)v; }

static int tq2_code(const uint8_t *block, int e) {
  int code = mutant == tq2_consecutive_elements ? (block[e / 4] >> (2 * (e % 4))) & 3
                                                : (block[(e / 128) * 32 + e % 32] >> (2 * ((e % 128) / 32))) & 3;
  if (code == 3 && mutant == code3_as_zero) return 1;
  if (code == 3 && mutant == code3_as_minus_one) return 0;
  return code;
}

/* The 243-entry table: the trits (v) of every byte the encoder writes, (v*256 + 242)/243; other bytes read as 0. */
static int tq1_table_trit(uint8_t byte, int n) {
  static int v_of_byte[256], built;
  static const int pow3[5] = {1, 3, 9, 27, 81};
  if (!built) {
    for (int v = 0; v < 243; v++) v_of_byte[(v * 256 + 242) / 243] = v;
    built = 1;
  }
  return v_of_byte[byte] / pow3[4 - n] % 3;
}

static int tq1_code(const uint8_t *block, int e) {
  static const int pow3[5] = {1, 3, 9, 27, 81};
  int byte, n;
  if (e < 240 && mutant == tq1_consecutive_elements) { byte = e / 5; n = e % 5; }
  else if (e < 160) { byte = e % 32; n = e / 32; }
  else if (e < 240) { byte = 32 + (e - 160) % 16; n = (e - 160) / 16; }
  else if (mutant == tq1_qh_order) { byte = 48 + (e - 240) / 4; n = (e - 240) % 4; }
  else { byte = 48 + (e - 240) % 4; n = (e - 240) / 4; }
  if (mutant == tq1_alias_table) return tq1_table_trit(block[byte], n);
  uint8_t q = (uint8_t)(block[byte] * pow3[n]);
  return (q * 3) >> 8;
}

static float block_scale(const uint8_t *row, int i, int block_bytes, int scale_at) {
  const uint8_t *block = row + (size_t)(mutant == first_block_scale ? 0 : i) * block_bytes;
  uint16_t bits = (uint16_t)(block[scale_at] | block[scale_at + 1] << 8);
  if (mutant == scale_bf16) {
    uint32_t wide = (uint32_t)bits << 16;
    float d;
    memcpy(&d, &wide, 4);
    return d;
  }
  if (mutant == subnormal_scale_flushed && (bits & 0x7c00) == 0) return bits & 0x8000 ? -0.0f : 0.0f;
  float d = fp16_to_f32(bits);
  return mutant == nonfinite_scale_zeroed && !isfinite(d) ? 0 : d;
}

/* Q8_K as quantize_row_q8_K in kernel_io.h, with the activation mutants' changes. */
static void quantize_activations(const float *x, int n, float *d, int8_t *q) {
  quantize_row_q8_K(x, n, d, q);
  if (mutant == zero_x_block_nan)
    for (int i = 0; i < n / QK_K; i++) {
      float amax = 0;
      for (int j = 0; j < QK_K; j++) amax = fmaxf(amax, fabsf(x[i * QK_K + j]));
      if (amax == 0) d[i] = 0 * (-127.f / amax); /* iscale = -inf, q = 0 * iscale = NaN: carried in d */
    }
  if (mutant == q8k_d_fp16)
    for (int i = 0; i < n / QK_K; i++) d[i] = to_fp16(d[i]);
  if (mutant != q8k_ties_away) return;
  for (int i = 0; i < n / QK_K; i++) {
    float amax = 0, max = 0;
    for (int j = 0; j < QK_K; j++)
      if (fabsf(x[i * QK_K + j]) > amax) { amax = fabsf(x[i * QK_K + j]); max = x[i * QK_K + j]; }
    if (amax == 0) continue;
    const float iscale = -127.f / max;
    for (int j = 0; j < QK_K; j++) {
      int v = (int)roundf(iscale * x[i * QK_K + j]);
      q[i * QK_K + j] = (int8_t)(v < 127 ? v : 127);
    }
  }
}

/* Q8_1-style: per 32 elements d = amax/127 (kept as fp16), q = roundf(x/d); x becomes q*d in place. */
static void q8_1_round_trip(float *x, int n) {
  for (int k = 0; k < n; k += 32) {
    float amax = 0;
    for (int j = 0; j < 32; j++) amax = fmaxf(amax, fabsf(x[k + j]));
    const float d = amax / 127, id = d != 0 ? 1 / d : 0, dh = to_fp16(d);
    for (int j = 0; j < 32; j++) x[k + j] = roundf(x[k + j] * id) * dh;
  }
}

/* One block's integer dot, as the int16 SIMD accumulator computes it when mutant == int16_accumulator. */
static int block_sumi(const uint8_t *block, const int8_t *xq, int tq2) {
  int sumi = 0, bsum = 0;
  int16_t acc16 = 0;
  for (int e = 0; e < QK_K; e++) {
    const int code = tq2 ? tq2_code(block, e) : tq1_code(block, e);
    sumi += xq[e] * (code - 1);
    acc16 = (int16_t)(acc16 + xq[e] * code);
    bsum += xq[e];
  }
  return mutant == int16_accumulator ? acc16 - bsum : sumi;
}

static int one_case(int argc, char **argv) {
  struct kcase c;
  load_case(argc, argv, &c, 54, 66);
  const int tq2 = strcmp(c.format, "tq2_0") == 0;
  const int block_bytes = tq2 ? 66 : 54, scale_at = tq2 ? 64 : 52, nb = c.cols / QK_K;
  const int ggml = strcmp(c.activations, "ggml") == 0 && mutant != no_activation_quantization;
  const int q8_1 = ggml && mutant == q8_1_activation_blocks;
  float *y = calloc((size_t)c.batch * c.rows, sizeof(float));
  float *xd = malloc(sizeof(float) * nb), *x1 = malloc(sizeof(float) * c.cols);
  int8_t *xq = malloc(c.cols);
  const int first_block = mutant == only_last_block ? nb - 1 : 0, blocks = mutant == last_block_skipped ? nb - 1 : nb;
  const int rows = mutant == last_row_skipped ? c.rows - 1 : c.rows;
  for (int b = 0; b < c.batch; b++) {
    const float *x = c.x + (size_t)(mutant == batch_row0_reused ? 0 : b) * c.cols;
    if (q8_1) {
      memcpy(x1, x, sizeof(float) * c.cols);
      q8_1_round_trip(x1, c.cols);
      x = x1;
    } else if (ggml) quantize_activations(x, c.cols, xd, xq);
    for (int r = 0; r < rows; r++) {
      const uint8_t *row = c.weight + (size_t)r * nb * block_bytes;
      double acc = 0; /* f32 activations (and Q8_1 values): double, rounded once */
      float sumf = 0; /* ggml activations: float in block order */
      for (int i = first_block; i < blocks; i++) {
        const uint8_t *block = row + (size_t)i * block_bytes;
        const float d = block_scale(row, i, block_bytes, scale_at);
        if (ggml && !q8_1) {
          const int sumi = block_sumi(block, xq + i * QK_K, tq2);
          if (sumi == 0 && mutant == zero_block_sum_skipped) continue;
          const float term = (float)sumi * (d * xd[i]);
          sumf = mutant == fp16_accumulation ? to_fp16((double)sumf + term) : sumf + term;
        } else if (mutant == fp16_accumulation) {
          for (int e = 0; e < QK_K; e++)
            acc = to_fp16(acc + (float)((double)x[i * QK_K + e] * ((tq2 ? tq2_code(block, e) : tq1_code(block, e)) - 1) * d));
        } else {
          double s = 0;
          for (int e = 0; e < QK_K; e++) s += (double)x[i * QK_K + e] * ((tq2 ? tq2_code(block, e) : tq1_code(block, e)) - 1);
          if (s == 0 && mutant == zero_block_sum_skipped) continue;
          acc += s * d;
        }
      }
      const float value = ggml && !q8_1 ? sumf : (float)acc;
      const int at = mutant == batch_rows_swapped ? (c.batch - 1 - b) * c.rows + r
                     : mutant == output_transposed ? r * c.batch + b
                                                   : b * c.rows + r;
      y[at] = value;
    }
  }
  write_y(&c, y);
  free(y), free(xd), free(x1), free(xq), free(c.weight), free(c.x);
  return 0;
}

/* With a case directory: protocol v1, one case. With none: resident, protocol v1.1 (serve_resident in kernel_io.h). */
int main(int argc, char **argv) { return argc < 2 ? serve_resident(argv[0], one_case) : one_case(argc, argv); }
