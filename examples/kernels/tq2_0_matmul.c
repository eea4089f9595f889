/*
 * tq2_0_matmul.c: a CORRECT ternary matmul kernel for trilm's case directory protocol v1.
 * Formats tq2_0 and tq1_0, activations f32 (accumulated in double, rounded once) and ggml
 * (x quantized to Q8_K, integer block sums, float accumulation in block order, as
 * ggml_vec_dot_tq{1,2}_0_q8_K_generic).
 *
 *   cc -O2 -o tq2_0_matmul examples/kernels/tq2_0_matmul.c -lm
 *   trilm check --kernel ./tq2_0_matmul --op matmul --format tq2_0
 */
#include "kernel_io.h"

/* TQ2_0 (66 bytes: qs[64], fp16 d): element e is in byte (e/128)*32 + e%32 at bits 2*((e%128)/32). */
static int tq2_code(const uint8_t *block, int e) {
  return (block[(e / 128) * 32 + e % 32] >> (2 * ((e % 128) / 32))) & 3;
}

/* TQ1_0 (54 bytes: qs[48], qh[4], fp16 d): five trits a byte, most significant first. */
static int tq1_code(const uint8_t *block, int e) {
  static const int pow3[5] = {1, 3, 9, 27, 81};
  int byte, n;
  if (e < 160) { byte = e % 32; n = e / 32; }
  else if (e < 240) { byte = 32 + (e - 160) % 16; n = (e - 160) / 16; }
  else { byte = 48 + (e - 240) % 4; n = (e - 240) / 4; }
  uint8_t q = (uint8_t)(block[byte] * pow3[n]);
  return (q * 3) >> 8;
}

int main(int argc, char **argv) {
  struct kcase c;
  load_case(argc, argv, &c, 54, 66);
  const int tq2 = strcmp(c.format, "tq2_0") == 0;
  const int block_bytes = tq2 ? 66 : 54, scale_at = tq2 ? 64 : 52, nb = c.cols / QK_K;
  const int ggml = strcmp(c.activations, "ggml") == 0;
  float *y = malloc(sizeof(float) * c.batch * c.rows);
  float *xd = malloc(sizeof(float) * nb);
  int8_t *xq = malloc(c.cols);
  for (int b = 0; b < c.batch; b++) {
    const float *x = c.x + (size_t)b * c.cols;
    if (ggml) quantize_row_q8_K(x, c.cols, xd, xq);
    for (int r = 0; r < c.rows; r++) {
      double acc = 0; /* f32 activations */
      float sumf = 0; /* ggml activations */
      for (int i = 0; i < nb; i++) {
        const uint8_t *block = c.weight + ((size_t)r * nb + i) * block_bytes;
        const float d = fp16_to_f32((uint16_t)(block[scale_at] | block[scale_at + 1] << 8));
        if (ggml) {
          int sumi = 0;
          for (int e = 0; e < QK_K; e++) sumi += xq[i * QK_K + e] * ((tq2 ? tq2_code(block, e) : tq1_code(block, e)) - 1);
          sumf += (float)sumi * (d * xd[i]);
        } else {
          double s = 0;
          for (int e = 0; e < QK_K; e++) s += (double)x[i * QK_K + e] * ((tq2 ? tq2_code(block, e) : tq1_code(block, e)) - 1);
          acc += s * d;
        }
      }
      y[b * c.rows + r] = ggml ? sumf : (float)acc;
    }
  }
  write_y(&c, y);
  free(y), free(xd), free(xq), free(c.weight), free(c.x); /* tq2_0_matmul_resident.c runs this once per case */
  return 0;
}
