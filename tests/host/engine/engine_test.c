// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Host unit tests of the edgenpu engine (userspace build), TAP output.
 *
 * Every op is checked against a naive reference written here straight
 * from TensorFlow Lite's reference loops (conv.h, depthwise_conv.h,
 * fully_connected.h, add.h, mul.h, pooling.h, mean.h, requantize), with
 * its own fixed-point helpers, on random data over many shape, stride,
 * padding, dilation and zero-point combinations. Rounding edge cases are
 * hand-derived constants; SOFTMAX/LOGISTIC/TANH use golden vectors from
 * an independent Python model (tests/common/engine_vectors.h).
 */
#define _DEFAULT_SOURCE	/* mmap */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "edgenpu_engine.h"
#include "eng_internal.h"	/* the opcode table, for test_op_table() */
#include "engine_jobbuild.h"
#include "engine_vectors.h"
#include "tap.h"

static struct tap tap;

/* Non-zero: run1() validates, then edgenpu_engine_execute()s. */
static int exec_mode;

static void ok(int cond, const char *name)
{
	tap_check(&tap, cond, "%s%s", exec_mode ? "execute(): " : "", name);
}

static unsigned int rng = 12345;

static int rnd(int lo, int hi)
{
	rng = rng * 1103515245u + 12345u;
	return lo + (int)((rng >> 8) % (unsigned int)(hi - lo + 1));
}

/* ---- reference arithmetic, independent of the engine's helpers ---- */

static int32_t ref_srdhm(int32_t a, int32_t b)
{
	int64_t ab;

	if (a == INT32_MIN && b == INT32_MIN)
		return INT32_MAX;
	ab = (int64_t)a * b;
	return (int32_t)((ab + (ab >= 0 ? (1ll << 30) : 1 - (1ll << 30))) /
			 (1ll << 31));
}

static int32_t ref_rdbpot(int32_t x, int e)
{
	int64_t den = 1ll << e, q;
	int64_t ax = x < 0 ? -(int64_t)x : x;

	if (e == 0)
		return x;
	q = ax / den;
	if ((ax - q * den) * 2 >= den)
		q++;
	return (int32_t)(x < 0 ? -q : q);
}

static int32_t ref_mbqm(int32_t x, int32_t m, int s)
{
	int l = s > 0 ? s : 0, r = s > 0 ? 0 : -s;

	return ref_rdbpot(ref_srdhm((int32_t)((uint32_t)x << l), m), r);
}

