// SPDX-License-Identifier: MIT
/*
 * The few libdrm calls libedgenpu makes, for static musl builds.
 *
 * Debian's libdrm is built for glibc: its libdrm.a cannot be linked into
 * a musl program. libedgenpu needs ten of libdrm's functions; these are
 * the same ioctls with libdrm's own headers (xf86drm.h, drm.h) and
 * libdrm's semantics (drmIoctl restarts on EINTR/EAGAIN; drmGetVersion
 * asks twice, for the sizes then the strings; drmSyncobjWait returns
 * -errno, the others -1 with errno set). scripts/build-musl links
 * this file in place of -ldrm; a libdrm call it lacks is a link error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <xf86drm.h>

int drmIoctl(int fd, unsigned long request, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, request, arg);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));
	return ret;
}

void drmFreeVersion(drmVersionPtr v)
{
	if (!v)
		return;
	free(v->name);
	free(v->date);
	free(v->desc);
	free(v);
}

drmVersionPtr drmGetVersion(int fd)
{
	struct drm_version k;
	drmVersionPtr v;

	memset(&k, 0, sizeof(k));
	if (drmIoctl(fd, DRM_IOCTL_VERSION, &k))
		return NULL;
	v = calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	v->name = calloc(1, k.name_len + 1);
	v->date = calloc(1, k.date_len + 1);
	v->desc = calloc(1, k.desc_len + 1);
	if (!v->name || !v->date || !v->desc)
		goto fail;
	k.name = v->name;
	k.date = v->date;
	k.desc = v->desc;
	if (drmIoctl(fd, DRM_IOCTL_VERSION, &k))
		goto fail;
	v->version_major = k.version_major;
	v->version_minor = k.version_minor;
	v->version_patchlevel = k.version_patchlevel;
	v->name_len = (int)k.name_len;
	v->date_len = (int)k.date_len;
	v->desc_len = (int)k.desc_len;
	return v;
fail:
	drmFreeVersion(v);
	return NULL;
}

int drmPrimeHandleToFD(int fd, uint32_t handle, uint32_t flags, int *prime_fd)
{
	struct drm_prime_handle args;
	int ret;

	memset(&args, 0, sizeof(args));
	args.fd = -1;
	args.handle = handle;
	args.flags = flags;
	ret = drmIoctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &args);
	if (ret)
		return ret;
	*prime_fd = args.fd;
	return 0;
}

int drmPrimeFDToHandle(int fd, int prime_fd, uint32_t *handle)
{
	struct drm_prime_handle args;
	int ret;

	memset(&args, 0, sizeof(args));
	args.fd = prime_fd;
	ret = drmIoctl(fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &args);
	if (ret)
		return ret;
	*handle = args.handle;
	return 0;
}

int drmSyncobjCreate(int fd, uint32_t flags, uint32_t *handle)
{
	struct drm_syncobj_create args;
	int ret;

	memset(&args, 0, sizeof(args));
	args.flags = flags;
	ret = drmIoctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &args);
	if (ret)
		return ret;
	*handle = args.handle;
	return 0;
}

int drmSyncobjDestroy(int fd, uint32_t handle)
{
	struct drm_syncobj_destroy args;

	memset(&args, 0, sizeof(args));
	args.handle = handle;
	return drmIoctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, &args);
}

int drmSyncobjExportSyncFile(int fd, uint32_t handle, int *sync_file_fd)
{
	struct drm_syncobj_handle args;
	int ret;

	memset(&args, 0, sizeof(args));
	args.handle = handle;
	args.fd = -1;
	args.flags = DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE;
	ret = drmIoctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &args);
	if (ret)
		return ret;
	*sync_file_fd = args.fd;
	return 0;
}

int drmSyncobjImportSyncFile(int fd, uint32_t handle, int sync_file_fd)
{
	struct drm_syncobj_handle args;

	memset(&args, 0, sizeof(args));
	args.handle = handle;
	args.fd = sync_file_fd;
	args.flags = DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE;
	return drmIoctl(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &args);
}

int drmSyncobjWait(int fd, uint32_t *handles, unsigned int num_handles,
		   int64_t timeout_nsec, unsigned int flags,
		   uint32_t *first_signaled)
{
	struct drm_syncobj_wait args;

	memset(&args, 0, sizeof(args));
	args.handles = (uintptr_t)handles;
	args.timeout_nsec = timeout_nsec;
	args.count_handles = num_handles;
	args.flags = flags;
	if (drmIoctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &args))
		return -errno;
	if (first_signaled)
		*first_signaled = args.first_signaled;
	return 0;
}
