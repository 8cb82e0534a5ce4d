// SPDX-License-Identifier: MIT
/*
 * libedgenpu: the planner. Turns a lowered model into
 *  - one buffer table shared by every segment: WEIGHTS (read-only, the
 *    constants, per-channel arrays and tables), SCRATCH (every
 *    intermediate tensor, placed by lifetime so that tensors that are
 *    never live at the same time share bytes), one INPUT and one OUTPUT
 *    entry per model input and output (the user's tensors, used in place);
 *  - segments: runs of consecutive ops with the same placement (NPU if
 *    the device's op_mask has the engine opcode and the op's cost is
 *    within the device's op limit, else CPU), each run cut into as few
 *    command streams (jobs, run one after the other) as the limits of a
 *    job allow: EDGENPU_CMD_MAX_OPS ops, EDGENPU_CMD_MAX_SIZE bytes and
 *    the job cost limit (the device's for the NPU, the engine's for the
 *    CPU executor).
 * Costs are the engine's own (edgenpu_engine_op_cost()). Nothing else
 * depends on a device: the same streams run on the NPU or in the CPU
 * executor, so no limit is ever above the engine's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lower.h"

#define SCRATCH_ALIGN	64
#define NO_OFF		UINT64_MAX

static int pfail(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int pfail(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

const struct lw_operand *edgenpu__plan_output(const struct lw_op *lo)
{
	return &lo->t[edgenpu_engine_op_output(lo->opcode, lo->nt)];
}

int64_t edgenpu__plan_add_weights(struct edgenpu_plan *p, const void *data,
				  size_t size, size_t align)
{
	size_t off = (p->weights_size + align - 1) & ~(align - 1);

	if (edgenpu__grow_zeroed(&p->weights, &p->weights_cap, off + size))
		return -ENOMEM;
	if (data)
		memcpy(p->weights + off, data, size);
	else
		memset(p->weights + off, 0, size);
	p->weights_size = off + size;
	return (int64_t)off;
}

static int io_index(const int32_t *list, uint32_t n, int32_t ti)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if (list[i] == ti)
			return (int)i;
	return -1;
}

static uint64_t tensor_bytes(const struct tfl_tensor *t)
{
	return (uint64_t)t->count * (uint64_t)edgenpu__tfl_type_size(t->type);
}

struct live {
	int32_t tensor;
	uint32_t first, last;
	uint64_t size;
};

static int cmp_live(const void *a, const void *b)
{
	const struct live *x = a, *y = b;

	if (x->size != y->size)
		return x->size < y->size ? 1 : -1;
	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return x->tensor - y->tensor;
}

struct range {
	uint64_t lo, hi;
};

static int cmp_range(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/*
 * The lifetime of every tensor an op writes: first[] the op that writes
 * it, last[] the last op that reads it (UINT32_MAX: no op writes it). An
 * op may not write a model input or a tensor another op wrote, nor read
 * one before it is written.
 */
static int lifetimes(const struct edgenpu_plan *p, uint32_t *first,
		     uint32_t *last, char *err, size_t errlen)
{
	const struct tfl_model *m = &p->model->m;
	uint32_t i, k;

	for (i = 0; i < m->nops; i++) {
		const struct lw_op *lo = &p->lops[i];
		const struct lw_operand *out = edgenpu__plan_output(lo);

		for (k = 0; k < lo->nt; k++) {
			int32_t ti = lo->t[k].tensor;
			const char *name;

			if (lo->t[k].kind != LW_TENSOR)
				continue;
			name = m->tensors[ti].name;
			if (&lo->t[k] != out) {
				if (first[ti] == UINT32_MAX &&
				    io_index(m->inputs, m->nin, ti) < 0)
					return pfail(err, errlen, -EINVAL,
						     "%s: op %u reads tensor '%s' before any op writes it",
						     p->model->name, i, name);
				last[ti] = i;
			} else if (io_index(m->inputs, m->nin, ti) >= 0) {
				return pfail(err, errlen, -EINVAL,
					     "%s: op %u writes model input '%s'",
					     p->model->name, i, name);
			} else if (first[ti] != UINT32_MAX) {
				return pfail(err, errlen, -EINVAL,
					     "%s: op %u writes tensor '%s' that op %u already wrote",
					     p->model->name, i, name,
					     first[ti]);
			} else {
				first[ti] = last[ti] = i;
			}
		}
	}
	for (i = 0; i < m->nout; i++)
		if (first[m->outputs[i]] == UINT32_MAX)
			return pfail(err, errlen, -EINVAL,
				     "%s: model output '%s' is not computed by any op (it is an input or a constant)",
				     p->model->name,
				     m->tensors[m->outputs[i]].name);
	return 0;
}

