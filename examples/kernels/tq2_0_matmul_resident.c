/*
 * tq2_0_matmul_resident.c: tq2_0_matmul.c (a CORRECT kernel, tq2_0 and tq1_0, f32 and ggml activations)
 * as a resident kernel, protocol v1.1 (spec/kernel-protocol.md section 8): started with no argument it
 * reads case directories one a line on stdin and answers ok / unsupported / error (serve_resident in
 * kernel_io.h); given a case directory it runs that one case, as protocol v1.
 *
 *   cc -O2 -o tq2_0_matmul_resident examples/kernels/tq2_0_matmul_resident.c -lm
 *   trilm check --kernel ./tq2_0_matmul_resident --resident --op matmul --format tq2_0
 */
#define main matmul_one_case
#include "tq2_0_matmul.c"
#undef main

int main(int argc, char **argv) {
  return argc < 2 ? serve_resident(argv[0], matmul_one_case) : matmul_one_case(argc, argv);
}
