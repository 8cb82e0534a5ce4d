// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * edgenpu engine: element-wise ops (ADD, SUB, MUL, QUANTIZE), LOGISTIC,
 * TANH and SOFTMAX, with the gemmlowp fixed-point functions that
 * TensorFlow Lite's int8 reference kernels use.
 *
 * Each executor ticks (eng_tick()) after every run of at most
 * ENG_TICK_UNITS cost units: once per row of C elements, or per piece of
 * a longer row.
 */
#include "eng_internal.h"

/* ---- gemmlowp FixedPoint<int32, N> on raw values ---- */

/* SaturatingRoundingMultiplyByPOT<e> */
static s32 fp_srmbpot(s32 x, int e)
{
	s32 thr;

	if (e == 0)
		return x;
	if (e < 0)
		return eng_rdbpot(x, -e);
	thr = (s32)(((u32)1 << (31 - e)) - 1);
	if (x > thr)
		return ENG_S32_MAX;
	if (x < -thr)
		return ENG_S32_MIN;
	return eng_wshl(x, e);
}

static s32 fp_mul(s32 a, s32 b)
{
	return eng_srdhm(a, b);
}

/* RoundingHalfSum */
static s32 fp_rounding_half_sum(s32 a, s32 b)
{
	s64 sum = (s64)a + (s64)b;
	s64 sign = sum >= 0 ? 1 : -1;

	return (s32)((sum + sign) / 2);
}

/* exp(x) for x in [-1/4, 0), F0 in, F0 out. */
static s32 fp_exp_quarter(s32 a)
{
	const s32 constant_term = 1895147668;	/* exp(-1/8) */
	const s32 constant_1_over_3 = 715827883;
	s32 x, x2, x3, x4, x4_over_4, poly;

	x = eng_wadd(a, 1 << 28);		/* a + 1/8 */
	x2 = fp_mul(x, x);
	x3 = fp_mul(x2, x);
	x4 = fp_mul(x2, x2);
	x4_over_4 = fp_srmbpot(x4, -2);
	poly = fp_srmbpot(eng_wadd(fp_mul(eng_wadd(x4_over_4, x3),
					  constant_1_over_3), x2), -1);
	return eng_wadd(constant_term, fp_mul(constant_term, eng_wadd(x, poly)));
}

/**
 * eng_fp_exp_on_negative_values() - gemmlowp exp_on_negative_values
 * @a: raw FixedPoint<int32, @int_bits> value, at most 0.
 * @int_bits: integer bits of @a, 0 to 6.
 *
 * Return: exp(@a) as raw FixedPoint<int32, 0>.
 */
s32 eng_fp_exp_on_negative_values(s32 a, int int_bits)
{
	static const s32 barrel[7] = {
		1672461947,	/* exp(-1/4) */
		1302514674,	/* exp(-1/2) */
		790015084,	/* exp(-1) */
		290630308,	/* exp(-2) */
		39332535,	/* exp(-4) */
		720401,		/* exp(-8) */
		242,		/* exp(-16) */
	};
	int frac = 31 - int_bits;
	s32 quarter = (s32)1 << (frac - 2);
	s32 a_mod, result, remainder;
	int e;

	a_mod = eng_wsub(a & (quarter - 1), quarter);
	result = fp_exp_quarter(fp_srmbpot(a_mod, int_bits));
	remainder = eng_wsub(a_mod, a);
	for (e = -2; e <= 4; e++) {
		if (int_bits > e &&
		    (remainder & (s32)((u32)1 << (frac + e))))
			result = fp_mul(result, barrel[e + 2]);
	}
	if (int_bits > 5 && a < -((s32)1 << (frac + 5)))
		result = 0;
	if (a == 0)
		result = ENG_S32_MAX;
	return result;
}

/* Newton-Raphson refinement of 1 / (1 + x) shared by the two helpers. */
static s32 fp_nr_reciprocal(s32 half_den)
{
	const s32 c48_17 = 1515870810;		/* 48/17 in F2 */
	const s32 cneg32_17 = -1010580540;	/* -32/17 in F2 */
	s32 x;
	int i;

	x = eng_wadd(c48_17, fp_mul(half_den, cneg32_17));
	for (i = 0; i < 3; i++) {
		s32 hdx = fp_mul(half_den, x);
		s32 one_minus = eng_wsub(1 << 29, hdx);

		x = eng_wadd(x, fp_srmbpot(fp_mul(x, one_minus), 2));
	}
	return x;
}

/**
 * eng_fp_one_over_one_plus_x() - gemmlowp one_over_one_plus_x_for_x_in_0_1
 * @a: raw F0 value in [0, 1).
 *
 * Return: 1 / (1 + @a) as raw F0.
 */
