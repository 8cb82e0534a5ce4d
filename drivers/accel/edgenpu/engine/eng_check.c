// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * edgenpu engine: validation of a decoded op.
 *
 * The validator is the isolation boundary of the virtual NPU: the
 * executor runs inside the kernel on buffers that userspace shares, and
 * trusts every shape, stride, offset and parameter checked here. The
 * checks run on the decoded copy of the op in caller-private scratch
 * (eng_core.c), immediately before the op runs, so what was checked is
 * what executes.
 *
 * eng_check_op() does what every op needs (operand bounds, permissions,
 * aliasing, activation clamp, cost), then calls the op's own checker
 * from the opcode table (eng_ops.c).
 */
#include "eng_internal.h"

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

/* Compute dense strides, or check given ones: no element shares an address. */
static int eng_tensor_strides(struct eng_op *op, u32 i,
			      struct edgenpu_engine_error *err)
{
	struct eng_tensor *t = &op->t[i];
	u64 span, term;
	int k;

	if (!(t->flags & EDGENPU_TENSOR_F_STRIDED)) {
		t->st[3] = 1;
		t->st[2] = t->dims[3];
		t->st[1] = t->dims[3] * t->dims[2];
		t->st[0] = t->st[1] * t->dims[1];
		return 0;
	}
	if (t->st[3] != 1)
		return OPFAIL(op, (s32)i, STRIDES, "channel stride must be 1");
	/*
	 * Each outer stride must step past the last element of the
	 * dimensions inside it: span is one more than the largest index the
	 * inner dimensions reach. Then no two elements share an address. A
	 * dimension of extent 1 moves nothing, so neither its stride nor its
	 * span counts.
	 */
	span = t->dims[3];
	for (k = 2; k >= 0; k--) {
		if (t->dims[k] == 1)
			continue;
		if (t->st[k] < span)
			return OPFAIL(op, (s32)i, STRIDES,
				      "strides make the tensor overlap itself");
		if (check_mul_overflow((u64)t->st[k], (u64)(t->dims[k] - 1),
				       &term) ||
		    check_add_overflow(span, term, &span))
			return OPFAIL(op, (s32)i, OVERFLOW,
				      "stride span overflows");
	}
	return 0;
}

/* Element count limit, strides and the byte extent of operand @i. */
static int eng_tensor_extent(struct eng_op *op, u32 i,
			     struct edgenpu_engine_error *err)
{
	struct eng_tensor *t = &op->t[i];
	u64 count = 1, maxidx = 0, span, term;
	int k, ret;

	for (k = 0; k < 4; k++)
		if (check_mul_overflow(count, (u64)t->dims[k], &count))
			return OPFAIL(op, (s32)i, OVERFLOW,
				      "element count overflows");
	if (count > EDGENPU_CMD_MAX_ELEMENTS)
		return OPFAIL(op, (s32)i, DIMS, "tensor has too many elements");
	ret = eng_tensor_strides(op, i, err);
	if (ret)
		return ret;
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
	return 0;
}

/*
 * Operand @i inside its buffer @b, with the access it needs; with @mem it
 * also gets its address.
 */
static int eng_tensor_bounds(struct eng_op *op, u32 i,
			     const struct edgenpu_engine_buffer *b, bool write,
			     bool mem, struct edgenpu_engine_error *err)
{
	struct eng_tensor *t = &op->t[i];
	u64 end, addr;

	/* Buffers are mapped page-aligned: the offset decides alignment. */
	if (t->start % t->esize)
		return OPFAIL(op, (s32)i, BOUNDS, "misaligned tensor offset");
	if (check_add_overflow(t->start, t->extent, &end))
		return OPFAIL(op, (s32)i, OVERFLOW, "tensor end overflows");
	if (end > b->size)
		return OPFAIL(op, (s32)i, BOUNDS, "tensor outside its buffer");
	if (write && !(b->flags & EDGENPU_BUF_WRITE))
		return OPFAIL(op, (s32)i, ACCESS, "output buffer not writable");
	if (!write && !(b->flags & EDGENPU_BUF_READ))
		return OPFAIL(op, (s32)i, ACCESS, "input buffer not readable");
	if (!mem)
		return 0;
	/* Userspace buffers need not be page-aligned. */
	if (!b->ptr)
		return OPFAIL(op, (s32)i, ARGS, "buffer not mapped");
	if (check_add_overflow((u64)(uintptr_t)b->ptr, end, &addr))
		return OPFAIL(op, (s32)i, OVERFLOW, "buffer address wraps");
	t->base = (u8 *)b->ptr + t->start;
	if ((uintptr_t)t->base % t->esize)
		return OPFAIL(op, (s32)i, BOUNDS, "misaligned tensor address");
	return 0;
}

