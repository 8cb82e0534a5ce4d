// SPDX-License-Identifier: MIT
/*
 * Guest test for device lifetime: unbinding a vnpu while a WAIT is
 * blocked on it, and unloading the module while a dma-buf it exported is
 * still held. Run last: it unbinds and rebinds edgenpu-vnpu.0 and
 * reloads the module.
 *
 * usage: edgenpu-lifecycle-test
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <drm/edgenpu_accel.h>

#include "edgenpu_engine.h"
#include "engine_jobbuild.h"
#include "guest_util.h"
#include "tap.h"

#define DEV		gu_node0()
#define PDEV		"edgenpu-vnpu.0"
#define DRV		"/sys/bus/platform/drivers/edgenpu-vnpu/"
#define DBG		"/sys/kernel/debug/edgenpu/" PDEV "/"

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static uint32_t bo(int fd, uint64_t size)
{
	struct drm_edgenpu_bo_create c = { .size = size };

	return ioctl(fd, DRM_IOCTL_EDGENPU_BO_CREATE, &c) ? 0 : c.handle;
}

/* Submit a QUANTIZE job (64 int8 -> int8) and return its seqno, or 0. */
static uint64_t submit_job(int fd)
{
	struct drm_edgenpu_bo_info info;
	struct drm_edgenpu_buffer_ref refs[2];
	struct drm_edgenpu_job job;
	struct drm_edgenpu_submit s;
	struct drm_edgenpu_bo_create c = { .size = 4096 };
	struct edgenpu_cmd_tensor t[2];
	uint8_t cmds[1024];
	struct jb j;
	uint32_t size, in = bo(fd, 64), out = bo(fd, 64);
	void *map;

	jb_init(&j, cmds, sizeof(cmds));
	t[0] = jb_q(jb_t(0, EDGENPU_DTYPE_INT8, 0, 1, 1, 1, 64, 0), 0, 0);
	t[1] = jb_q(jb_t(1, EDGENPU_DTYPE_INT8, 0, 1, 1, 1, 64, 0), 1073741824, 1);
	jb_op(&j, EDGENPU_OP_QUANTIZE, 0, 0, 0, NULL, 0, t, 2);
	size = jb_finish(&j);
	if (!in || !out || !size || ioctl(fd, DRM_IOCTL_EDGENPU_BO_CREATE, &c))
		return 0;
	info = (struct drm_edgenpu_bo_info){ .handle = c.handle };
	if (ioctl(fd, DRM_IOCTL_EDGENPU_BO_INFO, &info))
		return 0;
	map = mmap(NULL, 4096, PROT_WRITE, MAP_SHARED, fd, info.mmap_offset);
	if (map == MAP_FAILED)
		return 0;
	memcpy(map, cmds, size);
	munmap(map, 4096);
	refs[0] = (struct drm_edgenpu_buffer_ref){ in, DRM_EDGENPU_BUF_READ };
	refs[1] = (struct drm_edgenpu_buffer_ref){ out, DRM_EDGENPU_BUF_WRITE };
	memset(&job, 0, sizeof(job));
	job.cmd_handle = c.handle;
	job.cmd_size = size;
	job.buffers = (uintptr_t)refs;
	job.buffer_count = 2;
	job.priority = DRM_EDGENPU_PRIO_NORMAL;
	s = (struct drm_edgenpu_submit){ .jobs = (uintptr_t)&job, .job_count = 1,
					 .job_stride = sizeof(job) };
	return ioctl(fd, DRM_IOCTL_EDGENPU_SUBMIT, &s) ? 0 : job.seqno;
}

