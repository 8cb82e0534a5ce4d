// SPDX-License-Identifier: MIT
/*
 * core_ioctl_test: every DRM core ioctl number on edgenpu's accel node.
 *
 * The DRM core filters the ioctls without DRM_RENDER_ALLOW for render
 * clients only, not for accel clients, so on /dev/accel/accelN the
 * legacy, master and KMS ioctls reach handlers that assume a primary
 * node: DRM_IOCTL_GET_MAGIC dereferences the file's master, which accel
 * files do not have (an oops on Debian's 6.12 and 7.2 kernels). edgenpu
 * therefore hands only an allowlist of core numbers to drm_ioctl() and
 * answers every other core number with EACCES, as a render node would
 * (see Documentation/edgenpu/upstream/).
 *
 * For each core number (0x00..0x3f, 0xa0..0xff) this issues the ioctl
 * many ways: with the real direction and size when <drm.h> knows the
 * number (a zeroed, a plausible, a garbage-filled, a NULL, an unmapped
 * and a kernel-half argument), then as _IO, as a 4096-byte _IOWR (zeroed,
 * garbage, NULL, unmapped), as a short _IOW and _IOR, as the largest
 * _IOWR (16383 bytes) and as a sized _IOC with no direction. A number
 * off the allowlist must fail with EACCES every time; a number on it
 * must never fail with EACCES, and the ordinary uses of the allowed
 * ioctls (VERSION, GET_CAP, syncobjs, PRIME, GEM_CLOSE) must work. One
 * TAP line per number (unnamed refused numbers in runs).
 *
 * Then a child process (single-threaded, after the parent closed its
 * file) opens the device again and repeats everything: the same checks
 * must hold and every call must give the same answer as in the parent,
 * so that nothing the first round did (a refused SET_MASTER, say)
 * changed any state.
 *
 * The kernel log is the other oracle: scripts/vm-run boots with
 * oops=panic and fails the run on any Oops, BUG, WARNING, KASAN or
 * lockdep report, or when the guest never finishes.
 *
 * usage: edgenpu-core-ioctl-test [DEVICE]   (default /dev/accel/accel0)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <drm/edgenpu_accel.h>

#include "drm_core_ioctls.h"
#include "tap.h"

#define BIG		16384	/* _IOC_SIZE's largest is 16383 */
#define NOT_RUN		(-1)

enum arg_kind {
	ARG_NONE,	/* an integer, never dereferenced */
	ARG_ZERO,	/* a zeroed buffer */
	ARG_PLAUSIBLE,	/* a sensible argument of the real struct */
	ARG_GARBAGE,	/* random bytes (tamed for allowed numbers) */
	ARG_NULL,
	ARG_UNMAPPED,	/* a PROT_NONE page */
	ARG_KERNEL,	/* an address above the user range */
};

struct way {
	const char *name;
	int real;		/* the real encoding (only when known) */
	unsigned int dir, size;
	enum arg_kind arg;
};

#define RW	(_IOC_READ | _IOC_WRITE)

static const struct way ways[] = {
	{ "real/zero",		1, 0, 0, ARG_ZERO },
	{ "real/plausible",	1, 0, 0, ARG_PLAUSIBLE },
	{ "real/garbage",	1, 0, 0, ARG_GARBAGE },
	{ "real/NULL",		1, 0, 0, ARG_NULL },
	{ "real/unmapped",	1, 0, 0, ARG_UNMAPPED },
	{ "real/kernel-ptr",	1, 0, 0, ARG_KERNEL },
	{ "_IO",		0, _IOC_NONE, 0, ARG_NONE },
	{ "_IOWR(4096)/zero",	0, RW, 4096, ARG_ZERO },
	{ "_IOWR(4096)/garbage", 0, RW, 4096, ARG_GARBAGE },
	{ "_IOWR(4096)/NULL",	0, RW, 4096, ARG_NULL },
	{ "_IOWR(4096)/unmapped", 0, RW, 4096, ARG_UNMAPPED },
	{ "_IOW(8)/garbage",	0, _IOC_WRITE, 8, ARG_GARBAGE },
	{ "_IOR(64)/zero",	0, _IOC_READ, 64, ARG_ZERO },
	{ "_IOWR(16383)/garbage", 0, RW, 16383, ARG_GARBAGE },
	{ "_IOC(none,4096)/garbage", 0, _IOC_NONE, 4096, ARG_GARBAGE },
};

