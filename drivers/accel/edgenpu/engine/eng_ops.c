// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * edgenpu engine: the opcode table. One row per op says everything the
 * decoder, the validator, the cost accounting and the run loop need to
 * know about it; none of them switches over opcodes. Adding an op is one
 * row here, one checker (eng_check.c), one executor (in the file of its
 * family) and its opcode in edgenpu_cmdstream.h: see
 * Documentation/edgenpu/adding-an-op.rst.
 */
#include "eng_internal.h"

/* @a * @b, or U64_MAX when that overflows. */
static u64 eng_mul_sat(u64 a, u64 b)
{
	u64 r;

	return check_mul_overflow(a, b, &r) ? ~0ull : r;
}

/* Element count of @t, saturated: its dims may not be validated yet. */
static u64 eng_count_sat(const struct eng_tensor *t)
{
	return eng_mul_sat((u64)t->dims[0] * t->dims[1],
			   (u64)t->dims[2] * t->dims[3]);
}

/* KH * KW * C / groups multiply-accumulates per output. */
static u64 eng_cost_conv(const struct eng_op *op, u64 e)
{
	const struct eng_tensor *f = &op->t[1];

	return eng_mul_sat(e, eng_mul_sat((u64)f->dims[1] * f->dims[2],
					  f->dims[3]));
}

static u64 eng_cost_depthwise(const struct eng_op *op, u64 e)
{
	const struct eng_tensor *f = &op->t[1];

	return eng_mul_sat(e, (u64)f->dims[1] * f->dims[2]);
}

static u64 eng_cost_fc(const struct eng_op *op, u64 e)
{
	return eng_mul_sat(e, op->t[1].dims[3]);
}

static u64 eng_cost_pool(const struct eng_op *op, u64 e)
{
	return eng_mul_sat(e, (u64)op->p.pool.filter_h * op->p.pool.filter_w);
}

/* H * W taps per output: the input element count. */
static u64 eng_cost_mean(const struct eng_op *op, u64 e)
{
	return eng_count_sat(&op->t[0]);
}

/* A table lookup per element with a LUT, else the fixed-point function. */
static u64 eng_cost_act(const struct eng_op *op, u64 e)
{
	return (op->flags & EDGENPU_OP_F_LUT) ? e : eng_mul_sat(e, ENG_COST_ACT);
}

const struct eng_op_desc eng_ops[EDGENPU_OP_COUNT] = {
	[EDGENPU_OP_INVALID] = { .name = "INVALID" },
	[EDGENPU_OP_CONV_2D] = {
		.name = "CONV_2D",
		.params_size = sizeof(struct edgenpu_cmd_conv_params),
		.out = 3, .flags = ENG_OPF_ACT | ENG_OPF_OPT_BIAS,
		.check = eng_check_conv2d, .exec = eng_conv2d,
		.cost = eng_cost_conv,
	},
	[EDGENPU_OP_DEPTHWISE_CONV_2D] = {
		.name = "DEPTHWISE_CONV_2D",
		.params_size = sizeof(struct edgenpu_cmd_conv_params),
		.out = 3, .flags = ENG_OPF_ACT | ENG_OPF_OPT_BIAS,
		.check = eng_check_depthwise, .exec = eng_depthwise,
		.cost = eng_cost_depthwise,
	},
	[EDGENPU_OP_FULLY_CONNECTED] = {
		.name = "FULLY_CONNECTED",
		.out = 3, .flags = ENG_OPF_ACT | ENG_OPF_OPT_BIAS,
		.check = eng_check_fc, .exec = eng_fully_connected,
		.cost = eng_cost_fc,
	},
	[EDGENPU_OP_ADD] = {
		.name = "ADD",
		.params_size = sizeof(struct edgenpu_cmd_add_params),
		.out = 2, .flags = ENG_OPF_ACT, .cost_weight = ENG_COST_ADD,
		.check = eng_check_add_sub, .exec = eng_binary,
	},
	[EDGENPU_OP_SUB] = {
		.name = "SUB",
		.params_size = sizeof(struct edgenpu_cmd_add_params),
		.out = 2, .flags = ENG_OPF_ACT, .cost_weight = ENG_COST_ADD,
		.check = eng_check_add_sub, .exec = eng_binary,
	},
	[EDGENPU_OP_MUL] = {
		.name = "MUL",
		.out = 2, .flags = ENG_OPF_ACT, .cost_weight = ENG_COST_MUL,
		.check = eng_check_mul, .exec = eng_binary,
	},
	[EDGENPU_OP_AVERAGE_POOL_2D] = {
		.name = "AVERAGE_POOL_2D",
		.params_size = sizeof(struct edgenpu_cmd_pool_params),
		.out = 1, .flags = ENG_OPF_ACT,
		.check = eng_check_pool, .exec = eng_avg_pool,
		.cost = eng_cost_pool,
	},
	[EDGENPU_OP_MAX_POOL_2D] = {
		.name = "MAX_POOL_2D",
		.params_size = sizeof(struct edgenpu_cmd_pool_params),
		.out = 1, .flags = ENG_OPF_ACT,
		.check = eng_check_pool, .exec = eng_max_pool,
		.cost = eng_cost_pool,
	},
	[EDGENPU_OP_MEAN] = {
		.name = "MEAN",
		.out = 1,
		.check = eng_check_mean, .exec = eng_mean,
		.cost = eng_cost_mean,
	},
	[EDGENPU_OP_SOFTMAX] = {
		.name = "SOFTMAX",
		.params_size = sizeof(struct edgenpu_cmd_softmax_params),
		.out = 1, .cost_weight = ENG_COST_SOFTMAX,
		.check = eng_check_softmax, .exec = eng_softmax,
	},
	[EDGENPU_OP_LOGISTIC] = {
		.name = "LOGISTIC",
		.params_size = sizeof(struct edgenpu_cmd_act_params),
		.out = 1, .flags = ENG_OPF_LUT,
		.check = eng_check_logistic_tanh, .exec = eng_logistic_tanh,
		.cost = eng_cost_act,
	},
	[EDGENPU_OP_TANH] = {
		.name = "TANH",
		.params_size = sizeof(struct edgenpu_cmd_act_params),
		.out = 1, .flags = ENG_OPF_LUT,
		.check = eng_check_logistic_tanh, .exec = eng_logistic_tanh,
		.cost = eng_cost_act,
	},
	[EDGENPU_OP_RESHAPE] = {
		.name = "RESHAPE",
		.out = 1, .cost_weight = ENG_COST_MOVE,
		.check = eng_check_reshape, .exec = eng_reshape,
	},
	[EDGENPU_OP_CONCATENATION] = {
		.name = "CONCATENATION",
		.params_size = sizeof(struct edgenpu_cmd_concat_params),
		.out = ENG_OUT_LAST, .cost_weight = ENG_COST_MOVE,
		.check = eng_check_concat, .exec = eng_concat,
	},
	[EDGENPU_OP_PAD] = {
		.name = "PAD",
		.params_size = sizeof(struct edgenpu_cmd_pad_params),
		.out = 1, .cost_weight = ENG_COST_MOVE,
		.check = eng_check_pad, .exec = eng_pad,
	},
	[EDGENPU_OP_TRANSPOSE] = {
		.name = "TRANSPOSE",
		.params_size = sizeof(struct edgenpu_cmd_transpose_params),
		.out = 1, .cost_weight = ENG_COST_MOVE,
		.check = eng_check_transpose, .exec = eng_transpose,
	},
	[EDGENPU_OP_QUANTIZE] = {
		.name = "QUANTIZE",
		.out = 1, .cost_weight = ENG_COST_QUANTIZE,
		.check = eng_check_quantize, .exec = eng_quantize,
	},
};

