// SPDX-License-Identifier: MIT
/*
 * libedgenpu: lowering of the convolutions (the engine's eng_conv.c):
 *
 * - CONV_2D / DEPTHWISE_CONV_2D (int8 always uses the per-channel kernel):
 *   multiplier_c = double(in_scale) * double(filter_scale_c) /
 *   double(out_scale); TFLite's int8 convolutions ignore the filter zero
 *   point;
 * - FULLY_CONNECTED: the same product per channel, or per tensor
 *   (GetQuantizedConvolutionMultipler) with the filter zero point.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lower.h"

/* Conv2DOptions or DepthwiseConv2DOptions. */
struct conv_opts {
	int64_t pad, sw, sh, act, dilw, dilh;
};

/* Field ids of the two option tables: [0] CONV_2D, [1] DEPTHWISE. */
static const struct conv_fields {
	int pad, sw, sh, act, dilw, dilh;
} conv_fields[2] = {
	{ TFL_CONV_PADDING, TFL_CONV_STRIDE_W, TFL_CONV_STRIDE_H,
	  TFL_CONV_FUSED_ACTIVATION, TFL_CONV_DILATION_W, TFL_CONV_DILATION_H },
	{ TFL_DWCONV_PADDING, TFL_DWCONV_STRIDE_W, TFL_DWCONV_STRIDE_H,
	  TFL_DWCONV_FUSED_ACTIVATION, TFL_DWCONV_DILATION_W,
	  TFL_DWCONV_DILATION_H },
};

static int conv_options(struct lower_ctx *c, int dw, struct conv_opts *o)
{
	const struct conv_fields *id = &conv_fields[dw];
	int ret;

	if ((ret = edgenpu__lw_opt_int(c, id->pad, 1, 0, &o->pad)) ||
	    (ret = edgenpu__lw_opt_int(c, id->sw, 4, 0, &o->sw)) ||
	    (ret = edgenpu__lw_opt_int(c, id->sh, 4, 0, &o->sh)) ||
	    (ret = edgenpu__lw_opt_int(c, id->act, 1, 0, &o->act)) ||
	    (ret = edgenpu__lw_opt_int(c, id->dilw, 4, 1, &o->dilw)) ||
	    (ret = edgenpu__lw_opt_int(c, id->dilh, 4, 1, &o->dilh)) ||
	    (ret = edgenpu__lw_check_padding(c, o->pad)))
		return ret;
	if (o->sw < 1 || o->sh < 1 || o->sw > 64 || o->sh > 64 ||
	    o->dilw < 1 || o->dilh < 1 || o->dilw > 64 || o->dilh > 64)
		return edgenpu__lw_fail(c, -EINVAL,
					"stride %lldx%lld / dilation %lldx%lld out of [1, 64]",
					(long long)o->sh, (long long)o->sw,
					(long long)o->dilh, (long long)o->dilw);
	return 0;
}

/* Output channels of filter @df on input @di; -EINVAL if it does not fit. */
static int conv_channels(struct lower_ctx *c, int dw, const uint32_t di[4],
			 const uint32_t df[4], uint32_t *oc)
{
	*oc = dw ? df[3] : df[0];
	if (dw) {
		if (df[0] != 1 || *oc % di[3])
			return edgenpu__lw_fail(c, -EINVAL,
						"depthwise filter [%u,%u,%u,%u] does not fit %u input channels",
						df[0], df[1], df[2], df[3],
						di[3]);
	} else if (di[3] % df[3] || *oc % (di[3] / df[3])) {
		return edgenpu__lw_fail(c, -EINVAL,
					"filter depth %u does not divide %u input channels",
					df[3], di[3]);
	}
	return 0;
}

/* The filter has one scale, or one per output channel along @qdim. */
static int filter_scales(struct lower_ctx *c, const struct tfl_tensor *f,
			 uint32_t oc, int qdim)
{
	uint32_t k;

	if (f->nscale != 1 && !(f->nscale == oc && f->qdim == qdim))
		return edgenpu__lw_fail(c, -EINVAL,
					"filter '%s' has %u scales along dimension %d; need 1 or %u along dimension %d",
					f->name, f->nscale, f->qdim, oc, qdim);
	for (k = 0; k < f->nscale; k++) {
		int ret = edgenpu__lw_check_scale(c, f, "filter",
						  f->scales[k]);

		if (ret)
			return ret;
	}
	return 0;
}

/* The optional bias, input 2: int32 constant, one per output channel. */
static int bias_operand(struct lower_ctx *c, uint32_t oc,
			struct lw_operand *o)
{
	const struct tfl_tensor *b;
	int32_t ti = -1;
	uint32_t d[4] = { 1, 1, 1, oc };
	int ret;

