// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * bench_xnn_model: run a whole int8 TFLite model with XNNPACK's operator
 * API (Debian libxnnpack), as a stand-in for "TFLite with the XNNPACK
 * delegate" (Debian's TFLite is built without it).
 *
 *   bench_xnn_model MODEL.tflite INPUT.bin ITERATIONS OUT.bin [THREADS]
 *
 * THREADS (default 1): more than one runs every operator on a pthreadpool
 * of that many threads (Debian libpthreadpool), as the delegate's
 * num_threads option does.
 *
 * The model is read with libedgenpu's TFLite reader. Every op of subgraph
 * 0 becomes one XNNPACK operator, created and set up once with the
 * model's constants as weights and one buffer per activation tensor.
 * After one warm-up run the output is written to OUT.bin and ITERATIONS
 * timed runs give one JSON line on stdout. Model or usage problems exit
 * with 2, XNNPACK failures with 1.
 *
 * XNNPACK requantizes in fp32 while TFLite's reference kernels use
 * fixed-point multipliers, so outputs may differ from TFLite by a few LSB.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pthreadpool.h>
#include <xnnpack.h>

#include "tflite_reader.h"

/* BuiltinOptions union types and enums of the TFLite schema used here. */
enum {
	BX_OPT_CONV = 1, BX_OPT_DWCONV = 2, BX_OPT_POOL = 5, BX_OPT_FC = 8,
	BX_OPT_ADD = 11,
};
enum { BX_PAD_SAME = 0, BX_PAD_VALID = 1 };
enum { BX_ACT_NONE = 0, BX_ACT_RELU = 1, BX_ACT_RELU_N1_TO_1 = 2,
       BX_ACT_RELU6 = 3 };
#define BX_NO_FILL INT16_MIN

struct bx_net {
	struct tfl_model m;
	void **buf;		/* per tensor: activation bytes or NULL */
	unsigned char *owned;	/* buf[i] was allocated here (not an alias) */
	xnn_operator_t *xop;	/* per model op; NULL for RESHAPE */
	int16_t *fill;		/* per op: constant output value, or BX_NO_FILL */
	int cur;		/* op being mapped, for messages */
	pthreadpool_t pool;	/* NULL: the calling thread only */
};

static void bx_fail(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

static void bx_fail(int code, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bench_xnn_model: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

/* Model problems name the op being mapped. */
#define bx_bad(n, fmt, ...)						\
	bx_fail(2, "op %d (%s): " fmt, (n)->cur,			\
		edgenpu__tfl_builtin_name((n)->m.ops[(n)->cur].builtin), __VA_ARGS__)

static void bx_xnn_check(const struct bx_net *n, enum xnn_status st,
			 const char *what)
{
	if (st != xnn_status_success)
		bx_fail(1, "op %d (%s): %s failed (status %d)", n->cur,
			edgenpu__tfl_builtin_name(n->m.ops[n->cur].builtin), what,
			(int)st);
}

static void *bx_read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	void *p;
	long len;

	if (!f)
		bx_fail(2, "cannot open %s", path);
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET))
		bx_fail(2, "cannot size %s", path);
	p = malloc(len ? (size_t)len : 1);
	if (!p)
		bx_fail(1, "out of memory reading %s", path);
	if (fread(p, 1, (size_t)len, f) != (size_t)len)
		bx_fail(2, "short read on %s", path);
	fclose(f);
	*size = (size_t)len;
	return p;
}

static const struct tfl_tensor *bx_tensor(const struct bx_net *n, int32_t ti)
{
	return ti >= 0 ? &n->m.tensors[ti] : NULL;
}

/* Input @k of the current op (NULL if absent and @optional). */
static const struct tfl_tensor *bx_in(const struct bx_net *n, uint32_t k,
				      int optional, int32_t *ti)
{
	const struct tfl_op *op = &n->m.ops[n->cur];

	*ti = k < op->nin ? op->in[k] : -1;
	if (*ti < 0 && !optional)
		bx_bad(n, "input %u is missing", k);
	return bx_tensor(n, *ti);
}

