// SPDX-License-Identifier: GPL-2.0-only
/*
 * edgenpu core: the DRM accel device and its lifetime.
 *
 * Backends (vnpu/ today) create devices with edgenpu_device_create()
 * from their probe routine and remove them with edgenpu_device_destroy().
 * The core holds nothing backend-specific.
 */

#include <linux/compat.h>
#include <linux/idr.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/uaccess.h>

#include <drm/drm_accel.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_managed.h>

#include <kunit/visibility.h>

#include "edgenpu_compat.h"
#include "edgenpu_drv.h"
#include "vnpu/vnpu.h"

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

static const struct drm_ioctl_desc edgenpu_ioctls[] = {
	DRM_IOCTL_DEF_DRV(EDGENPU_QUERY, edgenpu_ioctl_query, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(EDGENPU_BO_CREATE, edgenpu_ioctl_bo_create, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(EDGENPU_BO_INFO, edgenpu_ioctl_bo_info, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(EDGENPU_SUBMIT, edgenpu_ioctl_submit, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(EDGENPU_WAIT, edgenpu_ioctl_wait, DRM_RENDER_ALLOW),
};

static_assert(ARRAY_SIZE(edgenpu_ioctls) == DRM_EDGENPU_NUM_IOCTLS);

/*
 * The DRM core ioctls an accel client may reach. drm_ioctl_permit()
 * filters ioctls without DRM_RENDER_ALLOW for render clients only, so on
 * an accel minor the legacy, master and KMS ioctls reach handlers that
 * assume a primary node: DRM_IOCTL_GET_MAGIC dereferences the missing
 * master (an oops on 6.12 and 7.2). Only what libdrm and libedgenpu use
 * gets through; see Documentation/edgenpu/upstream/ for the core fix.
 */
static const u8 edgenpu_core_ioctls[] = {
	DRM_IOCTL_NR(DRM_IOCTL_VERSION),
	DRM_IOCTL_NR(DRM_IOCTL_GET_CAP),
	DRM_IOCTL_NR(DRM_IOCTL_GEM_CLOSE),
	DRM_IOCTL_NR(DRM_IOCTL_PRIME_HANDLE_TO_FD),
	DRM_IOCTL_NR(DRM_IOCTL_PRIME_FD_TO_HANDLE),
	DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_CREATE),
	DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_DESTROY),
	DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD),
	DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE),
	DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_WAIT),
	DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_RESET),
	DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_SIGNAL),
	DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT),
	DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_QUERY),
	DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_TRANSFER),
	DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL),
	DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_EVENTFD),
#ifdef DRM_IOCTL_GEM_CHANGE_HANDLE
	DRM_IOCTL_NR(DRM_IOCTL_GEM_CHANGE_HANDLE),
#endif
#ifdef DRM_IOCTL_SET_CLIENT_NAME
	DRM_IOCTL_NR(DRM_IOCTL_SET_CLIENT_NAME),
#endif
};

/*
 * Decide before the DRM core sees an ioctl: 0 to hand it over, or the
 * errno. Undefined driver numbers get -ENOTTY (drm_ioctl() would say
 * -EINVAL); core ioctls off the list get -EACCES, as a render node
 * answers them.
 */
static int edgenpu_ioctl_filter(unsigned int cmd)
{
	unsigned int nr = DRM_IOCTL_NR(cmd), i;

	if (_IOC_TYPE(cmd) != DRM_IOCTL_BASE)
		return -ENOTTY;
	if (nr >= DRM_COMMAND_BASE && nr < DRM_COMMAND_END)
		return nr - DRM_COMMAND_BASE < ARRAY_SIZE(edgenpu_ioctls) ?
		       0 : -ENOTTY;
	for (i = 0; i < ARRAY_SIZE(edgenpu_core_ioctls); i++)
		if (nr == edgenpu_core_ioctls[i])
			return 0;
	return -EACCES;
}

/*
 * DRM_IOCTL_SYNCOBJ_DESTROY of handle 0 fails with -EINVAL on 7.2, but
 * first frees the xarray's reserved index 0, so that the file's next
 * syncobj gets handle 0, which the uapi reserves for "none". Answer it
 * here, as the core would. An argument too short to hold a handle is
 * zero-filled by the core, so it means handle 0 too. (A thread changing
 * the handle between this read and the core's copy only hurts its own
 * file's handle numbering.)
 */
