// SPDX-License-Identifier: MIT
/*
 * libedgenpu: lowering of the data movement ops (the engine's
 * eng_data.c): RESHAPE, CONCATENATION, PAD and TRANSPOSE. They copy
 * elements of any integer type and requantize nothing, so TFLite's int8
 * kernels need the inputs and the output quantized alike.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "lower.h"

/* Quantized tensors of one op must share scale and zero point. */
static int is_quantized_type(int type)
{
	return type == TFL_INT8 || type == TFL_UINT8;
}

/* The one input and one output of RESHAPE, PAD and TRANSPOSE. */
struct data_io {
	const struct tfl_tensor *in, *out;
	int32_t ti_in, ti_out;
	uint32_t di[4], dout[4];
};

/* Input 0 and the output, both as 4-D shapes, of an op with @nin inputs. */
static int data_io_get(struct lower_ctx *c, uint32_t nin, struct data_io *d)
{
	int ret;

	ret = edgenpu__lw_need(c, nin, 1);
	if (ret)
		return ret;
	d->ti_in = -1;
	d->ti_out = -1;
	d->in = edgenpu__lw_input(c, 0, &d->ti_in);
	d->out = edgenpu__lw_output(c, &d->ti_out);
	if ((ret = edgenpu__lw_dims4(c, d->in, "input", d->di)) ||
	    (ret = edgenpu__lw_dims4(c, d->out, "output", d->dout)))
		return ret;
	return 0;
}

/* Emit @opcode with @params on the two operands of @d. */
static int data_io_emit(struct lower_ctx *c, uint32_t opcode,
			const void *params, size_t size,
			const struct data_io *d)
{
	struct lw_op *lo = c->lo;
	int ret;

	lo->opcode = opcode;
	if (size)
		edgenpu__lw_set_params(lo, params, size);
	lo->nt = 2;
	if ((ret = edgenpu__lw_operand(c, d->ti_in, d->di, 0, &lo->t[0])) ||
	    (ret = edgenpu__lw_operand(c, d->ti_out, d->dout, 0, &lo->t[1])))
		return ret;
	return 0;
}

int edgenpu__lower_reshape(struct lower_ctx *c)
{
	struct data_io d;
	int ret;

	if (c->op->nin < 1 || c->op->in[0] < 0 || c->op->nout != 1)
		return edgenpu__lw_fail(c, -EINVAL,
					"needs 1 input and 1 output");
	d.in = edgenpu__lw_input(c, 0, &d.ti_in);
	d.out = edgenpu__lw_output(c, &d.ti_out);
	if (d.in->type != d.out->type || d.in->count != d.out->count)
		return edgenpu__lw_fail(c, -EINVAL,
					"input and output differ in type or element count");
	ret = data_io_get(c, 1, &d);
	if (ret)
		return ret;
	return data_io_emit(c, EDGENPU_OP_RESHAPE, NULL, 0, &d);
}

/* Input @k of a concatenation: like the output but along the axis. */
static int concat_input(struct lower_ctx *c, uint32_t k,
			const struct tfl_tensor *out)
{
	int32_t ti = -1;
	const struct tfl_tensor *t = edgenpu__lw_input(c, k, &ti);
	uint32_t d[4];
	int ret;

	if (!t)
		return edgenpu__lw_fail(c, -EINVAL, "input %u is missing", k);
	if (t->type != out->type || t->rank != out->rank)
		return edgenpu__lw_fail(c, -EINVAL,
					"input %u differs from the output in type or rank",
					k);
	if (is_quantized_type(out->type) && !edgenpu__lw_same_quant(t, out))
		return edgenpu__lw_fail(c, -EINVAL,
					"input %u '%s' is quantized differently from the output; TFLite's int8 CONCATENATION requires equal scale and zero point",
					k, t->name);
	ret = edgenpu__lw_dims4(c, t, "input", d);
	if (ret)
		return ret;
	return edgenpu__lw_operand(c, ti, d, 0, &c->lo->t[k]);
}

int edgenpu__lower_concatenation(struct lower_ctx *c)
{
	const struct tfl_tensor *out;
	struct lw_op *lo = c->lo;
	struct edgenpu_cmd_concat_params cp;
	int32_t ti_out;
	uint32_t dout[4], k;
	int64_t axis, act;
	int ret;

	if (c->op->nin < 1 || c->op->nout != 1)
		return edgenpu__lw_fail(c, -EINVAL, "needs inputs and 1 output");
	if (c->op->nin > EDGENPU_CMD_MAX_TENSORS - 1)
		return edgenpu__lw_fail(c, -EINVAL,
					"%u inputs (at most %d supported)",
					c->op->nin, EDGENPU_CMD_MAX_TENSORS - 1);
	out = edgenpu__lw_output(c, &ti_out);
	if ((ret = edgenpu__lw_dims4(c, out, "output", dout)) ||
	    (ret = edgenpu__lw_opt_int(c, TFL_CONCAT_AXIS, 4, 0, &axis)) ||
	    (ret = edgenpu__lw_opt_int(c, TFL_CONCAT_FUSED_ACTIVATION, 1, 0,
				       &act)))
		return ret;
	if (act != ACT_NONE)
		return edgenpu__lw_fail(c, -EINVAL,
					"fused activation on CONCATENATION is not supported");
	if (axis < 0)
		axis += out->rank;
	if (axis < 0 || axis >= out->rank)
		return edgenpu__lw_fail(c, -EINVAL, "axis out of range");
	for (k = 0; k < c->op->nin; k++) {
		ret = concat_input(c, k, out);
		if (ret)
			return ret;
	}
	memset(&cp, 0, sizeof(cp));
	cp.axis = (uint32_t)(axis + 4 - out->rank);
	lo->opcode = EDGENPU_OP_CONCATENATION;
	edgenpu__lw_set_params(lo, &cp, sizeof(cp));
	lo->nt = c->op->nin + 1;
	return edgenpu__lw_operand(c, ti_out, dout, 0, &lo->t[c->op->nin]);
}

