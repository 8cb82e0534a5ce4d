// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite "edgenpu_engine": the kernel build of the engine computes
 * the same results and rejects the same streams as the userspace build
 * (tests/host/engine/engine_test.c holds the larger host suite). Golden
 * vectors come from tests/common/engine_vectors.h.
 *
 * Build note: needs -I drivers/accel/edgenpu/engine and -I tests/common.
 */
#include <kunit/test.h>
#include <linux/slab.h>

#include "edgenpu_engine.h"
#include "eng_internal.h"	/* the opcode table */
#include "engine_jobbuild.h"
#include "engine_vectors.h"

struct eng_kctx {
	struct edgenpu_cmd_tensor t[6];
	struct jb j;
	struct edgenpu_cmd_conv_params cp;
	u8 stream[4096];
	struct edgenpu_engine_buffer bufs[6];
	struct edgenpu_engine_error err;
	void *scratch;
};

static struct eng_kctx *eng_ctx(struct kunit *test)
{
	struct eng_kctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->scratch = kunit_kzalloc(test, EDGENPU_ENGINE_SCRATCH_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c->scratch);
	return c;
}

static void eng_buf(struct eng_kctx *c, int i, void *p, u64 n, u32 fl)
{
	c->bufs[i].ptr = p;
	c->bufs[i].size = n;
	c->bufs[i].flags = fl;
	c->bufs[i].reserved = 0;
}

static int eng_go(struct eng_kctx *c, struct jb *j, u32 nb)
{
	u32 len = jb_finish(j);

	if (!len)
		return -ENOBUFS;
	return edgenpu_engine_run(c->stream, len, c->bufs, nb, c->scratch,
				  EDGENPU_ENGINE_SCRATCH_SIZE, NULL, &c->err);
}

static void eng_test_rounding(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, edgenpu_engine_srdhm(S32_MIN, S32_MIN), S32_MAX);
	KUNIT_EXPECT_EQ(test, edgenpu_engine_srdhm(1, 1 << 30), 1);
	KUNIT_EXPECT_EQ(test, edgenpu_engine_srdhm(-1, 1 << 30), 0);
	KUNIT_EXPECT_EQ(test, edgenpu_engine_rdbpot(-5, 1), -3);
	KUNIT_EXPECT_EQ(test, edgenpu_engine_rdbpot(5, 1), 3);
	KUNIT_EXPECT_EQ(test, edgenpu_engine_rdbpot(S32_MIN, 31), -1);
	KUNIT_EXPECT_EQ(test, edgenpu_engine_rdbpot(-(1 << 30), 31), -1);
	KUNIT_EXPECT_EQ(test, edgenpu_engine_mbqm(3, 1 << 30, 0), 2);
	KUNIT_EXPECT_EQ(test, edgenpu_engine_mbqm(-3, 1 << 30, 0), -1);
	KUNIT_EXPECT_EQ(test, edgenpu_engine_mbqm(S32_MAX, S32_MAX, -31), 1);
	KUNIT_EXPECT_EQ(test, edgenpu_engine_mbqm(1, 1 << 30, 30), 1 << 29);
	KUNIT_EXPECT_EQ(test, edgenpu_engine_mbqm(3, 1 << 30, 30), -(1 << 29));
}

/*
 * 3x3 convolution, pad 1, on a 3x3x1 input of ones (zero point 0) with
 * all-one weights: each output is the count of taps inside the image
 * (4 corners, 6 edges, 9 centre) times 2 (multiplier 2^30, shift 2, i.e.
 * x * 2), plus the bias 1 (doubled too) and output zero point -5.
 */
