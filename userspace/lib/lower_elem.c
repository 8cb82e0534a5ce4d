// SPDX-License-Identifier: MIT
/*
 * libedgenpu: lowering of the elementwise ops (the engine's eng_elem.c):
 *
 * - ADD/SUB: left_shift 20, input multipliers scale_i / (2 * max scale),
 *   output multiplier 2 * max scale / (2^20 * out_scale);
 * - MUL: float(in1_scale * in2_scale / out_scale);
 * - SOFTMAX: PreprocessSoftmaxScaling(beta, in_scale, 5) and
 *   diff_min = -CalculateInputRadius(5, left_shift);
 * - LOGISTIC/TANH: a 256-entry table filled as PopulateLookupTable /
 *   LUTPopulate does (float, expf/tanhf, roundf);
 * - QUANTIZE: double(in_scale) / double(out_scale).
 *
 * Files are compiled with -std=c11, which keeps floating-point
 * contraction off, so float expressions round exactly as in TFLite.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <string.h>

#include "lower.h"

/* Inputs that broadcast to the output: each dimension 1 or the output's. */
static int broadcasts(const uint32_t da[4], const uint32_t db[4],
		      const uint32_t dout[4])
{
	int k;

	for (k = 0; k < 4; k++)
		if ((da[k] != dout[k] && da[k] != 1) ||
		    (db[k] != dout[k] && db[k] != 1) ||
		    dout[k] != (da[k] > db[k] ? da[k] : db[k]))
			return 0;
	return 1;
}

/* ADD and SUB: both inputs rescaled to twice the larger scale. */
static int add_quant(struct lower_ctx *c, float sa, float sb, float so)
{
	struct edgenpu_cmd_add_params ap;
	struct lw_op *lo = c->lo;
	const double twice_max = 2.0 * (double)(sa > sb ? sa : sb);

	memset(&ap, 0, sizeof(ap));
	ap.left_shift = 20;
	lo->opcode = c->op->builtin == TFL_OP_ADD ? EDGENPU_OP_ADD :
						    EDGENPU_OP_SUB;
	edgenpu__lw_set_params(lo, &ap, sizeof(ap));
	edgenpu__quantize_multiplier((double)sa / twice_max, &lo->t[0].mult,
				     &lo->t[0].shift);
	edgenpu__quantize_multiplier((double)sb / twice_max, &lo->t[1].mult,
				     &lo->t[1].shift);
	edgenpu__quantize_multiplier(twice_max /
				     ((double)(1 << 20) * (double)so),
				     &lo->t[2].mult, &lo->t[2].shift);
	if (lo->t[2].shift > 0)
		return edgenpu__lw_fail(c, -EINVAL,
					"output scale too small for the inputs' scales (multiplier above 1)");
	return 0;
}

/* MUL: float arithmetic, as mul.cc's Prepare(). */
static int mul_quant(struct lw_op *lo, float sa, float sb, float so)
{
	float real = sa * sb / so;

	edgenpu__quantize_multiplier((double)real, &lo->t[2].mult,
				     &lo->t[2].shift);
	return 0;
}

