// SPDX-License-Identifier: GPL-2.0-only
/*
 * enpci: the backend for the reference NPU as a PCI device
 * (Documentation/edgenpu/hardware.rst), as QEMU's edgenpu-pci emulates it.
 *
 * Probe checks the device's identity, reads its capabilities, resets it
 * and programs its MMU context table and the cores' rings; each core
 * gets its own MSI-X vector. Every open file gets a device MMU context
 * (enpci_mmu.c); a job's buffers are mapped into it at submission and
 * unmapped when the job is freed; a job runs from its core's ring
 * (enpci_queue.c), where the next job waits queued behind the running
 * one.
 */

#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/pm_runtime.h>
#include <linux/sizes.h>

#include <drm/edgenpu_accel.h>

#include "enpci_debugfs.h"
#include "enpci_drv.h"
#include "enpci_dump.h"
#include "enpci_mmu.h"
#include "enpci_queue.h"

#define ENPCI_DRIVER_NAME	"edgenpu-pci"

/* Page table entries hold bus addresses up to bit 51. */
#define ENPCI_DMA_BITS		52

#define ENPCI_AUTOSUSPEND_MS	100

static void enpci_get_caps(void *priv, struct drm_edgenpu_caps *caps)
{
	struct enpci_device *npu = priv;

	caps->num_cores = npu->num_cores;
	caps->timestamp_hz = NSEC_PER_SEC;
	caps->op_mask = npu->op_mask;
	/* A buffer table entry has 32 bits for a size. */
	caps->max_bo_size = SZ_1G;
	caps->flags = 0;
	caps->core_queue_depth = npu->max_inflight;
}

static void enpci_run_job(void *priv, struct edgenpu_job *job)
{
	struct enpci_device *npu = priv;

	enpci_queue_run(&npu->cores[edgenpu_job_core(job)], job,
			edgenpu_job_priv(job));
}

static void enpci_reset(void *priv, unsigned int core)
{
	struct enpci_device *npu = priv;

	enpci_queue_reset(&npu->cores[core]);
}

/*
 * Contexts come and go with MMU_INVALIDATE writes, outside any job's
 * runtime PM reference: the device is resumed for them.
 */
static int enpci_file_open(void *priv, void **ctx)
{
	struct enpci_device *npu = priv;
	struct enpci_ctx *c;
	int ret;

	ret = pm_runtime_resume_and_get(&npu->pdev->dev);
	if (ret)
		return ret;
	ret = enpci_ctx_create(npu, &c);
	pm_runtime_put_autosuspend(&npu->pdev->dev);
	if (ret)
		return ret;
	*ctx = c;
	return 0;
}

static void enpci_file_close(void *priv, void *ctx)
{
	struct enpci_device *npu = priv;
	bool active = pm_runtime_resume_and_get(&npu->pdev->dev) == 0;

	enpci_ctx_destroy(ctx);
	if (active)
		pm_runtime_put_autosuspend(&npu->pdev->dev);
}

static int enpci_prepare_job(void *priv, struct edgenpu_job *job)
{
	struct enpci_map *map;

	map = enpci_map_job(edgenpu_job_file_ctx(job), job);
	if (IS_ERR(map))
		return PTR_ERR(map);
	edgenpu_job_set_priv(job, map);
	return 0;
}

static void enpci_cleanup_job(void *priv, struct edgenpu_job *job)
{
	enpci_unmap_job(edgenpu_job_priv(job));
}

/*
 * Static, since the core may read its device's ops until the last open
 * file goes, after remove.
 */
static const struct edgenpu_backend_ops enpci_backend_ops = {
	.name = "pci",
	.get_caps = enpci_get_caps,
	.run_job = enpci_run_job,
	.reset = enpci_reset,
	.file_open = enpci_file_open,
	.file_close = enpci_file_close,
	.prepare_job = enpci_prepare_job,
	.cleanup_job = enpci_cleanup_job,
	.coredump = enpci_dump,
};

/*
 * Runtime PM: IDLE between jobs. Every job holds a runtime PM reference
 * from submission until it is freed, so no core is BUSY here, and IDLE
 * keeps every register: resuming restores nothing.
 */
