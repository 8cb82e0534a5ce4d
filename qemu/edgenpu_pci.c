/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * edgenpu-pci: the edgenpu reference NPU as a QEMU PCI device.
 *
 * The datasheet is Documentation/edgenpu/hardware.rst of the edgenpu
 * project; this file implements it. Each core runs the jobs of its
 * descriptor ring on its own thread with the project's freestanding int8
 * engine (drivers/accel/edgenpu/engine, copied next to this file by
 * scripts/build-qemu). Everything the guest hands in (descriptors,
 * command streams, buffer tables, page tables) is read by DMA and
 * checked: a hostile guest gets a device fault, never a crash.
 *
 * Locking: register state belongs to the BQL (MMIO handlers run with it).
 * A core thread holds the BQL while it reads descriptors and buffers,
 * writes results and raises interrupts, and drops it while the engine
 * runs; CORE_RESET bumps the core's generation, which the engine's
 * cancellation hook polls and which every later step rechecks under the
 * BQL, so a stopped job never writes anything back.
 */
#include "qemu/osdep.h"
#include "qemu/units.h"
#include "qemu/bitops.h"
#include "qemu/thread.h"
#include "qemu/timer.h"
#include "qemu/main-loop.h"
#include "qemu/module.h"
#include "qemu/log.h"
#include "qemu/memalign.h"
#include "qapi/error.h"
#include "hw/pci/pci.h"
#include "hw/pci/msix.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "qom/object.h"

#include "edgenpu/engine/edgenpu_engine.h"

#define TYPE_EDGENPU_PCI "edgenpu-pci"
OBJECT_DECLARE_SIMPLE_TYPE(EdgenpuState, EDGENPU_PCI)

#define NPU_VENDOR_ID		0x1234
#define NPU_DEVICE_ID		0x4e50
#define NPU_REVISION		0x01
#define NPU_CLASS		0x1200	/* processing accelerator */

#define NPU_BAR0_SIZE		(64 * KiB)
#define NPU_MAX_CORES		8
#define NPU_NUM_CTX		256
#define NPU_MAX_CMD		(1u << 20)
#define NPU_MAX_BUFS		256
/* Bounce memory one job may ask for (hardware.rst, "Descriptors"). */
#define NPU_MAX_JOB_BYTES	(1ull << 30)

/* Global registers. */
#define R_ID			0x000
#define R_VERSION		0x004
#define R_FEATURES		0x008
#define R_NUM_CORES		0x00c
#define R_OP_MASK_LO		0x010
#define R_OP_MASK_HI		0x014
#define R_QUEUE_DEPTH		0x018
#define R_SRAM_KIB		0x01c
#define R_TIMESTAMP_LO		0x020
#define R_TIMESTAMP_HI		0x024
#define R_IRQ_PENDING		0x030
#define R_RESET			0x040
#define R_POWER			0x044
#define R_MMU_CTX_LO		0x050
#define R_MMU_CTX_HI		0x054
#define R_MMU_NUM_CTX		0x058
#define R_MMU_INVALIDATE	0x05c

#define NPU_ID			0x4e505531u
#define NPU_VERSION		(1u << 16)
#define FEAT_MMU		BIT(0)
#define FEAT_FAULT_INJ		BIT(1)

/* Per-core registers, at CORE_BASE + C * CORE_STRIDE. */
#define CORE_BASE		0x1000
#define CORE_STRIDE		0x100
#define C_Q_BASE_LO		0x00
#define C_Q_BASE_HI		0x04
#define C_Q_SIZE		0x08
#define C_Q_HEAD		0x0c
#define C_Q_TAIL		0x10
#define C_STATUS		0x14
#define C_IRQ_STATUS		0x18
#define C_IRQ_MASK		0x1c
#define C_CORE_RESET		0x20
#define C_FAULT_STATUS		0x24
#define C_FAULT_ADDR_LO		0x28
#define C_FAULT_ADDR_HI		0x2c
#define C_FAULT_INFO		0x30
#define C_JOBS_DONE		0x34

#define ST_BUSY			BIT(0)
#define ST_IDLE_OFF		BIT(1)

#define IRQ_DONE		BIT(0)
#define IRQ_ERROR		BIT(1)
#define IRQ_QUEUE_FAULT		BIT(2)
#define IRQ_ALL			(IRQ_DONE | IRQ_ERROR | IRQ_QUEUE_FAULT)

enum {
	FAULT_NONE = 0,
	FAULT_TRANSLATION = 1,
	FAULT_PERMISSION = 2,
	FAULT_DESCRIPTOR = 3,
	FAULT_ENGINE = 4,
	FAULT_OPMASK = 5,
};

/* Fault injection block. */
#define INJ_BASE		0x8000
#define INJ_HANG		0x00
#define INJ_FAIL		0x04
#define INJ_CORRUPT		0x08
#define INJ_LATENCY_US		0x0c

enum { POWER_ON = 0, POWER_IDLE = 1, POWER_OFF = 2 };

/* Device MMU. */
#define PTE_VALID		BIT_ULL(0)
#define PTE_READ		BIT_ULL(1)
#define PTE_WRITE		BIT_ULL(2)
#define PTE_ADDR_MASK		0x000ffffffffff000ull
#define CTX_ADDR_MASK		0xfffffffffffff000ull
#define NPU_VA_BITS		39
#define NPU_PAGE		4096ull

#define BUF_READ		EDGENPU_BUF_READ
#define BUF_WRITE		EDGENPU_BUF_WRITE

/* In-memory formats (little-endian). */
typedef struct NpuDesc {
	uint32_t ctx;
	uint32_t flags;
	uint64_t cmd_addr;
	uint32_t cmd_size;
	uint32_t num_buffers;
	uint64_t buftab_addr;
	uint64_t profile_addr;
	uint64_t done_addr;
	uint64_t seqno;
	uint64_t reserved;
} QEMU_PACKED NpuDesc;

