// SPDX-License-Identifier: GPL-2.0-only
/*
 * vnpu: the virtual reference NPU backend.
 *
 * Each vnpu is a platform device of its own, so it can be bound,
 * unbound and power-managed like real hardware, and needs none. Each
 * core is an ordered workqueue that runs the engine over the job's
 * mapped buffers; the end of a job is raised as a simulated interrupt
 * (an irq_work, which runs in hard IRQ context like a real handler).
 */

#include <linux/bitops.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/irq_work.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/pm_runtime.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include <drm/edgenpu_accel.h>

#include "../edgenpu_backend.h"
#include "../engine/edgenpu_engine.h"
#include "vnpu.h"

#define VNPU_DRIVER_NAME	"edgenpu-vnpu"
#define VNPU_MAX_DEVICES	16
#define VNPU_AUTOSUSPEND_MS	100

static unsigned int num_devices = 1;
module_param(num_devices, uint, 0444);
MODULE_PARM_DESC(num_devices, "Virtual NPUs created at load (0-16, default 1)");

static unsigned int num_cores = 2;
module_param(num_cores, uint, 0444);
MODULE_PARM_DESC(num_cores, "Cores per virtual NPU (1-8, default 2)");

struct vnpu_device;

/**
 * struct vnpu_core - one simulated execution core
 * @vdev: its device
 * @index: core number
 * @wq: the core's execution queue; ordered, one job at a time
 * @work: executes @job
 * @irq: the simulated completion interrupt
 * @lock: protects @job
 * @job: the job in flight, owned by the core until its interrupt
 * @result: the finished job's status, read by the interrupt
 * @cancel: set during a reset; the engine stops between ops
 * @scratch: the engine's work area
 */
struct vnpu_core {
	struct vnpu_device *vdev;
	unsigned int index;
	struct workqueue_struct *wq;
	struct work_struct work;
	struct irq_work irq;
	spinlock_t lock; /* protects job */
	struct edgenpu_job *job;
	int result;
	atomic_t cancel;
	void *scratch;
};

/**
 * struct vnpu_device - one virtual NPU
 * @pdev: its platform device
 * @edev: the core's view of it
 * @num_cores: execution cores
 * @cores: the cores
 * @hang_next: fault injection: the next N jobs never complete
 * @fail_next: fault injection: the next N jobs fail with -EIO
 * @latency_us: fault injection: added to every job
 * @corrupt_next: fault injection: the next N jobs complete with one bit of
 *	their last writable buffer flipped
 * @powered: simulated power state (runtime PM)
 * @debugfs: the device's debugfs directory
 */
struct vnpu_device {
	struct platform_device *pdev;
	struct edgenpu_device *edev;
	unsigned int num_cores;
	struct vnpu_core cores[EDGENPU_MAX_CORES];
	atomic_t hang_next;
	atomic_t fail_next;
	u32 latency_us;
	atomic_t corrupt_next;
	bool powered;
	struct dentry *debugfs;
};

static struct platform_device *vnpu_pdevs[VNPU_MAX_DEVICES];
static DEFINE_MUTEX(vnpu_pdevs_lock);	/* protects vnpu_pdevs */
static struct dentry *vnpu_debugfs_root;

static void vnpu_get_caps(void *priv, struct drm_edgenpu_caps *caps)
{
	struct vnpu_device *vdev = priv;

	caps->num_cores = vdev->num_cores;
	caps->timestamp_hz = NSEC_PER_SEC;
	/* The vnpu executes every op of this command stream version. */
	caps->op_mask = GENMASK_ULL(EDGENPU_OP_COUNT - 1, EDGENPU_OP_CONV_2D);
	caps->max_bo_size = SZ_1G;
	caps->flags = DRM_EDGENPU_CAP_F_FAULT_INJECTION;
	/* A core's worker runs one job: the next waits in the scheduler. */
	caps->core_queue_depth = 1;
}

static int vnpu_cancelled(void *ctx)
{
	struct vnpu_core *core = ctx;

	return atomic_read(&core->cancel);
}

