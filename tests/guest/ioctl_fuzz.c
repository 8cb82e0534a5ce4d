// SPDX-License-Identifier: MIT
/*
 * ioctl_fuzz: random ioctls on an edgenpu device from several threads at
 * once, with a clean kernel log as the oracle (vm-run fails the run on
 * any KASAN, lockdep, WARNING, BUG or kmemleak report).
 *
 *   edgenpu-ioctl-fuzz [-d /dev/accel/accelN] [-t SECONDS] [-n CALLS]
 *                      [-j THREADS] [-s SEED]
 *
 * It stops after -t SECONDS (default 10) or after -n CALLS calls from all
 * threads together, whichever comes first; -n alone sets no time limit.
 *
 * Each thread owns a file and sometimes uses a file shared by all, closes
 * and reopens its own, or maps buffers. It picks among edgenpu's five
 * ioctls, the core DRM ioctls a client can reach (GEM close, PRIME,
 * syncobjs, version, caps) and undefined numbers in the driver's range,
 * and fills the argument with random bytes, small numbers, handles and fds
 * it got before, or pointers to random buffers. SUBMIT gets job arrays
 * and command streams that are mutated valid ones, so that it reaches the
 * validator and the scheduler. Waits are the one thing kept sane: their
 * deadlines are at most a millisecond away, so a thread never blocks.
 *
 * About a tenth of the calls take ANY core ioctl number (0x00..0x3f,
 * 0xa0..0xff) with a random direction and size (sometimes the real
 * encoding) and a random argument: that is how DRM_IOCTL_GET_MAGIC's
 * oops on accel nodes was found. edgenpu lets only an allowlist of core
 * numbers through to the DRM core (tests/guest/drm_core_ioctls.h); every
 * other one must fail with EACCES, and the test fails if one did not.
 * The allowed ones get arguments tamed as for the calls above (syncobj
 * counts below 2^16, no blocking waits) and go to the shared file only,
 * so they never close the handles a thread's valid SUBMITs use.
 *
 * The test passes when the threads finish, SUBMITs got through (in runs
 * of 1000 calls or more) and no refused core number got anything but
 * EACCES; edgenpu-guest-tests then runs the library test, whose jobs must
 * still compute the right answers.
 *
 * Per-call figures (calls, successes, mean time), the total and the
 * calls per second go to stdout as TAP comments.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
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

#include "drm_core_ioctls.h"
#include "engine_jobbuild.h"
#include "guest_util.h"
#include "tap.h"

#define MAX_THREADS	16
#define NKEEP		16	/* handles and fds remembered per kind */
#define SCRATCH		4096
#define CORE_BUF	16384	/* _IOC_SIZE's largest is 16383 */

enum fz_call {
	FZ_QUERY, FZ_BO_CREATE, FZ_BO_INFO, FZ_SUBMIT, FZ_WAIT, FZ_GEM_CLOSE,
	FZ_PRIME_EXPORT, FZ_PRIME_IMPORT, FZ_SYNCOBJ_CREATE, FZ_SYNCOBJ_DESTROY,
	FZ_SYNCOBJ_EXPORT, FZ_SYNCOBJ_IMPORT, FZ_SYNCOBJ_WAIT,
	FZ_SYNCOBJ_TL_WAIT, FZ_SYNCOBJ_SIGNAL, FZ_SYNCOBJ_RESET,
	FZ_SYNCOBJ_QUERY, FZ_SYNCOBJ_TRANSFER, FZ_VERSION, FZ_GET_CAP,
	FZ_UNDEFINED, FZ_MMAP, FZ_REOPEN, FZ_CORE_ANY, FZ_NCALLS
};

static const char *const fz_names[FZ_NCALLS] = {
	"QUERY", "BO_CREATE", "BO_INFO", "SUBMIT", "WAIT", "GEM_CLOSE",
	"PRIME_EXPORT", "PRIME_IMPORT", "SYNCOBJ_CREATE", "SYNCOBJ_DESTROY",
	"SYNCOBJ_EXPORT", "SYNCOBJ_IMPORT", "SYNCOBJ_WAIT", "SYNCOBJ_TL_WAIT",
	"SYNCOBJ_SIGNAL", "SYNCOBJ_RESET", "SYNCOBJ_QUERY", "SYNCOBJ_TRANSFER",
	"VERSION", "GET_CAP", "undefined", "mmap", "reopen", "any core nr",
};

struct fz_stats {
	unsigned long calls[FZ_NCALLS];
	unsigned long ok[FZ_NCALLS];
	int64_t ns[FZ_NCALLS];
	unsigned long valid_err[140];	/* valid SUBMITs by -errno */
	unsigned long core_refused;	/* FZ_CORE_ANY calls on refused numbers */
	unsigned long core_bad;		/* ... that got anything but EACCES */
};

