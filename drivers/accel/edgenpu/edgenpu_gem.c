// SPDX-License-Identifier: GPL-2.0-only
/*
 * edgenpu buffer objects: GEM shmem, CPU-mappable, PRIME-shareable.
 */

#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/iosys-map.h>
#include <linux/overflow.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem_shmem_helper.h>

#include <kunit/visibility.h>

#include "edgenpu_compat.h"
#include "edgenpu_device.h"
#include "edgenpu_file.h"
#include "edgenpu_gem.h"
#include "edgenpu_ioctl.h"

/* dma_buf_unmap_attachment(), for imports at removal. */
EDGENPU_IMPORT_NS("DMA_BUF");

/* The DRM core's hook: the owner's BO bytes go back with the BO. */
static void edgenpu_gem_free(struct drm_gem_object *obj)
{
	struct edgenpu_bo *bo = container_of(obj, struct edgenpu_bo, base.base);
	struct edgenpu_device *edev = to_edgenpu_device(obj->dev);

	mutex_lock(&edev->bo_lock);
	list_del_init(&bo->dev_node);
	mutex_unlock(&edev->bo_lock);
	if (bo->owner) {
		atomic64_sub(obj->size, &bo->owner->bo_bytes);
		edgenpu_file_put(bo->owner);
	}
	drm_gem_shmem_object_free(obj);
}

/* fdinfo's drm-resident-* sizes. */
static size_t edgenpu_gem_rss(struct drm_gem_object *obj)
{
	return to_drm_gem_shmem_obj(obj)->pages ? obj->size : 0;
}

/* fdinfo's drm-resident-*: a BO is resident while it has pages. */
static enum drm_gem_object_status edgenpu_gem_status(struct drm_gem_object *obj)
{
	struct drm_gem_shmem_object *shmem = to_drm_gem_shmem_obj(obj);

	return shmem->pages ? DRM_GEM_OBJECT_RESIDENT : 0;
}

static const struct drm_gem_object_funcs edgenpu_gem_funcs = {
	.free = edgenpu_gem_free,
	.status = edgenpu_gem_status,
	.rss = edgenpu_gem_rss,
	.print_info = drm_gem_shmem_object_print_info,
	.pin = drm_gem_shmem_object_pin,
	.unpin = drm_gem_shmem_object_unpin,
	.get_sg_table = drm_gem_shmem_object_get_sg_table,
	.vmap = drm_gem_shmem_object_vmap,
	.vunmap = drm_gem_shmem_object_vunmap,
	.mmap = drm_gem_shmem_object_mmap,
	.vm_ops = &drm_gem_shmem_vm_ops,
};

/* Charge @bytes to the file's BO-bytes limit: -EDQUOT over it. */
static int edgenpu_bo_charge(struct edgenpu_file *efile, u64 bytes)
{
	if (atomic64_add_return(bytes, &efile->bo_bytes) <=
	    efile->edev->limits.bo_bytes)
		return 0;
	atomic64_sub(bytes, &efile->bo_bytes);
	edgenpu_file_set_error(efile, -EDQUOT,
			       "the file has its limit of buffer object bytes", 0);
	return -EDQUOT;
}

/**
 * edgenpu_gem_create_object() - the DRM core's gem_create_object hook
 * @drm: the device
 * @size: the object's size
 *
 * Every BO, created or imported, gets the driver's functions.
 *
 * Return: the object, or ERR_PTR(-ENOMEM).
 */
struct drm_gem_object *edgenpu_gem_create_object(struct drm_device *drm,
						 size_t size)
{
	struct edgenpu_bo *bo = kzalloc(sizeof(*bo), GFP_KERNEL_ACCOUNT);

	if (!bo)
		return ERR_PTR(-ENOMEM);
	bo->base.base.funcs = &edgenpu_gem_funcs;
	/* Job inputs are written by the CPU and read by the device. */
	bo->base.map_wc = false;
	/* Listed once it holds a DMA mapping: see edgenpu_gem_track(). */
	INIT_LIST_HEAD(&bo->dev_node);
	return &bo->base.base;
}

/**
 * edgenpu_gem_track() - list a BO that holds a DMA mapping for the device
 * @obj: the object, with a DMA mapping or about to get one, inside
 *	drm_dev_enter()
 *
 * Removal takes the mappings of listed BOs back (edgenpu_gem_unmap_all()).
 * Listing at creation would not do: the shmem helper frees an object
 * that fails to initialise without calling its free hook.
 */
void edgenpu_gem_track(struct drm_gem_object *obj)
{
	struct edgenpu_bo *bo = container_of(obj, struct edgenpu_bo, base.base);
	struct edgenpu_device *edev = to_edgenpu_device(obj->dev);

	/*
	 * Every job's every buffer comes here: skip the device-wide lock
	 * once listed. A listed BO leaves the list only when freed, which
	 * the caller's reference rules out; a stale "empty" rechecks below.
	 */
	if (!list_empty(&bo->dev_node))
		return;
	mutex_lock(&edev->bo_lock);
	if (list_empty(&bo->dev_node))
		list_add_tail(&bo->dev_node, &edev->bos);
	mutex_unlock(&edev->bo_lock);
}

/**
 * edgenpu_gem_prime_import_sg_table() - the DRM core's import hook
 * @drm: the device
 * @attach: the attachment, already mapped for @drm's parent
 * @sgt: that mapping
 *
 * Return: the new object, -ENODEV once the device is unplugged (its
 * mappings are being taken back), or another ERR_PTR().
 */
