/* SPDX-License-Identifier: MIT */
/*
 * libedgenpu: the userspace library of the edgenpu NPU stack.
 *
 * Conventions: functions return 0 or a negative errno, which
 * edgenpu_strerror() explains. Objects are opaque and reference-counted
 * (_ref/_unref). The library keeps no global state.
 */
#ifndef EDGENPU_H
#define EDGENPU_H

#include <stddef.h>
#include <stdint.h>

/*
 * The command stream's format: the buffer access bits, the operand and
 * parameter structs hand-made streams use (installed beside this header;
 * pkg-config's Cflags find it).
 */
#include <drm/edgenpu_cmdstream.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The library's interface: the only symbols libedgenpu.so exports. */
#if defined(__GNUC__)
#define EDGENPU_API __attribute__((visibility("default")))
#else
#define EDGENPU_API
#endif

#define EDGENPU_LIB_NAME_LEN 32

/** The library's own release, from the project's VERSION file. */
EDGENPU_API const char *edgenpu_version(void);

/** A message for a negative errno returned by this library. */
EDGENPU_API const char *edgenpu_strerror(int err);

struct edgenpu_device;

/** What one device says about itself (DRM_EDGENPU_QUERY_DEVICE/CAPS). */
struct edgenpu_device_info {
	char path[64];			/* /dev/accel/accelN or /dev/dri/renderDN */
	char name[EDGENPU_LIB_NAME_LEN];	/* vnpu0 */
	char backend[EDGENPU_LIB_NAME_LEN];	/* "vnpu" (in-kernel) or "pci" */
	uint32_t uapi_major, uapi_minor;
	uint32_t module_version;	/* major << 16 | minor << 8 | patch */
	uint32_t num_cores;
	uint32_t cmdstream_major, cmdstream_minor;
	uint32_t max_ops, max_buffers;
	uint64_t flags;			/* DRM_EDGENPU_CAP_F_* */
	uint64_t op_mask;
	uint64_t max_bo_size;
	uint64_t timestamp_hz;
	/*
	 * Most cost units (Documentation/edgenpu/cmdstream.rst, "Cost") of
	 * one op and of one job; a module that does not report them (uapi
	 * before 1.2) gets the engine's EDGENPU_CMD_MAX_OP_COST and
	 * EDGENPU_CMD_MAX_JOB_COST. For struct edgenpu_plan_limits.
	 */
	uint64_t max_op_cost, max_job_cost;
};

/**
 * edgenpu_device_open() - open an edgenpu device
 * @spec: "N" for /dev/accel/accelN, or a device path. On a kernel
 *	without DRM accel (no /dev/accel) the device is a render node,
 *	and "N" means /dev/dri/renderD(128 + N).
 * @out: the new device, with one reference
 *
 * Fails with -ENODEV if the node is not an edgenpu device, and with
 * -EPROTO if the module's uapi major version is not the library's.
 */
EDGENPU_API int edgenpu_device_open(const char *spec, struct edgenpu_device **out);
EDGENPU_API struct edgenpu_device *edgenpu_device_ref(struct edgenpu_device *dev);
EDGENPU_API void edgenpu_device_unref(struct edgenpu_device *dev);
EDGENPU_API int edgenpu_device_fd(const struct edgenpu_device *dev);
EDGENPU_API int edgenpu_device_get_info(const struct edgenpu_device *dev,
			    struct edgenpu_device_info *info);

/**
 * edgenpu_device_core_queue_depth() - jobs one core of @dev holds at once:
 *	the running one and those waiting in the device behind it
 *	(drm_edgenpu_caps.core_queue_depth; 1 from a module before uapi
 *	1.3). With num_cores times this many jobs submitted and unfinished
 *	(edgenpu_runner_start()), the device never waits for the host.
 *	0 if @dev is NULL.
 */
EDGENPU_API uint32_t edgenpu_device_core_queue_depth(const struct edgenpu_device *dev);

/**
 * edgenpu_enumerate() - find every edgenpu device: its accel nodes, and
 *	its render nodes on a kernel without DRM accel
 * @paths: filled with up to @max device paths (64 bytes each), in
 *	version order (accel2 before accel10)
 * @max: room in @paths
 * @count: number of edgenpu devices found (may exceed @max)
 */
EDGENPU_API int edgenpu_enumerate(char (*paths)[64], size_t max, size_t *count);

/* Buffer objects and jobs */

struct edgenpu_bo;

/** Allocate a zeroed, CPU-mappable buffer object of at least @size bytes. */
EDGENPU_API int edgenpu_bo_create(struct edgenpu_device *dev, uint64_t size,
				  struct edgenpu_bo **out);
/**
 * Import a dma-buf (a camera frame, say) as a buffer object: no copy. A
 * dma-buf @dev already has (imported before, or exported from one of its
 * own BOs) gives that same object, with one more reference: each import
 * is unref'd once, and the buffer lives until the last reference goes.
 */
