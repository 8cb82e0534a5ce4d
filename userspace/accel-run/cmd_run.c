// SPDX-License-Identifier: MIT
/*
 * accel-run run: one run of a model on the inputs given (the rest seeded
 * random bytes), its outputs printed and written as .npy files, and with
 * --check compared op by op with the CPU reference.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "accel-run.h"
#include "device.h"
#include "input.h"
#include "model.h"
#include "npy.h"
#include "options.h"
#include "print.h"

struct run {
	struct ar_options o;
	struct edgenpu_device *dev;	/* NULL: the CPU executor */
	struct edgenpu_model *m;
	struct edgenpu_plan *p;
	struct edgenpu_runner *r;
	struct edgenpu_runner *ref;	/* --check: the CPU reference */
};

/* Device, model, plan and runners, each step saying why it failed. */
static int run_setup(struct run *s)
{
	struct edgenpu_plan_limits lim;
	uint64_t mask;
	int ret;

	ret = ar_device_open(s->o.device, AR_DEVICE_FIRST_NPU, &s->dev, &mask,
			     &lim);
	if (!ret)
		ret = ar_model_load(s->o.model, &s->m);
	if (!ret)
		ret = ar_plan_create(s->m, mask, s->o.check ?
				     EDGENPU_PLAN_KEEP_INTERMEDIATES : 0,
				     &lim, &s->p);
	if (!ret)
		ret = ar_report_placement(s->p, s->dev, s->o.full_offload);
	if (!ret)
		ret = ar_runner_create(s->p, s->dev, &s->r);
	if (!ret)
		ret = ar_runner_threads(s->r, s->o.threads, 1);
	if (!ret && s->o.check)
		ret = ar_runner_create(s->p, NULL, &s->ref);
	if (!ret && s->o.check)
		ret = ar_runner_threads(s->ref, s->o.threads, 1);
	return ret;
}

/* The --input that names input @i, by its tensor name or its index. */
static struct ar_input_arg *input_arg(struct ar_options *o, size_t i,
				      const char *name)
{
	char idx[24];
	size_t j;

	snprintf(idx, sizeof(idx), "%zu", i);
	for (j = 0; j < o->num_inputs; j++)
		if (!strcmp(o->inputs[j].name, name) ||
		    !strcmp(o->inputs[j].name, idx))
			return &o->inputs[j];
	return NULL;
}

/* Input @i from its --input file, else from the seeded random bytes. */
static int fill_input(struct run *s, size_t i, uint64_t *rng)
{
	struct edgenpu_tensor_info t;
	struct ar_input_dst d = { .info = &t, .minus128 = s->o.minus128 };
	struct ar_input_arg *in;
	char err[512];

	d.data = edgenpu_runner_input(s->r, i, &d.size);
	edgenpu_model_input_info(s->m, i, &t);
	in = input_arg(&s->o, i, t.name);
	if (!in) {
		ar_fill_random(d.data, d.size, rng);
		printf("input %zu '%s': %zu random bytes (seed %llu)\n", i,
		       t.name, d.size, s->o.seed);
		return 0;
	}
	in->used = 1;
	if (ar_input_load(in->file, &d, err, sizeof(err))) {
		fprintf(stderr, "accel-run: %s: %s\n", in->file, err);
		return EXIT_USAGE;
	}
	printf("input %zu '%s': %s\n", i, t.name, in->file);
	return 0;
}

static int fill_inputs(struct run *s)
{
	uint64_t rng = s->o.seed * 0x9e3779b97f4a7c15ull + 1;
	size_t i;
	int ret;

	for (i = 0; i < edgenpu_model_num_inputs(s->m); i++) {
		ret = fill_input(s, i, &rng);
		if (ret)
			return ret;
	}
	for (i = 0; i < s->o.num_inputs; i++) {
		if (!s->o.inputs[i].used) {
			fprintf(stderr, "accel-run: the model has no input '%s'\n",
				s->o.inputs[i].name);
			return EXIT_USAGE;
		}
	}
	return 0;
}

