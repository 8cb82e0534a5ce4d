// SPDX-License-Identifier: MIT
/*
 * libedgenpu CPU kernels: the packed int8 GEMM (cpu_gemm.h) on arm64.
 *
 * Both kernels compute a tile of CPU_GEMM_MR rows by CPU_NR channels in
 * sixteen int32x4 accumulators, the input rows first copied into the
 * work area and zero padded to kpad (a convolution's gathered there), so
 * that the inner loop is only loads and multiply-accumulates:
 *
 * NEON (layout CPU_GEMM_K1): rows widened to int16; per reduction step,
 * the block's 16 int16 weights times one int16 input (SMLAL/SMLAL2 by
 * lane), four steps per load of each row's inputs. int8 x int8 products
 * are exact in int32, and the int32 sums wrap as the engine's do.
 *
 * Dot product (layout CPU_GEMM_K4, armv8.2 FEAT_DotProd): rows stay int8;
 * SDOT by lane adds four int8 x int8 products of one channel into its
 * int32 lane, 16 reduction steps per load of each row's inputs. The sum
 * of four products is at most 4 * 2^14 in magnitude: exact.
 */
#if defined(__aarch64__)
#include <string.h>

#include "cpu_gemm.h"
#include "cpu_requant_neon.h"

/* Input row @r: in place, or gathered into @tmp for a convolution. */
static const int8_t *gemm_row8(const struct cpu_gemm *g, uint32_t r,
			       int8_t *tmp)
{
	if (!g->conv)
		return g->x + (size_t)r * g->k;
	edgenpu__cpu_gemm_gather(g, r, tmp);
	return tmp;
}

/* @n int8 at @x widened into @d. */
static void widen_neon(const int8_t *x, uint32_t n, int16_t *d)
{
	uint32_t kk;

	for (kk = 0; kk + 8 <= n; kk += 8)
		vst1q_s16(d + kk, vmovl_s8(vld1_s8(x + kk)));
	for (; kk < n; kk++)
		d[kk] = x[kk];
}

/*
 * Rows [r, r + cnt) widened to int16 in @a, CPU_GEMM_MR rows of kpad,
 * through @tmp (one int8 row) for a convolution; the padding columns and
 * missing rows zero.
 */
static void gemm_rows16(const struct cpu_gemm *g, uint32_t r, uint32_t cnt,
			int16_t *a, int8_t *tmp)
{
	uint32_t i;

	for (i = 0; i < cnt; i++) {
		int16_t *d = a + (size_t)i * g->kpad;

		widen_neon(gemm_row8(g, r + i, tmp), g->k, d);
		memset(d + g->k, 0, (size_t)(g->kpad - g->k) * sizeof(int16_t));
	}
	memset(a + (size_t)cnt * g->kpad, 0,
	       (size_t)(CPU_GEMM_MR - cnt) * g->kpad * sizeof(int16_t));
}

/* Requantize and store the @cnt rows from @r of a tile, block @blk. */
static void gemm_store_neon(const struct cpu_gemm *g, uint32_t blk,
			    uint32_t r, uint32_t cnt,
			    int32x4_t acc[CPU_GEMM_MR][4])
{
	uint32_t c0 = blk * CPU_NR, i;
	uint32_t nc = g->n - c0 < CPU_NR ? g->n - c0 : CPU_NR;
	struct cpu_rq16 q;

	cpu_rq16_load(&g->rq, g->bias, c0, &q);
	for (i = 0; i < cnt; i++)
		cpu_rq16_store(&q, acc[i], g->y + (size_t)(r + i) * g->n + c0, nc);
}

/* Row @i's four accumulators += weights (wl, wh) times lane @j of @x. */
#define K1_ROW(c, x, wl, wh, j) do { \
	(c)[0] = vmlal_lane_s16((c)[0], vget_low_s16(wl), x, j); \
	(c)[1] = vmlal_high_lane_s16((c)[1], wl, x, j); \
	(c)[2] = vmlal_lane_s16((c)[2], vget_low_s16(wh), x, j); \
	(c)[3] = vmlal_high_lane_s16((c)[3], wh, x, j); \
} while (0)

/* Reduction step @j of four: the block's 16 weights, all four rows. */
#define K1_STEP(j) do { \
	int16x8_t wl = vld1q_s16(w + CPU_NR * (j)); \
	int16x8_t wh = vld1q_s16(w + CPU_NR * (j) + 8); \
	K1_ROW(acc[0], x0, wl, wh, j); \
	K1_ROW(acc[1], x1, wl, wh, j); \
	K1_ROW(acc[2], x2, wl, wh, j); \
	K1_ROW(acc[3], x3, wl, wh, j); \
} while (0)

/* A CPU_GEMM_MR x CPU_NR tile: int16 rows in @a, channel block @blk. */
static void gemm_tile_neon(const struct cpu_gemm *g, const int16_t *a,
			   uint32_t blk, uint32_t r, uint32_t cnt)
{
	const int16_t *w = g->w + (size_t)blk * g->kpad * CPU_NR;
	int32x4_t acc[CPU_GEMM_MR][4];
	uint32_t p, i, v;

	for (i = 0; i < CPU_GEMM_MR; i++)
		for (v = 0; v < 4; v++)
			acc[i][v] = vdupq_n_s32(0);
	for (p = 0; p < g->kpad; p += 4, w += 4 * CPU_NR) {
		int16x4_t x0 = vld1_s16(a + p);
		int16x4_t x1 = vld1_s16(a + g->kpad + p);
		int16x4_t x2 = vld1_s16(a + 2 * (size_t)g->kpad + p);
		int16x4_t x3 = vld1_s16(a + 3 * (size_t)g->kpad + p);

		K1_STEP(0);
		K1_STEP(1);
		K1_STEP(2);
		K1_STEP(3);
	}
	gemm_store_neon(g, blk, r, cnt, acc);
}

