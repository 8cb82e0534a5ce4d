// SPDX-License-Identifier: MIT
/*
 * Guest test for edgenpu jobs: buffer objects, submit and wait, syncobjs
 * (binary and timeline), dma-buf export and import, profiling, fault
 * injection, hang recovery and banning, concurrency from several
 * processes, closing a file mid-job, and bad input of every ioctl.
 *
 * Every device result is compared with the engine's userspace build,
 * linked into this program: the same source as the kernel's.
 *
 * usage: edgenpu-job-test [DEVICE]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include <drm/edgenpu_accel.h>

#include "edgenpu_engine.h"
#include "engine_jobbuild.h"
#include "guest_util.h"
#include "tap.h"

#define N_ELEMS		64
#define DBG		"/sys/kernel/debug/edgenpu/edgenpu-vnpu.0/"
#define SYSFS		"/sys/bus/platform/devices/edgenpu-vnpu.0/"
#define CHILDREN	4

/* A job: out = a + b, requantized, over three buffers. */
struct rig {
	int fd;
	uint32_t cmd, a, b, out, prof;
	uint8_t *cmd_map, *a_map, *b_map, *out_map;
	uint64_t *prof_map;
	uint32_t cmd_size;
};

/* The expected output, from the engine's userspace build. */
static int cpu_add(const uint8_t *cmds, uint32_t size, int8_t *a, int8_t *b,
		   int8_t *out)
{
	static _Alignas(64) uint8_t scratch[EDGENPU_ENGINE_SCRATCH_SIZE];
	struct edgenpu_engine_buffer bufs[3] = {
		{ a, N_ELEMS, EDGENPU_BUF_READ, 0 },
		{ b, N_ELEMS, EDGENPU_BUF_READ, 0 },
		{ out, N_ELEMS, EDGENPU_BUF_WRITE, 0 },
	};
	struct edgenpu_engine_error err;

	return edgenpu_engine_run(cmds, size, bufs, 3, scratch, sizeof(scratch),
				  NULL, &err);
}

static int rig_init(struct rig *r, const char *path)
{
	r->fd = open(path, O_RDWR | O_CLOEXEC);
	if (r->fd < 0)
		return -errno;
	if (gu_bo_create(r->fd, 4096, &r->cmd) || gu_bo_create(r->fd, N_ELEMS, &r->a) ||
	    gu_bo_create(r->fd, N_ELEMS, &r->b) || gu_bo_create(r->fd, N_ELEMS, &r->out) ||
	    gu_bo_create(r->fd, 4096, &r->prof))
		return -EIO;
	r->cmd_map = gu_bo_map(r->fd, r->cmd);
	r->a_map = gu_bo_map(r->fd, r->a);
	r->b_map = gu_bo_map(r->fd, r->b);
	r->out_map = gu_bo_map(r->fd, r->out);
	r->prof_map = gu_bo_map(r->fd, r->prof);
	if (!r->cmd_map || !r->a_map || !r->b_map || !r->out_map || !r->prof_map)
		return -EIO;
	r->cmd_size = jb_add_job(r->cmd_map, 4096, N_ELEMS);
	return r->cmd_size ? 0 : -EIO;
}

struct sub {
	struct drm_edgenpu_buffer_ref refs[3];
	struct drm_edgenpu_sync in, out;
	struct drm_edgenpu_job job;
	struct drm_edgenpu_submit submit;
};

static void sub_init(struct sub *s, const struct rig *r)
{
	memset(s, 0, sizeof(*s));
	s->refs[0] = (struct drm_edgenpu_buffer_ref){ r->a, DRM_EDGENPU_BUF_READ };
	s->refs[1] = (struct drm_edgenpu_buffer_ref){ r->b, DRM_EDGENPU_BUF_READ };
	s->refs[2] = (struct drm_edgenpu_buffer_ref){ r->out, DRM_EDGENPU_BUF_WRITE };
	s->job.cmd_handle = r->cmd;
	s->job.cmd_size = r->cmd_size;
	s->job.buffers = (uintptr_t)s->refs;
	s->job.buffer_count = 3;
	s->job.priority = DRM_EDGENPU_PRIO_NORMAL;
	s->submit.jobs = (uintptr_t)&s->job;
	s->submit.job_count = 1;
	s->submit.job_stride = sizeof(s->job);
}

static int submit(int fd, struct sub *s)
{
	s->job.seqno = 0;
	return gu_ioctl(fd, DRM_IOCTL_EDGENPU_SUBMIT, &s->submit);
}

static int64_t deadline(int64_t ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ll + ts.tv_nsec + ms * 1000000ll;
}

