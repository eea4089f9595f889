/*
 * hf_bitnet_scale_divided.c: BUGGY on purpose -- kernel-bugs B9 (https://github.com/microsoft/BitNet/pull/616):
 * BitNet's converter divided offline (AutoBitLinear, "multiply") checkpoints' weights by weight_scale, the BitLinear
 * convention, giving weights "~2.4x too small" and garbled output. This kernel divides whatever case.json says.
 * It is examples/kernels/hf_bitnet_matmul.c with HF_BUG_SCALE_DIVIDED defined (the line marked BUG there).
 * Build: cc -O2 -o hf_bitnet_scale_divided examples/bug-zoo/hf_bitnet_scale_divided.c -lm
 * Run:   trilm check --kernel ./hf_bitnet_scale_divided --format hf-bitnet
 *        (the "multiply" cases fail; the report names "weight_scale divided instead of multiplied: kernel-bugs B9")
 */
#define HF_BUG_SCALE_DIVIDED
#include "../kernels/hf_bitnet_matmul.c"