/* The intermediates (written by an op, not model outputs), rounded up. */
static uint32_t intermediates(struct edgenpu_plan *p, const uint32_t *first,
			      const uint32_t *last, struct live *lv)
{
	const struct tfl_model *m = &p->model->m;
	uint32_t i, n = 0;

	for (i = 0; i < m->ntensors; i++) {
		if (first[i] == UINT32_MAX ||
		    io_index(m->outputs, m->nout, (int32_t)i) >= 0)
			continue;
		lv[n].tensor = (int32_t)i;
		lv[n].first = first[i];
		lv[n].last = p->flags & EDGENPU_PLAN_KEEP_INTERMEDIATES ?
			     m->nops : last[i];
		lv[n].size = (tensor_bytes(&m->tensors[i]) +
			      SCRATCH_ALIGN - 1) & ~(uint64_t)(SCRATCH_ALIGN - 1);
		p->intermediate_bytes += tensor_bytes(&m->tensors[i]);
		n++;
	}
	return n;
}

/*
 * Scratch placement, "greedy by size" (as TFLite's arena planner):
 * largest tensors first, each at the lowest aligned offset that overlaps
 * no already placed tensor whose lifetime intersects its own. @rs has
 * room for @nlive ranges.
 */
static void place(struct edgenpu_plan *p, struct live *lv, uint32_t nlive,
		  struct range *rs)
{
	uint32_t i, j;

	qsort(lv, nlive, sizeof(*lv), cmp_live);
	for (i = 0; i < nlive; i++) {
		uint32_t nr = 0;
		uint64_t off = 0;

		for (j = 0; j < i; j++)
			if (lv[j].first <= lv[i].last &&
			    lv[i].first <= lv[j].last) {
				rs[nr].lo = p->scratch_off[lv[j].tensor];
				rs[nr].hi = rs[nr].lo + lv[j].size;
				nr++;
			}
		qsort(rs, nr, sizeof(*rs), cmp_range);
		for (j = 0; j < nr; j++) {
			if (off + lv[i].size <= rs[j].lo)
				break;
			if (rs[j].hi > off)
				off = rs[j].hi;
		}
		p->scratch_off[lv[i].tensor] = off;
		if (off + lv[i].size > p->scratch_size)
			p->scratch_size = off + lv[i].size;
	}
}

