// SPDX-License-Identifier: MIT
/*
 * pci-test: what the PCI backend owes on hardware, beyond the uapi the
 * other guest tests cover, on the edgenpu-pci device
 * (Documentation/edgenpu/hardware.rst):
 *
 *  1. device MMU isolation: a job whose buffer table entry is pointed
 *     (through the driver's test hook) at another process's live buffer
 *     gets a translation fault for that job alone, reading or writing;
 *     the other process's buffer and results stay exact;
 *  2. reset: a hang injected into core 0 ends as a timeout within the
 *     job timeout, through the core's reset, while core 1 keeps running
 *     jobs exactly;
 *  3. a job queued behind a hung one: the core holds two jobs, the
 *     device's ring too (Q_HEAD/Q_TAIL through the hooks' queues file);
 *     the hung job times out, the reset drops the queued one from the
 *     ring and the driver queues it again, and it completes exactly;
 *  4. a queue fault with a job queued behind: the faulting job's
 *     completion record cannot be written (the queue_fault_next hook),
 *     the core stops with QUEUE_FAULT, the driver fails that job alone
 *     with EIO and queues the other again, which completes exactly;
 *  5. runtime PM: the device autosuspends to POWER IDLE between jobs and
 *     resumes for each, results exact.
 *
 * 1 to 4 need the module's enpci_test_hooks=1 and the device's
 * fault-injection=on (make check's vm-distro-pci-x86_64 stage sets
 * both); each part skips, saying why, when what it needs is missing,
 * and everything skips on the vnpu backend. TAP.
 *
 * usage: edgenpu-pci-test [/dev/accel/accelN]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <drm/edgenpu_accel.h>

#include "engine_jobbuild.h"
#include "guest_util.h"
#include "tap.h"

#define PT_HOOKS_ROOT	"/sys/kernel/debug/edgenpu-pci/"
#define PT_ACCEL_DBG	"/sys/kernel/debug/accel/"
#define PT_PARAMS	"/sys/module/edgenpu/parameters/"
#define PT_BAR0_SIZE	0x10000
#define PT_REG_FEATURES	0x008
#define PT_REG_QUEUE_DEPTH	0x018
#define PT_FEATURES_INJ	2
#define PT_REG_POWER	0x044
#define PT_REG_INJ_HANG	0x8000
#define PT_REG_INJ_LAT	0x800c
#define PT_POWER_ON	0
#define PT_POWER_IDLE	1

/* Bytes a copy job moves: a RESHAPE of PT_N int8 values. */
#define PT_N		256
/* Process A's buffers: a distinctive size finds them in mmu_maps. */
#define PT_PAD_SIZE	(64 * 1024)
#define PT_SECRET_SIZE	(3 * 4096)
#define PT_A_JOBS	8
/* Each job of the isolation test takes this long on the device. */
#define PT_LATENCY_US	300000
#define PT_MAX_MAPS	512

/* Where the device's files are; found from the accel node. */
struct pt_env {
	const char *node;
	char bdf[64];
	char pcidev[128];	/* /sys/bus/pci/devices/BDF/ */
	char hooks[128];	/* the test hooks' debugfs directory */
	char dbg[128];		/* the core's debugfs directory */
	volatile uint8_t *bar;	/* BAR0 through resource0, if it maps */
	unsigned int cores;
	unsigned int depth;	/* caps.core_queue_depth */
};

/* One open file with a copy job: out = in, PT_N bytes. */
struct pt_rig {
	int fd;
	uint32_t cmd, in, out, cmd_size;
	uint8_t *in_map, *out_map;
};

/* ---- small helpers ---- */

static int pt_path(char *out, size_t len, const char *dir, const char *file)
{
	return snprintf(out, len, "%s%s", dir, file) < (int)len;
}

static long pt_read_long(const char *dir, const char *file)
{
	char p[256];

	return pt_path(p, sizeof(p), dir, file) ? read_long(p) : -1;
}

static int pt_write(const char *dir, const char *file, const char *val)
{
	char p[256];

	return pt_path(p, sizeof(p), dir, file) && write_file(p, val);
}

/* The first line of a small file, without its newline; "" if none. */
static void pt_read_str(const char *dir, const char *file, char *out, size_t len)
{
	char p[256];
	FILE *f;

	out[0] = 0;
	if (!pt_path(p, sizeof(p), dir, file) || !(f = fopen(p, "r")))
		return;
	if (!fgets(out, (int)len, f))
		out[0] = 0;
	fclose(f);
	out[strcspn(out, "\n")] = 0;
}

static int pt_exists(const char *dir, const char *file)
{
	char p[256];

	return pt_path(p, sizeof(p), dir, file) && access(p, F_OK) == 0;
}

static void pt_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000l };

	nanosleep(&ts, NULL);
}

static long pt_ms_since(int64_t t0)
{
	return (long)((gu_now_ns() - t0) / 1000000);
}

/* ---- the device ---- */

