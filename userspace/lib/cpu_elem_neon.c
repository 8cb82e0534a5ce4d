// SPDX-License-Identifier: MIT
/*
 * libedgenpu CPU kernels: same-shape ADD and SUB (cpu_elem.h) on arm64
 * NEON, sixteen elements at a time: each input widened to int32, offset
 * and shifted, rescaled with the exact requantization of
 * cpu_requant_neon.h (zero point 0, no clamp: full int32), summed or
 * subtracted with wrapping, requantized to the output. The elements past
 * the last full 16 take the portable path.
 */
#if defined(__aarch64__)
#include "cpu_elem.h"
#include "cpu_requant_neon.h"

/* Sixteen rescaled inputs from @p into @v: ((p - zp) << ls), rescaled. */
static void add_in16(const int8_t *p, int32x4_t zp, int32x4_t ls,
		     const struct cpu_rq4 *q, int32x4_t *v)
{
	int8x16_t x = vld1q_s8(p);
	int16x8_t lo = vmovl_s8(vget_low_s8(x)), hi = vmovl_high_s8(x);
	int32x4_t w[4] = { vmovl_s16(vget_low_s16(lo)), vmovl_high_s16(lo),
			   vmovl_s16(vget_low_s16(hi)), vmovl_high_s16(hi) };
	int i;

	for (i = 0; i < 4; i++)
		v[i] = cpu_rq4_apply(q, vshlq_s32(vsubq_s32(w[i], zp), ls));
}

void edgenpu__cpu_add_run_neon(const struct cpu_add *e, size_t i0, size_t i1)
{
	int32x4_t za = vdupq_n_s32(e->zpa), zb = vdupq_n_s32(e->zpb);
	int32x4_t ls = vdupq_n_s32(e->ls), x[4], y[4], r[4];
	struct cpu_rq4 qa, qb, qo;
	size_t i;
	int h;

	cpu_rq4_load(&e->qa, 0, &qa);
	cpu_rq4_load(&e->qb, 0, &qb);
	cpu_rq4_load(&e->qo, 0, &qo);
	for (i = i0; i + 16 <= i1; i += 16) {
		add_in16(e->a + i, za, ls, &qa, x);
		add_in16(e->b + i, zb, ls, &qb, y);
		for (h = 0; h < 4; h++)
			r[h] = cpu_rq4_apply(&qo, e->sub ? vsubq_s32(x[h], y[h]) :
							  vaddq_s32(x[h], y[h]));
		cpu_store16_neon(e->y + i, r[0], r[1], r[2], r[3]);
	}
	edgenpu__cpu_add_run_c(e, i, i1);
}
#endif