s32 eng_fp_one_over_one_plus_x(s32 a)
{
	s32 x = fp_nr_reciprocal(fp_rounding_half_sum(a, ENG_S32_MAX));

	/* ExactMulByPot<-1> reinterprets F2 as F1; Rescale<0> from F1. */
	return fp_srmbpot(x, 1);
}

static s32 fp_one_minus_x_over_one_plus_x(s32 a)
{
	s32 x = fp_nr_reciprocal(fp_rounding_half_sum(a, ENG_S32_MAX));

	return fp_srmbpot(eng_wsub(x, 1 << 29), 2);
}

/**
 * eng_fp_logistic() - gemmlowp logistic
 * @a: raw FixedPoint<int32, @int_bits>.
 * @int_bits: integer bits of @a.
 *
 * Return: 1 / (1 + exp(-@a)) as raw F0.
 */
s32 eng_fp_logistic(s32 a, int int_bits)
{
	s32 abs_a = a > 0 ? a : eng_wneg(a);
	s32 pos, e;

	if (a == 0)
		return 1 << 30;
	e = eng_fp_exp_on_negative_values(eng_wneg(abs_a), int_bits);
	pos = eng_fp_one_over_one_plus_x(e);
	return a > 0 ? pos : eng_wsub(ENG_S32_MAX, pos);
}

/**
 * eng_fp_tanh() - gemmlowp tanh
 * @a: raw FixedPoint<int32, @int_bits>.
 * @int_bits: integer bits of @a.
 *
 * Return: tanh(@a) as raw F0.
 */
s32 eng_fp_tanh(s32 a, int int_bits)
{
	s32 n = a < 0 ? a : eng_wneg(a);
	s32 t, e;

	if (a == 0)
		return 0;
	/* ExactMulByPot<1>: the same raw value read with one more int bit. */
	e = eng_fp_exp_on_negative_values(n, int_bits + 1);
	t = fp_one_minus_x_over_one_plus_x(e);
	return a < 0 ? eng_wneg(t) : t;
}

/* ---- ADD / SUB / MUL with 4-D broadcasting ---- */

struct eng_bin_q {
	s32 off1, off2, zo, m1, m2, mo;
	int s1, s2, so, ls;
	s32 lo, hi;
	u32 opcode;
};

static s8 eng_bin_one(const struct eng_bin_q *q, s32 a, s32 b)
{
	s32 x = a + q->off1, y = b + q->off2, raw;

	if (q->opcode == EDGENPU_OP_MUL)
		return (s8)eng_requant(x * y, q->mo, q->so, q->zo, q->lo,
				       q->hi);
	x = eng_mbqm(eng_wshl(x, q->ls), q->m1, q->s1);
	y = eng_mbqm(eng_wshl(y, q->ls), q->m2, q->s2);
	raw = q->opcode == EDGENPU_OP_ADD ? eng_wadd(x, y) : eng_wsub(x, y);
	return (s8)eng_requant(raw, q->mo, q->so, q->zo, q->lo, q->hi);
}

/* End of the next piece of a row [c0, len) worth at most a tick. */
static u32 eng_piece(u32 c0, u32 len, u32 unit_cost)
{
	u32 max = ENG_TICK_UNITS / unit_cost;

	return len - c0 > max ? c0 + max : len;
}

/*
 * One output pixel's channels, a tick at a time. Not inlined: its locals
 * stay out of eng_binary()'s frame, which KASAN_INLINE kernels would
 * otherwise push past the engine's 512 bytes.
 */
static ENG_NOINLINE int eng_binary_px(struct eng_op *op,
				      const struct eng_bin_q *q, const s8 *pa,
				      const s8 *pb, s8 *po, size_t sa3,
				      size_t sb3, u32 wcost)
{
	u32 len = op->t[2].dims[3], c, c0, c1;

	for (c0 = 0; c0 < len; c0 = c1) {
		c1 = eng_piece(c0, len, wcost);
		for (c = c0; c < c1; c++)
			po[c] = eng_bin_one(q, pa[c * sa3], pb[c * sb3]);
		if (eng_tick(op, (u64)(c1 - c0) * wcost))
			return -ECANCELED;
	}
	return 0;
}

/**
 * eng_binary() - ADD, SUB and MUL, int8, broadcasting
 * @op: validated op.
 *
 * Return: 0 or -ECANCELED.
 */
