/* SPDX-License-Identifier: MIT */
/*
 * libedgenpu CPU kernels: exact requantization of int32 accumulators.
 *
 * The engine (and TFLite's reference kernels) requantize with
 * MultiplyByQuantizedMultiplier: a left shift, SaturatingRoundingDoubling-
 * HighMul, RoundingDivideByPOT, the zero point, the activation clamp. The
 * fast kernels keep one multiplier, left shift and right shift per output
 * channel (per-tensor quantization is broadcast at plan time), checked so
 * that the multiplier is never negative: then the saturating case of the
 * high multiply (both operands INT32_MIN) cannot happen and the rounding
 * nudge reduces to floor((a * b + 2^30) / 2^31), which both the scalar and
 * the AVX2 forms below compute. Both give the engine's bytes exactly.
 */
#ifndef EDGENPU_CPU_REQUANT_H
#define EDGENPU_CPU_REQUANT_H

#include <stdint.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

/* Channels per vector block of the kernels; arrays are padded to it. */
#define CPU_NR	16

/*
 * struct cpu_rq - requantization of one op's output channels
 * @mult: Q31 multiplier per channel, >= 0.
 * @lshift: left shift per channel, 0 to 30.
 * @rshift: right shift per channel, 0 to 31.
 * @zp: output zero point.
 * @lo: activation minimum.
 * @hi: activation maximum.
 *
 * The arrays hold a multiple of CPU_NR entries (padding is 0).
 */
struct cpu_rq {
	int32_t *mult;
	int32_t *lshift;
	int32_t *rshift;
	int32_t zp;
	int32_t lo;
	int32_t hi;
};

/* Requantize one accumulator of channel @c: the engine's eng_requant(). */
static inline int8_t cpu_rq_one(const struct cpu_rq *rq, uint32_t c,
				int32_t acc)
{
	int32_t r = rq->rshift[c];
	int32_t xl = (int32_t)((uint32_t)acc << rq->lshift[c]);
	int64_t ab = (int64_t)xl * rq->mult[c];
	int32_t hi = (int32_t)((ab + (1 << 30)) >> 31);
	int32_t mask = (int32_t)((1u << r) - 1);
	int32_t rem = hi & mask;
	int32_t thr = (mask >> 1) + (hi < 0 ? 1 : 0);
	int32_t v = (hi >> r) + (rem > thr ? 1 : 0);

	v = (int32_t)((uint32_t)v + (uint32_t)rq->zp);
	return (int8_t)(v < rq->lo ? rq->lo : (v > rq->hi ? rq->hi : v));
}

/*
 * Requantize @cnt accumulators of channels [c0, c0 + cnt) into @out: a
 * plain loop over arrays, which compilers vectorize.
 */
static inline void cpu_rq_row(const struct cpu_rq *rq, uint32_t c0,
			      const uint32_t *acc, uint32_t cnt, int8_t *out)
{
	uint32_t c;

	for (c = 0; c < cnt; c++)
		out[c] = cpu_rq_one(rq, c0 + c, (int32_t)acc[c]);
}

/*
 * Fill @rq for @n channels from the op's per-channel arrays (@pm, @ps, NULL
 * for per-tensor @m0, @s0). Returns 0, -ENOMEM, or -ENOTSUP when a
 * multiplier is negative (the op then stays on the engine). cpu_rq_free()
 * releases the arrays.
 */
int edgenpu__cpu_rq_init(struct cpu_rq *rq, uint32_t n, const int32_t *pm,
			 const int32_t *ps, int32_t m0, int32_t s0, int32_t zp,
			 int32_t lo, int32_t hi);
void edgenpu__cpu_rq_free(struct cpu_rq *rq);

#if defined(__x86_64__)
/*
 * The requantization of eight channels, loaded once and applied to many
 * rows: multiplier, shifts, the rounding mask of the right shift and its
 * half, zero point and clamp.
 */
struct cpu_rq8 {
	__m256i m, l, r, mask, half, zp, lo, hi;
};

__attribute__((target("avx2")))
static inline void cpu_rq8_load(const struct cpu_rq *rq, uint32_t c,
				struct cpu_rq8 *q)
{
	const __m256i one = _mm256_set1_epi32(1);

	q->m = _mm256_loadu_si256((const __m256i *)(rq->mult + c));
	q->l = _mm256_loadu_si256((const __m256i *)(rq->lshift + c));
	q->r = _mm256_loadu_si256((const __m256i *)(rq->rshift + c));
	q->mask = _mm256_sub_epi32(_mm256_sllv_epi32(one, q->r), one);
	q->half = _mm256_srli_epi32(q->mask, 1);
	q->zp = _mm256_set1_epi32(rq->zp);
	q->lo = _mm256_set1_epi32(rq->lo);
	q->hi = _mm256_set1_epi32(rq->hi);
}

/*
 * Eight accumulators to clamped int32 values: the same arithmetic as
 * cpu_rq_one(), lane by lane.
 */
__attribute__((target("avx2")))
static inline __m256i cpu_rq8_apply(const struct cpu_rq8 *q, __m256i acc)
{
	__m256i nudge = _mm256_set1_epi64x((int64_t)1 << 30);
	__m256i xl = _mm256_sllv_epi32(acc, q->l);
	/* 64-bit products of the even lanes, then of the odd lanes. */
	__m256i pe = _mm256_add_epi64(_mm256_mul_epi32(xl, q->m), nudge);
	__m256i po = _mm256_add_epi64(
		_mm256_mul_epi32(_mm256_srli_epi64(xl, 32),
				 _mm256_srli_epi64(q->m, 32)), nudge);
	/* Bits 31..62 of each product: low dword even, high dword odd. */
	__m256i hi = _mm256_blend_epi32(_mm256_srli_epi64(pe, 31),
					_mm256_slli_epi64(po, 1), 0xaa);
	__m256i rem = _mm256_and_si256(hi, q->mask);
	__m256i thr = _mm256_sub_epi32(q->half,
				       _mm256_cmpgt_epi32(_mm256_setzero_si256(),
							  hi));
	__m256i v = _mm256_sub_epi32(_mm256_srav_epi32(hi, q->r),
				     _mm256_cmpgt_epi32(rem, thr));

	v = _mm256_add_epi32(v, q->zp);
	v = _mm256_max_epi32(v, q->lo);
	return _mm256_min_epi32(v, q->hi);
}

/* cpu_rq8_apply() of channels [c, c + 8), loading them first. */
__attribute__((target("avx2")))
static inline __m256i cpu_rq8_avx2(const struct cpu_rq *rq, uint32_t c,
				   __m256i acc)
{
	struct cpu_rq8 q;

	cpu_rq8_load(rq, c, &q);
	return cpu_rq8_apply(&q, acc);
}

/* Sixteen clamped int32 values (channel order) to int8 at @out. */
__attribute__((target("avx2")))
static inline void cpu_store16_avx2(int8_t *out, __m256i a, __m256i b)
{
	__m256i p = _mm256_packs_epi32(a, b);	/* a0-3 b0-3 | a4-7 b4-7 */
	__m128i q = _mm_packs_epi16(_mm256_castsi256_si128(p),
				    _mm256_extracti128_si256(p, 1));

	/* q is a0-3 b0-3 a4-7 b4-7: put the dwords back in order. */
	_mm_storeu_si128((__m128i *)out, _mm_shuffle_epi32(q, 0xd8));
}
#endif

#endif /* EDGENPU_CPU_REQUANT_H */
