// SPDX-License-Identifier: MIT
/*
 * Real PCI hot unplug of the edgenpu-pci NPU, driven from inside the
 * guest through QEMU's QMP monitor (scripts/vm-run --npu pci --guest-qmp
 * puts it on /dev/ttyS1 and the NPU alone in a hot-pluggable root port):
 *
 * - several processes loop small jobs (out = a + b, checked against the
 *   engine's userspace build) while another is blocked in WAIT on the
 *   last of a long queue of costly jobs; then device_del;
 * - every waiter returns, no job is reported done that was not, and the
 *   old files get -ENODEV from SUBMIT, BO_CREATE and QUERY while their
 *   mapped buffers stay readable; a process opening and closing the node
 *   meanwhile gets a file or a clean error;
 * - device_add (same id and bus) brings a new /dev/accel/accelN while
 *   the old files are still open, and a job on it computes the right
 *   answer, before and after the old files are closed;
 * - removal drained every job (no "still wait for fences" in the log);
 * - the re-plugged device, runtime-suspended with a file open, unplugs
 *   and re-plugs again.
 *
 * The kernel log is the other oracle: vm-run fails the run on any splat.
 *
 * usage: edgenpu-hotplug-test [--sysfs] [DEVICE]
 *
 * --sysfs removes the device through /sys/bus/pci/devices/ADDR/remove and
 * brings it back with /sys/bus/pci/rescan instead of QMP: the driver's
 * side of the same test on kernels without PCI hotplug (the debug
 * kernels, under KASAN and lockdep).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <drm/edgenpu_accel.h>

#include "edgenpu_engine.h"
#include "engine_jobbuild.h"
#include "guest_util.h"
#include "tap.h"

#define QMP_TTY		"/dev/ttyS1"
#define PLUG_FILE	"/etc/edgenpu-npu-device"
#define N_ELEMS		64
#define WORKERS		3
#define WAITER		WORKERS		/* the long waiter */
#define OPENER		(WORKERS + 1)	/* opens and closes the node */
#define NPROC		(WORKERS + 2)

/*
 * The long waiter's queue: 64 FULLY_CONNECTED jobs of 210 M MACs, each
 * pinning 5 MiB (under max_file_pinned_mb). How long the queue lasts
 * must not depend on the host: where the device has fault injection and
 * the driver its test hooks, every job also takes INJ_LATENCY_MS, so the
 * queue outlasts the unplug by seconds on any machine, with each job well
 * inside a 1 s job timeout. Without them the compute alone must do.
 */
#define FC_K		4096
#define FC_OC		1024
#define FC_ROWS		50
#define LONG_JOBS	64
#define INJ_LATENCY_MS	200
#define HOOKS_ROOT	"/sys/kernel/debug/edgenpu-pci/"
/* What the driver logs when removal gives up waiting for jobs. */
#define STUCK_MSG	"still wait for fences"

/* Bounds on everything: nothing here may hang the run. */
#define CHILD_MS	120000
#define EVENT_MS	60000
#define WAIT_MS		60000

/* What one child tells the parent, in memory they share. */
struct report {
	volatile int running;	/* jobs are flowing (worker) or queued (waiter) */
	volatile int finished;	/* its checks after the unplug are done */
	volatile int release;	/* parent: close the old file and exit */
	uint32_t jobs_ok;
	uint32_t jobs_wrong;	/* reported done with a wrong result */
	int32_t end_ret;	/* what ended the loop: submit/wait errno */
	uint32_t end_status;	/* or the wait's job status */
	int64_t end_ns;		/* when */
	int32_t submit_after, create_after, query_after;
	int32_t map_readable;
};

struct shared {
	int64_t unplug_ns;
	struct report r[NPROC];
};

/* A file with the three buffers of out = a + b. */
struct rig {
	int fd;
	uint32_t cmd, a, b, out;
	uint8_t *cmd_map, *a_map, *b_map, *out_map;
	uint32_t cmd_size;
};

