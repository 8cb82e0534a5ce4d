/* SPDX-License-Identifier: MIT */
/*
 * libedgenpu internal: models, lowering, plans and the CPU executor.
 */
#ifndef EDGENPU_MODEL_INTERNAL_H
#define EDGENPU_MODEL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "edgenpu.h"
#include "tflite_reader.h"
/* The engine's header, found from here in every build of the library. */
#include "../../drivers/accel/edgenpu/engine/edgenpu_engine.h"

struct edgenpu_model {
	int refs;
	char name[256];
	struct tfl_model m;
};

/*
 * edgenpu__model_wrap() - a model object around a model built in memory
 * @tm: the model (file NULL; tensor names and constant data are the
 *	caller's and must outlive the model and its plans' creation); on
 *	success the model owns what edgenpu__tfl_free() frees and @tm is
 *	zeroed, on failure @tm is unchanged
 * @name: the name in messages
 *
 * For the TFLite delegate, which has TFLite's parsed graph rather than a
 * file. 0 or -ENOMEM (model.c).
 */
EDGENPU_PRIVATE int edgenpu__model_wrap(struct tfl_model *tm, const char *name,
					struct edgenpu_model **out);

/* Buffer table layout: fixed first entries, then inputs, then outputs. */
#define PLAN_BUF_WEIGHTS	0
#define PLAN_BUF_SCRATCH	1
#define PLAN_BUF_FIRST_IO	2

/* One operand of a lowered op, before buffers and offsets are known. */
enum { LW_NONE = 0, LW_TENSOR = 1, LW_WEIGHTS = 2 };

struct lw_operand {
	int kind;
	int32_t tensor;			/* LW_TENSOR: TFLite tensor index */
	uint64_t woff;			/* LW_WEIGHTS: offset in weights */
	uint8_t dtype;			/* enum edgenpu_cmd_dtype */
	uint8_t flags;			/* EDGENPU_TENSOR_F_* */
	uint32_t dims[4];
	int32_t zp, mult, shift;
};

struct lw_op {
	uint16_t opcode;
	uint32_t flags;
	int32_t act_min, act_max;
	uint32_t psize;
	uint64_t params[32];		/* EDGENPU_CMD_MAX_PARAMS_SIZE bytes */
	uint32_t nt;
	struct lw_operand t[EDGENPU_CMD_MAX_TENSORS];
	char note[64];			/* e.g. "MEAN as a sum over H,W" */
};

struct plan_segment {
	uint8_t *stream;
	size_t size;
	int placement;
	uint32_t *ops;
	uint32_t nops;
	uint64_t cost;			/* cost units of its ops */
	char reason[160];
};

struct edgenpu_plan {
	int refs;
	struct edgenpu_model *model;
	uint64_t op_mask;
	uint32_t flags;			/* EDGENPU_PLAN_* */

	/* lowering output */
	struct lw_op *lops;		/* one per model op */
	uint8_t *weights;
	size_t weights_size, weights_cap;
	uint64_t *const_off;		/* per tensor: weights offset + 1 */

	/* memory plan */
	uint64_t *scratch_off;		/* per tensor, UINT64_MAX: none */
	uint64_t scratch_size;
	uint64_t intermediate_bytes;
	uint32_t num_intermediates;

	uint32_t nbufs;
	struct edgenpu_plan_buffer bufs[EDGENPU_CMD_MAX_BUFFERS];

	/* work limits (cost units, cmdstream.rst) */
	uint64_t *op_cost;		/* per model op */
	uint64_t npu_op_limit;		/* most of one NPU op */
	uint64_t npu_job_limit;		/* most of one NPU job */

	uint32_t nsegs;			/* segments = jobs, run in order */
	struct plan_segment *segs;
	struct edgenpu_op_info *opinfo;
};

/*
 * Internal functions carry the edgenpu__ prefix: the shared library hides
 * them, but libedgenpu.a cannot, and a program linking it may have a
 * lower_model() of its own.
 */

/*
 * Grow *buf (capacity *cap) to hold at least @need bytes, doubling from
 * 4 KiB; new bytes are zero. 0 or -ENOMEM (cmd.c).
 */
int edgenpu__grow_zeroed(uint8_t **buf, size_t *cap, size_t need);

/* The planner's use of the command-stream builder (cmd.c). */
struct edgenpu_cmd_builder;
/* Empty the builder (no ops), keeping its buffer. */
void edgenpu__cmd_builder_reset(struct edgenpu_cmd_builder *b);
/*
 * The stream so far, header written, in a buffer that is now the
 * caller's (free() it); the builder starts over empty.
 */
int edgenpu__cmd_builder_take(struct edgenpu_cmd_builder *b,
			      uint8_t **stream, size_t *size);

/* Lowering (lower.c): fills plan->lops and the weights. */
int edgenpu__lower_model(struct edgenpu_plan *p, char *err, size_t errlen);
/* Append bytes to the weights, aligned; the offset or -ENOMEM (plan.c). */
int64_t edgenpu__plan_add_weights(struct edgenpu_plan *p, const void *data,
				  size_t size, size_t align);

/* TFLite's QuantizeMultiplier() (frexp based, Q31 and a shift; lower.c). */
void edgenpu__quantize_multiplier(double real, int32_t *mult, int *shift);

/*
 * The operand a lowered op writes, by the engine's own rule
 * (edgenpu_engine_op_output(); plan.c).
 */
const struct lw_operand *edgenpu__plan_output(const struct lw_op *lo);

#endif /* EDGENPU_MODEL_INTERNAL_H */