typedef struct NpuBufEntry {
	uint64_t va;
	uint32_t size;
	uint32_t flags;
} QEMU_PACKED NpuBufEntry;

typedef struct NpuDone {
	uint64_t seqno;
	uint32_t status;
	uint32_t info;
	uint64_t start_ns;
	uint64_t end_ns;
} QEMU_PACKED NpuDone;

#define DESC_F_PROFILE		BIT(0)

typedef struct EdgenpuState EdgenpuState;

typedef struct EdgenpuCore {
	EdgenpuState *npu;
	unsigned int idx;
	QemuThread thread;
	QemuCond cond;
	bool stop;		/* the thread exits (unrealize) */

	/* Registers (BQL). */
	uint64_t q_base;
	uint32_t q_size;
	uint32_t q_head;
	uint32_t q_tail;
	uint32_t status;
	uint32_t irq_status;
	uint32_t irq_mask;
	uint32_t fault_status;
	uint64_t fault_addr;
	uint32_t fault_info;
	uint32_t jobs_done;
	bool stopped;		/* QUEUE_FAULT: until CORE_RESET */

	/* Bumped by every reset; read by the engine's hook without BQL. */
	uint32_t gen;

	/* Thread-private job state. */
	void *scratch;
} EdgenpuCore;

struct EdgenpuState {
	PCIDevice parent_obj;
	MemoryRegion mmio;

	/* Properties. */
	uint32_t num_cores;
	uint32_t queue_depth;
	uint32_t sram_kib;
	uint64_t op_mask;
	bool fault_injection;

	/* Global registers (BQL). */
	uint32_t power;
	uint64_t ctx_table;
	uint32_t ts_hi_latch;
	int64_t ts_offset;	/* TIMESTAMP = host ns - ts_offset while ON */
	int64_t ts_frozen;	/* TIMESTAMP while not ON */
	uint32_t inj_hang, inj_fail, inj_corrupt, inj_latency_us;

	EdgenpuCore core[NPU_MAX_CORES];
};

/* ---- time ---- */

static int64_t host_ns(void)
{
	return qemu_clock_get_ns(QEMU_CLOCK_REALTIME);
}

static uint64_t npu_timestamp(EdgenpuState *s)
{
	if (qatomic_read(&s->power) != POWER_ON) {
		return qatomic_read(&s->ts_frozen);
	}
	return host_ns() - qatomic_read(&s->ts_offset);
}

/* ---- interrupts ---- */

static void core_raise(EdgenpuCore *c, uint32_t bits)
{
	uint32_t before = c->irq_status & c->irq_mask;

	c->irq_status |= bits;
	if ((c->irq_status & c->irq_mask) & ~before) {
		msix_notify(PCI_DEVICE(c->npu), c->idx);
	}
}

/* ---- reset ---- */

static void core_reset(EdgenpuCore *c, bool keep_queue)
{
	qatomic_inc(&c->gen);
	c->q_head = 0;
	c->q_tail = 0;
	c->status = 0;
	c->irq_status = 0;
	c->fault_status = 0;
	c->fault_addr = 0;
	c->fault_info = 0;
	c->stopped = false;
	if (!keep_queue) {
		c->q_base = 0;
		c->q_size = 0;
		c->irq_mask = 0;
		c->jobs_done = 0;
	}
	/* Wake a hanging job so that it sees the new generation. */
	qemu_cond_broadcast(&c->cond);
}

static void npu_lose_state(EdgenpuState *s)
{
	unsigned int i;

	for (i = 0; i < s->num_cores; i++) {
		core_reset(&s->core[i], false);
	}
	s->ctx_table = 0;
	s->inj_hang = s->inj_fail = s->inj_corrupt = 0;
	qatomic_set(&s->inj_latency_us, 0);
}

static void npu_set_power(EdgenpuState *s, uint32_t p)
{
	unsigned int i;

	if (p == s->power) {
		return;
	}
	if (p == POWER_ON) {
		qatomic_set(&s->ts_offset, host_ns() - s->ts_frozen);
		qatomic_set(&s->power, POWER_ON);
		for (i = 0; i < s->num_cores; i++) {
			qemu_cond_broadcast(&s->core[i].cond);
		}
		return;
	}
	if (s->power == POWER_ON) {
		qatomic_set(&s->ts_frozen, host_ns() - s->ts_offset);
	}
	qatomic_set(&s->power, p);
	if (p == POWER_OFF) {
		npu_lose_state(s);
	}
}

static void npu_full_reset(EdgenpuState *s)
{
	npu_lose_state(s);
	npu_set_power(s, POWER_ON);
}

/* ---- the device MMU ---- */

typedef struct NpuMmu {
	EdgenpuState *s;
	uint64_t l0;		/* bus address of the context's level-0 table */
	bool valid;
	/* One cached leaf table: the device may cache translations. */
	uint64_t leaf_va;	/* va >> 21 of the cached table, or ~0 */
	uint64_t leaf[512];
} NpuMmu;

/*
 * Translate one page. Returns FAULT_NONE and the page's bus address, or
 * the fault code. Permission bits are checked on the last level.
 */
static int mmu_translate(NpuMmu *m, uint64_t va, uint32_t need, uint64_t *pa)
{
	PCIDevice *pdev = PCI_DEVICE(m->s);
	uint64_t e, table;
	unsigned int lvl, idx;

	if (!m->valid || va >> NPU_VA_BITS) {
		return FAULT_TRANSLATION;
	}
	if (m->leaf_va != va >> 21) {
		table = m->l0;
		for (lvl = 0; lvl < 2; lvl++) {
			idx = (va >> (30 - 9 * lvl)) & 511;
			if (pci_dma_read(pdev, table + idx * 8, &e, 8) != MEMTX_OK) {
				return FAULT_TRANSLATION;
			}
			e = le64_to_cpu(e);
			if (!(e & PTE_VALID)) {
				return FAULT_TRANSLATION;
			}
			table = e & PTE_ADDR_MASK;
		}
		if (pci_dma_read(pdev, table, m->leaf, sizeof(m->leaf)) != MEMTX_OK) {
			m->leaf_va = ~0ull;
			return FAULT_TRANSLATION;
		}
		m->leaf_va = va >> 21;
	}
	e = le64_to_cpu(m->leaf[(va >> 12) & 511]);
	if (!(e & PTE_VALID)) {
		return FAULT_TRANSLATION;
	}
	if (((need & BUF_READ) && !(e & PTE_READ)) ||
	    ((need & BUF_WRITE) && !(e & PTE_WRITE))) {
		return FAULT_PERMISSION;
	}
	*pa = (e & PTE_ADDR_MASK) | (va & (NPU_PAGE - 1));
	return FAULT_NONE;
}

