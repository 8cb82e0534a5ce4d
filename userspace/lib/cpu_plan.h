/* SPDX-License-Identifier: MIT */
/*
 * libedgenpu CPU executor: the per-op plan of a runner's CPU segments.
 *
 * Made once when a runner is created, over the runner's own buffer
 * table: every op that has a fast kernel (cpu_gemm.h, cpu_dwconv.h) gets
 * its weights packed and its zero-point correction folded; every run of
 * consecutive other ops becomes a command stream of its own that the
 * engine runs as before. The fast kernels produce the engine's bytes
 * (TFLite's reference results), so the choice never changes an output.
 */
#ifndef EDGENPU_CPU_PLAN_H
#define EDGENPU_CPU_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "model_internal.h"

/*
 * enum cpu_isa - which kernels a CPU plan uses
 * @CPU_ISA_ENGINE: none: every op on the engine (the reference path).
 * @CPU_ISA_C: the portable C kernels.
 * @CPU_ISA_AVX2: the AVX2 kernels (x86-64 CPUs that have AVX2).
 * @CPU_ISA_NEON: the NEON kernels (every arm64 CPU).
 * @CPU_ISA_NEON_DOT: the NEON kernels with the dot-product GEMM (arm64
 *	CPUs with the armv8.2 dot product, HWCAP_ASIMDDP).
 */
enum cpu_isa {
	CPU_ISA_ENGINE = 0,
	CPU_ISA_C = 1,
	CPU_ISA_AVX2 = 2,
	CPU_ISA_NEON = 3,
	CPU_ISA_NEON_DOT = 4,
};

struct edgenpu_cpu_plan;

/*
 * The fastest kernels for this CPU (x86-64: AVX2 where it has it, else
 * the engine; arm64: NEON with the dot product where it has it, else
 * NEON), unless the environment variable EDGENPU_CPU_KERNELS says
 * "engine", "c", "avx2", "neon" or "dotprod" (for tests and benchmarks;
 * a set the CPU lacks means the default).
 */
enum cpu_isa edgenpu__cpu_isa_choose(void);

/* 1 when this CPU runs the kernels of @isa. */
int edgenpu__cpu_isa_supported(enum cpu_isa isa);

/*
 * edgenpu__cpu_plan_create() - plan the CPU segments of @plan
 * @plan: the plan; segments placed on the NPU are skipped when @npu
 * @bufs: the runner's buffer table (@nbufs entries), which every run uses
 * @scratch: engine scratch, EDGENPU_ENGINE_SCRATCH_SIZE bytes, for the
 *	validation of the engine's sub-streams
 * @isa: the kernels to use
 * @out: the new plan
 * @err: engine error of a sub-stream that failed validation
 *
 * The segments must have been validated against @bufs. 0, -ENOMEM, or
 * the engine's error for a sub-stream (which should not happen).
 */
int edgenpu__cpu_plan_create(const struct edgenpu_plan *plan, int npu,
			     const struct edgenpu_engine_buffer *bufs,
			     uint32_t nbufs, void *scratch, enum cpu_isa isa,
			     struct edgenpu_cpu_plan **out,
			     struct edgenpu_engine_error *err);
void edgenpu__cpu_plan_free(struct edgenpu_cpu_plan *cp);

/*
 * edgenpu__cpu_plan_run() - run CPU segment @s
 * @op_times: two timestamps per op of the segment (start, end), or NULL
 * @now: the clock for @op_times
 *
 * 0 or the engine's error, with @err->op_index an op of the segment.
 */
int edgenpu__cpu_plan_run(struct edgenpu_cpu_plan *cp, uint32_t s,
			  const struct edgenpu_engine_buffer *bufs,
			  uint32_t nbufs, void *scratch, uint64_t *op_times,
			  uint64_t (*now)(void *ctx),
			  struct edgenpu_engine_error *err);

/*
 * Multiply-accumulates below which an op runs on the calling thread
 * alone: waking the workers would cost more than it saves.
 */
#define CPU_PLAN_PAR_MIN_MACS	(1u << 15)

/*
 * Run the fast kernels on @threads threads (1 to 64; 1: the caller's
 * only), from the next run on, for ops of at least @min_macs
 * multiply-accumulates (CPU_PLAN_PAR_MIN_MACS; tests use 0). Results do
 * not depend on either. A plan without fast ops makes no threads. 0, -EINVAL, -ENOMEM or pthread_create()'s error;
 * the plan is unchanged on error.
 */
int edgenpu__cpu_plan_set_threads(struct edgenpu_cpu_plan *cp,
				  uint32_t threads, uint64_t min_macs);

/* Participants of the fast kernels (1: the caller alone). */
uint32_t edgenpu__cpu_plan_threads(const struct edgenpu_cpu_plan *cp);

/* Number of ops of all segments that run on a fast kernel. */
uint32_t edgenpu__cpu_plan_fast_total(const struct edgenpu_cpu_plan *cp);

/*
 * The fast kernels' operand pointers recomputed over @bufs, the runner's
 * table after some of its entries moved (edgenpu_runner_bind_input() and
 * _output()): same sizes, other addresses. Between runs only.
 */
void edgenpu__cpu_plan_rebase(struct edgenpu_cpu_plan *cp,
			      const struct edgenpu_engine_buffer *bufs);

/* Number of ops of segment @s that run on a fast kernel. */
uint32_t edgenpu__cpu_plan_fast_ops(const struct edgenpu_cpu_plan *cp,
				    uint32_t s);

#endif /* EDGENPU_CPU_PLAN_H */