struct fz_thread {
	pthread_t tid;
	const char *path;
	int shared_fd;
	int fd;
	uint64_t rng;
	double deadline;
	uint32_t bos[NKEEP], syncobjs[NKEEP];
	int dmabufs[NKEEP];
	uint64_t seqnos[NKEEP];
	/* Random argument memory, each area followed by a PROT_NONE page. */
	uint8_t *scratch[4];
	uint8_t stream[1024];
	uint32_t stream_size;
	/* On t->fd: a command BO (mapped) and three data BOs for SUBMITs. */
	uint32_t rig_cmd, rig_buf[3], rig_sync;
	uint64_t rig_off;	/* rig_cmd's mmap offset: the handle still names it */
	uint8_t *rig_map;
	struct fz_stats st;
	/* The first refused core call that got anything but EACCES. */
	unsigned long bad_cmd;
	int bad_ret;
	uint8_t core_buf[CORE_BUF];
};

/* -n: the calls all threads may make together (0: no limit), and made. */
static unsigned long fz_max_calls;
static unsigned long fz_issued;

static uint64_t fz_rand(struct fz_thread *t)
{
	/* xorshift64*: cheap, reproducible per thread. */
	t->rng ^= t->rng >> 12;
	t->rng ^= t->rng << 25;
	t->rng ^= t->rng >> 27;
	return t->rng * 0x2545f4914f6cdd1dull;
}

static uint32_t fz_below(struct fz_thread *t, uint32_t n)
{
	return n ? (uint32_t)(fz_rand(t) % n) : 0;
}

static double fz_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int64_t fz_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

/* A deadline a waiting ioctl may block until: now, or up to 1 ms on. */
static int64_t fz_deadline(struct fz_thread *t)
{
	return fz_now_ns() + (fz_below(t, 2) ? 0 : fz_below(t, 1000000));
}

/* Random content of random length in one of the thread's scratch areas. */
static uint64_t fz_ptr(struct fz_thread *t)
{
	uint8_t *p = t->scratch[fz_below(t, 4)];
	uint32_t i, n = fz_below(t, 256);

	for (i = 0; i < n; i++)
		p[fz_below(t, SCRATCH)] = (uint8_t)fz_rand(t);
	switch (fz_below(t, 6)) {
	case 0:
		return 0;
	case 1:
		return fz_rand(t);		/* wild */
	case 2:
		return (uintptr_t)(p + SCRATCH - fz_below(t, 64)); /* runs off */
	default:
		return (uintptr_t)p;
	}
}

static uint32_t fz_handle(struct fz_thread *t, const uint32_t *keep)
{
	switch (fz_below(t, 4)) {
	case 0:
		return fz_below(t, 8);
	case 1:
		return (uint32_t)fz_rand(t);
	default:
		return keep[fz_below(t, NKEEP)];
	}
}

/* A 32-bit value: mostly small, sometimes a boundary, sometimes wild. */
static uint32_t fz_u32(struct fz_thread *t)
{
	static const uint32_t edge[] = { 0, 1, 2, 3, 4, 7, 8, 64, 4096,
					 0x7fffffff, 0x80000000, 0xffffffff };

	switch (fz_below(t, 3)) {
	case 0:
		return edge[fz_below(t, sizeof(edge) / sizeof(edge[0]))];
	case 1:
		return fz_below(t, 16);
	default:
		return (uint32_t)fz_rand(t);
	}
}

static uint64_t fz_u64(struct fz_thread *t)
{
	return fz_below(t, 3) ? fz_u32(t) : fz_rand(t);
}

/*
 * Handle counts of the core syncobj ioctls. Kept below 2^16: with counts
 * in the hundreds of millions, core DRM's drm_syncobj_array_find()
 * kmallocs without __GFP_NOWARN and the page allocator WARNs (7.2.13;
 * found by this fuzzer). That is a DRM core bug any syncobj driver
 * exposes, not one of edgenpu's; the count is still checked past 4.
 */
static uint32_t fz_count(struct fz_thread *t)
{
	switch (fz_below(t, 32)) {
	case 0:
	case 1:
		return 0;
	case 2:
		return fz_below(t, 1u << 16);
	default:
		return 1 + fz_below(t, 4);
	}
}

static void fz_keep(uint32_t *keep, struct fz_thread *t, uint32_t h)
{
	keep[fz_below(t, NKEEP)] = h;
}

static void fz_keep_fd(struct fz_thread *t, int fd)
{
	int *slot = &t->dmabufs[fz_below(t, NKEEP)];

	if (*slot > 2)
		close(*slot);
	*slot = fd;
}

static int fz_fd(struct fz_thread *t)
{
	return fz_below(t, 4) ? t->fd : t->shared_fd;
}

static int fz_ioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) ? -errno : 0;
}

/* A new 4 KiB BO on @fd; 0 on failure. */
static uint32_t fz_bo(int fd)
{
	struct drm_edgenpu_bo_create c = { .size = 4096 };

	return fz_ioctl(fd, DRM_IOCTL_EDGENPU_BO_CREATE, &c) ? 0 : c.handle;
}