static const struct tfl_tensor *bx_out(const struct bx_net *n, int32_t *ti)
{
	const struct tfl_op *op = &n->m.ops[n->cur];

	if (op->nout != 1)
		bx_bad(n, "%u outputs, expected 1", op->nout);
	*ti = op->out[0];
	return bx_tensor(n, *ti);
}

static size_t bx_bytes(const struct tfl_tensor *t)
{
	return (size_t)t->count * (size_t)edgenpu__tfl_type_size(t->type);
}

/*
 * Buffer of tensor @ti, allocated on first use. XNNPACK may read up to
 * XNN_EXTRA_BYTES past the end of its inputs, so every buffer has that
 * slack. A constant used as an activation (e.g. an ADD operand) is copied
 * in so that the slack exists for it too.
 */
static void *bx_buf(struct bx_net *n, int32_t ti)
{
	const struct tfl_tensor *t = &n->m.tensors[ti];
	size_t size = bx_bytes(t);

	if (n->buf[ti])
		return n->buf[ti];
	n->buf[ti] = calloc(1, size + XNN_EXTRA_BYTES);
	if (!n->buf[ti])
		bx_fail(1, "out of memory for tensor '%s'", t->name);
	n->owned[ti] = 1;
	if (t->data) {
		if (t->data_size < size)
			bx_bad(n, "constant '%s' has %zu bytes, expected %zu",
			       t->name, t->data_size, size);
		memcpy(n->buf[ti], t->data, size);
	}
	return n->buf[ti];
}

/* An int8 activation with one scale and zero point. */
static void bx_act_q(const struct bx_net *n, const struct tfl_tensor *t,
		     float *scale, int8_t *zp)
{
	if (t->type != TFL_INT8)
		bx_bad(n, "tensor '%s' is %s, only int8 is supported", t->name,
		       edgenpu__tfl_type_name(t->type));
	if (t->nscale != 1 || !(t->scales[0] > 0.0f) ||
	    t->zero_points[0] < -128 || t->zero_points[0] > 127)
		bx_bad(n, "tensor '%s' needs one positive scale and an int8 zero point",
		       t->name);
	*scale = t->scales[0];
	*zp = (int8_t)t->zero_points[0];
}

static void bx_rank4(const struct bx_net *n, const struct tfl_tensor *t,
		     const char *what)
{
	if (t->rank != 4)
		bx_bad(n, "%s '%s' has rank %d, expected 4", what, t->name,
		       t->rank);
}

static int64_t bx_opt(const struct bx_net *n, int id, int size, int64_t def)
{
	const struct tfl_op *op = &n->m.ops[n->cur];
	int64_t v;

	if (edgenpu__tfl_opt_int(&n->m, op, id, size, 1, def, &v))
		bx_bad(n, "malformed options field %d", id);
	return v;
}

static void bx_check_opts(const struct bx_net *n, int want)
{
	const struct tfl_op *op = &n->m.ops[n->cur];

	if (op->has_opts && op->opt_type != want)
		bx_bad(n, "options of union type %u, expected %d",
		       op->opt_type, want);
}

/* Quantized value of real @x, clamped to int8 (TFLite's rounding). */
static int32_t bx_quant(float x, float scale, int8_t zp)
{
	float q = roundf(x / scale) + (float)zp;

	if (q < -128.0f)
		return -128;
	if (q > 127.0f)
		return 127;
	return (int32_t)q;
}

/*
 * Fused activation as an int8 output range. When the range is a single
 * value v (a coarse output scale, e.g. RELU6 with 6/scale < 0.5), TFLite's
 * output is v everywhere, but XNNPACK rejects min == max: the operator
 * gets [v, v+1] (or [v-1, v]) and its output is then overwritten with v
 * after every run, so the result matches and the work is still timed.
 */