#define NWAYS	(sizeof(ways) / sizeof(ways[0]))

/* What the checks report to: TAP lines, or (in the child) a count. */
struct ctx {
	struct tap *t;		/* NULL: quiet, only failures as comments */
	int failed;
	const char *who;
};

static int check(struct ctx *c, int ok, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->t)
		return tap_check(c->t, ok, "%s", msg);
	if (!ok) {
		c->failed++;
		printf("# %s: FAILED: %s\n", c->who, msg);
		fflush(stdout);
	}
	return ok;
}

/* ioctl() as 0 or the errno. */
static int xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? errno : 0;
}

static const char *ename(int e)
{
	static char buf[8][16];
	static int i;
	const char *s;

	if (e == NOT_RUN)
		return "-";
	if (!e)
		return "0";
	s = strerrorname_np(e);
	if (s)
		return s;
	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "errno %d", e);
	return buf[i];
}

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

/* The same garbage for the same (number, way), in parent and child. */
static void garbage(uint8_t *buf, unsigned int nr, unsigned int way)
{
	uint64_t s = 0x9e3779b97f4a7c15ull ^ ((uint64_t)nr << 16 | way), v;
	size_t i;

	for (i = 0; i < BIG; i += 8) {
		v = rng_next(&s);
		memcpy(buf + i, &v, 8);
	}
	/* A few small values where counts, handles and fds often sit. */
	for (i = 0; i < 48; i += 4) {
		v = rng_next(&s);
		if (!(v & 3))
			memcpy(buf + i, &(uint32_t){ (uint32_t)(v >> 8) & 7 }, 4);
	}
	if (core_verdict(nr) != CORE_REFUSED)
		core_tame(nr, buf, BIG, (uint32_t)(rng_next(&s) % 5));
}

static uint32_t bo_create(int fd)
{
	struct drm_edgenpu_bo_create c = { .size = 4096 };

	return xioctl(fd, DRM_IOCTL_EDGENPU_BO_CREATE, &c) ? 0 : c.handle;
}

/*
 * A sensible argument for a refused core ioctl, the kind a program that
 * mistook the node for a primary one would pass; 0 when the zeroed
 * struct already is one.
 */
static int plausible(unsigned int nr, uint8_t *buf, uint32_t bo)
{
	static char uniq[64] = "edgenpu";

	memset(buf, 0, BIG);
	switch (nr) {
	case _IOC_NR(DRM_IOCTL_GET_UNIQUE):
	case _IOC_NR(DRM_IOCTL_SET_UNIQUE): {
		struct drm_unique *u = (void *)buf;

		u->unique_len = nr == _IOC_NR(DRM_IOCTL_GET_UNIQUE) ?
				sizeof(uniq) : strlen(uniq);
		u->unique = uniq;
		return 1;
	}
	case _IOC_NR(DRM_IOCTL_SET_VERSION): {
		struct drm_set_version *v = (void *)buf;

		*v = (struct drm_set_version){ 1, 4, -1, -1 };
		return 1;
	}
	case _IOC_NR(DRM_IOCTL_GEM_FLINK):
		((struct drm_gem_flink *)buf)->handle = bo;
		return 1;
	case _IOC_NR(DRM_IOCTL_GEM_OPEN):
		((struct drm_gem_open *)buf)->name = 1;
		return 1;
	case _IOC_NR(DRM_IOCTL_SET_CLIENT_CAP): {
		struct drm_set_client_cap *cc = (void *)buf;

		/* The one a non-KMS device would simply record. */
		cc->capability = DRM_CLIENT_CAP_STEREO_3D;
		cc->value = 1;
		return 1;
	}
	case _IOC_NR(DRM_IOCTL_AUTH_MAGIC):
		((struct drm_auth *)buf)->magic = 1;
		return 1;
	case _IOC_NR(DRM_IOCTL_MODE_CREATE_DUMB): {
		struct drm_mode_create_dumb *d = (void *)buf;

		d->width = 64;
		d->height = 64;
		d->bpp = 32;
		return 1;
	}
	case _IOC_NR(DRM_IOCTL_WAIT_VBLANK): {
		union drm_wait_vblank *w = (void *)buf;

		w->request.type = _DRM_VBLANK_RELATIVE;
		w->request.sequence = 1;
		return 1;
	}
	case _IOC_NR(DRM_IOCTL_MODE_RMFB):
	case _IOC_NR(DRM_IOCTL_MODE_CLOSEFB):
	case _IOC_NR(DRM_IOCTL_MODE_GETCRTC):
		*(uint32_t *)buf = 1;
		return 1;
	}
	return 0;
}

