// SPDX-License-Identifier: GPL-2.0-only
/*
 * edgenpu jobs: lifetime, scheduling, completion, timeouts, hang
 * accounting, and the per-file state jobs belong to.
 *
 * Jobs reach the scheduler validated (edgenpu_submit.c). Each core has a
 * drm_gpu_scheduler running one job at a time; each open file has one
 * entity per priority spanning all cores. A job holds its file, the
 * device and the module until it is freed: a job killed with its file
 * may wait for a fence of another device long after its own is gone.
 */

#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/iosys-map.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/pm_runtime.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/wait_bit.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_syncobj.h>
#include <drm/drm_utils.h>

#include <kunit/visibility.h>

#include "edgenpu_compat.h"
#include "edgenpu_drv.h"

static unsigned int job_timeout_ms = 2000;
module_param(job_timeout_ms, uint, 0444);
MODULE_PARM_DESC(job_timeout_ms, "Job timeout in milliseconds (default 2000)");

static unsigned int ban_after_hangs = 3;
module_param(ban_after_hangs, uint, 0644);
MODULE_PARM_DESC(ban_after_hangs,
		 "Hung jobs after which a file may submit no more (default 3, 0 = never)");

static unsigned int user_hang_limit = 4;
module_param(user_hang_limit, uint, 0644);
MODULE_PARM_DESC(user_hang_limit,
		 "Hung jobs of one user within user_hang_window_s after which none of the user's files may submit (default 4, 0 = never)");

/* Bumped by every write of user_hang_window_s: forgets all records. */
static atomic_t edgenpu_hang_epoch = ATOMIC_INIT(0);
static unsigned int user_hang_window_s = 60;

static int edgenpu_set_hang_window(const char *val,
				   const struct kernel_param *kp)
{
	int ret = param_set_uint(val, kp);

	if (!ret)
		atomic_inc(&edgenpu_hang_epoch);
	return ret;
}

static const struct kernel_param_ops edgenpu_hang_window_ops = {
	.set = edgenpu_set_hang_window,
	.get = param_get_uint,
};
module_param_cb(user_hang_window_s, &edgenpu_hang_window_ops,
		&user_hang_window_s, 0644);
MODULE_PARM_DESC(user_hang_window_s,
		 "Seconds a user's hangs are remembered (default 60); writing it forgets every record");

static const enum drm_sched_priority edgenpu_prio_map[EDGENPU_NUM_PRIOS] = {
	[DRM_EDGENPU_PRIO_LOW] = DRM_SCHED_PRIORITY_LOW,
	[DRM_EDGENPU_PRIO_NORMAL] = DRM_SCHED_PRIORITY_NORMAL,
	[DRM_EDGENPU_PRIO_HIGH] = DRM_SCHED_PRIORITY_HIGH,
};

static struct edgenpu_job *to_edgenpu_job(struct drm_sched_job *sched_job)
{
	return container_of(sched_job, struct edgenpu_job, base);
}

/* Hardware fences: one context per core, signalled by the completion IRQ. */

static const char *edgenpu_fence_driver_name(struct dma_fence *fence)
{
	return EDGENPU_DRIVER_NAME;
}

static const char *edgenpu_fence_timeline_name(struct dma_fence *fence)
{
	return "edgenpu-core";
}

static const struct dma_fence_ops edgenpu_fence_ops = {
	.get_driver_name = edgenpu_fence_driver_name,
	.get_timeline_name = edgenpu_fence_timeline_name,
};

/*
 * Take @job off its core, if it is still the core's active job: whoever
 * takes it signals its hardware fence, exactly once.
 */
static bool edgenpu_core_take(struct edgenpu_core *core, struct edgenpu_job *job)
{
	unsigned long flags;
	bool mine;

	spin_lock_irqsave(&core->active_lock, flags);
	mine = core->active == job;
	if (mine)
		core->active = NULL;
	spin_unlock_irqrestore(&core->active_lock, flags);
	return mine;
}

