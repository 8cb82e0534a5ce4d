// SPDX-License-Identifier: MIT
/*
 * model_test: every generated model (make models: TFLite 2.14 reference
 * kernel outputs) is loaded, planned and run on libedgenpu's CPU executor,
 * and each output must equal TFLite's bit for bit. Models TFLite refuses
 * ("expect": "reject") must be refused by edgenpu's planner too.
 *
 *   model_test MODELS_DIR
 *
 * TAP on stdout; exit 1 if anything failed.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "edgenpu.h"
#include "file_util.h"
#include "tap.h"

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Run one model directory; returns 1 if it passed. */
static int run_model(const char *dir, const char *name, char *why,
		     size_t whylen, int *ops_seen)
{
	char path[4096], err[512];
	struct edgenpu_model *m = NULL;
	struct edgenpu_plan *p = NULL;
	struct edgenpu_runner *r = NULL;
	char *meta;
	size_t msize, i, n;
	int reject, ret, ok = 0;

	snprintf(path, sizeof(path), "%s/%s/meta.json", dir, name);
	meta = tu_read_file(path, &msize);
	if (!meta) {
		snprintf(why, whylen, "no meta.json");
		return 0;
	}
	reject = strstr(meta, "\"expect\": \"reject\"") != NULL;
	free(meta);
	snprintf(path, sizeof(path), "%s/%s/model.tflite", dir, name);
	ret = edgenpu_model_load_file(path, &m, err, sizeof(err));
	if (ret) {
		snprintf(why, whylen, "load: %s", err);
		return 0;
	}
	ret = edgenpu_plan_create(m, EDGENPU_OP_MASK_ALL, &p, err, sizeof(err));
	if (reject) {
		if (ret)
			snprintf(why, whylen, "refused as TFLite refuses it: %s",
				 err);
		else
			snprintf(why, whylen, "TFLite refuses this model but edgenpu accepted it");
		ok = ret != 0;
		goto out;
	}
	if (ret) {
		snprintf(why, whylen, "plan: %s", err);
		goto out;
	}
	for (i = 0; i < edgenpu_plan_num_ops(p); i++) {
		struct edgenpu_op_info oi;

		edgenpu_plan_op_info(p, i, &oi);
		if (oi.builtin_code >= 0 && oi.builtin_code < 256)
			ops_seen[oi.builtin_code] = 1;
	}
	ret = edgenpu_runner_create(p, NULL, &r, err, sizeof(err));
	if (ret) {
		snprintf(why, whylen, "runner: %s", err);
		goto out;
	}
	for (i = 0; i < edgenpu_model_num_inputs(m); i++) {
		size_t want, got;
		void *dst = edgenpu_runner_input(r, i, &want);
		void *src;

		snprintf(path, sizeof(path), "%s/%s/input%zu.bin", dir, name, i);
		src = tu_read_file(path, &got);
		if (!src || got != want) {
			snprintf(why, whylen, "input%zu.bin: %zu bytes, need %zu",
				 i, got, want);
			free(src);
			goto out;
		}
		memcpy(dst, src, want);
		free(src);
	}
	ret = edgenpu_runner_run(r);
	if (ret) {
		snprintf(why, whylen, "run: %s", edgenpu_runner_last_error(r));
		goto out;
	}
	n = edgenpu_model_num_outputs(m);
	ok = 1;
	for (i = 0; i < n && ok; i++) {
		size_t osize, esize, k, ndiff = 0, first = 0;
		const int8_t *o = edgenpu_runner_output(r, i, &osize);
		int8_t *e;

		snprintf(path, sizeof(path), "%s/%s/expected%zu.bin", dir, name,
			 i);
		e = tu_read_file(path, &esize);
		if (!e || esize != osize) {
			snprintf(why, whylen, "expected%zu.bin: %zu bytes, output has %zu",
				 i, esize, osize);
			ok = 0;
			free(e);
			break;
		}
		for (k = 0; k < osize; k++)
			if (o[k] != e[k] && !ndiff++)
				first = k;
		if (ndiff) {
			snprintf(why, whylen, "output %zu: %zu of %zu bytes differ, first at %zu: edgenpu %d, TFLite %d",
				 i, ndiff, osize, first, o[first], e[first]);
			ok = 0;
		} else {
			snprintf(why, whylen, "%zu output(s) bit-exact", n);
		}
		free(e);
	}
out:
	edgenpu_runner_unref(r);
	edgenpu_plan_unref(p);
	edgenpu_model_unref(m);
	return ok;
}

