// SPDX-License-Identifier: MIT
/*
 * libedgenpu: runners, on an NPU or on the CPU executor.
 *
 * The CPU executor runs a plan's segments with the engine's userspace
 * build (the same sources as the NPU's), over host memory laid out like
 * the plan's buffer table. With a device, every buffer of the table is a
 * buffer object mapped into this process: NPU segments are jobs on the
 * device, CPU segments run the engine over the same mappings. Either
 * way, every buffer is allocated when the runner is created; a run
 * copies or allocates nothing. On the CPU executor the caller may bind an
 * input or output entry to memory of its own (edgenpu_runner_bind_input(),
 * _output()): the entry's pointer changes, its size and flags do not, and
 * the next run rebases the CPU plan's kernel pointers
 * (edgenpu__cpu_plan_rebase()).
 *
 * A run can also be split in two (edgenpu_runner_start() and
 * edgenpu_runner_finish()): start runs every segment but a last NPU one,
 * which it only submits, so that a caller streaming inputs through two
 * runners prepares one while the device runs the other.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <time.h>
#include <unistd.h>

#include <drm/edgenpu_accel.h>

#include "cpu_plan.h"
#include "model_internal.h"

struct edgenpu_runner {
	int refs;
	struct edgenpu_plan *plan;
	struct edgenpu_engine_buffer bufs[EDGENPU_CMD_MAX_BUFFERS];
	uint32_t nbufs;
	void *mem[EDGENPU_CMD_MAX_BUFFERS];	/* owned allocations */
	void *engine_scratch;
	struct edgenpu_cpu_plan *cpu;		/* the CPU segments' steps */
	char last_error[256];
	int rebase;			/* bound buffers moved: rebase r->cpu */
	/* with a device */
	struct edgenpu_device *dev;
	struct edgenpu_bo *bos[EDGENPU_CMD_MAX_BUFFERS];
	uint32_t buf_flags[EDGENPU_CMD_MAX_BUFFERS];
	struct edgenpu_bo *cmd_bo, *prof_bo;
	uint64_t *seg_off, *seg_prof_off;	/* per segment */
	uint64_t *op_times;			/* per model op: start, end */
	uint64_t *seg_times;			/* the engine's, one CPU segment */
	uint64_t device_ns;			/* last run, on the device */
	int started;			/* edgenpu_runner_start() ran, not finish */
	uint64_t pending_seqno;		/* the last segment's job, if on the NPU */
};

static void rfail(struct edgenpu_runner *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int npu_setup(struct edgenpu_runner *r, struct edgenpu_device *dev);

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
	if (r->started)
		edgenpu_runner_finish(r);	/* the device may write them */
	for (i = 0; i < EDGENPU_CMD_MAX_BUFFERS; i++) {
		free(r->mem[i]);
		edgenpu_bo_unref(r->bos[i]);
	}
	edgenpu_bo_unref(r->cmd_bo);
	edgenpu_bo_unref(r->prof_bo);
	edgenpu_device_unref(r->dev);
	free(r->seg_off);
	free(r->seg_prof_off);
	free(r->op_times);
	free(r->seg_times);
	free(r->engine_scratch);
	edgenpu__cpu_plan_free(r->cpu);
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
		      edgenpu__tfl_builtin_name(p->model->m.ops[op].builtin), what,
		      e->msg, e->tensor, strerror(-ret));
}

/* Host memory for the buffer table: the CPU executor's own buffers. */
static int cpu_setup(struct edgenpu_runner *r)
{
	const struct edgenpu_plan *plan = r->plan;
	uint32_t i;

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
			return -ENOMEM;
		eb->ptr = r->mem[i];
	}
	return 0;
}

/* Every segment, validated by the engine against the runner's buffers. */
static int validate_segments(struct edgenpu_runner *r)
{
	const struct edgenpu_plan *plan = r->plan;
	uint32_t i;

	for (i = 0; i < plan->nsegs; i++) {
		struct edgenpu_engine_error e;
		int ret = edgenpu_engine_validate(plan->segs[i].stream,
						  plan->segs[i].size, r->bufs,
						  r->nbufs, r->engine_scratch,
						  EDGENPU_ENGINE_SCRATCH_SIZE,
						  &e);

		if (ret) {
			engine_error(r, i, ret, &e, "rejected by the engine");
			return ret;
		}
	}
	return 0;
}

/*
 * The CPU segments' per-op plan, over the runner's buffers: packed
 * weights for the ops with a fast kernel, engine streams for the others.
 */
