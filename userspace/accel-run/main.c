// SPDX-License-Identifier: MIT
/*
 * accel-run: run, check, benchmark and profile models on edgenpu NPUs.
 *
 * Exit codes: 0 ok, 1 the run failed, 2 bad usage or bad input.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edgenpu.h"

#define EXIT_RUN_FAILED 1
#define EXIT_USAGE 2

static void usage(FILE *f)
{
	fprintf(f,
		"usage: accel-run [--help] [--version] COMMAND [ARGS]\n"
		"\n"
		"commands:\n"
		"  devices    list edgenpu NPUs and their capabilities\n"
		"\n"
		"exit status: 0 ok, 1 the run failed, 2 bad usage or bad input\n");
}

static void print_device(const struct edgenpu_device_info *i)
{
	printf("%s: %s (backend %s)\n", i->path, i->name, i->backend);
	printf("  module %u.%u.%u, uapi %u.%u (library %s)\n",
	       i->module_version >> 16, (i->module_version >> 8) & 0xff,
	       i->module_version & 0xff, i->uapi_major, i->uapi_minor,
	       edgenpu_version());
	printf("  cores %u, timestamps %llu Hz, max buffer %llu bytes\n",
	       i->num_cores, (unsigned long long)i->timestamp_hz,
	       (unsigned long long)i->max_bo_size);
	printf("  command stream %u.%u, ops mask 0x%llx, flags 0x%llx\n",
	       i->cmdstream_major, i->cmdstream_minor,
	       (unsigned long long)i->op_mask, (unsigned long long)i->flags);
}

static int cmd_devices(int argc, char **argv)
{
	char paths[64][64];
	size_t n, i;
	int ret, failed = 0;

	if (argc > 1) {
		fprintf(stderr, "accel-run devices: unexpected argument '%s'\n",
			argv[1]);
		return EXIT_USAGE;
	}
	ret = edgenpu_enumerate(paths, 64, &n);
	if (ret) {
		fprintf(stderr, "accel-run: cannot list devices: %s\n",
			edgenpu_strerror(ret));
		return EXIT_RUN_FAILED;
	}
	if (n == 0) {
		fprintf(stderr, "accel-run: no edgenpu device found (is the edgenpu module loaded?)\n");
		return EXIT_RUN_FAILED;
	}
	for (i = 0; i < n && i < 64; i++) {
		struct edgenpu_device_info info;
		struct edgenpu_device *dev;

		ret = edgenpu_device_open(paths[i], &dev);
		if (ret) {
			fprintf(stderr, "accel-run: %s: %s\n", paths[i],
				edgenpu_strerror(ret));
			failed = 1;
			continue;
		}
		edgenpu_device_get_info(dev, &info);
		print_device(&info);
		edgenpu_device_unref(dev);
	}
	return failed ? EXIT_RUN_FAILED : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "+hV", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("accel-run %s\n", edgenpu_version());
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[optind], "devices") == 0)
		return cmd_devices(argc - optind, argv + optind);

	fprintf(stderr, "accel-run: unknown command '%s'\n", argv[optind]);
	usage(stderr);
	return EXIT_USAGE;
}
