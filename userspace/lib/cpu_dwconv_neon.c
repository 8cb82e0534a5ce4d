// SPDX-License-Identifier: MIT
/*
 * libedgenpu CPU kernels: 3x3 depthwise convolution (cpu_dwconv.h) on
 * arm64 NEON.
 *
 * Sixteen channels at a time, straight from the int8 weights as given
 * (@wpl): per tap, SMULL/SMULL2 give the 16 exact int8 x int8 products
 * in int16, and SADDW/SADDW2 add them into four int32x4 accumulators.
 * (Two taps' products are not summed in int16 first: -128 * -128 twice
 * is 32768, one past int16.) Channels past the last full block of 16
 * are done by one more block that ends at the last channel, overlapping
 * the one before: the overlapped channels get the same bytes again (the
 * output is never the input of a depthwise op: its 3x3 window reads
 * neighbours). With fewer than 16 channels, the portable path.
 */
#if defined(__aarch64__)
#include "cpu_dwconv.h"
#include "cpu_requant_neon.h"

/* Channels [c0, c0 + 16) of one pixel, with the block's @q. */
static void dw_block_neon(const struct cpu_dw *d, const int8_t *const *tp,
			  uint32_t c0, const struct cpu_rq16 *q, int8_t *y)
{
	int32x4_t acc[4] = { vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0),
			     vdupq_n_s32(0) };
	uint32_t t;

	for (t = 0; t < CPU_DW_TAPS; t++) {
		int8x16_t x = vld1q_s8(tp[t] + c0);
		int8x16_t w = vld1q_s8(d->wpl + (size_t)t * d->c + c0);
		int16x8_t lo = vmull_s8(vget_low_s8(x), vget_low_s8(w));
		int16x8_t hi = vmull_high_s8(x, w);

		acc[0] = vaddw_s16(acc[0], vget_low_s16(lo));
		acc[1] = vaddw_high_s16(acc[1], lo);
		acc[2] = vaddw_s16(acc[2], vget_low_s16(hi));
		acc[3] = vaddw_high_s16(acc[3], hi);
	}
	cpu_rq16_store(q, acc, y + c0, CPU_NR);
}

/*
 * Output row @r: the tap rows of every pixel first (in @tps), then block
 * by block, so that a block's bias and requantization are loaded once per
 * row; channels past the last full block as described above.
 */
static void dw_row_neon(const struct cpu_dw *d, uint32_t r,
			const int8_t **tps)
{
	uint32_t ox, c0;
	int8_t *y = d->y + (size_t)r * d->ow * d->c;
	struct cpu_rq16 q;

	for (ox = 0; ox < d->ow; ox++)
		edgenpu__cpu_dw_taps(d, r / d->oh, r % d->oh, ox,
				     tps + (size_t)ox * CPU_DW_TAPS);
	for (c0 = 0; c0 < d->c && d->c >= CPU_NR; c0 += CPU_NR) {
		if (c0 + CPU_NR > d->c)
			c0 = d->c - CPU_NR;	/* the overlapping last block */
		cpu_rq16_load(&d->rq, d->bias, c0, &q);
		for (ox = 0; ox < d->ow; ox++)
			dw_block_neon(d, tps + (size_t)ox * CPU_DW_TAPS, c0, &q,
				      y + (size_t)ox * d->c);
	}
	for (ox = 0; d->c < CPU_NR && ox < d->ow; ox++)
		edgenpu__cpu_dw_pixel_c(d, tps + (size_t)ox * CPU_DW_TAPS, 0,
					y + (size_t)ox * d->c);
}

void edgenpu__cpu_dw_run_neon(const struct cpu_dw *d, uint32_t r0,
			      uint32_t r1, void *work)
{
	uint32_t r;

	for (r = r0; r < r1; r++)
		dw_row_neon(d, r, work);
}
#endif
