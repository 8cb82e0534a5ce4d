/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel API differences, in one place.
 *
 * Each difference is detected by a feature probe, never by comparing
 * LINUX_VERSION_CODE: stable and distribution kernels carry APIs from
 * later releases. The probes live in the driver's Makefile and define
 * EDGENPU_HAVE_* macros from what the target kernel's headers declare;
 * this header turns them into one spelling the driver uses everywhere.
 */
#ifndef __EDGENPU_COMPAT_H__
#define __EDGENPU_COMPAT_H__

#include <linux/module.h>

/*
 * struct drm_driver lost its unused .date member in 6.14. Where it
 * still exists, fill it so that DRM_IOCTL_VERSION reports a date.
 */
#ifdef EDGENPU_HAVE_DRM_DRIVER_DATE
#define EDGENPU_DRM_DRIVER_DATE(d)	.date = (d),
#else
#define EDGENPU_DRM_DRIVER_DATE(d)
#endif

/*
 * Symbol namespaces became string literals in 6.13. MODULE_INFO with a
 * literal is what both forms of MODULE_IMPORT_NS() expand to, so it
 * needs no probe.
 */
#define EDGENPU_IMPORT_NS(ns)	MODULE_INFO(import_ns, ns)

#include <drm/drm_gem.h>
#include <drm/gpu_scheduler.h>

/*
 * The device node. A kernel built without CONFIG_DRM_ACCEL (Debian's
 * arm64 distribution kernels, 6.12 and 7.2) cannot register an accel
 * minor: drm_dev_alloc() of a DRIVER_COMPUTE_ACCEL driver fails there
 * with -EOPNOTSUPP. On such a kernel the device is a DRM render node
 * (/dev/dri/renderDN) with the same ioctls, as compute drivers were
 * before the accel subsystem; libedgenpu finds either. A Kconfig symbol
 * of the target kernel, not a version: the same release has it on one
 * architecture and not on another.
 */
#if IS_ENABLED(CONFIG_DRM_ACCEL)
#define EDGENPU_DRIVER_NODE		DRIVER_COMPUTE_ACCEL
#define edgenpu_node_open		accel_open
#else
#define EDGENPU_DRIVER_NODE		DRIVER_RENDER
#define edgenpu_node_open		drm_open
#endif

/*
 * drm_gem_vmap_unlocked() became drm_gem_vmap() in 6.16, when the old
 * locked drm_gem_vmap() became drm_gem_vmap_locked().
 */
#ifdef EDGENPU_HAVE_DRM_GEM_VMAP_UNLOCKED
#define edgenpu_gem_vmap(obj, map)	drm_gem_vmap_unlocked(obj, map)
#define edgenpu_gem_vunmap(obj, map)	drm_gem_vunmap_unlocked(obj, map)
#else
#define edgenpu_gem_vmap(obj, map)	drm_gem_vmap(obj, map)
#define edgenpu_gem_vunmap(obj, map)	drm_gem_vunmap(obj, map)
#endif

/*
 * The scheduler's timeout verdict after a reset: DRM_GPU_SCHED_STAT_NOMINAL
 * was renamed DRM_GPU_SCHED_STAT_RESET in 6.17.
 */
#ifdef EDGENPU_HAVE_DRM_GPU_SCHED_STAT_RESET
#define EDGENPU_SCHED_STAT_RESET	DRM_GPU_SCHED_STAT_RESET
#else
#define EDGENPU_SCHED_STAT_RESET	DRM_GPU_SCHED_STAT_NOMINAL
#endif

/* drm_sched_start() takes the errno for unfinished jobs since 6.13. */
#ifdef EDGENPU_HAVE_DRM_SCHED_START_ERRNO
#define edgenpu_sched_start(sched)	drm_sched_start(sched, 0)
#else
#define edgenpu_sched_start(sched)	drm_sched_start(sched)
#endif

/*
 * The end of a timeout, with the jobs a core still holds surviving it.
 * drm_sched_stop() frees the pending jobs that finished, the guilty one
 * included (it must be finished by then: see edgenpu_sched_timedout_job()),
 * and detaches the scheduler from the hardware fences of the others,
 * dropping its references to them; drm_sched_start() then completes
 * every job it finds detached with -ECANCELED (the errno it is given,
 * from 6.13). A core holds up to &drm_edgenpu_caps.core_queue_depth jobs,
 * so the ones behind the hung job must be attached again in between.
 * drm_sched_resubmit_jobs() does that on every supported kernel (6.12 to
 * 7.2; deprecated but kept): it calls run_job once more for each pending
 * job, oldest first, and takes the fence it returns. edgenpu's run_job
 * hands back the job's own hardware fence and leaves the device alone
 * (the core holds the job, or the job has ended), so none of the
 * dma_fence rules its deprecation note warns of (a fence initialised
 * twice, memory allocated while signalling) is at stake. drm_sched_start()
 * then attaches each job to its fence again, or completes it with the
 * fence's error if it signalled meanwhile.
 */
static inline void edgenpu_sched_restart(struct drm_gpu_scheduler *sched,
					 struct drm_sched_job *bad)
{
	drm_sched_stop(sched, bad);
	drm_sched_resubmit_jobs(sched);
	edgenpu_sched_start(sched);
}

/*
 * A spurious timeout (the job had already finished). The scheduler took
 * the job off its pending list before asking the driver. Kernels with
 * DRM_GPU_SCHED_STAT_NO_HANG (6.17) put it back themselves and the jobs
 * behind it keep running untouched. Older ones never do: the job would
 * never be freed (its buffers and the module pinned, a drm_mm_takedown
 * WARNING at unload). There, drm_sched_stop() puts it back, finds it
 * finished and marks it the guilty job, which the scheduler frees as
 * soon as this returns. Another job may be running or queued on the core
 * behind it (a core holds up to &drm_edgenpu_caps.core_queue_depth): it
 * is not reset, and edgenpu_sched_restart() attaches it again to its
 * hardware fence rather than letting drm_sched_start() cancel it.
 */
static inline enum drm_gpu_sched_stat
edgenpu_sched_false_timeout(struct drm_gpu_scheduler *sched,
			    struct drm_sched_job *job)
{
#ifdef EDGENPU_HAVE_DRM_GPU_SCHED_STAT_NO_HANG
	return DRM_GPU_SCHED_STAT_NO_HANG;
#else
	edgenpu_sched_restart(sched, job);
	return DRM_GPU_SCHED_STAT_NOMINAL;
#endif
}

/*
 * drm_sched_job_init() takes the DRM client id since 6.17; 6.12's stable
 * series has it too. Every edgenpu job costs one credit.
 */
static inline int edgenpu_sched_job_init(struct drm_sched_job *job,
					 struct drm_sched_entity *entity,
					 void *owner, u64 client)
{
#ifdef EDGENPU_HAVE_DRM_SCHED_JOB_CLIENT_ID
	return drm_sched_job_init(job, entity, 1, owner, client);
#else
	return drm_sched_job_init(job, entity, 1, owner);
#endif
}

/* The typed allocators arrived in 7.0; before, spell out the size. */
#ifndef kzalloc_obj
#define kzalloc_obj(P, ...)	kzalloc(sizeof(P), __VA_ARGS__)
#endif

int edgenpu_compat_sched_init(struct drm_gpu_scheduler *sched,
			      const struct drm_sched_backend_ops *ops,
			      u32 credit_limit, long timeout, const char *name,
			      struct device *dev);

#endif /* __EDGENPU_COMPAT_H__ */