/* ---- one job ---- */

typedef struct NpuJob {
	EdgenpuCore *c;
	uint32_t gen;
	NpuDesc d;
	void *cmd;
	uint32_t nbufs;
	NpuBufEntry *tab;
	struct edgenpu_engine_buffer *ebufs;
	uint8_t *bounce;
	uint64_t *op_times;
	uint32_t op_count;
	/* result */
	uint32_t status;
	uint32_t info;
	uint64_t fault_addr;
} NpuJob;

static void job_fail(NpuJob *j, uint32_t status, uint64_t addr, uint32_t info)
{
	j->status = status;
	j->fault_addr = addr;
	j->info = info;
}

static bool job_cancelled(EdgenpuCore *c, uint32_t gen)
{
	return qatomic_read(&c->gen) != gen || qatomic_read(&c->stop);
}

static int hook_cancelled(void *ctx, uint32_t op_index)
{
	NpuJob *j = ctx;

	return job_cancelled(j->c, j->gen);
}

static uint64_t hook_now(void *ctx)
{
	NpuJob *j = ctx;

	return npu_timestamp(j->c->npu);
}

/*
 * Copy between a buffer's device VA range and host memory through the
 * MMU, page by page. Returns a fault code; *fault_va the faulting address.
 */
static int mmu_copy(NpuMmu *m, uint64_t va, uint8_t *host, uint64_t len,
		    uint32_t need, bool to_device, uint64_t *fault_va)
{
	PCIDevice *pdev = PCI_DEVICE(m->s);
	uint64_t pa, n;
	MemTxResult r;
	int f;

	while (len) {
		f = mmu_translate(m, va, need, &pa);
		if (f) {
			*fault_va = va;
			return f;
		}
		n = MIN(len, NPU_PAGE - (va & (NPU_PAGE - 1)));
		if (to_device) {
			r = pci_dma_write(pdev, pa, host, n);
		} else {
			r = pci_dma_read(pdev, pa, host, n);
		}
		if (r != MEMTX_OK) {
			*fault_va = va;
			return FAULT_TRANSLATION;
		}
		va += n;
		host += n;
		len -= n;
	}
	return FAULT_NONE;
}

static bool opmask_check(EdgenpuState *s, NpuJob *j)
{
	const struct edgenpu_cmd_header *h = j->cmd;
	const struct edgenpu_cmd_op *op;
	uint64_t off;
	uint32_t i, opcode;

	/* The stream passed edgenpu_engine_validate(): the walk is sound. */
	off = le32_to_cpu(h->header_size);
	for (i = 0; i < j->op_count; i++) {
		if (off + sizeof(*op) > j->d.cmd_size) {
			return true;
		}
		op = (const void *)((const uint8_t *)j->cmd + off);
		opcode = le16_to_cpu(op->opcode);
		if (opcode >= 64 || !(s->op_mask & BIT_ULL(opcode))) {
			job_fail(j, FAULT_OPMASK, 0, i & 0xffff);
			return false;
		}
		if (le32_to_cpu(op->size) < sizeof(*op)) {
			return true;
		}
		off += le32_to_cpu(op->size);
	}
	return true;
}

/*
 * Read the ring entry at Q_HEAD into j->d, in host byte order. Returns
 * false when the entry itself is unreadable: that is a QUEUE_FAULT, not a
 * job fault, because there is no descriptor to report a fault against.
 */
static bool job_read_desc(EdgenpuCore *c, NpuJob *j)
{
	PCIDevice *pdev = PCI_DEVICE(c->npu);

	if (pci_dma_read(pdev, c->q_base + (uint64_t)c->q_head * sizeof(NpuDesc),
			 &j->d, sizeof(j->d)) != MEMTX_OK) {
		return false;
	}
	j->d.ctx = le32_to_cpu(j->d.ctx);
	j->d.flags = le32_to_cpu(j->d.flags);
	j->d.cmd_addr = le64_to_cpu(j->d.cmd_addr);
	j->d.cmd_size = le32_to_cpu(j->d.cmd_size);
	j->d.num_buffers = le32_to_cpu(j->d.num_buffers);
	j->d.buftab_addr = le64_to_cpu(j->d.buftab_addr);
	j->d.profile_addr = le64_to_cpu(j->d.profile_addr);
	j->d.done_addr = le64_to_cpu(j->d.done_addr);
	j->d.seqno = le64_to_cpu(j->d.seqno);
	return true;
}

/*
 * The descriptor's own fields, checked before anything they point at is
 * read: the sizes bound every allocation the job makes. (reserved is
 * compared with 0, which needs no byte swap.)
 */
static bool desc_valid(const NpuDesc *d)
{
	return d->ctx < NPU_NUM_CTX && !(d->flags & ~DESC_F_PROFILE) &&
	       !d->reserved &&
	       d->cmd_size >= sizeof(struct edgenpu_cmd_header) &&
	       d->cmd_size <= NPU_MAX_CMD && d->num_buffers <= NPU_MAX_BUFS;
}

/* Copy the command stream in: it is the driver's memory, not the MMU's. */
static bool job_fetch_cmd(NpuJob *j)
{
	PCIDevice *pdev = PCI_DEVICE(j->c->npu);

	j->cmd = g_malloc(j->d.cmd_size);
	if (pci_dma_read(pdev, j->d.cmd_addr, j->cmd, j->d.cmd_size) != MEMTX_OK) {
		job_fail(j, FAULT_DESCRIPTOR, j->d.cmd_addr, 0);
		return false;
	}
	return true;
}

