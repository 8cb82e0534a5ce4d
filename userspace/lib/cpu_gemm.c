// SPDX-License-Identifier: MIT
/*
 * libedgenpu CPU kernels: the packed int8 GEMM (cpu_gemm.h).
 *
 * The AVX2 kernel computes a tile of CPU_GEMM_MR rows by CPU_NR channels
 * in eight int32 vectors: each step broadcasts one row's int16 pair
 * (x[2p], x[2p+1]) and multiply-adds it with the packed weights of 16
 * channels. Rows are first widened to int16 into the work area (zero
 * padded to kpad), so the inner loop is loads, broadcasts and vpmaddwd.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cpu_gemm.h"

static uint32_t npad_of(uint32_t n)
{
	return (n + CPU_NR - 1) / CPU_NR * CPU_NR;
}

/* Index of w[c][kk] in the packed layout @layout (see cpu_gemm.h). */
static size_t pack_index(enum cpu_gemm_layout layout, uint32_t kpad,
			 uint32_t c, uint32_t kk)
{
	size_t blk = c / CPU_NR, pair = kk / 2, quad = kk / 4;

	if (layout == CPU_GEMM_K1)
		return (blk * kpad + kk) * CPU_NR + c % CPU_NR;
	if (layout == CPU_GEMM_K4)
		return ((blk * (kpad / 4) + quad) * CPU_NR + c % CPU_NR) * 4 +
		       kk % 4;
	return ((blk * (kpad / 2) + pair) * CPU_NR + c % CPU_NR) * 2 + kk % 2;
}

/* The reduction length a layout's kernel runs: see cpu_gemm.h. */
static uint32_t kpad_of(enum cpu_gemm_layout layout, uint32_t k)
{
	if (layout == CPU_GEMM_K1)
		return (k + 3) & ~3u;
	if (layout == CPU_GEMM_K4)
		return (k + 15) & ~15u;
	return (k + 1) & ~1u;
}

void edgenpu__cpu_gemm_free(struct cpu_gemm *g)
{
	free(g->w);
	free(g->w8);
	free(g->w8p);
	free(g->bias);
	g->w = NULL;
	g->w8 = NULL;
	g->w8p = NULL;
	g->bias = NULL;
	edgenpu__cpu_rq_free(&g->rq);
}

int edgenpu__cpu_gemm_pack(struct cpu_gemm *g, const int8_t *w,
			   const int32_t *bias, int32_t zpx,
			   enum cpu_gemm_layout layout)
{
	uint32_t npad = npad_of(g->n), c, kk;

	g->layout = layout;
	g->kpad = kpad_of(layout, g->k);
	if (layout == CPU_GEMM_K4)
		g->w8 = calloc((size_t)g->kpad * npad, 1);
	else
		g->w = calloc((size_t)g->kpad * npad, sizeof(int16_t));
	g->bias = calloc(npad, sizeof(int32_t));
	if (layout == CPU_GEMM_PAIRS && g->m < CPU_GEMM_MR && !g->conv)
		g->w8p = calloc((size_t)g->kpad * npad, 1);
	if ((!g->w && !g->w8) || !g->bias ||
	    (layout == CPU_GEMM_PAIRS && g->m < CPU_GEMM_MR && !g->conv &&
	     !g->w8p))
		return -ENOMEM;
	for (c = 0; c < g->n; c++) {
		uint32_t sum = 0;

		for (kk = 0; kk < g->k; kk++) {
			int8_t v = w[(size_t)c * g->k + kk];
			size_t at = pack_index(layout, g->kpad, c, kk);

			if (g->w8)
				g->w8[at] = v;
			else
				g->w[at] = v;
			if (g->w8p)
				g->w8p[at] = v;
			sum += (uint32_t)(int32_t)v;
		}
		/* Unsigned: the engine's int32 sums wrap the same way. */
		g->bias[c] = (int32_t)((bias ? (uint32_t)bias[c] : 0u) -
				       (uint32_t)zpx * sum);
	}
	return 0;
}