static int rig_init(struct rig *r, const char *path)
{
	memset(r, 0, sizeof(*r));
	r->fd = open(path, O_RDWR | O_CLOEXEC);
	if (r->fd < 0)
		return -errno;
	if (gu_bo_create(r->fd, 4096, &r->cmd) || gu_bo_create(r->fd, N_ELEMS, &r->a) ||
	    gu_bo_create(r->fd, N_ELEMS, &r->b) || gu_bo_create(r->fd, N_ELEMS, &r->out))
		return -EIO;
	r->cmd_map = gu_bo_map(r->fd, r->cmd);
	r->a_map = gu_bo_map(r->fd, r->a);
	r->b_map = gu_bo_map(r->fd, r->b);
	r->out_map = gu_bo_map(r->fd, r->out);
	if (!r->cmd_map || !r->a_map || !r->b_map || !r->out_map)
		return -EIO;
	r->cmd_size = jb_add_job(r->cmd_map, 4096, N_ELEMS);
	return r->cmd_size ? 0 : -EIO;
}

static int rig_submit(struct rig *r, unsigned int seed, uint64_t *seqno)
{
	struct drm_edgenpu_buffer_ref refs[3] = {
		{ r->a, DRM_EDGENPU_BUF_READ }, { r->b, DRM_EDGENPU_BUF_READ },
		{ r->out, DRM_EDGENPU_BUF_WRITE },
	};
	struct drm_edgenpu_job job = {
		.cmd_handle = r->cmd, .cmd_size = r->cmd_size,
		.buffers = (uintptr_t)refs, .buffer_count = 3,
		.priority = DRM_EDGENPU_PRIO_NORMAL,
	};
	struct drm_edgenpu_submit s = {
		.jobs = (uintptr_t)&job, .job_count = 1, .job_stride = sizeof(job),
	};
	int i, ret;

	for (i = 0; i < N_ELEMS; i++) {
		seed = seed * 1103515245u + 12345u;
		r->a_map[i] = seed >> 16;
		r->b_map[i] = seed >> 24;
	}
	memset(r->out_map, 0, N_ELEMS);
	ret = gu_ioctl(r->fd, DRM_IOCTL_EDGENPU_SUBMIT, &s);
	*seqno = job.seqno;
	return ret;
}

/* Did the device compute what the engine's userspace build computes? */
static int rig_output_ok(struct rig *r)
{
	static _Alignas(64) uint8_t scratch[EDGENPU_ENGINE_SCRATCH_SIZE];
	int8_t a[N_ELEMS], b[N_ELEMS], want[N_ELEMS];
	struct edgenpu_engine_buffer bufs[3] = {
		{ a, N_ELEMS, EDGENPU_BUF_READ, 0 },
		{ b, N_ELEMS, EDGENPU_BUF_READ, 0 },
		{ want, N_ELEMS, EDGENPU_BUF_WRITE, 0 },
	};
	struct edgenpu_engine_error err;

	memcpy(a, r->a_map, N_ELEMS);
	memcpy(b, r->b_map, N_ELEMS);
	if (edgenpu_engine_run(r->cmd_map, r->cmd_size, bufs, 3, scratch,
			       sizeof(scratch), NULL, &err))
		return 0;
	return memcmp(want, r->out_map, N_ELEMS) == 0;
}

/* One job on a fresh file of @path, checked; 1 if right. */
static int run_checked_job(const char *path, unsigned int seed)
{
	struct rig r;
	uint64_t seqno;
	uint32_t st = 0;
	int ok;

	ok = rig_init(&r, path) == 0 && rig_submit(&r, seed, &seqno) == 0 &&
	     gu_wait(r.fd, seqno, 10000, &st, NULL) == 0 &&
	     st == DRM_EDGENPU_JOB_DONE && rig_output_ok(&r);
	if (r.fd >= 0)
		close(r.fd);
	return ok;
}

static int query_device(int fd, struct drm_edgenpu_device_info *info)
{
	struct drm_edgenpu_query q = {
		.query = DRM_EDGENPU_QUERY_DEVICE, .size = sizeof(*info),
		.data = (uintptr_t)info,
	};

	memset(info, 0, sizeof(*info));
	return gu_ioctl(fd, DRM_IOCTL_EDGENPU_QUERY, &q);
}