static int cpu_plan_setup(struct edgenpu_runner *r)
{
	struct edgenpu_engine_error e;
	int ret;

	ret = edgenpu__cpu_plan_create(r->plan, r->dev != NULL, r->bufs,
				       r->nbufs, r->engine_scratch,
				       edgenpu__cpu_isa_choose(), &r->cpu, &e);
	if (ret == -ENOMEM)
		rfail(r, "out of memory planning the CPU executor");
	else if (ret)
		engine_error(r, 0, ret, &e, "rejected by the engine");
	if (ret || !edgenpu__cpu_plan_fast_total(r->cpu))
		return ret;
	/*
	 * Threads by default, one per online CPU, only where a fast kernel
	 * will use them. Best effort: where threads cannot be made (a
	 * sandbox, RLIMIT_NPROC), the runner still works on one.
	 */
	if (edgenpu_runner_set_threads(r, 0))
		(void)edgenpu_runner_set_threads(r, 1);
	return 0;
}

/* The buffers, on @dev or in host memory, then the segments' validation. */
static int runner_setup(struct edgenpu_runner *r, struct edgenpu_device *dev)
{
	const struct edgenpu_plan *plan = r->plan;
	int ret;

	r->op_times = calloc(plan->model->m.nops * 2 + 2, sizeof(uint64_t));
	/* Every op of a segment is a model op: nops bounds any segment. */
	r->seg_times = calloc(plan->model->m.nops * 2 + 2, sizeof(uint64_t));
	if (!r->op_times || !r->seg_times)
		goto nomem;
	ret = dev ? npu_setup(r, dev) : cpu_setup(r);
	if (ret == -ENOMEM && !r->last_error[0])
		goto nomem;
	if (ret)
		return ret;
	r->engine_scratch = alloc64(EDGENPU_ENGINE_SCRATCH_SIZE);
	if (!r->engine_scratch)
		goto nomem;
	ret = validate_segments(r);
	return ret ? ret : cpu_plan_setup(r);
nomem:
	rfail(r, "out of memory allocating the runner");
	return -ENOMEM;
}

int edgenpu_runner_create(struct edgenpu_plan *plan, struct edgenpu_device *dev,
			  struct edgenpu_runner **out, char *err,
			  size_t errlen)
{
	struct edgenpu_runner *r;
	int ret;

	if (err && errlen)
		err[0] = 0;
	if (!plan || !out)
		return -EINVAL;
	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->refs = 1;
	r->plan = edgenpu_plan_ref(plan);
	r->nbufs = plan->nbufs;
	ret = runner_setup(r, dev);
	if (ret) {
		if (err && errlen)
			snprintf(err, errlen, "%s", r->last_error);
		edgenpu_runner_unref(r);
		return ret;
	}
	*out = r;
	return 0;
}

