/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef __EDGENPU_DRV_H__
#define __EDGENPU_DRV_H__

#include <linux/cred.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include <drm/drm_device.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_print.h>
#include <drm/gpu_scheduler.h>

#include <drm/edgenpu_accel.h>

#include "edgenpu_backend.h"
#include "engine/edgenpu_engine.h"

/*
 * The release comes from the project's VERSION file through the Makefile,
 * the one version source for module, library and packages.
 */
#ifndef EDGENPU_VERSION_MAJOR
#error "EDGENPU_VERSION_* must come from the Makefile"
#endif
#define EDGENPU_MODULE_VERSION \
	((EDGENPU_VERSION_MAJOR << 16) | (EDGENPU_VERSION_MINOR << 8) | \
	 EDGENPU_VERSION_PATCH)

#define EDGENPU_DRIVER_NAME	"edgenpu"
#define EDGENPU_DRIVER_DESC	"DRM accel driver for edge-AI NPUs"

/* Bounds on user-supplied sizes: see the uapi header. */
#define EDGENPU_QUERY_MAX_SIZE	4096

#define EDGENPU_MAX_CORES	8
#define EDGENPU_NUM_PRIOS	3

struct edgenpu_device;
struct edgenpu_job;

/**
 * struct edgenpu_core - one execution core and its scheduler
 * @sched: the core's DRM scheduler; it runs one job at a time
 * @edev: the device
 * @index: core number
 * @fence_context: dma_fence context of the core's hardware fences
 * @fence_seqno: last hardware fence seqno
 * @fence_lock: lock of the core's hardware fences
 * @resets: resets of this core
 * @last_reset_ns: time from the last timeout to the core being free
 * @active_lock: protects @active
 * @active: the job the backend is running, until it is reported
 */
struct edgenpu_core {
	struct drm_gpu_scheduler sched;
	struct edgenpu_device *edev;
	unsigned int index;
	u64 fence_context;
	u64 fence_seqno;
	spinlock_t fence_lock; /* the hardware fences of this core */
	atomic_t resets;
	u64 last_reset_ns;
	spinlock_t active_lock; /* protects active */
	struct edgenpu_job *active;
};

/**
 * struct edgenpu_stats - device-wide counters (sysfs, debugfs)
 * @jobs_done: jobs that completed
 * @jobs_failed: jobs that failed on the device, timed out or were cancelled
 * @busy_ns: total device time spent executing jobs
 */
struct edgenpu_stats {
	atomic64_t jobs_done;
	atomic64_t jobs_failed;
	atomic64_t busy_ns;
};

#define EDGENPU_JOB_RING	64

/* Users whose recent hangs a device remembers (per-user ban). */
#define EDGENPU_HANG_USERS	16

/**
 * struct edgenpu_hang_user - recent hangs of one user on one device
 * @uid: the user
 * @count: hangs since @since
 * @epoch: the record generation it belongs to (older ones are void)
 * @since: jiffies of the first hang of the current window
 */
struct edgenpu_hang_user {
	kuid_t uid;
	u32 count;
	int epoch;
	unsigned long since;
};

/**
 * struct edgenpu_limits - per-file limits, from the module parameters
 * @jobs: jobs submitted and not yet freed
 * @pinned: bytes of buffers pinned by submitted jobs
 * @bo_bytes: bytes of buffer objects created
 * @unreaped: finished jobs whose status is kept for WAIT beyond @jobs
 */
struct edgenpu_limits {
	u32 jobs;
	u32 unreaped;
	u64 pinned;
	u64 bo_bytes;
};

/**
 * struct edgenpu_job_record - a finished job, for debugfs
 * @seqno: its number in its file
 * @pid: the submitting process
 * @core: the core it ran on
 * @error: 0 or its negative errno
 * @duration_ns: device time it took
 * @end_ns: when it ended (CLOCK_MONOTONIC)
 */
struct edgenpu_job_record {
	u64 seqno;
	pid_t pid;
	u32 core;
	s32 error;
	u64 duration_ns;
	u64 end_ns;
};

/**
 * struct edgenpu_device - one NPU, as the core sees it
 * @drm: the DRM device; its lifetime is the edgenpu_device's.
 * @ops: the backend's operations.
 * @priv: the backend's private data, passed back to @ops.
 * @id: index among edgenpu devices, reported in the device query.
 * @name: device name, e.g. "vnpu0".
 * @caps: capabilities, filled by the backend at creation.
 * @cores: the execution cores, &drm_edgenpu_caps.num_cores of them.
 * @scheds: their schedulers, the list every file's entities span.
 * @validate_lock: serializes use of @validate_scratch.
 * @validate_scratch: the engine validator's work area.
 * @stats: counters.
 * @ring_lock: protects @ring and @ring_next
 * @ring: the last %EDGENPU_JOB_RING finished jobs
 * @ring_next: where the next record goes
 * @live_jobs: jobs allocated and not yet released; removal waits for 0
 * @limits: per-file limits, fixed at creation
 * @hang_lock: protects @hang_users
 * @hang_users: recent hangs by user, so reopening does not undo a ban
 */
