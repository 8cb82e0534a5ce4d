// SPDX-License-Identifier: GPL-2.0-only
/*
 * edgenpu observability: debugfs (under the accel minor's directory)
 * and fdinfo. sysfs counters are the backend's, on its device.
 */

#include <linux/idr.h>
#include <linux/seq_file.h>

#include <drm/drm_debugfs.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_print.h>

#include "edgenpu_debugfs.h"
#include "edgenpu_device.h"
#include "edgenpu_file.h"

static struct edgenpu_device *edgenpu_debugfs_dev(struct seq_file *m)
{
	struct drm_debugfs_entry *entry = m->private;

	return to_edgenpu_device(entry->dev);
}

/* The last EDGENPU_JOB_RING finished jobs, oldest first. */
static int edgenpu_debugfs_jobs(struct seq_file *m, void *data)
{
	struct edgenpu_device *edev = edgenpu_debugfs_dev(m);
	struct edgenpu_job_record r;
	u32 i, next;

	seq_puts(m, "seqno pid core status duration_ns end_ns\n");
	spin_lock_irq(&edev->ring_lock);
	next = edev->ring_next;
	spin_unlock_irq(&edev->ring_lock);
	for (i = next > EDGENPU_JOB_RING ? next - EDGENPU_JOB_RING : 0; i < next; i++) {
		spin_lock_irq(&edev->ring_lock);
		r = edev->ring[i % EDGENPU_JOB_RING];
		spin_unlock_irq(&edev->ring_lock);
		seq_printf(m, "%llu %d %u %d %llu %llu\n", r.seqno, r.pid, r.core,
			   r.error, r.duration_ns, r.end_ns);
	}
	return 0;
}

static int edgenpu_debugfs_stats(struct seq_file *m, void *data)
{
	struct edgenpu_device *edev = edgenpu_debugfs_dev(m);
	struct edgenpu_device_stats st;
	u32 i;

	edgenpu_device_read_stats(edev, &st);
	seq_printf(m, "jobs_done %llu\n", st.jobs_done);
	seq_printf(m, "jobs_failed %llu\n", st.jobs_failed);
	seq_printf(m, "busy_ns %llu\n", st.busy_ns);
	for (i = 0; i < edev->caps.num_cores; i++) {
		seq_printf(m, "core%u_resets %u\n", i, edgenpu_core_resets(edev, i));
		seq_printf(m, "core%u_last_reset_us %llu\n", i,
			   div_u64(edgenpu_core_last_reset_ns(edev, i),
				   NSEC_PER_USEC));
	}
	return 0;
}

struct edgenpu_bo_count {
	u32 count;
	u64 bytes;
};

static int edgenpu_count_bo(int id, void *ptr, void *data)
{
	struct drm_gem_object *obj = ptr;
	struct edgenpu_bo_count *c = data;

	c->count++;
	c->bytes += obj->size;
	return 0;
}

/* Buffer objects of each open file. */
static int edgenpu_debugfs_bos(struct seq_file *m, void *data)
{
	struct edgenpu_device *edev = edgenpu_debugfs_dev(m);
	struct drm_device *drm = &edev->drm;
	struct drm_file *file;

	seq_puts(m, "client_id bos bytes\n");
	mutex_lock(&drm->filelist_mutex);
	list_for_each_entry(file, &drm->filelist, lhead) {
		struct edgenpu_bo_count c = { 0 };

		spin_lock(&file->table_lock);
		idr_for_each(&file->object_idr, edgenpu_count_bo, &c);
		spin_unlock(&file->table_lock);
		seq_printf(m, "%llu %u %llu\n", file->client_id, c.count, c.bytes);
	}
	mutex_unlock(&drm->filelist_mutex);
	return 0;
}

/**
 * edgenpu_debugfs_init() - the device's files under its accel minor
 * @edev: the device, not yet registered
 */
void edgenpu_debugfs_init(struct edgenpu_device *edev)
{
	drm_debugfs_add_file(&edev->drm, "edgenpu_jobs", edgenpu_debugfs_jobs, NULL);
	drm_debugfs_add_file(&edev->drm, "edgenpu_stats", edgenpu_debugfs_stats, NULL);
	drm_debugfs_add_file(&edev->drm, "edgenpu_bos", edgenpu_debugfs_bos, NULL);
}

/**
 * edgenpu_show_fdinfo() - fdinfo: the standard DRM keys, read by tools
 *	such as gputop
 * @p: where to print
 * @file: the file
 */
void edgenpu_show_fdinfo(struct drm_printer *p, struct drm_file *file)
{
	struct edgenpu_file *efile = file->driver_priv;

	drm_printf(p, "drm-engine-npu:\t%lld ns\n", atomic64_read(&efile->busy_ns));
	drm_show_memory_stats(p, file);
}
