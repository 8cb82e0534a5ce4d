/* SPDX-License-Identifier: MIT */
/*
 * libedgenpu: the userspace library of the edgenpu NPU stack.
 *
 * Conventions: functions return 0 or a negative errno, which
 * edgenpu_strerror() explains. Objects are opaque and reference-counted
 * (_ref/_unref). The library keeps no global state.
 */
#ifndef EDGENPU_H
#define EDGENPU_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EDGENPU_LIB_NAME_LEN 32

/** The library's own release, from the project's VERSION file. */
const char *edgenpu_version(void);

/** A message for a negative errno returned by this library. */
const char *edgenpu_strerror(int err);

struct edgenpu_device;

/** What one device says about itself (DRM_EDGENPU_QUERY_DEVICE/CAPS). */
struct edgenpu_device_info {
	char path[64];			/* /dev/accel/accelN */
	char name[EDGENPU_LIB_NAME_LEN];	/* vnpu0 */
	char backend[EDGENPU_LIB_NAME_LEN];	/* vnpu */
	uint32_t uapi_major, uapi_minor;
	uint32_t module_version;	/* major << 16 | minor << 8 | patch */
	uint32_t num_cores;
	uint32_t cmdstream_major, cmdstream_minor;
	uint32_t max_ops, max_buffers;
	uint64_t flags;			/* DRM_EDGENPU_CAP_F_* */
	uint64_t op_mask;
	uint64_t max_bo_size;
	uint64_t timestamp_hz;
};

/**
 * edgenpu_device_open() - open an edgenpu device
 * @spec: "N" for /dev/accel/accelN, or a device path
 * @out: the new device, with one reference
 *
 * Fails with -ENODEV if the node is not an edgenpu device, and with
 * -EPROTO if the module's uapi major version is not the library's.
 */
int edgenpu_device_open(const char *spec, struct edgenpu_device **out);
struct edgenpu_device *edgenpu_device_ref(struct edgenpu_device *dev);
void edgenpu_device_unref(struct edgenpu_device *dev);
int edgenpu_device_fd(const struct edgenpu_device *dev);
int edgenpu_device_get_info(const struct edgenpu_device *dev,
			    struct edgenpu_device_info *info);

/**
 * edgenpu_enumerate() - find every edgenpu device
 * @paths: filled with up to @max device paths (64 bytes each)
 * @max: room in @paths
 * @count: number of edgenpu devices found (may exceed @max)
 */
int edgenpu_enumerate(char (*paths)[64], size_t max, size_t *count);

#ifdef __cplusplus
}
#endif

#endif /* EDGENPU_H */