static void vnpu_core_work(struct work_struct *work)
{
	struct vnpu_core *core = container_of(work, struct vnpu_core, work);
	struct vnpu_device *vdev = core->vdev;
	struct edgenpu_job *job;
	int ret;

	spin_lock_irq(&core->lock);
	job = core->job;
	spin_unlock_irq(&core->lock);
	if (!job)
		return;

	/* A hung core simply never raises its interrupt. */
	if (atomic_dec_if_positive(&vdev->hang_next) >= 0)
		return;
	if (READ_ONCE(vdev->latency_us))
		fsleep(READ_ONCE(vdev->latency_us));
	if (atomic_dec_if_positive(&vdev->fail_next) >= 0)
		ret = -EIO;
	else
		ret = edgenpu_job_execute(job, core->scratch, vnpu_cancelled, core);
	/* Stopped by a reset: the core fails the job, no interrupt. */
	if (ret == -ECANCELED && atomic_read(&core->cancel))
		return;
	if (!ret && atomic_dec_if_positive(&vdev->corrupt_next) >= 0)
		edgenpu_job_corrupt(job);

	core->result = ret;
	irq_work_queue(&core->irq);
}

static void vnpu_core_irq(struct irq_work *irq)
{
	struct vnpu_core *core = container_of(irq, struct vnpu_core, irq);
	struct edgenpu_job *job;
	unsigned long flags;

	spin_lock_irqsave(&core->lock, flags);
	job = core->job;
	core->job = NULL;
	spin_unlock_irqrestore(&core->lock, flags);
	if (!job)
		return;	/* reset got there first */
	edgenpu_job_done(job, core->result);
}

static void vnpu_run_job(void *priv, struct edgenpu_job *job)
{
	struct vnpu_device *vdev = priv;
	struct vnpu_core *core = &vdev->cores[edgenpu_job_core(job)];

	/* The job holds a runtime PM reference from its submission on. */
	spin_lock_irq(&core->lock);
	core->job = job;
	spin_unlock_irq(&core->lock);
	queue_work(core->wq, &core->work);
}

/*
 * Stop the core within one engine preemption interval: the engine polls
 * the cancel flag well under a millisecond of work apart, so this never
 * waits for an op to finish. A job that completed before the cancel took
 * effect is reported by its interrupt here; one that was stopped, or a
 * hung one, is left to the core.
 */
static void vnpu_reset(void *priv, unsigned int index)
{
	struct vnpu_device *vdev = priv;
	struct vnpu_core *core = &vdev->cores[index];

	atomic_set(&core->cancel, 1);
	flush_work(&core->work);
	irq_work_sync(&core->irq);
	spin_lock_irq(&core->lock);
	core->job = NULL;
	spin_unlock_irq(&core->lock);
	atomic_set(&core->cancel, 0);
}

/*
 * One job per core: the core's work item runs the job on the CPU, and
 * nothing would be gained by queueing the next behind it.
 */
static const struct edgenpu_backend_ops vnpu_backend_ops = {
	.name = "vnpu",
	.get_caps = vnpu_get_caps,
	.run_job = vnpu_run_job,
	.reset = vnpu_reset,
};

static int vnpu_runtime_suspend(struct device *dev)
{
	struct vnpu_device *vdev = dev_get_drvdata(dev);

	WRITE_ONCE(vdev->powered, false);
	return 0;
}

static int vnpu_runtime_resume(struct device *dev)
{
	struct vnpu_device *vdev = dev_get_drvdata(dev);

	WRITE_ONCE(vdev->powered, true);
	return 0;
}

static const struct dev_pm_ops vnpu_pm_ops = {
	RUNTIME_PM_OPS(vnpu_runtime_suspend, vnpu_runtime_resume, NULL)
};

static ssize_t power_state_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	struct vnpu_device *vdev = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%s\n", READ_ONCE(vdev->powered) ? "on" : "off");
}
static DEVICE_ATTR_RO(power_state);

static ssize_t jobs_completed_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	struct vnpu_device *vdev = dev_get_drvdata(dev);
	struct edgenpu_device_stats st;

	edgenpu_device_read_stats(vdev->edev, &st);
	return sysfs_emit(buf, "%llu\n", st.jobs_done);
}
static DEVICE_ATTR_RO(jobs_completed);

static ssize_t jobs_failed_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	struct vnpu_device *vdev = dev_get_drvdata(dev);
	struct edgenpu_device_stats st;

	edgenpu_device_read_stats(vdev->edev, &st);
	return sysfs_emit(buf, "%llu\n", st.jobs_failed);
}
static DEVICE_ATTR_RO(jobs_failed);