static uint64_t now_ns(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint32_t seg_op_count(const struct plan_segment *seg)
{
	const struct edgenpu_cmd_header *h = (const void *)seg->stream;

	return seg->size >= sizeof(*h) ? h->op_count : 0;
}

/* Buffer objects for the whole table, the streams and the timestamps. */
static int npu_setup(struct edgenpu_runner *r, struct edgenpu_device *dev)
{
	const struct edgenpu_plan *p = r->plan;
	uint64_t cmd_size = 0, prof_size = 0;
	uint8_t *cmd_map;
	uint32_t i;
	int ret;

	r->dev = edgenpu_device_ref(dev);
	for (i = 0; i < p->nbufs; i++) {
		const struct edgenpu_plan_buffer *b = &p->bufs[i];
		void *map;

		ret = edgenpu_bo_create(dev, b->size ? b->size : 1, &r->bos[i]);
		map = ret ? NULL : edgenpu_bo_map(r->bos[i]);
		if (!map) {
			rfail(r, "cannot allocate %llu bytes on %s: %s",
			      (unsigned long long)b->size, p->model->name,
			      edgenpu_strerror(ret ? ret : -ENOMEM));
			return ret ? ret : -ENOMEM;
		}
		if (b->kind == EDGENPU_BUF_WEIGHTS && b->contents)
			memcpy(map, b->contents, b->size);	/* once */
		r->bufs[i].ptr = map;
		r->bufs[i].size = b->size;
		r->bufs[i].flags = b->flags;
		r->buf_flags[i] = b->flags;
	}
	r->seg_off = calloc(p->nsegs + 1, sizeof(uint64_t));
	r->seg_prof_off = calloc(p->nsegs + 1, sizeof(uint64_t));
	if (!r->seg_off || !r->seg_prof_off)
		return -ENOMEM;
	for (i = 0; i < p->nsegs; i++) {
		r->seg_off[i] = cmd_size;
		r->seg_prof_off[i] = prof_size;
		cmd_size += (p->segs[i].size + 7) & ~(uint64_t)7;
		prof_size += (uint64_t)seg_op_count(&p->segs[i]) * 16;
	}
	ret = edgenpu_bo_create(dev, cmd_size ? cmd_size : 1, &r->cmd_bo);
	if (!ret)
		ret = edgenpu_bo_create(dev, prof_size ? prof_size : 16, &r->prof_bo);
	cmd_map = ret ? NULL : edgenpu_bo_map(r->cmd_bo);
	if (!cmd_map || !edgenpu_bo_map(r->prof_bo)) {
		rfail(r, "cannot allocate the command buffers: %s",
		      edgenpu_strerror(ret ? ret : -ENOMEM));
		return ret ? ret : -ENOMEM;
	}
	for (i = 0; i < p->nsegs; i++)
		memcpy(cmd_map + r->seg_off[i], p->segs[i].stream, p->segs[i].size);
	return 0;
}

/* NPU segment @s failed with @ret: the device's last error names the op. */
static int npu_fail(struct edgenpu_runner *r, uint32_t s, int ret)
{
	const struct edgenpu_plan *p = r->plan;
	const struct plan_segment *seg = &p->segs[s];
	int32_t op = -1;
	char msg[128];

	msg[0] = 0;
	edgenpu_device_last_error(r->dev, msg, sizeof(msg), &op);
	if (op >= 0 && (uint32_t)op < seg->nops)
		rfail(r, "%s: op %u (%s) failed on the NPU: %s (%s)",
		      p->model->name, seg->ops[op],
		      edgenpu__tfl_builtin_name(p->model->m.ops[seg->ops[op]].builtin),
		      msg[0] ? msg : "no detail", strerror(-ret));
	else
		rfail(r, "%s: segment %u failed on the NPU: %s (%s)",
		      p->model->name, s, msg[0] ? msg : "no detail",
		      strerror(-ret));
	return ret;
}

/* Submit NPU segment @s; @seqno: its job. */
static int npu_submit_segment(struct edgenpu_runner *r, uint32_t s,
			      uint64_t *seqno)
{
	const struct plan_segment *seg = &r->plan->segs[s];
	struct edgenpu_job_desc job = {
		.cmd = r->cmd_bo,
		.cmd_offset = r->seg_off[s],
		.cmd_size = seg->size,
		.bufs = r->bos,
		.buf_flags = r->buf_flags,
		.nbufs = r->nbufs,
		.profile = r->prof_bo,
		.profile_offset = r->seg_prof_off[s],
		.priority = DRM_EDGENPU_PRIO_NORMAL,
	};
	int ret = edgenpu_submit(r->dev, &job, seqno);

	return ret ? npu_fail(r, s, ret) : 0;
}

/* Wait for NPU segment @s's job @seqno; its ops' times from the device. */
static int npu_finish_segment(struct edgenpu_runner *r, uint32_t s,
			      uint64_t seqno)
{
	const struct edgenpu_plan *p = r->plan;
	const struct plan_segment *seg = &p->segs[s];
	const uint64_t *prof;
	uint32_t status = 0, k;
	int32_t error = 0;
	int ret;

	ret = edgenpu_wait(r->dev, seqno, -1, &status, &error);
	if (!ret && status != DRM_EDGENPU_JOB_DONE)
		ret = error ? error : -EIO;
	if (ret)
		return npu_fail(r, s, ret);
	prof = (const uint64_t *)((const uint8_t *)edgenpu_bo_map(r->prof_bo) +
				  r->seg_prof_off[s]);
	for (k = 0; k < seg->nops && k < seg_op_count(seg); k++) {
		r->op_times[2 * seg->ops[k]] = prof[2 * k];
		r->op_times[2 * seg->ops[k] + 1] = prof[2 * k + 1];
		if (prof[2 * k + 1] > prof[2 * k])
			r->device_ns += prof[2 * k + 1] - prof[2 * k];
	}
	return 0;
}

static int npu_run_segment(struct edgenpu_runner *r, uint32_t s)
{
	uint64_t seqno;
	int ret = npu_submit_segment(r, s, &seqno);

	return ret ? ret : npu_finish_segment(r, s, seqno);
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

/* Whether [a, a + na) and [b, b + nb) share a byte. */
static int overlaps(const void *a, uint64_t na, const void *b, uint64_t nb)
{
	uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;

	return na && nb && x < y + nb && y < x + na;
}

/*
 * Entry @b of the table to run on @ptr (NULL: the runner's own memory
 * again). @ptr must hold the entry's bytes, be 64-byte aligned as the
 * runner's own buffers are, and share no byte with an entry the run
 * writes (an output: with no other entry at all).
 */
static int bind_buf(struct edgenpu_runner *r, int kind, size_t index,
		    void *ptr, size_t size)
{
	struct edgenpu_engine_buffer *b = io_buf(r, kind, index);
	uint32_t i;

	if (!b)
		return -EINVAL;
	if (r->dev)
		return -EOPNOTSUPP;
	if (r->started)
		return -EBUSY;
	i = (uint32_t)(b - r->bufs);
	if (!ptr)
		ptr = r->mem[i];
	else if ((uintptr_t)ptr % 64 || size < b->size)
		return -EINVAL;
	for (i = 0; i < r->nbufs; i++) {
		const struct edgenpu_engine_buffer *o = &r->bufs[i];

		if (o == b || !overlaps(ptr, b->size, o->ptr, o->size))
			continue;
		if (kind == EDGENPU_BUF_OUTPUT || (o->flags & EDGENPU_BUF_WRITE))
			return -EINVAL;
	}
	if (b->ptr != ptr) {
		b->ptr = ptr;
		r->rebase = 1;
	}
	return 0;
}

int edgenpu_runner_bind_input(struct edgenpu_runner *r, size_t index,
			      const void *ptr, size_t size)
{
	/* Never written through: INPUT entries are read-only to the run. */
	return bind_buf(r, EDGENPU_BUF_INPUT, index, (void *)(uintptr_t)ptr,
			size);
}

int edgenpu_runner_bind_output(struct edgenpu_runner *r, size_t index,
			       void *ptr, size_t size)
{
	return bind_buf(r, EDGENPU_BUF_OUTPUT, index, ptr, size);
}

/* The last segment, if it runs on the NPU: edgenpu_runner_start() queues it. */
static int last_on_npu(const struct edgenpu_runner *r)
{
	const struct edgenpu_plan *p = r->plan;

	return r->dev && p->nsegs &&
	       p->segs[p->nsegs - 1].placement == EDGENPU_PLACE_NPU;
}

int edgenpu_runner_start(struct edgenpu_runner *r)
{
	const struct edgenpu_plan *p;
	uint32_t s, last;
	int ret;

	if (!r)
		return -EINVAL;
	if (r->started)
		return -EBUSY;
	p = r->plan;
	if (r->rebase) {
		edgenpu__cpu_plan_rebase(r->cpu, r->bufs);
		r->rebase = 0;
	}
	r->last_error[0] = 0;
	r->device_ns = 0;
	last = last_on_npu(r) ? p->nsegs - 1 : p->nsegs;
	for (s = 0; s < last; s++) {
		const struct plan_segment *seg = &p->segs[s];
		struct edgenpu_engine_error e;
		uint32_t k, n;

		if (r->dev && seg->placement == EDGENPU_PLACE_NPU) {
			ret = npu_run_segment(r, s);
			if (ret)
				return ret;
			continue;
		}
		/*
		 * On the CPU, same buffers: the CPU plan's fast kernels for
		 * the ops that have one, the engine's userspace build for
		 * the others. edgenpu_runner_create() validated every engine
		 * stream against these very buffers, so execute() skips the
		 * whole-job pass (it still checks each op before running it).
		 */
		n = seg_op_count(seg);
		ret = edgenpu__cpu_plan_run(r->cpu, s, r->bufs, r->nbufs,
					    r->engine_scratch,
					    n <= seg->nops ? r->seg_times : NULL,
					    now_ns, &e);
		if (ret) {
			engine_error(r, s, ret, &e, "failed");
			return ret;
		}
		for (k = 0; n <= seg->nops && k < n; k++) {
			r->op_times[2 * seg->ops[k]] = r->seg_times[2 * k];
			r->op_times[2 * seg->ops[k] + 1] = r->seg_times[2 * k + 1];
		}
	}
	if (last < p->nsegs) {
		ret = npu_submit_segment(r, last, &r->pending_seqno);
		if (ret)
			return ret;
	}
	r->started = 1;
	return 0;
}

int edgenpu_runner_finish(struct edgenpu_runner *r)
{
	int ret = 0;

	if (!r || !r->started)
		return -EINVAL;
	if (last_on_npu(r))
		ret = npu_finish_segment(r, r->plan->nsegs - 1, r->pending_seqno);
	r->started = 0;
	return ret;
}

int edgenpu_runner_run(struct edgenpu_runner *r)
{
	int ret = edgenpu_runner_start(r);

	return ret ? ret : edgenpu_runner_finish(r);
}

int edgenpu_runner_set_threads(struct edgenpu_runner *r, unsigned int threads)
{
	long online;

	if (!r)
		return -EINVAL;
	if (threads == 0) {
		online = sysconf(_SC_NPROCESSORS_ONLN);
		threads = online < 1 ? 1 : (online > 64 ? 64 : (unsigned int)online);
	}
	return edgenpu__cpu_plan_set_threads(r->cpu, threads,
					     CPU_PLAN_PAR_MIN_MACS);
}

unsigned int edgenpu_runner_threads(const struct edgenpu_runner *r)
{
	return r ? edgenpu__cpu_plan_threads(r->cpu) : 0;
}

int edgenpu_runner_op_time(const struct edgenpu_runner *r, size_t op,
			   uint64_t *start_ns, uint64_t *end_ns)
{
	if (!r || op >= r->plan->model->m.nops)
		return -EINVAL;
	if (start_ns)
		*start_ns = r->op_times[2 * op];
	if (end_ns)
		*end_ns = r->op_times[2 * op + 1];
	return 0;
}

uint64_t edgenpu_runner_device_ns(const struct edgenpu_runner *r)
{
	return r ? r->device_ns : 0;
}

int edgenpu_runner_on_device(const struct edgenpu_runner *r)
{
	return r && r->dev;
}

const char *edgenpu_runner_last_error(const struct edgenpu_runner *r)
{
	return r ? r->last_error : "";
}

const void *edgenpu_runner_op_output(struct edgenpu_runner *r, size_t op,
				     size_t *size)
{
	const struct edgenpu_plan *p = r ? r->plan : NULL;
	const struct tfl_model *m;
	const struct lw_operand *o;
	struct edgenpu_engine_buffer *b;
	uint32_t i;

	if (size)
		*size = 0;
	if (!p || op >= p->model->m.nops)
		return NULL;
	m = &p->model->m;
	o = edgenpu__plan_output(&p->lops[op]);
	if (o->kind != LW_TENSOR)
		return NULL;
	for (i = 0; i < m->nout; i++)
		if (m->outputs[i] == o->tensor)
			return edgenpu_runner_output(r, i, size);
	if (!(p->flags & EDGENPU_PLAN_KEEP_INTERMEDIATES) ||
	    p->scratch_off[o->tensor] == UINT64_MAX)
		return NULL;
	b = &r->bufs[PLAN_BUF_SCRATCH];
	if (!b->ptr)
		return NULL;
	if (size)
		*size = (size_t)m->tensors[o->tensor].count *
			edgenpu__tfl_type_size(m->tensors[o->tensor].type);
	return (const uint8_t *)b->ptr + p->scratch_off[o->tensor];
}

/* The element at byte @off of a tensor of TFLite type @type. */
static int32_t element_at(const uint8_t *data, size_t off, int type,
			  size_t *start)
{
	size_t es = edgenpu__tfl_type_size(type);
	size_t s = es ? off - off % es : off;

	*start = s;
	switch (type) {
	case TFL_INT8:
		return (int8_t)data[s];
	case TFL_INT16: {
		int16_t v;

		memcpy(&v, data + s, sizeof(v));
		return v;
	}
	case TFL_INT32: {
		int32_t v;

		memcpy(&v, data + s, sizeof(v));
		return v;
	}
	default:
		return data[s];
	}
}

int edgenpu_runner_compare(struct edgenpu_runner *a, struct edgenpu_runner *b,
			   struct edgenpu_diff *diff)
{
	const struct tfl_model *m;
	size_t op, sa, sb, j;

	if (!a || !b || !diff ||
	    a->plan->model->m.nops != b->plan->model->m.nops ||
	    a->plan->model->m.ntensors != b->plan->model->m.ntensors)
		return -EINVAL;
	m = &a->plan->model->m;
	memset(diff, 0, sizeof(*diff));
	for (op = 0; op < m->nops; op++) {
		const uint8_t *x = edgenpu_runner_op_output(a, op, &sa);
		const uint8_t *y = edgenpu_runner_op_output(b, op, &sb);
		const struct lw_operand *o;

		if (!x || !y)
			continue;
		if (sa != sb)
			return -EINVAL;
		for (j = 0; j < sa && x[j] == y[j]; j++)
			;
		if (j == sa)
			continue;
		o = edgenpu__plan_output(&a->plan->lops[op]);
		diff->op = (uint32_t)op;
		diff->a = element_at(x, j, m->tensors[o->tensor].type,
				     &diff->offset);
		diff->b = element_at(y, j, m->tensors[o->tensor].type,
				     &diff->offset);
		return 1;
	}
	return 0;
}