static int32_t clampi(int32_t v, int32_t lo, int32_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* ---- job plumbing ---- */

#define MAXB 8
static uint8_t stream[16384];
static void *scratch;
static struct edgenpu_engine_buffer bufs[MAXB];
static struct edgenpu_engine_error eerr;

static void setbuf_(int i, void *p, size_t n, uint32_t fl)
{
	bufs[i].ptr = p;
	bufs[i].size = n;
	bufs[i].flags = fl;
	bufs[i].reserved = 0;
}

#define RD EDGENPU_BUF_READ
#define WR EDGENPU_BUF_WRITE

static int run1(struct jb *j, uint32_t nb)
{
	uint32_t len = jb_finish(j);
	int ret;

	if (!len)
		return -9999;
	if (!exec_mode)
		return edgenpu_engine_run(stream, len, bufs, nb, scratch,
					  EDGENPU_ENGINE_SCRATCH_SIZE, NULL,
					  &eerr);
	ret = edgenpu_engine_validate(stream, len, bufs, nb, scratch,
				      EDGENPU_ENGINE_SCRATCH_SIZE, &eerr);
	if (ret)
		return ret;
	return edgenpu_engine_execute(stream, len, bufs, nb, scratch,
				      EDGENPU_ENGINE_SCRATCH_SIZE, NULL, &eerr);
}

static void fill8(int8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (int8_t)rnd(-128, 127);
}

/* ---- rounding ---- */

static void test_rounding(void)
{
	int s, fails = 0, i;

	ok(edgenpu_engine_srdhm(INT32_MIN, INT32_MIN) == INT32_MAX,
	   "srdhm INT32_MIN*INT32_MIN saturates to INT32_MAX");
	ok(edgenpu_engine_srdhm(1 << 30, 1 << 30) == 1 << 29,
	   "srdhm 0.5*0.5 = 0.25");
	ok(edgenpu_engine_srdhm(1, 1 << 30) == 1, "srdhm positive tie rounds up");
	ok(edgenpu_engine_srdhm(-1, 1 << 30) == 0,
	   "srdhm negative tie rounds toward +inf");
	ok(edgenpu_engine_srdhm(INT32_MIN, INT32_MAX) == -2147483647,
	   "srdhm INT32_MIN*INT32_MAX");
	ok(edgenpu_engine_rdbpot(5, 1) == 3 && edgenpu_engine_rdbpot(-5, 1) == -3,
	   "rdbpot ties round away from zero (+-2.5)");
	ok(edgenpu_engine_rdbpot(-6, 2) == -2 && edgenpu_engine_rdbpot(-7, 2) == -2 &&
	   edgenpu_engine_rdbpot(-5, 2) == -1, "rdbpot negative -1.5/-1.75/-1.25");
	ok(edgenpu_engine_rdbpot(INT32_MIN, 31) == -1 &&
	   edgenpu_engine_rdbpot(INT32_MAX, 31) == 1 &&
	   edgenpu_engine_rdbpot(1 << 30, 31) == 1 &&
	   edgenpu_engine_rdbpot(-(1 << 30), 31) == -1,
	   "rdbpot exponent 31 extremes and +-0.5");
	ok(edgenpu_engine_mbqm(3, 1 << 30, 0) == 2 &&
	   edgenpu_engine_mbqm(-3, 1 << 30, 0) == -1,
	   "mbqm 1.5 -> 2, -1.5 -> -1 (double rounding)");
	ok(edgenpu_engine_mbqm(INT32_MAX, INT32_MAX, -31) == 1 &&
	   edgenpu_engine_mbqm(1, INT32_MAX, -31) == 0, "mbqm shift -31");
	ok(edgenpu_engine_mbqm(1, 1 << 30, 30) == 1 << 29, "mbqm shift +30");
	ok(edgenpu_engine_mbqm(3, 1 << 30, 30) == -(1 << 29),
	   "mbqm left shift wraps like TFLite's int32 multiply");
	for (s = -31; s <= 30; s++)
		for (i = 0; i < 400; i++) {
			int32_t x = (int32_t)((uint32_t)rnd(0, 65535) << 16 |
					      (uint32_t)rnd(0, 65535));
			int32_t m = (int32_t)((1u << 30) + (uint32_t)rnd(0, (1 << 30) - 1));

			if (i < 4)
				x = i == 0 ? INT32_MIN : i == 1 ? INT32_MAX : i == 2 ? -1 : 0;
			if (edgenpu_engine_mbqm(x, m, s) != ref_mbqm(x, m, s))
				fails++;
		}
	ok(!fails, "mbqm matches reference for shifts -31..+30");
}

/* ---- conv / depthwise reference (TFLite ConvPerChannel etc.) ---- */

struct convcase {
	int dw, n, h, w, c, oc, kh, kw, sh, sw, dh, dwl, pt, pl, pb, pr, dm;
	int in_zp, out_zp, w_zp, per_channel, bias, groups, strided;
	int amin, amax;
};

static int conv_out(int in, int pt, int pb, int k, int d, int s)
{
	int eff = (k - 1) * d + 1;

	return (in + pt + pb - eff) / s + 1;
}

static void ref_conv(const struct convcase *c, const int8_t *in, const int8_t *w,
		     const int32_t *bias, const int32_t *m, const int32_t *sh,
		     int oh, int ow, int8_t *out)
{
	int b, oy, ox, o, ky, kx, ic;
	int kin = c->dw ? 1 : c->c / c->groups;
	int ocg = c->oc / (c->dw ? c->c : c->groups);

	for (b = 0; b < c->n; b++)
		for (oy = 0; oy < oh; oy++)
			for (ox = 0; ox < ow; ox++)
				for (o = 0; o < c->oc; o++) {
					int32_t acc = 0;
					int g = c->dw ? o / c->dm : o / ocg;

					for (ky = 0; ky < c->kh; ky++)
						for (kx = 0; kx < c->kw; kx++) {
							int iy = oy * c->sh - c->pt + ky * c->dh;
							int ix = ox * c->sw - c->pl + kx * c->dwl;

							if (iy < 0 || iy >= c->h || ix < 0 || ix >= c->w)
								continue;
							for (ic = 0; ic < kin; ic++) {
								int ci = c->dw ? g : g * kin + ic;
								int32_t xv = in[((b * c->h + iy) * c->w + ix) * c->c + ci];
								int32_t wv = c->dw ?
									w[(ky * c->kw + kx) * c->oc + o] :
									w[((o * c->kh + ky) * c->kw + kx) * kin + ic];

								acc += (xv - c->in_zp) * (wv - c->w_zp);
							}
						}
					if (bias)
						acc += bias[o];
					acc = ref_mbqm(acc, m[o], sh[o]) + c->out_zp;
					out[((b * oh + oy) * ow + ox) * c->oc + o] =
						(int8_t)clampi(acc, c->amin, c->amax);
				}
}

static int conv_case(const struct convcase *c)
{
	int oh = conv_out(c->h, c->pt, c->pb, c->kh, c->dh, c->sh);
	int ow = conv_out(c->w, c->pl, c->pr, c->kw, c->dwl, c->sw);
	int kin = c->dw ? 1 : c->c / c->groups;
	size_t in_n = (size_t)c->n * c->h * c->w * c->c;
	size_t w_n = c->dw ? (size_t)c->kh * c->kw * c->oc :
			     (size_t)c->oc * c->kh * c->kw * kin;
	size_t out_n = (size_t)c->n * oh * ow * c->oc;
	/* Strided output: each pixel row padded by 3 channels. */
	size_t ostride = c->strided ? (size_t)c->oc + 3 : (size_t)c->oc;
	int8_t *in = malloc(in_n), *w = malloc(w_n);
	int8_t *out = malloc((size_t)c->n * oh * ow * ostride + 16);
	int8_t *ref = malloc(out_n);
	int32_t *bias = malloc(4 * c->oc), *m = malloc(4 * c->oc);
	int32_t *sh = malloc(4 * c->oc);
	struct edgenpu_cmd_tensor t[6];
	struct edgenpu_cmd_conv_params p;
	struct jb j;
	int o, ret, good = 1;
	size_t i;

	fill8(in, in_n);
	fill8(w, w_n);
	for (o = 0; o < c->oc; o++) {
		bias[o] = rnd(-5000, 5000);
		m[o] = c->per_channel ? (1 << 30) + rnd(0, (1 << 30) - 1) :
			1518500250;
		sh[o] = c->per_channel ? rnd(-12, -6) : -9;
	}
	memset(out, 0x55, (size_t)c->n * oh * ow * ostride + 16);
	ref_conv(c, in, w, c->bias ? bias : NULL, m, sh, oh, ow, ref);

	jb_init(&j, stream, sizeof(stream));
	t[0] = jb_t(0, EDGENPU_DTYPE_INT8, 0, c->n, c->h, c->w, c->c, c->in_zp);
	t[1] = c->dw ? jb_t(1, EDGENPU_DTYPE_INT8, 0, 1, c->kh, c->kw, c->oc, c->w_zp) :
		jb_t(1, EDGENPU_DTYPE_INT8, 0, c->oc, c->kh, c->kw, kin, c->w_zp);
	t[2] = c->bias ? jb_t(2, EDGENPU_DTYPE_INT32, 0, 1, 1, 1, c->oc, 0) :
		jb_none();
	t[3] = jb_t(3, EDGENPU_DTYPE_INT8, 0, c->n, oh, ow, c->oc, c->out_zp);
	if (c->strided) {
		t[3].flags |= EDGENPU_TENSOR_F_STRIDED;
		t[3].strides[3] = 1;
		t[3].strides[2] = ostride;
		t[3].strides[1] = ostride * ow;
		t[3].strides[0] = ostride * ow * oh;
	}
	if (c->per_channel) {
		t[3].flags |= EDGENPU_TENSOR_F_PER_CHANNEL;
		t[4] = jb_t(4, EDGENPU_DTYPE_INT32, 0, 1, 1, 1, c->oc, 0);
		t[5] = jb_t(5, EDGENPU_DTYPE_INT32, 0, 1, 1, 1, c->oc, 0);
	} else {
		t[3] = jb_q(t[3], m[0], sh[0]);
	}
	p = jb_conv(c->sh, c->sw, c->dh, c->dwl, c->pt, c->pl, c->pb, c->pr,
		    c->dw ? c->dm : 0);
	jb_op(&j, c->dw ? EDGENPU_OP_DEPTHWISE_CONV_2D : EDGENPU_OP_CONV_2D, 0,
	      c->amin, c->amax, &p, sizeof(p), t, c->per_channel ? 6 : 4);
	setbuf_(0, in, in_n, RD);
	setbuf_(1, w, w_n, RD);
	setbuf_(2, bias, 4 * c->oc, RD);
	setbuf_(3, out, (size_t)c->n * oh * ow * ostride + 16, WR);
	setbuf_(4, m, 4 * c->oc, RD);
	setbuf_(5, sh, 4 * c->oc, RD);
	ret = run1(&j, 6);
	if (ret) {
		tap_diag("conv case failed: %d %s (op %d tensor %d)", ret,
		       eerr.msg, eerr.op_index, eerr.tensor);
		good = 0;
	}
	for (i = 0; good && i < out_n; i++) {
		size_t pix = i / c->oc, ch = i % c->oc;

		if (out[pix * ostride + ch] != ref[i]) {
			tap_diag("mismatch at %zu: %d != %d", i,
			       out[pix * ostride + ch], ref[i]);
			good = 0;
		}
	}
	/* Padding bytes of a strided output must stay untouched. */
	if (good && c->strided)
		for (i = 0; i < (size_t)c->n * oh * ow; i++)
			if ((uint8_t)out[i * ostride + c->oc] != 0x55)
				good = 0;
	free(in);
	free(w);
	free(out);
	free(ref);
	free(bias);
	free(m);
	free(sh);
	return good;
}

static void test_conv(void)
{
	struct convcase c;
	int i, good = 1;
	char name[160];
	static const struct convcase fixed[] = {
		/* dw n  h  w  c oc kh kw sh sw dh dw pt pl pb pr dm izp ozp wzp pc b  g st amin amax */
		{ 0, 1, 9, 9, 3, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 0, -3, 5, 0, 1, 1, 1, 0, -128, 127 },
		{ 0, 2, 7, 6, 16, 40, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, -128, 127, 0, 1, 1, 1, 0, -128, 127 },
		{ 0, 1, 5, 5, 64, 70, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 127, -128, 0, 0, 0, 1, 1, -128, 127 },
		{ 0, 1, 8, 8, 8, 12, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 0, 4, 0, 0, 1, 1, 1, 0, 0, 127 },
		{ 0, 1, 8, 7, 6, 9, 3, 2, 2, 3, 1, 2, 1, 0, 1, 2, 0, 1, 2, 0, 1, 1, 3, 0, -128, 127 },
		{ 0, 1, 6, 6, 5, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0, 10, -7, 33, 0, 1, 1, 0, -128, 127 },
		{ 0, 1, 4, 4, 100, 33, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0, 0, -1, 0, 0, 1, 1, 1, 1, -6, 6 },
		{ 1, 1, 9, 9, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, -2, 3, 0, 1, 1, 1, 0, -128, 127 },
		{ 1, 1, 9, 10, 5, 10, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 2, -128, 0, 0, 1, 1, 1, 0, -128, 127 },
		{ 1, 2, 8, 8, 70, 70, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 1, 127, -5, 0, 1, 0, 1, 1, 0, 127 },
		{ 1, 1, 7, 7, 4, 4, 5, 5, 2, 2, 1, 1, 2, 2, 2, 2, 1, 3, 3, -9, 0, 1, 1, 0, -128, 127 },
	};

	for (i = 0; i < (int)(sizeof(fixed) / sizeof(fixed[0])); i++) {
		snprintf(name, sizeof(name),
			 "%s k%dx%d s%d,%d d%d,%d pad %d,%d,%d,%d dm%d g%d zp %d/%d/%d %s%s",
			 fixed[i].dw ? "DEPTHWISE_CONV_2D" : "CONV_2D",
			 fixed[i].kh, fixed[i].kw, fixed[i].sh, fixed[i].sw,
			 fixed[i].dh, fixed[i].dwl, fixed[i].pt, fixed[i].pl,
			 fixed[i].pb, fixed[i].pr, fixed[i].dm, fixed[i].groups,
			 fixed[i].in_zp, fixed[i].w_zp, fixed[i].out_zp,
			 fixed[i].per_channel ? "per-channel" : "per-tensor",
			 fixed[i].strided ? " strided-out" : "");
		ok(conv_case(&fixed[i]), name);
	}
	/* Random sweep over both kernels' paths. */
	for (i = 0; i < 150; i++) {
		memset(&c, 0, sizeof(c));
		c.dw = rnd(0, 1);
		c.n = rnd(1, 2);
		c.h = rnd(1, 9);
		c.w = rnd(1, 9);
		c.kh = rnd(1, 3);
		c.kw = rnd(1, 3);
		c.sh = rnd(1, 3);
		c.sw = rnd(1, 3);
		c.dh = rnd(1, 2);
		c.dwl = rnd(1, 2);
		c.pt = rnd(0, 2);
		c.pl = rnd(0, 2);
		c.pb = rnd(0, 2);
		c.pr = rnd(0, 2);
		if (c.h + c.pt + c.pb < (c.kh - 1) * c.dh + 1 ||
		    c.w + c.pl + c.pr < (c.kw - 1) * c.dwl + 1) {
			i--;
			continue;
		}
		c.per_channel = rnd(0, 1);
		c.groups = 1;
		if (c.dw) {
			c.c = rnd(1, 80);
			c.dm = rnd(1, 3);
			c.oc = c.c * c.dm;
		} else {
			c.groups = rnd(1, 2);
			c.c = rnd(1, 40) * c.groups;
			c.oc = rnd(1, 70) * c.groups;
		}
		c.in_zp = rnd(-128, 127);
		c.out_zp = rnd(-128, 127);
		c.w_zp = c.per_channel ? 0 : rnd(-20, 20) * rnd(0, 1);
		c.bias = rnd(0, 1);
		c.strided = rnd(0, 1);
		c.amin = rnd(-128, 0);
		c.amax = rnd(0, 127);
		if (!conv_case(&c)) {
			tap_diag("random case %d failed (dw %d c %d oc %d k %dx%d)",
			       i, c.dw, c.c, c.oc, c.kh, c.kw);
			good = 0;
		}
	}
	ok(good, "CONV_2D/DEPTHWISE_CONV_2D random sweep (150 cases)");
}

/* Per-channel arrays holding one value equal per-tensor quantization. */
static void test_per_channel_vs_tensor(void)
{
	int8_t in[4 * 4 * 8], w[16 * 8], o1[4 * 4 * 16], o2[4 * 4 * 16];
	int32_t m[16], sh[16];
	struct edgenpu_cmd_tensor t[6];
	struct edgenpu_cmd_conv_params p = jb_conv(1, 1, 1, 1, 0, 0, 0, 0, 0);
	struct jb j;
	int i, r1, r2;

	fill8(in, sizeof(in));
	fill8(w, sizeof(w));
	for (i = 0; i < 16; i++) {
		m[i] = 1234567890;
		sh[i] = -7;
	}
	t[0] = jb_t(0, EDGENPU_DTYPE_INT8, 0, 1, 4, 4, 8, 3);
	t[1] = jb_t(1, EDGENPU_DTYPE_INT8, 0, 16, 1, 1, 8, 0);
	t[2] = jb_none();
	t[3] = jb_t(3, EDGENPU_DTYPE_INT8, 0, 1, 4, 4, 16, -1);
	t[3].flags = EDGENPU_TENSOR_F_PER_CHANNEL;
	t[4] = jb_t(4, EDGENPU_DTYPE_INT32, 0, 1, 1, 1, 16, 0);
	t[5] = jb_t(5, EDGENPU_DTYPE_INT32, 0, 1, 1, 1, 16, 0);
	setbuf_(0, in, sizeof(in), RD);
	setbuf_(1, w, sizeof(w), RD);
	setbuf_(2, NULL, 0, RD);
	setbuf_(3, o1, sizeof(o1), WR);
	setbuf_(4, m, sizeof(m), RD);
	setbuf_(5, sh, sizeof(sh), RD);
	jb_init(&j, stream, sizeof(stream));
	jb_op(&j, EDGENPU_OP_CONV_2D, 0, -128, 127, &p, sizeof(p), t, 6);
	r1 = run1(&j, 6);
	t[3].flags = 0;
	t[3] = jb_q(t[3], 1234567890, -7);
	setbuf_(3, o2, sizeof(o2), WR);
	jb_init(&j, stream, sizeof(stream));
	jb_op(&j, EDGENPU_OP_CONV_2D, 0, -128, 127, &p, sizeof(p), t, 4);
	r2 = run1(&j, 6);
	ok(!r1 && !r2 && !memcmp(o1, o2, sizeof(o1)),
	   "per-channel with equal values == per-tensor");
}

static void test_fc(void)
{
	static const int shapes[][4] = {	/* batch, K, OC, per-channel */
		{ 1, 16, 40, 0 }, { 3, 100, 10, 1 }, { 5, 1280, 17, 0 },
		{ 2, 7, 64, 1 }, { 1, 2048, 5, 1 },
	};
	int s, good_all = 1;

	for (s = 0; s < 5; s++) {
		int b = shapes[s][0], k = shapes[s][1], oc = shapes[s][2];
		int pc = shapes[s][3], i, o, good = 1;
		int in_zp = rnd(-128, 127), w_zp = pc ? 0 : rnd(-10, 10);
		int out_zp = rnd(-50, 50);
		int8_t *in = malloc(b * k), *w = malloc(oc * k);
		int8_t *out = malloc(b * oc), *ref = malloc(b * oc);
		int32_t *bias = malloc(4 * oc), *m = malloc(4 * oc);
		int32_t *sh = malloc(4 * oc);
		struct edgenpu_cmd_tensor t[6];
		struct jb j;
		char name[96];

		fill8(in, b * k);
		fill8(w, oc * k);
		for (o = 0; o < oc; o++) {
			bias[o] = rnd(-30000, 30000);
			m[o] = pc ? (1 << 30) + rnd(0, (1 << 30) - 1) : 1500000000;
			sh[o] = pc ? rnd(-14, -8) : -11;
		}
		for (i = 0; i < b; i++)
			for (o = 0; o < oc; o++) {
				int32_t acc = 0;
				int d;

				for (d = 0; d < k; d++)
					acc += (w[o * k + d] - w_zp) *
					       (in[i * k + d] - in_zp);
				acc += bias[o];
				ref[i * oc + o] = (int8_t)clampi(
					ref_mbqm(acc, m[o], sh[o]) + out_zp, -128, 127);
			}
		t[0] = jb_t(0, EDGENPU_DTYPE_INT8, 0, b, 1, 1, k, in_zp);
		t[1] = jb_t(1, EDGENPU_DTYPE_INT8, 0, 1, 1, oc, k, w_zp);
		t[2] = jb_t(2, EDGENPU_DTYPE_INT32, 0, 1, 1, 1, oc, 0);
		t[3] = jb_t(3, EDGENPU_DTYPE_INT8, 0, b, 1, 1, oc, out_zp);
		if (pc) {
			t[3].flags = EDGENPU_TENSOR_F_PER_CHANNEL;
			t[4] = jb_t(4, EDGENPU_DTYPE_INT32, 0, 1, 1, 1, oc, 0);
			t[5] = jb_t(5, EDGENPU_DTYPE_INT32, 0, 1, 1, 1, oc, 0);
		} else {
			t[3] = jb_q(t[3], m[0], sh[0]);
		}
		setbuf_(0, in, b * k, RD);
		setbuf_(1, w, oc * k, RD);
		setbuf_(2, bias, 4 * oc, RD);
		setbuf_(3, out, b * oc, WR);
		setbuf_(4, m, 4 * oc, RD);
		setbuf_(5, sh, 4 * oc, RD);
		jb_init(&j, stream, sizeof(stream));
		jb_op(&j, EDGENPU_OP_FULLY_CONNECTED, 0, -128, 127, NULL, 0, t,
		      pc ? 6 : 4);
		if (run1(&j, 6) || memcmp(out, ref, b * oc))
			good = 0;
		snprintf(name, sizeof(name),
			 "FULLY_CONNECTED batch %d K %d OC %d %s w_zp %d", b, k,
			 oc, pc ? "per-channel" : "per-tensor", w_zp);
		ok(good, name);
		good_all &= good;
		free(in);
		free(w);
		free(out);
		free(ref);
		free(bias);
		free(m);
		free(sh);
	}
	(void)good_all;
}

/* ---- ADD / SUB / MUL with broadcasting ---- */

static void test_binary(void)
{
	static const int shp[][2][4] = {
		{ { 1, 2, 3, 4 }, { 1, 2, 3, 4 } },
		{ { 1, 2, 3, 4 }, { 1, 1, 1, 4 } },
		{ { 2, 1, 3, 1 }, { 1, 4, 1, 5 } },
		{ { 1, 1, 1, 1 }, { 2, 3, 2, 7 } },
	};
	static const uint16_t opc[] = { EDGENPU_OP_ADD, EDGENPU_OP_SUB,
					EDGENPU_OP_MUL };
	int s, k, d;

	for (k = 0; k < 3; k++)
		for (s = 0; s < 4; s++) {
			int od[4], n = 1, na = 1, nb = 1, i, good = 1;
			int8_t a[256], b[256], o[256], r[256];
			int za = rnd(-128, 127), zb = rnd(-128, 127), zo = rnd(-128, 127);
			int32_t ma = 1073741824 + rnd(0, 1000000), mb = 1500000000;
			int32_t mo = 1700000000;
			int sa = -1, sb = -2, so = k == 2 ? -8 : -19;
			struct edgenpu_cmd_tensor t[3];
			struct edgenpu_cmd_add_params ap = { 20, 0 };
			struct jb j;
			char name[96];

			if (k == 2)
				za = s == 0 ? -128 : za;
			for (d = 0; d < 4; d++) {
				od[d] = shp[s][0][d] > shp[s][1][d] ? shp[s][0][d] :
					shp[s][1][d];
				n *= od[d];
				na *= shp[s][0][d];
				nb *= shp[s][1][d];
			}
			fill8(a, na);
			fill8(b, nb);
			for (i = 0; i < n; i++) {
				int c3 = i % od[3], c2 = (i / od[3]) % od[2];
				int c1 = (i / od[3] / od[2]) % od[1];
				int c0 = i / od[3] / od[2] / od[1];
				const int *A = shp[s][0], *B = shp[s][1];
				int ia = (((c0 % A[0]) * A[1] + c1 % A[1]) * A[2] + c2 % A[2]) * A[3] + c3 % A[3];
				int ib = (((c0 % B[0]) * B[1] + c1 % B[1]) * B[2] + c2 % B[2]) * B[3] + c3 % B[3];
				int32_t x = a[ia] - za, y = b[ib] - zb, v;

				if (opc[k] == EDGENPU_OP_MUL) {
					v = ref_mbqm(x * y, mo, so) + zo;
				} else {
					int32_t sx = ref_mbqm(x * (1 << 20), ma, sa);
					int32_t sy = ref_mbqm(y * (1 << 20), mb, sb);
					int32_t raw = opc[k] == EDGENPU_OP_ADD ? sx + sy : sx - sy;

					v = ref_mbqm(raw, mo, so) + zo;
				}
				r[i] = (int8_t)clampi(v, -100, 120);
			}
			t[0] = jb_q(jb_t(0, EDGENPU_DTYPE_INT8, 0, shp[s][0][0], shp[s][0][1],
					 shp[s][0][2], shp[s][0][3], za), k == 2 ? 0 : ma, k == 2 ? 0 : sa);
			t[1] = jb_q(jb_t(1, EDGENPU_DTYPE_INT8, 0, shp[s][1][0], shp[s][1][1],
					 shp[s][1][2], shp[s][1][3], zb), k == 2 ? 0 : mb, k == 2 ? 0 : sb);
			t[2] = jb_q(jb_t(2, EDGENPU_DTYPE_INT8, 0, od[0], od[1], od[2], od[3],
					 zo), mo, so);
			setbuf_(0, a, na, RD);
			setbuf_(1, b, nb, RD);
			setbuf_(2, o, n, WR);
			jb_init(&j, stream, sizeof(stream));
			jb_op(&j, opc[k], 0, -100, 120, k == 2 ? NULL : &ap,
			      k == 2 ? 0 : sizeof(ap), t, 3);
			if (run1(&j, 3) || memcmp(o, r, n))
				good = 0;
			snprintf(name, sizeof(name), "%s broadcast [%d,%d,%d,%d]x[%d,%d,%d,%d]",
				 edgenpu_engine_op_name(opc[k]), shp[s][0][0], shp[s][0][1],
				 shp[s][0][2], shp[s][0][3], shp[s][1][0], shp[s][1][1],
				 shp[s][1][2], shp[s][1][3]);
			ok(good, name);
		}
}

/* ---- pooling, mean, quantize ---- */

static void test_pool_mean_quant(void)
{
	int8_t in[2 * 7 * 6 * 5], o[2 * 7 * 6 * 5], r[2 * 7 * 6 * 5];
	struct edgenpu_cmd_pool_params pp = { 3, 2, 2, 2, 1, 0, 1, 1 };
	struct edgenpu_cmd_tensor t[2];
	int oh = (7 + 1 + 1 - 3) / 2 + 1, ow = (6 + 0 + 1 - 2) / 2 + 1;
	int k, b, y, x, c, i, good;
	struct jb j;

	fill8(in, sizeof(in));
	for (k = 0; k < 2; k++) {
		for (b = 0; b < 2; b++)
			for (y = 0; y < oh; y++)
				for (x = 0; x < ow; x++)
					for (c = 0; c < 5; c++) {
						int fy, fx, cnt = 0;
						int32_t acc = k ? -128 : 0;

						for (fy = 0; fy < 3; fy++)
							for (fx = 0; fx < 2; fx++) {
								int iy = y * 2 - 1 + fy, ix = x * 2 + fx;
								int v;

								if (iy < 0 || iy >= 7 || ix < 0 || ix >= 6)
									continue;
								v = in[((b * 7 + iy) * 6 + ix) * 5 + c];
								cnt++;
								if (k)
									acc = v > acc ? v : acc;
								else
									acc += v;
							}
						if (!k)
							acc = acc > 0 ? (acc + cnt / 2) / cnt :
							      (acc - cnt / 2) / cnt;
						r[((b * oh + y) * ow + x) * 5 + c] =
							(int8_t)clampi(acc, -90, 90);
					}
		t[0] = jb_t(0, EDGENPU_DTYPE_INT8, 0, 2, 7, 6, 5, 0);
		t[1] = jb_t(1, EDGENPU_DTYPE_INT8, 0, 2, oh, ow, 5, 0);
		setbuf_(0, in, sizeof(in), RD);
		setbuf_(1, o, sizeof(o), WR);
		jb_init(&j, stream, sizeof(stream));
		jb_op(&j, k ? EDGENPU_OP_MAX_POOL_2D : EDGENPU_OP_AVERAGE_POOL_2D,
		      0, -90, 90, &pp, sizeof(pp), t, 2);
		good = !run1(&j, 2) && !memcmp(o, r, 2 * oh * ow * 5);
		ok(good, k ? "MAX_POOL_2D 3x2 stride 2 with padding" :
		   "AVERAGE_POOL_2D 3x2 stride 2 with padding (rounding, clamp)");
	}

	/* MEAN over H, W. */
	for (b = 0; b < 2; b++)
		for (c = 0; c < 5; c++) {
			int32_t acc = 0;

			for (i = 0; i < 42; i++)
				acc += in[(b * 42 + i) * 5 + c] - (-7);
			acc = ref_mbqm(acc, 1600000000, 1);
			acc = acc > 0 ? (acc + 21) / 42 : (acc - 21) / 42;
			r[b * 5 + c] = (int8_t)clampi(acc + 9, -128, 127);
		}
	t[0] = jb_t(0, EDGENPU_DTYPE_INT8, 0, 2, 7, 6, 5, -7);
	t[1] = jb_q(jb_t(1, EDGENPU_DTYPE_INT8, 0, 2, 1, 1, 5, 9), 1600000000, 1);
	setbuf_(0, in, sizeof(in), RD);
	setbuf_(1, o, sizeof(o), WR);
	jb_init(&j, stream, sizeof(stream));
	jb_op(&j, EDGENPU_OP_MEAN, 0, 0, 0, NULL, 0, t, 2);
	ok(!run1(&j, 2) && !memcmp(o, r, 10), "MEAN over H,W (7x6, zp -7 -> 9)");

	/* QUANTIZE int8 -> uint8 and uint8 -> int8, extreme zero points. */
	for (k = 0; k < 2; k++) {
		uint8_t u[64], uo[64];
		int8_t s8[64], so[64];

		for (i = 0; i < 64; i++) {
			u[i] = (uint8_t)rnd(0, 255);
			s8[i] = (int8_t)rnd(-128, 127);
		}
		if (!k) {
			for (i = 0; i < 64; i++)
				uo[i] = (uint8_t)clampi(ref_mbqm(s8[i] - (-128), 1800000000, 0) + 0, 0, 255);
			t[0] = jb_t(0, EDGENPU_DTYPE_INT8, 0, 1, 1, 8, 8, -128);
			t[1] = jb_q(jb_t(1, EDGENPU_DTYPE_UINT8, 0, 1, 1, 8, 8, 0), 1800000000, 0);
			setbuf_(0, s8, 64, RD);
			setbuf_(1, o, 64, WR);
		} else {
			for (i = 0; i < 64; i++)
				so[i] = (int8_t)clampi(ref_mbqm(u[i] - 255, 1100000000, 2) + 127, -128, 127);
			t[0] = jb_t(0, EDGENPU_DTYPE_UINT8, 0, 1, 1, 8, 8, 255);
			t[1] = jb_q(jb_t(1, EDGENPU_DTYPE_INT8, 0, 1, 1, 8, 8, 127), 1100000000, 2);
			setbuf_(0, u, 64, RD);
			setbuf_(1, o, 64, WR);
		}
		jb_init(&j, stream, sizeof(stream));
		jb_op(&j, EDGENPU_OP_QUANTIZE, 0, 0, 0, NULL, 0, t, 2);
		good = !run1(&j, 2) && !memcmp(o, k ? (void *)so : (void *)uo, 64);
		ok(good, k ? "QUANTIZE uint8(zp 255) -> int8(zp 127)" :
		   "QUANTIZE int8(zp -128) -> uint8(zp 0)");
	}
}

/* ---- SOFTMAX / LOGISTIC / TANH golden ---- */

static int run_act(uint16_t opc, uint32_t flags, const void *params,
		   uint32_t psize, const int8_t *in, int n, int c, int zp,
		   const int8_t *lut, int8_t *out)
{
	struct edgenpu_cmd_tensor t[3];
	struct jb j;

	t[0] = jb_t(0, EDGENPU_DTYPE_INT8, 0, 1, 1, n / c, c, zp);
	t[1] = jb_t(1, EDGENPU_DTYPE_INT8, 0, 1, 1, n / c, c, opc == EDGENPU_OP_TANH ? 0 : -128);
	t[2] = jb_t(2, EDGENPU_DTYPE_INT8, 0, 1, 1, 1, 256, 0);
	setbuf_(0, (void *)in, n, RD);
	setbuf_(1, out, n, WR);
	setbuf_(2, (void *)lut, lut ? 256 : 0, RD);
	jb_init(&j, stream, sizeof(stream));
	jb_op(&j, opc, flags, 0, 0, params, psize, t, lut ? 3 : 2);
	return run1(&j, 3);
}

static void test_golden(void)
{
	struct edgenpu_cmd_softmax_params sp = { GOLD_SOFTMAX_MULT,
		GOLD_SOFTMAX_SHIFT, GOLD_SOFTMAX_DIFF_MIN, 0 };
	struct edgenpu_cmd_act_params ap;
	int8_t out[256], in[256], lut[256];
	int i;

	ok(!run_act(EDGENPU_OP_SOFTMAX, 0, &sp, sizeof(sp), gold_softmax_in, 64,
		    16, 0, NULL, out) && !memcmp(out, gold_softmax_out, 64),
	   "SOFTMAX golden (beta 1, scale 0.1, 4 rows of 16)");
	sp.input_multiplier = GOLD_SOFTMAX2_MULT;
	sp.input_left_shift = GOLD_SOFTMAX2_SHIFT;
	sp.diff_min = GOLD_SOFTMAX2_DIFF_MIN;
	ok(!run_act(EDGENPU_OP_SOFTMAX, 0, &sp, sizeof(sp), gold_softmax2_in, 40,
		    40, 0, NULL, out) && !memcmp(out, gold_softmax2_out, 40),
	   "SOFTMAX golden (beta 1, scale 1/16, row of 40)");
	for (i = 0; i < 256; i++)
		in[i] = (int8_t)(i - 128);
#define GOLD_ACT(OPC, TAG, arr, name) do {				\
	ap.input_multiplier = GOLD_##TAG##_MULT;			\
	ap.input_left_shift = GOLD_##TAG##_SHIFT;			\
	ap.input_range_radius = GOLD_##TAG##_RADIUS;			\
	ap.reserved = 0;						\
	ok(!run_act(OPC, 0, &ap, sizeof(ap), in, 256, 16,		\
		    GOLD_##TAG##_ZP, NULL, out) &&			\
	   !memcmp(out, arr, 256), name);				\
} while (0)
	GOLD_ACT(EDGENPU_OP_LOGISTIC, LOGISTIC_10, gold_logistic_10,
		 "LOGISTIC fixed-point golden, scale 0.1 zp 0 (all 256 inputs)");
	GOLD_ACT(EDGENPU_OP_LOGISTIC, LOGISTIC_5, gold_logistic_5,
		 "LOGISTIC fixed-point golden, scale 0.05 zp -20");
	GOLD_ACT(EDGENPU_OP_TANH, TANH_5, gold_tanh_5,
		 "TANH fixed-point golden, scale 0.05 zp 0");
	GOLD_ACT(EDGENPU_OP_TANH, TANH_10, gold_tanh_10,
		 "TANH fixed-point golden, scale 0.1 zp 10");
	/* LUT path: index by the input byte read as unsigned. */
	for (i = 0; i < 256; i++)
		lut[i] = (int8_t)(i * 7 + 3);
	memset(&ap, 0, sizeof(ap));
	ok(!run_act(EDGENPU_OP_LOGISTIC, EDGENPU_OP_F_LUT, &ap, sizeof(ap), in,
		    256, 16, 0, lut, out) && out[0] == lut[128] &&
	   out[128] == lut[0] && out[255] == lut[127] && out[127] == lut[255],
	   "LOGISTIC table path indexes by (uint8)input");
	ok(!run_act(EDGENPU_OP_TANH, EDGENPU_OP_F_LUT, &ap, sizeof(ap), in, 256,
		    16, 0, lut, out) && out[1] == lut[129],
	   "TANH table path");
}

/* ---- data movement ---- */

static void test_data(void)
{
	int8_t a[2 * 3 * 4 * 5], b[2 * 3 * 2 * 5], o[512], r[512];
	struct edgenpu_cmd_tensor t[3];
	struct edgenpu_cmd_concat_params cp = { 2, 0 };
	struct edgenpu_cmd_pad_params pp;
	struct edgenpu_cmd_transpose_params tp = { { 0, 3, 1, 2 } };
	struct jb j;
	int n, h, w, c, i;

	fill8(a, sizeof(a));
	fill8(b, sizeof(b));
	/* RESHAPE [2,3,4,5] -> [1,1,6,20] keeps the flat order. */
	t[0] = jb_t(0, EDGENPU_DTYPE_INT8, 0, 2, 3, 4, 5, 0);
	t[1] = jb_t(1, EDGENPU_DTYPE_INT8, 0, 1, 1, 6, 20, 0);
	setbuf_(0, a, sizeof(a), RD);
	setbuf_(1, o, sizeof(o), WR);
	jb_init(&j, stream, sizeof(stream));
	jb_op(&j, EDGENPU_OP_RESHAPE, 0, 0, 0, NULL, 0, t, 2);
	ok(!run1(&j, 2) && !memcmp(o, a, sizeof(a)), "RESHAPE copy");

	/* CONCATENATION along W. */
	for (n = 0; n < 2; n++)
		for (h = 0; h < 3; h++)
			for (w = 0; w < 6; w++)
				for (c = 0; c < 5; c++)
					r[((n * 3 + h) * 6 + w) * 5 + c] = w < 4 ?
						a[((n * 3 + h) * 4 + w) * 5 + c] :
						b[((n * 3 + h) * 2 + w - 4) * 5 + c];
	t[0] = jb_t(0, EDGENPU_DTYPE_INT8, 0, 2, 3, 4, 5, 0);
	t[1] = jb_t(1, EDGENPU_DTYPE_INT8, 0, 2, 3, 2, 5, 0);
	t[2] = jb_t(2, EDGENPU_DTYPE_INT8, 0, 2, 3, 6, 5, 0);
	setbuf_(1, b, sizeof(b), RD);
	setbuf_(2, o, sizeof(o), WR);
	jb_init(&j, stream, sizeof(stream));
	jb_op(&j, EDGENPU_OP_CONCATENATION, 0, 0, 0, &cp, sizeof(cp), t, 3);
	ok(!run1(&j, 3) && !memcmp(o, r, 180), "CONCATENATION along W");
	cp.axis = 3;
	for (i = 0; i < 24; i++) {
		memcpy(r + i * 10, a + i * 5, 5);
		memcpy(r + i * 10 + 5, a + 120 + i * 5 - 120 + 0, 0);
	}
	t[1] = jb_t(0, EDGENPU_DTYPE_INT8, 0, 2, 3, 4, 5, 0);
	t[2] = jb_t(2, EDGENPU_DTYPE_INT8, 0, 2, 3, 4, 10, 0);
	for (i = 0; i < 24; i++)
		memcpy(r + i * 10 + 5, a + i * 5, 5);
	jb_init(&j, stream, sizeof(stream));
	jb_op(&j, EDGENPU_OP_CONCATENATION, 0, 0, 0, &cp, sizeof(cp), t, 3);
	ok(!run1(&j, 3) && !memcmp(o, r, 240), "CONCATENATION along C");

	/* PAD [1,1,2,1] before, [0,1,0,2] after with value -5. */
	memset(&pp, 0, sizeof(pp));
	pp.before[1] = 1;
	pp.before[2] = 2;
	pp.before[3] = 1;
	pp.after[1] = 1;
	pp.after[3] = 2;
	pp.pad_value = -5;
	for (n = 0; n < 2; n++)
		for (h = 0; h < 5; h++)
			for (w = 0; w < 6; w++)
				for (c = 0; c < 8; c++) {
					int ih = h - 1, iw = w - 2, ic = c - 1;

					r[((n * 5 + h) * 6 + w) * 8 + c] =
						(ih >= 0 && ih < 3 && iw >= 0 && iw < 4 &&
						 ic >= 0 && ic < 5) ?
						a[((n * 3 + ih) * 4 + iw) * 5 + ic] : -5;
				}
	t[0] = jb_t(0, EDGENPU_DTYPE_INT8, 0, 2, 3, 4, 5, 0);
	t[1] = jb_t(1, EDGENPU_DTYPE_INT8, 0, 2, 5, 6, 8, 0);
	setbuf_(1, o, sizeof(o), WR);
	jb_init(&j, stream, sizeof(stream));
	jb_op(&j, EDGENPU_OP_PAD, 0, 0, 0, &pp, sizeof(pp), t, 2);
	ok(!run1(&j, 2) && !memcmp(o, r, 480), "PAD all four dims, value -5");

	/* TRANSPOSE NHWC -> NCHW. */
	for (n = 0; n < 2; n++)
		for (c = 0; c < 5; c++)
			for (h = 0; h < 3; h++)
				for (w = 0; w < 4; w++)
					r[((n * 5 + c) * 3 + h) * 4 + w] =
						a[((n * 3 + h) * 4 + w) * 5 + c];
	t[1] = jb_t(1, EDGENPU_DTYPE_INT8, 0, 2, 5, 3, 4, 0);
	jb_init(&j, stream, sizeof(stream));
	jb_op(&j, EDGENPU_OP_TRANSPOSE, 0, 0, 0, &tp, sizeof(tp), t, 2);
	ok(!run1(&j, 2) && !memcmp(o, r, 120), "TRANSPOSE NHWC->NCHW");
}

/* ---- the opcode table ---- */

/*
 * What each opcode must be, written down here independently of the
 * engine's table: a new opcode without a row here fails the test.
 * out = -1: the output is the last operand.
 */
static const struct {
	const char *name;
	int out;
	uint32_t params;
} op_expect[EDGENPU_OP_COUNT] = {
	[EDGENPU_OP_CONV_2D] = { "CONV_2D", 3,
				 sizeof(struct edgenpu_cmd_conv_params) },
	[EDGENPU_OP_DEPTHWISE_CONV_2D] = { "DEPTHWISE_CONV_2D", 3,
					   sizeof(struct edgenpu_cmd_conv_params) },
	[EDGENPU_OP_FULLY_CONNECTED] = { "FULLY_CONNECTED", 3, 0 },
	[EDGENPU_OP_ADD] = { "ADD", 2, sizeof(struct edgenpu_cmd_add_params) },
	[EDGENPU_OP_SUB] = { "SUB", 2, sizeof(struct edgenpu_cmd_add_params) },
	[EDGENPU_OP_MUL] = { "MUL", 2, 0 },
	[EDGENPU_OP_AVERAGE_POOL_2D] = { "AVERAGE_POOL_2D", 1,
					 sizeof(struct edgenpu_cmd_pool_params) },
	[EDGENPU_OP_MAX_POOL_2D] = { "MAX_POOL_2D", 1,
				     sizeof(struct edgenpu_cmd_pool_params) },
	[EDGENPU_OP_MEAN] = { "MEAN", 1, 0 },
	[EDGENPU_OP_SOFTMAX] = { "SOFTMAX", 1,
				 sizeof(struct edgenpu_cmd_softmax_params) },
	[EDGENPU_OP_LOGISTIC] = { "LOGISTIC", 1,
				  sizeof(struct edgenpu_cmd_act_params) },
	[EDGENPU_OP_TANH] = { "TANH", 1, sizeof(struct edgenpu_cmd_act_params) },
	[EDGENPU_OP_RESHAPE] = { "RESHAPE", 1, 0 },
	[EDGENPU_OP_CONCATENATION] = { "CONCATENATION", -1,
				       sizeof(struct edgenpu_cmd_concat_params) },
	[EDGENPU_OP_PAD] = { "PAD", 1, sizeof(struct edgenpu_cmd_pad_params) },
	[EDGENPU_OP_TRANSPOSE] = { "TRANSPOSE", 1,
				   sizeof(struct edgenpu_cmd_transpose_params) },
	[EDGENPU_OP_QUANTIZE] = { "QUANTIZE", 1, 0 },
};

/* The engine's row of @op has everything and agrees with op_expect. */
static int op_row_ok(uint32_t op)
{
	const struct eng_op_desc *d = &eng_ops[op];
	uint32_t n;

	if (!op_expect[op].name || !d->name || !d->check || !d->exec ||
	    (!d->cost && !d->cost_weight) ||
	    strcmp(edgenpu_engine_op_name(op), op_expect[op].name) ||
	    edgenpu_engine_op_params_size(op) != op_expect[op].params ||
	    d->params_size % 8 || d->params_size > EDGENPU_CMD_MAX_PARAMS_SIZE)
		return 0;
	for (n = 1; n <= EDGENPU_CMD_MAX_TENSORS; n++) {
		uint32_t want = op_expect[op].out < 0 ? n - 1 :
				(uint32_t)op_expect[op].out;

		if (edgenpu_engine_op_output(op, n) != want)
			return 0;
	}
	return 1;
}

static void test_op_table(void)
{
	char name[96];
	uint32_t op, other;
	int unique = 1;

	for (op = 1; op < EDGENPU_OP_COUNT; op++) {
		snprintf(name, sizeof(name),
			 "table: opcode %u (%s) has name, checker, executor, cost, output %d, params %u",
			 op, op_expect[op].name ? op_expect[op].name : "?",
			 op_expect[op].out, op_expect[op].params);
		ok(op_row_ok(op), name);
		for (other = 1; other < op; other++)
			if (!strcmp(eng_ops[op].name, eng_ops[other].name))
				unique = 0;
	}
	ok(unique, "table: op names are unique");
	ok(edgenpu_engine_op_output(EDGENPU_OP_INVALID, 4) == 0 &&
	   edgenpu_engine_op_output(EDGENPU_OP_COUNT, 4) == 0 &&
	   edgenpu_engine_op_output(200, 3) == 0 &&
	   edgenpu_engine_op_output(EDGENPU_OP_CONCATENATION, 0) == 0,
	   "table: output index 0 for unknown opcodes");
	ok(!strcmp(edgenpu_engine_op_name(EDGENPU_OP_INVALID), "UNKNOWN") &&
	   !strcmp(edgenpu_engine_op_name(EDGENPU_OP_COUNT), "UNKNOWN") &&
	   edgenpu_engine_op_params_size(EDGENPU_OP_INVALID) == 0 &&
	   edgenpu_engine_op_params_size(EDGENPU_OP_COUNT) == 0,
	   "table: unknown opcodes have no name and no params");
}

/* ---- validator rejections ---- */

static int8_t vin[64], vout[64];

/* A valid one-op RESHAPE job into the global stream; returns its size. */
static uint32_t base_job(struct edgenpu_cmd_tensor *t)
{
	struct jb j;

	jb_init(&j, stream, sizeof(stream));
	jb_op(&j, EDGENPU_OP_RESHAPE, 0, 0, 0, NULL, 0, t, 2);
	return jb_finish(&j);
}

static void expect(int ret, int err, uint32_t code, const char *name)
{
	char buf[160];
	int good = ret == err && eerr.err == err && eerr.code == code &&
		   eerr.msg[0];

	snprintf(buf, sizeof(buf), "reject: %s (errno %d, code %u)%s%s", name,
		 err, code, good ? "" : " got: ", good ? "" : eerr.msg);
	ok(good, buf);
}

static int vrun(uint32_t len, uint32_t nb)
{
	return edgenpu_engine_validate(stream, len, bufs, nb, scratch,
				       EDGENPU_ENGINE_SCRATCH_SIZE, &eerr);
}

/*
 * Validator rejections, table-driven: each case patches fields of the
 * valid RESHAPE job of base_job() (header, op header, operand 0 or 1),
 * optionally changes the buffer flags or cuts the stream short, and
 * names the errno and engine code it expects (0 for "still valid").
 */
enum vwhere { V_NONE, V_HDR, V_OP, V_PAR, V_T0, V_T1, V_T2, V_T3 };

/* The valid jobs the cases start from. */
enum vjob { VJ_RESHAPE, VJ_CONV };

struct vpatch {
	uint8_t where;
	uint8_t size;
	uint16_t off;
	uint64_t val;
};

struct vcase {
	const char *name;
	struct vpatch p[6];
	uint8_t job;			/* enum vjob */
	uint8_t nt;			/* operands of the op; 0: all */
	uint32_t scratch;		/* scratch bytes; 0: enough */
	uint32_t flags0, flags1;	/* buffer flags; 0: READ, WRITE */
	int32_t cut;			/* bytes taken off the stream */
	int err;
	uint32_t code;
};

#define VF(W, T, f, v) { W, sizeof(((T *)0)->f), offsetof(T, f), (uint64_t)(v) }
#define HDR(f, v) VF(V_HDR, struct edgenpu_cmd_header, f, v)
#define OPH(f, v) VF(V_OP, struct edgenpu_cmd_op, f, v)
#define T0(f, v) VF(V_T0, struct edgenpu_cmd_tensor, f, v)
#define T1(f, v) VF(V_T1, struct edgenpu_cmd_tensor, f, v)
#define T3(f, v) VF(V_T3, struct edgenpu_cmd_tensor, f, v)
#define CONVP(f, v) VF(V_PAR, struct edgenpu_cmd_conv_params, f, v)
#define RESHAPE_OP_SIZE	(sizeof(struct edgenpu_cmd_op) + \
			 2 * sizeof(struct edgenpu_cmd_tensor))

