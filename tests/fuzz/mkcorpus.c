// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * mkcorpus: write the fuzzer's seed corpus, one small valid job per op
 * (plus a few multi-op jobs), each prefixed with the buffer table that
 * engine_fuzz.c expects. Every seed is checked to validate first.
 * Usage: mkcorpus DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edgenpu_engine.h"
#include "engine_jobbuild.h"

static const char *dir;
static u8 stream[8192];
static int count;

/* Buffer table of every seed: sizes and flags (tiny, 4 buffers). */
static const u16 bsize[4] = { 512, 512, 512, 512 };
static const u8 bflag[4] = { 1, 1, 2, 1 };

static void emit(const char *name, struct jb *j)
{
	struct edgenpu_engine_buffer b[4];
	struct edgenpu_engine_error e;
	static u8 mem[4][512];
	void *scr = aligned_alloc(64, EDGENPU_ENGINE_SCRATCH_SIZE);
	u32 len = jb_finish(j), i;
	char path[512];
	FILE *f;

	for (i = 0; i < 4; i++) {
		b[i].ptr = mem[i];
		b[i].size = bsize[i];
		b[i].flags = bflag[i];
		b[i].reserved = 0;
	}
	if (!len || edgenpu_engine_validate(stream, len, b, 4, scr,
					    EDGENPU_ENGINE_SCRATCH_SIZE, &e)) {
		fprintf(stderr, "seed %s invalid: %s\n", name, e.msg);
		exit(1);
	}
	free(scr);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f) {
		perror(path);
		exit(1);
	}
	fputc(4, f);
	for (i = 0; i < 4; i++) {
		fputc(bsize[i] & 0xff, f);
		fputc(bsize[i] >> 8, f);
		fputc(bflag[i], f);
	}
	fputc(0, f);
	fwrite(stream, 1, len, f);
	fclose(f);
	count++;
}

