// SPDX-License-Identifier: MIT
/*
 * A hostile render-group client against the driver's limits
 * (Documentation/edgenpu/security.rst), with the kernel log as the other
 * oracle (vm-run fails on soft lockups, RCU stalls, hung tasks, splats):
 *
 * - a maximal-cost op on every core from one file while another file's
 *   small job waits: the hostile jobs time out, their cores are free
 *   again within 100 ms of the timeout, the victim finishes within one
 *   job timeout, and each timeout leaves a devcoredump (on the PCI NPU
 *   with the device's registers and the hung core's queue, as they were
 *   before the reset);
 * - ops over the cost limit are refused (-E2BIG) before they run;
 * - reopening the device does not undo a ban (per-user hang accounting);
 * - a garbage stream naming gigabytes of buffers is refused at once and
 *   pins nothing;
 * - per-file limits (unfinished jobs, pinned bytes, BO bytes) refuse with
 *   their own errno and message, and recover;
 * - many jobs that nobody WAITs for (syncobj-only clients) leave bounded
 *   kernel memory.
 *
 * usage: edgenpu-hostile-test [DEVICE]   (env HOSTILE_SYNC_JOBS: jobs of
 * the syncobj-only run, default 100000)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <drm.h>
#include <drm/edgenpu_accel.h>

#include "engine_jobbuild.h"
#include "guest_util.h"
#include "tap.h"

#define DBG		"/sys/kernel/debug/edgenpu/edgenpu-vnpu.0/"
#define PARAM		"/sys/module/edgenpu/parameters/"
#define DEVCD		"/sys/class/devcoredump"
#define MIB		(1ull << 20)

/* Big FULLY_CONNECTED: rows x OC x K multiply-accumulates. */
#define FC_K		4096
#define FC_OC		1024
#define FC_ROWS		1000	/* 4.2e9 units: just under 2^32 */

static const char *dev_path;	/* argv[1], or gu_node0() */

/* A small job: op 0 copies 16 bytes from buffer 0 to buffer 1. */
static uint32_t build_copy(struct jb *j)
{
	struct edgenpu_cmd_tensor t[2];

	t[0] = jb_t(0, EDGENPU_DTYPE_INT8, 0, 1, 1, 1, 16, 0);
	t[1] = jb_t(1, EDGENPU_DTYPE_INT8, 0, 1, 1, 1, 16, 0);
	jb_op(j, EDGENPU_OP_RESHAPE, 0, 0, 0, NULL, 0, t, 2);
	return j->overflow ? 0 : 1;
}

/* The copy, then a FULLY_CONNECTED of @rows rows over buffers 2..4. */
static uint32_t build_costly(uint8_t *buf, uint32_t cap, uint32_t rows)
{
	struct jb j;

	jb_init(&j, buf, cap);
	build_copy(&j);
	jb_fc_op(&j, 2, rows, FC_K, FC_OC);
	return jb_finish(&j);
}

/* A file with a command BO and the five buffers of build_costly(). */
struct client {
	int fd;
	uint32_t cmd, bo[5];
	uint8_t *cmd_map;
	uint32_t cmd_size;
	struct drm_edgenpu_buffer_ref refs[5];
	struct drm_edgenpu_job job;
	struct drm_edgenpu_submit sub;
};

static int client_open(struct client *c, uint32_t rows)
{
	static const uint64_t sizes[5] = {
		4096, 4096, (uint64_t)FC_ROWS * 2 * FC_K,
		(uint64_t)FC_OC * FC_K, (uint64_t)FC_ROWS * 2 * FC_OC,
	};
	static const uint32_t flags[5] = {
		DRM_EDGENPU_BUF_READ, DRM_EDGENPU_BUF_WRITE, DRM_EDGENPU_BUF_READ,
		DRM_EDGENPU_BUF_READ, DRM_EDGENPU_BUF_WRITE,
	};
	int i;

	memset(c, 0, sizeof(*c));
	c->fd = open(dev_path, O_RDWR | O_CLOEXEC);
	if (c->fd < 0 || gu_bo_create(c->fd, 65536, &c->cmd))
		return -1;
	c->cmd_map = gu_bo_map(c->fd, c->cmd);
	if (!c->cmd_map)
		return -1;
	for (i = 0; i < 5; i++) {
		if (gu_bo_create(c->fd, sizes[i], &c->bo[i]))
			return -1;
		c->refs[i] = (struct drm_edgenpu_buffer_ref){ c->bo[i], flags[i] };
	}
	c->cmd_size = build_costly(c->cmd_map, 65536, rows);
	c->job.cmd_handle = c->cmd;
	c->job.cmd_size = c->cmd_size;
	c->job.buffers = (uintptr_t)c->refs;
	c->job.buffer_count = 5;
	c->job.priority = DRM_EDGENPU_PRIO_NORMAL;
	c->sub.jobs = (uintptr_t)&c->job;
	c->sub.job_count = 1;
	c->sub.job_stride = sizeof(c->job);
	return c->cmd_size ? 0 : -1;
}