static void test_unbind_during_wait(struct tap *t)
{
	int fd = open(DEV, O_RDWR | O_CLOEXEC), status = 0;
	struct drm_edgenpu_query q;
	struct drm_edgenpu_caps caps;
	uint64_t seqno;
	int64_t t0;
	pid_t pid;

	tap_check(t, fd >= 0 && write_file(DBG "latency_us", "1500000"),
		  "open the device, make jobs take 1.5 s");
	seqno = submit_job(fd);
	tap_check(t, seqno != 0, "submit a job");
	pid = fork();
	if (pid == 0) {
		struct drm_edgenpu_wait w = {
			.seqno = seqno,
			.timeout_ns = now_ns() + 30000000000ll,
			.kind = DRM_EDGENPU_WAIT_JOB,
		};

		if (ioctl(fd, DRM_IOCTL_EDGENPU_WAIT, &w))
			_exit(100);
		_exit(w.status);
	}
	usleep(300000);
	t0 = now_ns();
	tap_check(t, write_file(DRV "unbind", PDEV), "unbind the device while a WAIT blocks");
	if (waitpid(pid, &status, 0) != pid)
		status = -1;
	tap_check(t, WIFEXITED(status) &&
		  WEXITSTATUS(status) >= DRM_EDGENPU_JOB_DONE &&
		  WEXITSTATUS(status) <= DRM_EDGENPU_JOB_CANCELLED,
		  "the WAIT returns a final status (%d) %lld ms after unbind",
		  WIFEXITED(status) ? WEXITSTATUS(status) : -1,
		  (long long)(now_ns() - t0) / 1000000);
	q = (struct drm_edgenpu_query){ .query = DRM_EDGENPU_QUERY_CAPS,
					.size = sizeof(caps), .data = (uintptr_t)&caps };
	errno = 0;
	tap_check(t, ioctl(fd, DRM_IOCTL_EDGENPU_QUERY, &q) == -1 && errno == ENODEV,
		  "the old file answers ENODEV");
	tap_check(t, submit_job(fd) == 0 && errno == ENODEV, "SUBMIT on it: ENODEV");
	close(fd);
	tap_check(t, write_file(DRV "bind", PDEV), "bind it again");
	fd = open(DEV, O_RDWR | O_CLOEXEC);
	seqno = fd >= 0 ? submit_job(fd) : 0;
	if (seqno) {
		struct drm_edgenpu_wait w = {
			.seqno = seqno,
			.timeout_ns = now_ns() + 10000000000ll,
			.kind = DRM_EDGENPU_WAIT_JOB,
		};

		tap_check(t, ioctl(fd, DRM_IOCTL_EDGENPU_WAIT, &w) == 0 &&
			  w.status == DRM_EDGENPU_JOB_DONE, "the rebound device runs jobs");
	} else {
		tap_check(t, 0, "the rebound device runs jobs (%s)", strerror(errno));
	}
	if (fd >= 0)
		close(fd);
}

static void test_rmmod_with_dmabuf(struct tap *t)
{
	int fd = open(DEV, O_RDWR | O_CLOEXEC);
	struct drm_prime_handle exp = { .flags = DRM_CLOEXEC };
	int ok;

	exp.handle = fd >= 0 ? bo(fd, 4096) : 0;
	ok = exp.handle && !ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &exp);
	tap_check(t, ok, "export a dma-buf");
	if (fd >= 0)
		close(fd);
	if (!ok)
		return;
	tap_check(t, system("rmmod edgenpu 2>/dev/null") != 0,
		  "rmmod is refused while the dma-buf is held");
	close(exp.fd);
	tap_check(t, system("rmmod edgenpu") == 0, "rmmod once it is released");
	tap_check(t, system("insmod /lib/edgenpu/edgenpu.ko") == 0, "load it again");
}

int main(void)
{
	struct tap t = { 0 };

	/* It unbinds and rebinds the vnpu's platform device. */
	if (!gu_backend_is_vnpu(DEV)) {
		tap_skip(&t, "needs the vnpu", "device lifetime tests");
		return tap_done(&t);
	}
	if (system("lsmod | grep -q '^edgenpu_test '") == 0)
		(void)!system("rmmod edgenpu_test");
	test_unbind_during_wait(&t);
	test_rmmod_with_dmabuf(&t);
	return tap_done(&t);
}
