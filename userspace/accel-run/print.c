// SPDX-License-Identifier: MIT
/*
 * accel-run: printing tensors and outputs.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "print.h"

const char *ar_dtype_name(int dtype)
{
	switch (dtype) {
	case EDGENPU_DT_INT8:
		return "int8";
	case EDGENPU_DT_UINT8:
		return "uint8";
	case EDGENPU_DT_INT16:
		return "int16";
	case EDGENPU_DT_INT32:
		return "int32";
	case EDGENPU_DT_FLOAT32:
		return "float32";
	default:
		return "other";
	}
}

/* "[1,16,16,3]"; cut short if @len is too small. */
static void shape_str(const struct edgenpu_tensor_info *t, char *buf,
		      size_t len)
{
	size_t k = 0;
	uint32_t i;

	k += (size_t)snprintf(buf + k, len - k, "[");
	for (i = 0; i < t->rank && k < len; i++)
		k += (size_t)snprintf(buf + k, len - k, "%s%d", i ? "," : "",
				      t->shape[i]);
	if (k < len)
		snprintf(buf + k, len - k, "]");
}

void ar_print_tensor(size_t i, const struct edgenpu_tensor_info *t)
{
	char shape[128];

	shape_str(t, shape, sizeof(shape));
	printf("  %zu '%s' %s %s", i, t->name, ar_dtype_name(t->dtype), shape);
	if (t->scale != 0.0f)
		printf(" scale %.9g zero_point %d", (double)t->scale,
		       t->zero_point);
	else
		printf(" (not quantized)");
	printf(", %zu bytes\n", t->size);
}

/* Element @i of a byte tensor, dequantized when it is quantized. */
static double dequant(const struct edgenpu_tensor_info *t, const void *data,
		      size_t i)
{
	double q;

	switch (t->dtype) {
	case EDGENPU_DT_INT8:
		q = ((const int8_t *)data)[i];
		break;
	case EDGENPU_DT_UINT8:
		q = ((const uint8_t *)data)[i];
		break;
	default:
		return 0;
	}
	return t->scale != 0.0f ? (double)t->scale * (q - t->zero_point) : q;
}

static void print_values(const struct edgenpu_tensor_info *t,
			 const void *data, size_t n)
{
	size_t k;

	printf("    values:");
	for (k = 0; k < n; k++)
		printf(" %d", t->dtype == EDGENPU_DT_INT8 ?
		       ((const int8_t *)data)[k] : ((const uint8_t *)data)[k]);
	printf("\n");
}

/* The @topk largest of @n scores, best first (selection: N is small). */
static void print_topk(const struct edgenpu_tensor_info *t, const void *data,
		       size_t n, int topk)
{
	char *used = calloc(n, 1);
	size_t best, k;
	int r;

	if (!used)
		return;
	printf("    top-%d (dequantized):\n", topk < (int)n ? topk : (int)n);
	for (r = 0; r < topk && (size_t)r < n; r++) {
		best = n;
		for (k = 0; k < n; k++)
			if (!used[k] && (best == n ||
					 dequant(t, data, k) > dequant(t, data, best)))
				best = k;
		used[best] = 1;
		printf("      #%d class %zu: %.6f\n", r + 1, best,
		       dequant(t, data, best));
	}
	free(used);
}

void ar_print_output(size_t i, const struct edgenpu_tensor_info *t,
		     const void *data, size_t size, int topk)
{
	int byte = t->dtype == EDGENPU_DT_INT8 || t->dtype == EDGENPU_DT_UINT8;

	ar_print_tensor(i, t);
	if (byte && size <= 16)
		print_values(t, data, size);
	/* A classifier's output: [1, N]. */
	if (byte && t->rank == 2 && t->shape[0] == 1 && t->shape[1] >= 2)
		print_topk(t, data, size, topk);
}