static void eng_test_conv_hand(struct kunit *test)
{
	static const s8 expect[9] = { 5, 9, 5, 9, 15, 9, 5, 9, 5 };
	struct eng_kctx *c = eng_ctx(test);
	s8 *in = kunit_kzalloc(test, 64, GFP_KERNEL);
	s8 *w = kunit_kzalloc(test, 64, GFP_KERNEL);
	s8 *out = kunit_kzalloc(test, 64, GFP_KERNEL);
	s32 *bias = kunit_kzalloc(test, 64, GFP_KERNEL);
	struct edgenpu_cmd_tensor *t = c->t;
	int i;

	KUNIT_ASSERT_TRUE(test, in && w && out && bias);
	for (i = 0; i < 9; i++) {
		in[i] = 1;
		w[i] = 1;
	}
	bias[0] = 1;
	t[0] = jb_t(0, EDGENPU_DTYPE_INT8, 0, 1, 3, 3, 1, 0);
	t[1] = jb_t(1, EDGENPU_DTYPE_INT8, 0, 1, 3, 3, 1, 0);
	t[2] = jb_t(2, EDGENPU_DTYPE_INT32, 0, 1, 1, 1, 1, 0);
	t[3] = jb_q(jb_t(3, EDGENPU_DTYPE_INT8, 0, 1, 3, 3, 1, -5), 1 << 30, 2);
	eng_buf(c, 0, in, 9, EDGENPU_BUF_READ);
	eng_buf(c, 1, w, 9, EDGENPU_BUF_READ);
	eng_buf(c, 2, bias, 4, EDGENPU_BUF_READ);
	eng_buf(c, 3, out, 9, EDGENPU_BUF_WRITE);
	jb_init(&c->j, c->stream, sizeof(c->stream));
	c->cp = jb_conv(1, 1, 1, 1, 1, 1, 1, 1, 0);
	jb_op(&c->j, EDGENPU_OP_CONV_2D, 0, -128, 127, &c->cp, sizeof(c->cp),
	      t, 4);
	KUNIT_ASSERT_EQ(test, eng_go(c, &c->j, 4), 0);
	for (i = 0; i < 9; i++)
		KUNIT_EXPECT_EQ(test, out[i], expect[i]);
}

static void eng_run_softmax(struct kunit *test, s32 m, s32 sh, s32 dmin,
			    const s8 *gin, const s8 *gout, u32 n, u32 depth)
{
	struct edgenpu_cmd_softmax_params sp = { m, sh, dmin, 0 };
	struct eng_kctx *c = eng_ctx(test);
	s8 *in = kunit_kzalloc(test, n, GFP_KERNEL);
	s8 *out = kunit_kzalloc(test, n, GFP_KERNEL);
	struct edgenpu_cmd_tensor *t = c->t;

	KUNIT_ASSERT_TRUE(test, in && out);
	memcpy(in, gin, n);
	t[0] = jb_t(0, EDGENPU_DTYPE_INT8, 0, 1, 1, n / depth, depth, 0);
	t[1] = jb_t(1, EDGENPU_DTYPE_INT8, 0, 1, 1, n / depth, depth, -128);
	eng_buf(c, 0, in, n, EDGENPU_BUF_READ);
	eng_buf(c, 1, out, n, EDGENPU_BUF_WRITE);
	jb_init(&c->j, c->stream, sizeof(c->stream));
	jb_op(&c->j, EDGENPU_OP_SOFTMAX, 0, 0, 0, &sp, sizeof(sp), t, 2);
	KUNIT_ASSERT_EQ(test, eng_go(c, &c->j, 2), 0);
	KUNIT_EXPECT_EQ(test, memcmp(out, gout, n), 0);
}

static void eng_test_softmax_golden(struct kunit *test)
{
	eng_run_softmax(test, GOLD_SOFTMAX_MULT, GOLD_SOFTMAX_SHIFT,
			GOLD_SOFTMAX_DIFF_MIN, gold_softmax_in, gold_softmax_out,
			64, 16);
	eng_run_softmax(test, GOLD_SOFTMAX2_MULT, GOLD_SOFTMAX2_SHIFT,
			GOLD_SOFTMAX2_DIFF_MIN, gold_softmax2_in,
			gold_softmax2_out, 40, 40);
}

