/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The device MMU: one context per open file, its page tables, and the
 * mappings of jobs' buffers into it.
 */
#ifndef __ENPCI_MMU_H__
#define __ENPCI_MMU_H__

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>

#include <drm/drm_mm.h>

#include "enpci_regs.h"

struct edgenpu_job;
struct enpci_device;
struct enpci_pt;

/**
 * struct enpci_ctx - one device MMU context: an open file's address space
 * @npu: the device
 * @id: its context id (index in the context table)
 * @pid: the process (thread group) that opened the file, for the test
 *	hooks (enpci_debugfs.c)
 * @lock: protects @mm, the page tables and @maps
 * @mm: allocated device virtual addresses
 * @root: the level-0 page table
 * @node: entry in &enpci_device.contexts
 * @maps: the live job mappings
 */
struct enpci_ctx {
	struct enpci_device *npu;
	u32 id;
	pid_t pid;
	struct mutex lock; /* mm, page tables, maps */
	struct drm_mm mm;
	struct enpci_pt *root;
	struct list_head node;
	struct list_head maps;
};

/**
 * struct enpci_map - a job's buffers, mapped in its file's context
 * @ctx: the context
 * @node: entry in &enpci_ctx.maps
 * @range: the device virtual addresses, every buffer one after another
 * @nbufs: entries in @buftab
 * @buftab: the job's buffer table, as the device reads it
 */
struct enpci_map {
	struct enpci_ctx *ctx;
	struct list_head node;
	struct drm_mm_node range;
	u32 nbufs;
	struct enpci_buf_entry buftab[] __counted_by(nbufs);
};

int enpci_mmu_init(struct enpci_device *npu);
void enpci_mmu_hw_init(struct enpci_device *npu);
void enpci_mmu_fini(struct enpci_device *npu);
int enpci_ctx_create(struct enpci_device *npu, struct enpci_ctx **out);
void enpci_ctx_destroy(struct enpci_ctx *ctx);
struct enpci_map *enpci_map_job(struct enpci_ctx *ctx, struct edgenpu_job *job);
void enpci_unmap_job(struct enpci_map *map);

#endif /* __ENPCI_MMU_H__ */