static int eng_tensor_quant(struct eng_op *op, u32 i,
			    struct edgenpu_engine_error *err)
{
	struct eng_tensor *t = &op->t[i];
	s32 lo, hi;

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
	int ret;

	if (!t->present)
		return 0;
	if (t->buf >= nbufs)
		return OPFAIL(op, (s32)i, BUFFER_INDEX,
			      "buffer index out of range");
	ret = eng_tensor_extent(op, i, err);
	if (ret)
		return ret;
	ret = eng_tensor_bounds(op, i, &bufs[t->buf], write, mem, err);
	if (ret)
		return ret;
	return eng_tensor_quant(op, i, err);
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

/* The fused clamp of an ENG_OPF_ACT op; none on the other ops. */
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

/* Whether @out is the output extent of a window along one spatial axis. */
static int eng_window_ok(u32 in, u32 pad0, u32 pad1, u32 eff, u32 stride,
			 u32 out)
{
	u64 total = (u64)in + pad0 + pad1;

	if (total < eff)
		return 0;
	return (total - eff) / stride + 1 == out;
}

/* ---- CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED ---- */

/*
 * Operand count and types of conv/fc: int8 data, optional int32 bias;
 * @count_msg and @type_msg name the op in the messages.
 */
static int eng_check_mac_operands(struct eng_op *op, const char *count_msg,
				  const char *type_msg,
				  struct edgenpu_engine_error *err)
{
	struct eng_tensor *in = &op->t[0], *f = &op->t[1], *b = &op->t[2];
	struct eng_tensor *out = &op->t[3];
	bool pc = out->flags & EDGENPU_TENSOR_F_PER_CHANNEL;

	if (op->ntens != (pc ? 6u : 4u))
		return OPFAIL(op, -1, OPERANDS, count_msg);
	if (!eng_is_type(in, EDGENPU_DTYPE_INT8) ||
	    !eng_is_type(f, EDGENPU_DTYPE_INT8) ||
	    !eng_is_type(out, EDGENPU_DTYPE_INT8))
		return OPFAIL(op, -1, OPERANDS, type_msg);
	if (b->present && b->dtype != EDGENPU_DTYPE_INT32)
		return OPFAIL(op, 2, OPERANDS, "bias must be int32");
	return 0;
}

/* Bias length and the per-channel quantization arrays of conv/fc. */
static int eng_check_mac_quant(struct eng_op *op, u32 oc,
			       struct edgenpu_engine_error *err)
{
	struct eng_tensor *in = &op->t[0], *f = &op->t[1], *b = &op->t[2];

	if (b->present && eng_count(b) != oc)
		return OPFAIL(op, 2, DIMS, "bias must have OC elements");
	if (f->flags & EDGENPU_TENSOR_F_PER_CHANNEL ||
	    in->flags & EDGENPU_TENSOR_F_PER_CHANNEL)
		return OPFAIL(op, -1, QUANT, "per-channel flag on an input");
	if (!(op->t[3].flags & EDGENPU_TENSOR_F_PER_CHANNEL))
		return 0;
	if (!eng_is_type(&op->t[4], EDGENPU_DTYPE_INT32) ||
	    !eng_is_type(&op->t[5], EDGENPU_DTYPE_INT32) ||
	    eng_count(&op->t[4]) != oc || eng_count(&op->t[5]) != oc)
		return OPFAIL(op, 4, OPERANDS,
			      "per-channel multiplier/shift must be int32[OC]");
	if (f->zp)
		return OPFAIL(op, 1, QUANT,
			      "per-channel weights must be symmetric");
	return 0;
}

/* Work area of the GEMM behind CONV_2D and FULLY_CONNECTED. */
static int eng_gemm_need(struct eng_op *op, u32 oc, u32 k, u32 n,
			 u64 *work_need, struct edgenpu_engine_error *err)
{
	if (oc > ENG_MAX_GEMM_OC)
		return OPFAIL(op, 3, DIMS, "more than 16384 output channels");
	*work_need = ENG_GEMM_WORK(oc) +
		     ((eng_gemm_nvec_bytes(k, n, op->t[1].zp) + 63) & ~63ull);
	return 0;
}

/* Operands, strides, dilations, padding and batch of a convolution. */
static int eng_check_conv_common(struct eng_op *op,
				 struct edgenpu_engine_error *err)
{
	struct edgenpu_cmd_conv_params *p = &op->p.conv;
	int ret;

