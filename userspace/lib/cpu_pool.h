/* SPDX-License-Identifier: MIT */
/*
 * libedgenpu CPU executor: a runner's worker threads.
 *
 * A pool of P participants: the calling thread and P - 1 workers that
 * sleep between jobs. edgenpu__cpu_pool_run() hands one function to all
 * of them, each with its own index, and returns when all have finished.
 * The kernels split their output rows by that index, each element
 * computed exactly as by one thread, so results never depend on P.
 */
#ifndef EDGENPU_CPU_POOL_H
#define EDGENPU_CPU_POOL_H

#include <stdint.h>

struct edgenpu_cpu_pool;

/* Largest number of participants of a pool. */
#define CPU_POOL_MAX	64

/* Function run by participant @i of @n. */
typedef void (*cpu_pool_fn)(void *ctx, uint32_t i, uint32_t n);

/* A pool of @n participants (2 to CPU_POOL_MAX); 0 or -errno. */
int edgenpu__cpu_pool_create(uint32_t n, struct edgenpu_cpu_pool **out);
/* Stop and join the workers; NULL is ignored. */
void edgenpu__cpu_pool_free(struct edgenpu_cpu_pool *p);
/* Number of participants. */
uint32_t edgenpu__cpu_pool_size(const struct edgenpu_cpu_pool *p);
/* fn(ctx, i, n) on every participant i, the caller being 0; waits. */
void edgenpu__cpu_pool_run(struct edgenpu_cpu_pool *p, cpu_pool_fn fn,
			   void *ctx);

#endif /* EDGENPU_CPU_POOL_H */
