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

#include "model_internal.h"

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

/* TFLite builtins that have a lowering. */
static int is_supported(int32_t builtin)
{
	switch (builtin) {
	case TFL_OP_CONV_2D:
	case TFL_OP_DEPTHWISE_CONV_2D:
	case TFL_OP_FULLY_CONNECTED:
	case TFL_OP_ADD:
	case TFL_OP_SUB:
	case TFL_OP_MUL:
	case TFL_OP_AVERAGE_POOL_2D:
	case TFL_OP_MAX_POOL_2D:
	case TFL_OP_MEAN:
	case TFL_OP_SOFTMAX:
	case TFL_OP_LOGISTIC:
	case TFL_OP_TANH:
	case TFL_OP_RESHAPE:
	case TFL_OP_CONCATENATION:
	case TFL_OP_PAD:
	case TFL_OP_TRANSPOSE:
	case TFL_OP_QUANTIZE:
		return 1;
	default:
		return 0;
	}
}

uint32_t plan_out_index(const struct lw_op *lo)
{
	switch (lo->opcode) {
	case EDGENPU_OP_CONV_2D:
	case EDGENPU_OP_DEPTHWISE_CONV_2D:
	case EDGENPU_OP_FULLY_CONNECTED:
		return 3;
	case EDGENPU_OP_ADD:
	case EDGENPU_OP_SUB:
	case EDGENPU_OP_MUL:
		return 2;
	case EDGENPU_OP_CONCATENATION:
		return lo->nt - 1;
	default:
		return 1;
	}
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
	return (uint64_t)t->count * (uint64_t)tfl_type_size(t->type);
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
 * Lifetimes and scratch placement: "greedy by size" (as TFLite's arena
 * planner): largest tensors first, each at the lowest aligned offset that
 * overlaps no already placed tensor whose lifetime intersects its own.
 */
#define FAIL(...) do { ret = pfail(err, errlen, -EINVAL, __VA_ARGS__); goto out; } while (0)

static int plan_memory(struct edgenpu_plan *p, char *err, size_t errlen)
{
	const struct tfl_model *m = &p->model->m;
	uint32_t *first, *last, nlive = 0, i, j, k;
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
	for (i = 0; i < m->nops; i++) {
		const struct lw_op *lo = &p->lops[i];
		uint32_t o = plan_out_index(lo);

		for (k = 0; k < lo->nt; k++) {
			int32_t ti = lo->t[k].tensor;
			const struct tfl_tensor *t;

			if (lo->t[k].kind != LW_TENSOR)
				continue;
			t = &m->tensors[ti];
			if (k == o) {
				if (io_index(m->inputs, m->nin, ti) >= 0)
					FAIL(
						     "%s: op %u writes model input '%s'",
						     p->model->name, i, t->name);
				if (first[ti] != UINT32_MAX)
					FAIL(
						     "%s: op %u writes tensor '%s' that op %u already wrote",
						     p->model->name, i, t->name,
						     first[ti]);
				first[ti] = i;
				last[ti] = i;
			} else {
				if (first[ti] == UINT32_MAX &&
				    io_index(m->inputs, m->nin, ti) < 0)
					FAIL(
						     "%s: op %u reads tensor '%s' before any op writes it",
						     p->model->name, i, t->name);
				last[ti] = i;
			}
		}
	}
	for (i = 0; i < m->nout; i++) {
		int32_t ti = m->outputs[i];

		if (first[ti] == UINT32_MAX)
			FAIL(
				     "%s: model output '%s' is not computed by any op (it is an input or a constant)",
				     p->model->name, m->tensors[ti].name);
	}
	for (i = 0; i < m->ntensors; i++) {
		if (first[i] == UINT32_MAX ||
		    io_index(m->outputs, m->nout, (int32_t)i) >= 0)
			continue;
		lv[nlive].tensor = (int32_t)i;
		lv[nlive].first = first[i];
		lv[nlive].last = p->flags & EDGENPU_PLAN_KEEP_INTERMEDIATES ?
				 m->nops : last[i];
		lv[nlive].size = (tensor_bytes(&m->tensors[i]) +
				  SCRATCH_ALIGN - 1) & ~(uint64_t)(SCRATCH_ALIGN - 1);
		p->intermediate_bytes += tensor_bytes(&m->tensors[i]);
		nlive++;
	}
	p->num_intermediates = nlive;
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
out:
	free(first);
	free(last);
	free(lv);
	free(rs);
	return ret;
}
#undef FAIL

static void buffer_table(struct edgenpu_plan *p)
{
	const struct tfl_model *m = &p->model->m;
	uint32_t i, n = PLAN_BUF_FIRST_IO;

	p->bufs[PLAN_BUF_WEIGHTS] = (struct edgenpu_plan_buffer){
		.kind = EDGENPU_BUF_WEIGHTS, .size = p->weights_size,
		.flags = EDGENPU_BUF_F_READ, .contents = p->weights,
	};
	p->bufs[PLAN_BUF_SCRATCH] = (struct edgenpu_plan_buffer){
		.kind = EDGENPU_BUF_SCRATCH, .size = p->scratch_size,
		.flags = EDGENPU_BUF_F_READ | EDGENPU_BUF_F_WRITE,
	};
	for (i = 0; i < m->nin; i++)
		p->bufs[n++] = (struct edgenpu_plan_buffer){
			.kind = EDGENPU_BUF_INPUT, .index = i,
			.size = tensor_bytes(&m->tensors[m->inputs[i]]),
			.flags = EDGENPU_BUF_F_READ,
		};
	for (i = 0; i < m->nout; i++)
		p->bufs[n++] = (struct edgenpu_plan_buffer){
			.kind = EDGENPU_BUF_OUTPUT, .index = i,
			.size = tensor_bytes(&m->tensors[m->outputs[i]]),
			.flags = EDGENPU_BUF_F_READ | EDGENPU_BUF_F_WRITE,
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

static void put(uint8_t **w, const void *src, size_t n)
{
	memcpy(*w, src, n);
	*w += n;
}

/* The command-stream descriptor of op @lo, at *w. */
static void put_op(const struct edgenpu_plan *p, const struct lw_op *lo,
		   uint8_t **w)
{
	struct edgenpu_cmd_op oh;
	uint32_t k;

	memset(&oh, 0, sizeof(oh));
	oh.size = (uint32_t)op_bytes(lo);
	oh.opcode = lo->opcode;
	oh.num_tensors = (uint16_t)lo->nt;
	oh.params_size = lo->psize;
	oh.tensor_size = sizeof(struct edgenpu_cmd_tensor);
	oh.flags = lo->flags;
	oh.act_min = lo->act_min;
	oh.act_max = lo->act_max;
	put(w, &oh, sizeof(oh));
	put(w, lo->params, lo->psize);
	for (k = 0; k < lo->nt; k++) {
		const struct lw_operand *o = &lo->t[k];
		struct edgenpu_cmd_tensor t;

		memset(&t, 0, sizeof(t));
		if (o->kind == LW_NONE) {
			t.buffer = EDGENPU_CMD_NO_BUFFER;
		} else {
			uint64_t off;

			locate(p, o, &t.buffer, &off);
			t.offset = off;
			t.dtype = o->dtype;
			t.flags = o->flags;
			memcpy(t.dims, o->dims, sizeof(t.dims));
			t.zero_point = o->zp;
			t.multiplier = o->mult;
			t.shift = o->shift;
		}
		put(w, &t, sizeof(t));
	}
}

/* Command stream of ops [from, to). */
static int serialize(struct edgenpu_plan *p, struct plan_segment *s,
		     uint32_t from, uint32_t to)
{
	struct edgenpu_cmd_header h;
	size_t size = sizeof(h);
	uint32_t i;
	uint8_t *w;

	for (i = from; i < to; i++)
		size += op_bytes(&p->lops[i]);
	s->stream = calloc(1, size);
	s->ops = calloc(to - from, sizeof(*s->ops));
	if (!s->stream || !s->ops)
		return -ENOMEM;
	cmd_header_init(&h, to - from, size);
	w = s->stream;
	put(&w, &h, sizeof(h));
	for (i = from; i < to; i++) {
		put_op(p, &p->lops[i], &w);
		s->ops[s->nops++] = i;
		s->cost += p->op_cost[i];
	}
	s->size = size;
	return 0;
}

/*
 * The cost units of every op, as the engine counts them against its
 * limits: from the op's own descriptor (edgenpu_engine_op_cost()), so
 * that planner and validator never disagree. An op above the engine's
 * op limit runs nowhere: neither the NPU nor the CPU executor (the same
 * engine) accepts it.
 */
static int op_costs(struct edgenpu_plan *p, char *err, size_t errlen)
{
	const struct tfl_model *m = &p->model->m;
	struct edgenpu_engine_error e;
	uint8_t *desc, *w;
	void *scratch = NULL;
	uint32_t i;
	int ret = 0;

	p->op_cost = calloc(m->nops, sizeof(*p->op_cost));
	desc = malloc(sizeof(struct edgenpu_cmd_op) +
		      EDGENPU_CMD_MAX_PARAMS_SIZE +
		      EDGENPU_CMD_MAX_TENSORS * sizeof(struct edgenpu_cmd_tensor));
	if (!p->op_cost || !desc ||
	    posix_memalign(&scratch, 64, EDGENPU_ENGINE_SCRATCH_SIZE)) {
		ret = pfail(err, errlen, -ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < m->nops && !ret; i++) {
		const struct lw_op *lo = &p->lops[i];

		w = desc;
		put_op(p, lo, &w);
		ret = edgenpu_engine_op_cost(desc, op_bytes(lo), scratch,
					     EDGENPU_ENGINE_SCRATCH_SIZE,
					     &p->op_cost[i], &e);
		if (ret)
			ret = pfail(err, errlen, ret,
				    "%s: op %u (%s): the engine cannot decode its lowered form: %s",
				    p->model->name, i,
				    tfl_builtin_name(m->ops[i].builtin), e.msg);
		else if (p->op_cost[i] > EDGENPU_CMD_MAX_OP_COST)
			ret = pfail(err, errlen, -E2BIG,
				    "%s: op %u (%s) cannot run: op cost %llu exceeds the limit %llu of every executor (EDGENPU_CMD_MAX_OP_COST: the NPU's and the CPU executor's)",
				    p->model->name, i,
				    tfl_builtin_name(m->ops[i].builtin),
				    (unsigned long long)p->op_cost[i],
				    (unsigned long long)EDGENPU_CMD_MAX_OP_COST);
	}
out:
	free(scratch);
	free(desc);
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

/*
 * Each run of consecutive ops with one placement becomes one or more
 * segments: greedily, each job takes as many of the next ops as its
 * limits allow (ops, bytes, cost), which gives the fewest jobs.
 */
static int make_segments(struct edgenpu_plan *p, char *err, size_t errlen)
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
			size_t size = sizeof(struct edgenpu_cmd_header);
			uint64_t cost = 0;
			uint32_t from = j;
			struct plan_segment *s;

			while (j < end && j - from < EDGENPU_CMD_MAX_OPS &&
			       size + op_bytes(&p->lops[j]) <= EDGENPU_CMD_MAX_SIZE &&
			       p->op_cost[j] <= limit - cost) {
				size += op_bytes(&p->lops[j]);
				cost += p->op_cost[j];
				j++;
			}
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
			if (serialize(p, s, from, j))
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
				 tfl_builtin_name(m->ops[i].builtin));
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

int edgenpu_plan_create_limits(struct edgenpu_model *model, uint64_t op_mask,
			       uint32_t flags,
			       const struct edgenpu_plan_limits *limits,
			       struct edgenpu_plan **out, char *err,
			       size_t errlen)
{
	const struct tfl_model *m;
	struct edgenpu_plan *p;
	uint32_t i;
	int ret;

	if (err && errlen)
		err[0] = 0;
	if (!model || !out)
		return -EINVAL;
	*out = NULL;
	if (flags & ~EDGENPU_PLAN_KEEP_INTERMEDIATES)
		return pfail(err, errlen, -EINVAL, "unknown plan flags 0x%x",
			     flags & ~EDGENPU_PLAN_KEEP_INTERMEDIATES);
	m = &model->m;
	/* First the ops nothing can run: they decide whether a plan exists. */
	for (i = 0; i < m->nops; i++)
		if (!is_supported(m->ops[i].builtin))
			return pfail(err, errlen, -EOPNOTSUPP,
				     "%s: op %u (%s%s%s, builtin code %d) has no implementation in edgenpu: it is not an NPU command-stream op and the CPU executor has no kernel for it",
				     model->name, i,
				     tfl_builtin_name(m->ops[i].builtin),
				     m->ops[i].custom_code ? " " : "",
				     m->ops[i].custom_code ?
				     m->ops[i].custom_code : "",
				     m->ops[i].builtin);
	if (!m->nops)
		return pfail(err, errlen, -EINVAL, "%s: the model has no operators",
			     model->name);
	if (m->nin + m->nout > EDGENPU_CMD_MAX_BUFFERS - PLAN_BUF_FIRST_IO)
		return pfail(err, errlen, -EINVAL,
			     "%s: %u inputs and %u outputs (at most %d in all)",
			     model->name, m->nin, m->nout,
			     EDGENPU_CMD_MAX_BUFFERS - PLAN_BUF_FIRST_IO);
	for (i = 0; i < m->nin + m->nout; i++) {
		int32_t ti = i < m->nin ? m->inputs[i] : m->outputs[i - m->nin];
		const struct tfl_tensor *t = &m->tensors[ti];

		if (t->type != TFL_INT8 && t->type != TFL_UINT8 &&
		    t->type != TFL_INT16 && t->type != TFL_INT32)
			return pfail(err, errlen, -EINVAL,
				     "%s: %s '%s' is %s; only integer tensors are supported",
				     model->name, i < m->nin ? "input" : "output",
				     t->name, tfl_type_name(t->type));
		if (t->data)
			return pfail(err, errlen, -EINVAL,
				     "%s: %s '%s' is a constant", model->name,
				     i < m->nin ? "input" : "output", t->name);
		if (i >= m->nin && io_index(m->inputs, m->nin, ti) >= 0)
			return pfail(err, errlen, -EINVAL,
				     "%s: tensor '%s' is both an input and an output",
				     model->name, t->name);
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
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
		ret = pfail(err, errlen, -ENOMEM, "out of memory");
		goto fail;
	}
	ret = lower_model(p, err, errlen);
	if (!ret)
		ret = plan_memory(p, err, errlen);
	if (ret)
		goto fail;
	buffer_table(p);
	ret = op_costs(p, err, errlen);
	if (!ret)
		ret = make_segments(p, err, errlen);
	if (ret)
		goto fail;
	op_infos(p);
	*out = p;
	return 0;
fail:
	edgenpu_plan_unref(p);
	return ret;
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
