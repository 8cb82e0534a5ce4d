// SPDX-License-Identifier: GPL-2.0-only
/*
 * edgenpu scheduling: one drm_gpu_scheduler per core, which gives the
 * core as many jobs as its backend lets it hold (a running one and, on
 * the PCI NPU, one queued behind it), the cores' hardware fences,
 * completion, timeouts with core reset, and draining the cores at
 * removal.
 *
 * Jobs reach the scheduler validated and pinned (edgenpu_submit.c). Each
 * open file has one entity per priority spanning all cores
 * (edgenpu_file.c). A job holds its file, the device and the module
 * until it is freed (edgenpu_job.c): a job killed with its file may wait
 * for a fence of another device long after its own is gone.
 */

#include <linux/dma-fence.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/wait_bit.h>

#include <drm/drm_drv.h>

#include <kunit/visibility.h>

#include "edgenpu_compat.h"
#include "edgenpu_coredump.h"
#include "edgenpu_device.h"
#include "edgenpu_drv.h"
#include "edgenpu_exec.h"
#include "edgenpu_file.h"
#include "edgenpu_hang.h"
#include "edgenpu_job.h"
#include "edgenpu_sched.h"

static unsigned int job_timeout_ms = 2000;
module_param(job_timeout_ms, uint, 0444);
MODULE_PARM_DESC(job_timeout_ms, "Job timeout in milliseconds (default 2000)");

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
 * Take @job off its core, if the core still holds it: whoever takes it
 * signals its hardware fence, exactly once. A core ends its jobs in the
 * order it was given them, and so the fences of its context signal in
 * order: the job taken is always the oldest the core holds.
 */
static bool edgenpu_core_take(struct edgenpu_core *core, struct edgenpu_job *job)
{
	unsigned long flags;
	bool mine;

	spin_lock_irqsave(&core->active_lock, flags);
	mine = !list_empty(&job->core_link);
	if (mine) {
		WARN_ON_ONCE(list_first_entry(&core->active, struct edgenpu_job,
					      core_link) != job);
		list_del_init(&job->core_link);
	}
	spin_unlock_irqrestore(&core->active_lock, flags);
	return mine;
}

/* The oldest job @core holds, taken off it; NULL when it holds none. */
static struct edgenpu_job *edgenpu_core_take_first(struct edgenpu_core *core)
{
	struct edgenpu_job *job;
	unsigned long flags;

	spin_lock_irqsave(&core->active_lock, flags);
	job = list_first_entry_or_null(&core->active, struct edgenpu_job,
				       core_link);
	if (job)
		list_del_init(&job->core_link);
	spin_unlock_irqrestore(&core->active_lock, flags);
	return job;
}

