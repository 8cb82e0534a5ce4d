// SPDX-License-Identifier: GPL-2.0-only
/*
 * edgenpu devices: creation, removal and the counters the core keeps.
 *
 * Backends create devices with edgenpu_device_create() from their probe
 * routine and remove them with edgenpu_device_destroy(). The core holds
 * nothing backend-specific; a backend reads the counters through
 * edgenpu_device_read_stats() and edgenpu_core_resets().
 */

#include <linux/idr.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sizes.h>

#include <drm/drm_drv.h>
#include <drm/drm_managed.h>

#include <kunit/visibility.h>

#include "edgenpu_coredump.h"
#include "edgenpu_debugfs.h"
#include "edgenpu_device.h"
#include "edgenpu_drv.h"
#include "edgenpu_exec.h"
#include "edgenpu_gem.h"
#include "edgenpu_sched.h"

static DEFINE_IDA(edgenpu_ida);

/* Per-file limits: see Documentation/edgenpu/security.rst. */
static unsigned int max_file_jobs = 256;
module_param(max_file_jobs, uint, 0444);
MODULE_PARM_DESC(max_file_jobs,
		 "Unfinished jobs one open file may have (default 256)");

static unsigned int max_file_pinned_mb = 1024;
module_param(max_file_pinned_mb, uint, 0444);
MODULE_PARM_DESC(max_file_pinned_mb,
		 "MiB the unfinished jobs of one open file may pin (default 1024, at most half the RAM)");

static unsigned int max_file_bo_mb = 4096;
module_param(max_file_bo_mb, uint, 0444);
MODULE_PARM_DESC(max_file_bo_mb,
		 "MiB of buffer objects one open file may create (default 4096)");

static void edgenpu_release_id(struct drm_device *drm, void *arg)
{
	ida_free(&edgenpu_ida, to_edgenpu_device(drm)->id);
}

/*
 * Runs when the last reference to the device goes, after every file is
 * closed: entities of open files still point at the schedulers.
 */
static void edgenpu_release_jobs(struct drm_device *drm, void *arg)
{
	struct edgenpu_device *edev = to_edgenpu_device(drm);

	edgenpu_sched_fini(edev);
	edgenpu_exec_fini(edev);
}

/* The per-file limits, fixed for the device's life and told in caps. */
static void edgenpu_limits_set(struct edgenpu_device *edev)
{
	struct edgenpu_limits *l = &edev->limits;
	u64 half_ram = (u64)totalram_pages() << (PAGE_SHIFT - 1);

	l->jobs = clamp_val(max_file_jobs, 1, 65536);
	l->unreaped = DRM_EDGENPU_MAX_UNREAPED;
	l->pinned = min_t(u64, (u64)max_file_pinned_mb << 20, half_ram);
	l->bo_bytes = max_t(u64, (u64)max_file_bo_mb << 20, PAGE_SIZE);
	edev->caps.max_file_jobs = l->jobs;
	edev->caps.max_file_pinned = l->pinned;
	edev->caps.max_file_bo_bytes = l->bo_bytes;
	edev->caps.max_op_cost = EDGENPU_CMD_MAX_OP_COST;
	edev->caps.max_job_cost = EDGENPU_CMD_MAX_JOB_COST;
}

static int edgenpu_device_init_jobs(struct edgenpu_device *edev)
{
	int ret;

	if (!edev->caps.num_cores || edev->caps.num_cores > EDGENPU_MAX_CORES ||
	    edev->caps.core_queue_depth > EDGENPU_MAX_INFLIGHT)
		return -EINVAL;
	if (!edev->caps.core_queue_depth)
		edev->caps.core_queue_depth = 1;
	edev->caps.cmdstream_major = EDGENPU_CMD_VERSION_MAJOR;
	edev->caps.cmdstream_minor = EDGENPU_CMD_VERSION_MINOR;
	edev->caps.max_ops = EDGENPU_CMD_MAX_OPS;
	edev->caps.max_buffers = DRM_EDGENPU_MAX_JOB_BUFFERS;
	if (!edev->caps.max_bo_size)
		edev->caps.max_bo_size = SZ_1G;
	edev->caps.flags |= DRM_EDGENPU_CAP_F_PROFILING |
			    DRM_EDGENPU_CAP_F_PER_CHANNEL;

	edgenpu_limits_set(edev);
	spin_lock_init(&edev->ring_lock);
	spin_lock_init(&edev->hang_lock);
	ret = edgenpu_coredump_init(edev);
	if (ret)
		return ret;
	ret = edgenpu_exec_init(edev);
	if (ret)
		return ret;
	ret = edgenpu_sched_init(edev);
	if (ret) {
		edgenpu_exec_fini(edev);
		return ret;
	}
	return drmm_add_action_or_reset(&edev->drm, edgenpu_release_jobs, NULL);
}

/**
 * edgenpu_device_create() - create and register an edgenpu device
 * @parent: the backend's device; the edgenpu device is freed with its
 *	devres, after edgenpu_device_destroy().
 * @ops: backend operations; must outlive the device.
 * @priv: backend data handed back to @ops.
 *
 * Return: the new device, or an ERR_PTR().
 */