static ssize_t busy_time_ns_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	struct vnpu_device *vdev = dev_get_drvdata(dev);
	struct edgenpu_device_stats st;

	edgenpu_device_read_stats(vdev->edev, &st);
	return sysfs_emit(buf, "%llu\n", st.busy_ns);
}
static DEVICE_ATTR_RO(busy_time_ns);

static struct attribute *vnpu_attrs[] = {
	&dev_attr_power_state.attr,
	&dev_attr_jobs_completed.attr,
	&dev_attr_jobs_failed.attr,
	&dev_attr_busy_time_ns.attr,
	NULL
};
ATTRIBUTE_GROUPS(vnpu);

static int vnpu_resets_show(struct seq_file *m, void *data)
{
	struct vnpu_device *vdev = m->private;
	unsigned int i;

	for (i = 0; i < vdev->num_cores; i++)
		seq_printf(m, "core%u %u\n", i, edgenpu_core_resets(vdev->edev, i));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vnpu_resets);

static void vnpu_debugfs_init(struct vnpu_device *vdev)
{
	struct dentry *d;

	d = debugfs_create_dir(dev_name(&vdev->pdev->dev), vnpu_debugfs_root);
	vdev->debugfs = d;
	debugfs_create_atomic_t("hang_next", 0600, d, &vdev->hang_next);
	debugfs_create_atomic_t("fail_next", 0600, d, &vdev->fail_next);
	debugfs_create_u32("latency_us", 0600, d, &vdev->latency_us);
	debugfs_create_atomic_t("corrupt_next", 0600, d, &vdev->corrupt_next);
	debugfs_create_file("resets", 0400, d, vdev, &vnpu_resets_fops);
}

static void vnpu_cores_fini(struct vnpu_device *vdev)
{
	unsigned int i;

	for (i = 0; i < vdev->num_cores; i++) {
		struct vnpu_core *core = &vdev->cores[i];

		if (core->wq)
			destroy_workqueue(core->wq);
		irq_work_sync(&core->irq);
		vfree(core->scratch);
	}
}

static int vnpu_cores_init(struct vnpu_device *vdev)
{
	unsigned int i;

	for (i = 0; i < vdev->num_cores; i++) {
		struct vnpu_core *core = &vdev->cores[i];

		core->vdev = vdev;
		core->index = i;
		spin_lock_init(&core->lock);
		INIT_WORK(&core->work, vnpu_core_work);
		init_irq_work(&core->irq, vnpu_core_irq);
		core->scratch = vmalloc(EDGENPU_ENGINE_SCRATCH_SIZE);
		core->wq = alloc_ordered_workqueue("%s-core%u", 0,
						   dev_name(&vdev->pdev->dev), i);
		if (!core->scratch || !core->wq) {
			vnpu_cores_fini(vdev);
			return -ENOMEM;
		}
	}
	return 0;
}

static int vnpu_probe(struct platform_device *pdev)
{
	struct vnpu_device *vdev;
	int ret;

	vdev = devm_kzalloc(&pdev->dev, sizeof(*vdev), GFP_KERNEL);
	if (!vdev)
		return -ENOMEM;
	vdev->pdev = pdev;
	vdev->num_cores = clamp_val(num_cores, 1, EDGENPU_MAX_CORES);
	platform_set_drvdata(pdev, vdev);

	ret = vnpu_cores_init(vdev);
	if (ret)
		return ret;
	pm_runtime_set_autosuspend_delay(&pdev->dev, VNPU_AUTOSUSPEND_MS);
	pm_runtime_use_autosuspend(&pdev->dev);
	ret = devm_pm_runtime_enable(&pdev->dev);
	if (ret)
		goto err;

	vdev->edev = edgenpu_device_create(&pdev->dev, &vnpu_backend_ops, vdev);
	if (IS_ERR(vdev->edev)) {
		ret = PTR_ERR(vdev->edev);
		goto err;
	}
	vnpu_debugfs_init(vdev);
	return 0;

err:
	vnpu_cores_fini(vdev);
	return ret;
}

static void vnpu_remove(struct platform_device *pdev)
{
	struct vnpu_device *vdev = platform_get_drvdata(pdev);

	debugfs_remove_recursive(vdev->debugfs);
	/* Unplugs, resets every core (vnpu_reset) and waits out the jobs. */
	edgenpu_device_destroy(vdev->edev);
	vnpu_cores_fini(vdev);
}