int edgenpu__lower_binary(struct lower_ctx *c)
{
	const struct tfl_tensor *a, *b, *out;
	struct lw_op *lo = c->lo;
	int32_t ti_a = -1, ti_b = -1, ti_out = -1, za, zb, zo;
	uint32_t da[4], db[4], dout[4];
	float sa, sb, so;
	int64_t act;
	int ret;

	ret = edgenpu__lw_need(c, 2, 1);
	if (ret)
		return ret;
	a = edgenpu__lw_input(c, 0, &ti_a);
	b = edgenpu__lw_input(c, 1, &ti_b);
	out = edgenpu__lw_output(c, &ti_out);
	if ((ret = edgenpu__lw_check_type(c, a, "input 0", TFL_INT8)) ||
	    (ret = edgenpu__lw_check_type(c, b, "input 1", TFL_INT8)) ||
	    (ret = edgenpu__lw_check_type(c, out, "output", TFL_INT8)) ||
	    (ret = edgenpu__lw_qparams(c, a, "input 0", &sa, &za)) ||
	    (ret = edgenpu__lw_qparams(c, b, "input 1", &sb, &zb)) ||
	    (ret = edgenpu__lw_qparams(c, out, "output", &so, &zo)) ||
	    (ret = edgenpu__lw_dims4(c, a, "input 0", da)) ||
	    (ret = edgenpu__lw_dims4(c, b, "input 1", db)) ||
	    (ret = edgenpu__lw_dims4(c, out, "output", dout)) ||
	    (ret = edgenpu__lw_opt_int(c, TFL_BINARY_FUSED_ACTIVATION, 1, 0,
				       &act)))
		return ret;
	if (!broadcasts(da, db, dout))
		return edgenpu__lw_fail(c, -EINVAL,
					"input shapes do not broadcast to the output shape");
	if ((ret = edgenpu__lw_act_range(c, act, so, zo)) ||
	    (ret = edgenpu__lw_operand(c, ti_a, da, za, &lo->t[0])) ||
	    (ret = edgenpu__lw_operand(c, ti_b, db, zb, &lo->t[1])) ||
	    (ret = edgenpu__lw_operand(c, ti_out, dout, zo, &lo->t[2])))
		return ret;
	lo->nt = 3;
	if (c->op->builtin != TFL_OP_MUL)
		return add_quant(c, sa, sb, so);
	lo->opcode = EDGENPU_OP_MUL;
	return mul_quant(lo, sa, sb, so);
}

/* PreprocessSoftmaxScaling(beta, input_scale, 5) and the input radius. */
static int softmax_params(struct lower_ctx *c, float beta, float si,
			  struct edgenpu_cmd_softmax_params *sp)
{
	double real = (double)beta * (double)si * (double)(1ll << (31 - 5));
	int32_t mult;
	int shift;

	if (real > (double)((1ll << 31) - 1))
		real = (double)((1ll << 31) - 1);
	edgenpu__quantize_multiplier(real, &mult, &shift);
	if (shift < 0 || real <= 1.0)
		return edgenpu__lw_fail(c, -EINVAL,
					"beta * input scale too small (multiplier below one)");
	memset(sp, 0, sizeof(*sp));
	sp->input_multiplier = mult;
	sp->input_left_shift = shift;
	/* -CalculateInputRadius(5, shift) */
	sp->diff_min = -(int32_t)floor(1.0 * ((1 << 5) - 1) *
				       (double)(1ll << (31 - 5)) /
				       (double)(1ll << shift));
	return 0;
}

int edgenpu__lower_softmax(struct lower_ctx *c)
{
	struct edgenpu_cmd_softmax_params sp;
	struct lw_op *lo = c->lo;
	struct lw_io io;
	uint32_t di[4];
	float beta;
	int ret;

	if ((ret = edgenpu__lw_io_int8(c, 1, &io)) ||
	    (ret = edgenpu__lw_dims4(c, io.in, "input", di)))
		return ret;
	if (edgenpu__tfl_opt_float(c->m, c->op, TFL_SOFTMAX_BETA, 0.0f, &beta))
		return edgenpu__lw_fail(c, -EBADMSG, "malformed options");
	if (io.in->count != io.out->count)
		return edgenpu__lw_fail(c, -EINVAL,
					"input and output sizes differ");
	if (io.zo != -128 || fabs((double)io.so - 1.0 / 256) > 0.001 / 256)
		return edgenpu__lw_fail(c, -EINVAL,
					"int8 softmax output must have scale 1/256 and zero point -128");
	if (di[3] > 4095)
		return edgenpu__lw_fail(c, -EINVAL, "depth %u above 4095",
					di[3]);
	ret = softmax_params(c, beta, io.si, &sp);
	if (ret)
		return ret;
	lo->opcode = EDGENPU_OP_SOFTMAX;
	edgenpu__lw_set_params(lo, &sp, sizeof(sp));
	lo->nt = 2;
	if ((ret = edgenpu__lw_operand(c, io.ti_in, di, io.zi, &lo->t[0])) ||
	    (ret = edgenpu__lw_operand(c, io.ti_out, di, io.zo, &lo->t[1])))
		return ret;
	return 0;
}

