// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * edgenpu engine: command-stream parsing, validation and the run loop.
 *
 * The validator is the isolation boundary of the virtual NPU: the
 * executor runs inside the kernel on buffers that userspace shares.
 * Everything the executor uses comes from a decoded copy of each op in
 * caller-private scratch that passed eng_check_op() immediately before
 * the op runs.
 */
#include "eng_internal.h"

static const char * const eng_op_names[EDGENPU_OP_COUNT] = {
	[EDGENPU_OP_INVALID] = "INVALID",
	[EDGENPU_OP_CONV_2D] = "CONV_2D",
	[EDGENPU_OP_DEPTHWISE_CONV_2D] = "DEPTHWISE_CONV_2D",
	[EDGENPU_OP_FULLY_CONNECTED] = "FULLY_CONNECTED",
	[EDGENPU_OP_ADD] = "ADD",
	[EDGENPU_OP_SUB] = "SUB",
	[EDGENPU_OP_MUL] = "MUL",
	[EDGENPU_OP_AVERAGE_POOL_2D] = "AVERAGE_POOL_2D",
	[EDGENPU_OP_MAX_POOL_2D] = "MAX_POOL_2D",
	[EDGENPU_OP_MEAN] = "MEAN",
	[EDGENPU_OP_SOFTMAX] = "SOFTMAX",
	[EDGENPU_OP_LOGISTIC] = "LOGISTIC",
	[EDGENPU_OP_TANH] = "TANH",
	[EDGENPU_OP_RESHAPE] = "RESHAPE",
	[EDGENPU_OP_CONCATENATION] = "CONCATENATION",
	[EDGENPU_OP_PAD] = "PAD",
	[EDGENPU_OP_TRANSPOSE] = "TRANSPOSE",
	[EDGENPU_OP_QUANTIZE] = "QUANTIZE",
};

/* Minimum (version 1.0) params size of each opcode. */
static const u16 eng_params_size[EDGENPU_OP_COUNT] = {
	[EDGENPU_OP_CONV_2D] = sizeof(struct edgenpu_cmd_conv_params),
	[EDGENPU_OP_DEPTHWISE_CONV_2D] = sizeof(struct edgenpu_cmd_conv_params),
	[EDGENPU_OP_ADD] = sizeof(struct edgenpu_cmd_add_params),
	[EDGENPU_OP_SUB] = sizeof(struct edgenpu_cmd_add_params),
	[EDGENPU_OP_AVERAGE_POOL_2D] = sizeof(struct edgenpu_cmd_pool_params),
	[EDGENPU_OP_MAX_POOL_2D] = sizeof(struct edgenpu_cmd_pool_params),
	[EDGENPU_OP_SOFTMAX] = sizeof(struct edgenpu_cmd_softmax_params),
	[EDGENPU_OP_LOGISTIC] = sizeof(struct edgenpu_cmd_act_params),
	[EDGENPU_OP_TANH] = sizeof(struct edgenpu_cmd_act_params),
	[EDGENPU_OP_CONCATENATION] = sizeof(struct edgenpu_cmd_concat_params),
	[EDGENPU_OP_PAD] = sizeof(struct edgenpu_cmd_pad_params),
	[EDGENPU_OP_TRANSPOSE] = sizeof(struct edgenpu_cmd_transpose_params),
};

/**
 * edgenpu_engine_op_name() - name of an opcode
 * @opcode: an &enum edgenpu_cmd_opcode value.
 *
 * Return: a static string, "UNKNOWN" for opcodes this engine lacks.
 */
const char *edgenpu_engine_op_name(u32 opcode)
{
	if (opcode == EDGENPU_OP_INVALID || opcode >= EDGENPU_OP_COUNT)
		return "UNKNOWN";
	return eng_op_names[opcode];
}

static const int eng_code_errno[] = {
	[EDGENPU_ENGINE_OK] = 0,
	[EDGENPU_ENGINE_E_ARGS] = -EINVAL,
	[EDGENPU_ENGINE_E_MAGIC] = -EBADMSG,
	[EDGENPU_ENGINE_E_VERSION] = -EPROTONOSUPPORT,
	[EDGENPU_ENGINE_E_SIZE] = -EMSGSIZE,
	[EDGENPU_ENGINE_E_TOO_MANY_OPS] = -E2BIG,
	[EDGENPU_ENGINE_E_UNKNOWN_OP] = -EOPNOTSUPP,
	[EDGENPU_ENGINE_E_RESERVED] = -EINVAL,
	[EDGENPU_ENGINE_E_OPERANDS] = -EINVAL,
	[EDGENPU_ENGINE_E_PARAM] = -EINVAL,
	[EDGENPU_ENGINE_E_QUANT] = -EINVAL,
	[EDGENPU_ENGINE_E_DIMS] = -EDOM,
	[EDGENPU_ENGINE_E_STRIDES] = -EDOM,
	[EDGENPU_ENGINE_E_OVERFLOW] = -EOVERFLOW,
	[EDGENPU_ENGINE_E_BUFFER_INDEX] = -ENXIO,
	[EDGENPU_ENGINE_E_BOUNDS] = -ERANGE,
	[EDGENPU_ENGINE_E_ACCESS] = -EACCES,
	[EDGENPU_ENGINE_E_ALIAS] = -EBUSY,
	[EDGENPU_ENGINE_E_SCRATCH] = -ENOSPC,
	[EDGENPU_ENGINE_E_CANCELED] = -ECANCELED,
	[EDGENPU_ENGINE_E_INTERNAL] = -EFAULT,
	[EDGENPU_ENGINE_E_COST] = -E2BIG,
};

static int eng_fail(struct edgenpu_engine_error *err, s32 op, s32 tensor,
		    u32 code, const char *msg)
{
	int e = eng_code_errno[code];

	if (err) {
		size_t n = strlen(msg);

		if (n >= EDGENPU_ENGINE_MSG_LEN)
			n = EDGENPU_ENGINE_MSG_LEN - 1;
		err->op_index = op;
		err->tensor = tensor;
		err->err = e;
		err->code = code;
		memcpy(err->msg, msg, n);
		err->msg[n] = '\0';
	}
	return e;
}

