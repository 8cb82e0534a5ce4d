// SPDX-License-Identifier: MIT
/*
 * TFLite's reference kernels (BuiltinRefOpResolver) for the C test
 * program of the delegate, through the C API's
 * TfLiteInterpreterOptionsSetOpResolver() callbacks.
 */
#include "tensorflow/lite/builtin_ops.h"
#include "tensorflow/lite/kernels/register_ref.h"

#include "ref_resolver.h"

using tflite::ops::builtin::BuiltinRefOpResolver;

extern "C" {
void *ref_resolver_new(void)
{
	return new BuiltinRefOpResolver();
}

void ref_resolver_delete(void *r)
{
	delete static_cast<BuiltinRefOpResolver *>(r);
}

const TfLiteRegistration *ref_find_builtin(void *r, TfLiteBuiltinOperator op,
					   int version)
{
	return static_cast<BuiltinRefOpResolver *>(r)->FindOp(
		static_cast<tflite::BuiltinOperator>(op), version);
}

const TfLiteRegistration *ref_find_custom(void *r, const char *name,
					  int version)
{
	return static_cast<BuiltinRefOpResolver *>(r)->FindOp(name, version);
}
}