/* Map BAR0 through sysfs; a bound driver may own it (IO_STRICT_DEVMEM). */
static void pt_map_bar(struct pt_env *e)
{
	char p[256];
	void *m = MAP_FAILED;
	int fd;

	pt_path(p, sizeof(p), e->pcidev, "resource0");
	fd = open(p, O_RDWR | O_SYNC);
	if (fd >= 0)
		m = mmap(NULL, PT_BAR0_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		tap_diag("resource0 does not map while the driver owns BAR0 (%s): registers through the test hooks",
			 strerror(errno));
	else
		e->bar = m;
	if (fd >= 0)
		close(fd);
}

static int pt_query_caps(const char *node, struct pt_env *e)
{
	struct drm_edgenpu_caps caps = { 0 };
	struct drm_edgenpu_query q = {
		.query = DRM_EDGENPU_QUERY_CAPS, .size = sizeof(caps),
		.data = (uintptr_t)&caps,
	};
	int fd = open(node, O_RDWR | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = gu_ioctl(fd, DRM_IOCTL_EDGENPU_QUERY, &q);
	close(fd);
	e->cores = caps.num_cores;
	e->depth = caps.core_queue_depth;
	return ret;
}

/* The PCI address behind /dev/accel/accelN, and the paths it gives. */
static int pt_env_init(struct pt_env *e, const char *node)
{
	char link[256], target[256], name[64];
	ssize_t n;

	memset(e, 0, sizeof(*e));
	e->node = node;
	snprintf(name, sizeof(name), "%s", node);
	snprintf(link, sizeof(link), "/sys/class/accel/%s/device", basename(name));
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return -ENODEV;
	target[n] = 0;
	snprintf(e->bdf, sizeof(e->bdf), "%s", basename(target));
	snprintf(e->pcidev, sizeof(e->pcidev), "/sys/bus/pci/devices/%s/", e->bdf);
	snprintf(e->hooks, sizeof(e->hooks), PT_HOOKS_ROOT "%s/", e->bdf);
	snprintf(e->dbg, sizeof(e->dbg), PT_ACCEL_DBG "%s/", e->bdf);
	return pt_query_caps(node, e);
}

/* A device register: through BAR0 when it maps, else the hook file. */
static long pt_reg_read(const struct pt_env *e, uint32_t off, const char *file)
{
	if (e->bar)
		return *(volatile uint32_t *)(e->bar + off);
	return pt_read_long(e->hooks, file);
}

static int pt_reg_write(const struct pt_env *e, uint32_t off, const char *file,
			uint32_t val)
{
	char v[16];

	if (e->bar) {
		*(volatile uint32_t *)(e->bar + off) = val;
		return 1;
	}
	snprintf(v, sizeof(v), "%u", val);
	return pt_write(e->hooks, file, v);
}

/* The device's fault injection block, reachable from here. */
static int pt_has_inj(const struct pt_env *e)
{
	if (e->bar)
		return !!(pt_reg_read(e, PT_REG_FEATURES, "") & PT_FEATURES_INJ);
	return pt_exists(e->hooks, "inj_hang");
}

/*
 * The jobs a core holds, as the caps tell them: two (one running, one
 * waiting in the ring) when the ring has room for both beside the entry
 * it keeps free, else one.
 */
static void pt_test_depth(struct tap *t, const struct pt_env *e)
{
	long ring;

	if (!e->bar) {
		tap_check(t, e->depth >= 1 && e->depth <= 2,
			  "caps: %u job(s) per core", e->depth);
		return;
	}
	ring = pt_reg_read(e, PT_REG_QUEUE_DEPTH, "");
	tap_check(t, e->depth == (ring > 2 ? 2u : 1u),
		  "caps: %u job(s) per core on rings of %ld entries",
		  e->depth, ring);
}

/* "coreN_resets V" from the core's edgenpu_stats; -1 if absent. */
static long pt_core_resets(const struct pt_env *e, unsigned int core)
{
	char p[256], line[128];
	unsigned int c;
	long v, found = -1;
	FILE *f;

	if (!pt_path(p, sizeof(p), e->dbg, "edgenpu_stats") || !(f = fopen(p, "r")))
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "core%u_resets %ld", &c, &v) == 2 && c == core)
			found = v;
	fclose(f);
	return found;
}

/* ---- jobs ---- */

/* A RESHAPE of PT_N int8 values from buffer @src to buffer @dst. */
static uint32_t pt_build_copy(uint8_t *buf, uint32_t cap, uint32_t src,
			      uint32_t dst)
{
	struct edgenpu_cmd_tensor t[2];
	struct jb j;

	jb_init(&j, buf, cap);
	t[0] = jb_t(src, EDGENPU_DTYPE_INT8, 0, 1, 1, 1, PT_N, 0);
	t[1] = jb_t(dst, EDGENPU_DTYPE_INT8, 0, 1, 1, PT_N / 64, 64, 0);
	jb_op(&j, EDGENPU_OP_RESHAPE, 0, 0, 0, NULL, 0, t, 2);
	return jb_finish(&j);
}

/* One job of @n buffers; its seqno in *@seqno. */
static int pt_submit(int fd, uint32_t cmd, uint32_t cmd_size,
		     const struct drm_edgenpu_buffer_ref *refs, uint32_t n,
		     uint64_t *seqno)
{
	struct drm_edgenpu_job job = {
		.cmd_handle = cmd, .cmd_size = cmd_size,
		.buffers = (uintptr_t)refs, .buffer_count = n,
		.priority = DRM_EDGENPU_PRIO_NORMAL,
	};
	struct drm_edgenpu_submit s = {
		.jobs = (uintptr_t)&job, .job_count = 1, .job_stride = sizeof(job),
	};
	int ret = gu_ioctl(fd, DRM_IOCTL_EDGENPU_SUBMIT, &s);

	*seqno = job.seqno;
	return ret;
}

static int pt_rig_init(struct pt_rig *r, const char *node)
{
	uint8_t *cmd;

	memset(r, 0, sizeof(*r));
	r->fd = open(node, O_RDWR | O_CLOEXEC);
	if (r->fd < 0)
		return -errno;
	if (gu_bo_create(r->fd, 4096, &r->cmd) || gu_bo_create(r->fd, PT_N, &r->in) ||
	    gu_bo_create(r->fd, PT_N, &r->out))
		return -EIO;
	cmd = gu_bo_map(r->fd, r->cmd);
	r->in_map = gu_bo_map(r->fd, r->in);
	r->out_map = gu_bo_map(r->fd, r->out);
	if (!cmd || !r->in_map || !r->out_map)
		return -EIO;
	r->cmd_size = pt_build_copy(cmd, 4096, 0, 1);
	return r->cmd_size ? 0 : -EIO;
}