static void eng_run_act(struct kunit *test, u16 opc, s32 m, s32 s, s32 r,
			s32 zp, const s8 *gold)
{
	struct edgenpu_cmd_act_params ap = { m, s, r, 0 };
	struct eng_kctx *c = eng_ctx(test);
	s8 *in = kunit_kzalloc(test, 256, GFP_KERNEL);
	s8 *out = kunit_kzalloc(test, 256, GFP_KERNEL);
	struct edgenpu_cmd_tensor *t = c->t;
	int i;

	KUNIT_ASSERT_TRUE(test, in && out);
	for (i = 0; i < 256; i++)
		in[i] = (s8)(i - 128);
	t[0] = jb_t(0, EDGENPU_DTYPE_INT8, 0, 1, 1, 16, 16, zp);
	t[1] = jb_t(1, EDGENPU_DTYPE_INT8, 0, 1, 1, 16, 16, 0);
	eng_buf(c, 0, in, 256, EDGENPU_BUF_READ);
	eng_buf(c, 1, out, 256, EDGENPU_BUF_WRITE);
	jb_init(&c->j, c->stream, sizeof(c->stream));
	jb_op(&c->j, opc, 0, 0, 0, &ap, sizeof(ap), t, 2);
	KUNIT_ASSERT_EQ(test, eng_go(c, &c->j, 2), 0);
	KUNIT_EXPECT_EQ(test, memcmp(out, gold, 256), 0);
}

static void eng_test_logistic_tanh_golden(struct kunit *test)
{
	eng_run_act(test, EDGENPU_OP_LOGISTIC, GOLD_LOGISTIC_10_MULT,
		    GOLD_LOGISTIC_10_SHIFT, GOLD_LOGISTIC_10_RADIUS,
		    GOLD_LOGISTIC_10_ZP, gold_logistic_10);
	eng_run_act(test, EDGENPU_OP_LOGISTIC, GOLD_LOGISTIC_5_MULT,
		    GOLD_LOGISTIC_5_SHIFT, GOLD_LOGISTIC_5_RADIUS,
		    GOLD_LOGISTIC_5_ZP, gold_logistic_5);
	eng_run_act(test, EDGENPU_OP_TANH, GOLD_TANH_5_MULT, GOLD_TANH_5_SHIFT,
		    GOLD_TANH_5_RADIUS, GOLD_TANH_5_ZP, gold_tanh_5);
	eng_run_act(test, EDGENPU_OP_TANH, GOLD_TANH_10_MULT, GOLD_TANH_10_SHIFT,
		    GOLD_TANH_10_RADIUS, GOLD_TANH_10_ZP, gold_tanh_10);
}

/* Validator rejection classes with their specific errno values. */
static void eng_test_validator(struct kunit *test)
{
	struct eng_kctx *c = eng_ctx(test);
	s8 *a = kunit_kzalloc(test, 64, GFP_KERNEL);
	s8 *b = kunit_kzalloc(test, 64, GFP_KERNEL);
	struct edgenpu_cmd_header *h = (void *)c->stream;
	struct edgenpu_cmd_tensor *t = c->t;
	u32 len;

	KUNIT_ASSERT_TRUE(test, a && b);
	eng_buf(c, 0, a, 64, EDGENPU_BUF_READ);
	eng_buf(c, 1, b, 64, EDGENPU_BUF_WRITE);
#define ENG_JOB(mod) do {						\
	t[0] = jb_t(0, EDGENPU_DTYPE_INT8, 0, 1, 2, 4, 8, 0);		\
	t[1] = jb_t(1, EDGENPU_DTYPE_INT8, 0, 1, 1, 8, 8, 0);		\
	mod;								\
	jb_init(&c->j, c->stream, sizeof(c->stream));			\
	jb_op(&c->j, EDGENPU_OP_RESHAPE, 0, 0, 0, NULL, 0, t, 2);		\
	len = jb_finish(&c->j);						\
} while (0)
#define ENG_VAL() edgenpu_engine_validate(c->stream, len, c->bufs, 2,	\
		c->scratch, EDGENPU_ENGINE_SCRATCH_SIZE, &c->err)
