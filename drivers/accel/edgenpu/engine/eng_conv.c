// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * edgenpu engine: CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED.
 *
 * Results are those of TensorFlow Lite's reference ConvPerChannel,
 * DepthwiseConvPerChannel and FullyConnected: an exact int32 sum of
 * (x - zp_x) * (w - zp_w) over the taps inside the image, plus the bias,
 * requantized with MultiplyByQuantizedMultiplier and clamped.
 *
 * Speed comes from how the exact sum is organised. Convolution and
 * fully-connected layers become dot products of contiguous int8 rows
 * (OHWI weights keep the reduction contiguous). The inner loop multiplies
 * u = x + 128 (an unsigned byte) by w, which compilers map to unsigned x
 * signed byte dot-product instructions, and the offsets are added back
 * afterwards:
 *
 *   sum((x + xoff) * (w + woff)) = sum(u * w) + (xoff - 128) * sum(w)
 *                                + woff * (sum(x) + K * xoff)
 *
 * Padding taps are materialised as x = zp_x in the im2col rows, where
 * they contribute exactly zero. Every intermediate stays within int32
 * because the validator bounds K by EDGENPU_CMD_MAX_REDUCTION.
 *
 * Preemption points (eng_tick()) sit between microkernel calls, never in
 * them: a reduction longer than ENG_KC is cut into pieces whose exact
 * partial sums are added, so no stretch of work between two ticks
 * exceeds about ENG_TICK_UNITS multiply-accumulates for any valid shape.
 */
#include "eng_internal.h"

struct eng_gemm {
	struct eng_op *op;	/* for eng_tick() */
	const s8 *w;		/* [n][k] weights of this group */
	const s32 *bias;	/* [n] or NULL */
	const s32 *pc_mult;	/* [n] per-channel or NULL */
	const s32 *pc_shift;
	const s32 *corr;	/* [n] (xoff - 128) * sum(w row) + bias */
	u32 k;
	u32 n;
	s32 xoff;
	s32 woff;
	s32 mult;
	s32 shift;
	s32 zo;
	s32 lo;
	s32 hi;
};

/* acc[4 * i + j] = sum over k of (u8)(x_i ^ 0x80) * w_j */
ENG_HOT
static void eng_dot4x4(const s8 *restrict x0, const s8 *restrict x1,
		       const s8 *restrict x2, const s8 *restrict x3,
		       const s8 *restrict w0, const s8 *restrict w1,
		       const s8 *restrict w2, const s8 *restrict w3,
		       u32 k, s32 *restrict acc)
{
	s32 a00 = 0, a01 = 0, a02 = 0, a03 = 0;
	s32 a10 = 0, a11 = 0, a12 = 0, a13 = 0;
	s32 a20 = 0, a21 = 0, a22 = 0, a23 = 0;
	s32 a30 = 0, a31 = 0, a32 = 0, a33 = 0;
	u32 i;

	for (i = 0; i < k; i++) {
		s32 u0 = (u8)(x0[i] ^ 0x80), u1 = (u8)(x1[i] ^ 0x80);
		s32 u2 = (u8)(x2[i] ^ 0x80), u3 = (u8)(x3[i] ^ 0x80);
		s32 v0 = w0[i], v1 = w1[i], v2 = w2[i], v3 = w3[i];

		a00 += u0 * v0;
		a01 += u0 * v1;
		a02 += u0 * v2;
		a03 += u0 * v3;
		a10 += u1 * v0;
		a11 += u1 * v1;
		a12 += u1 * v2;
		a13 += u1 * v3;
		a20 += u2 * v0;
		a21 += u2 * v1;
		a22 += u2 * v2;
		a23 += u2 * v3;
		a30 += u3 * v0;
		a31 += u3 * v1;
		a32 += u3 * v2;
		a33 += u3 * v3;
	}
	acc[0] = a00;
	acc[1] = a01;
	acc[2] = a02;
	acc[3] = a03;
	acc[4] = a10;
	acc[5] = a11;
	acc[6] = a12;
	acc[7] = a13;
	acc[8] = a20;
	acc[9] = a21;
	acc[10] = a22;
	acc[11] = a23;
	acc[12] = a30;
	acc[13] = a31;
	acc[14] = a32;
	acc[15] = a33;
}