/* Make the client's job the small copy alone. */
static void client_small(struct client *c)
{
	struct jb j;

	jb_init(&j, c->cmd_map, 65536);
	build_copy(&j);
	c->cmd_size = jb_finish(&j);
	c->job.cmd_size = c->cmd_size;
	c->job.buffer_count = 2;
}

static int client_submit(struct client *c, uint64_t *seqno)
{
	int ret = gu_ioctl(c->fd, DRM_IOCTL_EDGENPU_SUBMIT, &c->sub);

	*seqno = c->job.seqno;
	return ret;
}

static void client_close(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);
}

static long meminfo(const char *key)
{
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)))
			v = strtol(line + strlen(key), NULL, 10);
	fclose(f);
	return v;
}

/*
 * The device's DRM debugfs directory is named after its parent device
 * (edgenpu-vnpu.0, or the PCI NPU's address): the first with edgenpu's
 * files.
 */
static char accel_dbg[300];

static void find_accel_dbg(void)
{
	DIR *d = opendir(gu_dbg_root());
	struct dirent *e;
	char path[sizeof(accel_dbg) + 32];

	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%.200s/edgenpu_stats",
			 gu_dbg_root(), e->d_name);
		if (!access(path, R_OK)) {
			snprintf(accel_dbg, sizeof(accel_dbg), "%s/%.200s/",
				 gu_dbg_root(), e->d_name);
			break;
		}
	}
	if (d)
		closedir(d);
}

static FILE *accel_dbg_open(const char *file)
{
	char path[sizeof(accel_dbg) + 32];

	snprintf(path, sizeof(path), "%s%s", accel_dbg, file);
	return fopen(path, "r");
}

/* The debugfs stats line "coreN_last_reset_us V": the worst over cores. */
static long worst_reset_us(void)
{
	char line[128];
	long worst = -1, v;
	unsigned int core;
	FILE *f = accel_dbg_open("edgenpu_stats");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "core%u_last_reset_us %ld", &core, &v) == 2 &&
		    v > worst)
			worst = v;
	fclose(f);
	return worst;
}

/* A small text file as TAP comments. */
static void print_file(const char *path)
{
	char line[256];
	FILE *f = fopen(path, "r");

	while (f && fgets(line, sizeof(line), f))
		printf("# %s", line);
	if (f)
		fclose(f);
}

/* Dismiss every pending devcoredump. */
static void devcd_clear(void)
{
	DIR *d = opendir(DEVCD);
	struct dirent *e;
	char path[512];

	if (!d)
		return;
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, "devcd", 5)) {
			snprintf(path, sizeof(path), DEVCD "/%s/data", e->d_name);
			write_file(path, "1");
		}
	closedir(d);
}

/* The first edgenpu devcoredump's text, or NULL. */
static char *devcd_read(void)
{
	DIR *d = opendir(DEVCD);
	struct dirent *e;
	char path[512], *buf = NULL;

	if (!d)
		return NULL;
	while (!buf && (e = readdir(d))) {
		int fd;
		ssize_t n;

		if (strncmp(e->d_name, "devcd", 5))
			continue;
		snprintf(path, sizeof(path), DEVCD "/%s/data", e->d_name);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		buf = calloc(1, 1 << 20);
		n = buf ? read(fd, buf, (1 << 20) - 1) : -1;
		close(fd);
		if (n <= 0 || !strstr(buf, "edgenpu crash dump")) {
			free(buf);
			buf = NULL;
		} else {
			write_file(path, "1");
		}
	}
	closedir(d);
	return buf;
}

