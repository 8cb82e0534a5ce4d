// SPDX-License-Identifier: MIT
/*
 * libedgenpu: runners and the CPU executor.
 *
 * The CPU executor runs a plan's segments with the engine's userspace
 * build (the same sources as the NPU's), over host memory laid out like
 * the plan's buffer table. Every buffer is allocated when the runner is
 * created; a run hands the engine the table and the streams and copies
 * or allocates nothing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"

struct edgenpu_runner {
	int refs;
	struct edgenpu_plan *plan;
	struct edgenpu_engine_buffer bufs[EDGENPU_CMD_MAX_BUFFERS];
	uint32_t nbufs;
	void *mem[EDGENPU_CMD_MAX_BUFFERS];	/* owned allocations */
	void *engine_scratch;
	char last_error[256];
};

static void rfail(struct edgenpu_runner *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void rfail(struct edgenpu_runner *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->last_error, sizeof(r->last_error), fmt, ap);
	va_end(ap);
}

static void *alloc64(size_t size)
{
	void *p = NULL;

	/* One extra cache line so that even empty buffers have an address. */
	if (posix_memalign(&p, 64, ((size + 63) & ~(size_t)63) + 64))
		return NULL;
	memset(p, 0, ((size + 63) & ~(size_t)63) + 64);
	return p;
}

void edgenpu_runner_unref(struct edgenpu_runner *r)
{
	uint32_t i;

	if (!r || --r->refs > 0)
		return;
	for (i = 0; i < EDGENPU_CMD_MAX_BUFFERS; i++)
		free(r->mem[i]);
	free(r->engine_scratch);
	edgenpu_plan_unref(r->plan);
	free(r);
}

struct edgenpu_runner *edgenpu_runner_ref(struct edgenpu_runner *r)
{
	if (r)
		r->refs++;
	return r;
}

/* Which model op is op @k of segment @s. */
static uint32_t model_op(const struct edgenpu_plan *p, uint32_t s, int32_t k)
{
	if (k < 0 || (uint32_t)k >= p->segs[s].nops)
		return UINT32_MAX;
	return p->segs[s].ops[k];
}

static void engine_error(struct edgenpu_runner *r, uint32_t s, int ret,
			 const struct edgenpu_engine_error *e,
			 const char *what)
{
	const struct edgenpu_plan *p = r->plan;
	uint32_t op = model_op(p, s, e->op_index);

	if (op == UINT32_MAX)
		rfail(r, "%s: segment %u %s: %s (%s)", p->model->name, s, what,
		      e->msg, strerror(-ret));
	else
		rfail(r, "%s: op %u (%s) %s: %s (operand %d, %s)",
		      p->model->name, op,
		      tfl_builtin_name(p->model->m.ops[op].builtin), what,
		      e->msg, e->tensor, strerror(-ret));
}

int edgenpu_runner_create(struct edgenpu_plan *plan, struct edgenpu_device *dev,
			  struct edgenpu_runner **out, char *err,
			  size_t errlen)
{
	struct edgenpu_runner *r;
	uint32_t i;

	if (err && errlen)
		err[0] = 0;
	if (!plan || !out)
		return -EINVAL;
	*out = NULL;
	if (dev) {
		if (err && errlen)
			snprintf(err, errlen,
				 "NPU execution is not available yet in this build");
		return -EOPNOTSUPP;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->refs = 1;
	r->plan = edgenpu_plan_ref(plan);
	r->nbufs = plan->nbufs;
	for (i = 0; i < plan->nbufs; i++) {
		const struct edgenpu_plan_buffer *b = &plan->bufs[i];
		struct edgenpu_engine_buffer *eb = &r->bufs[i];

		eb->size = b->size;
		eb->flags = b->flags;
		if (b->kind == EDGENPU_BUF_WEIGHTS) {
			/* Read-only use of the plan's own copy: no copy. */
			eb->ptr = (void *)(uintptr_t)b->contents;
			if (!eb->ptr)
				eb->size = 0;
			continue;
		}
		r->mem[i] = alloc64((size_t)b->size);
		if (!r->mem[i])
			goto nomem;
		eb->ptr = r->mem[i];
	}
	r->engine_scratch = alloc64(EDGENPU_ENGINE_SCRATCH_SIZE);
	if (!r->engine_scratch)
		goto nomem;
	for (i = 0; i < plan->nsegs; i++) {
		struct edgenpu_engine_error e;
		int ret = edgenpu_engine_validate(plan->segs[i].stream,
						  plan->segs[i].size, r->bufs,
						  r->nbufs, r->engine_scratch,
						  EDGENPU_ENGINE_SCRATCH_SIZE,
						  &e);

		if (ret) {
			engine_error(r, i, ret, &e, "rejected by the engine");
			if (err && errlen)
				snprintf(err, errlen, "%s", r->last_error);
			edgenpu_runner_unref(r);
			return ret;
		}
	}
	*out = r;
	return 0;
nomem:
	if (err && errlen)
		snprintf(err, errlen, "out of memory allocating the runner");
	edgenpu_runner_unref(r);
	return -ENOMEM;
}

static struct edgenpu_engine_buffer *io_buf(struct edgenpu_runner *r,
					    int kind, size_t index)
{
	uint32_t i;

	if (!r)
		return NULL;
	for (i = 0; i < r->nbufs; i++)
		if (r->plan->bufs[i].kind == kind &&
		    r->plan->bufs[i].index == index)
			return &r->bufs[i];
	return NULL;
}

void *edgenpu_runner_input(struct edgenpu_runner *r, size_t index,
			   size_t *size)
{
	struct edgenpu_engine_buffer *b = io_buf(r, EDGENPU_BUF_INPUT, index);

	if (size)
		*size = b ? (size_t)b->size : 0;
	return b ? b->ptr : NULL;
}

const void *edgenpu_runner_output(struct edgenpu_runner *r, size_t index,
				  size_t *size)
{
	struct edgenpu_engine_buffer *b = io_buf(r, EDGENPU_BUF_OUTPUT, index);

	if (size)
		*size = b ? (size_t)b->size : 0;
	return b ? b->ptr : NULL;
}

int edgenpu_runner_run(struct edgenpu_runner *r)
{
	const struct edgenpu_plan *p;
	uint32_t s;

	if (!r)
		return -EINVAL;
	p = r->plan;
	r->last_error[0] = 0;
	for (s = 0; s < p->nsegs; s++) {
		struct edgenpu_engine_error e;
		int ret;

		/* NPU and CPU segments alike: this runner has no device. */
		ret = edgenpu_engine_run(p->segs[s].stream, p->segs[s].size,
					 r->bufs, r->nbufs, r->engine_scratch,
					 EDGENPU_ENGINE_SCRATCH_SIZE, NULL, &e);
		if (ret) {
			engine_error(r, s, ret, &e, "failed");
			return ret;
		}
	}
	return 0;
}

const char *edgenpu_runner_last_error(const struct edgenpu_runner *r)
{
	return r ? r->last_error : "";
}
