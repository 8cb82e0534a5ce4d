// SPDX-License-Identifier: MIT
/*
 * libedgenpu: buffer objects and job submission on an edgenpu device.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <xf86drm.h>

#include <drm/edgenpu_accel.h>

#include "edgenpu.h"
#include "device_internal.h"

/*
 * One object per GEM handle of the device's file: the device lists them
 * (edgenpu_device_bos()), and a re-import of a dma-buf whose handle is
 * already here takes a reference on the existing object.
 */
struct edgenpu_bo {
	int refs;
	struct edgenpu_device *dev;
	uint32_t handle;
	uint64_t size;
	void *map;
	struct edgenpu_bo *next;	/* in the device's list */
};

static struct edgenpu_bo *bo_lookup(struct edgenpu_device *dev,
				    uint32_t handle)
{
	struct edgenpu_bo *bo;

	for (bo = *edgenpu_device_bos(dev); bo; bo = bo->next)
		if (bo->handle == handle)
			return bo;
	return NULL;
}

static int bo_wrap(struct edgenpu_device *dev, uint32_t handle,
		   struct edgenpu_bo **out)
{
	struct drm_edgenpu_bo_info info = { .handle = handle };
	struct drm_gem_close cl = { .handle = handle };
	struct edgenpu_bo *bo;
	int fd = edgenpu_device_fd(dev);

	if (drmIoctl(fd, DRM_IOCTL_EDGENPU_BO_INFO, &info)) {
		int ret = -errno;

		drmIoctl(fd, DRM_IOCTL_GEM_CLOSE, &cl);
		return ret;
	}
	bo = calloc(1, sizeof(*bo));
	if (!bo) {
		drmIoctl(fd, DRM_IOCTL_GEM_CLOSE, &cl);
		return -ENOMEM;
	}
	bo->refs = 1;
	bo->dev = edgenpu_device_ref(dev);
	bo->handle = handle;
	bo->size = info.size;
	bo->next = *edgenpu_device_bos(dev);
	*edgenpu_device_bos(dev) = bo;
	*out = bo;
	return 0;
}

int edgenpu_bo_create(struct edgenpu_device *dev, uint64_t size,
		      struct edgenpu_bo **out)
{
	struct drm_edgenpu_bo_create c = { .size = size };

	if (!dev || !out)
		return -EINVAL;
	*out = NULL;
	if (drmIoctl(edgenpu_device_fd(dev), DRM_IOCTL_EDGENPU_BO_CREATE, &c))
		return -errno;
	return bo_wrap(dev, c.handle, out);
}

/*
 * A dma-buf the file already has a handle for (imported before, or
 * exported by this file) gives that same handle, not a new one: then the
 * object that owns it is the answer, with one more reference.
 */
int edgenpu_bo_import(struct edgenpu_device *dev, int dmabuf_fd,
		      struct edgenpu_bo **out)
{
	struct edgenpu_bo *bo;
	uint32_t handle;

	if (!dev || !out)
		return -EINVAL;
	*out = NULL;
	if (drmPrimeFDToHandle(edgenpu_device_fd(dev), dmabuf_fd, &handle))
		return -errno;
	bo = bo_lookup(dev, handle);
	if (bo) {
		*out = edgenpu_bo_ref(bo);
		return 0;
	}
	return bo_wrap(dev, handle, out);
}

int edgenpu_bo_export(struct edgenpu_bo *bo, int *dmabuf_fd)
{
	if (!bo || !dmabuf_fd)
		return -EINVAL;
	if (drmPrimeHandleToFD(edgenpu_device_fd(bo->dev), bo->handle,
			       DRM_CLOEXEC | DRM_RDWR, dmabuf_fd))
		return -errno;
	return 0;
}

void *edgenpu_bo_map(struct edgenpu_bo *bo)
{
	struct drm_edgenpu_bo_info info;
	void *p;

	if (!bo)
		return NULL;
	if (bo->map)
		return bo->map;
	info = (struct drm_edgenpu_bo_info){ .handle = bo->handle };
	if (drmIoctl(edgenpu_device_fd(bo->dev), DRM_IOCTL_EDGENPU_BO_INFO, &info))
		return NULL;
	p = mmap(NULL, bo->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 edgenpu_device_fd(bo->dev), info.mmap_offset);
	if (p == MAP_FAILED)
		return NULL;
	bo->map = p;
	return p;
}

uint64_t edgenpu_bo_size(const struct edgenpu_bo *bo)
{
	return bo ? bo->size : 0;
}

uint32_t edgenpu_bo_handle(const struct edgenpu_bo *bo)
{
	return bo ? bo->handle : 0;
}

struct edgenpu_bo *edgenpu_bo_ref(struct edgenpu_bo *bo)
{
	if (bo)
		bo->refs++;
	return bo;
}

void edgenpu_bo_unref(struct edgenpu_bo *bo)
{
	struct drm_gem_close cl;
	struct edgenpu_bo **p;

	if (!bo || --bo->refs > 0)
		return;
	/* Off the list first: the handle may be reused once closed. */
	for (p = edgenpu_device_bos(bo->dev); *p; p = &(*p)->next)
		if (*p == bo) {
			*p = bo->next;
			break;
		}
	if (bo->map)
		munmap(bo->map, bo->size);
	cl = (struct drm_gem_close){ .handle = bo->handle };
	drmIoctl(edgenpu_device_fd(bo->dev), DRM_IOCTL_GEM_CLOSE, &cl);
	edgenpu_device_unref(bo->dev);
	free(bo);
}

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
		refs[i].handle = d->bufs[i]->handle;
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
	job.cmd_handle = d->cmd->handle;
	job.cmd_offset = d->cmd_offset;
	job.cmd_size = d->cmd_size;
	job.buffers = (uintptr_t)refs;
	job.buffer_count = d->nbufs;
	job.in_syncs = (uintptr_t)ins;
	job.in_sync_count = nin;
	job.out_syncs = (uintptr_t)outs;
	job.out_sync_count = nout;
	job.priority = d->priority;
	job.profile_handle = d->profile ? d->profile->handle : 0;
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
