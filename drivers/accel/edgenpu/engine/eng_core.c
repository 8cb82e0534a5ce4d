// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * edgenpu engine: command-stream decoding, the walk over a job's ops and
 * the public entry points.
 *
 * The validator is the isolation boundary of the virtual NPU: the
 * executor runs inside the kernel on buffers that userspace shares.
 * Everything the executor uses comes from a decoded copy of each op in
 * caller-private scratch that passed eng_check_op() (eng_check.c)
 * immediately before the op runs. This file decodes: it copies the
 * stream's header and each op descriptor out of memory userspace may
 * still change, checks their framing, and never executes anything that
 * eng_check_op() did not accept in the same pass.
 */
#include "eng_internal.h"

static const int eng_code_errno[] = {
	[EDGENPU_ENGINE_OK] = 0,
	[EDGENPU_ENGINE_E_ARGS] = -EINVAL,
	[EDGENPU_ENGINE_E_MAGIC] = -EBADMSG,
	[EDGENPU_ENGINE_E_VERSION] = -EPROTONOSUPPORT,
	[EDGENPU_ENGINE_E_SIZE] = -EMSGSIZE,
	[EDGENPU_ENGINE_E_TOO_MANY_OPS] = -E2BIG,
	[EDGENPU_ENGINE_E_UNKNOWN_OP] = -EOPNOTSUPP,
	[EDGENPU_ENGINE_E_RESERVED] = -EINVAL,
	[EDGENPU_ENGINE_E_OPERANDS] = -EINVAL,
	[EDGENPU_ENGINE_E_PARAM] = -EINVAL,
	[EDGENPU_ENGINE_E_QUANT] = -EINVAL,
	[EDGENPU_ENGINE_E_DIMS] = -EDOM,
	[EDGENPU_ENGINE_E_STRIDES] = -EDOM,
	[EDGENPU_ENGINE_E_OVERFLOW] = -EOVERFLOW,
	[EDGENPU_ENGINE_E_BUFFER_INDEX] = -ENXIO,
	[EDGENPU_ENGINE_E_BOUNDS] = -ERANGE,
	[EDGENPU_ENGINE_E_ACCESS] = -EACCES,
	[EDGENPU_ENGINE_E_ALIAS] = -EBUSY,
	[EDGENPU_ENGINE_E_SCRATCH] = -ENOSPC,
	[EDGENPU_ENGINE_E_CANCELED] = -ECANCELED,
	[EDGENPU_ENGINE_E_INTERNAL] = -EFAULT,
	[EDGENPU_ENGINE_E_COST] = -E2BIG,
};

/* Fill in @err (if any) and return the errno of @code. */
int eng_fail(struct edgenpu_engine_error *err, s32 op, s32 tensor, u32 code,
	     const char *msg)
{
	int e = eng_code_errno[code];

	if (err) {
		size_t n = strlen(msg);

		if (n >= EDGENPU_ENGINE_MSG_LEN)
			n = EDGENPU_ENGINE_MSG_LEN - 1;
		err->op_index = op;
		err->tensor = tensor;
		err->err = e;
		err->code = code;
		memcpy(err->msg, msg, n);
		err->msg[n] = '\0';
	}
	return e;
}

