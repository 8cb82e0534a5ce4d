/* SPDX-License-Identifier: MIT */
/*
 * libedgenpu internal: lowering of TFLite operators to command-stream ops.
 *
 * One table (lower.c) lists every TFLite builtin the library runs, with
 * the option table TFLite gives it and the function that lowers it; the
 * planner asks the same table which ops exist. The lowering functions
 * live in files that mirror the engine's: lower_conv.c, lower_elem.c,
 * lower_pool.c and lower_data.c. Supporting a new TFLite op is one table
 * row and one lowering function.
 *
 * Every lowering computes its quantization parameters the way TensorFlow
 * Lite 2.14's Prepare() functions do, so that the engine's results equal
 * TFLite's reference kernels bit for bit (see each file).
 */
#ifndef EDGENPU_LOWER_H
#define EDGENPU_LOWER_H

#include "model_internal.h"

/* enum ActivationFunctionType and enum Padding of the schema. */
enum { ACT_NONE = 0, ACT_RELU = 1, ACT_RELU_N1_TO_1 = 2, ACT_RELU6 = 3 };
enum { PAD_SAME = 0, PAD_VALID = 1 };

/* The op being lowered. */
struct lower_ctx {
	struct edgenpu_plan *p;
	const struct tfl_model *m;
	uint32_t idx;			/* model op index */
	const struct tfl_op *op;
	struct lw_op *lo;		/* filled by the lowering */
	char *err;
	size_t errlen;
};

/*
 * One row of the lowering table: a TFLite builtin, the BuiltinOptions
 * union type its options must have (TFL_OPTIONS_NONE: TFLite defines none
 * for it, and whatever the op carries is ignored, as TFLite does) and its
 * lowering. A lowering returns 0 or a negative errno with a message
 * (edgenpu__lw_fail()).
 */
struct lowering {
	int32_t builtin;
	uint8_t options;
	int (*lower)(struct lower_ctx *c);
};

/* The row of @builtin, or NULL if the library cannot run it (lower.c). */
const struct lowering *edgenpu__lowering(int32_t builtin);

/* lower_conv.c */
int edgenpu__lower_conv_2d(struct lower_ctx *c);
int edgenpu__lower_depthwise_conv_2d(struct lower_ctx *c);
int edgenpu__lower_fully_connected(struct lower_ctx *c);
/* lower_elem.c */
int edgenpu__lower_binary(struct lower_ctx *c);
int edgenpu__lower_softmax(struct lower_ctx *c);
int edgenpu__lower_lut(struct lower_ctx *c);
int edgenpu__lower_quantize(struct lower_ctx *c);
/* lower_pool.c */
int edgenpu__lower_pool(struct lower_ctx *c);
int edgenpu__lower_mean(struct lower_ctx *c);
/* lower_data.c */
int edgenpu__lower_reshape(struct lower_ctx *c);
int edgenpu__lower_concatenation(struct lower_ctx *c);
int edgenpu__lower_pad(struct lower_ctx *c);
int edgenpu__lower_transpose(struct lower_ctx *c);

/* Shared operand and quantization helpers (lower.c). */

/* Message "MODEL: op N (NAME): ..." in the context's buffer; returns @ret. */
int edgenpu__lw_fail(struct lower_ctx *c, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Input @k (NULL if absent) and its tensor index in *ti (if @ti). */
const struct tfl_tensor *edgenpu__lw_input(struct lower_ctx *c, uint32_t k,
					   int32_t *ti);
/* Output 0 and its tensor index. */
const struct tfl_tensor *edgenpu__lw_output(struct lower_ctx *c, int32_t *ti);
/* At least @n inputs, all present, and exactly @nout outputs. */
int edgenpu__lw_need(struct lower_ctx *c, uint32_t n, uint32_t nout);
int edgenpu__lw_check_type(struct lower_ctx *c, const struct tfl_tensor *t,
			   const char *role, int want);
int edgenpu__lw_check_scale(struct lower_ctx *c, const struct tfl_tensor *t,
			    const char *role, float s);
/* The per-tensor quantization of an activation tensor. */
int edgenpu__lw_qparams(struct lower_ctx *c, const struct tfl_tensor *t,
			const char *role, float *scale, int32_t *zp);
/* The shape as four dimensions (leading ones added); rank4: exactly 4-D. */
int edgenpu__lw_dims4(struct lower_ctx *c, const struct tfl_tensor *t,
		      const char *role, uint32_t d[4]);
int edgenpu__lw_rank4(struct lower_ctx *c, const struct tfl_tensor *t,
		      const char *role, uint32_t d[4]);
/* Both per tensor with the same scale and zero point. */
int edgenpu__lw_same_quant(const struct tfl_tensor *a,
			   const struct tfl_tensor *b);

/* An int8 op's input 0 and output, checked and with their quantization. */
struct lw_io {
	const struct tfl_tensor *in, *out;
	int32_t ti_in, ti_out, zi, zo;
	float si, so;
};

/* @nin inputs and one output, input 0 and the output int8 per tensor. */
int edgenpu__lw_io_int8(struct lower_ctx *c, uint32_t nin, struct lw_io *io);

/* Operand for tensor @ti: a constant is added to the weights once. */
int edgenpu__lw_operand(struct lower_ctx *c, int32_t ti, const uint32_t d[4],
			int32_t zp, struct lw_operand *o);
/* Operand for @size bytes of new weights: a vector of @n elements. */
int edgenpu__lw_weights_operand(struct lower_ctx *c, const void *data,
				size_t size, uint8_t dtype, uint32_t n,
				struct lw_operand *o);
/* The op's parameter block. */
void edgenpu__lw_set_params(struct lw_op *lo, const void *p, size_t size);
/* Option field @id of @size bytes, signed, default @def. */
int edgenpu__lw_opt_int(struct lower_ctx *c, int id, int size, int64_t def,
			int64_t *v);
/* Constant int32 (or int64) vector of a shape-like input. */
int edgenpu__lw_const_ints(struct lower_ctx *c, uint32_t k, int32_t *v,
			   uint32_t max, uint32_t *n);
/* CalculateActivationRangeQuantized() (int8) into act_min/act_max. */
int edgenpu__lw_act_range(struct lower_ctx *c, int64_t act, float scale,
			  int32_t zp);
/* Padding @padding (PAD_*) and check it is one TFLite knows. */
int edgenpu__lw_check_padding(struct lower_ctx *c, int64_t padding);
/* ComputeOutSize(). */
int64_t edgenpu__lw_out_size(int64_t padding, int64_t in, int64_t filt,
			     int64_t stride, int64_t dil);
/* ComputePaddingWithOffset(): before, and after (before + odd one). */
void edgenpu__lw_padding(int64_t in, int64_t filt, int64_t stride,
			 int64_t dil, int64_t out, uint32_t *before,
			 uint32_t *after);

#endif /* EDGENPU_LOWER_H */
