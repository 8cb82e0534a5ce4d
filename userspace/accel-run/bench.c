// SPDX-License-Identifier: MIT
/*
 * accel-run bench: latency and throughput of a model, with host time
 * beside device time, a per-op profile and a Chrome trace.
 *
 * Initialisation (load, plan, buffer allocation) and the first run are
 * timed apart from the steady state. Inputs are seeded random bytes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "accel-run.h"

struct stats {
	double min, mean, std, p50, p90, p99, max;
};

struct worker {
	pthread_t thread;
	struct edgenpu_runner *r;
	long runs;
	int failed;
	volatile int *stop;
};

struct bench {
	const char *model_path, *device, *json, *trace;
	long iterations, warmup;
	double duration;
	int profile, parallel;
	struct edgenpu_model *m;
	struct edgenpu_runner *r;
	struct edgenpu_device *dev;
	double init_ms, first_ms, total_s;
	double *host_ms, *dev_ms;
	long n;
	double *op_ms;		/* per model op: summed device (or CPU) time */
	struct worker *workers;	/* --parallel: P - 1 more runners */
	volatile int stop;
	long other_runs;	/* runs of the other runners meanwhile */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct(const double *sorted, long n, double p)
{
	long i = (long)ceil(p / 100.0 * n) - 1;

	return sorted[i < 0 ? 0 : (i >= n ? n - 1 : i)];
}

static void compute(const double *v, long n, struct stats *s)
{
	double *c = malloc(n * sizeof(*c)), sum = 0, sq = 0;
	long i;

	memset(s, 0, sizeof(*s));
	if (!c || !n) {
		free(c);
		return;
	}
	memcpy(c, v, n * sizeof(*c));
	qsort(c, n, sizeof(*c), cmp_d);
	for (i = 0; i < n; i++)
		sum += c[i];
	s->mean = sum / n;
	for (i = 0; i < n; i++)
		sq += (c[i] - s->mean) * (c[i] - s->mean);
	s->std = n > 1 ? sqrt(sq / (n - 1)) : 0;
	s->min = c[0];
	s->max = c[n - 1];
	s->p50 = pct(c, n, 50);
	s->p90 = pct(c, n, 90);
	s->p99 = pct(c, n, 99);
	free(c);
}

static int parse(struct bench *b, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "duration", required_argument, NULL, 't' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "json", required_argument, NULL, 'j' },
		{ "profile", no_argument, NULL, 'p' },
		{ "trace", required_argument, NULL, 'T' },
		{ "parallel", required_argument, NULL, 'P' },
		{ 0 }
	};
	char *end;
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "d:n:t:w:j:pT:P:", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			b->device = optarg;
			break;
		case 'n':
			b->iterations = strtol(optarg, &end, 10);
			if (*end || b->iterations < 1 || b->iterations > 10000000)
				goto bad;
			break;
		case 't':
			b->duration = strtod(optarg, &end);
			if (*end || !(b->duration > 0) || b->duration > 86400)
				goto bad;
			break;
		case 'w':
			b->warmup = strtol(optarg, &end, 10);
			if (*end || b->warmup < 0 || b->warmup > 1000000)
				goto bad;
			break;
		case 'j':
			b->json = optarg;
			break;
		case 'p':
			b->profile = 1;
			break;
		case 'T':
			b->trace = optarg;
			break;
		case 'P':
			b->parallel = (int)strtol(optarg, &end, 10);
			if (*end || b->parallel < 1 || b->parallel > 64) {
				fprintf(stderr, "accel-run bench: --parallel takes 1 to 64\n");
				return EXIT_USAGE;
			}
			break;
		default:
			return EXIT_USAGE;
		}
	}
	if (b->iterations && b->duration) {
		fprintf(stderr, "accel-run bench: give --iterations or --duration, not both\n");
		return EXIT_USAGE;
	}
	if (optind != argc - 1) {
		fprintf(stderr, "accel-run bench: give exactly one MODEL\n");
		return EXIT_USAGE;
	}
	b->model_path = argv[optind];
	return 0;
bad:
	fprintf(stderr, "accel-run bench: bad value '%s' for --%s\n", optarg,
		opts[c == 'n' ? 1 : c == 't' ? 2 : 3].name);
	return EXIT_USAGE;
}