EDGENPU_API int edgenpu_bo_import(struct edgenpu_device *dev, int dmabuf_fd,
				  struct edgenpu_bo **out);
/** Export a buffer object as a dma-buf file descriptor (the caller owns it). */
EDGENPU_API int edgenpu_bo_export(struct edgenpu_bo *bo, int *dmabuf_fd);
/**
 * edgenpu_bo_map() - map a buffer object into this process
 *
 * Once; later calls return the same address, valid until the last unref.
 *
 * What a mapped pointer can be given to: the mapping is device memory
 * (VM_PFNMAP), not ordinary process memory. The CPU reads and writes it
 * as any memory: memcpy(), computation, the library's own functions. But
 * the kernel cannot pin its pages, so it must not be the buffer of a
 * read() or write() on a file that does I/O straight from or into the
 * caller's pages: 9p and FUSE files, files opened with O_DIRECT (and
 * vmsplice(), io_uring registered buffers, MSG_ZEROCOPY). Those fail
 * with EFAULT ("Bad address"), often only above a size (about 8 KiB on
 * 9p), so small tests pass. Copy through an ordinary buffer first (a
 * bounded one, e.g. 64 KiB at a time). The same holds for the pointers
 * of edgenpu_runner_input(), edgenpu_runner_output() and
 * edgenpu_runner_op_output() of a runner on a device.
 */
EDGENPU_API void *edgenpu_bo_map(struct edgenpu_bo *bo);
EDGENPU_API uint64_t edgenpu_bo_size(const struct edgenpu_bo *bo);
EDGENPU_API uint32_t edgenpu_bo_handle(const struct edgenpu_bo *bo);
EDGENPU_API struct edgenpu_bo *edgenpu_bo_ref(struct edgenpu_bo *bo);
EDGENPU_API void edgenpu_bo_unref(struct edgenpu_bo *bo);

/** One job: a command stream in @cmd and the buffer table it names. */
struct edgenpu_job_desc {
	struct edgenpu_bo *cmd;
	uint64_t cmd_offset, cmd_size;
	struct edgenpu_bo *const *bufs;	/* the buffer table */
	const uint32_t *buf_flags;	/* DRM_EDGENPU_BUF_READ/WRITE each */
	uint32_t nbufs;
	struct edgenpu_bo *profile;	/* per-op timestamps, or NULL */
	uint64_t profile_offset;
	const uint32_t *in_syncobjs;	/* binary syncobjs to wait for */
	uint32_t n_in_syncobjs;
	uint32_t out_syncobj;		/* signalled when done, or 0 */
	uint64_t out_point;		/* timeline point, or 0 */
	uint32_t priority;		/* DRM_EDGENPU_PRIO_* */
};

/** Queue a job; @seqno identifies it to edgenpu_wait(). */
EDGENPU_API int edgenpu_submit(struct edgenpu_device *dev,
			       const struct edgenpu_job_desc *job,
			       uint64_t *seqno);
/**
 * Wait up to @timeout_ns (relative; negative: forever) for job @seqno.
 * Returns 0 with @status (DRM_EDGENPU_JOB_*) and @error set, -ETIME on
 * timeout, -ENOENT for an unknown or already reaped job.
 */
EDGENPU_API int edgenpu_wait(struct edgenpu_device *dev, uint64_t seqno,
			     int64_t timeout_ns, uint32_t *status,
			     int32_t *error);
/*
 * Explicit fences. A syncobj (DRM sync object) is a handle of the device's
 * file; a sync_file is a file descriptor that any process, driver or
 * poll() loop can wait on (readable once the fence signalled).
 */
/** Create a binary syncobj on @dev (unsignalled); @handle receives it. */
EDGENPU_API int edgenpu_syncobj_create(struct edgenpu_device *dev, uint32_t *handle);
/** Destroy a syncobj; 0 is ignored. */
EDGENPU_API void edgenpu_syncobj_destroy(struct edgenpu_device *dev, uint32_t handle);
/**
 * Wait up to @timeout_ns (relative; negative: forever) for syncobj
 * @handle to signal (waiting for it to get a fence first). -ETIME on
 * timeout.
 */
EDGENPU_API int edgenpu_syncobj_wait(struct edgenpu_device *dev, uint32_t handle,
				 int64_t timeout_ns);
/** The fence of syncobj @handle as a new sync_file; the caller owns @fd. */
EDGENPU_API int edgenpu_syncobj_export_sync_file(struct edgenpu_device *dev,
					     uint32_t handle, int *fd);
/** Put the fence of sync_file @fd into syncobj @handle (@fd stays yours). */
EDGENPU_API int edgenpu_syncobj_import_sync_file(struct edgenpu_device *dev,
					     uint32_t handle, int fd);

