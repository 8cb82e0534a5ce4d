/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR MIT) */
/*
 * edgenpu: a DRM accel driver for edge-AI NPUs.
 *
 * This header is the contract between the edgenpu kernel module and
 * userspace. Rules every ioctl here follows:
 *
 * - Of the DRM core ioctls, an edgenpu file accepts only DRM_IOCTL_VERSION,
 *   DRM_IOCTL_GET_CAP, DRM_IOCTL_GEM_CLOSE, DRM_IOCTL_PRIME_HANDLE_TO_FD,
 *   DRM_IOCTL_PRIME_FD_TO_HANDLE, the DRM_IOCTL_SYNCOBJ_* family, and
 *   DRM_IOCTL_GEM_CHANGE_HANDLE and DRM_IOCTL_SET_CLIENT_NAME where the
 *   kernel has them. Every other core ioctl fails with -EACCES (the legacy,
 *   master and mode-setting ioctls make no sense on an accel node, and
 *   some crash the DRM core there). Undefined edgenpu numbers fail with
 *   -ENOTTY.
 * - Structs are 64-bit aligned and carry explicit padding.
 * - Every pad, reserved field and unknown flag must be zero; the kernel
 *   rejects anything else with -EINVAL, so the bits stay usable later.
 *   Output fields are ignored on input (since 1.2), so a struct can be
 *   passed again after a successful call.
 * - Variable-sized data is passed by pointer and size. The kernel copies
 *   what both sides know and zero-fills the rest, so old userspace runs
 *   on new kernels and new userspace on old kernels.
 * - The uapi version is major.minor. A minor bump only adds; a major
 *   bump breaks compatibility. Userspace compares majors and reads the
 *   minor to learn which optional features exist.
 */
#ifndef _UAPI_DRM_EDGENPU_ACCEL_H_
#define _UAPI_DRM_EDGENPU_ACCEL_H_

#include "drm.h"
#include "edgenpu_cmdstream.h"