/* What the old file gets once its device is gone. */
static void report_after(struct report *rep, struct rig *r)
{
	struct drm_edgenpu_device_info info;
	uint32_t handle;
	uint64_t seqno;

	rep->submit_after = rig_submit(r, 7, &seqno);
	rep->create_after = gu_bo_create(r->fd, 4096, &handle);
	rep->query_after = query_device(r->fd, &info);
	/* Its buffers are plain memory: a mapping stays usable (no SIGBUS). */
	volatile uint8_t *m = r->cmd_map;
	uint8_t flipped = m[0] ^ 0xff;

	m[0] = flipped;
	rep->map_readable = m[0] == flipped;
}

/* Wait for the parent to say the old files may go. */
static void child_linger(struct report *rep)
{
	int64_t end = gu_now_ns() + CHILD_MS * 1000000ll;

	rep->finished = 1;
	while (!rep->release && gu_now_ns() < end)
		usleep(10000);
}

/* A worker: small jobs, each waited for and checked, until the device goes. */
static void worker_loop(struct report *rep, struct rig *r)
{
	int64_t end = gu_now_ns() + CHILD_MS * 1000000ll;
	unsigned int seed = getpid();
	uint64_t seqno;
	uint32_t st;

	rep->end_ret = -ETIME;
	while (gu_now_ns() < end) {
		rep->end_ret = rig_submit(r, seed++, &seqno);
		if (rep->end_ret)
			break;
		st = 0;
		rep->end_ret = gu_wait(r->fd, seqno, WAIT_MS, &st, NULL);
		if (rep->end_ret || st != DRM_EDGENPU_JOB_DONE) {
			rep->end_status = st;
			break;
		}
		if (rig_output_ok(r))
			rep->jobs_ok++;
		else
			rep->jobs_wrong++;
		if (rep->jobs_ok >= 3)
			rep->running = 1;
	}
	rep->end_ns = gu_now_ns();
}

static void worker(struct report *rep, const char *path)
{
	struct rig r;

	rep->end_ret = rig_init(&r, path);
	if (!rep->end_ret) {
		worker_loop(rep, &r);
		report_after(rep, &r);
	}
	child_linger(rep);
	_exit(0);
}

/* The long waiter's file: the five buffers of a FULLY_CONNECTED job. */
static int long_open(const char *path, struct rig *r, uint32_t bo[5])
{
	static const uint64_t sizes[5] = {
		4096, 4096, FC_ROWS * FC_K, FC_OC * FC_K, FC_ROWS * FC_OC,
	};
	struct jb j;
	int i;

	if (rig_init(r, path))
		return -EIO;
	for (i = 0; i < 5; i++)
		if (gu_bo_create(r->fd, sizes[i], &bo[i]))
			return -EIO;
	jb_init(&j, r->cmd_map, 4096);
	jb_fc_op(&j, 2, FC_ROWS, FC_K, FC_OC);
	r->cmd_size = jb_finish(&j);
	return r->cmd_size ? 0 : -EIO;
}

/* Queue LONG_JOBS costly jobs; the last one's seqno. */
static int long_queue(struct rig *r, const uint32_t bo[5], uint64_t *last)
{
	struct drm_edgenpu_buffer_ref refs[5];
	struct drm_edgenpu_job job = {
		.cmd_handle = r->cmd, .cmd_size = r->cmd_size,
		.buffers = (uintptr_t)refs, .buffer_count = 5,
		.priority = DRM_EDGENPU_PRIO_NORMAL,
	};
	struct drm_edgenpu_submit s = {
		.jobs = (uintptr_t)&job, .job_count = 1, .job_stride = sizeof(job),
	};
	int i, ret;

	for (i = 0; i < 5; i++)
		refs[i] = (struct drm_edgenpu_buffer_ref){
			bo[i], i == 1 || i == 4 ? DRM_EDGENPU_BUF_WRITE : DRM_EDGENPU_BUF_READ,
		};
	for (i = 0; i < LONG_JOBS; i++) {
		job.seqno = 0;
		ret = gu_ioctl(r->fd, DRM_IOCTL_EDGENPU_SUBMIT, &s);
		if (ret)
			return ret;
	}
	*last = job.seqno;
	return 0;
}

