// SPDX-License-Identifier: MIT
/*
 * pci-regs-test: the registers of the edgenpu-pci device
 * (Documentation/edgenpu/hardware.rst) as the guest sees them through
 * /sys/bus/pci/devices/DEV/resource0, with no driver involved: identity,
 * capabilities, the timestamp, aligned-only access, read-only and
 * per-core registers, POWER, RESET and the fault injection block's
 * absence (or presence with --fault-injection). Run it with the device
 * unbound (vm-run --npu pci --no-module): a bound driver owns the BAR.
 *
 * Then, when no IOMMU stands in front of the device (bus address =
 * physical address, found through /proc/self/pagemap), it plays the
 * driver by hand: bus mastering on, a context table and page tables, a
 * descriptor ring, and jobs polled through IRQ_STATUS: a RESHAPE that
 * must copy its input, then translation, permission, context, descriptor,
 * engine and queue faults (and the injected ones with --fault-injection).
 * TAP.
 *
 * usage: edgenpu-pci-regs-test [--cores N] [--queue-depth N]
 *                              [--fault-injection]
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "edgenpu_engine.h"
#include "engine_jobbuild.h"
#include "tap.h"

#define BAR0_SIZE	0x10000
#define CORE(c, r)	(0x1000 + (c) * 0x100 + (r))

static volatile uint8_t *bar;

static uint32_t rd(uint32_t off)
{
	return *(volatile uint32_t *)(bar + off);
}

static void wr(uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(bar + off) = v;
}

static uint64_t timestamp(void)
{
	uint32_t lo = rd(0x20);

	return (uint64_t)rd(0x24) << 32 | lo;
}

static unsigned long sysfs_ul(const char *dev, const char *attr)
{
	char p[512], buf[64] = "";
	FILE *f;

	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/%s", dev, attr);
	f = fopen(p, "r");
	if (!f)
		return ~0ul;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return strtoul(buf, NULL, 0);
}

static int find_device(char *out, size_t len)
{
	DIR *d = opendir("/sys/bus/pci/devices");
	struct dirent *e;
	int found = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (sysfs_ul(e->d_name, "vendor") == 0x1234 &&
		    sysfs_ul(e->d_name, "device") == 0x4e50) {
			snprintf(out, len, "%s", e->d_name);
			found = 1;
			break;
		}
	}
	closedir(d);
	return found;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000l };

	nanosleep(&ts, NULL);
}

/* ---- jobs by hand ---- */

struct page {
	uint8_t *va;
	uint64_t pa;
};

static int dma_page(struct page *pg)
{
	uint64_t e = 0;
	int fd;

	pg->va = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED | MAP_POPULATE, -1, 0);
	if (pg->va == MAP_FAILED)
		return -1;
	memset(pg->va, 0, 4096);
	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0)
		return -1;
	if (pread(fd, &e, 8, (uintptr_t)pg->va / 4096 * 8) != 8)
		e = 0;
	close(fd);
	if (!(e & (1ull << 63)) || !(e & ((1ull << 55) - 1)))
		return -1;
	pg->pa = (e & ((1ull << 55) - 1)) * 4096;
	return 0;
}

struct desc {
	uint32_t ctx, flags;
	uint64_t cmd_addr;
	uint32_t cmd_size, num_buffers;
	uint64_t buftab_addr, profile_addr, done_addr, seqno, reserved;
};

struct bufent {
	uint64_t va;
	uint32_t size, flags;
};

struct done {
	uint64_t seqno;
	uint32_t status, info;
	uint64_t start_ns, end_ns;
};

enum { P_RING, P_CMD, P_TAB, P_DONE, P_PROF, P_CTX, P_L0, P_L1, P_L2, P_IN,
       P_OUT, P_BADCMD, NPAGES };

static struct page pg[NPAGES];
static uint32_t ring_pos;
#define RING		16
#define VA_IN		0x10000ull
#define VA_OUT		0x20000ull
#define VA_RO		0x21000ull	/* the output page, read-only */
#define VA_HOLE		0x30000ull