static int setup(struct bench *b)
{
	struct edgenpu_plan_limits lim;
	struct edgenpu_plan *p;
	uint64_t mask, rng = 0x9e3779b97f4a7c15ull;
	double t0 = now_s();
	char err[512];
	size_t i, j, size;
	int ret;

	ret = open_device(b->device, &b->dev, &mask, &lim);
	if (ret)
		return ret;
	ret = load(b->model_path, &b->m);
	if (ret)
		return ret;
	ret = edgenpu_plan_create_limits(b->m, mask, 0, &lim, &p, err,
					 sizeof(err));
	if (ret) {
		fprintf(stderr, "accel-run: %s\n", err);
		return plan_exit(ret);
	}
	ret = report_placement(p, b->dev, 0);
	if (!ret)
		ret = make_runner(p, b->dev, &b->r);
	if (!ret && b->parallel > 1) {
		b->workers = calloc(b->parallel - 1, sizeof(*b->workers));
		if (!b->workers)
			ret = EXIT_RUN_FAILED;
		for (i = 0; !ret && i < (size_t)b->parallel - 1; i++)
			ret = make_runner(p, b->dev, &b->workers[i].r);
	}
	edgenpu_plan_unref(p);
	if (ret)
		return ret;
	for (i = 0; i < edgenpu_model_num_inputs(b->m); i++) {
		uint8_t *in = edgenpu_runner_input(b->r, i, &size);

		for (j = 0; j < size; j++)
			in[j] = (uint8_t)(xorshift(&rng) >> 32);
	}
	b->init_ms = (now_s() - t0) * 1e3;
	b->op_ms = calloc(edgenpu_model_num_ops(b->m) + 1, sizeof(double));
	return b->op_ms ? 0 : EXIT_RUN_FAILED;
}

static int run_once(struct bench *b, double *ms)
{
	double t0 = now_s();

	if (edgenpu_runner_run(b->r)) {
		fprintf(stderr, "accel-run: run failed: %s\n",
			edgenpu_runner_last_error(b->r));
		return EXIT_RUN_FAILED;
	}
	*ms = (now_s() - t0) * 1e3;
	return 0;
}

static void add_profile(struct bench *b)
{
	size_t op;
	uint64_t s, e;

	for (op = 0; op < edgenpu_model_num_ops(b->m); op++)
		if (!edgenpu_runner_op_time(b->r, op, &s, &e) && e > s)
			b->op_ms[op] += (e - s) / 1e6;
}

/* --parallel: more runners keep the device busy while the main one is timed. */
static void *worker_main(void *arg)
{
	struct worker *w = arg;

	while (!*w->stop) {
		if (edgenpu_runner_run(w->r)) {
			w->failed = 1;
			break;
		}
		w->runs++;
	}
	return NULL;
}

static long start_workers(struct bench *b)
{
	long i;

	for (i = 0; i < b->parallel - 1; i++) {
		b->workers[i].stop = &b->stop;
		if (pthread_create(&b->workers[i].thread, NULL, worker_main,
				   &b->workers[i]))
			return i;
	}
	return i;
}

static long stop_workers(struct bench *b, long started, int *failed)
{
	long i, runs = 0;

	b->stop = 1;
	for (i = 0; i < started; i++) {
		pthread_join(b->workers[i].thread, NULL);
		runs += b->workers[i].runs;
		*failed |= b->workers[i].failed;
	}
	return runs;
}

