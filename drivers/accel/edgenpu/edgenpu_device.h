/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The edgenpu device as the core sees it: its cores, counters, limits
 * and job records. edgenpu_device.c creates and destroys it and keeps
 * its counters.
 */
#ifndef __EDGENPU_DEVICE_H__
#define __EDGENPU_DEVICE_H__

#include <linux/atomic.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/uidgid.h>

#include <drm/drm_device.h>
#include <drm/drm_print.h>
#include <drm/gpu_scheduler.h>

#include <drm/edgenpu_accel.h>

#include "edgenpu_backend.h"

struct edgenpu_job;
struct edgenpu_dump_snap;

/**
 * struct edgenpu_core - one execution core and its scheduler
 * @sched: the core's DRM scheduler; it gives the core at most
 *	&drm_edgenpu_caps.core_queue_depth jobs at a time (its credit limit)
 * @edev: the device
 * @index: core number
 * @fence_context: dma_fence context of the core's hardware fences
 * @fence_seqno: last hardware fence seqno
 * @fence_lock: lock of the core's hardware fences
 * @resets: resets of this core
 * @last_reset_ns: time from the last timeout to the core being free
 * @active_lock: protects @active
 * @active: the jobs the backend holds (running or queued), oldest first,
 *	linked by &edgenpu_job.core_link; each stays until it is reported
 * @dump: the backend's view of the core at its last timeout, until the
 *	crash dump takes it (edgenpu_coredump.c); NULL when the backend
 *	has no &edgenpu_backend_ops.coredump
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
	spinlock_t active_lock; /* protects active, edgenpu_job.core_link */
	struct list_head active;
	struct edgenpu_dump_snap *dump;
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
 * @bo_lock: protects @bos
 * @bos: the buffer objects that hold a DMA mapping for the device (a
 *	job used them, or they were imported); removal takes the mappings
 *	back while files still hold the BOs
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
	struct mutex bo_lock; /* protects bos */
	struct list_head bos;
};

static inline struct edgenpu_device *to_edgenpu_device(struct drm_device *drm)
{
	return container_of(drm, struct edgenpu_device, drm);
}

#define edgenpu_dbg(edev, fmt, ...) \
	drm_dbg_driver(&(edev)->drm, fmt, ##__VA_ARGS__)

void edgenpu_device_account_job(struct edgenpu_device *edev, int error,
				u64 busy_ns);
void edgenpu_core_note_reset(struct edgenpu_core *core, u64 took_ns);
u64 edgenpu_core_last_reset_ns(struct edgenpu_device *edev, unsigned int core);
void edgenpu_device_ids_destroy(void);

#endif /* __EDGENPU_DEVICE_H__ */
