/*
 * trirun_bug_rewind.c: BUGGY on purpose -- B not rewound on stripe wrap: the next column slice reads the first slice's words.
 * It is trirun_matmul.c with TRIRUN_BUG_REWIND defined (the line marked BUG there).
 * Build: cc -O2 -o trirun_bug_rewind examples/kernels/trirun_bug_rewind.c -lm
 */
#define TRIRUN_BUG_REWIND
#include "trirun_matmul.c"
