/*
 * i2s_arm_layout.c: BUGGY on purpose -- kernel-bugs B1 (https://github.com/microsoft/BitNet/issues/585): the ARM
 * build's I2_S packing (QK_I2_S 64: 16-byte groups) used to read the official x86-packed file (QK_I2_S 128: 32-byte
 * groups). Every weight decodes to a valid ternary value at the wrong place: finite garbage, no crash.
 * It is examples/kernels/i2_s_matmul.c with I2S_BUG_ARM_LAYOUT defined (the line marked BUG there).
 * Build: cc -O2 -o i2s_arm_layout examples/bug-zoo/i2s_arm_layout.c -lm
 * Run:   trilm check --kernel ./i2s_arm_layout --format i2_s   (fails; the report names "reads the arm (64-element) layout")
 */
#define I2S_BUG_ARM_LAYOUT
#include "../kernels/i2_s_matmul.c"