/*
 * Copy the buffer table in (driver memory too) and fill the engine's view
 * of the buffers. *total is the bounce memory the job needs; it is capped
 * here so that a guest cannot make the device allocate without bound.
 */
static bool job_fetch_buftab(NpuJob *j, uint64_t *total)
{
	PCIDevice *pdev = PCI_DEVICE(j->c->npu);
	uint32_t i;

	j->nbufs = j->d.num_buffers;
	/* + 1: never a NULL table (g_new0 of 0), even with no buffers. */
	j->tab = g_new0(NpuBufEntry, j->nbufs + 1);
	j->ebufs = g_new0(struct edgenpu_engine_buffer, j->nbufs + 1);
	if (j->nbufs &&
	    pci_dma_read(pdev, j->d.buftab_addr, j->tab,
			 j->nbufs * sizeof(NpuBufEntry)) != MEMTX_OK) {
		job_fail(j, FAULT_DESCRIPTOR, j->d.buftab_addr, 0);
		return false;
	}
	*total = 0;
	for (i = 0; i < j->nbufs; i++) {
		j->tab[i].va = le64_to_cpu(j->tab[i].va);
		j->tab[i].size = le32_to_cpu(j->tab[i].size);
		j->tab[i].flags = le32_to_cpu(j->tab[i].flags);
		if (j->tab[i].flags & ~(BUF_READ | BUF_WRITE)) {
			job_fail(j, FAULT_DESCRIPTOR, j->d.buftab_addr + i * 16, 0);
			return false;
		}
		j->ebufs[i].size = j->tab[i].size;
		j->ebufs[i].flags = j->tab[i].flags;
		/* Each buffer 64-byte aligned in the bounce memory. */
		*total += QEMU_ALIGN_UP((uint64_t)j->tab[i].size, 64);
	}
	if (*total > NPU_MAX_JOB_BYTES) {
		job_fail(j, FAULT_DESCRIPTOR, j->d.buftab_addr, 0);
		return false;
	}
	return true;
}

/* The engine's fault info word: op index low, engine error code high. */
static uint32_t engine_fault_info(const struct edgenpu_engine_error *err)
{
	return ((uint32_t)err->op_index & 0xffff) | (err->code << 16);
}

/*
 * The whole job checked before any buffer is touched, so that a rejected
 * job has no side effect on guest memory: the engine's own validation,
 * then this device's OP_MASK.
 */
static bool job_validate(EdgenpuCore *c, NpuJob *j)
{
	struct edgenpu_engine_error err;
	int rc;

	rc = edgenpu_engine_validate(j->cmd, j->d.cmd_size, j->ebufs, j->nbufs,
				     c->scratch, EDGENPU_ENGINE_SCRATCH_SIZE, &err);
	if (rc) {
		job_fail(j, FAULT_ENGINE, 0, engine_fault_info(&err));
		return false;
	}
	j->op_count = le32_to_cpu(((const struct edgenpu_cmd_header *)j->cmd)->op_count);
	return opmask_check(c->npu, j);
}

/*
 * Point the MMU at the job's context. An unreadable or unset context
 * table reads as an invalid entry: every access then faults with
 * FAULT_TRANSLATION, as for an unmapped address.
 */
static void mmu_init_ctx(NpuMmu *m, EdgenpuState *s, uint32_t ctx)
{
	uint64_t ctxe;

	if (s->ctx_table == 0 ||
	    pci_dma_read(PCI_DEVICE(s), s->ctx_table + ctx * 8, &ctxe,
			 8) != MEMTX_OK) {
		ctxe = 0;
	}
	ctxe = le64_to_cpu(ctxe);
	m->s = s;
	m->valid = ctxe & PTE_VALID;
	m->l0 = ctxe & CTX_ADDR_MASK;
	m->leaf_va = ~0ull;
}

/*
 * Allocate the bounce memory and read every buffer into it through the
 * MMU. The engine only ever sees bounce memory, never guest memory, so a
 * guest remapping pages mid-job cannot change what the engine reads.
 */
static bool job_bounce_in(NpuJob *j, NpuMmu *m, uint64_t total)
{
	uint64_t off = 0, fva;
	uint32_t i;
	int f;

	j->bounce = qemu_try_memalign(64, MAX(total, 1));
	if (!j->bounce) {
		job_fail(j, FAULT_DESCRIPTOR, j->d.buftab_addr, 0);
		return false;
	}
	for (i = 0; i < j->nbufs; i++) {
		uint64_t va = j->tab[i].va, sz = j->tab[i].size;

		j->ebufs[i].ptr = j->bounce + off;
		if (sz == 0) {
			continue;
		}
		if (va + sz - 1 < va || (va + sz - 1) >> NPU_VA_BITS) {
			job_fail(j, FAULT_TRANSLATION,
				 va >> NPU_VA_BITS ? va : 1ull << NPU_VA_BITS, 0);
			return false;
		}
		/*
		 * Read every buffer in (WRITE ones too: bytes the job does
		 * not write are written back unchanged), checking the
		 * permissions the buffer's flags ask for.
		 */
		f = mmu_copy(m, va, j->bounce + off, sz, j->tab[i].flags,
			     false, &fva);
		if (f) {
			job_fail(j, f, fva, 0);
			return false;
		}
		off += QEMU_ALIGN_UP(sz, 64);
	}
	return true;
}

/*
 * Fetch and check everything the job needs, with the BQL held. Returns
 * false for a QUEUE_FAULT (unreadable ring entry): nothing else is done.
 * A job fault is left in j->status; the steps stop at the first one.
 */