struct bufs {
	uint8_t *zero, *garbage, *plausible;
	void *unmapped;
};

/*
 * Every way of calling number @nr; res[w] gets 0, the errno, or NOT_RUN.
 * The argument buffers are made again for each call: the kernel may
 * write into them.
 */
static void try_number(int fd, unsigned int nr, const struct bufs *b, uint32_t bo,
		       int res[NWAYS])
{
	const struct core_ioctl *known = core_ioctl_find(nr);
	unsigned int w;

	for (w = 0; w < NWAYS; w++) {
		const struct way *wy = &ways[w];
		unsigned long cmd;
		void *arg;

		res[w] = NOT_RUN;
		if (wy->real && !known)
			continue;
		cmd = wy->real ? known->cmd :
		      _IOC(wy->dir, DRM_IOCTL_BASE, nr, wy->size);
		switch (wy->arg) {
		case ARG_NONE:
			arg = (void *)(uintptr_t)0x5a5a5a5a5a5a5a5aull;
			break;
		case ARG_ZERO:
			memset(b->zero, 0, BIG);
			arg = b->zero;
			break;
		case ARG_PLAUSIBLE:
			if (core_verdict(nr) != CORE_REFUSED ||
			    !plausible(nr, b->plausible, bo))
				continue;
			arg = b->plausible;
			break;
		case ARG_GARBAGE:
			garbage(b->garbage, nr, w);
			arg = b->garbage;
			break;
		case ARG_NULL:
			arg = NULL;
			break;
		case ARG_UNMAPPED:
			arg = b->unmapped;
			break;
		default:
			arg = (void *)(uintptr_t)-4096;
			break;
		}
		res[w] = xioctl(fd, cmd, arg);
	}
}

/* The results as "way=errno ..." for a TAP line (those that differ from @want, or all). */
static void describe(char *out, size_t len, const int res[NWAYS], int want,
		     int only_bad)
{
	size_t n = 0;
	unsigned int w;

	out[0] = 0;
	for (w = 0; w < NWAYS && n + 1 < len; w++) {
		if (res[w] == NOT_RUN)
			continue;
		if (only_bad && ((want == EACCES) == (res[w] == EACCES)))
			continue;
		n += snprintf(out + n, len - n, "%s%s %s", n ? ", " : "",
			      ways[w].name, ename(res[w]));
	}
}

/* Close the current run of unnamed refused numbers with its TAP line. */
static void end_run(struct ctx *c, unsigned int *start, unsigned int *len,
		    unsigned int calls, unsigned int *failed)
{
	if (*len)
		check(c, !*failed, "0x%02x..0x%02x (no core ioctl): EACCES all %u ways each%s",
		      *start, *start + *len - 1, calls,
		      *failed ? " (see the comments above)" : "");
	*len = 0;
	*failed = 0;
}

/*
 * Every core number, all ways: a TAP line per named or allowed number,
 * one per run of unnamed refused ones.
 */
