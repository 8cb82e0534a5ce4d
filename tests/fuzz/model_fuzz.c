// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for libedgenpu's TFLite reader and planner: any byte
 * string is loaded as a model; what loads is planned, and a plan whose
 * memory stays small is run once on the CPU executor. ASan and UBSan
 * catch any out-of-bounds access or undefined behaviour.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "edgenpu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct edgenpu_model *m = NULL;
	struct edgenpu_plan *p = NULL;
	struct edgenpu_runner *r = NULL;
	struct edgenpu_plan_stats st;
	char err[256];
	size_t i, n;

	if (edgenpu_model_load_memory(data, size, "fuzz", &m, err, sizeof(err)))
		return 0;
	if (edgenpu_plan_create(m, EDGENPU_OP_MASK_ALL, &p, err, sizeof(err)))
		goto out;
	edgenpu_plan_get_stats(p, &st);
	/* Bound memory and time: mutated shapes can ask for gigabytes. */
	if (st.scratch_bytes + st.input_bytes + st.output_bytes > (8u << 20))
		goto out;
	if (edgenpu_runner_create(p, NULL, &r, err, sizeof(err)))
		goto out;
	for (i = 0; i < edgenpu_model_num_inputs(m); i++) {
		uint8_t *in = edgenpu_runner_input(r, i, &n);

		memset(in, (int)(i * 37 + 1), n);
	}
	edgenpu_runner_run(r);
out:
	edgenpu_runner_unref(r);
	edgenpu_plan_unref(p);
	edgenpu_model_unref(m);
	return 0;
}
