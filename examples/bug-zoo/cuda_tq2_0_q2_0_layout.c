/*
 * cuda_tq2_0_q2_0_layout.c: BUGGY on purpose -- bug B11 of the zoo (spec/bug-zoo.md).
 * https://github.com/ggml-org/llama.cpp/pull/28769 : llama.cpp's CUDA TQ2_0 MMVQ vector dot "was written
 * assuming Q2_0's packed layout, where 4 consecutive elements share a byte. TQ2_0 ... stores 4 bit planes of
 * 32 bytes, so element n sits at byte 32*(n/128) + n%32 with shift 2*((n%128)/32)". It gave plausible-looking
 * but wrong output rather than a crash.
 *
 * This is that kernel's arithmetic on the CPU, through trilm's kernel protocol (spec/kernel-protocol.md): each
 * 66-byte TQ2_0 block (qs[64], fp16 d) is read as Q2_0 reads its qs (ggml-quants.c dequantize_row_q2_0: element
 * j at byte j/4, bits 2*(j%4)) -- everything else (block size 256, scale, activations) is TQ2_0's.
 *
 *   cc -O2 -o cuda_tq2_0_q2_0_layout examples/bug-zoo/cuda_tq2_0_q2_0_layout.c -lm
 *   trilm check --kernel ./cuda_tq2_0_q2_0_layout --op matmul --format tq2_0   # fails, naming Q2_0's layout
 */
#include "../kernels/kernel_io.h"

/* One TQ2_0 block's Σ (code - 1)·q8, each byte k of qs unpacked as Q2_0 does: elements 4k .. 4k+3, LSB first. */
static int vec_dot_block_q2_0_order(const uint8_t *qs, const int8_t *q8) {
  int sumi = 0;
  for (int k = 0; k < QK_K / 4; k++)
    for (int j = 0; j < 4; j++) sumi += (((qs[k] >> (2 * j)) & 3) - 1) * q8[4 * k + j]; /* BUG: Q2_0's byte order */
  return sumi;
}

/* The same over float32 activations, summed in double. */
static double vec_dot_block_q2_0_order_f32(const uint8_t *qs, const float *x) {
  double sum = 0;
  for (int k = 0; k < QK_K / 4; k++)
    for (int j = 0; j < 4; j++) sum += (double)x[4 * k + j] * (((qs[k] >> (2 * j)) & 3) - 1); /* BUG: likewise */
  return sum;
}

int main(int argc, char **argv) {
  struct kcase c;
  load_case(argc, argv, &c, 0, 66);
  const int nb = c.cols / QK_K, ggml = strcmp(c.activations, "ggml") == 0;
  float *y = malloc(sizeof(float) * c.batch * c.rows), *xd = malloc(sizeof(float) * nb);
  int8_t *xq = malloc(c.cols);
  for (int b = 0; b < c.batch; b++) {
    const float *x = c.x + (size_t)b * c.cols;
    if (ggml) quantize_row_q8_K(x, c.cols, xd, xq);
    for (int r = 0; r < c.rows; r++) { /* one CUDA block per row: blocks of the row summed in order */
      double acc = 0;
      float sumf = 0;
      for (int i = 0; i < nb; i++) {
        const uint8_t *block = c.weight + ((size_t)r * nb + i) * 66;
        const float d = fp16_to_f32((uint16_t)(block[64] | block[65] << 8));
        if (ggml) sumf += (float)vec_dot_block_q2_0_order(block, xq + i * QK_K) * (d * xd[i]);
        else acc += vec_dot_block_q2_0_order_f32(block, x + i * QK_K) * d;
      }
      y[b * c.rows + r] = ggml ? sumf : (float)acc;
    }
  }
  write_y(&c, y);
  return 0;
}
