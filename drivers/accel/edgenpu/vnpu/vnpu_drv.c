// SPDX-License-Identifier: GPL-2.0-only
/*
 * vnpu: the virtual reference NPU backend.
 *
 * Each vnpu is a platform device of its own, so it can be bound,
 * unbound and power-managed like real hardware, and needs none.
 */

#include <linux/err.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/slab.h>

#include "../edgenpu_drv.h"
#include "vnpu.h"

#define VNPU_DRIVER_NAME	"edgenpu-vnpu"
#define VNPU_MAX_DEVICES	16
#define VNPU_MAX_CORES		8

static unsigned int num_devices = 1;
module_param(num_devices, uint, 0444);
MODULE_PARM_DESC(num_devices, "Virtual NPUs created at load (0-16, default 1)");

static unsigned int num_cores = 2;
module_param(num_cores, uint, 0444);
MODULE_PARM_DESC(num_cores, "Cores per virtual NPU (1-8, default 2)");

/**
 * struct vnpu_device - one virtual NPU
 * @pdev: its platform device
 * @edev: the core's view of it
 * @num_cores: execution cores
 */
struct vnpu_device {
	struct platform_device *pdev;
	struct edgenpu_device *edev;
	unsigned int num_cores;
};

static struct platform_device *vnpu_pdevs[VNPU_MAX_DEVICES];

static void vnpu_get_caps(void *priv, struct drm_edgenpu_caps *caps)
{
	struct vnpu_device *vdev = priv;

	caps->num_cores = vdev->num_cores;
	caps->timestamp_hz = NSEC_PER_SEC;
}

static const struct edgenpu_backend_ops vnpu_backend_ops = {
	.name = "vnpu",
	.get_caps = vnpu_get_caps,
};

static int vnpu_probe(struct platform_device *pdev)
{
	struct vnpu_device *vdev;

	vdev = devm_kzalloc(&pdev->dev, sizeof(*vdev), GFP_KERNEL);
	if (!vdev)
		return -ENOMEM;
	vdev->pdev = pdev;
	vdev->num_cores = clamp_val(num_cores, 1, VNPU_MAX_CORES);

	vdev->edev = edgenpu_device_create(&pdev->dev, &vnpu_backend_ops, vdev);
	if (IS_ERR(vdev->edev))
		return PTR_ERR(vdev->edev);
	platform_set_drvdata(pdev, vdev);
	return 0;
}

static void vnpu_remove(struct platform_device *pdev)
{
	struct vnpu_device *vdev = platform_get_drvdata(pdev);

	edgenpu_device_destroy(vdev->edev);
}

static struct platform_driver vnpu_platform_driver = {
	.probe = vnpu_probe,
	.remove = vnpu_remove,
	.driver = {
		.name = VNPU_DRIVER_NAME,
	},
};

static void vnpu_destroy_devices(void)
{
	int i;

	for (i = VNPU_MAX_DEVICES - 1; i >= 0; i--) {
		if (vnpu_pdevs[i])
			platform_device_unregister(vnpu_pdevs[i]);
		vnpu_pdevs[i] = NULL;
	}
}

int vnpu_init(void)
{
	struct platform_device *pdev;
	unsigned int i;
	int ret;

	if (num_devices > VNPU_MAX_DEVICES) {
		pr_err("edgenpu: num_devices=%u is over the limit of %u\n",
		       num_devices, VNPU_MAX_DEVICES);
		return -EINVAL;
	}

	ret = platform_driver_register(&vnpu_platform_driver);
	if (ret)
		return ret;

	for (i = 0; i < num_devices; i++) {
		pdev = platform_device_register_simple(VNPU_DRIVER_NAME, i,
						       NULL, 0);
		if (IS_ERR(pdev)) {
			ret = PTR_ERR(pdev);
			goto err;
		}
		vnpu_pdevs[i] = pdev;
	}
	return 0;

err:
	vnpu_destroy_devices();
	platform_driver_unregister(&vnpu_platform_driver);
	return ret;
}

void vnpu_exit(void)
{
	vnpu_destroy_devices();
	platform_driver_unregister(&vnpu_platform_driver);
}