/* The number after @key in @s (hex with 0x), or -1. */
static long long dump_value(const char *s, const char *key)
{
	const char *p = s ? strstr(s, key) : NULL;

	return p ? strtoll(p + strlen(key), NULL, 0) : -1;
}

/*
 * The PCI backend's section of @dump: the ID register, and the hung
 * core's registers and in-flight descriptor as they were before its
 * reset (a reset clears STATUS and the queue pointers). Says what it
 * found.
 */
static int dump_has_pci_state(const char *dump)
{
	long long core = dump_value(dump, "\ncore: ");
	const char *state = strstr(dump, "\nbackend state (before the reset):\n");
	const char *regs, *ring, *p;
	char key[64];
	long long busy, qsize;
	size_t len;

	snprintf(key, sizeof(key), "\ncore %lld registers:\n", core);
	regs = strstr(dump, key);
	snprintf(key, sizeof(key), "\ncore %lld ring: ", core);
	ring = strstr(dump, key);
	if (!state || !regs || !ring) {
		printf("# no register section of core %lld\n", core);
		return 0;
	}
	/* Show it: it is the dump's last section. */
	for (p = state + 1; *p; p += len + (p[len] == '\n')) {
		len = strcspn(p, "\n");
		printf("# %.*s\n", (int)len, p);
	}
	busy = dump_value(regs, "\n  STATUS: ");
	qsize = dump_value(regs, "\n  Q_SIZE: ");
	return dump_value(dump, "\n  ID: ") == 0x4e505531 && busy >= 0 &&
	       (busy & 1) && qsize > 0 &&
	       strstr(ring, "job in flight at slot") && strstr(ring, "\n  desc[");
}

static void forget_hangs(void)
{
	write_file(PARAM "user_hang_window_s", "60");
}

static void test_cost_limit(struct tap *t)
{
	struct drm_edgenpu_last_error le = { 0 };
	struct client c;
	uint64_t seq;
	int ret;

	if (client_open(&c, 2 * FC_ROWS)) {
		tap_check(t, 0, "open a client");
		return;
	}
	ret = client_submit(&c, &seq);
	gu_last_error(c.fd, &le);
	tap_check(t, ret == -E2BIG && le.op_index == 1,
		  "an op of 2^33 multiply-adds is refused: %d, op %d: %s",
		  ret, le.op_index, le.msg);
	client_close(&c);
}

