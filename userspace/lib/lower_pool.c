// SPDX-License-Identifier: MIT
/*
 * libedgenpu: lowering of the pooling ops (the engine's eng_pool.c):
 *
 * - AVERAGE_POOL_2D / MAX_POOL_2D: TFLite's int8 pooling needs input and
 *   output quantized alike, and so does the engine;
 * - MEAN over H,W: TFLite's QuantizedMeanOrSum (the sum minus zero points
 *   times a multiplier that folds in 1/(H*W)), lowered to a depthwise
 *   convolution with an all-ones filter, which computes exactly that.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lower.h"

/* Pool2DOptions. */
struct pool_opts {
	int64_t pad, sw, sh, fw, fh, act;
};

static int pool_options(struct lower_ctx *c, struct pool_opts *o)
{
	int ret;

	if ((ret = edgenpu__lw_opt_int(c, TFL_POOL_PADDING, 1, 0, &o->pad)) ||
	    (ret = edgenpu__lw_opt_int(c, TFL_POOL_STRIDE_W, 4, 0, &o->sw)) ||
	    (ret = edgenpu__lw_opt_int(c, TFL_POOL_STRIDE_H, 4, 0, &o->sh)) ||
	    (ret = edgenpu__lw_opt_int(c, TFL_POOL_FILTER_WIDTH, 4, 0,
				       &o->fw)) ||
	    (ret = edgenpu__lw_opt_int(c, TFL_POOL_FILTER_HEIGHT, 4, 0,
				       &o->fh)) ||
	    (ret = edgenpu__lw_opt_int(c, TFL_POOL_FUSED_ACTIVATION, 1, 0,
				       &o->act)))
		return ret;
	return 0;
}

/* The window's parameters; the output shape must follow the window. */
static int pool_params(struct lower_ctx *c, const struct pool_opts *o,
		       const uint32_t di[4], const uint32_t dout[4],
		       struct edgenpu_cmd_pool_params *pp)
{
	int64_t oh, ow;
	int ret;

	ret = edgenpu__lw_check_padding(c, o->pad);
	if (ret)
		return ret;
	if (o->sw < 1 || o->sh < 1 || o->fw < 1 || o->fh < 1 ||
	    o->sw > 4096 || o->sh > 4096 || o->fw > 4096 || o->fh > 4096)
		return edgenpu__lw_fail(c, -EINVAL,
					"filter/stride out of [1, 4096]");
	oh = edgenpu__lw_out_size(o->pad, di[1], o->fh, o->sh, 1);
	ow = edgenpu__lw_out_size(o->pad, di[2], o->fw, o->sw, 1);
	if (oh < 1 || ow < 1 || dout[0] != di[0] || dout[1] != oh ||
	    dout[2] != ow || dout[3] != di[3])
		return edgenpu__lw_fail(c, -EINVAL,
					"output shape does not follow the window");
	memset(pp, 0, sizeof(*pp));
	pp->filter_h = (uint32_t)o->fh;
	pp->filter_w = (uint32_t)o->fw;
	pp->stride_h = (uint32_t)o->sh;
	pp->stride_w = (uint32_t)o->sw;
	edgenpu__lw_padding(di[1], o->fh, o->sh, 1, oh, &pp->pad_top,
			    &pp->pad_bottom);
	edgenpu__lw_padding(di[2], o->fw, o->sw, 1, ow, &pp->pad_left,
			    &pp->pad_right);
	return 0;
}

int edgenpu__lower_pool(struct lower_ctx *c)
{
	struct edgenpu_cmd_pool_params pp;
	struct lw_op *lo = c->lo;
	struct pool_opts o;
	struct lw_io io;
	uint32_t di[4], dout[4];
	int ret;

	if ((ret = edgenpu__lw_io_int8(c, 1, &io)) ||
	    (ret = edgenpu__lw_rank4(c, io.in, "input", di)) ||
	    (ret = edgenpu__lw_rank4(c, io.out, "output", dout)) ||
	    (ret = pool_options(c, &o)))
		return ret;
	if (!edgenpu__lw_same_quant(io.in, io.out))
		return edgenpu__lw_fail(c, -EINVAL,
					"input and output quantization differ (TFLite's int8 pooling requires them equal)");
	ret = pool_params(c, &o, di, dout, &pp);
	if (ret)
		return ret;
	lo->opcode = c->op->builtin == TFL_OP_AVERAGE_POOL_2D ?
		     EDGENPU_OP_AVERAGE_POOL_2D : EDGENPU_OP_MAX_POOL_2D;
	edgenpu__lw_set_params(lo, &pp, sizeof(pp));
	lo->nt = 2;
	if ((ret = edgenpu__lw_act_range(c, o.act, io.so, io.zo)) ||
	    (ret = edgenpu__lw_operand(c, io.ti_in, di, io.zi, &lo->t[0])) ||
	    (ret = edgenpu__lw_operand(c, io.ti_out, dout, io.zo, &lo->t[1])))
		return ret;
	return 0;
}

