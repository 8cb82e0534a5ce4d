/* SPDX-License-Identifier: MIT */
/*
 * libedgenpu internal: a verifying reader for TensorFlow Lite flatbuffers
 * (schema v3, ../shared/spec/tflite-schema.fbs).
 *
 * Model files are untrusted. tfl_parse() checks every offset, vtable,
 * vector length and string before it is used and builds a plain C view
 * of the first subgraph. Anything malformed gives -EBADMSG (or -EINVAL for
 * well-formed but unusable content) and a message naming the object.
 * Field ids are the positions of the fields in the schema's tables (a
 * union takes two ids, its type first); no code is generated from the
 * schema.
 */
#ifndef EDGENPU_TFLITE_READER_H
#define EDGENPU_TFLITE_READER_H

#include <stddef.h>
#include <stdint.h>

#define TFL_MAX_RANK 8

/* enum TensorType (the subset named in messages and used by lowering). */
enum {
	TFL_FLOAT32 = 0, TFL_FLOAT16 = 1, TFL_INT32 = 2, TFL_UINT8 = 3,
	TFL_INT64 = 4, TFL_STRING = 5, TFL_BOOL = 6, TFL_INT16 = 7,
	TFL_INT8 = 9,
};

/* enum BuiltinOperator values the lowering knows. */
enum {
	TFL_OP_ADD = 0, TFL_OP_AVERAGE_POOL_2D = 1, TFL_OP_CONCATENATION = 2,
	TFL_OP_CONV_2D = 3, TFL_OP_DEPTHWISE_CONV_2D = 4,
	TFL_OP_FULLY_CONNECTED = 9, TFL_OP_LOGISTIC = 14,
	TFL_OP_MAX_POOL_2D = 17, TFL_OP_MUL = 18, TFL_OP_RESHAPE = 22,
	TFL_OP_SOFTMAX = 25, TFL_OP_SVDF = 27, TFL_OP_TANH = 28,
	TFL_OP_CUSTOM = 32, TFL_OP_PAD = 34, TFL_OP_TRANSPOSE = 39,
	TFL_OP_MEAN = 40, TFL_OP_SUB = 41, TFL_OP_QUANTIZE = 114,
};

/* A verified table: its vtable entries and fields lie inside the file. */
struct tfl_table {
	size_t pos;		/* table start (its soffset) */
	size_t vt;		/* vtable start */
	uint16_t vsize;		/* vtable bytes */
	uint16_t tsize;		/* table bytes */
};

struct tfl_tensor {
	const char *name;		/* NUL-terminated, inside the file */
	int rank;
	int32_t shape[TFL_MAX_RANK];
	int64_t count;			/* element count */
	int type;			/* TensorType */
	uint32_t buffer;
	const uint8_t *data;		/* constant data or NULL */
	size_t data_size;
	uint32_t nscale;		/* 0: not quantized */
	float *scales;
	int64_t *zero_points;
	int32_t qdim;
	int qdim_quirk;			/* 1-D tensor with qdim >= rank */
	int is_variable;
	int sparse;
};

struct tfl_op {
	int32_t builtin;		/* BuiltinOperator */
	int32_t version;
	const char *custom_code;	/* CUSTOM ops, else NULL */
	uint32_t nin, nout;
	int32_t *in;			/* -1: optional input absent */
	int32_t *out;
	uint8_t opt_type;		/* BuiltinOptions union type */
	int has_opts;
	struct tfl_table opts;
};

struct tfl_model {
	uint8_t *file;			/* owned copy of the bytes */
	size_t size;
	uint32_t version;
	const char *description;
	uint32_t nsubgraphs;
	uint32_t ntensors;
	struct tfl_tensor *tensors;
	uint32_t nops;
	struct tfl_op *ops;
	uint32_t nin, nout;
	int32_t *inputs;
	int32_t *outputs;
};

/*
 * tfl_parse() - verify and decode a model
 * @data, @size: the file's bytes (copied; the caller keeps its buffer)
 * @m: zero-initialised model, filled on success (free with tfl_free)
 * @err, @errlen: message buffer for a failure
 */
int tfl_parse(const void *data, size_t size, struct tfl_model *m,
	      char *err, size_t errlen);
void tfl_free(struct tfl_model *m);

/*
 * Options of an op: integer/bool/float scalars and int vectors by field
 * id. Return 0 (value or default in *out), or -EBADMSG if the field does
 * not fit in its table or the vector lies outside the file.
 */
int tfl_opt_int(const struct tfl_model *m, const struct tfl_op *op, int id,
		int size, int is_signed, int64_t def, int64_t *out);
int tfl_opt_float(const struct tfl_model *m, const struct tfl_op *op, int id,
		  float def, float *out);
int tfl_opt_int_vec(const struct tfl_model *m, const struct tfl_op *op,
		    int id, int32_t *vals, uint32_t max, uint32_t *n);

const char *tfl_builtin_name(int32_t code);
const char *tfl_type_name(int type);
int tfl_type_size(int type);

#endif /* EDGENPU_TFLITE_READER_H */