/**
 * edgenpu_submit_fence() - queue a job with sync_file fences
 * @dev: the device
 * @job: the job; its own syncobjs are used too
 * @in_fence_fd: a sync_file the job waits for first, or -1
 * @seqno: set to the job's sequence number (for edgenpu_wait()); may be NULL
 * @out_fence_fd: set to a new sync_file that signals when the job is done
 *	(the caller owns it), or NULL for none
 *
 * The asynchronous interface: nothing blocks here; poll() the out-fence,
 * or hand it to another driver, or to the next job as its @in_fence_fd.
 *
 * Return: 0; -errno of the in-fence import or of SUBMIT (nothing was
 * queued); or -errno of the out-fence export, in which case the job was
 * queued all the same (@seqno is set: wait for it with edgenpu_wait()).
 */
EDGENPU_API int edgenpu_submit_fence(struct edgenpu_device *dev,
				 const struct edgenpu_job_desc *job,
				 int in_fence_fd, uint64_t *seqno,
				 int *out_fence_fd);

/**
 * Why the device last rejected or failed a job of this process: returns
 * its negative errno (0: none) and fills @msg and @op_index.
 */
EDGENPU_API int edgenpu_device_last_error(struct edgenpu_device *dev, char *msg,
					  size_t len, int32_t *op_index);

/* Command streams, by hand */

/*
 * The builder writes the command stream format of
 * Documentation/edgenpu/cmdstream.rst: ops with their parameters and
 * tensor operands as declared in <drm/edgenpu_cmdstream.h> (included
 * above: struct edgenpu_cmd_tensor and the parameter structs). Models do
 * not need it: edgenpu_plan_create() lowers them.
 */
struct edgenpu_cmd_builder;

/** A new, empty builder, with one reference. */
EDGENPU_API int edgenpu_cmd_builder_create(struct edgenpu_cmd_builder **out);
EDGENPU_API struct edgenpu_cmd_builder *edgenpu_cmd_builder_ref(struct edgenpu_cmd_builder *b);
EDGENPU_API void edgenpu_cmd_builder_unref(struct edgenpu_cmd_builder *b);
/**
 * edgenpu_cmd_builder_add_op() - append one op
 * @b: the builder
 * @opcode: EDGENPU_OP_*
 * @flags: EDGENPU_OP_F_*
 * @act_min: fused activation clamp (0 for ops without one)
 * @act_max: likewise
 * @params: the op's parameter struct, or NULL
 * @params_size: its size, a multiple of 8
 * @tensors: the op's operands, in the op's order
 * @num_tensors: how many
 *
 * Only the framing is checked here (-EINVAL; -E2BIG past the stream
 * limits); edgenpu_cmd_validate() checks the contents.
 */
EDGENPU_API int edgenpu_cmd_builder_add_op(struct edgenpu_cmd_builder *b, uint32_t opcode,
				       uint32_t flags, int32_t act_min, int32_t act_max,
				       const void *params, uint32_t params_size,
				       const struct edgenpu_cmd_tensor *tensors,
				       uint32_t num_tensors);
/**
 * The stream so far, header included: valid until the next add_op or the
 * last unref. Copy it into a buffer object for edgenpu_submit().
 */
EDGENPU_API int edgenpu_cmd_builder_stream(struct edgenpu_cmd_builder *b,
				       const void **stream, size_t *size);
/**
 * edgenpu_cmd_validate() - check a stream as the kernel will
 * @stream: the stream
 * @size: its size
 * @bufs: the buffer table it will be submitted with (mapped here)
 * @buf_flags: EDGENPU_BUF_READ and/or EDGENPU_BUF_WRITE of each
 * @nbufs: entries
 * @op_index: set to the failing op (-1: the stream itself), may be NULL
 * @err: the engine's message, as DRM_EDGENPU_QUERY_LAST_ERROR gives it
 * @errlen: size of @err
 *
 * The kernel runs the same validator (the engine is one source) before it
 * queues a job. Return: 0, or its negative errno.
 */
EDGENPU_API int edgenpu_cmd_validate(const void *stream, size_t size,
				 struct edgenpu_bo *const *bufs, const uint32_t *buf_flags,
				 uint32_t nbufs, int32_t *op_index, char *err,
				 size_t errlen);

/* Models */

/*
 * A model is a verified TFLite flatbuffer (int8 quantized). A plan is that
 * model lowered to edgenpu command streams for one set of device
 * capabilities: segments of ops placed on the NPU or on the CPU executor,
 * and one buffer table shared by every segment. A runner owns the memory
 * of one plan and executes it. All three are reference-counted; a plan
 * holds a reference to its model and a runner to its plan.
 *
 * Functions that take "err, errlen" write a NUL-terminated message there
 * on failure (err may be NULL). Model files are untrusted: a malformed
 * file gives -EBADMSG (structure) or -EINVAL (content) and a message
 * naming what is wrong, never a crash.
 */
struct edgenpu_model;
struct edgenpu_plan;
struct edgenpu_runner;

/** Capability mask with every command-stream opcode set (bit N = op N). */
#define EDGENPU_OP_MASK_ALL	0x3fffeull

#define EDGENPU_MAX_RANK	8