/* A second copy job in @r's file, with buffers of its own. */
static int pt_rig_init_same_file(struct pt_rig *r2, const struct pt_rig *r)
{
	memset(r2, 0, sizeof(*r2));
	r2->fd = r->fd;
	r2->cmd = r->cmd;
	r2->cmd_size = r->cmd_size;
	if (gu_bo_create(r->fd, PT_N, &r2->in) || gu_bo_create(r->fd, PT_N, &r2->out))
		return -EIO;
	r2->in_map = gu_bo_map(r->fd, r2->in);
	r2->out_map = gu_bo_map(r->fd, r2->out);
	return r2->in_map && r2->out_map ? 0 : -EIO;
}

static void pt_rig_fini(struct pt_rig *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}

/* New input bytes from @seed, the output poisoned. */
static void pt_rig_fill(struct pt_rig *r, unsigned int seed)
{
	unsigned int i;

	for (i = 0; i < PT_N; i++) {
		seed = seed * 1103515245u + 12345u;
		r->in_map[i] = (uint8_t)(seed >> 16);
	}
	memset(r->out_map, 0x5a, PT_N);
}

static int pt_rig_submit(struct pt_rig *r, uint64_t *seqno)
{
	struct drm_edgenpu_buffer_ref refs[2] = {
		{ r->in, DRM_EDGENPU_BUF_READ }, { r->out, DRM_EDGENPU_BUF_WRITE },
	};

	return pt_submit(r->fd, r->cmd, r->cmd_size, refs, 2, seqno);
}

/* Run one copy job to its end; 1 if it is done and its output exact. */
static int pt_rig_run(struct pt_rig *r, unsigned int seed)
{
	uint64_t seqno;
	uint32_t st = 0;

	pt_rig_fill(r, seed);
	if (pt_rig_submit(r, &seqno) || gu_wait(r->fd, seqno, 10000, &st, NULL))
		return 0;
	return st == DRM_EDGENPU_JOB_DONE && !memcmp(r->in_map, r->out_map, PT_N);
}

/* ---- device MMU isolation ---- */

/* A line of the hooks' mmu_maps: one buffer of a live job mapping. */
struct pt_map {
	unsigned int ctx;
	int pid;
	uint64_t va;
	uint32_t size, flags;
};

static int pt_maps_read(const struct pt_env *e, struct pt_map *m, int max)
{
	char p[256], line[160];
	int n = 0;
	FILE *f;

	if (!pt_path(p, sizeof(p), e->hooks, "mmu_maps") || !(f = fopen(p, "r")))
		return -1;
	while (n < max && fgets(line, sizeof(line), f))
		if (sscanf(line, "%u %d %" SCNx64 " %" SCNu32 " %" SCNu32, &m[n].ctx,
			   &m[n].pid, &m[n].va, &m[n].size, &m[n].flags) == 5)
			n++;
	fclose(f);
	return n;
}

/* Mappings of @pid's files: how many, and whether one covers @va. */
static int pt_maps_of(const struct pt_env *e, int pid, uint64_t va, int *covers)
{
	static struct pt_map m[PT_MAX_MAPS];
	int n = pt_maps_read(e, m, PT_MAX_MAPS), i, count = 0;

	*covers = 0;
	for (i = 0; i < n; i++) {
		if (m[i].pid != pid)
			continue;
		count++;
		if (va >= m[i].va && va < m[i].va + m[i].size)
			*covers = 1;
	}
	return count;
}

/* The highest device address of @pid's buffers of @size; 0 if none. */
static uint64_t pt_maps_find(const struct pt_env *e, int pid, uint32_t size,
			     int *count)
{
	static struct pt_map m[PT_MAX_MAPS];
	int n = pt_maps_read(e, m, PT_MAX_MAPS), i;
	uint64_t va = 0;

	*count = 0;
	for (i = 0; i < n; i++) {
		if (m[i].pid != pid || m[i].size != size)
			continue;
		(*count)++;
		if (m[i].va > va)
			va = m[i].va;
	}
	return va;
}

/* What process B saw, sent to A through a pipe. */
struct pt_iso_result {
	int setup_ok;
	int mapped_before, mapped_after;
	int own_count, own_covers;
	uint32_t status[2];
	int32_t error[2];
	int le_ok[2];
	int consumed[2];
	int out_kept[2];
	int after_ok;
	char msg[2][EDGENPU_ERROR_MSG_LEN];
};

static int pt_arm_redirect(const struct pt_env *e, unsigned int index, uint64_t va)
{
	char v[64];

	snprintf(v, sizeof(v), "%u 0x%" PRIx64, index, va);
	return pt_write(e->hooks, "redirect_next", v);
}

/* LAST_ERROR names a translation fault at @va for job @seqno. */
static int pt_fault_reported(int fd, uint64_t seqno, uint64_t va, char *msg)
{
	struct drm_edgenpu_last_error le = { 0 };
	char want[32];

	if (gu_last_error(fd, &le))
		return 0;
	memcpy(msg, le.msg, sizeof(le.msg));
	msg[sizeof(le.msg) - 1] = 0;
	snprintf(want, sizeof(want), "0x%" PRIx64, va);
	return le.error == -EFAULT && le.seqno == seqno &&
	       strstr(msg, "translation") && strstr(msg, want);
}

/*
 * B's job with buffer @index redirected to A's @va: it must fault, say
 * so, leave B's output alone, and use up the redirect.
 */
static void pt_iso_redirected(const struct pt_env *e, struct pt_rig *b,
			      unsigned int index, uint64_t va,
			      struct pt_iso_result *r, pid_t peer)
{
	char armed[64];
	uint64_t seqno = 0;
	int covers = 0;

