// SPDX-License-Identifier: MIT
/*
 * libedgenpu CPU executor: the worker pool (cpu_pool.h).
 *
 * One mutex and two condition variables: a job is published by bumping
 * a generation counter (workers wait for a generation they have not
 * run), and the caller waits until the count of busy workers drops to
 * zero. Jobs are a few per op, each milliseconds or less, so the
 * simplest correct hand-off is enough.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "cpu_pool.h"

struct cpu_worker {
	struct edgenpu_cpu_pool *pool;
	uint32_t index;
	pthread_t thread;
};

struct edgenpu_cpu_pool {
	pthread_mutex_t mu;
	pthread_cond_t go;		/* a new generation, or stop */
	pthread_cond_t done;		/* busy reached zero */
	uint32_t n;			/* participants, the caller included */
	uint32_t started;		/* workers created */
	uint64_t gen;
	uint32_t busy;
	int stop;
	cpu_pool_fn fn;
	void *ctx;
	struct cpu_worker w[CPU_POOL_MAX];
};

static void *worker_main(void *arg)
{
	struct cpu_worker *w = arg;
	struct edgenpu_cpu_pool *p = w->pool;
	uint64_t seen = 0;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		cpu_pool_fn fn;
		void *ctx;

		while (!p->stop && p->gen == seen)
			pthread_cond_wait(&p->go, &p->mu);
		if (p->stop)
			break;
		seen = p->gen;
		fn = p->fn;
		ctx = p->ctx;
		pthread_mutex_unlock(&p->mu);
		fn(ctx, w->index, p->n);
		pthread_mutex_lock(&p->mu);
		if (--p->busy == 0)
			pthread_cond_signal(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

void edgenpu__cpu_pool_free(struct edgenpu_cpu_pool *p)
{
	uint32_t i;

	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_broadcast(&p->go);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < p->started; i++)
		pthread_join(p->w[i].thread, NULL);
	pthread_cond_destroy(&p->done);
	pthread_cond_destroy(&p->go);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

int edgenpu__cpu_pool_create(uint32_t n, struct edgenpu_cpu_pool **out)
{
	struct edgenpu_cpu_pool *p;
	int ret = 0;

	if (n < 2 || n > CPU_POOL_MAX)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->n = n;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->go, NULL);
	pthread_cond_init(&p->done, NULL);
	/* Worker i runs participant i + 1; the caller is participant 0. */
	while (p->started < n - 1) {
		struct cpu_worker *w = &p->w[p->started];

		w->pool = p;
		w->index = p->started + 1;
		ret = -pthread_create(&w->thread, NULL, worker_main, w);
		if (ret)
			break;
		p->started++;
	}
	if (ret) {
		edgenpu__cpu_pool_free(p);
		return ret;
	}
	*out = p;
	return 0;
}

uint32_t edgenpu__cpu_pool_size(const struct edgenpu_cpu_pool *p)
{
	return p ? p->n : 1;
}

void edgenpu__cpu_pool_run(struct edgenpu_cpu_pool *p, cpu_pool_fn fn,
			   void *ctx)
{
	pthread_mutex_lock(&p->mu);
	p->fn = fn;
	p->ctx = ctx;
	p->busy = p->n - 1;
	p->gen++;
	pthread_cond_broadcast(&p->go);
	pthread_mutex_unlock(&p->mu);
	fn(ctx, 0, p->n);
	pthread_mutex_lock(&p->mu);
	while (p->busy)
		pthread_cond_wait(&p->done, &p->mu);
	pthread_mutex_unlock(&p->mu);
}
