/*
 * tq2_0_code3_clamped.c: BUGGY on purpose -- a decoder that maps TQ2_0's code 3 differently (spec/bug-zoo.md).
 * TQ2_0 codes are weight + 1, and ggml decodes all four: dequantize_row_tq2_0 (ggml-quants.c) writes (q - 1)·d,
 * so code 3 is +2 (spec/formats.md §4.5). Ternary models never write it, and code that "knows" the weights are
 * ternary decodes through a three-valued table -- here {-1, 0, +1, +1}: code 3 clamped to +1. The same
 * assumption is written down in review of Q2_0, the format with the same codes
 * (https://github.com/ggml-org/llama.cpp/pull/24448, a review comment: "the +2 level (q==3) is unreachable"), and
 * TriRun's quantizer clamps round(w/s) + 1 to 0..3, where ternary weights never reach 3. A file whose converter or
 * quantizer did write code 3 -- every byte value is a valid TQ2_0 byte -- then runs with wrong weights there.
 *
 *   cc -O2 -o tq2_0_code3_clamped examples/bug-zoo/tq2_0_code3_clamped.c -lm
 *   trilm check --kernel ./tq2_0_code3_clamped --op matmul --format tq2_0   # the code-3 cases fail, naming it
 */
#include "../kernels/kernel_io.h"

/* TQ2_0's element map is right: element e in byte (e/128)*32 + e%32, bits 2*((e%128)/32). */
static int tq2_code(const uint8_t *block, int e) {
  return (block[(e / 128) * 32 + e % 32] >> (2 * ((e % 128) / 32))) & 3;
}

/* BUG: code 3 decodes as +1 (it is +2). */
static const int TERNARY[4] = {-1, 0, +1, +1};

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
      float sumf = 0;
      for (int i = 0; i < nb; i++) {
        const uint8_t *block = c.weight + ((size_t)r * nb + i) * 66;
        const float d = fp16_to_f32((uint16_t)(block[64] | block[65] << 8));
        if (ggml) {
          int sumi = 0;
          for (int e = 0; e < QK_K; e++) sumi += xq[i * QK_K + e] * TERNARY[tq2_code(block, e)];
          sumf += (float)sumi * (d * xd[i]);
        } else {
          double s = 0;
          for (int e = 0; e < QK_K; e++) s += (double)x[i * QK_K + e] * TERNARY[tq2_code(block, e)];
          acc += s * d;
        }
      }
      y[b * c.rows + r] = ggml ? sumf : (float)acc;
    }
  }
  write_y(&c, y);
  return 0;
}