static int wait_job(int fd, uint64_t seqno, int64_t ms, uint32_t *status,
		    int32_t *error)
{
	struct drm_edgenpu_wait w = {
		.seqno = seqno,
		.timeout_ns = deadline(ms),
		.kind = DRM_EDGENPU_WAIT_JOB,
	};
	int ret = gu_ioctl(fd, DRM_IOCTL_EDGENPU_WAIT, &w);

	if (status)
		*status = w.status;
	if (error)
		*error = w.error;
	return ret;
}

static void fill_inputs(struct rig *r, unsigned int seed)
{
	int i;

	for (i = 0; i < N_ELEMS; i++) {
		seed = seed * 1103515245u + 12345u;
		r->a_map[i] = seed >> 16;
		r->b_map[i] = seed >> 24;
	}
}

static int check_output(struct rig *r)
{
	int8_t a[N_ELEMS], b[N_ELEMS], want[N_ELEMS];

	memcpy(a, r->a_map, N_ELEMS);
	memcpy(b, r->b_map, N_ELEMS);
	if (cpu_add(r->cmd_map, r->cmd_size, a, b, want))
		return 0;
	return memcmp(want, r->out_map, N_ELEMS) == 0;
}

static int run_one(struct rig *r, unsigned int seed)
{
	struct sub s;
	uint32_t st;

	fill_inputs(r, seed);
	sub_init(&s, r);
	if (submit(r->fd, &s) || wait_job(r->fd, s.job.seqno, 5000, &st, NULL))
		return 0;
	return st == DRM_EDGENPU_JOB_DONE && check_output(r);
}

static void test_basic(struct tap *t, struct rig *r)
{
	struct sub s;
	uint32_t st = 0;
	int32_t err = 1;
	uint64_t a, b;

	fill_inputs(r, 1);
	sub_init(&s, r);
	s.job.profile_handle = r->prof;
	tap_check(t, submit(r->fd, &s) == 0 && s.job.seqno > 0,
		  "submit an ADD job (seqno %llu)", (unsigned long long)s.job.seqno);
	tap_check(t, wait_job(r->fd, s.job.seqno, 5000, &st, &err) == 0 &&
		  st == DRM_EDGENPU_JOB_DONE && err == 0, "wait: done");
	tap_check(t, check_output(r), "output equals the CPU engine's");
	a = r->prof_map[0];
	b = r->prof_map[1];
	tap_check(t, a > 0 && b >= a, "profile: op start %llu <= end %llu",
		  (unsigned long long)a, (unsigned long long)b);
	tap_check(t, wait_job(r->fd, s.job.seqno, 0, NULL, NULL) == -ENOENT,
		  "a reaped job is gone (ENOENT)");
	tap_check(t, wait_job(r->fd, 123456, 0, NULL, NULL) == -ENOENT,
		  "an unknown job: ENOENT");
}

static void test_syncobjs(struct tap *t, struct rig *r)
{
	struct drm_syncobj_create c1 = { 0 }, c2 = { 0 };
	struct drm_syncobj_wait w = { 0 };
	struct drm_syncobj_timeline_wait tw = { 0 };
	uint64_t point = 5;
	struct sub s1, s2;
	uint32_t st;
	int ok;

	ok = !gu_ioctl(r->fd, DRM_IOCTL_SYNCOBJ_CREATE, &c1) &&
	     !gu_ioctl(r->fd, DRM_IOCTL_SYNCOBJ_CREATE, &c2);
	tap_check(t, ok, "create two syncobjs");
	if (!ok)
		return;

	/* Job 1 signals c1; job 2 waits for c1 and signals c2 at point 5. */
	fill_inputs(r, 7);
	sub_init(&s1, r);
	s1.out.handle = c1.handle;
	s1.job.out_syncs = (uintptr_t)&s1.out;
	s1.job.out_sync_count = 1;
	sub_init(&s2, r);
	s2.in.handle = c1.handle;
	s2.job.in_syncs = (uintptr_t)&s2.in;
	s2.job.in_sync_count = 1;
	s2.out.handle = c2.handle;
	s2.out.point = point;
	s2.job.out_syncs = (uintptr_t)&s2.out;
	s2.job.out_sync_count = 1;
	tap_check(t, submit(r->fd, &s1) == 0 && submit(r->fd, &s2) == 0,
		  "submit a chain: out-syncobj, then in-syncobj + timeline point");

	w.handles = (uintptr_t)&c1.handle;
	w.count_handles = 1;
	w.timeout_nsec = deadline(5000);
	tap_check(t, gu_ioctl(r->fd, DRM_IOCTL_SYNCOBJ_WAIT, &w) == 0,
		  "binary syncobj signalled");
	tw.handles = (uintptr_t)&c2.handle;
	tw.points = (uintptr_t)&point;
	tw.count_handles = 1;
	tw.timeout_nsec = deadline(5000);
	tap_check(t, gu_ioctl(r->fd, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &tw) == 0,
		  "timeline syncobj reached point 5");
	tap_check(t, wait_job(r->fd, s2.job.seqno, 0, &st, NULL) == 0 &&
		  st == DRM_EDGENPU_JOB_DONE && check_output(r),
		  "the second job is done and correct");
	wait_job(r->fd, s1.job.seqno, 0, NULL, NULL);
}

