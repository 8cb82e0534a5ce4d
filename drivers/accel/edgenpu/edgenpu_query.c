// SPDX-License-Identifier: GPL-2.0-only
/*
 * DRM_IOCTL_EDGENPU_QUERY: what the device is, what it can do, and why
 * the file's last job failed.
 */

#include <linux/string.h>
#include <linux/uaccess.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>

#include <kunit/visibility.h>

#include "edgenpu_device.h"
#include "edgenpu_drv.h"
#include "edgenpu_file.h"
#include "edgenpu_ioctl.h"

/**
 * edgenpu_copy_sized() - copy a kernel struct into a user buffer of any size
 * @dst: user buffer
 * @usize: its size in bytes
 * @src: kernel struct
 * @ksize: its size in bytes
 *
 * Copies what both sides know and zero-fills the user's tail, so that a
 * newer userspace sees zeroes in fields this kernel does not know.
 *
 * Return: 0 or -EFAULT.
 */
VISIBLE_IF_KUNIT int edgenpu_copy_sized(void __user *dst, u32 usize,
					const void *src, size_t ksize)
{
	size_t n = min_t(size_t, usize, ksize);

	if (copy_to_user(dst, src, n))
		return -EFAULT;
	if (usize > n && clear_user(dst + n, usize - n))
		return -EFAULT;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(edgenpu_copy_sized);

static void edgenpu_fill_device_info(struct edgenpu_device *edev,
				     struct drm_edgenpu_device_info *info)
{
	info->uapi_major = EDGENPU_UAPI_VERSION_MAJOR;
	info->uapi_minor = EDGENPU_UAPI_VERSION_MINOR;
	info->module_version = EDGENPU_MODULE_VERSION;
	info->device_id = edev->id;
	strscpy(info->name, edev->name, sizeof(info->name));
	strscpy(info->backend, edev->ops->name, sizeof(info->backend));
}

/**
 * edgenpu_query_fill() - the kernel's answer to one query
 * @edev: the device
 * @efile: the asking file, for per-file answers; may be NULL
 * @id: &enum drm_edgenpu_query_id
 * @u: filled, zeroed first
 *
 * Return: the size of the answer, or -EINVAL for an unknown query.
 */
VISIBLE_IF_KUNIT int edgenpu_query_fill(struct edgenpu_device *edev,
					struct edgenpu_file *efile, u32 id,
					union edgenpu_query_data *u)
{
	unsigned long flags;

	memset(u, 0, sizeof(*u));
	switch (id) {
	case DRM_EDGENPU_QUERY_DEVICE:
		edgenpu_fill_device_info(edev, &u->info);
		return sizeof(u->info);
	case DRM_EDGENPU_QUERY_CAPS:
		u->caps = edev->caps;
		return sizeof(u->caps);
	case DRM_EDGENPU_QUERY_LAST_ERROR:
		if (!efile)
			return -EINVAL;
		spin_lock_irqsave(&efile->error_lock, flags);
		u->last_error = efile->last_error;
		spin_unlock_irqrestore(&efile->error_lock, flags);
		return sizeof(u->last_error);
	default:
		return -EINVAL;
	}
}
EXPORT_SYMBOL_IF_KUNIT(edgenpu_query_fill);

/**
 * edgenpu_ioctl_query() - DRM_IOCTL_EDGENPU_QUERY
 * @drm: the device
 * @data: &struct drm_edgenpu_query, already copied in by the DRM core
 * @file: the caller's file, for %DRM_EDGENPU_QUERY_LAST_ERROR
 *
 * Return: 0, -EINVAL for reserved bits or an unknown query, -EFAULT for
 * a bad pointer, -ENODEV once the device is gone.
 */
int edgenpu_ioctl_query(struct drm_device *drm, void *data,
			struct drm_file *file)
{
	struct edgenpu_device *edev = to_edgenpu_device(drm);
	struct drm_edgenpu_query *q = data;
	union edgenpu_query_data u;
	size_t ksize;
	int idx, ret;

	if (q->flags || q->pad || q->size > EDGENPU_QUERY_MAX_SIZE)
		return -EINVAL;
	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;

	ret = edgenpu_query_fill(edev, file ? file->driver_priv : NULL,
				 q->query, &u);
	if (ret < 0) {
		edgenpu_dbg(edev, "unknown query %u\n", q->query);
		goto out;
	}
	ksize = ret;
	ret = edgenpu_copy_sized(u64_to_user_ptr(q->data), q->size, &u, ksize);
	if (!ret)
		q->size = ksize;
out:
	drm_dev_exit(idx);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(edgenpu_ioctl_query);
