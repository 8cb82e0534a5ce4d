// SPDX-License-Identifier: MIT
/*
 * bench_tflite: one model under TensorFlow Lite 2.14 (the oracle chroot's),
 * timed per Invoke, for scripts/bench-delegate. Built and run in the
 * chroot, against TFLite's C API and the test's reference resolver
 * (tests/host/tflite/ref_resolver.{h,cc}).
 *
 *   bench_tflite MODE MODEL INPUT ITERATIONS WARMUP [DELEGATE.so]
 *
 * MODE: "delegate" (DELEGATE.so through TfLiteExternalDelegateCreate(),
 * device=cpu, on the default kernels for anything it leaves), "optimized"
 * (TFLite's default builtin kernels) or "ref" (BuiltinRefOpResolver).
 * INPUT: the bytes of input 0 (the model must have one input), or "-"
 * for a fixed byte pattern. One interpreter thread. WARMUP untimed
 * Invokes, then ITERATIONS timed ones (CLOCK_MONOTONIC around
 * TfLiteInterpreterInvoke() alone); one JSON line on stdout with the
 * median (nearest rank, as accel-run bench's p50), mean and minimum in ms.
 * A benchmark: it asserts nothing; exit status 1 when TFLite fails.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tensorflow/lite/core/c/c_api.h"
#include "tensorflow/lite/core/c/c_api_experimental.h"
#include "tensorflow/lite/delegates/external/external_delegate.h"

#include "ref_resolver.h"

struct bt_run {
	const char *mode, *model, *input, *so;
	long iterations, warmup;
	TfLiteModel *m;
	TfLiteDelegate *d;
	void *resolver;
	TfLiteInterpreter *it;
	double *ms;
};

static double bt_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int bt_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Input 0 from r->input, or a fixed pattern: 0, or -1 with a message. */
static int bt_set_input(struct bt_run *r)
{
	TfLiteTensor *t = TfLiteInterpreterGetInputTensor(r->it, 0);
	unsigned char *p = TfLiteTensorData(t);
	size_t want = TfLiteTensorByteSize(t), got, k;
	FILE *f;

	if (TfLiteInterpreterGetInputTensorCount(r->it) != 1 || !p) {
		fprintf(stderr, "bench_tflite: %s: one input wanted\n", r->model);
		return -1;
	}
	if (!strcmp(r->input, "-")) {
		for (k = 0; k < want; k++)
			p[k] = (unsigned char)(k * 37u + 11u);
		return 0;
	}
	f = fopen(r->input, "rb");
	got = f ? fread(p, 1, want, f) : 0;
	if (f && fgetc(f) != EOF)
		got = want + 1;
	if (f)
		fclose(f);
	if (got != want) {
		fprintf(stderr, "bench_tflite: %s: not %zu bytes\n", r->input, want);
		return -1;
	}
	return 0;
}

static int bt_make(struct bt_run *r)
{
	TfLiteInterpreterOptions *o = TfLiteInterpreterOptionsCreate();
	TfLiteExternalDelegateOptions dopt;

	TfLiteInterpreterOptionsSetNumThreads(o, 1);
	if (!strcmp(r->mode, "ref")) {
		r->resolver = ref_resolver_new();
		TfLiteInterpreterOptionsSetOpResolver(o, ref_find_builtin,
						      ref_find_custom,
						      r->resolver);
	} else if (!strcmp(r->mode, "delegate")) {
		dopt = TfLiteExternalDelegateOptionsDefault(r->so);
		TfLiteExternalDelegateOptionsInsert(&dopt, "device", "cpu");
		/* one thread, as every peer (the default is the online CPUs) */
		TfLiteExternalDelegateOptionsInsert(&dopt, "threads", "1");
		r->d = TfLiteExternalDelegateCreate(&dopt);
		if (r->d)
			TfLiteInterpreterOptionsAddDelegate(o, r->d);
	}
	if (!strcmp(r->mode, "delegate") && !r->d) {
		TfLiteInterpreterOptionsDelete(o);
		fprintf(stderr, "bench_tflite: %s: no delegate\n", r->so);
		return -1;
	}
	r->it = TfLiteInterpreterCreate(r->m, o);
	TfLiteInterpreterOptionsDelete(o);
	if (!r->it || TfLiteInterpreterAllocateTensors(r->it) != kTfLiteOk) {
		fprintf(stderr, "bench_tflite: %s: TFLite refused it\n", r->model);
		return -1;
	}
	return bt_set_input(r);
}

static int bt_time(struct bt_run *r)
{
	double sum = 0, t0;
	long i;

	for (i = 0; i < r->warmup; i++)
		if (TfLiteInterpreterInvoke(r->it) != kTfLiteOk)
			return -1;
	for (i = 0; i < r->iterations; i++) {
		t0 = bt_now_ms();
		if (TfLiteInterpreterInvoke(r->it) != kTfLiteOk)
			return -1;
		r->ms[i] = bt_now_ms() - t0;
		sum += r->ms[i];
	}
	qsort(r->ms, (size_t)r->iterations, sizeof(*r->ms), bt_cmp);
	printf("{\"mode\":\"%s\",\"runs\":%ld,\"warmup\":%ld,\"threads\":1,\"median_ms\":%.6f,\"mean_ms\":%.6f,\"min_ms\":%.6f}\n",
	       r->mode, r->iterations, r->warmup,
	       r->ms[(r->iterations + 1) / 2 - 1], sum / r->iterations,
	       r->ms[0]);
	return 0;
}

static void bt_free(struct bt_run *r)
{
	TfLiteInterpreterDelete(r->it);
	if (r->d)
		TfLiteExternalDelegateDelete(r->d);
	if (r->resolver)
		ref_resolver_delete(r->resolver);
	TfLiteModelDelete(r->m);
	free(r->ms);
}

int main(int argc, char **argv)
{
	struct bt_run r = { 0 };
	int ret = -1;

	if (argc < 6 || argc > 7 ||
	    (strcmp(argv[1], "delegate") && strcmp(argv[1], "optimized") &&
	     strcmp(argv[1], "ref")) || (!strcmp(argv[1], "delegate") && argc != 7)) {
		fprintf(stderr, "usage: bench_tflite delegate|optimized|ref MODEL INPUT|- ITERATIONS WARMUP [DELEGATE.so]\n");
		return 2;
	}
	r.mode = argv[1];
	r.model = argv[2];
	r.input = argv[3];
	r.iterations = strtol(argv[4], NULL, 10);
	r.warmup = strtol(argv[5], NULL, 10);
	r.so = argc == 7 ? argv[6] : NULL;
	if (r.iterations < 1 || r.warmup < 0) {
		fprintf(stderr, "bench_tflite: bad ITERATIONS or WARMUP\n");
		return 2;
	}
	r.ms = calloc((size_t)r.iterations, sizeof(*r.ms));
	r.m = TfLiteModelCreateFromFile(r.model);
	if (r.ms && r.m && !bt_make(&r))
		ret = bt_time(&r);
	if (!r.m)
		fprintf(stderr, "bench_tflite: %s: not a model TFLite reads\n", r.model);
	bt_free(&r);
	return ret ? 1 : 0;
}