static void test_dmabuf(struct tap *t, struct rig *r, const char *path)
{
	struct drm_prime_handle exp = { .handle = r->out, .flags = DRM_CLOEXEC };
	struct drm_prime_handle imp = { 0 };
	struct rig r2;
	struct sub s;
	uint32_t st;
	int ok;

	ok = run_one(r, 11);
	ok = ok && !gu_ioctl(r->fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &exp);
	tap_check(t, ok, "export an output BO as a dma-buf");
	if (!ok)
		return;
	memset(&r2, 0, sizeof(r2));
	ok = rig_init(&r2, path) == 0;
	imp.fd = exp.fd;
	ok = ok && !gu_ioctl(r2.fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &imp);
	tap_check(t, ok, "import it into another file");
	if (!ok)
		return;
	/* The other file's job reads the imported buffer as its input a. */
	memset(r2.b_map, 0, N_ELEMS);
	sub_init(&s, &r2);
	s.refs[0].handle = imp.handle;
	ok = submit(r2.fd, &s) == 0 &&
	     wait_job(r2.fd, s.job.seqno, 5000, &st, NULL) == 0 &&
	     st == DRM_EDGENPU_JOB_DONE;
	if (ok) {
		int8_t a[N_ELEMS], b[N_ELEMS] = { 0 }, want[N_ELEMS];

		memcpy(a, r->out_map, N_ELEMS);
		ok = !cpu_add(r2.cmd_map, r2.cmd_size, a, b, want) &&
		     !memcmp(want, r2.out_map, N_ELEMS);
	}
	tap_check(t, ok, "a job computes from the imported dma-buf, no copy");
	close(exp.fd);
	close(r2.fd);
}

