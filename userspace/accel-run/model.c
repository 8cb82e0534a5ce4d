// SPDX-License-Identifier: MIT
/*
 * accel-run: model, plan and runner, as info, run and bench make them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "accel-run.h"
#include "model.h"

int ar_model_load(const char *path, struct edgenpu_model **m)
{
	char err[512];
	int ret = edgenpu_model_load_file(path, m, err, sizeof(err));

	if (ret) {
		fprintf(stderr, "accel-run: %s\n", err[0] ? err :
			edgenpu_strerror(ret));
		return EXIT_USAGE;
	}
	return 0;
}

int ar_plan_exit(int err)
{
	return err == -EBADMSG ? EXIT_USAGE : EXIT_RUN_FAILED;
}

int ar_plan_create(struct edgenpu_model *m, uint64_t op_mask,
		   unsigned int flags, const struct edgenpu_plan_limits *limits,
		   struct edgenpu_plan **p)
{
	char err[512];
	int ret;

	ret = edgenpu_plan_create_limits(m, op_mask, flags, limits, p, err,
					 sizeof(err));
	if (ret) {
		fprintf(stderr, "accel-run: %s\n", err);
		return ar_plan_exit(ret);
	}
	return 0;
}

static size_t count_cpu_ops(const struct edgenpu_plan *p)
{
	size_t i, n = edgenpu_plan_num_ops(p), cpu = 0;
	struct edgenpu_op_info oi;

	for (i = 0; i < n; i++)
		if (!edgenpu_plan_op_info(p, i, &oi) &&
		    oi.placement == EDGENPU_PLACE_CPU)
			cpu++;
	return cpu;
}

/* Every op on the CPU executor: the plan had no device. */
static int report_no_device(size_t n, int full)
{
	printf("placement: all %zu ops on the CPU executor\n", n);
	if (full) {
		fprintf(stderr, "accel-run: --require-full-offload: no NPU: all %zu op(s) would run on the CPU executor\n",
			n);
		return EXIT_RUN_FAILED;
	}
	return 0;
}

/* Placement is never silent; --require-full-offload makes CPU ops fatal. */
int ar_report_placement(const struct edgenpu_plan *p,
			const struct edgenpu_device *dev, int full)
{
	size_t i, n = edgenpu_plan_num_ops(p), cpu;
	struct edgenpu_op_info oi;

	if (!dev)
		return report_no_device(n, full);
	cpu = count_cpu_ops(p);
	printf("placement: %zu ops on the NPU, %zu on the CPU\n", n - cpu, cpu);
	for (i = 0; i < n && cpu; i++) {
		if (edgenpu_plan_op_info(p, i, &oi) ||
		    oi.placement != EDGENPU_PLACE_CPU)
			continue;
		fprintf(full ? stderr : stdout, "  op %zu (%s) on the CPU: %s\n",
			i, oi.name, oi.reason);
	}
	if (full && cpu) {
		fprintf(stderr, "accel-run: --require-full-offload: %zu op(s) would run on the CPU\n",
			cpu);
		return EXIT_RUN_FAILED;
	}
	return 0;
}

int ar_runner_create(struct edgenpu_plan *p, struct edgenpu_device *dev,
		     struct edgenpu_runner **r)
{
	char err[512];
	int ret = edgenpu_runner_create(p, dev, r, err, sizeof(err));

	if (ret) {
		fprintf(stderr, "accel-run: %s\n",
			err[0] ? err : edgenpu_strerror(ret));
		return EXIT_RUN_FAILED;
	}
	return 0;
}

int ar_runner_threads(struct edgenpu_runner *r, long threads, int parallel)
{
	long online;
	int ret;

	if (threads < 0 && parallel < 2)
		return 0;	/* the library's default: one per online CPU */
	if (threads < 0) {
		online = sysconf(_SC_NPROCESSORS_ONLN);
		threads = online > parallel ? online / parallel : 1;
		threads = threads > 64 ? 64 : threads;
	}
	ret = edgenpu_runner_set_threads(r, (unsigned int)threads);
	if (ret) {
		fprintf(stderr, "accel-run: cannot start %ld CPU executor threads: %s\n",
			threads, edgenpu_strerror(ret));
		return EXIT_RUN_FAILED;
	}
	return 0;
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

void ar_fill_random(uint8_t *dst, size_t n, uint64_t *rng)
{
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] = (uint8_t)(xorshift(rng) >> 32);
}
