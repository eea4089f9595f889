/*
 * i2_s_matmul.c: a correct I2_S-format matmul on the CPU (spec/kernel-protocol.md section 12): bitnet.cpp's I2_S
 * weights times I8_S activations, with int32 sums and merge-dev's float order.
 *
 *   y[i, r] = ((float)S - (float)act_sum[i]) / act_scale[i] * alpha      S = sum_c code(r, c) * q[i, c]  (int32)
 *
 *   W.bin          the I2_S tensor as in a GGUF: n*k/4 code bytes (codes 0, 1, 2 = -1, 0, +1), the float32 scale
 *                  alpha at byte n*k/4, 28 pad bytes. Element e = r*k + c of the flattened tensor is stored
 *                  x86 (QK 128): byte 32*(e/128) + e%32,   shift 6 - 2*((e%128)/32)
 *                  arm (QK 64):  byte 16*(e/64) + e%16,    shift 6 - 2*((e%64)/16)
 *                  1x4:          byte (r/4)*k + c,         shift 6 - 2*(r%4)
 *   q.npy          int8 (m, k): quantize_row_i8_s of each row of x.npy; act_scale.npy float32 (m,); act_sum.npy
 *                  int32 (m,) -- what bitnet.cpp's kernels take (the kernel could quantize x.npy itself instead).
 *   y.npy          float32 (m, n), written by the kernel.
 *
 * The kernel declares the packing it implements with --layout (default x86, the official GGUF's) and declines a case
 * of another layout (exit 3). It reads every weight through the element map of the whole tensor, so rows that
 * straddle blocks (k % QK != 0) are read right too.
 *
 * Build: cc -O2 -o i2_s_matmul examples/kernels/i2_s_matmul.c -lm
 * Run:   trilm check --kernel ./i2_s_matmul --format i2_s          (or --kernel "./i2_s_matmul --layout arm"
 *        --format i2_s --layout arm; with no case directory it is a resident kernel)
 *
 * examples/bug-zoo/i2s_arm_layout.c and i2s_int16_accumulator.c are this file with one bug switched on by a macro
 * (each marked BUG below): I2S_BUG_ARM_LAYOUT, I2S_BUG_INT16_ACCUMULATOR.
 */
#include "kernel_io.h"

static char kernel_layout[8] = "x86";

/* Where element (r, c) of an n x k tensor is stored in `layout`: its byte and shift. */
static void element_location(const char *layout, long k, long r, long c, long *byte, int *shift) {
  if (strcmp(layout, "1x4") == 0) {
    *byte = (r / 4) * k + c;
    *shift = 6 - 2 * (int)(r % 4);
    return;
  }
  long qk = strcmp(layout, "arm") == 0 ? 64 : 128, g = qk / 4, e = r * k + c, j = e % qk;
  *byte = g * (e / qk) + j % g;
  *shift = 6 - 2 * (int)(j / g);
}

#ifdef I2S_BUG_INT16_ACCUMULATOR
/*
 * BUG (kernel-bugs B6, https://github.com/microsoft/BitNet/issues/629): bitnet.cpp's AVX2 ggml_vec_dot_i2_i8_s_1x1
 * lane by lane -- 16 int16 lanes, each adding 8 products a 128-weight block over up to 32 blocks before widening,
 * so same-sign activations wrap the lanes. Row r's bytes start at r*k/4 (whole blocks only).
 */
static int32_t row_sum(const uint8_t *w, long k, long r, const int8_t *q) {
  const uint8_t *x = w + r * k / 4;
  int32_t sumi = 0;
  (void)element_location; /* this path has its own addressing: block b of row r is the 32 bytes at r*k/4 + 32*b */
  for (long first = 0; first < k / 128; first += 32) {
    int16_t acc[16] = {0};
    for (long b = first; b < first + 32 && b < k / 128; b++)
      for (int l = 0; l < 16; l++) {
        int m[4];
        for (int p = 0; p < 4; p++) {
          int c0 = (x[32 * b + 2 * l] >> (6 - 2 * p)) & 3, c1 = (x[32 * b + 2 * l + 1] >> (6 - 2 * p)) & 3;
          m[p] = c0 * q[128 * b + 32 * p + 2 * l] + c1 * q[128 * b + 32 * p + 2 * l + 1]; /* _mm256_maddubs_epi16 */
        }
        acc[l] = (int16_t)(acc[l] + (int16_t)(m[0] + m[1])); /* _mm256_add_epi16: wraps */
        acc[l] = (int16_t)(acc[l] + (int16_t)(m[2] + m[3]));
      }
    for (int l = 0; l < 16; l++) sumi += acc[l];
  }
  return sumi;
}
#else
/* S = sum_c code(r, c) * q[c] in int32 (|S| <= 2 * 128 * k: no overflow for k < 2^23). */
static int32_t row_sum(const uint8_t *w, long k, long r, const int8_t *q) {
  int32_t sumi = 0;
  for (long c = 0; c < k; c++) {
    long byte;
    int shift;
#ifdef I2S_BUG_ARM_LAYOUT
    /* BUG (kernel-bugs B1, https://github.com/microsoft/BitNet/issues/585): the ARM build's 64-weight / 16-byte
       groups, used on the x86 (128 / 32) file */
    element_location("arm", k, r, c, &byte, &shift);
#else
    element_location(kernel_layout, k, r, c, &byte, &shift);
#endif
    sumi += ((w[byte] >> shift) & 3) * q[c];
  }
  return sumi;
}
#endif

