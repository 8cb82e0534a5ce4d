/* SPDX-License-Identifier: MIT */
/*
 * TFLite's C++ interpreter with tensors in custom allocations, for the C
 * test program of the delegate: custom_alloc.cc implements it.
 */
#ifndef EDGENPU_CUSTOM_ALLOC_H
#define EDGENPU_CUSTOM_ALLOC_H

#include <stddef.h>

#include "tensorflow/lite/core/c/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * @model_path on the reference kernels (@resolver, ref_resolver_new()),
 * with delegate @d, its input 0 and output 0 in custom allocations
 * (kTfLiteCustomAllocationFlagsSkipAlignCheck) @in_off and @out_off bytes
 * past a 64-byte boundary; input 0 filled with the pattern
 * (k * 37 + 11), one Invoke, output 0 copied to @out (@out_cap bytes).
 * Sets the two tensors' sizes. 0, or -1.
 */
int custom_alloc_run(const char *model_path, TfLiteDelegate *d,
		     void *resolver, size_t in_off, size_t out_off, void *out,
		     size_t out_cap, size_t *in_size, size_t *out_size);

#ifdef __cplusplus
}
#endif

#endif