#define ENG_VAL3() edgenpu_engine_validate(c->stream, len, c->bufs, 3,	\
		c->scratch, EDGENPU_ENGINE_SCRATCH_SIZE, &c->err)

	ENG_JOB((void)0);
	KUNIT_EXPECT_EQ(test, ENG_VAL(), 0);
	h->magic = 0;
	KUNIT_EXPECT_EQ(test, ENG_VAL(), -EBADMSG);
	ENG_JOB((void)0);
	h->version_major = 9;
	KUNIT_EXPECT_EQ(test, ENG_VAL(), -EPROTONOSUPPORT);
	ENG_JOB((void)0);
	KUNIT_EXPECT_EQ(test,
			edgenpu_engine_validate(c->stream, len - 8, c->bufs, 2,
						c->scratch,
						EDGENPU_ENGINE_SCRATCH_SIZE,
						&c->err),
			-EMSGSIZE);
	h->op_count = EDGENPU_CMD_MAX_OPS + 1;
	KUNIT_EXPECT_EQ(test, ENG_VAL(), -E2BIG);
}

static void eng_test_validator2(struct kunit *test)
{
	struct eng_kctx *c = eng_ctx(test);
	s8 *a = kunit_kzalloc(test, 64, GFP_KERNEL);
	s8 *b = kunit_kzalloc(test, 64, GFP_KERNEL);
	struct edgenpu_cmd_tensor *t = c->t;
	u32 len;

	KUNIT_ASSERT_TRUE(test, a && b);
	eng_buf(c, 0, a, 64, EDGENPU_BUF_READ);
	eng_buf(c, 1, b, 64, EDGENPU_BUF_WRITE);
	ENG_JOB(t[1].buffer = 5);
	KUNIT_EXPECT_EQ(test, ENG_VAL(), -ENXIO);
	KUNIT_EXPECT_EQ(test, c->err.code, (u32)EDGENPU_ENGINE_E_BUFFER_INDEX);
	ENG_JOB(t[1].offset = 8);
	KUNIT_EXPECT_EQ(test, ENG_VAL(), -ERANGE);
	ENG_JOB(t[1].offset = ~0ull - 7);
	KUNIT_EXPECT_EQ(test, ENG_VAL(), -EOVERFLOW);
}

static void eng_test_validator3(struct kunit *test)
{
	struct eng_kctx *c = eng_ctx(test);
	s8 *a = kunit_kzalloc(test, 64, GFP_KERNEL);
	s8 *b = kunit_kzalloc(test, 64, GFP_KERNEL);
	struct edgenpu_cmd_header *h = (void *)c->stream;
	struct edgenpu_cmd_tensor *t = c->t;
	u32 len;

	KUNIT_ASSERT_TRUE(test, a && b);
	eng_buf(c, 0, a, 64, EDGENPU_BUF_READ);
	eng_buf(c, 1, b, 64, EDGENPU_BUF_WRITE);
	ENG_JOB(t[0].dims[2] = 0);
	KUNIT_EXPECT_EQ(test, ENG_VAL(), -EDOM);
	ENG_JOB(t[0].flags = EDGENPU_TENSOR_F_STRIDED; t[0].strides[3] = 3);
	KUNIT_EXPECT_EQ(test, ENG_VAL(), -EDOM);
	KUNIT_EXPECT_EQ(test, c->err.code, (u32)EDGENPU_ENGINE_E_STRIDES);
	ENG_JOB(t[1].buffer = 0);
	c->bufs[0].flags |= EDGENPU_BUF_WRITE;
	KUNIT_EXPECT_EQ(test, ENG_VAL(), -EBUSY);
	c->bufs[0].flags = EDGENPU_BUF_READ;
	ENG_JOB(t[1].buffer = 0);
	KUNIT_EXPECT_EQ(test, ENG_VAL(), -EACCES);
	ENG_JOB((void)0);
	((struct edgenpu_cmd_op *)(c->stream + sizeof(*h)))->opcode = 99;
	KUNIT_EXPECT_EQ(test, ENG_VAL(), -EOPNOTSUPP);
	ENG_JOB((void)0);
	KUNIT_EXPECT_EQ(test,
			edgenpu_engine_validate(c->stream, len, c->bufs, 2,
						c->scratch, 64, &c->err),
			-ENOSPC);
	KUNIT_EXPECT_STRNEQ(test, c->err.msg, "");
}