/* Two CPU runners of the chain model, one op's output corrupted. */
static void make_pair(struct edgenpu_model *m, uint32_t flags,
		      struct edgenpu_runner **a, struct edgenpu_runner **b)
{
	struct edgenpu_plan *p = NULL;
	char err[512];
	size_t i, j, size;

	*a = *b = NULL;
	if (edgenpu_plan_create_flags(m, EDGENPU_OP_MASK_ALL, flags, &p, err,
				      sizeof(err)) ||
	    edgenpu_runner_create(p, NULL, a, err, sizeof(err)) ||
	    edgenpu_runner_create(p, NULL, b, err, sizeof(err))) {
		tap_diag("%s", err);
		edgenpu_plan_unref(p);
		return;
	}
	edgenpu_plan_unref(p);
	for (i = 0; i < edgenpu_model_num_inputs(m); i++) {
		uint8_t *x = edgenpu_runner_input(*a, i, &size);
		uint8_t *y = edgenpu_runner_input(*b, i, &size);

		for (j = 0; j < size; j++)
			x[j] = y[j] = (uint8_t)(j * 37 + 11);
	}
	if (edgenpu_runner_run(*a) || edgenpu_runner_run(*b))
		tap_diag("run failed");
}

static void test_compare(struct tap *t, const char *dir)
{
	struct edgenpu_runner *a, *b;
	struct edgenpu_model *m;
	struct edgenpu_plan *p = NULL;
	struct edgenpu_diff d;
	char path[4096], err[512];
	size_t size, nops, k;
	int ret;

	snprintf(path, sizeof(path),
		 "%s/chain_conv_dwconv_add_avgpool_fc_softmax/model.tflite", dir);
	if (edgenpu_model_load_file(path, &m, err, sizeof(err))) {
		tap_check(t, 0, "compare: %s", err);
		return;
	}
	nops = edgenpu_model_num_ops(m);
	ret = edgenpu_plan_create_flags(m, EDGENPU_OP_MASK_ALL, 0x80, &p, err,
					sizeof(err));
	tap_check(t, ret == -EINVAL && strstr(err, "unknown plan flags"),
		  "an unknown plan flag is refused (%d: %s)", ret, err);
	edgenpu_plan_unref(p);

	make_pair(m, EDGENPU_PLAN_KEEP_INTERMEDIATES, &a, &b);
	ret = edgenpu_runner_compare(a, b, &d);
	tap_check(t, ret == 0, "compare: two runs of the same inputs are equal (%d)", ret);
	for (k = 0; k < nops; k++) {
		uint8_t *o = (uint8_t *)edgenpu_runner_op_output(b, k, &size);

		if (!o || !size) {
			tap_check(t, 0, "compare: op %zu keeps its output", k);
			continue;
		}
		o[size - 1] ^= 0x10;
		ret = edgenpu_runner_compare(a, b, &d);
		tap_check(t, ret == 1 && d.op == k && d.a != d.b,
			  "compare: a changed output of op %zu (%s) is found at op %u (%d)",
			  k, edgenpu_model_op_name(m, k), d.op, ret);
		o[size - 1] ^= 0x10;
	}
	tap_check(t, edgenpu_runner_compare(a, b, &d) == 0,
		  "compare: equal again once restored");
	edgenpu_runner_unref(a);
	edgenpu_runner_unref(b);

	/* Without the flag, only the model outputs are kept. */
	make_pair(m, 0, &a, &b);
	tap_check(t, a && !edgenpu_runner_op_output(a, 0, &size) && size == 0 &&
		  edgenpu_runner_op_output(a, nops - 1, &size) && size > 0,
		  "without KEEP_INTERMEDIATES an intermediate is not shown, an output is");
	tap_check(t, !edgenpu_runner_op_output(a, nops, &size),
		  "op_output: an op index out of range gives NULL");
	edgenpu_runner_unref(a);
	edgenpu_runner_unref(b);
	edgenpu_model_unref(m);
}

/*
 * A deep generated model must carry information to its end: if its
 * quantization collapses (an activation range under one step), every
 * later tensor is a constant and its bit-exactness check proves little.
 */
