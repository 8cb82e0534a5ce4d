/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The driver's ioctls: QUERY (edgenpu_query.c), BO_CREATE and BO_INFO
 * (edgenpu_gem.c), SUBMIT (edgenpu_submit.c), WAIT (edgenpu_wait.c);
 * and what the KUnit suites call of their files.
 */
#ifndef __EDGENPU_IOCTL_H__
#define __EDGENPU_IOCTL_H__

#include <linux/compiler_types.h>
#include <linux/types.h>

#include <drm/edgenpu_accel.h>

struct dma_fence;
struct drm_device;
struct drm_file;
struct edgenpu_device;
struct edgenpu_file;
struct edgenpu_job;

/* The largest answer buffer QUERY accepts: see the uapi header. */
#define EDGENPU_QUERY_MAX_SIZE	4096

int edgenpu_ioctl_query(struct drm_device *drm, void *data,
			struct drm_file *file);
int edgenpu_ioctl_bo_create(struct drm_device *drm, void *data,
			    struct drm_file *file);
int edgenpu_ioctl_bo_info(struct drm_device *drm, void *data,
			  struct drm_file *file);
int edgenpu_ioctl_submit(struct drm_device *drm, void *data,
			 struct drm_file *file);
int edgenpu_ioctl_wait(struct drm_device *drm, void *data,
		       struct drm_file *file);

/**
 * union edgenpu_query_data - every answer DRM_IOCTL_EDGENPU_QUERY gives
 * @info: %DRM_EDGENPU_QUERY_DEVICE
 * @caps: %DRM_EDGENPU_QUERY_CAPS
 * @last_error: %DRM_EDGENPU_QUERY_LAST_ERROR
 */
union edgenpu_query_data {
	struct drm_edgenpu_device_info info;
	struct drm_edgenpu_caps caps;
	struct drm_edgenpu_last_error last_error;
};

#if IS_ENABLED(CONFIG_KUNIT)
int edgenpu_query_fill(struct edgenpu_device *edev, struct edgenpu_file *efile,
		       u32 id, union edgenpu_query_data *u);
int edgenpu_copy_sized(void __user *dst, u32 usize, const void *src,
		       size_t ksize);
int edgenpu_job_pin_and_queue(struct edgenpu_job *job, u32 prio,
			      struct dma_fence *dep, u64 *seqno);
#endif

#endif /* __EDGENPU_IOCTL_H__ */