static void bx_act_range(struct bx_net *n, int64_t act, float scale,
			 int8_t zp, int8_t *lo, int8_t *hi)
{
	int32_t l = -128, h = 127;

	switch (act) {
	case BX_ACT_NONE:
		break;
	case BX_ACT_RELU:
		l = bx_quant(0.0f, scale, zp);
		break;
	case BX_ACT_RELU6:
		l = bx_quant(0.0f, scale, zp);
		h = bx_quant(6.0f, scale, zp);
		break;
	case BX_ACT_RELU_N1_TO_1:
		l = bx_quant(-1.0f, scale, zp);
		h = bx_quant(1.0f, scale, zp);
		break;
	default:
		bx_bad(n, "fused activation %lld is not supported",
		       (long long)act);
	}
	if (l > h)
		bx_bad(n, "empty fused activation range [%d, %d]", l, h);
	if (l == h) {
		n->fill[n->cur] = (int16_t)l;
		if (h < 127)
			h++;
		else
			l--;
	}
	*lo = (int8_t)l;
	*hi = (int8_t)h;
}

/* TFLite's explicit padding for one spatial dimension. */
static void bx_pad(int64_t in, int64_t k, int64_t stride, int64_t dil,
		   int64_t out, int64_t padding, uint32_t *before,
		   uint32_t *after)
{
	int64_t total = (out - 1) * stride + (k - 1) * dil + 1 - in;

	if (padding == BX_PAD_VALID || total < 0)
		total = 0;
	*before = (uint32_t)(total / 2);
	*after = (uint32_t)(total - total / 2);
}

/* The padded input must give exactly the model's output size. */
static void bx_check_out(const struct bx_net *n, int64_t in, uint32_t pb,
			 uint32_t pa, int64_t k, int64_t stride, int64_t dil,
			 int64_t out)
{
	int64_t eff = (k - 1) * dil + 1;

	if (in + pb + pa < eff || (in + pb + pa - eff) / stride + 1 != out)
		bx_bad(n, "output size %lld does not follow from input %lld, kernel %lld, stride %lld",
		       (long long)out, (long long)in, (long long)k,
		       (long long)stride);
}

/* One kernel scale per output channel; symmetric filters only. */
static float *bx_kernel_scales(const struct bx_net *n,
			       const struct tfl_tensor *f, uint32_t oc,
			       int qdim)
{
	float *s;
	uint32_t k;

	if (f->type != TFL_INT8 || !f->data)
		bx_bad(n, "filter '%s' must be a constant int8 tensor", f->name);
	if (f->data_size < bx_bytes(f))
		bx_bad(n, "filter '%s' data is short", f->name);
	if (f->nscale != 1 && !(f->nscale == oc && f->qdim == qdim))
		bx_bad(n, "filter '%s' has %u scales along dimension %d; need 1 or %u along %d",
		       f->name, f->nscale, f->qdim, oc, qdim);
	s = calloc(oc, sizeof(*s));
	if (!s)
		bx_fail(1, "out of memory");
	for (k = 0; k < oc; k++) {
		uint32_t j = f->nscale == 1 ? 0 : k;

		if (f->zero_points[j] != 0 || !(f->scales[j] > 0.0f))
			bx_bad(n, "filter '%s' channel %u: zero point %lld, scale %g (need 0 and > 0)",
			       f->name, k, (long long)f->zero_points[j],
			       (double)f->scales[j]);
		s[k] = f->scales[j];
	}
	return s;
}

/*
 * Optional int32 bias of @oc elements (NULL when absent), copied because
 * the file gives no alignment guarantee; XNNPACK packs it at creation,
 * so the caller frees it right after.
 */
static int32_t *bx_bias(const struct bx_net *n, uint32_t k, uint32_t oc)
{
	int32_t ti, *b32;
	const struct tfl_tensor *b = bx_in(n, k, 1, &ti);

	if (!b)
		return NULL;
	if (b->type != TFL_INT32 || !b->data || b->count != oc ||
	    b->data_size < 4ull * oc)
		bx_bad(n, "bias '%s' must be a constant int32 vector of %u",
		       b->name, oc);
	b32 = malloc(4ull * oc);
	if (!b32)
		bx_fail(1, "out of memory");
	memcpy(b32, b->data, 4ull * oc);
	return b32;
}

/* Shape of a convolution: spatial options and derived padding. */
struct bx_conv {
	int64_t sw, sh, dw, dh, act;
	uint32_t pt, pb, pl, pr;
};