/*
 * The thread's SUBMIT rig on its own file: made again after a reopen, or
 * when the fuzz closed one of its handles (a SUBMIT then says ENOENT).
 */
static void fz_rig(struct fz_thread *t)
{
	struct drm_edgenpu_bo_info bi;
	void *map;
	int i;

	if (t->rig_map)
		munmap(t->rig_map, 4096);
	t->rig_map = NULL;
	t->rig_cmd = fz_bo(t->fd);
	for (i = 0; i < 3; i++)
		t->rig_buf[i] = fz_bo(t->fd);
	{
		struct drm_syncobj_create sc = { 0 };

		t->rig_sync = fz_ioctl(t->fd, DRM_IOCTL_SYNCOBJ_CREATE, &sc) ?
			      0 : sc.handle;
	}
	bi = (struct drm_edgenpu_bo_info){ .handle = t->rig_cmd };
	if (fz_ioctl(t->fd, DRM_IOCTL_EDGENPU_BO_INFO, &bi))
		return;
	map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, t->fd,
		   bi.mmap_offset);
	if (map != MAP_FAILED) {
		t->rig_map = map;
		t->rig_off = bi.mmap_offset;
	}
}

static int fz_is_rig(const struct fz_thread *t, uint32_t h)
{
	return h && (h == t->rig_cmd || h == t->rig_buf[0] ||
		     h == t->rig_buf[1] || h == t->rig_buf[2]);
}

/* Whether every handle of the rig still names an object. */
static int fz_rig_alive(struct fz_thread *t)
{
	struct drm_syncobj_array sa = { .handles = (uintptr_t)&t->rig_sync,
					.count_handles = 1 };
	uint32_t h[4] = { t->rig_cmd, t->rig_buf[0], t->rig_buf[1],
			  t->rig_buf[2] };
	int i;

	/*
	 * A handle the fuzz closed may since name another object: the
	 * command BO must still be the mapped one, the others big enough.
	 */
	for (i = 0; i < 4; i++) {
		struct drm_edgenpu_bo_info bi = { .handle = h[i] };

		if (fz_ioctl(t->fd, DRM_IOCTL_EDGENPU_BO_INFO, &bi) ||
		    bi.size < 4096 || (!i && bi.mmap_offset != t->rig_off))
			return 0;
	}
	/* Resetting an unsignalled syncobj changes nothing. */
	return !fz_ioctl(t->fd, DRM_IOCTL_SYNCOBJ_RESET, &sa);
}

/*
 * A valid ADD job, with an out-syncobj half of the time: it reaches the
 * scheduler and the device; later calls wait on it, close its buffers
 * while it runs, or close its file.
 */
static int fz_submit_valid(struct fz_thread *t)
{
	struct drm_edgenpu_buffer_ref refs[3];
	struct drm_edgenpu_sync out = { .handle = t->rig_sync };
	struct drm_edgenpu_job job;
	struct drm_edgenpu_submit s;
	uint32_t i;
	int ret;

	memcpy(t->rig_map, t->stream, t->stream_size);
	for (i = 0; i < 3; i++)
		refs[i] = (struct drm_edgenpu_buffer_ref){
			.handle = t->rig_buf[i],
			.flags = i < 2 ? DRM_EDGENPU_BUF_READ : DRM_EDGENPU_BUF_WRITE,
		};
	job = (struct drm_edgenpu_job){
		.cmd_handle = t->rig_cmd, .cmd_size = t->stream_size,
		.buffers = (uintptr_t)refs, .buffer_count = 3,
		.out_syncs = (uintptr_t)&out, .out_sync_count = fz_below(t, 2),
		.priority = fz_below(t, 3),
	};
	s = (struct drm_edgenpu_submit){ .jobs = (uintptr_t)&job, .job_count = 1,
					 .job_stride = sizeof(job) };
	ret = fz_ioctl(t->fd, DRM_IOCTL_EDGENPU_SUBMIT, &s);
	t->st.valid_err[-ret < 140 ? -ret : 0]++;
	if (!ret)
		t->seqnos[fz_below(t, NKEEP)] = job.seqno;
	else if (!fz_rig_alive(t))
		fz_rig(t);	/* the fuzz closed one of its handles */
	return ret;
}

