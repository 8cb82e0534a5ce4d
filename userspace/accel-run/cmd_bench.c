// SPDX-License-Identifier: MIT
/*
 * accel-run bench: latency and throughput of a model, with host time
 * beside device time, a per-op profile and a Chrome trace.
 *
 * Initialisation (load, plan, buffer allocation) and the first run are
 * timed apart from the steady state. Inputs are seeded random bytes.
 *
 * --pipeline D streams from one thread through D runners, started and
 * finished in turn (edgenpu_runner_start(), _finish()), so that the
 * device has the next job queued while the caller collects the last one;
 * it reports how much of the wall time the device was busy.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "accel-run.h"
#include "device.h"
#include "model.h"
#include "options.h"
#include "../lib/trace.h"

struct stats {
	double min, mean, std, p50, p90, p99, max;
};

struct worker {
	pthread_t thread;
	struct edgenpu_runner *r;
	long runs;
	int failed;
	atomic_int *stop;	/* set once the timed runs are over */
};

/* One run's ops on the device, in the device's clock (ns). */
struct span {
	uint64_t start, end;
};

struct bench {
	struct ar_options o;
	struct edgenpu_model *m;
	struct edgenpu_runner *r;
	struct edgenpu_device *dev;
	double init_ms, first_ms, total_s;
	double *host_ms, *dev_ms;
	long n;
	double *op_ms;		/* per model op: summed device (or CPU) time */
	struct worker *workers;	/* --parallel: P - 1 more runners */
	atomic_int stop;
	long other_runs;	/* runs of the other runners meanwhile */
	struct edgenpu_runner **pipe;	/* --pipeline: pipe[0] is r */
	double *pipe_t0;		/* when each pipe runner started */
	unsigned char *on_npu;		/* per model op: placed on the NPU */
	struct span *spans;		/* per timed run, on the device */
	double busy_s;			/* their union */
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

/* --threads for one runner's CPU executor. */
static int set_threads(const struct bench *b, struct edgenpu_runner *r)
{
	return ar_runner_threads(r, b->o.threads, b->o.parallel);
}

/* Which ops the NPU runs: their times are the device's busy time. */
static int find_npu_ops(struct bench *b, struct edgenpu_plan *p)
{
	size_t i, nops = edgenpu_plan_num_ops(p);
	struct edgenpu_op_info oi;

	b->on_npu = calloc(nops + 1, 1);
	if (!b->on_npu)
		return EXIT_RUN_FAILED;
	for (i = 0; b->dev && i < nops; i++)
		b->on_npu[i] = !edgenpu_plan_op_info(p, i, &oi) &&
			       oi.placement == EDGENPU_PLACE_NPU;
	return 0;
}

/* --pipeline D: D runners, b->r first. */
static int make_pipe(struct bench *b, struct edgenpu_plan *p)
{
	size_t i;
	int ret = 0;

	b->pipe = calloc((size_t)b->o.pipeline, sizeof(*b->pipe));
	b->pipe_t0 = calloc((size_t)b->o.pipeline, sizeof(*b->pipe_t0));
	if (!b->pipe || !b->pipe_t0)
		return EXIT_RUN_FAILED;
	b->pipe[0] = edgenpu_runner_ref(b->r);
	for (i = 1; !ret && i < (size_t)b->o.pipeline; i++) {
		ret = ar_runner_create(p, b->dev, &b->pipe[i]);
		if (!ret)
			ret = set_threads(b, b->pipe[i]);
	}
	return ret;
}

/* The model's runners: b->r, and --parallel's P - 1 more in b->workers. */
static int make_runners(struct bench *b, struct edgenpu_plan *p)
{
	size_t i;
	int ret;

	ret = ar_runner_create(p, b->dev, &b->r);
	if (!ret)
		ret = set_threads(b, b->r);
	if (!ret && b->o.pipeline > 1)
		return make_pipe(b, p);
	if (ret || b->o.parallel < 2)
		return ret;
	b->workers = calloc((size_t)b->o.parallel - 1, sizeof(*b->workers));
	if (!b->workers)
		return EXIT_RUN_FAILED;
	for (i = 0; !ret && i < (size_t)b->o.parallel - 1; i++) {
		ret = ar_runner_create(p, b->dev, &b->workers[i].r);
		if (!ret)
			ret = set_threads(b, b->workers[i].r);
	}
	return ret;
}

/* Load, plan and allocate (timed as init); the inputs get random bytes. */
static int setup(struct bench *b)
{
	struct edgenpu_plan_limits lim;
	struct edgenpu_plan *p = NULL;
	uint64_t mask, rng = 0x9e3779b97f4a7c15ull;
	double t0 = now_s();
	size_t i, size;
	uint8_t *in;
	int ret;
	long k;

	ret = ar_device_open(b->o.device, AR_DEVICE_FIRST_NPU, &b->dev, &mask,
			     &lim);
	if (!ret && !b->dev && b->o.pipeline > 1) {
		fprintf(stderr, "accel-run bench: --pipeline needs an NPU device (on the CPU executor a run is over when it starts)\n");
		return EXIT_USAGE;
	}
	if (!ret)
		ret = ar_model_load(b->o.model, &b->m);
	if (!ret)
		ret = ar_plan_create(b->m, mask, 0, &lim, &p);
	if (!ret)
		ret = ar_report_placement(p, b->dev, 0);
	if (!ret)
		ret = find_npu_ops(b, p);
	if (!ret)
		ret = make_runners(b, p);
	edgenpu_plan_unref(p);
	if (ret)
		return ret;
	for (i = 0; i < edgenpu_model_num_inputs(b->m); i++) {
		in = edgenpu_runner_input(b->r, i, &size);
		ar_fill_random(in, size, &rng);
		for (k = 1; b->pipe && k < b->o.pipeline; k++)
			memcpy(edgenpu_runner_input(b->pipe[k], i, NULL), in,
			       size);
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

static void add_profile(struct bench *b, const struct edgenpu_runner *r)
{
	size_t op;
	uint64_t s, e;

	for (op = 0; op < edgenpu_model_num_ops(b->m); op++)
		if (!edgenpu_runner_op_time(r, op, &s, &e) && e > s)
			b->op_ms[op] += (e - s) / 1e6;
}

/* --parallel: more runners keep the device busy while the main one is timed. */
static void *worker_main(void *arg)
{
	struct worker *w = arg;

	while (!atomic_load(w->stop)) {
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

	for (i = 0; i < b->o.parallel - 1; i++) {
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

	atomic_store(&b->stop, 1);
	for (i = 0; i < started; i++) {
		pthread_join(b->workers[i].thread, NULL);
		runs += b->workers[i].runs;
		*failed |= b->workers[i].failed;
	}
	return runs;
}

/* Run @i's span on the device (first NPU op start to last end), or 0s. */
static void record_span(struct bench *b, const struct edgenpu_runner *r,
			long i)
{
	uint64_t s, e, lo = UINT64_MAX, hi = 0;
	size_t op;

	for (op = 0; op < edgenpu_model_num_ops(b->m); op++) {
		if (!b->on_npu[op] || edgenpu_runner_op_time(r, op, &s, &e) ||
		    e <= s)
			continue;
		lo = s < lo ? s : lo;
		hi = e > hi ? e : hi;
	}
	b->spans[i].start = hi ? lo : 0;
	b->spans[i].end = hi;
}

/* Room for @cap samples in host_ms, dev_ms and spans. */
static int grow_samples(struct bench *b, long cap)
{
	double *h, *d;
	struct span *sp;

	h = realloc(b->host_ms, (size_t)cap * sizeof(double));
	if (h)
		b->host_ms = h;
	d = realloc(b->dev_ms, (size_t)cap * sizeof(double));
	if (d)
		b->dev_ms = d;
	sp = realloc(b->spans, (size_t)cap * sizeof(*sp));
	if (sp)
		b->spans = sp;
	return h && d && sp ? 0 : EXIT_RUN_FAILED;
}

static void progress(double t0, long runs, double *last)
{
	if (now_s() - *last > 0.25) {
		*last = now_s();
		fprintf(stderr, "\r%ld runs, %.1f s", runs, *last - t0);
	}
}

/* The timed runs, --iterations of them or for --duration seconds. */
static int timed_runs(struct bench *b, double t0)
{
	long cap = b->o.iterations ? b->o.iterations : 1000, i;
	int tty = isatty(STDERR_FILENO), ret = grow_samples(b, cap);
	double last = 0;

	for (i = 0; !ret; i++) {
		if (b->o.iterations ? i >= b->o.iterations :
		    now_s() - t0 >= b->o.duration)
			break;
		if (i == cap) {
			cap *= 2;
			ret = grow_samples(b, cap);
			if (ret)
				break;
		}
		ret = run_once(b, &b->host_ms[i]);
		if (ret)
			break;
		b->dev_ms[i] = edgenpu_runner_device_ns(b->r) / 1e6;
		add_profile(b, b->r);
		record_span(b, b->r, i);
		if (tty)
			progress(t0, i + 1, &last);
	}
	if (tty)
		fprintf(stderr, "\r\033[K");
	b->n = i;
	return ret;
}

/* Start pipe runner @k, or say why not. */
static int pipe_start(struct bench *b, int k)
{
	b->pipe_t0[k] = now_s();
	if (!edgenpu_runner_start(b->pipe[k]))
		return 0;
	fprintf(stderr, "accel-run: run failed: %s\n",
		edgenpu_runner_last_error(b->pipe[k]));
	return EXIT_RUN_FAILED;
}

/* Finish pipe runner @k: sample @i. */
static int pipe_finish(struct bench *b, int k, long i)
{
	struct edgenpu_runner *r = b->pipe[k];

	if (edgenpu_runner_finish(r)) {
		fprintf(stderr, "accel-run: run failed: %s\n",
			edgenpu_runner_last_error(r));
		return EXIT_RUN_FAILED;
	}
	b->host_ms[i] = (now_s() - b->pipe_t0[k]) * 1e3;
	b->dev_ms[i] = edgenpu_runner_device_ns(r) / 1e6;
	add_profile(b, r);
	record_span(b, r, i);
	return 0;
}

static int cmp_span(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Seconds in which at least one timed run was on the device. */
static double busy_union(struct span *sp, long n)
{
	uint64_t busy = 0, cur_s = 0, cur_e = 0;
	long i;

	qsort(sp, (size_t)n, sizeof(*sp), cmp_span);
	for (i = 0; i < n; i++) {
		if (!sp[i].end)
			continue;
		if (sp[i].start > cur_e) {
			busy += cur_e - cur_s;
			cur_s = sp[i].start;
			cur_e = sp[i].end;
		} else if (sp[i].end > cur_e) {
			cur_e = sp[i].end;
		}
	}
	return (busy + (cur_e - cur_s)) / 1e9;
}

/*
 * --pipeline D: every runner started, then the oldest finished and
 * started again, D runs in flight, until --iterations runs were started
 * (or --duration is over); then the last ones are collected.
 */
static int pipelined_runs(struct bench *b, double t0)
{
	long cap = b->o.iterations ? b->o.iterations : 1000, started = 0, i;
	int d = (int)b->o.pipeline, k, ret = grow_samples(b, cap);

	for (k = 0; !ret && k < d &&
		    (!b->o.iterations || started < b->o.iterations); k++) {
		ret = pipe_start(b, k);
		started += !ret;
	}
	for (i = 0, k = 0; !ret && i < started; i++, k = (k + 1) % d) {
		if (i == cap) {
			cap *= 2;
			ret = grow_samples(b, cap);
			if (ret)
				break;
		}
		ret = pipe_finish(b, k, i);
		if (!ret && (b->o.iterations ? started < b->o.iterations :
			     now_s() - t0 < b->o.duration)) {
			ret = pipe_start(b, k);
			started += !ret;
		}
	}
	/* After a failure, the runs still queued are collected by unref. */
	b->n = i;
	return ret;
}

/* The first run and the warmup apart, then the timed runs. */
static int measure(struct bench *b)
{
	long i, started;
	int wfailed = 0, ret;
	double t0, ms;

	ret = run_once(b, &b->first_ms);
	for (i = 0; !ret && i < b->o.warmup; i++)
		ret = run_once(b, &ms);
	/* The pipe's other runners' first runs, out of the timed window. */
	for (i = 1; !ret && b->pipe && i < b->o.pipeline; i++)
		if (edgenpu_runner_run(b->pipe[i]))
			ret = EXIT_RUN_FAILED;
	if (ret)
		return ret;
	started = b->workers ? start_workers(b) : 0;
	t0 = now_s();
	ret = b->pipe ? pipelined_runs(b, t0) : timed_runs(b, t0);
	b->other_runs = started ? stop_workers(b, started, &wfailed) : 0;
	if (ret)
		return ret;
	if (wfailed || started < b->o.parallel - 1) {
		fprintf(stderr, "accel-run: a parallel runner failed\n");
		return EXIT_RUN_FAILED;
	}
	b->total_s = now_s() - t0;
	b->busy_s = busy_union(b->spans, b->n);
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

/* The last run's ops, in Chrome's trace event format (Perfetto). */
static int write_trace(const struct bench *b)
{
	size_t op, n = 0, nops = edgenpu_model_num_ops(b->m);
	struct edgenpu__trace_event *ev = calloc(nops + 1, sizeof(*ev));
	FILE *f = ev ? fopen(b->o.trace, "w") : NULL;
	uint64_t s, e;
	int ret;

	if (!f) {
		fprintf(stderr, "accel-run: %s: %s\n", b->o.trace,
			ev ? strerror(errno) : "out of memory");
		free(ev);
		return EXIT_RUN_FAILED;
	}
	for (op = 0; op < nops; op++) {
		if (edgenpu_runner_op_time(b->r, op, &s, &e) || !s)
			continue;
		ev[n].name = edgenpu_model_op_name(b->m, op);
		ev[n].cat = "op";
		ev[n].ts_ns = s;
		ev[n].dur_ns = e - s;
		ev[n].arg_key[0] = "op";
		ev[n++].arg_val[0] = (int64_t)op;
	}
	ret = edgenpu__trace_write(f, ev, n, 0);
	free(ev);
	if (fclose(f) || ret) {
		fprintf(stderr, "accel-run: %s: write error\n", b->o.trace);
		return EXIT_RUN_FAILED;
	}
	return 0;
}

static void json_stats(FILE *f, const char *name, const struct stats *s)
{
	fprintf(f, "\"%s\":{\"min\":%.6f,\"mean\":%.6f,\"std\":%.6f,\"p50\":%.6f,\"p90\":%.6f,\"p99\":%.6f,\"max\":%.6f}",
		name, s->min, s->mean, s->std, s->p50, s->p90, s->p99, s->max);
}

static void json_config(FILE *f, const struct bench *b)
{
	char name[AR_DEVICE_NAME_LEN] = "cpu";

	if (b->dev)
		ar_device_name(b->dev, name, sizeof(name));
	fprintf(f, "{\"schema\":\"edgenpu-bench/1\",\"config\":{\"model\":");
	edgenpu__json_string(f, b->o.model);
	fprintf(f, ",\"device\":");
	edgenpu__json_string(f, name);
	fprintf(f, ",\"iterations\":%ld,\"duration_s\":%.3f,\"warmup\":%ld,\"library\":\"%s\"},",
		b->o.iterations, b->o.duration, b->o.warmup, edgenpu_version());
}

static int write_json(const struct bench *b, const struct stats *h,
		      const struct stats *d)
{
	FILE *f = fopen(b->o.json, "w");
	size_t op;

	if (!f) {
		fprintf(stderr, "accel-run: %s: %s\n", b->o.json, strerror(errno));
		return EXIT_RUN_FAILED;
	}
	json_config(f, b);
	fprintf(f, "\"parallel\":%d,\"threads\":%u,\"all_runs\":%ld,\"all_throughput_per_s\":%.6f,",
		b->o.parallel, edgenpu_runner_threads(b->r), b->n + b->other_runs,
		(b->n + b->other_runs) / b->total_s);
	fprintf(f, "\"runs\":%ld,\"init_ms\":%.6f,\"first_run_ms\":%.6f,\"total_s\":%.6f,\"throughput_per_s\":%.6f,",
		b->n, b->init_ms, b->first_ms, b->total_s, b->n / b->total_s);
	fprintf(f, "\"pipeline\":%ld,\"device_busy_s\":%.9f,\"wall_per_device_busy\":%.6f,",
		b->o.pipeline, b->busy_s,
		b->busy_s > 0 ? b->total_s / b->busy_s : 0.0);
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

static void print_summary(const struct bench *b, const struct stats *h,
			  const struct stats *d)
{
	char name[AR_DEVICE_NAME_LEN] = "the CPU executor";

	if (b->dev)
		ar_device_name(b->dev, name, sizeof(name));
	printf("bench %s on %s: %ld runs in %.2f s, %.1f runs/s\n",
	       b->o.model, name, b->n, b->total_s, b->n / b->total_s);
	if (b->o.parallel > 1)
		printf("  --parallel %d: %ld runs in all, %.1f runs/s together (latency below: runner 0)\n",
		       b->o.parallel, b->n + b->other_runs,
		       (b->n + b->other_runs) / b->total_s);
	printf("  init %.3f ms (load, plan, buffers), first run %.3f ms, %u CPU executor thread%s\n",
	       b->init_ms, b->first_ms, edgenpu_runner_threads(b->r),
	       edgenpu_runner_threads(b->r) == 1 ? "" : "s");
	print_stats("host", h);
	if (b->dev)
		print_stats("device", d);
	if (b->pipe)
		printf("  --pipeline %ld: %ld runners started in turn from one thread (host latency above: start to finish, queued behind the others)\n",
		       b->o.pipeline, b->o.pipeline);
	if (b->busy_s > 0)
		printf("  device busy %.3f of %.3f s (the union of the runs' spans on the NPU): wall / device busy %.3f\n",
		       b->busy_s, b->total_s, b->total_s / b->busy_s);
}

/* Everything measured, on stdout and in the files asked for. */
static int report(const struct bench *b)
{
	struct stats h, d;
	int ret = 0;

	compute(b->host_ms, b->n, &h);
	compute(b->dev_ms, b->n, &d);
	print_summary(b, &h, &d);
	if (b->o.profile)
		print_profile(b);
	if (b->o.trace)
		ret = write_trace(b);
	if (!ret && b->o.json)
		ret = write_json(b, &h, &d);
	return ret;
}

int cmd_bench(int argc, char **argv)
{
	struct bench b = { 0 };
	int ret, i;

	ret = ar_options_parse(AR_CMD_BENCH, argc, argv, &b.o);
	if (ret || b.o.help)
		return ret;
	if (!b.o.iterations && !b.o.duration)
		b.o.iterations = 100;
	ret = setup(&b);
	if (ret)
		goto out;
	ret = measure(&b);
	if (ret)
		goto out;
	ret = report(&b);
out:
	for (i = 0; b.workers && i < b.o.parallel - 1; i++)
		edgenpu_runner_unref(b.workers[i].r);
	free(b.workers);
	for (i = 0; b.pipe && i < b.o.pipeline; i++)
		edgenpu_runner_unref(b.pipe[i]);
	free(b.pipe);
	free(b.pipe_t0);
	free(b.on_npu);
	free(b.spans);
	free(b.host_ms);
	free(b.dev_ms);
	free(b.op_ms);
	edgenpu_runner_unref(b.r);
	edgenpu_model_unref(b.m);
	edgenpu_device_unref(b.dev);
	return ret;
}
