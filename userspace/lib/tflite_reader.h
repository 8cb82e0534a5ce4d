/* SPDX-License-Identifier: MIT */
/*
 * libedgenpu internal: a verifying reader for TensorFlow Lite flatbuffers
 * (schema version 3, the one TensorFlow Lite 2.14 writes).
 *
 * Model files are untrusted. edgenpu__tfl_parse() checks every offset,
 * vtable, vector length and string before it is used and builds a plain C
 * view of the first subgraph. Anything malformed gives -EBADMSG (or
 * -EINVAL for well-formed but unusable content) and a message naming the
 * object. No code is generated from the schema: the field ids below are
 * the positions of the fields in the declaration order of the schema's
 * tables (a union field takes two ids, its type first).
 */
#ifndef EDGENPU_TFLITE_READER_H
#define EDGENPU_TFLITE_READER_H

#include <stddef.h>
#include <stdint.h>

#include "lib_private.h"

#define TFL_MAX_RANK 8
/* Most option fields a model built in memory gives (struct tfl_op). */
#define TFL_MAX_OPT_FIELDS 8

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

/* Field ids of the tables the reader walks. */
enum tfl_model_field {
	TFL_MODEL_VERSION = 0, TFL_MODEL_OPERATOR_CODES = 1,
	TFL_MODEL_SUBGRAPHS = 2, TFL_MODEL_DESCRIPTION = 3,
	TFL_MODEL_BUFFERS = 4,
};

enum tfl_subgraph_field {
	TFL_SUBGRAPH_TENSORS = 0, TFL_SUBGRAPH_INPUTS = 1,
	TFL_SUBGRAPH_OUTPUTS = 2, TFL_SUBGRAPH_OPERATORS = 3,
};

enum tfl_tensor_field {
	TFL_TENSOR_SHAPE = 0, TFL_TENSOR_TYPE = 1, TFL_TENSOR_BUFFER = 2,
	TFL_TENSOR_NAME = 3, TFL_TENSOR_QUANTIZATION = 4,
	TFL_TENSOR_IS_VARIABLE = 5, TFL_TENSOR_SPARSITY = 6,
};

enum tfl_quantization_field {
	TFL_QUANT_MIN = 0, TFL_QUANT_MAX = 1, TFL_QUANT_SCALE = 2,
	TFL_QUANT_ZERO_POINT = 3, TFL_QUANT_DETAILS_TYPE = 4,
	TFL_QUANT_DETAILS = 5, TFL_QUANT_QUANTIZED_DIMENSION = 6,
};

enum tfl_operator_field {
	TFL_OPERATOR_OPCODE_INDEX = 0, TFL_OPERATOR_INPUTS = 1,
	TFL_OPERATOR_OUTPUTS = 2, TFL_OPERATOR_BUILTIN_OPTIONS_TYPE = 3,
	TFL_OPERATOR_BUILTIN_OPTIONS = 4,
};

enum tfl_operator_code_field {
	TFL_OPCODE_DEPRECATED_BUILTIN_CODE = 0, TFL_OPCODE_CUSTOM_CODE = 1,
	TFL_OPCODE_VERSION = 2, TFL_OPCODE_BUILTIN_CODE = 3,
};

enum tfl_buffer_field {
	TFL_BUFFER_DATA = 0, TFL_BUFFER_OFFSET = 1, TFL_BUFFER_SIZE = 2,
};

/* enum BuiltinOptions: the option tables of the ops the lowering knows. */
enum tfl_options_type {
	TFL_OPTIONS_NONE = 0,
	TFL_OPTIONS_CONV_2D = 1, TFL_OPTIONS_DEPTHWISE_CONV_2D = 2,
	TFL_OPTIONS_POOL_2D = 5, TFL_OPTIONS_FULLY_CONNECTED = 8,
	TFL_OPTIONS_SOFTMAX = 9, TFL_OPTIONS_CONCATENATION = 10,
	TFL_OPTIONS_ADD = 11, TFL_OPTIONS_RESHAPE = 17, TFL_OPTIONS_MUL = 21,
	TFL_OPTIONS_PAD = 22, TFL_OPTIONS_TRANSPOSE = 26,
	TFL_OPTIONS_REDUCER = 27, TFL_OPTIONS_SUB = 28,
	TFL_OPTIONS_QUANTIZE = 89,
};

