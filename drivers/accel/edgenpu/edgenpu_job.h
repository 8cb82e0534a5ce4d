/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One job: edgenpu_job.c allocates it, builds its buffer table, pins
 * its buffers and frees it.
 */
#ifndef __EDGENPU_JOB_H__
#define __EDGENPU_JOB_H__

#include <linux/iosys-map.h>
#include <linux/kref.h>
#include <linux/workqueue.h>

#include <drm/gpu_scheduler.h>

#include <drm/edgenpu_accel.h>

#include "engine/edgenpu_engine.h"

struct drm_gem_object;
struct edgenpu_core;
struct edgenpu_device;
struct edgenpu_file;

/* The access flags a buffer table entry may have. */
#define EDGENPU_JOB_BUF_FLAGS	(DRM_EDGENPU_BUF_READ | DRM_EDGENPU_BUF_WRITE)

/**
 * struct edgenpu_job - one validated job
 * @base: the scheduler's job
 * @refcount: the scheduler's reference, dropped by free_job, and one per
 *	pending crash dump
 * @edev: the device, referenced (a job can outlive its device's removal)
 * @efile: the submitting file, referenced (hang accounting, errors)
 * @core: the core it runs on, once run
 * @core_link: in &edgenpu_core.active while the core holds the job;
 *	empty once it was reported or failed
 * @bos: the buffer table's objects, referenced
 * @maps: their kernel mappings, for the engine, once pinned
 * @buffers: the engine's view of the buffer table (edgenpu_exec.c)
 * @nbos: entries in the tables
 * @cmds: a private copy of the command stream
 * @cmd_size: its size
 * @profile_bo: the profile buffer, or NULL
 * @profile_map: its mapping
 * @profile_offset: where the timestamps go
 * @op_count: ops in the command stream
 * @pinned: bytes charged to the file's pinned-bytes limit
 * @pm_ref: the job holds a runtime PM reference on the device
 * @prepared: the backend's prepare_job succeeded; cleanup_job is owed
 * @backend_priv: the backend's per-job state (edgenpu_job_set_priv())
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
	struct list_head core_link;
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
	bool prepared;
	void *backend_priv;
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

struct edgenpu_job *edgenpu_job_alloc(struct edgenpu_file *efile, u32 nbos);
int edgenpu_job_add_buffer(struct edgenpu_job *job, struct drm_gem_object *obj,
			   u32 flags);
int edgenpu_job_pin(struct edgenpu_job *job);
void edgenpu_job_put(struct edgenpu_job *job);

#endif /* __EDGENPU_JOB_H__ */