	pt_rig_fill(b, 100 + index);
	if (!pt_arm_redirect(e, index, va) || pt_rig_submit(b, &seqno))
		return;
	/* The job is mapped until it is freed (and runs PT_LATENCY_US). */
	if (index == 0) {
		r->own_count = pt_maps_of(e, getpid(), va, &r->own_covers);
		r->mapped_before = pt_maps_of(e, peer, va, &covers) > 0 && covers;
	}
	gu_wait(b->fd, seqno, 10000, &r->status[index], &r->error[index]);
	r->le_ok[index] = pt_fault_reported(b->fd, seqno, va, r->msg[index]);
	pt_read_str(e->hooks, "redirect_next", armed, sizeof(armed));
	r->consumed[index] = strcmp(armed, "none") == 0;
	r->out_kept[index] = b->out_map[0] == 0x5a &&
			     !memcmp(b->out_map, b->out_map + 1, PT_N - 1);
}

/* Process B: two redirected jobs (read, write), then a normal one. */
static void pt_iso_child(const struct pt_env *e, uint64_t va, pid_t peer,
			 int wfd)
{
	struct pt_iso_result r = { 0 };
	struct pt_rig b;
	int covers = 0;

	if (pt_rig_init(&b, e->node) == 0) {
		r.setup_ok = 1;
		pt_iso_redirected(e, &b, 0, va, &r, peer);
		pt_iso_redirected(e, &b, 1, va, &r, peer);
		r.mapped_after = pt_maps_of(e, peer, va, &covers) > 0 && covers;
		r.after_ok = pt_rig_run(&b, 7);
	}
	pt_rig_fini(&b);
	if (write(wfd, &r, sizeof(r)) != (ssize_t)sizeof(r))
		_exit(1);
	_exit(0);
}

/* Process A: a secret buffer and PT_A_JOBS slow jobs reading it. */
struct pt_iso_a {
	int fd;
	uint32_t cmd, pad, secret, out[PT_A_JOBS], cmd_size;
	uint8_t *secret_map, *out_map[PT_A_JOBS];
	uint64_t seqno[PT_A_JOBS];
};

static uint8_t pt_secret_byte(unsigned int i)
{
	return (uint8_t)((i * 31u + 7u) ^ 0xa5u);
}

static int pt_iso_a_init(struct pt_iso_a *a, const char *node)
{
	unsigned int i;
	uint8_t *cmd;
	int ret;

	a->fd = open(node, O_RDWR | O_CLOEXEC);
	if (a->fd < 0)
		return -errno;
	ret = gu_bo_create(a->fd, 4096, &a->cmd) ||
	      gu_bo_create(a->fd, PT_PAD_SIZE, &a->pad) ||
	      gu_bo_create(a->fd, PT_SECRET_SIZE, &a->secret);
	for (i = 0; !ret && i < PT_A_JOBS; i++)
		ret = gu_bo_create(a->fd, PT_N, &a->out[i]) ||
		      !(a->out_map[i] = gu_bo_map(a->fd, a->out[i]));
	cmd = ret ? NULL : gu_bo_map(a->fd, a->cmd);
	a->secret_map = ret ? NULL : gu_bo_map(a->fd, a->secret);
	if (!cmd || !a->secret_map)
		return -EIO;
	for (i = 0; i < PT_SECRET_SIZE; i++)
		a->secret_map[i] = pt_secret_byte(i);
	/* Buffers: 0 the pad (read, never used), 1 the secret, 2 an output. */
	a->cmd_size = pt_build_copy(cmd, 4096, 1, 2);
	return a->cmd_size ? 0 : -EIO;
}

static int pt_iso_a_submit(struct pt_iso_a *a)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; !ret && i < PT_A_JOBS; i++) {
		struct drm_edgenpu_buffer_ref refs[3] = {
			{ a->pad, DRM_EDGENPU_BUF_READ },
			{ a->secret, DRM_EDGENPU_BUF_READ },
			{ a->out[i], DRM_EDGENPU_BUF_WRITE },
		};

		memset(a->out_map[i], 0, PT_N);
		ret = pt_submit(a->fd, a->cmd, a->cmd_size, refs, 3, &a->seqno[i]);
	}
	return ret;
}

/* How many of A's jobs have ended, now. */
static int pt_iso_a_ended(struct pt_iso_a *a)
{
	unsigned int i;
	int n = 0;

	for (i = 0; i < PT_A_JOBS; i++)
		n += gu_wait(a->fd, a->seqno[i], 0, NULL, NULL) == 0;
	return n;
}

/* Every job of A done, each output the secret's first bytes. */
static int pt_iso_a_check(struct pt_iso_a *a)
{
	unsigned int i, ok = 0;
	uint32_t st;

	for (i = 0; i < PT_A_JOBS; i++) {
		st = 0;
		if (!gu_wait(a->fd, a->seqno[i], 20000, &st, NULL) &&
		    st == DRM_EDGENPU_JOB_DONE &&
		    !memcmp(a->out_map[i], a->secret_map, PT_N))
			ok++;
	}
	return ok == PT_A_JOBS;
}

static int pt_iso_secret_intact(const struct pt_iso_a *a)
{
	unsigned int i;

	for (i = 0; i < PT_SECRET_SIZE; i++)
		if (a->secret_map[i] != pt_secret_byte(i))
			return 0;
	return 1;
}

/* Fork B with A's address @va; its result, or setup_ok 0. */
static void pt_iso_run_b(const struct pt_env *e, uint64_t va,
			 struct pt_iso_result *r)
{
	int p[2], status;
	pid_t pid, peer = getpid();

	memset(r, 0, sizeof(*r));
	if (pipe(p))
		return;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		pt_iso_child(e, va, peer, p[1]);
	}
	close(p[1]);
	if (pid > 0 && read(p[0], r, sizeof(*r)) != (ssize_t)sizeof(*r))
		memset(r, 0, sizeof(*r));
	close(p[0]);
	if (pid > 0)
		waitpid(pid, &status, 0);
}