/* One directory of mkdir -p: made, or already a directory; 0 or -1. */
static int mkdir_one(const char *dir)
{
	struct stat st;

	if (mkdir(dir, 0777) == 0)
		return 0;
	if (errno != EEXIST || stat(dir, &st))
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

/* mkdir -p: @path and every missing parent, 0777 less the umask. */
static int mkdir_p(const char *path)
{
	char buf[4096], *q;
	size_t len = strlen(path);

	if (!len || len >= sizeof(buf)) {
		errno = len ? ENAMETOOLONG : ENOENT;
		return -1;
	}
	memcpy(buf, path, len + 1);
	for (q = buf + 1; ; q++) {
		if (*q != '/' && *q)
			continue;
		if (q[-1] != '/') {
			char c = *q;

			*q = 0;
			if (mkdir_one(buf))
				return -1;
			*q = c;
		}
		if (!*q)
			return 0;
	}
}

static int run_once(struct run *s)
{
	char name[AR_DEVICE_NAME_LEN];

	/* Before the run: a directory that cannot be made costs no run. */
	if (mkdir_p(s->o.output_dir)) {
		fprintf(stderr, "accel-run: --output-dir %s: %s\n",
			s->o.output_dir, strerror(errno));
		return EXIT_RUN_FAILED;
	}
	if (edgenpu_runner_run(s->r)) {
		fprintf(stderr, "accel-run: run failed: %s\n",
			edgenpu_runner_last_error(s->r));
		return EXIT_RUN_FAILED;
	}
	if (s->dev) {
		ar_device_name(s->dev, name, sizeof(name));
		printf("ran on %s (device time %.3f ms)\noutputs:\n", name,
		       edgenpu_runner_device_ns(s->r) / 1e6);
	} else {
		printf("ran on the CPU executor\noutputs:\n");
	}
	return 0;
}

static int write_outputs(struct run *s)
{
	struct edgenpu_tensor_info t;
	char path[4096];
	const void *data;
	size_t i, size;

	for (i = 0; i < edgenpu_model_num_outputs(s->m); i++) {
		data = edgenpu_runner_output(s->r, i, &size);
		edgenpu_model_output_info(s->m, i, &t);
		ar_print_output(i, &t, data, size, s->o.top);
		snprintf(path, sizeof(path), "%s/output%zu.npy",
			 s->o.output_dir, i);
		if (ar_npy_write(path, &t, data, size)) {
			fprintf(stderr, "accel-run: %s: %s\n", path,
				strerror(errno));
			return EXIT_RUN_FAILED;
		}
		printf("    written to %s\n", path);
	}
	return 0;
}

/* The run's inputs into the CPU reference's, byte for byte. */
static int copy_inputs(struct run *s)
{
	size_t i, size, rsize;

	for (i = 0; i < edgenpu_model_num_inputs(s->m); i++) {
		const void *src = edgenpu_runner_input(s->r, i, &size);
		void *dst = edgenpu_runner_input(s->ref, i, &rsize);

		if (!src || !dst || size != rsize)
			return EXIT_RUN_FAILED;
		memcpy(dst, src, size);
	}
	return 0;
}

/*
 * --check: the same inputs through the CPU reference, bit for bit, op by
 * op (both runners keep every intermediate), naming the first op whose
 * output differs.
 */
static int check_against_reference(struct run *s)
{
	struct edgenpu_diff d;
	int ret;

	if (copy_inputs(s))
		return EXIT_RUN_FAILED;
	if (edgenpu_runner_run(s->ref)) {
		fprintf(stderr, "accel-run: check: the CPU reference failed: %s\n",
			edgenpu_runner_last_error(s->ref));
		return EXIT_RUN_FAILED;
	}
	ret = edgenpu_runner_compare(s->r, s->ref, &d);
	if (ret < 0) {
		fprintf(stderr, "accel-run: check: cannot compare: %s\n",
			edgenpu_strerror(ret));
		return EXIT_RUN_FAILED;
	}
	if (ret) {
		printf("check: FAILED: op %u (%s) is the first whose output differs from the CPU reference: byte %zu is %d, the reference has %d\n",
		       d.op, edgenpu_model_op_name(s->m, d.op), d.offset, d.a, d.b);
		return EXIT_RUN_FAILED;
	}
	printf("check: bit-exact with the CPU reference (%zu op output(s), %zu model output(s))\n",
	       edgenpu_model_num_ops(s->m), edgenpu_model_num_outputs(s->m));
	return 0;
}

int cmd_run(int argc, char **argv)
{
	struct run s = { 0 };
	int ret;

	ret = ar_options_parse(AR_CMD_RUN, argc, argv, &s.o);
	if (ret || s.o.help)
		return ret;
	ret = run_setup(&s);
	if (ret)
		goto out;
	ret = fill_inputs(&s);
	if (ret)
		goto out;
	ret = run_once(&s);
	if (ret)
		goto out;
	ret = write_outputs(&s);
	if (!ret && s.ref)
		ret = check_against_reference(&s);
out:
	edgenpu_runner_unref(s.ref);
	edgenpu_runner_unref(s.r);
	edgenpu_plan_unref(s.p);
	edgenpu_model_unref(s.m);
	edgenpu_device_unref(s.dev);
	return ret;
}
