/*
 * trirun_matmul.c: a correct TriRun-format matmul on the CPU (spec/kernel-protocol.md section 11), reading
 * TriRun's B and s exactly as the GPU kernel lays them out (spec/trirun.md sections 3-8):
 *
 *   y[i, j] = sum_k x[i, k] * W[k, j]        x: fp16 (m, k)   W: k x n ternary   y: fp16 (m, n)
 *
 *   B.bin   (k/16) x n int32, little-endian: word (row r, column c) holds 16 codes (t + 1), crumb q in
 *           bits 2q..2q+1, of the elements (k, n) = element_at(r, c, q) given by TriRun's 1024-entry
 *           permutation T (Marlin's base permutation, Marlin's 8-interleave, TriRun's crumb interleave)
 *   s.bin   fp16 scales, 1 x n (per column) or k/128 x n (groups of 128 inputs), permuted in runs of 32 / 64
 *
 * Arithmetic as the kernel's (spec/trirun.md section 8): a code decodes through the fp16 magic number
 * (0x6400 | code) - 0x6401 = t; products x * w are exact and summed in float32; per column the sum is rounded
 * to fp16, times the scale, rounded to fp16 again; grouped, each weight is fp16(t * s) and the sum is rounded
 * to fp16 once. The loop walks B as one thread block whose stripe covers every column slice of 128 outputs,
 * k-tile rows first, rewinding the B position to row 0 when it moves to the next slice.
 *
 * Build: cc -O2 -o trirun_matmul examples/kernels/trirun_matmul.c -lm
 * Run:   trilm check --kernel ./trirun_matmul --format trirun     (or with no argument: a resident kernel)
 *
 * The trirun_bug_*.c kernels are this file with one bug switched on by a macro (each marked BUG below):
 * TRIRUN_BUG_SCALE_PERM, TRIRUN_BUG_INTERLEAVE, TRIRUN_BUG_MAGIC, TRIRUN_BUG_REWIND.
 */
#include "kernel_io.h"

#define TILE 16
#define SLICE_N 128 /* output columns per column slice (the kernel's thread_n) */

#ifdef TRIRUN_BUG_MAGIC
#define DEQUANT_SUB 0x6400 /* BUG: 1024, not 1024 + 1: every weight decodes as t + 1 */
#else
#define DEQUANT_SUB 0x6401 /* 1024 + 1: the -1 zero point folded into the magic number */
#endif

static int perm_T[1024];

/* T, generated from _get_perms' definition (spec/trirun.md section 4). */
static void build_permutation(void) {
  int base[1024], n = 0;
  for (int lane = 0; lane < 32; lane++) {
    int col = lane / 4, rows[4] = {2 * (lane % 4), 2 * (lane % 4) + 1, 2 * (lane % 4 + 4), 2 * (lane % 4 + 4) + 1};
    int lane_perm[8], p = 0;
    for (int block = 0; block < 2; block++)
      for (int r = 0; r < 4; r++) lane_perm[p++] = 16 * rows[r] + col + 8 * block;
    for (int tile = 0; tile < 4; tile++)
      for (int i = 0; i < 8; i++) base[n++] = lane_perm[i] + 256 * tile;
  }
  static const int marlin[8] = {0, 2, 4, 6, 1, 3, 5, 7};
  int interleaved[1024];
  for (int g = 0; g < 1024; g += 8)
    for (int j = 0; j < 8; j++) interleaved[g + j] = base[g + marlin[j]];
  for (int g = 0; g < 1024; g += 16)
    for (int j = 0; j < 16; j++)
#ifdef TRIRUN_BUG_INTERLEAVE
      perm_T[g + j] = interleaved[g + j]; /* BUG: Marlin's 8-interleave only, TriRun's crumb interleave skipped */
#else
      perm_T[g + j] = interleaved[g + (j >> 1) + 8 * (j & 1)]; /* crumb interleave: two 4-bit words merged */
#endif
}

/* The element (k, n) that crumb q of word B[row][column] holds (spec/trirun.md section 5.1). */
static void element_at(int row, int column, int q, int *k, int *n) {
  int p = perm_T[16 * (column % 64) + q];
  *k = 16 * row + (p % 256) / 16;
  *n = 64 * (column / 64) + 16 * (p / 256) + p % 16;
}

