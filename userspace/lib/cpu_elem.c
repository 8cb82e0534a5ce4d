// SPDX-License-Identifier: MIT
/*
 * libedgenpu CPU kernels: same-shape ADD and SUB (cpu_elem.h).
 */
#include <stdlib.h>

#include "cpu_elem.h"

void edgenpu__cpu_add_free(struct cpu_add *e)
{
	edgenpu__cpu_rq_free(&e->qa);
	edgenpu__cpu_rq_free(&e->qb);
	edgenpu__cpu_rq_free(&e->qo);
}

int edgenpu__cpu_add_init(struct cpu_add *e, int32_t ma, int32_t sa,
			  int32_t mb, int32_t sb, int32_t mo, int32_t so,
			  int32_t zo, int32_t lo, int32_t hi)
{
	int ret;

	/* The inputs' rescaling: no zero point, no clamp (full int32). */
	ret = edgenpu__cpu_rq_init(&e->qa, CPU_NR, NULL, NULL, ma, sa, 0,
				   INT32_MIN, INT32_MAX);
	if (!ret)
		ret = edgenpu__cpu_rq_init(&e->qb, CPU_NR, NULL, NULL, mb, sb,
					   0, INT32_MIN, INT32_MAX);
	if (!ret)
		ret = edgenpu__cpu_rq_init(&e->qo, CPU_NR, NULL, NULL, mo, so,
					   zo, lo, hi);
	return ret;
}

/* cpu_rq_one() without the int8 narrowing: the rescaled input. */
static int32_t add_scale(const struct cpu_rq *rq, int32_t x)
{
	int32_t r = rq->rshift[0];
	int32_t xl = (int32_t)((uint32_t)x << rq->lshift[0]);
	int64_t ab = (int64_t)xl * rq->mult[0];
	int32_t hi = (int32_t)((ab + (1 << 30)) >> 31);
	int32_t mask = (int32_t)((1u << r) - 1);
	int32_t thr = (mask >> 1) + (hi < 0 ? 1 : 0);

	return (hi >> r) + ((hi & mask) > thr ? 1 : 0);
}

void edgenpu__cpu_add_run_c(const struct cpu_add *e, size_t i0, size_t i1)
{
	size_t i;

	for (i = i0; i < i1; i++) {
		int32_t x = add_scale(&e->qa, (int32_t)((uint32_t)(e->a[i] - e->zpa)
							<< e->ls));
		int32_t y = add_scale(&e->qb, (int32_t)((uint32_t)(e->b[i] - e->zpb)
							<< e->ls));
		uint32_t raw = e->sub ? (uint32_t)x - (uint32_t)y :
					(uint32_t)x + (uint32_t)y;

		e->y[i] = cpu_rq_one(&e->qo, 0, (int32_t)raw);
	}
}

#if defined(__x86_64__)
/* Eight rescaled inputs from @p. */
__attribute__((target("avx2")))
static inline __m256i add_in8(const int8_t *p, __m256i zp, __m128i ls,
			      const struct cpu_rq8 *q)
{
	__m256i x = _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)p));

	return cpu_rq8_apply(q, _mm256_sll_epi32(_mm256_sub_epi32(x, zp), ls));
}

__attribute__((target("avx2")))
void edgenpu__cpu_add_run_avx2(const struct cpu_add *e, size_t i0,
			       size_t i1)
{
	__m256i za = _mm256_set1_epi32(e->zpa), zb = _mm256_set1_epi32(e->zpb);
	__m128i ls = _mm_cvtsi32_si128(e->ls);
	struct cpu_rq8 qa, qb, qo;
	__m256i r[2];
	size_t i;
	int h;

	cpu_rq8_load(&e->qa, 0, &qa);
	cpu_rq8_load(&e->qb, 0, &qb);
	cpu_rq8_load(&e->qo, 0, &qo);
	for (i = i0; i + 16 <= i1; i += 16) {
		for (h = 0; h < 2; h++) {
			__m256i x = add_in8(e->a + i + 8 * h, za, ls, &qa);
			__m256i y = add_in8(e->b + i + 8 * h, zb, ls, &qb);

			r[h] = cpu_rq8_apply(&qo, e->sub ? _mm256_sub_epi32(x, y) :
						     _mm256_add_epi32(x, y));
		}
		cpu_store16_avx2(e->y + i, r[0], r[1]);
	}
	edgenpu__cpu_add_run_c(e, i, i1);
}
#endif