/*
 * Cost units of a decoded op (cmdstream.rst, "Cost"), with E its output
 * element count: multiply-accumulates for the convolutions and
 * FULLY_CONNECTED, E times a per-element weight (ENG_COST_*) for the
 * others, never less than E. Saturates at U64_MAX, so that it is defined
 * for an op whose operands were not validated (edgenpu_engine_op_cost());
 * for a valid op nothing saturates.
 */
u64 eng_op_cost(const struct eng_op *op)
{
	const struct eng_op_desc *d = &eng_ops[op->opcode];
	u64 e = eng_count_sat(&op->t[eng_output_index(op)]);

	if (d->cost)
		return d->cost(op, e);
	return eng_mul_sat(e, d->cost_weight);
}

/**
 * edgenpu_engine_op_name() - name of an opcode
 * @opcode: an &enum edgenpu_cmd_opcode value.
 *
 * Return: a static string, "UNKNOWN" for opcodes this engine lacks.
 */
const char *edgenpu_engine_op_name(u32 opcode)
{
	const struct eng_op_desc *d = eng_op_desc(opcode);

	return d ? d->name : "UNKNOWN";
}

/**
 * edgenpu_engine_op_output() - which operand an op writes
 * @opcode: an &enum edgenpu_cmd_opcode value.
 * @num_operands: the op's operand count (num_tensors); only matters for
 *	CONCATENATION, whose output is its last operand.
 *
 * Every op has exactly one output operand; all others are inputs. This is
 * the engine's own rule, for planners that must know it too.
 *
 * Return: the output's operand index, 0 for an unknown opcode (or for
 * CONCATENATION without operands).
 */
u32 edgenpu_engine_op_output(u32 opcode, u32 num_operands)
{
	const struct eng_op_desc *d = eng_op_desc(opcode);

	if (!d)
		return 0;
	if (d->out == ENG_OUT_LAST)
		return num_operands ? num_operands - 1 : 0;
	return d->out;
}

/**
 * edgenpu_engine_op_params_size() - minimum params size of an opcode
 * @opcode: an &enum edgenpu_cmd_opcode value.
 *
 * Return: the size of the op's version 1.0 params structure, which is the
 * least params_size its descriptor may give; 0 for an op without params
 * or an unknown opcode.
 */
u32 edgenpu_engine_op_params_size(u32 opcode)
{
	const struct eng_op_desc *d = eng_op_desc(opcode);

	return d ? d->params_size : 0;
}
