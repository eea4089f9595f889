/*
 * trirun_bug_magic.c: BUGGY on purpose -- wrong fp16 decode constant: SUB 0x6400 instead of 0x6401, so every weight decodes as t + 1.
 * It is trirun_matmul.c with TRIRUN_BUG_MAGIC defined (the line marked BUG there).
 * Build: cc -O2 -o trirun_bug_magic examples/kernels/trirun_bug_magic.c -lm
 */
#define TRIRUN_BUG_MAGIC
#include "trirun_matmul.c"
