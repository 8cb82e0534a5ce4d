// SPDX-License-Identifier: GPL-2.0-only
/*
 * The PCI backend's part of a crash dump (&edgenpu_backend_ops.coredump):
 * what the device itself says about a hung core. The core calls it from
 * the timeout handler before it resets the core, because CORE_RESET
 * clears STATUS, IRQ_STATUS, FAULT_* and the queue pointers: read after
 * the reset they would show an idle core.
 *
 * Text, one "NAME: value" line each, register names as in
 * Documentation/edgenpu/hardware.rst: the global registers, the hung
 * core's registers, then its ring as the driver filled it (the
 * descriptors in flight, the running job's and the one queued behind it,
 * their buffer tables and completion records, and the record of the job
 * before them). On the fence-signalling path:
 * register reads and copies only, nothing allocated.
 */

#include <linux/kernel.h>

#include "enpci_drv.h"
#include "enpci_dump.h"

/* Buffer table entries shown per descriptor: the sizes are in the dump. */
#define ENPCI_DUMP_BUFTAB	16

static const char *enpci_dump_power(u32 power)
{
	switch (power) {
	case ENPCI_POWER_ON:
		return "ON";
	case ENPCI_POWER_IDLE:
		return "IDLE";
	case ENPCI_POWER_OFF:
		return "OFF";
	default:
		return "?";
	}
}

/* TIMESTAMP_LO latches TIMESTAMP_HI: read it first. */
static u64 enpci_dump_timestamp(const struct enpci_device *npu)
{
	u32 lo = enpci_read(npu, ENPCI_TIMESTAMP_LO);

	return (u64)enpci_read(npu, ENPCI_TIMESTAMP_HI) << 32 | lo;
}

static size_t enpci_dump_global(const struct enpci_device *npu, char *buf,
				size_t size)
{
	u32 power = enpci_read(npu, ENPCI_POWER);

	return scnprintf(buf, size,
			 "device registers:\n"
			 "  ID: 0x%08x\n  VERSION: 0x%08x\n  FEATURES: 0x%08x\n"
			 "  NUM_CORES: %u\n  OP_MASK: 0x%08x%08x\n"
			 "  QUEUE_DEPTH: %u\n  SRAM_KIB: %u\n  TIMESTAMP: %llu\n"
			 "  IRQ_PENDING: 0x%08x\n  POWER: %u (%s)\n"
			 "  MMU_CTX_TABLE: 0x%08x%08x\n  MMU_NUM_CTX: %u\n",
			 enpci_read(npu, ENPCI_ID), enpci_read(npu, ENPCI_VERSION),
			 enpci_read(npu, ENPCI_FEATURES),
			 enpci_read(npu, ENPCI_NUM_CORES),
			 enpci_read(npu, ENPCI_OP_MASK_HI),
			 enpci_read(npu, ENPCI_OP_MASK_LO),
			 enpci_read(npu, ENPCI_QUEUE_DEPTH),
			 enpci_read(npu, ENPCI_SRAM_KIB), enpci_dump_timestamp(npu),
			 enpci_read(npu, ENPCI_IRQ_PENDING), power,
			 enpci_dump_power(power),
			 enpci_read(npu, ENPCI_MMU_CTX_TABLE_HI),
			 enpci_read(npu, ENPCI_MMU_CTX_TABLE_LO),
			 enpci_read(npu, ENPCI_MMU_NUM_CTX));
}

static size_t enpci_dump_core_regs(const struct enpci_core *core, char *buf,
				   size_t size)
{
	u32 status = enpci_core_read(core, ENPCI_STATUS);

	return scnprintf(buf, size,
			 "core %u registers:\n"
			 "  Q_BASE: 0x%08x%08x\n  Q_SIZE: %u\n  Q_HEAD: %u\n"
			 "  Q_TAIL: %u\n  STATUS: 0x%08x (%s%s)\n"
			 "  IRQ_STATUS: 0x%08x\n  IRQ_MASK: 0x%08x\n"
			 "  FAULT_STATUS: %u\n  FAULT_ADDR: 0x%08x%08x\n"
			 "  FAULT_INFO: 0x%08x\n  JOBS_DONE: %u\n",
			 core->index, enpci_core_read(core, ENPCI_Q_BASE_HI),
			 enpci_core_read(core, ENPCI_Q_BASE_LO),
			 enpci_core_read(core, ENPCI_Q_SIZE),
			 enpci_core_read(core, ENPCI_Q_HEAD),
			 enpci_core_read(core, ENPCI_Q_TAIL), status,
			 status & ENPCI_STATUS_BUSY ? "busy" : "not busy",
			 status & ENPCI_STATUS_IDLE_OFF ? ", not powered" : "",
			 enpci_core_read(core, ENPCI_IRQ_STATUS),
			 enpci_core_read(core, ENPCI_IRQ_MASK),
			 enpci_core_read(core, ENPCI_FAULT_STATUS),
			 enpci_core_read(core, ENPCI_FAULT_ADDR_HI),
			 enpci_core_read(core, ENPCI_FAULT_ADDR_LO),
			 enpci_core_read(core, ENPCI_FAULT_INFO),
			 enpci_core_read(core, ENPCI_JOBS_DONE));
}

