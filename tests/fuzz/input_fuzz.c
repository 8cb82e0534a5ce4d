// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for accel-run's input readers (userspace/accel-run/
 * input.c): any byte string is read as a BMP, PGM/PPM, .npy or raw file
 * into a tensor whose description the first four bytes choose. ASan and
 * UBSan catch a read past the file or a write past the tensor's buffer,
 * which is allocated at exactly the size the reader is told.
 *
 * Input layout (the seeds in tests/fuzz/input_corpus follow it):
 *   byte 0: bits 0-1 format (0 raw, 1 .npy, 2 BMP, 3 PGM/PPM),
 *           bit 2 minus128, bit 3 uint8 (else int8), bit 4 float32,
 *           bit 5 a buffer one byte smaller than the tensor
 *   byte 1: bits 0-1 rank (0: [H,W], 1: [H,W,C], else [1,H,W,C]),
 *           bits 2-3 C - 1
 *   byte 2: H, byte 3: W
 *   the rest: the file
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void describe(struct edgenpu_tensor_info *t, const uint8_t *hdr)
{
	int32_t h = hdr[2], w = hdr[3], c = ((hdr[1] >> 2) & 3) + 1;
	int rank = hdr[1] & 3;

	memset(t, 0, sizeof(*t));
	strcpy(t->name, "fuzz");
	t->dtype = hdr[0] & 0x10 ? EDGENPU_DT_FLOAT32 :
		   hdr[0] & 8 ? EDGENPU_DT_UINT8 : EDGENPU_DT_INT8;
	if (rank == 0) {
		t->rank = 2;
		t->shape[0] = h;
		t->shape[1] = w;
		c = 1;
	} else if (rank == 1) {
		t->rank = 3;
		t->shape[0] = h;
		t->shape[1] = w;
		t->shape[2] = c;
	} else {
		t->rank = 4;
		t->shape[0] = 1;
		t->shape[1] = h;
		t->shape[2] = w;
		t->shape[3] = c;
	}
	t->size = (size_t)h * (size_t)w * (size_t)c *
		  (t->dtype == EDGENPU_DT_FLOAT32 ? 4 : 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct edgenpu_tensor_info t;
	struct ar_input_dst d = { .info = &t };
	char err[256];

	if (size < 4)
		return 0;
	describe(&t, data);
	d.minus128 = !!(data[0] & 4);
	d.size = t.size - (data[0] & 0x20 && t.size ? 1 : 0);
	d.data = malloc(d.size ? d.size : 1);
	if (!d.data)
		return 0;
	ar_input_parse(data + 4, size - 4, (enum ar_input_format)(data[0] & 3),
		       &d, err, sizeof(err));
	free(d.data);
	return 0;
}
