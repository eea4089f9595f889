/*
 * bug_layout.c: BUGGY on purpose -- the classic TQ2_0 layout bug.
 * It reads four CONSECUTIVE elements per byte (element e at byte e/4, bits 2*(e%4)), but ggml's
 * TQ2_0 byte j holds elements j, j+32, j+64, j+96 (of each 128-element half).
 * Only tq2_0; exits 3 for anything else. `trilm fuzz` finds it with one row and one block.
 */
#include "kernel_io.h"

static int tq2_code(const uint8_t *block, int e) {
  return (block[e / 4] >> (2 * (e % 4))) & 3; /* BUG: should be byte (e/128)*32 + e%32, shift 2*((e%128)/32) */
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
        acc += s * d;
      }
      y[b * c.rows + r] = (float)acc;
    }
  }
  write_y(&c, y);
  return 0;
}