static void pt_iso_report(struct tap *t, const struct pt_iso_result *r,
			  uint64_t va)
{
	static const char *const what[2] = { "reads", "writes" };
	unsigned int i;

	tap_check(t, r->mapped_before,
		  "A's secret is mapped at 0x%" PRIx64 " in A's context when B's job starts", va);
	tap_check(t, r->own_count > 0 && !r->own_covers,
		  "B's own mappings (%d buffers) do not cover that address", r->own_count);
	for (i = 0; i < 2; i++) {
		tap_check(t, r->status[i] == DRM_EDGENPU_JOB_ERROR && r->error[i] == -EFAULT,
			  "B's job that %s A's address fails with EFAULT (status %u, %d)",
			  what[i], r->status[i], r->error[i]);
		tap_check(t, r->le_ok[i], "LAST_ERROR names the translation fault and the address: \"%s\"",
			  r->msg[i]);
		tap_check(t, r->consumed[i] && r->out_kept[i],
			  "the redirect was used once; B's output untouched");
	}
	tap_check(t, r->mapped_after, "A's secret was still mapped after B's faults");
	tap_check(t, r->after_ok, "B's next job runs, exact");
}

static void pt_test_isolation(struct tap *t, const struct pt_env *e)
{
	struct pt_iso_a a = { .fd = -1 };
	struct pt_iso_result r;
	int count = 0, ended;
	uint64_t va;

	if (!pt_exists(e->hooks, "mmu_maps") || !pt_has_inj(e) || e->cores < 2) {
		tap_skip(t, "needs enpci_test_hooks=1, fault-injection=on and 2 cores",
			 "device MMU isolation");
		return;
	}
	if (!tap_check(t, pt_iso_a_init(&a, e->node) == 0, "A: a secret buffer and jobs"))
		goto out;
	/*
	 * A job is mapped from SUBMIT until it is freed. With every job
	 * taking PT_LATENCY_US on the device, A's jobs (which run in order
	 * on one core) keep the secret mapped for PT_A_JOBS times that,
	 * while B's jobs run on the other core, the idle one.
	 */
	pt_reg_write(e, PT_REG_INJ_LAT, "inj_latency_us", PT_LATENCY_US);
	tap_check(t, pt_iso_a_submit(&a) == 0, "A submits %d jobs that read its secret", PT_A_JOBS);
	va = pt_maps_find(e, getpid(), PT_SECRET_SIZE, &count);
	/*
	 * One mapping per job from SUBMIT until the job is freed: a job
	 * that ended (the guest stalled for PT_LATENCY_US) may be gone.
	 */
	ended = pt_iso_a_ended(&a);
	tap_check(t, count <= PT_A_JOBS && count >= PT_A_JOBS - ended && va,
		  "mmu_maps lists A's mappings of the secret: %d of %d jobs, %d ended (last at 0x%" PRIx64 ")",
		  count, PT_A_JOBS, ended, va);
	pt_iso_run_b(e, va, &r);
	pt_reg_write(e, PT_REG_INJ_LAT, "inj_latency_us", 0);
	if (tap_check(t, r.setup_ok, "B (another process) set up"))
		pt_iso_report(t, &r, va);
	tap_check(t, pt_iso_a_check(&a), "A's %d jobs all done, each output exact", PT_A_JOBS);
	tap_check(t, pt_iso_secret_intact(&a), "A's secret unchanged");
out:
	if (a.fd >= 0)
		close(a.fd);
}

/* ---- reset of a hung core ---- */

/* Dismiss the devcoredumps the timeout left (they expire anyway). */
static void pt_devcd_clear(void)
{
	char p[64];
	int i;

	for (i = 0; i < 16; i++) {
		snprintf(p, sizeof(p), "/sys/class/devcoredump/devcd%d/data", i);
		write_file(p, "1");
	}
}

/*
 * Submit A's jobs until one takes core 0's injected hang: the scheduler,
 * not userspace, picks a core, and the hang bit clears when core 0 takes
 * a job. A job that completes ran on core 1.
 */
static int pt_hang_start(const struct pt_env *e, struct pt_rig *a,
			 uint64_t *seqno, int64_t *t0)
{
	int tries, i;

	for (tries = 1; tries <= 8; tries++) {
		pt_rig_fill(a, 50 + tries);
		*t0 = gu_now_ns();
		if (pt_rig_submit(a, seqno))
			return 0;
		for (i = 0; i < 500; i++) {
			if (pt_reg_read(e, PT_REG_INJ_HANG, "inj_hang") == 0)
				return tries;
			if (gu_wait(a->fd, *seqno, 0, NULL, NULL) == 0)
				break;
			pt_sleep_ms(2);
		}
		tap_diag("try %d: the job did not take the hang (core 1 ran it)", tries);
	}
	return 0;
}

/* Core 1 runs B's jobs until A's hung job ends; how many were exact. */
static int pt_hang_other_core(struct pt_rig *a, struct pt_rig *b, uint64_t seqno,
			      long limit_ms, int64_t t0, int *jobs, uint32_t *st,
			      int32_t *err, long *ended_ms)
{
	int exact = 0;

	*jobs = 0;
	*ended_ms = -1;
	while (pt_ms_since(t0) < limit_ms) {
		exact += pt_rig_run(b, 200 + *jobs);
		(*jobs)++;
		if (gu_wait(a->fd, seqno, 0, st, err) == 0) {
			*ended_ms = pt_ms_since(t0);
			break;
		}
	}
	return exact;
}

