/* SPDX-License-Identifier: MIT */
/*
 * libedgenpu CPU kernels: int8 GEMM for FULLY_CONNECTED and 1x1 stride-1
 * CONV_2D, y[m][n] = requant(sum_k x[m][k] * w[n][k] + bias'[n]).
 *
 * Weights are packed once: blocks of CPU_NR output channels, and inside a
 * block, for each pair of reduction steps, the two int16 weights of every
 * channel side by side, which is what a multiply-add of int16 pairs into
 * int32 (vpmaddwd) consumes. Sign-extending int8 to int16 keeps every
 * product and every pair sum exact. The input zero point is folded into
 * bias' = bias - zp_x * sum_k w[n][k] (wrapping, like the engine's own
 * int32 arithmetic), so the run only sums x * w.
 *
 * That is the layout of the portable and AVX2 kernels (CPU_GEMM_PAIRS).
 * The arm64 kernels take their own, chosen when the plan packs the op
 * for its kernel set: NEON multiplies int16 vectors of channels by one
 * int16 input (SMLAL by lane), so it keeps, for each reduction step, the
 * CPU_NR int16 weights of the block side by side (CPU_GEMM_K1); the
 * dot-product kernel (SDOT by lane) sums four int8 products into each
 * int32 lane, so it keeps, for each group of four steps, the four int8
 * weights of every channel of the block side by side (CPU_GEMM_K4).
 */
#ifndef EDGENPU_CPU_GEMM_H
#define EDGENPU_CPU_GEMM_H

#include <stddef.h>
#include <stdint.h>

#include "cpu_requant.h"

/*
 * struct cpu_conv - a CONV_2D's rows, gathered at run time (im2col)
 * @ih: input height.
 * @iw: input width.
 * @ic: input channels.
 * @oh: output height.
 * @ow: output width.
 * @kh: filter height.
 * @kw: filter width.
 * @sh: vertical stride.
 * @sw: horizontal stride.
 * @dh: vertical dilation.
 * @dw: horizontal dilation.
 * @pt: top padding.
 * @pl: left padding.
 * @zp: input zero point: the value of padding taps, which then add
 *	exactly what the folded bias takes away.
 */
struct cpu_conv {
	uint32_t ih, iw, ic, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl;
	int32_t zp;
};

/* The packed weight layouts (above). */
enum cpu_gemm_layout {
	CPU_GEMM_PAIRS = 0,
	CPU_GEMM_K1 = 1,
	CPU_GEMM_K4 = 2,
};

/*
 * struct cpu_gemm - one packed GEMM op
 * @m: rows (output pixels).
 * @k: reduction length.
 * @n: output channels.
 * @kpad: @k rounded up to even (CPU_GEMM_PAIRS), to 4 (CPU_GEMM_K1) or
 *	to 16 (CPU_GEMM_K4), the zero-padded reduction the kernels run.
 * @x: the input rows, @k int8 apart; with @conv, the NHWC input.
 * @y: the output rows, @n int8 apart.
 * @layout: the layout of the packed weights.
 * @w: packed weights, @kpad * (@n rounded up to CPU_NR) int16 (PAIRS, K1).
 * @w8: packed weights, @kpad * (@n rounded up to CPU_NR) int8 (K4).
 * @w8p: in layout PAIRS, when @m is below CPU_GEMM_MR (a FULLY_CONNECTED
 *	of batch 1 to 3), the weights of @w also as int8, else NULL: such an
 *	op reads every weight once per run and no row shares the load, so
 *	its speed is the bytes it streams, and the AVX2 kernel widens them
 *	in registers instead.
 * @bias: folded bias per channel, padded to CPU_NR.
 * @rq: requantization.
 * @conv: when set, row r is the receptive field of output pixel r of
 *	the convolution @cv.
 * @cv: see @conv.
 */
