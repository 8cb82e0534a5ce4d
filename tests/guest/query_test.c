// SPDX-License-Identifier: MIT
/*
 * Guest test for the edgenpu device query: versions, capabilities, size
 * negotiation, bad input, and open/close churn.
 *
 * usage: edgenpu-query-test [DEVICE]   (default /dev/accel/accel0)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <drm/edgenpu_accel.h>

#include "guest_util.h"
#include "tap.h"

/*
 * Each open makes the file's scheduler entities; under KASAN and TCG one
 * round costs about 5 ms, so 2,000 rounds (10 s), not more: kmemleak and
 * the fd count catch a leak of one per open either way.
 */

static int query(int fd, uint32_t id, void *buf, uint32_t *size,
		 uint32_t flags, uint32_t pad)
{
	struct drm_edgenpu_query q = {
		.query = id,
		.size = *size,
		.data = (uintptr_t)buf,
		.flags = flags,
		.pad = pad,
	};
	int ret = ioctl(fd, DRM_IOCTL_EDGENPU_QUERY, &q);

	*size = q.size;
	return ret ? -errno : 0;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n++;
	closedir(d);
	return n;
}

static void test_version(struct tap *t, int fd)
{
	char name[64] = "";
	struct drm_version v = {
		.name = name,
		.name_len = sizeof(name) - 1,
	};

	tap_check(t, ioctl(fd, DRM_IOCTL_VERSION, &v) == 0 &&
		  strcmp(name, "edgenpu") == 0,
		  "DRM_IOCTL_VERSION names the driver edgenpu (got '%s')", name);
}

static void test_device_info(struct tap *t, int fd)
{
	struct drm_edgenpu_device_info info;
	uint32_t size = sizeof(info);

	memset(&info, 0xa5, sizeof(info));
	tap_check(t, query(fd, DRM_EDGENPU_QUERY_DEVICE, &info, &size, 0, 0) == 0,
		  "device query succeeds");
	tap_check(t, size == sizeof(info), "device query reports its size (%u)",
		  size);
	tap_check(t, info.uapi_major == EDGENPU_UAPI_VERSION_MAJOR &&
		  info.uapi_minor == EDGENPU_UAPI_VERSION_MINOR,
		  "uapi version %u.%u matches the header's %d.%d",
		  info.uapi_major, info.uapi_minor,
		  EDGENPU_UAPI_VERSION_MAJOR, EDGENPU_UAPI_VERSION_MINOR);
	/* The built-in backends: the vnpu and the PCI reference NPU. */
	tap_check(t, memchr(info.backend, 0, sizeof(info.backend)) &&
		  (strcmp(info.backend, "vnpu") == 0 ||
		   strcmp(info.backend, "pci") == 0),
		  "backend name is vnpu or pci (%.32s)", info.backend);
	tap_check(t, memchr(info.name, 0, sizeof(info.name)) &&
		  memchr(info.backend, 0, sizeof(info.backend)) &&
		  strncmp(info.name, info.backend, strlen(info.backend)) == 0,
		  "device name is NUL-terminated %sN (%.32s)", info.backend,
		  info.name);
	tap_check(t, info.module_version != 0, "module version %u.%u.%u",
		  info.module_version >> 16, (info.module_version >> 8) & 0xff,
		  info.module_version & 0xff);
}

static void test_caps(struct tap *t, int fd)
{
	struct drm_edgenpu_caps caps;
	uint32_t size = sizeof(caps);

	memset(&caps, 0xa5, sizeof(caps));
	tap_check(t, query(fd, DRM_EDGENPU_QUERY_CAPS, &caps, &size, 0, 0) == 0 &&
		  size == sizeof(caps), "caps query succeeds");
	tap_check(t, caps.num_cores >= 1 && caps.num_cores <= 8,
		  "caps: %u core(s)", caps.num_cores);
	tap_check(t, caps.timestamp_hz > 0, "caps: timestamps at %llu Hz",
		  (unsigned long long)caps.timestamp_hz);
	tap_check(t, caps.max_file_jobs > 0 && caps.max_op_cost > 0, "caps: per-file limits and the op cost limit are told");
	tap_check(t, caps.core_queue_depth >= 1 && caps.core_queue_depth <= 2 &&
		  caps.pad == 0, "caps: %u job(s) per core, pad %u",
		  caps.core_queue_depth, caps.pad);
}

