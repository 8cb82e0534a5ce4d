// SPDX-License-Identifier: MIT
/*
 * libedgenpu CPU executor: the per-op plan (cpu_plan.h).
 *
 * A segment becomes a list of steps. A fast step is one op with its
 * prepared kernel state; an engine step is a run of consecutive ops that
 * have no fast kernel, as a stream of its own (the segment's header with
 * the op count and size of the run, then the run's op descriptors
 * verbatim). Each such stream is validated here against the runner's
 * buffers, so a run uses edgenpu_engine_execute() exactly as before.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#if defined(__aarch64__)
#include <sys/auxv.h>
#endif

#include "cpu_dwconv.h"
#include "cpu_elem.h"
#include "cpu_gemm.h"
#include "cpu_plan.h"
#include "cpu_pool.h"

enum { STEP_ENGINE = 0, STEP_GEMM = 1, STEP_DW = 2, STEP_ADD = 3 };

/*
 * struct cpu_step - one step of a segment
 * @kind: STEP_*.
 * @k0: first op of the segment it runs.
 * @nops: ops it runs (1 for a fast step).
 * @off: byte range [off, end) of its ops in the segment's stream.
 * @end: see @off.
 * @stream: STEP_ENGINE: the stream to execute.
 * @size: its size.
 * @owned: @stream was allocated for this step.
 * @ref: a fast step's runtime operands (x or a, b, y), as buffer index
 *	and offset, from which edgenpu__cpu_plan_rebase() recomputes the
 *	kernel's pointers when the runner's buffers move.
 * @u: the fast kernel's state.
 */
struct cpu_step {
	int kind;
	uint32_t k0, nops;
	size_t off, end;
	uint8_t *stream;
	size_t size;
	int owned;
	struct {
		uint32_t buf;
		uint64_t off;
	} ref[3];
	union {
		struct cpu_gemm g;
		struct cpu_dw d;
		struct cpu_add a;
	} u;
};

struct cpu_seg {
	struct cpu_step *steps;
	uint32_t nsteps;
	uint32_t nfast;
};

struct edgenpu_cpu_plan {
	enum cpu_isa isa;
	uint32_t nsegs;
	struct cpu_seg *segs;
	void *work;		/* the kernels' work areas, one per thread */
	size_t work_size;	/* bytes of one, a multiple of 64 */
	struct edgenpu_cpu_pool *pool;	/* NULL: one thread */
	uint64_t par_min_macs;		/* smallest op split over the pool */
	void (*gemm)(const struct cpu_gemm *g, uint32_t m0, uint32_t m1,
		     uint32_t b0, uint32_t b1, void *work);
	void (*dw)(const struct cpu_dw *d, uint32_t r0, uint32_t r1,
		   void *work);
	void (*add)(const struct cpu_add *e, size_t i0, size_t i1);
};

/* A decoded view of one op descriptor of a validated stream. */
struct cpu_opv {
	const struct edgenpu_cmd_op *h;
	const struct edgenpu_cmd_conv_params *conv;
	const struct edgenpu_cmd_tensor *t[EDGENPU_CMD_MAX_TENSORS];
};

int edgenpu__cpu_isa_supported(enum cpu_isa isa)
{
	switch (isa) {
	case CPU_ISA_ENGINE:
	case CPU_ISA_C:
		return 1;
#if defined(__x86_64__)
	case CPU_ISA_AVX2:
		__builtin_cpu_init();
		return __builtin_cpu_supports("avx2") != 0;
#endif
#if defined(__aarch64__)
	case CPU_ISA_NEON:
		return 1;	/* Advanced SIMD is part of every arm64 CPU */
	case CPU_ISA_NEON_DOT:
		return (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) != 0;
#endif
	default:
		return 0;
	}
}

/*
 * Without AVX2 the engine stays the default on x86-64: at the baseline
 * ISA its auto-vectorised convolutions beat the portable kernels
 * (MobileNet v2 on x86-64 without AVX2: 62 ms against 153 ms of CONV_2D),
 * which remain for EDGENPU_CPU_KERNELS=c and as the tested reference of
 * the packed layouts. On arm64 NEON is always there, so the default is
 * the best NEON level.
 */
