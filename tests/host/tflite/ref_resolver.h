/* SPDX-License-Identifier: MIT */
/*
 * TFLite's reference kernels (BuiltinRefOpResolver, C++) for the C test
 * program of the delegate: ref_resolver.cc implements these.
 */
#ifndef EDGENPU_REF_RESOLVER_H
#define EDGENPU_REF_RESOLVER_H

#include "tensorflow/lite/builtin_ops.h"
#include "tensorflow/lite/core/c/common.h"

#ifdef __cplusplus
extern "C" {
#endif

void *ref_resolver_new(void);
void ref_resolver_delete(void *r);
const TfLiteRegistration *ref_find_builtin(void *r, TfLiteBuiltinOperator op,
					   int version);
const TfLiteRegistration *ref_find_custom(void *r, const char *name,
					  int version);

#ifdef __cplusplus
}
#endif

#endif