void edgenpu__cpu_gemm_gather(const struct cpu_gemm *g, uint32_t r,
			      int8_t *row)
{
	const struct cpu_conv *cv = &g->cv;
	uint32_t b = r / (cv->oh * cv->ow), oy = r / cv->ow % cv->oh;
	int64_t iy0 = (int64_t)oy * cv->sh - cv->pt;
	int64_t ix0 = (int64_t)(r % cv->ow) * cv->sw - cv->pl;
	uint32_t ky, kx;

	for (ky = 0; ky < cv->kh; ky++) {
		int64_t iy = iy0 + (int64_t)ky * cv->dh;

		for (kx = 0; kx < cv->kw; kx++, row += cv->ic) {
			int64_t ix = ix0 + (int64_t)kx * cv->dw;

			if (iy < 0 || iy >= cv->ih || ix < 0 || ix >= cv->iw)
				memset(row, (int8_t)cv->zp, cv->ic);
			else
				memcpy(row, g->x + (((size_t)b * cv->ih +
					(size_t)iy) * cv->iw + (size_t)ix) * cv->ic,
				       cv->ic);
		}
	}
}

/* Input row @r: in place, or gathered into @tmp for a convolution. */
static const int8_t *gemm_row(const struct cpu_gemm *g, uint32_t r,
			      int8_t *tmp)
{
	if (!g->conv)
		return g->x + (size_t)r * g->k;
	edgenpu__cpu_gemm_gather(g, r, tmp);
	return tmp;
}

/*
 * Up to CPU_GEMM_MR rows @x (missing ones repeat the last), one channel
 * block, portable: the rows share each weight load, and the channel loop
 * is what compilers vectorize (a multiply-add of int16 pairs).
 */
static void gemm_block_c(const struct cpu_gemm *g, const int8_t *const *x,
			 uint32_t cnt, uint32_t blk, int8_t *const *y)
{
	const int16_t *w = g->w + (size_t)blk * (g->kpad / 2) * CPU_NR * 2;
	uint32_t c0 = blk * CPU_NR, p, c, i, n = g->n - c0;
	uint32_t acc[CPU_GEMM_MR][CPU_NR];	/* wraps like the engine's */

	for (i = 0; i < CPU_GEMM_MR; i++)
		for (c = 0; c < CPU_NR; c++)
			acc[i][c] = (uint32_t)g->bias[c0 + c];
	for (p = 0; p < g->kpad / 2; p++, w += CPU_NR * 2)
		for (i = 0; i < CPU_GEMM_MR; i++) {
			int32_t a0 = x[i][2 * p];
			int32_t a1 = 2 * p + 1 < g->k ? x[i][2 * p + 1] : 0;

			for (c = 0; c < CPU_NR; c++)
				acc[i][c] += (uint32_t)(a0 * w[2 * c] +
							a1 * w[2 * c + 1]);
		}
	for (i = 0; i < cnt; i++)
		cpu_rq_row(&g->rq, c0, acc[i], n < CPU_NR ? n : CPU_NR,
			   y[i] + c0);
}

void edgenpu__cpu_gemm_run_c(const struct cpu_gemm *g, uint32_t m0,
			     uint32_t m1, uint32_t b0, uint32_t b1,
			     void *work)
{
	uint32_t r, blk, i, cnt;
	int8_t *tmp = (int8_t *)work +
		      (size_t)cpu_gemm_chunk_rows(g) * g->kpad * 2;
	const int8_t *x[CPU_GEMM_MR];
	int8_t *y[CPU_GEMM_MR];

	for (r = m0; r < m1; r += cnt) {
		cnt = m1 - r < CPU_GEMM_MR ? m1 - r : CPU_GEMM_MR;
		for (i = 0; i < CPU_GEMM_MR; i++) {
			x[i] = gemm_row(g, r + (i < cnt ? i : cnt - 1),
					tmp + (size_t)i * g->kpad);
			y[i] = g->y + (size_t)(r + i) * g->n;
		}
		for (blk = b0; blk < b1; blk++)
			gemm_block_c(g, x, cnt, blk, y);
	}
}

#if defined(__x86_64__)
/* @n int8 at @x widened into @d. */
__attribute__((target("avx2")))
static void widen(const int8_t *x, uint32_t n, int16_t *d)
{
	uint32_t kk;

	for (kk = 0; kk + 16 <= n; kk += 16)
		_mm256_storeu_si256((__m256i *)(d + kk),
			_mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(x + kk))));
	for (; kk < n; kk++)
		d[kk] = x[kk];
}

