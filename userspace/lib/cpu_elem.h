/* SPDX-License-Identifier: MIT */
/*
 * libedgenpu CPU kernels: ADD and SUB of two int8 tensors of one shape.
 *
 * TFLite's int8 addition: each input, minus its zero point and shifted
 * left, is rescaled with MultiplyByQuantizedMultiplier; the sum (or
 * difference) is requantized to the output. Every step is the same
 * per-tensor requantization as the convolutions' (cpu_requant.h), with
 * no zero point and no clamp for the two inputs, so the kernels reuse it
 * and give the engine's bytes.
 */
#ifndef EDGENPU_CPU_ELEM_H
#define EDGENPU_CPU_ELEM_H

#include <stddef.h>
#include <stdint.h>

#include "cpu_requant.h"

/*
 * struct cpu_add - one prepared ADD or SUB, dense operands
 * @a: first input.
 * @b: second input.
 * @y: output.
 * @count: elements.
 * @zpa: first input's zero point.
 * @zpb: second input's zero point.
 * @ls: left shift of both offset inputs.
 * @sub: SUB rather than ADD.
 * @qa: rescaling of the first input (channel 0 of CPU_NR equal ones).
 * @qb: likewise for the second.
 * @qo: requantization of the result.
 */
struct cpu_add {
	const int8_t *a, *b;
	int8_t *y;
	size_t count;
	int32_t zpa, zpb, ls;
	int sub;
	struct cpu_rq qa, qb, qo;
};

/*
 * The requantizations of @e, whose other fields are set, from the
 * per-tensor multipliers and shifts and the output's zero point and
 * clamp. 0, -ENOMEM or -ENOTSUP (a negative multiplier).
 */
int edgenpu__cpu_add_init(struct cpu_add *e, int32_t ma, int32_t sa,
			  int32_t mb, int32_t sb, int32_t mo, int32_t so,
			  int32_t zo, int32_t lo, int32_t hi);
void edgenpu__cpu_add_free(struct cpu_add *e);

/* Elements [i0, i1): the portable kernel, the AVX2 one and the NEON one. */
void edgenpu__cpu_add_run_c(const struct cpu_add *e, size_t i0, size_t i1);
#if defined(__x86_64__)
void edgenpu__cpu_add_run_avx2(const struct cpu_add *e, size_t i0,
			       size_t i1);
#endif
#if defined(__aarch64__)
void edgenpu__cpu_add_run_neon(const struct cpu_add *e, size_t i0,
			       size_t i1);
#endif

#endif /* EDGENPU_CPU_ELEM_H */