static void sweep(struct ctx *c, int fd, const struct bufs *b, uint32_t bo,
		  int res[256][NWAYS])
{
	unsigned int i, w, run_start = 0, run_len = 0, run_calls = 0, run_failed = 0;
	char desc[2048];

	for (i = 0; i < 160; i++) {
		unsigned int nr = core_nr_at(i);
		const struct core_ioctl *known = core_ioctl_find(nr);
		enum core_verdict v = core_verdict(nr);
		unsigned int calls = 0, eacces = 0;

		try_number(fd, nr, b, bo, res[nr]);
		for (w = 0; w < NWAYS; w++) {
			if (res[nr][w] == NOT_RUN)
				continue;
			calls++;
			eacces += res[nr][w] == EACCES;
		}
		if (!known && v == CORE_REFUSED) {
			if (run_len && nr != run_start + run_len)
				end_run(c, &run_start, &run_len, run_calls, &run_failed);
			if (!run_len)
				run_start = nr;
			run_len++;
			run_calls = calls;
			if (eacces != calls) {
				describe(desc, sizeof(desc), res[nr], EACCES, 1);
				printf("# 0x%02x must fail with EACCES: %s\n", nr, desc);
				run_failed++;
			}
			continue;
		}
		end_run(c, &run_start, &run_len, run_calls, &run_failed);
		switch (v) {
		case CORE_REFUSED:
			describe(desc, sizeof(desc), res[nr], EACCES, 1);
			check(c, eacces == calls, "0x%02x %s: %s%s", nr, known->name,
			      eacces == calls ? "EACCES all ways" :
			      "must fail with EACCES every time; ", desc);
			break;
		case CORE_ALLOWED:
			describe(desc, sizeof(desc), res[nr], 0, 0);
			check(c, !eacces, "0x%02x %s (allowed): never EACCES [%s]",
			      nr, known ? known->name : "?", desc);
			break;
		case CORE_EITHER:
			describe(desc, sizeof(desc), res[nr], 0, 0);
			check(c, !eacces || eacces == calls,
			      "0x%02x %s (allowed where the kernel has it): all EACCES or none [%s]",
			      nr, known ? known->name : "?", desc);
			break;
		}
	}
	end_run(c, &run_start, &run_len, run_calls, &run_failed);
}