static const struct vcase vcases[] = {
	{ "bad magic", { HDR(magic, EDGENPU_CMD_MAGIC ^ 1) },
	  .err = -EBADMSG, .code = EDGENPU_ENGINE_E_MAGIC },
	{ "unknown major version", { HDR(version_major, 2) },
	  .err = -EPROTONOSUPPORT, .code = EDGENPU_ENGINE_E_VERSION },
	{ "newer minor version",
	  { HDR(version_minor, EDGENPU_CMD_VERSION_MINOR + 1) },
	  .err = -EPROTONOSUPPORT, .code = EDGENPU_ENGINE_E_VERSION },
	{ "truncated stream", .cut = 8,
	  .err = -EMSGSIZE, .code = EDGENPU_ENGINE_E_SIZE },
	{ "total_size disagrees with the stream",
	  { HDR(total_size, sizeof(struct edgenpu_cmd_header) + RESHAPE_OP_SIZE + 8) },
	  .err = -EMSGSIZE, .code = EDGENPU_ENGINE_E_SIZE },
	{ "header_size not a multiple of 8",
	  { HDR(header_size, sizeof(struct edgenpu_cmd_header) + 4) },
	  .err = -EMSGSIZE, .code = EDGENPU_ENGINE_E_SIZE },
	{ "header reserved field set", { HDR(reserved, 1) },
	  .err = -EINVAL, .code = EDGENPU_ENGINE_E_RESERVED },
	{ "header flag set", { HDR(flags, 1) },
	  .err = -EINVAL, .code = EDGENPU_ENGINE_E_RESERVED },
	{ "zero ops", { HDR(op_count, 0) },
	  .err = -E2BIG, .code = EDGENPU_ENGINE_E_TOO_MANY_OPS },
	{ "more than EDGENPU_CMD_MAX_OPS ops",
	  { HDR(op_count, EDGENPU_CMD_MAX_OPS + 1) },
	  .err = -E2BIG, .code = EDGENPU_ENGINE_E_TOO_MANY_OPS },
	{ "unknown opcode", { OPH(opcode, 200) },
	  .err = -EOPNOTSUPP, .code = EDGENPU_ENGINE_E_UNKNOWN_OP },
	{ "opcode INVALID", { OPH(opcode, EDGENPU_OP_INVALID) },
	  .err = -EOPNOTSUPP, .code = EDGENPU_ENGINE_E_UNKNOWN_OP },
	{ "opcode EDGENPU_OP_COUNT", { OPH(opcode, EDGENPU_OP_COUNT) },
	  .err = -EOPNOTSUPP, .code = EDGENPU_ENGINE_E_UNKNOWN_OP },
	{ "op size past the stream", { OPH(size, RESHAPE_OP_SIZE + 8) },
	  .err = -EMSGSIZE, .code = EDGENPU_ENGINE_E_SIZE },
	{ "op reserved field set", { OPH(reserved, 1) },
	  .err = -EINVAL, .code = EDGENPU_ENGINE_E_RESERVED },
	{ "unknown op flag", { OPH(flags, 0x80) },
	  .err = -EINVAL, .code = EDGENPU_ENGINE_E_RESERVED },
	{ "LUT flag on an op without a table", { OPH(flags, EDGENPU_OP_F_LUT) },
	  .err = -EINVAL, .code = EDGENPU_ENGINE_E_RESERVED },
	{ "zero operands", { OPH(num_tensors, 0) },
	  .err = -EINVAL, .code = EDGENPU_ENGINE_E_OPERANDS },
	{ "params size not a multiple of 8", { OPH(params_size, 4) },
	  .err = -EMSGSIZE, .code = EDGENPU_ENGINE_E_SIZE },
	{ "tensor descriptor size too small", { OPH(tensor_size, 8) },
	  .err = -EMSGSIZE, .code = EDGENPU_ENGINE_E_SIZE },
	{ "activation on RESHAPE", { OPH(act_max, 5) },
	  .err = -EINVAL, .code = EDGENPU_ENGINE_E_RESERVED },
	{ "buffer index out of range", { T1(buffer, 7) },
	  .err = -ENXIO, .code = EDGENPU_ENGINE_E_BUFFER_INDEX },
	{ "operand outside its buffer", { T1(offset, 8) },
	  .err = -ERANGE, .code = EDGENPU_ENGINE_E_BOUNDS },
	{ "zero dimension", { T0(dims[1], 0) },
	  .err = -EDOM, .code = EDGENPU_ENGINE_E_DIMS },
	{ "dimension above EDGENPU_CMD_MAX_DIM",
	  { T0(dims[0], EDGENPU_CMD_MAX_DIM + 1) },
	  .err = -EDOM, .code = EDGENPU_ENGINE_E_DIMS },
	{ "RESHAPE element count mismatch", { T1(dims[3], 7) },
	  .err = -EDOM, .code = EDGENPU_ENGINE_E_DIMS },
	{ "tensor reserved field set", { T0(reserved, 1) },
	  .err = -EINVAL, .code = EDGENPU_ENGINE_E_RESERVED },
	{ "unknown tensor flag", { T0(flags, 0x80) },
	  .err = -EINVAL, .code = EDGENPU_ENGINE_E_RESERVED },
	{ "absent operand with fields set", { T0(buffer, EDGENPU_CMD_NO_BUFFER) },
	  .err = -EINVAL, .code = EDGENPU_ENGINE_E_RESERVED },
	{ "strides without the STRIDED flag", { T0(strides[0], 64) },
	  .err = -EDOM, .code = EDGENPU_ENGINE_E_STRIDES },
	{ "stride above 32 bits",
	  { T0(flags, EDGENPU_TENSOR_F_STRIDED), T0(strides[3], 1),
	    T0(strides[0], 1ull << 32) },
	  .err = -EDOM, .code = EDGENPU_ENGINE_E_STRIDES },
	{ "channel stride not 1",
	  { T0(flags, EDGENPU_TENSOR_F_STRIDED), T0(strides[3], 2) },
	  .err = -EDOM, .code = EDGENPU_ENGINE_E_STRIDES },
	{ "self-overlapping strides",
	  { T0(flags, EDGENPU_TENSOR_F_STRIDED), T0(strides[3], 1),
	    T0(strides[2], 4), T0(strides[1], 32) },
	  .err = -EDOM, .code = EDGENPU_ENGINE_E_STRIDES },
	{ "huge equal outer strides overlap",
	  { T0(flags, EDGENPU_TENSOR_F_STRIDED), T0(strides[3], 1),
	    T0(strides[2], 8), T0(strides[1], 0xffffffffull),
	    T0(strides[0], 0xffffffffull), T0(dims[0], EDGENPU_CMD_MAX_DIM) },
	  .err = -EDOM, .code = EDGENPU_ENGINE_E_STRIDES },
	{ "huge strides reach past the buffer",
	  { T0(flags, EDGENPU_TENSOR_F_STRIDED), T0(strides[3], 1),
	    T0(strides[2], 8), T0(strides[1], 32),
	    T0(strides[0], 0xffffffffull), T0(dims[0], EDGENPU_CMD_MAX_DIM) },
	  .err = -ERANGE, .code = EDGENPU_ENGINE_E_BOUNDS },
	{ "more than EDGENPU_CMD_MAX_ELEMENTS elements",
	  { T0(dims[0], EDGENPU_CMD_MAX_DIM), T0(dims[3], 16) },
	  .err = -EDOM, .code = EDGENPU_ENGINE_E_DIMS },
	{ "size arithmetic overflow", { T0(offset, 0xfffffffffffffff8ull) },
	  .err = -EOVERFLOW, .code = EDGENPU_ENGINE_E_OVERFLOW },
	{ "output buffer without WRITE", .flags1 = EDGENPU_BUF_READ,
	  .err = -EACCES, .code = EDGENPU_ENGINE_E_ACCESS },
	{ "input buffer without READ", .flags0 = EDGENPU_BUF_WRITE,
	  .err = -EACCES, .code = EDGENPU_ENGINE_E_ACCESS },
	{ "output overlaps input in the same buffer", { T1(buffer, 0) },
	  .flags0 = EDGENPU_BUF_READ | EDGENPU_BUF_WRITE,
	  .err = -EBUSY, .code = EDGENPU_ENGINE_E_ALIAS },
	{ "disjoint ranges of one buffer are accepted",
	  { T1(buffer, 0), T0(dims[1], 1), T1(dims[2], 4), T1(offset, 32) },
	  .flags0 = EDGENPU_BUF_READ | EDGENPU_BUF_WRITE },
	{ "zero point out of range", { T0(zero_point, 300) },
	  .err = -EINVAL, .code = EDGENPU_ENGINE_E_QUANT },
	{ "shift 31", { T0(shift, 31) },
	  .err = -EINVAL, .code = EDGENPU_ENGINE_E_QUANT },
	{ "per-channel operand with a per-tensor multiplier",
	  { T0(flags, EDGENPU_TENSOR_F_PER_CHANNEL), T0(multiplier, 5) },
	  .err = -EINVAL, .code = EDGENPU_ENGINE_E_QUANT },
	{ "unknown dtype", { T0(dtype, 9) },
	  .err = -EINVAL, .code = EDGENPU_ENGINE_E_OPERANDS },
	/* Op-specific checks on a small conv. */
	{ "valid conv accepted", .job = VJ_CONV },
	{ "too little scratch for the op", .job = VJ_CONV,
	  .scratch = 2048 + 512,
	  .err = -ENOSPC, .code = EDGENPU_ENGINE_E_SCRATCH },
	{ "conv padding inconsistent with output size", .job = VJ_CONV,
	  .p = { CONVP(pad_bottom, 0) },
	  .err = -EDOM, .code = EDGENPU_ENGINE_E_DIMS },
	{ "stride 0", .job = VJ_CONV, .p = { CONVP(stride_h, 0) },
	  .err = -EINVAL, .code = EDGENPU_ENGINE_E_PARAM },
	{ "dilation 65", .job = VJ_CONV, .p = { CONVP(dilation_w, 65) },
	  .err = -EINVAL, .code = EDGENPU_ENGINE_E_PARAM },
	{ "conv padding above 65536", .job = VJ_CONV,
	  .p = { CONVP(pad_left, 65537) },
	  .err = -EINVAL, .code = EDGENPU_ENGINE_E_PARAM },
	{ "conv reserved param set", .job = VJ_CONV, .p = { CONVP(reserved, 1) },
	  .err = -EINVAL, .code = EDGENPU_ENGINE_E_RESERVED },
	{ "depth_multiplier on CONV_2D", .job = VJ_CONV,
	  .p = { CONVP(depth_multiplier, 1) },
	  .err = -EINVAL, .code = EDGENPU_ENGINE_E_PARAM },
	{ "conv filter not [OC,KH,KW,IC]", .job = VJ_CONV, .p = { T1(dims[0], 3) },
	  .err = -EDOM, .code = EDGENPU_ENGINE_E_DIMS },
	{ "conv on uint8", .job = VJ_CONV,
	  .p = { T0(dtype, EDGENPU_DTYPE_UINT8), T0(zero_point, 0) },
	  .err = -EINVAL, .code = EDGENPU_ENGINE_E_OPERANDS },
	{ "act_min > act_max", .job = VJ_CONV,
	  .p = { OPH(act_min, 10), OPH(act_max, 5) },
	  .err = -EINVAL, .code = EDGENPU_ENGINE_E_PARAM },
	{ "act_min below the int8 range", .job = VJ_CONV,
	  .p = { OPH(act_min, -129) },
	  .err = -EINVAL, .code = EDGENPU_ENGINE_E_PARAM },
	{ "LUT flag on CONV_2D", .job = VJ_CONV,
	  .p = { OPH(flags, EDGENPU_OP_F_LUT) },
	  .err = -EINVAL, .code = EDGENPU_ENGINE_E_RESERVED },
	{ "conv with 3 operands", .job = VJ_CONV, .nt = 3,
	  .err = -EINVAL, .code = EDGENPU_ENGINE_E_OPERANDS },
	{ "per-channel without arrays", .job = VJ_CONV,
	  .p = { T3(flags, EDGENPU_TENSOR_F_PER_CHANNEL) },
	  .err = -EINVAL, .code = EDGENPU_ENGINE_E_QUANT },
};