static void bx_conv_geom(const struct bx_net *n, int dw,
			 const struct tfl_tensor *in,
			 const struct tfl_tensor *f,
			 const struct tfl_tensor *out, struct bx_conv *g)
{
	int64_t pad = bx_opt(n, 0, 1, BX_PAD_SAME);

	g->sw = bx_opt(n, 1, 4, 0);
	g->sh = bx_opt(n, 2, 4, 0);
	g->act = bx_opt(n, dw ? 4 : 3, 1, BX_ACT_NONE);
	g->dw = bx_opt(n, dw ? 5 : 4, 4, 1);
	g->dh = bx_opt(n, dw ? 6 : 5, 4, 1);
	if (pad != BX_PAD_SAME && pad != BX_PAD_VALID)
		bx_bad(n, "unknown padding %lld", (long long)pad);
	if (g->sw < 1 || g->sh < 1 || g->dw < 1 || g->dh < 1)
		bx_bad(n, "stride %lldx%lld / dilation %lldx%lld must be >= 1",
		       (long long)g->sh, (long long)g->sw, (long long)g->dh,
		       (long long)g->dw);
	bx_pad(in->shape[1], f->shape[1], g->sh, g->dh, out->shape[1], pad,
	       &g->pt, &g->pb);
	bx_pad(in->shape[2], f->shape[2], g->sw, g->dw, out->shape[2], pad,
	       &g->pl, &g->pr);
	bx_check_out(n, in->shape[1], g->pt, g->pb, f->shape[1], g->sh, g->dh,
		     out->shape[1]);
	bx_check_out(n, in->shape[2], g->pl, g->pr, f->shape[2], g->sw, g->dw,
		     out->shape[2]);
}

/*
 * CONV_2D (filter OHWI) and DEPTHWISE_CONV_2D (filter 1HW(C*M)): both
 * are XNNPACK's per-channel QC8 convolution, the depthwise one with a
 * group per input channel and XNN_FLAG_DEPTHWISE_CONVOLUTION, which
 * reads the filter in TFLite's depthwise layout.
 */
static void bx_map_conv(struct bx_net *n, int dw)
{
	const struct tfl_tensor *in, *f, *out;
	int32_t ti_in, ti_f, ti_out;
	struct bx_conv g;
	float in_s, out_s, *ks;
	int32_t *bias;
	int8_t in_zp, out_zp, lo, hi;
	uint32_t cin, cout, groups, gic, goc;
	enum xnn_status st;

	bx_check_opts(n, dw ? BX_OPT_DWCONV : BX_OPT_CONV);
	in = bx_in(n, 0, 0, &ti_in);
	f = bx_in(n, 1, 0, &ti_f);
	out = bx_out(n, &ti_out);
	bx_rank4(n, in, "input");
	bx_rank4(n, f, "filter");
	bx_rank4(n, out, "output");
	bx_act_q(n, in, &in_s, &in_zp);
	bx_act_q(n, out, &out_s, &out_zp);
	cin = (uint32_t)in->shape[3];
	cout = (uint32_t)out->shape[3];
	if (in->shape[0] != out->shape[0] || f->shape[dw ? 3 : 0] != (int32_t)cout)
		bx_bad(n, "filter '%s' / batch do not match the output", f->name);
	if (dw) {
		int64_t mult = bx_opt(n, 3, 4, 0);

		/* The shapes decide; the option must agree when present. */
		if (f->shape[0] != 1 || cout % cin ||
		    (mult && mult != cout / cin))
			bx_bad(n, "depthwise filter '%s' does not fit %u -> %u channels (multiplier %lld)",
			       f->name, cin, cout, (long long)mult);
		groups = cin;
		gic = 1;
		goc = cout / cin;
	} else {
		if (f->shape[3] != (int32_t)cin)
			bx_bad(n, "filter '%s' has %d input channels, input has %u",
			       f->name, f->shape[3], cin);
		groups = 1;
		gic = cin;
		goc = cout;
	}
	bx_conv_geom(n, dw, in, f, out, &g);
	bx_act_range(n, g.act, out_s, out_zp, &lo, &hi);
	ks = bx_kernel_scales(n, f, cout, dw ? 3 : 0);
	bias = bx_bias(n, 2, cout);
	st = xnn_create_convolution2d_nhwc_qc8(g.pt, g.pr, g.pb, g.pl,
		(uint32_t)f->shape[1], (uint32_t)f->shape[2],
		(uint32_t)g.sh, (uint32_t)g.sw, (uint32_t)g.dh, (uint32_t)g.dw,
		groups, gic, goc, cin, cout, in_zp, in_s, ks,
		(const int8_t *)f->data, bias, out_zp, out_s, lo, hi,
		dw ? XNN_FLAG_DEPTHWISE_CONVOLUTION : 0, &n->xop[n->cur]);
	free(ks);
	free(bias);
	bx_xnn_check(n, st, "xnn_create_convolution2d_nhwc_qc8");
	st = xnn_setup_convolution2d_nhwc_qc8(n->xop[n->cur],
		(size_t)in->shape[0], (size_t)in->shape[1],
		(size_t)in->shape[2], bx_buf(n, ti_in), bx_buf(n, ti_out), NULL);
	bx_xnn_check(n, st, "xnn_setup_convolution2d_nhwc_qc8");
}