/**
 * Element types of model tensors. The integer types are the command
 * stream's (enum edgenpu_cmd_dtype), with the same values. The model
 * needs an enum of its own because a model's inputs and outputs may be
 * of a type no command-stream operand has: float32 (which the planner
 * refuses, but edgenpu_model_input_info() reports), or another TFLite
 * type (OTHER).
 */
enum edgenpu_dtype {
	EDGENPU_DT_OTHER = EDGENPU_DTYPE_INVALID,
	EDGENPU_DT_INT8 = EDGENPU_DTYPE_INT8,
	EDGENPU_DT_UINT8 = EDGENPU_DTYPE_UINT8,
	EDGENPU_DT_INT16 = EDGENPU_DTYPE_INT16,
	EDGENPU_DT_INT32 = EDGENPU_DTYPE_INT32,
	EDGENPU_DT_FLOAT32 = 5,		/* not a command-stream type */
};

/** A model input or output. */
struct edgenpu_tensor_info {
	char name[128];			/* the model's tensor name */
	uint32_t rank;
	int32_t shape[EDGENPU_MAX_RANK];
	int dtype;			/* enum edgenpu_dtype */
	float scale;			/* 0 when not quantized */
	int32_t zero_point;
	size_t size;			/* bytes */
};

/**
 * edgenpu_model_load_file() - read and verify a TFLite model file
 * @path: the .tflite file
 * @out: the new model, with one reference
 * @err: message buffer for failures (may be NULL)
 * @errlen: size of @err
 *
 * Return: 0, -errno of the file access, -EBADMSG for a malformed file,
 * -EINVAL for a well-formed file edgenpu cannot use, -ENOMEM.
 */
EDGENPU_API int edgenpu_model_load_file(const char *path, struct edgenpu_model **out,
			    char *err, size_t errlen);

/**
 * edgenpu_model_load_memory() - verify a TFLite model held in memory
 * @data: the flatbuffer bytes (copied; the caller keeps its buffer)
 * @size: bytes at @data
 * @name: name used in messages (e.g. the file name); may be NULL
 * @out: the new model, with one reference
 * @err: message buffer for failures (may be NULL)
 * @errlen: size of @err
 */
EDGENPU_API int edgenpu_model_load_memory(const void *data, size_t size, const char *name,
			      struct edgenpu_model **out, char *err,
			      size_t errlen);

/** Take a reference on @model; returns @model. */
EDGENPU_API struct edgenpu_model *edgenpu_model_ref(struct edgenpu_model *model);
/** Drop a reference; the last one frees the model. NULL is ignored. */
EDGENPU_API void edgenpu_model_unref(struct edgenpu_model *model);
/** The name given at load time (the file's base name for files). */
EDGENPU_API const char *edgenpu_model_name(const struct edgenpu_model *model);
/** Number of model inputs (subgraph 0). */
EDGENPU_API size_t edgenpu_model_num_inputs(const struct edgenpu_model *model);
/** Number of model outputs (subgraph 0). */
EDGENPU_API size_t edgenpu_model_num_outputs(const struct edgenpu_model *model);
/** Number of operators in the model (subgraph 0). */
EDGENPU_API size_t edgenpu_model_num_ops(const struct edgenpu_model *model);
/** Describe input @index; -EINVAL if out of range. */
EDGENPU_API int edgenpu_model_input_info(const struct edgenpu_model *model, size_t index,
			     struct edgenpu_tensor_info *info);
/** Describe output @index; -EINVAL if out of range. */
EDGENPU_API int edgenpu_model_output_info(const struct edgenpu_model *model, size_t index,
			      struct edgenpu_tensor_info *info);
/**
 * edgenpu_model_op_name() - TFLite builtin name of operator @index
 * ("CONV_2D", "SVDF", ...), or NULL if @index is out of range.
 */
EDGENPU_API const char *edgenpu_model_op_name(const struct edgenpu_model *model,
				  size_t index);

/** Where a segment of ops runs. */
enum edgenpu_placement {
	EDGENPU_PLACE_NPU = 1,		/* the device executes the stream */
	EDGENPU_PLACE_CPU = 2,		/* the library's CPU executor does */
};

/**
 * edgenpu_plan_create() - lower a model for a set of device capabilities
 * @model: the model (the plan takes a reference)
 * @op_mask: engine opcodes the device executes (bit N = opcode N), e.g.
 *	edgenpu_device_info.op_mask; EDGENPU_OP_MASK_ALL for CPU-only use
 * @out: the new plan, with one reference
 * @err: message buffer for failures (may be NULL)
 * @errlen: size of @err
 *
 * Ops whose engine opcode is in @op_mask are placed on the NPU, the others
 * on the CPU executor. The command streams themselves do not depend on
 * @op_mask. An operator edgenpu has no implementation for fails with
 * -EOPNOTSUPP and a message naming the operator, its index and the model;
 * a supported operator with options or types edgenpu cannot run fails
 * with -EINVAL and a message.
 */