struct edgenpu_device {
	struct drm_device drm;
	const struct edgenpu_backend_ops *ops;
	void *priv;
	int id;
	char name[EDGENPU_NAME_LEN];
	struct drm_edgenpu_caps caps;
	struct edgenpu_core cores[EDGENPU_MAX_CORES];
	struct drm_gpu_scheduler *scheds[EDGENPU_MAX_CORES];
	struct mutex validate_lock; /* serializes validate_scratch */
	void *validate_scratch;
	struct edgenpu_stats stats;
	spinlock_t ring_lock; /* protects ring, ring_next */
	struct edgenpu_job_record ring[EDGENPU_JOB_RING];
	u32 ring_next;
	atomic_t live_jobs;
	struct edgenpu_limits limits;
	spinlock_t hang_lock; /* protects hang_users */
	struct edgenpu_hang_user hang_users[EDGENPU_HANG_USERS];
};

/**
 * struct edgenpu_file - per open file state
 * @ref: the file and each of its jobs hold a reference
 * @edev: the device
 * @entities: one scheduler entity per priority, spanning all cores
 * @jobs: seqno -> finished fence, for DRM_IOCTL_EDGENPU_WAIT
 * @jobs_count: entries in @jobs (unfinished jobs and unreaped results)
 * @next_seqno: the last seqno handed out; never reused in the file's life
 * @uid: the opener, for per-user hang accounting
 * @jobs_in_flight: jobs allocated and not yet freed (limit: jobs)
 * @pinned_bytes: bytes pinned by those jobs (limit: pinned)
 * @bo_bytes: bytes of buffer objects this file created (limit: bo_bytes)
 * @hangs: jobs of this file that timed out
 * @banned: set after too many hangs: SUBMIT fails with -EIO
 * @last_error: the validator's report on the last rejected job
 * @error_lock: protects @last_error
 * @busy_ns: device time this file's jobs took, for fdinfo
 * @submit_lock: keeps arming and pushing of this file's jobs in one order
 *	(drm_sched requires it; threads of one process share the file), and
 *	protects @next_seqno
 */
struct edgenpu_file {
	struct kref ref;
	struct edgenpu_device *edev;
	struct drm_sched_entity entities[EDGENPU_NUM_PRIOS];
	struct xarray jobs;
	atomic_t jobs_count;
	u64 next_seqno;
	kuid_t uid;
	atomic_t jobs_in_flight;
	atomic64_t pinned_bytes;
	atomic64_t bo_bytes;
	atomic_t hangs;
	bool banned;
	struct drm_edgenpu_last_error last_error;
	spinlock_t error_lock; /* protects last_error */
	atomic64_t busy_ns;
	struct mutex submit_lock; /* arm + push of jobs, in order */
};

/**
 * struct edgenpu_bo - a buffer object: GEM shmem and its owner
 * @base: the shmem object
 * @owner: the file it is charged to (referenced), or NULL for imports
 */
struct edgenpu_bo {
	struct drm_gem_shmem_object base;
	struct edgenpu_file *owner;
};

/**
 * struct edgenpu_job - one validated job
 * @base: the scheduler's job
 * @refcount: the scheduler's reference, dropped by free_job, and one per
 *	pending crash dump
 * @edev: the device, referenced (a job can outlive its device's removal)
 * @efile: the submitting file, referenced (hang accounting, errors)
 * @core: the core it runs on, once run
 * @bos: the buffer table's objects, referenced
 * @maps: their kernel mappings, for the engine, once pinned
 * @buffers: the engine's view of the buffer table
 * @nbos: entries in the tables
 * @cmds: a private copy of the command stream
 * @cmd_size: its size
 * @profile_bo: the profile buffer, or NULL
 * @profile_map: its mapping
 * @profile_offset: where the timestamps go
 * @op_count: ops in the command stream
 * @pinned: bytes charged to the file's pinned-bytes limit
 * @pm_ref: the job holds a runtime PM reference on the device
 * @hw_fence: the hardware fence's memory, allocated at submission so that
 *	run_job does not allocate
 * @done_fence: @hw_fence once run_job initialised it, else NULL
 * @error: the job's result, set before @done_fence signals
 * @engine_error: the engine's report when it fails the job
 * @cur_op: the op the engine is executing
 * @timeout_op: @cur_op when the job timed out, for the crash dump
 * @dump_work: builds the crash dump of a timed-out job
 * @free_work: the last steps of release, off the scheduler's queues
 * @start_ns: device time when the job started
 * @end_ns: device time when it ended
 * @seqno: the job number userspace sees
 * @pid: the submitting process
 */
