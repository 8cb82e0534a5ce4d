/* SPDX-License-Identifier: MIT */
/*
 * accel-run: opening the device --device names, and what a plan for it
 * may use.
 */
#ifndef ACCEL_RUN_DEVICE_H
#define ACCEL_RUN_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include "edgenpu.h"

/* Without --device: the first NPU (run, bench), or the CPU (info). */
#define AR_DEVICE_FIRST_NPU	(1u << 0)

/**
 * ar_device_open() - open the device @spec names: N, a path, or "cpu"
 * @spec: --device's value, or NULL
 * @flags: AR_DEVICE_FIRST_NPU: without @spec, the first edgenpu NPU, else
 *	the CPU executor, said out loud
 * @dev: the NPU, or NULL for the CPU executor
 * @op_mask, @limits: what a plan for it may use
 *
 * Errors are printed. Return: 0, EXIT_USAGE for an empty @spec or one
 * that names no edgenpu device, or EXIT_RUN_FAILED.
 */
int ar_device_open(const char *spec, unsigned int flags,
		   struct edgenpu_device **dev, uint64_t *op_mask,
		   struct edgenpu_plan_limits *limits);

/* "NAME (PATH)" of @dev, in @buf. */
void ar_device_name(const struct edgenpu_device *dev, char *buf, size_t len);

/* Room for any ar_device_name(). */
#define AR_DEVICE_NAME_LEN	(EDGENPU_LIB_NAME_LEN + 80)

#endif