/* Are all of the filter's scales the same (per-tensor in effect)? */
static int bx_uniform_scale(const struct tfl_tensor *f)
{
	uint32_t k;

	for (k = 1; k < f->nscale; k++)
		if (f->scales[k] != f->scales[0])
			return 0;
	return f->nscale >= 1;
}

/*
 * FULLY_CONNECTED: filter [out, in], as XNNPACK's default. A filter with
 * distinct per-channel scales has no QS8 fully-connected operator in
 * this XNNPACK, so it becomes a QC8 1x1 convolution on a 1x1 image.
 */
static void bx_map_fc(struct bx_net *n)
{
	const struct tfl_tensor *in, *f, *out;
	int32_t ti_in, ti_f, ti_out;
	float in_s, out_s, *ks;
	int32_t *bias;
	int8_t in_zp, out_zp, lo, hi;
	uint32_t ic, oc;
	size_t batch;
	enum xnn_status st;
	xnn_operator_t *xop = &n->xop[n->cur];

	bx_check_opts(n, BX_OPT_FC);
	in = bx_in(n, 0, 0, &ti_in);
	f = bx_in(n, 1, 0, &ti_f);
	out = bx_out(n, &ti_out);
	bx_act_q(n, in, &in_s, &in_zp);
	bx_act_q(n, out, &out_s, &out_zp);
	if (bx_opt(n, 1, 1, 0) != 0)
		bx_bad(n, "%s", "only the default weights format is supported");
	if (f->rank != 2 || f->shape[0] <= 0 || f->shape[1] <= 0)
		bx_bad(n, "filter '%s' must be [out, in]", f->name);
	oc = (uint32_t)f->shape[0];
	ic = (uint32_t)f->shape[1];
	batch = (size_t)in->count / ic;
	if (in->count % ic || out->count != (int64_t)(batch * oc))
		bx_bad(n, "input %lld / output %lld elements do not fit a %u -> %u filter",
		       (long long)in->count, (long long)out->count, ic, oc);
	bx_act_range(n, bx_opt(n, 0, 1, BX_ACT_NONE), out_s, out_zp, &lo, &hi);
	ks = bx_kernel_scales(n, f, oc, 0);
	bias = bx_bias(n, 2, oc);
	if (bx_uniform_scale(f)) {
		st = xnn_create_fully_connected_nc_qs8(ic, oc, ic, oc, in_zp,
			in_s, ks[0], (const int8_t *)f->data, bias, out_zp,
			out_s, lo, hi, 0, xop);
		bx_xnn_check(n, st, "xnn_create_fully_connected_nc_qs8");
		st = xnn_setup_fully_connected_nc_qs8(*xop, batch,
			bx_buf(n, ti_in), bx_buf(n, ti_out), NULL);
		bx_xnn_check(n, st, "xnn_setup_fully_connected_nc_qs8");
	} else {
		st = xnn_create_convolution2d_nhwc_qc8(0, 0, 0, 0, 1, 1, 1, 1,
			1, 1, 1, ic, oc, ic, oc, in_zp, in_s, ks,
			(const int8_t *)f->data, bias, out_zp, out_s, lo, hi,
			0, xop);
		bx_xnn_check(n, st, "xnn_create_convolution2d_nhwc_qc8 (FC)");
		st = xnn_setup_convolution2d_nhwc_qc8(*xop, batch, 1, 1,
			bx_buf(n, ti_in), bx_buf(n, ti_out), NULL);
		bx_xnn_check(n, st, "xnn_setup_convolution2d_nhwc_qc8 (FC)");
	}
	free(ks);
	free(bias);
}