static int measure(struct bench *b)
{
	long cap = b->iterations ? b->iterations : 1000, i, started;
	int wfailed = 0;
	int tty = isatty(STDERR_FILENO), ret;
	double t0, ms, last = 0;

	ret = run_once(b, &b->first_ms);
	for (i = 0; !ret && i < b->warmup; i++)
		ret = run_once(b, &ms);
	b->host_ms = malloc(cap * sizeof(double));
	b->dev_ms = malloc(cap * sizeof(double));
	if (ret || !b->host_ms || !b->dev_ms)
		return ret ? ret : EXIT_RUN_FAILED;
	started = b->workers ? start_workers(b) : 0;
	t0 = now_s();
	for (i = 0; ; i++) {
		if (b->iterations ? i >= b->iterations : now_s() - t0 >= b->duration)
			break;
		if (i == cap) {
			cap *= 2;
			b->host_ms = realloc(b->host_ms, cap * sizeof(double));
			b->dev_ms = realloc(b->dev_ms, cap * sizeof(double));
			if (!b->host_ms || !b->dev_ms)
				return EXIT_RUN_FAILED;
		}
		ret = run_once(b, &b->host_ms[i]);
		if (ret)
			break;
		b->dev_ms[i] = edgenpu_runner_device_ns(b->r) / 1e6;
		add_profile(b);
		if (tty && now_s() - last > 0.25) {
			last = now_s();
			fprintf(stderr, "\r%ld runs, %.1f s", i + 1, last - t0);
		}
	}
	b->other_runs = started ? stop_workers(b, started, &wfailed) : 0;
	if (tty)
		fprintf(stderr, "\r\033[K");
	if (ret)
		return ret;
	if (wfailed || started < b->parallel - 1) {
		fprintf(stderr, "accel-run: a parallel runner failed\n");
		return EXIT_RUN_FAILED;
	}
	b->n = i;
	b->total_s = now_s() - t0;
	return b->n ? 0 : EXIT_RUN_FAILED;
}

static void print_stats(const char *what, const struct stats *s)
{
	printf("  %-12s min %8.3f  mean %8.3f  std %7.3f  p50 %8.3f  p90 %8.3f  p99 %8.3f  max %8.3f ms\n",
	       what, s->min, s->mean, s->std, s->p50, s->p90, s->p99, s->max);
}

static int cmp_op(const void *a, const void *b, void *ctx)
{
	const double *v = ctx;
	double x = v[*(const size_t *)a], y = v[*(const size_t *)b];

	return x > y ? -1 : x < y;
}

static void print_profile(const struct bench *b)
{
	size_t i, j, nops = edgenpu_model_num_ops(b->m), order[1024];
	double by_type_ms[64] = { 0 };
	const char *types[64];
	size_t ntypes = 0;

	printf("per-op profile (mean per run, ms; NPU ops: device time):\n");
	for (i = 0; i < nops; i++)
		printf("  %4zu %-20s %9.4f\n", i, edgenpu_model_op_name(b->m, i),
		       b->op_ms[i] / b->n);
	for (i = 0; i < nops && i < 1024; i++)
		order[i] = i;
	qsort_r(order, nops < 1024 ? nops : 1024, sizeof(order[0]), cmp_op,
		b->op_ms);
	printf("top ops:\n");
	for (i = 0; i < nops && i < 5; i++)
		printf("  %4zu %-20s %9.4f\n", order[i],
		       edgenpu_model_op_name(b->m, order[i]), b->op_ms[order[i]] / b->n);
	for (i = 0; i < nops; i++) {
		const char *t = edgenpu_model_op_name(b->m, i);

		for (j = 0; j < ntypes && strcmp(types[j], t); j++)
			;
		if (j == ntypes && ntypes < 64)
			types[ntypes++] = t;
		if (j < 64)
			by_type_ms[j] += b->op_ms[i] / b->n;
	}
	printf("by op type:\n");
	for (j = 0; j < ntypes; j++)
		printf("  %-20s %9.4f\n", types[j], by_type_ms[j]);
}

static int write_trace(const struct bench *b)
{
	size_t op, nops = edgenpu_model_num_ops(b->m);
	uint64_t s, e, base = UINT64_MAX;
	FILE *f = fopen(b->trace, "w");
	int first = 1;

	if (!f) {
		fprintf(stderr, "accel-run: %s: %s\n", b->trace, strerror(errno));
		return EXIT_RUN_FAILED;
	}
	for (op = 0; op < nops; op++)
		if (!edgenpu_runner_op_time(b->r, op, &s, &e) && s && s < base)
			base = s;
	/* The last run's ops, in Chrome's trace event format (Perfetto). */
	fprintf(f, "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[");
	for (op = 0; op < nops; op++) {
		if (edgenpu_runner_op_time(b->r, op, &s, &e) || !s)
			continue;
		fprintf(f, "%s\n{\"name\":\"%s\",\"cat\":\"op\",\"ph\":\"X\",\"ts\":%.3f,\"dur\":%.3f,\"pid\":1,\"tid\":1,\"args\":{\"op\":%zu}}",
			first ? "" : ",", edgenpu_model_op_name(b->m, op),
			(s - base) / 1e3, (e - s) / 1e3, op);
		first = 0;
	}
	fprintf(f, "\n]}\n");
	return fclose(f) ? EXIT_RUN_FAILED : 0;
}

