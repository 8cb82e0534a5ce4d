/* SPDX-License-Identifier: MIT */
/*
 * libedgenpu CPU kernels: the exact requantization of cpu_requant.h on
 * arm64 NEON, four channels per vector.
 *
 * Left shift: SSHL by a non-negative amount shifts bits out without
 * saturating, the wrapping (uint32_t)acc << l of cpu_rq_one().
 *
 * High multiply: SQRDMULH is SaturatingRoundingDoublingHighMul exactly.
 * It returns sat((2ab + 2^31) >> 32) = floor((ab + 2^30) / 2^31), which
 * saturates only for a = b = INT32_MIN; the multiplier is never negative
 * (cpu_requant.h), so it never does, and floor((ab + 2^30) / 2^31) is the
 * scalar form's value.
 *
 * Right shift by r (RoundingDivideByPOT): with q = floor(x / 2^r) and
 * rem = x - q 2^r in [0, 2^r), the scalar form adds 1 when rem exceeds
 * the threshold 2^(r-1) - 1 (x >= 0) or 2^(r-1) (x < 0), that is
 *   x >= 0: floor((x + 2^(r-1)) / 2^r),
 *   x <  0: floor((x + 2^(r-1) - 1) / 2^r)   (halves away from zero).
 * SRSHL by -r computes floor((x + 2^(r-1)) / 2^r) without overflow (the
 * architecture adds the rounding constant at full width), the x >= 0
 * case; for x < 0 and r >= 1 it is given x - 1 instead, the second case.
 * The - 1 is a saturating add of (x & -r) >> 31 (arithmetic): -r has its
 * sign bit set exactly when r >= 1, so the term is -1 when x < 0 and
 * r >= 1, else 0 (r = 0: SRSHL by 0 is x itself, as the scalar form).
 * The saturation matters only for x = INT32_MIN, which is a multiple of
 * 2^r: there floor((x + 2^(r-1)) / 2^r) = floor((x + 2^(r-1) - 1) / 2^r)
 * = x / 2^r (for r = 0 no - 1 is added), so the saturated value gives
 * the same result. cpu_exec_test checks this against cpu_rq_one() on the
 * edge cases (every shift, exact halves of either sign, the extremes).
 *
 * Zero point and clamp: a wrapping add, then SMAX and SMIN; the clamped
 * values are within int8, so the saturating narrowings are plain ones.
 */
#ifndef EDGENPU_CPU_REQUANT_NEON_H
#define EDGENPU_CPU_REQUANT_NEON_H

#if defined(__aarch64__)
#include <arm_neon.h>

#include "cpu_requant.h"

/*
 * The requantization of four channels, loaded once and applied to many
 * rows: multiplier, left shift, negated right shift, zero point, clamp.
 */
struct cpu_rq4 {
	int32x4_t m, l, nr, zp, lo, hi;
};

static inline void cpu_rq4_load(const struct cpu_rq *rq, uint32_t c,
				struct cpu_rq4 *q)
{
	q->m = vld1q_s32(rq->mult + c);
	q->l = vld1q_s32(rq->lshift + c);
	q->nr = vnegq_s32(vld1q_s32(rq->rshift + c));
	q->zp = vdupq_n_s32(rq->zp);
	q->lo = vdupq_n_s32(rq->lo);
	q->hi = vdupq_n_s32(rq->hi);
}

/* Four accumulators to clamped int32 values: cpu_rq_one(), lane by lane. */
static inline int32x4_t cpu_rq4_apply(const struct cpu_rq4 *q, int32x4_t acc)
{
	int32x4_t hi = vqrdmulhq_s32(vshlq_s32(acc, q->l), q->m);
	/* -1 for a negative value that is shifted at all (see above). */
	int32x4_t fix = vshrq_n_s32(vandq_s32(hi, q->nr), 31);
	int32x4_t v = vrshlq_s32(vqaddq_s32(hi, fix), q->nr);

	v = vaddq_s32(v, q->zp);
	return vminq_s32(vmaxq_s32(v, q->lo), q->hi);
}

/* Sixteen clamped int32 values (channel order) to int8 at @out. */
static inline void cpu_store16_neon(int8_t *out, int32x4_t a, int32x4_t b,
				    int32x4_t c, int32x4_t d)
{
	int16x8_t ab = vcombine_s16(vqmovn_s32(a), vqmovn_s32(b));
	int16x8_t cd = vcombine_s16(vqmovn_s32(c), vqmovn_s32(d));

	vst1q_s8(out, vcombine_s8(vqmovn_s16(ab), vqmovn_s16(cd)));
}

/* The requantization and bias of one block of CPU_NR channels. */
struct cpu_rq16 {
	struct cpu_rq4 q[4];
	int32x4_t b[4];
};

/* Channels [c, c + CPU_NR) of @rq, with the bias @bias (padded) of them. */
static inline void cpu_rq16_load(const struct cpu_rq *rq, const int32_t *bias,
				 uint32_t c, struct cpu_rq16 *q)
{
	int i;

	for (i = 0; i < 4; i++) {
		cpu_rq4_load(rq, c + 4 * (uint32_t)i, &q->q[i]);
		q->b[i] = vld1q_s32(bias + c + 4 * i);
	}
}

/*
 * Bias, requantize and store @cnt (at most CPU_NR) channels of one row:
 * accumulators @acc (four vectors, channel order) to @out.
 */
static inline void cpu_rq16_store(const struct cpu_rq16 *q,
				  const int32x4_t *acc, int8_t *out,
				  uint32_t cnt)
{
	int32x4_t v[4];
	int8_t tmp[CPU_NR];
	uint32_t i;

	for (i = 0; i < 4; i++)
		v[i] = cpu_rq4_apply(&q->q[i], vaddq_s32(acc[i], q->b[i]));
	if (cnt == CPU_NR) {
		cpu_store16_neon(out, v[0], v[1], v[2], v[3]);
		return;
	}
	cpu_store16_neon(tmp, v[0], v[1], v[2], v[3]);
	for (i = 0; i < cnt; i++)
		out[i] = tmp[i];
}
#endif

#endif /* EDGENPU_CPU_REQUANT_NEON_H */