/*
 * Cost limits: the 2^37-MAC convolution of the host suite, and a job of
 * three ops that each fit but not together. No buffer memory at all:
 * validation reads sizes and flags only.
 */
static void eng_test_cost(struct kunit *test)
{
	struct eng_kctx *c = eng_ctx(test);
	struct edgenpu_cmd_tensor *t = c->t;
	u32 len, i;

	for (i = 0; i < 3; i++)
		eng_buf(c, i, NULL, 1ull << 30, i == 2 ?
			EDGENPU_BUF_WRITE : EDGENPU_BUF_READ);
	t[0] = jb_t(0, EDGENPU_DTYPE_INT8, 0, 1, 319, 319, 8, 0);
	t[1] = jb_t(1, EDGENPU_DTYPE_INT8, 0, 64, 64, 64, 8, 0);
	t[2] = jb_none();
	t[3] = jb_q(jb_t(2, EDGENPU_DTYPE_INT8, 0, 1, 256, 256, 64, 0),
		    1 << 30, -8);
	c->cp = jb_conv(1, 1, 1, 1, 0, 0, 0, 0, 0);
	jb_init(&c->j, c->stream, sizeof(c->stream));
	jb_op(&c->j, EDGENPU_OP_CONV_2D, 0, -128, 127, &c->cp, sizeof(c->cp),
	      t, 4);
	len = jb_finish(&c->j);
	KUNIT_EXPECT_EQ(test, ENG_VAL3(), -E2BIG);
	KUNIT_EXPECT_EQ(test, c->err.code, (u32)EDGENPU_ENGINE_E_COST);
	KUNIT_EXPECT_STREQ(test, c->err.msg,
			   "op cost 137438953472 exceeds the limit 4294967296");

	/* FULLY_CONNECTED 8 x 32767 x 16384: just under 2^32 each. */
	t[0] = jb_t(0, EDGENPU_DTYPE_INT8, 0, 8, 1, 1, 32767, 0);
	t[1] = jb_t(1, EDGENPU_DTYPE_INT8, 0, 1, 1, 16384, 32767, 0);
	t[3] = jb_q(jb_t(2, EDGENPU_DTYPE_INT8, 0, 8, 1, 1, 16384, 0),
		    1 << 30, -8);
	jb_init(&c->j, c->stream, sizeof(c->stream));
	for (i = 0; i < 2; i++)
		jb_op(&c->j, EDGENPU_OP_FULLY_CONNECTED, 0, -128, 127, NULL, 0,
		      t, 4);
	len = jb_finish(&c->j);
	KUNIT_EXPECT_EQ(test, ENG_VAL3(), 0);
	jb_op(&c->j, EDGENPU_OP_FULLY_CONNECTED, 0, -128, 127, NULL, 0, t, 4);
	len = jb_finish(&c->j);
	KUNIT_EXPECT_EQ(test, ENG_VAL3(), -E2BIG);
	KUNIT_EXPECT_EQ(test, c->err.code, (u32)EDGENPU_ENGINE_E_COST);
	KUNIT_EXPECT_EQ(test, c->err.op_index, 2);
}

/* Strides that map two elements to one address are refused. */
static void eng_test_strides(struct kunit *test)
{
	static const u64 bad[][4] = { { 0, 0, 4, 1 }, { 5, 0, 4, 1 } };
	struct eng_kctx *c = eng_ctx(test);
	struct edgenpu_cmd_tensor *t = c->t;
	u32 len, i;

	eng_buf(c, 0, NULL, 4096, EDGENPU_BUF_READ);
	eng_buf(c, 1, NULL, 4096, EDGENPU_BUF_WRITE);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		ENG_JOB(t[0] = jb_t(0, EDGENPU_DTYPE_INT8, 0, 2, 1, 2, 4, 0);
			t[0].flags = EDGENPU_TENSOR_F_STRIDED;
			memcpy(t[0].strides, bad[i], sizeof(bad[i]));
			t[1] = jb_t(1, EDGENPU_DTYPE_INT8, 0, 1, 1, 1, 16, 0));
		KUNIT_EXPECT_EQ(test, ENG_VAL(), -EDOM);
		KUNIT_EXPECT_EQ(test, c->err.code, (u32)EDGENPU_ENGINE_E_STRIDES);
	}
	/* Gapped but disjoint: accepted. */
	ENG_JOB(t[0] = jb_t(0, EDGENPU_DTYPE_INT8, 0, 1, 2, 2, 4, 0);
		t[0].flags = EDGENPU_TENSOR_F_STRIDED;
		t[0].strides[1] = 9;
		t[0].strides[2] = 5;
		t[0].strides[3] = 1;
		t[1] = jb_t(1, EDGENPU_DTYPE_INT8, 0, 1, 1, 1, 16, 0));
	KUNIT_EXPECT_EQ(test, ENG_VAL(), 0);
}