static s32 eng_row_sum(const s8 *x, u32 k)
{
	s32 s = 0;
	u32 i;

	for (i = 0; i < k; i++)
		s += x[i];
	return s;
}

/* corr[j] = (xoff - 128) * sum(w[j][*]) + bias[j], see the top comment. */
static int eng_corrections(struct eng_op *op, const s8 *w, const s32 *bias,
			   u32 n, u32 k, s32 xoff, s32 *corr)
{
	u32 j;

	for (j = 0; j < n; j++) {
		s32 c = (xoff - 128) * eng_row_sum(w + (size_t)j * k, k);

		corr[j] = bias ? eng_wadd(c, bias[j]) : c;
		if (eng_tick(op, k))
			return -ECANCELED;
	}
	return 0;
}

/*
 * Requantize n accumulators (plus per-channel corr[] and a per-row term)
 * into int8. Written branch-free over arrays so that it vectorizes; the
 * per-channel shifts are clamped because they live in a shared buffer.
 */
ENG_HOT
static void eng_requant_row(const s32 *restrict acc, const s32 *restrict corr,
			    s32 rowterm, const s32 *restrict pm,
			    const s32 *restrict ps, s32 m0, s32 s0, u32 n,
			    s32 zp, s32 lo, s32 hi, s8 *restrict out)
{
	u32 j;

	for (j = 0; j < n; j++) {
		s32 m = pm ? pm[j] : m0;
		s32 s = ps ? ps[j] : s0;
		s32 x = (s32)((u32)acc[j] + (u32)(corr ? corr[j] : 0) +
			      (u32)rowterm);
		s32 left, right, xl, hi32, mask, rem, thr, r;
		s64 ab;

		s = s < -31 ? -31 : (s > 30 ? 30 : s);
		left = s > 0 ? s : 0;
		right = s > 0 ? 0 : -s;
		xl = (s32)((u32)x << left);
		ab = (s64)xl * (s64)m;
		ab += ab >= 0 ? (1 << 30) : (1 - (1 << 30));
		ab += ab < 0 ? ((s64)1 << 31) - 1 : 0;
		hi32 = (s32)(ab >> 31);
		hi32 = (xl == m && xl == ENG_S32_MIN) ? ENG_S32_MAX : hi32;
		mask = (s32)(((u32)1 << right) - 1);
		rem = hi32 & mask;
		thr = (mask >> 1) + (hi32 < 0 ? 1 : 0);
		r = (hi32 >> right) + (rem > thr ? 1 : 0);
		r = (s32)((u32)r + (u32)zp);
		out[j] = (s8)(r < lo ? lo : (r > hi ? hi : r));
	}
}

/*
 * One eng_dot4x4() call does 16 * k multiply-accumulates: up to ENG_KC,
 * that is at most ENG_TICK_UNITS.
 */
#define ENG_KC		(ENG_TICK_UNITS / 16)

/*
 * 4 x 4 dot products of rows gw->x[] and weight rows gw->w[], a reduction
 * longer than ENG_KC, in pieces of ENG_KC with a tick after each, into
 * acc[i * ENG_NB + jj].
 */
ENG_HOT
static int eng_dot4x4_long(const struct eng_gemm *g, struct eng_gemm_work *gw,
			   s32 *acc)
{
	const s8 *const *r = gw->x, *const *w = gw->w;
	u32 kk, kc, i, jj;

	for (kk = 0; kk < g->k; kk += kc) {
		kc = g->k - kk < ENG_KC ? g->k - kk : ENG_KC;
		eng_dot4x4(r[0] + kk, r[1] + kk, r[2] + kk, r[3] + kk,
			   w[0] + kk, w[1] + kk, w[2] + kk, w[3] + kk, kc,
			   gw->blk);
		/* Exact partial sums: their total is the int32-safe sum. */
		for (i = 0; i < ENG_CONV_MR; i++)
			for (jj = 0; jj < 4; jj++)
				acc[i * ENG_NB + jj] = kk ?
					eng_wadd(acc[i * ENG_NB + jj],
						 gw->blk[4 * i + jj]) :
					gw->blk[4 * i + jj];
		if (eng_tick(g->op, 16ull * kc))
			return -ECANCELED;
	}
	return 0;
}