struct drm_gem_object *
edgenpu_gem_prime_import_sg_table(struct drm_device *drm,
				  struct dma_buf_attachment *attach,
				  struct sg_table *sgt)
{
	struct drm_gem_object *obj;
	int idx;

	if (!drm_dev_enter(drm, &idx))
		return ERR_PTR(-ENODEV);
	obj = drm_gem_shmem_prime_import_sg_table(drm, attach, sgt);
	if (!IS_ERR(obj)) {
		container_of(obj, struct edgenpu_bo, base.base)->import = attach;
		edgenpu_gem_track(obj);
	}
	drm_dev_exit(idx);
	return obj;
}

/* Undo @bo's DMA mapping for the device, under the resv its mapping uses. */
static void edgenpu_gem_unmap_locked(struct edgenpu_bo *bo)
{
	struct drm_gem_shmem_object *shmem = &bo->base;
	struct drm_gem_object *obj = &shmem->base;

	if (!shmem->sgt)
		return;
	if (bo->import) {
		/* The exporter's mapping for us: detaching comes at free. */
		dma_buf_unmap_attachment(bo->import, shmem->sgt,
					 DMA_BIDIRECTIONAL);
	} else {
		/* The pages stay: the free path still puts them. */
		dma_unmap_sgtable(obj->dev->dev, shmem->sgt, DMA_BIDIRECTIONAL, 0);
		sg_free_table(shmem->sgt);
		kfree(shmem->sgt);
	}
	shmem->sgt = NULL;
}

/**
 * edgenpu_gem_unmap_all() - take back every BO's DMA mapping, at removal
 * @edev: the device, unplugged and drained: nothing maps a BO any more
 *
 * drm_gem_shmem_get_pages_sgt() keeps a BO mapped for the parent device
 * until the BO is freed, which open files, mmaps and dma-bufs can put off
 * past the parent's removal; the DMA API (and an IOMMU) must not see a
 * mapping of a device that is gone. A BO whose refcount already reached
 * zero is still listed until its free hook runs: its resv is still valid.
 */
void edgenpu_gem_unmap_all(struct edgenpu_device *edev)
{
	struct edgenpu_bo *bo;

	mutex_lock(&edev->bo_lock);
	list_for_each_entry(bo, &edev->bos, dev_node) {
		/*
		 * Not obj->resv: the DRM core points an import's at the
		 * dma-buf's only after our import hook returned.
		 */
		struct dma_resv *resv = bo->import ? bo->import->dmabuf->resv :
					bo->base.base.resv;

		dma_resv_lock(resv, NULL);
		edgenpu_gem_unmap_locked(bo);
		dma_resv_unlock(resv);
	}
	mutex_unlock(&edev->bo_lock);
}

/**
 * edgenpu_bo_vmap() - map a buffer object into the kernel for the CPU
 * @obj: the object
 * @map: set to the mapping; undo with edgenpu_gem_vunmap()
 *
 * Return: 0, -EOPNOTSUPP for I/O memory, or the vmap's negative errno.
 */
int edgenpu_bo_vmap(struct drm_gem_object *obj, struct iosys_map *map)
{
	int ret = edgenpu_gem_vmap(obj, map);

	/* The engine addresses buffers directly: no I/O memory here. */
	if (!ret && map->is_iomem) {
		edgenpu_gem_vunmap(obj, map);
		iosys_map_clear(map);
		return -EOPNOTSUPP;
	}
	return ret;
}

/**
 * edgenpu_ioctl_bo_create() - DRM_IOCTL_EDGENPU_BO_CREATE
 * @drm: the device
 * @data: &struct drm_edgenpu_bo_create, already copied in by the DRM core
 * @file: the caller's file, which the BO is charged to
 *
 * Return: 0, -EINVAL for a bad size or flags, -EDQUOT over the file's
 * limit, -ENODEV once the device is gone, or -ENOMEM.
 */
int edgenpu_ioctl_bo_create(struct drm_device *drm, void *data,
			    struct drm_file *file)
{
	struct edgenpu_device *edev = to_edgenpu_device(drm);
	struct drm_edgenpu_bo_create *args = data;
	struct edgenpu_file *efile = file->driver_priv;
	struct drm_gem_shmem_object *shmem;
	u32 handle;
	int ret, idx;

	/* @handle is an output: ignored on input. */
	if (args->flags)
		return -EINVAL;
	if (!args->size || args->size > edev->caps.max_bo_size)
		return -EINVAL;
	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;

	ret = edgenpu_bo_charge(efile, PAGE_ALIGN(args->size));
	if (ret)
		goto out;
	shmem = drm_gem_shmem_create(drm, PAGE_ALIGN(args->size));
	if (IS_ERR(shmem)) {
		atomic64_sub(PAGE_ALIGN(args->size), &efile->bo_bytes);
		ret = PTR_ERR(shmem);
		goto out;
	}
	/* From here the BO gives the bytes back when it goes. */
	kref_get(&efile->ref);
	container_of(shmem, struct edgenpu_bo, base)->owner = efile;
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

/**
 * edgenpu_ioctl_bo_info() - DRM_IOCTL_EDGENPU_BO_INFO
 * @drm: the device
 * @data: &struct drm_edgenpu_bo_info, already copied in by the DRM core
 * @file: the caller's file
 *
 * Return: 0 with the size and mmap offset, -ENOENT for an unknown handle,
 * -EINVAL for reserved bits, -ENODEV once the device is gone.
 */
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
