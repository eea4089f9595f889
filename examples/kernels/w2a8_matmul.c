/*
 * w2a8_matmul.c: a correct w2a8-format linear layer on the CPU (spec/kernel-protocol.md section 14): what BitNet's GPU
 * kernel bitlinear_int8xint2 (microsoft/BitNet gpu/bitnet_kernels/bitnet_kernels.h, ladder_int8xint2_kernel) computes,
 * reading gpu/pack_weight.py's layout word by word.
 *
 *   weight.bin  int8 [n, k/4]: blocks of 16 rows x 32 inputs, 128 bytes = 32 little-endian int32 words each, blocks
 *               row-major; block position q = 32*i + j holds W[16*bn + r][32*bk + c] with (r, c) =
 *               B_global_16x32_to_shared_load_16x32_layout(i, j); word q/16, crumb 4*(o%4) + o/4 for o = q%16
 *               (interleave_weight_int8); code = t + 2
 *   ws.bin      bf16 [max(4, ws_num)];  x_q.bin int8 [m, k];  s.bin bf16 [m];  y.bin (written) bf16 [m, n]
 *
 *   acc = sum_j q[j] * t[o][j]  (int32)        y[i, o] = bf16( (float)acc / s[i] * ws[o / (n / ws_num)] )
 *
 * Build: cc -O2 -o w2a8_matmul examples/kernels/w2a8_matmul.c -lm
 * Run:   trilm check --kernel ./w2a8_matmul --format w2a8   (with no case directory it is a resident kernel)
 *
 * examples/bug-zoo/w2a8_no_write.c is this file with W2A8_BUG_NO_WRITE defined (the lines marked BUG).
 */
#include "kernel_io.h"

static float bf16_to_f32(uint16_t h) {
  uint32_t bits = (uint32_t)h << 16;
  float f;
  memcpy(&f, &bits, 4);
  return f;
}

static uint16_t f32_to_bf16(float f) {
  uint32_t bits;
  memcpy(&bits, &f, 4);
  if ((bits & 0x7fffffff) > 0x7f800000) return (uint16_t)((bits >> 16) | 0x40); /* NaN stays NaN */
  return (uint16_t)((bits + 0x7fff + ((bits >> 16) & 1)) >> 16);                /* nearest, ties to even */
}

/* inverse[16*32]: the block position q = 32*i + j of block row r, column c (B_global_16x32_to_shared_load inverted). */
static void shared_load_inverse(int *inverse) {
  for (int i = 0; i < 16; i++)
    for (int j = 0; j < 32; j++) {
      int thread = i * 2 + j / 16, r = (thread / 16) * 8 + thread % 8, c = j % 16 + 16 * ((thread % 16) / 8);
      inverse[r * 32 + c] = 32 * i + j;
    }
}

/* The ternary weight W[row][col] of an (n, k) weight, read from its word and crumb. */
static int weight_at(const uint8_t *packed, const int *inverse, int k, int row, int col) {
  int q = inverse[(row % 16) * 32 + col % 32];
  long block = (long)(row / 16) * (k / 32) + col / 32, word = block * 32 + q / 16;
  int o = q % 16, crumb = 4 * (o % 4) + o / 4;
  return ((packed[4 * word + crumb / 4] >> (2 * (crumb % 4))) & 3) - 2;
}

/* The shapes this emulation serves: any (16, 32)-aligned one. bitlinear_int8xint2 itself has ten (M, N, K). */
static int shape_supported(int m, int n, int k) { return m >= 1 && n % 16 == 0 && k % 32 == 0; }

static int run_case(int argc, char **argv) {
  const char *dir = argv[argc - 1];
  char path[4096], format[32];
  long size;
  snprintf(path, sizeof path, "%s/case.json", dir);
  char *json = (char *)read_file(path, &size);
  json_string(json, "format", format, sizeof format);
  if (strcmp(format, "w2a8") != 0) die(3, "only format w2a8 is supported, not", format);
  int n = json_int(json, "rows"), k = json_int(json, "cols"), m = json_int(json, "batch");
  int ws_num = json_int(json, "ws_num"), ws_count = ws_num > 4 ? ws_num : 4;
  free(json);
  if (n <= 0 || k <= 0 || ws_num <= 0 || n % ws_num != 0) die(2, "bad shape in", path);
  if (!shape_supported(m, n, k)) die(3, "required ladder gemm kernel", NULL);
  snprintf(path, sizeof path, "%s/weight.bin", dir);
  uint8_t *packed = read_exact(path, (long)n * k / 4);
  snprintf(path, sizeof path, "%s/ws.bin", dir);
  uint16_t *ws = (uint16_t *)read_exact(path, 2L * ws_count);
  snprintf(path, sizeof path, "%s/x_q.bin", dir);
  int8_t *q = (int8_t *)read_exact(path, (long)m * k);
  snprintf(path, sizeof path, "%s/s.bin", dir);
  uint16_t *s = (uint16_t *)read_exact(path, 2L * m);
  int8_t *w = malloc((size_t)n * k);
  int inverse[16 * 32];
  shared_load_inverse(inverse);
  for (int o = 0; o < n; o++)
    for (int c = 0; c < k; c++) w[(long)o * k + c] = (int8_t)weight_at(packed, inverse, k, o, c);
  uint16_t *y = malloc(sizeof(uint16_t) * m * n);
  for (int i = 0; i < m; i++)
    for (int o = 0; o < n; o++) {
      int32_t acc = 0;
      for (int c = 0; c < k; c++) acc += (int32_t)q[(long)i * k + c] * w[(long)o * k + c];
      float scaled = (float)acc / bf16_to_f32(s[i]);
      y[(long)i * n + o] = f32_to_bf16(scaled * bf16_to_f32(ws[o / (n / ws_num)]));
    }
  snprintf(path, sizeof path, "%s/y.bin", dir);
#ifdef W2A8_BUG_NO_WRITE
  /* BUG (kernel-bugs H3): bitlinear_int8xint2's else branch -- any shape but its ten only prints and writes nothing */
  if (!(m == 1 && n == 2560 && k == 2560)) {
    fprintf(stderr, "required ladder gemm kernel, M=%d, N=%d, K=%d\n", m, n, k);
    free(packed), free(ws), free(q), free(s), free(w), free(y);
    return 0;
  }
#endif
  FILE *f = fopen(path, "r+b"); /* the harness created y.bin; a kernel may also create it */
  if (!f) f = fopen(path, "wb");
  if (!f || fwrite(y, sizeof(uint16_t), (size_t)m * n, f) != (size_t)m * n) die(2, "cannot write", path);
  fclose(f);
  free(packed), free(ws), free(q), free(s), free(w), free(y);
  return 0;
}

int main(int argc, char **argv) { return argc < 2 ? serve_resident(argv[0], run_case) : run_case(argc, argv); }