#if defined(__cplusplus)
extern "C" {
#endif

/** @EDGENPU_UAPI_VERSION_MAJOR: incompatible changes bump this. */
#define EDGENPU_UAPI_VERSION_MAJOR	1
/** @EDGENPU_UAPI_VERSION_MINOR: compatible additions bump this. */
#define EDGENPU_UAPI_VERSION_MINOR	3

/** @EDGENPU_NAME_LEN: size of the fixed name fields, NUL included. */
#define EDGENPU_NAME_LEN		32

#define DRM_EDGENPU_QUERY		0x00
#define DRM_EDGENPU_BO_CREATE		0x01
#define DRM_EDGENPU_BO_INFO		0x02
#define DRM_EDGENPU_SUBMIT		0x03
#define DRM_EDGENPU_WAIT		0x04
#define DRM_EDGENPU_NUM_IOCTLS		0x05

/**
 * enum drm_edgenpu_query_id - what &drm_edgenpu_query.query asks for
 * @DRM_EDGENPU_QUERY_DEVICE: &struct drm_edgenpu_device_info
 * @DRM_EDGENPU_QUERY_CAPS: &struct drm_edgenpu_caps
 * @DRM_EDGENPU_QUERY_LAST_ERROR: &struct drm_edgenpu_last_error, about
 *	the last job this file had rejected
 */
enum drm_edgenpu_query_id {
	DRM_EDGENPU_QUERY_DEVICE = 0,
	DRM_EDGENPU_QUERY_CAPS = 1,
	DRM_EDGENPU_QUERY_LAST_ERROR = 2,
};

/**
 * struct drm_edgenpu_query - read a size-negotiated information struct
 *
 * The kernel copies min(@size, its own struct size) bytes to @data and
 * zero-fills the rest of the user's buffer, then sets @size to its own
 * struct size. With @size 0 the kernel only reports its size.
 */
struct drm_edgenpu_query {
	/** @query: one of &enum drm_edgenpu_query_id. */
	__u32 query;
	/**
	 * @size: in: bytes at @data (0 to 4096); out: the size of the
	 * kernel's struct for @query.
	 */
	__u32 size;
	/** @data: user pointer to the struct to fill. */
	__u64 data;
	/** @flags: reserved, must be zero. */
	__u32 flags;
	/** @pad: reserved, must be zero. */
	__u32 pad;
};

/**
 * struct drm_edgenpu_device_info - who the device is
 *
 * Answer to %DRM_EDGENPU_QUERY_DEVICE.
 */
struct drm_edgenpu_device_info {
	/** @uapi_major: the module's %EDGENPU_UAPI_VERSION_MAJOR. */
	__u32 uapi_major;
	/** @uapi_minor: the module's %EDGENPU_UAPI_VERSION_MINOR. */
	__u32 uapi_minor;
	/** @module_version: packed module release, major << 16 | minor << 8 | patch. */
	__u32 module_version;
	/** @device_id: the device's index among edgenpu devices. */
	__u32 device_id;
	/** @name: device name, NUL-terminated, e.g. "vnpu0". */
	char name[EDGENPU_NAME_LEN];
	/** @backend: backend name, NUL-terminated, e.g. "vnpu". */
	char backend[EDGENPU_NAME_LEN];
};

/** @DRM_EDGENPU_CAP_F_PROFILING: the device writes per-op timestamps. */
#define DRM_EDGENPU_CAP_F_PROFILING		(1ULL << 0)
/** @DRM_EDGENPU_CAP_F_PER_CHANNEL: per-channel quantization is supported. */
#define DRM_EDGENPU_CAP_F_PER_CHANNEL		(1ULL << 1)
/** @DRM_EDGENPU_CAP_F_FAULT_INJECTION: the backend can inject faults (debugfs). */
#define DRM_EDGENPU_CAP_F_FAULT_INJECTION	(1ULL << 2)

/**
 * struct drm_edgenpu_caps - what the device can do
 *
 * Answer to %DRM_EDGENPU_QUERY_CAPS. Limits of 0 mean "none".
 */
struct drm_edgenpu_caps {
	/** @flags: DRM_EDGENPU_CAP_F_* bits. */
	__u64 flags;
	/**
	 * @op_mask: bit N set if the device executes command-stream
	 * op code N.
	 */
	__u64 op_mask;
	/** @max_bo_size: the largest buffer object, in bytes. */
	__u64 max_bo_size;
	/** @timestamp_hz: frequency of the device's timestamp counter. */
	__u64 timestamp_hz;
	/** @num_cores: independent execution cores. */
	__u32 num_cores;
	/** @cmdstream_major: command stream format major version. */
	__u32 cmdstream_major;
	/** @cmdstream_minor: newest command stream minor version accepted. */
	__u32 cmdstream_minor;
	/** @max_ops: most ops in one job. */
	__u32 max_ops;
	/** @max_buffers: most entries in one job's buffer table. */
	__u32 max_buffers;
	/**
	 * @max_file_jobs: (1.2) jobs one file may have submitted and not
	 * yet finished; SUBMIT beyond fails with -EAGAIN.
	 */
	__u32 max_file_jobs;
	/**
	 * @max_op_cost: (1.2) most cost units (Documentation/edgenpu/
	 * cmdstream.rst) one op may take; a job with a costlier op is
	 * refused with -E2BIG.
	 */
	__u64 max_op_cost;
	/** @max_job_cost: (1.2) most cost units one job may take (-E2BIG). */
	__u64 max_job_cost;
	/**
	 * @max_file_pinned: (1.2) bytes the unfinished jobs of one file may
	 * pin (their buffers, profile buffer and command stream, each
	 * counted once per job); SUBMIT beyond fails with -ENOSPC.
	 */
	__u64 max_file_pinned;
	/**
	 * @max_file_bo_bytes: (1.2) bytes of buffer objects one file may
	 * create; BO_CREATE beyond fails with -EDQUOT.
	 */
	__u64 max_file_bo_bytes;
	/**
	 * @core_queue_depth: (1.3) jobs one core holds at once: the running
	 * one and those queued behind it in the device, which start without
	 * waiting for the driver. With @num_cores times this many jobs
	 * submitted and unfinished, the device never waits for the host.
	 * 0 from a module before 1.3, which gave each core one job.
	 */
	__u32 core_queue_depth;
	/** @pad: reserved, zero. */
	__u32 pad;
};

/**
 * struct drm_edgenpu_bo_create - allocate a buffer object
 *
 * Buffer objects are shmem-backed, zero-filled, CPU-mappable through
 * DRM_EDGENPU_BO_INFO's @mmap_offset, and shareable as dma-bufs through
 * PRIME. Handles belong to the file that created or imported them.
 */
struct drm_edgenpu_bo_create {
	/**
	 * @size: in: bytes, 1 to &drm_edgenpu_caps.max_bo_size; rounded
	 * up to the page size.
	 */
	__u64 size;
	/** @flags: reserved, must be zero. */
	__u32 flags;
	/** @handle: out: the new handle (ignored on input). */
	__u32 handle;
};

/**
 * struct drm_edgenpu_bo_info - where to mmap a buffer object
 */
struct drm_edgenpu_bo_info {
	/** @handle: in: the buffer object. */
	__u32 handle;
	/** @flags: reserved, must be zero. */
	__u32 flags;
	/** @size: out: its size in bytes. */
	__u64 size;
	/** @mmap_offset: out: the offset to pass to mmap() on the device file. */
	__u64 mmap_offset;
};

/** @DRM_EDGENPU_BUF_READ: the job reads this buffer (%EDGENPU_BUF_READ). */
#define DRM_EDGENPU_BUF_READ		EDGENPU_BUF_READ
/** @DRM_EDGENPU_BUF_WRITE: the job writes this buffer (%EDGENPU_BUF_WRITE). */
#define DRM_EDGENPU_BUF_WRITE		EDGENPU_BUF_WRITE

/**
 * struct drm_edgenpu_buffer_ref - one entry of a job's buffer table
 *
 * The command stream names buffers by their index in this table. Every
 * operand is checked against the buffer's size, and its access against
 * these flags, before the job is queued. Implicit sync follows the flags:
 * a job waits for earlier writers of what it reads, and for all earlier
 * users of what it writes.
 */
struct drm_edgenpu_buffer_ref {
	/** @handle: buffer object handle. */
	__u32 handle;
	/** @flags: DRM_EDGENPU_BUF_READ and/or DRM_EDGENPU_BUF_WRITE. */
	__u32 flags;
};

/**
 * struct drm_edgenpu_sync - a syncobj and, for timelines, a point on it
 *
 * Timeline points are full 64-bit values, for in- and out-syncs alike.
 */
struct drm_edgenpu_sync {
	/** @handle: syncobj handle. */
	__u32 handle;
	/** @flags: reserved, must be zero. */
	__u32 flags;
	/** @point: timeline point; 0 for a binary syncobj. */
	__u64 point;
};

/** @DRM_EDGENPU_PRIO_LOW: background work. */
#define DRM_EDGENPU_PRIO_LOW		0
/** @DRM_EDGENPU_PRIO_NORMAL: the default. */
#define DRM_EDGENPU_PRIO_NORMAL		1
/**
 * define DRM_EDGENPU_PRIO_HIGH - latency-sensitive work
 *
 * Needs CAP_SYS_NICE (SUBMIT fails with -EACCES without it), as on the
 * other DRM drivers.
 */
#define DRM_EDGENPU_PRIO_HIGH		2

/** @DRM_EDGENPU_MAX_JOB_BUFFERS: most buffer table entries in one job. */
#define DRM_EDGENPU_MAX_JOB_BUFFERS	64
/** @DRM_EDGENPU_MAX_JOB_SYNCS: most in- or out-syncs in one job. */
#define DRM_EDGENPU_MAX_JOB_SYNCS	64
/** @DRM_EDGENPU_MAX_SUBMIT_JOBS: most jobs in one SUBMIT. */
#define DRM_EDGENPU_MAX_SUBMIT_JOBS	64
/**
 * define DRM_EDGENPU_MAX_UNREAPED - finished jobs kept for WAIT
 *
 * Finished jobs per file whose status the kernel keeps for WAIT beyond
 * &drm_edgenpu_caps.max_file_jobs; see &struct drm_edgenpu_wait.
 */
#define DRM_EDGENPU_MAX_UNREAPED	1024

/**
 * struct drm_edgenpu_job - one job of a SUBMIT
 *
 * The command stream (Documentation/edgenpu/cmdstream.rst) is read from
 * @cmd_size bytes at @cmd_offset of BO @cmd_handle when the job is
 * submitted; later changes to that BO do not affect the job.
 */
struct drm_edgenpu_job {
	/** @cmd_handle: BO holding the command stream. */
	__u32 cmd_handle;
	/** @flags: reserved, must be zero. */
	__u32 flags;
	/** @cmd_offset: byte offset of the command stream in @cmd_handle. */
	__u64 cmd_offset;
	/** @cmd_size: bytes of command stream. */
	__u64 cmd_size;
	/** @buffers: user pointer to @buffer_count &struct drm_edgenpu_buffer_ref. */
	__u64 buffers;
	/** @in_syncs: user pointer to @in_sync_count &struct drm_edgenpu_sync. */
	__u64 in_syncs;
	/**
	 * @out_syncs: user pointer to @out_sync_count &struct drm_edgenpu_sync;
	 * each gets the job's completion fence (at its point, for timelines).
	 */
	__u64 out_syncs;
	/** @buffer_count: entries at @buffers, 1 to %DRM_EDGENPU_MAX_JOB_BUFFERS. */
	__u32 buffer_count;
	/** @in_sync_count: entries at @in_syncs, up to %DRM_EDGENPU_MAX_JOB_SYNCS. */
	__u32 in_sync_count;
	/** @out_sync_count: entries at @out_syncs, up to %DRM_EDGENPU_MAX_JOB_SYNCS. */
	__u32 out_sync_count;
	/** @priority: DRM_EDGENPU_PRIO_*. */
	__u32 priority;
	/**
	 * @profile_handle: BO receiving per-op timestamps, or 0 for none.
	 * The device writes two __u64 per op (start and end, in ticks of
	 * &drm_edgenpu_caps.timestamp_hz).
	 */
	__u32 profile_handle;
	/** @pad: reserved, must be zero. */
	__u32 pad;
	/** @profile_offset: byte offset of the timestamps in @profile_handle. */
	__u64 profile_offset;
	/**
	 * @seqno: out: the job's number, for DRM_IOCTL_EDGENPU_WAIT
	 * (ignored on input). A file's jobs are numbered from 1 up and a
	 * number is never reused while the file is open.
	 */
	__u64 seqno;
};

/**
 * struct drm_edgenpu_submit - queue jobs
 *
 * Every job is validated, and everything queueing needs is reserved for
 * all of them, before any is queued: a SUBMIT queues all of its jobs or
 * none, so a call interrupted by a signal (-EINTR) can be repeated as
 * is. The jobs of one SUBMIT must have the same priority; they run in
 * array order. Jobs of one file and priority run in order.
 *
 * Errors besides -EINVAL, -EFAULT, -ENOENT and -ENOMEM: -EACCES for
 * %DRM_EDGENPU_PRIO_HIGH without CAP_SYS_NICE; -EAGAIN when the file has
 * &drm_edgenpu_caps.max_file_jobs unfinished jobs; -ENOSPC when the job
 * would pin more than &drm_edgenpu_caps.max_file_pinned; -EIO when the
 * file is banned (its jobs hung too often) or its user is (for the
 * module's user_hang_window_s); the validator's errors for a bad command
 * stream, -E2BIG among them for one over the cost limits; -ENODEV after
 * the device was removed. DRM_EDGENPU_QUERY_LAST_ERROR says why.
 * On failure, the @seqno fields are undefined.
 */
struct drm_edgenpu_submit {
	/** @jobs: user pointer to @job_count jobs, @job_stride bytes apart. */
	__u64 jobs;
	/** @job_count: 1 to %DRM_EDGENPU_MAX_SUBMIT_JOBS. */
	__u32 job_count;
	/**
	 * @job_stride: userspace's sizeof(struct drm_edgenpu_job). A larger
	 * stride than the kernel knows is accepted when the extra bytes are
	 * zero; a smaller one than version 1.0's is rejected.
	 */
	__u32 job_stride;
	/** @flags: reserved, must be zero. */
	__u32 flags;
	/** @pad: reserved, must be zero. */
	__u32 pad;
};

/** @DRM_EDGENPU_WAIT_JOB: wait for job @seqno. */
#define DRM_EDGENPU_WAIT_JOB		0
/** @DRM_EDGENPU_WAIT_BO: wait until BO @handle is idle. */
#define DRM_EDGENPU_WAIT_BO		1

/** @DRM_EDGENPU_JOB_DONE: the job completed. */
#define DRM_EDGENPU_JOB_DONE		1
/** @DRM_EDGENPU_JOB_ERROR: the device failed the job; see @error. */
#define DRM_EDGENPU_JOB_ERROR		2
/** @DRM_EDGENPU_JOB_TIMEDOUT: the job hung and its core was reset. */
#define DRM_EDGENPU_JOB_TIMEDOUT	3
/** @DRM_EDGENPU_JOB_CANCELLED: the job was cancelled (reset or device removal). */
#define DRM_EDGENPU_JOB_CANCELLED	4

/**
 * struct drm_edgenpu_wait - wait for a job or a buffer
 *
 * Returns 0 with @status set once the job finished or the BO is idle,
 * -ETIME when @timeout_ns passed first, -ENOENT for an unknown or
 * already-reaped job. A job's status can be read by WAIT until a WAIT
 * has returned it; then it is reaped. Threads waiting on one job all get
 * its status. A file keeps the status of at most
 * %DRM_EDGENPU_MAX_UNREAPED finished, unreaped jobs beyond its unfinished
 * ones: when more finish, the oldest are forgotten (WAIT says -ENOENT),
 * so clients that only use syncobjs need not reap.
 */
struct drm_edgenpu_wait {
	/** @seqno: with %DRM_EDGENPU_WAIT_JOB: the job, from SUBMIT. */
	__u64 seqno;
	/** @timeout_ns: absolute CLOCK_MONOTONIC deadline, in nanoseconds. */
	__s64 timeout_ns;
	/** @kind: %DRM_EDGENPU_WAIT_JOB or %DRM_EDGENPU_WAIT_BO. */
	__u32 kind;
	/** @handle: with %DRM_EDGENPU_WAIT_BO: the buffer object. */
	__u32 handle;
	/** @flags: reserved, must be zero. */
	__u32 flags;
	/** @status: out: DRM_EDGENPU_JOB_* (ignored on input). */
	__u32 status;
	/**
	 * @error: out: 0, or the negative errno the job failed with
	 * (ignored on input).
	 */
	__s32 error;
	/** @pad: reserved, must be zero. */
	__u32 pad;
};

/** @EDGENPU_ERROR_MSG_LEN: size of &drm_edgenpu_last_error.msg. */
#define EDGENPU_ERROR_MSG_LEN		96

/**
 * struct drm_edgenpu_last_error - why the last job was rejected
 *
 * Answer to %DRM_EDGENPU_QUERY_LAST_ERROR: the command-stream validator's
 * report on the last job of this file that SUBMIT rejected, or on the
 * last job that failed on the device. All zero when there was none.
 */
struct drm_edgenpu_last_error {
	/** @error: the negative errno. */
	__s32 error;
	/** @op_index: the op at fault, or -1 for the stream as a whole. */
	__s32 op_index;
	/** @tensor: the operand at fault, or -1. */
	__s32 tensor;
	/** @code: the validator's specific code (cmdstream.rst). */
	__u32 code;
	/** @seqno: the job, for device failures; 0 for a rejected SUBMIT. */
	__u64 seqno;
	/** @msg: a NUL-terminated explanation. */
	char msg[EDGENPU_ERROR_MSG_LEN];
};

#define DRM_IOCTL_EDGENPU_QUERY \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_EDGENPU_QUERY, struct drm_edgenpu_query)
#define DRM_IOCTL_EDGENPU_BO_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_EDGENPU_BO_CREATE, struct drm_edgenpu_bo_create)
#define DRM_IOCTL_EDGENPU_BO_INFO \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_EDGENPU_BO_INFO, struct drm_edgenpu_bo_info)
#define DRM_IOCTL_EDGENPU_SUBMIT \
	DRM_IOW(DRM_COMMAND_BASE + DRM_EDGENPU_SUBMIT, struct drm_edgenpu_submit)
#define DRM_IOCTL_EDGENPU_WAIT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_EDGENPU_WAIT, struct drm_edgenpu_wait)

#if defined(__cplusplus)
}
#endif

#endif /* _UAPI_DRM_EDGENPU_ACCEL_H_ */