/* Hostile max-cost jobs on every core, a victim's small job behind them. */
static void test_hostile_cores(struct tap *t, unsigned int cores)
{
	struct client h, v;
	uint64_t hseq[3], vseq;
	uint32_t st = 0, wr[3][2];
	int64_t t0, tv, tv0, first, hend[3] = { 0 };
	long timeout_ms = read_long(PARAM "job_timeout_ms"), reset_us;
	unsigned int i, timedout = 0, reset = 0;
	char *dump, jobs_path[sizeof(accel_dbg) + 32];
	/* Only the vnpu knows which op was running (the engine's hooks). */
	int vnpu = gu_backend_is_vnpu(dev_path);

	devcd_clear();
	if (client_open(&h, FC_ROWS) || client_open(&v, FC_ROWS)) {
		tap_check(t, 0, "open two clients");
		return;
	}
	client_small(&v);
	/*
	 * One entity per priority: that is how one file fills every core.
	 * Each job writes buffers of its own, or implicit sync would order
	 * them.
	 */
	for (i = 1; i < cores && i < 3; i++)
		if (gu_bo_create(h.fd, 4096, &wr[i][0]) ||
		    gu_bo_create(h.fd, (uint64_t)FC_ROWS * FC_OC, &wr[i][1]))
			break;
	t0 = gu_now_ns();
	for (i = 0; i < cores && i < 3; i++) {
		h.job.priority = i;
		if (i) {
			h.refs[1].handle = wr[i][0];
			h.refs[4].handle = wr[i][1];
		}
		if (client_submit(&h, &hseq[i]))
			hseq[i] = 0;
	}
	cores = cores < 3 ? cores : 3;
	usleep(20000);
	tv0 = tv = gu_now_ns();
	tap_check(t, client_submit(&v, &vseq) == 0, "the victim submits");
	tap_check(t, gu_wait(v.fd, vseq, 60000, &st, NULL) == 0 &&
		  st == DRM_EDGENPU_JOB_DONE, "the victim's job completes");
	tv = gu_now_ns() - tv;
	for (i = 0; i < cores; i++) {
		st = 0;
		if (hseq[i] && !gu_wait(h.fd, hseq[i], 60000, &st, NULL) &&
		    (st == DRM_EDGENPU_JOB_TIMEDOUT ||
		     (!vnpu && st == DRM_EDGENPU_JOB_DONE)))
			timedout++;
		reset += st == DRM_EDGENPU_JOB_TIMEDOUT;
		hend[i] = gu_now_ns() - t0;
		printf("# hostile job %u ended after %lld ms (status %u)\n", i,
		       (long long)(hend[i] / 1000000), st);
	}
	/*
	 * On the vnpu (a kernel CPU under TCG) a maximal-cost op outlasts the
	 * timeout. Real hardware, such as the PCI NPU running at host speed,
	 * may finish it in time: there it must end, one way or the other.
	 */
	tap_check(t, timedout == cores,
		  vnpu ? "all %u maximal-cost jobs time out (%u did)" :
		  "all %u maximal-cost jobs end, done or timed out (%u did)",
		  cores, timedout);
	printf("# victim done %lld ms after its submission (job timeout %ld ms)\n",
	       (long long)(tv / 1000000), timeout_ms);
	/*
	 * The victim runs as soon as the first core is reset: it is done
	 * within a second of the first hostile job's end (on a loaded TCG
	 * host the timeout itself may fire late).
	 */
	first = hend[0];
	for (i = 1; i < cores; i++)
		first = hend[i] < first ? hend[i] : first;
	first -= tv0 - t0;
	tap_check(t, tv <= first + 1000000000ll,
		  "the victim is done %lld ms after it was submitted, within 1 s of the first freed core (%lld ms)",
		  (long long)(tv / 1000000), (long long)(first / 1000000));
	snprintf(jobs_path, sizeof(jobs_path), "%sedgenpu_jobs", accel_dbg);
	print_file(jobs_path);
	if (!vnpu && !reset) {
		tap_skip(t, "the device finished every maximal-cost job in time",
			 "a reset frees its core within 100 ms");
		tap_skip(t, "no job timed out", "a devcoredump of the timed-out job");
		tap_skip(t, "no job timed out", "the dump's device registers");
		goto out;
	}
	reset_us = worst_reset_us();
	printf("# worst time from timeout to core free: %ld us\n", reset_us);
	tap_check(t, reset_us >= 0 && reset_us < 100000,
		  "a reset frees its core within 100 ms (worst %ld us)", reset_us);

	/* The timeout left a crash dump naming the op that was running. */
	usleep(200000);
	dump = devcd_read();
	tap_check(t, dump && (!vnpu || strstr(dump, "op_at_timeout: 1 (FULLY_CONNECTED)")) &&
		  strstr(dump, "reason: job timed out") &&
		  strstr(dump, "stream_bytes: ") && strstr(dump, "  [4] size="),
		  "a devcoredump with the running op, buffer table and stream");
	if (vnpu)
		tap_check(t, dump && !strstr(dump, "backend state"),
			  "the vnpu's dump has no backend section");
	else
		tap_check(t, dump && dump_has_pci_state(dump),
			  "the dump has the device's registers (ID 0x4e505531) and the hung core's, read before its reset (busy), with its in-flight descriptor");
	if (dump)
		printf("# %.*s\n", (int)(strchr(dump, '\n') - dump), dump);
	free(dump);
out:
	client_close(&h);
	client_close(&v);
}