static void pt_test_hang(struct tap *t, const struct pt_env *e)
{
	long timeout = read_long(PT_PARAMS "job_timeout_ms"), r0, r1, ended;
	struct pt_rig a, b;
	uint32_t st = 0;
	int32_t err = 0;
	uint64_t seqno = 0;
	int64_t t0 = 0;
	int jobs, exact, tries;

	if (e->cores < 2 || !pt_has_inj(e)) {
		tap_skip(t, "needs 2 cores, fault-injection=on and enpci_test_hooks=1",
			 "reset of a hung core");
		return;
	}
	/* Forget earlier hangs of this user (the per-user ban). */
	write_file(PT_PARAMS "user_hang_window_s", "60");
	r0 = pt_core_resets(e, 0);
	r1 = pt_core_resets(e, 1);
	if (!tap_check(t, pt_rig_init(&a, e->node) == 0 && pt_rig_init(&b, e->node) == 0,
		       "two files for the hang test"))
		return;
	pt_reg_write(e, PT_REG_INJ_HANG, "inj_hang", 1);
	tries = pt_hang_start(e, &a, &seqno, &t0);
	if (tap_check(t, tries > 0, "a job took core 0's injected hang (try %d)", tries)) {
		exact = pt_hang_other_core(&a, &b, seqno, timeout + 5000, t0, &jobs, &st,
					   &err, &ended);
		tap_check(t, st == DRM_EDGENPU_JOB_TIMEDOUT && err == -ETIMEDOUT,
			  "the hung job timed out (status %u, %d)", st, err);
		tap_check(t, ended >= timeout - 100 && ended <= timeout + 2500,
			  "it ended %ld ms after submission (job timeout %ld ms)", ended, timeout);
		tap_check(t, jobs >= 3 && exact == jobs,
			  "core 1 ran %d of %d jobs exactly meanwhile", exact, jobs);
		tap_check(t, pt_core_resets(e, 0) == r0 + 1 && pt_core_resets(e, 1) == r1,
			  "core 0 was reset once, core 1 never (resets %ld -> %ld, %ld -> %ld)",
			  r0, pt_core_resets(e, 0), r1, pt_core_resets(e, 1));
	}
	pt_reg_write(e, PT_REG_INJ_HANG, "inj_hang", 0);
	tap_check(t, pt_rig_run(&a, 9) && pt_rig_run(&b, 10),
		  "both files run exact jobs after the reset");
	pt_rig_fini(&a);
	pt_rig_fini(&b);
	pt_devcd_clear();
}

/* ---- a job queued behind a hung one ---- */

/* A core's line of the hooks' queues file. */
struct pt_queue {
	unsigned int head, tail, size, status, jobs_done, driver_jobs;
};

static int pt_queue_read(const struct pt_env *e, unsigned int core,
			 struct pt_queue *q)
{
	char p[256], line[128];
	struct pt_queue v;
	unsigned int c;
	int found = 0;
	FILE *f;

	if (!pt_path(p, sizeof(p), e->hooks, "queues") || !(f = fopen(p, "r")))
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%u %u %u %u %u %u %u", &c, &v.head, &v.tail,
			   &v.size, &v.status, &v.jobs_done, &v.driver_jobs) == 7 &&
		    c == core) {
			*q = v;
			found = 1;
		}
	fclose(f);
	return found;
}

/* Descriptors the device has yet to finish in the core's ring. */
static unsigned int pt_queue_pending(const struct pt_queue *q)
{
	return q->size ? (q->tail - q->head) & (q->size - 1) : 0;
}

/*
 * Poll the cores until one holds two jobs, in the driver and in the
 * ring, up to @ms; that core's index, with what it showed in *@q, or -1.
 * @only: the one core to look at, or -1 for any.
 */
static int pt_queue_wait_two(const struct pt_env *e, int only, struct pt_queue *q,
			     long ms)
{
	int64_t t0 = gu_now_ns();
	unsigned int c;

	do {
		for (c = 0; c < e->cores; c++)
			if ((only < 0 || (unsigned int)only == c) &&
			    pt_queue_read(e, c, q) && q->driver_jobs == 2 &&
			    pt_queue_pending(q) == 2)
				return c;
		pt_sleep_ms(5);
	} while (pt_ms_since(t0) < ms);
	return -1;
}

/*
 * Job 1 hangs on core 0; job 2 of the same file follows it to core 0
 * (the scheduler keeps a file's jobs on one core while the previous one
 * is unfinished) and waits in the device's ring behind it. The timeout
 * fails job 1 alone; job 2 runs after the reset, exactly.
 */
