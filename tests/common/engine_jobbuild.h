/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Tiny command-stream writer shared by the engine's host tests, KUnit
 * suite, fuzz corpus generator and benchmark. Header-only and
 * freestanding: it needs only memcpy/memset from edgenpu_port.h.
 */
#ifndef _EDGENPU_ENGINE_JOBBUILD_H_
#define _EDGENPU_ENGINE_JOBBUILD_H_

#include "edgenpu_engine.h"

struct jb {
	u8 *buf;
	u32 cap;
	u32 len;
	u32 nops;
	int overflow;
};

static inline void jb_put(struct jb *j, const void *p, u32 n)
{
	if (j->overflow || n > j->cap - j->len) {
		j->overflow = 1;
		return;
	}
	if (p)
		memcpy(j->buf + j->len, p, n);
	else
		memset(j->buf + j->len, 0, n);
	j->len += n;
}

static inline void jb_init(struct jb *j, void *buf, u32 cap)
{
	j->buf = buf;
	j->cap = cap;
	j->len = 0;
	j->nops = 0;
	j->overflow = 0;
	jb_put(j, NULL, sizeof(struct edgenpu_cmd_header));
}

/* A dense NHWC tensor operand. */
static inline struct edgenpu_cmd_tensor jb_t(u32 buf, u8 dtype, u64 offset,
					     u32 n, u32 h, u32 w, u32 c,
					     s32 zp)
{
	struct edgenpu_cmd_tensor t;

	memset(&t, 0, sizeof(t));
	t.buffer = buf;
	t.dtype = dtype;
	t.offset = offset;
	t.dims[0] = n;
	t.dims[1] = h;
	t.dims[2] = w;
	t.dims[3] = c;
	t.zero_point = zp;
	return t;
}

static inline struct edgenpu_cmd_tensor jb_q(struct edgenpu_cmd_tensor t,
					     s32 mult, s32 shift)
{
	t.multiplier = mult;
	t.shift = shift;
	return t;
}

static inline struct edgenpu_cmd_tensor jb_none(void)
{
	struct edgenpu_cmd_tensor t;

	memset(&t, 0, sizeof(t));
	t.buffer = EDGENPU_CMD_NO_BUFFER;
	return t;
}

static inline void jb_op(struct jb *j, u16 opcode, u32 flags, s32 amin,
			 s32 amax, const void *params, u32 psize,
			 const struct edgenpu_cmd_tensor *t, u32 nt)
{
	struct edgenpu_cmd_op h;
	u32 i;

	memset(&h, 0, sizeof(h));
	h.size = (u32)sizeof(h) + psize + nt * (u32)sizeof(*t);
	h.opcode = opcode;
	h.num_tensors = (u16)nt;
	h.params_size = psize;
	h.tensor_size = sizeof(*t);
	h.flags = flags;
	h.act_min = amin;
	h.act_max = amax;
	jb_put(j, &h, sizeof(h));
	jb_put(j, params, psize);
	for (i = 0; i < nt; i++)
		jb_put(j, &t[i], sizeof(*t));
	j->nops++;
}

/* Fill in the header; returns the stream size (0 if it did not fit). */
static inline u32 jb_finish(struct jb *j)
{
	struct edgenpu_cmd_header h;

	if (j->overflow)
		return 0;
	memset(&h, 0, sizeof(h));
	h.magic = EDGENPU_CMD_MAGIC;
	h.version_major = EDGENPU_CMD_VERSION_MAJOR;
	h.version_minor = EDGENPU_CMD_VERSION_MINOR;
	h.header_size = sizeof(h);
	h.op_count = j->nops;
	h.total_size = j->len;
	memcpy(j->buf, &h, sizeof(h));
	return j->len;
}

/*
 * The guest tests' everyday job: out = a + b, requantized, over three
 * int8 buffers of @n elements (buffer table entries 0, 1 and 2).
 * Returns the stream size (0 if it did not fit in @cap).
 */
static inline u32 jb_add_job(void *buf, u32 cap, u32 n)
{
	struct edgenpu_cmd_add_params p = { .left_shift = 20 };
	struct edgenpu_cmd_tensor t[3];
	struct jb j;

	jb_init(&j, buf, cap);
	t[0] = jb_q(jb_t(0, EDGENPU_DTYPE_INT8, 0, 1, 1, 1, n, 3), 1073741824, -1);
	t[1] = jb_q(jb_t(1, EDGENPU_DTYPE_INT8, 0, 1, 1, 1, n, -7), 1500000000, -2);
	t[2] = jb_q(jb_t(2, EDGENPU_DTYPE_INT8, 0, 1, 1, 1, n, 5), 1700000000, -19);
	jb_op(&j, EDGENPU_OP_ADD, 0, -128, 127, &p, sizeof(p), t, 3);
	return jb_finish(&j);
}

/*
 * A costly op for tests that need jobs to take time: FULLY_CONNECTED of
 * @rows x @k input (buffer @b) by @oc x @k weights (@b + 1) into @rows x
 * @oc outputs (@b + 2), no bias: @rows * @oc * @k multiply-adds.
 */
static inline void jb_fc_op(struct jb *j, u32 b, u32 rows, u32 k, u32 oc)
{
	struct edgenpu_cmd_tensor t[4];

	t[0] = jb_t(b, EDGENPU_DTYPE_INT8, 0, 1, 1, rows, k, 0);
	t[1] = jb_t(b + 1, EDGENPU_DTYPE_INT8, 0, 1, 1, oc, k, 0);
	t[2] = jb_none();
	t[3] = jb_q(jb_t(b + 2, EDGENPU_DTYPE_INT8, 0, 1, 1, rows, oc, 0),
		    1073741824, -12);
	jb_op(j, EDGENPU_OP_FULLY_CONNECTED, 0, -128, 127, NULL, 0, t, 4);
}

static inline struct edgenpu_cmd_conv_params jb_conv(u32 sh, u32 sw, u32 dh,
						     u32 dw, u32 pt, u32 pl,
						     u32 pb, u32 pr, u32 dm)
{
	struct edgenpu_cmd_conv_params p;

	memset(&p, 0, sizeof(p));
	p.stride_h = sh;
	p.stride_w = sw;
	p.dilation_h = dh;
	p.dilation_w = dw;
	p.pad_top = pt;
	p.pad_left = pl;
	p.pad_bottom = pb;
	p.pad_right = pr;
	p.depth_multiplier = dm;
	return p;
}

#endif /* _EDGENPU_ENGINE_JOBBUILD_H_ */