/* Hangs count per user: new files of a user over the limit are refused. */
static void test_reopen_ban(struct tap *t)
{
	struct drm_edgenpu_last_error le = { 0 };
	struct client c;
	uint64_t seq;
	uint32_t st;
	int i, ret;

	forget_hangs();
	write_file(PARAM "user_hang_limit", "2");
	for (i = 0; i < 2; i++) {
		if (client_open(&c, FC_ROWS))
			break;
		client_small(&c);
		write_file(DBG "hang_next", "1");
		if (!client_submit(&c, &seq))
			gu_wait(c.fd, seq, 60000, &st, NULL);
		client_close(&c);
	}
	if (client_open(&c, FC_ROWS)) {
		tap_check(t, 0, "open a client");
		return;
	}
	client_small(&c);
	ret = client_submit(&c, &seq);
	gu_last_error(c.fd, &le);
	tap_check(t, ret == -EIO && strstr(le.msg, "user"),
		  "a new file of a user with 2 hangs (limit 2) is refused: %d %s",
		  ret, le.msg);
	forget_hangs();
	ret = client_submit(&c, &seq);
	tap_check(t, ret == 0 && !gu_wait(c.fd, seq, 20000, &st, NULL) &&
		  st == DRM_EDGENPU_JOB_DONE,
		  "after the record is forgotten it runs again");
	write_file(PARAM "user_hang_limit", "4");
	client_close(&c);
}

/* A garbage stream naming 16 x 255 MiB is refused fast and pins nothing. */
static void test_garbage_pins_nothing(struct tap *t)
{
	struct drm_edgenpu_buffer_ref refs[16];
	struct drm_edgenpu_job job = { 0 };
	struct drm_edgenpu_submit sub = { 0 };
	uint32_t cmd;
	uint8_t *map;
	long before, after;
	int64_t t0, dt;
	int fd = open(dev_path, O_RDWR | O_CLOEXEC), i, ret;

	if (fd < 0 || gu_bo_create(fd, 4096, &cmd) || !(map = gu_bo_map(fd, cmd))) {
		tap_check(t, 0, "set up the garbage job");
		return;
	}
	memset(map, 0xa5, 4096);
	for (i = 0; i < 16; i++) {
		refs[i].flags = DRM_EDGENPU_BUF_READ | DRM_EDGENPU_BUF_WRITE;
		if (gu_bo_create(fd, 255 * MIB, &refs[i].handle))
			break;
	}
	job.cmd_handle = cmd;
	job.cmd_size = 4096;
	job.buffers = (uintptr_t)refs;
	job.buffer_count = 16;
	job.priority = DRM_EDGENPU_PRIO_NORMAL;
	sub.jobs = (uintptr_t)&job;
	sub.job_count = 1;
	sub.job_stride = sizeof(job);
	before = meminfo("MemAvailable:");
	t0 = gu_now_ns();
	ret = gu_ioctl(fd, DRM_IOCTL_EDGENPU_SUBMIT, &sub);
	dt = gu_now_ns() - t0;
	after = meminfo("MemAvailable:");
	printf("# garbage SUBMIT over %d x 255 MiB: %d in %lld us, MemAvailable %ld -> %ld kB\n",
	       i, ret, (long long)(dt / 1000), before, after);
	tap_check(t, i == 16 && ret == -EBADMSG, "refused with EBADMSG (%d)", ret);
	tap_check(t, dt < 1000000000ll, "within a second (%lld ms)",
		  (long long)(dt / 1000000));
	tap_check(t, before - after < 32 * 1024,
		  "MemAvailable unchanged (%ld kB less)", before - after);
	close(fd);
}

static void test_bo_limit(struct tap *t)
{
	struct drm_edgenpu_last_error le = { 0 };
	long limit = read_long(PARAM "max_file_bo_mb");
	uint32_t h[64], extra;
	int fd = open(dev_path, O_RDWR | O_CLOEXEC), n = 0, ret = 0;
	struct drm_gem_close gc = { 0 };

	while (fd >= 0 && n < 64 && !(ret = gu_bo_create(fd, 1ull << 30, &h[n])))
		n++;
	gu_last_error(fd, &le);
	tap_check(t, ret == -EDQUOT && n == limit / 1024 && strstr(le.msg, "buffer object"),
		  "BO bytes over max_file_bo_mb=%ld: EDQUOT after %d GiB (%s)",
		  limit, n, le.msg);
	gc.handle = h[0];
	gu_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &gc);
	tap_check(t, gu_bo_create(fd, 1ull << 30, &extra) == 0,
		  "closing one makes room again");
	close(fd);
}