/* Queue one descriptor on core 0 and wait until it is done or faulted. */
static uint32_t run_desc(const struct desc *d, int wait)
{
	struct desc *slot = (struct desc *)pg[P_RING].va + ring_pos % RING;
	uint32_t st = 0;
	int i;

	*slot = *d;
	__sync_synchronize();
	ring_pos++;
	wr(CORE(0, 0x10), ring_pos % RING);
	for (i = 0; wait && i < 500 && !(st = rd(CORE(0, 0x18))); i++)
		sleep_ms(2);
	wr(CORE(0, 0x18), st);
	return st;
}

static struct desc job_desc(uint32_t ctx, uint64_t seqno, uint32_t nbufs)
{
	struct desc d = {
		.ctx = ctx, .flags = 1, .cmd_addr = pg[P_CMD].pa,
		.num_buffers = nbufs, .buftab_addr = pg[P_TAB].pa,
		.profile_addr = pg[P_PROF].pa, .done_addr = pg[P_DONE].pa,
		.seqno = seqno,
	};
	struct edgenpu_cmd_tensor t[2];
	struct jb j;

	jb_init(&j, pg[P_CMD].va, 4096);
	t[0] = jb_t(0, EDGENPU_DTYPE_INT8, 0, 1, 1, 1, 64, 0);
	t[1] = jb_t(1, EDGENPU_DTYPE_INT8, 0, 1, 1, 8, 8, 0);
	jb_op(&j, EDGENPU_OP_RESHAPE, 0, 0, 0, NULL, 0, t, 2);
	d.cmd_size = jb_finish(&j);
	return d;
}

static void set_bufs(uint64_t in_va, uint64_t out_va)
{
	struct bufent *b = (struct bufent *)pg[P_TAB].va;

	b[0] = (struct bufent){ in_va, 64, EDGENPU_BUF_READ };
	b[1] = (struct bufent){ out_va, 64, EDGENPU_BUF_WRITE };
}

static uint64_t fault_addr(void)
{
	return (uint64_t)rd(CORE(0, 0x2c)) << 32 | rd(CORE(0, 0x28));
}

