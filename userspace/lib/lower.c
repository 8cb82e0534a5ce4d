// SPDX-License-Identifier: MIT
/*
 * libedgenpu: lowering of TFLite int8 operators to edgenpu command-stream
 * ops, with every quantization parameter computed the way TensorFlow Lite
 * 2.14's Prepare() functions compute it, so that the engine's results
 * equal TFLite's reference kernels (BuiltinRefOpResolver) bit for bit:
 *
 * - QuantizeMultiplier(): frexp, round half away from zero, Q31;
 * - CONV_2D / DEPTHWISE_CONV_2D (int8 always uses the per-channel kernel):
 *   multiplier_c = double(in_scale) * double(filter_scale_c) /
 *   double(out_scale);
 * - FULLY_CONNECTED: the same product per channel, or per tensor
 *   (GetQuantizedConvolutionMultipler) with the filter zero point;
 * - ADD/SUB: left_shift 20, input multipliers scale_i / (2 * max scale),
 *   output multiplier 2 * max scale / (2^20 * out_scale);
 * - MUL: float(in1_scale * in2_scale / out_scale);
 * - SOFTMAX: PreprocessSoftmaxScaling(beta, in_scale, 5) and
 *   diff_min = -CalculateInputRadius(5, left_shift);
 * - LOGISTIC/TANH: a 256-entry table filled as PopulateLookupTable /
 *   LUTPopulate does (float, expf/tanhf, roundf);
 * - MEAN over H,W: TFLite's QuantizedMeanOrSum (the sum minus zero points
 *   times a multiplier that folds in 1/(H*W)), lowered to a depthwise
 *   convolution with an all-ones filter, which computes exactly that;
 * - QUANTIZE: double(in_scale) / double(out_scale);
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

#include "model_internal.h"

/* BuiltinOptions union types (schema order). */
enum {
	OPT_CONV = 1, OPT_DWCONV = 2, OPT_POOL = 5, OPT_FC = 8,
	OPT_SOFTMAX = 9, OPT_CONCAT = 10, OPT_ADD = 11, OPT_RESHAPE = 17,
	OPT_MUL = 21, OPT_PAD = 22, OPT_TRANSPOSE = 26, OPT_REDUCER = 27,
	OPT_SUB = 28, OPT_QUANTIZE = 89,
};

enum { ACT_NONE = 0, ACT_RELU = 1, ACT_RELU_N1_TO_1 = 2, ACT_RELU6 = 3 };
enum { PAD_SAME = 0, PAD_VALID = 1 };

struct lctx {
	struct edgenpu_plan *p;
	const struct tfl_model *m;
	uint32_t idx;
	const struct tfl_op *op;
	struct lw_op *lo;
	char *err;
	size_t errlen;
};

