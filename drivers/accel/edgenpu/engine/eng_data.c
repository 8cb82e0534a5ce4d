// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * edgenpu engine: data movement ops (RESHAPE, CONCATENATION, PAD,
 * TRANSPOSE). They work on any element size and on strided views.
 *
 * Every element moved costs ENG_COST_MOVE units; the loops count the
 * elements in a local variable and tick once per ENG_MOVE_PIECE of them.
 */
#include "eng_internal.h"

#define ENG_MOVE_PIECE	(ENG_TICK_UNITS / ENG_COST_MOVE)

/* After @n more elements moved: tick once a piece's worth is done. */
static int eng_moved(struct eng_op *op, u32 *moved, u32 n)
{
	*moved += n;
	if (likely(*moved < ENG_MOVE_PIECE))
		return 0;
	n = *moved;
	*moved = 0;
	return eng_tick(op, (u64)n * ENG_COST_MOVE);
}

/* The elements of the last, partial piece. */
static int eng_moved_end(struct eng_op *op, u32 moved)
{
	return eng_tick(op, (u64)moved * ENG_COST_MOVE);
}

static u8 *eng_at(const struct eng_tensor *t, const u32 *i)
{
	return t->base + eng_idx(t, i[0], i[1], i[2], i[3]) * t->esize;
}

/* Advance a 4-D odometer; false once it wraps. */
static bool eng_next(u32 *i, const u32 *dims)
{
	int k;

	for (k = 3; k >= 0; k--) {
		if (++i[k] < dims[k])
			return true;
		i[k] = 0;
	}
	return false;
}

static bool eng_dense(const struct eng_tensor *t)
{
	return t->st[3] == 1 && t->st[2] == t->dims[3] &&
	       t->st[1] == t->dims[3] * t->dims[2] &&
	       t->st[0] == t->st[1] * t->dims[1];
}

/**
 * eng_reshape() - copy keeping the flat NHWC element order
 * @op: validated op.
 *
 * Return: 0 or -ECANCELED.
 */
int eng_reshape(struct eng_op *op)
{
	const struct eng_tensor *in = &op->t[0], *o = &op->t[1];
	u32 a[4] = { 0 }, b[4] = { 0 }, moved = 0;
	size_t total, off, len;

	if (eng_dense(in) && eng_dense(o)) {
		total = (size_t)in->dims[0] * in->st[0];
		for (off = 0; off < total; off += len) {
			len = total - off < ENG_MOVE_PIECE ? total - off :
			      ENG_MOVE_PIECE;
			memcpy(o->base + off * o->esize,
			       in->base + off * in->esize, len * in->esize);
			if (eng_tick(op, (u64)len * ENG_COST_MOVE))
				return -ECANCELED;
		}
		return 0;
	}
	do {
		memcpy(eng_at(o, b), eng_at(in, a), in->esize);
		eng_next(b, o->dims);
		if (eng_moved(op, &moved, 1))
			return -ECANCELED;
	} while (eng_next(a, in->dims));
	return eng_moved_end(op, moved);
}

/**
 * eng_concat() - CONCATENATION along one axis
 * @op: validated op.
 *
 * Return: 0 or -ECANCELED.
 */
int eng_concat(struct eng_op *op)
{
	const struct eng_tensor *o = &op->t[op->ntens - 1];
	u32 axis = op->p.concat.axis, base = 0, t, moved = 0, c0, len;

	for (t = 0; t + 1 < op->ntens; t++) {
		const struct eng_tensor *in = &op->t[t];
		u32 i[4] = { 0 }, j[4];

		do {
			memcpy(j, i, sizeof(j));
			j[axis] += base;
			if (i[3] == 0 && axis != 3) {
				/* Whole channel rows are contiguous. */
				for (c0 = 0; c0 < in->dims[3]; c0 += len) {
					len = in->dims[3] - c0 < ENG_MOVE_PIECE ?
					      in->dims[3] - c0 : ENG_MOVE_PIECE;
					memcpy(eng_at(o, j) + (size_t)c0 * in->esize,
					       eng_at(in, i) + (size_t)c0 * in->esize,
					       (size_t)len * in->esize);
					if (eng_moved(op, &moved, len))
						return -ECANCELED;
				}
				i[3] = in->dims[3] - 1;
			} else {
				memcpy(eng_at(o, j), eng_at(in, i), in->esize);
				if (eng_moved(op, &moved, 1))
					return -ECANCELED;
			}
		} while (eng_next(i, in->dims));
		base += in->dims[axis];
	}
	return eng_moved_end(op, moved);
}

/**
 * eng_pad() - constant padding in all four dimensions
 * @op: validated op.
 *
 * Return: 0 or -ECANCELED.
 */
int eng_pad(struct eng_op *op)
{
	const struct edgenpu_cmd_pad_params *p = &op->p.pad;
	const struct eng_tensor *in = &op->t[0], *o = &op->t[1];
	u32 i[4] = { 0 }, j[4] = { 0 };
	s8 v8 = (s8)p->pad_value;
	s16 v16 = (s16)p->pad_value;
	s32 v32 = p->pad_value;
	const void *pv = o->esize == 1 ? (const void *)&v8 :
			 o->esize == 2 ? (const void *)&v16 : (const void *)&v32;
	u32 moved = 0;
	int k;

	do {
		bool inside = true;

		for (k = 0; k < 4; k++) {
			if (i[k] < p->before[k] ||
			    i[k] - p->before[k] >= in->dims[k])
				inside = false;
			else
				j[k] = i[k] - p->before[k];
		}
		memcpy(eng_at(o, i), inside ? eng_at(in, j) : pv, o->esize);
		if (eng_moved(op, &moved, 1))
			return -ECANCELED;
	} while (eng_next(i, o->dims));
	return eng_moved_end(op, moved);
}

/**
 * eng_transpose() - permute the four dimensions
 * @op: validated op.
 *
 * Return: 0 or -ECANCELED.
 */
int eng_transpose(struct eng_op *op)
{
	const u32 *perm = op->p.transpose.perm;
	const struct eng_tensor *in = &op->t[0], *o = &op->t[1];
	u32 i[4] = { 0 }, j[4] = { 0 }, moved = 0;
	int k;

	do {
		for (k = 0; k < 4; k++)
			j[perm[k]] = i[k];
		memcpy(eng_at(o, i), eng_at(in, j), o->esize);
		if (eng_moved(op, &moved, 1))
			return -ECANCELED;
	} while (eng_next(i, o->dims));
	return eng_moved_end(op, moved);
}