/* Lifetimes and scratch offsets of every intermediate tensor. */
static int plan_memory(struct edgenpu_plan *p, char *err, size_t errlen)
{
	const struct tfl_model *m = &p->model->m;
	uint32_t *first, *last, i;
	struct live *lv;
	struct range *rs;
	int ret = 0;

	first = calloc(m->ntensors, sizeof(*first));
	last = calloc(m->ntensors, sizeof(*last));
	lv = calloc(m->ntensors, sizeof(*lv));
	rs = calloc(m->ntensors + 1, sizeof(*rs));
	p->scratch_off = malloc(m->ntensors * sizeof(*p->scratch_off));
	if (!first || !last || !lv || !rs || !p->scratch_off) {
		ret = pfail(err, errlen, -ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < m->ntensors; i++) {
		first[i] = UINT32_MAX;
		p->scratch_off[i] = NO_OFF;
	}
	ret = lifetimes(p, first, last, err, errlen);
	if (ret)
		goto out;
	p->num_intermediates = intermediates(p, first, last, lv);
	place(p, lv, p->num_intermediates, rs);
out:
	free(first);
	free(last);
	free(lv);
	free(rs);
	return ret;
}

static void buffer_table(struct edgenpu_plan *p)
{
	const struct tfl_model *m = &p->model->m;
	uint32_t i, n = PLAN_BUF_FIRST_IO;

	p->bufs[PLAN_BUF_WEIGHTS] = (struct edgenpu_plan_buffer){
		.kind = EDGENPU_BUF_WEIGHTS, .size = p->weights_size,
		.flags = EDGENPU_BUF_READ, .contents = p->weights,
	};
	p->bufs[PLAN_BUF_SCRATCH] = (struct edgenpu_plan_buffer){
		.kind = EDGENPU_BUF_SCRATCH, .size = p->scratch_size,
		.flags = EDGENPU_BUF_READ | EDGENPU_BUF_WRITE,
	};
	for (i = 0; i < m->nin; i++)
		p->bufs[n++] = (struct edgenpu_plan_buffer){
			.kind = EDGENPU_BUF_INPUT, .index = i,
			.size = tensor_bytes(&m->tensors[m->inputs[i]]),
			.flags = EDGENPU_BUF_READ,
		};
	for (i = 0; i < m->nout; i++)
		p->bufs[n++] = (struct edgenpu_plan_buffer){
			.kind = EDGENPU_BUF_OUTPUT, .index = i,
			.size = tensor_bytes(&m->tensors[m->outputs[i]]),
			.flags = EDGENPU_BUF_READ | EDGENPU_BUF_WRITE,
		};
	p->nbufs = n;
}

/* Buffer index and offset of an operand. */
static void locate(const struct edgenpu_plan *p, const struct lw_operand *o,
		   uint32_t *buf, uint64_t *off)
{
	const struct tfl_model *m = &p->model->m;
	int k;

	if (o->kind == LW_WEIGHTS) {
		*buf = PLAN_BUF_WEIGHTS;
		*off = o->woff;
		return;
	}
	k = io_index(m->inputs, m->nin, o->tensor);
	if (k >= 0) {
		*buf = PLAN_BUF_FIRST_IO + (uint32_t)k;
		*off = 0;
		return;
	}
	k = io_index(m->outputs, m->nout, o->tensor);
	if (k >= 0) {
		*buf = PLAN_BUF_FIRST_IO + m->nin + (uint32_t)k;
		*off = 0;
		return;
	}
	*buf = PLAN_BUF_SCRATCH;
	*off = p->scratch_off[o->tensor];
}

static size_t op_bytes(const struct lw_op *lo)
{
	return sizeof(struct edgenpu_cmd_op) + lo->psize +
	       lo->nt * sizeof(struct edgenpu_cmd_tensor);
}

/* The command-stream operands of op @lo, located in the buffer table. */
static void op_tensors(const struct edgenpu_plan *p, const struct lw_op *lo,
		       struct edgenpu_cmd_tensor *t)
{
	uint32_t k;

	memset(t, 0, lo->nt * sizeof(*t));
	for (k = 0; k < lo->nt; k++) {
		const struct lw_operand *o = &lo->t[k];
		uint64_t off;

		if (o->kind == LW_NONE) {
			t[k].buffer = EDGENPU_CMD_NO_BUFFER;
			continue;
		}
		locate(p, o, &t[k].buffer, &off);
		t[k].offset = off;
		t[k].dtype = o->dtype;
		t[k].flags = o->flags;
		memcpy(t[k].dims, o->dims, sizeof(t[k].dims));
		t[k].zero_point = o->zp;
		t[k].multiplier = o->mult;
		t[k].shift = o->shift;
	}
}

/* Op @lo at the end of the builder's stream. */
static int add_op(const struct edgenpu_plan *p, struct edgenpu_cmd_builder *b,
		  const struct lw_op *lo)
{
	struct edgenpu_cmd_tensor t[EDGENPU_CMD_MAX_TENSORS];

	op_tensors(p, lo, t);
	return edgenpu_cmd_builder_add_op(b, lo->opcode, lo->flags,
					  lo->act_min, lo->act_max, lo->params,
					  lo->psize, t, lo->nt);
}

/* Segment @s: the command stream of ops [from, to). */
static int serialize(struct edgenpu_plan *p, struct edgenpu_cmd_builder *b,
		     struct plan_segment *s, uint32_t from, uint32_t to)
{
	uint32_t i;
	int ret;

	s->ops = calloc(to - from, sizeof(*s->ops));
	if (!s->ops)
		return -ENOMEM;
	edgenpu__cmd_builder_reset(b);
	for (i = from; i < to; i++) {
		ret = add_op(p, b, &p->lops[i]);
		if (ret)
			return ret;
		s->ops[s->nops++] = i;
		s->cost += p->op_cost[i];
	}
	return edgenpu__cmd_builder_take(b, &s->stream, &s->size);
}

/*
 * The cost units of op @i as the engine counts them against its limits:
 * from the op's own descriptor (edgenpu_engine_op_cost()), so that
 * planner and validator never disagree.
 */
static int op_cost(struct edgenpu_plan *p, struct edgenpu_cmd_builder *b,
		   uint32_t i, void *scratch, struct edgenpu_engine_error *e)
{
	const size_t hs = sizeof(struct edgenpu_cmd_header);
	const void *stream;
	size_t size;
	int ret;

	edgenpu__cmd_builder_reset(b);
	ret = add_op(p, b, &p->lops[i]);
	if (!ret)
		ret = edgenpu_cmd_builder_stream(b, &stream, &size);
	if (ret) {
		snprintf(e->msg, sizeof(e->msg), "%s", strerror(-ret));
		return ret;
	}
	return edgenpu_engine_op_cost((const uint8_t *)stream + hs, size - hs,
				      scratch, EDGENPU_ENGINE_SCRATCH_SIZE,
				      &p->op_cost[i], e);
}

/*
 * The cost of every op. An op above the engine's op limit runs nowhere:
 * neither the NPU nor the CPU executor (the same engine) accepts it.
 */
static int op_costs(struct edgenpu_plan *p, struct edgenpu_cmd_builder *b,
		    char *err, size_t errlen)
{
	const struct tfl_model *m = &p->model->m;
	struct edgenpu_engine_error e;
	void *scratch = NULL;
	uint32_t i;
	int ret = 0;

	p->op_cost = calloc(m->nops, sizeof(*p->op_cost));
	if (!p->op_cost ||
	    posix_memalign(&scratch, 64, EDGENPU_ENGINE_SCRATCH_SIZE)) {
		free(scratch);
		return pfail(err, errlen, -ENOMEM, "out of memory");
	}
	for (i = 0; i < m->nops && !ret; i++) {
		ret = op_cost(p, b, i, scratch, &e);
		if (ret)
			ret = pfail(err, errlen, ret,
				    "%s: op %u (%s): the engine cannot decode its lowered form: %s",
				    p->model->name, i,
				    edgenpu__tfl_builtin_name(m->ops[i].builtin),
				    e.msg);
		else if (p->op_cost[i] > EDGENPU_CMD_MAX_OP_COST)
			ret = pfail(err, errlen, -E2BIG,
				    "%s: op %u (%s) cannot run: op cost %llu exceeds the limit %llu of every executor (EDGENPU_CMD_MAX_OP_COST: the NPU's and the CPU executor's)",
				    p->model->name, i,
				    edgenpu__tfl_builtin_name(m->ops[i].builtin),
				    (unsigned long long)p->op_cost[i],
				    (unsigned long long)EDGENPU_CMD_MAX_OP_COST);
	}
	free(scratch);
	return ret;
}

/* Whether op @i is kept off the NPU by its cost alone. */
static int over_npu_limit(const struct edgenpu_plan *p, uint32_t i)
{
	return p->op_cost[i] > p->npu_op_limit;
}

static int placement_of(const struct edgenpu_plan *p, uint32_t i)
{
	return (p->op_mask >> p->lops[i].opcode) & 1 && !over_npu_limit(p, i) ?
	       EDGENPU_PLACE_NPU : EDGENPU_PLACE_CPU;
}

static struct plan_segment *new_segment(struct edgenpu_plan *p,
					uint32_t *cap)
{
	struct plan_segment *s;

	if (p->nsegs == *cap) {
		struct plan_segment *ns;
		uint32_t n = *cap ? 2 * *cap : 4;

		ns = realloc(p->segs, n * sizeof(*ns));
		if (!ns)
			return NULL;
		p->segs = ns;
		*cap = n;
	}
	s = &p->segs[p->nsegs++];
	memset(s, 0, sizeof(*s));
	return s;
}

/* Why segment @s, the job @part of @parts of ops [@from, @to), is where it is. */
static void segment_reason(const struct edgenpu_plan *p, struct plan_segment *s,
			   uint32_t part, uint32_t parts, uint32_t from,
			   uint32_t to, uint64_t job_limit)
{
	uint32_t i = s->ops[0], last = s->ops[s->nops - 1];
	char split[96] = "";

	if (parts > 1)
		snprintf(split, sizeof(split),
			 "; job %u of %u of ops %u-%u (job limit %llu units)",
			 part, parts, from, to - 1,
			 (unsigned long long)job_limit);
	if (s->placement == EDGENPU_PLACE_NPU)
		snprintf(s->reason, sizeof(s->reason),
			 "ops %u-%u: the device runs every engine op they use%s",
			 i, last, split);
	else if ((p->op_mask >> p->lops[i].opcode) & 1)
		snprintf(s->reason, sizeof(s->reason),
			 "ops %u-%u: op %u's cost %llu exceeds the device's limit %llu%s",
			 i, last, i, (unsigned long long)p->op_cost[i],
			 (unsigned long long)p->npu_op_limit, split);
	else
		snprintf(s->reason, sizeof(s->reason),
			 "ops %u-%u: the device's op_mask lacks %s%s", i, last,
			 edgenpu_engine_op_name(p->lops[i].opcode), split);
}

/* The end of the job that starts at op @from of a run that ends at @end. */
static uint32_t job_end(const struct edgenpu_plan *p, uint32_t from,
			uint32_t end, uint64_t limit)
{
	size_t size = sizeof(struct edgenpu_cmd_header);
	uint64_t cost = 0;
	uint32_t j = from;

	while (j < end && j - from < EDGENPU_CMD_MAX_OPS &&
	       size + op_bytes(&p->lops[j]) <= EDGENPU_CMD_MAX_SIZE &&
	       p->op_cost[j] <= limit - cost) {
		size += op_bytes(&p->lops[j]);
		cost += p->op_cost[j];
		j++;
	}
	return j;
}

/*
 * Each run of consecutive ops with one placement becomes one or more
 * segments: greedily, each job takes as many of the next ops as its
 * limits allow (ops, bytes, cost), which gives the fewest jobs.
 */
static int make_segments(struct edgenpu_plan *p, struct edgenpu_cmd_builder *b,
			 char *err, size_t errlen)
{
	const struct tfl_model *m = &p->model->m;
	uint32_t i = 0, cap = 0;

	while (i < m->nops) {
		int place = placement_of(p, i);
		uint64_t limit = place == EDGENPU_PLACE_NPU ? p->npu_job_limit :
				 EDGENPU_CMD_MAX_JOB_COST;
		uint32_t end = i, j = i, first = p->nsegs, k;

		while (end < m->nops && placement_of(p, end) == place)
			end++;
		while (j < end) {
			uint32_t from = j;
			struct plan_segment *s;

			j = job_end(p, from, end, limit);
			/* Not reached: op_costs() and placement_of() bound every op. */
			if (j == from)
				return pfail(err, errlen, -E2BIG,
					     "%s: op %u fits in no job (cost %llu, job limit %llu)",
					     p->model->name, j,
					     (unsigned long long)p->op_cost[j],
					     (unsigned long long)limit);
			s = new_segment(p, &cap);
			if (!s)
				return pfail(err, errlen, -ENOMEM, "out of memory");
			s->placement = place;
			if (serialize(p, b, s, from, j))
				return pfail(err, errlen, -ENOMEM, "out of memory");
		}
		for (k = first; k < p->nsegs; k++)
			segment_reason(p, &p->segs[k], k - first + 1,
				       p->nsegs - first, i, end, limit);
		i = end;
	}
	return 0;
}

static void op_infos(struct edgenpu_plan *p)
{
	const struct tfl_model *m = &p->model->m;
	uint32_t s, k;

	for (s = 0; s < p->nsegs; s++) {
		for (k = 0; k < p->segs[s].nops; k++) {
			uint32_t i = p->segs[s].ops[k];
			struct edgenpu_op_info *oi = &p->opinfo[i];
			const struct lw_op *lo = &p->lops[i];
			const char *en = edgenpu_engine_op_name(lo->opcode);

			oi->index = i;
			oi->builtin_code = m->ops[i].builtin;
			snprintf(oi->name, sizeof(oi->name), "%s",
				 edgenpu__tfl_builtin_name(m->ops[i].builtin));
			oi->engine_op = lo->opcode;
			snprintf(oi->engine_name, sizeof(oi->engine_name), "%s",
				 en);
			oi->placement = p->segs[s].placement;
			oi->segment = s;
			oi->cost = p->op_cost[i];
			if (oi->placement == EDGENPU_PLACE_CPU &&
			    (p->op_mask >> lo->opcode) & 1)
				snprintf(oi->reason, sizeof(oi->reason),
					 "fallback: op cost %llu exceeds the device's limit %llu (engine op %s%s%s)",
					 (unsigned long long)oi->cost,
					 (unsigned long long)p->npu_op_limit,
					 en, lo->note[0] ? " " : "", lo->note);
			else
				snprintf(oi->reason, sizeof(oi->reason),
					 "%sengine op %s%s%s is %s the device op_mask",
					 oi->placement == EDGENPU_PLACE_NPU ? "" :
					 "fallback: ", en, lo->note[0] ? " " : "",
					 lo->note,
					 oi->placement == EDGENPU_PLACE_NPU ? "in" :
					 "not in");
		}
	}
}

void edgenpu_plan_unref(struct edgenpu_plan *plan)
{
	uint32_t i;

	if (!plan || --plan->refs > 0)
		return;
	for (i = 0; i < plan->nsegs; i++) {
		free(plan->segs[i].stream);
		free(plan->segs[i].ops);
	}
	free(plan->segs);
	free(plan->op_cost);
	free(plan->opinfo);
	free(plan->lops);
	free(plan->weights);
	free(plan->const_off);
	free(plan->scratch_off);
	edgenpu_model_unref(plan->model);
	free(plan);
}

int edgenpu_plan_create(struct edgenpu_model *model, uint64_t op_mask,
			struct edgenpu_plan **out, char *err, size_t errlen)
{
	return edgenpu_plan_create_flags(model, op_mask, 0, out, err, errlen);
}

int edgenpu_plan_create_flags(struct edgenpu_model *model, uint64_t op_mask,
			      uint32_t flags, struct edgenpu_plan **out,
			      char *err, size_t errlen)
{
	return edgenpu_plan_create_limits(model, op_mask, flags, NULL, out, err,
					  errlen);
}

/* @limit, but never 0 (unknown) and never above the engine's @engine. */
static uint64_t clamp_limit(uint64_t limit, uint64_t engine)
{
	return limit && limit < engine ? limit : engine;
}

/* The ops nothing can run, first: they decide whether a plan exists. */
static int check_ops(const struct edgenpu_model *model, char *err,
		     size_t errlen)
{
	const struct tfl_model *m = &model->m;
	uint32_t i;

	for (i = 0; i < m->nops; i++)
		if (!edgenpu__lowering(m->ops[i].builtin))
			return pfail(err, errlen, -EOPNOTSUPP,
				     "%s: op %u (%s%s%s, builtin code %d) has no implementation in edgenpu: it is not an NPU command-stream op and the CPU executor has no kernel for it",
				     model->name, i,
				     edgenpu__tfl_builtin_name(m->ops[i].builtin),
				     m->ops[i].custom_code ? " " : "",
				     m->ops[i].custom_code ?
				     m->ops[i].custom_code : "",
				     m->ops[i].builtin);
	if (!m->nops)
		return pfail(err, errlen, -EINVAL, "%s: the model has no operators",
			     model->name);
	return 0;
}

/* Model inputs and outputs: the user's integer tensors, used in place. */
static int check_io(const struct edgenpu_model *model, char *err,
		    size_t errlen)
{
	const struct tfl_model *m = &model->m;
	uint32_t i;

	if (m->nin + m->nout > EDGENPU_CMD_MAX_BUFFERS - PLAN_BUF_FIRST_IO)
		return pfail(err, errlen, -EINVAL,
			     "%s: %u inputs and %u outputs (at most %d in all)",
			     model->name, m->nin, m->nout,
			     EDGENPU_CMD_MAX_BUFFERS - PLAN_BUF_FIRST_IO);
	for (i = 0; i < m->nin + m->nout; i++) {
		int32_t ti = i < m->nin ? m->inputs[i] : m->outputs[i - m->nin];
		const struct tfl_tensor *t = &m->tensors[ti];
		const char *role = i < m->nin ? "input" : "output";

		if (t->type != TFL_INT8 && t->type != TFL_UINT8 &&
		    t->type != TFL_INT16 && t->type != TFL_INT32)
			return pfail(err, errlen, -EINVAL,
				     "%s: %s '%s' is %s; only integer tensors are supported",
				     model->name, role, t->name,
				     edgenpu__tfl_type_name(t->type));
		if (t->data)
			return pfail(err, errlen, -EINVAL,
				     "%s: %s '%s' is a constant", model->name,
				     role, t->name);
		if (i >= m->nin && io_index(m->inputs, m->nin, ti) >= 0)
			return pfail(err, errlen, -EINVAL,
				     "%s: tensor '%s' is both an input and an output",
				     model->name, t->name);
	}
	return 0;
}

/* A new plan of @model with its limits and per-op arrays; NULL: no memory. */
static struct edgenpu_plan *plan_alloc(struct edgenpu_model *model,
				       uint64_t op_mask, uint32_t flags,
				       const struct edgenpu_plan_limits *limits)
{
	const struct tfl_model *m = &model->m;
	struct edgenpu_plan *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->refs = 1;
	p->model = edgenpu_model_ref(model);
	p->op_mask = op_mask;
	p->flags = flags;
	p->npu_job_limit = clamp_limit(limits ? limits->max_job_cost : 0,
				       EDGENPU_CMD_MAX_JOB_COST);
	p->npu_op_limit = clamp_limit(limits ? limits->max_op_cost : 0,
				      EDGENPU_CMD_MAX_OP_COST);
	/* One op is a job of its own at the least. */
	if (p->npu_op_limit > p->npu_job_limit)
		p->npu_op_limit = p->npu_job_limit;
	p->lops = calloc(m->nops, sizeof(*p->lops));
	p->const_off = calloc(m->ntensors, sizeof(*p->const_off));
	p->opinfo = calloc(m->nops, sizeof(*p->opinfo));
	if (!p->lops || !p->const_off || !p->opinfo) {
		edgenpu_plan_unref(p);
		return NULL;
	}
	return p;
}

/* Lowering, memory, costs, then the command streams of the segments. */
static int plan_build(struct edgenpu_plan *p, char *err, size_t errlen)
{
	struct edgenpu_cmd_builder *b;
	int ret;

	ret = edgenpu__lower_model(p, err, errlen);
	if (!ret)
		ret = plan_memory(p, err, errlen);
	if (ret)
		return ret;
	buffer_table(p);
	if (edgenpu_cmd_builder_create(&b))
		return pfail(err, errlen, -ENOMEM, "out of memory");
	ret = op_costs(p, b, err, errlen);
	if (!ret)
		ret = make_segments(p, b, err, errlen);
	edgenpu_cmd_builder_unref(b);
	if (!ret)
		op_infos(p);
	return ret;
}

int edgenpu_plan_create_limits(struct edgenpu_model *model, uint64_t op_mask,
			       uint32_t flags,
			       const struct edgenpu_plan_limits *limits,
			       struct edgenpu_plan **out, char *err,
			       size_t errlen)
{
	struct edgenpu_plan *p;
	int ret;

	if (err && errlen)
		err[0] = 0;
	if (!model || !out)
		return -EINVAL;
	*out = NULL;
	if (flags & ~EDGENPU_PLAN_KEEP_INTERMEDIATES)
		return pfail(err, errlen, -EINVAL, "unknown plan flags 0x%x",
			     flags & ~EDGENPU_PLAN_KEEP_INTERMEDIATES);
	ret = check_ops(model, err, errlen);
	if (!ret)
		ret = check_io(model, err, errlen);
	if (ret)
		return ret;
	p = plan_alloc(model, op_mask, flags, limits);
	if (!p)
		return pfail(err, errlen, -ENOMEM, "out of memory");
	ret = plan_build(p, err, errlen);
	if (ret) {
		edgenpu_plan_unref(p);
		return ret;
	}
	*out = p;
	return 0;
}

struct edgenpu_plan *edgenpu_plan_ref(struct edgenpu_plan *plan)
{
	if (plan)
		plan->refs++;
	return plan;
}

struct edgenpu_model *edgenpu_plan_model(const struct edgenpu_plan *plan)
{
	return plan ? plan->model : NULL;
}

size_t edgenpu_plan_num_ops(const struct edgenpu_plan *plan)
{
	return plan ? plan->model->m.nops : 0;
}

int edgenpu_plan_op_info(const struct edgenpu_plan *plan, size_t index,
			 struct edgenpu_op_info *info)
{
	if (!plan || !info || index >= plan->model->m.nops)
		return -EINVAL;
	*info = plan->opinfo[index];
	return 0;
}

size_t edgenpu_plan_num_segments(const struct edgenpu_plan *plan)
{
	return plan ? plan->nsegs : 0;
}

int edgenpu_plan_segment(const struct edgenpu_plan *plan, size_t index,
			 struct edgenpu_plan_segment *seg)
{
	const struct plan_segment *s;

	if (!plan || !seg || index >= plan->nsegs)
		return -EINVAL;
	s = &plan->segs[index];
	seg->stream = s->stream;
	seg->stream_size = s->size;
	seg->placement = s->placement;
	seg->ops = s->ops;
	seg->num_ops = s->nops;
	seg->reason = s->reason;
	seg->cost = s->cost;
	return 0;
}

size_t edgenpu_plan_num_buffers(const struct edgenpu_plan *plan)
{
	return plan ? plan->nbufs : 0;
}

int edgenpu_plan_buffer(const struct edgenpu_plan *plan, size_t index,
			struct edgenpu_plan_buffer *buf)
{
	if (!plan || !buf || index >= plan->nbufs)
		return -EINVAL;
	*buf = plan->bufs[index];
	return 0;
}

int edgenpu_plan_get_stats(const struct edgenpu_plan *plan,
			   struct edgenpu_plan_stats *st)
{
	uint32_t i;

	if (!plan || !st)
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	st->weights_bytes = plan->weights_size;
	st->scratch_bytes = plan->scratch_size;
	st->intermediate_bytes = plan->intermediate_bytes;
	st->num_intermediates = plan->num_intermediates;
	st->engine_scratch_bytes = EDGENPU_ENGINE_SCRATCH_SIZE;
	st->num_segments = plan->nsegs;
	for (i = 0; i < plan->nbufs; i++) {
		if (plan->bufs[i].kind == EDGENPU_BUF_INPUT)
			st->input_bytes += plan->bufs[i].size;
		if (plan->bufs[i].kind == EDGENPU_BUF_OUTPUT)
			st->output_bytes += plan->bufs[i].size;
	}
	for (i = 0; i < plan->nsegs; i++) {
		st->stream_bytes += plan->segs[i].size;
		st->cost += plan->segs[i].cost;
		if (plan->segs[i].placement == EDGENPU_PLACE_NPU) {
			st->num_npu_ops += plan->segs[i].nops;
			st->num_npu_segments++;
		} else {
			st->num_cpu_ops += plan->segs[i].nops;
		}
	}
	return 0;
}