/* The reduction axes (input 1) must be exactly H and W. */
static int mean_axes(struct lower_ctx *c)
{
	int32_t axes[8];
	uint32_t n, k, mask = 0;
	int ret;

	ret = edgenpu__lw_const_ints(c, 1, axes, 8, &n);
	if (ret)
		return ret;
	for (k = 0; k < n; k++) {
		int32_t a = axes[k] < 0 ? axes[k] + 4 : axes[k];

		if (a < 0 || a > 3)
			return edgenpu__lw_fail(c, -EINVAL,
						"axis %d out of range", axes[k]);
		mask |= 1u << a;
	}
	if (mask != 0x6)
		return edgenpu__lw_fail(c, -EINVAL,
					"only the mean over H and W (axes 1, 2) is supported");
	return 0;
}

/*
 * QuantizedMeanOrSum(): multiplier of in_scale / out_scale with
 * 1 / (H*W) folded in, applied to sum(x - zp_in).
 */
static void mean_multiplier(float si, float so, uint32_t hw, int32_t *m,
			    int *s)
{
	int shift;

	edgenpu__quantize_multiplier((double)si / (double)so, m, s);
	shift = 63 - __builtin_clzll((unsigned long long)hw);
	if (shift > 32)
		shift = 32;
	if (shift > 31 + *s)
		shift = 31 + *s;
	*m = (int32_t)(((int64_t)*m << shift) / (int64_t)hw);
	*s -= shift;
}

/* The depthwise convolution that sums over H,W with an all-ones filter. */
static int mean_as_sum(struct lower_ctx *c, const struct lw_io *io,
		       const uint32_t di[4])
{
	struct edgenpu_cmd_conv_params cp;
	struct lw_op *lo = c->lo;
	size_t n = (size_t)di[1] * di[2] * di[3];
	uint32_t dout[4] = { di[0], 1, 1, di[3] };
	uint8_t *ones;
	int ret;

	ones = malloc(n);
	if (!ones)
		return edgenpu__lw_fail(c, -ENOMEM, "out of memory");
	memset(ones, 1, n);
	memset(&cp, 0, sizeof(cp));
	cp.stride_h = cp.stride_w = cp.dilation_h = cp.dilation_w = 1;
	cp.depth_multiplier = 1;
	lo->opcode = EDGENPU_OP_DEPTHWISE_CONV_2D;
	snprintf(lo->note, sizeof(lo->note),
		 "as a sum over H,W (depthwise, all-ones filter)");
	edgenpu__lw_set_params(lo, &cp, sizeof(cp));
	lo->act_min = -128;
	lo->act_max = 127;
	lo->nt = 4;
	ret = edgenpu__lw_operand(c, io->ti_in, di, io->zi, &lo->t[0]);
	if (!ret)
		ret = edgenpu__lw_weights_operand(c, ones, n,
						  EDGENPU_DTYPE_INT8, di[3],
						  &lo->t[1]);
	free(ones);
	if (ret)
		return ret;
	lo->t[1].dims[1] = di[1];
	lo->t[1].dims[2] = di[2];
	return edgenpu__lw_operand(c, io->ti_out, dout, io->zo, &lo->t[3]);
}

int edgenpu__lower_mean(struct lower_ctx *c)
{
	struct lw_io io;
	uint32_t di[4];
	int64_t keep;
	int32_t m;
	int ret, s;

	if ((ret = edgenpu__lw_io_int8(c, 2, &io)) ||
	    (ret = edgenpu__lw_rank4(c, io.in, "input", di)) ||
	    (ret = edgenpu__lw_opt_int(c, TFL_REDUCER_KEEP_DIMS, 1, 0,
				       &keep)) ||
	    (ret = mean_axes(c)))
		return ret;
	if (io.out->count != (int64_t)di[0] * di[3])
		return edgenpu__lw_fail(c, -EINVAL,
					"output '%s' must have N*C elements",
					io.out->name);
	if ((uint64_t)di[1] * di[2] > EDGENPU_CMD_MAX_REDUCTION)
		return edgenpu__lw_fail(c, -EINVAL, "H*W = %llu above %u",
					(unsigned long long)di[1] * di[2],
					EDGENPU_CMD_MAX_REDUCTION);
	mean_multiplier(io.si, io.so, di[1] * di[2], &m, &s);
	ret = mean_as_sum(c, &io, di);
	c->lo->t[3].mult = m;
	c->lo->t[3].shift = s;
	return ret;
}
