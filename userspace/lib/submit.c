// SPDX-License-Identifier: MIT
/*
 * libedgenpu: job submission on an edgenpu device, syncobjs and sync_file
 * fences, waits, and why the device last failed a job.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <time.h>

#include <xf86drm.h>

#include <drm/edgenpu_accel.h>

#include "edgenpu.h"

/* SUBMIT one job, plus one more in- and out-syncobj when non-zero. */
static int submit_job(struct edgenpu_device *dev,
		      const struct edgenpu_job_desc *d, uint32_t extra_in,
		      uint32_t extra_out, uint64_t *seqno)
{
	struct drm_edgenpu_buffer_ref refs[DRM_EDGENPU_MAX_JOB_BUFFERS];
	struct drm_edgenpu_sync ins[DRM_EDGENPU_MAX_JOB_SYNCS], outs[2];
	struct drm_edgenpu_job job;
	struct drm_edgenpu_submit s;
	uint32_t i, nin, nout = 0;

	if (!dev || !d || !d->cmd || !d->bufs || !d->buf_flags ||
	    d->nbufs > DRM_EDGENPU_MAX_JOB_BUFFERS ||
	    d->n_in_syncobjs + !!extra_in > DRM_EDGENPU_MAX_JOB_SYNCS ||
	    (d->n_in_syncobjs && !d->in_syncobjs))
		return -EINVAL;
	for (i = 0; i < d->nbufs; i++) {
		if (!d->bufs[i])
			return -EINVAL;
		refs[i].handle = edgenpu_bo_handle(d->bufs[i]);
		refs[i].flags = d->buf_flags[i];
	}
	for (i = 0; i < d->n_in_syncobjs; i++)
		ins[i] = (struct drm_edgenpu_sync){ .handle = d->in_syncobjs[i] };
	nin = d->n_in_syncobjs;
	if (extra_in)
		ins[nin++] = (struct drm_edgenpu_sync){ .handle = extra_in };
	if (d->out_syncobj)
		outs[nout++] = (struct drm_edgenpu_sync){ .handle = d->out_syncobj,
							  .point = d->out_point };
	if (extra_out)
		outs[nout++] = (struct drm_edgenpu_sync){ .handle = extra_out };
	memset(&job, 0, sizeof(job));
	job.cmd_handle = edgenpu_bo_handle(d->cmd);
	job.cmd_offset = d->cmd_offset;
	job.cmd_size = d->cmd_size;
	job.buffers = (uintptr_t)refs;
	job.buffer_count = d->nbufs;
	job.in_syncs = (uintptr_t)ins;
	job.in_sync_count = nin;
	job.out_syncs = (uintptr_t)outs;
	job.out_sync_count = nout;
	job.priority = d->priority;
	job.profile_handle = d->profile ? edgenpu_bo_handle(d->profile) : 0;
	job.profile_offset = d->profile_offset;
	s = (struct drm_edgenpu_submit){ .jobs = (uintptr_t)&job, .job_count = 1,
					 .job_stride = sizeof(job) };
	if (drmIoctl(edgenpu_device_fd(dev), DRM_IOCTL_EDGENPU_SUBMIT, &s))
		return -errno;
	if (seqno)
		*seqno = job.seqno;
	return 0;
}

int edgenpu_submit(struct edgenpu_device *dev, const struct edgenpu_job_desc *d,
		   uint64_t *seqno)
{
	return submit_job(dev, d, 0, 0, seqno);
}

int edgenpu_syncobj_create(struct edgenpu_device *dev, uint32_t *handle)
{
	if (!dev || !handle)
		return -EINVAL;
	return drmSyncobjCreate(edgenpu_device_fd(dev), 0, handle) ? -errno : 0;
}

void edgenpu_syncobj_destroy(struct edgenpu_device *dev, uint32_t handle)
{
	if (dev && handle)
		drmSyncobjDestroy(edgenpu_device_fd(dev), handle);
}