int eng_binary(struct eng_op *op)
{
	const struct eng_tensor *a = &op->t[0], *b = &op->t[1], *o = &op->t[2];
	u32 wcost = op->opcode == EDGENPU_OP_MUL ? ENG_COST_MUL : ENG_COST_ADD;
	struct eng_bin_q q;
	size_t sa[4], sb[4];
	u32 n, h, w, k;

	q.opcode = op->opcode;
	q.off1 = -a->zp;
	q.off2 = -b->zp;
	q.zo = o->zp;
	q.m1 = a->mult;
	q.s1 = a->shift;
	q.m2 = b->mult;
	q.s2 = b->shift;
	q.mo = o->mult;
	q.so = o->shift;
	q.ls = (int)op->p.add.left_shift;
	if (q.opcode == EDGENPU_OP_MUL)
		q.ls = 0;
	q.lo = op->act_min;
	q.hi = op->act_max;
	for (k = 0; k < 4; k++) {
		sa[k] = a->dims[k] == 1 ? 0 : a->st[k];
		sb[k] = b->dims[k] == 1 ? 0 : b->st[k];
	}
	for (n = 0; n < o->dims[0]; n++)
		for (h = 0; h < o->dims[1]; h++)
			for (w = 0; w < o->dims[2]; w++) {
				const s8 *pa = (const s8 *)a->base + n * sa[0] +
					       h * sa[1] + w * sa[2];
				const s8 *pb = (const s8 *)b->base + n * sb[0] +
					       h * sb[1] + w * sb[2];
				s8 *po = eng_i8(o, n, h, w, 0);

				if (eng_binary_px(op, &q, pa, pb, po, sa[3],
						  sb[3], wcost))
					return -ECANCELED;
			}
	return 0;
}

/**
 * eng_quantize() - requantize int8/uint8 to int8/uint8
 * @op: validated op.
 *
 * Return: 0 or -ECANCELED.
 */
int eng_quantize(struct eng_op *op)
{
	const struct eng_tensor *in = &op->t[0], *o = &op->t[1];
	bool in_u8 = in->dtype == EDGENPU_DTYPE_UINT8;
	bool out_u8 = o->dtype == EDGENPU_DTYPE_UINT8;
	s32 lo = out_u8 ? 0 : -128, hi = out_u8 ? 255 : 127;
	u32 n, h, w, c, c0, c1;

	for (n = 0; n < o->dims[0]; n++)
		for (h = 0; h < o->dims[1]; h++)
			for (w = 0; w < o->dims[2]; w++) {
				const u8 *pi = in->base + eng_idx(in, n, h, w, 0);
				u8 *po = o->base + eng_idx(o, n, h, w, 0);

				for (c0 = 0; c0 < o->dims[3]; c0 = c1) {
					c1 = eng_piece(c0, o->dims[3],
						       ENG_COST_QUANTIZE);
					for (c = c0; c < c1; c++) {
						s32 x = in_u8 ? (s32)pi[c] :
							(s32)(s8)pi[c];

						po[c] = (u8)eng_requant(x - in->zp,
									o->mult,
									o->shift,
									o->zp,
									lo, hi);
					}
					if (eng_tick(op, (u64)(c1 - c0) *
						     ENG_COST_QUANTIZE))
						return -ECANCELED;
				}
			}
	return 0;
}

/* reference_integer_ops::Logistic / Tanh for one int8 value. */
static s8 eng_act_fixed(const struct eng_op *op, s32 zp, s8 v)
{
	const struct edgenpu_cmd_act_params *p = &op->p.act;
	s32 x = (s32)v - zp, q4, r;

	if (x <= -p->input_range_radius)
		return -128;
	if (x >= p->input_range_radius)
		return 127;
	q4 = eng_mbqm(x, p->input_multiplier, p->input_left_shift);
	if (op->opcode == EDGENPU_OP_LOGISTIC) {
		r = eng_rdbpot(eng_fp_logistic(q4, 4), 23);
		return (s8)eng_clamp(r - 128, -128, 127);
	}
	r = eng_rdbpot(eng_fp_tanh(q4, 4), 24);
	return (s8)eng_clamp(r, -128, 127);
}

/* cnt elements of LOGISTIC or TANH, through the table if there is one. */
static void eng_act_row(const struct eng_op *op, const s8 *lut, const s8 *pi,
			s8 *po, u32 cnt)
{
	u32 c;

	if (lut) {
		for (c = 0; c < cnt; c++)
			po[c] = lut[(u8)pi[c]];
		return;
	}
	for (c = 0; c < cnt; c++)
		po[c] = eng_act_fixed(op, op->t[0].zp, pi[c]);
}

/**
 * eng_logistic_tanh() - LOGISTIC and TANH, table or fixed point
 * @op: validated op.
 *
 * Return: 0 or -ECANCELED.
 */
