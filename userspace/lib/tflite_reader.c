// SPDX-License-Identifier: MIT
/*
 * libedgenpu: verifying TensorFlow Lite flatbuffer reader.
 *
 * Flatbuffer layout facts used here: a file starts with a uoffset (u32)
 * to the root table and the 4-byte file identifier ("TFL3"). A table
 * starts with an soffset (s32) back to its vtable: u16 vtable size, u16
 * table size, then one u16 field offset per field id (0 = absent). An
 * offset field (table, vector, string) holds a u32 relative to its own
 * position. A vector is a u32 length followed by its elements; a string
 * is a byte vector followed by a NUL. All values are little-endian and
 * are read here with memcpy, so no alignment is assumed.
 *
 * Nothing is dereferenced before its bounds are checked against the file
 * size; there is no recursion (the schema's nesting is walked explicitly).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tflite_reader.h"

struct rd {
	const uint8_t *p;
	size_t n;
	char *err;
	size_t errlen;
	int failed;
};

static int rd_fail(struct rd *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int rd_fail(struct rd *r, const char *fmt, ...)
{
	va_list ap;

	if (!r->failed && r->err && r->errlen) {
		int k = snprintf(r->err, r->errlen, "malformed model: ");

		va_start(ap, fmt);
		if (k >= 0 && (size_t)k < r->errlen)
			vsnprintf(r->err + k, r->errlen - (size_t)k, fmt, ap);
		va_end(ap);
	}
	r->failed = 1;
	return -EBADMSG;
}

static uint16_t ld16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t ld32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t ld64(const uint8_t *p)
{
	return (uint64_t)ld32(p) | (uint64_t)ld32(p + 4) << 32;
}

/* Is [pos, pos + len) inside the file? */
static int in_file(const struct rd *r, size_t pos, size_t len)
{
	return pos <= r->n && len <= r->n - pos;
}

static int table_at(struct rd *r, size_t pos, struct tfl_table *t,
		    const char *what)
{
	int64_t vt;
	uint16_t vsize, tsize;

	if (!in_file(r, pos, 4))
		return rd_fail(r, "%s: table offset %zu outside the file", what,
			       pos);
	vt = (int64_t)pos - (int32_t)ld32(r->p + pos);
	if (vt < 0 || !in_file(r, (size_t)vt, 4))
		return rd_fail(r, "%s: vtable outside the file", what);
	vsize = ld16(r->p + vt);
	tsize = ld16(r->p + vt + 2);
	if (vsize < 4 || vsize % 2 || !in_file(r, (size_t)vt, vsize))
		return rd_fail(r, "%s: bad vtable size %u", what, vsize);
	if (tsize < 4 || !in_file(r, pos, tsize))
		return rd_fail(r, "%s: table size %u runs past the end of the file",
			       what, tsize);
	t->pos = pos;
	t->vt = (size_t)vt;
	t->vsize = vsize;
	t->tsize = tsize;
	return 0;
}

/*
 * Position of field @id of @size bytes, 0 if absent; -EBADMSG if the
 * vtable puts it outside the table.
 */
static int field_pos(struct rd *r, const struct tfl_table *t, int id,
		     size_t size, size_t *pos, const char *what)
{
	size_t e = 4 + 2 * (size_t)id;
	uint16_t off;

	*pos = 0;
	if (e + 2 > t->vsize)
		return 0;
	off = ld16(r->p + t->vt + e);
	if (!off)
		return 0;
	if (off < 4 || (size_t)off + size > t->tsize)
		return rd_fail(r, "%s: field %d lies outside its table", what,
			       id);
	*pos = t->pos + off;
	return 0;
}

static int get_int(struct rd *r, const struct tfl_table *t, int id, int size,
		   int sgn, int64_t def, int64_t *out, const char *what)
{
	size_t pos;
	int ret = field_pos(r, t, id, (size_t)size, &pos, what);

	*out = def;
	if (ret || !pos)
		return ret;
	switch (size) {
	case 1:
		*out = sgn ? (int64_t)(int8_t)r->p[pos] : (int64_t)r->p[pos];
		break;
	case 2:
		*out = sgn ? (int64_t)(int16_t)ld16(r->p + pos) :
			     (int64_t)ld16(r->p + pos);
		break;
	case 4:
		*out = sgn ? (int64_t)(int32_t)ld32(r->p + pos) :
			     (int64_t)ld32(r->p + pos);
		break;
	default:
		*out = (int64_t)ld64(r->p + pos);
		break;
	}
	return 0;
}