/* The receptive field of output pixel @r widened straight into @d. */
__attribute__((target("avx2")))
static void conv_gather16(const struct cpu_gemm *g, uint32_t r, int16_t *d)
{
	const struct cpu_conv *cv = &g->cv;
	uint32_t b = r / (cv->oh * cv->ow), oy = r / cv->ow % cv->oh;
	int64_t iy0 = (int64_t)oy * cv->sh - cv->pt;
	int64_t ix0 = (int64_t)(r % cv->ow) * cv->sw - cv->pl;
	uint32_t ky, kx, c;

	for (ky = 0; ky < cv->kh; ky++) {
		int64_t iy = iy0 + (int64_t)ky * cv->dh;

		for (kx = 0; kx < cv->kw; kx++, d += cv->ic) {
			int64_t ix = ix0 + (int64_t)kx * cv->dw;

			if (iy < 0 || iy >= cv->ih || ix < 0 || ix >= cv->iw) {
				for (c = 0; c < cv->ic; c++)
					d[c] = (int16_t)cv->zp;
				continue;
			}
			widen(g->x + (((size_t)b * cv->ih + (size_t)iy) * cv->iw +
				      (size_t)ix) * cv->ic, cv->ic, d);
		}
	}
}

/*
 * Rows [r, r + cnt) widened to int16 in @a, rows of kpad: a
 * convolution's gathered straight from the input; the padding column zero,
 * and rows up to the next whole tile zero.
 */
__attribute__((target("avx2")))
static void gemm_pack_rows(const struct cpu_gemm *g, uint32_t r, uint32_t cnt,
			   int16_t *a)
{
	uint32_t i, tiles = (cnt + CPU_GEMM_MR - 1) / CPU_GEMM_MR;

	for (i = 0; i < cnt; i++) {
		int16_t *d = a + (size_t)i * g->kpad;

		if (g->conv)
			conv_gather16(g, r + i, d);
		else
			widen(g->x + (size_t)(r + i) * g->k, g->k, d);
		if (g->kpad > g->k)
			d[g->k] = 0;
	}
	memset(a + (size_t)cnt * g->kpad, 0,
	       (size_t)(tiles * CPU_GEMM_MR - cnt) * g->kpad * sizeof(int16_t));
}

/*
 * Requantize and store the tile's rows: channels [c0, c0 + 16) of @cnt
 * rows from @r, accumulators lo[i] (first 8) and hi[i]. The bias and the
 * requantization are loaded once for all rows.
 */
__attribute__((target("avx2")))
static void gemm_store_avx2(const struct cpu_gemm *g, uint32_t c0, uint32_t r,
			    uint32_t cnt, const __m256i *lo, const __m256i *hi)
{
	__m256i b0 = _mm256_loadu_si256((const __m256i *)(g->bias + c0));
	__m256i b1 = _mm256_loadu_si256((const __m256i *)(g->bias + c0 + 8));
	struct cpu_rq8 q0, q1;
	int8_t tmp[CPU_NR];
	uint32_t i;

	cpu_rq8_load(&g->rq, c0, &q0);
	cpu_rq8_load(&g->rq, c0 + 8, &q1);
	for (i = 0; i < cnt; i++) {
		int8_t *y = g->y + (size_t)(r + i) * g->n + c0;
		__m256i a = cpu_rq8_apply(&q0, _mm256_add_epi32(lo[i], b0));
		__m256i b = cpu_rq8_apply(&q1, _mm256_add_epi32(hi[i], b1));

		if (c0 + CPU_NR <= g->n) {
			cpu_store16_avx2(y, a, b);
			continue;
		}
		cpu_store16_avx2(tmp, a, b);
		memcpy(y, tmp, g->n - c0);
	}
}

/* A CPU_GEMM_MR x CPU_NR tile: rows packed in @a, channel block @blk. */
__attribute__((target("avx2")))
static void gemm_tile_avx2(const struct cpu_gemm *g, const int16_t *a,
			   uint32_t blk, uint32_t r, uint32_t cnt)
{
	const int16_t *w = g->w + (size_t)blk * (g->kpad / 2) * CPU_NR * 2;
	const int16_t *a1 = a + g->kpad, *a2 = a1 + g->kpad, *a3 = a2 + g->kpad;
	__m256i c00 = _mm256_setzero_si256(), c01 = c00, c10 = c00, c11 = c00;
	__m256i c20 = c00, c21 = c00, c30 = c00, c31 = c00;
	uint32_t p, kk;
	int32_t v;

	for (p = 0; p < g->kpad / 2; p++, w += CPU_NR * 2) {
		__m256i w0 = _mm256_loadu_si256((const __m256i *)w);
		__m256i w1 = _mm256_loadu_si256((const __m256i *)(w + 16));
		__m256i b;

		kk = 2 * p;
		memcpy(&v, a + kk, 4);
		b = _mm256_set1_epi32(v);
		c00 = _mm256_add_epi32(c00, _mm256_madd_epi16(b, w0));
		c01 = _mm256_add_epi32(c01, _mm256_madd_epi16(b, w1));
		memcpy(&v, a1 + kk, 4);
		b = _mm256_set1_epi32(v);
		c10 = _mm256_add_epi32(c10, _mm256_madd_epi16(b, w0));
		c11 = _mm256_add_epi32(c11, _mm256_madd_epi16(b, w1));
		memcpy(&v, a2 + kk, 4);
		b = _mm256_set1_epi32(v);
		c20 = _mm256_add_epi32(c20, _mm256_madd_epi16(b, w0));
		c21 = _mm256_add_epi32(c21, _mm256_madd_epi16(b, w1));
		memcpy(&v, a3 + kk, 4);
		b = _mm256_set1_epi32(v);
		c30 = _mm256_add_epi32(c30, _mm256_madd_epi16(b, w0));
		c31 = _mm256_add_epi32(c31, _mm256_madd_epi16(b, w1));
	}
	{
		__m256i lo[CPU_GEMM_MR] = { c00, c10, c20, c30 };
		__m256i hi[CPU_GEMM_MR] = { c01, c11, c21, c31 };

		gemm_store_avx2(g, blk * CPU_NR, r, cnt, lo, hi);
	}
}

