/*
 * trirun_bug_interleave.c: BUGGY on purpose -- one permutation stage skipped: Marlin's 8-interleave without TriRun's crumb interleave.
 * It is trirun_matmul.c with TRIRUN_BUG_INTERLEAVE defined (the line marked BUG there).
 * Build: cc -O2 -o trirun_bug_interleave examples/kernels/trirun_bug_interleave.c -lm
 */
#define TRIRUN_BUG_INTERLEAVE
#include "trirun_matmul.c"
