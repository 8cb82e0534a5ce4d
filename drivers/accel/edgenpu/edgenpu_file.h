/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per open file state: edgenpu_file.c opens, closes and frees it and
 * keeps its last error.
 */
#ifndef __EDGENPU_FILE_H__
#define __EDGENPU_FILE_H__

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/uidgid.h>
#include <linux/xarray.h>

#include <drm/gpu_scheduler.h>

#include <drm/edgenpu_accel.h>

struct drm_device;
struct drm_file;
struct edgenpu_device;

/* One scheduler entity per DRM_EDGENPU_PRIO_*. */
#define EDGENPU_NUM_PRIOS	3

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
 * @backend_ctx: the backend's state for this file (its file_open hook)
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
	void *backend_ctx;
	struct mutex submit_lock; /* arm + push of jobs, in order */
};

int edgenpu_file_open(struct drm_device *drm, struct drm_file *file);
void edgenpu_file_close(struct drm_device *drm, struct drm_file *file);
void edgenpu_file_put(struct edgenpu_file *efile);
void edgenpu_file_set_error(struct edgenpu_file *efile, int error,
			    const char *msg, u64 seqno);
int edgenpu_file_refuse(struct edgenpu_file *efile, int error, const char *msg);
void edgenpu_file_set_last_error(struct edgenpu_file *efile,
				 const struct drm_edgenpu_last_error *le);

#endif /* __EDGENPU_FILE_H__ */