static void test_bad_input(struct tap *t, struct rig *r, const char *path)
{
	struct drm_edgenpu_bo_create c;
	struct drm_edgenpu_bo_info bi;
	struct drm_edgenpu_last_error le;
	struct drm_edgenpu_query q;
	struct drm_edgenpu_wait w;
	uint8_t big[sizeof(struct drm_edgenpu_job) + 8];
	struct sub s;
	uint32_t h;
	int other;

#define EXPECT(cond, ...) tap_check(t, cond, __VA_ARGS__)
	c = (struct drm_edgenpu_bo_create){ .size = 0 };
	EXPECT(gu_ioctl(r->fd, DRM_IOCTL_EDGENPU_BO_CREATE, &c) == -EINVAL, "BO_CREATE size 0: EINVAL");
	c = (struct drm_edgenpu_bo_create){ .size = 1ull << 40 };
	EXPECT(gu_ioctl(r->fd, DRM_IOCTL_EDGENPU_BO_CREATE, &c) == -EINVAL, "BO_CREATE 1 TiB: EINVAL");
	c = (struct drm_edgenpu_bo_create){ .size = 4096, .flags = 1 };
	EXPECT(gu_ioctl(r->fd, DRM_IOCTL_EDGENPU_BO_CREATE, &c) == -EINVAL, "BO_CREATE flags: EINVAL");
	/* Output fields are ignored on input: a struct can be used again. */
	c = (struct drm_edgenpu_bo_create){ .size = 4096, .handle = 9 };
	EXPECT(gu_ioctl(r->fd, DRM_IOCTL_EDGENPU_BO_CREATE, &c) == 0 && c.handle != 9 &&
	       gu_ioctl(r->fd, DRM_IOCTL_EDGENPU_BO_CREATE, &c) == 0,
	       "BO_CREATE with its output field set: accepted, twice");
	bi = (struct drm_edgenpu_bo_info){ .handle = 9999 };
	EXPECT(gu_ioctl(r->fd, DRM_IOCTL_EDGENPU_BO_INFO, &bi) == -ENOENT, "BO_INFO stale handle: ENOENT");
	bi = (struct drm_edgenpu_bo_info){ .handle = r->a, .flags = 2 };
	EXPECT(gu_ioctl(r->fd, DRM_IOCTL_EDGENPU_BO_INFO, &bi) == -EINVAL, "BO_INFO flags: EINVAL");

	sub_init(&s, r);
	s.submit.flags = 1;
	EXPECT(submit(r->fd, &s) == -EINVAL, "SUBMIT flags: EINVAL");
	sub_init(&s, r);
	s.submit.pad = 1;
	EXPECT(submit(r->fd, &s) == -EINVAL, "SUBMIT pad: EINVAL");
	sub_init(&s, r);
	s.submit.job_count = 0;
	EXPECT(submit(r->fd, &s) == -EINVAL, "SUBMIT zero jobs: EINVAL");
	sub_init(&s, r);
	s.submit.job_count = 0x80000000u;
	EXPECT(submit(r->fd, &s) == -EINVAL, "SUBMIT 2^31 jobs: EINVAL");
	sub_init(&s, r);
	s.submit.job_stride = 8;
	EXPECT(submit(r->fd, &s) == -EINVAL, "SUBMIT stride too small: EINVAL");
	sub_init(&s, r);
	memset(big, 0, sizeof(big));
	memcpy(big, &s.job, sizeof(s.job));
	big[sizeof(s.job) + 3] = 1;
	s.submit.jobs = (uintptr_t)big;
	s.submit.job_stride = sizeof(big);
	EXPECT(submit(r->fd, &s) == -EINVAL, "SUBMIT unknown non-zero tail: EINVAL");
	big[sizeof(s.job) + 3] = 0;
	EXPECT(submit(r->fd, &s) == 0, "SUBMIT zero tail of a longer struct: accepted");
	memcpy(&s.job, big, sizeof(s.job));
	wait_job(r->fd, s.job.seqno, 5000, NULL, NULL);
	sub_init(&s, r);
	s.submit.jobs = 16;
	EXPECT(submit(r->fd, &s) == -EFAULT, "SUBMIT bad jobs pointer: EFAULT");
	sub_init(&s, r);
	s.job.flags = 4;
	EXPECT(submit(r->fd, &s) == -EINVAL, "job flags: EINVAL");
	sub_init(&s, r);
	s.job.pad = 4;
	EXPECT(submit(r->fd, &s) == -EINVAL, "job pad: EINVAL");
	sub_init(&s, r);
	s.job.priority = 3;
	EXPECT(submit(r->fd, &s) == -EINVAL, "job priority 3: EINVAL");
	sub_init(&s, r);
	s.job.buffer_count = 0;
	EXPECT(submit(r->fd, &s) == -EINVAL, "job without buffers: EINVAL");
	sub_init(&s, r);
	s.job.buffer_count = 0xffffffffu;
	EXPECT(submit(r->fd, &s) == -EINVAL, "job with 2^32-1 buffers: EINVAL");
	sub_init(&s, r);
	s.job.in_sync_count = 0x40000000u;
	EXPECT(submit(r->fd, &s) == -EINVAL, "in-sync count overflow: EINVAL");
	sub_init(&s, r);
	s.job.buffers = 16;
	EXPECT(submit(r->fd, &s) == -EFAULT, "bad buffer table pointer: EFAULT");
	sub_init(&s, r);
	s.refs[1].flags = 0x10;
	EXPECT(submit(r->fd, &s) == -EINVAL, "unknown buffer flag: EINVAL");
	sub_init(&s, r);
	s.refs[1].handle = 4242;
	EXPECT(submit(r->fd, &s) == -ENOENT, "stale BO handle: ENOENT");
	other = open(path, O_RDWR | O_CLOEXEC);
	if (other >= 0 && !gu_bo_create(other, 4096, &h)) {
		/* A handle number valid only in another file. */
		sub_init(&s, r);
		s.refs[1].handle = h + 100;
		s.job.cmd_handle = h + 100;
		EXPECT(submit(r->fd, &s) == -ENOENT, "another file's handle: ENOENT");
	}
	if (other >= 0)
		close(other);
	sub_init(&s, r);
	s.job.cmd_offset = ~0ull - 8;
	EXPECT(submit(r->fd, &s) == -ERANGE, "command offset + size overflow: ERANGE");
	sub_init(&s, r);
	s.job.cmd_size = 2;
	EXPECT(submit(r->fd, &s) == -EINVAL, "command stream too small: EINVAL");
	sub_init(&s, r);
	s.job.buffer_count = 2;	/* the stream names buffer 2 */
	EXPECT(submit(r->fd, &s) < 0, "buffer index out of range: rejected");
	q = (struct drm_edgenpu_query){ .query = DRM_EDGENPU_QUERY_LAST_ERROR,
					.size = sizeof(le), .data = (uintptr_t)&le };
	memset(&le, 0, sizeof(le));
	EXPECT(gu_ioctl(r->fd, DRM_IOCTL_EDGENPU_QUERY, &q) == 0 && le.error < 0 &&
	       le.op_index == 0 && le.msg[0],
	       "last error explains it: op %d, %d, '%.60s'", le.op_index, le.error, le.msg);
	sub_init(&s, r);
	s.refs[2].flags = DRM_EDGENPU_BUF_READ;	/* output not writable */
	EXPECT(submit(r->fd, &s) < 0, "writing a read-only buffer: rejected");
	sub_init(&s, r);
	s.refs[0].handle = r->out;	/* input and output alias */
	EXPECT(submit(r->fd, &s) == -EINVAL, "a buffer named twice in one table: EINVAL");
	sub_init(&s, r);
	s.job.profile_handle = r->prof;
	s.job.profile_offset = 4096 - 8;
	EXPECT(submit(r->fd, &s) == -ERANGE, "profile buffer too small: ERANGE");

	w = (struct drm_edgenpu_wait){ .kind = 7 };
	EXPECT(gu_ioctl(r->fd, DRM_IOCTL_EDGENPU_WAIT, &w) == -EINVAL, "WAIT unknown kind: EINVAL");
	w = (struct drm_edgenpu_wait){ .kind = DRM_EDGENPU_WAIT_JOB, .flags = 1 };
	EXPECT(gu_ioctl(r->fd, DRM_IOCTL_EDGENPU_WAIT, &w) == -EINVAL, "WAIT flags: EINVAL");
	w = (struct drm_edgenpu_wait){ .kind = DRM_EDGENPU_WAIT_BO, .handle = 777 };
	EXPECT(gu_ioctl(r->fd, DRM_IOCTL_EDGENPU_WAIT, &w) == -ENOENT, "WAIT stale BO: ENOENT");
	w = (struct drm_edgenpu_wait){ .kind = DRM_EDGENPU_WAIT_BO, .handle = r->out,
				       .timeout_ns = deadline(1000) };
	EXPECT(gu_ioctl(r->fd, DRM_IOCTL_EDGENPU_WAIT, &w) == 0 &&
	       w.status == DRM_EDGENPU_JOB_DONE, "WAIT on an idle BO: done");
#undef EXPECT
}