static bool job_fetch(EdgenpuCore *c, NpuJob *j, NpuMmu *m)
{
	uint64_t total = 0;

	if (!job_read_desc(c, j)) {
		return false;
	}
	if (!desc_valid(&j->d)) {
		job_fail(j, FAULT_DESCRIPTOR, 0, 0);
		return true;
	}
	if (!job_fetch_cmd(j) || !job_fetch_buftab(j, &total) ||
	    !job_validate(c, j)) {
		return true;
	}
	mmu_init_ctx(m, c->npu, j->d.ctx);
	job_bounce_in(j, m, total);
	return true;
}

/* Write back the WRITE buffers (BQL held). */
static void job_writeback(NpuJob *j, NpuMmu *m)
{
	uint64_t fva;
	uint32_t i;
	int f;

	for (i = 0; i < j->nbufs; i++) {
		if (!(j->tab[i].flags & BUF_WRITE) || !j->tab[i].size) {
			continue;
		}
		/* The page tables may have changed: translate again. */
		m->leaf_va = ~0ull;
		f = mmu_copy(m, j->tab[i].va, j->ebufs[i].ptr, j->tab[i].size,
			     BUF_WRITE, true, &fva);
		if (f) {
			job_fail(j, f, fva, 0);
			return;
		}
	}
}

static void job_free(NpuJob *j)
{
	g_free(j->cmd);
	g_free(j->tab);
	g_free(j->ebufs);
	qemu_vfree(j->bounce);
	g_free(j->op_times);
}

/* Sleep up to @us microseconds without the BQL, waking early on reset. */
static void core_delay(EdgenpuCore *c, uint32_t gen, uint64_t us)
{
	while (us && !job_cancelled(c, gen)) {
		uint64_t n = MIN(us, 1000);

		g_usleep(n);
		us -= n;
	}
}

/* The fault injections armed for one job (hardware.rst, fault injection). */
typedef struct NpuInject {
	bool hang;
	bool fail;
	bool corrupt;
	uint32_t latency_us;
} NpuInject;

/*
 * Take this core's injections (BQL held). HANG, FAIL and CORRUPT are
 * one-shot: the job that fetched successfully consumes them, whether or
 * not it faulted. LATENCY_US stays until rewritten.
 */
static NpuInject inject_take(EdgenpuState *s, uint32_t bit)
{
	NpuInject inj = {
		.hang = s->inj_hang & bit,
		.fail = s->inj_fail & bit,
		.corrupt = s->inj_corrupt & bit,
		.latency_us = s->inj_latency_us,
	};

	s->inj_hang &= ~bit;
	s->inj_fail &= ~bit;
	s->inj_corrupt &= ~bit;
	return inj;
}

/*
 * An injected hang: wait until CORE_RESET (or RESET, or unrealize) bumps
 * the generation. The wait drops the BQL, so the guest can reset us.
 */
static void job_hang(EdgenpuCore *c, uint32_t gen)
{
	while (!job_cancelled(c, gen)) {
		qemu_cond_wait_iothread(&c->cond);
	}
}

/* Run the engine on the bounce buffers (no BQL: the engine is slow). */
static void job_engine_run(EdgenpuCore *c, NpuJob *j)
{
	struct edgenpu_engine_hooks hooks = { 0 };
	struct edgenpu_engine_error err;
	int rc;

	/* The hooks let a CORE_RESET stop the engine between ops. */
	hooks.ctx = j;
	hooks.cancelled = hook_cancelled;
	hooks.now = hook_now;
	if (j->d.flags & DESC_F_PROFILE) {
		j->op_times = g_new0(uint64_t, 2 * (uint64_t)j->op_count);
		hooks.op_times = j->op_times;
		hooks.op_times_len = 2 * j->op_count;
	}
	rc = edgenpu_engine_execute(j->cmd, j->d.cmd_size, j->ebufs, j->nbufs,
				    c->scratch, EDGENPU_ENGINE_SCRATCH_SIZE,
				    &hooks, &err);
	if (rc) {
		job_fail(j, FAULT_ENGINE, 0, engine_fault_info(&err));
	}
}

/* Injected corruption: flip the first byte of the first WRITE buffer. */
static void job_corrupt(NpuJob *j)
{
	uint32_t i;

	for (i = 0; i < j->nbufs; i++) {
		if ((j->tab[i].flags & BUF_WRITE) && j->tab[i].size) {
			((uint8_t *)j->ebufs[i].ptr)[0] ^= 0xff;
			return;
		}
	}
}

/*
 * The execute step. Called and returns with the BQL held, but drops it
 * throughout: it touches only the job's private state (bounce memory,
 * scratch) and atomics, so MMIO and the other cores go on meanwhile.
 */
static void job_execute(EdgenpuCore *c, NpuJob *j, const NpuInject *inj)
{
	qemu_mutex_unlock_iothread();
	if (inj->latency_us) {
		core_delay(c, j->gen, inj->latency_us);
	}
	if (j->status == FAULT_NONE && inj->fail) {
		job_fail(j, FAULT_ENGINE, 0, EDGENPU_ENGINE_E_INTERNAL << 16);
	}
	if (j->status == FAULT_NONE) {
		job_engine_run(c, j);
	}
	if (j->status == FAULT_NONE && inj->corrupt) {
		job_corrupt(j);
	}
	qemu_mutex_lock_iothread();
}

/*
 * The per-op timestamps of a profiled job (BQL held). The profile area
 * is the driver's: a bad address is ignored, not a fault.
 */
static void job_write_profile(NpuJob *j)
{
	uint32_t i;

	if (!j->op_times || j->status != FAULT_NONE) {
		return;
	}
	for (i = 0; i < 2 * j->op_count; i++) {
		j->op_times[i] = cpu_to_le64(j->op_times[i]);
	}
	pci_dma_write(PCI_DEVICE(j->c->npu), j->d.profile_addr, j->op_times,
		      16 * (uint64_t)j->op_count);
}

/*
 * The completion record (BQL held). Returns false when it cannot be
 * written: the driver would never learn of the job, so that stops the
 * queue like an unreadable descriptor.
 */