#define OPFAIL(op, tensor, code, msg) \
	eng_fail(err, (s32)(op)->index, (tensor), EDGENPU_ENGINE_E_##code, msg)

/* Append the decimal digits of @v at @p, a buffer ending at @end. */
static char *eng_put_u64(char *p, const char *end, u64 v)
{
	char d[20];
	int n = 0;

	do {
		d[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n && p < end)
		*p++ = d[--n];
	return p;
}

static char *eng_put_str(char *p, const char *end, const char *str)
{
	while (*str && p < end)
		*p++ = *str++;
	return p;
}

/* "<what> cost N exceeds the limit L" with E_COST. */
static int eng_fail_cost(struct edgenpu_engine_error *err, s32 op,
			 const char *what, u64 cost, u64 limit)
{
	char msg[EDGENPU_ENGINE_MSG_LEN];
	char *p = msg, *end = msg + sizeof(msg) - 1;

	p = eng_put_str(p, end, what);
	p = eng_put_str(p, end, " cost ");
	p = eng_put_u64(p, end, cost);
	p = eng_put_str(p, end, " exceeds the limit ");
	p = eng_put_u64(p, end, limit);
	*p = '\0';
	return eng_fail(err, op, -1, EDGENPU_ENGINE_E_COST, msg);
}

static void eng_clear_err(struct edgenpu_engine_error *err)
{
	if (err) {
		memset(err, 0, sizeof(*err));
		err->op_index = -1;
		err->tensor = -1;
	}
}

static bool eng_all_zero(const u8 *p, u64 n)
{
	u64 i;

	for (i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static u8 eng_esize(u32 dtype)
{
	switch (dtype) {
	case EDGENPU_DTYPE_INT8:
	case EDGENPU_DTYPE_UINT8:
		return 1;
	case EDGENPU_DTYPE_INT16:
		return 2;
	case EDGENPU_DTYPE_INT32:
		return 4;
	default:
		return 0;
	}
}

static void eng_dtype_range(u32 dtype, s32 *lo, s32 *hi)
{
	switch (dtype) {
	case EDGENPU_DTYPE_INT8:
		*lo = -128;
		*hi = 127;
		break;
	case EDGENPU_DTYPE_UINT8:
		*lo = 0;
		*hi = 255;
		break;
	case EDGENPU_DTYPE_INT16:
		*lo = -32768;
		*hi = 32767;
		break;
	default:
		*lo = 0;
		*hi = 0;
		break;
	}
}

/*
 * Decode one raw tensor descriptor. Only syntax is checked here; the
 * buffer checks happen in eng_check_tensor() on the decoded copy.
 */
static int eng_decode_tensor(struct eng_op *op, u32 i, const u8 *raw,
			     u32 tsize, struct edgenpu_engine_error *err)
{
	struct edgenpu_cmd_tensor d;
	struct eng_tensor *t = &op->t[i];
	u32 k;

	memcpy(&d, raw, sizeof(d));
	memset(t, 0, sizeof(*t));
	if (!eng_all_zero(raw + sizeof(d), tsize - sizeof(d)))
		return OPFAIL(op, (s32)i, RESERVED,
			      "unknown tensor descriptor fields set");
	if (d.buffer == EDGENPU_CMD_NO_BUFFER) {
		d.buffer = 0;
		if (!eng_all_zero((const u8 *)&d, sizeof(d)))
			return OPFAIL(op, (s32)i, RESERVED,
				      "absent operand has non-zero fields");
		return 0;
	}
	if (d.pad || d.reserved)
		return OPFAIL(op, (s32)i, RESERVED,
			      "tensor reserved field not zero");
	if (d.flags & ~(EDGENPU_TENSOR_F_STRIDED |
			EDGENPU_TENSOR_F_PER_CHANNEL))
		return OPFAIL(op, (s32)i, RESERVED, "unknown tensor flags");
	t->esize = eng_esize(d.dtype);
	if (!t->esize)
		return OPFAIL(op, (s32)i, OPERANDS, "unknown tensor dtype");
	t->present = 1;
	t->buf = d.buffer;
	t->dtype = d.dtype;
	t->flags = d.flags;
	t->start = d.offset;
	t->zp = d.zero_point;
	t->mult = d.multiplier;
	t->shift = d.shift;
	for (k = 0; k < 4; k++) {
		if (d.dims[k] < 1 || d.dims[k] > EDGENPU_CMD_MAX_DIM)
			return OPFAIL(op, (s32)i, DIMS,
				      "tensor dimension out of range");
		t->dims[k] = d.dims[k];
	}
	if (!(d.flags & EDGENPU_TENSOR_F_STRIDED)) {
		if (d.strides[0] || d.strides[1] || d.strides[2] ||
		    d.strides[3])
			return OPFAIL(op, (s32)i, STRIDES,
				      "strides given without STRIDED flag");
		return 0;
	}
	for (k = 0; k < 4; k++) {
		if (d.strides[k] > 0xffffffffull)
			return OPFAIL(op, (s32)i, STRIDES, "stride too large");
		t->st[k] = (u32)d.strides[k];
	}
	return 0;
}

/*
 * Bounds, strides, permissions and quantization ranges of one operand.
 * Only the buffer sizes and flags count; with @mem the operand also gets
 * its address (buffers are mapped), else the buffer pointers are never
 * looked at.
 */
static int eng_check_tensor(struct eng_op *op, u32 i,
			    const struct edgenpu_engine_buffer *bufs, u32 nbufs,
			    bool write, bool mem,
			    struct edgenpu_engine_error *err)
{
	struct eng_tensor *t = &op->t[i];
	const struct edgenpu_engine_buffer *b;
	u64 count = 1, maxidx = 0, span, end, addr, term;
	s32 lo, hi;
	int k;

	if (!t->present)
		return 0;
	if (t->buf >= nbufs)
		return OPFAIL(op, (s32)i, BUFFER_INDEX,
			      "buffer index out of range");
	b = &bufs[t->buf];
	for (k = 0; k < 4; k++)
		if (check_mul_overflow(count, (u64)t->dims[k], &count))
			return OPFAIL(op, (s32)i, OVERFLOW,
				      "element count overflows");
	if (count > EDGENPU_CMD_MAX_ELEMENTS)
		return OPFAIL(op, (s32)i, DIMS, "tensor has too many elements");
	if (!(t->flags & EDGENPU_TENSOR_F_STRIDED)) {
		t->st[3] = 1;
		t->st[2] = t->dims[3];
		t->st[1] = t->dims[3] * t->dims[2];
		t->st[0] = t->st[1] * t->dims[1];
	} else {
		if (t->st[3] != 1)
			return OPFAIL(op, (s32)i, STRIDES,
				      "channel stride must be 1");
		/*
		 * Each outer stride must step past the last element of the
		 * dimensions inside it: span is one more than the largest
		 * index the inner dimensions reach. Then no two elements
		 * share an address. A dimension of extent 1 moves nothing,
		 * so neither its stride nor its span counts.
		 */
		span = t->dims[3];
		for (k = 2; k >= 0; k--) {
			if (t->dims[k] == 1)
				continue;
			if (t->st[k] < span)
				return OPFAIL(op, (s32)i, STRIDES,
					      "strides make the tensor overlap itself");
			if (check_mul_overflow((u64)t->st[k],
					       (u64)(t->dims[k] - 1), &term) ||
			    check_add_overflow(span, term, &span))
				return OPFAIL(op, (s32)i, OVERFLOW,
					      "stride span overflows");
		}
	}
	for (k = 0; k < 4; k++) {
		if (check_mul_overflow((u64)(t->dims[k] - 1), (u64)t->st[k],
				       &term) ||
		    check_add_overflow(maxidx, term, &maxidx))
			return OPFAIL(op, (s32)i, OVERFLOW,
				      "tensor extent overflows");
	}
	if (check_add_overflow(maxidx, (u64)1, &span) ||
	    check_mul_overflow(span, (u64)t->esize, &t->extent))
		return OPFAIL(op, (s32)i, OVERFLOW, "tensor extent overflows");
	/* Buffers are mapped page-aligned: the offset decides alignment. */
	if (t->start % t->esize)
		return OPFAIL(op, (s32)i, BOUNDS, "misaligned tensor offset");
	if (check_add_overflow(t->start, t->extent, &end))
		return OPFAIL(op, (s32)i, OVERFLOW, "tensor end overflows");
	if (end > b->size)
		return OPFAIL(op, (s32)i, BOUNDS, "tensor outside its buffer");
	if (write && !(b->flags & EDGENPU_ENGINE_BUF_WRITE))
		return OPFAIL(op, (s32)i, ACCESS, "output buffer not writable");
	if (!write && !(b->flags & EDGENPU_ENGINE_BUF_READ))
		return OPFAIL(op, (s32)i, ACCESS, "input buffer not readable");
	if (mem) {
		/* Userspace buffers need not be page-aligned. */
		if (!b->ptr)
			return OPFAIL(op, (s32)i, ARGS, "buffer not mapped");
		if (check_add_overflow((u64)(uintptr_t)b->ptr, end, &addr))
			return OPFAIL(op, (s32)i, OVERFLOW,
				      "buffer address wraps");
		t->base = (u8 *)b->ptr + t->start;
		if ((uintptr_t)t->base % t->esize)
			return OPFAIL(op, (s32)i, BOUNDS,
				      "misaligned tensor address");
	}

	eng_dtype_range(t->dtype, &lo, &hi);
	if (t->zp < lo || t->zp > hi)
		return OPFAIL(op, (s32)i, QUANT, "zero point out of range");
	if (t->shift < -31 || t->shift > 30)
		return OPFAIL(op, (s32)i, QUANT, "shift out of range [-31, 30]");
	if ((t->flags & EDGENPU_TENSOR_F_PER_CHANNEL) && (t->mult || t->shift))
		return OPFAIL(op, (s32)i, QUANT,
			      "per-channel tensor has a per-tensor multiplier");
	return 0;
}

/* Output operand index of each op (concatenation: the last one). */
static u32 eng_output_index(const struct eng_op *op)
{
	switch (op->opcode) {
	case EDGENPU_OP_CONV_2D:
	case EDGENPU_OP_DEPTHWISE_CONV_2D:
	case EDGENPU_OP_FULLY_CONNECTED:
		return 3;
	case EDGENPU_OP_ADD:
	case EDGENPU_OP_SUB:
	case EDGENPU_OP_MUL:
		return 2;
	case EDGENPU_OP_CONCATENATION:
		return op->ntens - 1;
	default:
		return 1;
	}
}

static bool eng_overlap(const struct eng_tensor *a, const struct eng_tensor *b)
{
	if (!a->present || !b->present || a->buf != b->buf)
		return false;
	return a->start < b->start + b->extent &&
	       b->start < a->start + a->extent;
}

static bool eng_is_type(const struct eng_tensor *t, u32 dtype)
{
	return t->present && t->dtype == dtype;
}

static bool eng_same_dims(const struct eng_tensor *a,
			  const struct eng_tensor *b)
{
	return !memcmp(a->dims, b->dims, sizeof(a->dims));
}

static u64 eng_count(const struct eng_tensor *t)
{
	return (u64)t->dims[0] * t->dims[1] * t->dims[2] * t->dims[3];
}

static int eng_check_act(struct eng_op *op, bool fused,
			 struct edgenpu_engine_error *err)
{
	struct eng_tensor *o = &op->t[eng_output_index(op)];
	s32 lo, hi;

	if (!fused) {
		if (op->act_min || op->act_max)
			return OPFAIL(op, -1, RESERVED,
				      "activation bounds on an op without one");
		return 0;
	}
	eng_dtype_range(o->dtype, &lo, &hi);
	if (op->act_min > op->act_max || op->act_min < lo || op->act_max > hi)
		return OPFAIL(op, -1, PARAM, "bad activation clamp range");
	return 0;
}

/* Weights, bias and per-channel arrays are read as flat dense arrays. */
static int eng_check_dense(struct eng_op *op, struct edgenpu_engine_error *err)
{
	u32 i;

	for (i = 1; i < op->ntens; i++) {
		if (i == 3)
			continue;
		if (op->t[i].present &&
		    (op->t[i].flags & EDGENPU_TENSOR_F_STRIDED))
			return OPFAIL(op, (s32)i, STRIDES,
				      "weights, bias and quantization arrays must be dense");
	}
	return 0;
}

/* Output extent along one spatial axis, or -1 if the padding is wrong. */
static int eng_window_ok(u32 in, u32 pad0, u32 pad1, u32 eff, u32 stride,
			 u32 out)
{
	u64 total = (u64)in + pad0 + pad1;

	if (total < eff)
		return 0;
	return (total - eff) / stride + 1 == out;
}

static int eng_check_conv(struct eng_op *op, u64 *work_need,
			  struct edgenpu_engine_error *err)
{
	struct edgenpu_cmd_conv_params *p = &op->p.conv;
	struct eng_tensor *in = &op->t[0], *f = &op->t[1], *b = &op->t[2];
	struct eng_tensor *out = &op->t[3];
	bool dw = op->opcode == EDGENPU_OP_DEPTHWISE_CONV_2D;
	bool pc = out->flags & EDGENPU_TENSOR_F_PER_CHANNEL;
	u32 oc = out->dims[3], eh, ew, kin;
	u64 k;
	int ret;

	if (op->ntens != (pc ? 6u : 4u))
		return OPFAIL(op, -1, OPERANDS, "conv needs 4 or 6 operands");
	if (!eng_is_type(in, EDGENPU_DTYPE_INT8) ||
	    !eng_is_type(f, EDGENPU_DTYPE_INT8) ||
	    !eng_is_type(out, EDGENPU_DTYPE_INT8))
		return OPFAIL(op, -1, OPERANDS, "conv operands must be int8");
	if (b->present && b->dtype != EDGENPU_DTYPE_INT32)
		return OPFAIL(op, 2, OPERANDS, "bias must be int32");
	if (p->reserved)
		return OPFAIL(op, -1, RESERVED, "conv reserved param not zero");
	if (p->stride_h < 1 || p->stride_h > 64 || p->stride_w < 1 ||
	    p->stride_w > 64 || p->dilation_h < 1 || p->dilation_h > 64 ||
	    p->dilation_w < 1 || p->dilation_w > 64)
		return OPFAIL(op, -1, PARAM, "stride/dilation out of [1, 64]");
	if (p->pad_top > 65536 || p->pad_bottom > 65536 ||
	    p->pad_left > 65536 || p->pad_right > 65536)
		return OPFAIL(op, -1, PARAM, "padding too large");
	if (in->dims[0] != out->dims[0])
		return OPFAIL(op, -1, DIMS, "batch mismatch");
	if (dw) {
		if (p->depth_multiplier < 1 ||
		    (u64)in->dims[3] * p->depth_multiplier != oc)
			return OPFAIL(op, -1, DIMS,
				      "depthwise output channels != C * multiplier");
		if (f->dims[0] != 1 || f->dims[3] != oc)
			return OPFAIL(op, 1, DIMS,
				      "depthwise filter must be [1,KH,KW,OC]");
		kin = 1;
	} else {
		if (p->depth_multiplier)
			return OPFAIL(op, -1, PARAM,
				      "depth_multiplier set on CONV_2D");
		if (f->dims[0] != oc)
			return OPFAIL(op, 1, DIMS, "filter must be [OC,KH,KW,IC]");
		kin = f->dims[3];
		if (in->dims[3] % kin || oc % (in->dims[3] / kin))
			return OPFAIL(op, 1, DIMS,
				      "input channels are not a multiple of filter channels");
	}
	k = (u64)f->dims[1] * f->dims[2] * kin;
	if (dw ? (u64)f->dims[1] * f->dims[2] > EDGENPU_CMD_MAX_REDUCTION :
	    k > EDGENPU_CMD_MAX_REDUCTION)
		return OPFAIL(op, 1, DIMS, "filter reduction too long");
	eh = (f->dims[1] - 1) * p->dilation_h + 1;
	ew = (f->dims[2] - 1) * p->dilation_w + 1;
	if (!eng_window_ok(in->dims[1], p->pad_top, p->pad_bottom, eh,
			   p->stride_h, out->dims[1]) ||
	    !eng_window_ok(in->dims[2], p->pad_left, p->pad_right, ew,
			   p->stride_w, out->dims[2]))
		return OPFAIL(op, 3, DIMS,
			      "output size does not match input, filter, padding");
	if (b->present && eng_count(b) != oc)
		return OPFAIL(op, 2, DIMS, "bias must have OC elements");
	if (f->flags & EDGENPU_TENSOR_F_PER_CHANNEL ||
	    in->flags & EDGENPU_TENSOR_F_PER_CHANNEL)
		return OPFAIL(op, -1, QUANT, "per-channel flag on an input");
	if (pc) {
		if (!eng_is_type(&op->t[4], EDGENPU_DTYPE_INT32) ||
		    !eng_is_type(&op->t[5], EDGENPU_DTYPE_INT32) ||
		    eng_count(&op->t[4]) != oc || eng_count(&op->t[5]) != oc)
			return OPFAIL(op, 4, OPERANDS,
				      "per-channel multiplier/shift must be int32[OC]");
		if (f->zp)
			return OPFAIL(op, 1, QUANT,
				      "per-channel weights must be symmetric");
	}
	*work_need = 64 * 4;	/* depthwise accumulator block */
	if (!dw) {
		if (oc > ENG_MAX_GEMM_OC)
			return OPFAIL(op, 3, DIMS, "more than 16384 output channels");
		*work_need = ENG_GEMM_WORK(oc) +
			     ((eng_gemm_nvec_bytes((u32)k, oc / (in->dims[3] / kin),
						   f->zp) + 63) & ~63ull);
		if (!eng_conv_direct(op))
			*work_need += (u64)ENG_CONV_MR * ((k + 63) & ~63ull);
	}
	ret = eng_check_dense(op, err);
	if (ret)
		return ret;
	return eng_check_act(op, true, err);
}

static int eng_check_fc(struct eng_op *op, u64 *work_need,
			struct edgenpu_engine_error *err)
{
	struct eng_tensor *in = &op->t[0], *f = &op->t[1], *b = &op->t[2];
	struct eng_tensor *out = &op->t[3];
	bool pc = out->flags & EDGENPU_TENSOR_F_PER_CHANNEL;
	u32 oc, depth;
	int ret;

	if (op->ntens != (pc ? 6u : 4u))
		return OPFAIL(op, -1, OPERANDS, "fc needs 4 or 6 operands");
	if (!eng_is_type(in, EDGENPU_DTYPE_INT8) ||
	    !eng_is_type(f, EDGENPU_DTYPE_INT8) ||
	    !eng_is_type(out, EDGENPU_DTYPE_INT8))
		return OPFAIL(op, -1, OPERANDS, "fc operands must be int8");
	if (b->present && b->dtype != EDGENPU_DTYPE_INT32)
		return OPFAIL(op, 2, OPERANDS, "bias must be int32");
	if (f->dims[0] != 1 || f->dims[1] != 1)
		return OPFAIL(op, 1, DIMS, "fc filter must be [1,1,OC,K]");
	oc = f->dims[2];
	depth = f->dims[3];
	if (depth > EDGENPU_CMD_MAX_REDUCTION)
		return OPFAIL(op, 1, DIMS, "fc reduction too long");
	if (in->dims[3] != depth || out->dims[3] != oc ||
	    (u64)in->dims[0] * in->dims[1] * in->dims[2] !=
	    (u64)out->dims[0] * out->dims[1] * out->dims[2])
		return OPFAIL(op, -1, DIMS, "fc input/output shape mismatch");
	if (b->present && eng_count(b) != oc)
		return OPFAIL(op, 2, DIMS, "bias must have OC elements");
	if (f->flags & EDGENPU_TENSOR_F_PER_CHANNEL ||
	    in->flags & EDGENPU_TENSOR_F_PER_CHANNEL)
		return OPFAIL(op, -1, QUANT, "per-channel flag on an input");
	if (pc) {
		if (!eng_is_type(&op->t[4], EDGENPU_DTYPE_INT32) ||
		    !eng_is_type(&op->t[5], EDGENPU_DTYPE_INT32) ||
		    eng_count(&op->t[4]) != oc || eng_count(&op->t[5]) != oc)
			return OPFAIL(op, 4, OPERANDS,
				      "per-channel multiplier/shift must be int32[OC]");
		if (f->zp)
			return OPFAIL(op, 1, QUANT,
				      "per-channel weights must be symmetric");
	}
	if (oc > ENG_MAX_GEMM_OC)
		return OPFAIL(op, 3, DIMS, "more than 16384 output channels");
	*work_need = ENG_GEMM_WORK(oc) +
		     ((eng_gemm_nvec_bytes(depth, oc, f->zp) + 63) & ~63ull);
	ret = eng_check_dense(op, err);
	if (ret)
		return ret;
	return eng_check_act(op, true, err);
}

static int eng_check_binary(struct eng_op *op, struct edgenpu_engine_error *err)
{
	struct eng_tensor *a = &op->t[0], *b = &op->t[1], *o = &op->t[2];
	int k;

	if (op->ntens != 3)
		return OPFAIL(op, -1, OPERANDS, "binary op needs 3 operands");
	if (!eng_is_type(a, EDGENPU_DTYPE_INT8) ||
	    !eng_is_type(b, EDGENPU_DTYPE_INT8) ||
	    !eng_is_type(o, EDGENPU_DTYPE_INT8))
		return OPFAIL(op, -1, OPERANDS, "binary operands must be int8");
	for (k = 0; k < 4; k++)
		if ((a->dims[k] != o->dims[k] && a->dims[k] != 1) ||
		    (b->dims[k] != o->dims[k] && b->dims[k] != 1))
			return OPFAIL(op, -1, DIMS, "shapes do not broadcast");
	if ((a->flags | b->flags | o->flags) & EDGENPU_TENSOR_F_PER_CHANNEL)
		return OPFAIL(op, -1, QUANT, "per-channel flag on a binary op");
	if (op->opcode != EDGENPU_OP_MUL) {
		if (op->p.add.reserved)
			return OPFAIL(op, -1, RESERVED, "reserved param not zero");
		if (op->p.add.left_shift > 24)
			return OPFAIL(op, -1, PARAM, "left_shift above 24");
		if (a->shift > 0 || b->shift > 0 || o->shift > 0)
			return OPFAIL(op, -1, QUANT,
				      "ADD/SUB multipliers must be below one");
	}
	return eng_check_act(op, true, err);
}

static int eng_check_pool(struct eng_op *op, struct edgenpu_engine_error *err)
{
	struct edgenpu_cmd_pool_params *p = &op->p.pool;
	struct eng_tensor *in = &op->t[0], *o = &op->t[1];

	if (op->ntens != 2)
		return OPFAIL(op, -1, OPERANDS, "pool needs 2 operands");
	if (!eng_is_type(in, EDGENPU_DTYPE_INT8) ||
	    !eng_is_type(o, EDGENPU_DTYPE_INT8))
		return OPFAIL(op, -1, OPERANDS, "pool operands must be int8");
	if (p->filter_h < 1 || p->filter_w < 1 || p->stride_h < 1 ||
	    p->stride_w < 1 || p->filter_h > 4096 || p->filter_w > 4096 ||
	    p->stride_h > 4096 || p->stride_w > 4096 ||
	    (u64)p->filter_h * p->filter_w > EDGENPU_CMD_MAX_WINDOW)
		return OPFAIL(op, -1, PARAM, "pool window/stride out of range");
	if (p->pad_top >= p->filter_h || p->pad_bottom >= p->filter_h ||
	    p->pad_left >= p->filter_w || p->pad_right >= p->filter_w)
		return OPFAIL(op, -1, PARAM,
			      "pool padding must be smaller than the window");
	if (in->dims[0] != o->dims[0] || in->dims[3] != o->dims[3])
		return OPFAIL(op, -1, DIMS, "pool batch/channel mismatch");
	if (!eng_window_ok(in->dims[1], p->pad_top, p->pad_bottom, p->filter_h,
			   p->stride_h, o->dims[1]) ||
	    !eng_window_ok(in->dims[2], p->pad_left, p->pad_right, p->filter_w,
			   p->stride_w, o->dims[2]))
		return OPFAIL(op, 1, DIMS,
			      "output size does not match input, window, padding");
	return eng_check_act(op, true, err);
}

static int eng_check_unary(struct eng_op *op, struct edgenpu_engine_error *err)
{
	struct eng_tensor *in = &op->t[0], *o = &op->t[1];
	u32 k;

	if (op->opcode == EDGENPU_OP_LOGISTIC || op->opcode == EDGENPU_OP_TANH) {
		if (op->ntens != ((op->flags & EDGENPU_OP_F_LUT) ? 3u : 2u))
			return OPFAIL(op, -1, OPERANDS,
				      "activation needs 2 operands (3 with LUT)");
	} else if (op->ntens != 2) {
		return OPFAIL(op, -1, OPERANDS, "op needs 2 operands");
	}
	for (k = 0; k < op->ntens; k++)
		if (!op->t[k].present ||
		    (op->t[k].flags & EDGENPU_TENSOR_F_PER_CHANNEL))
			return OPFAIL(op, (s32)k, OPERANDS,
				      "missing operand or per-channel flag");

	switch (op->opcode) {
	case EDGENPU_OP_MEAN:
		if (in->dtype != EDGENPU_DTYPE_INT8 ||
		    o->dtype != EDGENPU_DTYPE_INT8)
			return OPFAIL(op, -1, OPERANDS, "MEAN is int8 only");
		if (o->dims[0] != in->dims[0] || o->dims[1] != 1 ||
		    o->dims[2] != 1 || o->dims[3] != in->dims[3])
			return OPFAIL(op, 1, DIMS, "MEAN output must be [N,1,1,C]");
		if ((u64)in->dims[1] * in->dims[2] > (1u << 23))
			return OPFAIL(op, 0, DIMS, "MEAN window too large");
		break;
	case EDGENPU_OP_SOFTMAX:
		if (in->dtype != EDGENPU_DTYPE_INT8 ||
		    o->dtype != EDGENPU_DTYPE_INT8)
			return OPFAIL(op, -1, OPERANDS, "SOFTMAX is int8 only");
		if (!eng_same_dims(in, o))
			return OPFAIL(op, 1, DIMS, "shape mismatch");
		if (in->dims[3] > 4095)
			return OPFAIL(op, 0, DIMS, "SOFTMAX depth above 4095");
		if (op->p.softmax.reserved)
			return OPFAIL(op, -1, RESERVED, "reserved param not zero");
		if (op->p.softmax.input_left_shift < 0 ||
		    op->p.softmax.input_left_shift > 31 ||
		    op->p.softmax.diff_min > 0)
			return OPFAIL(op, -1, QUANT, "bad softmax scaling");
		break;
	case EDGENPU_OP_LOGISTIC:
	case EDGENPU_OP_TANH:
		if (in->dtype != EDGENPU_DTYPE_INT8 ||
		    o->dtype != EDGENPU_DTYPE_INT8)
			return OPFAIL(op, -1, OPERANDS, "activation is int8 only");
		if (!eng_same_dims(in, o))
			return OPFAIL(op, 1, DIMS, "shape mismatch");
		if (op->p.act.reserved)
			return OPFAIL(op, -1, RESERVED, "reserved param not zero");
		if (op->flags & EDGENPU_OP_F_LUT) {
			if (op->t[2].dtype != EDGENPU_DTYPE_INT8 ||
			    eng_count(&op->t[2]) != 256 ||
			    (op->t[2].flags & EDGENPU_TENSOR_F_STRIDED))
				return OPFAIL(op, 2, OPERANDS,
					      "LUT must be a dense int8[256]");
			if (op->p.act.input_multiplier ||
			    op->p.act.input_left_shift ||
			    op->p.act.input_range_radius)
				return OPFAIL(op, -1, PARAM,
					      "fixed-point params set with LUT");
		} else if (op->p.act.input_left_shift < -31 ||
			   op->p.act.input_left_shift > 30 ||
			   op->p.act.input_range_radius < 0) {
			return OPFAIL(op, -1, QUANT, "bad activation scaling");
		}
		break;
	case EDGENPU_OP_QUANTIZE:
		if ((in->dtype != EDGENPU_DTYPE_INT8 &&
		     in->dtype != EDGENPU_DTYPE_UINT8) ||
		    (o->dtype != EDGENPU_DTYPE_INT8 &&
		     o->dtype != EDGENPU_DTYPE_UINT8))
			return OPFAIL(op, -1, OPERANDS,
				      "QUANTIZE takes int8/uint8 only");
		if (!eng_same_dims(in, o))
			return OPFAIL(op, 1, DIMS, "shape mismatch");
		break;
	case EDGENPU_OP_RESHAPE:
		if (in->dtype != o->dtype)
			return OPFAIL(op, -1, OPERANDS, "RESHAPE changes dtype");
		if (eng_count(in) != eng_count(o))
			return OPFAIL(op, 1, DIMS, "RESHAPE changes element count");
		break;
	case EDGENPU_OP_PAD: {
		struct edgenpu_cmd_pad_params *p = &op->p.pad;
		s32 lo, hi;

		if (in->dtype != o->dtype)
			return OPFAIL(op, -1, OPERANDS, "PAD changes dtype");
		if (p->reserved)
			return OPFAIL(op, -1, RESERVED, "reserved param not zero");
		for (k = 0; k < 4; k++)
			if ((u64)p->before[k] + p->after[k] + in->dims[k] !=
			    o->dims[k])
				return OPFAIL(op, 1, DIMS,
					      "PAD output != before + input + after");
		eng_dtype_range(o->dtype, &lo, &hi);
		if (o->dtype == EDGENPU_DTYPE_INT32) {
			lo = ENG_S32_MIN;
			hi = ENG_S32_MAX;
		}
		if (p->pad_value < lo || p->pad_value > hi)
			return OPFAIL(op, -1, PARAM, "pad value out of range");
		break;
	}
	case EDGENPU_OP_TRANSPOSE: {
		u32 seen = 0;

		if (in->dtype != o->dtype)
			return OPFAIL(op, -1, OPERANDS, "TRANSPOSE changes dtype");
		for (k = 0; k < 4; k++) {
			u32 pk = op->p.transpose.perm[k];

			if (pk > 3 || (seen & (1u << pk)))
				return OPFAIL(op, -1, PARAM, "perm is not a permutation");
			seen |= 1u << pk;
			if (o->dims[k] != in->dims[pk])
				return OPFAIL(op, 1, DIMS,
					      "output dims do not follow perm");
		}
		break;
	}
	default:
		break;
	}
	return eng_check_act(op, false, err);
}

static int eng_check_concat(struct eng_op *op, struct edgenpu_engine_error *err)
{
	struct eng_tensor *o;
	u32 axis = op->p.concat.axis, k, i;
	u64 sum = 0;

	if (op->ntens < 2)
		return OPFAIL(op, -1, OPERANDS, "concat needs inputs and output");
	if (op->p.concat.reserved)
		return OPFAIL(op, -1, RESERVED, "reserved param not zero");
	if (axis > 3)
		return OPFAIL(op, -1, PARAM, "concat axis above 3");
	o = &op->t[op->ntens - 1];
	for (i = 0; i < op->ntens; i++) {
		struct eng_tensor *t = &op->t[i];

		if (!t->present || t->dtype != o->dtype ||
		    (t->flags & EDGENPU_TENSOR_F_PER_CHANNEL))
			return OPFAIL(op, (s32)i, OPERANDS,
				      "concat operands must share one dtype");
		if (i == op->ntens - 1)
			break;
		for (k = 0; k < 4; k++)
			if (k != axis && t->dims[k] != o->dims[k])
				return OPFAIL(op, (s32)i, DIMS,
					      "concat non-axis dims differ");
		sum += t->dims[axis];
	}
	if (sum != o->dims[axis])
		return OPFAIL(op, -1, DIMS, "concat axis extents do not add up");
	return eng_check_act(op, false, err);
}

/* @a * @b, or U64_MAX when that overflows. */
static u64 eng_mul_sat(u64 a, u64 b)
{
	u64 r;

	return check_mul_overflow(a, b, &r) ? ~0ull : r;
}

/* Element count of @t, saturated: its dims may not be validated yet. */
static u64 eng_count_sat(const struct eng_tensor *t)
{
	return eng_mul_sat((u64)t->dims[0] * t->dims[1],
			   (u64)t->dims[2] * t->dims[3]);
}

/*
 * Cost units of a decoded op (cmdstream.rst, "Cost"), with E its output
 * element count: multiply-accumulates for the convolutions and
 * FULLY_CONNECTED, E times a per-element weight (ENG_COST_*) for the
 * others, never less than E. Saturates at U64_MAX, so that it is defined
 * for an op whose operands were not validated (edgenpu_engine_op_cost());
 * for a valid op nothing saturates.
 */
static u64 eng_op_cost(const struct eng_op *op)
{
	const struct eng_tensor *f = &op->t[1];
	u64 e = eng_count_sat(&op->t[eng_output_index(op)]);

	switch (op->opcode) {
	case EDGENPU_OP_CONV_2D:
		/* KH * KW * C / groups multiply-accumulates per output. */
		return eng_mul_sat(e, eng_mul_sat((u64)f->dims[1] * f->dims[2],
						  f->dims[3]));
	case EDGENPU_OP_DEPTHWISE_CONV_2D:
		return eng_mul_sat(e, (u64)f->dims[1] * f->dims[2]);
	case EDGENPU_OP_FULLY_CONNECTED:
		return eng_mul_sat(e, f->dims[3]);
	case EDGENPU_OP_ADD:
	case EDGENPU_OP_SUB:
		return eng_mul_sat(e, ENG_COST_ADD);
	case EDGENPU_OP_MUL:
		return eng_mul_sat(e, ENG_COST_MUL);
	case EDGENPU_OP_AVERAGE_POOL_2D:
	case EDGENPU_OP_MAX_POOL_2D:
		return eng_mul_sat(e, (u64)op->p.pool.filter_h *
				      op->p.pool.filter_w);
	case EDGENPU_OP_MEAN:
		/* H * W taps per output: the input element count. */
		return eng_count_sat(&op->t[0]);
	case EDGENPU_OP_SOFTMAX:
		return eng_mul_sat(e, ENG_COST_SOFTMAX);
	case EDGENPU_OP_LOGISTIC:
	case EDGENPU_OP_TANH:
		return (op->flags & EDGENPU_OP_F_LUT) ? e :
		       eng_mul_sat(e, ENG_COST_ACT);
	case EDGENPU_OP_QUANTIZE:
		return eng_mul_sat(e, ENG_COST_QUANTIZE);
	default:
		/* RESHAPE, CONCATENATION, PAD, TRANSPOSE: data movement. */
		return eng_mul_sat(e, ENG_COST_MOVE);
	}
}

/**
 * eng_check_op() - validate a decoded op against the buffer table
 * @op: the decoded op; with @mem its tensors get their addresses here.
 * @bufs: buffer table.
 * @nbufs: entries in @bufs.
 * @mem: the buffers are mapped (about to execute); without it only their
 *	sizes and flags are used.
 * @work_need: set to the op scratch the op needs (bytes).
 * @err: error report.
 *
 * Sets @op->cost to the op's cost units (eng_op_cost()).
 *
 * Return: 0 or a negative errno.
 */
int eng_check_op(struct eng_op *op, const struct edgenpu_engine_buffer *bufs,
		 u32 nbufs, bool mem, u64 *work_need,
		 struct edgenpu_engine_error *err)
{
	u32 out, i, j;
	int ret;

	*work_need = 0;
	op->cost = 0;
	out = eng_output_index(op);
	if (out >= op->ntens)
		return OPFAIL(op, -1, OPERANDS, "too few operands");
	for (i = 0; i < op->ntens; i++) {
		bool is_out = i == out;

		ret = eng_check_tensor(op, i, bufs, nbufs, is_out, mem, err);
		if (ret)
			return ret;
	}
	/* Only the bias of conv/fc may be absent. */
	for (i = 0; i < op->ntens; i++) {
		bool optional = i == 2 &&
			(op->opcode == EDGENPU_OP_CONV_2D ||
			 op->opcode == EDGENPU_OP_DEPTHWISE_CONV_2D ||
			 op->opcode == EDGENPU_OP_FULLY_CONNECTED);

		if (!op->t[i].present && !optional)
			return OPFAIL(op, (s32)i, OPERANDS,
				      "required operand absent");
	}

	switch (op->opcode) {
	case EDGENPU_OP_CONV_2D:
	case EDGENPU_OP_DEPTHWISE_CONV_2D:
		ret = eng_check_conv(op, work_need, err);
		break;
	case EDGENPU_OP_FULLY_CONNECTED:
		ret = eng_check_fc(op, work_need, err);
		break;
	case EDGENPU_OP_ADD:
	case EDGENPU_OP_SUB:
	case EDGENPU_OP_MUL:
		ret = eng_check_binary(op, err);
		break;
	case EDGENPU_OP_AVERAGE_POOL_2D:
	case EDGENPU_OP_MAX_POOL_2D:
		ret = eng_check_pool(op, err);
		break;
	case EDGENPU_OP_CONCATENATION:
		ret = eng_check_concat(op, err);
		break;
	default:
		ret = eng_check_unary(op, err);
		break;
	}
	if (ret)
		return ret;
	op->cost = eng_op_cost(op);

	/* An op's output may not overlap any of its other operands. */
	for (j = 0; j < op->ntens; j++) {
		if (j == out)
			continue;
		if (eng_overlap(&op->t[out], &op->t[j]))
			return OPFAIL(op, (s32)j, ALIAS,
				      "output overlaps another operand");
	}
	if (op->cost > EDGENPU_CMD_MAX_OP_COST)
		return eng_fail_cost(err, (s32)op->index, "op", op->cost,
				     EDGENPU_CMD_MAX_OP_COST);
	return 0;
}

/*
 * Decode op descriptor @idx that starts at @pos into @op. On success
 * *next is the offset of the following descriptor.
 */
static int eng_decode_op(const u8 *s, u64 size, u64 pos, u32 idx,
			 struct eng_op *op, u64 *next,
			 struct edgenpu_engine_error *err)
{
	struct edgenpu_cmd_op h;
	u64 body, tens_bytes, need;
	u32 min_params, i;
	int ret;

	memset(op, 0, sizeof(*op));
	op->index = idx;
	if (size - pos < sizeof(h))
		return OPFAIL(op, -1, SIZE, "op header truncated");
	memcpy(&h, s + pos, sizeof(h));
	if (h.size < sizeof(h) || h.size % 8 || h.size > size - pos)
		return OPFAIL(op, -1, SIZE, "bad op size");
	if (h.opcode == EDGENPU_OP_INVALID || h.opcode >= EDGENPU_OP_COUNT)
		return OPFAIL(op, -1, UNKNOWN_OP, "unknown opcode");
	if (h.reserved)
		return OPFAIL(op, -1, RESERVED, "op reserved field not zero");
	if (h.flags & ~EDGENPU_OP_F_LUT ||
	    ((h.flags & EDGENPU_OP_F_LUT) && h.opcode != EDGENPU_OP_LOGISTIC &&
	     h.opcode != EDGENPU_OP_TANH))
		return OPFAIL(op, -1, RESERVED, "unknown op flags");
	if (h.num_tensors < 1 || h.num_tensors > EDGENPU_CMD_MAX_TENSORS)
		return OPFAIL(op, -1, OPERANDS, "operand count out of range");
	if (h.params_size % 8 || h.params_size > EDGENPU_CMD_MAX_PARAMS_SIZE)
		return OPFAIL(op, -1, SIZE, "bad params size");
	if (h.tensor_size % 8 || h.tensor_size < sizeof(struct edgenpu_cmd_tensor) ||
	    h.tensor_size > 4096)
		return OPFAIL(op, -1, SIZE, "bad tensor descriptor size");
	tens_bytes = (u64)h.num_tensors * h.tensor_size;
	need = sizeof(h) + (u64)h.params_size + tens_bytes;
	if (need != h.size)
		return OPFAIL(op, -1, SIZE,
			      "op size != header + params + tensors");
	min_params = eng_params_size[h.opcode];
	if (h.params_size < min_params)
		return OPFAIL(op, -1, SIZE, "params block too small");
	body = pos + sizeof(h);
	memcpy(&op->p, s + body, min_params);
	if (!eng_all_zero(s + body + min_params, h.params_size - min_params))
		return OPFAIL(op, -1, RESERVED, "unknown params fields set");
	op->opcode = h.opcode;
	op->flags = h.flags;
	op->ntens = h.num_tensors;
	op->act_min = h.act_min;
	op->act_max = h.act_max;
	body += h.params_size;
	for (i = 0; i < h.num_tensors; i++) {
		ret = eng_decode_tensor(op, i, s + body + (u64)i * h.tensor_size,
					h.tensor_size, err);
		if (ret)
			return ret;
	}
	*next = pos + h.size;
	return 0;
}

static int eng_check_header(const u8 *s, u64 size, u32 *nops,
			    u64 *first, struct edgenpu_engine_error *err)
{
	struct edgenpu_cmd_header h;

	if (size < sizeof(h))
		return eng_fail(err, -1, -1, EDGENPU_ENGINE_E_SIZE,
				"stream shorter than its header");
	memcpy(&h, s, sizeof(h));
	if (h.magic != EDGENPU_CMD_MAGIC)
		return eng_fail(err, -1, -1, EDGENPU_ENGINE_E_MAGIC,
				"bad magic");
	if (h.version_major != EDGENPU_CMD_VERSION_MAJOR ||
	    h.version_minor > EDGENPU_CMD_VERSION_MINOR)
		return eng_fail(err, -1, -1, EDGENPU_ENGINE_E_VERSION,
				"unsupported command stream version");
	if (size > EDGENPU_CMD_MAX_SIZE || h.total_size != size ||
	    h.header_size < sizeof(h) || h.header_size % 8 ||
	    h.header_size > size)
		return eng_fail(err, -1, -1, EDGENPU_ENGINE_E_SIZE,
				"bad header or total size");
	if (h.flags || h.reserved0 || h.reserved ||
	    !eng_all_zero(s + sizeof(h), h.header_size - sizeof(h)))
		return eng_fail(err, -1, -1, EDGENPU_ENGINE_E_RESERVED,
				"header reserved field or flag set");
	if (h.op_count < 1 || h.op_count > EDGENPU_CMD_MAX_OPS)
		return eng_fail(err, -1, -1, EDGENPU_ENGINE_E_TOO_MANY_OPS,
				"op count zero or above EDGENPU_CMD_MAX_OPS");
	*nops = h.op_count;
	*first = h.header_size;
	return 0;
}

static int eng_check_args(const void *stream, u64 stream_size,
			  const struct edgenpu_engine_buffer *bufs, u32 nbufs,
			  void *scratch, u64 scratch_size, bool mem,
			  struct edgenpu_engine_error *err)
{
	u32 i;

	if (!stream || (nbufs && !bufs))
		return eng_fail(err, -1, -1, EDGENPU_ENGINE_E_ARGS,
				"NULL stream or buffer table");
	if (nbufs > EDGENPU_CMD_MAX_BUFFERS)
		return eng_fail(err, -1, -1, EDGENPU_ENGINE_E_ARGS,
				"buffer table too large");
	if (!scratch || ((uintptr_t)scratch & 63) ||
	    scratch_size < ENG_DECODE_SIZE)
		return eng_fail(err, -1, -1, EDGENPU_ENGINE_E_SCRATCH,
				"scratch missing, misaligned or too small");
	for (i = 0; i < nbufs; i++) {
		if (bufs[i].reserved ||
		    (bufs[i].flags & ~(EDGENPU_ENGINE_BUF_READ |
				       EDGENPU_ENGINE_BUF_WRITE)))
			return eng_fail(err, -1, (s32)i, EDGENPU_ENGINE_E_ARGS,
					"bad buffer table entry");
		if (mem && bufs[i].size && !bufs[i].ptr)
			return eng_fail(err, -1, (s32)i, EDGENPU_ENGINE_E_ARGS,
					"buffer table entry with NULL pointer");
	}
	(void)stream_size;
	return 0;
}

/**
 * eng_tick_slow() - the preemption point behind eng_tick()
 * @op: the executing op; its budget ran out.
 *
 * Refills the budget, yields the CPU if the environment wants it and
 * asks the job's cancellation hook.
 *
 * Return: 0, or -ECANCELED when the job is to stop.
 */
int eng_tick_slow(struct eng_op *op)
{
	const struct edgenpu_engine_hooks *h = op->hooks;

	op->budget = ENG_TICK_UNITS;
	ENG_PORT_YIELD();
	if (h && h->cancelled && h->cancelled(h->ctx, op->index)) {
		op->budget = 0;
		return -ECANCELED;
	}
	return 0;
}

/* Execute a decoded op that eng_check_op() accepted with @mem. */
static int eng_exec_op(struct eng_op *op)
{
	switch (op->opcode) {
	case EDGENPU_OP_CONV_2D:
		return eng_conv2d(op);
	case EDGENPU_OP_DEPTHWISE_CONV_2D:
		return eng_depthwise(op);
	case EDGENPU_OP_FULLY_CONNECTED:
		return eng_fully_connected(op);
	case EDGENPU_OP_ADD:
	case EDGENPU_OP_SUB:
	case EDGENPU_OP_MUL:
		return eng_binary(op);
	case EDGENPU_OP_AVERAGE_POOL_2D:
		return eng_avg_pool(op);
	case EDGENPU_OP_MAX_POOL_2D:
		return eng_max_pool(op);
	case EDGENPU_OP_MEAN:
		return eng_mean(op);
	case EDGENPU_OP_SOFTMAX:
		return eng_softmax(op);
	case EDGENPU_OP_LOGISTIC:
	case EDGENPU_OP_TANH:
		return eng_logistic_tanh(op);
	case EDGENPU_OP_QUANTIZE:
		return eng_quantize(op);
	case EDGENPU_OP_RESHAPE:
		return eng_reshape(op);
	case EDGENPU_OP_CONCATENATION:
		return eng_concat(op);
	case EDGENPU_OP_PAD:
		return eng_pad(op);
	case EDGENPU_OP_TRANSPOSE:
		return eng_transpose(op);
	default:
		return -EFAULT;
	}
}

/*
 * Validate the whole job. With @run set, each op executes right after it
 * was decoded and re-checked against the mapped buffers: an op never runs
 * unchecked. edgenpu_engine_run() validates the entire job first, so that
 * nothing runs unless everything is valid; edgenpu_engine_execute() relies
 * on an earlier edgenpu_engine_validate() for that.
 */
static int eng_walk(const void *stream, u64 stream_size,
		    const struct edgenpu_engine_buffer *bufs, u32 nbufs,
		    void *scratch, u64 scratch_size,
		    const struct edgenpu_engine_hooks *hooks, bool run,
		    struct edgenpu_engine_error *err)
{
	const u8 *s = stream;
	struct eng_op *op = scratch;
	u64 pos, next, need, job_cost = 0;
	s64 budget = ENG_TICK_UNITS;
	bool timed;
	u32 nops, i;
	int ret;

	ret = eng_check_header(s, stream_size, &nops, &pos, err);
	if (ret)
		return ret;
	for (i = 0; i < nops; i++) {
		ret = eng_decode_op(s, stream_size, pos, i, op, &next, err);
		if (ret)
			return ret;
		ret = eng_check_op(op, bufs, nbufs, run, &need, err);
		if (ret)
			return ret;
		if (need > scratch_size - ENG_DECODE_SIZE)
			return OPFAIL(op, -1, SCRATCH,
				      "op needs more scratch than given");
		/* At most 1024 ops of at most 2^32 units: no overflow. */
		job_cost += op->cost;
		if (job_cost > EDGENPU_CMD_MAX_JOB_COST)
			return eng_fail_cost(err, (s32)i, "job", job_cost,
					     EDGENPU_CMD_MAX_JOB_COST);
		op->work = (u8 *)scratch + ENG_DECODE_SIZE;
		op->work_size = scratch_size - ENG_DECODE_SIZE;
		if (run) {
			if (hooks && hooks->cancelled &&
			    hooks->cancelled(hooks->ctx, i))
				return OPFAIL(op, -1, CANCELED, "job cancelled");
			timed = hooks && hooks->now && hooks->op_times &&
				2ull * i + 1 < hooks->op_times_len;
			if (timed)
				hooks->op_times[2 * i] = hooks->now(hooks->ctx);
			/* The tick budget carries over from op to op. */
			op->hooks = hooks;
			op->budget = budget;
			ret = eng_exec_op(op);
			budget = op->budget;
			if (ret == -ECANCELED)
				return OPFAIL(op, -1, CANCELED,
					      "job cancelled during the op");
			if (ret)
				return OPFAIL(op, -1, INTERNAL,
					      "executor invariant failed");
			if (timed)
				hooks->op_times[2 * i + 1] =
					hooks->now(hooks->ctx);
		}
		pos = next;
	}
	if (pos != stream_size)
		return eng_fail(err, -1, -1, EDGENPU_ENGINE_E_SIZE,
				"trailing bytes after the last op");
	return 0;
}

/**
 * edgenpu_engine_validate() - check a job without running it
 * @stream: command stream bytes (any alignment).
 * @stream_size: bytes in @stream; must equal the header's total_size.
 * @bufs: the job's buffer table. Only sizes and flags are used: the
 *	pointers may be NULL and are never read.
 * @nbufs: entries in @bufs, at most %EDGENPU_CMD_MAX_BUFFERS.
 * @scratch: caller-private scratch, 64-byte aligned, not shared with
 *	userspace; %EDGENPU_ENGINE_SCRATCH_SIZE bytes are always enough.
 * @scratch_size: bytes at @scratch.
 * @err: filled with the reason of a rejection; may be NULL.
 *
 * Also bounds the work: an op above %EDGENPU_CMD_MAX_OP_COST cost units
 * or a job above %EDGENPU_CMD_MAX_JOB_COST is refused with -E2BIG
 * (%EDGENPU_ENGINE_E_COST).
 *
 * Return: 0 if the job is valid, else a negative errno whose cause is
 * described by &enum edgenpu_engine_code.
 */
int edgenpu_engine_validate(const void *stream, u64 stream_size,
			    const struct edgenpu_engine_buffer *bufs, u32 nbufs,
			    void *scratch, u64 scratch_size,
			    struct edgenpu_engine_error *err)
{
	int ret;

	eng_clear_err(err);
	ret = eng_check_args(stream, stream_size, bufs, nbufs, scratch,
			     scratch_size, false, err);
	if (ret)
		return ret;
	return eng_walk(stream, stream_size, bufs, nbufs, scratch,
			scratch_size, NULL, false, err);
}

/**
 * edgenpu_engine_execute() - execute a job that was validated before
 * @stream: command stream bytes.
 * @stream_size: bytes in @stream.
 * @bufs: the job's buffer table; every buffer of non-zero size mapped.
 * @nbufs: entries in @bufs.
 * @scratch: caller-private scratch as for edgenpu_engine_validate().
 * @scratch_size: bytes at @scratch.
 * @hooks: optional profiling and cancellation callbacks; may be NULL.
 * @err: filled with the reason of a failure; may be NULL.
 *
 * For a job that edgenpu_engine_validate() accepted with the same buffer
 * sizes and flags: skips the separate whole-job validation pass of
 * edgenpu_engine_run(). Each op is still decoded into @scratch and checked
 * again right before it runs, so nothing ever executes unchecked; but a
 * job that was not validated may fail part-way, after earlier ops wrote
 * their outputs.
 *
 * Return: 0 on success, else a negative errno (-ECANCELED when @hooks
 * cancelled the job).
 */
int edgenpu_engine_execute(const void *stream, u64 stream_size,
			   const struct edgenpu_engine_buffer *bufs, u32 nbufs,
			   void *scratch, u64 scratch_size,
			   const struct edgenpu_engine_hooks *hooks,
			   struct edgenpu_engine_error *err)
{
	int ret;

	eng_clear_err(err);
	ret = eng_check_args(stream, stream_size, bufs, nbufs, scratch,
			     scratch_size, true, err);
	if (ret)
		return ret;
	return eng_walk(stream, stream_size, bufs, nbufs, scratch,
			scratch_size, hooks, true, err);
}

/**
 * edgenpu_engine_run() - validate a job, then execute it
 * @stream: command stream bytes.
 * @stream_size: bytes in @stream.
 * @bufs: the job's buffer table; every buffer of non-zero size mapped.
 * @nbufs: entries in @bufs.
 * @scratch: caller-private scratch as for edgenpu_engine_validate().
 * @scratch_size: bytes at @scratch.
 * @hooks: optional profiling and cancellation callbacks; may be NULL.
 * @err: filled with the reason of a failure; may be NULL.
 *
 * Nothing executes unless the whole job validates. Each op then runs from
 * a decoded copy in @scratch that is validated again just before use.
 * Output buffers of ops before a cancellation hold their results.
 *
 * Return: 0 on success, else a negative errno.
 */
int edgenpu_engine_run(const void *stream, u64 stream_size,
		       const struct edgenpu_engine_buffer *bufs, u32 nbufs,
		       void *scratch, u64 scratch_size,
		       const struct edgenpu_engine_hooks *hooks,
		       struct edgenpu_engine_error *err)
{
	int ret;

	eng_clear_err(err);
	ret = eng_check_args(stream, stream_size, bufs, nbufs, scratch,
			     scratch_size, true, err);
	if (ret)
		return ret;
	ret = eng_walk(stream, stream_size, bufs, nbufs, scratch,
		       scratch_size, NULL, false, err);
	if (ret)
		return ret;
	return eng_walk(stream, stream_size, bufs, nbufs, scratch,
			scratch_size, hooks, true, err);
}

/**
 * edgenpu_engine_op_cost() - the cost units of one op
 * @desc: one op descriptor as a command stream holds it: &struct
 *	edgenpu_cmd_op, its params, its tensor descriptors (any alignment).
 * @size: bytes readable at @desc (the descriptor may be shorter).
 * @scratch: caller-private scratch as for edgenpu_engine_validate(); the
 *	op is decoded there.
 * @scratch_size: bytes at @scratch.
 * @cost: set to the op's cost units: what validation counts against
 *	%EDGENPU_CMD_MAX_OP_COST and %EDGENPU_CMD_MAX_JOB_COST (see
 *	Documentation/edgenpu/cmdstream.rst), saturated at U64_MAX.
 * @err: filled with the reason of a rejection; may be NULL.
 *
 * For planners, which split their work into jobs within the cost limits.
 * Only the descriptor's framing is checked here, not its operands (there
 * is no buffer table): for an op that validates, @cost is exactly what
 * edgenpu_engine_validate() counts for it.
 *
 * Return: 0, or a negative errno when the descriptor does not decode.
 */
int edgenpu_engine_op_cost(const void *desc, u64 size, void *scratch,
			   u64 scratch_size, u64 *cost,
			   struct edgenpu_engine_error *err)
{
	struct eng_op *op = scratch;
	u64 next;
	int ret;

	eng_clear_err(err);
	if (!desc || !cost)
		return eng_fail(err, -1, -1, EDGENPU_ENGINE_E_ARGS,
				"NULL descriptor or cost");
	if (!scratch || ((uintptr_t)scratch & 63) ||
	    scratch_size < ENG_DECODE_SIZE)
		return eng_fail(err, -1, -1, EDGENPU_ENGINE_E_SCRATCH,
				"scratch missing, misaligned or too small");
	ret = eng_decode_op(desc, size, 0, 0, op, &next, err);
	if (ret)
		return ret;
	*cost = eng_op_cost(op);
	return 0;
}

/**
 * edgenpu_engine_srdhm() - SaturatingRoundingDoublingHighMul
 * @a: first factor.
 * @b: second factor.
 *
 * Return: the rounded high half of 2 * @a * @b, saturated.
 */
s32 edgenpu_engine_srdhm(s32 a, s32 b)
{
	return eng_srdhm(a, b);
}

/**
 * edgenpu_engine_rdbpot() - RoundingDivideByPOT
 * @x: dividend.
 * @exponent: power of two to divide by, 0 to 31.
 *
 * Return: @x / 2^@exponent rounded half away from zero.
 */
s32 edgenpu_engine_rdbpot(s32 x, int exponent)
{
	return eng_rdbpot(x, exponent);
}

/**
 * edgenpu_engine_mbqm() - MultiplyByQuantizedMultiplier (double rounding)
 * @x: value.
 * @multiplier: Q31 multiplier.
 * @shift: exponent, -31 to 30.
 *
 * Return: @x * @multiplier * 2^(@shift - 31), rounded as TFLite does.
 */
s32 edgenpu_engine_mbqm(s32 x, s32 multiplier, int shift)
{
	if (shift < -31 || shift > 30)
		return 0;
	return eng_mbqm(x, multiplier, shift);
}
