/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel API differences, in one place.
 *
 * Each difference is detected by a feature probe, never by comparing
 * LINUX_VERSION_CODE: stable and distribution kernels carry APIs from
 * later releases. The probes live in the driver's Makefile and define
 * EDGENPU_HAVE_* macros from what the target kernel's headers declare;
 * this header turns them into one spelling the driver uses everywhere.
 */
#ifndef __EDGENPU_COMPAT_H__
#define __EDGENPU_COMPAT_H__

#include <linux/module.h>

/*
 * struct drm_driver lost its unused .date member in 6.14. Where it
 * still exists, fill it so that DRM_IOCTL_VERSION reports a date.
 */
#ifdef EDGENPU_HAVE_DRM_DRIVER_DATE
#define EDGENPU_DRM_DRIVER_DATE(d)	.date = (d),
#else
#define EDGENPU_DRM_DRIVER_DATE(d)
#endif

/*
 * Symbol namespaces became string literals in 6.13. MODULE_INFO with a
 * literal is what both forms of MODULE_IMPORT_NS() expand to, so it
 * needs no probe.
 */
#define EDGENPU_IMPORT_NS(ns)	MODULE_INFO(import_ns, ns)

#endif /* __EDGENPU_COMPAT_H__ */
