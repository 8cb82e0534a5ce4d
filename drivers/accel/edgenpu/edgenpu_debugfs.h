/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Observability: the device's debugfs files and each file's fdinfo.
 */
#ifndef __EDGENPU_DEBUGFS_H__
#define __EDGENPU_DEBUGFS_H__

struct drm_file;
struct drm_printer;
struct edgenpu_device;

void edgenpu_debugfs_init(struct edgenpu_device *edev);
void edgenpu_show_fdinfo(struct drm_printer *p, struct drm_file *file);

#endif /* __EDGENPU_DEBUGFS_H__ */
