/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Buffer objects: GEM shmem objects charged to the file that made them.
 */
#ifndef __EDGENPU_GEM_H__
#define __EDGENPU_GEM_H__

#include <linux/iosys-map.h>

#include <drm/drm_gem_shmem_helper.h>

struct edgenpu_file;

/**
 * struct edgenpu_bo - a buffer object: GEM shmem and its owner
 * @base: the shmem object
 * @owner: the file it is charged to (referenced), or NULL for imports
 */
struct edgenpu_bo {
	struct drm_gem_shmem_object base;
	struct edgenpu_file *owner;
};

struct drm_gem_object *edgenpu_gem_create_object(struct drm_device *drm,
						 size_t size);
int edgenpu_bo_vmap(struct drm_gem_object *obj, struct iosys_map *map);

#endif /* __EDGENPU_GEM_H__ */