static size_t bx_shape(const struct bx_net *n, const struct tfl_tensor *t,
		       size_t *dims)
{
	int k;

	if (t->rank > XNN_MAX_TENSOR_DIMS)
		bx_bad(n, "tensor '%s' has rank %d, XNNPACK takes at most %d",
		       t->name, t->rank, XNN_MAX_TENSOR_DIMS);
	for (k = 0; k < t->rank; k++)
		dims[k] = (size_t)t->shape[k];
	return (size_t)t->rank;
}

/* ADD with numpy-style broadcasting, which XNNPACK's ND add also does. */
static void bx_map_add(struct bx_net *n)
{
	const struct tfl_tensor *a, *b, *out;
	int32_t ti_a, ti_b, ti_out;
	float a_s, b_s, out_s;
	int8_t a_zp, b_zp, out_zp, lo, hi;
	size_t da[XNN_MAX_TENSOR_DIMS], db[XNN_MAX_TENSOR_DIMS], ra, rb;
	enum xnn_status st;

	bx_check_opts(n, BX_OPT_ADD);
	a = bx_in(n, 0, 0, &ti_a);
	b = bx_in(n, 1, 0, &ti_b);
	out = bx_out(n, &ti_out);
	bx_act_q(n, a, &a_s, &a_zp);
	bx_act_q(n, b, &b_s, &b_zp);
	bx_act_q(n, out, &out_s, &out_zp);
	bx_act_range(n, bx_opt(n, 0, 1, BX_ACT_NONE), out_s, out_zp, &lo, &hi);
	ra = bx_shape(n, a, da);
	rb = bx_shape(n, b, db);
	st = xnn_create_add_nd_qs8(a_zp, a_s, b_zp, b_s, out_zp, out_s, lo, hi,
				   0, &n->xop[n->cur]);
	bx_xnn_check(n, st, "xnn_create_add_nd_qs8");
	st = xnn_setup_add_nd_qs8(n->xop[n->cur], ra, da, rb, db,
				  bx_buf(n, ti_a), bx_buf(n, ti_b),
				  bx_buf(n, ti_out), NULL);
	bx_xnn_check(n, st, "xnn_setup_add_nd_qs8");
}

/* AVERAGE_POOL_2D: only a window covering the whole image (global). */
static void bx_map_pool(struct bx_net *n)
{
	const struct tfl_tensor *in, *out;
	int32_t ti_in, ti_out;
	float in_s, out_s;
	int8_t in_zp, out_zp, lo, hi;
	int64_t fw, fh;
	size_t c;
	enum xnn_status st;

	bx_check_opts(n, BX_OPT_POOL);
	in = bx_in(n, 0, 0, &ti_in);
	out = bx_out(n, &ti_out);
	bx_rank4(n, in, "input");
	bx_rank4(n, out, "output");
	bx_act_q(n, in, &in_s, &in_zp);
	bx_act_q(n, out, &out_s, &out_zp);
	fw = bx_opt(n, 3, 4, 0);
	fh = bx_opt(n, 4, 4, 0);
	/* A full-image window has no padding under SAME or VALID. */
	if (fh != in->shape[1] || fw != in->shape[2] || out->shape[1] != 1 ||
	    out->shape[2] != 1 || out->shape[3] != in->shape[3] ||
	    out->shape[0] != in->shape[0])
		bx_bad(n, "only global pooling is supported (filter %lldx%lld on %dx%d, output %dx%d)",
		       (long long)fh, (long long)fw, in->shape[1], in->shape[2],
		       out->shape[1], out->shape[2]);
	bx_act_range(n, bx_opt(n, 5, 1, BX_ACT_NONE), out_s, out_zp, &lo, &hi);
	c = (size_t)in->shape[3];
	st = xnn_create_global_average_pooling_nwc_qs8(c, c, c, in_zp, in_s,
		out_zp, out_s, lo, hi, 0, &n->xop[n->cur]);
	bx_xnn_check(n, st, "xnn_create_global_average_pooling_nwc_qs8");
	st = xnn_setup_global_average_pooling_nwc_qs8(n->xop[n->cur],
		(size_t)in->shape[0], (size_t)in->shape[1] * (size_t)in->shape[2],
		bx_buf(n, ti_in), bx_buf(n, ti_out), NULL);
	bx_xnn_check(n, st, "xnn_setup_global_average_pooling_nwc_qs8");
}

