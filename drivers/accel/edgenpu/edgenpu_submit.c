// SPDX-License-Identifier: GPL-2.0-only
/*
 * DRM_IOCTL_EDGENPU_SUBMIT.
 *
 * SUBMIT prepares every job of the call (copies, lookups, validation,
 * then pinning, dependencies) and then reserves everything the commit
 * needs for all of them (reservation locks, fence slots, seqnos) before
 * it queues any: a call that fails queues nothing, and one interrupted
 * by a signal (-EINTR) can simply be restarted. Buffers are pinned only
 * after the job validated, within the file's limits, and unpinned when
 * the job is freed at completion. User sizes are checked with the
 * overflow helpers; kernel memory made for a client is charged to it.
 * The job itself and its pinning are edgenpu_job.c's, the validation
 * edgenpu_exec.c's; this file reads the user's request and queues.
 */

#include <linux/dma-fence-chain.h>
#include <linux/dma-resv.h>
#include <linux/overflow.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/uaccess.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_syncobj.h>

#include <kunit/visibility.h>

#include "edgenpu_compat.h"
#include "edgenpu_device.h"
#include "edgenpu_exec.h"
#include "edgenpu_file.h"
#include "edgenpu_gem.h"
#include "edgenpu_hang.h"
#include "edgenpu_ioctl.h"
#include "edgenpu_job.h"

#define EDGENPU_MAX_CMD_SIZE	SZ_1M
/* The smallest job struct userspace may pass: uapi 1.1's. */
#define EDGENPU_JOB_V1_SIZE	sizeof(struct drm_edgenpu_job)
#define EDGENPU_GFP		GFP_KERNEL_ACCOUNT

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
 * @seqno: the seqno reserved for it at commit
 */