/* Append the decimal digits of @v at @p, a buffer ending at @end. */
static char *eng_put_u64(char *p, const char *end, u64 v)
{
	char d[20];
	int n = 0;

	do {
		d[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n && p < end)
		*p++ = d[--n];
	return p;
}

static char *eng_put_str(char *p, const char *end, const char *str)
{
	while (*str && p < end)
		*p++ = *str++;
	return p;
}

/* "<what> cost N exceeds the limit L" with E_COST. */
int eng_fail_cost(struct edgenpu_engine_error *err, s32 op, const char *what,
		  u64 cost, u64 limit)
{
	char msg[EDGENPU_ENGINE_MSG_LEN];
	char *p = msg, *end = msg + sizeof(msg) - 1;

	p = eng_put_str(p, end, what);
	p = eng_put_str(p, end, " cost ");
	p = eng_put_u64(p, end, cost);
	p = eng_put_str(p, end, " exceeds the limit ");
	p = eng_put_u64(p, end, limit);
	*p = '\0';
	return eng_fail(err, op, -1, EDGENPU_ENGINE_E_COST, msg);
}

static void eng_clear_err(struct edgenpu_engine_error *err)
{
	if (err) {
		memset(err, 0, sizeof(*err));
		err->op_index = -1;
		err->tensor = -1;
	}
}

static bool eng_all_zero(const u8 *p, u64 n)
{
	u64 i;

	for (i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static u8 eng_esize(u32 dtype)
{
	switch (dtype) {
	case EDGENPU_DTYPE_INT8:
	case EDGENPU_DTYPE_UINT8:
		return 1;
	case EDGENPU_DTYPE_INT16:
		return 2;
	case EDGENPU_DTYPE_INT32:
		return 4;
	default:
		return 0;
	}
}

/* Dims and (with EDGENPU_TENSOR_F_STRIDED) strides of operand @i. */
static int eng_decode_shape(struct eng_op *op, u32 i,
			    const struct edgenpu_cmd_tensor *d,
			    struct edgenpu_engine_error *err)
{
	struct eng_tensor *t = &op->t[i];
	u32 k;

	for (k = 0; k < 4; k++) {
		if (d->dims[k] < 1 || d->dims[k] > EDGENPU_CMD_MAX_DIM)
			return OPFAIL(op, (s32)i, DIMS,
				      "tensor dimension out of range");
		t->dims[k] = d->dims[k];
	}
	if (!(d->flags & EDGENPU_TENSOR_F_STRIDED)) {
		if (d->strides[0] || d->strides[1] || d->strides[2] ||
		    d->strides[3])
			return OPFAIL(op, (s32)i, STRIDES,
				      "strides given without STRIDED flag");
		return 0;
	}
	for (k = 0; k < 4; k++) {
		if (d->strides[k] > 0xffffffffull)
			return OPFAIL(op, (s32)i, STRIDES, "stride too large");
		t->st[k] = (u32)d->strides[k];
	}
	return 0;
}

/*
 * Decode one raw tensor descriptor. Only syntax is checked here; the
 * buffer checks happen in eng_check_tensor() on the decoded copy.
 */
static int eng_decode_tensor(struct eng_op *op, u32 i, const u8 *raw,
			     u32 tsize, struct edgenpu_engine_error *err)
{
	struct edgenpu_cmd_tensor d;
	struct eng_tensor *t = &op->t[i];

	memcpy(&d, raw, sizeof(d));
	memset(t, 0, sizeof(*t));
	if (!eng_all_zero(raw + sizeof(d), tsize - sizeof(d)))
		return OPFAIL(op, (s32)i, RESERVED,
			      "unknown tensor descriptor fields set");
	if (d.buffer == EDGENPU_CMD_NO_BUFFER) {
		d.buffer = 0;
		if (!eng_all_zero((const u8 *)&d, sizeof(d)))
			return OPFAIL(op, (s32)i, RESERVED,
				      "absent operand has non-zero fields");
		return 0;
	}
	if (d.pad || d.reserved)
		return OPFAIL(op, (s32)i, RESERVED,
			      "tensor reserved field not zero");
	if (d.flags & ~(EDGENPU_TENSOR_F_STRIDED |
			EDGENPU_TENSOR_F_PER_CHANNEL))
		return OPFAIL(op, (s32)i, RESERVED, "unknown tensor flags");
	t->esize = eng_esize(d.dtype);
	if (!t->esize)
		return OPFAIL(op, (s32)i, OPERANDS, "unknown tensor dtype");
	t->present = 1;
	t->buf = d.buffer;
	t->dtype = d.dtype;
	t->flags = d.flags;
	t->start = d.offset;
	t->zp = d.zero_point;
	t->mult = d.multiplier;
	t->shift = d.shift;
	return eng_decode_shape(op, i, &d, err);
}

/* Framing of one op header @h, with @room bytes left in the stream. */
static int eng_check_op_header(struct eng_op *op, const struct edgenpu_cmd_op *h,
			       u64 room, struct edgenpu_engine_error *err)
{
	const struct eng_op_desc *d = eng_op_desc(h->opcode);
	u64 need;

	if (h->size < sizeof(*h) || h->size % 8 || h->size > room)
		return OPFAIL(op, -1, SIZE, "bad op size");
	if (!d)
		return OPFAIL(op, -1, UNKNOWN_OP, "unknown opcode");
	if (h->reserved)
		return OPFAIL(op, -1, RESERVED, "op reserved field not zero");
	if (h->flags & ~EDGENPU_OP_F_LUT ||
	    ((h->flags & EDGENPU_OP_F_LUT) && !(d->flags & ENG_OPF_LUT)))
		return OPFAIL(op, -1, RESERVED, "unknown op flags");
	if (h->num_tensors < 1 || h->num_tensors > EDGENPU_CMD_MAX_TENSORS)
		return OPFAIL(op, -1, OPERANDS, "operand count out of range");
	if (h->params_size % 8 || h->params_size > EDGENPU_CMD_MAX_PARAMS_SIZE)
		return OPFAIL(op, -1, SIZE, "bad params size");
	if (h->tensor_size % 8 ||
	    h->tensor_size < sizeof(struct edgenpu_cmd_tensor) ||
	    h->tensor_size > 4096)
		return OPFAIL(op, -1, SIZE, "bad tensor descriptor size");
	need = sizeof(*h) + (u64)h->params_size +
	       (u64)h->num_tensors * h->tensor_size;
	if (need != h->size)
		return OPFAIL(op, -1, SIZE,
			      "op size != header + params + tensors");
	if (h->params_size < d->params_size)
		return OPFAIL(op, -1, SIZE, "params block too small");
	return 0;
}

/*
 * Decode op descriptor @idx that starts at @pos into @op. On success
 * *next is the offset of the following descriptor.
 */
static int eng_decode_op(const u8 *s, u64 size, u64 pos, u32 idx,
			 struct eng_op *op, u64 *next,
			 struct edgenpu_engine_error *err)
{
	struct edgenpu_cmd_op h;
	u64 body;
	u32 min_params, i;
	int ret;

	memset(op, 0, sizeof(*op));
	op->index = idx;
	if (size - pos < sizeof(h))
		return OPFAIL(op, -1, SIZE, "op header truncated");
	memcpy(&h, s + pos, sizeof(h));
	ret = eng_check_op_header(op, &h, size - pos, err);
	if (ret)
		return ret;
	min_params = eng_ops[h.opcode].params_size;
	body = pos + sizeof(h);
	memcpy(&op->p, s + body, min_params);
	if (!eng_all_zero(s + body + min_params, h.params_size - min_params))
		return OPFAIL(op, -1, RESERVED, "unknown params fields set");
	op->opcode = h.opcode;
	op->flags = h.flags;
	op->ntens = h.num_tensors;
	op->act_min = h.act_min;
	op->act_max = h.act_max;
	body += h.params_size;
	for (i = 0; i < h.num_tensors; i++) {
		ret = eng_decode_tensor(op, i, s + body + (u64)i * h.tensor_size,
					h.tensor_size, err);
		if (ret)
			return ret;
	}
	*next = pos + h.size;
	return 0;
}

static int eng_check_header(const u8 *s, u64 size, u32 *nops,
			    u64 *first, struct edgenpu_engine_error *err)
{
	struct edgenpu_cmd_header h;

	if (size < sizeof(h))
		return eng_fail(err, -1, -1, EDGENPU_ENGINE_E_SIZE,
				"stream shorter than its header");
	memcpy(&h, s, sizeof(h));
	if (h.magic != EDGENPU_CMD_MAGIC)
		return eng_fail(err, -1, -1, EDGENPU_ENGINE_E_MAGIC,
				"bad magic");
	if (h.version_major != EDGENPU_CMD_VERSION_MAJOR ||
	    h.version_minor > EDGENPU_CMD_VERSION_MINOR)
		return eng_fail(err, -1, -1, EDGENPU_ENGINE_E_VERSION,
				"unsupported command stream version");
	if (size > EDGENPU_CMD_MAX_SIZE || h.total_size != size ||
	    h.header_size < sizeof(h) || h.header_size % 8 ||
	    h.header_size > size)
		return eng_fail(err, -1, -1, EDGENPU_ENGINE_E_SIZE,
				"bad header or total size");
	if (h.flags || h.reserved0 || h.reserved ||
	    !eng_all_zero(s + sizeof(h), h.header_size - sizeof(h)))
		return eng_fail(err, -1, -1, EDGENPU_ENGINE_E_RESERVED,
				"header reserved field or flag set");
	if (h.op_count < 1 || h.op_count > EDGENPU_CMD_MAX_OPS)
		return eng_fail(err, -1, -1, EDGENPU_ENGINE_E_TOO_MANY_OPS,
				"op count zero or above EDGENPU_CMD_MAX_OPS");
	*nops = h.op_count;
	*first = h.header_size;
	return 0;
}

static int eng_check_args(const void *stream, u64 stream_size,
			  const struct edgenpu_engine_buffer *bufs, u32 nbufs,
			  void *scratch, u64 scratch_size, bool mem,
			  struct edgenpu_engine_error *err)
{
	u32 i;

	if (!stream || (nbufs && !bufs))
		return eng_fail(err, -1, -1, EDGENPU_ENGINE_E_ARGS,
				"NULL stream or buffer table");
	if (nbufs > EDGENPU_CMD_MAX_BUFFERS)
		return eng_fail(err, -1, -1, EDGENPU_ENGINE_E_ARGS,
				"buffer table too large");
	if (!scratch || ((uintptr_t)scratch & 63) ||
	    scratch_size < ENG_DECODE_SIZE)
		return eng_fail(err, -1, -1, EDGENPU_ENGINE_E_SCRATCH,
				"scratch missing, misaligned or too small");
	for (i = 0; i < nbufs; i++) {
		if (bufs[i].reserved ||
		    (bufs[i].flags & ~(EDGENPU_BUF_READ |
				       EDGENPU_BUF_WRITE)))
			return eng_fail(err, -1, (s32)i, EDGENPU_ENGINE_E_ARGS,
					"bad buffer table entry");
		if (mem && bufs[i].size && !bufs[i].ptr)
			return eng_fail(err, -1, (s32)i, EDGENPU_ENGINE_E_ARGS,
					"buffer table entry with NULL pointer");
	}
	(void)stream_size;
	return 0;
}

/**
 * eng_tick_slow() - the preemption point behind eng_tick()
 * @op: the executing op; its budget ran out.
 *
 * Refills the budget, yields the CPU if the environment wants it and
 * asks the job's cancellation hook.
 *
 * Return: 0, or -ECANCELED when the job is to stop.
 */
int eng_tick_slow(struct eng_op *op)
{
	const struct edgenpu_engine_hooks *h = op->hooks;

	op->budget = ENG_TICK_UNITS;
	ENG_PORT_YIELD();
	if (h && h->cancelled && h->cancelled(h->ctx, op->index)) {
		op->budget = 0;
		return -ECANCELED;
	}
	return 0;
}

/*
 * Run decoded op @op (number @i of the job), which eng_check_op() just
 * accepted with mapped buffers; @budget is the tick budget, which carries
 * over from op to op.
 */
static int eng_exec_op(struct eng_op *op, u32 i,
		       const struct edgenpu_engine_hooks *hooks, s64 *budget,
		       struct edgenpu_engine_error *err)
{
	bool timed;
	int ret;

	if (hooks && hooks->cancelled && hooks->cancelled(hooks->ctx, i))
		return OPFAIL(op, -1, CANCELED, "job cancelled");
	timed = hooks && hooks->now && hooks->op_times &&
		2ull * i + 1 < hooks->op_times_len;
	if (timed)
		hooks->op_times[2 * i] = hooks->now(hooks->ctx);
	op->hooks = hooks;
	op->budget = *budget;
	ret = eng_ops[op->opcode].exec(op);
	*budget = op->budget;
	if (ret == -ECANCELED)
		return OPFAIL(op, -1, CANCELED, "job cancelled during the op");
	if (ret)
		return OPFAIL(op, -1, INTERNAL, "executor invariant failed");
	if (timed)
		hooks->op_times[2 * i + 1] = hooks->now(hooks->ctx);
	return 0;
}

/*
 * Decode op @i at @pos into the scratch and check it: against the mapped
 * buffers with @mem, and against the scratch size and the job's cost so
 * far (*@job_cost, updated).
 */
static int eng_next_op(const u8 *s, u64 stream_size, u64 pos, u32 i,
		       const struct edgenpu_engine_buffer *bufs, u32 nbufs,
		       void *scratch, u64 scratch_size, bool mem,
		       u64 *job_cost, u64 *next,
		       struct edgenpu_engine_error *err)
{
	struct eng_op *op = scratch;
	u64 need;
	int ret;

	ret = eng_decode_op(s, stream_size, pos, i, op, next, err);
	if (ret)
		return ret;
	ret = eng_check_op(op, bufs, nbufs, mem, &need, err);
	if (ret)
		return ret;
	if (need > scratch_size - ENG_DECODE_SIZE)
		return OPFAIL(op, -1, SCRATCH, "op needs more scratch than given");
	/* At most 1024 ops of at most 2^32 units: no overflow. */
	*job_cost += op->cost;
	if (*job_cost > EDGENPU_CMD_MAX_JOB_COST)
		return eng_fail_cost(err, (s32)i, "job", *job_cost,
				     EDGENPU_CMD_MAX_JOB_COST);
	op->work = (u8 *)scratch + ENG_DECODE_SIZE;
	op->work_size = scratch_size - ENG_DECODE_SIZE;
	return 0;
}

/*
 * Validate the whole job. With @run set, each op executes right after it
 * was decoded and re-checked against the mapped buffers: an op never runs
 * unchecked. edgenpu_engine_run() validates the entire job first, so that
 * nothing runs unless everything is valid; edgenpu_engine_execute() relies
 * on an earlier edgenpu_engine_validate() for that.
 */
static int eng_walk(const void *stream, u64 stream_size,
		    const struct edgenpu_engine_buffer *bufs, u32 nbufs,
		    void *scratch, u64 scratch_size,
		    const struct edgenpu_engine_hooks *hooks, bool run,
		    struct edgenpu_engine_error *err)
{
	const u8 *s = stream;
	u64 pos, next, job_cost = 0;
	s64 budget = ENG_TICK_UNITS;
	u32 nops, i;
	int ret;

	ret = eng_check_header(s, stream_size, &nops, &pos, err);
	if (ret)
		return ret;
	for (i = 0; i < nops; i++) {
		ret = eng_next_op(s, stream_size, pos, i, bufs, nbufs, scratch,
				  scratch_size, run, &job_cost, &next, err);
		if (!ret && run)
			ret = eng_exec_op(scratch, i, hooks, &budget, err);
		if (ret)
			return ret;
		pos = next;
	}
	if (pos != stream_size)
		return eng_fail(err, -1, -1, EDGENPU_ENGINE_E_SIZE,
				"trailing bytes after the last op");
	return 0;
}

/*
 * The three entry points: check the arguments, then with @validate walk
 * the whole job without running anything, then with @run walk it again
 * executing each op right after its own check against the mapped buffers.
 */
static int eng_job(const void *stream, u64 stream_size,
		   const struct edgenpu_engine_buffer *bufs, u32 nbufs,
		   void *scratch, u64 scratch_size,
		   const struct edgenpu_engine_hooks *hooks, bool validate,
		   bool run, struct edgenpu_engine_error *err)
{
	int ret;

	eng_clear_err(err);
	ret = eng_check_args(stream, stream_size, bufs, nbufs, scratch,
			     scratch_size, run, err);
	if (!ret && validate)
		ret = eng_walk(stream, stream_size, bufs, nbufs, scratch,
			       scratch_size, NULL, false, err);
	if (ret || !run)
		return ret;
	return eng_walk(stream, stream_size, bufs, nbufs, scratch,
			scratch_size, hooks, true, err);
}

/**
 * edgenpu_engine_validate() - check a job without running it
 * @stream: command stream bytes (any alignment).
 * @stream_size: bytes in @stream; must equal the header's total_size.
 * @bufs: the job's buffer table. Only sizes and flags are used: the
 *	pointers may be NULL and are never read.
 * @nbufs: entries in @bufs, at most %EDGENPU_CMD_MAX_BUFFERS.
 * @scratch: caller-private scratch, 64-byte aligned, not shared with
 *	userspace; %EDGENPU_ENGINE_SCRATCH_SIZE bytes are always enough.
 * @scratch_size: bytes at @scratch.
 * @err: filled with the reason of a rejection; may be NULL.
 *
 * Also bounds the work: an op above %EDGENPU_CMD_MAX_OP_COST cost units
 * or a job above %EDGENPU_CMD_MAX_JOB_COST is refused with -E2BIG
 * (%EDGENPU_ENGINE_E_COST).
 *
 * Return: 0 if the job is valid, else a negative errno whose cause is
 * described by &enum edgenpu_engine_code.
 */
int edgenpu_engine_validate(const void *stream, u64 stream_size,
			    const struct edgenpu_engine_buffer *bufs, u32 nbufs,
			    void *scratch, u64 scratch_size,
			    struct edgenpu_engine_error *err)
{
	return eng_job(stream, stream_size, bufs, nbufs, scratch, scratch_size,
		       NULL, true, false, err);
}

/**
 * edgenpu_engine_execute() - execute a job that was validated before
 * @stream: command stream bytes.
 * @stream_size: bytes in @stream.
 * @bufs: the job's buffer table; every buffer of non-zero size mapped.
 * @nbufs: entries in @bufs.
 * @scratch: caller-private scratch as for edgenpu_engine_validate().
 * @scratch_size: bytes at @scratch.
 * @hooks: optional profiling and cancellation callbacks; may be NULL.
 * @err: filled with the reason of a failure; may be NULL.
 *
 * For a job that edgenpu_engine_validate() accepted with the same buffer
 * sizes and flags: skips the separate whole-job validation pass of
 * edgenpu_engine_run(). Each op is still decoded into @scratch and checked
 * again right before it runs, so nothing ever executes unchecked; but a
 * job that was not validated may fail part-way, after earlier ops wrote
 * their outputs.
 *
 * Return: 0 on success, else a negative errno (-ECANCELED when @hooks
 * cancelled the job).
 */
int edgenpu_engine_execute(const void *stream, u64 stream_size,
			   const struct edgenpu_engine_buffer *bufs, u32 nbufs,
			   void *scratch, u64 scratch_size,
			   const struct edgenpu_engine_hooks *hooks,
			   struct edgenpu_engine_error *err)
{
	return eng_job(stream, stream_size, bufs, nbufs, scratch, scratch_size,
		       hooks, false, true, err);
}

/**
 * edgenpu_engine_run() - validate a job, then execute it
 * @stream: command stream bytes.
 * @stream_size: bytes in @stream.
 * @bufs: the job's buffer table; every buffer of non-zero size mapped.
 * @nbufs: entries in @bufs.
 * @scratch: caller-private scratch as for edgenpu_engine_validate().
 * @scratch_size: bytes at @scratch.
 * @hooks: optional profiling and cancellation callbacks; may be NULL.
 * @err: filled with the reason of a failure; may be NULL.
 *
 * Nothing executes unless the whole job validates. Each op then runs from
 * a decoded copy in @scratch that is validated again just before use.
 * Output buffers of ops before a cancellation hold their results.
 *
 * Return: 0 on success, else a negative errno.
 */
int edgenpu_engine_run(const void *stream, u64 stream_size,
		       const struct edgenpu_engine_buffer *bufs, u32 nbufs,
		       void *scratch, u64 scratch_size,
		       const struct edgenpu_engine_hooks *hooks,
		       struct edgenpu_engine_error *err)
{
	return eng_job(stream, stream_size, bufs, nbufs, scratch, scratch_size,
		       hooks, true, true, err);
}

/**
 * edgenpu_engine_op_cost() - the cost units of one op
 * @desc: one op descriptor as a command stream holds it: &struct
 *	edgenpu_cmd_op, its params, its tensor descriptors (any alignment).
 * @size: bytes readable at @desc (the descriptor may be shorter).
 * @scratch: caller-private scratch as for edgenpu_engine_validate(); the
 *	op is decoded there.
 * @scratch_size: bytes at @scratch.
 * @cost: set to the op's cost units: what validation counts against
 *	%EDGENPU_CMD_MAX_OP_COST and %EDGENPU_CMD_MAX_JOB_COST (see
 *	Documentation/edgenpu/cmdstream.rst), saturated at U64_MAX.
 * @err: filled with the reason of a rejection; may be NULL.
 *
 * For planners, which split their work into jobs within the cost limits.
 * Only the descriptor's framing is checked here, not its operands (there
 * is no buffer table): for an op that validates, @cost is exactly what
 * edgenpu_engine_validate() counts for it.
 *
 * Return: 0, or a negative errno when the descriptor does not decode.
 */
int edgenpu_engine_op_cost(const void *desc, u64 size, void *scratch,
			   u64 scratch_size, u64 *cost,
			   struct edgenpu_engine_error *err)
{
	struct eng_op *op = scratch;
	u64 next;
	int ret;

	eng_clear_err(err);
	if (!desc || !cost)
		return eng_fail(err, -1, -1, EDGENPU_ENGINE_E_ARGS,
				"NULL descriptor or cost");
	if (!scratch || ((uintptr_t)scratch & 63) ||
	    scratch_size < ENG_DECODE_SIZE)
		return eng_fail(err, -1, -1, EDGENPU_ENGINE_E_SCRATCH,
				"scratch missing, misaligned or too small");
	ret = eng_decode_op(desc, size, 0, 0, op, &next, err);
	if (ret)
		return ret;
	*cost = eng_op_cost(op);
	return 0;
}

/**
 * edgenpu_engine_srdhm() - SaturatingRoundingDoublingHighMul
 * @a: first factor.
 * @b: second factor.
 *
 * Return: the rounded high half of 2 * @a * @b, saturated.
 */
s32 edgenpu_engine_srdhm(s32 a, s32 b)
{
	return eng_srdhm(a, b);
}

/**
 * edgenpu_engine_rdbpot() - RoundingDivideByPOT
 * @x: dividend.
 * @exponent: power of two to divide by, 0 to 31.
 *
 * Return: @x / 2^@exponent rounded half away from zero.
 */
s32 edgenpu_engine_rdbpot(s32 x, int exponent)
{
	return eng_rdbpot(x, exponent);
}

/**
 * edgenpu_engine_mbqm() - MultiplyByQuantizedMultiplier (double rounding)
 * @x: value.
 * @multiplier: Q31 multiplier.
 * @shift: exponent, -31 to 30.
 *
 * Return: @x * @multiplier * 2^(@shift - 31), rounded as TFLite does.
 */
s32 edgenpu_engine_mbqm(s32 x, s32 multiplier, int shift)
{
	if (shift < -31 || shift > 30)
		return 0;
	return eng_mbqm(x, multiplier, shift);
}
