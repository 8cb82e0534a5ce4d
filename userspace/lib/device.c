// SPDX-License-Identifier: MIT
/*
 * libedgenpu: device discovery, opening and version negotiation.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xf86drm.h>

#include <drm/edgenpu_accel.h>
#include <drm/edgenpu_cmdstream.h>

#include "edgenpu.h"
#include "device_internal.h"

#define STR2(x) #x
#define STR(x) STR2(x)

struct edgenpu_device {
	int refs;
	int fd;
	struct edgenpu_device_info info;
	uint32_t core_queue_depth;	/* jobs one core holds, at least 1 */
	struct edgenpu_bo *bos;		/* live BOs (each holds a reference) */
};

const char *edgenpu_version(void)
{
	return STR(EDGENPU_VERSION);
}

const char *edgenpu_strerror(int err)
{
	switch (err) {
	case 0:
		return "success";
	case -ENODEV:
		return "no edgenpu device there (is the edgenpu module loaded?)";
	case -EPROTO:
		return "the edgenpu module speaks an incompatible uapi major version";
	case -EACCES:
	case -EPERM:
		return "permission denied on the device node (are you in the render group?)";
	default:
		return err < 0 ? strerror(-err) : "unknown error";
	}
}

/* Size-negotiated query: works with older and newer modules alike. */
static int query(int fd, uint32_t id, void *buf, uint32_t size)
{
	struct drm_edgenpu_query q = {
		.query = id,
		.size = size,
		.data = (uintptr_t)buf,
	};

	memset(buf, 0, size);
	return drmIoctl(fd, DRM_IOCTL_EDGENPU_QUERY, &q) ? -errno : 0;
}

static int is_edgenpu(int fd)
{
	drmVersionPtr v = drmGetVersion(fd);
	int ok;

	if (!v)
		return 0;
	ok = v->name && strcmp(v->name, "edgenpu") == 0;
	drmFreeVersion(v);
	return ok;
}

static int read_info(int fd, struct edgenpu_device_info *info,
		     uint32_t *depth)
{
	struct drm_edgenpu_device_info di;
	struct drm_edgenpu_caps caps;
	int ret;

	ret = query(fd, DRM_EDGENPU_QUERY_DEVICE, &di, sizeof(di));
	if (ret)
		return ret;
	if (di.uapi_major != EDGENPU_UAPI_VERSION_MAJOR)
		return -EPROTO;
	ret = query(fd, DRM_EDGENPU_QUERY_CAPS, &caps, sizeof(caps));
	if (ret)
		return ret;

	memcpy(info->name, di.name, sizeof(info->name));
	info->name[sizeof(info->name) - 1] = 0;
	memcpy(info->backend, di.backend, sizeof(info->backend));
	info->backend[sizeof(info->backend) - 1] = 0;
	info->uapi_major = di.uapi_major;
	info->uapi_minor = di.uapi_minor;
	info->module_version = di.module_version;
	info->num_cores = caps.num_cores;
	info->cmdstream_major = caps.cmdstream_major;
	info->cmdstream_minor = caps.cmdstream_minor;
	info->max_ops = caps.max_ops;
	info->max_buffers = caps.max_buffers;
	info->flags = caps.flags;
	info->op_mask = caps.op_mask;
	info->max_bo_size = caps.max_bo_size;
	info->timestamp_hz = caps.timestamp_hz;
	/* 0: a module before uapi 1.2, whose engine had these limits or none. */
	info->max_op_cost = caps.max_op_cost ? caps.max_op_cost :
			    EDGENPU_CMD_MAX_OP_COST;
	info->max_job_cost = caps.max_job_cost ? caps.max_job_cost :
			     EDGENPU_CMD_MAX_JOB_COST;
	/* 0: a module before uapi 1.3, whose cores held one job each. */
	*depth = caps.core_queue_depth ? caps.core_queue_depth : 1;
	return 0;
}