/* Fields of those option tables (the ones the lowering reads). */
enum tfl_conv_2d_options_field {
	TFL_CONV_PADDING = 0, TFL_CONV_STRIDE_W = 1, TFL_CONV_STRIDE_H = 2,
	TFL_CONV_FUSED_ACTIVATION = 3, TFL_CONV_DILATION_W = 4,
	TFL_CONV_DILATION_H = 5,
};

enum tfl_depthwise_conv_2d_options_field {
	TFL_DWCONV_PADDING = 0, TFL_DWCONV_STRIDE_W = 1,
	TFL_DWCONV_STRIDE_H = 2, TFL_DWCONV_DEPTH_MULTIPLIER = 3,
	TFL_DWCONV_FUSED_ACTIVATION = 4, TFL_DWCONV_DILATION_W = 5,
	TFL_DWCONV_DILATION_H = 6,
};

enum tfl_pool_2d_options_field {
	TFL_POOL_PADDING = 0, TFL_POOL_STRIDE_W = 1, TFL_POOL_STRIDE_H = 2,
	TFL_POOL_FILTER_WIDTH = 3, TFL_POOL_FILTER_HEIGHT = 4,
	TFL_POOL_FUSED_ACTIVATION = 5,
};

enum tfl_fully_connected_options_field {
	TFL_FC_FUSED_ACTIVATION = 0, TFL_FC_WEIGHTS_FORMAT = 1,
};

enum tfl_softmax_options_field { TFL_SOFTMAX_BETA = 0 };

enum tfl_concatenation_options_field {
	TFL_CONCAT_AXIS = 0, TFL_CONCAT_FUSED_ACTIVATION = 1,
};

/* AddOptions, SubOptions and MulOptions start alike. */
enum tfl_binary_options_field { TFL_BINARY_FUSED_ACTIVATION = 0 };

enum tfl_reducer_options_field { TFL_REDUCER_KEEP_DIMS = 0 };

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
	/*
	 * Options given as values rather than as a table of the file, for a
	 * model built in memory (the TFLite delegate builds one from
	 * TFLite's parsed options): when has_optv is set, field id N reads
	 * optv[N] if bit N of optv_set is set, else its default. A float
	 * field holds its IEEE bits in the low 32 bits.
	 */
	int has_optv;
	uint32_t optv_set;
	int64_t optv[TFL_MAX_OPT_FIELDS];
};

struct tfl_model {
	uint8_t *file;			/* owned copy of the bytes; NULL if built in memory */
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
 * edgenpu__tfl_parse() - verify and decode a model
 * @data, @size: the file's bytes (copied; the caller keeps its buffer)
 * @m: zero-initialised model, filled on success (free with
 *	edgenpu__tfl_free())
 * @err, @errlen: message buffer for a failure
 */
int edgenpu__tfl_parse(const void *data, size_t size, struct tfl_model *m,
		       char *err, size_t errlen);
EDGENPU_PRIVATE void edgenpu__tfl_free(struct tfl_model *m);

/*
 * Options of an op: integer/bool and float scalars by field id. Return 0
 * (value or default in *out), or -EBADMSG if the field does not fit in
 * its table.
 */
int edgenpu__tfl_opt_int(const struct tfl_model *m, const struct tfl_op *op,
			 int id, int size, int is_signed, int64_t def,
			 int64_t *out);
int edgenpu__tfl_opt_float(const struct tfl_model *m, const struct tfl_op *op,
			   int id, float def, float *out);

EDGENPU_PRIVATE const char *edgenpu__tfl_builtin_name(int32_t code);
const char *edgenpu__tfl_type_name(int type);
int edgenpu__tfl_type_size(int type);

#endif /* EDGENPU_TFLITE_READER_H */