/* Follow offset field @id; *target is 0 when the field is absent. */
static int get_ref(struct rd *r, const struct tfl_table *t, int id,
		   size_t *target, const char *what)
{
	size_t pos;
	uint32_t off;
	int ret = field_pos(r, t, id, 4, &pos, what);

	*target = 0;
	if (ret || !pos)
		return ret;
	off = ld32(r->p + pos);
	if (!off || !in_file(r, pos, (size_t)off) || pos + off >= r->n)
		return rd_fail(r, "%s: field %d points outside the file", what,
			       id);
	*target = pos + off;
	return 0;
}

struct vec {
	size_t pos;	/* first element */
	uint32_t len;
};

static int get_vec(struct rd *r, const struct tfl_table *t, int id,
		   size_t esize, struct vec *v, const char *what)
{
	size_t at;
	int ret = get_ref(r, t, id, &at, what);

	v->pos = 0;
	v->len = 0;
	if (ret || !at)
		return ret;
	if (!in_file(r, at, 4))
		return rd_fail(r, "%s: vector %d header outside the file",
			       what, id);
	v->len = ld32(r->p + at);
	v->pos = at + 4;
	if ((r->n - v->pos) / esize < v->len) {
		v->len = 0;
		return rd_fail(r, "%s: vector %d of %u elements runs past the end of the file",
			       what, id, ld32(r->p + at));
	}
	return 0;
}

static int get_str(struct rd *r, const struct tfl_table *t, int id,
		   const char **s, const char *what)
{
	struct vec v;
	int ret = get_vec(r, t, id, 1, &v, what);

	*s = NULL;
	if (ret || !v.pos)
		return ret;
	if (!in_file(r, v.pos + v.len, 1) || r->p[v.pos + v.len] != 0)
		return rd_fail(r, "%s: string %d is not NUL-terminated", what,
			       id);
	if (memchr(r->p + v.pos, 0, v.len))
		return rd_fail(r, "%s: string %d contains a NUL byte", what,
			       id);
	*s = (const char *)r->p + v.pos;
	return 0;
}

/* Table element @i of a vector of offsets. */
static int vec_table(struct rd *r, const struct vec *v, uint32_t i,
		     struct tfl_table *t, const char *what)
{
	size_t pos = v->pos + 4 * (size_t)i;
	uint32_t off = ld32(r->p + pos);

	if (!off || !in_file(r, pos, (size_t)off))
		return rd_fail(r, "%s: offset points outside the file", what);
	return table_at(r, pos + off, t, what);
}