/* Validation needs no buffer memory; execution does. */
static void eng_test_validate_nomem(struct kunit *test)
{
	struct eng_kctx *c = eng_ctx(test);
	struct edgenpu_cmd_tensor *t = c->t;
	u32 len;

	eng_buf(c, 0, NULL, 64, EDGENPU_BUF_READ);
	eng_buf(c, 1, NULL, 64, EDGENPU_BUF_WRITE);
	ENG_JOB((void)0);
	KUNIT_EXPECT_EQ(test, ENG_VAL(), 0);
	KUNIT_EXPECT_EQ(test,
			edgenpu_engine_execute(c->stream, len, c->bufs, 2,
					       c->scratch,
					       EDGENPU_ENGINE_SCRATCH_SIZE, NULL,
					       &c->err),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, c->err.code, (u32)EDGENPU_ENGINE_E_ARGS);
}

struct eng_cancel {
	int calls;
	int cancel_at;
	u32 last_op;
};

static int eng_cancel_hook(void *ctx, u32 op_index)
{
	struct eng_cancel *x = ctx;

	x->last_op = op_index;
	return ++x->calls == x->cancel_at;
}

/*
 * A 2^22-MAC convolution asks the cancellation hook (and passes a
 * preemption point) about every 65536 MACs, and stops inside the op
 * when the hook says so.
 */
static void eng_test_cancel_in_op(struct kunit *test)
{
	struct eng_kctx *c = eng_ctx(test);
	struct edgenpu_cmd_tensor *t = c->t;
	struct eng_cancel x = { 0 };
	struct edgenpu_engine_hooks hooks = {
		.cancelled = eng_cancel_hook, .ctx = &x,
	};
	s8 *in = kunit_kzalloc(test, 8 * 8 * 256, GFP_KERNEL);
	s8 *w = kunit_kzalloc(test, 256 * 256, GFP_KERNEL);
	s8 *out = kunit_kzalloc(test, 8 * 8 * 256, GFP_KERNEL);
	u32 len;

	KUNIT_ASSERT_TRUE(test, in && w && out);
	t[0] = jb_t(0, EDGENPU_DTYPE_INT8, 0, 1, 8, 8, 256, 0);
	t[1] = jb_t(1, EDGENPU_DTYPE_INT8, 0, 256, 1, 1, 256, 0);
	t[2] = jb_none();
	t[3] = jb_q(jb_t(2, EDGENPU_DTYPE_INT8, 0, 1, 8, 8, 256, 0),
		    1 << 30, -8);
	eng_buf(c, 0, in, 8 * 8 * 256, EDGENPU_BUF_READ);
	eng_buf(c, 1, w, 256 * 256, EDGENPU_BUF_READ);
	eng_buf(c, 2, out, 8 * 8 * 256, EDGENPU_BUF_WRITE);
	c->cp = jb_conv(1, 1, 1, 1, 0, 0, 0, 0, 0);
	jb_init(&c->j, c->stream, sizeof(c->stream));
	jb_op(&c->j, EDGENPU_OP_CONV_2D, 0, -128, 127, &c->cp, sizeof(c->cp),
	      t, 4);
	len = jb_finish(&c->j);
	KUNIT_ASSERT_EQ(test, ENG_VAL3(), 0);
	KUNIT_EXPECT_EQ(test,
			edgenpu_engine_execute(c->stream, len, c->bufs, 3,
					       c->scratch,
					       EDGENPU_ENGINE_SCRATCH_SIZE,
					       &hooks, &c->err), 0);
	/* One call before the op, then one per 65536 to 131072 MACs. */
	KUNIT_EXPECT_GE(test, x.calls, 33);
	KUNIT_EXPECT_LE(test, x.calls, 130);
	x.calls = 0;
	x.cancel_at = 3;
	KUNIT_EXPECT_EQ(test,
			edgenpu_engine_execute(c->stream, len, c->bufs, 3,
					       c->scratch,
					       EDGENPU_ENGINE_SCRATCH_SIZE,
					       &hooks, &c->err), -ECANCELED);
	KUNIT_EXPECT_EQ(test, c->err.code, (u32)EDGENPU_ENGINE_E_CANCELED);
	KUNIT_EXPECT_EQ(test, c->err.op_index, 0);
	KUNIT_EXPECT_EQ(test, x.calls, 3);
	KUNIT_EXPECT_EQ(test, x.last_op, 0u);
}