/* The long waiter: blocked in WAIT on the last of a long queue. */
static void long_waiter(struct report *rep, const char *path)
{
	struct rig r;
	uint32_t bo[5];
	uint64_t last;

	rep->end_ret = long_open(path, &r, bo);
	if (!rep->end_ret)
		rep->end_ret = long_queue(&r, bo, &last);
	if (!rep->end_ret) {
		rep->running = 1;
		rep->end_ret = gu_wait(r.fd, last, WAIT_MS, &rep->end_status, NULL);
		rep->end_ns = gu_now_ns();
		report_after(rep, &r);
	}
	child_linger(rep);
	_exit(0);
}

/* QMP over the guest's second serial port. */
struct qmp {
	int fd;
	char buf[16384];
	size_t len;
};

/*
 * How the device goes and comes back: QMP device_del/device_add (real
 * hot unplug, QEMU ejects the device), or with --sysfs the PCI core's
 * remove and rescan files, which run the same remove and probe in the
 * driver on kernels without PCI hotplug (the debug kernels).
 */
struct plugger {
	struct qmp q;
	int sysfs;
	char plug[512];		/* QMP: device_add's argument */
	char dev_id[64];	/* QMP: the id device_del names */
	char pci[64];		/* sysfs: the device's PCI address */
};

/*
 * Raw mode at once: the port echoes by default, and QEMU's greeting,
 * waiting since boot, would go back to the monitor as input.
 */
static int qmp_open(struct qmp *q, const char *tty)
{
	struct termios tio;

	q->len = 0;
	q->fd = open(tty, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (q->fd < 0)
		return -errno;
	if (tcgetattr(q->fd, &tio))
		return -errno;
	cfmakeraw(&tio);
	cfsetispeed(&tio, B115200);
	cfsetospeed(&tio, B115200);
	if (tcsetattr(q->fd, TCSANOW, &tio))
		return -errno;
	usleep(200000);
	tcflush(q->fd, TCIOFLUSH);
	/* 0xff is never JSON: it resets the monitor's parser after any echo. */
	return write(q->fd, "\xff\n", 2) == 2 ? 0 : -EIO;
}

static int qmp_send(struct qmp *q, const char *json)
{
	size_t n = strlen(json);

	if (write(q->fd, json, n) != (ssize_t)n || write(q->fd, "\n", 1) != 1)
		return -EIO;
	return 0;
}

/* The next line from the monitor into @line, until @end_ns. */
static int qmp_line(struct qmp *q, char *line, size_t cap, int64_t end_ns)
{
	char *nl;
	ssize_t n;

	while (!(nl = memchr(q->buf, '\n', q->len))) {
		struct timeval tv = { 0, 100000 };
		fd_set fds;

		if (gu_now_ns() > end_ns)
			return -ETIME;
		if (q->len == sizeof(q->buf))
			q->len = 0;	/* no line is this long: drop it */
		FD_ZERO(&fds);
		FD_SET(q->fd, &fds);
		if (select(q->fd + 1, &fds, NULL, NULL, &tv) <= 0)
			continue;
		n = read(q->fd, q->buf + q->len, sizeof(q->buf) - q->len);
		if (n > 0)
			q->len += n;
	}
	n = nl - q->buf;
	snprintf(line, cap, "%.*s", (int)n, q->buf);
	memmove(q->buf, nl + 1, q->len - n - 1);
	q->len -= n + 1;
	return 0;
}

/* Read lines until one holds both needles; 0, or -ETIME. */
static int qmp_expect(struct qmp *q, const char *a, const char *b, int64_t ms,
		      char *line, size_t cap)
{
	int64_t end = gu_now_ns() + ms * 1000000ll;
	int ret;

	while (!(ret = qmp_line(q, line, cap, end)))
		if (strstr(line, a) && strstr(line, b))
			return 0;
	return ret;
}

/* Run a command tagged @id; 0 when it returned, -EIO on an error reply. */
static int qmp_cmd(struct qmp *q, const char *id, const char *cmd,
		   const char *args, char *line, size_t cap)
{
	char msg[1024], tag[64];
	int ret;

	snprintf(msg, sizeof(msg), "{\"execute\": \"%s\", \"arguments\": %s, \"id\": \"%s\"}",
		 cmd, args, id);
	snprintf(tag, sizeof(tag), "\"%s\"", id);
	ret = qmp_send(q, msg);
	if (!ret)
		ret = qmp_expect(q, tag, "\"", 30000, line, cap);
	if (ret)
		return ret;
	return strstr(line, "\"error\"") ? -EIO : 0;
}

static int64_t ms_since(int64_t t0)
{
	return (gu_now_ns() - t0) / 1000000;
}

/* Wait until every child has set @flag (offset of running or finished). */
static int wait_children(struct shared *sh, int n, size_t flag, int64_t ms)
{
	int64_t end = gu_now_ns() + ms * 1000000ll;
	int i, all;

	do {
		for (i = 0, all = 1; i < n; i++)
			all &= *(volatile int *)((char *)&sh->r[i] + flag);
		if (all)
			return 1;
		usleep(20000);
	} while (gu_now_ns() < end);
	return 0;
}

/*
 * Opens racing with removal: each open either fails or gives a file
 * whose QUERY works or says -ENODEV. Ends when the node is gone.
 */
static void opener(struct report *rep, const char *path)
{
	int64_t end = gu_now_ns() + CHILD_MS * 1000000ll;
	struct drm_edgenpu_device_info info;
	int fd, ret;

	rep->running = 1;
	rep->end_ret = -ETIME;
	while (gu_now_ns() < end) {
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			rep->end_ret = -errno;
			break;
		}
		ret = query_device(fd, &info);
		if (ret == 0)
			rep->jobs_ok++;
		else if (ret != -ENODEV)
			rep->jobs_wrong++;
		close(fd);
	}
	rep->end_ns = gu_now_ns();
	child_linger(rep);
	_exit(0);
}