static int enpci_runtime_suspend(struct device *dev)
{
	struct enpci_device *npu = dev_get_drvdata(dev);

	enpci_write(npu, ENPCI_POWER, ENPCI_POWER_IDLE);
	return 0;
}

static int enpci_runtime_resume(struct device *dev)
{
	struct enpci_device *npu = dev_get_drvdata(dev);

	enpci_write(npu, ENPCI_POWER, ENPCI_POWER_ON);
	return 0;
}

static const struct dev_pm_ops enpci_pm_ops = {
	RUNTIME_PM_OPS(enpci_runtime_suspend, enpci_runtime_resume, NULL)
};

/*
 * The PCI core holds a runtime PM reference across probe and forbids
 * runtime PM by default: drop the one, allow the other, so the device
 * idles when no job needs it. enpci_pm_fini() undoes both.
 */
static void enpci_pm_init(struct enpci_device *npu)
{
	struct device *dev = &npu->pdev->dev;

	pm_runtime_set_autosuspend_delay(dev, ENPCI_AUTOSUSPEND_MS);
	pm_runtime_use_autosuspend(dev);
	pm_runtime_allow(dev);
	pm_runtime_mark_last_busy(dev);
	pm_runtime_put_autosuspend(dev);
}

static void enpci_pm_fini(struct enpci_device *npu)
{
	struct device *dev = &npu->pdev->dev;

	pm_runtime_get_noresume(dev);
	pm_runtime_forbid(dev);
	pm_runtime_dont_use_autosuspend(dev);
}

/* Identify the device and read what it can do. */
static int enpci_read_caps(struct enpci_device *npu)
{
	struct device *dev = &npu->pdev->dev;
	u32 id = enpci_read(npu, ENPCI_ID);
	u32 version = enpci_read(npu, ENPCI_VERSION);
	u32 depth;

	if (id != ENPCI_ID_VALUE || ENPCI_VERSION_MAJOR(version) != 1) {
		dev_err(dev, "not a reference NPU v1 (id %#x, version %#x)\n",
			id, version);
		return -ENODEV;
	}
	npu->features = enpci_read(npu, ENPCI_FEATURES);
	npu->num_cores = enpci_read(npu, ENPCI_NUM_CORES);
	npu->op_mask = enpci_read(npu, ENPCI_OP_MASK_LO) |
		       (u64)enpci_read(npu, ENPCI_OP_MASK_HI) << 32;
	depth = enpci_read(npu, ENPCI_QUEUE_DEPTH);
	npu->num_ctx = enpci_read(npu, ENPCI_MMU_NUM_CTX);
	if (!(npu->features & ENPCI_FEATURES_MMU) || !npu->num_cores ||
	    npu->num_cores > EDGENPU_MAX_CORES || depth < 2 ||
	    npu->num_ctx < 2 || npu->num_ctx > ENPCI_PAGE_SIZE / sizeof(u64)) {
		dev_err(dev, "unsupported configuration (features %#x, %u cores, depth %u, %u contexts)\n",
			npu->features, npu->num_cores, depth, npu->num_ctx);
		return -ENODEV;
	}
	/* A ring is a power of two entries, at most QUEUE_DEPTH. */
	npu->queue_depth = rounddown_pow_of_two(min(depth, 256u));
	/*
	 * A core holds a running job and one queued behind it, so that it
	 * starts the next one without waiting for the driver. The ring
	 * keeps one entry free: HEAD == TAIL means empty.
	 */
	npu->max_inflight = npu->queue_depth > 2 ? ENPCI_MAX_INFLIGHT : 1;
	return 0;
}

/* Reset the device and program its context table and rings. */
static void enpci_hw_init(struct enpci_device *npu)
{
	unsigned int i;

	enpci_write(npu, ENPCI_RESET, 1);
	enpci_write(npu, ENPCI_POWER, ENPCI_POWER_ON);
	enpci_mmu_hw_init(npu);
	for (i = 0; i < npu->num_cores; i++)
		enpci_queue_hw_init(&npu->cores[i]);
}