/* Write the low @p->size bytes of @p->val at its field (little endian). */
static void vpatch_apply(const struct vpatch *p, uint32_t psize)
{
	size_t op = sizeof(struct edgenpu_cmd_header);
	size_t par = op + sizeof(struct edgenpu_cmd_op);
	size_t base = p->where == V_HDR ? 0 : p->where == V_OP ? op :
		      p->where == V_PAR ? par :
		      par + psize + (p->where - V_T0) *
				    sizeof(struct edgenpu_cmd_tensor);
	unsigned int k;

	for (k = 0; k < p->size; k++)
		stream[base + p->off + k] = (uint8_t)(p->val >> (8 * k));
}

static int8_t cin[2 * 5 * 5], cw[4 * 9 * 2], co[4 * 5 * 5];

/*
 * A valid 3x3 CONV_2D, pad 1, 2 -> 4 channels, no bias, with its @nt
 * operands and its buffers (flags of buffers 0 and 1 given).
 */
static uint32_t conv_job(uint32_t nt, uint32_t fl0, uint32_t fl1)
{
	struct edgenpu_cmd_conv_params p = jb_conv(1, 1, 1, 1, 1, 1, 1, 1, 0);
	struct edgenpu_cmd_tensor t[4];
	struct jb j;

	setbuf_(0, cin, sizeof(cin), fl0);
	setbuf_(1, cw, sizeof(cw), fl1);
	setbuf_(2, co, sizeof(co), WR);
	t[0] = jb_t(0, EDGENPU_DTYPE_INT8, 0, 1, 5, 5, 2, 0);
	t[1] = jb_t(1, EDGENPU_DTYPE_INT8, 0, 4, 3, 3, 2, 0);
	t[2] = jb_none();
	t[3] = jb_q(jb_t(2, EDGENPU_DTYPE_INT8, 0, 1, 5, 5, 4, 0), 1 << 30, -3);
	jb_init(&j, stream, sizeof(stream));
	jb_op(&j, EDGENPU_OP_CONV_2D, 0, -128, 127, &p, sizeof(p), t, nt);
	return jb_finish(&j);
}