/* An absolute CLOCK_MONOTONIC deadline @timeout_ns from now. */
static int64_t deadline(int64_t timeout_ns)
{
	struct timespec ts;

	if (timeout_ns < 0)
		return INT64_MAX;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ll + ts.tv_nsec + timeout_ns;
}

int edgenpu_syncobj_wait(struct edgenpu_device *dev, uint32_t handle,
			 int64_t timeout_ns)
{
	if (!dev || !handle)
		return -EINVAL;
	if (drmSyncobjWait(edgenpu_device_fd(dev), &handle, 1,
			   deadline(timeout_ns),
			   DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, NULL))
		return -errno;
	return 0;
}

int edgenpu_syncobj_export_sync_file(struct edgenpu_device *dev,
				     uint32_t handle, int *fd)
{
	if (!dev || !handle || !fd)
		return -EINVAL;
	return drmSyncobjExportSyncFile(edgenpu_device_fd(dev), handle, fd) ?
	       -errno : 0;
}

int edgenpu_syncobj_import_sync_file(struct edgenpu_device *dev,
				     uint32_t handle, int fd)
{
	if (!dev || !handle || fd < 0)
		return -EINVAL;
	return drmSyncobjImportSyncFile(edgenpu_device_fd(dev), handle, fd) ?
	       -errno : 0;
}

int edgenpu_submit_fence(struct edgenpu_device *dev,
			 const struct edgenpu_job_desc *d, int in_fence_fd,
			 uint64_t *seqno, int *out_fence_fd)
{
	uint32_t in = 0, out = 0;
	int ret;

	if (out_fence_fd)
		*out_fence_fd = -1;
	if (!dev || !d)
		return -EINVAL;
	if (in_fence_fd >= 0) {
		ret = edgenpu_syncobj_create(dev, &in);
		if (!ret)
			ret = edgenpu_syncobj_import_sync_file(dev, in,
							       in_fence_fd);
		if (ret)
			goto out;
	}
	if (out_fence_fd) {
		ret = edgenpu_syncobj_create(dev, &out);
		if (ret)
			goto out;
	}
	ret = submit_job(dev, d, in, out, seqno);
	/* The job is queued: its fence is in @out now. */
	if (!ret && out_fence_fd)
		ret = edgenpu_syncobj_export_sync_file(dev, out, out_fence_fd);
out:
	edgenpu_syncobj_destroy(dev, in);
	edgenpu_syncobj_destroy(dev, out);
	return ret;
}

int edgenpu_wait(struct edgenpu_device *dev, uint64_t seqno, int64_t timeout_ns,
		 uint32_t *status, int32_t *error)
{
	struct drm_edgenpu_wait w = { .seqno = seqno, .kind = DRM_EDGENPU_WAIT_JOB };

	if (!dev)
		return -EINVAL;
	w.timeout_ns = deadline(timeout_ns);
	if (drmIoctl(edgenpu_device_fd(dev), DRM_IOCTL_EDGENPU_WAIT, &w))
		return -errno;
	if (status)
		*status = w.status;
	if (error)
		*error = w.error;
	return 0;
}

int edgenpu_device_last_error(struct edgenpu_device *dev, char *msg, size_t len,
			      int32_t *op_index)
{
	struct drm_edgenpu_last_error le;
	struct drm_edgenpu_query q = {
		.query = DRM_EDGENPU_QUERY_LAST_ERROR,
		.size = sizeof(le),
		.data = (uintptr_t)&le,
	};

	if (!dev)
		return -EINVAL;
	memset(&le, 0, sizeof(le));
	if (drmIoctl(edgenpu_device_fd(dev), DRM_IOCTL_EDGENPU_QUERY, &q))
		return -errno;
	if (msg && len) {
		size_t n = strnlen(le.msg, sizeof(le.msg));

		if (n >= len)
			n = len - 1;
		memcpy(msg, le.msg, n);
		msg[n] = 0;
	}
	if (op_index)
		*op_index = le.op_index;
	return le.error;
}