static void pt_test_hang_queued(struct tap *t, const struct pt_env *e)
{
	long timeout = read_long(PT_PARAMS "job_timeout_ms"), r0, ended1 = -1;
	long ended2 = -1;
	uint32_t st1 = 0, st2 = 0;
	int32_t err1 = 0, err2 = 0;
	uint64_t s1 = 0, s2 = 0;
	struct pt_rig a, a2;
	struct pt_queue q = { 0 };
	int64_t t0 = 0;
	int tries, two;

	/* A driver whose hooks lack the queues file fails the ring check. */
	if (!pt_has_inj(e) || !pt_exists(e->hooks, "inj_hang")) {
		tap_skip(t, "needs fault-injection=on and enpci_test_hooks=1",
			 "a job queued behind a hung one");
		return;
	}
	write_file(PT_PARAMS "user_hang_window_s", "60");
	r0 = pt_core_resets(e, 0);
	if (!tap_check(t, pt_rig_init(&a, e->node) == 0 &&
		       pt_rig_init_same_file(&a2, &a) == 0,
		       "a file with two copy jobs"))
		return;
	pt_reg_write(e, PT_REG_INJ_HANG, "inj_hang", 1);
	tries = pt_hang_start(e, &a, &s1, &t0);
	if (!tap_check(t, tries > 0, "job 1 took core 0's injected hang (try %d)", tries))
		goto out;
	pt_rig_fill(&a2, 77);
	if (!tap_check(t, pt_rig_submit(&a2, &s2) == 0, "job 2 submitted behind it"))
		goto out;
	two = pt_queue_wait_two(e, 0, &q, timeout / 2) == 0;
	tap_check(t, two, "core 0 holds both: %u job(s) in the driver, %u descriptor(s) in the ring (HEAD %u, TAIL %u, STATUS %u)",
		  q.driver_jobs, pt_queue_pending(&q), q.head, q.tail, q.status);
	if (gu_wait(a.fd, s1, 2 * timeout + 5000, &st1, &err1) == 0)
		ended1 = pt_ms_since(t0);
	if (gu_wait(a.fd, s2, 10000, &st2, &err2) == 0)
		ended2 = pt_ms_since(t0);
	tap_check(t, st1 == DRM_EDGENPU_JOB_TIMEDOUT && err1 == -ETIMEDOUT,
		  "job 1 timed out (status %u, %d) after %ld ms (job timeout %ld ms)",
		  st1, err1, ended1, timeout);
	tap_check(t, st2 == DRM_EDGENPU_JOB_DONE && err2 == 0 &&
		  !memcmp(a2.in_map, a2.out_map, PT_N),
		  "job 2 completed exactly after the reset (status %u, %d, %ld ms)",
		  st2, err2, ended2);
	tap_check(t, ended1 >= timeout - 100 && ended2 >= ended1 - 100,
		  "job 2 did not end before job 1's timeout (%ld, %ld ms)", ended1, ended2);
	tap_check(t, pt_core_resets(e, 0) == r0 + 1,
		  "core 0 was reset once (resets %ld -> %ld)", r0, pt_core_resets(e, 0));
	memset(&q, 0xff, sizeof(q));
	two = pt_queue_read(e, 0, &q);
	tap_check(t, two && q.driver_jobs == 0 && pt_queue_pending(&q) == 0,
		  "core 0 holds nothing afterwards (%u job(s) in the driver, %u in the ring)",
		  q.driver_jobs, pt_queue_pending(&q));
out:
	pt_reg_write(e, PT_REG_INJ_HANG, "inj_hang", 0);
	tap_check(t, pt_rig_run(&a, 11) && pt_rig_run(&a2, 12),
		  "the file runs exact jobs after the reset");
	pt_rig_fini(&a);
	pt_devcd_clear();
}

/* ---- a QUEUE_FAULT with a job queued behind it ---- */

/* How long each job takes on the device while both are queued. */
#define PT_QF_LATENCY_US	300000

/* LAST_ERROR of @fd names a queue fault of job @seqno. */
static int pt_queue_fault_reported(int fd, uint64_t seqno, char *msg, size_t len)
{
	struct drm_edgenpu_last_error le = { 0 };

	if (gu_last_error(fd, &le))
		return 0;
	snprintf(msg, len, "%.*s", (int)sizeof(le.msg), le.msg);
	return le.error == -EIO && le.seqno == seqno && strstr(msg, "queue fault");
}

/*
 * Job 1's completion record cannot be written (the queue_fault_next
 * hook), so its core stops with QUEUE_FAULT while job 2 of the same file
 * waits in the ring behind it. The driver fails job 1 alone with EIO,
 * restarts the core and queues job 2 again, which completes exactly; no
 * timeout and no reset of the edgenpu core's are involved.
 */
static void pt_test_queue_fault(struct tap *t, const struct pt_env *e)
{
	uint32_t st1 = 0, st2 = 0;
	int32_t err1 = 0, err2 = 0;
	uint64_t s1 = 0, s2 = 0;
	struct pt_queue q = { 0 };
	struct pt_rig a, a2;
	long r0[2] = { 0 };
	char msg[128] = "", armed[32] = "";
	unsigned int c, resets;
	int core, ok;

	if (!pt_has_inj(e) || !pt_exists(e->hooks, "queue_fault_next")) {
		tap_skip(t, "needs fault-injection=on and enpci_test_hooks=1",
			 "a QUEUE_FAULT with a job behind it");
		return;
	}
	for (c = 0; c < e->cores && c < 2; c++)
		r0[c] = pt_core_resets(e, c);
	if (!tap_check(t, pt_rig_init(&a, e->node) == 0 &&
		       pt_rig_init_same_file(&a2, &a) == 0,
		       "a file with two copy jobs"))
		return;
	/* Slow jobs, so that job 2 is in the ring before job 1 ends. */
	pt_reg_write(e, PT_REG_INJ_LAT, "inj_latency_us", PT_QF_LATENCY_US);
	pt_rig_fill(&a, 21);
	pt_rig_fill(&a2, 22);
	ok = pt_write(e->hooks, "queue_fault_next", "1") &&
	     pt_rig_submit(&a, &s1) == 0 && pt_rig_submit(&a2, &s2) == 0;
	if (!tap_check(t, ok, "queue fault armed; jobs %llu and %llu submitted",
		       (unsigned long long)s1, (unsigned long long)s2))
		goto out;
	core = pt_queue_wait_two(e, -1, &q, PT_QF_LATENCY_US / 1000 - 50);
	pt_reg_write(e, PT_REG_INJ_LAT, "inj_latency_us", 0);
	tap_check(t, core >= 0, "core %d holds both: %u job(s) in the driver, %u descriptor(s) in the ring",
		  core, q.driver_jobs, pt_queue_pending(&q));
	gu_wait(a.fd, s1, 10000, &st1, &err1);
	gu_wait(a.fd, s2, 10000, &st2, &err2);
	tap_check(t, st1 == DRM_EDGENPU_JOB_ERROR && err1 == -EIO &&
		  pt_queue_fault_reported(a.fd, s1, msg, sizeof(msg)),
		  "job 1 failed with EIO (status %u, %d): \"%s\"", st1, err1, msg);
	tap_check(t, st2 == DRM_EDGENPU_JOB_DONE && err2 == 0 &&
		  !memcmp(a2.in_map, a2.out_map, PT_N),
		  "job 2, queued again behind it, completed exactly (status %u, %d)",
		  st2, err2);
	pt_read_str(e->hooks, "queue_fault_next", armed, sizeof(armed));
	tap_check(t, !strcmp(armed, "none"), "the hook was used once (%s)", armed);
	for (c = 0, resets = 0; c < e->cores && c < 2; c++)
		resets += pt_core_resets(e, c) != r0[c];
	tap_check(t, !resets, "no timeout: no core was reset by the scheduler");
	if (core >= 0) {
		memset(&q, 0xff, sizeof(q));
		ok = pt_queue_read(e, core, &q);
		tap_check(t, ok && q.driver_jobs == 0 &&
			  pt_queue_pending(&q) == 0 && !(q.status & 1),
			  "core %d holds nothing afterwards and is not busy, STATUS %u (%u job(s) in the driver, %u in the ring)",
			  core, q.status, q.driver_jobs, pt_queue_pending(&q));
	}
out:
	pt_reg_write(e, PT_REG_INJ_LAT, "inj_latency_us", 0);
	pt_write(e->hooks, "queue_fault_next", "none");
	tap_check(t, pt_rig_run(&a, 13) && pt_rig_run(&a2, 14),
		  "the file runs exact jobs afterwards");
	pt_rig_fini(&a);
}