EDGENPU_API int edgenpu_plan_create(struct edgenpu_model *model, uint64_t op_mask,
			struct edgenpu_plan **out, char *err, size_t errlen);

/**
 * Plan flag: give every intermediate tensor its own bytes (no lifetime
 * reuse), so that after a run edgenpu_runner_op_output() can show the
 * output of every op. Costs scratch memory; meant for checking.
 */
#define EDGENPU_PLAN_KEEP_INTERMEDIATES	0x1u

/**
 * edgenpu_plan_create_flags() - edgenpu_plan_create() with flags
 * @flags: EDGENPU_PLAN_* flags; unknown bits give -EINVAL
 *
 * The other arguments and the return value are those of
 * edgenpu_plan_create(), which is this function with @flags 0.
 */
EDGENPU_API int edgenpu_plan_create_flags(struct edgenpu_model *model, uint64_t op_mask,
				      uint32_t flags, struct edgenpu_plan **out,
				      char *err, size_t errlen);
/**
 * The work limits a plan keeps each of its jobs within, in cost units
 * (Documentation/edgenpu/cmdstream.rst, "Cost"): a device's, from
 * edgenpu_device_info.max_op_cost and .max_job_cost. 0 stands for the
 * engine's own limit (EDGENPU_CMD_MAX_OP_COST, EDGENPU_CMD_MAX_JOB_COST),
 * which is also the most any field can raise it to: every stream must
 * also run on the CPU executor.
 */
struct edgenpu_plan_limits {
	uint64_t max_op_cost;		/* most units of one NPU op */
	uint64_t max_job_cost;		/* most units of one NPU job */
};

/**
 * edgenpu_plan_create_limits() - edgenpu_plan_create_flags() for a device
 *	with work limits
 * @limits: the device's limits, or NULL for the engine's
 *
 * A run of consecutive NPU ops becomes as many segments (jobs, run one
 * after the other) as it takes to keep each job's ops within
 * @limits->max_job_cost; CPU segments are split at the engine's limits,
 * the CPU executor's. An op costing more than @limits->max_op_cost (or
 * max_job_cost) goes to the CPU executor ("op cost N exceeds the device's
 * limit L"). An op costing more than EDGENPU_CMD_MAX_OP_COST runs nowhere:
 * -E2BIG and a message naming it. The other arguments and the return
 * value are those of edgenpu_plan_create_flags(), which is this function
 * with NULL @limits.
 */
EDGENPU_API int edgenpu_plan_create_limits(struct edgenpu_model *model, uint64_t op_mask,
				       uint32_t flags,
				       const struct edgenpu_plan_limits *limits,
				       struct edgenpu_plan **out, char *err,
				       size_t errlen);
/** Take a reference on @plan; returns @plan. */
EDGENPU_API struct edgenpu_plan *edgenpu_plan_ref(struct edgenpu_plan *plan);
/** Drop a reference; the last one frees the plan. NULL is ignored. */
EDGENPU_API void edgenpu_plan_unref(struct edgenpu_plan *plan);
/** The model this plan was made from (no new reference). */
EDGENPU_API struct edgenpu_model *edgenpu_plan_model(const struct edgenpu_plan *plan);

/** Placement of one model operator. */
struct edgenpu_op_info {
	uint32_t index;			/* operator index in the model */
	int32_t builtin_code;		/* TFLite BuiltinOperator */
	char name[32];			/* e.g. "DEPTHWISE_CONV_2D" */
	uint32_t engine_op;		/* command-stream opcode it became */
	char engine_name[32];		/* its name */
	int placement;			/* enum edgenpu_placement */
	uint32_t segment;		/* index of its segment */
	char reason[160];		/* why it was placed there */
	uint64_t cost;			/* cost units (cmdstream.rst) */
};

/** Number of operators (equals edgenpu_model_num_ops()). */
EDGENPU_API size_t edgenpu_plan_num_ops(const struct edgenpu_plan *plan);
/** Describe operator @index; -EINVAL if out of range. */
EDGENPU_API int edgenpu_plan_op_info(const struct edgenpu_plan *plan, size_t index,
			 struct edgenpu_op_info *info);

/**
 * One segment: consecutive ops with the same placement, as one command
 * stream (Documentation/edgenpu/cmdstream.rst) over the plan's buffer
 * table: one job. Buffer indices in the stream are indices into that
 * table. A run of ops with the same placement is split into several
 * segments when one job could not hold it (the work limits of
 * edgenpu_plan_create_limits(), or the ops and bytes of a stream).
 */
struct edgenpu_plan_segment {
	const void *stream;		/* command stream bytes */
	size_t stream_size;
	int placement;			/* enum edgenpu_placement */
	const uint32_t *ops;		/* model operator indices, in order */
	uint32_t num_ops;
	const char *reason;		/* why the segment is placed there */
	uint64_t cost;			/* cost units of its ops, summed */
};