/*
 * The kernel build's opcode table is complete: every opcode has a name,
 * a checker, an executor and a cost, and the exported output index is
 * the one the engine checks (the last operand for CONCATENATION).
 */
static void eng_test_op_table(struct kunit *test)
{
	u32 op;

	for (op = 1; op < EDGENPU_OP_COUNT; op++) {
		const struct eng_op_desc *d = &eng_ops[op];

		KUNIT_EXPECT_NOT_NULL(test, d->name);
		KUNIT_EXPECT_NOT_NULL(test, d->check);
		KUNIT_EXPECT_NOT_NULL(test, d->exec);
		KUNIT_EXPECT_TRUE(test, d->cost || d->cost_weight);
		KUNIT_EXPECT_STRNEQ(test, edgenpu_engine_op_name(op), "UNKNOWN");
		KUNIT_EXPECT_LT(test, edgenpu_engine_op_output(op, 4), 4u);
	}
	KUNIT_EXPECT_EQ(test, edgenpu_engine_op_output(EDGENPU_OP_CONV_2D, 4), 3u);
	KUNIT_EXPECT_EQ(test, edgenpu_engine_op_output(EDGENPU_OP_ADD, 3), 2u);
	KUNIT_EXPECT_EQ(test, edgenpu_engine_op_output(EDGENPU_OP_PAD, 2), 1u);
	KUNIT_EXPECT_EQ(test,
			edgenpu_engine_op_output(EDGENPU_OP_CONCATENATION, 5),
			4u);
	KUNIT_EXPECT_EQ(test, edgenpu_engine_op_output(EDGENPU_OP_INVALID, 4),
			0u);
	KUNIT_EXPECT_EQ(test, edgenpu_engine_op_output(EDGENPU_OP_COUNT, 4), 0u);
	KUNIT_EXPECT_EQ(test, edgenpu_engine_op_params_size(EDGENPU_OP_PAD),
			(u32)sizeof(struct edgenpu_cmd_pad_params));
	KUNIT_EXPECT_EQ(test, edgenpu_engine_op_params_size(EDGENPU_OP_COUNT),
			0u);
}

static struct kunit_case edgenpu_engine_cases[] = {
	KUNIT_CASE(eng_test_op_table),
	KUNIT_CASE(eng_test_rounding),
	KUNIT_CASE(eng_test_conv_hand),
	KUNIT_CASE(eng_test_softmax_golden),
	KUNIT_CASE(eng_test_logistic_tanh_golden),
	KUNIT_CASE(eng_test_validator),
	KUNIT_CASE(eng_test_validator2),
	KUNIT_CASE(eng_test_validator3),
	KUNIT_CASE(eng_test_cost),
	KUNIT_CASE(eng_test_strides),
	KUNIT_CASE(eng_test_validate_nomem),
	KUNIT_CASE(eng_test_cancel_in_op),
	{}
};

static struct kunit_suite edgenpu_engine_suite = {
	.name = "edgenpu_engine",
	.test_cases = edgenpu_engine_cases,
};

kunit_test_suite(edgenpu_engine_suite);