/*
 * Output rows x[0..nrows-1] (each g->k int8) times all g->n weight rows,
 * requantized into out[i][0..n-1]. acc is a 4 x ENG_NB work buffer.
 * The multiply-accumulates done since the last tick are counted in a
 * local variable: a tick comes before they would exceed ENG_TICK_UNITS.
 */
ENG_HOT
static int eng_gemm_rows(const struct eng_gemm *g, u32 nrows,
			 struct eng_gemm_work *gw)
{
	const s8 *r0, *r1, *r2, *r3, *w0, *w1, *w2, *w3;
	u64 per_call = 16ull * g->k, done = 0;
	bool long_k = g->k > ENG_KC;
	u32 i, j, jj, j0;

	for (i = 0; i < ENG_CONV_MR; i++) {
		gw->rowterm[i] = 0;
		if (g->woff && i < nrows)
			gw->rowterm[i] = g->woff *
				eng_wadd(eng_row_sum(gw->x[i], g->k),
					 (s32)((u32)g->k * (u32)g->xoff));
	}
	if (g->woff && eng_tick(g->op, (u64)nrows * g->k))
		return -ECANCELED;
	/* Missing rows repeat the last one; their results are dropped. */
	for (i = nrows; i < ENG_CONV_MR; i++)
		gw->x[i] = gw->x[nrows - 1];
	r0 = gw->x[0];
	r1 = gw->x[1];
	r2 = gw->x[2];
	r3 = gw->x[3];
	for (j0 = 0; j0 < g->n; j0 += ENG_NB) {
		u32 nb = g->n - j0 < ENG_NB ? g->n - j0 : ENG_NB;

		for (j = 0; j < nb; j += 4) {
			u32 last = g->n - 1, oc = j0 + j;

			w0 = g->w + (size_t)oc * g->k;
			w1 = g->w + (size_t)(oc + 1 <= last ? oc + 1 : last) * g->k;
			w2 = g->w + (size_t)(oc + 2 <= last ? oc + 2 : last) * g->k;
			w3 = g->w + (size_t)(oc + 3 <= last ? oc + 3 : last) * g->k;
			if (long_k) {
				gw->w[0] = w0;
				gw->w[1] = w1;
				gw->w[2] = w2;
				gw->w[3] = w3;
				if (eng_dot4x4_long(g, gw, gw->acc + j))
					return -ECANCELED;
				continue;
			}
			eng_dot4x4(r0, r1, r2, r3, w0, w1, w2, w3, g->k,
				   gw->blk);
			for (i = 0; i < ENG_CONV_MR; i++)
				for (jj = 0; jj < 4; jj++)
					gw->acc[i * ENG_NB + j + jj] = gw->blk[4 * i + jj];
			done += per_call;
			if (done > ENG_TICK_UNITS - per_call) {
				if (eng_tick(g->op, done))
					return -ECANCELED;
				done = 0;
			}
		}
		for (i = 0; i < nrows; i++)
			eng_requant_row(gw->acc + i * ENG_NB, g->corr + j0,
					gw->rowterm[i],
					g->pc_mult ? g->pc_mult + j0 : NULL,
					g->pc_shift ? g->pc_shift + j0 : NULL,
					g->mult, g->shift, nb, g->zo, g->lo,
					g->hi, gw->out[i] + j0);
	}
	if (done && eng_tick(g->op, done))
		return -ECANCELED;
	return 0;
}

/*
 * Short-reduction variant: out[i][j] over 64-channel blocks, vectorized
 * over j, with (x + xoff) * w formed in 16 bits (|255 * 128| fits).
 * wt is the [k][npad] transpose of the weights; acc holds ENG_NB sums.
 */
