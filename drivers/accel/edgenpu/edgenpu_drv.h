/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What belongs to the module as a whole: its version, its DRM driver,
 * and the list of built-in backends (edgenpu_backends.c).
 */
#ifndef __EDGENPU_DRV_H__
#define __EDGENPU_DRV_H__

#include <drm/drm_drv.h>

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

extern const struct drm_driver edgenpu_drm_driver;

extern const struct edgenpu_backend_driver *const edgenpu_backends[];
extern const unsigned int edgenpu_num_backends;

#if IS_ENABLED(CONFIG_KUNIT)
int edgenpu_backends_start(const struct edgenpu_backend_driver *const *list,
			   unsigned int count);
void edgenpu_backends_stop(const struct edgenpu_backend_driver *const *list,
			   unsigned int count);
#endif

#endif /* __EDGENPU_DRV_H__ */
