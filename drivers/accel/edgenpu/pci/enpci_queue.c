// SPDX-License-Identifier: GPL-2.0-only
/*
 * The cores' job queues (hardware.rst, "Descriptors and completion").
 *
 * The core's scheduler gives a core one job at a time, so each core has
 * one command stream buffer, buffer table and profile area, reused by
 * every job, and at most one descriptor in flight in its ring. A job's
 * end is its completion record, found by the MSI-X handler after it has
 * acknowledged IRQ_STATUS, so a job that ends meanwhile raises a new
 * interrupt. Whoever takes the job off the core under its lock (the
 * handler or a reset) reports it, so it is reported at most once.
 */

#include <linux/dma-mapping.h>
#include <linux/string.h>

#include <drm/edgenpu_cmdstream.h>

#include "enpci_debugfs.h"
#include "enpci_drv.h"
#include "enpci_mmu.h"
#include "enpci_queue.h"

/* What a finished job's completion record (and fault registers) said. */
struct enpci_result {
	u32 status;
	u32 info;
	u64 addr;
	u64 start_ns;
	u64 end_ns;
};

#define ENPCI_STATUS_QUEUE_FAULT	U32_MAX

#define ENPCI_PROFILE_SIZE	(EDGENPU_CMD_MAX_OPS * 2 * sizeof(__le64))

/**
 * enpci_queue_init() - allocate each core's ring and job buffers
 * @npu: the device, its capabilities read
 *
 * Coherent DMA memory, device-managed: it goes after remove.
 *
 * Return: 0 or -ENOMEM.
 */
int enpci_queue_init(struct enpci_device *npu)
{
	struct device *dev = &npu->pdev->dev;
	unsigned int i;

	for (i = 0; i < npu->num_cores; i++) {
		struct enpci_core *core = &npu->cores[i];

		core->npu = npu;
		core->index = i;
		core->size = npu->queue_depth;
		spin_lock_init(&core->lock);
		core->ring = dmam_alloc_coherent(dev, core->size * sizeof(*core->ring),
						 &core->ring_dma, GFP_KERNEL);
		core->done = dmam_alloc_coherent(dev, core->size * sizeof(*core->done),
						 &core->done_dma, GFP_KERNEL);
		core->cmd = dmam_alloc_coherent(dev, ENPCI_MAX_CMD_SIZE,
						&core->cmd_dma, GFP_KERNEL);
		core->buftab = dmam_alloc_coherent(dev, ENPCI_MAX_BUFFERS *
						   sizeof(*core->buftab),
						   &core->buftab_dma, GFP_KERNEL);
		core->profile = dmam_alloc_coherent(dev, ENPCI_PROFILE_SIZE,
						    &core->profile_dma, GFP_KERNEL);
		if (!core->ring || !core->done || !core->cmd || !core->buftab ||
		    !core->profile)
			return -ENOMEM;
	}
	return 0;
}

/**
 * enpci_queue_hw_init() - program a core's ring, after a device RESET
 * @core: the core
 */
void enpci_queue_hw_init(struct enpci_core *core)
{
	core->tail = 0;
	enpci_core_write(core, ENPCI_Q_BASE_LO, lower_32_bits(core->ring_dma));
	enpci_core_write(core, ENPCI_Q_BASE_HI, upper_32_bits(core->ring_dma));
	enpci_core_write(core, ENPCI_Q_SIZE, core->size);
	enpci_core_write(core, ENPCI_IRQ_MASK, ENPCI_IRQ_ALL);
}

/* Fill ring entry @slot for the job now in the core's buffers. */
static void enpci_queue_fill(struct enpci_core *core, u32 slot, u32 ctx,
			     u32 cmd_size, u32 nbufs, bool profile)
{
	struct enpci_desc *d = &core->ring[slot];

	memset(&core->done[slot], 0, sizeof(core->done[slot]));
	d->ctx = cpu_to_le32(ctx);
	d->flags = cpu_to_le32(profile ? ENPCI_DESC_PROFILE : 0);
	d->cmd_addr = cpu_to_le64(core->cmd_dma);
	d->cmd_size = cpu_to_le32(cmd_size);
	d->num_buffers = cpu_to_le32(nbufs);
	d->buftab_addr = cpu_to_le64(core->buftab_dma);
	d->profile_addr = cpu_to_le64(profile ? core->profile_dma : 0);
	d->done_addr = cpu_to_le64(core->done_dma + slot * sizeof(*core->done));
	d->seqno = cpu_to_le64(core->seqno);
	d->reserved = 0;
}

