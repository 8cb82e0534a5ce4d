/* SPDX-License-Identifier: MIT */
/*
 * accel-run: loading a model, planning it and making its runners, with
 * the messages and exit statuses (0, EXIT_USAGE, EXIT_RUN_FAILED) that
 * info, run and bench share. Each prints its own errors.
 */
#ifndef ACCEL_RUN_MODEL_H
#define ACCEL_RUN_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "edgenpu.h"

/* Load and verify @path; a bad model file is EXIT_USAGE. */
int ar_model_load(const char *path, struct edgenpu_model **m);

/* The exit status for a failed plan: a malformed model is bad input. */
int ar_plan_exit(int err);

/* Plan @m for @op_mask and @limits (EDGENPU_PLAN_* @flags). */
int ar_plan_create(struct edgenpu_model *m, uint64_t op_mask,
		   unsigned int flags, const struct edgenpu_plan_limits *limits,
		   struct edgenpu_plan **p);

/*
 * Say where the ops run; with @full (--require-full-offload) an op on the
 * CPU is EXIT_RUN_FAILED.
 */
int ar_report_placement(const struct edgenpu_plan *p,
			const struct edgenpu_device *dev, int full);

/*
 * --threads for runner @r: @threads as given (0: one per online CPU), or
 * -1 when not given: the library's default (one per online CPU) for one
 * runner, the online CPUs shared out among @parallel runners. 0 or
 * EXIT_RUN_FAILED, said on stderr.
 */
int ar_runner_threads(struct edgenpu_runner *r, long threads, int parallel);
int ar_runner_create(struct edgenpu_plan *p, struct edgenpu_device *dev,
		     struct edgenpu_runner **r);

/* @n pseudo-random bytes from the xorshift state @rng (never 0). */
void ar_fill_random(uint8_t *dst, size_t n, uint64_t *rng);

#endif
