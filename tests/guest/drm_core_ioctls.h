/* SPDX-License-Identifier: MIT */
/*
 * The DRM core ioctls, as the guest tests see them: a table of the ones
 * <drm.h> names, the allowlist edgenpu lets through to the DRM core on
 * its accel node (every other core number must fail with EACCES without
 * reaching it), and the taming of random arguments for the allowed ones.
 *
 * Core numbers are 0x00..0x3f and 0xa0..0xff; 0x40..0x9f is the driver's
 * range. The kernel matches ioctls by number (_IOC_NR), so the allowlist
 * does too: any direction or size with an allowed number reaches the core.
 *
 * The <drm.h> of the guest build is libdrm's (x86_64, -idirafter
 * /usr/include/libdrm) or linux-libc-dev's (arm64 cross); both are older
 * than the kernels tested and lack the four newest ioctls, defined below
 * with local structs of the kernel's layout.
 */
#ifndef EDGENPU_DRM_CORE_IOCTLS_H
#define EDGENPU_DRM_CORE_IOCTLS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>

#include <drm.h>

struct core_syncobj_eventfd {	/* struct drm_syncobj_eventfd, 6.6+ */
	uint32_t handle;
	uint32_t flags;
	uint64_t point;
	int32_t fd;
	uint32_t pad;
};

struct core_mode_closefb {	/* struct drm_mode_closefb, 6.8+ */
	uint32_t fb_id;
	uint32_t pad;
};

struct core_set_client_name {	/* struct drm_set_client_name */
	uint64_t name_len;
	uint64_t name;
};

struct core_gem_change_handle {	/* struct drm_gem_change_handle */
	uint32_t handle;
	uint32_t new_handle;
};

#ifndef DRM_IOCTL_SYNCOBJ_EVENTFD
#define DRM_IOCTL_SYNCOBJ_EVENTFD	DRM_IOWR(0xCF, struct core_syncobj_eventfd)
#endif
#ifndef DRM_IOCTL_MODE_CLOSEFB
#define DRM_IOCTL_MODE_CLOSEFB		DRM_IOWR(0xD0, struct core_mode_closefb)
#endif
#ifndef DRM_IOCTL_SET_CLIENT_NAME
#define DRM_IOCTL_SET_CLIENT_NAME	DRM_IOWR(0xD1, struct core_set_client_name)
#endif
#ifndef DRM_IOCTL_GEM_CHANGE_HANDLE
#define DRM_IOCTL_GEM_CHANGE_HANDLE	DRM_IOWR(0xD2, struct core_gem_change_handle)
#endif

struct core_ioctl {
	unsigned long cmd;	/* with the real direction and size */
	const char *name;
};

#define CORE_IOCTL(x)	{ (unsigned long)(x), #x }

