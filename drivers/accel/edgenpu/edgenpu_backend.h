/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The interface between the edgenpu core and an NPU backend.
 *
 * The core never touches hardware. Everything device-specific goes
 * through one &struct edgenpu_backend_ops table that a backend hands to
 * edgenpu_device_create() from its own probe routine.
 */
#ifndef __EDGENPU_BACKEND_H__
#define __EDGENPU_BACKEND_H__

#include <linux/types.h>

struct device;
struct edgenpu_device;
struct drm_edgenpu_caps;

/**
 * struct edgenpu_backend_ops - what a backend provides to the core
 * @name: short backend name, reported to userspace ("vnpu").
 * @get_caps: fill the device's capabilities. Called once at creation;
 *	the core owns the result afterwards. Must not fail for a device
 *	that probed.
 */
struct edgenpu_backend_ops {
	const char *name;
	void (*get_caps)(void *priv, struct drm_edgenpu_caps *caps);
};

struct edgenpu_device *edgenpu_device_create(struct device *parent,
					     const struct edgenpu_backend_ops *ops,
					     void *priv);
void edgenpu_device_destroy(struct edgenpu_device *edev);

#endif /* __EDGENPU_BACKEND_H__ */