ENG_HOT
static int eng_gemm_rows_nvec(const struct eng_gemm *g, const s8 *wt,
			      u32 npad, u32 nrows, struct eng_gemm_work *gw)
{
	s32 *restrict acc = gw->acc;
	u64 units = (u64)g->n * g->k;
	bool per_row = units > ENG_TICK_UNITS / ENG_CONV_MR;
	u32 i, j, j0, kk;

	for (i = 0; i < nrows; i++) {
		const s8 *x = gw->x[i];

		/* At most 65536 multiply-accumulates per row (see nvec_bytes). */
		if (per_row && eng_tick(g->op, units))
			return -ECANCELED;
		for (j0 = 0; j0 < g->n; j0 += ENG_NB) {
			u32 nb = g->n - j0 < ENG_NB ? g->n - j0 : ENG_NB;

			for (j = 0; j < ENG_NB; j++)
				acc[j] = 0;
			for (kk = 0; kk < g->k; kk++) {
				s16 xv = (s16)(x[kk] + g->xoff);
				const s8 *wr = wt + (size_t)kk * npad + j0;

				for (j = 0; j < ENG_NB; j++)
					acc[j] += (s16)(xv * wr[j]);
			}
			eng_requant_row(acc, g->bias ? g->bias + j0 : NULL, 0,
					g->pc_mult ? g->pc_mult + j0 : NULL,
					g->pc_shift ? g->pc_shift + j0 : NULL,
					g->mult, g->shift, nb, g->zo, g->lo,
					g->hi, gw->out[i] + j0);
		}
	}
	if (!per_row && eng_tick(g->op, units * nrows))
		return -ECANCELED;
	return 0;
}

/* wt[kk][j] = w[j][kk], zero-padded to npad columns. */
static void eng_transpose_weights(const s8 *w, u32 n, u32 k, u32 npad, s8 *wt)
{
	u32 j, kk;

	memset(wt, 0, (size_t)k * npad);
	for (j = 0; j < n; j++)
		for (kk = 0; kk < k; kk++)
			wt[(size_t)kk * npad + j] = w[(size_t)j * k + kk];
}

static int eng_gemm_any(const struct eng_gemm *g, const s8 *wt, u32 npad,
			u32 nrows, struct eng_gemm_work *gw)
{
	if (wt)
		return eng_gemm_rows_nvec(g, wt, npad, nrows, gw);
	return eng_gemm_rows(g, nrows, gw);
}

static void eng_gemm_setup(struct eng_gemm *g, struct eng_op *op, u32 k,
			   s32 *corr)
{
	const struct eng_tensor *in = &op->t[0], *f = &op->t[1];
	const struct eng_tensor *b = &op->t[2], *o = &op->t[3];
	bool pc = o->flags & EDGENPU_TENSOR_F_PER_CHANNEL;

	g->op = op;
	g->w = (const s8 *)f->base;
	g->bias = b->present ? (const s32 *)b->base : NULL;
	g->pc_mult = pc ? (const s32 *)op->t[4].base : NULL;
	g->pc_shift = pc ? (const s32 *)op->t[5].base : NULL;
	g->corr = corr;
	g->k = k;
	g->xoff = -in->zp;
	g->woff = -f->zp;
	g->mult = o->mult;
	g->shift = o->shift;
	g->zo = o->zp;
	g->lo = op->act_min;
	g->hi = op->act_max;
}

/* Narrow a gemm set up for the whole op to channels [oc0, oc0 + n). */
static void eng_gemm_group(struct eng_gemm *g, u32 oc0, u32 n)
{
	g->w += (size_t)oc0 * g->k;
	if (g->bias)
		g->bias += oc0;
	if (g->pc_mult)
		g->pc_mult += oc0;
	if (g->pc_shift)
		g->pc_shift += oc0;
	g->corr += oc0;
	g->n = n;
}

/* Work area layout: corr[OC], acc[MR][NB], then ENG_CONV_MR im2col rows. */
static bool eng_work_fits(const struct eng_op *op, u64 need)
{
	return need <= op->work_size;
}