/* The paddings (input 1, [rank, 2]) as before/after per dimension. */
static int pad_amounts(struct lower_ctx *c, const struct tfl_tensor *in,
		       struct edgenpu_cmd_pad_params *pp)
{
	int32_t pads[8];
	uint32_t n, k;
	int ret, off;

	ret = edgenpu__lw_const_ints(c, 1, pads, 8, &n);
	if (ret)
		return ret;
	if (n != 2 * (uint32_t)in->rank)
		return edgenpu__lw_fail(c, -EINVAL,
					"paddings must be [rank, 2] and types equal");
	off = 4 - in->rank;
	for (k = 0; k < (uint32_t)in->rank; k++) {
		if (pads[2 * k] < 0 || pads[2 * k + 1] < 0)
			return edgenpu__lw_fail(c, -EINVAL, "negative padding");
		pp->before[off + k] = (uint32_t)pads[2 * k];
		pp->after[off + k] = (uint32_t)pads[2 * k + 1];
	}
	return 0;
}

int edgenpu__lower_pad(struct lower_ctx *c)
{
	struct edgenpu_cmd_pad_params pp;
	struct data_io d;
	uint32_t k;
	int ret;

	ret = data_io_get(c, 2, &d);
	if (ret)
		return ret;
	memset(&pp, 0, sizeof(pp));
	if (d.in->type != d.out->type || d.in->rank != d.out->rank)
		return edgenpu__lw_fail(c, -EINVAL,
					"paddings must be [rank, 2] and types equal");
	ret = pad_amounts(c, d.in, &pp);
	if (ret)
		return ret;
	if (is_quantized_type(d.in->type) &&
	    !edgenpu__lw_same_quant(d.in, d.out))
		return edgenpu__lw_fail(c, -EINVAL,
					"input and output quantization differ");
	for (k = 0; k < 4; k++)
		if ((uint64_t)d.di[k] + pp.before[k] + pp.after[k] != d.dout[k])
			return edgenpu__lw_fail(c, -EINVAL,
						"output shape is not input plus padding");
	pp.pad_value = d.out->nscale ? (int32_t)d.out->zero_points[0] : 0;
	return data_io_emit(c, EDGENPU_OP_PAD, &pp, sizeof(pp), &d);
}

/* The permutation (input 1) of a rank-@rank tensor, as one of 4-D. */
static int transpose_perm(struct lower_ctx *c, int rank,
			  struct edgenpu_cmd_transpose_params *tp)
{
	int32_t perm[8];
	uint32_t n, k, seen = 0;
	int ret, off = 4 - rank;

	ret = edgenpu__lw_const_ints(c, 1, perm, 8, &n);
	if (ret)
		return ret;
	if (n != (uint32_t)rank)
		return edgenpu__lw_fail(c, -EINVAL,
					"perm must have one entry per input dimension");
	for (k = 0; k < 4; k++)
		tp->perm[k] = k;
	for (k = 0; k < n; k++) {
		int32_t p = perm[k] < 0 ? perm[k] + rank : perm[k];

		if (p < 0 || p >= rank || (seen & (1u << p)))
			return edgenpu__lw_fail(c, -EINVAL,
						"perm is not a permutation");
		seen |= 1u << p;
		tp->perm[off + k] = (uint32_t)(off + p);
	}
	return 0;
}

int edgenpu__lower_transpose(struct lower_ctx *c)
{
	struct edgenpu_cmd_transpose_params tp;
	struct data_io d;
	uint32_t k;
	int ret;

	ret = data_io_get(c, 2, &d);
	if (ret)
		return ret;
	if (d.in->type != d.out->type || d.out->rank != d.in->rank)
		return edgenpu__lw_fail(c, -EINVAL,
					"perm must have one entry per input dimension");
	ret = transpose_perm(c, d.in->rank, &tp);
	if (ret)
		return ret;
	for (k = 0; k < 4; k++)
		if (d.dout[k] != d.di[tp.perm[k]])
			return edgenpu__lw_fail(c, -EINVAL,
						"output shape does not follow perm");
	return data_io_emit(c, EDGENPU_OP_TRANSPOSE, &tp, sizeof(tp), &d);
}