enum cpu_isa edgenpu__cpu_isa_choose(void)
{
	static const struct {
		const char *name;
		enum cpu_isa isa;
	} names[] = {
		{ "engine", CPU_ISA_ENGINE }, { "c", CPU_ISA_C },
		{ "avx2", CPU_ISA_AVX2 }, { "neon", CPU_ISA_NEON },
		{ "dotprod", CPU_ISA_NEON_DOT },
	};
	static const enum cpu_isa best_first[] = {
		CPU_ISA_AVX2, CPU_ISA_NEON_DOT, CPU_ISA_NEON,
	};
	const char *env = getenv("EDGENPU_CPU_KERNELS");
	enum cpu_isa best = CPU_ISA_ENGINE;
	size_t i;

	for (i = 0; i < sizeof(best_first) / sizeof(best_first[0]); i++)
		if (edgenpu__cpu_isa_supported(best_first[i])) {
			best = best_first[i];
			break;
		}
	for (i = 0; env && i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(env, names[i].name))
			return edgenpu__cpu_isa_supported(names[i].isa) ?
			       names[i].isa : best;
	return best;
}

static void op_view(const uint8_t *stream, size_t off, struct cpu_opv *v)
{
	const uint8_t *p = stream + off;
	uint32_t i;

	v->h = (const struct edgenpu_cmd_op *)p;
	v->conv = (const void *)(p + sizeof(*v->h));
	p += sizeof(*v->h) + v->h->params_size;
	for (i = 0; i < v->h->num_tensors && i < EDGENPU_CMD_MAX_TENSORS; i++)
		v->t[i] = (const void *)(p + (size_t)i * v->h->tensor_size);
}

/* Address of a runtime tensor operand in the runner's buffers. */
static void *t_addr(const struct edgenpu_engine_buffer *bufs,
		    const struct edgenpu_cmd_tensor *t)
{
	return (uint8_t *)bufs[t->buffer].ptr + t->offset;
}

/* Contents of a constant operand, NULL when absent or not constant. */
static const void *t_const(const struct edgenpu_plan *plan,
			   const struct edgenpu_cmd_tensor *t)
{
	const struct edgenpu_plan_buffer *b;

	if (t->buffer >= plan->nbufs)
		return NULL;
	b = &plan->bufs[t->buffer];
	if (b->kind != EDGENPU_BUF_WEIGHTS || !b->contents)
		return NULL;
	return (const uint8_t *)b->contents + t->offset;
}

/*
 * What every fast multiply-accumulate op needs: dense input and output,
 * constant weights with zero point 0, constant bias and per-channel
 * arrays. Fills @rq and the constant pointers.
 */
static int mac_common(const struct edgenpu_plan *plan,
		      const struct cpu_opv *v, uint32_t oc, struct cpu_rq *rq,
		      const int8_t **w, const int32_t **bias)
{
	const struct edgenpu_cmd_tensor *in = v->t[0], *f = v->t[1];
	const struct edgenpu_cmd_tensor *b = v->t[2], *o = v->t[3];
	const int32_t *pm = NULL, *ps = NULL;
	int pc = o->flags & EDGENPU_TENSOR_F_PER_CHANNEL;

	if ((v->h->num_tensors != 4 && v->h->num_tensors != 6) ||
	    (in->flags | o->flags) & EDGENPU_TENSOR_F_STRIDED || f->zero_point)
		return -ENOTSUP;
	*w = t_const(plan, f);
	*bias = b->buffer == EDGENPU_CMD_NO_BUFFER ? NULL : t_const(plan, b);
	if (pc) {
		if (v->h->num_tensors != 6)
			return -ENOTSUP;
		pm = t_const(plan, v->t[4]);
		ps = t_const(plan, v->t[5]);
		if (!pm || !ps)
			return -ENOTSUP;
	}
	if (!*w || (b->buffer != EDGENPU_CMD_NO_BUFFER && !*bias))
		return -ENOTSUP;
	return edgenpu__cpu_rq_init(rq, oc, pm, ps, o->multiplier, o->shift,
				    o->zero_point, v->h->act_min,
				    v->h->act_max);
}