static int edgenpu_ioctl_syncobj_destroy(unsigned int cmd, unsigned long arg)
{
	u32 handle = 0;

	if (DRM_IOCTL_NR(cmd) != DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_DESTROY))
		return 0;
	if ((_IOC_DIR(cmd) & _IOC_WRITE) && _IOC_SIZE(cmd) >= sizeof(handle) &&
	    get_user(handle, (u32 __user *)arg))
		return -EFAULT;
	return handle ? 0 : -EINVAL;
}

static long edgenpu_unlocked_ioctl(struct file *filp, unsigned int cmd,
				   unsigned long arg)
{
	int ret = edgenpu_ioctl_filter(cmd);

	if (!ret)
		ret = edgenpu_ioctl_syncobj_destroy(cmd, arg);
	return ret ? ret : drm_ioctl(filp, cmd, arg);
}

#ifdef CONFIG_COMPAT
static long edgenpu_compat_ioctl(struct file *filp, unsigned int cmd,
				 unsigned long arg)
{
	int ret = edgenpu_ioctl_filter(cmd);

	if (!ret)
		ret = edgenpu_ioctl_syncobj_destroy(cmd, (unsigned long)compat_ptr(arg));
	return ret ? ret : drm_compat_ioctl(filp, cmd, arg);
}
#else
#define edgenpu_compat_ioctl NULL
#endif

static const struct file_operations edgenpu_fops = {
	.owner = THIS_MODULE,
	.open = accel_open,
	.release = drm_release,
	.unlocked_ioctl = edgenpu_unlocked_ioctl,
	.compat_ioctl = edgenpu_compat_ioctl,
	.poll = drm_poll,
	.read = drm_read,
	.llseek = noop_llseek,
	.mmap = drm_gem_mmap,
	.show_fdinfo = drm_show_fdinfo,
	.fop_flags = FOP_UNSIGNED_OFFSET,
};

static const struct drm_driver edgenpu_drm_driver = {
	.driver_features = DRIVER_COMPUTE_ACCEL | DRIVER_GEM | DRIVER_SYNCOBJ |
			   DRIVER_SYNCOBJ_TIMELINE,
	.open = edgenpu_file_open,
	.postclose = edgenpu_file_close,
	.gem_create_object = edgenpu_gem_create_object,
	.gem_prime_import_sg_table = drm_gem_shmem_prime_import_sg_table,
	.show_fdinfo = edgenpu_show_fdinfo,
	.ioctls = edgenpu_ioctls,
	.num_ioctls = ARRAY_SIZE(edgenpu_ioctls),
	.fops = &edgenpu_fops,
	.name = EDGENPU_DRIVER_NAME,
	.desc = EDGENPU_DRIVER_DESC,
	EDGENPU_DRM_DRIVER_DATE("20261125")
	.major = EDGENPU_VERSION_MAJOR,
	.minor = EDGENPU_VERSION_MINOR,
	.patchlevel = EDGENPU_VERSION_PATCH,
};

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
	kvfree(edev->validate_scratch);
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

	if (!edev->caps.num_cores || edev->caps.num_cores > EDGENPU_MAX_CORES)
		return -EINVAL;
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
	ret = drmm_mutex_init(&edev->drm, &edev->validate_lock);
	if (ret)
		return ret;
	edev->validate_scratch = kvzalloc(EDGENPU_ENGINE_SCRATCH_SIZE, GFP_KERNEL);
	if (!edev->validate_scratch)
		return -ENOMEM;
	ret = edgenpu_sched_init(edev);
	if (ret) {
		kvfree(edev->validate_scratch);
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
 * now on. The memory goes with the parent's devres.
 */
void edgenpu_device_destroy(struct edgenpu_device *edev)
{
	drm_dev_unplug(&edev->drm);
	edgenpu_jobs_drain(edev);
}
EXPORT_SYMBOL_IF_KUNIT(edgenpu_device_destroy);

static int __init edgenpu_init(void)
{
	return vnpu_init();
}

static void __exit edgenpu_exit(void)
{
	vnpu_exit();
	ida_destroy(&edgenpu_ida);
}

module_init(edgenpu_init);
module_exit(edgenpu_exit);

MODULE_AUTHOR("The edgenpu developers");
MODULE_DESCRIPTION(EDGENPU_DRIVER_DESC);
MODULE_LICENSE("GPL");
MODULE_VERSION(__stringify(EDGENPU_VERSION_MAJOR) "."
	       __stringify(EDGENPU_VERSION_MINOR) "."
	       __stringify(EDGENPU_VERSION_PATCH));