/* Logical scales [groups x n] from TriRun's permuted s (spec/trirun.md section 6). */
static void unpermute_scales(const uint16_t *s, uint16_t *scales, int count, int grouped) {
#ifdef TRIRUN_BUG_SCALE_PERM
  (void)grouped;
  memcpy(scales, s, sizeof(uint16_t) * count); /* BUG: s used as if it were in column order */
#else
  int perm[64], len = 0;
  if (grouped) {
    for (int i = 0; i < 8; i++)
      for (int j = 0; j < 8; j++) perm[len++] = i + 8 * j;
  } else {
    static const int js[8] = {0, 1, 8, 9, 16, 17, 24, 25};
    for (int i = 0; i < 4; i++)
      for (int j = 0; j < 8; j++) perm[len++] = 2 * i + js[j];
  }
  for (int g = 0; g < count; g += len)
    for (int j = 0; j < len; j++) scales[g + perm[j]] = s[g + j];
#endif
}

static int run_case(int argc, char **argv) {
  if (argc < 2) die(2, "usage: trirun_matmul <case-dir>", NULL);
  const char *dir = argv[argc - 1];
  char path[4096], name[1024], format[32], op[32];
  long size;
  snprintf(path, sizeof path, "%s/case.json", dir);
  char *json = (char *)read_file(path, &size);
  json_string(json, "op", op, sizeof op);
  json_string(json, "format", format, sizeof format);
  if (strcmp(op, "matmul") != 0) die(3, "unsupported op", op);
  if (strcmp(format, "trirun") != 0) die(3, "unsupported format (TriRun-format kernel)", format);
  const int n = json_int(json, "rows"), k = json_int(json, "cols"), m = json_int(json, "batch");
  if (k < 128 || k % 128 || n < 256 || n % 256 || m < 1) die(2, "bad shape", NULL);
  const int krows = k / TILE, groups = json_int(json, "group_size") == 128 ? k / 128 : 1;
  const int grouped = groups > 1; /* one scale row is per column, as TriRun's kernel reads it (k = 128, groups of 128) */

  json_string(json, "B", name, sizeof name);
  snprintf(path, sizeof path, "%s/%s", dir, name);
  int32_t *B = (int32_t *)read_exact(path, 4L * krows * n);
  json_string(json, "s", name, sizeof name);
  snprintf(path, sizeof path, "%s/%s", dir, name);
  uint16_t *s = (uint16_t *)read_exact(path, 2L * groups * n);
  json_string(json, "x", name, sizeof name);
  snprintf(path, sizeof path, "%s/%s", dir, name);
  uint16_t *x = read_npy(path, "<f2", 2, (long)m * k);
  json_string(json, "y", name, sizeof name);
  snprintf(path, sizeof path, "%s/%s", dir, name);
  free(json);

  uint16_t *scales = malloc(sizeof(uint16_t) * groups * n);
  unpermute_scales(s, scales, groups * n, grouped);
  float *acc = calloc((size_t)m * n, sizeof(float));
  const float sub = fp16_to_f32(DEQUANT_SUB);
  size_t at = 0; /* the B position: word (row, column) of the current k-tile row and slice */
  for (int slice = 0; slice < n / SLICE_N; slice++) {
    for (int r = 0; r < krows; r++) {
      const int32_t *words = B + at % ((size_t)krows * n);
      for (int cc = 0; cc < SLICE_N; cc++) {
        uint32_t word = (uint32_t)words[cc];
        for (int q = 0; q < 16; q++) {
          int kk, nn, code = (word >> (2 * q)) & 3;
          element_at(r, slice * SLICE_N + cc, q, &kk, &nn);
          float w = fp16_to_f32(0x6400 | code) - sub; /* the magic-number decode: t, exactly */
          if (grouped) w = fp16_to_f32(f32_to_fp16(w * fp16_to_f32(scales[(kk / 128) * n + nn])));
          for (int i = 0; i < m; i++) acc[(size_t)i * n + nn] += fp16_to_f32(x[(size_t)i * k + kk]) * w;
        }
      }
      if (r + 1 < krows) at += n; /* the next k-tile row of this slice */
#ifdef TRIRUN_BUG_REWIND
      else at += n; /* BUG: the stripe wraps to the next slice but B is not rewound to row 0 */
#else
      else at = at - (size_t)(krows - 1) * n + SLICE_N; /* rewind to row 0 of the next slice */
#endif
    }
  }
  uint16_t *y = malloc(sizeof(uint16_t) * m * n);
  for (int i = 0; i < m; i++)
    for (int j = 0; j < n; j++) {
      float sum = acc[(size_t)i * n + j];
      y[(size_t)i * n + j] =
          grouped ? f32_to_fp16(sum) : f32_to_fp16(fp16_to_f32(f32_to_fp16(sum)) * fp16_to_f32(scales[j]));
    }
  write_npy_f16(path, y, m, n);
  free(B), free(s), free(x), free(scales), free(acc), free(y);
  return 0;
}

int main(int argc, char **argv) {
  build_permutation();
  return argc < 2 ? serve_resident(argv[0], run_case) : run_case(argc, argv);
}