	b = edgenpu__lw_input(c, 2, &ti);
	if (!b) {
		memset(o, 0, sizeof(*o));
		return 0;
	}
	ret = edgenpu__lw_check_type(c, b, "bias", TFL_INT32);
	if (ret)
		return ret;
	if (b->count != oc)
		return edgenpu__lw_fail(c, -EINVAL,
					"bias '%s' has %lld elements, expected %u",
					b->name, (long long)b->count, oc);
	if (!b->data)
		return edgenpu__lw_fail(c, -EINVAL,
					"bias '%s' must be a constant",
					b->name);
	return edgenpu__lw_operand(c, ti, d, 0, o);
}

/* Per-channel multipliers and shifts as two int32 weights vectors. */
static int per_channel_arrays(struct lower_ctx *c, const struct tfl_tensor *f,
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
		return edgenpu__lw_fail(c, -ENOMEM, "out of memory");
	}
	for (k = 0; k < oc; k++) {
		double real = (double)in_s * (double)f->scales[k] /
			      (double)out_s;
		int s;

		edgenpu__quantize_multiplier(real, &mult[k], &s);
		shift[k] = s;
	}
	ret = edgenpu__lw_weights_operand(c, mult, oc * sizeof(int32_t),
					  EDGENPU_DTYPE_INT32, oc, am);
	if (!ret)
		ret = edgenpu__lw_weights_operand(c, shift,
						  oc * sizeof(int32_t),
						  EDGENPU_DTYPE_INT32, oc, as);
	free(mult);
	free(shift);
	out->flags |= EDGENPU_TENSOR_F_PER_CHANNEL;
	out->mult = 0;
	out->shift = 0;
	return ret;
}

/*
 * Operands 0-3 (input, filter, bias, output) and the output's requantization:
 * per channel (operands 4 and 5) when the filter has a scale per channel.
 */
static int conv_operands(struct lower_ctx *c, const struct lw_io *io,
			 int32_t ti_f, int32_t f_zp, const uint32_t *dims[3],
			 uint32_t oc)
{
	const struct tfl_tensor *f = &c->m->tensors[ti_f];
	struct lw_op *lo = c->lo;
	int ret;

	if ((ret = edgenpu__lw_operand(c, io->ti_in, dims[0], io->zi,
				       &lo->t[0])) ||
	    (ret = edgenpu__lw_operand(c, ti_f, dims[1], f_zp, &lo->t[1])) ||
	    (ret = bias_operand(c, oc, &lo->t[2])) ||
	    (ret = edgenpu__lw_operand(c, io->ti_out, dims[2], io->zo,
				       &lo->t[3])))
		return ret;
	lo->nt = 4;
	if (f->nscale > 1) {
		lo->nt = 6;
		return per_channel_arrays(c, f, oc, io->si, io->so, &lo->t[3],
					  &lo->t[4], &lo->t[5]);
	}
	edgenpu__quantize_multiplier((double)io->si * (double)f->scales[0] /
				     (double)io->so, &lo->t[3].mult,
				     &lo->t[3].shift);
	return 0;
}

/* The convolution parameters of a checked op. */
static void conv_params(struct lower_ctx *c, int dw, const struct conv_opts *o,
			const uint32_t di[4], const uint32_t df[4],
			const uint32_t dout[4])
{
	struct edgenpu_cmd_conv_params cp;

	memset(&cp, 0, sizeof(cp));
	cp.stride_h = (uint32_t)o->sh;
	cp.stride_w = (uint32_t)o->sw;
	cp.dilation_h = (uint32_t)o->dilh;
	cp.dilation_w = (uint32_t)o->dilw;
	edgenpu__lw_padding(di[1], df[1], o->sh, o->dilh, dout[1], &cp.pad_top,
			    &cp.pad_bottom);
	edgenpu__lw_padding(di[2], df[2], o->sw, o->dilw, dout[2],
			    &cp.pad_left, &cp.pad_right);
	cp.depth_multiplier = dw ? dout[3] / di[3] : 0;
	c->lo->opcode = dw ? EDGENPU_OP_DEPTHWISE_CONV_2D : EDGENPU_OP_CONV_2D;
	edgenpu__lw_set_params(c->lo, &cp, sizeof(cp));
}

/* The int8 input and output of a conv or FC, and its int8 filter (input 1). */
static int filter_io(struct lower_ctx *c, struct lw_io *io,
		     const struct tfl_tensor **f, int32_t *ti_f)
{
	int ret;

	ret = edgenpu__lw_io_int8(c, 2, io);
	if (ret)
		return ret;
	*f = edgenpu__lw_input(c, 1, ti_f);
	return edgenpu__lw_check_type(c, *f, "filter", TFL_INT8);
}

