/*
 * i2s_int16_accumulator.c: BUGGY on purpose -- kernel-bugs B6 (https://github.com/microsoft/BitNet/issues/629): the
 * AVX2 ggml_vec_dot_i2_i8_s_1x1's int16 lanes, each adding 8 products a 128-weight block over up to 32 blocks before
 * widening to int32 (at most 32 * 8 * 254 = 65024 > 32767). Right on real activations, whose signs cancel; wrong
 * from k = 2176 when they do not (the same hazard as NEON's B5, microsoft/BitNet#459, from k = 1088).
 * It is examples/kernels/i2_s_matmul.c with I2S_BUG_INT16_ACCUMULATOR defined (the function marked BUG there).
 * Build: cc -O2 -o i2s_int16_accumulator examples/bug-zoo/i2s_int16_accumulator.c -lm
 * Run:   trilm check --kernel ./i2s_int16_accumulator --format i2_s   (fails the all-plus-one-k2176 and k4096 cases;
 *        the report names "int16 accumulator overflow" with the lane, the block, the exact and the wrapped value)
 */
#define I2S_BUG_INT16_ACCUMULATOR
#include "../kernels/i2_s_matmul.c"