static int read_index_vec(struct rd *r, const struct tfl_table *t, int id,
			  int32_t **out, uint32_t *n, uint32_t limit,
			  int allow_minus1, const char *what)
{
	struct vec v;
	uint32_t i;
	int ret = get_vec(r, t, id, 4, &v, what);

	*out = NULL;
	*n = 0;
	if (ret)
		return ret;
	if (!v.len)
		return 0;
	*out = calloc(v.len, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	for (i = 0; i < v.len; i++) {
		int32_t x = (int32_t)ld32(r->p + v.pos + 4 * (size_t)i);

		if ((x < 0 && !(allow_minus1 && x == -1)) ||
		    (x >= 0 && (uint32_t)x >= limit))
			return rd_fail(r, "%s: tensor index %d out of range (%u tensors)",
				       what, x, limit);
		(*out)[i] = x;
	}
	*n = v.len;
	return 0;
}

static const char *const op_names[] = {
	[0] = "ADD",
	[1] = "AVERAGE_POOL_2D",
	[2] = "CONCATENATION",
	[3] = "CONV_2D",
	[4] = "DEPTHWISE_CONV_2D",
	[5] = "DEPTH_TO_SPACE",
	[6] = "DEQUANTIZE",
	[7] = "EMBEDDING_LOOKUP",
	[8] = "FLOOR",
	[9] = "FULLY_CONNECTED",
	[10] = "HASHTABLE_LOOKUP",
	[11] = "L2_NORMALIZATION",
	[12] = "L2_POOL_2D",
	[13] = "LOCAL_RESPONSE_NORMALIZATION",
	[14] = "LOGISTIC",
	[15] = "LSH_PROJECTION",
	[16] = "LSTM",
	[17] = "MAX_POOL_2D",
	[18] = "MUL",
	[19] = "RELU",
	[20] = "RELU_N1_TO_1",
	[21] = "RELU6",
	[22] = "RESHAPE",
	[23] = "RESIZE_BILINEAR",
	[24] = "RNN",
	[25] = "SOFTMAX",
	[26] = "SPACE_TO_DEPTH",
	[27] = "SVDF",
	[28] = "TANH",
	[29] = "CONCAT_EMBEDDINGS",
	[30] = "SKIP_GRAM",
	[31] = "CALL",
	[32] = "CUSTOM",
	[33] = "EMBEDDING_LOOKUP_SPARSE",
	[34] = "PAD",
	[35] = "UNIDIRECTIONAL_SEQUENCE_RNN",
	[36] = "GATHER",
	[37] = "BATCH_TO_SPACE_ND",
	[38] = "SPACE_TO_BATCH_ND",
	[39] = "TRANSPOSE",
	[40] = "MEAN",
	[41] = "SUB",
	[42] = "DIV",
	[43] = "SQUEEZE",
	[44] = "UNIDIRECTIONAL_SEQUENCE_LSTM",
	[45] = "STRIDED_SLICE",
	[46] = "BIDIRECTIONAL_SEQUENCE_RNN",
	[47] = "EXP",
	[48] = "TOPK_V2",
	[49] = "SPLIT",
	[50] = "LOG_SOFTMAX",
	[51] = "DELEGATE",
	[52] = "BIDIRECTIONAL_SEQUENCE_LSTM",
	[53] = "CAST",
	[54] = "PRELU",
	[55] = "MAXIMUM",
	[56] = "ARG_MAX",
	[57] = "MINIMUM",
	[58] = "LESS",
	[59] = "NEG",
	[60] = "PADV2",
	[61] = "GREATER",
	[62] = "GREATER_EQUAL",
	[63] = "LESS_EQUAL",
	[64] = "SELECT",
	[65] = "SLICE",
	[66] = "SIN",
	[67] = "TRANSPOSE_CONV",
	[68] = "SPARSE_TO_DENSE",
	[69] = "TILE",
	[70] = "EXPAND_DIMS",
	[71] = "EQUAL",
	[72] = "NOT_EQUAL",
	[73] = "LOG",
	[74] = "SUM",
	[75] = "SQRT",
	[76] = "RSQRT",
	[77] = "SHAPE",
	[78] = "POW",
	[79] = "ARG_MIN",
	[80] = "FAKE_QUANT",
	[81] = "REDUCE_PROD",
	[82] = "REDUCE_MAX",
	[83] = "PACK",
	[84] = "LOGICAL_OR",
	[85] = "ONE_HOT",
	[86] = "LOGICAL_AND",
	[87] = "LOGICAL_NOT",
	[88] = "UNPACK",
	[89] = "REDUCE_MIN",
	[90] = "FLOOR_DIV",
	[91] = "REDUCE_ANY",
	[92] = "SQUARE",
	[93] = "ZEROS_LIKE",
	[94] = "FILL",
	[95] = "FLOOR_MOD",
	[96] = "RANGE",
	[97] = "RESIZE_NEAREST_NEIGHBOR",
	[98] = "LEAKY_RELU",
	[99] = "SQUARED_DIFFERENCE",
	[100] = "MIRROR_PAD",
	[101] = "ABS",
	[102] = "SPLIT_V",
	[103] = "UNIQUE",
	[104] = "CEIL",
	[105] = "REVERSE_V2",
	[106] = "ADD_N",
	[107] = "GATHER_ND",
	[108] = "COS",
	[109] = "WHERE",
	[110] = "RANK",
	[111] = "ELU",
	[112] = "REVERSE_SEQUENCE",
	[113] = "MATRIX_DIAG",
	[114] = "QUANTIZE",
	[115] = "MATRIX_SET_DIAG",
	[116] = "ROUND",
	[117] = "HARD_SWISH",
	[118] = "IF",
	[119] = "WHILE",
	[120] = "NON_MAX_SUPPRESSION_V4",
	[121] = "NON_MAX_SUPPRESSION_V5",
	[122] = "SCATTER_ND",
	[123] = "SELECT_V2",
	[124] = "DENSIFY",
	[125] = "SEGMENT_SUM",
	[126] = "BATCH_MATMUL",
	[127] = "PLACEHOLDER_FOR_GREATER_OP_CODES",
	[128] = "CUMSUM",
	[129] = "CALL_ONCE",
	[130] = "BROADCAST_TO",
	[131] = "RFFT2D",
	[132] = "CONV_3D",
	[133] = "IMAG",
	[134] = "REAL",
	[135] = "COMPLEX_ABS",
	[136] = "HASHTABLE",
	[137] = "HASHTABLE_FIND",
	[138] = "HASHTABLE_IMPORT",
	[139] = "HASHTABLE_SIZE",
	[140] = "REDUCE_ALL",
	[141] = "CONV_3D_TRANSPOSE",
	[142] = "VAR_HANDLE",
	[143] = "READ_VARIABLE",
	[144] = "ASSIGN_VARIABLE",
	[145] = "BROADCAST_ARGS",
	[146] = "RANDOM_STANDARD_NORMAL",
	[147] = "BUCKETIZE",
	[148] = "RANDOM_UNIFORM",
	[149] = "MULTINOMIAL",
	[150] = "GELU",
	[151] = "DYNAMIC_UPDATE_SLICE",
	[152] = "RELU_0_TO_1",
	[153] = "UNSORTED_SEGMENT_PROD",
	[154] = "UNSORTED_SEGMENT_MAX",
	[155] = "UNSORTED_SEGMENT_SUM",
	[156] = "ATAN2",
	[157] = "UNSORTED_SEGMENT_MIN",
	[158] = "SIGN",
	[159] = "BITCAST",
	[160] = "BITWISE_XOR",
	[161] = "RIGHT_SHIFT",
	[162] = "STABLEHLO_LOGISTIC",
	[163] = "STABLEHLO_ADD",
	[164] = "STABLEHLO_DIVIDE",
	[165] = "STABLEHLO_MULTIPLY",
	[166] = "STABLEHLO_MAXIMUM",
	[167] = "STABLEHLO_RESHAPE",
	[168] = "STABLEHLO_CLAMP",
	[169] = "STABLEHLO_CONCATENATE",
	[170] = "STABLEHLO_BROADCAST_IN_DIM",
	[171] = "STABLEHLO_CONVOLUTION",
	[172] = "STABLEHLO_SLICE",
	[173] = "STABLEHLO_CUSTOM_CALL",
	[174] = "STABLEHLO_REDUCE",
	[175] = "STABLEHLO_ABS",
	[176] = "STABLEHLO_AND",
	[177] = "STABLEHLO_COSINE",
	[178] = "STABLEHLO_EXPONENTIAL",
	[179] = "STABLEHLO_FLOOR",
	[180] = "STABLEHLO_LOG",
	[181] = "STABLEHLO_MINIMUM",
	[182] = "STABLEHLO_NEGATE",
	[183] = "STABLEHLO_OR",
	[184] = "STABLEHLO_POWER",
	[185] = "STABLEHLO_REMAINDER",
	[186] = "STABLEHLO_RSQRT",
	[187] = "STABLEHLO_SELECT",
	[188] = "STABLEHLO_SUBTRACT",
	[189] = "STABLEHLO_TANH",
	[190] = "STABLEHLO_SCATTER",
	[191] = "STABLEHLO_COMPARE",
	[192] = "STABLEHLO_CONVERT",
	[193] = "STABLEHLO_DYNAMIC_SLICE",
	[194] = "STABLEHLO_DYNAMIC_UPDATE_SLICE",
	[195] = "STABLEHLO_PAD",
	[196] = "STABLEHLO_IOTA",
	[197] = "STABLEHLO_DOT_GENERAL",
	[198] = "STABLEHLO_REDUCE_WINDOW",
	[199] = "STABLEHLO_SORT",
	[200] = "STABLEHLO_WHILE",
	[201] = "STABLEHLO_GATHER",
	[202] = "STABLEHLO_TRANSPOSE",
	[203] = "DILATE",
	[204] = "STABLEHLO_RNG_BIT_GENERATOR",
	[205] = "REDUCE_WINDOW",
	[206] = "STABLEHLO_COMPOSITE",
	[207] = "STABLEHLO_SHIFT_LEFT",
	[208] = "STABLEHLO_CBRT",
	[209] = "STABLEHLO_CASE",
};

const char *edgenpu__tfl_builtin_name(int32_t code)
{
	if (code >= 0 && (size_t)code < sizeof(op_names) / sizeof(op_names[0]) &&
	    op_names[code])
		return op_names[code];
	return "UNKNOWN_OP";
}

const char *edgenpu__tfl_type_name(int type)
{
	static const char *const names[] = {
		"float32", "float16", "int32", "uint8", "int64", "string",
		"bool", "int16", "complex64", "int8", "float64", "complex128",
		"uint64", "resource", "variant", "uint32", "uint16", "int4",
		"bfloat16",
	};

	if (type >= 0 && (size_t)type < sizeof(names) / sizeof(names[0]))
		return names[type];
	return "unknown-type";
}

int edgenpu__tfl_type_size(int type)
{
	switch (type) {
	case TFL_INT8:
	case TFL_UINT8:
	case TFL_BOOL:
		return 1;
	case TFL_INT16:
	case TFL_FLOAT16:
		return 2;
	case TFL_FLOAT32:
	case TFL_INT32:
		return 4;
	case TFL_INT64:
		return 8;
	default:
		return 0;
	}
}

struct rbuf {
	const uint8_t *data;
	size_t size;
};

static int parse_buffers(struct rd *r, const struct tfl_table *root,
			 struct rbuf **out, uint32_t *n)
{
	struct vec v;
	uint32_t i;
	int ret = get_vec(r, root, TFL_MODEL_BUFFERS, 4, &v, "model.buffers");

	*out = NULL;
	*n = 0;
	if (ret)
		return ret;
	if (!v.len)
		return 0;
	*out = calloc(v.len, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	*n = v.len;
	for (i = 0; i < v.len; i++) {
		struct tfl_table b;
		struct vec data;
		int64_t off, size;
		char what[48];

		snprintf(what, sizeof(what), "buffer %u", i);
		ret = vec_table(r, &v, i, &b, what);
		if (!ret)
			ret = get_vec(r, &b, TFL_BUFFER_DATA, 1, &data, what);
		if (!ret)
			ret = get_int(r, &b, TFL_BUFFER_OFFSET, 8, 0, 0, &off, what);
		if (!ret)
			ret = get_int(r, &b, TFL_BUFFER_SIZE, 8, 0, 0, &size, what);
		if (ret)
			return ret;
		if (data.len) {
			(*out)[i].data = r->p + data.pos;
			(*out)[i].size = data.len;
		} else if ((uint64_t)off > 1 && size) {
			/* Data outside the flatbuffer, relative to its start. */
			if (!in_file(r, (size_t)(uint64_t)off,
				     (size_t)(uint64_t)size) ||
			    (uint64_t)off > SIZE_MAX || (uint64_t)size > SIZE_MAX)
				return rd_fail(r, "%s: external data [%llu, +%llu) outside the file",
					       what, (unsigned long long)off,
					       (unsigned long long)size);
			(*out)[i].data = r->p + (size_t)(uint64_t)off;
			(*out)[i].size = (size_t)(uint64_t)size;
		}
	}
	return 0;
}

static int parse_quant(struct rd *r, const struct tfl_table *tt,
		       struct tfl_tensor *t, const char *what)
{
	struct tfl_table q;
	struct vec sc, zp;
	size_t at;
	int64_t qdim, dtype;
	uint32_t i;
	int ret;

	ret = get_ref(r, tt, TFL_TENSOR_QUANTIZATION, &at, what);
	if (ret || !at)
		return ret;
	ret = table_at(r, at, &q, what);
	if (!ret)
		ret = get_vec(r, &q, TFL_QUANT_SCALE, 4, &sc, what);
	if (!ret)
		ret = get_vec(r, &q, TFL_QUANT_ZERO_POINT, 8, &zp, what);
	if (!ret)
		ret = get_int(r, &q, TFL_QUANT_DETAILS_TYPE, 1, 0, 0, &dtype,
			      what);
	if (!ret)
		ret = get_int(r, &q, TFL_QUANT_QUANTIZED_DIMENSION, 4, 1, 0,
			      &qdim, what);
	if (ret)
		return ret;
	if (!sc.len)
		return 0;	/* min/max only: not quantized for inference */
	if (zp.len != sc.len)
		return rd_fail(r, "%s: %u scales but %u zero points", what,
			       sc.len, zp.len);
	t->scales = calloc(sc.len, sizeof(float));
	t->zero_points = calloc(sc.len, sizeof(int64_t));
	if (!t->scales || !t->zero_points)
		return -ENOMEM;
	for (i = 0; i < sc.len; i++) {
		uint32_t bits = ld32(r->p + sc.pos + 4 * (size_t)i);

		memcpy(&t->scales[i], &bits, 4);
		t->zero_points[i] = (int64_t)ld64(r->p + zp.pos + 8 * (size_t)i);
	}
	t->nscale = sc.len;
	t->qdim = (int32_t)qdim;
	if (sc.len > 1) {
		if (qdim >= 0 && qdim < t->rank && t->shape[qdim] == (int32_t)sc.len)
			return 0;
		/*
		 * person_detect's quirk: a 1-D (bias) tensor carrying the
		 * quantized_dimension of its filter. TFLite Micro accepts
		 * it; the scales clearly run along the only dimension.
		 */
		if (t->rank == 1 && qdim >= 1 && t->shape[0] == (int32_t)sc.len) {
			t->qdim = 0;
			t->qdim_quirk = 1;
			return 0;
		}
		return rd_fail(r, "%s: %u scales do not match quantized_dimension %lld of shape rank %d",
			       what, sc.len, (long long)qdim, t->rank);
	}
	return 0;
}

/* The shape of tensor @t (field TFL_TENSOR_SHAPE, at @shape). */
static int parse_shape(struct rd *r, const struct vec *shape,
		       struct tfl_tensor *t, const char *what)
{
	int64_t count = 1;
	uint32_t k;

	if (shape->len > TFL_MAX_RANK)
		return rd_fail(r, "%s '%s': rank %u above %d", what, t->name,
			       shape->len, TFL_MAX_RANK);
	t->rank = (int)shape->len;
	for (k = 0; k < shape->len; k++) {
		int32_t d = (int32_t)ld32(r->p + shape->pos + 4 * (size_t)k);

		if (d < 0)
			return rd_fail(r, "%s '%s': dimension %u is %d (dynamic shapes are not supported)",
				       what, t->name, k, d);
		t->shape[k] = d;
		count *= d;
		if (count > ((int64_t)1 << 31))
			return rd_fail(r, "%s '%s': more than 2^31 elements",
				       what, t->name);
	}
	t->count = count;
	return 0;
}

static int parse_tensor(struct rd *r, const struct tfl_table *tt,
			struct tfl_tensor *t, const struct rbuf *bufs,
			uint32_t nbufs, const char *what)
{
	struct vec shape;
	int64_t type, buf, var;
	size_t sparse;
	int ret;

	ret = get_vec(r, tt, TFL_TENSOR_SHAPE, 4, &shape, what);
	if (!ret)
		ret = get_int(r, tt, TFL_TENSOR_TYPE, 1, 1, 0, &type, what);
	if (!ret)
		ret = get_int(r, tt, TFL_TENSOR_BUFFER, 4, 0, 0, &buf, what);
	if (!ret)
		ret = get_str(r, tt, TFL_TENSOR_NAME, &t->name, what);
	if (!ret)
		ret = get_int(r, tt, TFL_TENSOR_IS_VARIABLE, 1, 0, 0, &var,
			      what);
	if (!ret)
		ret = get_ref(r, tt, TFL_TENSOR_SPARSITY, &sparse, what);
	if (ret)
		return ret;
	if (!t->name)
		t->name = "";
	ret = parse_shape(r, &shape, t, what);
	if (ret)
		return ret;
	t->type = (int)type;
	t->is_variable = var != 0;
	t->sparse = sparse != 0;
	if ((uint64_t)buf >= nbufs && buf != 0)
		return rd_fail(r, "%s '%s': buffer index %lld out of range (%u buffers)",
			       what, t->name, (long long)buf, nbufs);
	t->buffer = (uint32_t)buf;
	if (buf && bufs[buf].data) {
		t->data = bufs[buf].data;
		t->data_size = bufs[buf].size;
	}
	return parse_quant(r, tt, t, what);
}

static int parse_tensors(struct rd *r, const struct tfl_table *sg,
			 struct tfl_model *m, const struct rbuf *bufs,
			 uint32_t nbufs)
{
	struct vec v;
	uint32_t i;
	int ret = get_vec(r, sg, TFL_SUBGRAPH_TENSORS, 4, &v,
			  "subgraph 0 tensors");

	if (ret)
		return ret;
	if (!v.len)
		return rd_fail(r, "subgraph 0 has no tensors");
	m->tensors = calloc(v.len, sizeof(*m->tensors));
	if (!m->tensors)
		return -ENOMEM;
	m->ntensors = v.len;
	for (i = 0; i < v.len; i++) {
		struct tfl_table tt;
		char what[48];

		snprintf(what, sizeof(what), "tensor %u", i);
		ret = vec_table(r, &v, i, &tt, what);
		if (!ret)
			ret = parse_tensor(r, &tt, &m->tensors[i], bufs, nbufs,
					   what);
		if (ret)
			return ret;
	}
	return 0;
}

/* The operator codes, as three arrays indexed by an op's opcode_index. */
struct codes {
	int32_t *builtin, *version;
	const char **custom;
	uint32_t n;
};

static int parse_ops(struct rd *r, const struct tfl_table *sg,
		     struct tfl_model *m, const struct codes *c)
{
	struct vec v;
	uint32_t i;
	int ret = get_vec(r, sg, TFL_SUBGRAPH_OPERATORS, 4, &v,
			  "subgraph 0 operators");

	if (ret)
		return ret;
	if (!v.len)
		return 0;
	m->ops = calloc(v.len, sizeof(*m->ops));
	if (!m->ops)
		return -ENOMEM;
	m->nops = v.len;
	for (i = 0; i < v.len; i++) {
		struct tfl_op *op = &m->ops[i];
		struct tfl_table ot;
		int64_t idx, otype;
		size_t opts;
		char what[48];

		snprintf(what, sizeof(what), "operator %u", i);
		ret = vec_table(r, &v, i, &ot, what);
		if (!ret)
			ret = get_int(r, &ot, TFL_OPERATOR_OPCODE_INDEX, 4, 0, 0,
				      &idx, what);
		if (ret)
			return ret;
		if ((uint64_t)idx >= c->n)
			return rd_fail(r, "%s: opcode index %lld out of range (%u operator codes)",
				       what, (long long)idx, c->n);
		op->builtin = c->builtin[idx];
		op->version = c->version[idx];
		op->custom_code = c->custom[idx];
		ret = read_index_vec(r, &ot, TFL_OPERATOR_INPUTS, &op->in,
				     &op->nin, m->ntensors, 1, what);
		if (!ret)
			ret = read_index_vec(r, &ot, TFL_OPERATOR_OUTPUTS,
					     &op->out, &op->nout, m->ntensors,
					     0, what);
		if (!ret)
			ret = get_int(r, &ot, TFL_OPERATOR_BUILTIN_OPTIONS_TYPE, 1,
				      0, 0, &otype, what);
		if (!ret)
			ret = get_ref(r, &ot, TFL_OPERATOR_BUILTIN_OPTIONS, &opts,
				      what);
		if (!ret && opts)
			ret = table_at(r, opts, &op->opts, what);
		if (ret)
			return ret;
		op->opt_type = (uint8_t)otype;
		op->has_opts = opts != 0;
	}
	return 0;
}

static int parse_codes(struct rd *r, const struct tfl_table *root,
		       struct codes *c)
{
	struct vec v;
	uint32_t i;
	int ret = get_vec(r, root, TFL_MODEL_OPERATOR_CODES, 4, &v,
			  "model.operator_codes");

	c->n = 0;
	if (ret)
		return ret;
	c->builtin = calloc(v.len + 1, sizeof(*c->builtin));
	c->version = calloc(v.len + 1, sizeof(*c->version));
	c->custom = calloc(v.len + 1, sizeof(*c->custom));
	if (!c->builtin || !c->version || !c->custom)
		return -ENOMEM;
	for (i = 0; i < v.len; i++) {
		struct tfl_table ct;
		int64_t dep, code, ver;
		char what[48];

		snprintf(what, sizeof(what), "operator code %u", i);
		ret = vec_table(r, &v, i, &ct, what);
		if (!ret)
			ret = get_int(r, &ct, TFL_OPCODE_DEPRECATED_BUILTIN_CODE,
				      1, 1, 0, &dep, what);
		if (!ret)
			ret = get_str(r, &ct, TFL_OPCODE_CUSTOM_CODE,
				      &c->custom[i], what);
		if (!ret)
			ret = get_int(r, &ct, TFL_OPCODE_VERSION, 4, 1, 1, &ver,
				      what);
		if (!ret)
			ret = get_int(r, &ct, TFL_OPCODE_BUILTIN_CODE, 4, 1, 0,
				      &code, what);
		if (ret)
			return ret;
		/* TFLite's rule: the larger of the two fields is the code. */
		c->builtin[i] = (int32_t)(dep > code ? dep : code);
		c->version[i] = (int32_t)ver;
		if (c->builtin[i] < 0)
			return rd_fail(r, "%s: negative builtin code", what);
	}
	c->n = v.len;
	return 0;
}

/* The first subgraph: its tensors, inputs, outputs and operators. */
static int parse_subgraph(struct rd *r, const struct vec *sgs,
			  struct tfl_model *m, const struct rbuf *bufs,
			  uint32_t nbufs, const struct codes *c)
{
	struct tfl_table sg;
	int ret;

	if (!sgs->len)
		return rd_fail(r, "no subgraph");
	m->nsubgraphs = sgs->len;
	ret = vec_table(r, sgs, 0, &sg, "subgraph 0");
	if (!ret)
		ret = parse_tensors(r, &sg, m, bufs, nbufs);
	if (!ret)
		ret = read_index_vec(r, &sg, TFL_SUBGRAPH_INPUTS, &m->inputs,
				     &m->nin, m->ntensors, 0,
				     "subgraph 0 inputs");
	if (!ret)
		ret = read_index_vec(r, &sg, TFL_SUBGRAPH_OUTPUTS, &m->outputs,
				     &m->nout, m->ntensors, 0,
				     "subgraph 0 outputs");
	if (!ret)
		ret = parse_ops(r, &sg, m, c);
	if (!ret && (!m->nin || !m->nout))
		ret = rd_fail(r, "subgraph 0 has no %s",
			      m->nin ? "outputs" : "inputs");
	return ret;
}

/* The model table: its version, then everything under it. */
static int parse_model(struct rd *r, struct tfl_model *m)
{
	struct tfl_table root;
	struct rbuf *bufs = NULL;
	struct codes c = { 0 };
	uint32_t nbufs = 0;
	struct vec sgs;
	int64_t version;
	int ret;

	ret = table_at(r, ld32(r->p), &root, "model");
	if (!ret)
		ret = get_int(r, &root, TFL_MODEL_VERSION, 4, 0, 0, &version,
			      "model");
	if (ret)
		return ret;
	if (version != 3)
		return rd_fail(r, "schema version %lld (only 3 is supported)",
			       (long long)version);
	m->version = (uint32_t)version;
	ret = get_str(r, &root, TFL_MODEL_DESCRIPTION, &m->description,
		      "model.description");
	if (!ret)
		ret = parse_buffers(r, &root, &bufs, &nbufs);
	if (!ret)
		ret = parse_codes(r, &root, &c);
	if (!ret)
		ret = get_vec(r, &root, TFL_MODEL_SUBGRAPHS, 4, &sgs,
			      "model.subgraphs");
	if (!ret)
		ret = parse_subgraph(r, &sgs, m, bufs, nbufs, &c);
	free(bufs);
	free(c.builtin);
	free(c.version);
	free(c.custom);
	return ret;
}

int edgenpu__tfl_parse(const void *data, size_t size, struct tfl_model *m,
		       char *err, size_t errlen)
{
	struct rd r = { .err = err, .errlen = errlen };
	int ret;

	memset(m, 0, sizeof(*m));
	if (err && errlen)
		err[0] = 0;
	if (!data || size < 8) {
		rd_fail(&r, "%zu bytes is too short for a TFLite flatbuffer",
			size);
		return -EBADMSG;
	}
	m->file = malloc(size);
	if (!m->file)
		return -ENOMEM;
	memcpy(m->file, data, size);
	m->size = size;
	r.p = m->file;
	r.n = size;
	if (memcmp(r.p + 4, "TFL3", 4))
		ret = rd_fail(&r, "file identifier is not \"TFL3\" (not a TFLite model)");
	else
		ret = parse_model(&r, m);
	if (ret) {
		if (ret == -ENOMEM && err && errlen)
			snprintf(err, errlen, "out of memory reading the model");
		edgenpu__tfl_free(m);
	}
	return ret;
}

void edgenpu__tfl_free(struct tfl_model *m)
{
	uint32_t i;

	if (!m)
		return;
	for (i = 0; m->tensors && i < m->ntensors; i++) {
		free(m->tensors[i].scales);
		free(m->tensors[i].zero_points);
	}
	for (i = 0; m->ops && i < m->nops; i++) {
		free(m->ops[i].in);
		free(m->ops[i].out);
	}
	free(m->tensors);
	free(m->ops);
	free(m->inputs);
	free(m->outputs);
	free(m->file);
	memset(m, 0, sizeof(*m));
}

/* Options: the reader already verified the options table's header. */
static void opt_rd(const struct tfl_model *m, struct rd *r)
{
	memset(r, 0, sizeof(*r));
	r->p = m->file;
	r->n = m->size;
}

int edgenpu__tfl_opt_int(const struct tfl_model *m, const struct tfl_op *op,
			 int id, int size, int is_signed, int64_t def,
			 int64_t *out)
{
	struct rd r;

	*out = def;
	if (op->has_optv) {
		if (id >= 0 && id < TFL_MAX_OPT_FIELDS && (op->optv_set >> id & 1))
			*out = op->optv[id];
		return 0;
	}
	if (!op->has_opts)
		return 0;
	opt_rd(m, &r);
	return get_int(&r, &op->opts, id, size, is_signed, def, out,
		       "options");
}

int edgenpu__tfl_opt_float(const struct tfl_model *m, const struct tfl_op *op,
			   int id, float def, float *out)
{
	struct rd r;
	size_t pos;
	uint32_t bits;
	int ret;

	*out = def;
	if (op->has_optv) {
		if (id >= 0 && id < TFL_MAX_OPT_FIELDS && (op->optv_set >> id & 1)) {
			bits = (uint32_t)op->optv[id];
			memcpy(out, &bits, 4);
		}
		return 0;
	}
	if (!op->has_opts)
		return 0;
	opt_rd(m, &r);
	ret = field_pos(&r, &op->opts, id, 4, &pos, "options");
	if (ret || !pos)
		return ret;
	bits = ld32(r.p + pos);
	memcpy(out, &bits, 4);
	return 0;
}
