// SPDX-License-Identifier: MIT
/*
 * TFLite's C++ interpreter with a tensor in a custom allocation
 * (Interpreter::SetCustomAllocationForTensor(), which TFLite 2.14's C API
 * lacks), for the C test program of the delegate: see custom_alloc.h.
 */
#include <cstdlib>
#include <cstring>
#include <memory>

#include "tensorflow/lite/core/interpreter.h"
#include "tensorflow/lite/core/interpreter_builder.h"
#include "tensorflow/lite/core/model_builder.h"
#include "tensorflow/lite/kernels/register_ref.h"

#include "custom_alloc.h"

using tflite::ops::builtin::BuiltinRefOpResolver;

extern "C" int custom_alloc_run(const char *model_path, TfLiteDelegate *d,
				void *resolver, size_t in_off, size_t out_off,
				void *out, size_t out_cap, size_t *in_size,
				size_t *out_size)
{
	auto model = tflite::FlatBufferModel::BuildFromFile(model_path);
	std::unique_ptr<tflite::Interpreter> it;
	unsigned char *in_mem = nullptr, *out_mem = nullptr;
	int ret = -1;

	if (!model)
		return -1;
	tflite::InterpreterBuilder b(*model,
				     *static_cast<BuiltinRefOpResolver *>(resolver));
	b.SetNumThreads(1);
	if (b(&it) != kTfLiteOk || !it ||
	    it->ModifyGraphWithDelegate(d) != kTfLiteOk ||
	    it->AllocateTensors() != kTfLiteOk)
		return -1;
	TfLiteTensor *in = it->input_tensor(0), *o = it->output_tensor(0);
	*in_size = in->bytes;
	*out_size = o->bytes;
	/* 64-byte aligned blocks, the tensors @in_off / @out_off into them */
	in_mem = static_cast<unsigned char *>(
		std::aligned_alloc(64, (in->bytes + in_off + 63) / 64 * 64));
	out_mem = static_cast<unsigned char *>(
		std::aligned_alloc(64, (o->bytes + out_off + 63) / 64 * 64));
	if (in_mem && out_mem && o->bytes <= out_cap) {
		TfLiteCustomAllocation ia = { in_mem + in_off, in->bytes };
		TfLiteCustomAllocation oa = { out_mem + out_off, o->bytes };
		int64_t fl = kTfLiteCustomAllocationFlagsSkipAlignCheck;

		if (it->SetCustomAllocationForTensor(it->inputs()[0], ia, fl) ==
		    kTfLiteOk &&
		    it->SetCustomAllocationForTensor(it->outputs()[0], oa, fl) ==
		    kTfLiteOk &&
		    it->AllocateTensors() == kTfLiteOk) {
			in = it->input_tensor(0);
			for (size_t k = 0; k < in->bytes; k++)
				in->data.uint8[k] =
					static_cast<unsigned char>(k * 37u + 11u);
			if (it->Invoke() == kTfLiteOk) {
				std::memcpy(out, it->output_tensor(0)->data.raw,
					    *out_size);
				ret = 0;
			}
		}
	}
	it.reset();	/* before the memory it uses */
	std::free(in_mem);
	std::free(out_mem);
	return ret;
}