static pid_t spawn(struct report *rep, const char *path, int i)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		if (i == WAITER)
			long_waiter(rep, path);
		if (i == OPENER)
			opener(rep, path);
		worker(rep, path);
	}
	return pid;
}

/* Reap the children, killing what is left after @ms; 1 if all exited 0. */
static int reap(pid_t *pids, int n, int64_t ms)
{
	int64_t end = gu_now_ns() + ms * 1000000ll;
	int i, left = n, ok = 1, st;

	while (left && gu_now_ns() < end) {
		for (i = 0; i < n; i++) {
			if (pids[i] <= 0 || waitpid(pids[i], &st, WNOHANG) != pids[i])
				continue;
			ok &= WIFEXITED(st) && !WEXITSTATUS(st);
			pids[i] = 0;
			left--;
		}
		usleep(20000);
	}
	for (i = 0; i < n; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGKILL);
	return ok && !left;
}

/* The accel node of a working PCI NPU other than @old, within @ms. */
static int find_new_node(const char *old, char *out, size_t cap, int64_t ms)
{
	int64_t end = gu_now_ns() + ms * 1000000ll;
	struct drm_edgenpu_device_info info;
	struct dirent *de;
	DIR *d;
	int fd, found = 0;

	do {
		d = opendir("/dev/accel");
		while (d && !found && (de = readdir(d))) {
			if (strncmp(de->d_name, "accel", 5))
				continue;
			snprintf(out, cap, "/dev/accel/%s", de->d_name);
			if (!strcmp(out, old) || (fd = open(out, O_RDWR | O_CLOEXEC)) < 0)
				continue;
			found = !query_device(fd, &info) && !strcmp(info.backend, "pci");
			close(fd);
		}
		if (d)
			closedir(d);
		if (!found)
			usleep(100000);
	} while (!found && gu_now_ns() < end);
	return found;
}

static int wait_gone(const char *path, int64_t ms)
{
	int64_t end = gu_now_ns() + ms * 1000000ll;

	while (access(path, F_OK) == 0 && gu_now_ns() < end)
		usleep(50000);
	return access(path, F_OK) != 0;
}

