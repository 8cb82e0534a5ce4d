// SPDX-License-Identifier: MIT
/*
 * libedgenpu CPU executor: the worker pool (cpu_pool.h).
 *
 * A run hands out one job per op, and MobileNet v2 has 65 ops of 7 to
 * 800 microseconds each: a hand-off through a condition variable (a futex
 * wake, then the scheduler) costs tens of microseconds per op, which is
 * most of what a second thread saves on the small ops. So both sides
 * spin first, for a bounded time (CPU_POOL_SPIN_NS), on atomic counters:
 * a worker that finished its part of one op usually sees the next op's
 * generation while still spinning, and the caller usually sees the last
 * worker finish while spinning. Only then does either sleep on the
 * mutex and condition variables, so an idle pool costs nothing.
 *
 * The lost-wakeup argument, for both directions (Dekker's pattern, all
 * accesses sequentially consistent): the sleeper first announces itself
 * (sleepers, caller_waits), then re-reads the condition under the mutex
 * before waiting; the waker first changes the condition (gen, busy), then
 * reads the announcement and, if set, signals under the mutex. At least
 * one of the two sees the other's write, so a sleeper is never left
 * waiting on a condition that already holds.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "cpu_pool.h"

/* How long either side spins before sleeping: a few ops' gaps. */
#define CPU_POOL_SPIN_NS	100000

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
	_Atomic uint64_t gen;		/* bumped once per job */
	_Atomic uint32_t busy;		/* workers still in the job */
	_Atomic uint32_t sleepers;	/* workers on (or going to) @go */
	_Atomic int caller_waits;	/* the caller on (or going to) @done */
	_Atomic int stop;
	cpu_pool_fn fn;			/* the job: written before @gen */
	void *ctx;
	struct cpu_worker w[CPU_POOL_MAX];
};

static uint64_t pool_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A hint to the core that this is a spin loop (no memory effect). */
static inline void pool_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

/*
 * Spin until @pred(p, arg) holds or CPU_POOL_SPIN_NS pass; 1 if it holds.
 * The clock is read every 64 rounds, so it costs little.
 */
static int pool_spin(struct edgenpu_cpu_pool *p,
		     int (*pred)(struct edgenpu_cpu_pool *p, uint64_t arg),
		     uint64_t arg)
{
	uint64_t t0 = 0;
	uint32_t i;

	for (i = 0;; i++) {
		if (pred(p, arg))
			return 1;
		if ((i & 63) == 63) {
			uint64_t t = pool_now_ns();

			if (!t0)
				t0 = t;
			else if (t - t0 > CPU_POOL_SPIN_NS)
				return 0;
		}
		pool_relax();
	}
}

static int pool_has_job(struct edgenpu_cpu_pool *p, uint64_t seen)
{
	return atomic_load(&p->stop) || atomic_load(&p->gen) != seen;
}

static int pool_all_done(struct edgenpu_cpu_pool *p, uint64_t unused)
{
	(void)unused;
	return atomic_load(&p->busy) == 0;
}

/* Wait for a generation other than @seen, or stop. */
static void worker_wait(struct edgenpu_cpu_pool *p, uint64_t seen)
{
	if (pool_spin(p, pool_has_job, seen))
		return;
	pthread_mutex_lock(&p->mu);
	atomic_fetch_add(&p->sleepers, 1);
	while (!pool_has_job(p, seen))
		pthread_cond_wait(&p->go, &p->mu);
	atomic_fetch_sub(&p->sleepers, 1);
	pthread_mutex_unlock(&p->mu);
}

static void *worker_main(void *arg)
{
	struct cpu_worker *w = arg;
	struct edgenpu_cpu_pool *p = w->pool;
	uint64_t seen = 0;

	for (;;) {
		worker_wait(p, seen);
		if (atomic_load(&p->stop))
			break;
		seen = atomic_load(&p->gen);
		p->fn(p->ctx, w->index, p->n);
		if (atomic_fetch_sub(&p->busy, 1) == 1 &&
		    atomic_load(&p->caller_waits)) {
			pthread_mutex_lock(&p->mu);
			pthread_cond_signal(&p->done);
			pthread_mutex_unlock(&p->mu);
		}
	}
	return NULL;
}

void edgenpu__cpu_pool_free(struct edgenpu_cpu_pool *p)
{
	uint32_t i;

	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	atomic_store(&p->stop, 1);
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
	p->fn = fn;
	p->ctx = ctx;
	atomic_store(&p->busy, p->n - 1);
	atomic_fetch_add(&p->gen, 1);	/* publishes fn, ctx and busy */
	if (atomic_load(&p->sleepers)) {
		pthread_mutex_lock(&p->mu);
		pthread_cond_broadcast(&p->go);
		pthread_mutex_unlock(&p->mu);
	}
	fn(ctx, 0, p->n);
	if (pool_spin(p, pool_all_done, 0))
		return;
	pthread_mutex_lock(&p->mu);
	atomic_store(&p->caller_waits, 1);
	while (atomic_load(&p->busy))
		pthread_cond_wait(&p->done, &p->mu);
	atomic_store(&p->caller_waits, 0);
	pthread_mutex_unlock(&p->mu);
}
