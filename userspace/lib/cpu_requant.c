// SPDX-License-Identifier: MIT
/*
 * libedgenpu CPU kernels: the per-channel requantization arrays, built
 * once per op when the CPU plan is made (cpu_requant.h).
 */
#include <errno.h>
#include <stdlib.h>

#include "cpu_requant.h"

static int32_t *rq_array(uint32_t n)
{
	uint32_t npad = (n + CPU_NR - 1) / CPU_NR * CPU_NR;

	return calloc(npad ? npad : CPU_NR, sizeof(int32_t));
}

void edgenpu__cpu_rq_free(struct cpu_rq *rq)
{
	free(rq->mult);
	free(rq->lshift);
	free(rq->rshift);
	rq->mult = rq->lshift = rq->rshift = NULL;
}

int edgenpu__cpu_rq_init(struct cpu_rq *rq, uint32_t n, const int32_t *pm,
			 const int32_t *ps, int32_t m0, int32_t s0, int32_t zp,
			 int32_t lo, int32_t hi)
{
	uint32_t c;

	rq->mult = rq_array(n);
	rq->lshift = rq_array(n);
	rq->rshift = rq_array(n);
	rq->zp = zp;
	rq->lo = lo;
	rq->hi = hi;
	if (!rq->mult || !rq->lshift || !rq->rshift) {
		edgenpu__cpu_rq_free(rq);
		return -ENOMEM;
	}
	for (c = 0; c < n; c++) {
		int32_t m = pm ? pm[c] : m0, s = ps ? ps[c] : s0;

		if (m < 0) {
			edgenpu__cpu_rq_free(rq);
			return -ENOTSUP;
		}
		/* The engine clamps the shift the same way (eng_requant_row). */
		s = s < -31 ? -31 : (s > 30 ? 30 : s);
		rq->mult[c] = m;
		rq->lshift[c] = s > 0 ? s : 0;
		rq->rshift[c] = s > 0 ? 0 : -s;
	}
	return 0;
}