static void test_sizes(struct tap *t, int fd)
{
	unsigned char buf[512];
	uint32_t size;
	size_t i;
	int ok;

	/* size 0 only reports the kernel's size. */
	size = 0;
	tap_check(t, query(fd, DRM_EDGENPU_QUERY_CAPS, NULL, &size, 0, 0) == 0 &&
		  size == sizeof(struct drm_edgenpu_caps),
		  "size 0 reports the kernel's struct size");

	/* Short: an old userspace gets its prefix and nothing more. */
	memset(buf, 0xa5, sizeof(buf));
	size = 4;
	ok = query(fd, DRM_EDGENPU_QUERY_DEVICE, buf, &size, 0, 0) == 0;
	ok = ok && *(uint32_t *)buf == EDGENPU_UAPI_VERSION_MAJOR;
	for (i = 4; i < sizeof(buf); i++)
		ok = ok && buf[i] == 0xa5;
	tap_check(t, ok, "a 4-byte struct gets only its 4 bytes");

	/* Long: a newer userspace sees zeroes past what the kernel knows. */
	memset(buf, 0xa5, sizeof(buf));
	size = 300;
	ok = query(fd, DRM_EDGENPU_QUERY_CAPS, buf, &size, 0, 0) == 0 &&
	     size == sizeof(struct drm_edgenpu_caps);
	for (i = sizeof(struct drm_edgenpu_caps); i < 300; i++)
		ok = ok && buf[i] == 0;
	for (i = 300; i < sizeof(buf); i++)
		ok = ok && buf[i] == 0xa5;
	tap_check(t, ok, "a 300-byte struct is zero-filled past the kernel's");
}

static void test_bad_input(struct tap *t, int fd)
{
	struct drm_edgenpu_caps caps;
	uint32_t size;
	unsigned int bad_cmd;
	int ret;

	size = sizeof(caps);
	tap_check(t, query(fd, DRM_EDGENPU_QUERY_CAPS, &caps, &size, 1, 0) == -EINVAL,
		  "reserved flag -> EINVAL");
	size = sizeof(caps);
	tap_check(t, query(fd, DRM_EDGENPU_QUERY_CAPS, &caps, &size, 0, 7) == -EINVAL,
		  "non-zero pad -> EINVAL");
	size = sizeof(caps);
	tap_check(t, query(fd, 99, &caps, &size, 0, 0) == -EINVAL,
		  "unknown query -> EINVAL");
	size = 4097;
	tap_check(t, query(fd, DRM_EDGENPU_QUERY_CAPS, &caps, &size, 0, 0) == -EINVAL,
		  "size over 4096 -> EINVAL");
	size = sizeof(caps);
	tap_check(t, query(fd, DRM_EDGENPU_QUERY_CAPS, (void *)16, &size, 0, 0) == -EFAULT,
		  "bad data pointer -> EFAULT");
	errno = 0;
	tap_check(t, ioctl(fd, DRM_IOCTL_EDGENPU_QUERY, (void *)16) == -1 &&
		  errno == EFAULT, "bad ioctl argument pointer -> EFAULT");

	bad_cmd = DRM_IOWR(DRM_COMMAND_BASE + 0x3f, struct drm_edgenpu_query);
	ret = ioctl(fd, bad_cmd, &caps) ? errno : 0;
	tap_check(t, ret == ENOTTY, "unknown driver ioctl -> ENOTTY (%s)",
		  strerror(ret));
	ret = ioctl(fd, _IOWR('x', 1, int), &size) ? errno : 0;
	tap_check(t, ret == ENOTTY, "foreign ioctl type -> ENOTTY (%s)",
		  strerror(ret));
}

static void test_open_close(struct tap *t, const char *path)
{
	long rounds = gu_env_count("QUERY_OPEN_ROUNDS", 2000), i;
	int before = count_fds(), fd, ok = 1;

	for (i = 0; i < rounds && ok; i++) {
		fd = open(path, O_RDWR | O_CLOEXEC);
		ok = fd >= 0;
		if (ok && (i % 1000) == 0) {
			struct drm_edgenpu_caps caps;
			uint32_t size = sizeof(caps);

			ok = query(fd, DRM_EDGENPU_QUERY_CAPS, &caps, &size, 0, 0) == 0;
		}
		if (fd >= 0)
			close(fd);
	}
	tap_check(t, ok && count_fds() == before,
		  "%ld opens and closes, no fd left open", i);
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : gu_node0();
	struct tap t = { 0 };
	int fd;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (!tap_check(&t, fd >= 0, "open %s (%s)", path,
		       fd >= 0 ? "ok" : strerror(errno)))
		return tap_done(&t);

	test_version(&t, fd);
	test_device_info(&t, fd);
	test_caps(&t, fd);
	test_sizes(&t, fd);
	test_bad_input(&t, fd);
	close(fd);
	test_open_close(&t, path);
	return tap_done(&t);
}