static int spec_to_path(const char *spec, char *path, size_t len)
{
	char *end;
	long n;

	if (!spec || !*spec)
		return -EINVAL;
	n = strtol(spec, &end, 10);
	if (*end == 0) {
		if (n < 0 || n > 255)
			return -EINVAL;
		/*
		 * A kernel without DRM accel has no /dev/accel: there the
		 * device is a render node, numbered from 128 by the DRM core.
		 */
		if (access("/dev/accel", F_OK) && errno == ENOENT)
			snprintf(path, len, "/dev/dri/renderD%ld", 128 + n);
		else
			snprintf(path, len, "/dev/accel/accel%ld", n);
		return 0;
	}
	if (strlen(spec) >= len)
		return -ENAMETOOLONG;
	snprintf(path, len, "%s", spec);
	return 0;
}

int edgenpu_device_open(const char *spec, struct edgenpu_device **out)
{
	struct edgenpu_device *dev;
	int ret;

	if (!out)
		return -EINVAL;
	*out = NULL;
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->refs = 1;
	ret = spec_to_path(spec, dev->info.path, sizeof(dev->info.path));
	if (ret)
		goto err;
	dev->fd = open(dev->info.path, O_RDWR | O_CLOEXEC);
	if (dev->fd < 0) {
		ret = errno == ENOENT ? -ENODEV : -errno;
		goto err;
	}
	if (!is_edgenpu(dev->fd)) {
		ret = -ENODEV;
		goto err_close;
	}
	ret = read_info(dev->fd, &dev->info, &dev->core_queue_depth);
	if (ret)
		goto err_close;
	*out = dev;
	return 0;

err_close:
	close(dev->fd);
err:
	free(dev);
	return ret;
}

struct edgenpu_device *edgenpu_device_ref(struct edgenpu_device *dev)
{
	if (dev)
		dev->refs++;
	return dev;
}

void edgenpu_device_unref(struct edgenpu_device *dev)
{
	if (!dev || --dev->refs > 0)
		return;
	close(dev->fd);
	free(dev);
}

struct edgenpu_bo **edgenpu__device_bos(struct edgenpu_device *dev)
{
	return &dev->bos;
}

int edgenpu_device_fd(const struct edgenpu_device *dev)
{
	return dev ? dev->fd : -EINVAL;
}

int edgenpu_device_get_info(const struct edgenpu_device *dev,
			    struct edgenpu_device_info *info)
{
	if (!dev || !info)
		return -EINVAL;
	*info = dev->info;
	return 0;
}

uint32_t edgenpu_device_core_queue_depth(const struct edgenpu_device *dev)
{
	return dev ? dev->core_queue_depth : 0;
}

static int cmp_paths(const void *a, const void *b)
{
	return strverscmp(a, b);
}

/*
 * Add to @found (holding *@n of 256) the edgenpu nodes of @dir whose
 * names start with @prefix. Return: 0, or -errno when @dir exists but
 * cannot be read.
 */
static int scan_nodes(const char *dir, const char *prefix,
		      char (*found)[64], size_t *n)
{
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d)) && *n < 256) {
		int fd;

		if (strncmp(e->d_name, prefix, strlen(prefix)))
			continue;
		snprintf(found[*n], sizeof(found[*n]), "%s/%.40s", dir, e->d_name);
		fd = open(found[*n], O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (is_edgenpu(fd))
			(*n)++;
		close(fd);
	}
	closedir(d);
	return 0;
}

int edgenpu_enumerate(char (*paths)[64], size_t max, size_t *count)
{
	char found[256][64];
	size_t n = 0, i;
	int ret;

	if (!count || (max && !paths))
		return -EINVAL;
	*count = 0;
	/* Accel nodes, or render nodes on a kernel without DRM accel. */
	ret = scan_nodes("/dev/accel", "accel", found, &n);
	if (!ret)
		ret = scan_nodes("/dev/dri", "renderD", found, &n);
	if (ret)
		return ret;
	qsort(found, n, sizeof(found[0]), cmp_paths);
	for (i = 0; i < n && i < max; i++)
		memcpy(paths[i], found[i], sizeof(found[i]));
	*count = n;
	return 0;
}