/*
 * How often the kernel log holds @what. The test compares the counts
 * before and after its unplug: only what it caused counts, not KUnit's
 * teardown tests, which print the same message on purpose earlier in the
 * same boot.
 */
static int klog_count(const char *what)
{
	int size = klogctl(10, NULL, 0), n, count = 0;
	char *buf, *p;

	if (size <= 0 || !(buf = malloc(size + 1)))
		return 0;
	n = klogctl(3, buf, size);
	buf[n > 0 ? n : 0] = 0;
	for (p = buf; (p = strstr(p, what)); p++)
		count++;
	free(buf);
	return count;
}

static void check_report(struct tap *t, const struct report *r, int i, int64_t unplug)
{
	int waiter = i == WAITER;

	if (i == OPENER) {
		tap_check(t, r->finished && r->jobs_ok && !r->jobs_wrong &&
			  (r->end_ret == -ENOENT || r->end_ret == -ENODEV),
			  "opener: %u opens worked, %u files failed otherwise than -ENODEV, then open said %d",
			  r->jobs_ok, r->jobs_wrong, r->end_ret);
		return;
	}
	tap_check(t, r->finished, "%s %d: its wait returned after the unplug",
		  waiter ? "waiter" : "worker", i);
	if (waiter)
		tap_check(t, (r->end_ret == 0 && r->end_status != DRM_EDGENPU_JOB_DONE) ||
			  r->end_ret == -ENODEV,
			  "waiter: the queue's last job ends without running (wait %d, status %u), %lld ms after device_del",
			  r->end_ret, r->end_status, (long long)((r->end_ns - unplug) / 1000000));
	else
		tap_check(t, r->jobs_ok >= 3 && !r->jobs_wrong &&
			  (r->end_ret == -ENODEV || (!r->end_ret && r->end_status != 0)),
			  "worker %d: %u right results, none wrong, then the device went (ret %d, status %u)",
			  i, r->jobs_ok, r->end_ret, r->end_status);
	tap_check(t, r->submit_after == -ENODEV && r->create_after == -ENODEV &&
		  r->query_after == -ENODEV && r->map_readable,
		  "%d: the old file gets -ENODEV (submit %d, bo_create %d, query %d), its mapping stays readable",
		  i, r->submit_after, r->create_after, r->query_after);
}

/* The PCI address of an accel node's device, for --sysfs. */
static int node_pci_addr(const char *node, char *out, size_t cap)
{
	char link[300], target[512], *base;
	ssize_t n;

	snprintf(link, sizeof(link), "/sys/class/accel/%s/device", strrchr(node, '/') + 1);
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return -ENOENT;
	target[n] = 0;
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= cap)
		return -ENAMETOOLONG;
	memcpy(out, base, strlen(base) + 1);
	return 0;
}

/* The device's injected latency per job, through the test hooks; 1 if set. */
static int set_latency_ms(const char *node, unsigned int ms)
{
	char pci[64], file[160], val[16];

	if (node_pci_addr(node, pci, sizeof(pci)))
		return 0;
	snprintf(file, sizeof(file), HOOKS_ROOT "%s/inj_latency_us", pci);
	snprintf(val, sizeof(val), "%u", ms * 1000);
	return access(file, W_OK) == 0 && write_file(file, val);
}

/* device_del, and wait for QEMU's event. */
static int qmp_unplug(struct tap *t, struct plugger *pl)
{
	char args[128], line[4096], tag[96];
	int ok;

	snprintf(args, sizeof(args), "{\"id\": \"%s\"}", pl->dev_id);
	ok = tap_check(t, qmp_cmd(&pl->q, "hp-del", "device_del", args, line,
				  sizeof(line)) == 0, "QMP device_del %s", pl->dev_id);
	snprintf(tag, sizeof(tag), "\"device\": \"%s\"", pl->dev_id);
	return ok && tap_check(t, qmp_expect(&pl->q, "DEVICE_DELETED", tag, EVENT_MS,
					     line, sizeof(line)) == 0,
			       "the guest released it: DEVICE_DELETED");
}

