// SPDX-License-Identifier: MIT
/*
 * libedgenpu: the lowering pipeline. One table of the TFLite builtins the
 * library runs (placement asks it which ops exist, lowering which
 * function lowers each) and the operand and quantization helpers every
 * lowering shares:
 *
 * - QuantizeMultiplier(): frexp, round half away from zero, Q31;
 * - fused activations: CalculateActivationRangeQuantized (float math);
 * - SAME/VALID padding: ComputePaddingHeightWidth (the odd padding row or
 *   column goes to the bottom/right).
 *
 * Files are compiled with -std=c11, which keeps floating-point
 * contraction off, so float expressions round exactly as in TFLite.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lower.h"

/*
 * The option table is the one the lowering reads; an op with options of
 * another type is malformed. Ops whose lowering reads no option (their
 * tables are empty, or only restate the tensors' shapes) say
 * TFL_OPTIONS_NONE: TFLite ignores those tables too, so a model it runs
 * must not be refused for them.
 */
static const struct lowering lowerings[] = {
	/* lower_conv.c */
	{ TFL_OP_CONV_2D, TFL_OPTIONS_CONV_2D, edgenpu__lower_conv_2d },
	{ TFL_OP_DEPTHWISE_CONV_2D, TFL_OPTIONS_DEPTHWISE_CONV_2D,
	  edgenpu__lower_depthwise_conv_2d },
	{ TFL_OP_FULLY_CONNECTED, TFL_OPTIONS_FULLY_CONNECTED,
	  edgenpu__lower_fully_connected },
	/* lower_elem.c */
	{ TFL_OP_ADD, TFL_OPTIONS_ADD, edgenpu__lower_binary },
	{ TFL_OP_SUB, TFL_OPTIONS_SUB, edgenpu__lower_binary },
	{ TFL_OP_MUL, TFL_OPTIONS_MUL, edgenpu__lower_binary },
	{ TFL_OP_SOFTMAX, TFL_OPTIONS_SOFTMAX, edgenpu__lower_softmax },
	{ TFL_OP_LOGISTIC, TFL_OPTIONS_NONE, edgenpu__lower_lut },
	{ TFL_OP_TANH, TFL_OPTIONS_NONE, edgenpu__lower_lut },
	{ TFL_OP_QUANTIZE, TFL_OPTIONS_NONE, edgenpu__lower_quantize },
	/* lower_pool.c */
	{ TFL_OP_AVERAGE_POOL_2D, TFL_OPTIONS_POOL_2D, edgenpu__lower_pool },
	{ TFL_OP_MAX_POOL_2D, TFL_OPTIONS_POOL_2D, edgenpu__lower_pool },
	{ TFL_OP_MEAN, TFL_OPTIONS_REDUCER, edgenpu__lower_mean },
	/* lower_data.c */
	{ TFL_OP_RESHAPE, TFL_OPTIONS_NONE, edgenpu__lower_reshape },
	{ TFL_OP_CONCATENATION, TFL_OPTIONS_CONCATENATION,
	  edgenpu__lower_concatenation },
	{ TFL_OP_PAD, TFL_OPTIONS_NONE, edgenpu__lower_pad },
	{ TFL_OP_TRANSPOSE, TFL_OPTIONS_NONE, edgenpu__lower_transpose },
};

const struct lowering *edgenpu__lowering(int32_t builtin)
{
	size_t i;

	for (i = 0; i < sizeof(lowerings) / sizeof(lowerings[0]); i++)
		if (lowerings[i].builtin == builtin)
			return &lowerings[i];
	return NULL;
}

int edgenpu__lw_fail(struct lower_ctx *c, int ret, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (!c->err || !c->errlen)
		return ret;
	k = snprintf(c->err, c->errlen, "%s: op %u (%s): ", c->p->model->name,
		     c->idx, edgenpu__tfl_builtin_name(c->op->builtin));
	if (k >= 0 && (size_t)k < c->errlen) {
		va_start(ap, fmt);
		vsnprintf(c->err + k, c->errlen - (size_t)k, fmt, ap);
		va_end(ap);
	}
	return ret;
}

void edgenpu__quantize_multiplier(double real, int32_t *mult, int *shift)
{
	double q;
	int64_t qf;

	*mult = 0;
	*shift = 0;
	if (real == 0.0 || !isfinite(real))
		return;
	q = frexp(real, shift);
	qf = (int64_t)round(q * 2147483648.0);
	if (qf == ((int64_t)1 << 31)) {
		qf /= 2;
		++*shift;
	}
	if (*shift < -31) {
		*shift = 0;
		qf = 0;
	}
	if (*shift > 30) {
		*shift = 30;
		qf = INT32_MAX;
	}
	*mult = (int32_t)qf;
}

