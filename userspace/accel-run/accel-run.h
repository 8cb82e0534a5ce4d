/* SPDX-License-Identifier: MIT */
/*
 * accel-run: what the command files share.
 */
#ifndef ACCEL_RUN_H
#define ACCEL_RUN_H

#include <stdint.h>
#include <stdio.h>

#include "edgenpu.h"

#define EXIT_RUN_FAILED 1
#define EXIT_USAGE 2

const char *device_name(const struct edgenpu_device *dev);
int open_device(const char *spec, struct edgenpu_device **dev,
		uint64_t *op_mask, struct edgenpu_plan_limits *limits);
int load(const char *path, struct edgenpu_model **m);
int plan_exit(int ret);
int report_placement(const struct edgenpu_plan *p,
		     const struct edgenpu_device *dev, int full);
int make_runner(struct edgenpu_plan *p, struct edgenpu_device *dev,
		struct edgenpu_runner **r);
uint64_t xorshift(uint64_t *s);
int write_npy(const char *path, const struct edgenpu_tensor_info *t,
	      const void *data, size_t size);

int cmd_bench(int argc, char **argv);
int cmd_doctor(int argc, char **argv);

#endif