static bool job_write_done(NpuJob *j, uint64_t start)
{
	NpuDone done;

	done.seqno = cpu_to_le64(j->d.seqno);
	done.status = cpu_to_le32(j->status);
	done.info = cpu_to_le32(j->info);
	done.start_ns = cpu_to_le64(start);
	done.end_ns = cpu_to_le64(npu_timestamp(j->c->npu));
	return pci_dma_write(PCI_DEVICE(j->c->npu), j->d.done_addr, &done,
			     sizeof(done)) == MEMTX_OK;
}

/*
 * Retire the job: advance Q_HEAD and raise DONE, or latch the fault
 * registers and raise ERROR (BQL held).
 */
static void core_retire(EdgenpuCore *c, NpuJob *j)
{
	if (job_cancelled(c, j->gen) || !c->q_size) {
		return;	/* the record went to our own CORE_RESET or RESET */
	}
	c->q_head = (c->q_head + 1) & (c->q_size - 1);
	c->jobs_done++;
	c->status &= ~ST_BUSY;
	if (j->status == FAULT_NONE) {
		core_raise(c, IRQ_DONE);
	} else {
		c->fault_status = j->status;
		c->fault_addr = j->fault_addr;
		c->fault_info = j->info;
		core_raise(c, IRQ_ERROR);
	}
}

/*
 * QUEUE_FAULT: the core stops until CORE_RESET (BQL held). Not after a
 * reset that raced with the job: the reset already cleared the core.
 */
static void core_queue_fault(EdgenpuCore *c, uint32_t gen)
{
	if (!job_cancelled(c, gen)) {
		c->stopped = true;
		c->status &= ~ST_BUSY;
		core_raise(c, IRQ_QUEUE_FAULT);
	}
}

/*
 * Run the descriptor at Q_HEAD. Called and returns with the BQL held;
 * only job_execute() drops it. After it, the generation is rechecked so
 * that a job stopped by CORE_RESET writes nothing back.
 */
static void core_run_one(EdgenpuCore *c)
{
	EdgenpuState *s = c->npu;
	NpuMmu *m = g_new0(NpuMmu, 1);	/* 4 KiB leaf cache: not on stack */
	NpuJob j = { .c = c };
	NpuInject inj;
	uint64_t start;

	j.gen = qatomic_read(&c->gen);
	c->status |= ST_BUSY;
	start = npu_timestamp(s);

	if (!job_fetch(c, &j, m)) {
		core_queue_fault(c, j.gen);
		goto out;
	}
	inj = inject_take(s, BIT(c->idx));
	if (j.status == FAULT_NONE && inj.hang) {
		job_hang(c, j.gen);
		goto out;
	}
	job_execute(c, &j, &inj);
	if (job_cancelled(c, j.gen)) {
		goto out;	/* CORE_RESET: nothing is written */
	}
	if (j.status == FAULT_NONE) {
		job_writeback(&j, m);
	}
	job_write_profile(&j);
	if (!job_write_done(&j, start)) {
		core_queue_fault(c, j.gen);
		goto out;
	}
	core_retire(c, &j);
out:
	job_free(&j);
	g_free(m);
}

static bool core_has_work(EdgenpuCore *c)
{
	return c->npu->power == POWER_ON && c->q_size && !c->stopped &&
	       c->q_head != c->q_tail;
}

static void *core_thread(void *opaque)
{
	EdgenpuCore *c = opaque;

	qemu_mutex_lock_iothread();
	while (!c->stop) {
		if (core_has_work(c)) {
			core_run_one(c);
		} else {
			qemu_cond_wait_iothread(&c->cond);
		}
	}
	qemu_mutex_unlock_iothread();
	return NULL;
}

/* ---- registers ---- */

/*
 * MMIO is decoded in three blocks: the per-core registers, the fault
 * injection block and the global registers. Only aligned 32-bit accesses
 * are registers; anything else reads 0 and writes are ignored.
 */
static bool npu_access_ok(hwaddr addr, unsigned size)
{
	return size == 4 && !(addr & 3);
}

static bool is_core_reg(hwaddr addr)
{
	return addr >= CORE_BASE && addr < CORE_BASE + NPU_MAX_CORES * CORE_STRIDE;
}

static bool is_inj_reg(hwaddr addr)
{
	return addr >= INJ_BASE && addr < INJ_BASE + 0x10;
}

static uint32_t core_read(EdgenpuState *s, EdgenpuCore *c, hwaddr reg)
{
	switch (reg) {
	case C_Q_BASE_LO: return (uint32_t)c->q_base;
	case C_Q_BASE_HI: return c->q_base >> 32;
	case C_Q_SIZE: return c->q_size;
	case C_Q_HEAD: return c->q_head;
	case C_Q_TAIL: return c->q_tail;
	case C_STATUS:
		return (c->status & ST_BUSY) |
		       (s->power != POWER_ON ? ST_IDLE_OFF : 0);
	case C_IRQ_STATUS: return c->irq_status;
	case C_IRQ_MASK: return c->irq_mask;
	case C_FAULT_STATUS: return c->fault_status;
	case C_FAULT_ADDR_LO: return (uint32_t)c->fault_addr;
	case C_FAULT_ADDR_HI: return c->fault_addr >> 32;
	case C_FAULT_INFO: return c->fault_info;
	case C_JOBS_DONE: return c->jobs_done;
	default: return 0;
	}
}

/* The block reads as zeros when the property is off (FEATURES says so). */
static uint32_t inj_read(EdgenpuState *s, hwaddr reg)
{
	if (!s->fault_injection) {
		return 0;
	}
	switch (reg) {
	case INJ_HANG: return s->inj_hang;
	case INJ_FAIL: return s->inj_fail;
	case INJ_CORRUPT: return s->inj_corrupt;
	case INJ_LATENCY_US: return s->inj_latency_us;
	}
	return 0;
}