/* A SUBMIT: 0-3 jobs, each mostly well-formed around a mutated stream. */
static int fz_submit(struct fz_thread *t)
{
	struct drm_edgenpu_job jobs[3];
	struct drm_edgenpu_buffer_ref refs[4];
	struct drm_edgenpu_sync syncs[2];
	struct drm_edgenpu_submit s;
	uint32_t i, n = fz_below(t, 4), cmd = t->rig_cmd;
	int fd = t->fd, ret;

	if (!t->rig_map)
		fz_rig(t);
	if (!t->rig_map)
		return -ENOMEM;
	if (!fz_below(t, 3))
		return fz_submit_valid(t);
	/* The rig's command buffer, with a mutated stream. */
	memcpy(t->rig_map, t->stream, t->stream_size);
	for (i = fz_below(t, 4); i; i--)
		t->rig_map[fz_below(t, t->stream_size)] = (uint8_t)fz_rand(t);
	for (i = 0; i < 4; i++)
		refs[i] = (struct drm_edgenpu_buffer_ref){
			.handle = fz_below(t, 3) ? t->rig_buf[i % 3] :
				  fz_below(t, 2) ? fz_handle(t, t->bos) : cmd,
			.flags = fz_below(t, 8) ? 1 + fz_below(t, 3) : fz_u32(t),
		};
	for (i = 0; i < 2; i++)
		syncs[i] = (struct drm_edgenpu_sync){
			.handle = fz_handle(t, t->syncobjs),
			.flags = fz_below(t, 8) ? 0 : fz_u32(t),
			.point = fz_below(t, 2) ? 0 : fz_u64(t),
		};
	for (i = 0; i < 3; i++) {
		jobs[i] = (struct drm_edgenpu_job){
			.cmd_handle = fz_below(t, 6) ? cmd : fz_handle(t, t->bos),
			.cmd_size = fz_below(t, 6) ? t->stream_size : fz_u64(t),
			.cmd_offset = fz_below(t, 6) ? 0 : fz_u64(t),
			.buffers = fz_below(t, 6) ? (uintptr_t)refs : fz_ptr(t),
			.buffer_count = fz_below(t, 6) ? 3 : fz_u32(t),
			.in_syncs = (uintptr_t)syncs,
			.in_sync_count = fz_below(t, 3) ? 0 : fz_below(t, 3),
			.out_syncs = (uintptr_t)&syncs[1],
			.out_sync_count = fz_below(t, 2),
			.priority = fz_below(t, 6) ? fz_below(t, 3) : fz_u32(t),
			.flags = fz_below(t, 10) ? 0 : fz_u32(t),
			.pad = fz_below(t, 10) ? 0 : fz_u32(t),
			.profile_handle = fz_below(t, 4) ? 0 : fz_handle(t, t->bos),
			.profile_offset = fz_below(t, 2) ? 0 : fz_u64(t),
		};
	}
	s = (struct drm_edgenpu_submit){
		.jobs = fz_below(t, 8) ? (uintptr_t)jobs : fz_ptr(t),
		.job_count = fz_below(t, 8) ? n : fz_u32(t),
		.job_stride = fz_below(t, 6) ? sizeof(jobs[0]) : fz_u32(t),
		.flags = fz_below(t, 10) ? 0 : fz_u32(t),
	};
	ret = fz_ioctl(fd, DRM_IOCTL_EDGENPU_SUBMIT, &s);
	for (i = 0; !ret && i < n && i < 3; i++)
		t->seqnos[fz_below(t, NKEEP)] = jobs[i].seqno;
	return ret;
}

static int fz_mmap(struct fz_thread *t, int fd)
{
	struct drm_edgenpu_bo_info bi = { .handle = fz_handle(t, t->bos) };
	size_t len = fz_below(t, 8) ? 4096 : fz_u32(t) & 0xffffff;
	uint64_t off;
	void *p;

	if (fz_ioctl(fd, DRM_IOCTL_EDGENPU_BO_INFO, &bi))
		return -EINVAL;
	off = fz_below(t, 4) ? bi.mmap_offset : bi.mmap_offset + fz_u32(t);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)off);
	if (p == MAP_FAILED)
		return -errno;
	/* Touch only what the object surely holds. */
	if (len <= bi.size && off == bi.mmap_offset)
		((volatile uint8_t *)p)[fz_below(t, (uint32_t)len)] ^= 1;
	munmap(p, len);
	return 0;
}

/*
 * Any core ioctl number, with a random encoding and argument. Refused
 * numbers must fail with EACCES before the DRM core sees them, whatever
 * the argument; allowed ones reach the core with a tamed one.
 */