/*
 * CONV_2D without groups: 1x1, stride 1 and unpadded reads its input rows
 * in place, any other gathers each output pixel's receptive field.
 */
static void gemm_conv(const struct cpu_opv *v, struct cpu_gemm *g)
{
	const struct edgenpu_cmd_tensor *in = v->t[0], *f = v->t[1];
	const struct edgenpu_cmd_tensor *o = v->t[3];
	const struct edgenpu_cmd_conv_params *p = v->conv;
	struct cpu_conv *cv = &g->cv;

	g->conv = f->dims[1] != 1 || f->dims[2] != 1 || p->stride_h != 1 ||
		  p->stride_w != 1 || p->pad_top || p->pad_left ||
		  p->pad_bottom || p->pad_right;
	g->n = f->dims[0];
	g->k = f->dims[1] * f->dims[2] * f->dims[3];
	cv->ih = in->dims[1];
	cv->iw = in->dims[2];
	cv->ic = in->dims[3];
	cv->oh = o->dims[1];
	cv->ow = o->dims[2];
	cv->kh = f->dims[1];
	cv->kw = f->dims[2];
	cv->sh = p->stride_h;
	cv->sw = p->stride_w;
	cv->dh = p->dilation_h;
	cv->dw = p->dilation_w;
	cv->pt = p->pad_top;
	cv->pl = p->pad_left;
	cv->zp = in->zero_point;
}

/* The packed weight layout of the GEMM kernel of @isa (cpu_gemm.h). */
static enum cpu_gemm_layout gemm_layout(enum cpu_isa isa)
{
#if defined(__aarch64__)
	if (isa == CPU_ISA_NEON)
		return CPU_GEMM_K1;
	if (isa == CPU_ISA_NEON_DOT)
		return CPU_GEMM_K4;
#else
	(void)isa;
#endif
	return CPU_GEMM_PAIRS;
}

/* FULLY_CONNECTED, or CONV_2D without groups, packed for @isa. */
static int try_gemm(const struct edgenpu_plan *plan,
		    const struct edgenpu_engine_buffer *bufs,
		    const struct cpu_opv *v, enum cpu_isa isa,
		    struct cpu_gemm *g)
{
	const struct edgenpu_cmd_tensor *in = v->t[0], *f = v->t[1];
	const struct edgenpu_cmd_tensor *o = v->t[3];
	const int32_t *bias;
	const int8_t *w;
	int ret;

	if (v->h->opcode == EDGENPU_OP_CONV_2D) {
		if (f->dims[3] != in->dims[3])
			return -ENOTSUP;
		gemm_conv(v, g);
	} else if (v->h->opcode == EDGENPU_OP_FULLY_CONNECTED) {
		g->n = f->dims[2];
		g->k = f->dims[3];
	} else {
		return -ENOTSUP;
	}
	g->m = o->dims[0] * o->dims[1] * o->dims[2];
	g->x = t_addr(bufs, in);
	g->y = t_addr(bufs, o);
	ret = mac_common(plan, v, g->n, &g->rq, &w, &bias);
	return ret ? ret : edgenpu__cpu_gemm_pack(g, w, bias, in->zero_point,
						  gemm_layout(isa));
}

/* DEPTHWISE_CONV_2D 3x3, depth multiplier 1, no dilation. */
static int try_dw(const struct edgenpu_plan *plan,
		  const struct edgenpu_engine_buffer *bufs,
		  const struct cpu_opv *v, struct cpu_dw *d)
{
	const struct edgenpu_cmd_tensor *in = v->t[0], *f = v->t[1];
	const struct edgenpu_cmd_tensor *o = v->t[3];
	const struct edgenpu_cmd_conv_params *p = v->conv;
	const int32_t *bias;
	const int8_t *w;
	int ret;

	if (v->h->opcode != EDGENPU_OP_DEPTHWISE_CONV_2D ||
	    f->dims[0] != 1 || f->dims[1] != 3 || f->dims[2] != 3 ||
	    p->depth_multiplier != 1 || p->dilation_h != 1 ||
	    p->dilation_w != 1 || in->dims[3] != o->dims[3])
		return -ENOTSUP;
	d->n = o->dims[0];
	d->ih = in->dims[1];
	d->iw = in->dims[2];
	d->c = o->dims[3];
	d->oh = o->dims[1];
	d->ow = o->dims[2];
	d->sh = p->stride_h;
	d->sw = p->stride_w;
	d->pt = p->pad_top;
	d->pl = p->pad_left;
	d->x = t_addr(bufs, in);
	d->y = t_addr(bufs, o);
	ret = mac_common(plan, v, d->c, &d->rq, &w, &bias);
	return ret ? ret : edgenpu__cpu_dw_pack(d, w, bias, in->zero_point);
}