/** Number of segments (jobs of one inference), in execution order. */
EDGENPU_API size_t edgenpu_plan_num_segments(const struct edgenpu_plan *plan);
/** Describe segment @index (pointers stay valid while the plan lives). */
EDGENPU_API int edgenpu_plan_segment(const struct edgenpu_plan *plan, size_t index,
			 struct edgenpu_plan_segment *seg);

/** Kinds of entries of the plan's buffer table. */
enum edgenpu_buffer_kind {
	EDGENPU_BUF_WEIGHTS = 1,	/* read-only, contents given */
	EDGENPU_BUF_SCRATCH = 2,	/* intermediates, lifetime-planned */
	EDGENPU_BUF_INPUT = 3,		/* model input number .index */
	EDGENPU_BUF_OUTPUT = 4,		/* model output number .index */
};

/*
 * Deprecated names of the buffer access bits: use EDGENPU_BUF_READ and
 * EDGENPU_BUF_WRITE of <drm/edgenpu_cmdstream.h>, the one definition the
 * submit ioctl, the engine and the library share. Kept so that existing
 * callers compile.
 */
#define EDGENPU_BUF_F_READ	EDGENPU_BUF_READ
#define EDGENPU_BUF_F_WRITE	EDGENPU_BUF_WRITE

/** One entry of the buffer table shared by all segments. */
struct edgenpu_plan_buffer {
	int kind;			/* enum edgenpu_buffer_kind */
	uint32_t index;			/* input/output number */
	uint64_t size;			/* bytes (may be 0 for SCRATCH) */
	uint32_t flags;			/* EDGENPU_BUF_READ, _WRITE */
	const void *contents;		/* WEIGHTS: the bytes; else NULL */
};

/** Number of buffer table entries. */
EDGENPU_API size_t edgenpu_plan_num_buffers(const struct edgenpu_plan *plan);
/** Describe buffer table entry @index. */
EDGENPU_API int edgenpu_plan_buffer(const struct edgenpu_plan *plan, size_t index,
			struct edgenpu_plan_buffer *buf);

/** Size figures of a plan. */
struct edgenpu_plan_stats {
	uint64_t weights_bytes;		/* WEIGHTS buffer */
	uint64_t scratch_bytes;		/* SCRATCH buffer after reuse */
	uint64_t intermediate_bytes;	/* sum of intermediates, no reuse */
	uint64_t input_bytes;		/* all INPUT buffers */
	uint64_t output_bytes;		/* all OUTPUT buffers */
	uint64_t stream_bytes;		/* all command streams */
	uint64_t engine_scratch_bytes;	/* private executor scratch */
	uint32_t num_segments;		/* jobs per inference */
	uint32_t num_npu_ops;
	uint32_t num_cpu_ops;
	uint32_t num_intermediates;
	uint32_t num_npu_segments;	/* of num_segments, on the NPU */
	uint64_t cost;			/* cost units of all ops */
};

/** Fill @stats for @plan. */
EDGENPU_API int edgenpu_plan_get_stats(const struct edgenpu_plan *plan,
			   struct edgenpu_plan_stats *stats);

/**
 * edgenpu_runner_create() - allocate everything needed to run a plan
 * @plan: the plan (the runner takes a reference)
 * @dev: the device, or NULL to run every segment on the CPU executor
 * @out: the new runner, with one reference
 * @err: message buffer for failures (may be NULL)
 * @errlen: size of @err
 *
 * All buffers are allocated here, once; edgenpu_runner_run() then copies
 * no tensor and allocates nothing. Each segment is validated by the
 * engine. With @dev, every buffer of the plan's table is a buffer object
 * on the device: the plan's NPU segments run there as jobs, its CPU
 * segments on the CPU executor over the same mappings.
 */
EDGENPU_API int edgenpu_runner_create(struct edgenpu_plan *plan, struct edgenpu_device *dev,
			  struct edgenpu_runner **out, char *err,
			  size_t errlen);
/** Take a reference on @runner; returns @runner. */
EDGENPU_API struct edgenpu_runner *edgenpu_runner_ref(struct edgenpu_runner *runner);
/** Drop a reference; the last one frees the runner. NULL is ignored. */
EDGENPU_API void edgenpu_runner_unref(struct edgenpu_runner *runner);
/**
 * edgenpu_runner_input() - the buffer of model input @index
 * @size: set to its size in bytes (may be NULL)
 *
 * Write the input here before edgenpu_runner_run(). NULL if out of range.
 * After edgenpu_runner_bind_input(), the bound memory.
 * On a device this is a buffer object's mapping: see edgenpu_bo_map()
 * for what it can be passed to (not to read() from 9p, FUSE or O_DIRECT
 * files: read into an ordinary buffer and copy).
 */
EDGENPU_API void *edgenpu_runner_input(struct edgenpu_runner *runner, size_t index,
			   size_t *size);