static int fz_core_any(struct fz_thread *t)
{
	unsigned int nr = core_nr_at(fz_below(t, 160));
	const struct core_ioctl *known = core_ioctl_find(nr);
	enum core_verdict v = core_verdict(nr);
	unsigned int size, i, n;
	unsigned long cmd;
	uint8_t *buf = t->core_buf;
	void *arg;
	int fd, ret;

	switch (fz_below(t, 4)) {
	case 0:
		size = 0;
		break;
	case 1:
		size = known ? _IOC_SIZE(known->cmd) : fz_below(t, 64);
		break;
	case 2:
		size = fz_below(t, 512);
		break;
	default:
		size = fz_below(t, CORE_BUF);
	}
	cmd = known && !fz_below(t, 3) ? known->cmd :
	      _IOC(fz_below(t, 4), DRM_IOCTL_BASE, nr, size);

	/* Zeroes, random bytes, and small numbers where fields sit. */
	n = _IOC_SIZE(cmd);
	if (fz_below(t, 2)) {
		memset(buf, 0, n);
	} else {
		for (i = 0; i < n; i += 8) {
			uint64_t r = fz_rand(t);

			memcpy(buf + i, &r, n - i < 8 ? n - i : 8);
		}
	}
	for (i = fz_below(t, 4); i && n >= 4; i--) {
		uint32_t u = fz_u32(t);

		memcpy(buf + (fz_below(t, n < 64 ? n : 64) & ~3u) % (n - 3), &u, 4);
	}

	if (v == CORE_REFUSED) {
		switch (fz_below(t, 4)) {
		case 0:
			arg = (void *)(uintptr_t)fz_ptr(t);
			break;
		case 1:
			arg = (void *)(uintptr_t)-4096;	/* the kernel's half */
			break;
		default:
			arg = buf;
		}
		fd = fz_fd(t);
	} else {
		core_tame(nr, buf, CORE_BUF, fz_count(t));
		switch (fz_below(t, 8)) {
		case 0:
			arg = NULL;
			break;
		case 1:
			arg = (void *)(uintptr_t)-4096;
			break;
		default:
			arg = buf;
		}
		fd = t->shared_fd;
	}
	ret = fz_ioctl(fd, cmd, arg);
	if (v == CORE_REFUSED) {
		t->st.core_refused++;
		if (ret != -EACCES && !t->st.core_bad++) {
			t->bad_cmd = cmd;
			t->bad_ret = ret;
		}
	} else if (!ret && arg == buf && (cmd & (_IOC_READ << _IOC_DIRSHIFT)) &&
		   n >= 12 &&
		   (nr == _IOC_NR(DRM_IOCTL_PRIME_HANDLE_TO_FD) ||
		    nr == _IOC_NR(DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD))) {
		/* An exported fd (both structs have it at byte 8): keep it. */
		int32_t efd;

		memcpy(&efd, buf + 8, 4);
		if (efd > 2)
			fz_keep_fd(t, efd);
	}
	return ret;
}