	ret = eng_check_mac_operands(op, "conv needs 4 or 6 operands",
				     "conv operands must be int8", err);
	if (ret)
		return ret;
	if (p->reserved)
		return OPFAIL(op, -1, RESERVED, "conv reserved param not zero");
	if (p->stride_h < 1 || p->stride_h > 64 || p->stride_w < 1 ||
	    p->stride_w > 64 || p->dilation_h < 1 || p->dilation_h > 64 ||
	    p->dilation_w < 1 || p->dilation_w > 64)
		return OPFAIL(op, -1, PARAM, "stride/dilation out of [1, 64]");
	if (p->pad_top > 65536 || p->pad_bottom > 65536 ||
	    p->pad_left > 65536 || p->pad_right > 65536)
		return OPFAIL(op, -1, PARAM, "padding too large");
	if (op->t[0].dims[0] != op->t[3].dims[0])
		return OPFAIL(op, -1, DIMS, "batch mismatch");
	return 0;
}

/* Output size from input, dilated filter and padding; then quantization. */
static int eng_check_conv_out(struct eng_op *op,
			      struct edgenpu_engine_error *err)
{
	struct edgenpu_cmd_conv_params *p = &op->p.conv;
	struct eng_tensor *in = &op->t[0], *f = &op->t[1];
	struct eng_tensor *out = &op->t[3];
	u32 eh = (f->dims[1] - 1) * p->dilation_h + 1;
	u32 ew = (f->dims[2] - 1) * p->dilation_w + 1;

	if (!eng_window_ok(in->dims[1], p->pad_top, p->pad_bottom, eh,
			   p->stride_h, out->dims[1]) ||
	    !eng_window_ok(in->dims[2], p->pad_left, p->pad_right, ew,
			   p->stride_w, out->dims[2]))
		return OPFAIL(op, 3, DIMS,
			      "output size does not match input, filter, padding");
	return eng_check_mac_quant(op, out->dims[3], err);
}

int eng_check_conv2d(struct eng_op *op, u64 *work_need,
		     struct edgenpu_engine_error *err)
{
	struct eng_tensor *in = &op->t[0], *f = &op->t[1];
	u32 oc = op->t[3].dims[3], kin = f->dims[3];
	u64 k;
	int ret;

	ret = eng_check_conv_common(op, err);
	if (ret)
		return ret;
	if (op->p.conv.depth_multiplier)
		return OPFAIL(op, -1, PARAM, "depth_multiplier set on CONV_2D");
	if (f->dims[0] != oc)
		return OPFAIL(op, 1, DIMS, "filter must be [OC,KH,KW,IC]");
	if (in->dims[3] % kin || oc % (in->dims[3] / kin))
		return OPFAIL(op, 1, DIMS,
			      "input channels are not a multiple of filter channels");
	k = (u64)f->dims[1] * f->dims[2] * kin;
	if (k > EDGENPU_CMD_MAX_REDUCTION)
		return OPFAIL(op, 1, DIMS, "filter reduction too long");
	ret = eng_check_conv_out(op, err);
	if (ret)
		return ret;
	ret = eng_gemm_need(op, oc, (u32)k, oc / (in->dims[3] / kin),
			    work_need, err);
	if (ret)
		return ret;
	if (!eng_conv_direct(op))
		*work_need += (u64)ENG_CONV_MR * ((k + 63) & ~63ull);
	return eng_check_dense(op, err);
}

int eng_check_depthwise(struct eng_op *op, u64 *work_need,
			struct edgenpu_engine_error *err)
{
	struct eng_tensor *f = &op->t[1];
	u32 oc = op->t[3].dims[3], dm = op->p.conv.depth_multiplier;
	int ret;