static void jobs_by_hand(struct tap *t, const char *dev, int fi)
{
	struct done *dn;
	struct desc d;
	uint64_t *pt;
	char p[512];
	uint8_t cmd[2];
	uint32_t st, i;
	int cf, same;

	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/iommu_group", dev);
	if (access(p, F_OK) == 0) {
		tap_skip(t, "an IOMMU translates the device's DMA", "jobs by hand");
		return;
	}
	for (i = 0; i < NPAGES; i++) {
		if (dma_page(&pg[i])) {
			tap_skip(t, "no physical addresses from /proc/self/pagemap",
				 "jobs by hand");
			return;
		}
	}
	/* Bus mastering and memory decoding on. */
	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/config", dev);
	cf = open(p, O_RDWR);
	if (cf < 0 || pread(cf, cmd, 2, 4) != 2) {
		tap_skip(t, "no config space access", "jobs by hand");
		return;
	}
	cmd[0] |= 6;
	if (pwrite(cf, cmd, 2, 4) != 2) {
		tap_skip(t, "cannot enable bus mastering", "jobs by hand");
		return;
	}
	close(cf);

	/* Context 1: VA_IN read-only, VA_OUT read-write, VA_RO read-only. */
	pt = (uint64_t *)pg[P_CTX].va;
	pt[1] = pg[P_L0].pa | 1;
	((uint64_t *)pg[P_L0].va)[0] = pg[P_L1].pa | 1;
	((uint64_t *)pg[P_L1].va)[0] = pg[P_L2].pa | 1;
	pt = (uint64_t *)pg[P_L2].va;
	pt[VA_IN >> 12] = pg[P_IN].pa | 1 | 2;
	pt[VA_OUT >> 12] = pg[P_OUT].pa | 1 | 2 | 4;
	pt[VA_RO >> 12] = pg[P_OUT].pa | 1 | 2;
	for (i = 0; i < 64; i++)
		pg[P_IN].va[i] = (uint8_t)(i * 7 + 1);
	memset(pg[P_OUT].va, 0x55, 4096);

	wr(0x040, 1);
	wr(0x050, (uint32_t)pg[P_CTX].pa);
	wr(0x054, pg[P_CTX].pa >> 32);
	wr(CORE(0, 0x00), (uint32_t)pg[P_RING].pa);
	wr(CORE(0, 0x04), pg[P_RING].pa >> 32);
	wr(CORE(0, 0x08), RING);
	ring_pos = 0;
	dn = (struct done *)pg[P_DONE].va;

	/* A good job. */
	set_bufs(VA_IN, VA_OUT);
	d = job_desc(1, 42, 2);
	st = run_desc(&d, 1);
	same = !memcmp(pg[P_IN].va, pg[P_OUT].va, 64) && pg[P_OUT].va[64] == 0x55;
	tap_check(t, st == 1 && dn->seqno == 42 && dn->status == 0 && same &&
		  dn->end_ns >= dn->start_ns && dn->start_ns,
		  "a RESHAPE job copies its input through the device MMU (IRQ_STATUS %u, status %u)",
		  st, dn->status);
	tap_check(t, rd(CORE(0, 0x0c)) == 1 && rd(CORE(0, 0x34)) == 1 &&
		  rd(CORE(0, 0x14)) == 0, "HEAD 1, JOBS_DONE 1, not BUSY");
	tap_check(t, ((uint64_t *)pg[P_PROF].va)[1] >= ((uint64_t *)pg[P_PROF].va)[0] &&
		  ((uint64_t *)pg[P_PROF].va)[0] >= dn->start_ns,
		  "PROFILE: the op's start and end timestamps");

	/* Faults: each fails its job alone, the core goes on. */
	set_bufs(VA_IN, VA_HOLE);
	d = job_desc(1, 43, 2);
	st = run_desc(&d, 1);
	tap_check(t, st == 2 && dn->seqno == 43 && dn->status == 1 &&
		  rd(CORE(0, 0x24)) == 1 && fault_addr() == VA_HOLE,
		  "an unmapped buffer: TRANSLATION at its address (0x%llx)",
		  (unsigned long long)fault_addr());
	set_bufs(VA_IN, VA_RO);
	d = job_desc(1, 44, 2);
	st = run_desc(&d, 1);
	tap_check(t, st == 2 && dn->status == 2 && fault_addr() == VA_RO,
		  "a WRITE buffer on a read-only page: PERMISSION");
	set_bufs(VA_IN, VA_OUT);
	d = job_desc(2, 45, 2);
	st = run_desc(&d, 1);
	tap_check(t, st == 2 && dn->status == 1 && fault_addr() == VA_IN,
		  "an invalid context: TRANSLATION");
	d = job_desc(1, 46, 2);
	d.cmd_size = 0;
	st = run_desc(&d, 1);
	tap_check(t, st == 2 && dn->status == 3, "cmd_size 0: DESCRIPTOR");
	d = job_desc(1, 47, 2);
	d.num_buffers = 100000;
	st = run_desc(&d, 1);
	tap_check(t, st == 2 && dn->status == 3, "num_buffers 100000: DESCRIPTOR");
	d = job_desc(1, 48, 2);
	d.cmd_size = 1u << 30;
	st = run_desc(&d, 1);
	tap_check(t, st == 2 && dn->status == 3, "cmd_size 1 GiB: DESCRIPTOR");
	d = job_desc(1, 49, 2);
	pg[P_CMD].va[0] ^= 1;
	st = run_desc(&d, 1);
	tap_check(t, st == 2 && dn->status == 4 && (rd(CORE(0, 0x30)) >> 16) == EDGENPU_ENGINE_E_MAGIC,
		  "a bad magic: ENGINE, FAULT_INFO names the engine's code (0x%x)",
		  rd(CORE(0, 0x30)));
	d = job_desc(1, 50, 1);
	st = run_desc(&d, 1);
	tap_check(t, st == 2 && dn->status == 4, "a missing buffer: ENGINE");
	d = job_desc(1, 51, 2);
	d.cmd_addr = 0xfff0000000000000ull;
	st = run_desc(&d, 1);
	tap_check(t, st == 2 && dn->status == 3, "an unreadable command stream: DESCRIPTOR");
	d = job_desc(1, 52, 2);
	st = run_desc(&d, 1);
	tap_check(t, st == 1 && dn->seqno == 52 && dn->status == 0 &&
		  rd(CORE(0, 0x34)) == 11 && rd(CORE(0, 0x24)) == 3,
		  "after the faults a good job still runs (FAULT_STATUS keeps the last failure)");

	if (fi) {
		wr(0x8004, 1);
		d = job_desc(1, 60, 2);
		st = run_desc(&d, 1);
		tap_check(t, st == 2 && dn->seqno == 60 && dn->status == 4,
			  "INJ_FAIL: the next job fails with ENGINE");
		memset(pg[P_OUT].va, 0, 64);
		wr(0x8008, 1);
		d = job_desc(1, 61, 2);
		st = run_desc(&d, 1);
		tap_check(t, st == 1 && dn->status == 0 &&
			  (pg[P_OUT].va[0] ^ pg[P_IN].va[0]) == 0xff &&
			  !memcmp(pg[P_OUT].va + 1, pg[P_IN].va + 1, 63),
			  "INJ_CORRUPT: the first output byte flipped");
		wr(0x8000, 1);
		d = job_desc(1, 62, 2);
		run_desc(&d, 0);
		sleep_ms(50);
		tap_check(t, (rd(CORE(0, 0x14)) & 1) && rd(CORE(0, 0x18)) == 0 &&
			  dn->seqno == 61, "INJ_HANG: the job stays BUSY");
		wr(CORE(0, 0x20), 1);
		sleep_ms(20);
		tap_check(t, rd(CORE(0, 0x14)) == 0 && rd(CORE(0, 0x0c)) == 0 &&
			  rd(CORE(0, 0x10)) == 0 && dn->seqno == 61,
			  "CORE_RESET stops it: HEAD = TAIL = 0, no completion record");
		ring_pos = 0;
		d = job_desc(1, 63, 2);
		st = run_desc(&d, 1);
		tap_check(t, st == 1 && dn->seqno == 63, "the core runs again after CORE_RESET");
		wr(0x800c, 20000);
		d = job_desc(1, 64, 2);
		st = run_desc(&d, 1);
		tap_check(t, st == 1 && dn->end_ns - dn->start_ns >= 20000000ull,
			  "INJ_LATENCY_US 20000: the job takes 20 ms or more (%llu ns)",
			  (unsigned long long)(dn->end_ns - dn->start_ns));
		wr(0x800c, 0);
	}

	/* An unreadable ring entry stops the core at that entry. */
	wr(CORE(0, 0x04), 0xfff00000);
	st = run_desc(&d, 1);
	tap_check(t, st == 4 && rd(CORE(0, 0x0c)) == (ring_pos - 1) % RING,
		  "an unreadable ring: QUEUE_FAULT, HEAD at the bad entry");
	wr(0x040, 1);
}

