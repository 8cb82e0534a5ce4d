// SPDX-License-Identifier: GPL-2.0-only
/*
 * edgenpu buffer objects: GEM shmem, CPU-mappable, PRIME-shareable.
 */

#include <linux/overflow.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem_shmem_helper.h>

#include <kunit/visibility.h>

#include "edgenpu_drv.h"

static const struct drm_gem_object_funcs edgenpu_gem_funcs = {
	.free = drm_gem_shmem_object_free,
	.print_info = drm_gem_shmem_object_print_info,
	.pin = drm_gem_shmem_object_pin,
	.unpin = drm_gem_shmem_object_unpin,
	.get_sg_table = drm_gem_shmem_object_get_sg_table,
	.vmap = drm_gem_shmem_object_vmap,
	.vunmap = drm_gem_shmem_object_vunmap,
	.mmap = drm_gem_shmem_object_mmap,
	.vm_ops = &drm_gem_shmem_vm_ops,
};

/* The DRM core's hook: every BO, created or imported, gets our funcs. */
struct drm_gem_object *edgenpu_gem_create_object(struct drm_device *drm,
						 size_t size)
{
	struct edgenpu_bo *bo = kzalloc(sizeof(*bo), GFP_KERNEL);

	if (!bo)
		return ERR_PTR(-ENOMEM);
	bo->base.base.funcs = &edgenpu_gem_funcs;
	/* Job inputs are written by the CPU and read by the device. */
	bo->base.map_wc = false;
	return &bo->base.base;
}

int edgenpu_ioctl_bo_create(struct drm_device *drm, void *data,
			    struct drm_file *file)
{
	struct edgenpu_device *edev = to_edgenpu_device(drm);
	struct drm_edgenpu_bo_create *args = data;
	struct drm_gem_shmem_object *shmem;
	u32 handle;
	int ret, idx;

	if (args->flags || args->handle)
		return -EINVAL;
	if (!args->size || args->size > edev->caps.max_bo_size)
		return -EINVAL;
	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;

	shmem = drm_gem_shmem_create(drm, PAGE_ALIGN(args->size));
	if (IS_ERR(shmem)) {
		ret = PTR_ERR(shmem);
		goto out;
	}
	ret = drm_gem_handle_create(file, &shmem->base, &handle);
	/* The handle holds the only reference from here on. */
	drm_gem_object_put(&shmem->base);
	if (!ret)
		args->handle = handle;
out:
	drm_dev_exit(idx);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(edgenpu_ioctl_bo_create);

int edgenpu_ioctl_bo_info(struct drm_device *drm, void *data,
			  struct drm_file *file)
{
	struct drm_edgenpu_bo_info *args = data;
	struct drm_gem_object *obj;
	int ret, idx;

	if (args->flags)
		return -EINVAL;
	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;

	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj) {
		ret = -ENOENT;
		goto out;
	}
	ret = drm_gem_create_mmap_offset(obj);
	if (!ret) {
		args->size = obj->size;
		args->mmap_offset = drm_vma_node_offset_addr(&obj->vma_node);
	}
	drm_gem_object_put(obj);
out:
	drm_dev_exit(idx);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(edgenpu_ioctl_bo_info);
