// SPDX-License-Identifier: GPL-2.0-only
/*
 * DRM_IOCTL_EDGENPU_SUBMIT and DRM_IOCTL_EDGENPU_WAIT.
 *
 * SUBMIT prepares every job of the call (copies, lookups, mappings,
 * validation, dependencies) before it queues any, so a call that fails
 * queues nothing. User sizes are checked with the overflow helpers.
 */

#include <linux/dma-fence-chain.h>
#include <linux/dma-resv.h>
#include <linux/overflow.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_syncobj.h>
#include <drm/drm_utils.h>

#include <kunit/visibility.h>

#include "edgenpu_compat.h"
#include "edgenpu_drv.h"

#define EDGENPU_MAX_CMD_SIZE	SZ_1M
/* The smallest job struct userspace may pass: uapi 1.1's. */
#define EDGENPU_JOB_V1_SIZE	sizeof(struct drm_edgenpu_job)
#define EDGENPU_BUF_FLAGS	(DRM_EDGENPU_BUF_READ | DRM_EDGENPU_BUF_WRITE)

/**
 * struct edgenpu_out_sync - an out-fence target, resolved before queueing
 * @syncobj: the syncobj
 * @chain: preallocated link for a timeline point, or NULL
 * @point: the timeline point
 */
struct edgenpu_out_sync {
	struct drm_syncobj *syncobj;
	struct dma_fence_chain *chain;
	u64 point;
};

/**
 * struct edgenpu_pending - a prepared job, not yet queued
 * @job: the job
 * @entity: where it goes
 * @outs: its out-fence targets
 * @nouts: how many
 * @user_seqno: where its seqno goes back to userspace
 */
struct edgenpu_pending {
	struct edgenpu_job *job;
	struct drm_sched_entity *entity;
	struct edgenpu_out_sync *outs;
	u32 nouts;
	u64 __user *user_seqno;
};

static int edgenpu_copy_array(void *dst, u64 uptr, u32 count, size_t elem)
{
	size_t bytes = size_mul(count, elem);

	if (bytes == SIZE_MAX)
		return -EOVERFLOW;
	if (copy_from_user(dst, u64_to_user_ptr(uptr), bytes))
		return -EFAULT;
	return 0;
}

static int edgenpu_map_bo(struct drm_gem_object *obj, struct iosys_map *map)
{
	int ret = edgenpu_gem_vmap(obj, map);

	/* The engine addresses buffers directly: no I/O memory here. */
	if (!ret && map->is_iomem) {
		edgenpu_gem_vunmap(obj, map);
		return -EOPNOTSUPP;
	}
	return ret;
}

/**
 * edgenpu_job_alloc() - a new job of a file, with room for @nbos buffers
 * @efile: the submitting file; the job holds a reference
 * @nbos: buffer table entries, 1 to %DRM_EDGENPU_MAX_JOB_BUFFERS
 *
 * Return: the job (one reference) or an ERR_PTR().
 */