/* Job lifetime. */

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
	u32 i;

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
 * struct edgenpu_exec_ctx - what the engine's hooks see of a running job
 * @job: the job
 * @cancelled: the backend's cancellation test, or NULL
 * @ctx: its argument
 */
struct edgenpu_exec_ctx {
	struct edgenpu_job *job;
	int (*cancelled)(void *ctx);
	void *ctx;
};

/* Called between ops and at the engine's preemption points. */
static int edgenpu_job_cancelled(void *ctx, u32 op_index)
{
	struct edgenpu_exec_ctx *x = ctx;

	WRITE_ONCE(x->job->cur_op, op_index);
	return x->cancelled ? x->cancelled(x->ctx) : 0;
}

static u64 edgenpu_job_now(void *ctx)
{
	return ktime_get_ns();
}

/**
 * edgenpu_job_execute() - run a job's command stream with the engine
 * @job: the job
 * @scratch: EDGENPU_ENGINE_SCRATCH_SIZE bytes private to the caller's core
 * @cancelled: polled before every op and at the engine's preemption
 *	points inside ops (well under a millisecond of work apart); non-zero
 *	stops the job with -ECANCELED. May be NULL.
 * @ctx: its argument
 *
 * For backends that execute on the CPU, as the vnpu does. The job was
 * validated at submission; the engine still re-checks each op before it
 * runs it. Fills the profile buffer and the job's timestamps.
 *
 * Return: 0, or the engine's negative errno.
 */