static void vcase_run(const struct vcase *c, struct edgenpu_cmd_tensor *t)
{
	uint32_t len, nb = 2, psize = 0;
	unsigned int k;
	int ret;

	if (c->job == VJ_CONV) {
		len = conv_job(c->nt ? c->nt : 4, c->flags0 ? c->flags0 : RD,
			       c->flags1 ? c->flags1 : RD);
		nb = 3;
		psize = sizeof(struct edgenpu_cmd_conv_params);
	} else {
		setbuf_(0, vin, sizeof(vin), c->flags0 ? c->flags0 : RD);
		setbuf_(1, vout, sizeof(vout), c->flags1 ? c->flags1 : WR);
		len = base_job(t);
	}
	for (k = 0; k < 6 && c->p[k].where != V_NONE; k++)
		vpatch_apply(&c->p[k], psize);
	ret = edgenpu_engine_validate(stream, len - (uint32_t)c->cut, bufs, nb,
				      scratch, c->scratch ? c->scratch :
				      EDGENPU_ENGINE_SCRATCH_SIZE, &eerr);
	if (!c->err) {
		ok(ret == 0, c->name);
		return;
	}
	expect(ret, c->err, c->code, c->name);
}

static void test_validator(void)
{
	struct edgenpu_cmd_tensor t[6];
	struct edgenpu_cmd_header *h = (void *)stream;
	struct jb j;
	uint32_t len;
	size_t i;
	int ret;

#define T2() do {							\
	t[0] = jb_t(0, EDGENPU_DTYPE_INT8, 0, 1, 2, 4, 8, 0);		\
	t[1] = jb_t(1, EDGENPU_DTYPE_INT8, 0, 1, 1, 8, 8, 0);		\
} while (0)
	T2();
	setbuf_(0, vin, sizeof(vin), RD);
	setbuf_(1, vout, sizeof(vout), WR);
	len = base_job(t);
	ok(vrun(len, 2) == 0, "valid baseline job accepted");
	for (i = 0; i < sizeof(vcases) / sizeof(vcases[0]); i++)
		vcase_run(&vcases[i], t);

	/* Too many ops: 1025 copies of a tiny op. */
	{
		int i;

		T2();
		jb_init(&j, stream, sizeof(stream));
		for (i = 0; i < 60; i++)
			jb_op(&j, EDGENPU_OP_RESHAPE, 0, 0, 0, NULL, 0, t, 2);
		len = jb_finish(&j);
		setbuf_(0, vin, sizeof(vin), RD);
		setbuf_(1, vout, sizeof(vout), WR);
		ok(len && vrun(len, 2) == 0, "60-op job accepted");
		h->op_count = 59;
		expect(vrun(len, 2), -EMSGSIZE, EDGENPU_ENGINE_E_SIZE,
		       "op count disagrees with size (trailing bytes)");
	}
	{
		struct edgenpu_engine_buffer nul[2] = {
			{ NULL, 64, RD, 0 }, { NULL, 64, WR, 0 },
		};

		T2();
		len = base_job(t);
		ok(edgenpu_engine_validate(stream, len, nul, 2, scratch,
					   EDGENPU_ENGINE_SCRATCH_SIZE, &eerr) == 0,
		   "validate accepts buffer table entries with NULL pointers");
		ret = edgenpu_engine_run(stream, len, nul, 2, scratch,
					 EDGENPU_ENGINE_SCRATCH_SIZE, NULL, &eerr);
		expect(ret, -EINVAL, EDGENPU_ENGINE_E_ARGS,
		       "run with a NULL buffer pointer");
		ret = edgenpu_engine_execute(stream, len, nul, 2, scratch,
					     EDGENPU_ENGINE_SCRATCH_SIZE, NULL,
					     &eerr);
		expect(ret, -EINVAL, EDGENPU_ENGINE_E_ARGS,
		       "execute with a NULL buffer pointer");
	}
}

/* ---- hooks: profiling and cancellation ---- */

static uint64_t clk;
static int cancel_after;

static uint64_t fake_now(void *ctx)
{
	return ++clk;
}

static int fake_cancel(void *ctx, uint32_t op_index)
{
	return cancel_after-- <= 0;
}