/**
 * enpci_queue_run() - start a job on a core
 * @core: the core; it runs nothing
 * @job: the job
 * @map: its buffers, mapped in its file's context
 *
 * On the fence-signalling path: copies and a doorbell, no allocation.
 */
void enpci_queue_run(struct enpci_core *core, struct edgenpu_job *job,
		     const struct enpci_map *map)
{
	u32 size, nops;
	const void *cmds = edgenpu_job_cmds(job, &size);
	bool profile = edgenpu_job_profile_area(job, &nops);
	unsigned long flags;

	/* The core validated the job; this is the device's own limit. */
	if (size > ENPCI_MAX_CMD_SIZE || nops > EDGENPU_CMD_MAX_OPS) {
		edgenpu_job_set_fault(job, -1, 0, "the job is too large for the device");
		edgenpu_job_done(job, -E2BIG);
		return;
	}
	memcpy(core->cmd, cmds, size);
	memcpy(core->buftab, map->buftab, map->nbufs * sizeof(*core->buftab));
	enpci_test_redirect(core, map);

	spin_lock_irqsave(&core->lock, flags);
	if (!++core->seqno)
		core->seqno = 1;
	core->slot = core->tail;
	enpci_queue_fill(core, core->slot, map->ctx->id, size, map->nbufs,
			 profile);
	core->job = job;
	core->tail = (core->tail + 1) & (core->size - 1);
	/* writel() orders the descriptor's memory writes before the doorbell. */
	enpci_core_write(core, ENPCI_Q_TAIL, core->tail);
	spin_unlock_irqrestore(&core->lock, flags);
}

/* The in-flight job's completion record, if the device wrote it. */
static bool enpci_queue_finished(struct enpci_core *core, struct enpci_result *r)
{
	struct enpci_done *done = &core->done[core->slot];

	if (le64_to_cpu(READ_ONCE(done->seqno)) != core->seqno)
		return false;
	/* Read the rest of the record only after its seqno. */
	dma_rmb();
	r->status = le32_to_cpu(done->status);
	r->info = le32_to_cpu(done->info);
	r->start_ns = le64_to_cpu(done->start_ns);
	r->end_ns = le64_to_cpu(done->end_ns);
	r->addr = 0;
	return true;
}

/* Why the job failed, for LAST_ERROR; returns its errno. */
static int enpci_queue_fault(struct edgenpu_job *job, const struct enpci_result *r)
{
	static const char *const what[] = {
		[ENPCI_FAULT_TRANSLATION] = "translation",
		[ENPCI_FAULT_PERMISSION] = "permission",
	};
	u32 op = ENPCI_FAULT_INFO_OP(r->info);
	u32 code = ENPCI_FAULT_INFO_CODE(r->info);
	char msg[96];

	switch (r->status) {
	case ENPCI_FAULT_TRANSLATION:
	case ENPCI_FAULT_PERMISSION:
		snprintf(msg, sizeof(msg),
			 "device MMU %s fault at device address 0x%llx (op %u)",
			 what[r->status], r->addr, op);
		edgenpu_job_set_fault(job, op, 0, msg);
		return -EFAULT;
	case ENPCI_FAULT_ENGINE:
		snprintf(msg, sizeof(msg), "the device's engine failed op %u (code %u)",
			 op, code);
		edgenpu_job_set_fault(job, op, code, msg);
		return -EIO;
	case ENPCI_FAULT_OPMASK:
		snprintf(msg, sizeof(msg), "op %u is not one the device executes", op);
		edgenpu_job_set_fault(job, op, 0, msg);
		return -EIO;
	case ENPCI_STATUS_QUEUE_FAULT:
		edgenpu_job_set_fault(job, -1, 0,
				      "queue fault: the core stopped and was reset");
		return -EIO;
	default:
		snprintf(msg, sizeof(msg), "the device failed the job (status %u)",
			 r->status);
		edgenpu_job_set_fault(job, -1, 0, msg);
		return -EIO;
	}
}