static uint8_t cmd_dtype(int tfl_type)
{
	switch (tfl_type) {
	case TFL_INT8:
		return EDGENPU_DTYPE_INT8;
	case TFL_UINT8:
		return EDGENPU_DTYPE_UINT8;
	case TFL_INT16:
		return EDGENPU_DTYPE_INT16;
	case TFL_INT32:
		return EDGENPU_DTYPE_INT32;
	default:
		return EDGENPU_DTYPE_INVALID;
	}
}

const struct tfl_tensor *edgenpu__lw_input(struct lower_ctx *c, uint32_t k,
					   int32_t *ti)
{
	if (k >= c->op->nin || c->op->in[k] < 0)
		return NULL;
	if (ti)
		*ti = c->op->in[k];
	return &c->m->tensors[c->op->in[k]];
}

int edgenpu__lw_need(struct lower_ctx *c, uint32_t n, uint32_t nout)
{
	uint32_t k;

	if (c->op->nin < n)
		return edgenpu__lw_fail(c, -EINVAL, "needs %u inputs, has %u",
					n, c->op->nin);
	for (k = 0; k < n; k++)
		if (c->op->in[k] < 0)
			return edgenpu__lw_fail(c, -EINVAL,
						"input %u is missing", k);
	if (c->op->nout != nout)
		return edgenpu__lw_fail(c, -EINVAL,
					"needs %u output(s), has %u", nout,
					c->op->nout);
	return 0;
}

const struct tfl_tensor *edgenpu__lw_output(struct lower_ctx *c, int32_t *ti)
{
	*ti = c->op->out[0];
	return &c->m->tensors[*ti];
}

int edgenpu__lw_check_type(struct lower_ctx *c, const struct tfl_tensor *t,
			   const char *role, int want)
{
	if (t->type != want)
		return edgenpu__lw_fail(c, -EINVAL,
					"%s '%s' is %s, only %s is supported",
					role, t->name,
					edgenpu__tfl_type_name(t->type),
					edgenpu__tfl_type_name(want));
	if (t->sparse)
		return edgenpu__lw_fail(c, -EINVAL,
					"%s '%s' is sparse (not supported)",
					role, t->name);
	return 0;
}

int edgenpu__lw_check_scale(struct lower_ctx *c, const struct tfl_tensor *t,
			    const char *role, float s)
{
	if (!(s > 0.0f) || !isfinite(s))
		return edgenpu__lw_fail(c, -EINVAL,
					"%s '%s' has scale %g (must be positive)",
					role, t->name, (double)s);
	return 0;
}

int edgenpu__lw_qparams(struct lower_ctx *c, const struct tfl_tensor *t,
			const char *role, float *scale, int32_t *zp)
{
	int32_t lo = t->type == TFL_UINT8 ? 0 : -128;
	int32_t hi = t->type == TFL_UINT8 ? 255 : 127;

	if (t->nscale != 1)
		return edgenpu__lw_fail(c, -EINVAL,
					"%s '%s' must be quantized per tensor (has %u scales)",
					role, t->name, t->nscale);
	if (t->zero_points[0] < lo || t->zero_points[0] > hi)
		return edgenpu__lw_fail(c, -EINVAL,
					"%s '%s' zero point %lld outside its type's range",
					role, t->name,
					(long long)t->zero_points[0]);
	*scale = t->scales[0];
	*zp = (int32_t)t->zero_points[0];
	return edgenpu__lw_check_scale(c, t, role, *scale);
}

int edgenpu__lw_io_int8(struct lower_ctx *c, uint32_t nin, struct lw_io *io)
{
	int ret;

	ret = edgenpu__lw_need(c, nin, 1);
	if (ret)
		return ret;
	io->ti_in = -1;
	io->in = edgenpu__lw_input(c, 0, &io->ti_in);
	io->out = edgenpu__lw_output(c, &io->ti_out);
	if ((ret = edgenpu__lw_check_type(c, io->in, "input", TFL_INT8)) ||
	    (ret = edgenpu__lw_check_type(c, io->out, "output", TFL_INT8)) ||
	    (ret = edgenpu__lw_qparams(c, io->in, "input", &io->si, &io->zi)))
		return ret;
	return edgenpu__lw_qparams(c, io->out, "output", &io->so, &io->zo);
}

int edgenpu__lw_dims4(struct lower_ctx *c, const struct tfl_tensor *t,
		      const char *role, uint32_t d[4])
{
	int k;

	if (t->rank > 4)
		return edgenpu__lw_fail(c, -EINVAL,
					"%s '%s' has rank %d (at most 4 supported)",
					role, t->name, t->rank);
	for (k = 0; k < 4; k++)
		d[k] = 1;
	for (k = 0; k < t->rank; k++) {
		if (t->shape[k] < 1 ||
		    (uint32_t)t->shape[k] > EDGENPU_CMD_MAX_DIM)
			return edgenpu__lw_fail(c, -EINVAL,
						"%s '%s' dimension %d is %d",
						role, t->name, k, t->shape[k]);
		d[4 - t->rank + k] = (uint32_t)t->shape[k];
	}
	return 0;
}