/* Gather the receptive field of output pixel (n, oy, ox) for one group. */
static void eng_im2col(const struct eng_op *op, u32 n, u32 oy, u32 ox,
		       u32 c0, u32 kin, s8 *row)
{
	const struct edgenpu_cmd_conv_params *p = &op->p.conv;
	const struct eng_tensor *in = &op->t[0], *f = &op->t[1];
	s64 iy0 = (s64)oy * p->stride_h - p->pad_top;
	s64 ix0 = (s64)ox * p->stride_w - p->pad_left;
	u32 ky, kx;

	for (ky = 0; ky < f->dims[1]; ky++) {
		s64 iy = iy0 + (s64)ky * p->dilation_h;

		for (kx = 0; kx < f->dims[2]; kx++) {
			s64 ix = ix0 + (s64)kx * p->dilation_w;

			if (iy < 0 || iy >= in->dims[1] || ix < 0 ||
			    ix >= in->dims[2])
				memset(row, (s8)in->zp, kin);
			else
				memcpy(row, eng_i8(in, n, (u32)iy, (u32)ix, c0),
				       kin);
			row += kin;
		}
	}
}

/*
 * Point gw at the input rows and the outputs of output pixels
 * [pix, pix + cnt) of batch n, group grp: the input itself for a direct
 * convolution, else im2col rows gathered at cols (kpad bytes apart).
 * Not inlined: eng_conv2d() must stay within the kernel's 512-byte
 * frames (KASAN builds).
 */
static ENG_NOINLINE int eng_conv_rows(struct eng_op *op,
				      struct eng_gemm_work *gw, u32 n, u32 grp,
				      u32 pix, u32 cnt, s8 *cols, u64 kpad)
{
	const struct edgenpu_cmd_conv_params *p = &op->p.conv;
	const struct eng_tensor *in = &op->t[0], *f = &op->t[1];
	const struct eng_tensor *o = &op->t[3];
	u32 kin = f->dims[3], ocg = o->dims[3] / (in->dims[3] / kin);
	u32 k = f->dims[1] * f->dims[2] * kin;
	bool direct = eng_conv_direct(op);
	u32 i;

	for (i = 0; i < cnt; i++) {
		u32 oy = (pix + i) / o->dims[2];
		u32 ox = (pix + i) % o->dims[2];
		s8 *row = cols + i * kpad;

		gw->out[i] = eng_i8(o, n, oy, ox, grp * ocg);
		if (direct) {
			gw->x[i] = eng_i8(in, n, oy * p->stride_h,
					  ox * p->stride_w, 0);
			continue;
		}
		eng_im2col(op, n, oy, ox, grp * kin, kin, row);
		gw->x[i] = row;
		/* Up to 32768 taps. */
		if (eng_tick(op, k))
			return -ECANCELED;
	}
	return 0;
}

/**
 * eng_conv2d() - CONV_2D, int8, per-tensor or per-channel
 * @op: validated op.
 *
 * Return: 0, -ECANCELED, or -EFAULT if the work area is smaller than
 * validated.
 */
int eng_conv2d(struct eng_op *op)
{
	const struct eng_tensor *in = &op->t[0], *f = &op->t[1];
	const struct eng_tensor *o = &op->t[3];
	u32 oc = o->dims[3], kin = f->dims[3];
	u32 groups = in->dims[3] / kin, ocg = oc / groups;
	u32 k = f->dims[1] * f->dims[2] * kin;
	u64 kpad = ((u64)k + 63) & ~63ull;
	u64 nvb = (eng_gemm_nvec_bytes(k, ocg, f->zp) + 63) & ~63ull;
	u64 wbytes = ENG_GEMM_WORK(oc) + nvb;
	u32 npad = (ocg + ENG_NB - 1) & ~(u32)(ENG_NB - 1);
	bool direct = eng_conv_direct(op);
	struct eng_gemm g;
	s32 *corr = (s32 *)op->work;
	struct eng_gemm_work *gw = (struct eng_gemm_work *)
		(op->work + ENG_GEMM_WORK(oc) - ENG_ACC_BYTES);
	s8 *wt = nvb ? (s8 *)op->work + ENG_GEMM_WORK(oc) : NULL;
	s8 *cols = (s8 *)op->work + wbytes;
	u32 n, grp, npix = o->dims[1] * o->dims[2];

	if (!eng_work_fits(op, wbytes + (direct ? 0 : ENG_CONV_MR * kpad)))
		return -EFAULT;
	eng_gemm_setup(&g, op, k, corr);
	if (eng_corrections(op, g.w, g.bias, oc, k, g.xoff, corr))
		return -ECANCELED;

	for (n = 0; n < o->dims[0]; n++) {
		for (grp = 0; grp < groups; grp++) {
			u32 pix;

			eng_gemm_setup(&g, op, k, corr);
			eng_gemm_group(&g, grp * ocg, ocg);
			if (wt) {
				eng_transpose_weights(g.w, ocg, k, npad, wt);
				if (eng_tick(op, (u64)k * npad))
					return -ECANCELED;
			}
			for (pix = 0; pix < npix; pix += ENG_CONV_MR) {
				u32 cnt = npix - pix < ENG_CONV_MR ?
					  npix - pix : ENG_CONV_MR;

				if (eng_conv_rows(op, gw, n, grp, pix, cnt, cols,
						  kpad) ||
				    eng_gemm_any(&g, wt, npad, cnt, gw))
					return -ECANCELED;
			}
		}
	}
	return 0;
}