/* One bit per core with an unmasked interrupt pending. */
static uint32_t npu_irq_pending(EdgenpuState *s)
{
	uint32_t v = 0, i;

	for (i = 0; i < s->num_cores; i++) {
		if (s->core[i].irq_status & s->core[i].irq_mask) {
			v |= BIT(i);
		}
	}
	return v;
}

/*
 * TIMESTAMP_LO latches the high half, so that a LO-then-HI read pair is
 * one consistent 64-bit value.
 */
static uint32_t npu_read_timestamp_lo(EdgenpuState *s)
{
	uint64_t ts = npu_timestamp(s);

	s->ts_hi_latch = ts >> 32;
	return (uint32_t)ts;
}

static uint32_t global_read(EdgenpuState *s, hwaddr addr)
{
	switch (addr) {
	case R_ID: return NPU_ID;
	case R_VERSION: return NPU_VERSION;
	case R_FEATURES:
		return FEAT_MMU | (s->fault_injection ? FEAT_FAULT_INJ : 0);
	case R_NUM_CORES: return s->num_cores;
	case R_OP_MASK_LO: return (uint32_t)s->op_mask;
	case R_OP_MASK_HI: return s->op_mask >> 32;
	case R_QUEUE_DEPTH: return s->queue_depth;
	case R_SRAM_KIB: return s->sram_kib;
	case R_TIMESTAMP_LO: return npu_read_timestamp_lo(s);
	case R_TIMESTAMP_HI: return s->ts_hi_latch;
	case R_IRQ_PENDING: return npu_irq_pending(s);
	case R_POWER: return s->power;
	case R_MMU_CTX_LO: return (uint32_t)s->ctx_table;
	case R_MMU_CTX_HI: return s->ctx_table >> 32;
	case R_MMU_NUM_CTX: return NPU_NUM_CTX;
	}
	return 0;
}

static uint64_t npu_read(void *opaque, hwaddr addr, unsigned size)
{
	EdgenpuState *s = opaque;
	uint32_t i;

	if (!npu_access_ok(addr, size)) {
		return 0;
	}
	if (is_core_reg(addr)) {
		i = (addr - CORE_BASE) / CORE_STRIDE;
		/* Cores beyond NUM_CORES read as zeros. */
		if (i >= s->num_cores) {
			return 0;
		}
		return core_read(s, &s->core[i], (addr - CORE_BASE) % CORE_STRIDE);
	}
	if (is_inj_reg(addr)) {
		return inj_read(s, addr - INJ_BASE);
	}
	return global_read(s, addr);
}

static void core_write(EdgenpuState *s, EdgenpuCore *c, hwaddr reg,
		       uint32_t v)
{
	uint32_t before;

	switch (reg) {
	case C_Q_BASE_LO:
		c->q_base = (c->q_base & ~0xffffffffull) | (v & ~63u);
		break;
	case C_Q_BASE_HI:
		c->q_base = (c->q_base & 0xffffffffull) | ((uint64_t)v << 32);
		break;
	case C_Q_SIZE:
		/* A power of two up to QUEUE_DEPTH, or 0; others ignored. */
		if (v == 0 || (is_power_of_2(v) && v <= s->queue_depth)) {
			c->q_size = v;
			if (v) {
				c->q_head &= v - 1;
				c->q_tail &= v - 1;
			} else {
				c->q_head = c->q_tail = 0;
			}
		}
		break;
	case C_Q_TAIL:
		if (c->q_size) {
			c->q_tail = v & (c->q_size - 1);
			qemu_cond_signal(&c->cond);
		}
		break;
	case C_IRQ_STATUS:
		c->irq_status &= ~(v & IRQ_ALL);
		break;
	case C_IRQ_MASK:
		before = c->irq_status & c->irq_mask;
		c->irq_mask = v & IRQ_ALL;
		if ((c->irq_status & c->irq_mask) & ~before) {
			msix_notify(PCI_DEVICE(s), c->idx);
		}
		break;
	case C_CORE_RESET:
		if (v & 1) {
			core_reset(c, true);
		}
		break;
	}
}

/*
 * The injection block; writes ignored when the property is off. Core
 * bits beyond NUM_CORES are dropped. LATENCY_US is read by the core
 * threads too, hence the atomic store.
 */
static void inj_write(EdgenpuState *s, hwaddr reg, uint32_t v)
{
	uint32_t cores = MAKE_64BIT_MASK(0, s->num_cores);

	if (!s->fault_injection) {
		return;
	}
	switch (reg) {
	case INJ_HANG: s->inj_hang = v & cores; break;
	case INJ_FAIL: s->inj_fail = v & cores; break;
	case INJ_CORRUPT: s->inj_corrupt = v & cores; break;
	case INJ_LATENCY_US: qatomic_set(&s->inj_latency_us, v); break;
	}
}

/* POWER: values above OFF ignored; IDLE and OFF only while no core is BUSY. */
static void npu_write_power(EdgenpuState *s, uint32_t v)
{
	bool busy = false;
	uint32_t i;

	if (v > POWER_OFF) {
		return;
	}
	for (i = 0; i < s->num_cores; i++) {
		busy |= s->core[i].status & ST_BUSY;
	}
	if (v == POWER_ON || !busy) {
		npu_set_power(s, v);
	}
}

static void global_write(EdgenpuState *s, hwaddr addr, uint32_t v)
{
	switch (addr) {
	case R_RESET:
		if (v & 1) {
			npu_full_reset(s);
		}
		break;
	case R_POWER:
		npu_write_power(s, v);
		break;
	case R_MMU_CTX_LO:
		/* OFF lost the context table pointer; it stays 0 until ON. */
		if (s->power != POWER_OFF) {
			s->ctx_table = (s->ctx_table & ~0xffffffffull) | (v & ~0xfffu);
		}
		break;
	case R_MMU_CTX_HI:
		if (s->power != POWER_OFF) {
			s->ctx_table = (s->ctx_table & 0xffffffffull) | ((uint64_t)v << 32);
		}
		break;
	case R_MMU_INVALIDATE:
		/*
		 * Translations are cached only within a job, and every job
		 * walks the tables afresh: nothing outlives this write.
		 */
		break;
	}
}