/* The uapi rules of 1.2: reuse, priorities, 64-bit points, seqnos. */
static void test_rules(struct tap *t, struct rig *r)
{
	struct drm_syncobj_create sc = { .flags = 0 };
	struct drm_syncobj_timeline_array ta = { 0 };
	struct drm_edgenpu_job jobs[2];
	uint64_t point = 1ull << 33, first;
	uint32_t st = 0;
	struct sub s;
	int status = 0, ret;
	pid_t pid;

	/* A SUBMIT struct used again as is, output seqno and all. */
	sub_init(&s, r);
	ret = gu_ioctl(r->fd, DRM_IOCTL_EDGENPU_SUBMIT, &s.submit);
	first = s.job.seqno;
	tap_check(t, ret == 0 && gu_ioctl(r->fd, DRM_IOCTL_EDGENPU_SUBMIT, &s.submit) == 0 &&
		  s.job.seqno > first, "SUBMIT again with the seqno filled in: accepted");
	tap_check(t, wait_job(r->fd, s.job.seqno, 5000, &st, NULL) == 0 &&
		  wait_job(r->fd, first, 5000, &st, NULL) == 0,
		  "both jobs reaped");

	/* Jobs of one SUBMIT share a priority. */
	sub_init(&s, r);
	jobs[0] = s.job;
	jobs[1] = s.job;
	jobs[1].priority = DRM_EDGENPU_PRIO_LOW;
	s.submit.jobs = (uintptr_t)jobs;
	s.submit.job_count = 2;
	tap_check(t, gu_ioctl(r->fd, DRM_IOCTL_EDGENPU_SUBMIT, &s.submit) == -EINVAL,
		  "two priorities in one SUBMIT: EINVAL");

	/* Timeline points above 2^32 wait like any other. */
	sc.flags = 0;
	ret = gu_ioctl(r->fd, DRM_IOCTL_SYNCOBJ_CREATE, &sc);
	ta.handles = (uintptr_t)&sc.handle;
	ta.points = (uintptr_t)&point;
	ta.count_handles = 1;
	ret = ret ? ret : gu_ioctl(r->fd, DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, &ta);
	sub_init(&s, r);
	s.in = (struct drm_edgenpu_sync){ .handle = sc.handle, .point = point };
	s.job.in_syncs = (uintptr_t)&s.in;
	s.job.in_sync_count = 1;
	ret = ret ? ret : submit(r->fd, &s);
	tap_check(t, ret == 0 && wait_job(r->fd, s.job.seqno, 5000, &st, NULL) == 0 &&
		  st == DRM_EDGENPU_JOB_DONE, "in-sync at timeline point 2^33: runs (%d)", ret);

	/* High priority needs CAP_SYS_NICE; a user without it gets EACCES. */
	pid = fork();
	if (pid == 0) {
		struct drm_edgenpu_last_error le = { 0 };
		struct drm_edgenpu_query q = {
			.query = DRM_EDGENPU_QUERY_LAST_ERROR, .size = sizeof(le),
			.data = (uintptr_t)&le,
		};

		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(3);
		sub_init(&s, r);
		s.job.priority = DRM_EDGENPU_PRIO_HIGH;
		if (submit(r->fd, &s) != -EACCES)
			_exit(1);
		gu_ioctl(r->fd, DRM_IOCTL_EDGENPU_QUERY, &q);
		if (!strstr(le.msg, "CAP_SYS_NICE"))
			_exit(4);
		s.job.priority = DRM_EDGENPU_PRIO_NORMAL;
		_exit(submit(r->fd, &s) || wait_job(r->fd, s.job.seqno, 5000, NULL, NULL) ? 2 : 0);
	}
	tap_check(t, pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		  WEXITSTATUS(status) == 0,
		  "PRIO_HIGH without CAP_SYS_NICE: EACCES; NORMAL runs (child %d)",
		  WEXITSTATUS(status));
	sub_init(&s, r);
	s.job.priority = DRM_EDGENPU_PRIO_HIGH;
	tap_check(t, submit(r->fd, &s) == 0 &&
		  wait_job(r->fd, s.job.seqno, 5000, NULL, NULL) == 0,
		  "PRIO_HIGH with CAP_SYS_NICE: runs");
}