int edgenpu__lw_rank4(struct lower_ctx *c, const struct tfl_tensor *t,
		      const char *role, uint32_t d[4])
{
	if (t->rank != 4)
		return edgenpu__lw_fail(c, -EINVAL,
					"%s '%s' must be 4-D (NHWC), is %d-D",
					role, t->name, t->rank);
	return edgenpu__lw_dims4(c, t, role, d);
}

int edgenpu__lw_same_quant(const struct tfl_tensor *a,
			   const struct tfl_tensor *b)
{
	return a->nscale == 1 && b->nscale == 1 &&
	       a->scales[0] == b->scales[0] &&
	       a->zero_points[0] == b->zero_points[0];
}

/* Weights offset of a constant tensor, added once. */
static int const_offset(struct lower_ctx *c, int32_t ti, uint64_t *off)
{
	const struct tfl_tensor *t = &c->m->tensors[ti];
	int esize = edgenpu__tfl_type_size(t->type);
	int64_t o;

	if (!t->data)
		return edgenpu__lw_fail(c, -EINVAL,
					"tensor '%s' must be a constant",
					t->name);
	if (!esize || (uint64_t)t->count * (uint64_t)esize != t->data_size)
		return edgenpu__lw_fail(c, -EBADMSG,
					"constant '%s' holds %zu bytes, its shape needs %lld",
					t->name, t->data_size,
					(long long)(t->count * (esize ? esize : 1)));
	if (c->p->const_off[ti]) {
		*off = c->p->const_off[ti] - 1;
		return 0;
	}
	o = edgenpu__plan_add_weights(c->p, t->data, t->data_size, 64);
	if (o < 0)
		return edgenpu__lw_fail(c, -ENOMEM, "out of memory");
	c->p->const_off[ti] = (uint64_t)o + 1;
	*off = (uint64_t)o;
	return 0;
}

int edgenpu__lw_operand(struct lower_ctx *c, int32_t ti, const uint32_t d[4],
			int32_t zp, struct lw_operand *o)
{
	const struct tfl_tensor *t = &c->m->tensors[ti];

	memset(o, 0, sizeof(*o));
	o->dtype = cmd_dtype(t->type);
	if (o->dtype == EDGENPU_DTYPE_INVALID)
		return edgenpu__lw_fail(c, -EINVAL,
					"tensor '%s' type %s is not supported",
					t->name,
					edgenpu__tfl_type_name(t->type));
	memcpy(o->dims, d, sizeof(o->dims));
	o->zp = zp;
	if (t->data) {
		o->kind = LW_WEIGHTS;
		return const_offset(c, ti, &o->woff);
	}
	o->kind = LW_TENSOR;
	o->tensor = ti;
	return 0;
}

int edgenpu__lw_weights_operand(struct lower_ctx *c, const void *data,
				size_t size, uint8_t dtype, uint32_t n,
				struct lw_operand *o)
{
	int64_t off = edgenpu__plan_add_weights(c->p, data, size, 64);

	if (off < 0)
		return edgenpu__lw_fail(c, -ENOMEM, "out of memory");
	memset(o, 0, sizeof(*o));
	o->kind = LW_WEIGHTS;
	o->woff = (uint64_t)off;
	o->dtype = dtype;
	o->dims[0] = o->dims[1] = o->dims[2] = 1;
	o->dims[3] = n;
	return 0;
}

void edgenpu__lw_set_params(struct lw_op *lo, const void *p, size_t size)
{
	memcpy(lo->params, p, size);
	lo->psize = (uint32_t)size;
}

int edgenpu__lw_opt_int(struct lower_ctx *c, int id, int size, int64_t def,
			int64_t *v)
{
	if (edgenpu__tfl_opt_int(c->m, c->op, id, size, 1, def, v))
		return edgenpu__lw_fail(c, -EBADMSG,
					"malformed options field %d", id);
	return 0;
}

/* Element @i of constant tensor @t (int32 or int64). */
static int64_t const_int_at(const struct tfl_tensor *t, uint32_t i)
{
	int64_t x;

	if (t->type == TFL_INT32) {
		int32_t y;

		memcpy(&y, t->data + 4 * (size_t)i, 4);
		return y;
	}
	memcpy(&x, t->data + 8 * (size_t)i, 8);
	return x;
}

