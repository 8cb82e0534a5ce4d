// SPDX-License-Identifier: MIT
/*
 * bench-submit: the round trip of a minimal job (submit -> fence
 * signalled -> WAIT returns) against a pipe ping-pong between two threads
 * (two wake-ups: the floor for any asynchronous completion), measured in
 * the same run. A benchmark, not a test: it prints, it asserts nothing
 * beyond the jobs succeeding.
 *
 * usage: edgenpu-bench-submit [ITERATIONS] [DEVICE]
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

#include <drm/edgenpu_accel.h>

#include "edgenpu_engine.h"
#include "engine_jobbuild.h"

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static int64_t median(int64_t *v, int n)
{
	qsort(v, n, sizeof(*v), cmp64);
	return v[n / 2];
}

static uint32_t bo(int fd, uint64_t size)
{
	struct drm_edgenpu_bo_create c = { .size = size };

	return ioctl(fd, DRM_IOCTL_EDGENPU_BO_CREATE, &c) ? 0 : c.handle;
}

static int pipes[2][2];

static void *pong(void *arg)
{
	int n = *(int *)arg, i;
	char c;

	for (i = 0; i < n; i++) {
		if (read(pipes[0][0], &c, 1) != 1 || write(pipes[1][1], &c, 1) != 1)
			break;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 2000;
	const char *path = argc > 2 ? argv[2] : "/dev/accel/accel0";
	struct drm_edgenpu_buffer_ref refs[2];
	struct drm_edgenpu_bo_info info;
	struct drm_edgenpu_submit s;
	struct drm_edgenpu_job job;
	struct edgenpu_cmd_tensor t[2];
	int64_t *job_ns, *pipe_ns, jm, pm;
	uint32_t cmd, in, out, size;
	uint8_t cmds[512];
	pthread_t th;
	struct jb j;
	void *map;
	int fd, i, rounds;
	char c = 'x';

	if (n < 10)
		n = 10;
	job_ns = calloc(n, sizeof(*job_ns));
	pipe_ns = calloc(n, sizeof(*pipe_ns));
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0 || !job_ns || !pipe_ns) {
		fprintf(stderr, "bench-submit: %s: %s\n", path, strerror(errno));
		return 1;
	}
	/* The smallest job there is: one op over 16 bytes. */
	jb_init(&j, cmds, sizeof(cmds));
	t[0] = jb_t(0, EDGENPU_DTYPE_INT8, 0, 1, 1, 1, 16, 0);
	t[1] = jb_t(1, EDGENPU_DTYPE_INT8, 0, 1, 1, 1, 16, 0);
	jb_op(&j, EDGENPU_OP_RESHAPE, 0, 0, 0, NULL, 0, t, 2);
	size = jb_finish(&j);
	cmd = bo(fd, 4096);
	in = bo(fd, 16);
	out = bo(fd, 16);
	info = (struct drm_edgenpu_bo_info){ .handle = cmd };
	if (!size || !cmd || !in || !out || ioctl(fd, DRM_IOCTL_EDGENPU_BO_INFO, &info))
		return 1;
	map = mmap(NULL, 4096, PROT_WRITE, MAP_SHARED, fd, info.mmap_offset);
	if (map == MAP_FAILED)
		return 1;
	memcpy(map, cmds, size);
	refs[0] = (struct drm_edgenpu_buffer_ref){ in, DRM_EDGENPU_BUF_READ };
	refs[1] = (struct drm_edgenpu_buffer_ref){ out, DRM_EDGENPU_BUF_WRITE };

	for (i = -n / 10; i < n; i++) {	/* the first tenth warms up */
		struct drm_edgenpu_wait w = { .kind = DRM_EDGENPU_WAIT_JOB,
					      .timeout_ns = INT64_MAX };
		int64_t t0 = now_ns();

		memset(&job, 0, sizeof(job));
		job.cmd_handle = cmd;
		job.cmd_size = size;
		job.buffers = (uintptr_t)refs;
		job.buffer_count = 2;
		job.priority = DRM_EDGENPU_PRIO_HIGH;
		s = (struct drm_edgenpu_submit){ .jobs = (uintptr_t)&job,
						 .job_count = 1,
						 .job_stride = sizeof(job) };
		if (ioctl(fd, DRM_IOCTL_EDGENPU_SUBMIT, &s))
			return 1;
		w.seqno = job.seqno;
		if (ioctl(fd, DRM_IOCTL_EDGENPU_WAIT, &w) ||
		    w.status != DRM_EDGENPU_JOB_DONE)
			return 1;
		if (i >= 0)
			job_ns[i] = now_ns() - t0;
	}

	if (pipe(pipes[0]) || pipe(pipes[1]))
		return 1;
	/* Its own variable: the loop below reuses i while pong reads it. */
	rounds = n + n / 10;
	pthread_create(&th, NULL, pong, &rounds);
	for (i = -n / 10; i < n; i++) {
		int64_t t0 = now_ns();

		if (write(pipes[0][1], &c, 1) != 1 || read(pipes[1][0], &c, 1) != 1)
			return 1;
		if (i >= 0)
			pipe_ns[i] = now_ns() - t0;
	}
	pthread_join(th, NULL);

	jm = median(job_ns, n);
	pm = median(pipe_ns, n);
	printf("bench-submit: %d iterations, kernel %s\n", n, getenv("EDGENPU_KERNEL") ?: "?");
	printf("  empty job round trip (submit -> fence -> wait)  median %8.1f us\n", jm / 1e3);
	printf("  pipe ping-pong between two threads              median %8.1f us\n", pm / 1e3);
	printf("  ratio job / ping-pong                                  %8.2f\n", (double)jm / pm);
	return 0;
}
