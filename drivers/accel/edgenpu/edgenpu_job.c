// SPDX-License-Identifier: GPL-2.0-only
/*
 * edgenpu jobs: allocation within the file's limits, the buffer table,
 * pinning, and release. A job holds its file, the device and the
 * module until it is freed; the scheduler (edgenpu_sched.c) drops the
 * last reference once the job has finished.
 */

#include <linux/iosys-map.h>
#include <linux/module.h>
#include <linux/pm_runtime.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/wait_bit.h>
#include <linux/workqueue.h>

#include <drm/drm_drv.h>
#include <drm/drm_gem.h>

#include <kunit/visibility.h>

#include "edgenpu_compat.h"
#include "edgenpu_device.h"
#include "edgenpu_exec.h"
#include "edgenpu_file.h"
#include "edgenpu_gem.h"
#include "edgenpu_job.h"

#define EDGENPU_GFP		GFP_KERNEL_ACCOUNT

/**
 * edgenpu_job_alloc() - a new job of a file, with room for @nbos buffers
 * @efile: the submitting file; the job holds a reference
 * @nbos: buffer table entries, 1 to %DRM_EDGENPU_MAX_JOB_BUFFERS
 *
 * The job counts against the file's jobs-in-flight limit until it is
 * freed, and holds the device and the module.
 *
 * Return: the job (one reference) or an ERR_PTR(): -EINVAL, -ENOMEM, or
 * -EAGAIN when the file has its limit of unfinished jobs.
 */
struct edgenpu_job *edgenpu_job_alloc(struct edgenpu_file *efile, u32 nbos)
{
	struct edgenpu_device *edev = efile->edev;
	struct edgenpu_job *job;

	if (!nbos || nbos > DRM_EDGENPU_MAX_JOB_BUFFERS)
		return ERR_PTR(-EINVAL);
	job = kzalloc_obj(*job, EDGENPU_GFP);
	if (!job)
		return ERR_PTR(-ENOMEM);
	kref_init(&job->refcount);
	INIT_LIST_HEAD(&job->core_link);
	job->edev = edev;
	drm_dev_get(&edev->drm);
	__module_get(THIS_MODULE);
	atomic_inc(&edev->live_jobs);
	job->pid = task_tgid_nr(current);
	kref_get(&efile->ref);
	job->efile = efile;
	if (atomic_inc_return(&efile->jobs_in_flight) > edev->limits.jobs) {
		edgenpu_job_put(job);
		return ERR_PTR(edgenpu_file_refuse(efile, -EAGAIN,
						   "the file has its limit of unfinished jobs"));
	}
	job->bos = kcalloc(nbos, sizeof(*job->bos), EDGENPU_GFP);
	job->maps = kcalloc(nbos, sizeof(*job->maps), EDGENPU_GFP);
	job->buffers = kcalloc(nbos, sizeof(*job->buffers), EDGENPU_GFP);
	job->hw_fence = kzalloc_obj(*job->hw_fence, EDGENPU_GFP);
	if (!job->bos || !job->maps || !job->buffers || !job->hw_fence) {
		edgenpu_job_put(job);
		return ERR_PTR(-ENOMEM);
	}
	return job;
}
EXPORT_SYMBOL_IF_KUNIT(edgenpu_job_alloc);

/**
 * edgenpu_job_add_buffer() - append a buffer to a job's table
 * @job: the job, from edgenpu_job_alloc()
 * @obj: the buffer object; the job takes over the caller's reference
 * @flags: DRM_EDGENPU_BUF_READ and/or DRM_EDGENPU_BUF_WRITE
 *
 * Nothing is pinned yet: the engine validates against sizes alone.
 *
 * Return: 0 or -EINVAL for bad flags or a buffer already in the table
 * (the reference is dropped with the job either way).
 */
