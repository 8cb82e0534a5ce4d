// SPDX-License-Identifier: GPL-2.0-only
/*
 * The device MMU of the reference NPU (hardware.rst, "Device MMU").
 *
 * Each open file gets a context: an id in the device's context table and
 * three levels of 4 KiB page tables in coherent DMA memory. A job's
 * buffers are the only thing its context maps, so a job can reach
 * nothing of another file whatever its command stream or descriptor
 * says: isolation is enforced by the device, not only by the validator.
 *
 * The simplest correct scheme: a job's buffers are mapped at submission
 * (where allocating page tables is allowed), back to back in one range of
 * device addresses, and unmapped when the job is freed, after it ran or
 * was stopped. Page tables, once allocated, stay until the context goes.
 */

#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/overflow.h>
#include <linux/scatterlist.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include <drm/edgenpu_accel.h>

#include "enpci_drv.h"
#include "enpci_mmu.h"

/* Contexts hand out addresses from one page up: 0 stays unmapped. */
#define ENPCI_VA_START		ENPCI_PAGE_SIZE
#define ENPCI_VA_END		BIT_ULL(ENPCI_VA_BITS)

/* Intermediate entries allow everything; the last level decides. */
#define ENPCI_PDE_FLAGS		(ENPCI_PTE_VALID | ENPCI_PTE_READ | ENPCI_PTE_WRITE)

/**
 * struct enpci_pt - one page table
 * @cpu: its 512 entries, as the device reads them
 * @dma: its bus address
 * @child: the tables its entries point to; NULL at the last level
 */
struct enpci_pt {
	__le64 *cpu;
	dma_addr_t dma;
	struct enpci_pt **child;
};

static struct device *enpci_dev(const struct enpci_device *npu)
{
	return &npu->pdev->dev;
}

static struct enpci_pt *enpci_pt_alloc(struct enpci_device *npu, bool leaf)
{
	struct enpci_pt *pt = kzalloc(sizeof(*pt), GFP_KERNEL);

	if (!pt)
		return NULL;
	pt->cpu = dma_alloc_coherent(enpci_dev(npu), ENPCI_PAGE_SIZE, &pt->dma,
				     GFP_KERNEL);
	if (!pt->cpu)
		goto err;
	if (!leaf) {
		pt->child = kcalloc(ENPCI_PT_ENTRIES, sizeof(*pt->child),
				    GFP_KERNEL);
		if (!pt->child)
			goto err_table;
	}
	return pt;

err_table:
	dma_free_coherent(enpci_dev(npu), ENPCI_PAGE_SIZE, pt->cpu, pt->dma);
err:
	kfree(pt);
	return NULL;
}

static void enpci_pt_free(struct enpci_device *npu, struct enpci_pt *pt)
{
	unsigned int i;

	if (!pt)
		return;
	if (pt->child) {
		for (i = 0; i < ENPCI_PT_ENTRIES; i++)
			enpci_pt_free(npu, pt->child[i]);
		kfree(pt->child);
	}
	dma_free_coherent(enpci_dev(npu), ENPCI_PAGE_SIZE, pt->cpu, pt->dma);
	kfree(pt);
}

/*
 * The last-level entry for @va, allocating the tables on the way when
 * @alloc is set. NULL when a table is missing (or cannot be allocated).
 */
static __le64 *enpci_pte(struct enpci_ctx *ctx, u64 va, bool alloc)
{
	struct enpci_pt *pt = ctx->root;
	unsigned int level;

	for (level = 0; level < 2; level++) {
		unsigned int idx = (va >> (30 - 9 * level)) & (ENPCI_PT_ENTRIES - 1);
		struct enpci_pt *next = pt->child[idx];

		if (!next) {
			if (!alloc)
				return NULL;
			next = enpci_pt_alloc(ctx->npu, level == 1);
			if (!next)
				return NULL;
			pt->child[idx] = next;
			pt->cpu[idx] = cpu_to_le64((next->dma & ENPCI_PTE_ADDR_MASK) |
						   ENPCI_PDE_FLAGS);
		}
		pt = next;
	}
	return &pt->cpu[(va >> 12) & (ENPCI_PT_ENTRIES - 1)];
}

/* Clear the entries of [@va, @va + @len); the caller invalidates. */
static void enpci_clear_range(struct enpci_ctx *ctx, u64 va, u64 len)
{
	u64 end = va + len;

	for (; va < end; va += ENPCI_PAGE_SIZE) {
		__le64 *pte = enpci_pte(ctx, va, false);

		if (pte)
			*pte = 0;
	}
}

static void enpci_invalidate(struct enpci_ctx *ctx)
{
	/* The device drops its cached translations before this returns. */
	enpci_write(ctx->npu, ENPCI_MMU_INVALIDATE, ctx->id);
}