/* Unplug the device of @path, and wait for the node's going. */
static int unplug(struct tap *t, struct plugger *pl, const char *path)
{
	char file[160];
	int64_t t0 = gu_now_ns();
	int ok;

	if (pl->sysfs) {
		snprintf(file, sizeof(file), "/sys/bus/pci/devices/%s/remove", pl->pci);
		ok = tap_check(t, write_file(file, "1"), "sysfs remove of %s", pl->pci);
	} else {
		ok = qmp_unplug(t, pl);
	}
	ok = tap_check(t, ok && wait_gone(path, 10000), "%s is gone", path);
	tap_diag("removed %lld ms after the request", (long long)ms_since(t0));
	return ok;
}

/* device_add with vm-run's arguments (or a rescan); a node that computes right. */
static void replug(struct tap *t, struct plugger *pl, const char *old,
		   char *node, size_t cap)
{
	char args[1024], line[4096];
	int ok;

	if (pl->sysfs) {
		ok = tap_check(t, write_file("/sys/bus/pci/rescan", "1"), "sysfs PCI rescan");
	} else {
		snprintf(args, sizeof(args), "{\"command-line\": \"device_add %s\"}", pl->plug);
		ok = qmp_cmd(&pl->q, "hp-add", "human-monitor-command", args, line,
			     sizeof(line)) == 0 && strstr(line, "\"return\": \"\"");
		tap_check(t, ok, "QMP device_add %s", pl->plug);
	}
	ok = ok && find_new_node(old, node, cap, 30000);
	tap_check(t, ok, "a new PCI NPU node appears (%s)", ok ? node : "none");
	tap_check(t, ok && run_checked_job(node, 11) && run_checked_job(node, 12),
		  "jobs on the re-plugged device compute the right answer");
	if (ok && pl->sysfs)
		node_pci_addr(node, pl->pci, sizeof(pl->pci));
}

/* The device id device_del names: id=... of vm-run's device_add line. */
static int plug_args(struct plugger *pl)
{
	FILE *f = fopen(PLUG_FILE, "r");
	char *p, *e;

	if (!f)
		return -errno;
	if (!fgets(pl->plug, sizeof(pl->plug), f))
		pl->plug[0] = 0;
	fclose(f);
	pl->plug[strcspn(pl->plug, "\n")] = 0;
	p = strstr(pl->plug, ",id=");
	if (!p)
		return -EINVAL;
	p += 4;
	e = p + strcspn(p, ",");
	snprintf(pl->dev_id, sizeof(pl->dev_id), "%.*s", (int)(e - p), p);
	return 0;
}

/* Poll the node's PCI device's runtime PM status until it is @want. */
static int runtime_status_is(const char *node, const char *want, int64_t ms)
{
	int64_t end = gu_now_ns() + ms * 1000000ll;
	char path[512], buf[32];
	int fd, n;

	snprintf(path, sizeof(path), "/sys/class/accel/%s/device/power/runtime_status",
		 strrchr(node, '/') + 1);
	do {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
		if (fd >= 0)
			close(fd);
		buf[n > 0 ? n : 0] = 0;
		if (!strncmp(buf, want, strlen(want)))
			return 1;
		usleep(50000);
	} while (gu_now_ns() < end);
	return 0;
}

/* Unplug an idle device with a file and a BO open, and re-plug it. */
static void test_idle_unplug(struct tap *t, struct plugger *pl, const char *node)
{
	struct drm_edgenpu_device_info info;
	char next[300];
	struct rig r;
	int ok;

	ok = rig_init(&r, node) == 0;
	tap_check(t, ok && runtime_status_is(node, "suspended", 5000),
		  "%s: a file open, the device runtime-suspends", node);
	unplug(t, pl, node);
	tap_check(t, ok && query_device(r.fd, &info) == -ENODEV,
		  "the idle device's old file gets -ENODEV");
	replug(t, pl, node, next, sizeof(next));
	if (r.fd >= 0)
		close(r.fd);
}