int edgenpu__lw_const_ints(struct lower_ctx *c, uint32_t k, int32_t *v,
			   uint32_t max, uint32_t *n)
{
	const struct tfl_tensor *t = edgenpu__lw_input(c, k, NULL);
	uint32_t i;

	if (!t || !t->data)
		return edgenpu__lw_fail(c, -EINVAL, "input %u must be a constant",
					k);
	if ((t->type != TFL_INT32 && t->type != TFL_INT64) ||
	    t->count > max ||
	    t->data_size != (size_t)t->count *
			    (size_t)edgenpu__tfl_type_size(t->type))
		return edgenpu__lw_fail(c, -EINVAL,
					"input %u '%s' must be a constant int32 vector of at most %u values",
					k, t->name, max);
	for (i = 0; i < t->count; i++) {
		int64_t x = const_int_at(t, i);

		if (x < INT32_MIN || x > INT32_MAX)
			return edgenpu__lw_fail(c, -EINVAL,
						"input %u value out of range",
						k);
		v[i] = (int32_t)x;
	}
	*n = (uint32_t)t->count;
	return 0;
}

/* The float range of fused activation @act; -EINVAL if unknown. */
static int act_bounds(int64_t act, float *fmin, float *fmax)
{
	switch (act) {
	case ACT_RELU:
		*fmin = 0.0f;
		*fmax = INFINITY;
		return 0;
	case ACT_RELU6:
		*fmin = 0.0f;
		*fmax = 6.0f;
		return 0;
	case ACT_RELU_N1_TO_1:
		*fmin = -1.0f;
		*fmax = 1.0f;
		return 0;
	default:
		return -EINVAL;
	}
}

int edgenpu__lw_act_range(struct lower_ctx *c, int64_t act, float scale,
			  int32_t zp)
{
	int32_t *lo = &c->lo->act_min, *hi = &c->lo->act_max;
	float fmin, fmax, qlo, qhi;

	*lo = -128;
	*hi = 127;
	if (act == ACT_NONE)
		return 0;
	if (act_bounds(act, &fmin, &fmax))
		return edgenpu__lw_fail(c, -EINVAL,
					"fused activation %lld is not supported",
					(long long)act);
	qlo = roundf(fmin / scale);
	qhi = roundf(fmax / scale);
	/* zero_point + static_cast<int32_t>(round(f / scale)) */
	if (qlo > -1e9f && qlo < 1e9f && zp + (int32_t)qlo > -128)
		*lo = zp + (int32_t)qlo;
	if (fmax != INFINITY && qhi > -1e9f && qhi < 1e9f &&
	    zp + (int32_t)qhi < 127)
		*hi = zp + (int32_t)qhi;
	if (*lo > *hi)
		return edgenpu__lw_fail(c, -EINVAL,
					"empty fused activation range");
	return 0;
}

int edgenpu__lw_check_padding(struct lower_ctx *c, int64_t padding)
{
	if (padding != PAD_SAME && padding != PAD_VALID)
		return edgenpu__lw_fail(c, -EINVAL, "unknown padding %lld",
					(long long)padding);
	return 0;
}

int64_t edgenpu__lw_out_size(int64_t padding, int64_t in, int64_t filt,
			     int64_t stride, int64_t dil)
{
	int64_t eff = (filt - 1) * dil + 1;

	if (padding == PAD_SAME)
		return (in + stride - 1) / stride;
	return (in + stride - eff) / stride;
}

void edgenpu__lw_padding(int64_t in, int64_t filt, int64_t stride,
			 int64_t dil, int64_t out, uint32_t *before,
			 uint32_t *after)
{
	int64_t eff = (filt - 1) * dil + 1;
	int64_t total = (out - 1) * stride + eff - in;

	if (total < 0)
		total = 0;
	*before = (uint32_t)(total / 2);
	*after = (uint32_t)(total - total / 2);
}

/* An op the table lists: its options are of the type the row says. */
static int lower_op(struct lower_ctx *c)
{
	const struct lowering *l = edgenpu__lowering(c->op->builtin);

	if (c->op->nout < 1)
		return edgenpu__lw_fail(c, -EBADMSG, "no output");
	if (!l)
		return edgenpu__lw_fail(c, -EOPNOTSUPP, "no implementation");
	if (l->options != TFL_OPTIONS_NONE && c->op->has_opts &&
	    c->op->opt_type != l->options)
		return edgenpu__lw_fail(c, -EBADMSG,
					"options of union type %u, expected %d",
					c->op->opt_type, l->options);
	return l->lower(c);
}

int edgenpu__lower_model(struct edgenpu_plan *p, char *err, size_t errlen)
{
	const struct tfl_model *m = &p->model->m;
	uint32_t i;
	int ret;

	for (i = 0; i < m->nops; i++) {
		struct lower_ctx c = {
			.p = p, .m = m, .idx = i, .op = &m->ops[i],
			.lo = &p->lops[i], .err = err, .errlen = errlen,
		};

		ret = lower_op(&c);
		if (ret)
			return ret;
	}
	return 0;
}