/*
 * Two threads wait for one job while a third submits: the reaping wait
 * must never remove another job's entry (seqnos are never reused).
 */
struct race {
	struct rig *r;
	uint64_t seqno;
	int ret;
};

static void *race_wait(void *arg)
{
	struct race *x = arg;

	x->ret = wait_job(x->r->fd, x->seqno, 5000, NULL, NULL);
	return NULL;
}

static void test_wait_race(struct tap *t, struct rig *r)
{
	struct race a, b;
	pthread_t ta, tb;
	struct sub s, s2;
	uint64_t prev = 0;
	int i, ok = 1, unique = 1;

	for (i = 0; i < 100 && ok; i++) {
		sub_init(&s, r);
		if (submit(r->fd, &s)) {
			ok = 0;
			break;
		}
		unique &= s.job.seqno > prev;
		a = (struct race){ r, s.job.seqno, -1 };
		b = a;
		pthread_create(&ta, NULL, race_wait, &a);
		pthread_create(&tb, NULL, race_wait, &b);
		sub_init(&s2, r);
		ok = submit(r->fd, &s2) == 0;
		pthread_join(ta, NULL);
		pthread_join(tb, NULL);
		/* Each waiter got the status or found it reaped, nothing else. */
		ok = ok && (a.ret == 0 || a.ret == -ENOENT) &&
		     (b.ret == 0 || b.ret == -ENOENT) && (a.ret == 0 || b.ret == 0);
		ok = ok && wait_job(r->fd, s2.job.seqno, 5000, NULL, NULL) == 0;
		unique &= s2.job.seqno > s.job.seqno;
		prev = s2.job.seqno;
	}
	tap_check(t, ok && unique,
		  "100 rounds: two waiters and a new job; the new job's status survives");
}

