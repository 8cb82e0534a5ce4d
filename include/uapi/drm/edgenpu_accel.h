/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR MIT) */
/*
 * edgenpu: a DRM accel driver for edge-AI NPUs.
 *
 * This header is the contract between the edgenpu kernel module and
 * userspace. Rules every ioctl here follows:
 *
 * - Structs are 64-bit aligned and carry explicit padding.
 * - Every pad, reserved field and unknown flag must be zero; the kernel
 *   rejects anything else with -EINVAL, so the bits stay usable later.
 * - Variable-sized data is passed by pointer and size. The kernel copies
 *   what both sides know and zero-fills the rest, so old userspace runs
 *   on new kernels and new userspace on old kernels.
 * - The uapi version is major.minor. A minor bump only adds; a major
 *   bump breaks compatibility. Userspace compares majors and reads the
 *   minor to learn which optional features exist.
 */
#ifndef _UAPI_DRM_EDGENPU_ACCEL_H_
#define _UAPI_DRM_EDGENPU_ACCEL_H_

#include "drm.h"

#if defined(__cplusplus)
extern "C" {
#endif

/** @EDGENPU_UAPI_VERSION_MAJOR: incompatible changes bump this. */
#define EDGENPU_UAPI_VERSION_MAJOR	1
/** @EDGENPU_UAPI_VERSION_MINOR: compatible additions bump this. */
#define EDGENPU_UAPI_VERSION_MINOR	0

/** @EDGENPU_NAME_LEN: size of the fixed name fields, NUL included. */
#define EDGENPU_NAME_LEN		32

#define DRM_EDGENPU_QUERY		0x00
#define DRM_EDGENPU_NUM_IOCTLS		0x01

/**
 * enum drm_edgenpu_query_id - what &drm_edgenpu_query.query asks for
 * @DRM_EDGENPU_QUERY_DEVICE: &struct drm_edgenpu_device_info
 * @DRM_EDGENPU_QUERY_CAPS: &struct drm_edgenpu_caps
 */
enum drm_edgenpu_query_id {
	DRM_EDGENPU_QUERY_DEVICE = 0,
	DRM_EDGENPU_QUERY_CAPS = 1,
};

/**
 * struct drm_edgenpu_query - read a size-negotiated information struct
 *
 * The kernel copies min(@size, its own struct size) bytes to @data and
 * zero-fills the rest of the user's buffer, then sets @size to its own
 * struct size. With @size 0 the kernel only reports its size.
 */
struct drm_edgenpu_query {
	/** @query: one of &enum drm_edgenpu_query_id. */
	__u32 query;
	/**
	 * @size: in: bytes at @data (0 to 4096); out: the size of the
	 * kernel's struct for @query.
	 */
	__u32 size;
	/** @data: user pointer to the struct to fill. */
	__u64 data;
	/** @flags: reserved, must be zero. */
	__u32 flags;
	/** @pad: reserved, must be zero. */
	__u32 pad;
};

/**
 * struct drm_edgenpu_device_info - who the device is
 *
 * Answer to %DRM_EDGENPU_QUERY_DEVICE.
 */
struct drm_edgenpu_device_info {
	/** @uapi_major: the module's %EDGENPU_UAPI_VERSION_MAJOR. */
	__u32 uapi_major;
	/** @uapi_minor: the module's %EDGENPU_UAPI_VERSION_MINOR. */
	__u32 uapi_minor;
	/** @module_version: packed module release, major << 16 | minor << 8 | patch. */
	__u32 module_version;
	/** @device_id: the device's index among edgenpu devices. */
	__u32 device_id;
	/** @name: device name, NUL-terminated, e.g. "vnpu0". */
	char name[EDGENPU_NAME_LEN];
	/** @backend: backend name, NUL-terminated, e.g. "vnpu". */
	char backend[EDGENPU_NAME_LEN];
};

/** @DRM_EDGENPU_CAP_F_PROFILING: the device writes per-op timestamps. */
#define DRM_EDGENPU_CAP_F_PROFILING		(1ULL << 0)
/** @DRM_EDGENPU_CAP_F_PER_CHANNEL: per-channel quantization is supported. */
#define DRM_EDGENPU_CAP_F_PER_CHANNEL		(1ULL << 1)
/** @DRM_EDGENPU_CAP_F_FAULT_INJECTION: the backend can inject faults (debugfs). */
#define DRM_EDGENPU_CAP_F_FAULT_INJECTION	(1ULL << 2)

/**
 * struct drm_edgenpu_caps - what the device can do
 *
 * Answer to %DRM_EDGENPU_QUERY_CAPS. Limits of 0 mean "none".
 */
struct drm_edgenpu_caps {
	/** @flags: DRM_EDGENPU_CAP_F_* bits. */
	__u64 flags;
	/**
	 * @op_mask: bit N set if the device executes command-stream
	 * op code N.
	 */
	__u64 op_mask;
	/** @max_bo_size: the largest buffer object, in bytes. */
	__u64 max_bo_size;
	/** @timestamp_hz: frequency of the device's timestamp counter. */
	__u64 timestamp_hz;
	/** @num_cores: independent execution cores. */
	__u32 num_cores;
	/** @cmdstream_major: command stream format major version. */
	__u32 cmdstream_major;
	/** @cmdstream_minor: newest command stream minor version accepted. */
	__u32 cmdstream_minor;
	/** @max_ops: most ops in one job. */
	__u32 max_ops;
	/** @max_buffers: most entries in one job's buffer table. */
	__u32 max_buffers;
	/** @pad: reserved, zero. */
	__u32 pad;
};

#define DRM_IOCTL_EDGENPU_QUERY \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_EDGENPU_QUERY, struct drm_edgenpu_query)

#if defined(__cplusplus)
}
#endif

#endif /* _UAPI_DRM_EDGENPU_ACCEL_H_ */