struct cpu_gemm {
	uint32_t m, k, n, kpad;
	const int8_t *x;
	int8_t *y;
	enum cpu_gemm_layout layout;
	int16_t *w;
	int8_t *w8;
	int8_t *w8p;
	int32_t *bias;
	struct cpu_rq rq;
	int conv;
	struct cpu_conv cv;
};

/*
 * Pack @w ([n][k] int8, zero point 0) in @layout and fold @bias (may be
 * NULL) with the input zero point @zpx into @g, whose m, k, n, x, y are
 * set. 0 or -ENOMEM.
 */
int edgenpu__cpu_gemm_pack(struct cpu_gemm *g, const int8_t *w,
			   const int32_t *bias, int32_t zpx,
			   enum cpu_gemm_layout layout);
void edgenpu__cpu_gemm_free(struct cpu_gemm *g);

/*
 * Rows per tile of the kernels, and the most rows the AVX2 kernel widens
 * at once: it then runs every channel block of its range over all of
 * them, so that a block's weights are read from L1 once per chunk rather
 * than once per tile (MobileNet v2's last convolutions have 0.8 MB of
 * packed weights, more than a core's L2).
 */
#define CPU_GEMM_MR	4
#define CPU_GEMM_MC_MAX	32

/* Rows of a chunk: at most 64 KiB of widened rows, whole tiles. */
static inline uint32_t cpu_gemm_chunk_rows(const struct cpu_gemm *g)
{
	uint32_t rows = 32768 / (g->kpad ? g->kpad : 1);

	rows = rows / CPU_GEMM_MR * CPU_GEMM_MR;
	if (rows < CPU_GEMM_MR)
		return CPU_GEMM_MR;
	return rows > CPU_GEMM_MC_MAX ? CPU_GEMM_MC_MAX : rows;
}

/* Channel blocks of CPU_NR of @g (the last may be partial). */
static inline uint32_t cpu_gemm_blocks(const struct cpu_gemm *g)
{
	return (g->n + CPU_NR - 1) / CPU_NR;
}

/*
 * Work bytes a run needs: a chunk of rows widened to int16 (AVX2; NEON
 * uses CPU_GEMM_MR of them), then CPU_GEMM_MR int8 rows for gathered
 * receptive fields (portable, NEON) or the int8 rows themselves (dot
 * product).
 */
static inline size_t cpu_gemm_work_size(const struct cpu_gemm *g)
{
	return (size_t)cpu_gemm_chunk_rows(g) * g->kpad * sizeof(int16_t) +
	       (size_t)CPU_GEMM_MR * g->kpad;
}

/* The receptive field of output pixel @r of a convolution, in @row (k int8). */
void edgenpu__cpu_gemm_gather(const struct cpu_gemm *g, uint32_t r,
			      int8_t *row);

/*
 * Rows [m0, m1), channel blocks [b0, b1) of @g, with @work of
 * cpu_gemm_work_size() bytes: the portable kernel, the AVX2 one (layout
 * PAIRS), the NEON one (K1) and the dot-product one (K4; CPUs with the
 * armv8.2 dot product only). The pool splits an op by rows, or by channel
 * blocks when it has few rows (each participant then reads only its
 * share of the weights); either way every output is computed as by one
 * thread.
 */
void edgenpu__cpu_gemm_run_c(const struct cpu_gemm *g, uint32_t m0,
			     uint32_t m1, uint32_t b0, uint32_t b1,
			     void *work);
#if defined(__x86_64__)
void edgenpu__cpu_gemm_run_avx2(const struct cpu_gemm *g, uint32_t m0,
				uint32_t m1, uint32_t b0, uint32_t b1,
				void *work);
#endif
#if defined(__aarch64__)
void edgenpu__cpu_gemm_run_neon(const struct cpu_gemm *g, uint32_t m0,
				uint32_t m1, uint32_t b0, uint32_t b1,
				void *work);
void edgenpu__cpu_gemm_run_dot(const struct cpu_gemm *g, uint32_t m0,
			       uint32_t m1, uint32_t b0, uint32_t b1,
			       void *work);
#endif

#endif /* EDGENPU_CPU_GEMM_H */