/* ADD or SUB of two dense tensors of the output's shape. */
static int try_add(const struct edgenpu_engine_buffer *bufs,
		   const struct cpu_opv *v, struct cpu_add *e)
{
	const struct edgenpu_cmd_tensor *a = v->t[0], *b = v->t[1], *o = v->t[2];
	const struct edgenpu_cmd_add_params *p = (const void *)v->conv;
	uint32_t k;

	if ((v->h->opcode != EDGENPU_OP_ADD && v->h->opcode != EDGENPU_OP_SUB) ||
	    v->h->num_tensors != 3 ||
	    (a->flags | b->flags | o->flags) & EDGENPU_TENSOR_F_STRIDED)
		return -ENOTSUP;
	e->count = 1;
	for (k = 0; k < 4; k++) {
		if (a->dims[k] != o->dims[k] || b->dims[k] != o->dims[k])
			return -ENOTSUP;
		e->count *= o->dims[k];
	}
	e->a = t_addr(bufs, a);
	e->b = t_addr(bufs, b);
	e->y = t_addr(bufs, o);
	e->zpa = a->zero_point;
	e->zpb = b->zero_point;
	e->ls = (int32_t)p->left_shift;
	e->sub = v->h->opcode == EDGENPU_OP_SUB;
	return edgenpu__cpu_add_init(e, a->multiplier, a->shift, b->multiplier,
				     b->shift, o->multiplier, o->shift,
				     o->zero_point, v->h->act_min,
				     v->h->act_max);
}

static void step_free(struct cpu_step *st)
{
	if (st->owned)
		free(st->stream);
	if (st->kind == STEP_GEMM)
		edgenpu__cpu_gemm_free(&st->u.g);
	else if (st->kind == STEP_DW)
		edgenpu__cpu_dw_free(&st->u.d);
	else if (st->kind == STEP_ADD)
		edgenpu__cpu_add_free(&st->u.a);
}

/* The fast kernel of one op, or -ENOTSUP: the op stays on the engine. */
static int try_fast(const struct edgenpu_cpu_plan *cp,
		    const struct edgenpu_plan *plan,
		    const struct edgenpu_engine_buffer *bufs,
		    const struct cpu_opv *v, struct cpu_step *st)
{
	int ret;

	if (cp->isa == CPU_ISA_ENGINE)
		return -ENOTSUP;
	memset(st, 0, sizeof(*st));
	st->kind = STEP_GEMM;
	ret = try_gemm(plan, bufs, v, cp->isa, &st->u.g);
	if (ret == -ENOTSUP) {
		step_free(st);
		memset(st, 0, sizeof(*st));
		st->kind = STEP_DW;
		ret = try_dw(plan, bufs, v, &st->u.d);
	}
	if (ret == -ENOTSUP) {
		step_free(st);
		memset(st, 0, sizeof(*st));
		st->kind = STEP_ADD;
		ret = try_add(bufs, v, &st->u.a);
	}
	if (ret) {
		step_free(st);
		memset(st, 0, sizeof(*st));
		return ret;
	}
	/* Operands: GEMM and DW read t[0], write t[3]; ADD t[0], t[1] -> t[2]. */
	st->ref[0].buf = v->t[0]->buffer;
	st->ref[0].off = v->t[0]->offset;
	st->ref[1].buf = v->t[1]->buffer;
	st->ref[1].off = v->t[1]->offset;
	st->ref[2].buf = v->t[st->kind == STEP_ADD ? 2 : 3]->buffer;
	st->ref[2].off = v->t[st->kind == STEP_ADD ? 2 : 3]->offset;
	return 0;
}

