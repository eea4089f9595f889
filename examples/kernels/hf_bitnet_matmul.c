/*
 * hf_bitnet_matmul.c: a correct hf-bitnet-format linear layer on the CPU (spec/kernel-protocol.md section 13): one
 * Hugging Face BitNet linear as transformers 5.18.0 computes it (integrations/bitnet.py ActQuant + F.linear, then
 * weight_scale multiplied (AutoBitLinear) or divided (BitLinear), as case.json's "scale" says).
 *
 *   weight.bin        uint8 [n/4, k], pack_weights' bytes: byte (p, c) bits 2i..2i+1 = W[i*n/4 + p, c] + 1
 *                     (planar: the 4 crumbs of a byte are 4 rows n/4 apart, not 4 consecutive rows)
 *   weight_scale.bin  float32 [1];  x.bin float32 [m, k];  y.bin (written) float32 [m, n]
 *
 *   sigma = 127 / max(max|x|, 1e-5)      q = clamp(round_half_even(x * sigma), -128, 127)      xhat = q / sigma
 *   y[i, o] = (sum_c xhat[c] * W[o, c]) * s      or  / s
 *
 * Build: cc -O2 -o hf_bitnet_matmul examples/kernels/hf_bitnet_matmul.c -lm
 * Run:   trilm check --kernel ./hf_bitnet_matmul --format hf-bitnet   (with no case directory it is a resident kernel)
 *
 * examples/bug-zoo/hf_bitnet_scale_divided.c is this file with HF_BUG_SCALE_DIVIDED defined (the line marked BUG).
 */
#include "kernel_io.h"

static int run_case(int argc, char **argv) {
  const char *dir = argv[argc - 1];
  char path[4096], format[32], scale_op[16];
  long size;
  snprintf(path, sizeof path, "%s/case.json", dir);
  char *json = (char *)read_file(path, &size);
  json_string(json, "format", format, sizeof format);
  if (strcmp(format, "hf-bitnet") != 0) die(3, "only format hf-bitnet is supported, not", format);
  json_string(json, "scale", scale_op, sizeof scale_op);
  int n = json_int(json, "rows"), k = json_int(json, "cols"), m = json_int(json, "batch");
  free(json);
  if (n <= 0 || k <= 0 || m <= 0 || n % 4 != 0) die(2, "bad shape in", path);
  snprintf(path, sizeof path, "%s/weight.bin", dir);
  uint8_t *packed = read_exact(path, (long)n / 4 * k);
  snprintf(path, sizeof path, "%s/weight_scale.bin", dir);
  float *scale = (float *)read_exact(path, 4);
  snprintf(path, sizeof path, "%s/x.bin", dir);
  float *x = (float *)read_exact(path, 4L * m * k);
  float *xhat = malloc(sizeof(float) * k), *y = malloc(sizeof(float) * m * n);
  int divide = strcmp(scale_op, "divide") == 0;
#ifdef HF_BUG_SCALE_DIVIDED
  divide = 1; /* BUG (kernel-bugs B9, https://github.com/microsoft/BitNet/pull/616): divides by weight_scale always */
#endif
  for (int i = 0; i < m; i++) {
    float absmax = 0;
    for (int c = 0; c < k; c++) absmax = fmaxf(absmax, fabsf(x[(long)i * k + c]));
    float sigma = 127.0f / fmaxf(absmax, 1e-5f);
    for (int c = 0; c < k; c++) {
      float q = nearbyintf(x[(long)i * k + c] * sigma); /* ties to even in the default rounding mode */
      xhat[c] = fminf(127.0f, fmaxf(-128.0f, q)) / sigma;
    }
    for (int o = 0; o < n; o++) {
      int p = o % (n / 4), crumb = o / (n / 4);
      float sum = 0;
      for (int c = 0; c < k; c++) sum += xhat[c] * (float)(((packed[(long)p * k + c] >> (2 * crumb)) & 3) - 1);
      y[(long)i * n + o] = divide ? sum / scale[0] : sum * scale[0];
    }
  }
  snprintf(path, sizeof path, "%s/y.bin", dir);
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(y, sizeof(float), (size_t)m * n, f) != (size_t)m * n) die(2, "cannot write", path);
  fclose(f);
  free(packed), free(scale), free(x), free(xhat), free(y);
  return 0;
}

int main(int argc, char **argv) { return argc < 2 ? serve_resident(argv[0], run_case) : run_case(argc, argv); }
