// SPDX-License-Identifier: GPL-2.0-only
/*
 * edgenpu files: the state of each open file (its scheduler entities,
 * its job table for WAIT, its limits' counters) and its last error,
 * which DRM_EDGENPU_QUERY_LAST_ERROR reads. A file's jobs and buffer
 * objects hold references on it: it is freed after the last one.
 */

#include <linux/cred.h>
#include <linux/dma-fence.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>

#include <kunit/visibility.h>

#include "edgenpu_compat.h"
#include "edgenpu_device.h"
#include "edgenpu_file.h"

static const enum drm_sched_priority edgenpu_prio_map[EDGENPU_NUM_PRIOS] = {
	[DRM_EDGENPU_PRIO_LOW] = DRM_SCHED_PRIORITY_LOW,
	[DRM_EDGENPU_PRIO_NORMAL] = DRM_SCHED_PRIORITY_NORMAL,
	[DRM_EDGENPU_PRIO_HIGH] = DRM_SCHED_PRIORITY_HIGH,
};

/*
 * The backend's state for a new file. An open that raced with removal
 * must not reach the backend: the backend frees the state of every file
 * at removal, and its device with it.
 */
static int edgenpu_file_backend_open(struct edgenpu_device *edev,
				     struct edgenpu_file *efile)
{
	int idx, ret;

	if (!edev->ops->file_open)
		return 0;
	if (!drm_dev_enter(&edev->drm, &idx))
		return -ENODEV;
	ret = edev->ops->file_open(edev->priv, &efile->backend_ctx);
	drm_dev_exit(idx);
	return ret;
}

/**
 * edgenpu_file_open() - the DRM core's open hook
 * @drm: the device
 * @file: the new file
 *
 * Return: 0 or a negative errno.
 */
int edgenpu_file_open(struct drm_device *drm, struct drm_file *file)
{
	struct edgenpu_device *edev = to_edgenpu_device(drm);
	struct edgenpu_file *efile;
	unsigned int i;
	int ret;

	efile = kzalloc_obj(*efile, GFP_KERNEL_ACCOUNT);
	if (!efile)
		return -ENOMEM;
	kref_init(&efile->ref);
	mutex_init(&efile->submit_lock);
	efile->edev = edev;
	efile->uid = current_euid();
	xa_init(&efile->jobs);
	spin_lock_init(&efile->error_lock);

	/* The entities keep the list: it lives in the device. */
	for (i = 0; i < EDGENPU_NUM_PRIOS; i++) {
		ret = drm_sched_entity_init(&efile->entities[i],
					    edgenpu_prio_map[i], edev->scheds,
					    edev->caps.num_cores, NULL);
		if (ret)
			goto err;
	}
	ret = edgenpu_file_backend_open(edev, efile);
	if (ret)
		goto err;
	file->driver_priv = efile;
	return 0;

err:
	while (i--)
		drm_sched_entity_destroy(&efile->entities[i]);
	kfree(efile);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(edgenpu_file_open);

/**
 * edgenpu_file_close() - the DRM core's postclose hook
 * @drm: the device
 * @file: the closing file
 *
 * The state goes when the file's last job and buffer object are freed.
 */
void edgenpu_file_close(struct drm_device *drm, struct drm_file *file)
{
	struct edgenpu_file *efile = file->driver_priv;
	struct dma_fence *fence;
	unsigned long id;
	unsigned int i;

	/* Waits for this file's queued jobs, or kills them after a while. */
	for (i = 0; i < EDGENPU_NUM_PRIOS; i++)
		drm_sched_entity_destroy(&efile->entities[i]);
	xa_for_each(&efile->jobs, id, fence)
		dma_fence_put(fence);
	xa_destroy(&efile->jobs);
	edgenpu_file_put(efile);
}
EXPORT_SYMBOL_IF_KUNIT(edgenpu_file_close);

/*
 * The backend's file state goes with the last job and buffer object of
 * the file, which may use it; once removal has begun, the backend frees
 * it itself.
 */
static void edgenpu_file_release(struct kref *ref)
{
	struct edgenpu_file *efile = container_of(ref, struct edgenpu_file, ref);
	struct edgenpu_device *edev = efile->edev;
	int idx;

	if (efile->backend_ctx && drm_dev_enter(&edev->drm, &idx)) {
		edev->ops->file_close(edev->priv, efile->backend_ctx);
		drm_dev_exit(idx);
	}
	mutex_destroy(&efile->submit_lock);
	kfree(efile);
}

/**
 * edgenpu_file_put() - drop a reference to a file's state
 * @efile: the file
 */
void edgenpu_file_put(struct edgenpu_file *efile)
{
	kref_put(&efile->ref, edgenpu_file_release);
}

/**
 * edgenpu_file_set_last_error() - remember why a job of this file failed
 * @efile: the file
 * @le: the report, as DRM_EDGENPU_QUERY_LAST_ERROR returns it
 */
void edgenpu_file_set_last_error(struct edgenpu_file *efile,
				 const struct drm_edgenpu_last_error *le)
{
	unsigned long flags;

	spin_lock_irqsave(&efile->error_lock, flags);
	memcpy(&efile->last_error, le, sizeof(*le));
	spin_unlock_irqrestore(&efile->error_lock, flags);
}

/**
 * edgenpu_file_set_error() - remember why a job of this file failed
 * @efile: the file
 * @error: negative errno
 * @msg: the reason, or NULL
 * @seqno: the job, or 0 for a rejected SUBMIT
 *
 * For failures the engine did not report (edgenpu_exec.c reports those):
 * no op and no operand is at fault.
 */
void edgenpu_file_set_error(struct edgenpu_file *efile, int error,
			    const char *msg, u64 seqno)
{
	struct drm_edgenpu_last_error le;

	memset(&le, 0, sizeof(le));
	le.error = error;
	le.seqno = seqno;
	le.op_index = -1;
	le.tensor = -1;
	strscpy(le.msg, msg ? msg : "", sizeof(le.msg));
	edgenpu_file_set_last_error(efile, &le);
}

/**
 * edgenpu_file_refuse() - refuse a request of this file, and say why
 * @efile: the file
 * @error: negative errno
 * @msg: the reason, for LAST_ERROR and the debug log
 *
 * Return: @error.
 */
int edgenpu_file_refuse(struct edgenpu_file *efile, int error, const char *msg)
{
	edgenpu_file_set_error(efile, error, msg, 0);
	edgenpu_dbg(efile->edev, "submit refused: %s (%d)\n", msg, error);
	return error;
}