/* Op @k at @off of the segment joins the last engine step or starts one. */
static void add_engine_op(struct cpu_seg *cs, uint32_t k, size_t off,
			  size_t end)
{
	struct cpu_step *last = cs->nsteps ? &cs->steps[cs->nsteps - 1] : NULL;

	if (last && last->kind == STEP_ENGINE && last->k0 + last->nops == k) {
		last->nops++;
		last->end = end;
		return;
	}
	last = &cs->steps[cs->nsteps++];
	memset(last, 0, sizeof(*last));
	last->kind = STEP_ENGINE;
	last->k0 = k;
	last->nops = 1;
	last->off = off;
	last->end = end;
}

/*
 * The stream of an engine step: the segment's own when the step is the
 * whole segment, else the header with the step's count and size and the
 * step's op descriptors.
 */
static int engine_stream(const struct plan_segment *seg, struct cpu_step *st)
{
	const struct edgenpu_cmd_header *h = (const void *)seg->stream;
	struct edgenpu_cmd_header *nh;

	if (st->k0 == 0 && st->nops == h->op_count) {
		st->stream = seg->stream;
		st->size = seg->size;
		return 0;
	}
	st->size = h->header_size + (st->end - st->off);
	st->stream = malloc(st->size);
	if (!st->stream)
		return -ENOMEM;
	st->owned = 1;
	memcpy(st->stream, seg->stream, h->header_size);
	memcpy(st->stream + h->header_size, seg->stream + st->off,
	       st->end - st->off);
	nh = (struct edgenpu_cmd_header *)st->stream;
	nh->op_count = st->nops;
	nh->total_size = st->size;
	return 0;
}

/* Split segment @s into steps; the fast ones prepared. */
static int plan_steps(struct edgenpu_cpu_plan *cp,
		      const struct edgenpu_plan *plan, uint32_t s,
		      const struct edgenpu_engine_buffer *bufs)
{
	const struct plan_segment *seg = &plan->segs[s];
	const struct edgenpu_cmd_header *h = (const void *)seg->stream;
	struct cpu_seg *cs = &cp->segs[s];
	size_t off = h->header_size;
	uint32_t k;

	cs->steps = calloc(h->op_count, sizeof(*cs->steps));
	if (!cs->steps)
		return -ENOMEM;
	for (k = 0; k < h->op_count; k++) {
		struct cpu_opv v;
		int ret;

		op_view(seg->stream, off, &v);
		ret = try_fast(cp, plan, bufs, &v, &cs->steps[cs->nsteps]);
		if (ret && ret != -ENOTSUP)
			return ret;
		if (!ret) {
			cs->steps[cs->nsteps].k0 = k;
			cs->steps[cs->nsteps++].nops = 1;
			cs->nfast++;
		} else {
			add_engine_op(cs, k, off, off + v.h->size);
		}
		off += v.h->size;
	}
	return 0;
}

/* Streams of the engine steps of segment @s, validated. */
static int plan_engine_steps(struct edgenpu_cpu_plan *cp,
			     const struct edgenpu_plan *plan, uint32_t s,
			     const struct edgenpu_engine_buffer *bufs,
			     uint32_t nbufs, void *scratch,
			     struct edgenpu_engine_error *err)
{
	struct cpu_seg *cs = &cp->segs[s];
	uint32_t i;
	int ret;

	for (i = 0; i < cs->nsteps; i++) {
		struct cpu_step *st = &cs->steps[i];

		if (st->kind != STEP_ENGINE)
			continue;
		ret = engine_stream(&plan->segs[s], st);
		if (!ret)
			ret = edgenpu_engine_validate(st->stream, st->size,
						      bufs, nbufs, scratch,
						      EDGENPU_ENGINE_SCRATCH_SIZE,
						      err);
		if (ret) {
			if (err->op_index >= 0)
				err->op_index += (int32_t)st->k0;
			return ret;
		}
	}
	return 0;
}

