/*
 * kernel_io.h: the plumbing every example kernel shares -- trilm's case directory protocol v1.
 *
 *   kernel <dir>      (the case directory is the last argument)
 *   <dir>/case.json   {"protocol":1,"op":"matmul","format":"tq2_0","shape":{"rows":R,"cols":C,"batch":B},
 *                      "activations":"f32"|"ggml","inputs":{"weight":"weight.bin","x":"x.npy"},"outputs":{"y":"y.npy"}}
 *   weight.bin        R rows x C/256 packed blocks (GGUF tensor data)
 *   x.npy             float32 [B, C]
 *   y.npy             (written by the kernel) float32 [B, R], y = x . W^T
 *
 * Exit codes: 0 done, 2 bad case directory, 3 a case this kernel does not support.
 * Header-only (static functions) so that each kernel is one `cc -O2 -o k k.c -lm`.
 */
#ifndef KERNEL_IO_H
#define KERNEL_IO_H

#include <math.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QK_K 256

struct kcase {
  char op[32], format[32], activations[32];
  int rows, cols, batch;
  uint8_t *weight; /* rows * cols/256 blocks */
  float *x;        /* [batch, cols] */
  char y_path[4096];
};

/* Resident mode (serve_resident): die() answers for the current case and jumps back instead of exiting. */
static jmp_buf resident_case_exit;
static int resident_case_active;
static char resident_case_message[512];