/* Descriptor @slot, and the MMU context table entry of its context. */
static size_t enpci_dump_desc(const struct enpci_core *core, u32 slot,
			      char *buf, size_t size)
{
	const struct enpci_desc *d = &core->ring[slot];
	const struct enpci_device *npu = core->npu;
	u32 ctx = le32_to_cpu(READ_ONCE(d->ctx));
	u64 entry = ctx < npu->num_ctx ?
		    le64_to_cpu(READ_ONCE(npu->ctx_table[ctx])) : 0;

	return scnprintf(buf, size,
			 "  desc[%u]: ctx=%u flags=0x%x cmd_addr=0x%llx cmd_size=%u num_buffers=%u buftab_addr=0x%llx profile_addr=0x%llx done_addr=0x%llx seqno=%llu\n"
			 "  ctx_table[%u]: 0x%016llx\n",
			 slot, ctx, le32_to_cpu(d->flags),
			 le64_to_cpu(d->cmd_addr), le32_to_cpu(d->cmd_size),
			 le32_to_cpu(d->num_buffers), le64_to_cpu(d->buftab_addr),
			 le64_to_cpu(d->profile_addr), le64_to_cpu(d->done_addr),
			 le64_to_cpu(d->seqno), ctx, entry);
}

/* The buffer table of descriptor @slot, in job buffer set @b. */
static size_t enpci_dump_buftab(const struct enpci_core *core, u32 slot,
				const struct enpci_jobbuf *b, char *buf,
				size_t size)
{
	u32 nbufs = le32_to_cpu(core->ring[slot].num_buffers);
	u32 i, shown = min_t(u32, nbufs, ENPCI_DUMP_BUFTAB);
	size_t n = 0;

	for (i = 0; i < shown; i++) {
		const struct enpci_buf_entry *e = &b->buftab[i];
		u32 f = le32_to_cpu(e->flags);

		n += scnprintf(buf + n, size - n,
			       "  buftab[%u]: va=0x%llx size=%u flags=%s%s\n", i,
			       le64_to_cpu(e->va), le32_to_cpu(e->size),
			       f & ENPCI_BUF_READ ? "r" : "",
			       f & ENPCI_BUF_WRITE ? "w" : "");
	}
	if (nbufs > shown)
		n += scnprintf(buf + n, size - n, "  buftab: %u more\n",
			       nbufs - shown);
	return n;
}

static size_t enpci_dump_done(const struct enpci_core *core, u32 slot,
			      char *buf, size_t size)
{
	const struct enpci_done *r = &core->done[slot];

	return scnprintf(buf, size,
			 "  done[%u]: seqno=%llu status=%u info=0x%x start_ns=%llu end_ns=%llu\n",
			 slot, le64_to_cpu(READ_ONCE(r->seqno)),
			 le32_to_cpu(r->status), le32_to_cpu(r->info),
			 le64_to_cpu(r->start_ns), le64_to_cpu(r->end_ns));
}

/*
 * The ring as the driver filled it: each job the core holds, oldest
 * (running) first, and the completion record of the entry before them.
 */
static size_t enpci_dump_ring(struct enpci_core *core, char *buf, size_t size)
{
	u32 slots[ENPCI_MAX_INFLIGHT], sets[ENPCI_MAX_INFLIGHT];
	u32 count, tail, k, mask = core->size - 1;
	unsigned long flags;
	u64 seqno;
	size_t n;

	spin_lock_irqsave(&core->lock, flags);
	count = core->count;
	for (k = 0; k < count; k++) {
		sets[k] = (core->first + k) % ENPCI_MAX_INFLIGHT;
		slots[k] = core->fifo[sets[k]].slot;
	}
	tail = core->tail;
	seqno = core->seqno;
	spin_unlock_irqrestore(&core->lock, flags);

	if (count)
		n = scnprintf(buf, size,
			      "core %u ring: driver tail %u, %u job(s) in flight, job in flight at slot %u, last seqno %llu\n",
			      core->index, tail, count, slots[0], seqno);
	else
		n = scnprintf(buf, size,
			      "core %u ring: driver tail %u, no job in flight, last seqno %llu\n",
			      core->index, tail, seqno);
	for (k = 0; k < count; k++) {
		n += enpci_dump_desc(core, slots[k], buf + n, size - n);
		n += enpci_dump_buftab(core, slots[k], &core->bufs[sets[k]],
				       buf + n, size - n);
		n += enpci_dump_done(core, slots[k], buf + n, size - n);
	}
	n += enpci_dump_done(core, ((count ? slots[0] : tail) - 1) & mask,
			     buf + n, size - n);
	return n;
}

/**
 * enpci_dump() - the PCI NPU's section of a hung job's crash dump
 * @priv: the &struct enpci_device
 * @core: the hung core
 * @buf: where the text goes
 * @size: its size
 *
 * &edgenpu_backend_ops.coredump: before the reset, no allocation.
 *
 * Return: the bytes written, without the NUL.
 */
size_t enpci_dump(void *priv, unsigned int core, char *buf, size_t size)
{
	struct enpci_device *npu = priv;
	size_t n;

	n = enpci_dump_global(npu, buf, size);
	n += enpci_dump_core_regs(&npu->cores[core], buf + n, size - n);
	n += enpci_dump_ring(&npu->cores[core], buf + n, size - n);
	return n;
}