static int lower_conv(struct lower_ctx *c, int dw)
{
	const struct tfl_tensor *f;
	const uint32_t *dims[3];
	struct conv_opts o;
	struct lw_io io;
	int32_t ti_f = -1;
	uint32_t di[4], df[4], dout[4], oc;
	int64_t oh, ow;
	int ret;

	ret = filter_io(c, &io, &f, &ti_f);
	if (ret)
		return ret;
	if ((ret = edgenpu__lw_rank4(c, io.in, "input", di)) ||
	    (ret = edgenpu__lw_rank4(c, f, "filter", df)) ||
	    (ret = edgenpu__lw_rank4(c, io.out, "output", dout)) ||
	    (ret = conv_options(c, dw, &o)) ||
	    (ret = conv_channels(c, dw, di, df, &oc)))
		return ret;
	oh = edgenpu__lw_out_size(o.pad, di[1], df[1], o.sh, o.dilh);
	ow = edgenpu__lw_out_size(o.pad, di[2], df[2], o.sw, o.dilw);
	if (oh < 1 || ow < 1 || dout[0] != di[0] || dout[1] != oh ||
	    dout[2] != ow || dout[3] != oc)
		return edgenpu__lw_fail(c, -EINVAL,
					"output shape [%u,%u,%u,%u] is not [%u,%lld,%lld,%u]",
					dout[0], dout[1], dout[2], dout[3],
					di[0], (long long)oh, (long long)ow,
					oc);
	if ((ret = filter_scales(c, f, oc, dw ? 3 : 0)) ||
	    (ret = edgenpu__lw_act_range(c, o.act, io.so, io.zo)))
		return ret;
	conv_params(c, dw, &o, di, df, dout);
	dims[0] = di;
	dims[1] = df;
	dims[2] = dout;
	return conv_operands(c, &io, ti_f, 0, dims, oc);
}

int edgenpu__lower_conv_2d(struct lower_ctx *c)
{
	return lower_conv(c, 0);
}

int edgenpu__lower_depthwise_conv_2d(struct lower_ctx *c)
{
	return lower_conv(c, 1);
}

/* FULLY_CONNECTED's filter [units, depth] on rows of @depth inputs. */
static int fc_shape(struct lower_ctx *c, const struct lw_io *io,
		    const struct tfl_tensor *f, uint32_t *oc, uint32_t *k,
		    uint32_t *rows)
{
	if (f->rank != 2 || f->shape[0] < 1 || f->shape[1] < 1)
		return edgenpu__lw_fail(c, -EINVAL,
					"filter '%s' must be 2-D [units, depth]",
					f->name);
	*oc = (uint32_t)f->shape[0];
	*k = (uint32_t)f->shape[1];
	if (io->in->count % *k)
		return edgenpu__lw_fail(c, -EINVAL,
					"input of %lld elements is not a multiple of depth %u",
					(long long)io->in->count, *k);
	if (io->out->count != io->in->count / *k * *oc ||
	    io->in->count / *k > EDGENPU_CMD_MAX_DIM)
		return edgenpu__lw_fail(c, -EINVAL,
					"output '%s' has %lld elements, expected %lld",
					io->out->name,
					(long long)io->out->count,
					(long long)(io->in->count / *k * *oc));
	*rows = (uint32_t)(io->in->count / *k);
	return 0;
}

int edgenpu__lower_fully_connected(struct lower_ctx *c)
{
	const struct tfl_tensor *f;
	const uint32_t *dims[3];
	struct lw_io io;
	int32_t ti_f = -1;
	uint32_t oc = 0, k = 0, rows = 0;
	int64_t act, fmt;
	int ret;

	ret = filter_io(c, &io, &f, &ti_f);
	if (ret)
		return ret;
	if ((ret = edgenpu__lw_opt_int(c, TFL_FC_FUSED_ACTIVATION, 1, 0,
				       &act)) ||
	    (ret = edgenpu__lw_opt_int(c, TFL_FC_WEIGHTS_FORMAT, 1, 0, &fmt)))
		return ret;
	if (fmt != 0)
		return edgenpu__lw_fail(c, -EINVAL,
					"shuffled weights format is not supported");
	if ((ret = fc_shape(c, &io, f, &oc, &k, &rows)) ||
	    (ret = filter_scales(c, f, oc, 0)) ||
	    (ret = edgenpu__lw_act_range(c, act, io.so, io.zo)))
		return ret;
	if (f->nscale == 1 &&
	    (f->zero_points[0] < -128 || f->zero_points[0] > 127))
		return edgenpu__lw_fail(c, -EINVAL,
					"filter zero point out of range");
	c->lo->opcode = EDGENPU_OP_FULLY_CONNECTED;
	dims[0] = (const uint32_t[4]){ 1, 1, rows, k };
	dims[1] = (const uint32_t[4]){ 1, 1, oc, k };
	dims[2] = (const uint32_t[4]){ 1, 1, rows, oc };
	return conv_operands(c, &io, ti_f,
			     f->nscale == 1 ? (int32_t)f->zero_points[0] : 0,
			     dims, oc);
}