static void test_hooks(void)
{
	struct edgenpu_cmd_tensor t[2];
	struct edgenpu_engine_hooks hk;
	uint64_t times[6] = { 0 };
	struct jb j;
	uint32_t len;
	int i, ret;

	t[0] = jb_t(0, EDGENPU_DTYPE_INT8, 0, 1, 1, 8, 8, 0);
	t[1] = jb_t(1, EDGENPU_DTYPE_INT8, 0, 1, 1, 8, 8, 0);
	setbuf_(0, vin, sizeof(vin), RD);
	setbuf_(1, vout, sizeof(vout), WR);
	jb_init(&j, stream, sizeof(stream));
	for (i = 0; i < 3; i++)
		jb_op(&j, EDGENPU_OP_RESHAPE, 0, 0, 0, NULL, 0, t, 2);
	len = jb_finish(&j);
	memset(&hk, 0, sizeof(hk));
	hk.now = fake_now;
	hk.op_times = times;
	hk.op_times_len = 6;
	ret = edgenpu_engine_run(stream, len, bufs, 2, scratch,
				 EDGENPU_ENGINE_SCRATCH_SIZE, &hk, &eerr);
	ok(!ret && times[0] && times[1] > times[0] && times[5] > times[4] &&
	   times[2] > times[1], "per-op profiling timestamps recorded");
	hk.cancelled = fake_cancel;
	cancel_after = 1;
	ret = edgenpu_engine_run(stream, len, bufs, 2, scratch,
				 EDGENPU_ENGINE_SCRATCH_SIZE, &hk, &eerr);
	ok(ret == -ECANCELED && eerr.op_index == 1 &&
	   eerr.code == EDGENPU_ENGINE_E_CANCELED, "cancellation between ops");
}

/* ---- cost limits ---- */

/* Buffers of 1 GiB without memory: validation reads only sizes. */
static void nomem_bufs(uint32_t nb)
{
	uint32_t i;

	for (i = 0; i < nb; i++)
		setbuf_(i, NULL, 1ull << 30, i == nb - 1 ? WR : RD);
}

/* Append FULLY_CONNECTED [rows, k] x [oc, k] to j, buffers 0, 1 -> 2. */
static void fc_op(struct jb *j, uint32_t rows, uint32_t k, uint32_t oc)
{
	struct edgenpu_cmd_tensor t[4];

	t[0] = jb_t(0, EDGENPU_DTYPE_INT8, 0, rows, 1, 1, k, 0);
	t[1] = jb_t(1, EDGENPU_DTYPE_INT8, 0, 1, 1, oc, k, 0);
	t[2] = jb_none();
	t[3] = jb_q(jb_t(2, EDGENPU_DTYPE_INT8, 0, rows, 1, 1, oc, 0),
		    1 << 30, -8);
	jb_op(j, EDGENPU_OP_FULLY_CONNECTED, 0, -128, 127, NULL, 0, t, 4);
}

static void expect_cost(int ret, int32_t op, const char *msg,
			const char *name)
{
	char buf[200];
	int good = ret == -E2BIG && eerr.err == -E2BIG &&
		   eerr.code == EDGENPU_ENGINE_E_COST && eerr.op_index == op &&
		   eerr.tensor == -1 && !strcmp(eerr.msg, msg);

	snprintf(buf, sizeof(buf), "cost: %s%s%s", name, good ? "" : " got: ",
		 good ? "" : eerr.msg);
	ok(good, buf);
}

static void test_cost(void)
{
	struct edgenpu_cmd_tensor t[4];
	struct edgenpu_cmd_conv_params cp;
	struct edgenpu_cmd_pool_params pp = { 8, 8, 1, 1, 0, 0, 0, 0 };
	struct edgenpu_cmd_add_params ap = { 20, 0 };
	struct jb j;
	uint32_t len;
	int i;

	ok(EDGENPU_ENGINE_E_INTERNAL == 20 &&
	   EDGENPU_ENGINE_E_COST == EDGENPU_ENGINE_E_INTERNAL + 1,
	   "cost: E_COST follows E_INTERNAL, older codes keep their values");
	ok(EDGENPU_CMD_MAX_OP_COST == 1ull << 32 &&
	   EDGENPU_CMD_MAX_JOB_COST == 1ull << 33, "cost: limits 2^32 and 2^33");
	nomem_bufs(3);

	/* The brief's example: 2^16 outputs x 64 channels x 32768 = 2^37. */
	t[0] = jb_t(0, EDGENPU_DTYPE_INT8, 0, 1, 319, 319, 8, 0);
	t[1] = jb_t(1, EDGENPU_DTYPE_INT8, 0, 64, 64, 64, 8, 0);
	t[2] = jb_none();
	t[3] = jb_q(jb_t(2, EDGENPU_DTYPE_INT8, 0, 1, 256, 256, 64, 0),
		    1 << 30, -8);
	cp = jb_conv(1, 1, 1, 1, 0, 0, 0, 0, 0);
	jb_init(&j, stream, sizeof(stream));
	jb_op(&j, EDGENPU_OP_CONV_2D, 0, -128, 127, &cp, sizeof(cp), t, 4);
	expect_cost(vrun(jb_finish(&j), 3), 0,
		    "op cost 137438953472 exceeds the limit 4294967296",
		    "CONV_2D [1,319,319,8] * [64,64,64,8] (2^37 MACs) refused");
	{
		const uint8_t *d = stream + sizeof(struct edgenpu_cmd_header);
		uint32_t dlen = jb_finish(&j) - sizeof(struct edgenpu_cmd_header);
		uint64_t cost = 0;
		int r;

		r = edgenpu_engine_op_cost(d, dlen, scratch,
					   EDGENPU_ENGINE_SCRATCH_SIZE, &cost,
					   &eerr);
		ok(!r && cost == 1ull << 37,
		   "op_cost: the refused 2^37-MAC CONV_2D costs 2^37 units");
		r = edgenpu_engine_op_cost(d, dlen - 8, scratch,
					   EDGENPU_ENGINE_SCRATCH_SIZE, &cost,
					   &eerr);
		ok(r == -EMSGSIZE && eerr.code == EDGENPU_ENGINE_E_SIZE,
		   "op_cost: a truncated descriptor is refused (-EMSGSIZE)");
		r = edgenpu_engine_op_cost(d, dlen, (uint8_t *)scratch + 8,
					   EDGENPU_ENGINE_SCRATCH_SIZE - 8,
					   &cost, &eerr);
		ok(r == -ENOSPC && eerr.code == EDGENPU_ENGINE_E_SCRATCH,
		   "op_cost: misaligned scratch is refused");
	}
	/* Extents no validator would pass: the cost saturates, never wraps. */
	{
		struct edgenpu_cmd_tensor u[4];
		uint64_t cost = 0;
		int r;

		u[0] = jb_t(0, EDGENPU_DTYPE_INT8, 0, EDGENPU_CMD_MAX_DIM,
			    EDGENPU_CMD_MAX_DIM, EDGENPU_CMD_MAX_DIM,
			    EDGENPU_CMD_MAX_DIM, 0);
		u[1] = u[0];
		u[2] = jb_none();
		u[3] = u[0];
		jb_init(&j, stream, sizeof(stream));
		jb_op(&j, EDGENPU_OP_CONV_2D, 0, -128, 127, &cp, sizeof(cp),
		      u, 4);
		len = jb_finish(&j);
		r = edgenpu_engine_op_cost(stream + sizeof(struct edgenpu_cmd_header),
					   len - sizeof(struct edgenpu_cmd_header),
					   scratch, EDGENPU_ENGINE_SCRATCH_SIZE,
					   &cost, &eerr);
		ok(!r && cost == UINT64_MAX,
		   "op_cost: a CONV_2D of 2^24 extents (2^192 MACs) saturates at UINT64_MAX");
	}

	jb_init(&j, stream, sizeof(stream));
	fc_op(&j, 8, 32767, 16384);
	ok(vrun(jb_finish(&j), 3) == 0,
	   "cost: FULLY_CONNECTED of 2^32 - 2^17 MACs (just under) accepted");
	jb_init(&j, stream, sizeof(stream));
	fc_op(&j, 8, 32768, 16384);
	ok(vrun(jb_finish(&j), 3) == 0,
	   "cost: FULLY_CONNECTED of exactly 2^32 MACs accepted");
	jb_init(&j, stream, sizeof(stream));
	fc_op(&j, 9, 32768, 16384);
	expect_cost(vrun(jb_finish(&j), 3), 0,
		    "op cost 4831838208 exceeds the limit 4294967296",
		    "FULLY_CONNECTED of 9 * 2^29 MACs refused");

	/* Jobs: each op under the op limit, the sum over the job limit. */
	jb_init(&j, stream, sizeof(stream));
	for (i = 0; i < 2; i++)
		fc_op(&j, 8, 32767, 16384);
	ok(vrun(jb_finish(&j), 3) == 0,
	   "cost: job of two ops of 2^32 - 2^17 accepted");
	jb_init(&j, stream, sizeof(stream));
	for (i = 0; i < 3; i++)
		fc_op(&j, 8, 32767, 16384);
	len = jb_finish(&j);
	expect_cost(vrun(len, 3), 2,
		    "job cost 12884508672 exceeds the limit 8589934592",
		    "job of three ops of 2^32 - 2^17 refused at the third");

	/* Three convs of 2^32 MACs in little memory: nothing runs. */
	{
		int8_t *in = calloc(1, 95 * 127 * 8), *w = calloc(1, 1 << 21);
		int8_t *out = malloc(32 * 64 * 64);

		/* 2^17 outputs of 2^15 taps each */
		t[0] = jb_t(0, EDGENPU_DTYPE_INT8, 0, 1, 95, 127, 8, 0);
		t[1] = jb_t(1, EDGENPU_DTYPE_INT8, 0, 64, 64, 64, 8, 0);
		t[2] = jb_none();
		t[3] = jb_q(jb_t(2, EDGENPU_DTYPE_INT8, 0, 1, 32, 64, 64, 0),
			    1 << 30, -8);
		jb_init(&j, stream, sizeof(stream));
		for (i = 0; i < 3; i++)
			jb_op(&j, EDGENPU_OP_CONV_2D, 0, -128, 127, &cp,
			      sizeof(cp), t, 4);
		len = jb_finish(&j);
		setbuf_(0, in, 95 * 127 * 8, RD);
		setbuf_(1, w, 1 << 21, RD);
		setbuf_(2, out, 32 * 64 * 64, WR);
		memset(out, 0x55, 32 * 64 * 64);
		expect_cost(edgenpu_engine_run(stream, len, bufs, 3, scratch,
					       EDGENPU_ENGINE_SCRATCH_SIZE,
					       NULL, &eerr),
			    2, "job cost 12884901888 exceeds the limit 8589934592",
			    "run() of three 2^32-MAC convs refused, none ran");
		ok((uint8_t)out[0] == 0x55 && (uint8_t)out[131071] == 0x55,
		   "cost: the refused job wrote nothing");
		free(in);
		free(w);
		free(out);
	}
	nomem_bufs(3);

	/* Pooling counts its window: 8x8 fits, 9x9 does not. */
	t[0] = jb_t(0, EDGENPU_DTYPE_INT8, 0, 1, 1024, 1024, 64, 0);
	t[1] = jb_t(2, EDGENPU_DTYPE_INT8, 0, 1, 1017, 1017, 64, 0);
	jb_init(&j, stream, sizeof(stream));
	jb_op(&j, EDGENPU_OP_AVERAGE_POOL_2D, 0, -128, 127, &pp, sizeof(pp),
	      t, 2);
	ok(vrun(jb_finish(&j), 3) == 0,
	   "cost: AVERAGE_POOL_2D 8x8 over 66M outputs (4236447744) accepted");
	pp.filter_h = 9;
	pp.filter_w = 9;
	t[1] = jb_t(2, EDGENPU_DTYPE_INT8, 0, 1, 1016, 1016, 64, 0);
	jb_init(&j, stream, sizeof(stream));
	jb_op(&j, EDGENPU_OP_MAX_POOL_2D, 0, -128, 127, &pp, sizeof(pp),
	      t, 2);
	expect_cost(vrun(jb_finish(&j), 3), 0,
		    "op cost 5351215104 exceeds the limit 4294967296",
		    "MAX_POOL_2D 9x9 over 66M outputs refused");

	/* ADD costs 8 units an element: 2^29 elements fit, 33 * 2^24 not. */
	t[0] = jb_t(0, EDGENPU_DTYPE_INT8, 0, 1, 32, 1 << 24, 1, 0);
	t[1] = t[0];
	t[1].buffer = 1;
	t[2] = t[0];
	t[2].buffer = 2;
	jb_init(&j, stream, sizeof(stream));
	jb_op(&j, EDGENPU_OP_ADD, 0, -128, 127, &ap, sizeof(ap), t, 3);
	ok(vrun(jb_finish(&j), 3) == 0, "cost: ADD of 2^29 elements accepted");
	t[0].dims[1] = t[1].dims[1] = t[2].dims[1] = 33;
	for (i = 0; i < 3; i++)
		bufs[i].size = 33ull << 24;
	jb_init(&j, stream, sizeof(stream));
	jb_op(&j, EDGENPU_OP_ADD, 0, -128, 127, &ap, sizeof(ap), t, 3);
	expect_cost(vrun(jb_finish(&j), 3), 0,
		    "op cost 4429185024 exceeds the limit 4294967296",
		    "ADD of 33 * 2^24 elements refused");
}

/* ---- preemption points and cancellation inside one op ---- */

static int hook_calls, hook_cancel_at;
static int hook_per_op[4];

static int count_cancel(void *ctx, uint32_t op_index)
{
	hook_calls++;
	hook_per_op[op_index < 4 ? op_index : 3]++;
	return hook_cancel_at && hook_calls >= hook_cancel_at;
}

#define BIGBUF (1u << 20)

struct bigcase {
	const char *name;
	uint16_t opcode;
	uint32_t flags;
	uint32_t ntens;
	int32_t amin, amax;
	uint64_t params[6];
	uint32_t psize;
	/* N, H, W, C of each operand (all int8 unless given in dtype) */
	uint32_t dims[6][4];
	uint8_t dtype[6];
	uint64_t cost;
};

#define P(...) { __VA_ARGS__ }