void edgenpu__cpu_gemm_run_neon(const struct cpu_gemm *g, uint32_t m0,
				uint32_t m1, uint32_t b0, uint32_t b1,
				void *work)
{
	int16_t *a = work;
	int8_t *tmp = (int8_t *)work + (size_t)CPU_GEMM_MR * g->kpad * 2;
	uint32_t r, blk;

	for (r = m0; r < m1; r += CPU_GEMM_MR) {
		uint32_t cnt = m1 - r < CPU_GEMM_MR ? m1 - r : CPU_GEMM_MR;

		gemm_rows16(g, r, cnt, a, tmp);
		for (blk = b0; blk < b1; blk++)
			gemm_tile_neon(g, a, blk, r, cnt);
	}
}

/*
 * Rows [r, r + cnt) as int8 in @a, CPU_GEMM_MR rows of kpad, gathered
 * there for a convolution; the padding columns and missing rows zero.
 */
static void gemm_rows8(const struct cpu_gemm *g, uint32_t r, uint32_t cnt,
		       int8_t *a)
{
	uint32_t i;

	for (i = 0; i < cnt; i++) {
		int8_t *d = a + (size_t)i * g->kpad;

		if (g->conv)
			edgenpu__cpu_gemm_gather(g, r + i, d);
		else
			memcpy(d, g->x + (size_t)(r + i) * g->k, g->k);
		memset(d + g->k, 0, g->kpad - g->k);
	}
	memset(a + (size_t)cnt * g->kpad, 0,
	       (size_t)(CPU_GEMM_MR - cnt) * g->kpad);
}

/*
 * Four reduction steps (group @j of the 16 in @x0..@x3): SDOT of the
 * four weight vectors (channels 4v..4v+3, four steps each) with lane @j,
 * that is steps 4j..4j+3, of each row.
 */
#define DOT_STEP(j) do { \
	int8x16_t w0 = vld1q_s8(w + 64 * (j)), w1 = vld1q_s8(w + 64 * (j) + 16); \
	int8x16_t w2 = vld1q_s8(w + 64 * (j) + 32), w3 = vld1q_s8(w + 64 * (j) + 48); \
	DOT_ROW(acc[0], x0, j); \
	DOT_ROW(acc[1], x1, j); \
	DOT_ROW(acc[2], x2, j); \
	DOT_ROW(acc[3], x3, j); \
} while (0)

#define DOT_ROW(c, x, j) do { \
	(c)[0] = vdotq_laneq_s32((c)[0], w0, x, j); \
	(c)[1] = vdotq_laneq_s32((c)[1], w1, x, j); \
	(c)[2] = vdotq_laneq_s32((c)[2], w2, x, j); \
	(c)[3] = vdotq_laneq_s32((c)[3], w3, x, j); \
} while (0)

/* A CPU_GEMM_MR x CPU_NR tile: int8 rows in @a, channel block @blk. */
__attribute__((target("arch=armv8.2-a+dotprod")))
static void gemm_tile_dot(const struct cpu_gemm *g, const int8_t *a,
			  uint32_t blk, uint32_t r, uint32_t cnt)
{
	const int8_t *w = g->w8 + (size_t)blk * g->kpad * CPU_NR;
	int32x4_t acc[CPU_GEMM_MR][4];
	uint32_t p, i, v;

	for (i = 0; i < CPU_GEMM_MR; i++)
		for (v = 0; v < 4; v++)
			acc[i][v] = vdupq_n_s32(0);
	for (p = 0; p < g->kpad; p += 16, w += 16 * CPU_NR) {
		int8x16_t x0 = vld1q_s8(a + p);
		int8x16_t x1 = vld1q_s8(a + g->kpad + p);
		int8x16_t x2 = vld1q_s8(a + 2 * (size_t)g->kpad + p);
		int8x16_t x3 = vld1q_s8(a + 3 * (size_t)g->kpad + p);

		DOT_STEP(0);
		DOT_STEP(1);
		DOT_STEP(2);
		DOT_STEP(3);
	}
	gemm_store_neon(g, blk, r, cnt, acc);
}

__attribute__((target("arch=armv8.2-a+dotprod")))
void edgenpu__cpu_gemm_run_dot(const struct cpu_gemm *g, uint32_t m0,
			       uint32_t m1, uint32_t b0, uint32_t b1,
			       void *work)
{
	uint32_t r, blk;

	for (r = m0; r < m1; r += CPU_GEMM_MR) {
		uint32_t cnt = m1 - r < CPU_GEMM_MR ? m1 - r : CPU_GEMM_MR;

		gemm_rows8(g, r, cnt, work);
		for (blk = b0; blk < b1; blk++)
			gemm_tile_dot(g, work, blk, r, cnt);
	}
}
#endif
