// SPDX-License-Identifier: MIT
/*
 * A pretend edgenpu device for accel-run's host tests, as an LD_PRELOAD
 * library: opening the path in $EDGENPU_FAKE_NODE gives a file that
 * answers DRM_IOCTL_VERSION ("edgenpu") and the DEVICE and CAPS queries,
 * with the op mask in $EDGENPU_FAKE_OP_MASK (default: CONV_2D only), so
 * that plans place ops on the CPU, and the work limits in
 * $EDGENPU_FAKE_MAX_OP_COST and $EDGENPU_FAKE_MAX_JOB_COST (default 0:
 * not reported, as a module before uapi 1.2), and the jobs a core holds
 * in $EDGENPU_FAKE_QUEUE_DEPTH (default 0: not reported, as a module
 * before uapi 1.3). Its backend name is
 * $EDGENPU_FAKE_BACKEND (default "fake"). Every other ioctl on it fails
 * with ENOTTY: no buffer object can be made, no job runs. With
 * $EDGENPU_FAKE_ACCEL_DIR set, opendir("/dev/accel") lists that
 * directory instead, so that enumeration (accel-run devices) finds a
 * node named /dev/accel/accelN in $EDGENPU_FAKE_NODE when the directory
 * holds a file accelN.
 *
 *   LD_PRELOAD=fake_npu.so EDGENPU_FAKE_NODE=/fake/accel0 accel-run ...
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <drm.h>
#include <drm/edgenpu_accel.h>
#include <drm/edgenpu_cmdstream.h>

#define MAX_FAKE 16

static int fake_fds[MAX_FAKE];
static int num_fake;

static int is_fake_path(const char *path)
{
	const char *node = getenv("EDGENPU_FAKE_NODE");

	return node && *node && path && strcmp(path, node) == 0;
}

static int is_fake_fd(int fd)
{
	int i;

	for (i = 0; i < num_fake; i++)
		if (fake_fds[i] == fd)
			return 1;
	return 0;
}

static int open_fake(int flags)
{
	int (*real_open)(const char *, int, ...) =
		(int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
	int fd;

	if (num_fake == MAX_FAKE) {
		errno = EMFILE;
		return -1;
	}
	fd = real_open("/dev/null", O_RDWR | (flags & O_CLOEXEC));
	if (fd >= 0)
		fake_fds[num_fake++] = fd;
	return fd;
}

static int open_common(const char *name, const char *path, int flags,
		       va_list ap)
{
	int (*real)(const char *, int, ...);
	mode_t mode = 0;

	if (flags & (O_CREAT | O_TMPFILE))
		mode = va_arg(ap, mode_t);
	if (is_fake_path(path))
		return open_fake(flags);
	real = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, name);
	return real(path, flags, mode);
}

int open(const char *path, int flags, ...)
{
	va_list ap;
	int ret;

	va_start(ap, flags);
	ret = open_common("open", path, flags, ap);
	va_end(ap);
	return ret;
}

int open64(const char *path, int flags, ...)
{
	va_list ap;
	int ret;

	va_start(ap, flags);
	ret = open_common("open64", path, flags, ap);
	va_end(ap);
	return ret;
}

int close(int fd)
{
	int (*real_close)(int) = (int (*)(int))dlsym(RTLD_NEXT, "close");
	int i;

	for (i = 0; i < num_fake; i++)
		if (fake_fds[i] == fd) {
			fake_fds[i] = fake_fds[--num_fake];
			break;
		}
	return real_close(fd);
}

DIR *opendir(const char *path)
{
	DIR *(*real_opendir)(const char *) =
		(DIR *(*)(const char *))dlsym(RTLD_NEXT, "opendir");
	const char *dir = getenv("EDGENPU_FAKE_ACCEL_DIR");

	if (dir && *dir && strcmp(path, "/dev/accel") == 0)
		path = dir;
	return real_opendir(path);
}

static void put_str(char *dst, __kernel_size_t *len, const char *s)
{
	size_t n = strlen(s);

	if (dst && *len)
		memcpy(dst, s, n < *len ? n : *len);
	*len = n;
}

static int fake_query(struct drm_edgenpu_query *q)
{
	struct drm_edgenpu_device_info di;
	struct drm_edgenpu_caps caps;
	const char *mask = getenv("EDGENPU_FAKE_OP_MASK");
	const char *op_cost = getenv("EDGENPU_FAKE_MAX_OP_COST");
	const char *job_cost = getenv("EDGENPU_FAKE_MAX_JOB_COST");
	const char *backend = getenv("EDGENPU_FAKE_BACKEND");
	const char *depth = getenv("EDGENPU_FAKE_QUEUE_DEPTH");
	const void *src;
	uint32_t size;

	memset(&di, 0, sizeof(di));
	memset(&caps, 0, sizeof(caps));
	switch (q->query) {
	case DRM_EDGENPU_QUERY_DEVICE:
		di.uapi_major = EDGENPU_UAPI_VERSION_MAJOR;
		di.uapi_minor = EDGENPU_UAPI_VERSION_MINOR;
		strcpy(di.name, "fakenpu0");
		snprintf(di.backend, sizeof(di.backend), "%s",
			 backend && *backend ? backend : "fake");
		src = &di;
		size = sizeof(di);
		break;
	case DRM_EDGENPU_QUERY_CAPS:
		caps.op_mask = mask ? strtoull(mask, NULL, 0) :
			       1ull << EDGENPU_OP_CONV_2D;
		caps.max_bo_size = 1ull << 30;
		caps.timestamp_hz = 1000000000;
		caps.num_cores = 1;
		caps.cmdstream_major = EDGENPU_CMD_VERSION_MAJOR;
		caps.max_op_cost = op_cost ? strtoull(op_cost, NULL, 0) : 0;
		caps.max_job_cost = job_cost ? strtoull(job_cost, NULL, 0) : 0;
		caps.core_queue_depth = depth ? strtoul(depth, NULL, 0) : 0;
		src = &caps;
		size = sizeof(caps);
		break;
	default:
		errno = EINVAL;
		return -1;
	}
	memset((void *)(uintptr_t)q->data, 0, q->size);
	memcpy((void *)(uintptr_t)q->data, src, q->size < size ? q->size : size);
	q->size = size;
	return 0;
}

int ioctl(int fd, unsigned long req, ...)
{
	int (*real_ioctl)(int, unsigned long, ...);
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (!is_fake_fd(fd)) {
		real_ioctl = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
		return real_ioctl(fd, req, arg);
	}
	if (req == DRM_IOCTL_VERSION) {
		struct drm_version *v = arg;

		v->version_major = 1;
		v->version_minor = 0;
		v->version_patchlevel = 0;
		put_str(v->name, &v->name_len, "edgenpu");
		put_str(v->date, &v->date_len, "20260101");
		put_str(v->desc, &v->desc_len, "fake edgenpu for host tests");
		return 0;
	}
	if (req == DRM_IOCTL_EDGENPU_QUERY)
		return fake_query(arg);
	errno = ENOTTY;
	return -1;
}