/* Every core ioctl <drm.h> (7.2's) defines, in number order. */
static const struct core_ioctl core_ioctls[] = {
	CORE_IOCTL(DRM_IOCTL_VERSION),
	CORE_IOCTL(DRM_IOCTL_GET_UNIQUE),
	CORE_IOCTL(DRM_IOCTL_GET_MAGIC),
	CORE_IOCTL(DRM_IOCTL_IRQ_BUSID),
	CORE_IOCTL(DRM_IOCTL_GET_MAP),
	CORE_IOCTL(DRM_IOCTL_GET_CLIENT),
	CORE_IOCTL(DRM_IOCTL_GET_STATS),
	CORE_IOCTL(DRM_IOCTL_SET_VERSION),
	CORE_IOCTL(DRM_IOCTL_MODESET_CTL),
	CORE_IOCTL(DRM_IOCTL_GEM_CLOSE),
	CORE_IOCTL(DRM_IOCTL_GEM_FLINK),
	CORE_IOCTL(DRM_IOCTL_GEM_OPEN),
	CORE_IOCTL(DRM_IOCTL_GET_CAP),
	CORE_IOCTL(DRM_IOCTL_SET_CLIENT_CAP),
	CORE_IOCTL(DRM_IOCTL_SET_UNIQUE),
	CORE_IOCTL(DRM_IOCTL_AUTH_MAGIC),
	CORE_IOCTL(DRM_IOCTL_BLOCK),
	CORE_IOCTL(DRM_IOCTL_UNBLOCK),
	CORE_IOCTL(DRM_IOCTL_CONTROL),
	CORE_IOCTL(DRM_IOCTL_ADD_MAP),
	CORE_IOCTL(DRM_IOCTL_ADD_BUFS),
	CORE_IOCTL(DRM_IOCTL_MARK_BUFS),
	CORE_IOCTL(DRM_IOCTL_INFO_BUFS),
	CORE_IOCTL(DRM_IOCTL_MAP_BUFS),
	CORE_IOCTL(DRM_IOCTL_FREE_BUFS),
	CORE_IOCTL(DRM_IOCTL_RM_MAP),
	CORE_IOCTL(DRM_IOCTL_SET_SAREA_CTX),
	CORE_IOCTL(DRM_IOCTL_GET_SAREA_CTX),
	CORE_IOCTL(DRM_IOCTL_SET_MASTER),
	CORE_IOCTL(DRM_IOCTL_DROP_MASTER),
	CORE_IOCTL(DRM_IOCTL_ADD_CTX),
	CORE_IOCTL(DRM_IOCTL_RM_CTX),
	CORE_IOCTL(DRM_IOCTL_MOD_CTX),
	CORE_IOCTL(DRM_IOCTL_GET_CTX),
	CORE_IOCTL(DRM_IOCTL_SWITCH_CTX),
	CORE_IOCTL(DRM_IOCTL_NEW_CTX),
	CORE_IOCTL(DRM_IOCTL_RES_CTX),
	CORE_IOCTL(DRM_IOCTL_ADD_DRAW),
	CORE_IOCTL(DRM_IOCTL_RM_DRAW),
	CORE_IOCTL(DRM_IOCTL_DMA),
	CORE_IOCTL(DRM_IOCTL_LOCK),
	CORE_IOCTL(DRM_IOCTL_UNLOCK),
	CORE_IOCTL(DRM_IOCTL_FINISH),
	CORE_IOCTL(DRM_IOCTL_PRIME_HANDLE_TO_FD),
	CORE_IOCTL(DRM_IOCTL_PRIME_FD_TO_HANDLE),
	CORE_IOCTL(DRM_IOCTL_AGP_ACQUIRE),
	CORE_IOCTL(DRM_IOCTL_AGP_RELEASE),
	CORE_IOCTL(DRM_IOCTL_AGP_ENABLE),
	CORE_IOCTL(DRM_IOCTL_AGP_INFO),
	CORE_IOCTL(DRM_IOCTL_AGP_ALLOC),
	CORE_IOCTL(DRM_IOCTL_AGP_FREE),
	CORE_IOCTL(DRM_IOCTL_AGP_BIND),
	CORE_IOCTL(DRM_IOCTL_AGP_UNBIND),
	CORE_IOCTL(DRM_IOCTL_SG_ALLOC),
	CORE_IOCTL(DRM_IOCTL_SG_FREE),
	CORE_IOCTL(DRM_IOCTL_WAIT_VBLANK),
	CORE_IOCTL(DRM_IOCTL_CRTC_GET_SEQUENCE),
	CORE_IOCTL(DRM_IOCTL_CRTC_QUEUE_SEQUENCE),
	CORE_IOCTL(DRM_IOCTL_UPDATE_DRAW),
	CORE_IOCTL(DRM_IOCTL_MODE_GETRESOURCES),
	CORE_IOCTL(DRM_IOCTL_MODE_GETCRTC),
	CORE_IOCTL(DRM_IOCTL_MODE_SETCRTC),
	CORE_IOCTL(DRM_IOCTL_MODE_CURSOR),
	CORE_IOCTL(DRM_IOCTL_MODE_GETGAMMA),
	CORE_IOCTL(DRM_IOCTL_MODE_SETGAMMA),
	CORE_IOCTL(DRM_IOCTL_MODE_GETENCODER),
	CORE_IOCTL(DRM_IOCTL_MODE_GETCONNECTOR),
	CORE_IOCTL(DRM_IOCTL_MODE_ATTACHMODE),
	CORE_IOCTL(DRM_IOCTL_MODE_DETACHMODE),
	CORE_IOCTL(DRM_IOCTL_MODE_GETPROPERTY),
	CORE_IOCTL(DRM_IOCTL_MODE_SETPROPERTY),
	CORE_IOCTL(DRM_IOCTL_MODE_GETPROPBLOB),
	CORE_IOCTL(DRM_IOCTL_MODE_GETFB),
	CORE_IOCTL(DRM_IOCTL_MODE_ADDFB),
	CORE_IOCTL(DRM_IOCTL_MODE_RMFB),
	CORE_IOCTL(DRM_IOCTL_MODE_PAGE_FLIP),
	CORE_IOCTL(DRM_IOCTL_MODE_DIRTYFB),
	CORE_IOCTL(DRM_IOCTL_MODE_CREATE_DUMB),
	CORE_IOCTL(DRM_IOCTL_MODE_MAP_DUMB),
	CORE_IOCTL(DRM_IOCTL_MODE_DESTROY_DUMB),
	CORE_IOCTL(DRM_IOCTL_MODE_GETPLANERESOURCES),
	CORE_IOCTL(DRM_IOCTL_MODE_GETPLANE),
	CORE_IOCTL(DRM_IOCTL_MODE_SETPLANE),
	CORE_IOCTL(DRM_IOCTL_MODE_ADDFB2),
	CORE_IOCTL(DRM_IOCTL_MODE_OBJ_GETPROPERTIES),
	CORE_IOCTL(DRM_IOCTL_MODE_OBJ_SETPROPERTY),
	CORE_IOCTL(DRM_IOCTL_MODE_CURSOR2),
	CORE_IOCTL(DRM_IOCTL_MODE_ATOMIC),
	CORE_IOCTL(DRM_IOCTL_MODE_CREATEPROPBLOB),
	CORE_IOCTL(DRM_IOCTL_MODE_DESTROYPROPBLOB),
	CORE_IOCTL(DRM_IOCTL_SYNCOBJ_CREATE),
	CORE_IOCTL(DRM_IOCTL_SYNCOBJ_DESTROY),
	CORE_IOCTL(DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD),
	CORE_IOCTL(DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE),
	CORE_IOCTL(DRM_IOCTL_SYNCOBJ_WAIT),
	CORE_IOCTL(DRM_IOCTL_SYNCOBJ_RESET),
	CORE_IOCTL(DRM_IOCTL_SYNCOBJ_SIGNAL),
	CORE_IOCTL(DRM_IOCTL_MODE_CREATE_LEASE),
	CORE_IOCTL(DRM_IOCTL_MODE_LIST_LESSEES),
	CORE_IOCTL(DRM_IOCTL_MODE_GET_LEASE),
	CORE_IOCTL(DRM_IOCTL_MODE_REVOKE_LEASE),
	CORE_IOCTL(DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT),
	CORE_IOCTL(DRM_IOCTL_SYNCOBJ_QUERY),
	CORE_IOCTL(DRM_IOCTL_SYNCOBJ_TRANSFER),
	CORE_IOCTL(DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL),
	CORE_IOCTL(DRM_IOCTL_MODE_GETFB2),
	CORE_IOCTL(DRM_IOCTL_SYNCOBJ_EVENTFD),
	CORE_IOCTL(DRM_IOCTL_MODE_CLOSEFB),
	CORE_IOCTL(DRM_IOCTL_SET_CLIENT_NAME),
	CORE_IOCTL(DRM_IOCTL_GEM_CHANGE_HANDLE),
};