/**
 * eng_fully_connected() - FULLY_CONNECTED, int8
 * @op: validated op.
 *
 * Return: 0, -ECANCELED, or -EFAULT if the work area is smaller than
 * validated.
 */
int eng_fully_connected(struct eng_op *op)
{
	const struct eng_tensor *in = &op->t[0], *f = &op->t[1];
	const struct eng_tensor *o = &op->t[3];
	u32 oc = f->dims[2], k = f->dims[3];
	u32 rows = in->dims[0] * in->dims[1] * in->dims[2];
	u64 nvb = (eng_gemm_nvec_bytes(k, oc, f->zp) + 63) & ~63ull;
	u32 npad = (oc + ENG_NB - 1) & ~(u32)(ENG_NB - 1);
	s32 *corr = (s32 *)op->work;
	struct eng_gemm_work *gw = (struct eng_gemm_work *)
		(op->work + ENG_GEMM_WORK(oc) - ENG_ACC_BYTES);
	s8 *wt = nvb ? (s8 *)op->work + ENG_GEMM_WORK(oc) : NULL;
	struct eng_gemm g;
	u32 r;

	if (!eng_work_fits(op, ENG_GEMM_WORK(oc) + nvb))
		return -EFAULT;
	eng_gemm_setup(&g, op, k, corr);
	if (eng_corrections(op, g.w, g.bias, oc, k, g.xoff, corr))
		return -ECANCELED;
	if (wt) {
		eng_transpose_weights(g.w, oc, k, npad, wt);
		if (eng_tick(op, (u64)k * npad))
			return -ECANCELED;
	}
	g.n = oc;
	for (r = 0; r < rows; r += ENG_CONV_MR) {
		u32 i, cnt = rows - r < ENG_CONV_MR ? rows - r : ENG_CONV_MR;

		for (i = 0; i < cnt; i++) {
			u32 ri = r + i;
			u32 w = ri % in->dims[2], h = (ri / in->dims[2]) % in->dims[1];
			u32 nn = ri / (in->dims[2] * in->dims[1]);
			u32 ow = ri % o->dims[2];
			u32 oh = (ri / o->dims[2]) % o->dims[1];
			u32 on = ri / (o->dims[2] * o->dims[1]);

			gw->x[i] = eng_i8(in, nn, h, w, 0);
			gw->out[i] = eng_i8(o, on, oh, ow, 0);
		}
		if (eng_gemm_any(&g, wt, npad, cnt, gw))
			return -ECANCELED;
	}
	return 0;
}

#define ENG_DW_BLOCK	64
/* Filter taps of one channel block between ticks. */
#define ENG_DW_TAPS	(ENG_TICK_UNITS / ENG_DW_BLOCK)

/*
 * One output pixel of a depthwise convolution, channels [c0, c0 + cnt).
 * Filters of more than ENG_DW_TAPS taps tick here, once per ENG_DW_TAPS
 * taps; the caller ticks for smaller ones.
 */