struct edgenpu_job {
	struct drm_sched_job base;
	struct kref refcount;
	struct edgenpu_device *edev;
	struct edgenpu_file *efile;
	struct edgenpu_core *core;
	struct drm_gem_object **bos;
	struct iosys_map *maps;
	struct edgenpu_engine_buffer *buffers;
	u32 nbos;
	void *cmds;
	u32 cmd_size;
	struct drm_gem_object *profile_bo;
	struct iosys_map profile_map;
	u64 profile_offset;
	u32 op_count;
	u64 pinned;
	bool pm_ref;
	struct dma_fence *hw_fence;
	struct dma_fence *done_fence;
	int error;
	struct edgenpu_engine_error engine_error;
	u32 cur_op;
	u32 timeout_op;
	struct work_struct dump_work;
	struct work_struct free_work;
	u64 start_ns;
	u64 end_ns;
	u64 seqno;
	pid_t pid;
};

static inline struct edgenpu_device *to_edgenpu_device(struct drm_device *drm)
{
	return container_of(drm, struct edgenpu_device, drm);
}

#define edgenpu_dbg(edev, fmt, ...) \
	drm_dbg_driver(&(edev)->drm, fmt, ##__VA_ARGS__)

/**
 * union edgenpu_query_data - every answer DRM_IOCTL_EDGENPU_QUERY gives
 * @info: %DRM_EDGENPU_QUERY_DEVICE
 * @caps: %DRM_EDGENPU_QUERY_CAPS
 * @last_error: %DRM_EDGENPU_QUERY_LAST_ERROR
 */
union edgenpu_query_data {
	struct drm_edgenpu_device_info info;
	struct drm_edgenpu_caps caps;
	struct drm_edgenpu_last_error last_error;
};

int edgenpu_ioctl_query(struct drm_device *drm, void *data,
			struct drm_file *file);
int edgenpu_ioctl_bo_create(struct drm_device *drm, void *data,
			    struct drm_file *file);
int edgenpu_ioctl_bo_info(struct drm_device *drm, void *data,
			  struct drm_file *file);
int edgenpu_ioctl_submit(struct drm_device *drm, void *data,
			 struct drm_file *file);
int edgenpu_ioctl_wait(struct drm_device *drm, void *data,
		       struct drm_file *file);

struct drm_gem_object *edgenpu_gem_create_object(struct drm_device *drm,
						 size_t size);

int edgenpu_sched_init(struct edgenpu_device *edev);
void edgenpu_sched_fini(struct edgenpu_device *edev);
void edgenpu_jobs_drain(struct edgenpu_device *edev);
int edgenpu_file_open(struct drm_device *drm, struct drm_file *file);
void edgenpu_file_close(struct drm_device *drm, struct drm_file *file);
void edgenpu_job_put(struct edgenpu_job *job);
void edgenpu_file_put(struct edgenpu_file *efile);
void edgenpu_debugfs_init(struct edgenpu_device *edev);
void edgenpu_show_fdinfo(struct drm_printer *p, struct drm_file *file);
void edgenpu_file_set_error(struct edgenpu_file *efile, int error,
			    const struct edgenpu_engine_error *err,
			    const char *msg, u64 seqno);
void edgenpu_limits_init(struct edgenpu_device *edev);
int edgenpu_file_check_ban(struct edgenpu_file *efile);
void edgenpu_coredump(struct edgenpu_job *job);
#if IS_ENABLED(CONFIG_KUNIT)
struct edgenpu_job *edgenpu_job_alloc(struct edgenpu_file *efile, u32 nbos);
int edgenpu_job_add_buffer(struct edgenpu_job *job, struct drm_gem_object *obj,
			   u32 flags);
int edgenpu_job_validate(struct edgenpu_job *job, struct edgenpu_file *efile);
int edgenpu_job_queue(struct edgenpu_job *job, u32 prio, struct dma_fence *dep,
		      u64 *seqno);
int edgenpu_job_pin(struct edgenpu_job *job);
int edgenpu_query_fill(struct edgenpu_device *edev, struct edgenpu_file *efile,
		       u32 id, union edgenpu_query_data *u);
int edgenpu_copy_sized(void __user *dst, u32 usize, const void *src,
		       size_t ksize);
#endif

#endif /* __EDGENPU_DRV_H__ */