int eng_logistic_tanh(struct eng_op *op)
{
	const struct eng_tensor *in = &op->t[0], *o = &op->t[1];
	const s8 *lut = (op->flags & EDGENPU_OP_F_LUT) ?
			(const s8 *)op->t[2].base : NULL;
	u32 wcost = lut ? 1 : ENG_COST_ACT;
	u32 n, h, w, c0, c1;

	for (n = 0; n < o->dims[0]; n++)
		for (h = 0; h < o->dims[1]; h++)
			for (w = 0; w < o->dims[2]; w++) {
				const s8 *pi = eng_i8(in, n, h, w, 0);
				s8 *po = eng_i8(o, n, h, w, 0);

				for (c0 = 0; c0 < o->dims[3]; c0 = c1) {
					c1 = eng_piece(c0, o->dims[3], wcost);
					eng_act_row(op, lut, pi + c0, po + c0,
						    c1 - c0);
					if (eng_tick(op, (u64)(c1 - c0) * wcost))
						return -ECANCELED;
				}
			}
	return 0;
}

/* GetReciprocal() of TFLite's common.h. */
static s32 eng_get_reciprocal(s32 x, int int_digits, int *bits_over_unit)
{
	int hp1 = x ? __builtin_clz((u32)x) : 32;
	s32 shifted;

	*bits_over_unit = int_digits - hp1;
	shifted = hp1 >= 32 ? ENG_S32_MIN :
		  (s32)(((u32)x << hp1) - ((u32)1 << 31));
	return eng_fp_one_over_one_plus_x(shifted);
}

static s32 eng_softmax_exp(const struct edgenpu_cmd_softmax_params *p,
			   s32 diff)
{
	s32 r = eng_srdhm(eng_wshl(diff, p->input_left_shift),
			  p->input_multiplier);

	return eng_fp_exp_on_negative_values(r, 5);
}

/* Each of the two exp passes of SOFTMAX takes half its cost units. */
#define ENG_SOFTMAX_PASS	(ENG_COST_SOFTMAX / 2)

/* One row of SOFTMAX: max, sum of exps, outputs; ticks in both passes. */
static int eng_softmax_row(struct eng_op *op, const s8 *pi, s8 *po)
{
	const struct edgenpu_cmd_softmax_params *p = &op->p.softmax;
	u32 c, c0, c1, depth = op->t[0].dims[3];
	s32 maxv = -128, sum = 0, scale, diff, v;
	int bou;

	for (c = 0; c < depth; c++)
		if (pi[c] > maxv)
			maxv = pi[c];
	for (c0 = 0; c0 < depth; c0 = c1) {
		c1 = eng_piece(c0, depth, ENG_SOFTMAX_PASS);
		for (c = c0; c < c1; c++) {
			diff = pi[c] - maxv;
			if (diff < p->diff_min)
				continue;
			/* Rescale<12> of an F0 value. */
			sum = eng_wadd(sum, eng_rdbpot(eng_softmax_exp(p, diff),
						       12));
		}
		if (eng_tick(op, (u64)(c1 - c0) * ENG_SOFTMAX_PASS))
			return -ECANCELED;
	}
	scale = eng_get_reciprocal(sum, 12, &bou);
	for (c0 = 0; c0 < depth; c0 = c1) {
		c1 = eng_piece(c0, depth, ENG_SOFTMAX_PASS);
		for (c = c0; c < c1; c++) {
			diff = pi[c] - maxv;
			v = -128;
			if (diff >= p->diff_min) {
				v = eng_rdbpot(eng_srdhm(scale,
							 eng_softmax_exp(p, diff)),
					       bou + 31 - 8);
				v = eng_clamp(v - 128, -128, 127);
			}
			po[c] = (s8)v;
		}
		if (eng_tick(op, (u64)(c1 - c0) * ENG_SOFTMAX_PASS))
			return -ECANCELED;
	}
	return 0;
}

/**
 * eng_softmax() - SOFTMAX over C, int8 in and out (TFLite reference)
 * @op: validated op.
 *
 * Return: 0 or -ECANCELED.
 */
int eng_softmax(struct eng_op *op)
{
	const struct eng_tensor *in = &op->t[0], *o = &op->t[1];
	u32 n, h, w;

	for (n = 0; n < o->dims[0]; n++)
		for (h = 0; h < o->dims[1]; h++)
			for (w = 0; w < o->dims[2]; w++)
				if (eng_softmax_row(op, eng_i8(in, n, h, w, 0),
						    eng_i8(o, n, h, w, 0)))
					return -ECANCELED;
	return 0;
}