static void json_stats(FILE *f, const char *name, const struct stats *s)
{
	fprintf(f, "\"%s\":{\"min\":%.6f,\"mean\":%.6f,\"std\":%.6f,\"p50\":%.6f,\"p90\":%.6f,\"p99\":%.6f,\"max\":%.6f}",
		name, s->min, s->mean, s->std, s->p50, s->p90, s->p99, s->max);
}

static int write_json(const struct bench *b, const struct stats *h,
		      const struct stats *d)
{
	FILE *f = fopen(b->json, "w");
	size_t op;

	if (!f) {
		fprintf(stderr, "accel-run: %s: %s\n", b->json, strerror(errno));
		return EXIT_RUN_FAILED;
	}
	fprintf(f, "{\"schema\":\"edgenpu-bench/1\",\"config\":{\"model\":\"%s\",\"device\":\"%s\",\"iterations\":%ld,\"duration_s\":%.3f,\"warmup\":%ld,\"library\":\"%s\"},",
		b->model_path, b->dev ? device_name(b->dev) : "cpu", b->iterations,
		b->duration, b->warmup, edgenpu_version());
	fprintf(f, "\"parallel\":%d,\"all_runs\":%ld,\"all_throughput_per_s\":%.6f,",
		b->parallel ? b->parallel : 1, b->n + b->other_runs,
		(b->n + b->other_runs) / b->total_s);
	fprintf(f, "\"runs\":%ld,\"init_ms\":%.6f,\"first_run_ms\":%.6f,\"total_s\":%.6f,\"throughput_per_s\":%.6f,",
		b->n, b->init_ms, b->first_ms, b->total_s, b->n / b->total_s);
	json_stats(f, "host_ms", h);
	fputc(',', f);
	json_stats(f, "device_ms", d);
	fprintf(f, ",\"ops\":[");
	for (op = 0; op < edgenpu_model_num_ops(b->m); op++)
		fprintf(f, "%s{\"index\":%zu,\"name\":\"%s\",\"mean_ms\":%.6f}",
			op ? "," : "", op, edgenpu_model_op_name(b->m, op),
			b->op_ms[op] / b->n);
	fprintf(f, "]}\n");
	return fclose(f) ? EXIT_RUN_FAILED : 0;
}

int cmd_bench(int argc, char **argv)
{
	struct bench b = { .warmup = 5, .parallel = 1 };
	struct stats h, d;
	int ret, i;

	ret = parse(&b, argc, argv);
	if (!ret && !b.iterations && !b.duration)
		b.iterations = 100;
	if (!ret)
		ret = setup(&b);
	if (!ret)
		ret = measure(&b);
	if (!ret) {
		compute(b.host_ms, b.n, &h);
		compute(b.dev_ms, b.n, &d);
		printf("bench %s on %s: %ld runs in %.2f s, %.1f runs/s\n",
		       b.model_path, b.dev ? device_name(b.dev) : "the CPU executor",
		       b.n, b.total_s, b.n / b.total_s);
		if (b.parallel > 1)
			printf("  --parallel %d: %ld runs in all, %.1f runs/s together (latency below: runner 0)\n",
			       b.parallel, b.n + b.other_runs,
			       (b.n + b.other_runs) / b.total_s);
		printf("  init %.3f ms (load, plan, buffers), first run %.3f ms\n",
		       b.init_ms, b.first_ms);
		print_stats("host", &h);
		if (b.dev)
			print_stats("device", &d);
		if (b.profile)
			print_profile(&b);
		if (b.trace)
			ret = write_trace(&b);
		if (!ret && b.json)
			ret = write_json(&b, &h, &d);
	}
	for (i = 0; b.workers && i < b.parallel - 1; i++)
		edgenpu_runner_unref(b.workers[i].r);
	free(b.workers);
	free(b.host_ms);
	free(b.dev_ms);
	free(b.op_ms);
	edgenpu_runner_unref(b.r);
	edgenpu_model_unref(b.m);
	edgenpu_device_unref(b.dev);
	return ret;
}