/* Create vnpu N in a free slot; the caller holds vnpu_pdevs_lock. */
static int vnpu_add_locked(unsigned int id)
{
	struct platform_device *pdev;

	if (id >= VNPU_MAX_DEVICES)
		return -EINVAL;
	if (vnpu_pdevs[id])
		return -EEXIST;
	pdev = platform_device_register_simple(VNPU_DRIVER_NAME, id, NULL, 0);
	if (IS_ERR(pdev))
		return PTR_ERR(pdev);
	vnpu_pdevs[id] = pdev;
	return 0;
}

/*
 * Driver attributes: echo N > new_device creates edgenpu-vnpu.N (or the
 * first free one for "auto"), echo N > delete_device removes it.
 */
static ssize_t new_device_store(struct device_driver *drv, const char *buf,
				size_t count)
{
	unsigned int id;
	int ret = -ENOSPC;

	mutex_lock(&vnpu_pdevs_lock);
	if (sysfs_streq(buf, "auto")) {
		for (id = 0; id < VNPU_MAX_DEVICES && ret == -ENOSPC; id++)
			if (!vnpu_pdevs[id])
				ret = vnpu_add_locked(id);
	} else {
		ret = kstrtouint(buf, 0, &id);
		if (!ret)
			ret = vnpu_add_locked(id);
	}
	mutex_unlock(&vnpu_pdevs_lock);
	return ret ? ret : count;
}
static DRIVER_ATTR_WO(new_device);

static ssize_t delete_device_store(struct device_driver *drv, const char *buf,
				   size_t count)
{
	struct platform_device *pdev = NULL;
	unsigned int id;
	int ret;

	ret = kstrtouint(buf, 0, &id);
	if (ret)
		return ret;
	if (id >= VNPU_MAX_DEVICES)
		return -EINVAL;
	mutex_lock(&vnpu_pdevs_lock);
	pdev = vnpu_pdevs[id];
	vnpu_pdevs[id] = NULL;
	mutex_unlock(&vnpu_pdevs_lock);
	if (!pdev)
		return -ENODEV;
	platform_device_unregister(pdev);
	return count;
}
static DRIVER_ATTR_WO(delete_device);

static struct attribute *vnpu_drv_attrs[] = {
	&driver_attr_new_device.attr,
	&driver_attr_delete_device.attr,
	NULL
};
ATTRIBUTE_GROUPS(vnpu_drv);

static struct platform_driver vnpu_platform_driver = {
	.probe = vnpu_probe,
	.remove = vnpu_remove,
	.driver = {
		.name = VNPU_DRIVER_NAME,
		.dev_groups = vnpu_groups,
		.groups = vnpu_drv_groups,
		.pm = pm_ptr(&vnpu_pm_ops),
	},
};

static void vnpu_destroy_devices(void)
{
	int i;

	mutex_lock(&vnpu_pdevs_lock);
	for (i = VNPU_MAX_DEVICES - 1; i >= 0; i--) {
		if (vnpu_pdevs[i])
			platform_device_unregister(vnpu_pdevs[i]);
		vnpu_pdevs[i] = NULL;
	}
	mutex_unlock(&vnpu_pdevs_lock);
}

static int vnpu_init(void)
{
	unsigned int i;
	int ret;

	if (num_devices > VNPU_MAX_DEVICES) {
		pr_err("edgenpu: num_devices=%u is over the limit of %u\n",
		       num_devices, VNPU_MAX_DEVICES);
		return -EINVAL;
	}

	vnpu_debugfs_root = debugfs_create_dir("edgenpu", NULL);
	ret = platform_driver_register(&vnpu_platform_driver);
	if (ret)
		goto err_debugfs;

	mutex_lock(&vnpu_pdevs_lock);
	for (i = 0; i < num_devices && !ret; i++)
		ret = vnpu_add_locked(i);
	mutex_unlock(&vnpu_pdevs_lock);
	if (ret)
		goto err;
	return 0;

err:
	vnpu_destroy_devices();
	platform_driver_unregister(&vnpu_platform_driver);
err_debugfs:
	debugfs_remove_recursive(vnpu_debugfs_root);
	return ret;
}

static void vnpu_exit(void)
{
	vnpu_destroy_devices();
	platform_driver_unregister(&vnpu_platform_driver);
	debugfs_remove_recursive(vnpu_debugfs_root);
}

const struct edgenpu_backend_driver vnpu_backend_driver = {
	.name = "vnpu",
	.init = vnpu_init,
	.exit = vnpu_exit,
};