ENG_HOT
static int eng_dw_pixel(struct eng_op *op, u32 n, u32 oy, u32 ox, u32 c0,
			u32 cnt)
{
	const struct edgenpu_cmd_conv_params *p = &op->p.conv;
	const struct eng_tensor *in = &op->t[0], *f = &op->t[1];
	const struct eng_tensor *b = &op->t[2], *o = &op->t[3];
	bool pc = o->flags & EDGENPU_TENSOR_F_PER_CHANNEL;
	u32 dm = p->depth_multiplier, oc = o->dims[3], kh, kw, kw0, kw1, j;
	u32 fw = f->dims[2];
	bool big = f->dims[1] * fw > ENG_DW_TAPS;
	s64 iy0 = (s64)oy * p->stride_h - p->pad_top;
	s64 ix0 = (s64)ox * p->stride_w - p->pad_left;
	s16 xoff = (s16)-in->zp, woff = (s16)-f->zp;
	s32 *acc = (s32 *)op->work;
	s8 *po = eng_i8(o, n, oy, ox, 0);

	for (j = 0; j < ENG_DW_BLOCK; j++)
		acc[j] = 0;
	for (kh = 0; kh < f->dims[1]; kh++) {
		s64 iy = iy0 + (s64)kh * p->dilation_h;

		if (iy < 0 || iy >= in->dims[1])
			continue;
		for (kw0 = 0; kw0 < fw; kw0 = kw1) {
			kw1 = fw - kw0 > ENG_DW_TAPS ? kw0 + ENG_DW_TAPS : fw;
			for (kw = kw0; kw < kw1; kw++) {
				s64 ix = ix0 + (s64)kw * p->dilation_w;
				const s8 *x, *w;

				if (ix < 0 || ix >= in->dims[2])
					continue;
				x = eng_i8(in, n, (u32)iy, (u32)ix, 0);
				w = (const s8 *)f->base + ((size_t)kh * fw + kw) * oc;
				if (dm == 1 && woff == 0) {
					const s8 *xc = x + c0, *wc = w + c0;

					/* |x + xoff| <= 255, |w| <= 128: fits s16. */
					for (j = 0; j < cnt; j++)
						acc[j] += (s16)((s16)(xc[j] + xoff) * wc[j]);
				} else {
					for (j = 0; j < cnt; j++) {
						u32 c = c0 + j;

						acc[j] += (s32)(x[c / dm] + xoff) *
							  (s32)(w[c] + woff);
					}
				}
			}
			if (big && eng_tick(op, (u64)(kw1 - kw0) * cnt))
				return -ECANCELED;
		}
	}
	eng_requant_row(acc, b->present ? (const s32 *)b->base + c0 : NULL, 0,
			pc ? (const s32 *)op->t[4].base + c0 : NULL,
			pc ? (const s32 *)op->t[5].base + c0 : NULL,
			o->mult, o->shift, cnt, o->zp, op->act_min, op->act_max,
			po + c0);
	return 0;
}

/**
 * eng_depthwise() - DEPTHWISE_CONV_2D, int8, any depth multiplier
 * @op: validated op.
 *
 * Return: 0, -ECANCELED, or -EFAULT if the work area is smaller than
 * validated.
 */
int eng_depthwise(struct eng_op *op)
{
	const struct eng_tensor *f = &op->t[1], *o = &op->t[3];
	u32 taps = f->dims[1] * f->dims[2], n, oy, ox, c, cnt;
	u64 pixel = (u64)o->dims[3] * taps, done = 0;

	if (!eng_work_fits(op, ENG_DW_BLOCK * 4))
		return -EFAULT;
	for (n = 0; n < o->dims[0]; n++)
		for (oy = 0; oy < o->dims[1]; oy++)
			for (ox = 0; ox < o->dims[2]; ox++) {
				for (c = 0; c < o->dims[3]; c += cnt) {
					cnt = o->dims[3] - c < ENG_DW_BLOCK ?
					      o->dims[3] - c : ENG_DW_BLOCK;
					if (eng_dw_pixel(op, n, oy, ox, c, cnt))
						return -ECANCELED;
					if (taps > ENG_DW_TAPS)
						continue;
					/* Per pixel when it fits in a tick. */
					done += (u64)cnt * taps;
					if (pixel <= ENG_TICK_UNITS &&
					    c + cnt < o->dims[3])
						continue;
					if (eng_tick(op, done))
						return -ECANCELED;
					done = 0;
				}
			}
	return 0;
}