static void test_pinned_limit(struct tap *t)
{
	struct drm_edgenpu_last_error le = { 0 };
	struct client c;
	uint64_t seq;
	uint32_t big[2], st;
	int ret;

	if (client_open(&c, FC_ROWS) || gu_bo_create(c.fd, 1ull << 30, &big[0]) ||
	    gu_bo_create(c.fd, 1ull << 30, &big[1])) {
		tap_check(t, 0, "open a client with two 1 GiB buffers");
		return;
	}
	client_small(&c);
	c.refs[0].handle = big[0];
	c.refs[1].handle = big[1];
	ret = client_submit(&c, &seq);
	gu_last_error(c.fd, &le);
	tap_check(t, ret == -ENOSPC && strstr(le.msg, "pin"),
		  "a job pinning 2 GiB is refused with ENOSPC (%d: %s)", ret, le.msg);
	c.refs[0].handle = c.bo[0];
	c.refs[1].handle = c.bo[1];
	tap_check(t, client_submit(&c, &seq) == 0 &&
		  !gu_wait(c.fd, seq, 20000, &st, NULL) && st == DRM_EDGENPU_JOB_DONE,
		  "a small job of the same file runs");
	client_close(&c);
}

static long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_jobs_limit(struct tap *t)
{
	struct drm_edgenpu_last_error le = { 0 };
	struct client c;
	uint64_t seq, last = 0;
	uint32_t st;
	long limit = read_long(PARAM "max_file_jobs"), t0, slack;
	int i, ret = 0, accepted = 0;

	if (client_open(&c, FC_ROWS)) {
		tap_check(t, 0, "open a client");
		return;
	}
	client_small(&c);
	/* Slow jobs (200 ms each) so that a slow kernel still fills up. */
	write_file(DBG "latency_us", "200000");
	t0 = mono_ms();
	for (i = 0; i < limit + 512 && !(ret = client_submit(&c, &seq)); i++) {
		last = seq;
		accepted++;
	}
	/*
	 * Jobs that finish while the rest are submitted free their places:
	 * at most one per core (8 at most) every 200 ms of submitting.
	 */
	slack = 8 * ((mono_ms() - t0) / 200 + 1);
	gu_last_error(c.fd, &le);
	tap_check(t, ret == -EAGAIN && accepted >= limit &&
		  accepted <= limit + slack && strstr(le.msg, "unfinished"),
		  "more than max_file_jobs=%ld unfinished: EAGAIN after %d, at most %ld finished meanwhile (%s)",
		  limit, accepted, slack, le.msg);
	write_file(DBG "latency_us", "0");
	gu_wait(c.fd, last, 120000, &st, NULL);
	for (i = 0; i < 100 && (ret = client_submit(&c, &seq)) == -EAGAIN; i++)
		usleep(10000);
	tap_check(t, ret == 0 && !gu_wait(c.fd, seq, 20000, &st, NULL) &&
		  st == DRM_EDGENPU_JOB_DONE, "once they finish, SUBMIT works again");
	client_close(&c);
}

/* fdinfo tells a client's resident buffer memory (drm-resident-*). */
static void test_fdinfo(struct tap *t)
{
	char path[64], line[256];
	struct client c;
	uint64_t seq;
	uint32_t st;
	long resident = -1;
	FILE *f;

	if (client_open(&c, FC_ROWS)) {
		tap_check(t, 0, "open a client");
		return;
	}
	client_small(&c);
	if (!client_submit(&c, &seq))
		gu_wait(c.fd, seq, 20000, &st, NULL);
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", c.fd);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "drm-resident-memory:", 20))
			resident = strtol(line + 20, NULL, 10);
	if (f)
		fclose(f);
	tap_check(t, resident > 0, "fdinfo drm-resident-memory: %ld", resident);
	client_close(&c);
}

