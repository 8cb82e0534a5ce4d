// SPDX-License-Identifier: GPL-2.0-only
/*
 * The cores' job queues (hardware.rst, "Descriptors and completion").
 *
 * The core's scheduler gives a core up to &enpci_device.max_inflight
 * jobs (two): the running one and the next, queued behind it in the
 * ring, so that the core starts the next job as soon as one ends,
 * without waiting for the driver. Each job the core holds has its own
 * command stream buffer, buffer table and profile area (&enpci_core.bufs)
 * and its entry in &enpci_core.fifo, in ring order. A job's end is its
 * completion record, found by the MSI-X handler after it has
 * acknowledged IRQ_STATUS, so a job that ends meanwhile raises a new
 * interrupt; the handler reports every job whose record is written,
 * oldest first. Whoever takes a job off the core under its lock (the
 * handler or a reset) reports it, so it is reported at most once.
 *
 * CORE_RESET empties the ring (HEAD = TAIL = 0): a reset reports the
 * jobs that had finished and drops the others, which the edgenpu core
 * gives back with run_job (the innocent ones behind a hung job); a
 * QUEUE_FAULT fails the job at HEAD and queues the ones behind it again
 * at the new ring head itself.
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

/* r->addr when FAULT_ADDR may describe another job, or was cleared. */
#define ENPCI_ADDR_UNKNOWN		U64_MAX

#define ENPCI_PROFILE_SIZE	(EDGENPU_CMD_MAX_OPS * 2 * sizeof(__le64))

/* One job's command stream, buffer table and profile area. */
static int enpci_jobbuf_init(struct device *dev, struct enpci_jobbuf *b)
{
	b->cmd = dmam_alloc_coherent(dev, ENPCI_MAX_CMD_SIZE, &b->cmd_dma,
				     GFP_KERNEL);
	b->buftab = dmam_alloc_coherent(dev, ENPCI_MAX_BUFFERS * sizeof(*b->buftab),
					&b->buftab_dma, GFP_KERNEL);
	b->profile = dmam_alloc_coherent(dev, ENPCI_PROFILE_SIZE,
					 &b->profile_dma, GFP_KERNEL);
	return b->cmd && b->buftab && b->profile ? 0 : -ENOMEM;
}

/**
 * enpci_queue_init() - allocate each core's ring and job buffers
 * @npu: the device, its capabilities read
 *
 * Coherent DMA memory, device-managed: it goes after remove. A set of
 * job buffers for each job a core may hold.
 *
 * Return: 0 or -ENOMEM.
 */
int enpci_queue_init(struct enpci_device *npu)
{
	struct device *dev = &npu->pdev->dev;
	unsigned int i, j;

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
		if (!core->ring || !core->done)
			return -ENOMEM;
		for (j = 0; j < npu->max_inflight; j++)
			if (enpci_jobbuf_init(dev, &core->bufs[j]))
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
	core->first = 0;
	core->count = 0;
	enpci_core_write(core, ENPCI_Q_BASE_LO, lower_32_bits(core->ring_dma));
	enpci_core_write(core, ENPCI_Q_BASE_HI, upper_32_bits(core->ring_dma));
	enpci_core_write(core, ENPCI_Q_SIZE, core->size);
	enpci_core_write(core, ENPCI_IRQ_MASK, ENPCI_IRQ_ALL);
}

/*
 * Put fifo entry @i's job at the ring's tail; the lock is held. The
 * caller rings the doorbell.
 */
static void enpci_queue_push_locked(struct enpci_core *core, u32 i)
{
	struct enpci_inflight *e = &core->fifo[i];
	const struct enpci_jobbuf *b = &core->bufs[i];
	struct enpci_desc *d = &core->ring[core->tail];

	e->slot = core->tail;
	memset(&core->done[e->slot], 0, sizeof(core->done[e->slot]));
	d->ctx = cpu_to_le32(e->ctx);
	d->flags = cpu_to_le32(e->profile ? ENPCI_DESC_PROFILE : 0);
	d->cmd_addr = cpu_to_le64(b->cmd_dma);
	d->cmd_size = cpu_to_le32(e->cmd_size);
	d->num_buffers = cpu_to_le32(e->nbufs);
	d->buftab_addr = cpu_to_le64(b->buftab_dma);
	d->profile_addr = cpu_to_le64(e->profile ? b->profile_dma : 0);
	d->done_addr = cpu_to_le64(core->done_dma + e->slot * sizeof(*core->done));
	d->seqno = cpu_to_le64(e->seqno);
	d->reserved = 0;
	core->tail = (core->tail + 1) & (core->size - 1);
}