/**
 * edgenpu_runner_output() - the buffer of model output @index
 * @size: set to its size in bytes (may be NULL)
 *
 * Holds the output after edgenpu_runner_run(). NULL if out of range.
 * After edgenpu_runner_bind_output(), the bound memory.
 * On a device this is a buffer object's mapping: see edgenpu_bo_map()
 * for what it can be passed to (not to write() to 9p, FUSE or O_DIRECT
 * files: copy it to an ordinary buffer first).
 */
EDGENPU_API const void *edgenpu_runner_output(struct edgenpu_runner *runner, size_t index,
				  size_t *size);
/**
 * edgenpu_runner_bind_input() - read model input @index from caller memory
 * @runner: a runner on the CPU executor (created with a NULL device)
 * @index: model input number
 * @ptr: the caller's memory, or NULL for the runner's own buffer again
 * @size: bytes at @ptr: at least the input's size (edgenpu_runner_input())
 *
 * From the next edgenpu_runner_run() on, the runs read input @index at
 * @ptr instead of the runner's own buffer, so the caller need not copy
 * it in; the library never writes there. @ptr must be 64-byte aligned (as
 * the runner's own buffers are) and must share no byte with a buffer the
 * runner writes (its outputs, bound or its own, and its scratch). It must
 * stay valid and unchanged during every run until it is unbound (NULL)
 * or the runner is freed; binding again replaces it. Afterwards
 * edgenpu_runner_input() returns @ptr. Binding allocates nothing and costs
 * a few comparisons: it may be done before every run (between runs, not
 * during one). Outputs are the same bytes as with the runner's own
 * buffers.
 *
 * Return: 0; -EINVAL for an @index out of range, a @size below the
 * input's, a misaligned @ptr, or one that overlaps a buffer the runner
 * writes; -EOPNOTSUPP on a runner on a device, whose buffer objects are
 * the memory the device reads (write the input into
 * edgenpu_runner_input() instead); -EBUSY between edgenpu_runner_start()
 * and edgenpu_runner_finish(). On error the binding is unchanged.
 */
EDGENPU_API int edgenpu_runner_bind_input(struct edgenpu_runner *runner, size_t index,
					  const void *ptr, size_t size);
/**
 * edgenpu_runner_bind_output() - write model output @index to caller memory
 * @runner: a runner on the CPU executor (created with a NULL device)
 * @index: model output number
 * @ptr: the caller's memory, or NULL for the runner's own buffer again
 * @size: bytes at @ptr: at least the output's size (edgenpu_runner_output())
 *
 * From the next edgenpu_runner_run() on, the runs write output @index at
 * @ptr instead of the runner's own buffer, so the caller need not copy it
 * out; the run writes exactly the output's size there (and may also read
 * it back while it runs). @ptr must be 64-byte aligned and must share no
 * byte with any other buffer of the runner (inputs and outputs, bound or
 * its own, weights, scratch). It must stay valid, and be left alone
 * during a run, until it is unbound (NULL) or the runner is freed.
 * Afterwards edgenpu_runner_output() and edgenpu_runner_op_output()
 * return @ptr. Binding allocates nothing (call it between runs).
 *
 * Return: 0; -EINVAL for an @index out of range, a @size below the
 * output's, a misaligned @ptr, or one that overlaps another buffer of the
 * runner; -EOPNOTSUPP on a runner on a device; -EBUSY between
 * edgenpu_runner_start() and edgenpu_runner_finish(). On error the binding
 * is unchanged.
 */
EDGENPU_API int edgenpu_runner_bind_output(struct edgenpu_runner *runner, size_t index,
					   void *ptr, size_t size);
/**
 * edgenpu_runner_run() - run the plan once over the input buffers
 *
 * Return: 0, or the engine's negative errno; edgenpu_runner_last_error()
 * then names the failing model operator.
 */
EDGENPU_API int edgenpu_runner_run(struct edgenpu_runner *runner);
/**
 * edgenpu_runner_start() - begin a run, return while the NPU works
 * @runner: the runner
 *
 * edgenpu_runner_run() in two halves, for streaming inputs: start runs
 * the plan's segments as edgenpu_runner_run() does, except a last one
 * placed on the NPU, which it submits and does not wait for. The caller
 * meanwhile fills the inputs of another runner of the same plan and
 * starts it, so that the device always has the next job queued (accel-run
 * bench --pipeline). On the CPU executor, or when the last segment runs
 * on the CPU, the whole run happens here.
 *
 * Until edgenpu_runner_finish(), the device may still read the runner's
 * inputs and write its outputs: leave them alone, and read no output or
 * time. Binding fails with -EBUSY meanwhile. edgenpu_runner_unref() of a
 * started runner finishes the run first.
 *
 * Return: 0; -EBUSY if the runner was started and not finished; else as
 * edgenpu_runner_run() (the runner is then not started).
 */