static void run_bigcase(const struct bigcase *c, uint8_t **mem)
{
	struct edgenpu_cmd_tensor t[6];
	struct edgenpu_engine_hooks hk;
	uint32_t len, i;
	struct jb j;
	int ret, calls, good;
	uint64_t cost;
	char name[200];

	for (i = 0; i < c->ntens; i++) {
		t[i] = jb_t(i, c->dtype[i] ? c->dtype[i] : EDGENPU_DTYPE_INT8, 0,
			    c->dims[i][0], c->dims[i][1], c->dims[i][2],
			    c->dims[i][3], c->dtype[i] == EDGENPU_DTYPE_INT8 ||
			    !c->dtype[i] ? 0 : 0);
		setbuf_(i, mem[i], BIGBUF, RD);
	}
	/* The output: the last operand but for conv/fc (3). */
	i = c->opcode <= EDGENPU_OP_FULLY_CONNECTED ? 3 :
	    c->opcode <= EDGENPU_OP_MUL ? 2 :
	    c->opcode == EDGENPU_OP_CONCATENATION ? c->ntens - 1 : 1;
	bufs[i].flags = WR;
	if (c->dims[2][0] == 0 && c->opcode <= EDGENPU_OP_FULLY_CONNECTED)
		t[2] = jb_none();
	jb_init(&j, stream, sizeof(stream));
	jb_op(&j, c->opcode, c->flags, c->amin, c->amax, c->params, c->psize,
	      t, c->ntens);
	len = jb_finish(&j);
	/* The planners' cost of the op descriptor: the validator's. */
	cost = 0;
	ret = edgenpu_engine_op_cost(stream + sizeof(struct edgenpu_cmd_header),
				     len - sizeof(struct edgenpu_cmd_header),
				     scratch, EDGENPU_ENGINE_SCRATCH_SIZE,
				     &cost, &eerr);
	snprintf(name, sizeof(name),
		 "edgenpu_engine_op_cost: %s costs %llu units (got %llu%s%s)",
		 c->name, (unsigned long long)c->cost,
		 (unsigned long long)cost, ret ? ", failed: " : "",
		 ret ? eerr.msg : "");
	ok(!ret && cost == c->cost, name);
	memset(&hk, 0, sizeof(hk));
	hk.cancelled = count_cancel;
	hook_calls = 0;
	hook_cancel_at = 0;
	ret = edgenpu_engine_run(stream, len, bufs, c->ntens, scratch,
				 EDGENPU_ENGINE_SCRATCH_SIZE, &hk, &eerr);
	calls = hook_calls;
	/*
	 * One call before the op, then one whenever 65536 units ran out;
	 * every tick stays within 65536 units, so at least one call per
	 * 131072 units. Weight sums and im2col gathering tick too, at most
	 * as many units again as the op's cost.
	 */
	good = !ret && calls >= 1 + (int)(c->cost / 131072) &&
	       calls <= 2 + (int)(c->cost / 32768);
	snprintf(name, sizeof(name),
		 "preemption: %s (%llu units) asks the hook %d times%s%s",
		 c->name, (unsigned long long)c->cost, calls,
		 ret ? ", failed: " : "", ret ? eerr.msg : "");
	ok(good, name);
	hook_calls = 0;
	hook_cancel_at = 3;
	ret = edgenpu_engine_run(stream, len, bufs, c->ntens, scratch,
				 EDGENPU_ENGINE_SCRATCH_SIZE, &hk, &eerr);
	snprintf(name, sizeof(name),
		 "preemption: %s stops inside the op when cancelled%s%s",
		 c->name, ret == -ECANCELED ? "" : ", got: ",
		 ret == -ECANCELED ? "" : eerr.msg);
	ok(ret == -ECANCELED && eerr.code == EDGENPU_ENGINE_E_CANCELED &&
	   eerr.op_index == 0 && hook_calls == 3, name);
}

static void test_cancel_in_op(void)
{
	static const struct bigcase cases[] = {
		{ "CONV_2D 1x1 direct", EDGENPU_OP_CONV_2D, 0, 4, -128, 127,
		  P(0x100000001ull, 0x100000001ull), 40,
		  { { 1, 8, 8, 256 }, { 256, 1, 1, 256 }, { 0 }, { 1, 8, 8, 256 } },
		  { 0 }, 64ull * 256 * 256 },
		{ "CONV_2D 3x3 im2col", EDGENPU_OP_CONV_2D, 0, 4, -128, 127,
		  P(0x100000001ull, 0x100000001ull, 0x100000001ull,
		    0x100000001ull), 40,
		  { { 1, 16, 16, 32 }, { 64, 3, 3, 32 }, { 1, 1, 1, 64 },
		    { 1, 16, 16, 64 } },
		  { 0, 0, EDGENPU_DTYPE_INT32 }, 256ull * 64 * 288 },
		{ "CONV_2D reduction 8192", EDGENPU_OP_CONV_2D, 0, 4, -128, 127,
		  P(0x100000001ull, 0x100000001ull), 40,
		  { { 1, 4, 4, 8192 }, { 16, 1, 1, 8192 }, { 0 }, { 1, 4, 4, 16 } },
		  { 0 }, 16ull * 16 * 8192 },
		{ "CONV_2D 3x3x3 short reduction", EDGENPU_OP_CONV_2D, 0, 4, -128,
		  127, P(0x100000001ull, 0x100000001ull, 0x100000001ull,
			 0x100000001ull), 40,
		  { { 1, 64, 64, 3 }, { 32, 3, 3, 3 }, { 0 }, { 1, 64, 64, 32 } },
		  { 0 }, 4096ull * 32 * 27 },
		{ "FULLY_CONNECTED", EDGENPU_OP_FULLY_CONNECTED, 0, 4, -128, 127,
		  P(0), 0,
		  { { 16, 1, 1, 1024 }, { 1, 1, 64, 1024 }, { 0 }, { 16, 1, 1, 64 } },
		  { 0 }, 16ull * 1024 * 64 },
		{ "DEPTHWISE_CONV_2D 3x3", EDGENPU_OP_DEPTHWISE_CONV_2D, 0, 4, -128,
		  127, P(0x100000001ull, 0x100000001ull, 0x100000001ull,
			 0x100000001ull, 1), 40,
		  { { 1, 32, 32, 64 }, { 1, 3, 3, 64 }, { 0 }, { 1, 32, 32, 64 } },
		  { 0 }, 1024ull * 64 * 9 },
		{ "DEPTHWISE_CONV_2D 1x2048", EDGENPU_OP_DEPTHWISE_CONV_2D, 0, 4,
		  -128, 127, P(0x100000001ull, 0x100000001ull, 0, 0, 1), 40,
		  { { 1, 1, 2051, 64 }, { 1, 1, 2048, 64 }, { 0 }, { 1, 1, 4, 64 } },
		  { 0 }, 4ull * 64 * 2048 },
		{ "ADD", EDGENPU_OP_ADD, 0, 3, -128, 127, P(20), 8,
		  { { 1, 1, 256, 256 }, { 1, 1, 256, 256 }, { 1, 1, 256, 256 } },
		  { 0 }, 65536ull * 8 },
		{ "MUL", EDGENPU_OP_MUL, 0, 3, -128, 127, P(0), 0,
		  { { 1, 2, 256, 256 }, { 1, 1, 1, 256 }, { 1, 2, 256, 256 } },
		  { 0 }, 131072ull * 4 },
		{ "QUANTIZE", EDGENPU_OP_QUANTIZE, 0, 2, 0, 0, P(0), 0,
		  { { 1, 2, 256, 256 }, { 1, 2, 256, 256 } },
		  { 0 }, 131072ull * 4 },
		{ "LOGISTIC fixed point", EDGENPU_OP_LOGISTIC, 0, 2, 0, 0, P(0),
		  16, { { 1, 1, 64, 256 }, { 1, 1, 64, 256 } },
		  { 0 }, 16384ull * 32 },
		{ "TANH table", EDGENPU_OP_TANH, EDGENPU_OP_F_LUT, 3, 0, 0, P(0),
		  16, { { 1, 8, 256, 256 }, { 1, 8, 256, 256 }, { 1, 1, 1, 256 } },
		  { 0 }, 524288ull },
		{ "SOFTMAX", EDGENPU_OP_SOFTMAX, 0, 2, 0, 0, P(0), 16,
		  { { 1, 1, 64, 256 }, { 1, 1, 64, 256 } },
		  { 0 }, 16384ull * 32 },
		{ "AVERAGE_POOL_2D 3x3", EDGENPU_OP_AVERAGE_POOL_2D, 0, 2, -128,
		  127, P(0x300000003ull, 0x100000001ull, 0x100000001ull,
			 0x100000001ull), 32,
		  { { 1, 64, 64, 16 }, { 1, 64, 64, 16 } },
		  { 0 }, 65536ull * 9 },
		{ "MAX_POOL_2D 128x128", EDGENPU_OP_MAX_POOL_2D, 0, 2, -128, 127,
		  P(0x8000000080ull, 0x100000001ull), 32,
		  { { 1, 128, 131, 8 }, { 1, 1, 4, 8 } },
		  { 0 }, 32ull * 16384 },
		{ "MEAN", EDGENPU_OP_MEAN, 0, 2, 0, 0, P(0), 0,
		  { { 1, 64, 64, 128 }, { 1, 1, 1, 128 } },
		  { 0 }, 524288ull },
		{ "RESHAPE", EDGENPU_OP_RESHAPE, 0, 2, 0, 0, P(0), 0,
		  { { 1, 1, 256, 256 }, { 1, 256, 256, 1 } },
		  { 0 }, 65536ull * 8 },
		{ "CONCATENATION axis 3", EDGENPU_OP_CONCATENATION, 0, 3, 0, 0,
		  P(3), 8,
		  { { 1, 1, 256, 128 }, { 1, 1, 256, 128 }, { 1, 1, 256, 256 } },
		  { 0 }, 65536ull * 8 },
		{ "CONCATENATION axis 2", EDGENPU_OP_CONCATENATION, 0, 3, 0, 0,
		  P(2), 8,
		  { { 1, 1, 1, 32768 }, { 1, 1, 1, 32768 }, { 1, 1, 2, 32768 } },
		  { 0 }, 65536ull * 8 },
		{ "PAD", EDGENPU_OP_PAD, 0, 2, 0, 0,
		  P(0x100000000ull, 0, 0x100000000ull), 40,
		  { { 1, 254, 256, 1 }, { 1, 256, 256, 1 } },
		  { 0 }, 65536ull * 8 },
		{ "TRANSPOSE", EDGENPU_OP_TRANSPOSE, 0, 2, 0, 0,
		  P(0x300000000ull, 0x200000001ull), 16,
		  { { 1, 1, 256, 256 }, { 1, 256, 1, 256 } },
		  { 0 }, 65536ull * 8 },
	};
	struct edgenpu_cmd_tensor t[4];
	struct edgenpu_cmd_conv_params cp = jb_conv(1, 1, 1, 1, 0, 0, 0, 0, 0);
	struct edgenpu_engine_hooks hk;
	uint8_t *mem[6], *out;
	struct jb j;
	uint32_t len, i;
	int ret;

	for (i = 0; i < 6; i++)
		mem[i] = calloc(1, BIGBUF);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_bigcase(&cases[i], mem);

	/* 2^24 MACs; cancelled at the 5th call, a 64th of the way in. */
	out = mem[2];
	t[0] = jb_t(0, EDGENPU_DTYPE_INT8, 0, 1, 16, 16, 256, 0);
	t[1] = jb_t(1, EDGENPU_DTYPE_INT8, 0, 256, 1, 1, 256, 0);
	t[2] = jb_none();
	t[3] = jb_q(jb_t(2, EDGENPU_DTYPE_INT8, 0, 1, 16, 16, 256, 0),
		    1 << 30, -1);
	setbuf_(0, mem[0], BIGBUF, RD);
	setbuf_(1, mem[1], BIGBUF, RD);
	setbuf_(2, out, BIGBUF, WR);
	memset(mem[0], 3, BIGBUF);
	memset(mem[1], 1, BIGBUF);
	memset(out, 0x55, 65536);
	jb_init(&j, stream, sizeof(stream));
	jb_op(&j, EDGENPU_OP_CONV_2D, 0, -128, 127, &cp, sizeof(cp), t, 4);
	len = jb_finish(&j);
	memset(&hk, 0, sizeof(hk));
	hk.cancelled = count_cancel;
	hook_calls = 0;
	hook_cancel_at = 5;
	ret = edgenpu_engine_execute(stream, len, bufs, 3, scratch,
				     EDGENPU_ENGINE_SCRATCH_SIZE, &hk, &eerr);
	ok(ret == -ECANCELED && eerr.code == EDGENPU_ENGINE_E_CANCELED &&
	   eerr.op_index == 0 && hook_calls == 5 && out[0] != 0x55 &&
	   out[65535] == 0x55,
	   "cancel: a 2^24-MAC conv stops after the 5th hook call, part done");
	hook_calls = 0;
	hook_cancel_at = 0;
	ret = edgenpu_engine_execute(stream, len, bufs, 3, scratch,
				     EDGENPU_ENGINE_SCRATCH_SIZE, &hk, &eerr);
	ok(!ret && hook_calls >= 129 && hook_calls <= 258 && out[65535] != 0x55,
	   "cancel: uncancelled, the hook runs 129..258 times inside it");

	/* The hook learns which op is running. */
	t[0] = jb_t(3, EDGENPU_DTYPE_INT8, 0, 1, 1, 1, 64, 0);
	t[1] = jb_t(4, EDGENPU_DTYPE_INT8, 0, 1, 1, 1, 64, 0);
	setbuf_(3, mem[3], 64, RD);
	setbuf_(4, mem[4], 64, WR);
	jb_init(&j, stream, sizeof(stream));
	jb_op(&j, EDGENPU_OP_RESHAPE, 0, 0, 0, NULL, 0, t, 2);
	t[0] = jb_t(0, EDGENPU_DTYPE_INT8, 0, 1, 16, 16, 256, 0);
	t[1] = jb_t(1, EDGENPU_DTYPE_INT8, 0, 256, 1, 1, 256, 0);
	t[2] = jb_none();
	t[3] = jb_q(jb_t(2, EDGENPU_DTYPE_INT8, 0, 1, 16, 16, 256, 0),
		    1 << 30, -1);
	jb_op(&j, EDGENPU_OP_CONV_2D, 0, -128, 127, &cp, sizeof(cp), t, 4);
	len = jb_finish(&j);
	memset(hook_per_op, 0, sizeof(hook_per_op));
	hook_calls = 0;
	ret = edgenpu_engine_run(stream, len, bufs, 5, scratch,
				 EDGENPU_ENGINE_SCRATCH_SIZE, &hk, &eerr);
	ok(!ret && hook_per_op[0] == 1 && hook_per_op[1] >= 129 &&
	   hook_per_op[2] == 0 && hook_per_op[3] == 0,
	   "cancel: the hook gets the index of the op being executed");
	for (i = 0; i < 6; i++)
		free(mem[i]);
}

/* ---- validation without buffer memory ---- */

