// SPDX-License-Identifier: MIT
/*
 * accel-run: the device --device names, shared by info, run and bench.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "accel-run.h"
#include "device.h"

void ar_device_name(const struct edgenpu_device *dev, char *buf, size_t len)
{
	struct edgenpu_device_info info;

	edgenpu_device_get_info(dev, &info);
	snprintf(buf, len, "%s (%s)", info.name, info.path);
}

/* The first edgenpu NPU's path in @path; -1 (said out loud) if none. */
static int first_npu(char path[64])
{
	char paths[1][64];
	size_t n = 0;

	if (edgenpu_enumerate(paths, 1, &n) || n == 0) {
		printf("no edgenpu NPU found: running on the CPU executor\n");
		return -1;
	}
	memcpy(path, paths[0], 64);
	return 0;
}

int ar_device_open(const char *spec, unsigned int flags,
		   struct edgenpu_device **dev, uint64_t *op_mask,
		   struct edgenpu_plan_limits *limits)
{
	struct edgenpu_device_info info;
	char path[64];
	int ret;

	*dev = NULL;
	*op_mask = EDGENPU_OP_MASK_ALL;
	memset(limits, 0, sizeof(*limits));	/* the engine's */
	if (spec && !*spec) {
		fprintf(stderr, "accel-run: bad --device\n");
		return EXIT_USAGE;
	}
	if (spec ? strcmp(spec, "cpu") == 0 : !(flags & AR_DEVICE_FIRST_NPU))
		return 0;
	if (!spec) {
		if (first_npu(path))
			return 0;
		spec = path;
	}
	ret = edgenpu_device_open(spec, dev);
	if (ret) {
		fprintf(stderr, "accel-run: device %s: %s\n", spec,
			edgenpu_strerror(ret));
		return ret == -ENODEV || ret == -ENOENT ? EXIT_USAGE : EXIT_RUN_FAILED;
	}
	edgenpu_device_get_info(*dev, &info);
	*op_mask = info.op_mask;
	limits->max_op_cost = info.max_op_cost;
	limits->max_job_cost = info.max_job_cost;
	return 0;
}