int edgenpu_job_add_buffer(struct edgenpu_job *job, struct drm_gem_object *obj,
			   u32 flags)
{
	u32 i = job->nbos, j;

	job->bos[i] = obj;
	job->nbos++;
	if (!flags || (flags & ~EDGENPU_JOB_BUF_FLAGS))
		return -EINVAL;
	for (j = 0; j < i; j++)
		if (job->bos[j] == obj)
			return -EINVAL;
	edgenpu_exec_describe_buffer(job, i, flags);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(edgenpu_job_add_buffer);

/* Bytes the job pins: each buffer once, the profile buffer, the stream. */
static u64 edgenpu_job_pin_bytes(const struct edgenpu_job *job)
{
	u64 bytes = job->cmd_size;
	u32 i;

	for (i = 0; i < job->nbos; i++)
		bytes += job->bos[i]->size;
	if (job->profile_bo)
		bytes += job->profile_bo->size;
	return bytes;
}

/*
 * A runtime PM reference on the backend's device for the job's life, so
 * that run_job never resumes the device (it must not sleep on that).
 * Devices without runtime PM (-EACCES) need none.
 */
static int edgenpu_job_power(struct edgenpu_job *job)
{
	int ret = pm_runtime_resume_and_get(job->edev->drm.dev);

	if (ret == -EACCES)
		return 0;
	if (ret < 0)
		return ret;
	job->pm_ref = true;
	return 0;
}

/* The backend's preparation, where it may allocate (not in run_job). */
static int edgenpu_job_prepare(struct edgenpu_job *job)
{
	struct edgenpu_device *edev = job->edev;
	int idx, ret;

	if (!edev->ops->prepare_job)
		return 0;
	if (!drm_dev_enter(&edev->drm, &idx))
		return -ENODEV;
	ret = edev->ops->prepare_job(edev->priv, job);
	drm_dev_exit(idx);
	job->prepared = !ret;
	return ret;
}

/**
 * edgenpu_job_pin() - pin and map a validated job's buffers
 * @job: the job
 *
 * Charges the file's pinned-bytes limit first: a job that would exceed it
 * is refused with -ENOSPC before anything is pinned.
 *
 * Return: 0 or a negative errno; what was pinned goes with the job.
 */
int edgenpu_job_pin(struct edgenpu_job *job)
{
	struct edgenpu_file *efile = job->efile;
	u64 bytes = edgenpu_job_pin_bytes(job);
	u32 i;
	int ret;

	if (atomic64_add_return(bytes, &efile->pinned_bytes) >
	    job->edev->limits.pinned) {
		atomic64_sub(bytes, &efile->pinned_bytes);
		return edgenpu_file_refuse(efile, -ENOSPC,
					   "the job would pin more than the file's limit");
	}
	job->pinned = bytes;
	for (i = 0; i < job->nbos; i++) {
		ret = edgenpu_bo_vmap(job->bos[i], &job->maps[i]);
		if (ret)
			return ret;
	}
	edgenpu_exec_bind_buffers(job);
	if (job->profile_bo) {
		ret = edgenpu_bo_vmap(job->profile_bo, &job->profile_map);
		if (ret)
			return ret;
	}
	ret = edgenpu_job_prepare(job);
	if (ret)
		return ret;
	return edgenpu_job_power(job);
}
EXPORT_SYMBOL_IF_KUNIT(edgenpu_job_pin);

/*
 * The last steps of a job's release, from a work item: dropping the
 * device may release it, which tears down the schedulers, and the job's
 * release can run on one of their queues.
 */
static void edgenpu_job_free_work(struct work_struct *work)
{
	struct edgenpu_job *job = container_of(work, struct edgenpu_job,
					       free_work);
	struct edgenpu_device *edev = job->edev;

	if (atomic_dec_and_test(&edev->live_jobs))
		wake_up_var(&edev->live_jobs);
	drm_dev_put(&edev->drm);
	kfree(job);
	/* Last: the module's code ran this. */
	module_put(THIS_MODULE);
}

static void edgenpu_job_unpin(struct edgenpu_job *job)
{
	struct edgenpu_device *edev = job->edev;
	int idx;
	u32 i;

	/* Once removal has begun, the backend frees what is left itself. */
	if (job->prepared && drm_dev_enter(&edev->drm, &idx)) {
		edev->ops->cleanup_job(edev->priv, job);
		drm_dev_exit(idx);
	}

	for (i = 0; i < job->nbos; i++) {
		if (!job->bos[i])
			continue;
		if (!iosys_map_is_null(&job->maps[i]))
			edgenpu_gem_vunmap(job->bos[i], &job->maps[i]);
		drm_gem_object_put(job->bos[i]);
	}
	if (job->profile_bo) {
		if (!iosys_map_is_null(&job->profile_map))
			edgenpu_gem_vunmap(job->profile_bo, &job->profile_map);
		drm_gem_object_put(job->profile_bo);
	}
	if (job->pm_ref) {
		pm_runtime_mark_last_busy(job->edev->drm.dev);
		pm_runtime_put_autosuspend(job->edev->drm.dev);
	}
}

static void edgenpu_job_release(struct kref *ref)
{
	struct edgenpu_job *job = container_of(ref, struct edgenpu_job, refcount);
	struct edgenpu_file *efile = job->efile;

	if (job->bos)
		edgenpu_job_unpin(job);
	if (job->done_fence)
		dma_fence_put(job->done_fence);
	else
		kfree(job->hw_fence);
	if (efile) {
		atomic64_sub(job->pinned, &efile->pinned_bytes);
		atomic_dec(&efile->jobs_in_flight);
		edgenpu_file_put(efile);
	}
	kvfree(job->cmds);
	kfree(job->bos);
	kfree(job->maps);
	kfree(job->buffers);
	INIT_WORK(&job->free_work, edgenpu_job_free_work);
	queue_work(system_wq, &job->free_work);
}

/**
 * edgenpu_job_put() - drop a reference to a job
 * @job: the job
 */
void edgenpu_job_put(struct edgenpu_job *job)
{
	kref_put(&job->refcount, edgenpu_job_release);
}
EXPORT_SYMBOL_IF_KUNIT(edgenpu_job_put);

/**
 * edgenpu_job_core() - the core a job runs on
 * @job: a job handed to &edgenpu_backend_ops.run_job
 *
 * Return: the core's index.
 */
unsigned int edgenpu_job_core(const struct edgenpu_job *job)
{
	return job->core->index;
}

/**
 * edgenpu_job_file_ctx() - the backend's state for a job's file
 * @job: a job
 *
 * Return: what &edgenpu_backend_ops.file_open set for the file, or NULL.
 */
void *edgenpu_job_file_ctx(const struct edgenpu_job *job)
{
	return job->efile->backend_ctx;
}

/**
 * edgenpu_job_set_priv() - attach the backend's state to a job
 * @job: a job, in &edgenpu_backend_ops.prepare_job
 * @priv: the state; the backend frees it in cleanup_job
 */
void edgenpu_job_set_priv(struct edgenpu_job *job, void *priv)
{
	job->backend_priv = priv;
}

/**
 * edgenpu_job_priv() - the backend's state of a job
 * @job: a job
 *
 * Return: what edgenpu_job_set_priv() attached, or NULL.
 */
void *edgenpu_job_priv(const struct edgenpu_job *job)
{
	return job->backend_priv;
}

/**
 * edgenpu_job_cmds() - a job's validated command stream
 * @job: a job
 * @size: set to its size in bytes (at most 1 MiB)
 *
 * Return: the core's private copy, valid while the job lives.
 */
const void *edgenpu_job_cmds(const struct edgenpu_job *job, u32 *size)
{
	*size = job->cmd_size;
	return job->cmds;
}

/**
 * edgenpu_job_num_buffers() - entries in a job's buffer table
 * @job: a job
 *
 * Return: the number of buffers, as the command stream indexes them.
 */
u32 edgenpu_job_num_buffers(const struct edgenpu_job *job)
{
	return job->nbos;
}

/**
 * edgenpu_job_profile_area() - where a job's per-op timestamps go
 * @job: a running or finished job
 * @op_count: set to the number of ops; the area holds a (start, end)
 *	pair of u64 nanoseconds per op
 *
 * Return: the kernel address of the area, or NULL when the job was
 * submitted without a profile buffer.
 */
u64 *edgenpu_job_profile_area(struct edgenpu_job *job, u32 *op_count)
{
	*op_count = job->op_count;
	if (!job->profile_bo)
		return NULL;
	return job->profile_map.vaddr + job->profile_offset;
}

/**
 * edgenpu_job_set_times() - when a job ran, in device nanoseconds
 * @job: a finished job, before edgenpu_job_done()
 * @start_ns: when it started
 * @end_ns: when it ended
 */
void edgenpu_job_set_times(struct edgenpu_job *job, u64 start_ns, u64 end_ns)
{
	job->start_ns = start_ns;
	job->end_ns = end_ns;
}