/**
 * enpci_mmu_init() - allocate the context table
 * @npu: the device, its BAR mapped
 *
 * Return: 0 or a negative errno.
 */
int enpci_mmu_init(struct enpci_device *npu)
{
	size_t size = array_size(npu->num_ctx, sizeof(*npu->ctx_table));

	ida_init(&npu->ctx_ida);
	mutex_init(&npu->ctx_lock);
	INIT_LIST_HEAD(&npu->contexts);
	npu->ctx_table = dmam_alloc_coherent(enpci_dev(npu),
					     max_t(size_t, size, ENPCI_PAGE_SIZE),
					     &npu->ctx_table_dma, GFP_KERNEL);
	return npu->ctx_table ? 0 : -ENOMEM;
}

/**
 * enpci_mmu_hw_init() - point the device at the context table
 * @npu: the device, after RESET (which forgets it)
 */
void enpci_mmu_hw_init(struct enpci_device *npu)
{
	enpci_write(npu, ENPCI_MMU_CTX_TABLE_LO, lower_32_bits(npu->ctx_table_dma));
	enpci_write(npu, ENPCI_MMU_CTX_TABLE_HI, upper_32_bits(npu->ctx_table_dma));
}

/* Unmap and free a job mapping; the caller holds ctx->lock. */
static void enpci_map_free_locked(struct enpci_map *map)
{
	struct enpci_ctx *ctx = map->ctx;

	enpci_clear_range(ctx, map->range.start, map->range.size);
	enpci_invalidate(ctx);
	drm_mm_remove_node(&map->range);
	list_del(&map->node);
	kfree(map);
}

/**
 * enpci_ctx_create() - a new MMU context, for a file
 * @npu: the device
 * @out: set to the context
 *
 * Return: 0, -ENOSPC when every context id is taken, or -ENOMEM.
 */
int enpci_ctx_create(struct enpci_device *npu, struct enpci_ctx **out)
{
	struct enpci_ctx *ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	int id;

	if (!ctx)
		return -ENOMEM;
	ctx->npu = npu;
	ctx->pid = task_tgid_nr(current);
	mutex_init(&ctx->lock);
	INIT_LIST_HEAD(&ctx->maps);
	drm_mm_init(&ctx->mm, ENPCI_VA_START, ENPCI_VA_END - ENPCI_VA_START);
	ctx->root = enpci_pt_alloc(npu, false);
	if (!ctx->root)
		goto err;
	/* Context 0 is never handed out: a zeroed descriptor faults. */
	id = ida_alloc_range(&npu->ctx_ida, 1, npu->num_ctx - 1, GFP_KERNEL);
	if (id < 0)
		goto err_pt;
	ctx->id = id;

	mutex_lock(&npu->ctx_lock);
	npu->ctx_table[id] = cpu_to_le64((ctx->root->dma & ENPCI_PTE_ADDR_MASK) |
					 ENPCI_CTX_VALID);
	list_add(&ctx->node, &npu->contexts);
	mutex_unlock(&npu->ctx_lock);
	enpci_invalidate(ctx);
	*out = ctx;
	return 0;

err_pt:
	enpci_pt_free(npu, ctx->root);
	kfree(ctx);
	return id;
err:
	kfree(ctx);
	return -ENOMEM;
}

/**
 * enpci_ctx_destroy() - free an MMU context and what it still maps
 * @ctx: the context; no job of it runs
 */
void enpci_ctx_destroy(struct enpci_ctx *ctx)
{
	struct enpci_device *npu = ctx->npu;
	struct enpci_map *map, *tmp;

	mutex_lock(&npu->ctx_lock);
	npu->ctx_table[ctx->id] = 0;
	list_del(&ctx->node);
	mutex_unlock(&npu->ctx_lock);

	mutex_lock(&ctx->lock);
	list_for_each_entry_safe(map, tmp, &ctx->maps, node)
		enpci_map_free_locked(map);
	mutex_unlock(&ctx->lock);
	enpci_invalidate(ctx);

	drm_mm_takedown(&ctx->mm);
	enpci_pt_free(npu, ctx->root);
	ida_free(&npu->ctx_ida, ctx->id);
	mutex_destroy(&ctx->lock);
	kfree(ctx);
}

/**
 * enpci_mmu_fini() - free every context left, at removal
 * @npu: the device; the core no longer calls the backend
 */
void enpci_mmu_fini(struct enpci_device *npu)
{
	struct enpci_ctx *ctx, *tmp;

	list_for_each_entry_safe(ctx, tmp, &npu->contexts, node)
		enpci_ctx_destroy(ctx);
	ida_destroy(&npu->ctx_ida);
}