static void test_hotplug(struct tap *t, struct plugger *pl, const char *path)
{
	struct shared *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t pids[NPROC];
	char node[300];
	int i, all, slow, stuck;

	if (!tap_check(t, sh != MAP_FAILED, "shared memory"))
		return;
	memset(sh, 0, sizeof(*sh));
	for (i = 0; i < WORKERS; i++)
		pids[i] = spawn(&sh->r[i], path, i);
	all = tap_check(t, wait_children(sh, WORKERS, offsetof(struct report, running), 60000),
			"%d processes run jobs with right results", WORKERS);
	/* Set while the workers keep the device awake: suspend clears it. */
	slow = set_latency_ms(path, INJ_LATENCY_MS);
	pids[WAITER] = spawn(&sh->r[WAITER], path, WAITER);
	pids[OPENER] = spawn(&sh->r[OPENER], path, OPENER);
	all = tap_check(t, all && wait_children(sh, NPROC, offsetof(struct report, running), 60000),
			"another waits for the last of %d costly jobs, another opens and closes the node",
			LONG_JOBS);
	/* Let it block in WAIT. */
	usleep(300000);
	if (!slow)
		tap_diag("no injected latency (needs fault-injection=on and enpci_test_hooks=1): the queue lasts as long as the host takes");
	stuck = klog_count(STUCK_MSG);
	sh->unplug_ns = gu_now_ns();
	unplug(t, pl, path);
	tap_check(t, wait_children(sh, NPROC, offsetof(struct report, finished), 60000),
		  "every process's wait returned");
	for (i = 0; i < NPROC; i++)
		check_report(t, &sh->r[i], i, sh->unplug_ns);
	tap_check(t, klog_count(STUCK_MSG) <= stuck,
		  "removal drained every job in time");

	/* Re-plug while the old files are open: a new minor. */
	replug(t, pl, path, node, sizeof(node));
	for (i = 0; i < NPROC; i++)
		sh->r[i].release = 1;
	tap_check(t, reap(pids, NPROC, 30000), "the old files close, every process exits");
	tap_check(t, run_checked_job(node, 13),
		  "the re-plugged device still computes right after the old files closed");
	munmap(sh, sizeof(*sh));
	test_idle_unplug(t, pl, node);
}

/* QMP from vm-run --guest-qmp, or --sysfs; 0 when the device can go. */
static int plugger_init(struct plugger *pl, const char *path)
{
	char line[4096];

	if (pl->sysfs)
		return node_pci_addr(path, pl->pci, sizeof(pl->pci));
	if (plug_args(pl) || qmp_open(&pl->q, QMP_TTY))
		return -ENODEV;
	/* A second run in the same boot finds the capabilities negotiated. */
	qmp_cmd(&pl->q, "hp-cap", "qmp_capabilities", "{}", line, sizeof(line));
	return 0;
}

int main(int argc, char **argv)
{
	static struct plugger pl = { .q.fd = -1 };
	const char *path = "/dev/accel/accel0";
	struct tap t = { 0 };
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--sysfs"))
			pl.sysfs = 1;
		else
			path = argv[i];
	}
	/* vm-run --guest-qmp put a hot-pluggable NPU here: never skip then. */
	if (!pl.sysfs && gu_backend_is_vnpu(path) && access(PLUG_FILE, R_OK) == 0) {
		tap_check(&t, 0, "%s is the PCI NPU vm-run plugged in (it is a vnpu: was the module reloaded with other parameters?)",
			  path);
		return tap_done(&t);
	}
	if (gu_backend_is_vnpu(path) || plugger_init(&pl, path)) {
		tap_skip(&t, "no PCI NPU, or no QMP (vm-run --npu pci --guest-qmp) nor --sysfs",
			 "hot unplug");
		return tap_done(&t);
	}
	if (pl.sysfs)
		tap_diag("device %s at %s, removed and rescanned through sysfs", path, pl.pci);
	else
		tap_diag("device %s, re-plugged as: device_add %s", path, pl.plug);
	if (tap_check(&t, run_checked_job(path, 1), "a job on %s before the unplug", path))
		test_hotplug(&t, &pl, path);
	if (pl.q.fd >= 0)
		close(pl.q.fd);
	return tap_done(&t);
}