/* ---- runtime PM ---- */

/* Poll runtime_status until it reads @want, up to @ms. */
static int pt_pm_wait(const struct pt_env *e, const char *want, long ms)
{
	char s[32];
	int64_t t0 = gu_now_ns();

	do {
		pt_read_str(e->pcidev, "power/runtime_status", s, sizeof(s));
		if (!strcmp(s, want))
			return 1;
		pt_sleep_ms(10);
	} while (pt_ms_since(t0) < ms);
	return 0;
}

/* The POWER register, or -1 when neither BAR0 nor the hooks reach it. */
static long pt_power(const struct pt_env *e, int have_power)
{
	return have_power ? pt_reg_read(e, PT_REG_POWER, "power") : -1;
}

/*
 * One round: suspended (POWER IDLE), a job, active (POWER ON) right
 * after it, suspended again. POWER (-1: not read) is checked when known.
 */
static void pt_pm_round(struct tap *t, const struct pt_env *e, struct pt_rig *r,
			int round, int have_power)
{
	long idle, on;
	char s[32];
	int ok;

	ok = pt_pm_wait(e, "suspended", 5000);
	idle = pt_power(e, have_power);
	tap_check(t, ok && (!have_power || idle == PT_POWER_IDLE),
		  "round %d: runtime-suspended before the job, POWER %ld (1 IDLE)", round, idle);
	ok = pt_rig_run(r, 300 + round);
	pt_read_str(e->pcidev, "power/runtime_status", s, sizeof(s));
	on = pt_power(e, have_power);
	tap_check(t, ok, "round %d: the job's result is exact", round);
	tap_check(t, !strcmp(s, "active") && (!have_power || on == PT_POWER_ON),
		  "round %d: resumed for it (%s, POWER %ld: 0 ON)", round, s, on);
	tap_check(t, pt_pm_wait(e, "suspended", 5000),
		  "round %d: suspended again afterwards", round);
}

static void pt_test_pm(struct tap *t, const struct pt_env *e)
{
	long delay = pt_read_long(e->pcidev, "power/autosuspend_delay_ms");
	int have_power = e->bar || pt_exists(e->hooks, "power");
	struct pt_rig r;
	char ctl[24];
	int i;

	pt_read_str(e->pcidev, "power/control", ctl, sizeof(ctl));
	if (delay < 0 || strcmp(ctl, "auto")) {
		tap_skip(t, "runtime PM is not allowed on the device", "runtime PM");
		return;
	}
	if (!have_power)
		tap_diag("no enpci_test_hooks and no BAR0 mapping: POWER is not checked");
	if (!tap_check(t, pt_rig_init(&r, e->node) == 0, "a file for the PM test"))
		return;
	/* Longer than a job's round trip under TCG, short for the test. */
	tap_check(t, pt_write(e->pcidev, "power/autosuspend_delay_ms", "200"),
		  "autosuspend delay 200 ms (was %ld)", delay);
	for (i = 1; i <= 3; i++)
		pt_pm_round(t, e, &r, i, have_power);
	pt_rig_fini(&r);
	snprintf(ctl, sizeof(ctl), "%ld", delay);
	pt_write(e->pcidev, "power/autosuspend_delay_ms", ctl);
}

int main(int argc, char **argv)
{
	const char *node = argc > 1 ? argv[1] : "/dev/accel/accel0";
	struct tap t = { 0 };
	struct pt_env e;
	int ret;

	if (gu_backend_is_vnpu(node)) {
		tap_skip(&t, "the vnpu backend", "PCI device tests");
		return tap_done(&t);
	}
	ret = pt_env_init(&e, node);
	if (!tap_check(&t, ret == 0, "%s is a PCI NPU (%s, %u cores)", node, e.bdf,
		       e.cores))
		return tap_done(&t);
	pt_map_bar(&e);
	if (!pt_exists(e.hooks, ""))
		tap_diag("no %s: the module was loaded without enpci_test_hooks=1", e.hooks);
	pt_test_depth(&t, &e);
	pt_test_isolation(&t, &e);
	pt_test_hang(&t, &e);
	pt_test_hang_queued(&t, &e);
	pt_test_queue_fault(&t, &e);
	pt_test_pm(&t, &e);
	if (e.bar)
		munmap((void *)e.bar, PT_BAR0_SIZE);
	return tap_done(&t);
}