/* Write float32 [rows, cols] as a version 1.0 .npy file ('<f4'). */
static void write_npy_f32(const char *path, const float *data, int rows, int cols) {
  char header[128];
  int n = snprintf(header, sizeof header, "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }", rows, cols);
  while ((10 + n + 1) % 64 != 0) header[n++] = ' ';
  header[n++] = '\n';
  uint8_t preamble[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (uint8_t)(n & 0xff), (uint8_t)(n >> 8)};
  FILE *f = fopen(path, "wb");
  if (!f) die(2, "cannot write", path);
  fwrite(preamble, 1, 10, f);
  fwrite(header, 1, n, f);
  fwrite(data, 4, (size_t)rows * cols, f);
  fclose(f);
}

/* The path of input or output `key` of case.json. */
static void case_path(const char *json, const char *dir, const char *key, char *path, size_t size) {
  char name[1024];
  json_string(json, key, name, sizeof name);
  snprintf(path, size, "%s/%s", dir, name);
}

static int run_case(int argc, char **argv) {
  if (argc < 2) die(2, "usage: i2_s_matmul [--layout x86|arm|1x4] <case-dir>", NULL);
  const char *dir = argv[argc - 1];
  char path[4096], format[32], op[32], layout[32];
  long size;
  snprintf(path, sizeof path, "%s/case.json", dir);
  char *json = (char *)read_file(path, &size);
  json_string(json, "op", op, sizeof op);
  json_string(json, "format", format, sizeof format);
  json_string(json, "layout", layout, sizeof layout);
  if (strcmp(op, "matmul") != 0) die(3, "unsupported op", op);
  if (strcmp(format, "i2_s") != 0) die(3, "unsupported format (I2_S-format kernel)", format);
  if (strcmp(layout, kernel_layout) != 0) die(3, "unsupported layout (see --layout)", layout);
  const long n = json_int(json, "rows"), k = json_int(json, "cols"), m = json_int(json, "batch");
  if (n < 1 || k < 1 || m < 1) die(2, "bad shape", NULL);
#ifdef I2S_BUG_INT16_ACCUMULATOR
  if (k % 128 || strcmp(layout, "x86") != 0) die(3, "the AVX2 kernel reads whole x86 blocks of a row", NULL);
#endif
  case_path(json, dir, "W", path, sizeof path);
  uint8_t *w = read_exact(path, n * k / 4 + 32);
  float alpha;
  memcpy(&alpha, w + n * k / 4, 4);
  case_path(json, dir, "q", path, sizeof path);
  int8_t *q = read_npy(path, "|i1", 1, m * k);
  case_path(json, dir, "act_scale", path, sizeof path);
  float *act_scale = read_npy(path, "<f4", 4, m);
  case_path(json, dir, "act_sum", path, sizeof path);
  int32_t *act_sum = read_npy(path, "<i4", 4, m);
  case_path(json, dir, "y", path, sizeof path);
  free(json);

  float *y = malloc(sizeof(float) * m * n);
  for (long i = 0; i < m; i++)
    for (long r = 0; r < n; r++) {
      float tmp = (float)row_sum(w, k, r, q + i * k);
      y[i * n + r] = (tmp - (float)act_sum[i]) / act_scale[i] * alpha; /* merge-dev's order, each step in float */
    }
  write_npy_f32(path, y, (int)m, (int)n);
  free(w), free(q), free(act_scale), free(act_sum), free(y);
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 3 && strcmp(argv[1], "--layout") == 0) {
    if (strcmp(argv[2], "x86") && strcmp(argv[2], "arm") && strcmp(argv[2], "1x4"))
      die(2, "--layout must be x86, arm or 1x4", argv[2]);
    snprintf(kernel_layout, sizeof kernel_layout, "%s", argv[2]);
    argv[2] = argv[0];
    argv += 2, argc -= 2;
  }
  return argc < 2 ? serve_resident(argv[0], run_case) : run_case(argc, argv);
}
