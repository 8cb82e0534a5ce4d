// SPDX-License-Identifier: GPL-2.0-only
/*
 * edgenpu engine glue: the one place the core calls the engine.
 *
 * A job's buffer table becomes the engine's &struct edgenpu_engine_buffer
 * array: sizes and access flags when a buffer is added, addresses once
 * the buffers are pinned. SUBMIT runs the engine's validator over the
 * job before anything is pinned; a CPU backend runs the engine's
 * executor through edgenpu_job_execute(). The engine's reports become
 * the file's LAST_ERROR.
 */

#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <drm/drm_gem.h>
#include <drm/drm_managed.h>

#include <kunit/visibility.h>

#include "edgenpu_device.h"
#include "edgenpu_exec.h"
#include "edgenpu_file.h"
#include "edgenpu_gem.h"
#include "edgenpu_job.h"

/**
 * edgenpu_exec_init() - the device's validator work area
 * @edev: the device
 *
 * Return: 0 or a negative errno.
 */
int edgenpu_exec_init(struct edgenpu_device *edev)
{
	int ret = drmm_mutex_init(&edev->drm, &edev->validate_lock);

	if (ret)
		return ret;
	edev->validate_scratch = kvzalloc(EDGENPU_ENGINE_SCRATCH_SIZE, GFP_KERNEL);
	return edev->validate_scratch ? 0 : -ENOMEM;
}

/**
 * edgenpu_exec_fini() - free what edgenpu_exec_init() made
 * @edev: the device
 */
void edgenpu_exec_fini(struct edgenpu_device *edev)
{
	kvfree(edev->validate_scratch);
	edev->validate_scratch = NULL;
}

/**
 * edgenpu_exec_describe_buffer() - the engine's view of buffer @i
 * @job: the job; @job->bos[@i] is set
 * @i: the buffer table entry
 * @flags: DRM_EDGENPU_BUF_READ and/or DRM_EDGENPU_BUF_WRITE
 *
 * The engine validates against sizes and flags alone: the address comes
 * with edgenpu_exec_bind_buffers() once the buffers are pinned.
 */
void edgenpu_exec_describe_buffer(struct edgenpu_job *job, u32 i, u32 flags)
{
	struct edgenpu_engine_buffer *b = &job->buffers[i];

	b->size = job->bos[i]->size;
	if (flags & DRM_EDGENPU_BUF_READ)
		b->flags |= EDGENPU_BUF_READ;
	if (flags & DRM_EDGENPU_BUF_WRITE)
		b->flags |= EDGENPU_BUF_WRITE;
}

/**
 * edgenpu_exec_bind_buffers() - give the engine the pinned buffers' addresses
 * @job: a job whose buffers are all mapped (@job->maps)
 */
void edgenpu_exec_bind_buffers(struct edgenpu_job *job)
{
	u32 i;

	for (i = 0; i < job->nbos; i++)
		job->buffers[i].ptr = job->maps[i].vaddr;
}

/**
 * edgenpu_exec_buffer_writes() - does the job write buffer @i?
 * @job: the job
 * @i: the buffer table entry
 *
 * Return: true when the job may write it, for implicit synchronisation.
 */
bool edgenpu_exec_buffer_writes(const struct edgenpu_job *job, u32 i)
{
	return job->buffers[i].flags & EDGENPU_BUF_WRITE;
}

/* The engine's report, as LAST_ERROR tells it. */
static void edgenpu_exec_set_error(struct edgenpu_file *efile, int error,
				   const struct edgenpu_engine_error *err,
				   u64 seqno)
{
	struct drm_edgenpu_last_error le;

	memset(&le, 0, sizeof(le));
	le.error = error;
	le.seqno = seqno;
	le.op_index = err->op_index;
	le.tensor = err->tensor;
	le.code = err->code;
	strscpy(le.msg, err->msg, sizeof(le.msg));
	edgenpu_file_set_last_error(efile, &le);
}

/**
 * edgenpu_exec_report_failure() - tell the file why the device failed a job
 * @job: the job, as edgenpu_job_done() got it
 * @error: its negative errno
 *
 * The engine's report when the engine failed the job, else a plain one.
 */
void edgenpu_exec_report_failure(struct edgenpu_job *job, int error)
{
	if (job->engine_error.err)
		edgenpu_exec_set_error(job->efile, error, &job->engine_error,
				       job->seqno);
	else
		edgenpu_file_set_error(job->efile, error,
				       "the device failed the job", job->seqno);
}

/**
 * edgenpu_job_validate() - run the engine's validator over a job
 * @job: a job with its buffer table and command stream, nothing pinned
 * @efile: where a rejection is reported
 *
 * Return: 0 or the validator's negative errno.
 */
int edgenpu_job_validate(struct edgenpu_job *job, struct edgenpu_file *efile)
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
		edgenpu_exec_set_error(efile, ret, &job->engine_error, 0);
		edgenpu_dbg(edev, "job rejected: op %d: %s (%d)\n",
			    job->engine_error.op_index, job->engine_error.msg, ret);
		return ret;
	}
	job->op_count = hdr->op_count;
	memset(&job->engine_error, 0, sizeof(job->engine_error));
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(edgenpu_job_validate);

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

		if ((b->flags & EDGENPU_BUF_WRITE) && b->size && b->ptr) {
			*(u8 *)b->ptr ^= 1;
			return;
		}
	}
}
EXPORT_SYMBOL_IF_KUNIT(edgenpu_job_corrupt);

/**
 * edgenpu_job_buffer() - buffer @i of a job, as a device reaches it
 * @job: a job, in &edgenpu_backend_ops.prepare_job (this may sleep)
 * @i: the buffer table entry, below edgenpu_job_num_buffers()
 * @buf: filled with its pages (mapped for the DRM device's parent by the
 *	DMA API, and kept until the buffer is freed), size and access
 *
 * Return: 0 or a negative errno.
 */
int edgenpu_job_buffer(struct edgenpu_job *job, u32 i,
		       struct edgenpu_job_buffer *buf)
{
	struct drm_gem_object *obj = job->bos[i];
	struct sg_table *sgt;

	edgenpu_gem_track(obj);
	sgt = drm_gem_shmem_get_pages_sgt(to_drm_gem_shmem_obj(obj));
	if (IS_ERR(sgt))
		return PTR_ERR(sgt);
	buf->sgt = sgt;
	buf->size = obj->size;
	buf->flags = 0;
	if (job->buffers[i].flags & EDGENPU_BUF_READ)
		buf->flags |= DRM_EDGENPU_BUF_READ;
	if (job->buffers[i].flags & EDGENPU_BUF_WRITE)
		buf->flags |= DRM_EDGENPU_BUF_WRITE;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(edgenpu_job_buffer);

/**
 * edgenpu_job_set_fault() - say why the device failed a job
 * @job: the job, before edgenpu_job_done() reports it failed
 * @op_index: the op at fault, or -1
 * @code: the engine's &enum edgenpu_engine_code, or 0
 * @msg: the reason, e.g. with the faulting device address
 *
 * Becomes the file's LAST_ERROR when the job is reported failed.
 * Callable from any context.
 */
void edgenpu_job_set_fault(struct edgenpu_job *job, s32 op_index, u32 code,
			   const char *msg)
{
	struct edgenpu_engine_error *e = &job->engine_error;

	e->err = -EIO;
	e->op_index = op_index;
	e->tensor = -1;
	e->code = code;
	strscpy(e->msg, msg, sizeof(e->msg));
}