/* LUTPopulate<int8_t>() of logistic or tanh. */
static void lut_fill(int tanh_op, float si, int32_t zi, float so, int32_t zo,
		     int8_t lut[256])
{
	const float inverse_scale = 1 / so;
	int32_t val;

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
}

int edgenpu__lower_lut(struct lower_ctx *c)
{
	struct edgenpu_cmd_act_params ap;
	struct lw_op *lo = c->lo;
	int tanh_op = c->op->builtin == TFL_OP_TANH;
	struct lw_io io;
	uint32_t di[4];
	int8_t lut[256];
	int ret;

	if ((ret = edgenpu__lw_io_int8(c, 1, &io)) ||
	    (ret = edgenpu__lw_dims4(c, io.in, "input", di)))
		return ret;
	if (io.in->count != io.out->count)
		return edgenpu__lw_fail(c, -EINVAL,
					"input and output sizes differ");
	if (tanh_op ?
	    (io.zo != 0 || fabs((double)io.so - 1.0 / 128) > 0.001 / 128) :
	    (io.zo != -128 || fabs((double)io.so - 1.0 / 256) > 0.001 / 256))
		return edgenpu__lw_fail(c, -EINVAL,
					"int8 %s output must have scale %s and zero point %d",
					tanh_op ? "tanh" : "logistic",
					tanh_op ? "1/128" : "1/256",
					tanh_op ? 0 : -128);
	lut_fill(tanh_op, io.si, io.zi, io.so, io.zo, lut);
	memset(&ap, 0, sizeof(ap));
	lo->opcode = tanh_op ? EDGENPU_OP_TANH : EDGENPU_OP_LOGISTIC;
	lo->flags = EDGENPU_OP_F_LUT;
	edgenpu__lw_set_params(lo, &ap, sizeof(ap));
	lo->nt = 3;
	if ((ret = edgenpu__lw_operand(c, io.ti_in, di, io.zi, &lo->t[0])) ||
	    (ret = edgenpu__lw_operand(c, io.ti_out, di, io.zo, &lo->t[1])) ||
	    (ret = edgenpu__lw_weights_operand(c, lut, sizeof(lut),
					       EDGENPU_DTYPE_INT8, 256,
					       &lo->t[2])))
		return ret;
	return 0;
}

int edgenpu__lower_quantize(struct lower_ctx *c)
{
	const struct tfl_tensor *in, *out;
	struct lw_op *lo = c->lo;
	int32_t ti_in = -1, ti_out = -1, zi, zo;
	uint32_t di[4], dout[4];
	float si, so;
	int ret;

	ret = edgenpu__lw_need(c, 1, 1);
	if (ret)
		return ret;
	in = edgenpu__lw_input(c, 0, &ti_in);
	out = edgenpu__lw_output(c, &ti_out);
	if ((in->type != TFL_INT8 && in->type != TFL_UINT8) ||
	    (out->type != TFL_INT8 && out->type != TFL_UINT8))
		return edgenpu__lw_fail(c, -EINVAL,
					"%s to %s: only int8/uint8 requantization is supported (the engine has no floating point)",
					edgenpu__tfl_type_name(in->type),
					edgenpu__tfl_type_name(out->type));
	if ((ret = edgenpu__lw_qparams(c, in, "input", &si, &zi)) ||
	    (ret = edgenpu__lw_qparams(c, out, "output", &so, &zo)) ||
	    (ret = edgenpu__lw_dims4(c, in, "input", di)) ||
	    (ret = edgenpu__lw_dims4(c, out, "output", dout)))
		return ret;
	if (in->count != out->count)
		return edgenpu__lw_fail(c, -EINVAL,
					"input and output sizes differ");
	lo->opcode = EDGENPU_OP_QUANTIZE;
	lo->nt = 2;
	if ((ret = edgenpu__lw_operand(c, ti_in, di, zi, &lo->t[0])) ||
	    (ret = edgenpu__lw_operand(c, ti_out, di, zo, &lo->t[1])))
		return ret;
	edgenpu__quantize_multiplier((double)si / (double)so, &lo->t[1].mult,
				     &lo->t[1].shift);
	return 0;
}