/* One MSI-X vector per core, vector C for core C. */
static int enpci_irq_init(struct enpci_device *npu)
{
	struct pci_dev *pdev = npu->pdev;
	unsigned int i;
	int ret;

	ret = pci_alloc_irq_vectors(pdev, npu->num_cores, npu->num_cores,
				    PCI_IRQ_MSIX);
	if (ret < 0) {
		/* The device has no other interrupt (a kernel without PCI_MSI). */
		dev_err(&pdev->dev, "cannot get %u MSI-X vectors: %d\n",
			npu->num_cores, ret);
		return ret;
	}
	for (i = 0; i < npu->num_cores; i++) {
		struct enpci_core *core = &npu->cores[i];

		core->irq = pci_irq_vector(pdev, i);
		ret = devm_request_irq(&pdev->dev, core->irq, enpci_queue_irq, 0,
				       ENPCI_DRIVER_NAME, core);
		if (ret)
			return ret;
	}
	return 0;
}

/* Map BAR0, allow DMA: what the device needs before its registers. */
static int enpci_pci_init(struct enpci_device *npu)
{
	struct pci_dev *pdev = npu->pdev;
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	npu->regs = pcim_iomap_region(pdev, 0, ENPCI_DRIVER_NAME);
	if (IS_ERR(npu->regs))
		return PTR_ERR(npu->regs);
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(ENPCI_DMA_BITS));
	if (ret)
		return ret;
	/*
	 * The device MMU maps a segment page by page, so a segment may be
	 * any length; the PCI default of 64 KiB would make the DMA API
	 * (and DMA_API_DEBUG) object to the large segments shmem gives.
	 */
	dma_set_max_seg_size(&pdev->dev, UINT_MAX);
	pci_set_master(pdev);
	return 0;
}

static int enpci_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct enpci_device *npu;
	int ret;

	npu = devm_kzalloc(&pdev->dev, sizeof(*npu), GFP_KERNEL);
	if (!npu)
		return -ENOMEM;
	npu->pdev = pdev;
	pci_set_drvdata(pdev, npu);

	ret = enpci_pci_init(npu);
	if (ret)
		return ret;
	ret = enpci_read_caps(npu);
	if (ret)
		return ret;
	ret = enpci_mmu_init(npu);
	if (ret)
		return ret;
	ret = enpci_queue_init(npu);
	if (ret)
		goto err_mmu;
	enpci_hw_init(npu);
	/* After the memory: devres frees the IRQs before it. */
	ret = enpci_irq_init(npu);
	if (ret)
		goto err_reset;

	enpci_debugfs_init(npu);
	npu->edev = edgenpu_device_create(&pdev->dev,
					  &enpci_backend_ops,
					  npu);
	if (IS_ERR(npu->edev)) {
		ret = PTR_ERR(npu->edev);
		enpci_debugfs_fini(npu);
		goto err_reset;
	}
	enpci_pm_init(npu);
	return 0;

err_reset:
	enpci_write(npu, ENPCI_RESET, 1);
err_mmu:
	enpci_mmu_fini(npu);
	return ret;
}

static void enpci_remove(struct pci_dev *pdev)
{
	struct enpci_device *npu = pci_get_drvdata(pdev);

	/* The PCI core resumed the device for remove; keep it so. */
	enpci_pm_fini(npu);
	/* Unplugs, resets every core (enpci_reset) and waits out the jobs. */
	edgenpu_device_destroy(npu->edev);
	enpci_debugfs_fini(npu);
	/* Nothing runs: stop the device before its memory goes. */
	enpci_write(npu, ENPCI_RESET, 1);
	enpci_mmu_fini(npu);
}

static const struct pci_device_id enpci_ids[] = {
	{ PCI_DEVICE(ENPCI_VENDOR_ID, ENPCI_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, enpci_ids);

static struct pci_driver enpci_pci_driver = {
	.name = ENPCI_DRIVER_NAME,
	.id_table = enpci_ids,
	.probe = enpci_probe,
	.remove = enpci_remove,
	.driver = {
		.pm = pm_ptr(&enpci_pm_ops),
	},
};

static int enpci_init(void)
{
	int ret;

	enpci_debugfs_register();
	ret = pci_register_driver(&enpci_pci_driver);
	if (ret)
		enpci_debugfs_unregister();
	return ret;
}

static void enpci_exit(void)
{
	pci_unregister_driver(&enpci_pci_driver);
	enpci_debugfs_unregister();
}

const struct edgenpu_backend_driver enpci_backend_driver = {
	.name = "pci",
	.init = enpci_init,
	.exit = enpci_exit,
};
