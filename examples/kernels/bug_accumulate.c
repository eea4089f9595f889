/*
 * bug_accumulate.c: BUGGY on purpose -- assigns each block's partial sum instead of adding it.
 * `acc = s * d` where it should be `acc += s * d`: only the LAST block of a row counts, so every
 * one-block case passes and it takes a row of two blocks to see it.
 * Only tq2_0; exits 3 for anything else. `trilm fuzz` finds it with one row and two blocks.
 */
#include "kernel_io.h"

static int tq2_code(const uint8_t *block, int e) {
  return (block[(e / 128) * 32 + e % 32] >> (2 * ((e % 128) / 32))) & 3;
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
    for (int r = 0; r < c.rows; r++) {
      double acc = 0;
      for (int i = 0; i < nb; i++) {
        const uint8_t *block = c.weight + ((size_t)r * nb + i) * 66;
        const float d = fp16_to_f32((uint16_t)(block[64] | block[65] << 8));
        double s = 0;
        for (int e = 0; e < QK_K; e++)
          s += (ggml ? (double)xq[i * QK_K + e] * xd[i] : (double)x[i * QK_K + e]) * (tq2_code(block, e) - 1);
        acc = s * d; /* BUG: should be acc += s * d */
      }
      y[b * c.rows + r] = (float)acc;
    }
  }
  write_y(&c, y);
  return 0;
}
