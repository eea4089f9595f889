/*
 * w2a8_no_write.c: BUGGY on purpose -- kernel-bugs H3 (microsoft/BitNet gpu/bitnet_kernels/bitnet_kernels.cu,
 * bitlinear_int8xint2): for any (M, N, K) but its ten dispatched shapes the else branch prints "required ladder gemm
 * kernel" and writes nothing, so the caller's torch.zeros output is returned as the layer's result -- silent garbage,
 * exit status 0. This kernel serves only (1, 2560, 2560) and otherwise does the same.
 * It is examples/kernels/w2a8_matmul.c with W2A8_BUG_NO_WRITE defined (the lines marked BUG there).
 * Build: cc -O2 -o w2a8_no_write examples/bug-zoo/w2a8_no_write.c -lm
 * Run:   trilm check --kernel ./w2a8_no_write --format w2a8
 *        (every case but "kernel shape 1x2560x2560" fails: "y.bin left untouched ... kernel-bugs H3", the all-zero
 *        case included: a kernel that should have exited 3 must not pass by writing nothing)
 */
#define W2A8_BUG_NO_WRITE
#include "../kernels/w2a8_matmul.c"
