/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The PCI backend's device: the reference NPU of
 * Documentation/edgenpu/hardware.rst, and its register accessors.
 */
#ifndef __ENPCI_DRV_H__
#define __ENPCI_DRV_H__

#include <linux/idr.h>
#include <linux/io.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "../edgenpu_backend.h"
#include "enpci_regs.h"

extern const struct edgenpu_backend_driver enpci_backend_driver;

struct enpci_device;
struct enpci_test;

/*
 * Jobs a core holds at once: the running one and one queued behind it in
 * the ring (&drm_edgenpu_caps.core_queue_depth); one on a device whose
 * rings have two entries (enpci_read_caps()).
 */
#define ENPCI_MAX_INFLIGHT	2

/**
 * struct enpci_jobbuf - the DMA buffers of one job the core holds
 * @cmd: its command stream (1 MiB)
 * @buftab: its buffer table
 * @profile: its per-op timestamps
 * @cmd_dma: bus address of @cmd
 * @buftab_dma: of @buftab
 * @profile_dma: of @profile
 */
struct enpci_jobbuf {
	void *cmd;
	struct enpci_buf_entry *buftab;
	__le64 *profile;
	dma_addr_t cmd_dma;
	dma_addr_t buftab_dma;
	dma_addr_t profile_dma;
};

/**
 * struct enpci_inflight - a job the core holds, and its descriptor
 * @job: the job, until it is reported or a reset drops it
 * @seqno: its descriptor's seqno (never 0)
 * @slot: its ring entry
 * @ctx: its MMU context id
 * @cmd_size: its command stream's size
 * @nbufs: entries in its buffer table
 * @profile: it records per-op timestamps
 */
struct enpci_inflight {
	struct edgenpu_job *job;
	u64 seqno;
	u32 slot;
	u32 ctx;
	u32 cmd_size;
	u32 nbufs;
	bool profile;
};

/**
 * struct enpci_core - one execution core: its ring and job buffers
 * @npu: its device
 * @index: core number
 * @irq: its MSI-X vector's Linux IRQ
 * @lock: protects @fifo, @first, @count, @seqno and @tail against the
 *	IRQ handler
 * @fifo: the jobs the core holds, in ring order from @first; entry I
 *	uses @bufs[I]
 * @first: the oldest one's index in @fifo
 * @count: how many the core holds (at most &enpci_device.max_inflight)
 * @seqno: the last descriptor's seqno
 * @tail: the next free ring entry (Q_TAIL)
 * @size: ring entries (Q_SIZE)
 * @ring: the descriptor ring, @size 64-byte descriptors
 * @done: one 32-byte completion record per ring entry
 * @bufs: command stream, buffer table and profile area of each job the
 *	core may hold
 * @ring_dma: bus address of @ring
 * @done_dma: of @done
 */
struct enpci_core {
	struct enpci_device *npu;
	unsigned int index;
	int irq;
	spinlock_t lock; /* fifo, first, count, seqno, tail */
	struct enpci_inflight fifo[ENPCI_MAX_INFLIGHT];
	u32 first;
	u32 count;
	u64 seqno;
	u32 tail;
	u32 size;
	struct enpci_desc *ring;
	struct enpci_done *done;
	struct enpci_jobbuf bufs[ENPCI_MAX_INFLIGHT];
	dma_addr_t ring_dma;
	dma_addr_t done_dma;
};

/**
 * struct enpci_device - one reference NPU on PCI
 * @pdev: its PCI device
 * @regs: BAR0
 * @edev: the core's view of it
 * @num_cores: cores the device has (NUM_CORES)
 * @queue_depth: the entries of each core's ring: QUEUE_DEPTH, rounded
 *	down to a power of two, at most 256
 * @max_inflight: the jobs a core holds at once, %ENPCI_MAX_INFLIGHT or,
 *	with a ring of two entries, 1 (a full ring would look empty)
 * @op_mask: opcodes it executes (OP_MASK_HI:LO)
 * @features: FEATURES
 * @num_ctx: MMU context table entries (MMU_NUM_CTX)
 * @ctx_table: the MMU context table
 * @ctx_table_dma: its bus address
 * @ctx_ida: allocated context ids (0 is never used)
 * @ctx_lock: protects @contexts and the context table
 * @contexts: every live MMU context, freed at removal at the latest
 * @test: the test hooks' state (enpci_debugfs.c); NULL unless the
 *	enpci_test_hooks module parameter is set
 * @cores: the cores
 */
struct enpci_device {
	struct pci_dev *pdev;
	void __iomem *regs;
	struct edgenpu_device *edev;
	unsigned int num_cores;
	u32 queue_depth;
	u32 max_inflight;
	u64 op_mask;
	u32 features;
	u32 num_ctx;
	__le64 *ctx_table;
	dma_addr_t ctx_table_dma;
	struct ida ctx_ida;
	struct mutex ctx_lock; /* contexts, ctx_table */
	struct list_head contexts;
	struct enpci_test *test;
	struct enpci_core cores[EDGENPU_MAX_CORES];
};

static inline u32 enpci_read(const struct enpci_device *npu, u32 reg)
{
	return readl(npu->regs + reg);
}

static inline void enpci_write(const struct enpci_device *npu, u32 reg, u32 val)
{
	writel(val, npu->regs + reg);
}

static inline u32 enpci_core_read(const struct enpci_core *core, u32 reg)
{
	return enpci_read(core->npu, ENPCI_CORE_BASE(core->index) + reg);
}

static inline void enpci_core_write(const struct enpci_core *core, u32 reg,
				    u32 val)
{
	enpci_write(core->npu, ENPCI_CORE_BASE(core->index) + reg, val);
}

#endif /* __ENPCI_DRV_H__ */