/* The kernels' work areas: the largest any step needs, per thread. */
static int plan_work(struct edgenpu_cpu_plan *cp, uint32_t threads)
{
	uint32_t s, i;

	cp->work_size = 0;
	for (s = 0; s < cp->nsegs; s++)
		for (i = 0; i < cp->segs[s].nsteps; i++) {
			const struct cpu_step *st = &cp->segs[s].steps[i];

			if (st->kind == STEP_GEMM &&
			    cpu_gemm_work_size(&st->u.g) > cp->work_size)
				cp->work_size = cpu_gemm_work_size(&st->u.g);
			if (st->kind == STEP_DW &&
			    cpu_dw_work_size(&st->u.d) > cp->work_size)
				cp->work_size = cpu_dw_work_size(&st->u.d);
		}
	cp->work_size = (cp->work_size + 63) & ~(size_t)63;
	free(cp->work);
	cp->work = NULL;
	if (posix_memalign(&cp->work, 64, cp->work_size * threads + 64))
		return -ENOMEM;
	return 0;
}

int edgenpu__cpu_plan_set_threads(struct edgenpu_cpu_plan *cp,
				  uint32_t threads, uint64_t min_macs)
{
	struct edgenpu_cpu_pool *pool = NULL;
	int ret;

	if (threads < 1 || threads > CPU_POOL_MAX)
		return -EINVAL;
	/* No op would use the workers: make none. */
	if (!edgenpu__cpu_plan_fast_total(cp))
		threads = 1;
	if (threads > 1) {
		ret = edgenpu__cpu_pool_create(threads, &pool);
		if (ret)
			return ret;
	}
	ret = plan_work(cp, threads);
	if (ret) {
		edgenpu__cpu_pool_free(pool);
		return ret;
	}
	edgenpu__cpu_pool_free(cp->pool);
	cp->pool = pool;
	cp->par_min_macs = min_macs;
	return 0;
}

static void plan_kernels(struct edgenpu_cpu_plan *cp)
{
	cp->gemm = edgenpu__cpu_gemm_run_c;
	cp->dw = edgenpu__cpu_dw_run_c;
	cp->add = edgenpu__cpu_add_run_c;
#if defined(__x86_64__)
	if (cp->isa == CPU_ISA_AVX2) {
		cp->gemm = edgenpu__cpu_gemm_run_avx2;
		cp->dw = edgenpu__cpu_dw_run_avx2;
		cp->add = edgenpu__cpu_add_run_avx2;
	}
#endif
#if defined(__aarch64__)
	if (cp->isa == CPU_ISA_NEON || cp->isa == CPU_ISA_NEON_DOT) {
		cp->gemm = cp->isa == CPU_ISA_NEON_DOT ? edgenpu__cpu_gemm_run_dot :
			   edgenpu__cpu_gemm_run_neon;
		cp->dw = edgenpu__cpu_dw_run_neon;
		cp->add = edgenpu__cpu_add_run_neon;
	}
#endif
}

void edgenpu__cpu_plan_free(struct edgenpu_cpu_plan *cp)
{
	uint32_t s, i;

	if (!cp)
		return;
	for (s = 0; s < cp->nsegs; s++) {
		for (i = 0; i < cp->segs[s].nsteps; i++)
			step_free(&cp->segs[s].steps[i]);
		free(cp->segs[s].steps);
	}
	free(cp->segs);
	edgenpu__cpu_pool_free(cp->pool);
	free(cp->work);
	free(cp);
}

int edgenpu__cpu_plan_create(const struct edgenpu_plan *plan, int npu,
			     const struct edgenpu_engine_buffer *bufs,
			     uint32_t nbufs, void *scratch, enum cpu_isa isa,
			     struct edgenpu_cpu_plan **out,
			     struct edgenpu_engine_error *err)
{
	struct edgenpu_cpu_plan *cp = calloc(1, sizeof(*cp));
	uint32_t s;
	int ret = 0;

