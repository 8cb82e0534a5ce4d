// SPDX-License-Identifier: MIT
/*
 * accel-run devices: every edgenpu NPU with its versions and limits.
 */
#define _GNU_SOURCE
#include <stdio.h>

#include "edgenpu.h"
#include "accel-run.h"

#define AR_MAX_DEVICES	64

static void print_device(const struct edgenpu_device_info *i,
			 uint32_t depth)
{
	printf("%s: %s (backend %s)\n", i->path, i->name, i->backend);
	printf("  module %u.%u.%u, uapi %u.%u (library %s)\n",
	       i->module_version >> 16, (i->module_version >> 8) & 0xff,
	       i->module_version & 0xff, i->uapi_major, i->uapi_minor,
	       edgenpu_version());
	printf("  cores %u, timestamps %llu Hz, max buffer %llu bytes\n",
	       i->num_cores, (unsigned long long)i->timestamp_hz,
	       (unsigned long long)i->max_bo_size);
	printf("  jobs held: %u per core, %u in all\n",
	       depth, depth * i->num_cores);
	printf("  command stream %u.%u, ops mask 0x%llx, flags 0x%llx\n",
	       i->cmdstream_major, i->cmdstream_minor,
	       (unsigned long long)i->op_mask, (unsigned long long)i->flags);
	printf("  work limits: %llu cost units per op, %llu per job\n",
	       (unsigned long long)i->max_op_cost,
	       (unsigned long long)i->max_job_cost);
}

/* Open @path and print it; -1 if it cannot be opened. */
static int show_device(const char *path)
{
	struct edgenpu_device_info info;
	struct edgenpu_device *dev;
	int ret;

	ret = edgenpu_device_open(path, &dev);
	if (ret) {
		fprintf(stderr, "accel-run: %s: %s\n", path,
			edgenpu_strerror(ret));
		return -1;
	}
	edgenpu_device_get_info(dev, &info);
	print_device(&info, edgenpu_device_core_queue_depth(dev));
	edgenpu_device_unref(dev);
	return 0;
}

int cmd_devices(int argc, char **argv)
{
	char paths[AR_MAX_DEVICES][64];
	size_t n, i;
	int ret, failed = 0;

	if (argc > 1) {
		fprintf(stderr, "accel-run devices: unexpected argument '%s'\n",
			argv[1]);
		return EXIT_USAGE;
	}
	ret = edgenpu_enumerate(paths, AR_MAX_DEVICES, &n);
	if (ret) {
		fprintf(stderr, "accel-run: cannot list devices: %s\n",
			edgenpu_strerror(ret));
		return EXIT_RUN_FAILED;
	}
	if (n == 0) {
		fprintf(stderr, "accel-run: no edgenpu device found (is the edgenpu module loaded?)\n");
		return EXIT_RUN_FAILED;
	}
	for (i = 0; i < n && i < AR_MAX_DEVICES; i++)
		if (show_device(paths[i]))
			failed = 1;
	return failed ? EXIT_RUN_FAILED : 0;
}
