/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Buffer objects: GEM shmem objects charged to the file that made them.
 */
#ifndef __EDGENPU_GEM_H__
#define __EDGENPU_GEM_H__

#include <linux/iosys-map.h>

#include <drm/drm_gem_shmem_helper.h>

struct dma_buf_attachment;
struct edgenpu_device;
struct sg_table;
struct edgenpu_file;

/**
 * struct edgenpu_bo - a buffer object: GEM shmem and its owner
 * @base: the shmem object
 * @owner: the file it is charged to (referenced), or NULL for imports
 * @dev_node: its place in &edgenpu_device.bos once it holds a DMA
 *	mapping for the device; empty before
 * @import: the attachment of an imported BO, or NULL
 */
struct edgenpu_bo {
	struct drm_gem_shmem_object base;
	struct edgenpu_file *owner;
	struct list_head dev_node;
	struct dma_buf_attachment *import;
};

struct drm_gem_object *edgenpu_gem_create_object(struct drm_device *drm,
						 size_t size);
struct drm_gem_object *
edgenpu_gem_prime_import_sg_table(struct drm_device *drm,
				  struct dma_buf_attachment *attach,
				  struct sg_table *sgt);
void edgenpu_gem_track(struct drm_gem_object *obj);
void edgenpu_gem_unmap_all(struct edgenpu_device *edev);
int edgenpu_bo_vmap(struct drm_gem_object *obj, struct iosys_map *map);

#endif /* __EDGENPU_GEM_H__ */