	memset(err, 0, sizeof(*err));
	err->op_index = -1;
	if (!cp)
		return -ENOMEM;
	/* A set this CPU lacks runs the portable kernels (never a SIGILL). */
	cp->isa = edgenpu__cpu_isa_supported(isa) ? isa : CPU_ISA_C;
	cp->nsegs = plan->nsegs;
	cp->segs = calloc(plan->nsegs + 1, sizeof(*cp->segs));
	plan_kernels(cp);
	for (s = 0; cp->segs && !ret && s < plan->nsegs; s++) {
		if (npu && plan->segs[s].placement == EDGENPU_PLACE_NPU)
			continue;
		ret = plan_steps(cp, plan, s, bufs);
		if (!ret)
			ret = plan_engine_steps(cp, plan, s, bufs, nbufs,
						scratch, err);
	}
	if (!cp->segs)
		ret = -ENOMEM;
	if (!ret)
		ret = plan_work(cp, 1);
	if (ret) {
		edgenpu__cpu_plan_free(cp);
		return ret;
	}
	*out = cp;
	return 0;
}

static int run_engine_step(const struct cpu_step *st,
			   const struct edgenpu_engine_buffer *bufs,
			   uint32_t nbufs, void *scratch, uint64_t *op_times,
			   uint64_t (*now)(void *ctx),
			   struct edgenpu_engine_error *err)
{
	struct edgenpu_engine_hooks hooks = { .now = now };
	int ret;

	if (op_times) {
		hooks.op_times = op_times + 2 * (size_t)st->k0;
		hooks.op_times_len = 2 * st->nops;
	}
	ret = edgenpu_engine_execute(st->stream, st->size, bufs, nbufs,
				     scratch, EDGENPU_ENGINE_SCRATCH_SIZE,
				     &hooks, err);
	if (ret && err->op_index >= 0)
		err->op_index += (int32_t)st->k0;
	return ret;
}

/* A fast step and the plan it runs in, for the pool's participants. */
struct cpu_job {
	const struct edgenpu_cpu_plan *cp;
	const struct cpu_step *st;
};

/*
 * Participant @i of @n runs its share of a GEMM: whole tiles of rows, or,
 * when there are too few tiles to share out evenly (MobileNet's 7x7
 * layers have 13, a FULLY_CONNECTED one), whole channel blocks of every
 * row, so that each participant also reads only its share of the
 * weights.
 */
static void run_gemm_part(const struct edgenpu_cpu_plan *cp,
			  const struct cpu_gemm *g, uint32_t i, uint32_t n,
			  void *work)
{
	uint32_t tiles = (g->m + CPU_GEMM_MR - 1) / CPU_GEMM_MR;
	uint32_t nblk = cpu_gemm_blocks(g);
	uint64_t r0, r1;

	if (n > 1 && tiles < 8 * n && nblk >= 2 * n) {
		cp->gemm(g, 0, g->m, (uint32_t)((uint64_t)nblk * i / n),
			 (uint32_t)((uint64_t)nblk * (i + 1) / n), work);
		return;
	}
	r0 = (uint64_t)tiles * i / n * CPU_GEMM_MR;
	r1 = (uint64_t)tiles * (i + 1) / n * CPU_GEMM_MR;
	r1 = r1 < g->m ? r1 : g->m;
	if (r0 < r1)
		cp->gemm(g, (uint32_t)r0, (uint32_t)r1, 0, nblk, work);
}

/*
 * Participant @i of @n runs its share of the step's output: the rows (or
 * elements) of a depthwise or ADD step split evenly, each element
 * computed as by one thread.
 */
static void run_part(void *ctx, uint32_t i, uint32_t n)
{
	const struct cpu_job *job = ctx;
	const struct edgenpu_cpu_plan *cp = job->cp;
	const struct cpu_step *st = job->st;
	uint8_t *work = (uint8_t *)cp->work + (size_t)i * cp->work_size;
	uint64_t rows, unit = st->kind == STEP_ADD ? 64 : 1;
	uint64_t units, r0, r1;

	if (st->kind == STEP_GEMM) {
		run_gemm_part(cp, &st->u.g, i, n, work);
		return;
	}
	rows = st->kind == STEP_ADD ? st->u.a.count :
	       (uint64_t)st->u.d.n * st->u.d.oh;
	units = (rows + unit - 1) / unit;
	r0 = units * i / n * unit;
	r1 = units * (i + 1) / n * unit;
	r1 = r1 < rows ? r1 : rows;
	if (r0 >= r1)
		return;
	if (st->kind == STEP_DW)
		cp->dw(&st->u.d, (uint32_t)r0, (uint32_t)r1, work);
	else
		cp->add(&st->u.a, (size_t)r0, (size_t)r1);
}