#define CORE_NIOCTLS	(sizeof(core_ioctls) / sizeof(core_ioctls[0]))

/* The core ioctl <drm.h> names with number @nr, or NULL. */
static inline const struct core_ioctl *core_ioctl_find(unsigned int nr)
{
	size_t i;

	for (i = 0; i < CORE_NIOCTLS; i++)
		if (_IOC_NR(core_ioctls[i].cmd) == nr)
			return &core_ioctls[i];
	return NULL;
}

/* Whether @nr is a core number (not the driver range 0x40..0x9f). */
static inline int core_nr(unsigned int nr)
{
	return nr < 0x100 && (nr < DRM_COMMAND_BASE || nr >= DRM_COMMAND_END);
}

/* The @i-th of the 160 core numbers: 0x00..0x3f, then 0xa0..0xff. */
static inline unsigned int core_nr_at(unsigned int i)
{
	i %= DRM_COMMAND_BASE + (0x100 - DRM_COMMAND_END);
	return i < DRM_COMMAND_BASE ? i : i - DRM_COMMAND_BASE + DRM_COMMAND_END;
}

enum core_verdict {
	CORE_REFUSED,	/* must fail with EACCES, every time */
	CORE_ALLOWED,	/* reaches the DRM core: never EACCES */
	CORE_EITHER,	/* depends on what the running kernel defines */
};

/* (major << 8 | minor) of the running kernel, or 0. */
static inline unsigned int core_kernel_version(void)
{
	static unsigned int v;
	struct utsname u;
	unsigned int maj, min;

	if (!v && !uname(&u) && sscanf(u.release, "%u.%u", &maj, &min) == 2)
		v = maj << 8 | min;
	return v;
}

/*
 * edgenpu's allowlist. SET_CLIENT_NAME and GEM_CHANGE_HANDLE are on it
 * where the kernel the module was built against defines them; from
 * userspace that shows only in the version: 6.12 defines neither, 7.x
 * both (7.2 answers GEM_CHANGE_HANDLE with EINVAL: the core disabled
 * it). Kernels in between may go either way.
 */
