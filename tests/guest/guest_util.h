/* SPDX-License-Identifier: MIT */
/*
 * Small helpers shared by the guest tests: writing and reading the short
 * sysfs and debugfs files of the module's controls.
 */
#ifndef EDGENPU_GUEST_UTIL_H
#define EDGENPU_GUEST_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* Write @val to @path; 1 if all of it was written. */
static inline int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), ok;

	if (fd < 0)
		return 0;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	close(fd);
	return ok;
}

/* The number in a small file, or -1. */
static inline long read_long(const char *path)
{
	char buf[32] = { 0 };
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? strtol(buf, NULL, 10) : -1;
}

/*
 * Where this kernel puts edgenpu's devices. A kernel built without DRM
 * accel (Debian's arm64 kernels) has no accel class: there the module
 * makes render nodes (/dev/dri/renderDN, class drm, debugfs under dri/).
 */
static inline int gu_accel_kernel(void)
{
	return access("/sys/class/accel", F_OK) == 0;
}

/* The first device node: what "--device 0" opens. */
static inline const char *gu_node0(void)
{
	return gu_accel_kernel() ? "/dev/accel/accel0" : "/dev/dri/renderD128";
}

/* The directory of the nodes, and the prefix of their names. */
static inline const char *gu_dev_dir(void)
{
	return gu_accel_kernel() ? "/dev/accel" : "/dev/dri";
}

static inline const char *gu_node_prefix(void)
{
	return gu_accel_kernel() ? "accel" : "renderD";
}

/* Their sysfs class, and the DRM debugfs root of their devices. */
static inline const char *gu_class_dir(void)
{
	return gu_accel_kernel() ? "/sys/class/accel" : "/sys/class/drm";
}

static inline const char *gu_dbg_root(void)
{
	return gu_accel_kernel() ? "/sys/kernel/debug/accel" :
				   "/sys/kernel/debug/dri";
}

#ifdef _UAPI_DRM_EDGENPU_ACCEL_H_
/* ioctl() as 0 or -errno. */
static inline int gu_ioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) ? -errno : 0;
}

static inline int gu_bo_create(int fd, uint64_t size, uint32_t *handle)
{
	struct drm_edgenpu_bo_create c = { .size = size };
	int ret = gu_ioctl(fd, DRM_IOCTL_EDGENPU_BO_CREATE, &c);

	*handle = c.handle;
	return ret;
}

static inline void *gu_bo_map(int fd, uint32_t handle)
{
	struct drm_edgenpu_bo_info i = { .handle = handle };
	void *p;

	if (gu_ioctl(fd, DRM_IOCTL_EDGENPU_BO_INFO, &i))
		return NULL;
	p = mmap(NULL, i.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 i.mmap_offset);
	return p == MAP_FAILED ? NULL : p;
}

/*
 * 1 if the device at @path is the in-kernel vnpu. Tests of its fault
 * injection (debugfs hang_next, fail_next, latency_us) and of its
 * platform device's sysfs files skip on other backends.
 */
static inline int gu_backend_is_vnpu(const char *path)
{
	struct drm_edgenpu_device_info info = { 0 };
	struct drm_edgenpu_query q = {
		.query = DRM_EDGENPU_QUERY_DEVICE, .size = sizeof(info),
		.data = (uintptr_t)&info,
	};
	int fd = open(path, O_RDWR | O_CLOEXEC), ret;

	if (fd < 0)
		return 0;
	ret = gu_ioctl(fd, DRM_IOCTL_EDGENPU_QUERY, &q);
	close(fd);
	return !ret && strcmp(info.backend, "vnpu") == 0;
}

/*
 * A repetition count from the environment (run-guest-tests lowers some on
 * the debug kernels, where KASAN and lockdep make each round ten times
 * dearer); @def when unset or not a positive number.
 */
static inline long gu_env_count(const char *name, long def)
{
	const char *v = getenv(name);
	long n = v ? strtol(v, NULL, 10) : 0;

	return n > 0 ? n : def;
}

static inline int64_t gu_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

/* WAIT for a job until @ms from now; its status and error. */
static inline int gu_wait(int fd, uint64_t seqno, int64_t ms, uint32_t *status,
			  int32_t *error)
{
	struct drm_edgenpu_wait w = {
		.seqno = seqno,
		.timeout_ns = gu_now_ns() + ms * 1000000ll,
		.kind = DRM_EDGENPU_WAIT_JOB,
	};
	int ret = gu_ioctl(fd, DRM_IOCTL_EDGENPU_WAIT, &w);

	if (status)
		*status = w.status;
	if (error)
		*error = w.error;
	return ret;
}

static inline int gu_last_error(int fd, struct drm_edgenpu_last_error *le)
{
	struct drm_edgenpu_query q = {
		.query = DRM_EDGENPU_QUERY_LAST_ERROR,
		.size = sizeof(*le),
		.data = (uintptr_t)le,
	};

	return gu_ioctl(fd, DRM_IOCTL_EDGENPU_QUERY, &q);
}
#endif

#endif