/* Report a job the core has finished; the job was taken off the core. */
static void enpci_queue_complete(struct enpci_core *core,
				 struct edgenpu_job *job,
				 const struct enpci_result *r)
{
	u32 nops, i;
	u64 *times = edgenpu_job_profile_area(job, &nops);
	int error = 0;

	if (times && !r->status)
		for (i = 0; i < nops * 2; i++)
			times[i] = le64_to_cpu(core->profile[i]);
	edgenpu_job_set_times(job, r->start_ns, r->end_ns);
	if (r->status)
		error = enpci_queue_fault(job, r);
	edgenpu_job_done(job, error);
}

/* A bad ring entry stopped the core: restart it; the lock is held. */
static void enpci_queue_restart_locked(struct enpci_core *core)
{
	enpci_core_write(core, ENPCI_CORE_RESET, 1);
	core->tail = 0;
	enpci_core_write(core, ENPCI_IRQ_MASK, ENPCI_IRQ_ALL);
}

/**
 * enpci_queue_irq() - a core's MSI-X handler
 * @irq: its vector
 * @data: the core
 *
 * Return: IRQ_HANDLED, or IRQ_NONE when the core raised nothing.
 */
irqreturn_t enpci_queue_irq(int irq, void *data)
{
	struct enpci_core *core = data;
	struct edgenpu_job *job = NULL;
	struct enpci_result r;
	u32 status;

	status = enpci_core_read(core, ENPCI_IRQ_STATUS);
	if (!status || status == U32_MAX)	/* not ours, or surprise removal */
		return IRQ_NONE;
	/* Acknowledge first: a job that ends meanwhile interrupts again. */
	enpci_core_write(core, ENPCI_IRQ_STATUS, status);

	spin_lock(&core->lock);
	if (core->job && enpci_queue_finished(core, &r)) {
		if (r.status == ENPCI_FAULT_TRANSLATION ||
		    r.status == ENPCI_FAULT_PERMISSION)
			r.addr = enpci_core_read(core, ENPCI_FAULT_ADDR_LO) |
				 (u64)enpci_core_read(core, ENPCI_FAULT_ADDR_HI) << 32;
		job = core->job;
		core->job = NULL;
	} else if (core->job && (status & ENPCI_IRQ_QUEUE_FAULT)) {
		memset(&r, 0, sizeof(r));
		r.status = ENPCI_STATUS_QUEUE_FAULT;
		job = core->job;
		core->job = NULL;
	}
	if (status & ENPCI_IRQ_QUEUE_FAULT)
		enpci_queue_restart_locked(core);
	spin_unlock(&core->lock);

	if (job)
		enpci_queue_complete(core, job, &r);
	return IRQ_HANDLED;
}

/**
 * enpci_queue_reset() - stop a core and bring it back to idle
 * @core: the core
 *
 * CORE_RESET stops the running job at once and never writes its
 * completion. A job whose record was written before is reported here; a
 * stopped one is dropped, and the handler can no longer see it.
 */
void enpci_queue_reset(struct enpci_core *core)
{
	struct edgenpu_job *job;
	struct enpci_result r;
	bool finished = false;

	spin_lock_irq(&core->lock);
	enpci_core_write(core, ENPCI_CORE_RESET, 1);
	job = core->job;
	core->job = NULL;
	if (job)
		finished = enpci_queue_finished(core, &r);
	core->tail = 0;
	enpci_core_write(core, ENPCI_IRQ_MASK, ENPCI_IRQ_ALL);
	spin_unlock_irq(&core->lock);

	/* A handler that was running has finished with the core. */
	synchronize_irq(core->irq);
	if (job && finished)
		enpci_queue_complete(core, job, &r);
}