/* The ordinary uses of the allowed core ioctls must work. */
static void allowed_calls(struct ctx *c, int fd)
{
	char name[64] = "", date[64] = "", descr[128] = "";
	struct drm_version ver = {
		.name_len = sizeof(name) - 1, .name = name,
		.date_len = sizeof(date) - 1, .date = date,
		.desc_len = sizeof(descr) - 1, .desc = descr,
	};
	struct drm_get_cap cap;
	struct drm_syncobj_create sc;
	struct drm_syncobj_handle sh, sh2;
	struct drm_syncobj_wait sw;
	struct drm_syncobj_array sa;
	struct drm_syncobj_timeline_array ta;
	struct drm_syncobj_timeline_wait tw;
	struct drm_syncobj_transfer tr;
	struct core_syncobj_eventfd ev;
	struct drm_syncobj_destroy sd;
	struct drm_prime_handle ph, ph2;
	struct drm_gem_close gc;
	uint32_t h[4] = { 0 }, hs[1], bo, i;
	uint64_t pts[1], evv = 0;
	int r, efd;

	r = xioctl(fd, DRM_IOCTL_VERSION, &ver);
	check(c, !r && !strcmp(name, "edgenpu"),
	      "DRM_IOCTL_VERSION with a proper struct: %s, name '%s'", ename(r), name);

	cap = (struct drm_get_cap){ .capability = DRM_CAP_SYNCOBJ };
	r = xioctl(fd, DRM_IOCTL_GET_CAP, &cap);
	check(c, !r && cap.value == 1, "GET_CAP DRM_CAP_SYNCOBJ: %s, value %llu",
	      ename(r), (unsigned long long)cap.value);
	cap = (struct drm_get_cap){ .capability = DRM_CAP_SYNCOBJ_TIMELINE };
	r = xioctl(fd, DRM_IOCTL_GET_CAP, &cap);
	check(c, !r && cap.value == 1, "GET_CAP DRM_CAP_SYNCOBJ_TIMELINE: %s, value %llu",
	      ename(r), (unsigned long long)cap.value);

	/*
	 * 0 is never a handle. 7.2's core keeps its syncobjs in an xarray
	 * that reserves index 0, and DESTROY of handle 0 (which fails)
	 * un-reserves it: the next CREATE then hands out handle 0. The
	 * sweep above did DESTROY 0 many times; do it once more, here.
	 */
	sd = (struct drm_syncobj_destroy){ .handle = 0 };
	r = xioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, &sd);
	check(c, r == EINVAL, "SYNCOBJ_DESTROY of handle 0: %s (expected EINVAL)", ename(r));
	sc = (struct drm_syncobj_create){ 0 };
	r = xioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &sc);
	check(c, !r && sc.handle,
	      "SYNCOBJ_CREATE after a DESTROY of handle 0: %s, handle %u (not 0)",
	      ename(r), sc.handle);
	/* (A handle 0 stays: destroying it would free index 0 again.) */
	if (!r && sc.handle) {
		sd = (struct drm_syncobj_destroy){ .handle = sc.handle };
		xioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, &sd);
	}

	for (i = 0; i < 4; i++) {
		sc = (struct drm_syncobj_create){
			.flags = i == 1 ? DRM_SYNCOBJ_CREATE_SIGNALED : 0,
		};
		r = xioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &sc);
		h[i] = r ? 0 : sc.handle;
		check(c, !r && sc.handle, "SYNCOBJ_CREATE%s: %s, handle %u",
		      i == 1 ? " (signalled)" : "", ename(r), h[i]);
	}

	sh = (struct drm_syncobj_handle){ .handle = h[0] };
	r = xioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &sh);
	check(c, !r && sh.fd >= 0, "SYNCOBJ_HANDLE_TO_FD: %s", ename(r));
	sh2 = (struct drm_syncobj_handle){ .fd = r ? -1 : sh.fd };
	r = xioctl(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &sh2);
	check(c, !r && sh2.handle && sh2.handle != h[0],
	      "SYNCOBJ_FD_TO_HANDLE: %s, a second handle %u", ename(r), sh2.handle);
	if (sh.fd >= 0)
		close(sh.fd);
	if (!r) {
		sd = (struct drm_syncobj_destroy){ .handle = sh2.handle };
		r = xioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, &sd);
		check(c, !r, "SYNCOBJ_DESTROY of the imported handle: %s", ename(r));
	}

	/* A sync file out of the signalled one, into the first. */
	sh = (struct drm_syncobj_handle){
		.handle = h[1],
		.flags = DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE,
		.fd = -1,
	};
	r = xioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &sh);
	check(c, !r && sh.fd >= 0, "SYNCOBJ_HANDLE_TO_FD as a sync file: %s", ename(r));
	sh2 = (struct drm_syncobj_handle){
		.handle = h[0], .fd = sh.fd,
		.flags = DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE,
	};
	r = xioctl(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &sh2);
	check(c, !r, "SYNCOBJ_FD_TO_HANDLE of the sync file: %s", ename(r));
	if (sh.fd >= 0)
		close(sh.fd);

	hs[0] = h[0];
	sw = (struct drm_syncobj_wait){ .handles = (uintptr_t)hs, .count_handles = 1 };
	r = xioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &sw);
	check(c, !r, "SYNCOBJ_WAIT on the imported fence: %s", ename(r));
	sa = (struct drm_syncobj_array){ .handles = (uintptr_t)hs, .count_handles = 1 };
	r = xioctl(fd, DRM_IOCTL_SYNCOBJ_RESET, &sa);
	check(c, !r, "SYNCOBJ_RESET: %s", ename(r));
	sw = (struct drm_syncobj_wait){
		.handles = (uintptr_t)hs, .count_handles = 1,
		.flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT,
	};
	r = xioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &sw);
	check(c, r == ETIME, "SYNCOBJ_WAIT (for submit, timeout now) after the reset: %s (expected ETIME)",
	      ename(r));
	r = xioctl(fd, DRM_IOCTL_SYNCOBJ_SIGNAL, &sa);
	check(c, !r, "SYNCOBJ_SIGNAL: %s", ename(r));
	sw.flags = 0;
	r = xioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &sw);
	check(c, !r, "SYNCOBJ_WAIT after the signal: %s", ename(r));

	/* A timeline: point 3 on h[2]. */
	hs[0] = h[2];
	pts[0] = 3;
	ta = (struct drm_syncobj_timeline_array){
		.handles = (uintptr_t)hs, .points = (uintptr_t)pts, .count_handles = 1,
	};
	r = xioctl(fd, DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, &ta);
	check(c, !r, "SYNCOBJ_TIMELINE_SIGNAL point 3: %s", ename(r));
	pts[0] = 0;
	r = xioctl(fd, DRM_IOCTL_SYNCOBJ_QUERY, &ta);
	check(c, !r && pts[0] == 3, "SYNCOBJ_QUERY: %s, point %llu", ename(r),
	      (unsigned long long)pts[0]);
	pts[0] = 3;
	tw = (struct drm_syncobj_timeline_wait){
		.handles = (uintptr_t)hs, .points = (uintptr_t)pts, .count_handles = 1,
	};
	r = xioctl(fd, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &tw);
	check(c, !r, "SYNCOBJ_TIMELINE_WAIT point 3: %s", ename(r));
	tr = (struct drm_syncobj_transfer){
		.src_handle = h[2], .src_point = 3, .dst_handle = h[3],
	};
	r = xioctl(fd, DRM_IOCTL_SYNCOBJ_TRANSFER, &tr);
	check(c, !r, "SYNCOBJ_TRANSFER timeline point 3 -> binary: %s", ename(r));

	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ev = (struct core_syncobj_eventfd){ .handle = h[2], .point = 3, .fd = efd };
	r = xioctl(fd, DRM_IOCTL_SYNCOBJ_EVENTFD, &ev);
	/* The point is signalled: so is the eventfd, at once. */
	if (!r && read(efd, &evv, 8) != 8)
		evv = 0;
	check(c, !r && evv == 1, "SYNCOBJ_EVENTFD on a signalled point: %s, eventfd %llu",
	      ename(r), (unsigned long long)evv);

	for (i = 0; i < 4; i++) {
		sd = (struct drm_syncobj_destroy){ .handle = h[i] };
		r = xioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, &sd);
		check(c, !r, "SYNCOBJ_DESTROY %u: %s", h[i], ename(r));
	}
	r = xioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, &sd);
	check(c, r == EINVAL, "SYNCOBJ_DESTROY again: %s (expected EINVAL)", ename(r));

	/* GEM and PRIME on a real buffer, then on bad handles and fds. */
	bo = bo_create(fd);
	check(c, bo != 0, "a 4 KiB buffer object (handle %u)", bo);
	ph = (struct drm_prime_handle){ .handle = bo, .flags = DRM_CLOEXEC | DRM_RDWR,
					.fd = -1 };
	r = xioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &ph);
	check(c, !r && ph.fd >= 0, "PRIME_HANDLE_TO_FD: %s", ename(r));
	ph2 = (struct drm_prime_handle){ .fd = ph.fd };
	r = xioctl(fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &ph2);
	check(c, !r && ph2.handle == bo, "PRIME_FD_TO_HANDLE gives the same handle: %s, %u",
	      ename(r), ph2.handle);
	if (ph.fd >= 0)
		close(ph.fd);
	gc = (struct drm_gem_close){ .handle = bo };
	r = xioctl(fd, DRM_IOCTL_GEM_CLOSE, &gc);
	check(c, !r, "GEM_CLOSE: %s", ename(r));
	r = xioctl(fd, DRM_IOCTL_GEM_CLOSE, &gc);
	check(c, r == EINVAL, "GEM_CLOSE again: %s (expected EINVAL)", ename(r));
	ph = (struct drm_prime_handle){ .handle = 0x7fffff00, .flags = DRM_CLOEXEC };
	r = xioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &ph);
	check(c, r == ENOENT, "PRIME_HANDLE_TO_FD on a bad handle: %s (expected ENOENT)", ename(r));
	ph2 = (struct drm_prime_handle){ .fd = efd };
	r = xioctl(fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &ph2);
	check(c, r && r != EACCES, "PRIME_FD_TO_HANDLE of an eventfd: %s (an error, not EACCES)",
	      ename(r));
	if (efd >= 0)
		close(efd);

	/* The two newest, where the kernel has them. */
	{
		static const char cname[] = "edgenpu-core-ioctl-test";
		struct core_set_client_name cn = {
			.name_len = strlen(cname), .name = (uintptr_t)cname,
		};
		struct core_gem_change_handle ch = { .handle = 0x7fffff00,
						     .new_handle = 0x7fffff01 };
		enum core_verdict v = core_verdict(_IOC_NR(DRM_IOCTL_SET_CLIENT_NAME));

		r = xioctl(fd, DRM_IOCTL_SET_CLIENT_NAME, &cn);
		check(c, v == CORE_ALLOWED ? !r : v == CORE_REFUSED ? r == EACCES :
		      !r || r == EACCES, "SET_CLIENT_NAME '%s': %s (expected %s)", cname,
		      ename(r), v == CORE_ALLOWED ? "0" : v == CORE_REFUSED ?
		      "EACCES: not in this kernel" : "0 or EACCES");
		v = core_verdict(_IOC_NR(DRM_IOCTL_GEM_CHANGE_HANDLE));
		r = xioctl(fd, DRM_IOCTL_GEM_CHANGE_HANDLE, &ch);
		check(c, v == CORE_ALLOWED ? r != EACCES : v == CORE_REFUSED ? r == EACCES : 1,
		      "GEM_CHANGE_HANDLE of a bad handle: %s (expected %s)", ename(r),
		      v == CORE_ALLOWED ? "not EACCES" : v == CORE_REFUSED ?
		      "EACCES: not in this kernel" : "anything");
	}
}

