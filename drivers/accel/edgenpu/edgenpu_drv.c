// SPDX-License-Identifier: GPL-2.0-only
/*
 * edgenpu: the DRM accel driver and the module.
 *
 * The driver's ioctl table and the filter in front of the DRM core's
 * ioctls; module init starts the built-in backends (edgenpu_backends.c),
 * which create the devices (edgenpu_device.c).
 */

#include <linux/compat.h>
#include <linux/module.h>
#include <linux/uaccess.h>

#include <drm/drm_accel.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_gem_shmem_helper.h>

#include <kunit/visibility.h>

#include "edgenpu_compat.h"
#include "edgenpu_debugfs.h"
#include "edgenpu_device.h"
#include "edgenpu_drv.h"
#include "edgenpu_file.h"
#include "edgenpu_gem.h"
#include "edgenpu_ioctl.h"

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
	.open = edgenpu_node_open,
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

const struct drm_driver edgenpu_drm_driver = {
	.driver_features = EDGENPU_DRIVER_NODE | DRIVER_GEM | DRIVER_SYNCOBJ |
			   DRIVER_SYNCOBJ_TIMELINE,
	.open = edgenpu_file_open,
	.postclose = edgenpu_file_close,
	.gem_create_object = edgenpu_gem_create_object,
	.gem_prime_import_sg_table = edgenpu_gem_prime_import_sg_table,
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

/**
 * edgenpu_backends_stop() - stop backends, last first
 * @list: the backends
 * @count: how many of them, from the first, were started
 */
VISIBLE_IF_KUNIT void
edgenpu_backends_stop(const struct edgenpu_backend_driver *const *list,
		      unsigned int count)
{
	while (count--)
		list[count]->exit();
}
EXPORT_SYMBOL_IF_KUNIT(edgenpu_backends_stop);

/**
 * edgenpu_backends_start() - start backends in order: all of them or none
 * @list: the backends
 * @count: how many
 *
 * Return: 0, or the negative errno of the first that failed, after the
 * ones started before it were stopped.
 */
VISIBLE_IF_KUNIT int
edgenpu_backends_start(const struct edgenpu_backend_driver *const *list,
		       unsigned int count)
{
	unsigned int i;
	int ret;

	for (i = 0; i < count; i++) {
		ret = list[i]->init();
		if (ret)
			goto err;
	}
	return 0;

err:
	pr_err("edgenpu: the %s backend failed to start (%d)\n",
	       list[i]->name, ret);
	edgenpu_backends_stop(list, i);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(edgenpu_backends_start);

static int __init edgenpu_init(void)
{
	return edgenpu_backends_start(edgenpu_backends, edgenpu_num_backends);
}

static void __exit edgenpu_exit(void)
{
	edgenpu_backends_stop(edgenpu_backends, edgenpu_num_backends);
	edgenpu_device_ids_destroy();
}

module_init(edgenpu_init);
module_exit(edgenpu_exit);

MODULE_AUTHOR("The edgenpu developers");
MODULE_DESCRIPTION(EDGENPU_DRIVER_DESC);
MODULE_LICENSE("GPL");
MODULE_VERSION(__stringify(EDGENPU_VERSION_MAJOR) "."
	       __stringify(EDGENPU_VERSION_MINOR) "."
	       __stringify(EDGENPU_VERSION_PATCH));