VISIBLE_IF_KUNIT struct edgenpu_job *
edgenpu_job_alloc(struct edgenpu_file *efile, u32 nbos)
{
	struct edgenpu_job *job;

	if (!nbos || nbos > DRM_EDGENPU_MAX_JOB_BUFFERS)
		return ERR_PTR(-EINVAL);
	job = kzalloc_obj(*job, GFP_KERNEL);
	if (!job)
		return ERR_PTR(-ENOMEM);
	kref_init(&job->refcount);
	job->edev = efile->edev;
	atomic_inc(&job->edev->live_jobs);
	job->pid = task_tgid_nr(current);
	kref_get(&efile->ref);
	job->efile = efile;
	job->bos = kcalloc(nbos, sizeof(*job->bos), GFP_KERNEL);
	job->maps = kcalloc(nbos, sizeof(*job->maps), GFP_KERNEL);
	job->buffers = kcalloc(nbos, sizeof(*job->buffers), GFP_KERNEL);
	if (!job->bos || !job->maps || !job->buffers) {
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
 * Return: 0 or a negative errno (the reference is dropped either way).
 */
VISIBLE_IF_KUNIT int edgenpu_job_add_buffer(struct edgenpu_job *job,
					    struct drm_gem_object *obj, u32 flags)
{
	u32 i = job->nbos;
	int ret;

	job->bos[i] = obj;
	job->nbos++;
	if (!flags || (flags & ~EDGENPU_BUF_FLAGS))
		return -EINVAL;
	ret = edgenpu_map_bo(obj, &job->maps[i]);
	if (ret)
		return ret;
	job->buffers[i].ptr = job->maps[i].vaddr;
	job->buffers[i].size = obj->size;
	if (flags & DRM_EDGENPU_BUF_READ)
		job->buffers[i].flags |= EDGENPU_ENGINE_BUF_READ;
	if (flags & DRM_EDGENPU_BUF_WRITE)
		job->buffers[i].flags |= EDGENPU_ENGINE_BUF_WRITE;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(edgenpu_job_add_buffer);

static int edgenpu_job_lookup_buffers(struct edgenpu_job *job,
				      struct drm_file *file,
				      const struct drm_edgenpu_job *uj)
{
	struct drm_edgenpu_buffer_ref *refs;
	u32 i, n = uj->buffer_count;
	int ret;

	refs = kcalloc(n, sizeof(*refs), GFP_KERNEL);
	if (!refs)
		return -ENOMEM;
	ret = edgenpu_copy_array(refs, uj->buffers, n, sizeof(*refs));
	for (i = 0; i < n && !ret; i++) {
		struct drm_gem_object *obj;

		if (!refs[i].flags || (refs[i].flags & ~EDGENPU_BUF_FLAGS)) {
			ret = -EINVAL;
			break;
		}
		obj = drm_gem_object_lookup(file, refs[i].handle);
		ret = obj ? edgenpu_job_add_buffer(job, obj, refs[i].flags) : -ENOENT;
	}
	kfree(refs);
	return ret;
}

/* Copy the command stream out of its BO: the job must not change later. */
static int edgenpu_job_copy_cmds(struct edgenpu_job *job, struct drm_file *file,
				 const struct drm_edgenpu_job *uj)
{
	struct drm_gem_object *obj;
	struct iosys_map map;
	u64 end;
	int ret;

	if (uj->cmd_size < sizeof(struct edgenpu_cmd_header) ||
	    uj->cmd_size > EDGENPU_MAX_CMD_SIZE)
		return -EINVAL;
	obj = drm_gem_object_lookup(file, uj->cmd_handle);
	if (!obj)
		return -ENOENT;
	if (check_add_overflow(uj->cmd_offset, uj->cmd_size, &end) ||
	    end > obj->size) {
		ret = -ERANGE;
		goto out;
	}
	job->cmds = kvmalloc(uj->cmd_size, GFP_KERNEL);
	if (!job->cmds) {
		ret = -ENOMEM;
		goto out;
	}
	ret = edgenpu_map_bo(obj, &map);
	if (ret)
		goto out;
	memcpy(job->cmds, map.vaddr + uj->cmd_offset, uj->cmd_size);
	job->cmd_size = uj->cmd_size;
	edgenpu_gem_vunmap(obj, &map);
out:
	drm_gem_object_put(obj);
	return ret;
}

VISIBLE_IF_KUNIT int edgenpu_job_validate(struct edgenpu_job *job,
					  struct edgenpu_file *efile)
{
	struct edgenpu_device *edev = job->edev;
	const struct edgenpu_cmd_header *hdr = job->cmds;
	int ret;

	mutex_lock(&edev->validate_lock);
	ret = edgenpu_engine_validate(job->cmds, job->cmd_size, job->buffers,
				      job->nbos, edev->validate_scratch,
				      EDGENPU_ENGINE_SCRATCH_SIZE,
				      &job->engine_error);
	mutex_unlock(&edev->validate_lock);
	if (ret) {
		edgenpu_file_set_error(efile, ret, &job->engine_error, NULL, 0);
		edgenpu_dbg(edev, "job rejected: op %d: %s (%d)\n",
			    job->engine_error.op_index, job->engine_error.msg, ret);
		return ret;
	}
	job->op_count = hdr->op_count;
	memset(&job->engine_error, 0, sizeof(job->engine_error));
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(edgenpu_job_validate);

static int edgenpu_job_profile(struct edgenpu_job *job, struct drm_file *file,
			       const struct drm_edgenpu_job *uj)
{
	u64 bytes, end;
	int ret;

	if (!uj->profile_handle)
		return uj->profile_offset ? -EINVAL : 0;
	if (!IS_ALIGNED(uj->profile_offset, sizeof(u64)))
		return -EINVAL;
	job->profile_bo = drm_gem_object_lookup(file, uj->profile_handle);
	if (!job->profile_bo)
		return -ENOENT;
	bytes = (u64)job->op_count * 2 * sizeof(u64);
	if (check_add_overflow(uj->profile_offset, bytes, &end) ||
	    end > job->profile_bo->size)
		return -ERANGE;
	ret = edgenpu_map_bo(job->profile_bo, &job->profile_map);
	if (ret)
		return ret;
	job->profile_offset = uj->profile_offset;
	return 0;
}

static int edgenpu_job_in_syncs(struct edgenpu_job *job, struct drm_file *file,
				const struct drm_edgenpu_job *uj)
{
	struct drm_edgenpu_sync *syncs;
	u32 i, n = uj->in_sync_count;
	int ret = 0;

	if (!n)
		return 0;
	syncs = kcalloc(n, sizeof(*syncs), GFP_KERNEL);
	if (!syncs)
		return -ENOMEM;
	ret = edgenpu_copy_array(syncs, uj->in_syncs, n, sizeof(*syncs));
	for (i = 0; !ret && i < n; i++) {
		if (syncs[i].flags || syncs[i].point > U32_MAX) {
			ret = -EINVAL;
			break;
		}
		ret = drm_sched_job_add_syncobj_dependency(&job->base, file,
							   syncs[i].handle,
							   syncs[i].point);
	}
	kfree(syncs);
	return ret;
}

static void edgenpu_out_syncs_free(struct edgenpu_pending *p)
{
	u32 i;

	for (i = 0; p->outs && i < p->nouts; i++) {
		if (p->outs[i].syncobj)
			drm_syncobj_put(p->outs[i].syncobj);
		dma_fence_chain_free(p->outs[i].chain);
	}
	kfree(p->outs);
	p->outs = NULL;
}

static int edgenpu_job_out_syncs(struct edgenpu_pending *p,
				 struct drm_file *file,
				 const struct drm_edgenpu_job *uj)
{
	struct drm_edgenpu_sync *syncs;
	u32 i, n = uj->out_sync_count;
	int ret;

	if (!n)
		return 0;
	syncs = kcalloc(n, sizeof(*syncs), GFP_KERNEL);
	p->outs = kcalloc(n, sizeof(*p->outs), GFP_KERNEL);
	if (!syncs || !p->outs) {
		ret = -ENOMEM;
		goto out;
	}
	p->nouts = n;
	ret = edgenpu_copy_array(syncs, uj->out_syncs, n, sizeof(*syncs));
	for (i = 0; !ret && i < n; i++) {
		if (syncs[i].flags) {
			ret = -EINVAL;
			break;
		}
		p->outs[i].syncobj = drm_syncobj_find(file, syncs[i].handle);
		if (!p->outs[i].syncobj) {
			ret = -ENOENT;
			break;
		}
		p->outs[i].point = syncs[i].point;
		if (syncs[i].point) {
			p->outs[i].chain = dma_fence_chain_alloc();
			if (!p->outs[i].chain)
				ret = -ENOMEM;
		}
	}
out:
	kfree(syncs);
	return ret;
}

static int edgenpu_check_job_fields(const struct drm_edgenpu_job *uj)
{
	if (uj->flags || uj->pad || uj->seqno)
		return -EINVAL;
	if (uj->priority >= EDGENPU_NUM_PRIOS)
		return -EINVAL;
	if (uj->in_sync_count > DRM_EDGENPU_MAX_JOB_SYNCS ||
	    uj->out_sync_count > DRM_EDGENPU_MAX_JOB_SYNCS)
		return -EINVAL;
	return 0;
}

/* Read job @i of the user's array, whatever its stride. */
static int edgenpu_copy_job(struct drm_edgenpu_job *uj,
			    const struct drm_edgenpu_submit *args, u32 i,
			    u64 __user **seqno_ptr)
{
	size_t off = size_mul(i, args->job_stride);
	void __user *src;
	int ret;

	if (off == SIZE_MAX)
		return -EOVERFLOW;
	src = u64_to_user_ptr(args->jobs) + off;
	if (copy_from_user(uj, src, sizeof(*uj)))
		return -EFAULT;
	if (args->job_stride > sizeof(*uj)) {
		/* Fields this kernel does not know must be zero. */
		ret = check_zeroed_user(src + sizeof(*uj),
					args->job_stride - sizeof(*uj));
		if (ret <= 0)
			return ret ? ret : -EINVAL;
	}
	*seqno_ptr = src + offsetof(struct drm_edgenpu_job, seqno);
	return edgenpu_check_job_fields(uj);
}

static void edgenpu_pending_abort(struct edgenpu_pending *p)
{
	if (!p->job)
		return;
	if (p->entity)
		drm_sched_job_cleanup(&p->job->base);
	edgenpu_out_syncs_free(p);
	edgenpu_job_put(p->job);
	p->job = NULL;
}

static int edgenpu_prepare_job(struct edgenpu_pending *p,
			       struct drm_file *file,
			       const struct drm_edgenpu_job *uj)
{
	struct edgenpu_file *efile = file->driver_priv;
	struct edgenpu_job *job;
	int ret;

	job = edgenpu_job_alloc(efile, uj->buffer_count);
	if (IS_ERR(job))
		return PTR_ERR(job);
	p->job = job;

	ret = edgenpu_job_lookup_buffers(job, file, uj);
	if (!ret)
		ret = edgenpu_job_copy_cmds(job, file, uj);
	if (!ret)
		ret = edgenpu_job_validate(job, efile);
	if (!ret)
		ret = edgenpu_job_profile(job, file, uj);
	if (ret)
		return ret;

	ret = edgenpu_sched_job_init(&job->base, &efile->entities[uj->priority],
				     efile, file->client_id);
	if (ret)
		return ret;
	p->entity = &efile->entities[uj->priority];
	ret = edgenpu_job_in_syncs(job, file, uj);
	if (!ret)
		ret = edgenpu_job_out_syncs(p, file, uj);
	return ret;
}

/*
 * Implicit sync, arm, publish fences, queue. Nothing fails after arming.
 * Returns the job's seqno through @seqno: the job may be gone on return.
 */
static int edgenpu_job_commit(struct edgenpu_file *efile, struct edgenpu_job *job,
			      struct edgenpu_out_sync *outs, u32 nouts, u64 *seqno)
{
	struct ww_acquire_ctx ctx;
	struct dma_fence *finished;
	u32 i, id;
	int ret;

	/*
	 * The scheduler numbers a job's fence when it is armed and runs jobs
	 * in the order they are pushed: both must happen in one order per
	 * entity, even when threads share the file.
	 */
	mutex_lock(&efile->submit_lock);
	ret = drm_gem_lock_reservations(job->bos, job->nbos, &ctx);
	if (ret) {
		mutex_unlock(&efile->submit_lock);
		return ret;
	}
	for (i = 0; i < job->nbos; i++) {
		bool write = job->buffers[i].flags & EDGENPU_ENGINE_BUF_WRITE;

		ret = dma_resv_reserve_fences(job->bos[i]->resv, 1);
		if (!ret)
			ret = drm_sched_job_add_implicit_dependencies(&job->base,
								      job->bos[i],
								      write);
		if (ret)
			goto unlock;
	}
	ret = xa_alloc(&efile->jobs, &id, NULL, xa_limit_32b, GFP_KERNEL);
	if (ret)
		goto unlock;

	drm_sched_job_arm(&job->base);
	finished = &job->base.s_fence->finished;
	job->seqno = id;
	xa_store(&efile->jobs, id, dma_fence_get(finished), GFP_KERNEL);
	for (i = 0; i < job->nbos; i++)
		dma_resv_add_fence(job->bos[i]->resv, finished,
				   (job->buffers[i].flags & EDGENPU_ENGINE_BUF_WRITE) ?
				   DMA_RESV_USAGE_WRITE : DMA_RESV_USAGE_READ);
	drm_gem_unlock_reservations(job->bos, job->nbos, &ctx);

	for (i = 0; i < nouts; i++) {
		if (outs[i].chain) {
			drm_syncobj_add_point(outs[i].syncobj, outs[i].chain,
					      finished, outs[i].point);
			outs[i].chain = NULL;
		} else {
			drm_syncobj_replace_fence(outs[i].syncobj, finished);
		}
	}
	*seqno = id;
	drm_sched_entity_push_job(&job->base);
	mutex_unlock(&efile->submit_lock);
	return 0;

unlock:
	drm_gem_unlock_reservations(job->bos, job->nbos, &ctx);
	mutex_unlock(&efile->submit_lock);
	return ret;
}

static int edgenpu_queue_job(struct edgenpu_pending *p, struct drm_file *file)
{
	u64 seqno;
	int ret;

	ret = edgenpu_job_commit(file->driver_priv, p->job, p->outs, p->nouts,
				 &seqno);
	if (ret)
		return ret;
	edgenpu_out_syncs_free(p);
	p->job = NULL;
	return put_user(seqno, p->user_seqno);
}

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * edgenpu_job_queue() - queue a prepared, validated job without syncobjs
 * @job: from edgenpu_job_alloc(), with buffers, stream and validation done
 * @prio: DRM_EDGENPU_PRIO_*
 * @seqno: the job's number for WAIT
 *
 * Return: 0, the job belongs to the scheduler; or a negative errno, the
 * job was released.
 */
int edgenpu_job_queue(struct edgenpu_job *job, u32 prio, u64 *seqno)
{
	struct edgenpu_file *efile = job->efile;
	int ret;

	if (prio >= EDGENPU_NUM_PRIOS) {
		edgenpu_job_put(job);
		return -EINVAL;
	}
	ret = edgenpu_sched_job_init(&job->base, &efile->entities[prio], efile,
				     0);
	if (ret) {
		edgenpu_job_put(job);
		return ret;
	}
	ret = edgenpu_job_commit(efile, job, NULL, 0, seqno);
	if (ret) {
		drm_sched_job_cleanup(&job->base);
		edgenpu_job_put(job);
	}
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(edgenpu_job_queue);
#endif

int edgenpu_ioctl_submit(struct drm_device *drm, void *data,
			 struct drm_file *file)
{
	struct edgenpu_file *efile = file->driver_priv;
	struct drm_edgenpu_submit *args = data;
	struct edgenpu_pending *pending;
	struct drm_edgenpu_job uj;
	u32 i, n = args->job_count;
	int ret = 0, idx;

	if (args->flags || args->pad)
		return -EINVAL;
	if (!n || n > DRM_EDGENPU_MAX_SUBMIT_JOBS ||
	    args->job_stride < EDGENPU_JOB_V1_SIZE ||
	    args->job_stride > PAGE_SIZE || !IS_ALIGNED(args->job_stride, 8))
		return -EINVAL;
	if (READ_ONCE(efile->banned))
		return -EIO;
	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;

	pending = kcalloc(n, sizeof(*pending), GFP_KERNEL);
	if (!pending) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n && !ret; i++) {
		ret = edgenpu_copy_job(&uj, args, i, &pending[i].user_seqno);
		if (!ret)
			ret = edgenpu_prepare_job(&pending[i], file, &uj);
	}
	for (i = 0; i < n && !ret; i++)
		ret = edgenpu_queue_job(&pending[i], file);
	for (i = 0; i < n; i++)
		edgenpu_pending_abort(&pending[i]);
	kfree(pending);
out:
	drm_dev_exit(idx);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(edgenpu_ioctl_submit);

static u32 edgenpu_fence_status(int error)
{
	switch (error) {
	case 0:
		return DRM_EDGENPU_JOB_DONE;
	case -ETIMEDOUT:
		return DRM_EDGENPU_JOB_TIMEDOUT;
	case -ECANCELED:
	case -ENODEV:
	case -ESRCH:
		return DRM_EDGENPU_JOB_CANCELLED;
	default:
		return DRM_EDGENPU_JOB_ERROR;
	}
}

static int edgenpu_wait_job(struct edgenpu_file *efile,
			    struct drm_edgenpu_wait *args, long timeout)
{
	struct dma_fence *fence;
	long ret;

	if (args->handle || args->seqno > U32_MAX)
		return -EINVAL;
	xa_lock(&efile->jobs);
	fence = xa_load(&efile->jobs, args->seqno);
	if (fence)
		dma_fence_get(fence);
	xa_unlock(&efile->jobs);
	if (!fence)
		return -ENOENT;

	ret = dma_fence_wait_timeout(fence, true, timeout);
	if (ret > 0) {
		args->error = fence->error;
		args->status = edgenpu_fence_status(fence->error);
		/* Reaped: its status has been told. */
		fence = xa_erase(&efile->jobs, args->seqno) == fence ?
			(dma_fence_put(fence), fence) : fence;
		ret = 0;
	} else if (ret == 0) {
		ret = -ETIME;
	}
	dma_fence_put(fence);
	return ret;
}

static int edgenpu_wait_bo(struct drm_file *file, struct drm_edgenpu_wait *args,
			   long timeout)
{
	struct drm_gem_object *obj;
	long ret;

	if (args->seqno)
		return -EINVAL;
	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;
	ret = dma_resv_wait_timeout(obj->resv, DMA_RESV_USAGE_BOOKKEEP, true,
				    timeout);
	drm_gem_object_put(obj);
	if (ret == 0)
		return -ETIME;
	if (ret < 0)
		return ret;
	args->status = DRM_EDGENPU_JOB_DONE;
	args->error = 0;
	return 0;
}

int edgenpu_ioctl_wait(struct drm_device *drm, void *data,
		       struct drm_file *file)
{
	struct drm_edgenpu_wait *args = data;
	long timeout;

	if (args->flags || args->pad || args->status || args->error)
		return -EINVAL;
	if (args->kind != DRM_EDGENPU_WAIT_JOB && args->kind != DRM_EDGENPU_WAIT_BO)
		return -EINVAL;
	/*
	 * No drm_dev_enter() here: fences outlive the device, and a blocked
	 * wait must not hold up unbinding it. Removal fails every job that
	 * has not finished, so waiters wake up.
	 */
	timeout = drm_timeout_abs_to_jiffies(args->timeout_ns);
	if (args->kind == DRM_EDGENPU_WAIT_JOB)
		return edgenpu_wait_job(file->driver_priv, args, timeout);
	return edgenpu_wait_bo(file, args, timeout);
}
EXPORT_SYMBOL_IF_KUNIT(edgenpu_ioctl_wait);