static int fz_one(struct fz_thread *t, enum fz_call c)
{
	int fd = fz_fd(t), ret = 0;
	union {
		struct drm_edgenpu_query q;
		struct drm_edgenpu_bo_create bc;
		struct drm_edgenpu_bo_info bi;
		struct drm_edgenpu_wait w;
		struct drm_gem_close gc;
		struct drm_prime_handle ph;
		struct drm_syncobj_create sc;
		struct drm_syncobj_destroy sd;
		struct drm_syncobj_handle sh;
		struct drm_syncobj_wait sw;
		struct drm_syncobj_timeline_wait stw;
		struct drm_syncobj_array sa;
		struct drm_syncobj_timeline_array sta;
		struct drm_syncobj_transfer st;
		struct drm_version v;
		struct drm_get_cap gcap;
		uint8_t raw[256];
	} a;
	uint32_t hs[4];
	uint64_t pts[4];
	unsigned int i;

	/*
	 * Mostly zero (reserved fields and pads must be, or the ioctl stops
	 * at its first check), sometimes random bytes; then the fields that
	 * matter get chosen.
	 */
	memset(a.raw, 0, sizeof(a.raw));
	for (i = 0; !fz_below(t, 4) && i < sizeof(a.raw); i++)
		a.raw[i] = fz_below(t, 2) ? 0 : (uint8_t)fz_rand(t);
	for (i = 0; i < 4; i++) {
		hs[i] = fz_handle(t, t->syncobjs);
		pts[i] = fz_below(t, 2) ? fz_below(t, 4) : fz_u64(t);
	}
	switch (c) {
	case FZ_QUERY:
		a.q.query = fz_below(t, 4) ? fz_below(t, 4) : fz_u32(t);
		a.q.size = fz_below(t, 3) ? fz_below(t, 160) : fz_u32(t);
		a.q.data = fz_ptr(t);
		if (fz_below(t, 8))
			a.q.flags = a.q.pad = 0;
		return fz_ioctl(fd, DRM_IOCTL_EDGENPU_QUERY, &a.q);
	case FZ_BO_CREATE:
		/*
		 * Small, up to 16 MiB, or over the device's limit (1 GiB):
		 * objects up to the limit are valid, and jobs pin them, so
		 * large valid ones would only test the guest's OOM killer.
		 */
		switch (fz_below(t, 8)) {
		case 0:
			a.bc.size = fz_below(t, 16u << 20);
			break;
		case 1:
			a.bc.size = (1ull << 31) + fz_rand(t) % (1ull << 62);
			break;
		case 2:
			a.bc.size = ~0ull - fz_below(t, 8192);
			break;
		default:
			a.bc.size = fz_below(t, 65536);
		}
		if (fz_below(t, 8))
			a.bc.flags = 0;
		ret = fz_ioctl(fd, DRM_IOCTL_EDGENPU_BO_CREATE, &a.bc);
		if (!ret)
			fz_keep(t->bos, t, a.bc.handle);
		return ret;
	case FZ_BO_INFO:
		a.bi.handle = fz_handle(t, t->bos);
		if (fz_below(t, 8))
			a.bi.flags = 0;
		return fz_ioctl(fd, DRM_IOCTL_EDGENPU_BO_INFO, &a.bi);
	case FZ_SUBMIT:
		return fz_submit(t);
	case FZ_WAIT:
		a.w.seqno = fz_below(t, 4) ? t->seqnos[fz_below(t, NKEEP)] : fz_u64(t);
		a.w.kind = fz_below(t, 6) ? fz_below(t, 2) : fz_u32(t);
		a.w.handle = fz_handle(t, t->bos);
		a.w.timeout_ns = fz_deadline(t);
		if (fz_below(t, 8))
			a.w.flags = a.w.pad = 0;
		return fz_ioctl(fd, DRM_IOCTL_EDGENPU_WAIT, &a.w);
	case FZ_GEM_CLOSE:
		a.gc.handle = fz_handle(t, t->bos);
		/*
		 * Never the rig's: a new object could take the number (and
		 * even the mmap offset) while the rig's mapping still shows
		 * the old one, and the valid SUBMITs would stop being valid.
		 */
		if (fd == t->fd && fz_is_rig(t, a.gc.handle))
			return -EBUSY;
		return fz_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &a.gc);
	case FZ_PRIME_EXPORT:
		a.ph.handle = fz_handle(t, t->bos);
		a.ph.flags = fz_below(t, 4) ? DRM_CLOEXEC | DRM_RDWR : fz_u32(t);
		ret = fz_ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &a.ph);
		if (!ret)
			fz_keep_fd(t, a.ph.fd);
		return ret;
	case FZ_PRIME_IMPORT:
		a.ph.fd = fz_below(t, 4) ? t->dmabufs[fz_below(t, NKEEP)] :
			(int)fz_u32(t);
		ret = fz_ioctl(fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &a.ph);
		if (!ret)
			fz_keep(t->bos, t, a.ph.handle);
		return ret;
	case FZ_SYNCOBJ_CREATE:
		a.sc.flags = fz_below(t, 2) ? 0 : fz_u32(t);
		ret = fz_ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &a.sc);
		if (!ret)
			fz_keep(t->syncobjs, t, a.sc.handle);
		return ret;
	case FZ_SYNCOBJ_DESTROY:
		a.sd.handle = hs[0];
		if (fd == t->fd && a.sd.handle == t->rig_sync)
			return -EBUSY;
		return fz_ioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, &a.sd);
	case FZ_SYNCOBJ_EXPORT:
		a.sh.handle = hs[0];
		a.sh.flags = fz_below(t, 3);
		ret = fz_ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &a.sh);
		if (!ret)
			fz_keep_fd(t, a.sh.fd);
		return ret;
	case FZ_SYNCOBJ_IMPORT:
		a.sh.fd = t->dmabufs[fz_below(t, NKEEP)];
		a.sh.handle = fz_below(t, 2) ? hs[0] : 0;
		a.sh.flags = fz_below(t, 3);
		ret = fz_ioctl(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &a.sh);
		if (!ret && !a.sh.flags)
			fz_keep(t->syncobjs, t, a.sh.handle);
		return ret;
	case FZ_SYNCOBJ_WAIT:
		a.sw.handles = fz_below(t, 6) ? (uintptr_t)hs : fz_ptr(t);
		a.sw.count_handles = fz_count(t);
		a.sw.flags = fz_below(t, 8);
		a.sw.timeout_nsec = fz_deadline(t);
		return fz_ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &a.sw);
	case FZ_SYNCOBJ_TL_WAIT:
		a.stw.handles = (uintptr_t)hs;
		a.stw.points = fz_below(t, 6) ? (uintptr_t)pts : fz_ptr(t);
		a.stw.count_handles = fz_count(t);
		a.stw.flags = fz_below(t, 16);
		a.stw.timeout_nsec = fz_deadline(t);
		return fz_ioctl(fd, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &a.stw);
	case FZ_SYNCOBJ_SIGNAL:
	case FZ_SYNCOBJ_RESET:
		a.sa.handles = fz_below(t, 6) ? (uintptr_t)hs : fz_ptr(t);
		a.sa.count_handles = fz_count(t);
		a.sa.pad = fz_below(t, 8) ? 0 : fz_u32(t);
		return fz_ioctl(fd, c == FZ_SYNCOBJ_SIGNAL ? DRM_IOCTL_SYNCOBJ_SIGNAL :
				DRM_IOCTL_SYNCOBJ_RESET, &a.sa);
	case FZ_SYNCOBJ_QUERY:
		a.sta.handles = (uintptr_t)hs;
		a.sta.points = fz_below(t, 6) ? (uintptr_t)pts : fz_ptr(t);
		a.sta.count_handles = fz_count(t);
		a.sta.flags = fz_below(t, 4) ? 0 : fz_u32(t);
		return fz_ioctl(fd, fz_below(t, 2) ? DRM_IOCTL_SYNCOBJ_QUERY :
				DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, &a.sta);
	case FZ_SYNCOBJ_TRANSFER:
		a.st.src_handle = hs[0];
		a.st.dst_handle = hs[1];
		a.st.src_point = pts[0];
		a.st.dst_point = pts[1];
		/* Not WAIT_FOR_SUBMIT: the core then blocks for up to 10 s. */
		a.st.flags = fz_below(t, 4) ? 0 :
			     fz_u32(t) & ~(uint32_t)DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT;
		a.st.pad = 0;
		return fz_ioctl(fd, DRM_IOCTL_SYNCOBJ_TRANSFER, &a.st);
	case FZ_VERSION:
		a.v.name = (char *)(uintptr_t)fz_ptr(t);
		a.v.date = (char *)(uintptr_t)fz_ptr(t);
		a.v.desc = (char *)(uintptr_t)fz_ptr(t);
		a.v.name_len = fz_below(t, 64);
		a.v.date_len = fz_below(t, 64);
		a.v.desc_len = fz_below(t, 64);
		return fz_ioctl(fd, DRM_IOCTL_VERSION, &a.v);
	case FZ_GET_CAP:
		a.gcap.capability = fz_below(t, 32);
		return fz_ioctl(fd, DRM_IOCTL_GET_CAP, &a.gcap);
	case FZ_UNDEFINED: {
		unsigned int nr = DRM_COMMAND_BASE + DRM_EDGENPU_NUM_IOCTLS +
				  fz_below(t, 8);
		unsigned int dir = fz_below(t, 4);

		/* Unknown numbers, and known ones with the wrong size. */
		if (fz_below(t, 2))
			nr = DRM_COMMAND_BASE + fz_below(t, DRM_EDGENPU_NUM_IOCTLS);
		return fz_ioctl(fd, _IOC(dir, DRM_IOCTL_BASE, nr,
					 fz_below(t, sizeof(a.raw))), a.raw);
	}
	case FZ_MMAP:
		return fz_mmap(t, fd);
	case FZ_CORE_ANY:
		return fz_core_any(t);
	case FZ_REOPEN:
		/* Everything the old file held goes with it. */
		if (t->rig_map)
			munmap(t->rig_map, 4096);
		t->rig_map = NULL;
		close(t->fd);
		t->fd = open(t->path, O_RDWR | O_CLOEXEC);
		memset(t->bos, 0, sizeof(t->bos));
		memset(t->syncobjs, 0, sizeof(t->syncobjs));
		if (t->fd < 0)
			return -errno;
		fz_rig(t);
		return 0;
	default:
		return -EINVAL;
	}
}