/**
 * enpci_queue_run() - start a job on a core, or queue it behind the ones
 *	the core holds
 * @core: the core; it holds fewer than &enpci_device.max_inflight jobs
 * @job: the job
 * @map: its buffers, mapped in its file's context
 *
 * On the fence-signalling path: copies and a doorbell, no allocation.
 * Calls for one core never overlap (the core's scheduler, or its
 * timeout handler with the scheduler stopped).
 */
void enpci_queue_run(struct enpci_core *core, struct edgenpu_job *job,
		     const struct enpci_map *map)
{
	u32 size, nops, i;
	const void *cmds = edgenpu_job_cmds(job, &size);
	bool profile = edgenpu_job_profile_area(job, &nops);
	struct enpci_inflight *e;
	struct enpci_jobbuf *b;
	unsigned long flags;
	bool full;

	/* The core validated the job; this is the device's own limit. */
	if (size > ENPCI_MAX_CMD_SIZE || nops > EDGENPU_CMD_MAX_OPS) {
		edgenpu_job_set_fault(job, -1, 0, "the job is too large for the device");
		edgenpu_job_done(job, -E2BIG);
		return;
	}
	/*
	 * The free entry stays free until this job takes it: the handler
	 * and a reset only retire jobs, which leaves first + count as is.
	 */
	spin_lock_irqsave(&core->lock, flags);
	full = core->count >= core->npu->max_inflight;
	i = (core->first + core->count) % ENPCI_MAX_INFLIGHT;
	spin_unlock_irqrestore(&core->lock, flags);
	if (WARN_ON_ONCE(full)) {
		edgenpu_job_set_fault(job, -1, 0, "the core's queue is full");
		edgenpu_job_done(job, -EBUSY);
		return;
	}
	b = &core->bufs[i];
	memcpy(b->cmd, cmds, size);
	memcpy(b->buftab, map->buftab, map->nbufs * sizeof(*b->buftab));
	enpci_test_redirect(core, b->buftab, map);

	spin_lock_irqsave(&core->lock, flags);
	e = &core->fifo[i];
	if (!++core->seqno)
		core->seqno = 1;
	e->job = job;
	e->seqno = core->seqno;
	e->ctx = map->ctx->id;
	e->cmd_size = size;
	e->nbufs = map->nbufs;
	e->profile = profile;
	core->count++;
	enpci_queue_push_locked(core, i);
	enpci_test_queue_fault(core, &core->ring[e->slot], map);
	/* writel() orders the descriptor's memory writes before the doorbell. */
	enpci_core_write(core, ENPCI_Q_TAIL, core->tail);
	spin_unlock_irqrestore(&core->lock, flags);
}

/*
 * Whether the oldest job the core holds has its completion record; if so
 * its result, with its profile copied to the job's buffer while its
 * entry (and profile area) cannot be reused. The lock is held.
 */
static bool enpci_queue_finished_locked(struct enpci_core *core,
					struct enpci_result *r)
{
	const struct enpci_inflight *e = &core->fifo[core->first];
	struct enpci_done *done = &core->done[e->slot];
	const __le64 *profile = core->bufs[core->first].profile;
	u32 nops, i;
	u64 *times;

	if (le64_to_cpu(READ_ONCE(done->seqno)) != e->seqno)
		return false;
	/* Read the rest of the record only after its seqno. */
	dma_rmb();
	r->status = le32_to_cpu(done->status);
	r->info = le32_to_cpu(done->info);
	r->start_ns = le64_to_cpu(done->start_ns);
	r->end_ns = le64_to_cpu(done->end_ns);
	r->addr = ENPCI_ADDR_UNKNOWN;
	times = edgenpu_job_profile_area(e->job, &nops);
	if (times && !r->status)
		for (i = 0; i < nops * 2; i++)
			times[i] = le64_to_cpu(profile[i]);
	return true;
}

/* Take the oldest job off the core; the lock is held. */
static struct edgenpu_job *enpci_queue_pop_locked(struct enpci_core *core)
{
	struct enpci_inflight *e = &core->fifo[core->first];
	struct edgenpu_job *job = e->job;