int edgenpu_job_execute(struct edgenpu_job *job, void *scratch,
			int (*cancelled)(void *ctx), void *ctx)
{
	struct edgenpu_exec_ctx x = {
		.job = job, .cancelled = cancelled, .ctx = ctx,
	};
	struct edgenpu_engine_hooks hooks = {
		.now = edgenpu_job_now,
		.cancelled = edgenpu_job_cancelled,
		.ctx = &x,
	};
	int ret;

	if (job->profile_bo) {
		hooks.op_times = job->profile_map.vaddr + job->profile_offset;
		hooks.op_times_len = job->op_count * 2;
	}
	job->start_ns = ktime_get_ns();
	ret = edgenpu_engine_execute(job->cmds, job->cmd_size, job->buffers,
				     job->nbos, scratch,
				     EDGENPU_ENGINE_SCRATCH_SIZE, &hooks,
				     &job->engine_error);
	job->end_ns = ktime_get_ns();
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(edgenpu_job_execute);

/**
 * edgenpu_job_corrupt() - flip one bit of a job's results
 * @job: a job that has executed
 *
 * Fault injection for backends: a silent data error, as a bad memory cell
 * would make. Flips bit 0 of the first byte of the job's last writable
 * buffer, so that userspace checks (accel-run --check) can be tested.
 */
void edgenpu_job_corrupt(struct edgenpu_job *job)
{
	u32 i = job->nbos;

	while (i--) {
		struct edgenpu_engine_buffer *b = &job->buffers[i];

		if ((b->flags & EDGENPU_ENGINE_BUF_WRITE) && b->size && b->ptr) {
			*(u8 *)b->ptr ^= 1;
			return;
		}
	}
}
EXPORT_SYMBOL_IF_KUNIT(edgenpu_job_corrupt);

static void edgenpu_job_record(struct edgenpu_job *job, int error)
{
	struct edgenpu_device *edev = job->edev;
	struct edgenpu_job_record *r;
	u64 busy = job->end_ns > job->start_ns ? job->end_ns - job->start_ns : 0;
	unsigned long flags;

	atomic64_add(busy, &edev->stats.busy_ns);
	if (job->efile)
		atomic64_add(busy, &job->efile->busy_ns);
	spin_lock_irqsave(&edev->ring_lock, flags);
	r = &edev->ring[edev->ring_next++ % EDGENPU_JOB_RING];
	r->seqno = job->seqno;
	r->pid = job->pid;
	r->core = job->core ? job->core->index : 0;
	r->error = error;
	r->duration_ns = busy;
	r->end_ns = ktime_get_ns();
	spin_unlock_irqrestore(&edev->ring_lock, flags);
}

/**
 * edgenpu_job_done() - the completion interrupt of a job
 * @job: the job, as handed to &edgenpu_backend_ops.run_job
 * @error: 0, or the negative errno the device failed it with
 *
 * Callable from any context, once per job; the backend must not touch
 * the job afterwards.
 */
void edgenpu_job_done(struct edgenpu_job *job, int error)
{
	struct edgenpu_device *edev = job->edev;

	/* A reset or removal already failed it. */
	if (!edgenpu_core_take(job->core, job))
		return;
	job->error = error;
	if (error) {
		atomic64_inc(&edev->stats.jobs_failed);
		edgenpu_file_set_error(job->efile, error,
				       job->engine_error.err ? &job->engine_error : NULL,
				       "the device failed the job", job->seqno);
		dma_fence_set_error(job->done_fence, error);
	} else {
		atomic64_inc(&edev->stats.jobs_done);
	}
	edgenpu_job_record(job, error);
	/* The scheduler may free the job from here on. */
	dma_fence_signal(job->done_fence);
}
EXPORT_SYMBOL_IF_KUNIT(edgenpu_job_done);

/* Scheduler callbacks. */

/*
 * The fence-signalling path: nothing here may allocate or wait for
 * memory (lockdep checks it on debug kernels). The hardware fence was
 * allocated at submission.
 */
static struct dma_fence *edgenpu_sched_run_job(struct drm_sched_job *sched_job)
{
	struct edgenpu_job *job = to_edgenpu_job(sched_job);
	struct edgenpu_core *core;
	struct edgenpu_device *edev = job->edev;
	struct dma_fence *fence;
	bool cookie;
	int idx;

	if (unlikely(sched_job->s_fence->finished.error))
		return NULL;

	cookie = dma_fence_begin_signalling();
	core = container_of(sched_job->sched, struct edgenpu_core, sched);
	fence = job->hw_fence;
	dma_fence_init(fence, &edgenpu_fence_ops, &core->fence_lock,
		       core->fence_context, ++core->fence_seqno);
	job->core = core;
	job->done_fence = fence;
	dma_fence_get(fence);
	if (!drm_dev_enter(&edev->drm, &idx)) {
		/* The device is gone: fail the job without touching it. */
		dma_fence_set_error(fence, -ENODEV);
		dma_fence_signal(fence);
		dma_fence_end_signalling(cookie);
		return fence;
	}
	spin_lock_irq(&core->active_lock);
	core->active = job;
	spin_unlock_irq(&core->active_lock);
	edev->ops->run_job(edev->priv, job);
	drm_dev_exit(idx);
	dma_fence_end_signalling(cookie);
	return fence;
}

/* Find @uid's record, or recycle the stalest one. Under hang_lock. */
static struct edgenpu_hang_user *edgenpu_hang_slot(struct edgenpu_device *edev,
						   kuid_t uid)
{
	struct edgenpu_hang_user *h, *old = &edev->hang_users[0];
	u32 i;

	for (i = 0; i < EDGENPU_HANG_USERS; i++) {
		h = &edev->hang_users[i];
		if (h->count && uid_eq(h->uid, uid))
			return h;
		if (!h->count || time_before(h->since, old->since))
			old = h;
	}
	old->uid = uid;
	old->count = 0;
	return old;
}

/* Is record @h still in force? Under hang_lock. */
static bool edgenpu_hang_live(const struct edgenpu_hang_user *h)
{
	return h->count && h->epoch == atomic_read(&edgenpu_hang_epoch) &&
	       time_before(jiffies, h->since + READ_ONCE(user_hang_window_s) * HZ);
}

/*
 * Count a hang against its file and its user. Before the job's fence
 * signals, so that a SUBMIT after the last allowed hang sees the ban.
 */
static void edgenpu_hang_note(struct edgenpu_device *edev,
			      struct edgenpu_file *efile)
{
	unsigned int limit = READ_ONCE(ban_after_hangs);
	struct edgenpu_hang_user *h;
	unsigned long flags;

	if (!efile)
		return;
	if (atomic_inc_return(&efile->hangs) >= limit && limit)
		WRITE_ONCE(efile->banned, true);
	spin_lock_irqsave(&edev->hang_lock, flags);
	h = edgenpu_hang_slot(edev, efile->uid);
	if (!edgenpu_hang_live(h)) {
		h->count = 0;
		h->since = jiffies;
		h->epoch = atomic_read(&edgenpu_hang_epoch);
	}
	h->count++;
	spin_unlock_irqrestore(&edev->hang_lock, flags);
}

static bool edgenpu_user_banned(struct edgenpu_device *edev, kuid_t uid)
{
	unsigned int limit = READ_ONCE(user_hang_limit);
	unsigned long flags;
	bool banned = false;
	u32 i;

	if (!limit)
		return false;
	spin_lock_irqsave(&edev->hang_lock, flags);
	for (i = 0; i < EDGENPU_HANG_USERS; i++) {
		struct edgenpu_hang_user *h = &edev->hang_users[i];

		if (uid_eq(h->uid, uid) && edgenpu_hang_live(h) &&
		    h->count >= limit)
			banned = true;
	}
	spin_unlock_irqrestore(&edev->hang_lock, flags);
	return banned;
}

/**
 * edgenpu_file_check_ban() - may this file submit?
 * @efile: the file
 *
 * Return: 0, or -EIO when the file hung ban_after_hangs jobs or its user
 * hung user_hang_limit jobs within user_hang_window_s (LAST_ERROR says
 * which).
 */
int edgenpu_file_check_ban(struct edgenpu_file *efile)
{
	const char *why = NULL;

	if (READ_ONCE(efile->banned))
		why = "banned: this file's jobs hung too often";
	else if (edgenpu_user_banned(efile->edev, efile->uid))
		why = "banned for a while: this user's jobs hung too often";
	if (!why)
		return 0;
	edgenpu_file_set_error(efile, -EIO, NULL, why, 0);
	return -EIO;
}
EXPORT_SYMBOL_IF_KUNIT(edgenpu_file_check_ban);

/* Fail the timed-out job through its hardware fence, exactly once. */
static void edgenpu_job_fail_hung(struct edgenpu_job *job)
{
	struct edgenpu_device *edev = job->edev;

	edgenpu_hang_note(edev, job->efile);
	atomic64_inc(&edev->stats.jobs_failed);
	edgenpu_file_set_error(job->efile, -ETIMEDOUT, NULL,
			       "the job timed out; its core was reset",
			       job->seqno);
	edgenpu_job_record(job, -ETIMEDOUT);
	job->timeout_op = READ_ONCE(job->cur_op);
	edgenpu_coredump(job);
	dma_fence_set_error(job->done_fence, -ETIMEDOUT);
	dma_fence_signal(job->done_fence);
}

static enum drm_gpu_sched_stat
edgenpu_sched_timedout_job(struct drm_sched_job *sched_job)
{
	struct edgenpu_job *job = to_edgenpu_job(sched_job);
	struct edgenpu_core *core = job->core;
	struct edgenpu_device *edev = job->edev;
	u64 t0 = ktime_get_ns();
	bool cookie;
	int idx;

	/* The completion may have raced with the timer: not a hang. */
	if (job->done_fence && dma_fence_is_signaled(job->done_fence))
		return edgenpu_sched_false_timeout(&core->sched, sched_job);

	/* No new job may start on this core while it is being recovered. */
	drm_sched_wqueue_stop(&core->sched);
	cookie = dma_fence_begin_signalling();
	/*
	 * First make sure the core will never report this job. A backend
	 * whose job finished before the reset caught it reports it from
	 * reset: then it is no hang, and the core cannot take it below.
	 */
	if (drm_dev_enter(&edev->drm, &idx)) {
		drm_info(&edev->drm, "core %u: job %llu timed out, resetting\n",
			 core->index, job->seqno);
		edev->ops->reset(edev->priv, core->index);
		atomic_inc(&core->resets);
		WRITE_ONCE(core->last_reset_ns, ktime_get_ns() - t0);
		drm_dev_exit(idx);
	}
	/*
	 * ...then fail it through its own hardware fence, so that the
	 * scheduler completes it with -ETIMEDOUT on every kernel version
	 * (drm_sched_start() would say -ECANCELED). drm_sched_stop() then
	 * finds it finished and has it freed as the guilty job.
	 */
	if (job->done_fence && edgenpu_core_take(core, job))
		edgenpu_job_fail_hung(job);
	dma_fence_end_signalling(cookie);
	drm_sched_stop(&core->sched, sched_job);
	edgenpu_sched_start(&core->sched);
	return EDGENPU_SCHED_STAT_RESET;
}

static void edgenpu_sched_free_job(struct drm_sched_job *sched_job)
{
	struct edgenpu_job *job = to_edgenpu_job(sched_job);

	drm_sched_job_cleanup(sched_job);
	edgenpu_job_put(job);
}

static const struct drm_sched_backend_ops edgenpu_sched_ops = {
	.run_job = edgenpu_sched_run_job,
	.timedout_job = edgenpu_sched_timedout_job,
	.free_job = edgenpu_sched_free_job,
};

int edgenpu_sched_init(struct edgenpu_device *edev)
{
	unsigned int ms = edev->ops->job_timeout_ms ?: job_timeout_ms;
	long timeout = msecs_to_jiffies(max(ms, 10u));
	unsigned int i;
	int ret;

	for (i = 0; i < edev->caps.num_cores; i++) {
		struct edgenpu_core *core = &edev->cores[i];

		core->edev = edev;
		core->index = i;
		spin_lock_init(&core->fence_lock);
		spin_lock_init(&core->active_lock);
		core->fence_context = dma_fence_context_alloc(1);
		ret = edgenpu_compat_sched_init(&core->sched, &edgenpu_sched_ops,
						timeout, edev->name, edev->drm.dev);
		if (ret) {
			while (i--)
				drm_sched_fini(&edev->cores[i].sched);
			return ret;
		}
		edev->scheds[i] = &core->sched;
	}
	return 0;
}

void edgenpu_sched_fini(struct edgenpu_device *edev)
{
	unsigned int i;

	for (i = 0; i < edev->caps.num_cores; i++)
		drm_sched_fini(&edev->cores[i].sched);
}

/**
 * edgenpu_jobs_drain() - stop the cores and wait for every job's release
 * @edev: an unplugged device
 *
 * Running jobs fail with -ENODEV; queued ones fail fast once the device
 * is unplugged; the scheduler frees them all, some from a work item.
 * They hold buffer objects and run this module's code: each job holds
 * the device and the module until it is freed.
 */
void edgenpu_jobs_drain(struct edgenpu_device *edev)
{
	unsigned int ms = (edev->ops->job_timeout_ms ?: job_timeout_ms) * 2 + 5000;
	unsigned int i;

	/* Stop every core, and fail what it was running. */
	for (i = 0; i < edev->caps.num_cores; i++) {
		struct edgenpu_core *core = &edev->cores[i];
		struct edgenpu_job *job;
		unsigned long flags;

		edev->ops->reset(edev->priv, i);
		spin_lock_irqsave(&core->active_lock, flags);
		job = core->active;
		core->active = NULL;
		spin_unlock_irqrestore(&core->active_lock, flags);
		if (job) {
			dma_fence_set_error(job->done_fence, -ENODEV);
			dma_fence_signal(job->done_fence);
		}
	}

	/*
	 * Jobs killed with their files may wait for fences of other devices
	 * for as long as those take. They hold the device and the module,
	 * so giving up waiting here is safe.
	 */
	if (!wait_var_event_timeout(&edev->live_jobs,
				    !atomic_read(&edev->live_jobs),
				    msecs_to_jiffies(ms)))
		drm_info(&edev->drm, "%d job(s) still wait for fences after %u ms; they hold the device\n",
			 atomic_read(&edev->live_jobs), ms);
}

/* Per-file state. */

int edgenpu_file_open(struct drm_device *drm, struct drm_file *file)
{
	struct edgenpu_device *edev = to_edgenpu_device(drm);
	struct edgenpu_file *efile;
	unsigned int i;
	int ret;

	efile = kzalloc_obj(*efile, GFP_KERNEL_ACCOUNT);
	if (!efile)
		return -ENOMEM;
	kref_init(&efile->ref);
	mutex_init(&efile->submit_lock);
	efile->edev = edev;
	efile->uid = current_euid();
	xa_init(&efile->jobs);
	spin_lock_init(&efile->error_lock);

	/* The entities keep the list: it lives in the device. */
	for (i = 0; i < EDGENPU_NUM_PRIOS; i++) {
		ret = drm_sched_entity_init(&efile->entities[i],
					    edgenpu_prio_map[i], edev->scheds,
					    edev->caps.num_cores, NULL);
		if (ret)
			goto err;
	}
	file->driver_priv = efile;
	return 0;

err:
	while (i--)
		drm_sched_entity_destroy(&efile->entities[i]);
	kfree(efile);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(edgenpu_file_open);

void edgenpu_file_close(struct drm_device *drm, struct drm_file *file)
{
	struct edgenpu_file *efile = file->driver_priv;
	struct dma_fence *fence;
	unsigned long id;
	unsigned int i;

	/* Waits for this file's queued jobs, or kills them after a while. */
	for (i = 0; i < EDGENPU_NUM_PRIOS; i++)
		drm_sched_entity_destroy(&efile->entities[i]);
	xa_for_each(&efile->jobs, id, fence)
		dma_fence_put(fence);
	xa_destroy(&efile->jobs);
	edgenpu_file_put(efile);
}
EXPORT_SYMBOL_IF_KUNIT(edgenpu_file_close);

static void edgenpu_file_release(struct kref *ref)
{
	struct edgenpu_file *efile = container_of(ref, struct edgenpu_file, ref);

	mutex_destroy(&efile->submit_lock);
	kfree(efile);
}

void edgenpu_file_put(struct edgenpu_file *efile)
{
	kref_put(&efile->ref, edgenpu_file_release);
}

/**
 * edgenpu_file_set_error() - remember why a job of this file failed
 * @efile: the file
 * @error: negative errno
 * @err: the engine's report, or NULL
 * @msg: a message when there is no engine report, or NULL
 * @seqno: the job, or 0 for a rejected SUBMIT
 *
 * DRM_EDGENPU_QUERY_LAST_ERROR returns it.
 */
void edgenpu_file_set_error(struct edgenpu_file *efile, int error,
			    const struct edgenpu_engine_error *err,
			    const char *msg, u64 seqno)
{
	struct drm_edgenpu_last_error *le = &efile->last_error;
	unsigned long flags;

	spin_lock_irqsave(&efile->error_lock, flags);
	memset(le, 0, sizeof(*le));
	le->error = error;
	le->seqno = seqno;
	le->op_index = err ? err->op_index : -1;
	le->tensor = err ? err->tensor : -1;
	le->code = err ? err->code : 0;
	strscpy(le->msg, err ? err->msg : (msg ? msg : ""), sizeof(le->msg));
	spin_unlock_irqrestore(&efile->error_lock, flags);
}
