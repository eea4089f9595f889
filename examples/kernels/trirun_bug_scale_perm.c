/*
 * trirun_bug_scale_perm.c: BUGGY on purpose -- the scale permutation not applied: s read as if its scales were in column order.
 * It is trirun_matmul.c with TRIRUN_BUG_SCALE_PERM defined (the line marked BUG there).
 * Build: cc -O2 -o trirun_bug_scale_perm examples/kernels/trirun_bug_scale_perm.c -lm
 */
#define TRIRUN_BUG_SCALE_PERM
#include "trirun_matmul.c"
