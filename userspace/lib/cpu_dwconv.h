/* SPDX-License-Identifier: MIT */
/*
 * libedgenpu CPU kernels: DEPTHWISE_CONV_2D with a 3x3 filter, depth
 * multiplier 1, no dilation, any stride.
 *
 * Taps that fall in the padding read a row of input zero points instead
 * of being skipped, so every output pixel sums all nine taps; the input
 * zero point is folded into bias' = bias - zp_x * sum of the nine weights
 * (wrapping). That is the engine's sum of (x - zp_x) * w over the taps
 * inside the image, modulo 2^32, hence the same bytes after
 * requantization.
 */
#ifndef EDGENPU_CPU_DWCONV_H
#define EDGENPU_CPU_DWCONV_H

#include <stddef.h>
#include <stdint.h>

#include "cpu_requant.h"

#define CPU_DW_TAPS	9

/*
 * struct cpu_dw - one prepared depthwise op, dense NHWC tensors
 * @n: batch.
 * @ih: input height.
 * @iw: input width.
 * @c: channels.
 * @oh: output height.
 * @ow: output width.
 * @sh: vertical stride.
 * @sw: horizontal stride.
 * @pt: top padding.
 * @pl: left padding.
 * @x: input.
 * @y: output.
 * @wpk: weights for the AVX2 kernel: per 16-channel block, five tap pairs
 *	of two vectors, laid out as vpunpck{l,h}wd interleave them.
 * @wpl: weights as given, [tap][c].
 * @bias: folded bias, padded to CPU_NR.
 * @zrow: @c input zero points (padded to CPU_NR), the padding taps' row.
 * @rq: requantization.
 */
struct cpu_dw {
	uint32_t n, ih, iw, c, oh, ow, sh, sw, pt, pl;
	const int8_t *x;
	int8_t *y;
	int16_t *wpk;
	int8_t *wpl;
	int32_t *bias;
	int8_t *zrow;
	struct cpu_rq rq;
};

/*
 * Pack @w ([3][3][c] int8, zero point 0) and fold @bias (may be NULL) with
 * the input zero point @zpx into @d, whose shape fields, x and y are set.
 * 0 or -ENOMEM.
 */
int edgenpu__cpu_dw_pack(struct cpu_dw *d, const int8_t *w,
			 const int32_t *bias, int32_t zpx);
void edgenpu__cpu_dw_free(struct cpu_dw *d);

/* Work bytes a run needs: the tap rows of one output row's pixels. */
static inline size_t cpu_dw_work_size(const struct cpu_dw *d)
{
	return (size_t)d->ow * CPU_DW_TAPS * sizeof(const int8_t *);
}

/* The nine tap rows of output pixel (b, oy, ox): input or zero points. */
void edgenpu__cpu_dw_taps(const struct cpu_dw *d, uint32_t b, uint32_t oy,
			  uint32_t ox, const int8_t **tp);
/* Channels [c0, c) of one pixel, portable, CPU_NR at a time. */
void edgenpu__cpu_dw_pixel_c(const struct cpu_dw *d, const int8_t *const *tp,
			     uint32_t c0, int8_t *y);

/*
 * Output rows [r0, r1) of the n * oh rows, with @work of
 * cpu_dw_work_size() bytes: portable, AVX2 and NEON kernels.
 */
void edgenpu__cpu_dw_run_c(const struct cpu_dw *d, uint32_t r0, uint32_t r1,
			   void *work);
#if defined(__x86_64__)
void edgenpu__cpu_dw_run_avx2(const struct cpu_dw *d, uint32_t r0,
			      uint32_t r1, void *work);
#endif
#if defined(__aarch64__)
void edgenpu__cpu_dw_run_neon(const struct cpu_dw *d, uint32_t r0,
			      uint32_t r1, void *work);
#endif

#endif /* EDGENPU_CPU_DWCONV_H */