/* Open, sweep, check the allowed calls, close. 0 if it could not open. */
static int round_on(struct ctx *c, const char *path, const struct bufs *b,
		    int res[256][NWAYS])
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	uint32_t bo;

	if (!check(c, fd >= 0, "open %s (%s)", path, fd >= 0 ? "ok" : strerror(errno)))
		return 0;
	/* A live buffer object, for GEM_FLINK to name. */
	bo = bo_create(fd);
	check(c, bo != 0, "a buffer object for GEM_FLINK (handle %u)", bo);
	sweep(c, fd, b, bo, res);
	allowed_calls(c, fd);
	close(fd);
	return 1;
}

int main(int argc, char **argv)
{
	static int res[256][NWAYS], res2[256][NWAYS];
	const char *path = argc > 1 ? argv[1] : "/dev/accel/accel0";
	struct tap t = { 0 };
	struct ctx c = { .t = &t, .who = "parent" };
	struct bufs b;
	unsigned int nr, w, diffs = 0;
	int pfd[2], status, child_failed = -1;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	b.zero = malloc(BIG);
	b.garbage = malloc(BIG);
	b.plausible = malloc(BIG);
	b.unmapped = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!b.zero || !b.garbage || !b.plausible || b.unmapped == MAP_FAILED) {
		perror("buffers");
		return 1;
	}
	printf("# kernel %u.%u; SET_CLIENT_NAME and GEM_CHANGE_HANDLE %s\n",
	       core_kernel_version() >> 8, core_kernel_version() & 0xff,
	       core_verdict(0xd1) == CORE_ALLOWED ? "allowed" :
	       core_verdict(0xd1) == CORE_REFUSED ? "refused (not in this kernel)" :
	       "either");
	if (!round_on(&c, path, &b, res))
		return tap_done(&t);

	/*
	 * Again from a child: the parent's file is closed, the child is a
	 * single thread and opens its own.
	 */
	if (pipe(pfd)) {
		perror("pipe");
		return 1;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct ctx cc = { .who = "child" };

		/*
		 * The pipe out of the way (fd 100), so that the child's
		 * low fds are the parent's during its round: garbage
		 * arguments hold small fd numbers.
		 */
		close(pfd[0]);
		if (dup2(pfd[1], 100) != 100)
			_exit(2);
		close(pfd[1]);
		pfd[1] = 100;
		round_on(&cc, path, &b, res2);
		if (write(pfd[1], &cc.failed, sizeof(cc.failed)) != sizeof(cc.failed) ||
		    write(pfd[1], res2, sizeof(res2)) != (ssize_t)sizeof(res2))
			_exit(2);
		_exit(cc.failed ? 1 : 0);
	}
	close(pfd[1]);
	if (pid > 0 && read(pfd[0], &child_failed, sizeof(child_failed)) ==
	    sizeof(child_failed)) {
		while (got < sizeof(res2) &&
		       (n = read(pfd[0], (char *)res2 + got, sizeof(res2) - got)) > 0)
			got += n;
	}
	close(pfd[0]);
	status = -1;
	if (pid > 0)
		waitpid(pid, &status, 0);
	check(&c, pid > 0 && WIFEXITED(status) && child_failed == 0 && got == sizeof(res2),
	      "a child reopening the device: every check holds again (%d failed, exit %d)",
	      child_failed, pid > 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	if (got == sizeof(res2)) {
		for (nr = 0; nr < 256; nr++) {
			if (!core_nr(nr))
				continue;
			for (w = 0; w < NWAYS; w++) {
				if (res[nr][w] == res2[nr][w])
					continue;
				if (++diffs <= 20)
					printf("# 0x%02x %s: parent %s, child %s\n", nr,
					       ways[w].name, ename(res[nr][w]),
					       ename(res2[nr][w]));
			}
		}
	}
	check(&c, got == sizeof(res2) && !diffs,
	      "the child got the same answer as the parent to every call (%u differ)",
	      diffs);
	return tap_done(&t);
}