int main(int argc, char **argv)
{
	struct tap t = { 0 };
	uint32_t cores = 2, depth = 64, fi = 0, c;
	char dev[256], p[512];
	uint64_t t0, t1;
	int fd, i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--cores") && i + 1 < argc)
			cores = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--queue-depth") && i + 1 < argc)
			depth = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--fault-injection"))
			fi = 1;
		else {
			fprintf(stderr, "usage: %s [--cores N] [--queue-depth N] [--fault-injection]\n",
				argv[0]);
			return 2;
		}
	}

	if (!tap_check(&t, find_device(dev, sizeof(dev)),
		       "an edgenpu-pci device (1234:4e50) is on the PCI bus")) {
		printf("1..%d\n", t.n);
		return 1;
	}
	tap_diag("device %s", dev);
	tap_check(&t, sysfs_ul(dev, "class") == 0x120000,
		  "class 0x120000 (processing accelerator): 0x%06lx",
		  sysfs_ul(dev, "class"));
	tap_check(&t, sysfs_ul(dev, "revision") == 0x01, "revision 0x01");

	/* Memory decoding on (no driver did it); bus mastering stays off. */
	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/enable", dev);
	fd = open(p, O_WRONLY);
	if (fd >= 0) {
		if (write(fd, "1", 1) < 0)
			tap_diag("enable: %s", strerror(errno));
		close(fd);
	}
	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/resource0", dev);
	fd = open(p, O_RDWR | O_SYNC);
	bar = fd < 0 ? MAP_FAILED :
		mmap(NULL, BAR0_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (!tap_check(&t, bar != MAP_FAILED, "mmap of BAR0 (%s)",
		       bar == MAP_FAILED ? strerror(errno) : "ok")) {
		printf("1..%d\n", t.n);
		return 1;
	}

	wr(0x040, 1);	/* RESET: a known state */

	tap_check(&t, rd(0x000) == 0x4e505531, "ID 0x4e505531: 0x%08x", rd(0x000));
	tap_check(&t, rd(0x004) == 0x00010000, "VERSION 1.0: 0x%08x", rd(0x004));
	tap_check(&t, (rd(0x008) & 1) == 1, "FEATURES: device MMU");
	tap_check(&t, !!(rd(0x008) & 2) == fi, "FEATURES: fault injection block %s",
		  fi ? "present" : "absent");
	tap_check(&t, rd(0x00c) == cores, "NUM_CORES %u: %u", cores, rd(0x00c));
	tap_check(&t, rd(0x010) == 0x3fffe && rd(0x014) == 0,
		  "OP_MASK: opcodes 1..17: 0x%08x 0x%08x", rd(0x014), rd(0x010));
	tap_check(&t, rd(0x018) == depth, "QUEUE_DEPTH %u: %u", depth, rd(0x018));
	tap_check(&t, rd(0x01c) == 1024, "SRAM_KIB 1024: %u", rd(0x01c));
	tap_check(&t, rd(0x058) == 256, "MMU_NUM_CTX 256: %u", rd(0x058));
	tap_check(&t, rd(0x044) == 0, "POWER is ON after reset");

	t0 = timestamp();
	sleep_ms(20);
	t1 = timestamp();
	tap_check(&t, t1 > t0 + 10000000ull && t1 < t0 + 10000000000ull,
		  "TIMESTAMP advances in ns: %llu over 20 ms",
		  (unsigned long long)(t1 - t0));

	/* Only aligned 32-bit accesses: the others read 0, writes ignored. */
	tap_check(&t, *(volatile uint8_t *)bar == 0 &&
		  *(volatile uint16_t *)bar == 0 &&
		  *(volatile uint64_t *)bar == 0,
		  "8-, 16- and 64-bit reads of ID read 0");
	/*
	 * (An unaligned 32-bit read is no test under TCG: QEMU splits it
	 * into two aligned 32-bit reads before the device sees it.)
	 */
	tap_check(&t, *(volatile uint16_t *)(bar + 1) == 0 &&
		  *(volatile uint16_t *)(bar + 0x1001) == 0,
		  "unaligned 16-bit reads read 0");
	*(volatile uint8_t *)(bar + CORE(0, 0x08)) = 4;
	tap_check(&t, rd(CORE(0, 0x08)) == 0, "an 8-bit write is ignored");

	/* Read-only and reserved registers. */
	wr(0x000, 0);
	wr(0x00c, 7);
	tap_check(&t, rd(0x000) == 0x4e505531 && rd(0x00c) == cores,
		  "writes to ID and NUM_CORES are ignored");
	tap_check(&t, rd(0x800) == 0 && rd(0xfffc) == 0, "reserved offsets read 0");
	tap_check(&t, rd(CORE(cores, 0x08)) == 0 || cores == 8,
		  "no registers for a core beyond NUM_CORES");

	/* The fault injection block. */
	if (!fi) {
		wr(0x8004, 1);
		tap_check(&t, rd(0x8000) == 0 && rd(0x8004) == 0 && rd(0x800c) == 0,
			  "no fault injection block at 0x8000");
	} else {
		wr(0x800c, 5);
		tap_check(&t, rd(0x800c) == 5, "INJ_LATENCY_US is writable");
		wr(0x040, 1);
		tap_check(&t, rd(0x800c) == 0, "RESET clears INJ_LATENCY_US");
	}

	/* Per-core registers. */
	for (c = 0; c < cores; c++) {
		wr(CORE(c, 0x00), 0x12345678);
		wr(CORE(c, 0x04), 0x9);
		wr(CORE(c, 0x08), 3);
		tap_check(&t, rd(CORE(c, 0x00)) == 0x12345640 && rd(CORE(c, 0x04)) == 9 &&
			  rd(CORE(c, 0x08)) == 0,
			  "core %u: Q_BASE keeps 64-byte alignment, Q_SIZE 3 is refused", c);
		wr(CORE(c, 0x08), depth * 2);
		tap_check(&t, rd(CORE(c, 0x08)) == 0, "core %u: Q_SIZE above QUEUE_DEPTH is refused", c);
		wr(CORE(c, 0x08), depth);
		wr(CORE(c, 0x1c), 0xff);
		tap_check(&t, rd(CORE(c, 0x08)) == depth && rd(CORE(c, 0x1c)) == 7 &&
			  rd(CORE(c, 0x14)) == 0 && rd(CORE(c, 0x0c)) == 0 &&
			  rd(CORE(c, 0x24)) == 0 && rd(CORE(c, 0x34)) == 0,
			  "core %u: Q_SIZE, IRQ_MASK (3 bits), STATUS, HEAD, FAULT_STATUS, JOBS_DONE", c);
		wr(CORE(c, 0x1c), 0);
	}

	/* POWER: IDLE stops the timestamp, OFF loses the core registers. */
	wr(0x044, 1);
	t0 = timestamp();
	sleep_ms(5);
	t1 = timestamp();
	tap_check(&t, rd(0x044) == 1 && t0 == t1 && (rd(CORE(0, 0x14)) & 2),
		  "POWER IDLE: TIMESTAMP stopped, STATUS.IDLE_OFF set");
	wr(0x044, 0);
	tap_check(&t, rd(CORE(0, 0x08)) == depth && !(rd(CORE(0, 0x14)) & 2) &&
		  timestamp() >= t1, "POWER ON from IDLE: registers kept, timestamp goes on");
	wr(0x044, 2);
	wr(0x044, 0);
	tap_check(&t, rd(CORE(0, 0x08)) == 0 && rd(CORE(0, 0x00)) == 0,
		  "POWER OFF then ON: the core registers read as after RESET");

	/* CORE_RESET keeps Q_BASE and Q_SIZE; RESET does not. */
	wr(CORE(0, 0x00), 0x1000);
	wr(CORE(0, 0x08), 2);
	wr(CORE(0, 0x20), 1);
	tap_check(&t, rd(CORE(0, 0x00)) == 0x1000 && rd(CORE(0, 0x08)) == 2,
		  "CORE_RESET keeps Q_BASE and Q_SIZE");
	wr(0x050, 0x12345fff);
	tap_check(&t, rd(0x050) == 0x12345000, "MMU_CTX_TABLE_LO is 4 KiB aligned");
	wr(0x040, 1);
	tap_check(&t, rd(CORE(0, 0x00)) == 0 && rd(CORE(0, 0x08)) == 0 && rd(0x050) == 0,
		  "RESET clears the core registers and the context table base");

	/*
	 * A doorbell with bus mastering off: the ring is unreadable, so the
	 * core reports QUEUE_FAULT and stops at the bad entry.
	 */
	{
		uint8_t cfg[8] = { 0 };
		int cf;

		snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/config", dev);
		cf = open(p, O_RDONLY);
		if (cf >= 0 && pread(cf, cfg, sizeof(cfg), 0) == (ssize_t)sizeof(cfg) &&
		    !(cfg[4] & 4)) {
			wr(CORE(0, 0x00), 0x1000);
			wr(CORE(0, 0x08), 4);
			wr(CORE(0, 0x10), 1);
			for (i = 0; i < 100 && !(rd(CORE(0, 0x18)) & 4); i++)
				sleep_ms(10);
			tap_check(&t, rd(CORE(0, 0x18)) == 4 && rd(CORE(0, 0x0c)) == 0 &&
				  rd(CORE(0, 0x10)) == 1 && rd(CORE(0, 0x34)) == 0,
				  "no bus mastering: QUEUE_FAULT, HEAD at the bad entry (IRQ_STATUS 0x%x)",
				  rd(CORE(0, 0x18)));
			wr(CORE(0, 0x18), 4);
			tap_check(&t, rd(CORE(0, 0x18)) == 0, "IRQ_STATUS is W1C");
			wr(CORE(0, 0x20), 1);
			tap_check(&t, rd(CORE(0, 0x0c)) == 0 && rd(CORE(0, 0x10)) == 0 &&
				  rd(CORE(0, 0x08)) == 4,
				  "CORE_RESET: HEAD = TAIL = 0, Q_SIZE kept");
			wr(0x040, 1);
		} else {
			tap_skip(&t, "bus mastering is on", "QUEUE_FAULT on an unreadable ring");
		}
		if (cf >= 0)
			close(cf);
	}

	jobs_by_hand(&t, dev, fi);

	munmap((void *)bar, BAR0_SIZE);
	close(fd);
	printf("1..%d\n", t.n);
	return t.failed ? 1 : 0;
}
