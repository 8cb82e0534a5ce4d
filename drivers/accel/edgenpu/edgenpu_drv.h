/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef __EDGENPU_DRV_H__
#define __EDGENPU_DRV_H__

#include <drm/drm_device.h>
#include <drm/drm_print.h>

#include <drm/edgenpu_accel.h>

#include "edgenpu_backend.h"

/*
 * The release comes from the project's VERSION file through the Makefile,
 * the one version source for module, library and packages.
 */
#ifndef EDGENPU_VERSION_MAJOR
#error "EDGENPU_VERSION_* must come from the Makefile"
#endif
#define EDGENPU_MODULE_VERSION \
	((EDGENPU_VERSION_MAJOR << 16) | (EDGENPU_VERSION_MINOR << 8) | \
	 EDGENPU_VERSION_PATCH)

#define EDGENPU_DRIVER_NAME	"edgenpu"
#define EDGENPU_DRIVER_DESC	"DRM accel driver for edge-AI NPUs"

/* Bounds on user-supplied sizes: see the uapi header. */
#define EDGENPU_QUERY_MAX_SIZE	4096

/**
 * struct edgenpu_device - one NPU, as the core sees it
 * @drm: the DRM device; its lifetime is the edgenpu_device's.
 * @ops: the backend's operations.
 * @priv: the backend's private data, passed back to @ops.
 * @id: index among edgenpu devices, reported in the device query.
 * @name: device name, e.g. "vnpu0".
 * @caps: capabilities, filled by the backend at creation.
 */
struct edgenpu_device {
	struct drm_device drm;
	const struct edgenpu_backend_ops *ops;
	void *priv;
	int id;
	char name[EDGENPU_NAME_LEN];
	struct drm_edgenpu_caps caps;
};

static inline struct edgenpu_device *to_edgenpu_device(struct drm_device *drm)
{
	return container_of(drm, struct edgenpu_device, drm);
}

#define edgenpu_dbg(edev, fmt, ...) \
	drm_dbg_driver(&(edev)->drm, fmt, ##__VA_ARGS__)

/**
 * union edgenpu_query_data - every answer DRM_IOCTL_EDGENPU_QUERY gives
 * @info: %DRM_EDGENPU_QUERY_DEVICE
 * @caps: %DRM_EDGENPU_QUERY_CAPS
 */
union edgenpu_query_data {
	struct drm_edgenpu_device_info info;
	struct drm_edgenpu_caps caps;
};

int edgenpu_ioctl_query(struct drm_device *drm, void *data,
			struct drm_file *file);
#if IS_ENABLED(CONFIG_KUNIT)
int edgenpu_query_fill(struct edgenpu_device *edev, u32 id,
		       union edgenpu_query_data *u);
int edgenpu_copy_sized(void __user *dst, u32 usize, const void *src,
		       size_t ksize);
#endif

#endif /* __EDGENPU_DRV_H__ */