static uint64_t step_macs(const struct cpu_step *st)
{
	if (st->kind == STEP_GEMM)
		return (uint64_t)st->u.g.m * st->u.g.n * st->u.g.k;
	if (st->kind == STEP_ADD)	/* about 8 per element, as cost units */
		return (uint64_t)st->u.a.count * 8;
	return (uint64_t)st->u.d.n * st->u.d.oh * st->u.d.ow * st->u.d.c *
	       CPU_DW_TAPS;
}

static void run_fast_step(const struct edgenpu_cpu_plan *cp,
			  const struct cpu_step *st)
{
	struct cpu_job job = { cp, st };

	if (cp->pool && step_macs(st) >= cp->par_min_macs)
		edgenpu__cpu_pool_run(cp->pool, run_part, &job);
	else
		run_part(&job, 0, 1);
}

int edgenpu__cpu_plan_run(struct edgenpu_cpu_plan *cp, uint32_t s,
			  const struct edgenpu_engine_buffer *bufs,
			  uint32_t nbufs, void *scratch, uint64_t *op_times,
			  uint64_t (*now)(void *ctx),
			  struct edgenpu_engine_error *err)
{
	const struct cpu_seg *cs = &cp->segs[s];
	uint32_t i;
	int ret;

	for (i = 0; i < cs->nsteps; i++) {
		const struct cpu_step *st = &cs->steps[i];

		if (st->kind == STEP_ENGINE) {
			ret = run_engine_step(st, bufs, nbufs, scratch,
					      op_times, now, err);
			if (ret)
				return ret;
			continue;
		}
		if (op_times)
			op_times[2 * (size_t)st->k0] = now(NULL);
		run_fast_step(cp, st);
		if (op_times)
			op_times[2 * (size_t)st->k0 + 1] = now(NULL);
	}
	return 0;
}

static void *ref_addr(const struct edgenpu_engine_buffer *bufs,
		      const struct cpu_step *st, int i)
{
	return (uint8_t *)bufs[st->ref[i].buf].ptr + st->ref[i].off;
}

void edgenpu__cpu_plan_rebase(struct edgenpu_cpu_plan *cp,
			      const struct edgenpu_engine_buffer *bufs)
{
	uint32_t s, i;

	for (s = 0; s < cp->nsegs; s++)
		for (i = 0; i < cp->segs[s].nsteps; i++) {
			struct cpu_step *st = &cp->segs[s].steps[i];

			switch (st->kind) {
			case STEP_GEMM:
				st->u.g.x = ref_addr(bufs, st, 0);
				st->u.g.y = ref_addr(bufs, st, 2);
				break;
			case STEP_DW:
				st->u.d.x = ref_addr(bufs, st, 0);
				st->u.d.y = ref_addr(bufs, st, 2);
				break;
			case STEP_ADD:
				st->u.a.a = ref_addr(bufs, st, 0);
				st->u.a.b = ref_addr(bufs, st, 1);
				st->u.a.y = ref_addr(bufs, st, 2);
				break;
			default:	/* the engine reads @bufs at each run */
				break;
			}
		}
}

uint32_t edgenpu__cpu_plan_fast_ops(const struct edgenpu_cpu_plan *cp,
				    uint32_t s)
{
	return cp && s < cp->nsegs ? cp->segs[s].nfast : 0;
}

uint32_t edgenpu__cpu_plan_fast_total(const struct edgenpu_cpu_plan *cp)
{
	uint32_t s, n = 0;

	for (s = 0; cp && s < cp->nsegs; s++)
		n += cp->segs[s].nfast;
	return n;
}

uint32_t edgenpu__cpu_plan_threads(const struct edgenpu_cpu_plan *cp)
{
	return cp ? edgenpu__cpu_pool_size(cp->pool) : 1;
}
