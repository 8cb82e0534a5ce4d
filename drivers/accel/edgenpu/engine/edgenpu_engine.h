/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * edgenpu engine: public interface of the command-stream validator and
 * the int8 executor. The same sources build into edgenpu.ko and into
 * libedgenpu_engine.a; see Documentation/edgenpu/cmdstream.rst.
 *
 * The contract of the three entry points:
 * - edgenpu_engine_validate() checks a whole job from its stream and the
 *   sizes and flags of its buffer table, without touching any buffer.
 *   The kernel calls it once, at SUBMIT, before anything is mapped or
 *   queued, so that a bad job fails its ioctl.
 * - edgenpu_engine_execute() runs a job that validate() accepted with the
 *   same buffer sizes and flags, without a second whole-job pass. It
 *   still decodes each op into caller-private scratch and checks it
 *   against the mapped buffers right before the op runs: the executor
 *   never runs an op it did not check, so a stream changed after
 *   validation (it lives in memory userspace may share) can make the job
 *   fail part-way but never make it access outside its buffers.
 * - edgenpu_engine_run() is validate() then execute() for callers that did
 *   not validate before (libedgenpu's CPU executor, tests): nothing runs
 *   unless the whole job is valid.
 *
 * What the engine knows per opcode (name, params size, output operand)
 * is exported below so that userspace does not repeat it.
 */
#ifndef _EDGENPU_ENGINE_H_
#define _EDGENPU_ENGINE_H_

#include "edgenpu_port.h"
#include <drm/edgenpu_cmdstream.h>

/**
 * define EDGENPU_ENGINE_SCRATCH_SIZE - scratch bytes always enough for a job
 *
 * Enough for any valid job of this engine version (decode area plus the
 * largest convolution patch buffer). A job may need less; the validator
 * reports -ENOSPC when the scratch handed in is too small for the job.
 */
#define EDGENPU_ENGINE_SCRATCH_SIZE	(160u * 1024u)

/** @EDGENPU_ENGINE_MSG_LEN: size of &edgenpu_engine_error.msg. */
#define EDGENPU_ENGINE_MSG_LEN		96

/**
 * struct edgenpu_engine_buffer - one entry of a job's buffer table
 * @ptr: CPU address of the buffer (kernel: a vmap of the BO). May be NULL
 *	for edgenpu_engine_validate(), which never reads it: a job validates
 *	from the sizes and flags alone, before any buffer is mapped.
 *	edgenpu_engine_run() and edgenpu_engine_execute() need it for every
 *	buffer of non-zero @size.
 * @size: size of the buffer in bytes.
 * @flags: %EDGENPU_BUF_READ and/or %EDGENPU_BUF_WRITE.
 * @reserved: must be zero.
 */
struct edgenpu_engine_buffer {
	void *ptr;
	u64 size;
	u32 flags;
	u32 reserved;
};

/**
 * enum edgenpu_engine_code - specific reason of a rejection or failure
 * @EDGENPU_ENGINE_OK: no error.
 * @EDGENPU_ENGINE_E_ARGS: bad arguments to the engine itself (-EINVAL).
 * @EDGENPU_ENGINE_E_MAGIC: wrong magic (-EBADMSG).
 * @EDGENPU_ENGINE_E_VERSION: unsupported version (-EPROTONOSUPPORT).
 * @EDGENPU_ENGINE_E_SIZE: inconsistent or truncated sizes (-EMSGSIZE).
 * @EDGENPU_ENGINE_E_TOO_MANY_OPS: op count zero or above the limit (-E2BIG).
 * @EDGENPU_ENGINE_E_UNKNOWN_OP: unknown opcode (-EOPNOTSUPP).
 * @EDGENPU_ENGINE_E_RESERVED: a reserved field or flag is set (-EINVAL).
 * @EDGENPU_ENGINE_E_OPERANDS: wrong operand count, dtype or missing
 *	operand (-EINVAL).
 * @EDGENPU_ENGINE_E_PARAM: an op parameter is out of range (-EINVAL).
 * @EDGENPU_ENGINE_E_QUANT: a quantization parameter is out of range
 *	(-EINVAL).
 * @EDGENPU_ENGINE_E_DIMS: bad or mismatched dimensions (-EDOM).
 * @EDGENPU_ENGINE_E_STRIDES: bad strides (-EDOM).
 * @EDGENPU_ENGINE_E_OVERFLOW: size arithmetic overflows (-EOVERFLOW).
 * @EDGENPU_ENGINE_E_BUFFER_INDEX: buffer index out of range (-ENXIO).
 * @EDGENPU_ENGINE_E_BOUNDS: operand outside its buffer or misaligned
 *	(-ERANGE).
 * @EDGENPU_ENGINE_E_ACCESS: buffer lacks the READ or WRITE permission the
 *	operand needs (-EACCES).
 * @EDGENPU_ENGINE_E_ALIAS: an output overlaps an input or another output
 *	of the same op (-EBUSY).
 * @EDGENPU_ENGINE_E_SCRATCH: the job needs more scratch than given
 *	(-ENOSPC).
 * @EDGENPU_ENGINE_E_CANCELED: the cancellation callback stopped the job
 *	(-ECANCELED).
 * @EDGENPU_ENGINE_E_INTERNAL: an executor invariant failed (-EFAULT).
 * @EDGENPU_ENGINE_E_COST: an op costs more than %EDGENPU_CMD_MAX_OP_COST
 *	or the job more than %EDGENPU_CMD_MAX_JOB_COST (-E2BIG).
 */
enum edgenpu_engine_code {
	EDGENPU_ENGINE_OK = 0,
	EDGENPU_ENGINE_E_ARGS,
	EDGENPU_ENGINE_E_MAGIC,
	EDGENPU_ENGINE_E_VERSION,
	EDGENPU_ENGINE_E_SIZE,
	EDGENPU_ENGINE_E_TOO_MANY_OPS,
	EDGENPU_ENGINE_E_UNKNOWN_OP,
	EDGENPU_ENGINE_E_RESERVED,
	EDGENPU_ENGINE_E_OPERANDS,
	EDGENPU_ENGINE_E_PARAM,
	EDGENPU_ENGINE_E_QUANT,
	EDGENPU_ENGINE_E_DIMS,
	EDGENPU_ENGINE_E_STRIDES,
	EDGENPU_ENGINE_E_OVERFLOW,
	EDGENPU_ENGINE_E_BUFFER_INDEX,
	EDGENPU_ENGINE_E_BOUNDS,
	EDGENPU_ENGINE_E_ACCESS,
	EDGENPU_ENGINE_E_ALIAS,
	EDGENPU_ENGINE_E_SCRATCH,
	EDGENPU_ENGINE_E_CANCELED,
	EDGENPU_ENGINE_E_INTERNAL,
	EDGENPU_ENGINE_E_COST,
};

/**
 * struct edgenpu_engine_error - why the engine rejected or stopped a job
 * @op_index: index of the offending op, -1 for job-level problems.
 * @tensor: index of the offending tensor operand, -1 if none.
 * @err: the negative errno that was returned.
 * @code: an &enum edgenpu_engine_code.
 * @msg: NUL-terminated human-readable reason.
 */
struct edgenpu_engine_error {
	s32 op_index;
	s32 tensor;
	s32 err;
	u32 code;
	char msg[EDGENPU_ENGINE_MSG_LEN];
};

/**
 * struct edgenpu_engine_hooks - optional callbacks for edgenpu_engine_run()
 *	and edgenpu_engine_execute()
 * @now: returns a monotonic timestamp; with @op_times, called before and
 *	after every op.
 * @cancelled: called before every op and at every preemption point inside
 *	an op (about every 65536 cost units of work, see
 *	%EDGENPU_CMD_MAX_OP_COST), with the index of the op being executed;
 *	a non-zero return stops the job promptly with -ECANCELED (kernel job
 *	timeouts). It runs in the executing context and must not sleep for
 *	long.
 * @ctx: passed to both callbacks.
 * @op_times: array receiving start and end timestamps, two per op
 *	(op i at [2i] and [2i + 1]); may be NULL.
 * @op_times_len: number of u64 entries in @op_times; ops beyond it are not
 *	recorded.
 */
struct edgenpu_engine_hooks {
	u64 (*now)(void *ctx);
	int (*cancelled)(void *ctx, u32 op_index);
	void *ctx;
	u64 *op_times;
	u32 op_times_len;
};

int edgenpu_engine_validate(const void *stream, u64 stream_size,
			    const struct edgenpu_engine_buffer *bufs, u32 nbufs,
			    void *scratch, u64 scratch_size,
			    struct edgenpu_engine_error *err);

int edgenpu_engine_run(const void *stream, u64 stream_size,
		       const struct edgenpu_engine_buffer *bufs, u32 nbufs,
		       void *scratch, u64 scratch_size,
		       const struct edgenpu_engine_hooks *hooks,
		       struct edgenpu_engine_error *err);

int edgenpu_engine_execute(const void *stream, u64 stream_size,
			   const struct edgenpu_engine_buffer *bufs, u32 nbufs,
			   void *scratch, u64 scratch_size,
			   const struct edgenpu_engine_hooks *hooks,
			   struct edgenpu_engine_error *err);

int edgenpu_engine_op_cost(const void *desc, u64 size, void *scratch,
			   u64 scratch_size, u64 *cost,
			   struct edgenpu_engine_error *err);

const char *edgenpu_engine_op_name(u32 opcode);

/*
 * Operand index of @opcode's output in an op with @num_operands operands;
 * 0 when the opcode is unknown.
 */
u32 edgenpu_engine_op_output(u32 opcode, u32 num_operands);

/*
 * Size of @opcode's version 1.0 params block; 0 when it has none or the
 * opcode is unknown.
 */
u32 edgenpu_engine_op_params_size(u32 opcode);

/* Fixed-point primitives, exported for the unit tests. */
s32 edgenpu_engine_srdhm(s32 a, s32 b);
s32 edgenpu_engine_rdbpot(s32 x, int exponent);
s32 edgenpu_engine_mbqm(s32 x, s32 multiplier, int shift);

#endif /* _EDGENPU_ENGINE_H_ */