static void test_faults(struct tap *t, struct rig *r)
{
	struct sub s;
	uint32_t st = 0;
	int32_t err = 0;

	tap_check(t, write_file(DBG "fail_next", "1"), "inject a device error");
	sub_init(&s, r);
	tap_check(t, submit(r->fd, &s) == 0 &&
		  wait_job(r->fd, s.job.seqno, 5000, &st, &err) == 0 &&
		  st == DRM_EDGENPU_JOB_ERROR && err == -EIO,
		  "the job reports a device error (status %u, %d)", st, err);
	tap_check(t, run_one(r, 3), "the next job runs normally");

	tap_check(t, write_file(DBG "latency_us", "300000"), "inject 300 ms latency");
	sub_init(&s, r);
	tap_check(t, submit(r->fd, &s) == 0 &&
		  wait_job(r->fd, s.job.seqno, 10, NULL, NULL) == -ETIME,
		  "WAIT with a 10 ms deadline: ETIME");
	tap_check(t, wait_job(r->fd, s.job.seqno, 5000, &st, NULL) == 0 &&
		  st == DRM_EDGENPU_JOB_DONE, "then the job completes");
	write_file(DBG "latency_us", "0");
}

/*
 * Another process keeps running jobs while this one hangs the device. The
 * other process starts only once this one's job took the injected hang
 * (hang_next back to 0): the hang applies to whichever job runs next.
 */
static void test_hang(struct tap *t, struct rig *r, const char *path)
{
	struct sub s;
	uint32_t st = 0;
	int32_t err = 0;
	int pipefd[2], go[2], status = 0, i, ok = 1;
	pid_t pid;
	char c = 0;

	if (pipe(pipefd))
		return;
	if (pipe(go)) {
		close(pipefd[0]);
		close(pipefd[1]);
		return;
	}
	pid = fork();
	if (pid == 0) {
		struct rig rc;

		close(pipefd[0]);
		close(go[1]);
		if (rig_init(&rc, path) || read(go[0], &c, 1) != 1)
			_exit(2);
		for (i = 0; i < 40 && ok; i++)
			ok = run_one(&rc, 1000 + i);
		_exit(ok ? 0 : 1);
	}
	close(pipefd[1]);
	close(go[0]);

	/* Start with no hangs on record for this user (per-user ban). */
	write_file("/sys/module/edgenpu/parameters/user_hang_window_s", "60");
	tap_check(t, write_file(DBG "hang_next", "1"), "inject a hang");
	sub_init(&s, r);
	ok = submit(r->fd, &s) == 0;
	for (i = 0; i < 5000 && read_long(DBG "hang_next") != 0; i++)
		usleep(1000);
	(void)!write(go[1], "g", 1);
	close(go[1]);
	ok = ok && wait_job(r->fd, s.job.seqno, 20000, &st, &err) == 0;
	tap_check(t, ok && st == DRM_EDGENPU_JOB_TIMEDOUT && err == -ETIMEDOUT,
		  "the hung job times out (status %u, %d)", st, err);
	ok = 1;
	tap_check(t, waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		  WEXITSTATUS(status) == 0,
		  "another process's 40 jobs all correct meanwhile");
	(void)!read(pipefd[0], &c, 1);
	close(pipefd[0]);
	tap_check(t, run_one(r, 5), "the hanging process's next job runs");

	/* Two more hangs make three: the file is banned, others are not. */
	for (i = 0; i < 2; i++) {
		int ret = -1;

		st = 0;
		write_file(DBG "hang_next", "1");
		sub_init(&s, r);
		if (submit(r->fd, &s) == 0)
			ret = wait_job(r->fd, s.job.seqno, 20000, &st, NULL);
		tap_check(t, ret == 0 && st == DRM_EDGENPU_JOB_TIMEDOUT,
			  "hang %d times out too (wait %d, status %u)", i + 2, ret, st);
	}
	sub_init(&s, r);
	tap_check(t, submit(r->fd, &s) == -EIO, "after 3 hangs SUBMIT fails with EIO");
}

static void test_concurrency(struct tap *t, const char *path)
{
	long jobs = gu_env_count("JOB_CHILD_JOBS", 1000);
	pid_t pids[CHILDREN];
	int i, good = 0, status;

	for (i = 0; i < CHILDREN; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			struct rig rc;
			int k, ok;

			if (rig_init(&rc, path))
				_exit(2);
			for (k = 0, ok = 1; k < jobs && ok; k++)
				ok = run_one(&rc, i * 100000 + k);
			_exit(ok ? 0 : 1);
		}
	}
	for (i = 0; i < CHILDREN; i++)
		if (waitpid(pids[i], &status, 0) == pids[i] && WIFEXITED(status) &&
		    WEXITSTATUS(status) == 0)
			good++;
	tap_check(t, good == CHILDREN, "%d processes x %ld jobs, every result checked (%d ok)",
		  CHILDREN, jobs, good);
}

/* Jobs the vnpu finished, with or without an error. */
static long jobs_ended(void)
{
	return read_long(SYSFS "jobs_completed") + read_long(SYSFS "jobs_failed");
}