/* Jobs with a syncobj out-fence and no WAIT: kernel memory stays bounded. */
static void test_syncobj_only(struct tap *t)
{
	const char *env = getenv("HOSTILE_SYNC_JOBS");
	long total = env ? atol(env) : 100000, done = 0, warm = 2000, s0 = 0;
	struct drm_syncobj_create sc = { 0 };
	struct drm_edgenpu_sync out;
	struct drm_edgenpu_job jobs[64];
	struct drm_edgenpu_submit sub = { 0 };
	struct drm_syncobj_wait sw = { 0 };
	struct client c;
	long s1;
	int i, ret, failures = 0;

	if (client_open(&c, FC_ROWS) ||
	    gu_ioctl(c.fd, DRM_IOCTL_SYNCOBJ_CREATE, &sc)) {
		tap_check(t, 0, "open a client with a syncobj");
		return;
	}
	client_small(&c);
	out = (struct drm_edgenpu_sync){ .handle = sc.handle };
	for (i = 0; i < 64; i++) {
		jobs[i] = c.job;
		jobs[i].out_syncs = (uintptr_t)&out;
		jobs[i].out_sync_count = 1;
	}
	sub.jobs = (uintptr_t)jobs;
	sub.job_count = 64;
	sub.job_stride = sizeof(jobs[0]);
	sw.handles = (uintptr_t)&sc.handle;
	sw.count_handles = 1;
	while (done < total + warm && failures < 100) {
		if (done >= warm && !s0)
			s0 = meminfo("Slab:");
		ret = gu_ioctl(c.fd, DRM_IOCTL_EDGENPU_SUBMIT, &sub);
		if (ret == -EAGAIN || ret == -EINTR) {
			sw.timeout_nsec = gu_now_ns() + 1000000000ll;
			gu_ioctl(c.fd, DRM_IOCTL_SYNCOBJ_WAIT, &sw);
			continue;
		}
		if (ret) {
			failures++;
			continue;
		}
		done += 64;
	}
	sw.timeout_nsec = gu_now_ns() + 20000000000ll;
	gu_ioctl(c.fd, DRM_IOCTL_SYNCOBJ_WAIT, &sw);
	usleep(500000);
	s1 = meminfo("Slab:");
	printf("# %ld syncobj-only jobs: Slab %ld kB after a %ld-job warm-up, %ld kB after\n",
	       done - warm, s0, warm, s1);
	tap_check(t, failures == 0 && done >= total + warm,
		  "%ld syncobj-only jobs submitted", done - warm);
	tap_check(t, s1 - s0 < 16 * 1024,
		  "kernel slab memory bounded (%ld kB more)", s1 - s0);
	client_close(&c);
}

int main(int argc, char **argv)
{
	struct drm_edgenpu_caps caps = { 0 };
	struct drm_edgenpu_query q = {
		.query = DRM_EDGENPU_QUERY_CAPS, .size = sizeof(caps),
		.data = (uintptr_t)&caps,
	};
	struct tap t = { 0 };
	int fd;

	dev_path = argc > 1 ? argv[1] : gu_node0();
	fd = open(dev_path, O_RDWR | O_CLOEXEC);
	if (fd < 0 || gu_ioctl(fd, DRM_IOCTL_EDGENPU_QUERY, &q)) {
		tap_check(&t, 0, "query %s", dev_path);
		return tap_done(&t);
	}
	close(fd);
	tap_check(&t, caps.max_op_cost == 1ull << 32 && caps.max_file_jobs > 0 &&
		  caps.max_file_pinned > 0 && caps.max_file_bo_bytes > 0,
		  "caps report the limits (op cost %llu, jobs %u, pinned %llu, BO %llu)",
		  (unsigned long long)caps.max_op_cost, caps.max_file_jobs,
		  (unsigned long long)caps.max_file_pinned,
		  (unsigned long long)caps.max_file_bo_bytes);
	find_accel_dbg();
	forget_hangs();
	test_cost_limit(&t);
	test_hostile_cores(&t, caps.num_cores);
	/* Injected hangs and slow jobs are the vnpu's fault injection. */
	if (gu_backend_is_vnpu(dev_path))
		test_reopen_ban(&t);
	else
		tap_skip(&t, "the vnpu's fault injection", "per-user ban on reopen");
	test_garbage_pins_nothing(&t);
	test_bo_limit(&t);
	test_pinned_limit(&t);
	if (gu_backend_is_vnpu(dev_path))
		test_jobs_limit(&t);
	else
		tap_skip(&t, "the vnpu's fault injection", "max_file_jobs");
	test_fdinfo(&t);
	test_syncobj_only(&t);
	forget_hangs();
	return tap_done(&t);
}