static inline enum core_verdict core_verdict(unsigned int nr)
{
	static const uint8_t allowed[] = {
		_IOC_NR(DRM_IOCTL_VERSION),
		_IOC_NR(DRM_IOCTL_GET_CAP),
		_IOC_NR(DRM_IOCTL_GEM_CLOSE),
		_IOC_NR(DRM_IOCTL_PRIME_HANDLE_TO_FD),
		_IOC_NR(DRM_IOCTL_PRIME_FD_TO_HANDLE),
		_IOC_NR(DRM_IOCTL_SYNCOBJ_CREATE),
		_IOC_NR(DRM_IOCTL_SYNCOBJ_DESTROY),
		_IOC_NR(DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD),
		_IOC_NR(DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE),
		_IOC_NR(DRM_IOCTL_SYNCOBJ_WAIT),
		_IOC_NR(DRM_IOCTL_SYNCOBJ_RESET),
		_IOC_NR(DRM_IOCTL_SYNCOBJ_SIGNAL),
		_IOC_NR(DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT),
		_IOC_NR(DRM_IOCTL_SYNCOBJ_QUERY),
		_IOC_NR(DRM_IOCTL_SYNCOBJ_TRANSFER),
		_IOC_NR(DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL),
		_IOC_NR(DRM_IOCTL_SYNCOBJ_EVENTFD),
	};
	unsigned int v, i;

	for (i = 0; i < sizeof(allowed); i++)
		if (nr == allowed[i])
			return CORE_ALLOWED;
	if (nr == _IOC_NR(DRM_IOCTL_SET_CLIENT_NAME) ||
	    nr == _IOC_NR(DRM_IOCTL_GEM_CHANGE_HANDLE)) {
		v = core_kernel_version();
		if (v && v <= (6u << 8 | 12))
			return CORE_REFUSED;
		if (v >= 7u << 8)
			return CORE_ALLOWED;
		return CORE_EITHER;
	}
	return CORE_REFUSED;
}

/*
 * Make random argument bytes safe to hand to the core ioctl @nr when it
 * is allowed: syncobj handle counts below 2^16 (the core kmallocs arrays
 * of that many without __GFP_NOWARN, and the page allocator WARNs for
 * counts in the hundreds of millions: a known core bug, not one this
 * looks for), waits that never block (timeout 0, absolute CLOCK_MONOTONIC
 * ns, so already past), and no TRANSFER with WAIT_FOR_SUBMIT (the core
 * then waits up to 10 s). @count is the count to use. Only fields inside
 * @len bytes are touched.
 */
static inline void core_tame(unsigned int nr, void *buf, size_t len,
			     uint32_t count)
{
	uint8_t *b = buf;
	uint32_t u;
	int64_t zero = 0;

#define CORE_SET(type, field, val)						\
	do {									\
		if (offsetof(type, field) + sizeof(((type *)0)->field) <= len) {	\
			__typeof__(((type *)0)->field) v_ = (val);		\
			memcpy(b + offsetof(type, field), &v_, sizeof(v_));	\
		}								\
	} while (0)

	count &= 0xffff;
	switch (nr) {
	case _IOC_NR(DRM_IOCTL_SYNCOBJ_WAIT):
		CORE_SET(struct drm_syncobj_wait, count_handles, count);
		CORE_SET(struct drm_syncobj_wait, timeout_nsec, zero);
		break;
	case _IOC_NR(DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT):
		CORE_SET(struct drm_syncobj_timeline_wait, count_handles, count);
		CORE_SET(struct drm_syncobj_timeline_wait, timeout_nsec, zero);
		break;
	case _IOC_NR(DRM_IOCTL_SYNCOBJ_RESET):
	case _IOC_NR(DRM_IOCTL_SYNCOBJ_SIGNAL):
		CORE_SET(struct drm_syncobj_array, count_handles, count);
		break;
	case _IOC_NR(DRM_IOCTL_SYNCOBJ_QUERY):
	case _IOC_NR(DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL):
		CORE_SET(struct drm_syncobj_timeline_array, count_handles, count);
		break;
	case _IOC_NR(DRM_IOCTL_SYNCOBJ_TRANSFER):
		if (offsetof(struct drm_syncobj_transfer, flags) + 4 <= len) {
			memcpy(&u, b + offsetof(struct drm_syncobj_transfer, flags), 4);
			u &= ~(uint32_t)DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT;
			memcpy(b + offsetof(struct drm_syncobj_transfer, flags), &u, 4);
		}
		break;
	}
#undef CORE_SET
}

#endif