static void test_validate_no_memory(void)
{
	struct edgenpu_cmd_tensor t[6];
	struct edgenpu_cmd_conv_params cp = jb_conv(1, 1, 1, 1, 1, 1, 1, 1, 0);
	struct edgenpu_cmd_act_params ap;
	size_t sz = 1 << 20;
	uint8_t *noaccess = mmap(NULL, 6 * sz, PROT_NONE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint32_t len, i;
	struct jb j;
	int r1, r2;

	if (noaccess == MAP_FAILED) {
		ok(0, "no memory: mmap");
		return;
	}
	/* A per-channel conv, a table LOGISTIC and a strided RESHAPE. */
	t[0] = jb_t(0, EDGENPU_DTYPE_INT8, 0, 1, 8, 8, 16, 3);
	t[1] = jb_t(1, EDGENPU_DTYPE_INT8, 0, 32, 3, 3, 16, 0);
	t[2] = jb_t(2, EDGENPU_DTYPE_INT32, 0, 1, 1, 1, 32, 0);
	t[3] = jb_t(3, EDGENPU_DTYPE_INT8, 0, 1, 8, 8, 32, -1);
	t[3].flags = EDGENPU_TENSOR_F_PER_CHANNEL;
	t[4] = jb_t(4, EDGENPU_DTYPE_INT32, 0, 1, 1, 1, 32, 0);
	t[5] = jb_t(4, EDGENPU_DTYPE_INT32, 128, 1, 1, 1, 32, 0);
	jb_init(&j, stream, sizeof(stream));
	jb_op(&j, EDGENPU_OP_CONV_2D, 0, -128, 127, &cp, sizeof(cp), t, 6);
	memset(&ap, 0, sizeof(ap));
	t[0] = jb_t(3, EDGENPU_DTYPE_INT8, 0, 1, 8, 8, 32, 0);
	t[1] = jb_t(5, EDGENPU_DTYPE_INT8, 0, 1, 8, 8, 32, 0);
	t[2] = jb_t(4, EDGENPU_DTYPE_INT8, 256, 1, 1, 1, 256, 0);
	jb_op(&j, EDGENPU_OP_LOGISTIC, EDGENPU_OP_F_LUT, 0, 0, &ap, sizeof(ap),
	      t, 3);
	t[0] = jb_t(5, EDGENPU_DTYPE_INT8, 0, 1, 8, 8, 16, 0);
	t[0].flags = EDGENPU_TENSOR_F_STRIDED;
	t[0].strides[3] = 1;
	t[0].strides[2] = 32;
	t[0].strides[1] = 256;
	t[1] = jb_t(3, EDGENPU_DTYPE_INT8, 0, 1, 1, 1, 1024, 0);
	jb_op(&j, EDGENPU_OP_RESHAPE, 0, 0, 0, NULL, 0, t, 2);
	len = jb_finish(&j);
	for (i = 0; i < 6; i++)
		setbuf_(i, noaccess + i * sz, sz, i == 3 || i == 5 ? RD | WR : RD);
	ok(vrun(len, 6) == 0,
	   "no memory: validate never touches buffers (PROT_NONE pointers)");
	for (i = 0; i < 6; i++)
		bufs[i].ptr = NULL;
	ok(vrun(len, 6) == 0, "no memory: validate with all pointers NULL");
	expect(edgenpu_engine_run(stream, len, bufs, 6, scratch,
				  EDGENPU_ENGINE_SCRATCH_SIZE, NULL, &eerr),
	       -EINVAL, EDGENPU_ENGINE_E_ARGS, "run() with NULL pointers");

	/* Alignment comes from the offset, with or without memory. */
	t[0] = jb_t(0, EDGENPU_DTYPE_INT32, 6, 1, 1, 1, 4, 0);
	t[1] = jb_t(1, EDGENPU_DTYPE_INT32, 0, 1, 1, 1, 4, 0);
	jb_init(&j, stream, sizeof(stream));
	jb_op(&j, EDGENPU_OP_RESHAPE, 0, 0, 0, NULL, 0, t, 2);
	len = jb_finish(&j);
	setbuf_(0, NULL, 64, RD);
	setbuf_(1, NULL, 64, WR);
	r1 = vrun(len, 2);
	expect(r1, -ERANGE, EDGENPU_ENGINE_E_BOUNDS,
	       "no memory: int32 operand at offset 6 (NULL pointers)");
	setbuf_(0, vin, sizeof(vin), RD);
	setbuf_(1, vout, sizeof(vout), WR);
	r2 = vrun(len, 2);
	ok(r1 == r2, "no memory: same verdict with mapped buffers");
	munmap(noaccess, 6 * sz);
}

/* ---- strides may never map two elements to one address ---- */

/* Validate a strided int8 RESHAPE input; 0 if accepted. */
static int strided(const uint32_t *d, const uint64_t *st)
{
	struct edgenpu_cmd_tensor t[2];
	int k;

	t[0] = jb_t(0, EDGENPU_DTYPE_INT8, 0, d[0], d[1], d[2], d[3], 0);
	t[0].flags = EDGENPU_TENSOR_F_STRIDED;
	for (k = 0; k < 4; k++)
		t[0].strides[k] = st[k];
	t[1] = jb_t(1, EDGENPU_DTYPE_INT8, 0, 1, 1, 1,
		    d[0] * d[1] * d[2] * d[3], 0);
	setbuf_(0, NULL, 1 << 20, RD);
	setbuf_(1, NULL, 1 << 20, WR);
	return vrun(base_job(t), 2);
}

static int collides(const uint32_t *d, const uint64_t *st)
{
	static uint8_t seen[4096];
	uint32_t i[4];
	int hit = 0;

	memset(seen, 0, sizeof(seen));
	for (i[0] = 0; i[0] < d[0]; i[0]++)
		for (i[1] = 0; i[1] < d[1]; i[1]++)
			for (i[2] = 0; i[2] < d[2]; i[2]++)
				for (i[3] = 0; i[3] < d[3]; i[3]++) {
					uint64_t a = i[0] * st[0] + i[1] * st[1] +
						     i[2] * st[2] + i[3] * st[3];

					hit |= seen[a]++ != 0;
				}
	return hit;
}

static void test_strides(void)
{
	static const struct {
		uint32_t d[4];
		uint64_t st[4];
		int ok;
		const char *name;
	} cases[] = {
		{ { 2, 1, 2, 4 }, { 0, 0, 4, 1 }, 0,
		  "dims [2,1,2,4] strides [0,0,4,1]: N stride 0 refused" },
		{ { 2, 1, 2, 4 }, { 5, 0, 4, 1 }, 0,
		  "dims [2,1,2,4] strides [5,0,4,1]: N inside W's span refused" },
		{ { 2, 1, 1, 4 }, { 0, 9, 0, 1 }, 0,
		  "dims [2,1,1,4] strides [0,9,0,1]: N stride 0 refused" },
		{ { 3, 1, 2, 4 }, { 7, 100, 4, 1 }, 0,
		  "dims [3,1,2,4] strides [7,100,4,1]: N inside W's span refused" },
		{ { 2, 1, 2, 4 }, { 8, 0, 4, 1 }, 1,
		  "dims [2,1,2,4] strides [8,0,4,1]: extent-1 stride ignored" },
		{ { 1, 2, 2, 4 }, { 0, 9, 5, 1 }, 1,
		  "dims [1,2,2,4] strides [0,9,5,1]: gapped, disjoint, accepted" },
		{ { 2, 2, 2, 4 }, { 18, 9, 5, 1 }, 1,
		  "dims [2,2,2,4] strides [18,9,5,1]: gapped, disjoint, accepted" },
	};
	uint32_t d[4], i, accepted = 0, bad = 0;
	uint64_t st[4];
	char name[160];
	int k, ret;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ret = strided(cases[i].d, cases[i].st);
		snprintf(name, sizeof(name), "strides: %s", cases[i].name);
		if (cases[i].ok)
			ok(ret == 0 && !collides(cases[i].d, cases[i].st), name);
		else
			ok(ret == -EDOM && eerr.code == EDGENPU_ENGINE_E_STRIDES &&
			   collides(cases[i].d, cases[i].st), name);
	}
	/* Random small layouts: whatever is accepted is injective. */
	for (i = 0; i < 20000; i++) {
		for (k = 0; k < 4; k++) {
			d[k] = (uint32_t)rnd(1, 3);
			st[k] = (uint64_t)rnd(0, 20);
		}
		st[3] = 1;
		if (!strided(d, st)) {
			accepted++;
			if (collides(d, st)) {
				bad++;
				tap_diag("accepted overlapping dims [%u,%u,%u,%u] strides [%llu,%llu,%llu,%llu]",
				       d[0], d[1], d[2], d[3],
				       (unsigned long long)st[0],
				       (unsigned long long)st[1],
				       (unsigned long long)st[2],
				       (unsigned long long)st[3]);
			}
		}
	}
	snprintf(name, sizeof(name),
		 "strides: 20000 random layouts, %u accepted, none overlapping",
		 accepted);
	ok(!bad && accepted > 1000, name);
}

/* ---- edgenpu_engine_execute() ---- */

static void test_execute(void)
{
	int8_t *a = malloc(4096), *o1 = malloc(4096), *o2 = malloc(4096);
	struct edgenpu_cmd_tensor t[4];
	struct edgenpu_cmd_conv_params cp = jb_conv(1, 1, 1, 1, 1, 1, 1, 1, 0);
	struct edgenpu_cmd_add_params ap = { 20, 0 };
	struct edgenpu_cmd_softmax_params sp = { 1500000000, 20, -100, 0 };
	struct jb j;
	uint32_t len;
	int r1, r2;

	/* The op tests again, each op executed by execute(). */
	exec_mode = 1;
	test_conv();
	test_fc();
	test_binary();
	test_pool_mean_quant();
	test_data();
	exec_mode = 0;

	/* A chain: conv -> add -> softmax, by run() and by execute(). */
	fill8(a, 4096);
	t[0] = jb_t(0, EDGENPU_DTYPE_INT8, 0, 1, 8, 8, 8, 3);
	t[1] = jb_t(0, EDGENPU_DTYPE_INT8, 512, 16, 3, 3, 8, 0);
	t[2] = jb_none();
	t[3] = jb_q(jb_t(1, EDGENPU_DTYPE_INT8, 0, 1, 8, 8, 16, -3),
		    1518500250, -7);
	jb_init(&j, stream, sizeof(stream));
	jb_op(&j, EDGENPU_OP_CONV_2D, 0, -128, 127, &cp, sizeof(cp), t, 4);
	t[0] = jb_q(jb_t(1, EDGENPU_DTYPE_INT8, 0, 1, 8, 8, 16, -3), 1 << 30, -1);
	t[1] = jb_q(jb_t(0, EDGENPU_DTYPE_INT8, 2048, 1, 8, 8, 16, 5), 1 << 30,
		    -2);
	t[2] = jb_q(jb_t(1, EDGENPU_DTYPE_INT8, 1024, 1, 8, 8, 16, 0), 1 << 30,
		    -19);
	jb_op(&j, EDGENPU_OP_ADD, 0, -128, 127, &ap, sizeof(ap), t, 3);
	t[0] = jb_t(1, EDGENPU_DTYPE_INT8, 1024, 1, 8, 8, 16, 0);
	t[1] = jb_t(1, EDGENPU_DTYPE_INT8, 2048, 1, 8, 8, 16, -128);
	jb_op(&j, EDGENPU_OP_SOFTMAX, 0, 0, 0, &sp, sizeof(sp), t, 2);
	len = jb_finish(&j);
	setbuf_(0, a, 4096, RD);
	setbuf_(1, o1, 4096, RD | WR);
	memset(o1, 0, 4096);
	r1 = edgenpu_engine_run(stream, len, bufs, 2, scratch,
				EDGENPU_ENGINE_SCRATCH_SIZE, NULL, &eerr);
	setbuf_(1, o2, 4096, RD | WR);
	memset(o2, 0, 4096);
	r2 = vrun(len, 2);
	if (!r2)
		r2 = edgenpu_engine_execute(stream, len, bufs, 2, scratch,
					    EDGENPU_ENGINE_SCRATCH_SIZE, NULL,
					    &eerr);
	ok(!r1 && !r2 && !memcmp(o1, o2, 4096),
	   "execute: conv -> add -> softmax job equals run()");

	/* execute() still checks every op: an invalid second op fails. */
	memset(vout, 0x55, sizeof(vout));
	t[0] = jb_t(0, EDGENPU_DTYPE_INT8, 0, 1, 1, 8, 8, 0);
	t[1] = jb_t(1, EDGENPU_DTYPE_INT8, 0, 1, 1, 8, 8, 0);
	jb_init(&j, stream, sizeof(stream));
	jb_op(&j, EDGENPU_OP_RESHAPE, 0, 0, 0, NULL, 0, t, 2);
	t[1].dims[3] = 7;
	jb_op(&j, EDGENPU_OP_RESHAPE, 0, 0, 0, NULL, 0, t, 2);
	len = jb_finish(&j);
	setbuf_(0, vin, sizeof(vin), RD);
	setbuf_(1, vout, sizeof(vout), WR);
	fill8(vin, sizeof(vin));
	r1 = edgenpu_engine_run(stream, len, bufs, 2, scratch,
				EDGENPU_ENGINE_SCRATCH_SIZE, NULL, &eerr);
	ok(r1 == -EDOM && eerr.op_index == 1 && (uint8_t)vout[0] == 0x55,
	   "execute: run() of a job with a bad second op writes nothing");
	r2 = edgenpu_engine_execute(stream, len, bufs, 2, scratch,
				    EDGENPU_ENGINE_SCRATCH_SIZE, NULL, &eerr);
	ok(r2 == -EDOM && eerr.op_index == 1 && eerr.code == EDGENPU_ENGINE_E_DIMS &&
	   !memcmp(vout, vin, sizeof(vout)),
	   "execute: an unvalidated job fails at the bad op, earlier ops ran");
	free(a);
	free(o1);
	free(o2);
}

int main(void)
{
	scratch = aligned_alloc(64, EDGENPU_ENGINE_SCRATCH_SIZE);
	test_rounding();
	test_conv();
	test_per_channel_vs_tensor();
	test_fc();
	test_binary();
	test_pool_mean_quant();
	test_golden();
	test_data();
	test_op_table();
	test_validator();
	test_hooks();
	test_cost();
	test_cancel_in_op();
	test_validate_no_memory();
	test_strides();
	test_execute();
	free(scratch);
	return tap_done(&tap);
}