struct edgenpu_device *edgenpu_device_create(struct device *parent,
					     const struct edgenpu_backend_ops *ops,
					     void *priv)
{
	struct edgenpu_device *edev;
	int ret;

	if (!ops || !ops->name || !ops->get_caps || !ops->run_job || !ops->reset)
		return ERR_PTR(-EINVAL);

	edev = devm_drm_dev_alloc(parent, &edgenpu_drm_driver,
				  struct edgenpu_device, drm);
	if (IS_ERR(edev))
		return edev;

	edev->ops = ops;
	edev->priv = priv;
	INIT_LIST_HEAD(&edev->bos);
	ret = drmm_mutex_init(&edev->drm, &edev->bo_lock);
	if (ret)
		return ERR_PTR(ret);
	ret = ida_alloc(&edgenpu_ida, GFP_KERNEL);
	if (ret < 0)
		return ERR_PTR(ret);
	edev->id = ret;
	ret = drmm_add_action_or_reset(&edev->drm, edgenpu_release_id, NULL);
	if (ret)
		return ERR_PTR(ret);

	snprintf(edev->name, sizeof(edev->name), "%s%d", ops->name, edev->id);
	ops->get_caps(priv, &edev->caps);
	ret = edgenpu_device_init_jobs(edev);
	if (ret)
		return ERR_PTR(ret);
	edgenpu_debugfs_init(edev);

	/* Publish last: after this, userspace can open the device. */
	ret = drm_dev_register(&edev->drm, 0);
	if (ret)
		return ERR_PTR(ret);

	drm_info(&edev->drm, "%s: %s backend, %u core(s)\n", edev->name,
		 ops->name, edev->caps.num_cores);
	return edev;
}
EXPORT_SYMBOL_IF_KUNIT(edgenpu_device_create);

/**
 * edgenpu_device_destroy() - unplug a device created by edgenpu_device_create()
 * @edev: the device
 *
 * Open files keep the memory alive; their ioctls fail with -ENODEV from
 * now on, and their buffer objects stay mappable by the CPU but lose their
 * DMA mappings for @edev's parent, which is going away. The memory goes
 * with the parent's devres.
 */
void edgenpu_device_destroy(struct edgenpu_device *edev)
{
	drm_dev_unplug(&edev->drm);
	edgenpu_jobs_drain(edev);
	/* No ioctl and no job maps a buffer from here: take back the rest. */
	edgenpu_gem_unmap_all(edev);
}
EXPORT_SYMBOL_IF_KUNIT(edgenpu_device_destroy);

/**
 * edgenpu_device_ids_destroy() - forget every device number, at module exit
 */
void edgenpu_device_ids_destroy(void)
{
	ida_destroy(&edgenpu_ida);
}

/* Counters: the core writes them, backends and debugfs read them. */

/**
 * edgenpu_device_account_job() - count a finished job
 * @edev: the device
 * @error: 0, or the job's negative errno
 * @busy_ns: device time it took
 */
void edgenpu_device_account_job(struct edgenpu_device *edev, int error,
				u64 busy_ns)
{
	atomic64_inc(error ? &edev->stats.jobs_failed : &edev->stats.jobs_done);
	atomic64_add(busy_ns, &edev->stats.busy_ns);
}

/**
 * edgenpu_core_note_reset() - count a reset of a core
 * @core: the core
 * @took_ns: time from the timeout to the core being free
 */
void edgenpu_core_note_reset(struct edgenpu_core *core, u64 took_ns)
{
	atomic_inc(&core->resets);
	WRITE_ONCE(core->last_reset_ns, took_ns);
}

/**
 * edgenpu_device_read_stats() - a device's job counters
 * @edev: the device
 * @stats: filled with the counters; each is read atomically, the set is
 *	not a snapshot
 */
void edgenpu_device_read_stats(struct edgenpu_device *edev,
			       struct edgenpu_device_stats *stats)
{
	stats->jobs_done = atomic64_read(&edev->stats.jobs_done);
	stats->jobs_failed = atomic64_read(&edev->stats.jobs_failed);
	stats->busy_ns = atomic64_read(&edev->stats.busy_ns);
}

/**
 * edgenpu_core_resets() - how often a core was reset after a timeout
 * @edev: the device
 * @core: the core's index, below &drm_edgenpu_caps.num_cores
 *
 * Return: the number of resets.
 */
unsigned int edgenpu_core_resets(struct edgenpu_device *edev, unsigned int core)
{
	return atomic_read(&edev->cores[core].resets);
}

/**
 * edgenpu_core_last_reset_ns() - how long the last reset of a core took
 * @edev: the device
 * @core: the core's index
 *
 * Return: time from the last timeout to the core being free, or 0.
 */
u64 edgenpu_core_last_reset_ns(struct edgenpu_device *edev, unsigned int core)
{
	return READ_ONCE(edev->cores[core].last_reset_ns);
}