	ret = eng_check_conv_common(op, err);
	if (ret)
		return ret;
	if (dm < 1 || (u64)op->t[0].dims[3] * dm != oc)
		return OPFAIL(op, -1, DIMS,
			      "depthwise output channels != C * multiplier");
	if (f->dims[0] != 1 || f->dims[3] != oc)
		return OPFAIL(op, 1, DIMS,
			      "depthwise filter must be [1,KH,KW,OC]");
	if ((u64)f->dims[1] * f->dims[2] > EDGENPU_CMD_MAX_REDUCTION)
		return OPFAIL(op, 1, DIMS, "filter reduction too long");
	ret = eng_check_conv_out(op, err);
	if (ret)
		return ret;
	*work_need = 64 * 4;	/* depthwise accumulator block */
	return eng_check_dense(op, err);
}

int eng_check_fc(struct eng_op *op, u64 *work_need,
		 struct edgenpu_engine_error *err)
{
	struct eng_tensor *in = &op->t[0], *f = &op->t[1];
	struct eng_tensor *out = &op->t[3];
	u32 oc = f->dims[2], depth = f->dims[3];
	int ret;

	ret = eng_check_mac_operands(op, "fc needs 4 or 6 operands",
				     "fc operands must be int8", err);
	if (ret)
		return ret;
	if (f->dims[0] != 1 || f->dims[1] != 1)
		return OPFAIL(op, 1, DIMS, "fc filter must be [1,1,OC,K]");
	if (depth > EDGENPU_CMD_MAX_REDUCTION)
		return OPFAIL(op, 1, DIMS, "fc reduction too long");
	if (in->dims[3] != depth || out->dims[3] != oc ||
	    (u64)in->dims[0] * in->dims[1] * in->dims[2] !=
	    (u64)out->dims[0] * out->dims[1] * out->dims[2])
		return OPFAIL(op, -1, DIMS, "fc input/output shape mismatch");
	ret = eng_check_mac_quant(op, oc, err);
	if (ret)
		return ret;
	ret = eng_gemm_need(op, oc, depth, oc, work_need, err);
	if (ret)
		return ret;
	return eng_check_dense(op, err);
}

/* ---- ADD, SUB, MUL ---- */

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
	return 0;
}

int eng_check_add_sub(struct eng_op *op, u64 *work_need,
		      struct edgenpu_engine_error *err)
{
	int ret = eng_check_binary(op, err);

	if (ret)
		return ret;
	if (op->p.add.reserved)
		return OPFAIL(op, -1, RESERVED, "reserved param not zero");
	if (op->p.add.left_shift > 24)
		return OPFAIL(op, -1, PARAM, "left_shift above 24");
	if (op->t[0].shift > 0 || op->t[1].shift > 0 || op->t[2].shift > 0)
		return OPFAIL(op, -1, QUANT,
			      "ADD/SUB multipliers must be below one");
	return 0;
}

int eng_check_mul(struct eng_op *op, u64 *work_need,
		  struct edgenpu_engine_error *err)
{
	return eng_check_binary(op, err);
}

/* ---- AVERAGE_POOL_2D, MAX_POOL_2D, MEAN ---- */

int eng_check_pool(struct eng_op *op, u64 *work_need,
		   struct edgenpu_engine_error *err)
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
	return 0;
}

/*
 * The @n operands of a one-input op: all present, none per-channel.
 * @what names the op in the operand count message.
 */
static int eng_check_unary_operands(struct eng_op *op, u32 n,
				    const char *what,
				    struct edgenpu_engine_error *err)
{
	u32 k;

	if (op->ntens != n)
		return OPFAIL(op, -1, OPERANDS, what);
	for (k = 0; k < op->ntens; k++)
		if (!op->t[k].present ||
		    (op->t[k].flags & EDGENPU_TENSOR_F_PER_CHANNEL))
			return OPFAIL(op, (s32)k, OPERANDS,
				      "missing operand or per-channel flag");
	return 0;
}

/*
 * Two operands, both int8 with @int8, else of one dtype; @what is the
 * message when they are not.
 */
static int eng_check_unary_types(struct eng_op *op, bool int8,
				 const char *what,
				 struct edgenpu_engine_error *err)
{
	u32 a, b;
	int ret = eng_check_unary_operands(op, 2, "op needs 2 operands", err);

	if (ret)
		return ret;
	a = op->t[0].dtype;
	b = op->t[1].dtype;
	if (int8 ? a != EDGENPU_DTYPE_INT8 || b != EDGENPU_DTYPE_INT8 : a != b)
		return OPFAIL(op, -1, OPERANDS, what);
	return 0;
}

int eng_check_mean(struct eng_op *op, u64 *work_need,
		   struct edgenpu_engine_error *err)
{
	struct eng_tensor *in = &op->t[0], *o = &op->t[1];
	int ret = eng_check_unary_types(op, true, "MEAN is int8 only", err);