static int lfail(struct lctx *c, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int lfail(struct lctx *c, int ret, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (!c->err || !c->errlen)
		return ret;
	k = snprintf(c->err, c->errlen, "%s: op %u (%s): ", c->p->model->name,
		     c->idx, tfl_builtin_name(c->op->builtin));
	if (k >= 0 && (size_t)k < c->errlen) {
		va_start(ap, fmt);
		vsnprintf(c->err + k, c->errlen - (size_t)k, fmt, ap);
		va_end(ap);
	}
	return ret;
}

void quantize_multiplier(double real, int32_t *mult, int *shift)
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

int64_t plan_add_weights(struct edgenpu_plan *p, const void *data,
			 size_t size, size_t align)
{
	size_t off = (p->weights_size + align - 1) & ~(align - 1);

	if (grow_zeroed(&p->weights, &p->weights_cap, off + size))
		return -ENOMEM;
	if (data)
		memcpy(p->weights + off, data, size);
	else
		memset(p->weights + off, 0, size);
	p->weights_size = off + size;
	return (int64_t)off;
}

static uint8_t eng_dtype(int tfl_type)
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

static const struct tfl_tensor *input(struct lctx *c, uint32_t k,
				      int32_t *ti)
{
	if (k >= c->op->nin || c->op->in[k] < 0)
		return NULL;
	if (ti)
		*ti = c->op->in[k];
	return &c->m->tensors[c->op->in[k]];
}

static int need_inputs(struct lctx *c, uint32_t n, uint32_t nout)
{
	uint32_t k;

	if (c->op->nin < n)
		return lfail(c, -EINVAL, "needs %u inputs, has %u", n,
			     c->op->nin);
	for (k = 0; k < n; k++)
		if (c->op->in[k] < 0)
			return lfail(c, -EINVAL, "input %u is missing", k);
	if (c->op->nout != nout)
		return lfail(c, -EINVAL, "needs %u output(s), has %u", nout,
			     c->op->nout);
	return 0;
}

static const struct tfl_tensor *output(struct lctx *c, int32_t *ti)
{
	*ti = c->op->out[0];
	return &c->m->tensors[*ti];
}

static int check_type(struct lctx *c, const struct tfl_tensor *t,
		      const char *role, int want)
{
	if (t->type != want)
		return lfail(c, -EINVAL, "%s '%s' is %s, only %s is supported",
			     role, t->name, tfl_type_name(t->type),
			     tfl_type_name(want));
	if (t->sparse)
		return lfail(c, -EINVAL, "%s '%s' is sparse (not supported)",
			     role, t->name);
	return 0;
}

static int check_scale(struct lctx *c, const struct tfl_tensor *t,
		       const char *role, float s)
{
	if (!(s > 0.0f) || !isfinite(s))
		return lfail(c, -EINVAL, "%s '%s' has scale %g (must be positive)",
			     role, t->name, (double)s);
	return 0;
}

/* The per-tensor quantization of an activation tensor. */
static int qparams(struct lctx *c, const struct tfl_tensor *t,
		   const char *role, float *scale, int32_t *zp)
{
	int32_t lo = t->type == TFL_UINT8 ? 0 : -128;
	int32_t hi = t->type == TFL_UINT8 ? 255 : 127;

	if (t->nscale != 1)
		return lfail(c, -EINVAL, "%s '%s' must be quantized per tensor (has %u scales)",
			     role, t->name, t->nscale);
	if (t->zero_points[0] < lo || t->zero_points[0] > hi)
		return lfail(c, -EINVAL, "%s '%s' zero point %lld outside its type's range",
			     role, t->name, (long long)t->zero_points[0]);
	*scale = t->scales[0];
	*zp = (int32_t)t->zero_points[0];
	return check_scale(c, t, role, *scale);
}

static int dims4(struct lctx *c, const struct tfl_tensor *t,
		 const char *role, uint32_t d[4])
{
	int k;

	if (t->rank > 4)
		return lfail(c, -EINVAL, "%s '%s' has rank %d (at most 4 supported)",
			     role, t->name, t->rank);
	for (k = 0; k < 4; k++)
		d[k] = 1;
	for (k = 0; k < t->rank; k++) {
		if (t->shape[k] < 1 || (uint32_t)t->shape[k] > EDGENPU_CMD_MAX_DIM)
			return lfail(c, -EINVAL, "%s '%s' dimension %d is %d",
				     role, t->name, k, t->shape[k]);
		d[4 - t->rank + k] = (uint32_t)t->shape[k];
	}
	return 0;
}

static int rank4(struct lctx *c, const struct tfl_tensor *t,
		 const char *role, uint32_t d[4])
{
	if (t->rank != 4)
		return lfail(c, -EINVAL, "%s '%s' must be 4-D (NHWC), is %d-D",
			     role, t->name, t->rank);
	return dims4(c, t, role, d);
}

/* Weights offset of a constant tensor, added once. */
static int const_offset(struct lctx *c, int32_t ti, uint64_t *off)
{
	const struct tfl_tensor *t = &c->m->tensors[ti];
	int esize = tfl_type_size(t->type);
	int64_t o;

	if (!t->data)
		return lfail(c, -EINVAL, "tensor '%s' must be a constant",
			     t->name);
	if (!esize || (uint64_t)t->count * (uint64_t)esize != t->data_size)
		return lfail(c, -EBADMSG, "constant '%s' holds %zu bytes, its shape needs %lld",
			     t->name, t->data_size,
			     (long long)(t->count * (esize ? esize : 1)));
	if (c->p->const_off[ti]) {
		*off = c->p->const_off[ti] - 1;
		return 0;
	}
	o = plan_add_weights(c->p, t->data, t->data_size, 64);
	if (o < 0)
		return lfail(c, -ENOMEM, "out of memory");
	c->p->const_off[ti] = (uint64_t)o + 1;
	*off = (uint64_t)o;
	return 0;
}

/* Operand for tensor @ti: a constant lives in the weights. */
static int operand(struct lctx *c, int32_t ti, const uint32_t d[4],
		   int32_t zp, struct lw_operand *o)
{
	const struct tfl_tensor *t = &c->m->tensors[ti];
	int ret;

	memset(o, 0, sizeof(*o));
	o->dtype = eng_dtype(t->type);
	if (o->dtype == EDGENPU_DTYPE_INVALID)
		return lfail(c, -EINVAL, "tensor '%s' type %s is not supported",
			     t->name, tfl_type_name(t->type));
	memcpy(o->dims, d, sizeof(o->dims));
	o->zp = zp;
	if (t->data) {
		o->kind = LW_WEIGHTS;
		ret = const_offset(c, ti, &o->woff);
		if (ret)
			return ret;
	} else {
		o->kind = LW_TENSOR;
		o->tensor = ti;
	}
	return 0;
}

static int weights_operand(struct lctx *c, const void *data, size_t size,
			   uint8_t dtype, uint32_t n, struct lw_operand *o)
{
	int64_t off = plan_add_weights(c->p, data, size, 64);

	if (off < 0)
		return lfail(c, -ENOMEM, "out of memory");
	memset(o, 0, sizeof(*o));
	o->kind = LW_WEIGHTS;
	o->woff = (uint64_t)off;
	o->dtype = dtype;
	o->dims[0] = o->dims[1] = o->dims[2] = 1;
	o->dims[3] = n;
	return 0;
}

static int opt_int(struct lctx *c, int id, int size, int64_t def,
		   int64_t *v)
{
	if (tfl_opt_int(c->m, c->op, id, size, 1, def, v))
		return lfail(c, -EBADMSG, "malformed options field %d", id);
	return 0;
}

static int check_opts(struct lctx *c, int want)
{
	if (c->op->has_opts && c->op->opt_type != want)
		return lfail(c, -EBADMSG, "options of union type %u, expected %d",
			     c->op->opt_type, want);
	return 0;
}

/* CalculateActivationRangeQuantized(). */
static int act_range(struct lctx *c, int64_t act, float scale, int32_t zp,
		     int type, int32_t *lo, int32_t *hi)
{
	int32_t qmin = type == TFL_UINT8 ? 0 : -128;
	int32_t qmax = type == TFL_UINT8 ? 255 : 127;
	float fmin, fmax;

	*lo = qmin;
	*hi = qmax;
	switch (act) {
	case ACT_NONE:
		return 0;
	case ACT_RELU:
		fmin = 0.0f;
		fmax = INFINITY;
		break;
	case ACT_RELU6:
		fmin = 0.0f;
		fmax = 6.0f;
		break;
	case ACT_RELU_N1_TO_1:
		fmin = -1.0f;
		fmax = 1.0f;
		break;
	default:
		return lfail(c, -EINVAL, "fused activation %lld is not supported",
			     (long long)act);
	}
	{
		float qlo = roundf(fmin / scale), qhi = roundf(fmax / scale);

		/* zero_point + static_cast<int32_t>(round(f / scale)) */
		if (qlo > -1e9f && qlo < 1e9f && zp + (int32_t)qlo > qmin)
			*lo = zp + (int32_t)qlo;
		if (fmax != INFINITY && qhi > -1e9f && qhi < 1e9f &&
		    zp + (int32_t)qhi < qmax)
			*hi = zp + (int32_t)qhi;
	}
	if (*lo > *hi)
		return lfail(c, -EINVAL, "empty fused activation range");
	return 0;
}

static int64_t out_size(int64_t padding, int64_t in, int64_t filt,
			int64_t stride, int64_t dil)
{
	int64_t eff = (filt - 1) * dil + 1;

	if (padding == PAD_SAME)
		return (in + stride - 1) / stride;
	return (in + stride - eff) / stride;
}

/* ComputePaddingWithOffset(): before, and after (before + odd one). */
static void padding(int64_t in, int64_t filt, int64_t stride, int64_t dil,
		    int64_t out, uint32_t *before, uint32_t *after)
{
	int64_t eff = (filt - 1) * dil + 1;
	int64_t total = (out - 1) * stride + eff - in;

	if (total < 0)
		total = 0;
	*before = (uint32_t)(total / 2);
	*after = (uint32_t)(total - total / 2);
}

static void set_params(struct lw_op *lo, const void *p, size_t size)
{
	memcpy(lo->params, p, size);
	lo->psize = (uint32_t)size;
}

static int per_channel_arrays(struct lctx *c, const struct tfl_tensor *f,
			      uint32_t oc, float in_s, float out_s,
			      struct lw_operand *out, struct lw_operand *am,
			      struct lw_operand *as)
{
	int32_t *mult, *shift;
	uint32_t k;
	int ret;

	mult = calloc(oc, sizeof(*mult));
	shift = calloc(oc, sizeof(*shift));
	if (!mult || !shift) {
		free(mult);
		free(shift);
		return lfail(c, -ENOMEM, "out of memory");
	}
	for (k = 0; k < oc; k++) {
		double real = (double)in_s * (double)f->scales[k] /
			      (double)out_s;
		int s;

		quantize_multiplier(real, &mult[k], &s);
		shift[k] = s;
	}
	ret = weights_operand(c, mult, oc * sizeof(int32_t),
			      EDGENPU_DTYPE_INT32, oc, am);
	if (!ret)
		ret = weights_operand(c, shift, oc * sizeof(int32_t),
				      EDGENPU_DTYPE_INT32, oc, as);
	free(mult);
	free(shift);
	out->flags |= EDGENPU_TENSOR_F_PER_CHANNEL;
	out->mult = 0;
	out->shift = 0;
	return ret;
}

static int filter_scales(struct lctx *c, const struct tfl_tensor *f,
			 uint32_t oc, int qdim)
{
	uint32_t k;

	if (f->nscale != 1 && !(f->nscale == oc && f->qdim == qdim))
		return lfail(c, -EINVAL, "filter '%s' has %u scales along dimension %d; need 1 or %u along dimension %d",
			     f->name, f->nscale, f->qdim, oc, qdim);
	for (k = 0; k < f->nscale; k++) {
		int ret = check_scale(c, f, "filter", f->scales[k]);

		if (ret)
			return ret;
	}
	return 0;
}

static int bias_operand(struct lctx *c, uint32_t oc, struct lw_operand *o)
{
	const struct tfl_tensor *b;
	int32_t ti = -1;
	uint32_t d[4] = { 1, 1, 1, oc };
	int ret;

	b = input(c, 2, &ti);
	if (!b) {
		memset(o, 0, sizeof(*o));
		return 0;
	}
	ret = check_type(c, b, "bias", TFL_INT32);
	if (ret)
		return ret;
	if (b->count != oc)
		return lfail(c, -EINVAL, "bias '%s' has %lld elements, expected %u",
			     b->name, (long long)b->count, oc);
	if (!b->data)
		return lfail(c, -EINVAL, "bias '%s' must be a constant", b->name);
	return operand(c, ti, d, 0, o);
}

static int lower_conv(struct lctx *c, int dw)
{
	const struct tfl_tensor *in, *f, *out;
	struct lw_op *lo = c->lo;
	struct edgenpu_cmd_conv_params cp;
	int32_t ti_in = -1, ti_f = -1, ti_out = -1, in_zp, out_zp;
	uint32_t di[4], df[4], dout[4], oc;
	int64_t pad, sw, sh, act, dilw, dilh, oh, ow;
	float in_s, out_s;
	int ret;

	ret = need_inputs(c, 2, 1);
	if (ret)
		return ret;
	in = input(c, 0, &ti_in);
	f = input(c, 1, &ti_f);
	out = output(c, &ti_out);
	if ((ret = check_type(c, in, "input", TFL_INT8)) ||
	    (ret = check_type(c, f, "filter", TFL_INT8)) ||
	    (ret = check_type(c, out, "output", TFL_INT8)) ||
	    (ret = rank4(c, in, "input", di)) ||
	    (ret = rank4(c, f, "filter", df)) ||
	    (ret = rank4(c, out, "output", dout)) ||
	    (ret = qparams(c, in, "input", &in_s, &in_zp)) ||
	    (ret = qparams(c, out, "output", &out_s, &out_zp)) ||
	    (ret = check_opts(c, dw ? OPT_DWCONV : OPT_CONV)))
		return ret;
	if ((ret = opt_int(c, 0, 1, 0, &pad)) ||
	    (ret = opt_int(c, 1, 4, 0, &sw)) ||
	    (ret = opt_int(c, 2, 4, 0, &sh)) ||
	    (ret = opt_int(c, dw ? 4 : 3, 1, 0, &act)) ||
	    (ret = opt_int(c, dw ? 5 : 4, 4, 1, &dilw)) ||
	    (ret = opt_int(c, dw ? 6 : 5, 4, 1, &dilh)))
		return ret;
	if (pad != PAD_SAME && pad != PAD_VALID)
		return lfail(c, -EINVAL, "unknown padding %lld", (long long)pad);
	if (sw < 1 || sh < 1 || sw > 64 || sh > 64 || dilw < 1 || dilh < 1 ||
	    dilw > 64 || dilh > 64)
		return lfail(c, -EINVAL, "stride %lldx%lld / dilation %lldx%lld out of [1, 64]",
			     (long long)sh, (long long)sw, (long long)dilh,
			     (long long)dilw);
	oc = dw ? df[3] : df[0];
	if (dw) {
		if (df[0] != 1 || oc % di[3])
			return lfail(c, -EINVAL, "depthwise filter [%u,%u,%u,%u] does not fit %u input channels",
				     df[0], df[1], df[2], df[3], di[3]);
	} else if (di[3] % df[3] || oc % (di[3] / df[3])) {
		return lfail(c, -EINVAL, "filter depth %u does not divide %u input channels",
			     df[3], di[3]);
	}
	oh = out_size(pad, di[1], df[1], sh, dilh);
	ow = out_size(pad, di[2], df[2], sw, dilw);
	if (oh < 1 || ow < 1 || dout[0] != di[0] || dout[1] != oh ||
	    dout[2] != ow || dout[3] != oc)
		return lfail(c, -EINVAL, "output shape [%u,%u,%u,%u] is not [%u,%lld,%lld,%u]",
			     dout[0], dout[1], dout[2], dout[3], di[0],
			     (long long)oh, (long long)ow, oc);
	ret = filter_scales(c, f, oc, dw ? 3 : 0);
	if (ret)
		return ret;

	memset(&cp, 0, sizeof(cp));
	cp.stride_h = (uint32_t)sh;
	cp.stride_w = (uint32_t)sw;
	cp.dilation_h = (uint32_t)dilh;
	cp.dilation_w = (uint32_t)dilw;
	padding(di[1], df[1], sh, dilh, oh, &cp.pad_top, &cp.pad_bottom);
	padding(di[2], df[2], sw, dilw, ow, &cp.pad_left, &cp.pad_right);
	cp.depth_multiplier = dw ? oc / di[3] : 0;
	lo->opcode = dw ? EDGENPU_OP_DEPTHWISE_CONV_2D : EDGENPU_OP_CONV_2D;
	set_params(lo, &cp, sizeof(cp));
	ret = act_range(c, act, out_s, out_zp, TFL_INT8, &lo->act_min,
			&lo->act_max);
	if (ret)
		return ret;
	/* TFLite's int8 convolutions ignore the filter zero point. */
	if ((ret = operand(c, ti_in, di, in_zp, &lo->t[0])) ||
	    (ret = operand(c, ti_f, df, 0, &lo->t[1])) ||
	    (ret = bias_operand(c, oc, &lo->t[2])) ||
	    (ret = operand(c, ti_out, dout, out_zp, &lo->t[3])))
		return ret;
	lo->nt = 4;
	if (f->nscale > 1) {
		lo->nt = 6;
		return per_channel_arrays(c, f, oc, in_s, out_s, &lo->t[3],
					  &lo->t[4], &lo->t[5]);
	}
	quantize_multiplier((double)in_s * (double)f->scales[0] / (double)out_s,
			    &lo->t[3].mult, &lo->t[3].shift);
	return 0;
}

static int lower_fc(struct lctx *c)
{
	const struct tfl_tensor *in, *f, *out;
	struct lw_op *lo = c->lo;
	int32_t ti_in = -1, ti_f = -1, ti_out = -1, in_zp, out_zp;
	uint32_t di[4], df[4], dout[4], oc, k;
	int64_t act, fmt, rows;
	float in_s, out_s;
	int ret;

	ret = need_inputs(c, 2, 1);
	if (ret)
		return ret;
	in = input(c, 0, &ti_in);
	f = input(c, 1, &ti_f);
	out = output(c, &ti_out);
	if ((ret = check_type(c, in, "input", TFL_INT8)) ||
	    (ret = check_type(c, f, "filter", TFL_INT8)) ||
	    (ret = check_type(c, out, "output", TFL_INT8)) ||
	    (ret = qparams(c, in, "input", &in_s, &in_zp)) ||
	    (ret = qparams(c, out, "output", &out_s, &out_zp)) ||
	    (ret = check_opts(c, OPT_FC)) ||
	    (ret = opt_int(c, 0, 1, 0, &act)) ||
	    (ret = opt_int(c, 1, 1, 0, &fmt)))
		return ret;
	if (fmt != 0)
		return lfail(c, -EINVAL, "shuffled weights format is not supported");
	if (f->rank != 2 || f->shape[0] < 1 || f->shape[1] < 1)
		return lfail(c, -EINVAL, "filter '%s' must be 2-D [units, depth]",
			     f->name);
	oc = (uint32_t)f->shape[0];
	k = (uint32_t)f->shape[1];
	if (in->count % k)
		return lfail(c, -EINVAL, "input of %lld elements is not a multiple of depth %u",
			     (long long)in->count, k);
	rows = in->count / k;
	if (out->count != rows * oc || rows > EDGENPU_CMD_MAX_DIM)
		return lfail(c, -EINVAL, "output '%s' has %lld elements, expected %lld",
			     out->name, (long long)out->count,
			     (long long)(rows * oc));
	ret = filter_scales(c, f, oc, 0);
	if (ret)
		return ret;
	di[0] = di[1] = 1;
	di[2] = (uint32_t)rows;
	di[3] = k;
	df[0] = df[1] = 1;
	df[2] = oc;
	df[3] = k;
	dout[0] = dout[1] = 1;
	dout[2] = (uint32_t)rows;
	dout[3] = oc;
	lo->opcode = EDGENPU_OP_FULLY_CONNECTED;
	ret = act_range(c, act, out_s, out_zp, TFL_INT8, &lo->act_min,
			&lo->act_max);
	if (ret)
		return ret;
	if (f->nscale == 1 &&
	    (f->zero_points[0] < -128 || f->zero_points[0] > 127))
		return lfail(c, -EINVAL, "filter zero point out of range");
	if ((ret = operand(c, ti_in, di, in_zp, &lo->t[0])) ||
	    (ret = operand(c, ti_f, df,
			   f->nscale == 1 ? (int32_t)f->zero_points[0] : 0,
			   &lo->t[1])) ||
	    (ret = bias_operand(c, oc, &lo->t[2])) ||
	    (ret = operand(c, ti_out, dout, out_zp, &lo->t[3])))
		return ret;
	lo->nt = 4;
	if (f->nscale > 1) {
		lo->nt = 6;
		return per_channel_arrays(c, f, oc, in_s, out_s, &lo->t[3],
					  &lo->t[4], &lo->t[5]);
	}
	quantize_multiplier((double)in_s * (double)f->scales[0] / (double)out_s,
			    &lo->t[3].mult, &lo->t[3].shift);
	return 0;
}

static int lower_binary(struct lctx *c)
{
	const struct tfl_tensor *a, *b, *out;
	struct lw_op *lo = c->lo;
	int32_t ti_a = -1, ti_b = -1, ti_out = -1, za, zb, zo;
	uint32_t da[4], db[4], dout[4];
	float sa, sb, so;
	int64_t act;
	int k, ret, want;

	ret = need_inputs(c, 2, 1);
	if (ret)
		return ret;
	a = input(c, 0, &ti_a);
	b = input(c, 1, &ti_b);
	out = output(c, &ti_out);
	want = c->op->builtin == TFL_OP_ADD ? OPT_ADD :
	       c->op->builtin == TFL_OP_SUB ? OPT_SUB : OPT_MUL;
	if ((ret = check_type(c, a, "input 0", TFL_INT8)) ||
	    (ret = check_type(c, b, "input 1", TFL_INT8)) ||
	    (ret = check_type(c, out, "output", TFL_INT8)) ||
	    (ret = qparams(c, a, "input 0", &sa, &za)) ||
	    (ret = qparams(c, b, "input 1", &sb, &zb)) ||
	    (ret = qparams(c, out, "output", &so, &zo)) ||
	    (ret = dims4(c, a, "input 0", da)) ||
	    (ret = dims4(c, b, "input 1", db)) ||
	    (ret = dims4(c, out, "output", dout)) ||
	    (ret = check_opts(c, want)) ||
	    (ret = opt_int(c, 0, 1, 0, &act)))
		return ret;
	for (k = 0; k < 4; k++)
		if ((da[k] != dout[k] && da[k] != 1) ||
		    (db[k] != dout[k] && db[k] != 1) ||
		    dout[k] != (da[k] > db[k] ? da[k] : db[k]))
			return lfail(c, -EINVAL, "input shapes do not broadcast to the output shape");
	if ((ret = act_range(c, act, so, zo, TFL_INT8, &lo->act_min,
			     &lo->act_max)) ||
	    (ret = operand(c, ti_a, da, za, &lo->t[0])) ||
	    (ret = operand(c, ti_b, db, zb, &lo->t[1])) ||
	    (ret = operand(c, ti_out, dout, zo, &lo->t[2])))
		return ret;
	lo->nt = 3;
	if (c->op->builtin == TFL_OP_MUL) {
		/* float arithmetic, as mul.cc's Prepare() */
		float real = sa * sb / so;

		lo->opcode = EDGENPU_OP_MUL;
		quantize_multiplier((double)real, &lo->t[2].mult,
				    &lo->t[2].shift);
	} else {
		struct edgenpu_cmd_add_params ap;
		const double twice_max = 2.0 * (double)(sa > sb ? sa : sb);

		memset(&ap, 0, sizeof(ap));
		ap.left_shift = 20;
		lo->opcode = c->op->builtin == TFL_OP_ADD ? EDGENPU_OP_ADD :
							    EDGENPU_OP_SUB;
		set_params(lo, &ap, sizeof(ap));
		quantize_multiplier((double)sa / twice_max, &lo->t[0].mult,
				    &lo->t[0].shift);
		quantize_multiplier((double)sb / twice_max, &lo->t[1].mult,
				    &lo->t[1].shift);
		quantize_multiplier(twice_max / ((double)(1 << 20) * (double)so),
				    &lo->t[2].mult, &lo->t[2].shift);
		if (lo->t[2].shift > 0)
			return lfail(c, -EINVAL, "output scale too small for the inputs' scales (multiplier above 1)");
	}
	return 0;
}

static int same_quant(const struct tfl_tensor *a, const struct tfl_tensor *b)
{
	return a->nscale == 1 && b->nscale == 1 &&
	       a->scales[0] == b->scales[0] &&
	       a->zero_points[0] == b->zero_points[0];
}

static int lower_pool(struct lctx *c)
{
	const struct tfl_tensor *in, *out;
	struct lw_op *lo = c->lo;
	struct edgenpu_cmd_pool_params pp;
	int32_t ti_in = -1, ti_out = -1, zi, zo;
	uint32_t di[4], dout[4];
	int64_t pad, sw, sh, fw, fh, act, oh, ow;
	float si, so;
	int ret;

	ret = need_inputs(c, 1, 1);
	if (ret)
		return ret;
	in = input(c, 0, &ti_in);
	out = output(c, &ti_out);
	if ((ret = check_type(c, in, "input", TFL_INT8)) ||
	    (ret = check_type(c, out, "output", TFL_INT8)) ||
	    (ret = qparams(c, in, "input", &si, &zi)) ||
	    (ret = qparams(c, out, "output", &so, &zo)) ||
	    (ret = rank4(c, in, "input", di)) ||
	    (ret = rank4(c, out, "output", dout)) ||
	    (ret = check_opts(c, OPT_POOL)) ||
	    (ret = opt_int(c, 0, 1, 0, &pad)) ||
	    (ret = opt_int(c, 1, 4, 0, &sw)) ||
	    (ret = opt_int(c, 2, 4, 0, &sh)) ||
	    (ret = opt_int(c, 3, 4, 0, &fw)) ||
	    (ret = opt_int(c, 4, 4, 0, &fh)) ||
	    (ret = opt_int(c, 5, 1, 0, &act)))
		return ret;
	if (!same_quant(in, out))
		return lfail(c, -EINVAL, "input and output quantization differ (TFLite's int8 pooling requires them equal)");
	if (pad != PAD_SAME && pad != PAD_VALID)
		return lfail(c, -EINVAL, "unknown padding %lld", (long long)pad);
	if (sw < 1 || sh < 1 || fw < 1 || fh < 1 || sw > 4096 || sh > 4096 ||
	    fw > 4096 || fh > 4096)
		return lfail(c, -EINVAL, "filter/stride out of [1, 4096]");
	oh = out_size(pad, di[1], fh, sh, 1);
	ow = out_size(pad, di[2], fw, sw, 1);
	if (oh < 1 || ow < 1 || dout[0] != di[0] || dout[1] != oh ||
	    dout[2] != ow || dout[3] != di[3])
		return lfail(c, -EINVAL, "output shape does not follow the window");
	memset(&pp, 0, sizeof(pp));
	pp.filter_h = (uint32_t)fh;
	pp.filter_w = (uint32_t)fw;
	pp.stride_h = (uint32_t)sh;
	pp.stride_w = (uint32_t)sw;
	padding(di[1], fh, sh, 1, oh, &pp.pad_top, &pp.pad_bottom);
	padding(di[2], fw, sw, 1, ow, &pp.pad_left, &pp.pad_right);
	lo->opcode = c->op->builtin == TFL_OP_AVERAGE_POOL_2D ?
		     EDGENPU_OP_AVERAGE_POOL_2D : EDGENPU_OP_MAX_POOL_2D;
	set_params(lo, &pp, sizeof(pp));
	lo->nt = 2;
	if ((ret = act_range(c, act, so, zo, TFL_INT8, &lo->act_min,
			     &lo->act_max)) ||
	    (ret = operand(c, ti_in, di, zi, &lo->t[0])) ||
	    (ret = operand(c, ti_out, dout, zo, &lo->t[1])))
		return ret;
	return 0;
}

/* Constant int32 (or int64) vector of a shape-like input. */
static int const_ints(struct lctx *c, uint32_t k, int32_t *v, uint32_t max,
		      uint32_t *n)
{
	const struct tfl_tensor *t = input(c, k, NULL);
	uint32_t i;

	if (!t || !t->data)
		return lfail(c, -EINVAL, "input %u must be a constant", k);
	if ((t->type != TFL_INT32 && t->type != TFL_INT64) ||
	    t->count > max ||
	    t->data_size != (size_t)t->count * (size_t)tfl_type_size(t->type))
		return lfail(c, -EINVAL, "input %u '%s' must be a constant int32 vector of at most %u values",
			     k, t->name, max);
	for (i = 0; i < t->count; i++) {
		int64_t x;

		if (t->type == TFL_INT32) {
			int32_t y;

			memcpy(&y, t->data + 4 * (size_t)i, 4);
			x = y;
		} else {
			memcpy(&x, t->data + 8 * (size_t)i, 8);
		}
		if (x < INT32_MIN || x > INT32_MAX)
			return lfail(c, -EINVAL, "input %u value out of range", k);
		v[i] = (int32_t)x;
	}
	*n = (uint32_t)t->count;
	return 0;
}

static int lower_mean(struct lctx *c)
{
	const struct tfl_tensor *in, *out;
	struct lw_op *lo = c->lo;
	struct edgenpu_cmd_conv_params cp;
	int32_t ti_in = -1, ti_out = -1, zi, zo, axes[8], m;
	uint32_t di[4], dout[4], n, k, mask = 0, hw;
	int64_t keep;
	float si, so;
	uint8_t *ones;
	int ret, s, shift;

	ret = need_inputs(c, 2, 1);
	if (ret)
		return ret;
	in = input(c, 0, &ti_in);
	out = output(c, &ti_out);
	if ((ret = check_type(c, in, "input", TFL_INT8)) ||
	    (ret = check_type(c, out, "output", TFL_INT8)) ||
	    (ret = qparams(c, in, "input", &si, &zi)) ||
	    (ret = qparams(c, out, "output", &so, &zo)) ||
	    (ret = rank4(c, in, "input", di)) ||
	    (ret = check_opts(c, OPT_REDUCER)) ||
	    (ret = opt_int(c, 0, 1, 0, &keep)) ||
	    (ret = const_ints(c, 1, axes, 8, &n)))
		return ret;
	for (k = 0; k < n; k++) {
		int32_t a = axes[k] < 0 ? axes[k] + 4 : axes[k];

		if (a < 0 || a > 3)
			return lfail(c, -EINVAL, "axis %d out of range", axes[k]);
		mask |= 1u << a;
	}
	if (mask != 0x6)
		return lfail(c, -EINVAL, "only the mean over H and W (axes 1, 2) is supported");
	if (out->count != (int64_t)di[0] * di[3])
		return lfail(c, -EINVAL, "output '%s' must have N*C elements",
			     out->name);
	hw = di[1] * di[2];
	if ((uint64_t)di[1] * di[2] > EDGENPU_CMD_MAX_REDUCTION)
		return lfail(c, -EINVAL, "H*W = %llu above %u",
			     (unsigned long long)di[1] * di[2],
			     EDGENPU_CMD_MAX_REDUCTION);
	/*
	 * QuantizedMeanOrSum(): multiplier of in_scale / out_scale with
	 * 1 / (H*W) folded in, applied to sum(x - zp_in).
	 */
	quantize_multiplier((double)si / (double)so, &m, &s);
	shift = 63 - __builtin_clzll((unsigned long long)hw);
	if (shift > 32)
		shift = 32;
	if (shift > 31 + s)
		shift = 31 + s;
	m = (int32_t)(((int64_t)m << shift) / (int64_t)hw);
	s -= shift;

	ones = malloc((size_t)hw * di[3]);
	if (!ones)
		return lfail(c, -ENOMEM, "out of memory");
	memset(ones, 1, (size_t)hw * di[3]);
	memset(&cp, 0, sizeof(cp));
	cp.stride_h = cp.stride_w = cp.dilation_h = cp.dilation_w = 1;
	cp.depth_multiplier = 1;
	lo->opcode = EDGENPU_OP_DEPTHWISE_CONV_2D;
	snprintf(lo->note, sizeof(lo->note),
		 "as a sum over H,W (depthwise, all-ones filter)");
	set_params(lo, &cp, sizeof(cp));
	lo->act_min = -128;
	lo->act_max = 127;
	lo->nt = 4;
	dout[0] = di[0];
	dout[1] = dout[2] = 1;
	dout[3] = di[3];
	ret = operand(c, ti_in, di, zi, &lo->t[0]);
	if (!ret)
		ret = weights_operand(c, ones, (size_t)hw * di[3],
				      EDGENPU_DTYPE_INT8, di[3], &lo->t[1]);
	free(ones);
	if (ret)
		return ret;
	lo->t[1].dims[1] = di[1];
	lo->t[1].dims[2] = di[2];
	ret = operand(c, ti_out, dout, zo, &lo->t[3]);
	lo->t[3].mult = m;
	lo->t[3].shift = s;
	return ret;
}

static int lower_softmax(struct lctx *c)
{
	const struct tfl_tensor *in, *out;
	struct lw_op *lo = c->lo;
	struct edgenpu_cmd_softmax_params sp;
	int32_t ti_in = -1, ti_out = -1, zi, zo, mult;
	uint32_t di[4];
	float si, so, beta;
	double real;
	int ret, shift;

	ret = need_inputs(c, 1, 1);
	if (ret)
		return ret;
	in = input(c, 0, &ti_in);
	out = output(c, &ti_out);
	if ((ret = check_type(c, in, "input", TFL_INT8)) ||
	    (ret = check_type(c, out, "output", TFL_INT8)) ||
	    (ret = qparams(c, in, "input", &si, &zi)) ||
	    (ret = qparams(c, out, "output", &so, &zo)) ||
	    (ret = dims4(c, in, "input", di)) ||
	    (ret = check_opts(c, OPT_SOFTMAX)))
		return ret;
	if (tfl_opt_float(c->m, c->op, 0, 0.0f, &beta))
		return lfail(c, -EBADMSG, "malformed options");
	if (in->count != out->count)
		return lfail(c, -EINVAL, "input and output sizes differ");
	if (zo != -128 || fabs((double)so - 1.0 / 256) > 0.001 / 256)
		return lfail(c, -EINVAL, "int8 softmax output must have scale 1/256 and zero point -128");
	if (di[3] > 4095)
		return lfail(c, -EINVAL, "depth %u above 4095", di[3]);
	/* PreprocessSoftmaxScaling(beta, input_scale, 5) */
	real = (double)beta * (double)si * (double)(1ll << (31 - 5));
	if (real > (double)((1ll << 31) - 1))
		real = (double)((1ll << 31) - 1);
	quantize_multiplier(real, &mult, &shift);
	if (shift < 0 || real <= 1.0)
		return lfail(c, -EINVAL, "beta * input scale too small (multiplier below one)");
	memset(&sp, 0, sizeof(sp));
	sp.input_multiplier = mult;
	sp.input_left_shift = shift;
	/* -CalculateInputRadius(5, shift) */
	sp.diff_min = -(int32_t)floor(1.0 * ((1 << 5) - 1) *
				      (double)(1ll << (31 - 5)) /
				      (double)(1ll << shift));
	lo->opcode = EDGENPU_OP_SOFTMAX;
	set_params(lo, &sp, sizeof(sp));
	lo->nt = 2;
	if ((ret = operand(c, ti_in, di, zi, &lo->t[0])) ||
	    (ret = operand(c, ti_out, di, zo, &lo->t[1])))
		return ret;
	return 0;
}

static int lower_lut(struct lctx *c)
{
	const struct tfl_tensor *in, *out;
	struct lw_op *lo = c->lo;
	struct edgenpu_cmd_act_params ap;
	int tanh_op = c->op->builtin == TFL_OP_TANH;
	int32_t ti_in = -1, ti_out = -1, zi, zo, val;
	uint32_t di[4];
	int8_t lut[256];
	float si, so, inverse_scale;
	int ret;

	ret = need_inputs(c, 1, 1);
	if (ret)
		return ret;
	in = input(c, 0, &ti_in);
	out = output(c, &ti_out);
	if ((ret = check_type(c, in, "input", TFL_INT8)) ||
	    (ret = check_type(c, out, "output", TFL_INT8)) ||
	    (ret = qparams(c, in, "input", &si, &zi)) ||
	    (ret = qparams(c, out, "output", &so, &zo)) ||
	    (ret = dims4(c, in, "input", di)))
		return ret;
	if (in->count != out->count)
		return lfail(c, -EINVAL, "input and output sizes differ");
	if (tanh_op ? (zo != 0 || fabs((double)so - 1.0 / 128) > 0.001 / 128) :
		      (zo != -128 || fabs((double)so - 1.0 / 256) > 0.001 / 256))
		return lfail(c, -EINVAL, "int8 %s output must have scale %s and zero point %d",
			     tanh_op ? "tanh" : "logistic",
			     tanh_op ? "1/128" : "1/256", tanh_op ? 0 : -128);
	/* LUTPopulate<int8_t>() */
	inverse_scale = 1 / so;
	for (val = -128; val <= 127; ++val) {
		const float dequantized = si * (float)(val - zi);
		const float transformed = tanh_op ? tanhf(dequantized) :
					  1.0f / (1.0f + expf(-dequantized));
		const float rescaled = roundf(transformed * inverse_scale);
		int32_t q;

		if (!(rescaled > -1e9f && rescaled < 1e9f))
			q = rescaled > 0 ? 127 : -128;
		else
			q = (int32_t)(rescaled + (float)zo);
		q = q > 127 ? 127 : q < -128 ? -128 : q;
		lut[(uint8_t)(int8_t)val] = (int8_t)q;
	}
	memset(&ap, 0, sizeof(ap));
	lo->opcode = tanh_op ? EDGENPU_OP_TANH : EDGENPU_OP_LOGISTIC;
	lo->flags = EDGENPU_OP_F_LUT;
	set_params(lo, &ap, sizeof(ap));
	lo->nt = 3;
	if ((ret = operand(c, ti_in, di, zi, &lo->t[0])) ||
	    (ret = operand(c, ti_out, di, zo, &lo->t[1])) ||
	    (ret = weights_operand(c, lut, sizeof(lut), EDGENPU_DTYPE_INT8,
				   256, &lo->t[2])))
		return ret;
	return 0;
}

static int lower_reshape(struct lctx *c)
{
	const struct tfl_tensor *in, *out;
	struct lw_op *lo = c->lo;
	int32_t ti_in = -1, ti_out = -1;
	uint32_t di[4], dout[4];
	int ret;

	if (c->op->nin < 1 || c->op->in[0] < 0 || c->op->nout != 1)
		return lfail(c, -EINVAL, "needs 1 input and 1 output");
	in = input(c, 0, &ti_in);
	out = output(c, &ti_out);
	if (in->type != out->type || in->count != out->count)
		return lfail(c, -EINVAL, "input and output differ in type or element count");
	if ((ret = dims4(c, in, "input", di)) ||
	    (ret = dims4(c, out, "output", dout)))
		return ret;
	lo->opcode = EDGENPU_OP_RESHAPE;
	lo->nt = 2;
	if ((ret = operand(c, ti_in, di, 0, &lo->t[0])) ||
	    (ret = operand(c, ti_out, dout, 0, &lo->t[1])))
		return ret;
	return 0;
}

static int lower_concat(struct lctx *c)
{
	const struct tfl_tensor *out;
	struct lw_op *lo = c->lo;
	struct edgenpu_cmd_concat_params cp;
	int32_t ti_out;
	uint32_t dout[4], k;
	int64_t axis, act;
	int ret;

	if (c->op->nin < 1 || c->op->nout != 1)
		return lfail(c, -EINVAL, "needs inputs and 1 output");
	if (c->op->nin > EDGENPU_CMD_MAX_TENSORS - 1)
		return lfail(c, -EINVAL, "%u inputs (at most %d supported)",
			     c->op->nin, EDGENPU_CMD_MAX_TENSORS - 1);
	out = output(c, &ti_out);
	if ((ret = dims4(c, out, "output", dout)) ||
	    (ret = check_opts(c, OPT_CONCAT)) ||
	    (ret = opt_int(c, 0, 4, 0, &axis)) ||
	    (ret = opt_int(c, 1, 1, 0, &act)))
		return ret;
	if (act != ACT_NONE)
		return lfail(c, -EINVAL, "fused activation on CONCATENATION is not supported");
	if (axis < 0)
		axis += out->rank;
	if (axis < 0 || axis >= out->rank)
		return lfail(c, -EINVAL, "axis out of range");
	for (k = 0; k < c->op->nin; k++) {
		int32_t ti = -1;
		const struct tfl_tensor *t = input(c, k, &ti);
		uint32_t d[4];

		if (!t)
			return lfail(c, -EINVAL, "input %u is missing", k);
		if (t->type != out->type || t->rank != out->rank)
			return lfail(c, -EINVAL, "input %u differs from the output in type or rank",
				     k);
		if (out->type == TFL_INT8 || out->type == TFL_UINT8) {
			if (!same_quant(t, out))
				return lfail(c, -EINVAL, "input %u '%s' is quantized differently from the output; TFLite's int8 CONCATENATION requires equal scale and zero point",
					     k, t->name);
		}
		ret = dims4(c, t, "input", d);
		if (!ret)
			ret = operand(c, ti, d, 0, &lo->t[k]);
		if (ret)
			return ret;
	}
	memset(&cp, 0, sizeof(cp));
	cp.axis = (uint32_t)(axis + 4 - out->rank);
	lo->opcode = EDGENPU_OP_CONCATENATION;
	set_params(lo, &cp, sizeof(cp));
	lo->nt = c->op->nin + 1;
	return operand(c, ti_out, dout, 0, &lo->t[c->op->nin]);
}

static int lower_pad(struct lctx *c)
{
	const struct tfl_tensor *in, *out;
	struct lw_op *lo = c->lo;
	struct edgenpu_cmd_pad_params pp;
	int32_t ti_in = -1, ti_out = -1, pads[8];
	uint32_t di[4], dout[4], n, k;
	int ret, off;

	ret = need_inputs(c, 2, 1);
	if (ret)
		return ret;
	in = input(c, 0, &ti_in);
	out = output(c, &ti_out);
	if ((ret = dims4(c, in, "input", di)) ||
	    (ret = dims4(c, out, "output", dout)) ||
	    (ret = const_ints(c, 1, pads, 8, &n)))
		return ret;
	if (in->type != out->type || in->rank != out->rank ||
	    n != 2 * (uint32_t)in->rank)
		return lfail(c, -EINVAL, "paddings must be [rank, 2] and types equal");
	if ((in->type == TFL_INT8 || in->type == TFL_UINT8) &&
	    !same_quant(in, out))
		return lfail(c, -EINVAL, "input and output quantization differ");
	memset(&pp, 0, sizeof(pp));
	off = 4 - in->rank;
	for (k = 0; k < (uint32_t)in->rank; k++) {
		if (pads[2 * k] < 0 || pads[2 * k + 1] < 0)
			return lfail(c, -EINVAL, "negative padding");
		pp.before[off + k] = (uint32_t)pads[2 * k];
		pp.after[off + k] = (uint32_t)pads[2 * k + 1];
	}
	for (k = 0; k < 4; k++)
		if ((uint64_t)di[k] + pp.before[k] + pp.after[k] != dout[k])
			return lfail(c, -EINVAL, "output shape is not input plus padding");
	pp.pad_value = out->nscale ? (int32_t)out->zero_points[0] : 0;
	lo->opcode = EDGENPU_OP_PAD;
	set_params(lo, &pp, sizeof(pp));
	lo->nt = 2;
	if ((ret = operand(c, ti_in, di, 0, &lo->t[0])) ||
	    (ret = operand(c, ti_out, dout, 0, &lo->t[1])))
		return ret;
	return 0;
}

static int lower_transpose(struct lctx *c)
{
	const struct tfl_tensor *in, *out;
	struct lw_op *lo = c->lo;
	struct edgenpu_cmd_transpose_params tp;
	int32_t ti_in = -1, ti_out = -1, perm[8];
	uint32_t di[4], dout[4], n, k, seen = 0;
	int ret, off;

	ret = need_inputs(c, 2, 1);
	if (ret)
		return ret;
	in = input(c, 0, &ti_in);
	out = output(c, &ti_out);
	if ((ret = dims4(c, in, "input", di)) ||
	    (ret = dims4(c, out, "output", dout)) ||
	    (ret = const_ints(c, 1, perm, 8, &n)))
		return ret;
	if (in->type != out->type || n != (uint32_t)in->rank ||
	    out->rank != in->rank)
		return lfail(c, -EINVAL, "perm must have one entry per input dimension");
	off = 4 - in->rank;
	for (k = 0; k < 4; k++)
		tp.perm[k] = k;
	for (k = 0; k < n; k++) {
		int32_t p = perm[k] < 0 ? perm[k] + in->rank : perm[k];

		if (p < 0 || p >= in->rank || (seen & (1u << p)))
			return lfail(c, -EINVAL, "perm is not a permutation");
		seen |= 1u << p;
		tp.perm[off + k] = (uint32_t)(off + p);
	}
	for (k = 0; k < 4; k++)
		if (dout[k] != di[tp.perm[k]])
			return lfail(c, -EINVAL, "output shape does not follow perm");
	lo->opcode = EDGENPU_OP_TRANSPOSE;
	set_params(lo, &tp, sizeof(tp));
	lo->nt = 2;
	if ((ret = operand(c, ti_in, di, 0, &lo->t[0])) ||
	    (ret = operand(c, ti_out, dout, 0, &lo->t[1])))
		return ret;
	return 0;
}

static int lower_quantize(struct lctx *c)
{
	const struct tfl_tensor *in, *out;
	struct lw_op *lo = c->lo;
	int32_t ti_in = -1, ti_out = -1, zi, zo;
	uint32_t di[4], dout[4];
	float si, so;
	int ret;

	ret = need_inputs(c, 1, 1);
	if (ret)
		return ret;
	in = input(c, 0, &ti_in);
	out = output(c, &ti_out);
	if ((in->type != TFL_INT8 && in->type != TFL_UINT8) ||
	    (out->type != TFL_INT8 && out->type != TFL_UINT8))
		return lfail(c, -EINVAL, "%s to %s: only int8/uint8 requantization is supported (the engine has no floating point)",
			     tfl_type_name(in->type), tfl_type_name(out->type));
	if ((ret = qparams(c, in, "input", &si, &zi)) ||
	    (ret = qparams(c, out, "output", &so, &zo)) ||
	    (ret = dims4(c, in, "input", di)) ||
	    (ret = dims4(c, out, "output", dout)))
		return ret;
	if (in->count != out->count)
		return lfail(c, -EINVAL, "input and output sizes differ");
	lo->opcode = EDGENPU_OP_QUANTIZE;
	lo->nt = 2;
	if ((ret = operand(c, ti_in, di, zi, &lo->t[0])) ||
	    (ret = operand(c, ti_out, di, zo, &lo->t[1])))
		return ret;
	quantize_multiplier((double)si / (double)so, &lo->t[1].mult,
			    &lo->t[1].shift);
	return 0;
}

int lower_model(struct edgenpu_plan *p, char *err, size_t errlen)
{
	const struct tfl_model *m = &p->model->m;
	uint32_t i;
	int ret;

	for (i = 0; i < m->nops; i++) {
		struct lctx c = {
			.p = p, .m = m, .idx = i, .op = &m->ops[i],
			.lo = &p->lops[i], .err = err, .errlen = errlen,
		};

		if (c.op->nout < 1)
			return lfail(&c, -EBADMSG, "no output");
		switch (c.op->builtin) {
		case TFL_OP_CONV_2D:
			ret = lower_conv(&c, 0);
			break;
		case TFL_OP_DEPTHWISE_CONV_2D:
			ret = lower_conv(&c, 1);
			break;
		case TFL_OP_FULLY_CONNECTED:
			ret = lower_fc(&c);
			break;
		case TFL_OP_ADD:
		case TFL_OP_SUB:
		case TFL_OP_MUL:
			ret = lower_binary(&c);
			break;
		case TFL_OP_AVERAGE_POOL_2D:
		case TFL_OP_MAX_POOL_2D:
			ret = lower_pool(&c);
			break;
		case TFL_OP_MEAN:
			ret = lower_mean(&c);
			break;
		case TFL_OP_SOFTMAX:
			ret = lower_softmax(&c);
			break;
		case TFL_OP_LOGISTIC:
		case TFL_OP_TANH:
			ret = lower_lut(&c);
			break;
		case TFL_OP_RESHAPE:
			ret = lower_reshape(&c);
			break;
		case TFL_OP_CONCATENATION:
			ret = lower_concat(&c);
			break;
		case TFL_OP_PAD:
			ret = lower_pad(&c);
			break;
		case TFL_OP_TRANSPOSE:
			ret = lower_transpose(&c);
			break;
		case TFL_OP_QUANTIZE:
			ret = lower_quantize(&c);
			break;
		default:
			ret = lfail(&c, -EOPNOTSUPP, "no implementation");
			break;
		}
		if (ret)
			return ret;
	}
	return 0;
}