/* Map one buffer's pages at @va; the caller holds ctx->lock. */
static int enpci_map_buffer(struct enpci_ctx *ctx, u64 va,
			    const struct edgenpu_job_buffer *buf)
{
	u64 prot = ENPCI_PTE_VALID | ENPCI_PTE_READ;
	u64 end = va + ALIGN(buf->size, ENPCI_PAGE_SIZE);
	struct sg_dma_page_iter iter;
	unsigned int k;

	if (buf->flags & DRM_EDGENPU_BUF_WRITE)
		prot |= ENPCI_PTE_WRITE;
	/* A CPU page may hold several device pages. */
	for_each_sgtable_dma_page(buf->sgt, &iter, 0) {
		dma_addr_t addr = sg_page_iter_dma_address(&iter);

		for (k = 0; k < PAGE_SIZE / ENPCI_PAGE_SIZE && va < end; k++) {
			__le64 *pte = enpci_pte(ctx, va, true);

			if (!pte)
				return -ENOMEM;
			*pte = cpu_to_le64(((addr + k * ENPCI_PAGE_SIZE) &
					    ENPCI_PTE_ADDR_MASK) | prot);
			va += ENPCI_PAGE_SIZE;
		}
		if (va >= end)
			return 0;
	}
	return va >= end ? 0 : -EINVAL;
}

/* Map every buffer of @job into @map's range; the caller holds ctx->lock. */
static int enpci_map_buffers(struct enpci_map *map, struct edgenpu_job *job)
{
	u64 va = map->range.start;
	u32 i;
	int ret;

	for (i = 0; i < map->nbufs; i++) {
		struct edgenpu_job_buffer buf;
		u32 flags = 0;

		ret = edgenpu_job_buffer(job, i, &buf);
		if (ret)
			return ret;
		ret = enpci_map_buffer(map->ctx, va, &buf);
		if (ret)
			return ret;
		if (buf.flags & DRM_EDGENPU_BUF_READ)
			flags |= ENPCI_BUF_READ;
		if (buf.flags & DRM_EDGENPU_BUF_WRITE)
			flags |= ENPCI_BUF_WRITE;
		map->buftab[i].va = cpu_to_le64(va);
		map->buftab[i].size = cpu_to_le32(buf.size);
		map->buftab[i].flags = cpu_to_le32(flags);
		va += ALIGN(buf.size, ENPCI_PAGE_SIZE);
	}
	return 0;
}

/* Device address space the job's buffers take, back to back. */
static int enpci_map_span(struct edgenpu_job *job, u32 nbufs, u64 *span)
{
	u64 total = 0;
	u32 i;
	int ret;

	for (i = 0; i < nbufs; i++) {
		struct edgenpu_job_buffer buf;

		ret = edgenpu_job_buffer(job, i, &buf);
		if (ret)
			return ret;
		/* The buffer table has 32 bits for a size. */
		if (!buf.size || buf.size > U32_MAX)
			return -E2BIG;
		total += ALIGN(buf.size, ENPCI_PAGE_SIZE);
	}
	/* The device takes at most 1 GiB of buffers per job. */
	if (total > SZ_1G)
		return -E2BIG;
	*span = total;
	return 0;
}

/**
 * enpci_map_job() - map a job's buffers into its file's context
 * @ctx: the file's context
 * @job: the job, at submission
 *
 * Return: the mapping, with the buffer table the device reads, or an
 * ERR_PTR().
 */
struct enpci_map *enpci_map_job(struct enpci_ctx *ctx, struct edgenpu_job *job)
{
	u32 nbufs = edgenpu_job_num_buffers(job);
	struct enpci_map *map;
	u64 span;
	int ret;

	if (nbufs > ENPCI_MAX_BUFFERS)
		return ERR_PTR(-E2BIG);
	ret = enpci_map_span(job, nbufs, &span);
	if (ret)
		return ERR_PTR(ret);
	map = kzalloc(struct_size(map, buftab, nbufs), GFP_KERNEL);
	if (!map)
		return ERR_PTR(-ENOMEM);
	map->ctx = ctx;
	map->nbufs = nbufs;

	mutex_lock(&ctx->lock);
	ret = drm_mm_insert_node(&ctx->mm, &map->range, span);
	if (ret)
		goto err;
	list_add(&map->node, &ctx->maps);
	ret = enpci_map_buffers(map, job);
	if (ret) {
		enpci_map_free_locked(map);
		mutex_unlock(&ctx->lock);
		return ERR_PTR(ret);
	}
	mutex_unlock(&ctx->lock);
	return map;

err:
	mutex_unlock(&ctx->lock);
	kfree(map);
	return ERR_PTR(ret);
}

/**
 * enpci_unmap_job() - unmap a job's buffers, once the job is over
 * @map: from enpci_map_job()
 *
 * The device forgets the translations (MMU_INVALIDATE) before the
 * buffers' pages can be reused.
 */
void enpci_unmap_job(struct enpci_map *map)
{
	struct enpci_ctx *ctx = map->ctx;

	mutex_lock(&ctx->lock);
	enpci_map_free_locked(map);
	mutex_unlock(&ctx->lock);
}