struct edgenpu_pending {
	struct edgenpu_job *job;
	struct drm_sched_entity *entity;
	struct edgenpu_out_sync *outs;
	u32 nouts;
	u64 __user *user_seqno;
	u64 seqno;
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

static int edgenpu_job_lookup_buffers(struct edgenpu_job *job,
				      struct drm_file *file,
				      const struct drm_edgenpu_job *uj)
{
	struct drm_edgenpu_buffer_ref *refs;
	u32 i, n = uj->buffer_count;
	int ret;

	refs = kcalloc(n, sizeof(*refs), EDGENPU_GFP);
	if (!refs)
		return -ENOMEM;
	ret = edgenpu_copy_array(refs, uj->buffers, n, sizeof(*refs));
	for (i = 0; i < n && !ret; i++) {
		struct drm_gem_object *obj;

		if (!refs[i].flags || (refs[i].flags & ~EDGENPU_JOB_BUF_FLAGS)) {
			ret = -EINVAL;
			break;
		}
		obj = drm_gem_object_lookup(file, refs[i].handle);
		ret = obj ? edgenpu_job_add_buffer(job, obj, refs[i].flags) : -ENOENT;
		if (ret == -EINVAL)
			edgenpu_file_refuse(job->efile, ret,
					    "a buffer is named twice in the buffer table");
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
	job->cmds = kvmalloc(uj->cmd_size, EDGENPU_GFP);
	if (!job->cmds) {
		ret = -ENOMEM;
		goto out;
	}
	ret = edgenpu_bo_vmap(obj, &map);
	if (ret)
		goto out;
	memcpy(job->cmds, map.vaddr + uj->cmd_offset, uj->cmd_size);
	job->cmd_size = uj->cmd_size;
	edgenpu_gem_vunmap(obj, &map);
out:
	drm_gem_object_put(obj);
	return ret;
}

/* Look up the profile buffer and check its range; pinned with the rest. */
static int edgenpu_job_profile(struct edgenpu_job *job, struct drm_file *file,
			       const struct drm_edgenpu_job *uj)
{
	u64 bytes, end;

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
	job->profile_offset = uj->profile_offset;
	return 0;
}

/*
 * In-fences. drm_sched_job_add_syncobj_dependency() takes a 32-bit point;
 * timeline points are 64-bit, so look the fence up here.
 */
static int edgenpu_job_in_syncs(struct edgenpu_job *job, struct drm_file *file,
				const struct drm_edgenpu_job *uj)
{
	struct drm_edgenpu_sync *syncs;
	u32 i, n = uj->in_sync_count;
	int ret = 0;

	if (!n)
		return 0;
	syncs = kcalloc(n, sizeof(*syncs), EDGENPU_GFP);
	if (!syncs)
		return -ENOMEM;
	ret = edgenpu_copy_array(syncs, uj->in_syncs, n, sizeof(*syncs));
	for (i = 0; !ret && i < n; i++) {
		struct dma_fence *fence;

		if (syncs[i].flags) {
			ret = -EINVAL;
			break;
		}
		ret = drm_syncobj_find_fence(file, syncs[i].handle,
					     syncs[i].point, 0, &fence);
		if (!ret)
			ret = drm_sched_job_add_dependency(&job->base, fence);
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
	syncs = kcalloc(n, sizeof(*syncs), EDGENPU_GFP);
	p->outs = kcalloc(n, sizeof(*p->outs), EDGENPU_GFP);
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

/* Output fields (@seqno) are ignored on input: a struct can be reused. */
static int edgenpu_check_job_fields(struct edgenpu_file *efile,
				    const struct drm_edgenpu_job *uj)
{
	if (uj->flags || uj->pad)
		return -EINVAL;
	if (uj->priority >= EDGENPU_NUM_PRIOS)
		return -EINVAL;
	if (uj->priority == DRM_EDGENPU_PRIO_HIGH && !capable(CAP_SYS_NICE))
		return edgenpu_file_refuse(efile, -EACCES,
					   "high priority needs CAP_SYS_NICE");
	if (uj->in_sync_count > DRM_EDGENPU_MAX_JOB_SYNCS ||
	    uj->out_sync_count > DRM_EDGENPU_MAX_JOB_SYNCS)
		return -EINVAL;
	return 0;
}

/* Read job @i of the user's array, whatever its stride. */
static int edgenpu_copy_job(struct edgenpu_file *efile,
			    struct drm_edgenpu_job *uj,
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
	return edgenpu_check_job_fields(efile, uj);
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

/*
 * Everything that can fail for one job, cheapest and unprivileged checks
 * first: nothing is pinned before the stream validated.
 */
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
	if (!ret)
		ret = edgenpu_job_pin(job);
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
	/* The seqno must be writable before anything is queued. */
	if (!ret && p->user_seqno && put_user(0ull, p->user_seqno))
		ret = -EFAULT;
	return ret;
}

/* The reservation-locked objects of a whole SUBMIT: each once. */
struct edgenpu_lockset {
	struct drm_gem_object **objs;
	u32 count;
	struct ww_acquire_ctx ctx;
};

static int edgenpu_cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

static int edgenpu_lockset_build(struct edgenpu_lockset *ls,
				 struct edgenpu_pending *p, u32 n)
{
	u32 i, j, total = 0, out = 0;

	for (i = 0; i < n; i++)
		total += p[i].job->nbos + !!p[i].job->profile_bo;
	ls->objs = kvmalloc_array(total, sizeof(*ls->objs), EDGENPU_GFP);
	if (!ls->objs)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		for (j = 0; j < p[i].job->nbos; j++)
			ls->objs[out++] = p[i].job->bos[j];
		if (p[i].job->profile_bo)
			ls->objs[out++] = p[i].job->profile_bo;
	}
	/* drm_gem_lock_reservations() refuses duplicates (-EALREADY). */
	sort(ls->objs, total, sizeof(*ls->objs), edgenpu_cmp_ptr, NULL);
	for (i = 0, out = 0; i < total; i++)
		if (!out || ls->objs[out - 1] != ls->objs[i])
			ls->objs[out++] = ls->objs[i];
	ls->count = out;
	return 0;
}

static void edgenpu_lockset_free(struct edgenpu_lockset *ls)
{
	kvfree(ls->objs);
}

/* Implicit sync: wait for earlier writers of what it reads, all for writes. */
static int edgenpu_job_implicit_deps(struct edgenpu_job *job)
{
	u32 i;
	int ret;

	for (i = 0; i < job->nbos; i++) {
		bool write = edgenpu_exec_buffer_writes(job, i);

		ret = drm_sched_job_add_implicit_dependencies(&job->base,
							      job->bos[i], write);
		if (ret)
			return ret;
	}
	if (job->profile_bo)
		return drm_sched_job_add_implicit_dependencies(&job->base,
							       job->profile_bo,
							       true);
	return 0;
}

/*
 * Forget finished jobs nobody waited for once the table holds more than
 * the file's unfinished jobs plus %DRM_EDGENPU_MAX_UNREAPED, oldest first.
 * Runs under the submit lock.
 */
static void edgenpu_job_table_prune(struct edgenpu_file *efile, u32 adding)
{
	u32 keep = efile->edev->limits.jobs + efile->edev->limits.unreaped;
	struct dma_fence *batch[32], *fence;
	unsigned int nb, i;
	unsigned long id;

	while ((u32)atomic_read(&efile->jobs_count) + adding > keep) {
		nb = 0;
		xa_lock(&efile->jobs);
		xa_for_each(&efile->jobs, id, fence) {
			if (xa_is_zero(fence) || !dma_fence_is_signaled(fence))
				continue;
			__xa_erase(&efile->jobs, id);
			atomic_dec(&efile->jobs_count);
			batch[nb++] = fence;
			if (nb == ARRAY_SIZE(batch) ||
			    (u32)atomic_read(&efile->jobs_count) + adding <= keep)
				break;
		}
		xa_unlock(&efile->jobs);
		for (i = 0; i < nb; i++)
			dma_fence_put(batch[i]);
		if (!nb)
			break;
	}
}

/* Reserve the table slots of @n jobs' seqnos, so storing cannot fail. */
static int edgenpu_job_table_reserve(struct edgenpu_file *efile,
				     struct edgenpu_pending *p, u32 n)
{
	u32 i;
	int ret = 0;

	if (efile->next_seqno > ULONG_MAX - n)
		return -EOVERFLOW;
	edgenpu_job_table_prune(efile, n);
	for (i = 0; i < n && !ret; i++) {
		p[i].seqno = efile->next_seqno + 1 + i;
		ret = xa_reserve(&efile->jobs, p[i].seqno, EDGENPU_GFP);
	}
	if (ret)
		while (i--)
			xa_release(&efile->jobs, p[i].seqno);
	return ret;
}

/* Nothing fails from here: arm, publish the fences, queue. */
static void edgenpu_job_commit(struct edgenpu_file *efile,
			       struct edgenpu_pending *p)
{
	struct edgenpu_job *job = p->job;
	struct dma_fence *finished;
	u32 i;

	drm_sched_job_arm(&job->base);
	finished = &job->base.s_fence->finished;
	job->seqno = p->seqno;
	xa_store(&efile->jobs, p->seqno, dma_fence_get(finished), GFP_NOWAIT);
	atomic_inc(&efile->jobs_count);
	for (i = 0; i < job->nbos; i++)
		dma_resv_add_fence(job->bos[i]->resv, finished,
				   edgenpu_exec_buffer_writes(job, i) ?
				   DMA_RESV_USAGE_WRITE : DMA_RESV_USAGE_READ);
	if (job->profile_bo)
		dma_resv_add_fence(job->profile_bo->resv, finished,
				   DMA_RESV_USAGE_WRITE);
	for (i = 0; i < p->nouts; i++) {
		if (p->outs[i].chain) {
			drm_syncobj_add_point(p->outs[i].syncobj, p->outs[i].chain,
					      finished, p->outs[i].point);
			p->outs[i].chain = NULL;
		} else {
			drm_syncobj_replace_fence(p->outs[i].syncobj, finished);
		}
	}
	edgenpu_out_syncs_free(p);
	drm_sched_entity_push_job(&job->base);
	p->job = NULL;
}

/* Lock, reserve fence slots and seqnos, add implicit dependencies. */
static int edgenpu_submit_reserve(struct edgenpu_file *efile,
				  struct edgenpu_lockset *ls,
				  struct edgenpu_pending *p, u32 n)
{
	u32 i;
	int ret;

	ret = drm_gem_lock_reservations(ls->objs, ls->count, &ls->ctx);
	if (ret)
		return ret;
	for (i = 0; i < ls->count && !ret; i++)
		ret = dma_resv_reserve_fences(ls->objs[i]->resv, n);
	for (i = 0; i < n && !ret; i++)
		ret = edgenpu_job_implicit_deps(p[i].job);
	if (!ret)
		ret = edgenpu_job_table_reserve(efile, p, n);
	if (ret)
		drm_gem_unlock_reservations(ls->objs, ls->count, &ls->ctx);
	return ret;
}

/*
 * Queue every prepared job, or none. The scheduler numbers a job's fence
 * when it is armed and runs jobs in the order they are pushed: both must
 * happen in one order per entity, even when threads share the file.
 */
static int edgenpu_submit_commit(struct edgenpu_file *efile,
				 struct edgenpu_pending *p, u32 n)
{
	struct edgenpu_lockset ls;
	u32 i;
	int ret;

	ret = edgenpu_lockset_build(&ls, p, n);
	if (ret)
		return ret;
	mutex_lock(&efile->submit_lock);
	ret = edgenpu_submit_reserve(efile, &ls, p, n);
	if (!ret) {
		for (i = 0; i < n; i++)
			edgenpu_job_commit(efile, &p[i]);
		efile->next_seqno += n;
		drm_gem_unlock_reservations(ls.objs, ls.count, &ls.ctx);
	}
	mutex_unlock(&efile->submit_lock);
	edgenpu_lockset_free(&ls);
	return ret;
}

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * edgenpu_job_pin_and_queue() - pin and queue a validated job, without
 *	syncobjs, for the KUnit suites
 * @job: from edgenpu_job_alloc(), with buffers, stream and validation done
 * @prio: DRM_EDGENPU_PRIO_*
 * @dep: a fence the job must wait for (the caller keeps its reference),
 *	or NULL
 * @seqno: the job's number for WAIT
 *
 * Return: 0, the job belongs to the scheduler; or a negative errno, the
 * job was released.
 */
int edgenpu_job_pin_and_queue(struct edgenpu_job *job, u32 prio,
			      struct dma_fence *dep, u64 *seqno)
{
	struct edgenpu_pending p = { .job = job };
	struct edgenpu_file *efile = job->efile;
	int ret;

	if (prio >= EDGENPU_NUM_PRIOS) {
		edgenpu_job_put(job);
		return -EINVAL;
	}
	ret = edgenpu_job_pin(job);
	if (!ret)
		ret = edgenpu_sched_job_init(&job->base, &efile->entities[prio],
					     efile, 0);
	if (ret) {
		edgenpu_job_put(job);
		return ret;
	}
	p.entity = &efile->entities[prio];
	ret = dep ? drm_sched_job_add_dependency(&job->base, dma_fence_get(dep)) : 0;
	if (!ret)
		ret = edgenpu_submit_commit(efile, &p, 1);
	if (!ret)
		*seqno = p.seqno;
	edgenpu_pending_abort(&p);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(edgenpu_job_pin_and_queue);
#endif

static int edgenpu_check_submit(struct edgenpu_file *efile,
				const struct drm_edgenpu_submit *args)
{
	u32 n = args->job_count;

	if (args->flags || args->pad)
		return -EINVAL;
	if (!n || n > DRM_EDGENPU_MAX_SUBMIT_JOBS ||
	    args->job_stride < EDGENPU_JOB_V1_SIZE ||
	    args->job_stride > PAGE_SIZE || !IS_ALIGNED(args->job_stride, 8))
		return -EINVAL;
	return edgenpu_file_check_ban(efile);
}

/* Prepare all jobs; all of one SUBMIT share a priority (one entity). */
static int edgenpu_submit_prepare(struct drm_file *file,
				  const struct drm_edgenpu_submit *args,
				  struct edgenpu_pending *p)
{
	struct edgenpu_file *efile = file->driver_priv;
	struct drm_edgenpu_job uj;
	u32 i, prio = 0;
	int ret = 0;

	for (i = 0; i < args->job_count && !ret; i++) {
		ret = edgenpu_copy_job(efile, &uj, args, i, &p[i].user_seqno);
		if (!ret && i && uj.priority != prio)
			ret = edgenpu_file_refuse(efile, -EINVAL,
						  "the jobs of one SUBMIT must share a priority");
		prio = uj.priority;
		if (!ret)
			ret = edgenpu_prepare_job(&p[i], file, &uj);
	}
	return ret;
}

/**
 * edgenpu_ioctl_submit() - DRM_IOCTL_EDGENPU_SUBMIT
 * @drm: the device
 * @data: &struct drm_edgenpu_submit, already copied in by the DRM core
 * @file: the caller's file
 *
 * Return: 0 with every job queued, or a negative errno with none queued.
 */
int edgenpu_ioctl_submit(struct drm_device *drm, void *data,
			 struct drm_file *file)
{
	struct edgenpu_file *efile = file->driver_priv;
	struct drm_edgenpu_submit *args = data;
	struct edgenpu_pending *pending;
	u32 i, n = args->job_count;
	int ret, idx;

	ret = edgenpu_check_submit(efile, args);
	if (ret)
		return ret;
	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;

	pending = kcalloc(n, sizeof(*pending), EDGENPU_GFP);
	if (!pending) {
		ret = -ENOMEM;
		goto out;
	}
	ret = edgenpu_submit_prepare(file, args, pending);
	if (!ret)
		ret = edgenpu_submit_commit(efile, pending, n);
	/* The seqnos were proven writable; a racing munmap is the caller's. */
	for (i = 0; !ret && i < n; i++)
		if (put_user(pending[i].seqno, pending[i].user_seqno))
			break;
	for (i = 0; i < n; i++)
		edgenpu_pending_abort(&pending[i]);
	kfree(pending);
out:
	drm_dev_exit(idx);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(edgenpu_ioctl_submit);
