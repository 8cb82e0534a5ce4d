// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * edgenpu engine: AVERAGE_POOL_2D, MAX_POOL_2D and MEAN over H and W, as
 * TensorFlow Lite's int8 reference kernels compute them.
 */
#include "eng_internal.h"

struct eng_win {
	u32 y0, y1, x0, x1;
};

/* Window of output (oy, ox) clipped to the input; padding never counts. */
static void eng_pool_window(const struct eng_op *op, u32 oy, u32 ox,
			    struct eng_win *w)
{
	const struct edgenpu_cmd_pool_params *p = &op->p.pool;
	const struct eng_tensor *in = &op->t[0];
	s64 ys = (s64)oy * p->stride_h - p->pad_top;
	s64 xs = (s64)ox * p->stride_w - p->pad_left;
	s64 ye = ys + p->filter_h, xe = xs + p->filter_w;

	w->y0 = ys < 0 ? 0 : (u32)ys;
	w->x0 = xs < 0 ? 0 : (u32)xs;
	w->y1 = ye > in->dims[1] ? in->dims[1] : (u32)ye;
	w->x1 = xe > in->dims[2] ? in->dims[2] : (u32)xe;
}

/* One output value: average (TFLite rounding) or maximum of a window. */
static s32 eng_pool_one(const struct eng_tensor *in, const struct eng_win *w,
			u32 n, u32 c, bool avg)
{
	s32 acc = avg ? 0 : -128;
	s32 count = (s32)((w->y1 - w->y0) * (w->x1 - w->x0));
	u32 y, x;

	for (y = w->y0; y < w->y1; y++)
		for (x = w->x0; x < w->x1; x++) {
			s32 v = *eng_i8(in, n, y, x, c);

			if (avg)
				acc += v;
			else if (v > acc)
				acc = v;
		}
	if (avg)
		acc = acc > 0 ? (acc + count / 2) / count :
		      (acc - count / 2) / count;
	return acc;
}

/*
 * A window costs its full filter_h * filter_w units (at most 65536):
 * ticks come after every piece of at most ENG_TICK_UNITS / window
 * channels of a pixel.
 */
static int eng_pool(struct eng_op *op, bool avg)
{
	const struct eng_tensor *in = &op->t[0], *o = &op->t[1];
	u32 win = op->p.pool.filter_h * op->p.pool.filter_w;
	u32 step = ENG_TICK_UNITS / win, n, oy, ox, c, c0, c1;
	struct eng_win w;

	for (n = 0; n < o->dims[0]; n++)
		for (oy = 0; oy < o->dims[1]; oy++)
			for (ox = 0; ox < o->dims[2]; ox++) {
				s8 *po = eng_i8(o, n, oy, ox, 0);

				eng_pool_window(op, oy, ox, &w);
				if (w.y0 >= w.y1 || w.x0 >= w.x1)
					return -EFAULT;
				for (c0 = 0; c0 < o->dims[3]; c0 = c1) {
					c1 = o->dims[3] - c0 > step ? c0 + step :
					     o->dims[3];
					for (c = c0; c < c1; c++)
						po[c] = (s8)eng_clamp(eng_pool_one(in, &w, n, c,
										   avg),
								      op->act_min,
								      op->act_max);
					if (eng_tick(op, (u64)(c1 - c0) * win))
						return -ECANCELED;
				}
			}
	return 0;
}

/**
 * eng_avg_pool() - AVERAGE_POOL_2D, int8
 * @op: validated op.
 *
 * Return: 0, -ECANCELED, or -EFAULT on an empty window (excluded by the
 * validator).
 */
int eng_avg_pool(struct eng_op *op)
{
	return eng_pool(op, true);
}

/**
 * eng_max_pool() - MAX_POOL_2D, int8
 * @op: validated op.
 *
 * Return: 0, -ECANCELED, or -EFAULT on an empty window (excluded by the
 * validator).
 */
int eng_max_pool(struct eng_op *op)
{
	return eng_pool(op, false);
}

/**
 * eng_mean() - MEAN over H and W with kept dimensions, int8
 * @op: validated op.
 *
 * One cost unit per input element: a tick per channel, or per piece of a
 * row when H * W is above ENG_TICK_UNITS.
 *
 * Return: 0 or -ECANCELED.
 */
int eng_mean(struct eng_op *op)
{
	const struct eng_tensor *in = &op->t[0], *o = &op->t[1];
	s32 count = (s32)(in->dims[1] * in->dims[2]);
	bool big = (u32)count > ENG_TICK_UNITS;
	u32 n, c, y, x, x0, x1, wd = in->dims[2];

	for (n = 0; n < o->dims[0]; n++)
		for (c = 0; c < o->dims[3]; c++) {
			s32 acc = 0;

			for (y = 0; y < in->dims[1]; y++)
				for (x0 = 0; x0 < wd; x0 = x1) {
					x1 = wd - x0 > ENG_TICK_UNITS ?
					     x0 + ENG_TICK_UNITS : wd;
					for (x = x0; x < x1; x++)
						acc += *eng_i8(in, n, y, x, c) - in->zp;
					if (big && eng_tick(op, x1 - x0))
						return -ECANCELED;
				}
			if (!big && eng_tick(op, (u32)count))
				return -ECANCELED;
			acc = eng_mbqm(acc, o->mult, o->shift);
			acc = acc > 0 ? (acc + count / 2) / count :
			      (acc - count / 2) / count;
			acc = eng_clamp(eng_wadd(acc, o->zp), -128, 127);
			*eng_i8(o, n, 0, 0, c) = (s8)acc;
		}
	return 0;
}