static void die(int code, const char *what, const char *detail) {
  if (resident_case_active) {
    snprintf(resident_case_message, sizeof resident_case_message, "%s%s%s", what, detail ? ": " : "", detail ? detail : "");
    longjmp(resident_case_exit, code);
  }
  fprintf(stderr, "kernel: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
  exit(code);
}

static uint8_t *read_file(const char *path, long *size) {
  FILE *f = fopen(path, "rb");
  if (!f) die(2, "cannot open", path);
  fseek(f, 0, SEEK_END);
  *size = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *bytes = malloc(*size + 1);
  if (fread(bytes, 1, *size, f) != (size_t)*size) die(2, "cannot read", path);
  bytes[*size] = 0;
  fclose(f);
  return bytes;
}

/* A tiny JSON field reader: the value after the first "key": (a string or an integer). */
static const char *json_value(const char *json, const char *key) {
  char quoted[64];
  snprintf(quoted, sizeof quoted, "\"%s\"", key);
  const char *p = strstr(json, quoted);
  if (!p) die(2, "case.json lacks", key);
  p += strlen(quoted);
  while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r' || *p == ':') p++;
  return p;
}

static void json_string(const char *json, const char *key, char *out, size_t size) {
  const char *p = json_value(json, key);
  if (*p != '"') die(2, "case.json: not a string", key);
  size_t n = 0;
  for (p++; *p && *p != '"' && n + 1 < size; p++) out[n++] = *p;
  out[n] = 0;
}

static int json_int(const char *json, const char *key) { return atoi(json_value(json, key)); }

/* fp16 bits -> float (IEEE half: 1 sign, 5 exponent, 10 mantissa bits). */
static inline float fp16_to_f32(uint16_t h) {
  int sign = h >> 15, exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
  float v;
  if (exponent == 0) v = ldexpf((float)mantissa, -24);
  else if (exponent == 31) v = mantissa ? NAN : INFINITY;
  else v = ldexpf((float)(mantissa | 0x400), exponent - 25);
  return sign ? -v : v;
}

/* Read case.json, weight.bin and x.npy of the case directory argv[argc-1]. */
static inline void load_case(int argc, char **argv, struct kcase *c, int block_bytes_tq1, int block_bytes_tq2) {
  if (argc < 2) die(2, "usage: kernel <case-dir>", NULL);
  const char *dir = argv[argc - 1];
  char path[4096], name[1024];
  long size;
  snprintf(path, sizeof path, "%s/case.json", dir);
  char *json = (char *)read_file(path, &size);
  json_string(json, "op", c->op, sizeof c->op);
  json_string(json, "format", c->format, sizeof c->format);
  json_string(json, "activations", c->activations, sizeof c->activations);
  c->rows = json_int(json, "rows");
  c->cols = json_int(json, "cols");
  c->batch = json_int(json, "batch");
  if (strcmp(c->op, "matmul") != 0) die(3, "unsupported op", c->op);
  int block_bytes = strcmp(c->format, "tq1_0") == 0 ? block_bytes_tq1 : strcmp(c->format, "tq2_0") == 0 ? block_bytes_tq2 : 0;
  if (block_bytes == 0) die(3, "unsupported format", c->format);
  if (c->rows < 1 || c->cols < QK_K || c->cols % QK_K || c->batch < 1) die(2, "bad shape", NULL);

  json_string(json, "weight", name, sizeof name);
  snprintf(path, sizeof path, "%s/%s", dir, name);
  c->weight = read_file(path, &size);
  if (size != (long)c->rows * (c->cols / QK_K) * block_bytes) die(2, "weight.bin has the wrong size", path);

  json_string(json, "x", name, sizeof name);
  snprintf(path, sizeof path, "%s/%s", dir, name);
  uint8_t *npy = read_file(path, &size);
  if (size < 10 || memcmp(npy, "\x93NUMPY", 6) != 0) die(2, "not a .npy file", path);
  long header = npy[6] == 1 ? 10 + (npy[8] | npy[9] << 8) : 12 + (npy[8] | npy[9] << 8 | npy[10] << 16 | (long)npy[11] << 24);
  if (!strstr((char *)npy + 10, "<f4")) die(2, "x.npy is not float32", path);
  if (size - header != 4L * c->batch * c->cols) die(2, "x.npy has the wrong size", path);
  c->x = malloc(size - header);
  memcpy(c->x, npy + header, size - header); /* little-endian host assumed */
  free(npy);

  json_string(json, "y", name, sizeof name);
  snprintf(c->y_path, sizeof c->y_path, "%s/%s", dir, name);
  free(json);
}

/* Write y: float32 [batch, rows] as a version 1.0 .npy file. */
static inline void write_y(const struct kcase *c, const float *y) {
  char header[128];
  int n = snprintf(header, sizeof header, "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }", c->batch, c->rows);
  while ((10 + n + 1) % 64 != 0) header[n++] = ' ';
  header[n++] = '\n';
  uint8_t preamble[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (uint8_t)(n & 0xff), (uint8_t)(n >> 8)};
  FILE *f = fopen(c->y_path, "wb");
  if (!f) die(2, "cannot write", c->y_path);
  fwrite(preamble, 1, 10, f);
  fwrite(header, 1, n, f);
  fwrite(y, 4, (size_t)c->batch * c->rows, f);
  fclose(f);
}

/* ggml's nearest_int: round half to even through the float magic number 1.5 * 2^23. */
static int nearest_int(float fval) {
  float val = fval + 12582912.f;
  int i;
  memcpy(&i, &val, sizeof(int));
  return (i & 0x007fffff) - 0x00400000;
}

/* quantize_row_q8_K_ref: per 256-block, d[i] and q[256*i .. 256*i+255]. */
static inline void quantize_row_q8_K(const float *x, int n, float *d, int8_t *q) {
  for (int i = 0; i < n / QK_K; i++, x += QK_K, q += QK_K) {
    float amax = 0, max = 0;
    for (int j = 0; j < QK_K; j++) {
      float ax = fabsf(x[j]);
      if (ax > amax) { amax = ax; max = x[j]; }
    }
    if (amax == 0) { d[i] = 0; memset(q, 0, QK_K); continue; }
    const float iscale = -127.f / max;
    for (int j = 0; j < QK_K; j++) {
      int v = nearest_int(iscale * x[j]);
      q[j] = (int8_t)(v < 127 ? v : 127);
    }
    d[i] = 1 / iscale;
  }
}

/*
 * Resident mode (protocol v1.1, spec/kernel-protocol.md section 8; `trilm check|fuzz --resident`): read case
 * directories one a line on stdin, run run_case(2, {argv0, dir}) on each and answer one line on stdout:
 * "ok", "unsupported <why>" (die(3, ...) or return 3) or "error <why>" (any other failure). Returns 0 when
 * stdin closes. A kernel's main: argc < 2 ? serve_resident(argv[0], one_case) : one_case(argc, argv).
 * (Memory a case leaks when it dies is not reclaimed: acceptable for failures, so free what a case allocates.)
 */
static inline int serve_resident(char *argv0, int (*run_case)(int argc, char **argv)) {
  char line[4096];
  while (fgets(line, sizeof line, stdin)) {
    line[strcspn(line, "\r\n")] = 0;
    if (!line[0]) continue;
    char *args[] = {argv0, line, NULL};
    int code = setjmp(resident_case_exit);
    if (code == 0) {
      resident_case_active = 1;
      code = run_case(2, args);
      if (code != 0) snprintf(resident_case_message, sizeof resident_case_message, "exit status %d", code);
    }
    resident_case_active = 0;
    if (code == 0) printf("ok\n");
    else printf("%s %s\n", code == 3 ? "unsupported" : "error", resident_case_message);
    fflush(stdout);
  }
  return 0;
}

/*
 * For TriRun-format kernels (spec/kernel-protocol.md section 11): fp16 rounding, raw files and .npy files of
 * any dtype, and an fp16 (m, n) y.npy.
 */

/* float -> fp16 bits, rounded to nearest even (subnormals, overflow to inf and NaN as IEEE says). */
static inline uint16_t f32_to_fp16(float f) {
  uint32_t x;
  memcpy(&x, &f, 4);
  uint16_t sign = (uint16_t)((x >> 16) & 0x8000);
  uint32_t abs = x & 0x7fffffff;
  if (abs > 0x7f800000) return sign | 0x7e00;                /* NaN */
  if (abs >= 0x477ff000) return sign | 0x7c00;               /* >= 65520: inf */
  if (abs < 0x38800000) {                                    /* below 2^-14: fp16 subnormal or zero */
    float a;
    memcpy(&a, &abs, 4);
    return sign | (uint16_t)nearbyintf(a * 16777216.0f);     /* units of 2^-24, ties to even (default mode) */
  }
  uint32_t rounded = abs + 0xfff + ((abs >> 13) & 1);        /* round the 13 dropped bits to nearest even */
  return sign | (uint16_t)((rounded - 0x38000000) >> 13);
}

/* A whole file of exactly `size` bytes, or die(2). */
static inline uint8_t *read_exact(const char *path, long size) {
  long got;
  uint8_t *bytes = read_file(path, &got);
  if (got != size) die(2, "wrong size", path);
  return bytes;
}

/* The data of a .npy file whose descr is `descr` and which holds `count` elements of `elem` bytes, or die(2). */
static inline void *read_npy(const char *path, const char *descr, size_t elem, long count) {
  long size;
  uint8_t *npy = read_file(path, &size);
  if (size < 10 || memcmp(npy, "\x93NUMPY", 6) != 0) die(2, "not a .npy file", path);
  long header = npy[6] == 1 ? 10 + (npy[8] | npy[9] << 8) : 12 + (npy[8] | npy[9] << 8 | npy[10] << 16 | (long)npy[11] << 24);
  if (!strstr((char *)npy + 10, descr)) die(2, "unexpected .npy dtype", path);
  if (size - header != (long)elem * count) die(2, ".npy has the wrong size", path);
  void *data = malloc(size - header);
  memcpy(data, npy + header, size - header); /* little-endian host assumed */
  free(npy);
  return data;
}

/* Write fp16 bits [rows, cols] as a version 1.0 .npy file ('<f2'). */
static inline void write_npy_f16(const char *path, const uint16_t *data, int rows, int cols) {
  char header[128];
  int n = snprintf(header, sizeof header, "{'descr': '<f2', 'fortran_order': False, 'shape': (%d, %d), }", rows, cols);
  while ((10 + n + 1) % 64 != 0) header[n++] = ' ';
  header[n++] = '\n';
  uint8_t preamble[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (uint8_t)(n & 0xff), (uint8_t)(n >> 8)};
  FILE *f = fopen(path, "wb");
  if (!f) die(2, "cannot write", path);
  fwrite(preamble, 1, 10, f);
  fwrite(header, 1, n, f);
  fwrite(data, 2, (size_t)rows * cols, f);
  fclose(f);
}

#endif