int main(int argc, char **argv)
{
	struct edgenpu_cmd_tensor t[6];
	struct edgenpu_cmd_conv_params cp;
	struct edgenpu_cmd_pool_params pp = { 2, 2, 2, 2, 0, 0, 0, 0 };
	struct edgenpu_cmd_add_params ap = { 20, 0 };
	struct edgenpu_cmd_softmax_params sp = { 1717986918, 23, -248, 0 };
	struct edgenpu_cmd_act_params act = { 1717986918, 24, 120, 0 };
	struct edgenpu_cmd_concat_params cc = { 3, 0 };
	struct edgenpu_cmd_pad_params pad;
	struct edgenpu_cmd_transpose_params tp = { { 0, 2, 1, 3 } };
	struct jb j;

	if (argc != 2) {
		fprintf(stderr, "usage: mkcorpus DIR\n");
		return 2;
	}
	dir = argv[1];

	/* conv 3x3 pad 1 on 4x4x4 -> 4x4x4, per-channel; weights buf 1. */
	cp = jb_conv(1, 1, 1, 1, 1, 1, 1, 1, 0);
	t[0] = jb_t(0, EDGENPU_DTYPE_INT8, 0, 1, 4, 4, 4, -3);
	t[1] = jb_t(1, EDGENPU_DTYPE_INT8, 0, 4, 3, 3, 4, 0);
	t[2] = jb_t(3, EDGENPU_DTYPE_INT32, 0, 1, 1, 1, 4, 0);
	t[3] = jb_t(2, EDGENPU_DTYPE_INT8, 0, 1, 4, 4, 4, 2);
	t[3].flags = EDGENPU_TENSOR_F_PER_CHANNEL;
	t[4] = jb_t(3, EDGENPU_DTYPE_INT32, 64, 1, 1, 1, 4, 0);
	t[5] = jb_t(3, EDGENPU_DTYPE_INT32, 128, 1, 1, 1, 4, 0);
	jb_init(&j, stream, sizeof(stream));
	jb_op(&j, EDGENPU_OP_CONV_2D, 0, -128, 127, &cp, sizeof(cp), t, 6);
	emit("conv2d", &j);

	cp = jb_conv(2, 2, 1, 1, 0, 0, 1, 1, 2);
	t[0] = jb_t(0, EDGENPU_DTYPE_INT8, 0, 1, 5, 5, 3, 0);
	t[1] = jb_t(1, EDGENPU_DTYPE_INT8, 0, 1, 3, 3, 6, 0);
	t[2] = jb_none();
	t[3] = jb_q(jb_t(2, EDGENPU_DTYPE_INT8, 0, 1, 2, 2, 6, 0), 1 << 30, -4);
	jb_init(&j, stream, sizeof(stream));
	jb_op(&j, EDGENPU_OP_DEPTHWISE_CONV_2D, 0, 0, 127, &cp, sizeof(cp), t, 4);
	emit("depthwise", &j);

	t[0] = jb_t(0, EDGENPU_DTYPE_INT8, 0, 2, 1, 1, 40, 1);
	t[1] = jb_t(1, EDGENPU_DTYPE_INT8, 0, 1, 1, 10, 40, 3);
	t[2] = jb_t(3, EDGENPU_DTYPE_INT32, 0, 1, 1, 1, 10, 0);
	t[3] = jb_q(jb_t(2, EDGENPU_DTYPE_INT8, 0, 2, 1, 1, 10, 0), 1 << 30, -6);
	jb_init(&j, stream, sizeof(stream));
	jb_op(&j, EDGENPU_OP_FULLY_CONNECTED, 0, -128, 127, NULL, 0, t, 4);
	emit("fully_connected", &j);

	t[0] = jb_q(jb_t(0, EDGENPU_DTYPE_INT8, 0, 1, 2, 3, 4, 1), 1 << 30, -1);
	t[1] = jb_q(jb_t(1, EDGENPU_DTYPE_INT8, 0, 1, 1, 3, 1, 2), 1 << 30, -1);
	t[2] = jb_q(jb_t(2, EDGENPU_DTYPE_INT8, 0, 1, 2, 3, 4, 0), 1 << 30, -19);
	jb_init(&j, stream, sizeof(stream));
	jb_op(&j, EDGENPU_OP_ADD, 0, -128, 127, &ap, sizeof(ap), t, 3);
	emit("add", &j);
	jb_init(&j, stream, sizeof(stream));
	jb_op(&j, EDGENPU_OP_SUB, 0, -128, 127, &ap, sizeof(ap), t, 3);
	emit("sub", &j);
	t[0] = jb_t(0, EDGENPU_DTYPE_INT8, 0, 1, 2, 3, 4, 1);
	t[1] = jb_t(1, EDGENPU_DTYPE_INT8, 0, 1, 1, 3, 1, 2);
	jb_init(&j, stream, sizeof(stream));
	jb_op(&j, EDGENPU_OP_MUL, 0, -128, 127, NULL, 0, t, 3);
	emit("mul", &j);

	t[0] = jb_t(0, EDGENPU_DTYPE_INT8, 0, 1, 4, 4, 3, 0);
	t[1] = jb_t(2, EDGENPU_DTYPE_INT8, 0, 1, 2, 2, 3, 0);
	jb_init(&j, stream, sizeof(stream));
	jb_op(&j, EDGENPU_OP_AVERAGE_POOL_2D, 0, -128, 127, &pp, sizeof(pp), t, 2);
	emit("avg_pool", &j);
	jb_init(&j, stream, sizeof(stream));
	jb_op(&j, EDGENPU_OP_MAX_POOL_2D, 0, -128, 127, &pp, sizeof(pp), t, 2);
	emit("max_pool", &j);

	t[1] = jb_q(jb_t(2, EDGENPU_DTYPE_INT8, 0, 1, 1, 1, 3, 0), 1 << 30, 0);
	jb_init(&j, stream, sizeof(stream));
	jb_op(&j, EDGENPU_OP_MEAN, 0, 0, 0, NULL, 0, t, 2);
	emit("mean", &j);

	t[0] = jb_t(0, EDGENPU_DTYPE_INT8, 0, 1, 2, 2, 10, 0);
	t[1] = jb_t(2, EDGENPU_DTYPE_INT8, 0, 1, 2, 2, 10, -128);
	jb_init(&j, stream, sizeof(stream));
	jb_op(&j, EDGENPU_OP_SOFTMAX, 0, 0, 0, &sp, sizeof(sp), t, 2);
	emit("softmax", &j);
	jb_init(&j, stream, sizeof(stream));
	jb_op(&j, EDGENPU_OP_LOGISTIC, 0, 0, 0, &act, sizeof(act), t, 2);
	emit("logistic", &j);
	t[1].zero_point = 0;
	jb_init(&j, stream, sizeof(stream));
	jb_op(&j, EDGENPU_OP_TANH, 0, 0, 0, &act, sizeof(act), t, 2);
	emit("tanh", &j);
	memset(&act, 0, sizeof(act));
	t[2] = jb_t(1, EDGENPU_DTYPE_INT8, 0, 1, 1, 1, 256, 0);
	jb_init(&j, stream, sizeof(stream));
	jb_op(&j, EDGENPU_OP_TANH, EDGENPU_OP_F_LUT, 0, 0, &act, sizeof(act), t, 3);
	emit("tanh_lut", &j);

	t[1] = jb_t(2, EDGENPU_DTYPE_INT8, 0, 1, 1, 4, 10, 0);
	jb_init(&j, stream, sizeof(stream));
	jb_op(&j, EDGENPU_OP_RESHAPE, 0, 0, 0, NULL, 0, t, 2);
	emit("reshape", &j);
	t[1] = jb_t(1, EDGENPU_DTYPE_INT8, 0, 1, 2, 2, 3, 0);
	t[2] = jb_t(2, EDGENPU_DTYPE_INT8, 0, 1, 2, 2, 13, 0);
	jb_init(&j, stream, sizeof(stream));
	jb_op(&j, EDGENPU_OP_CONCATENATION, 0, 0, 0, &cc, sizeof(cc), t, 3);
	emit("concat", &j);
	memset(&pad, 0, sizeof(pad));
	pad.before[1] = 1;
	pad.after[2] = 2;
	pad.pad_value = 3;
	t[1] = jb_t(2, EDGENPU_DTYPE_INT8, 0, 1, 3, 4, 10, 0);
	jb_init(&j, stream, sizeof(stream));
	jb_op(&j, EDGENPU_OP_PAD, 0, 0, 0, &pad, sizeof(pad), t, 2);
	emit("pad", &j);
	t[1] = jb_t(2, EDGENPU_DTYPE_INT8, 0, 1, 2, 2, 10, 0);
	jb_init(&j, stream, sizeof(stream));
	jb_op(&j, EDGENPU_OP_TRANSPOSE, 0, 0, 0, &tp, sizeof(tp), t, 2);
	emit("transpose", &j);
	t[0] = jb_t(0, EDGENPU_DTYPE_UINT8, 0, 1, 2, 2, 10, 128);
	t[1] = jb_q(jb_t(2, EDGENPU_DTYPE_INT8, 0, 1, 2, 2, 10, 0), 1 << 30, 1);
	jb_init(&j, stream, sizeof(stream));
	jb_op(&j, EDGENPU_OP_QUANTIZE, 0, 0, 0, NULL, 0, t, 2);
	emit("quantize", &j);

	/* Two ops chained through a strided view of buffer 2. */
	t[0] = jb_t(0, EDGENPU_DTYPE_INT8, 0, 1, 2, 2, 4, 0);
	t[1] = jb_t(2, EDGENPU_DTYPE_INT8, 0, 1, 2, 2, 4, 0);
	t[1].flags = EDGENPU_TENSOR_F_STRIDED;
	t[1].strides[3] = 1;
	t[1].strides[2] = 8;
	t[1].strides[1] = 16;
	t[1].strides[0] = 32;
	jb_init(&j, stream, sizeof(stream));
	jb_op(&j, EDGENPU_OP_RESHAPE, 0, 0, 0, NULL, 0, t, 2);
	t[0] = jb_t(1, EDGENPU_DTYPE_INT8, 0, 1, 1, 4, 4, 0);
	t[1] = jb_t(2, EDGENPU_DTYPE_INT8, 256, 1, 1, 4, 4, 0);
	jb_op(&j, EDGENPU_OP_RESHAPE, 0, 0, 0, NULL, 0, t, 2);
	emit("two_ops_strided", &j);
	printf("mkcorpus: wrote %d seeds to %s\n", count, dir);
	return 0;
}
