// SPDX-License-Identifier: MIT
/*
 * libedgenpu CPU kernels: 3x3 depthwise convolution (cpu_dwconv.h).
 *
 * The AVX2 kernel handles 16 channels at a time: the int8 inputs of two
 * taps are widened to int16 and interleaved, so that one vpmaddwd with
 * the matching interleaved weights adds both taps' exact products into
 * int32. Interleaving works within 128-bit lanes, so the accumulators
 * hold the channels as 0-3, 8-11 and 4-7, 12-15 until a final permute.
 * Channels past the last full block of 16 take the portable path.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cpu_dwconv.h"

#define DW_PAIRS	((CPU_DW_TAPS + 1) / 2)

static uint32_t cpad_of(uint32_t c)
{
	return (c + CPU_NR - 1) / CPU_NR * CPU_NR;
}

void edgenpu__cpu_dw_free(struct cpu_dw *d)
{
	free(d->wpk);
	free(d->wpl);
	free(d->bias);
	free(d->zrow);
	d->wpk = NULL;
	d->wpl = NULL;
	d->bias = NULL;
	d->zrow = NULL;
	edgenpu__cpu_rq_free(&d->rq);
}

/* Lane @i of vector @v (0: low words, 1: high) of block @blk, pair @p. */
static int16_t dw_pk_value(const struct cpu_dw *d, const int8_t *w,
			   uint32_t blk, uint32_t p, uint32_t v, uint32_t i)
{
	uint32_t h = i / 8, j = i % 8;
	uint32_t ch = blk * CPU_NR + h * 8 + v * 4 + j / 2;
	uint32_t tap = 2 * p + j % 2;

	return tap < CPU_DW_TAPS && ch < d->c ? w[(size_t)tap * d->c + ch] : 0;
}

static void dw_pack_avx2_layout(struct cpu_dw *d, const int8_t *w)
{
	uint32_t blk, p, v, i, nblk = cpad_of(d->c) / CPU_NR;
	int16_t *o = d->wpk;

	for (blk = 0; blk < nblk; blk++)
		for (p = 0; p < DW_PAIRS; p++)
			for (v = 0; v < 2; v++)
				for (i = 0; i < CPU_NR; i++)
					*o++ = dw_pk_value(d, w, blk, p, v, i);
}

int edgenpu__cpu_dw_pack(struct cpu_dw *d, const int8_t *w,
			 const int32_t *bias, int32_t zpx)
{
	uint32_t cpad = cpad_of(d->c), c, t;

	d->wpk = calloc((size_t)cpad * DW_PAIRS * 2, sizeof(int16_t));
	d->wpl = malloc((size_t)CPU_DW_TAPS * d->c);
	d->bias = calloc(cpad, sizeof(int32_t));
	d->zrow = malloc(cpad);
	if (!d->wpk || !d->wpl || !d->bias || !d->zrow)
		return -ENOMEM;
	memcpy(d->wpl, w, (size_t)CPU_DW_TAPS * d->c);
	memset(d->zrow, (int8_t)zpx, cpad);
	dw_pack_avx2_layout(d, w);
	for (c = 0; c < d->c; c++) {
		uint32_t sum = 0;

		for (t = 0; t < CPU_DW_TAPS; t++)
			sum += (uint32_t)(int32_t)w[(size_t)t * d->c + c];
		d->bias[c] = (int32_t)((bias ? (uint32_t)bias[c] : 0u) -
				       (uint32_t)zpx * sum);
	}
	return 0;
}

void edgenpu__cpu_dw_taps(const struct cpu_dw *d, uint32_t b, uint32_t oy,
			  uint32_t ox, const int8_t **tp)
{
	int64_t iy0 = (int64_t)oy * d->sh - d->pt;
	int64_t ix0 = (int64_t)ox * d->sw - d->pl;
	uint32_t ky, kx;

	for (ky = 0; ky < 3; ky++)
		for (kx = 0; kx < 3; kx++) {
			int64_t iy = iy0 + ky, ix = ix0 + kx;

			if (iy < 0 || iy >= d->ih || ix < 0 || ix >= d->iw)
				*tp++ = d->zrow;
			else
				*tp++ = d->x + (((size_t)b * d->ih + (size_t)iy) *
						d->iw + (size_t)ix) * d->c;
		}
}

void edgenpu__cpu_dw_pixel_c(const struct cpu_dw *d, const int8_t *const *tp,
			     uint32_t c0, int8_t *y)
{
	uint32_t acc[CPU_NR];	/* wraps like the engine's int32 sums */
	uint32_t c, t, j, cnt;

	for (c = c0; c < d->c; c += cnt) {
		cnt = d->c - c < CPU_NR ? d->c - c : CPU_NR;
		for (j = 0; j < CPU_NR; j++)
			acc[j] = (uint32_t)d->bias[c + j];
		for (t = 0; t < CPU_DW_TAPS; t++) {
			const int8_t *x = tp[t] + c;
			const int8_t *w = d->wpl + (size_t)t * d->c + c;

			for (j = 0; j < cnt; j++)
				acc[j] += (uint32_t)(x[j] * w[j]);
		}
		cpu_rq_row(&d->rq, c, acc, cnt, y + c);
	}
}