static void npu_write(void *opaque, hwaddr addr, uint64_t val64, unsigned size)
{
	EdgenpuState *s = opaque;
	uint32_t v = val64, i;

	if (!npu_access_ok(addr, size)) {
		return;
	}
	if (is_core_reg(addr)) {
		i = (addr - CORE_BASE) / CORE_STRIDE;
		/* OFF lost the per-core registers; IDLE keeps them writable. */
		if (i < s->num_cores && s->power != POWER_OFF) {
			core_write(s, &s->core[i], (addr - CORE_BASE) % CORE_STRIDE, v);
		}
		return;
	}
	if (is_inj_reg(addr)) {
		inj_write(s, addr - INJ_BASE, v);
		return;
	}
	global_write(s, addr, v);
}

static const MemoryRegionOps npu_mmio_ops = {
	.read = npu_read,
	.write = npu_write,
	.endianness = DEVICE_LITTLE_ENDIAN,
	.valid = {
		.min_access_size = 1,
		.max_access_size = 8,
		.unaligned = true,
	},
	.impl = {
		.min_access_size = 1,
		.max_access_size = 8,
		.unaligned = true,
	},
};

/* ---- device ---- */

static void npu_realize(PCIDevice *pdev, Error **errp)
{
	EdgenpuState *s = EDGENPU_PCI(pdev);
	unsigned int i;
	char name[32];

	if (s->num_cores < 1 || s->num_cores > NPU_MAX_CORES) {
		error_setg(errp, "edgenpu-pci: cores must be 1..%d", NPU_MAX_CORES);
		return;
	}
	if (s->queue_depth < 2 || s->queue_depth > 256 ||
	    !is_power_of_2(s->queue_depth)) {
		error_setg(errp, "edgenpu-pci: queue-depth must be a power of two 2..256");
		return;
	}

	memory_region_init_io(&s->mmio, OBJECT(s), &npu_mmio_ops, s,
			      "edgenpu-mmio", NPU_BAR0_SIZE);
	pci_register_bar(pdev, 0, PCI_BASE_ADDRESS_SPACE_MEMORY, &s->mmio);
	if (msix_init_exclusive_bar(pdev, s->num_cores, 2, errp)) {
		return;
	}
	for (i = 0; i < s->num_cores; i++) {
		msix_vector_use(pdev, i);
	}

	s->power = POWER_ON;
	s->ts_offset = host_ns();
	for (i = 0; i < s->num_cores; i++) {
		EdgenpuCore *c = &s->core[i];

		c->npu = s;
		c->idx = i;
		c->stop = false;
		c->scratch = qemu_memalign(64, EDGENPU_ENGINE_SCRATCH_SIZE);
		qemu_cond_init(&c->cond);
		snprintf(name, sizeof(name), "edgenpu-core%u", i);
		qemu_thread_create(&c->thread, name, core_thread, c,
				   QEMU_THREAD_JOINABLE);
	}
}

static void npu_exit(PCIDevice *pdev)
{
	EdgenpuState *s = EDGENPU_PCI(pdev);
	unsigned int i;

	for (i = 0; i < s->num_cores; i++) {
		qatomic_set(&s->core[i].stop, true);
		qatomic_inc(&s->core[i].gen);
		qemu_cond_broadcast(&s->core[i].cond);
	}
	/* The threads need the BQL to notice. */
	qemu_mutex_unlock_iothread();
	for (i = 0; i < s->num_cores; i++) {
		qemu_thread_join(&s->core[i].thread);
	}
	qemu_mutex_lock_iothread();
	for (i = 0; i < s->num_cores; i++) {
		qemu_cond_destroy(&s->core[i].cond);
		qemu_vfree(s->core[i].scratch);
	}
	msix_uninit_exclusive_bar(pdev);
}

static void npu_reset(DeviceState *dev)
{
	EdgenpuState *s = EDGENPU_PCI(dev);

	npu_full_reset(s);
}

static Property npu_properties[] = {
	DEFINE_PROP_UINT32("cores", EdgenpuState, num_cores, 2),
	DEFINE_PROP_UINT32("queue-depth", EdgenpuState, queue_depth, 64),
	DEFINE_PROP_UINT32("sram-kib", EdgenpuState, sram_kib, 1024),
	DEFINE_PROP_UINT64("op-mask", EdgenpuState, op_mask,
			   MAKE_64BIT_MASK(1, EDGENPU_OP_COUNT - 1)),
	DEFINE_PROP_BOOL("fault-injection", EdgenpuState, fault_injection, false),
	DEFINE_PROP_END_OF_LIST(),
};

/* Jobs in flight live on host threads: no migration. */
static const VMStateDescription npu_vmstate = {
	.name = TYPE_EDGENPU_PCI,
	.unmigratable = 1,
};

static void npu_class_init(ObjectClass *klass, void *data)
{
	DeviceClass *dc = DEVICE_CLASS(klass);
	PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);

	k->realize = npu_realize;
	k->exit = npu_exit;
	k->vendor_id = NPU_VENDOR_ID;
	k->device_id = NPU_DEVICE_ID;
	k->revision = NPU_REVISION;
	k->class_id = NPU_CLASS;
	dc->desc = "edgenpu reference NPU";
	dc->reset = npu_reset;
	dc->vmsd = &npu_vmstate;
	device_class_set_props(dc, npu_properties);
	set_bit(DEVICE_CATEGORY_MISC, dc->categories);
}

static const TypeInfo npu_info = {
	.name = TYPE_EDGENPU_PCI,
	.parent = TYPE_PCI_DEVICE,
	.instance_size = sizeof(EdgenpuState),
	.class_init = npu_class_init,
	.interfaces = (InterfaceInfo[]) {
		{ INTERFACE_CONVENTIONAL_PCI_DEVICE },
		{ },
	},
};

static void npu_register_types(void)
{
	type_register_static(&npu_info);
}

type_init(npu_register_types)