/*
 * Signals while two threads submit two-job batches over shared buffers:
 * a SUBMIT that fails (-EINTR from a reservation lock, among others) has
 * queued nothing, so retrying runs each job exactly once: the device's
 * job counter moves by exactly the jobs that were accepted.
 */
struct intr {
	struct rig *r;
	volatile int stop;
	long accepted, eintr;
};

static void intr_handler(int sig)
{
	(void)sig;
}

static void *intr_submitter(void *arg)
{
	struct intr *x = arg;
	struct drm_edgenpu_job jobs[2];
	struct sub s;
	int ret;

	sub_init(&s, x->r);
	jobs[0] = s.job;
	jobs[1] = s.job;
	s.submit.jobs = (uintptr_t)jobs;
	s.submit.job_count = 2;
	while (!x->stop) {
		ret = gu_ioctl(x->r->fd, DRM_IOCTL_EDGENPU_SUBMIT, &s.submit);
		if (ret == -EINTR || ret == -EAGAIN) {
			x->eintr += ret == -EINTR;
			continue;
		}
		if (ret)
			break;
		x->accepted += 2;
		wait_job(x->r->fd, jobs[1].seqno, 5000, NULL, NULL);
		wait_job(x->r->fd, jobs[0].seqno, 5000, NULL, NULL);
	}
	return NULL;
}

static void test_signals(struct tap *t, struct rig *r)
{
	struct sigaction sa = { .sa_handler = intr_handler };
	struct intr a = { .r = r }, b = { .r = r };
	pthread_t ta, tb;
	long before = jobs_ended(), after;
	long signals = gu_env_count("JOB_SIGNALS", 4000), i;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);	/* no SA_RESTART */
	pthread_create(&ta, NULL, intr_submitter, &a);
	pthread_create(&tb, NULL, intr_submitter, &b);
	for (i = 0; i < signals; i++) {
		pthread_kill(ta, SIGUSR1);
		usleep(500);
	}
	a.stop = b.stop = 1;
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	for (i = 0; i < 100 && jobs_ended() - before < a.accepted + b.accepted; i++)
		usleep(10000);
	after = jobs_ended();
	printf("# %ld jobs accepted under %ld signals, %ld EINTR retries\n",
	       a.accepted + b.accepted, signals, a.eintr + b.eintr);
	tap_check(t, a.accepted > 0 && after - before == a.accepted + b.accepted,
		  "signals: every accepted job ran exactly once (%ld accepted, %ld ran)",
		  a.accepted + b.accepted, after - before);
}

static void test_close_mid_job(struct tap *t, const char *path)
{
	long before = jobs_ended();
	struct rig rc;
	struct sub s;
	int ok, i;

	write_file(DBG "latency_us", "200000");
	ok = rig_init(&rc, path) == 0;
	sub_init(&s, &rc);
	ok = ok && submit(rc.fd, &s) == 0;
	close(rc.fd);
	write_file(DBG "latency_us", "0");
	tap_check(t, ok, "close the file while its job runs");
	/*
	 * The closed file's job still runs; the next test injects a hang
	 * into "the next job", which must not be this one.
	 */
	for (i = 0; i < 5000 && jobs_ended() <= before; i++)
		usleep(1000);
	tap_check(t, jobs_ended() > before, "the closed file's job still ran to its end");
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : gu_node0();
	struct tap t = { 0 };
	struct rig r;

	memset(&r, 0, sizeof(r));
	if (!tap_check(&t, rig_init(&r, path) == 0, "set up buffers on %s", path))
		return tap_done(&t);
	test_basic(&t, &r);
	test_syncobjs(&t, &r);
	test_dmabuf(&t, &r, path);
	test_bad_input(&t, &r, path);
	test_rules(&t, &r);
	test_wait_race(&t, &r);
	if (gu_backend_is_vnpu(path))
		test_signals(&t, &r);
	else
		tap_skip(&t, "the vnpu's job counters", "signals during SUBMIT");
	/* Fault injection and the job counters are the vnpu's own. */
	if (gu_backend_is_vnpu(path))
		test_faults(&t, &r);
	else
		tap_skip(&t, "the vnpu's fault injection", "injected faults");
	test_concurrency(&t, path);
	if (gu_backend_is_vnpu(path)) {
		test_close_mid_job(&t, path);
		test_hang(&t, &r, path);
	} else {
		tap_skip(&t, "the vnpu's job counters", "a closed file's job runs on");
		tap_skip(&t, "the vnpu's fault injection", "an injected hang");
	}
	close(r.fd);
	return tap_done(&t);
}