void edgenpu__cpu_dw_run_c(const struct cpu_dw *d, uint32_t r0, uint32_t r1,
			   void *work)
{
	const int8_t *tp[CPU_DW_TAPS];
	uint32_t r, ox;

	(void)work;
	for (r = r0; r < r1; r++)
		for (ox = 0; ox < d->ow; ox++) {
			edgenpu__cpu_dw_taps(d, r / d->oh, r % d->oh, ox, tp);
			edgenpu__cpu_dw_pixel_c(d, tp, 0,
				   d->y + ((size_t)r * d->ow + ox) * d->c);
		}
}

#if defined(__x86_64__)
/* 16 channels from @c0 of tap @t, widened to int16. */
__attribute__((target("avx2")))
static inline __m256i dw_load(const int8_t *const *tp, uint32_t t, uint32_t c0)
{
	if (t >= CPU_DW_TAPS)
		return _mm256_setzero_si256();
	return _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(tp[t] + c0)));
}

/* The requantization and bias of one 16-channel block, for a whole row. */
struct dw_block_q {
	struct cpu_rq8 q0, q1;
	__m256i b0, b1;
};

/* Channels [c0, c0 + 16) of one pixel. */
__attribute__((target("avx2")))
static inline void dw_block_avx2(const struct cpu_dw *d,
				 const int8_t *const *tp, uint32_t c0,
				 const struct dw_block_q *bq, int8_t *y)
{
	const __m256i *w = (const __m256i *)(d->wpk +
		(size_t)(c0 / CPU_NR) * DW_PAIRS * 2 * CPU_NR);
	__m256i al = _mm256_setzero_si256(), ah = al, lo, hi;
	uint32_t p;

	for (p = 0; p < DW_PAIRS; p++) {
		__m256i a = dw_load(tp, 2 * p, c0), b = dw_load(tp, 2 * p + 1, c0);

		al = _mm256_add_epi32(al, _mm256_madd_epi16(
			_mm256_unpacklo_epi16(a, b), _mm256_loadu_si256(w + 2 * p)));
		ah = _mm256_add_epi32(ah, _mm256_madd_epi16(
			_mm256_unpackhi_epi16(a, b), _mm256_loadu_si256(w + 2 * p + 1)));
	}
	lo = _mm256_add_epi32(_mm256_permute2x128_si256(al, ah, 0x20), bq->b0);
	hi = _mm256_add_epi32(_mm256_permute2x128_si256(al, ah, 0x31), bq->b1);
	cpu_store16_avx2(y + c0, cpu_rq8_apply(&bq->q0, lo),
			 cpu_rq8_apply(&bq->q1, hi));
}

/*
 * Output row @r: the tap rows of every pixel first (in @tps), then block
 * by block, so that a block's bias and requantization are loaded once per
 * row; channels past the last full block on the portable path.
 */
__attribute__((target("avx2")))
static void dw_row_avx2(const struct cpu_dw *d, uint32_t r,
			const int8_t **tps)
{
	uint32_t ox, c0, full = d->c / CPU_NR * CPU_NR;
	int8_t *y = d->y + (size_t)r * d->ow * d->c;
	struct dw_block_q bq;

	for (ox = 0; ox < d->ow; ox++)
		edgenpu__cpu_dw_taps(d, r / d->oh, r % d->oh, ox, tps + (size_t)ox * CPU_DW_TAPS);
	for (c0 = 0; c0 < full; c0 += CPU_NR) {
		cpu_rq8_load(&d->rq, c0, &bq.q0);
		cpu_rq8_load(&d->rq, c0 + 8, &bq.q1);
		bq.b0 = _mm256_loadu_si256((const __m256i *)(d->bias + c0));
		bq.b1 = _mm256_loadu_si256((const __m256i *)(d->bias + c0 + 8));
		for (ox = 0; ox < d->ow; ox++)
			dw_block_avx2(d, tps + (size_t)ox * CPU_DW_TAPS, c0, &bq,
				      y + (size_t)ox * d->c);
	}
	for (ox = 0; full < d->c && ox < d->ow; ox++)
		edgenpu__cpu_dw_pixel_c(d, tps + (size_t)ox * CPU_DW_TAPS, full,
			   y + (size_t)ox * d->c);
}

__attribute__((target("avx2")))
void edgenpu__cpu_dw_run_avx2(const struct cpu_dw *d, uint32_t r0,
			      uint32_t r1, void *work)
{
	uint32_t r;

	for (r = r0; r < r1; r++)
		dw_row_avx2(d, r, work);
}
#endif