/* RESHAPE: no work; the output is the input's bytes. */
static void bx_map_reshape(struct bx_net *n)
{
	const struct tfl_tensor *in, *out;
	int32_t ti_in, ti_out;

	in = bx_in(n, 0, 0, &ti_in);
	out = bx_out(n, &ti_out);
	if (bx_bytes(in) != bx_bytes(out) || in->type != out->type)
		bx_bad(n, "'%s' and '%s' differ in size or type", in->name,
		       out->name);
	if (n->buf[ti_out])
		bx_bad(n, "output '%s' is already in use", out->name);
	n->buf[ti_out] = bx_buf(n, ti_in);
}

static void bx_map_op(struct bx_net *n)
{
	switch (n->m.ops[n->cur].builtin) {
	case TFL_OP_CONV_2D:
		bx_map_conv(n, 0);
		break;
	case TFL_OP_DEPTHWISE_CONV_2D:
		bx_map_conv(n, 1);
		break;
	case TFL_OP_FULLY_CONNECTED:
		bx_map_fc(n);
		break;
	case TFL_OP_ADD:
		bx_map_add(n);
		break;
	case TFL_OP_AVERAGE_POOL_2D:
		bx_map_pool(n);
		break;
	case TFL_OP_RESHAPE:
		bx_map_reshape(n);
		break;
	default:
		bx_bad(n, "%s", "operator is not supported by this benchmark");
	}
}

static void bx_load(struct bx_net *n, const char *path)
{
	char err[256];
	size_t size;
	void *file = bx_read_file(path, &size);
	int ret = edgenpu__tfl_parse(file, size, &n->m, err, sizeof(err));
	uint32_t nfill = 0;

	free(file);
	if (ret)
		bx_fail(2, "%s: %s", path, err);
	if (n->m.nin != 1 || n->m.nout != 1)
		bx_fail(2, "%s: %u inputs and %u outputs; need one of each",
			path, n->m.nin, n->m.nout);
	n->buf = calloc(n->m.ntensors, sizeof(*n->buf));
	n->owned = calloc(n->m.ntensors, 1);
	n->xop = calloc(n->m.nops ? n->m.nops : 1, sizeof(*n->xop));
	n->fill = calloc(n->m.nops ? n->m.nops : 1, sizeof(*n->fill));
	if (!n->buf || !n->owned || !n->xop || !n->fill)
		bx_fail(1, "out of memory");
	for (n->cur = 0; n->cur < (int)n->m.nops; n->cur++) {
		n->fill[n->cur] = BX_NO_FILL;
		bx_map_op(n);
		nfill += n->fill[n->cur] != BX_NO_FILL;
	}
	if (nfill)
		fprintf(stderr, "bench_xnn_model: note: %u of %u ops have a single-value activation range; their outputs are that constant (as in TFLite)\n",
			nfill, n->m.nops);
}

/* The model's input or output tensor (which must have a buffer). */
static void *bx_io(struct bx_net *n, int32_t ti, size_t *size)
{
	const struct tfl_tensor *t = &n->m.tensors[ti];

	if (!n->buf[ti])
		bx_fail(2, "model tensor '%s' is not used by any op", t->name);
	*size = bx_bytes(t);
	return n->buf[ti];
}