	if (ret)
		return ret;
	if (o->dims[0] != in->dims[0] || o->dims[1] != 1 ||
	    o->dims[2] != 1 || o->dims[3] != in->dims[3])
		return OPFAIL(op, 1, DIMS, "MEAN output must be [N,1,1,C]");
	if ((u64)in->dims[1] * in->dims[2] > (1u << 23))
		return OPFAIL(op, 0, DIMS, "MEAN window too large");
	return 0;
}

/* ---- SOFTMAX, LOGISTIC, TANH, QUANTIZE ---- */

int eng_check_softmax(struct eng_op *op, u64 *work_need,
		      struct edgenpu_engine_error *err)
{
	struct edgenpu_cmd_softmax_params *p = &op->p.softmax;
	struct eng_tensor *in = &op->t[0], *o = &op->t[1];
	int ret = eng_check_unary_types(op, true, "SOFTMAX is int8 only", err);

	if (ret)
		return ret;
	if (!eng_same_dims(in, o))
		return OPFAIL(op, 1, DIMS, "shape mismatch");
	if (in->dims[3] > 4095)
		return OPFAIL(op, 0, DIMS, "SOFTMAX depth above 4095");
	if (p->reserved)
		return OPFAIL(op, -1, RESERVED, "reserved param not zero");
	if (p->input_left_shift < 0 || p->input_left_shift > 31 ||
	    p->diff_min > 0)
		return OPFAIL(op, -1, QUANT, "bad softmax scaling");
	return 0;
}

/* The 256-entry table of EDGENPU_OP_F_LUT replaces the fixed-point params. */
static int eng_check_lut(struct eng_op *op, struct edgenpu_engine_error *err)
{
	struct edgenpu_cmd_act_params *p = &op->p.act;
	struct eng_tensor *lut = &op->t[2];

	if (lut->dtype != EDGENPU_DTYPE_INT8 || eng_count(lut) != 256 ||
	    (lut->flags & EDGENPU_TENSOR_F_STRIDED))
		return OPFAIL(op, 2, OPERANDS, "LUT must be a dense int8[256]");
	if (p->input_multiplier || p->input_left_shift ||
	    p->input_range_radius)
		return OPFAIL(op, -1, PARAM, "fixed-point params set with LUT");
	return 0;
}

int eng_check_logistic_tanh(struct eng_op *op, u64 *work_need,
			    struct edgenpu_engine_error *err)
{
	struct edgenpu_cmd_act_params *p = &op->p.act;
	bool lut = op->flags & EDGENPU_OP_F_LUT;
	int ret;

	ret = eng_check_unary_operands(op, lut ? 3 : 2,
				       "activation needs 2 operands (3 with LUT)",
				       err);
	if (ret)
		return ret;
	if (op->t[0].dtype != EDGENPU_DTYPE_INT8 ||
	    op->t[1].dtype != EDGENPU_DTYPE_INT8)
		return OPFAIL(op, -1, OPERANDS, "activation is int8 only");
	if (!eng_same_dims(&op->t[0], &op->t[1]))
		return OPFAIL(op, 1, DIMS, "shape mismatch");
	if (p->reserved)
		return OPFAIL(op, -1, RESERVED, "reserved param not zero");
	if (lut)
		return eng_check_lut(op, err);
	if (p->input_left_shift < -31 || p->input_left_shift > 30 ||
	    p->input_range_radius < 0)
		return OPFAIL(op, -1, QUANT, "bad activation scaling");
	return 0;
}

static bool eng_is_byte_type(u32 dtype)
{
	return dtype == EDGENPU_DTYPE_INT8 || dtype == EDGENPU_DTYPE_UINT8;
}

int eng_check_quantize(struct eng_op *op, u64 *work_need,
		       struct edgenpu_engine_error *err)
{
	int ret = eng_check_unary_operands(op, 2, "op needs 2 operands", err);

	if (ret)
		return ret;
	if (!eng_is_byte_type(op->t[0].dtype) ||
	    !eng_is_byte_type(op->t[1].dtype))
		return OPFAIL(op, -1, OPERANDS, "QUANTIZE takes int8/uint8 only");
	if (!eng_same_dims(&op->t[0], &op->t[1]))
		return OPFAIL(op, 1, DIMS, "shape mismatch");
	return 0;
}

/* ---- RESHAPE, CONCATENATION, PAD, TRANSPOSE ---- */