EDGENPU_API int edgenpu_runner_start(struct edgenpu_runner *runner);
/**
 * edgenpu_runner_finish() - wait for the run edgenpu_runner_start() began
 * @runner: the runner
 *
 * Waits for the job start left on the NPU (if any) and collects its ops'
 * device times. Afterwards the outputs, edgenpu_runner_op_time() and
 * edgenpu_runner_device_ns() are the run's, as after edgenpu_runner_run().
 *
 * Return: 0; -EINVAL if the runner was not started; else the job's
 * negative errno, with edgenpu_runner_last_error() naming the failing
 * model operator.
 */
EDGENPU_API int edgenpu_runner_finish(struct edgenpu_runner *runner);
/**
 * edgenpu_runner_set_threads() - threads of the CPU executor's kernels
 * @runner: the runner
 * @threads: 1 (the calling thread only) to 64, or 0 for the number of
 *	online CPUs (at most 64)
 *
 * The CPU executor's own kernels (convolutions, fully connected, depthwise
 * 3x3, ADD and SUB; used on x86-64 CPUs with AVX2 and on arm64, where they
 * are NEON, with a dot-product GEMM on CPUs that have the armv8.2 dot
 * product; the environment variable EDGENPU_CPU_KERNELS=engine, c, avx2,
 * neon or dotprod picks a set, one the CPU lacks meaning the default)
 * split their output rows or channels over a pool of @threads - 1 worker
 * threads the runner owns plus the caller of edgenpu_runner_run().
 * Outputs are the same bytes for any number of threads. Call it between
 * runs, not during one.
 *
 * A new runner whose CPU segments have an op for those kernels starts
 * with one thread per online CPU (or one, where threads cannot be
 * created); others stay at one whatever is asked, and make no threads.
 * Between ops the workers spin for up to 0.1 ms before they sleep, so
 * that the next op starts without a wake-up; an idle runner's workers
 * sleep. Call this with 1 before running several runners side by side on
 * few CPUs.
 *
 * Return: 0, -EINVAL, -ENOMEM, or the negative error of creating a
 * thread; the runner keeps its previous setting on error.
 */
EDGENPU_API int edgenpu_runner_set_threads(struct edgenpu_runner *runner,
					   unsigned int threads);
/**
 * edgenpu_runner_threads() - threads the CPU executor's kernels use now
 * @runner: the runner
 *
 * Return: the participants of a run's kernels (the caller included), 1
 * for a runner that makes no threads, 0 for NULL.
 */
EDGENPU_API unsigned int edgenpu_runner_threads(const struct edgenpu_runner *runner);
/**
 * edgenpu_runner_op_output() - the output tensor of model operator @op
 * @runner: a runner that has run
 * @op: model operator index
 * @size: set to the tensor's size in bytes (0 on failure); may be NULL
 *
 * Return: the bytes @op wrote in the last run, or NULL when @op is out of
 * range or its output may have been overwritten since: intermediates
 * are only kept when the plan was made with EDGENPU_PLAN_KEEP_INTERMEDIATES
 * (model outputs always are).
 */
EDGENPU_API const void *edgenpu_runner_op_output(struct edgenpu_runner *runner,
					     size_t op, size_t *size);

/** Where two runs of the same plan first differ. */
struct edgenpu_diff {
	uint32_t op;			/* model operator index */
	size_t offset;			/* byte offset of the first differing element */
	int32_t a, b;			/* that element in each run */
};

/**
 * edgenpu_runner_compare() - compare two runners' results, op by op
 * @a: a runner that has run
 * @b: another runner of a plan of the same model, run on the same inputs
 * @diff: filled with the first difference found
 *
 * Walks the operators in execution order and compares the output of each
 * one that both runners kept (every op with EDGENPU_PLAN_KEEP_INTERMEDIATES
 * on both plans, else the model outputs only), so the op named is the
 * first one whose result differs.
 *
 * Return: 0 when every compared output is equal, 1 when one differs
 * (@diff says where), -EINVAL for runners of different models.
 */
EDGENPU_API int edgenpu_runner_compare(struct edgenpu_runner *a, struct edgenpu_runner *b,
				   struct edgenpu_diff *diff);
/**
 * When model op @op started and ended in the last run: device timestamps
 * (ns) for ops on the NPU, CLOCK_MONOTONIC for ops on the CPU.
 */
EDGENPU_API int edgenpu_runner_op_time(const struct edgenpu_runner *runner,
				       size_t op, uint64_t *start_ns,
				       uint64_t *end_ns);
/** Device time of the last run: the sum of its NPU ops' durations. */
EDGENPU_API uint64_t edgenpu_runner_device_ns(const struct edgenpu_runner *runner);
/** Non-zero if the runner runs on a device (NULL device: the CPU). */
EDGENPU_API int edgenpu_runner_on_device(const struct edgenpu_runner *runner);
/** The message of the runner's last failure ("" if none). */
EDGENPU_API const char *edgenpu_runner_last_error(const struct edgenpu_runner *runner);

#ifdef __cplusplus
}
#endif

#endif /* EDGENPU_H */
