/* SPDX-License-Identifier: MIT */
/*
 * accel-run: how tensors and outputs are printed (info, run).
 */
#ifndef ACCEL_RUN_PRINT_H
#define ACCEL_RUN_PRINT_H

#include <stddef.h>

#include "edgenpu.h"

/* "int8", "float32", ...; "other" for a type accel-run does not name. */
const char *ar_dtype_name(int dtype);

/* One line: index, name, type, shape, quantization and size. */
void ar_print_tensor(size_t i, const struct edgenpu_tensor_info *t);

/*
 * Output @i: its tensor line, its values when there are 16 or fewer, and
 * for a classifier ([1, N]) the @topk best classes, dequantized.
 */
void ar_print_output(size_t i, const struct edgenpu_tensor_info *t,
		     const void *data, size_t size, int topk);

#endif
