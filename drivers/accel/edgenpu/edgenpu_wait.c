// SPDX-License-Identifier: GPL-2.0-only
/*
 * DRM_IOCTL_EDGENPU_WAIT: wait for a job of this file by its seqno, and
 * reap its entry in the file's job table, or for every job using a
 * buffer object.
 */

#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/xarray.h>

#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_utils.h>

#include <kunit/visibility.h>

#include "edgenpu_file.h"
#include "edgenpu_ioctl.h"

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

/* Reap job @seqno's table entry if it still holds @fence: only its own. */
static void edgenpu_wait_reap(struct edgenpu_file *efile, u64 seqno,
			      struct dma_fence *fence)
{
	if (xa_cmpxchg(&efile->jobs, seqno, fence, NULL, 0) == fence) {
		atomic_dec(&efile->jobs_count);
		dma_fence_put(fence);
	}
}

static int edgenpu_wait_job(struct edgenpu_file *efile,
			    struct drm_edgenpu_wait *args, long timeout)
{
	struct dma_fence *fence;
	long ret;

	if (args->handle)
		return -EINVAL;
	if (args->seqno > ULONG_MAX)
		return -ENOENT;
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
		edgenpu_wait_reap(efile, args->seqno, fence);
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

/**
 * edgenpu_ioctl_wait() - DRM_IOCTL_EDGENPU_WAIT
 * @drm: the device
 * @data: &struct drm_edgenpu_wait, already copied in by the DRM core
 * @file: the caller's file
 *
 * Return: 0 when the job or buffer is idle (@status and @error say how
 * the job ended), -ETIME on timeout, -ENOENT for an unknown job or
 * handle, -EINVAL for reserved bits.
 */
int edgenpu_ioctl_wait(struct drm_device *drm, void *data,
		       struct drm_file *file)
{
	struct drm_edgenpu_wait *args = data;
	long timeout;

	/* @status and @error are outputs: ignored on input. */
	if (args->flags || args->pad)
		return -EINVAL;
	args->status = 0;
	args->error = 0;
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