int eng_check_reshape(struct eng_op *op, u64 *work_need,
		      struct edgenpu_engine_error *err)
{
	int ret = eng_check_unary_types(op, false, "RESHAPE changes dtype", err);

	if (ret)
		return ret;
	if (eng_count(&op->t[0]) != eng_count(&op->t[1]))
		return OPFAIL(op, 1, DIMS, "RESHAPE changes element count");
	return 0;
}

int eng_check_concat(struct eng_op *op, u64 *work_need,
		     struct edgenpu_engine_error *err)
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
	return 0;
}

int eng_check_pad(struct eng_op *op, u64 *work_need,
		  struct edgenpu_engine_error *err)
{
	struct edgenpu_cmd_pad_params *p = &op->p.pad;
	struct eng_tensor *in = &op->t[0], *o = &op->t[1];
	s32 lo, hi;
	u32 k;
	int ret = eng_check_unary_types(op, false, "PAD changes dtype", err);

	if (ret)
		return ret;
	if (p->reserved)
		return OPFAIL(op, -1, RESERVED, "reserved param not zero");
	for (k = 0; k < 4; k++)
		if ((u64)p->before[k] + p->after[k] + in->dims[k] != o->dims[k])
			return OPFAIL(op, 1, DIMS,
				      "PAD output != before + input + after");
	eng_dtype_range(o->dtype, &lo, &hi);
	if (o->dtype == EDGENPU_DTYPE_INT32) {
		lo = ENG_S32_MIN;
		hi = ENG_S32_MAX;
	}
	if (p->pad_value < lo || p->pad_value > hi)
		return OPFAIL(op, -1, PARAM, "pad value out of range");
	return 0;
}

int eng_check_transpose(struct eng_op *op, u64 *work_need,
			struct edgenpu_engine_error *err)
{
	u32 seen = 0, k;
	int ret = eng_check_unary_types(op, false, "TRANSPOSE changes dtype", err);

	if (ret)
		return ret;
	for (k = 0; k < 4; k++) {
		u32 pk = op->p.transpose.perm[k];

		if (pk > 3 || (seen & (1u << pk)))
			return OPFAIL(op, -1, PARAM, "perm is not a permutation");
		seen |= 1u << pk;
		if (op->t[1].dims[k] != op->t[0].dims[pk])
			return OPFAIL(op, 1, DIMS,
				      "output dims do not follow perm");
	}
	return 0;
}

/* ---- the checks of every op ---- */

/* Operands in their buffers; only the optional bias may be absent. */
static int eng_check_operands(struct eng_op *op, const struct eng_op_desc *d,
			      const struct edgenpu_engine_buffer *bufs,
			      u32 nbufs, bool mem,
			      struct edgenpu_engine_error *err)
{
	u32 out = eng_output_index(op), i;
	int ret;

	if (out >= op->ntens)
		return OPFAIL(op, -1, OPERANDS, "too few operands");
	for (i = 0; i < op->ntens; i++) {
		ret = eng_check_tensor(op, i, bufs, nbufs, i == out, mem, err);
		if (ret)
			return ret;
	}
	for (i = 0; i < op->ntens; i++) {
		bool optional = i == 2 && (d->flags & ENG_OPF_OPT_BIAS);

		if (!op->t[i].present && !optional)
			return OPFAIL(op, (s32)i, OPERANDS,
				      "required operand absent");
	}
	return 0;
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
	const struct eng_op_desc *d = eng_op_desc(op->opcode);
	u32 out, j;
	int ret;

	*work_need = 0;
	op->cost = 0;
	if (!d)
		return OPFAIL(op, -1, UNKNOWN_OP, "unknown opcode");
	ret = eng_check_operands(op, d, bufs, nbufs, mem, err);
	if (!ret)
		ret = d->check(op, work_need, err);
	if (!ret)
		ret = eng_check_act(op, d->flags & ENG_OPF_ACT, err);
	if (ret)
		return ret;
	op->cost = eng_op_cost(op);

	/* An op's output may not overlap any of its other operands. */
	out = eng_output_index(op);
	for (j = 0; j < op->ntens; j++) {
		if (j != out && eng_overlap(&op->t[out], &op->t[j]))
			return OPFAIL(op, (s32)j, ALIAS,
				      "output overlaps another operand");
	}
	if (op->cost > EDGENPU_CMD_MAX_OP_COST)
		return eng_fail_cost(err, (s32)op->index, "op", op->cost,
				     EDGENPU_CMD_MAX_OP_COST);
	return 0;
}