/* The 32 packed weights of pair step @p of a block, widened. */
__attribute__((target("avx2")))
static inline void gemm_w8_load(const int8_t *w, __m256i *w0, __m256i *w1)
{
	*w0 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)w));
	*w1 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(w + 16)));
}

/*
 * One row (widened in @a) times channel blocks @blk and @blk + 1 (when
 * below @b1) of the int8 weights: two blocks per broadcast, so that the
 * loop is bound by the weight stream, not by the multiply-adds.
 */
__attribute__((target("avx2")))
static void gemm_row_w8_avx2(const struct cpu_gemm *g, const int16_t *a,
			     uint32_t blk, uint32_t b1, uint32_t r)
{
	size_t bstride = (size_t)g->kpad * CPU_NR;
	const int8_t *w = g->w8p + blk * bstride;
	int two = blk + 1 < b1;
	const int8_t *wn = two ? w + bstride : w;
	__m256i c0 = _mm256_setzero_si256(), c1 = c0, c2 = c0, c3 = c0;
	uint32_t p;
	int32_t v;

	for (p = 0; p < g->kpad / 2; p++, w += 32, wn += 32) {
		__m256i w0, w1, w2, w3, b;

		memcpy(&v, a + 2 * p, 4);
		b = _mm256_set1_epi32(v);
		gemm_w8_load(w, &w0, &w1);
		c0 = _mm256_add_epi32(c0, _mm256_madd_epi16(b, w0));
		c1 = _mm256_add_epi32(c1, _mm256_madd_epi16(b, w1));
		if (!two)
			continue;
		gemm_w8_load(wn, &w2, &w3);
		c2 = _mm256_add_epi32(c2, _mm256_madd_epi16(b, w2));
		c3 = _mm256_add_epi32(c3, _mm256_madd_epi16(b, w3));
	}
	gemm_store_avx2(g, blk * CPU_NR, r, 1, &c0, &c1);
	if (two)
		gemm_store_avx2(g, (blk + 1) * CPU_NR, r, 1, &c2, &c3);
}

__attribute__((target("avx2")))
void edgenpu__cpu_gemm_run_avx2(const struct cpu_gemm *g, uint32_t m0,
				uint32_t m1, uint32_t b0, uint32_t b1,
				void *work)
{
	uint32_t mc = cpu_gemm_chunk_rows(g), r, blk, t;
	int16_t *a = work;

	if (g->w8p) {	/* never a convolution: rows read in place */
		for (r = m0; r < m1; r++) {
			widen(g->x + (size_t)r * g->k, g->k, a);
			if (g->kpad > g->k)
				a[g->k] = 0;
			for (blk = b0; blk < b1; blk += 2)
				gemm_row_w8_avx2(g, a, blk, b1, r);
		}
		return;
	}

	for (r = m0; r < m1; r += mc) {
		uint32_t cnt = m1 - r < mc ? m1 - r : mc;

		gemm_pack_rows(g, r, cnt, a);
		for (blk = b0; blk < b1; blk++)
			for (t = 0; t < cnt; t += CPU_GEMM_MR)
				gemm_tile_avx2(g, a + (size_t)t * g->kpad, blk,
					       r + t, cnt - t < CPU_GEMM_MR ?
					       cnt - t : CPU_GEMM_MR);
	}
}
#endif