	e->job = NULL;
	core->first = (core->first + 1) % ENPCI_MAX_INFLIGHT;
	core->count--;
	return job;
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
		if (r->addr == ENPCI_ADDR_UNKNOWN)
			snprintf(msg, sizeof(msg), "device MMU %s fault (op %u)",
				 what[r->status], op);
		else
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
static void enpci_queue_complete(struct edgenpu_job *job,
				 const struct enpci_result *r)
{
	int error = 0;

	edgenpu_job_set_times(job, r->start_ns, r->end_ns);
	if (r->status)
		error = enpci_queue_fault(job, r);
	edgenpu_job_done(job, error);
}

/*
 * The jobs one pass takes off a core: every job it holds, plus the one a
 * QUEUE_FAULT fails.
 */
struct enpci_batch {
	struct edgenpu_job *job[ENPCI_MAX_INFLIGHT];
	struct enpci_result r[ENPCI_MAX_INFLIGHT];
	unsigned int n;
};

/*
 * Take off the core, oldest first, every job whose completion record is
 * written; the lock is held. FAULT_* describe the last job that failed:
 * a faulting job's address is read only while no later job has ended
 * (the device writes a record before it latches FAULT_*), else it is
 * unknown.
 */
static void enpci_queue_collect_locked(struct enpci_core *core,
				       struct enpci_batch *b, bool fault_regs)
{
	struct enpci_result *r;

	while (core->count && enpci_queue_finished_locked(core, &b->r[b->n])) {
		r = &b->r[b->n];
		b->job[b->n++] = enpci_queue_pop_locked(core);
		if (!fault_regs || (r->status != ENPCI_FAULT_TRANSLATION &&
				    r->status != ENPCI_FAULT_PERMISSION))
			continue;
		r->addr = enpci_core_read(core, ENPCI_FAULT_ADDR_LO) |
			  (u64)enpci_core_read(core, ENPCI_FAULT_ADDR_HI) << 32;
		if (core->count &&
		    le64_to_cpu(READ_ONCE(core->done[core->fifo[core->first].slot].seqno)) ==
		    core->fifo[core->first].seqno)
			r->addr = ENPCI_ADDR_UNKNOWN;
	}
}

/* Report a batch, oldest first, outside the lock. */
static void enpci_queue_report(const struct enpci_batch *b)
{
	unsigned int i;

	for (i = 0; i < b->n; i++)
		enpci_queue_complete(b->job[i], &b->r[i]);
}

/*
 * A bad ring entry stopped the core at the oldest job it holds: fail that
 * one, restart the core and queue the jobs behind it again at the new
 * ring head. The lock is held.
 */
static void enpci_queue_restart_locked(struct enpci_core *core,
				       struct enpci_batch *b)
{
	u32 k;

	if (core->count) {
		memset(&b->r[b->n], 0, sizeof(b->r[b->n]));
		b->r[b->n].status = ENPCI_STATUS_QUEUE_FAULT;
		b->job[b->n++] = enpci_queue_pop_locked(core);
	}
	enpci_core_write(core, ENPCI_CORE_RESET, 1);
	core->tail = 0;
	enpci_core_write(core, ENPCI_IRQ_MASK, ENPCI_IRQ_ALL);
	for (k = 0; k < core->count; k++)
		enpci_queue_push_locked(core, (core->first + k) % ENPCI_MAX_INFLIGHT);
	if (core->count)
		enpci_core_write(core, ENPCI_Q_TAIL, core->tail);
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
	struct enpci_batch b;
	u32 status;

	status = enpci_core_read(core, ENPCI_IRQ_STATUS);
	if (!status || status == U32_MAX)	/* not ours, or surprise removal */
		return IRQ_NONE;
	/* Acknowledge first: a job that ends meanwhile interrupts again. */
	enpci_core_write(core, ENPCI_IRQ_STATUS, status);

	b.n = 0;
	spin_lock(&core->lock);
	enpci_queue_collect_locked(core, &b, true);
	if (status & ENPCI_IRQ_QUEUE_FAULT)
		enpci_queue_restart_locked(core, &b);
	spin_unlock(&core->lock);

	enpci_queue_report(&b);
	return IRQ_HANDLED;
}

/**
 * enpci_queue_reset() - stop a core and bring it back to idle
 * @core: the core
 *
 * CORE_RESET stops the running job at once, never writes its completion
 * or its buffers, and empties the ring. The jobs whose records were
 * written before are reported here, oldest first; the others (the
 * stopped one and those queued behind it) are dropped, and the handler
 * can no longer see them: the edgenpu core fails the hung one and gives
 * the rest back with run_job.
 */
void enpci_queue_reset(struct enpci_core *core)
{
	struct enpci_batch b = { .n = 0 };

	spin_lock_irq(&core->lock);
	enpci_core_write(core, ENPCI_CORE_RESET, 1);
	/* FAULT_* were cleared: no addresses. */
	enpci_queue_collect_locked(core, &b, false);
	while (core->count)
		enpci_queue_pop_locked(core);
	core->tail = 0;
	enpci_core_write(core, ENPCI_IRQ_MASK, ENPCI_IRQ_ALL);
	spin_unlock_irq(&core->lock);

	/* A handler that was running has finished with the core. */
	synchronize_irq(core->irq);
	enpci_queue_report(&b);
}
