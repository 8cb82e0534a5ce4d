// SPDX-License-Identifier: MIT
/*
 * libedgenpu: buffer objects on an edgenpu device: GEM objects, their
 * mappings and dma-buf import and export.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xf86drm.h>

#include <drm/edgenpu_accel.h>

#include "edgenpu.h"
#include "device_internal.h"

/*
 * One object per GEM handle of the device's file: the device lists them
 * (edgenpu__device_bos()), and a re-import of a dma-buf whose handle is
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

	for (bo = *edgenpu__device_bos(dev); bo; bo = bo->next)
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
	bo->next = *edgenpu__device_bos(dev);
	*edgenpu__device_bos(dev) = bo;
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
	for (p = edgenpu__device_bos(bo->dev); *p; p = &(*p)->next)
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