static void *fz_thread_main(void *arg)
{
	struct fz_thread *t = arg;

	while (fz_now() < t->deadline) {
		enum fz_call c;
		int i;

		for (i = 0; i < 64; i++) {
			if (fz_max_calls &&
			    __atomic_fetch_add(&fz_issued, 1, __ATOMIC_RELAXED) >=
			    fz_max_calls)
				return NULL;
			/* Reopening is rare, so files live long enough to fill up. */
			c = (enum fz_call)fz_below(t, FZ_CORE_ANY);
			if (c == FZ_REOPEN && fz_below(t, 50))
				c = FZ_SUBMIT;
			/* Any core number: a tenth of the calls. */
			if (!fz_below(t, 10))
				c = FZ_CORE_ANY;
			int64_t t1 = fz_now_ns();

			t->st.calls[c]++;
			if (!fz_one(t, c))
				t->st.ok[c]++;
			t->st.ns[c] += fz_now_ns() - t1;
		}
	}
	return NULL;
}

/*
 * The scratch areas pointers point into: the kernel may write up to the
 * sizes the fuzz claims, and a pointer near an area's end must fault
 * (EFAULT), not overwrite the fuzzer's own state.
 */
static int fz_scratch(struct fz_thread *t)
{
	uint8_t *m = mmap(NULL, 4 * (SCRATCH + 4096), PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int i;

	if (m == MAP_FAILED)
		return -errno;
	for (i = 0; i < 4; i++) {
		t->scratch[i] = m + i * (SCRATCH + 4096);
		if (mprotect(t->scratch[i] + SCRATCH, 4096, PROT_NONE))
			return -errno;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct fz_thread th[MAX_THREADS];
	const char *path = gu_node0();
	unsigned long total = 0, ok = 0, seed = 1;
	struct fz_stats sum;
	double secs = 0, t0, elapsed;
	int opt, nthreads = 4, shared, i, c;
	struct tap t = { 0 };

	while ((opt = getopt(argc, argv, "d:t:n:j:s:")) != -1) {
		switch (opt) {
		case 'd': path = optarg; break;
		case 't': secs = atof(optarg); break;
		case 'n': fz_max_calls = strtoul(optarg, NULL, 0); break;
		case 'j': nthreads = atoi(optarg); break;
		case 's': seed = strtoul(optarg, NULL, 0); break;
		default:
			fprintf(stderr, "usage: %s [-d DEV] [-t SECONDS] [-n CALLS] [-j THREADS] [-s SEED]\n",
				argv[0]);
			return 2;
		}
	}
	/* -n alone: no time limit; neither: 10 s. */
	if (!secs)
		secs = fz_max_calls ? 1e9 : 10;
	if (nthreads < 1 || nthreads > MAX_THREADS || secs <= 0) {
		fprintf(stderr, "bad -j or -t\n");
		return 2;
	}
	/* Before the threads: core_verdict() reads it. */
	printf("# kernel %u.%u\n", core_kernel_version() >> 8,
	       core_kernel_version() & 0xff);
	shared = open(path, O_RDWR | O_CLOEXEC);
	if (!tap_check(&t, shared >= 0, "open %s", path))
		return tap_done(&t);
	t0 = fz_now();
	for (i = 0; i < nthreads; i++) {
		th[i].path = path;
		th[i].shared_fd = shared;
		th[i].fd = open(path, O_RDWR | O_CLOEXEC);
		th[i].rng = seed * 0x9e3779b97f4a7c15ull + (uint64_t)i * 7919 + 1;
		th[i].deadline = t0 + secs;
		th[i].stream_size = jb_add_job(th[i].stream, sizeof(th[i].stream), 64);
		fz_rig(&th[i]);
		if (fz_scratch(&th[i])) {
			perror("scratch");
			return 1;
		}
		pthread_create(&th[i].tid, NULL, fz_thread_main, &th[i]);
	}
	memset(&sum, 0, sizeof(sum));
	for (i = 0; i < nthreads; i++) {
		pthread_join(th[i].tid, NULL);
		for (c = 0; c < FZ_NCALLS; c++) {
			sum.calls[c] += th[i].st.calls[c];
			sum.ok[c] += th[i].st.ok[c];
			sum.ns[c] += th[i].st.ns[c];
		}
		for (c = 0; c < 140; c++) {
			sum.valid_err[c] += th[i].st.valid_err[c];
		}
		sum.core_refused += th[i].st.core_refused;
		sum.core_bad += th[i].st.core_bad;
		if (th[i].st.core_bad)
			printf("# thread %d: %lu refused core calls got other than EACCES, first cmd 0x%08lx (nr 0x%02lx) -> %s\n",
			       i, th[i].st.core_bad, th[i].bad_cmd,
			       (unsigned long)_IOC_NR(th[i].bad_cmd),
			       th[i].bad_ret ? strerror(-th[i].bad_ret) : "0 (success)");
	}
	elapsed = fz_now() - t0;
	for (c = 0; c < FZ_NCALLS; c++) {
		printf("# %-16s %8lu calls, %7lu succeeded, %8.1f us each\n",
		       fz_names[c], sum.calls[c], sum.ok[c],
		       sum.calls[c] ? sum.ns[c] / 1e3 / sum.calls[c] : 0.0);
		total += sum.calls[c];
		ok += sum.ok[c];
	}
	for (c = 0; c < 140; c++)
		if (sum.valid_err[c])
			printf("# valid SUBMITs: %lu returned %s\n", sum.valid_err[c],
			       c ? strerror(c) : "0");
	printf("# %lu calls in %.1f s from %d threads (seed %lu), %lu succeeded\n",
	       total, elapsed, nthreads, seed, ok);
	printf("# total %lu calls, %.0f calls/s\n", total,
	       elapsed > 0 ? total / elapsed : 0.0);
	tap_check(&t, total > 0 && ok > 0 && (sum.ok[FZ_SUBMIT] > 0 || total < 1000),
		  "%lu random ioctls from %d threads, %lu SUBMITs accepted",
		  total, nthreads, sum.ok[FZ_SUBMIT]);
	tap_check(&t, !sum.core_bad,
		  "core ioctl numbers off the allowlist: %lu of %lu calls got other than EACCES",
		  sum.core_bad, sum.core_refused);
	/* Close everything: the files' jobs, BOs, syncobjs and dma-bufs go. */
	for (i = 0; i < nthreads; i++) {
		for (c = 0; c < NKEEP; c++)
			if (th[i].dmabufs[c] > 2)
				close(th[i].dmabufs[c]);
		if (th[i].fd >= 0)
			close(th[i].fd);
	}
	close(shared);
	return tap_done(&t);
}
