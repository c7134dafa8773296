/* punie-eval replacement for mlx-c's half.h (force-included before it; same
 * include guard). Upstream declares float16_t/bfloat16_t only on ARM, so on
 * x86_64 the mlx_array_{item,data}_{float16,bfloat16} functions vanish and
 * mlx-rs fails to build. These are 16-bit storage types passed by pointer:
 * bindgen must see __fp16 (-> __BindgenFloat16, what mlx-rs expects) and the
 * C++ side only needs the same size and alignment. */
#ifndef MLX_HALF_H
#define MLX_HALF_H

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__ARM_FEATURE_FP16_SCALAR_ARITHMETIC) || defined(__aarch64__)
#define HAS_FLOAT16
#include <arm_fp16.h>
typedef __fp16 float16_t;
#else
#define HAS_FLOAT16
#if defined(PUNIE_BINDGEN)
typedef __fp16 float16_t;
#else
typedef unsigned short float16_t;
#endif
#endif

#if defined(__ARM_FEATURE_BF16) || defined(__aarch64__)
#define HAS_BFLOAT16
#include <arm_bf16.h>
typedef __bf16 bfloat16_t;
#else
#define HAS_BFLOAT16
typedef unsigned short bfloat16_t;
#endif

#ifdef __cplusplus
}
#endif

#endif