static void test_not_degenerate(struct tap *t, const char *dir)
{
	char path[4096];
	unsigned char seen[256] = { 0 };
	size_t size, i, distinct = 0;
	unsigned char *e;

	snprintf(path, sizeof(path),
		 "%s/mobilenet_v2_224_avgpool_logits/expected0.bin", dir);
	e = tu_read_file(path, &size);
	if (!e) {
		tap_skip(t, "no MobileNet-v2 model", "MobileNet-v2 logits are not collapsed");
		return;
	}
	for (i = 0; i < size; i++)
		distinct += !seen[e[i]]++;
	tap_check(t, distinct >= 64, "MobileNet-v2 logits take %zu distinct values (not a collapsed model)",
		  distinct);
	free(e);
}

/* Whether this CPU runs code built for an x86-64 ISA level. */
static int cpu_has(const char *level)
{
#if defined(__x86_64__)
	__builtin_cpu_init();
	if (!strcmp(level, "x86-64-v3"))
		return __builtin_cpu_supports("avx2") &&
		       __builtin_cpu_supports("fma") &&
		       __builtin_cpu_supports("bmi2");
	if (!strcmp(level, "x86-64-v4"))
		return __builtin_cpu_supports("avx512f") &&
		       __builtin_cpu_supports("avx512bw") &&
		       __builtin_cpu_supports("avx512cd") &&
		       __builtin_cpu_supports("avx512dq") &&
		       __builtin_cpu_supports("avx512vl");
#endif
	(void)level;
	return 0;
}

/* The models of DIR (those with a meta.json), sorted; NULL if DIR cannot
 * be read. */
static char **list_models(const char *dir, size_t *nnames)
{
	char **names = NULL, **grown;
	size_t cap = 0;
	struct dirent *de;
	DIR *d = opendir(dir);

	*nnames = 0;
	if (!d)
		return NULL;
	while ((de = readdir(d))) {
		char path[4096];

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/meta.json", dir, de->d_name);
		if (access(path, R_OK))
			continue;
		if (*nnames == cap) {
			cap = cap ? 2 * cap : 64;
			grown = realloc(names, cap * sizeof(*names));
			if (!grown)
				abort();
			names = grown;
		}
		names[(*nnames)++] = strdup(de->d_name);
	}
	closedir(d);
	if (names)
		qsort(names, *nnames, sizeof(*names), cmp_names);
	return names ? names : calloc(1, sizeof(*names));
}

/* Every op the generator covers must have passed in some model. */
static void test_ops_covered(struct tap *t, const int *ops_seen)
{
	static const char *const want_ops[] = {
		"CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "ADD", "SUB",
		"MUL", "AVERAGE_POOL_2D", "MAX_POOL_2D", "MEAN", "SOFTMAX",
		"LOGISTIC", "TANH", "RESHAPE", "CONCATENATION", "PAD",
		"TRANSPOSE", "QUANTIZE",
	};
	static const int want_codes[] = { 3, 4, 9, 0, 41, 18, 1, 17, 40, 25,
					   14, 28, 22, 2, 34, 39, 114 };
	size_t i;

	for (i = 0; i < sizeof(want_ops) / sizeof(want_ops[0]); i++)
		tap_check(t, ops_seen[want_codes[i]],
			  "op %s is covered by a bit-exact model", want_ops[i]);
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

int main(int argc, char **argv)
{
	struct tap t = { 0 };
	int ops_seen[256] = { 0 };
	struct timespec t0;
	size_t nnames, i;
	char **names;
	double secs;
	int npass = 0;

	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: model_test MODELS_DIR [x86-64-v3|x86-64-v4]\n");
		return 2;
	}
	/* A build of the engine's hot loops for one ISA level: this CPU must have it. */
	if (argc == 3 && !cpu_has(argv[2])) {
		printf("1..0 # SKIP this CPU lacks %s\n", argv[2]);
		return 0;
	}
	names = list_models(argv[1], &nnames);
	if (!names) {
		tap_check(&t, 0, "%s: %s (run make models)", argv[1], strerror(errno));
		return tap_done(&t);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < nnames; i++) {
		char why[1024];
		int ok = run_model(argv[1], names[i], why, sizeof(why), ops_seen);

		tap_check(&t, ok, "%s: %s", names[i], why);
		npass += ok;
		free(names[i]);
	}
	free(names);
	secs = seconds_since(&t0);
	test_compare(&t, argv[1]);
	test_not_degenerate(&t, argv[1]);
	tap_check(&t, nnames >= 100, "%zu generated models found", nnames);
	test_ops_covered(&t, ops_seen);
	tap_diag("%d of %zu generated models pass (bit-exact or refused as TFLite does) in %.1f s",
		 npass, nnames, secs);
	return tap_done(&t);
}