static void bx_set_input(struct bx_net *n, const char *path)
{
	size_t want, got;
	void *dst = bx_io(n, n->m.inputs[0], &want);
	void *src = bx_read_file(path, &got);

	if (got != want)
		bx_fail(2, "%s has %zu bytes; input '%s' needs %zu", path, got,
			n->m.tensors[n->m.inputs[0]].name, want);
	memcpy(dst, src, want);
	free(src);
}

static void bx_write_output(struct bx_net *n, const char *path)
{
	size_t size;
	void *src = bx_io(n, n->m.outputs[0], &size);
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(src, 1, size, f) != size || fclose(f))
		bx_fail(1, "cannot write %s", path);
}

static void bx_run(const struct bx_net *n)
{
	uint32_t i;

	for (i = 0; i < n->m.nops; i++) {
		int32_t to;

		if (!n->xop[i])
			continue;
		if (xnn_run_operator(n->xop[i], n->pool) != xnn_status_success)
			bx_fail(1, "op %u (%s): xnn_run_operator failed", i,
				edgenpu__tfl_builtin_name(n->m.ops[i].builtin));
		if (n->fill[i] == BX_NO_FILL)
			continue;
		to = n->m.ops[i].out[0];
		memset(n->buf[to], (int8_t)n->fill[i], bx_bytes(&n->m.tensors[to]));
	}
}

static double bx_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static int bx_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void bx_bench(const struct bx_net *n, long iters)
{
	double *t = calloc((size_t)iters, sizeof(*t)), sum = 0, med;
	long i;

	if (!t)
		bx_fail(1, "out of memory");
	for (i = 0; i < iters; i++) {
		double t0 = bx_now_ms();

		bx_run(n);
		t[i] = bx_now_ms() - t0;
		sum += t[i];
	}
	qsort(t, (size_t)iters, sizeof(*t), bx_cmp_double);
	med = iters % 2 ? t[iters / 2] : (t[iters / 2 - 1] + t[iters / 2]) / 2;
	printf("{\"runs\": %ld, \"median_ms\": %.3f, \"mean_ms\": %.3f, \"min_ms\": %.3f, \"ops\": %u}\n",
	       iters, med, sum / (double)iters, t[0], n->m.nops);
	free(t);
}

static void bx_free(struct bx_net *n)
{
	uint32_t i;

	for (i = 0; i < n->m.nops; i++)
		if (n->xop[i])
			xnn_delete_operator(n->xop[i]);
	for (i = 0; i < n->m.ntensors; i++)
		if (n->owned[i])
			free(n->buf[i]);
	free(n->xop);
	free(n->fill);
	free(n->owned);
	free(n->buf);
	edgenpu__tfl_free(&n->m);
}

int main(int argc, char **argv)
{
	static struct bx_net n;	/* zeroed; off the stack (frame limit) */
	long iters, threads = 1;
	char *end;

	if (argc != 5 && argc != 6)
		bx_fail(2, "usage: %s MODEL.tflite INPUT.bin ITERATIONS OUT.bin [THREADS]",
			argv[0]);
	iters = strtol(argv[3], &end, 10);
	if (*end || iters < 1 || iters > 1000000)
		bx_fail(2, "ITERATIONS must be an integer in [1, 1000000]");
	if (argc == 6) {
		threads = strtol(argv[5], &end, 10);
		if (*end || threads < 1 || threads > 64)
			bx_fail(2, "THREADS must be an integer in [1, 64]");
	}
	if (threads > 1) {
		n.pool = pthreadpool_create((size_t)threads);
		if (!n.pool)
			bx_fail(1, "pthreadpool_create(%ld) failed", threads);
	}
	if (xnn_initialize(NULL) != xnn_status_success)
		bx_fail(1, "xnn_initialize failed");
	bx_load(&n, argv[1]);
	bx_set_input(&n, argv[2]);
	bx_run(&n);		/* warm-up; its output is the one written */
	bx_write_output(&n, argv[4]);
	bx_bench(&n, iters);
	bx_free(&n);
	pthreadpool_destroy(n.pool);
	xnn_deinitialize();
	return 0;
}