/* Count a finished job, for the device and its file, and keep its record. */
static void edgenpu_job_record(struct edgenpu_job *job, int error)
{
	struct edgenpu_device *edev = job->edev;
	struct edgenpu_job_record *r;
	u64 busy = job->end_ns > job->start_ns ? job->end_ns - job->start_ns : 0;
	unsigned long flags;

	edgenpu_device_account_job(edev, error, busy);
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
	/* A reset or removal already failed it. */
	if (!edgenpu_core_take(job->core, job))
		return;
	job->error = error;
	if (error) {
		edgenpu_exec_report_failure(job, error);
		dma_fence_set_error(job->done_fence, error);
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

	/*
	 * Run before, and now handed back by drm_sched_resubmit_jobs()
	 * after a timeout (edgenpu_sched_restart()): the core still holds
	 * the job, or it has ended, and its fence is the same one.
	 */
	if (job->done_fence)
		return dma_fence_get(job->done_fence);
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
	list_add_tail(&job->core_link, &core->active);
	spin_unlock_irq(&core->active_lock);
	edev->ops->run_job(edev->priv, job);
	drm_dev_exit(idx);
	dma_fence_end_signalling(cookie);
	return fence;
}

/* Fail the timed-out job through its hardware fence, exactly once. */
static void edgenpu_job_fail_hung(struct edgenpu_job *job)
{
	struct edgenpu_device *edev = job->edev;

	edgenpu_hang_note(edev, job->efile);
	edgenpu_file_set_error(job->efile, -ETIMEDOUT,
			       "the job timed out; its core was reset",
			       job->seqno);
	edgenpu_job_record(job, -ETIMEDOUT);
	job->timeout_op = READ_ONCE(job->cur_op);
	edgenpu_coredump(job);
	dma_fence_set_error(job->done_fence, -ETIMEDOUT);
	dma_fence_signal(job->done_fence);
}

/*
 * After a reset: give the core again, oldest first, the jobs it still
 * holds. They were queued behind the hung job (or, if that one finished
 * just before the reset, running behind it) and are innocent; the reset
 * dropped them from the device, which never wrote their buffers (the
 * backend's &edgenpu_backend_ops.reset), so they start over and are
 * reported as if nothing had happened. Called with the scheduler
 * stopped and the device present; nothing here allocates.
 */
static void edgenpu_core_requeue(struct edgenpu_core *core)
{
	struct edgenpu_device *edev = core->edev;
	struct edgenpu_job *jobs[EDGENPU_MAX_INFLIGHT];
	struct edgenpu_job *job;
	unsigned int n = 0, i;

	/*
	 * None of them can be freed while the scheduler is stopped, even
	 * if it ends as soon as it is given back.
	 */
	spin_lock_irq(&core->active_lock);
	list_for_each_entry(job, &core->active, core_link)
		if (!WARN_ON_ONCE(n == ARRAY_SIZE(jobs)))
			jobs[n++] = job;
	spin_unlock_irq(&core->active_lock);
	for (i = 0; i < n; i++) {
		drm_dbg_driver(&edev->drm, "core %u: job %llu queued again after the reset\n",
			       core->index, jobs[i]->seqno);
		edev->ops->run_job(edev->priv, jobs[i]);
	}
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
	 * The jobs queued behind it stay on the core, dropped by the reset.
	 */
	if (drm_dev_enter(&edev->drm, &idx)) {
		drm_info(&edev->drm, "core %u: job %llu timed out, resetting\n",
			 core->index, job->seqno);
		/* The crash dump shows the core as it hung: before the reset. */
		edgenpu_coredump_capture(job);
		edev->ops->reset(edev->priv, core->index);
		edgenpu_core_note_reset(core, ktime_get_ns() - t0);
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
	else
		edgenpu_coredump_forget(job);
	/* The innocent jobs behind it start over, in order. */
	if (drm_dev_enter(&edev->drm, &idx)) {
		edgenpu_core_requeue(core);
		drm_dev_exit(idx);
	}
	dma_fence_end_signalling(cookie);
	edgenpu_sched_restart(&core->sched, sched_job);
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

/**
 * edgenpu_sched_init() - start a scheduler per core
 * @edev: a device whose capabilities are filled in
 *
 * Return: 0 or a negative errno; nothing is left started on failure.
 */
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
		INIT_LIST_HEAD(&core->active);
		core->fence_context = dma_fence_context_alloc(1);
		ret = edgenpu_compat_sched_init(&core->sched, &edgenpu_sched_ops,
						edev->caps.core_queue_depth, timeout,
						edev->name, edev->drm.dev);
		if (ret) {
			while (i--)
				drm_sched_fini(&edev->cores[i].sched);
			return ret;
		}
		edev->scheds[i] = &core->sched;
	}
	return 0;
}

/**
 * edgenpu_sched_fini() - stop the schedulers, once no file uses them
 * @edev: the device
 */
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
 * The jobs the cores hold (running, or queued in the device behind the
 * running one) fail with -ENODEV; those still in the scheduler's queues
 * fail fast once the device is unplugged; the scheduler frees them all, some from a work item.
 * They hold buffer objects and run this module's code: each job holds
 * the device and the module until it is freed.
 */
void edgenpu_jobs_drain(struct edgenpu_device *edev)
{
	unsigned int ms = (edev->ops->job_timeout_ms ?: job_timeout_ms) * 2 + 5000;
	unsigned int i;

	/* Stop every core, and fail every job it held, oldest first. */
	for (i = 0; i < edev->caps.num_cores; i++) {
		struct edgenpu_core *core = &edev->cores[i];
		struct edgenpu_job *job;

		edev->ops->reset(edev->priv, i);
		while ((job = edgenpu_core_take_first(core))) {
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
