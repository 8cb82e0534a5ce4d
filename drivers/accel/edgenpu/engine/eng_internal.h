/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * edgenpu engine internals: the decoded form of an op and the integer
 * arithmetic shared by the op implementations.
 *
 * Every op executes from a private decoded copy (struct eng_op) that was
 * checked right before execution, never from the command stream itself,
 * so a stream changed behind the engine's back cannot redirect accesses.
 */
#ifndef _EDGENPU_ENG_INTERNAL_H_
#define _EDGENPU_ENG_INTERNAL_H_

#include "edgenpu_engine.h"

#define ENG_S32_MAX	((s32)0x7fffffff)
#define ENG_S32_MIN	((s32)(-0x7fffffff - 1))

/*
 * struct eng_tensor - a validated tensor operand
 * @base: address of element [0,0,0,0]; NULL when the operand is absent.
 * @start: byte offset of the first byte touched, within the buffer.
 * @extent: number of bytes from @start up to the last byte touched + 1.
 * @buf: buffer index.
 * @dims: extents N, H, W, C.
 * @st: element strides N, H, W, C (dense ones computed when not given).
 * @zp: zero point.
 * @mult: Q31 multiplier.
 * @shift: shift paired with @mult.
 * @dtype: enum edgenpu_cmd_dtype.
 * @esize: element size in bytes.
 * @flags: EDGENPU_TENSOR_F_*.
 * @present: operand given (buffer != EDGENPU_CMD_NO_BUFFER).
 */
struct eng_tensor {
	u8 *base;
	u64 start;
	u64 extent;
	u32 buf;
	u32 dims[4];
	u32 st[4];
	s32 zp;
	s32 mult;
	s32 shift;
	u8 dtype;
	u8 esize;
	u8 flags;
	u8 present;
};

/*
 * struct eng_op - a validated op, decoded into the caller's scratch
 * @index: position in the job.
 * @opcode: enum edgenpu_cmd_opcode.
 * @flags: op flags.
 * @ntens: number of tensor operands.
 * @act_min: fused activation lower bound.
 * @act_max: fused activation upper bound.
 * @p: op parameters (zero-filled beyond what the stream gave).
 * @t: tensor operands.
 * @work: op scratch (im2col rows) after this struct.
 * @work_size: bytes available at @work.
 * @cost: cost units of the op (see eng_check_op()).
 * @budget: cost units left before the next preemption point (eng_tick()).
 * @hooks: the job's callbacks while it executes, else NULL.
 */
struct eng_op {
	u32 index;
	u32 opcode;
	u32 flags;
	u32 ntens;
	s32 act_min;
	s32 act_max;
	union {
		struct edgenpu_cmd_conv_params conv;
		struct edgenpu_cmd_pool_params pool;
		struct edgenpu_cmd_add_params add;
		struct edgenpu_cmd_softmax_params softmax;
		struct edgenpu_cmd_act_params act;
		struct edgenpu_cmd_concat_params concat;
		struct edgenpu_cmd_pad_params pad;
		struct edgenpu_cmd_transpose_params transpose;
		u64 raw[8];
	} p;
	struct eng_tensor t[EDGENPU_CMD_MAX_TENSORS];
	u8 *work;
	u64 work_size;
	u64 cost;
	s64 budget;
	const struct edgenpu_engine_hooks *hooks;
};

/* Bytes of scratch the decoded op takes (aligned for the work area). */
#define ENG_DECODE_SIZE	((sizeof(struct eng_op) + 63) & ~(size_t)63)

/* Convolution microkernel blocking: output pixels per im2col block. */
#define ENG_CONV_MR	4

/*
 * A 1x1, ungrouped, unpadded convolution reads its input rows in place;
 * every other convolution gathers im2col rows into the work area.
 */
static inline bool eng_conv_direct(const struct eng_op *op)
{
	const struct eng_tensor *in = &op->t[0], *f = &op->t[1];
	const struct edgenpu_cmd_conv_params *p = &op->p.conv;

	return f->dims[1] == 1 && f->dims[2] == 1 && in->dims[3] == f->dims[3] &&
	       !p->pad_top && !p->pad_left && !p->pad_bottom && !p->pad_right;
}

/* Output channels per accumulator block of the GEMM. */
#define ENG_NB		64
/*
 * GEMM state kept in the work area rather than on the stack (the kernel
 * build allows 512 bytes of stack per function).
 */
struct eng_gemm_work {
	s32 acc[ENG_CONV_MR * ENG_NB];
	s32 blk[16];
	s32 rowterm[ENG_CONV_MR];
	const s8 *x[ENG_CONV_MR];
	s8 *out[ENG_CONV_MR];
	const s8 *w[4];
};

#define ENG_ACC_BYTES	((sizeof(struct eng_gemm_work) + 63) & ~(size_t)63)
/* Work bytes of a GEMM with oc outputs: corrections plus accumulators. */
#define ENG_GEMM_WORK(oc)	((((u64)(oc) * 4 + 63) & ~63ull) + ENG_ACC_BYTES)

/*
 * Short reductions (k <= 32) with symmetric weights use a kernel that is
 * vectorized over output channels, with the weights transposed to
 * [k][npad] in the work area; this is its size, or 0 when not used.
 */
static inline u64 eng_gemm_nvec_bytes(u32 k, u32 n, s32 wzp)
{
	u64 bytes = (u64)k * (((u64)n + ENG_NB - 1) & ~(u64)(ENG_NB - 1));

	return (k <= 32 && n >= 32 && !wzp && bytes <= 65536) ? bytes : 0;
}

/* Largest output channel count of CONV_2D and FULLY_CONNECTED. */
#define ENG_MAX_GEMM_OC	16384

/*
 * Cost units per output element of the ops whose elements take more than
 * one multiply-accumulate's worth of work (requantizations, gemmlowp's
 * fixed-point exp and reciprocal). Measured on the scalar kernel build so
 * that no unit of any op takes much longer than a multiply-accumulate of
 * the slowest convolution path (a few ns); cmdstream.rst lists the cost
 * of every op.
 */
#define ENG_COST_ADD		8	/* ADD, SUB: three requantizations */
#define ENG_COST_MUL		4	/* MUL: one requantization */
#define ENG_COST_QUANTIZE	4	/* QUANTIZE: one requantization */
#define ENG_COST_ACT		32	/* LOGISTIC, TANH without a table */
#define ENG_COST_SOFTMAX	32	/* SOFTMAX: two exps per element */
#define ENG_COST_MOVE		8	/* data movement, element by element */

/*
 * Cost units between two preemption points: far below a millisecond of
 * work even on one core without SIMD. Every executor calls eng_tick() in
 * its outer loops with the units it just did, at most about this many at
 * a time whatever the shapes.
 */
#define ENG_TICK_UNITS		65536

int eng_tick_slow(struct eng_op *op);

/*
 * eng_tick() - account for @units cost units of work done by @op
 *
 * Cheap in the common case. When the op's budget runs out this is a
 * preemption point (ENG_PORT_YIELD()) and asks the job's cancellation
 * hook; after a cancellation it returns -ECANCELED and the executor must
 * return that at once.
 */
static inline int eng_tick(struct eng_op *op, u64 units)
{
	op->budget -= (s64)units;
	if (likely(op->budget > 0))
		return 0;
	return eng_tick_slow(op);
}

/* ---- error reports (eng_core.c) ---- */

int eng_fail(struct edgenpu_engine_error *err, s32 op, s32 tensor, u32 code,
	     const char *msg);
int eng_fail_cost(struct edgenpu_engine_error *err, s32 op, const char *what,
		  u64 cost, u64 limit);

/* Reject op @op (operand @tensor, -1 for none) with EDGENPU_ENGINE_E_@code. */
#define OPFAIL(op, tensor, code, msg) \
	eng_fail(err, (s32)(op)->index, (tensor), EDGENPU_ENGINE_E_##code, msg)

/* ---- the opcode table (eng_ops.c) ---- */

/* &eng_op_desc.out of an op whose output is its last operand. */
#define ENG_OUT_LAST		0xff

/* The op has a fused activation clamp (act_min, act_max). */
#define ENG_OPF_ACT		0x1
/* The op accepts EDGENPU_OP_F_LUT (a third, table operand). */
#define ENG_OPF_LUT		0x2
/* Operand 2 (the bias) may be absent. */
#define ENG_OPF_OPT_BIAS	0x4

/*
 * struct eng_op_desc - everything the engine knows about one opcode
 * @name: the opcode's name (edgenpu_engine_op_name()).
 * @params_size: size of the version 1.0 params block; a stream may give
 *	more, zero-filled (cmdstream.rst, "Compatibility").
 * @out: index of the output operand, or ENG_OUT_LAST.
 * @flags: ENG_OPF_*.
 * @cost_weight: cost units per output element when @cost is NULL.
 * @check: the op's own checks, after the common ones of eng_check_op();
 *	sets *work_need to the op scratch the op needs.
 * @exec: the executor; runs only on an op eng_check_op() accepted with
 *	mapped buffers.
 * @cost: cost units of the op from E, its output element count, for the
 *	ops whose cost is not E * @cost_weight; saturates at U64_MAX.
 */
struct eng_op_desc {
	const char *name;
	u16 params_size;
	u8 out;
	u8 flags;
	u8 cost_weight;
	int (*check)(struct eng_op *op, u64 *work_need,
		     struct edgenpu_engine_error *err);
	int (*exec)(struct eng_op *op);
	u64 (*cost)(const struct eng_op *op, u64 e);
};

/* Indexed by opcode; row EDGENPU_OP_INVALID is empty. */
extern const struct eng_op_desc eng_ops[EDGENPU_OP_COUNT];

/* The row of @opcode, NULL for an opcode this engine does not have. */
static inline const struct eng_op_desc *eng_op_desc(u32 opcode)
{
	if (opcode == EDGENPU_OP_INVALID || opcode >= EDGENPU_OP_COUNT)
		return NULL;
	return &eng_ops[opcode];
}

/* Output operand index of a decoded op (its opcode is known). */
static inline u32 eng_output_index(const struct eng_op *op)
{
	return edgenpu_engine_op_output(op->opcode, op->ntens);
}

u64 eng_op_cost(const struct eng_op *op);

/* ---- validation (eng_check.c) ---- */

/* Validation of the decoded op; sets err and returns -errno on failure. */
int eng_check_op(struct eng_op *op, const struct edgenpu_engine_buffer *bufs,
		 u32 nbufs, bool mem, u64 *work_need,
		 struct edgenpu_engine_error *err);

/*
 * The op checkers of the table, one per op (ops that share their params
 * and rules share a checker); see &eng_op_desc.check.
 */
int eng_check_conv2d(struct eng_op *op, u64 *work_need,
		     struct edgenpu_engine_error *err);
int eng_check_depthwise(struct eng_op *op, u64 *work_need,
			struct edgenpu_engine_error *err);
int eng_check_fc(struct eng_op *op, u64 *work_need,
		 struct edgenpu_engine_error *err);
int eng_check_add_sub(struct eng_op *op, u64 *work_need,
		      struct edgenpu_engine_error *err);
int eng_check_mul(struct eng_op *op, u64 *work_need,
		  struct edgenpu_engine_error *err);
int eng_check_pool(struct eng_op *op, u64 *work_need,
		   struct edgenpu_engine_error *err);
int eng_check_mean(struct eng_op *op, u64 *work_need,
		   struct edgenpu_engine_error *err);
int eng_check_softmax(struct eng_op *op, u64 *work_need,
		      struct edgenpu_engine_error *err);
int eng_check_logistic_tanh(struct eng_op *op, u64 *work_need,
			    struct edgenpu_engine_error *err);
int eng_check_reshape(struct eng_op *op, u64 *work_need,
		      struct edgenpu_engine_error *err);
int eng_check_concat(struct eng_op *op, u64 *work_need,
		     struct edgenpu_engine_error *err);
int eng_check_pad(struct eng_op *op, u64 *work_need,
		  struct edgenpu_engine_error *err);
int eng_check_transpose(struct eng_op *op, u64 *work_need,
			struct edgenpu_engine_error *err);
int eng_check_quantize(struct eng_op *op, u64 *work_need,
		       struct edgenpu_engine_error *err);

/*
 * Op implementations (the executors of the table, in the file of their
 * family: eng_conv.c, eng_elem.c, eng_pool.c, eng_data.c); run only on
 * an op eng_check_op() accepted. They return 0, -ECANCELED when
 * eng_tick() said so, or -EFAULT when an executor invariant fails.
 */
int eng_conv2d(struct eng_op *op);
int eng_depthwise(struct eng_op *op);
int eng_fully_connected(struct eng_op *op);
int eng_binary(struct eng_op *op);
int eng_avg_pool(struct eng_op *op);
int eng_max_pool(struct eng_op *op);
int eng_mean(struct eng_op *op);
int eng_softmax(struct eng_op *op);
int eng_logistic_tanh(struct eng_op *op);
int eng_quantize(struct eng_op *op);
int eng_reshape(struct eng_op *op);
int eng_concat(struct eng_op *op);
int eng_pad(struct eng_op *op);
int eng_transpose(struct eng_op *op);

/* ---- integer arithmetic (TensorFlow Lite / gemmlowp semantics) ---- */

/* Two's complement wrap-around where TFLite's C++ would overflow. */
static inline s32 eng_wadd(s32 a, s32 b)
{
	return (s32)((u32)a + (u32)b);
}

static inline s32 eng_wsub(s32 a, s32 b)
{
	return (s32)((u32)a - (u32)b);
}

static inline s32 eng_wneg(s32 a)
{
	return (s32)(0u - (u32)a);
}

static inline s32 eng_wshl(s32 a, int s)
{
	return (s32)((u32)a << s);
}

/* Arithmetic right shift of a 64-bit value, rounding toward zero. */
static inline s64 eng_div_pow2_trunc64(s64 x, int s)
{
	if (x < 0)
		x += ((s64)1 << s) - 1;
	return x >> s;
}

/* SaturatingRoundingDoublingHighMul */
static inline s32 eng_srdhm(s32 a, s32 b)
{
	s64 ab;

	if (a == b && a == ENG_S32_MIN)
		return ENG_S32_MAX;
	ab = (s64)a * (s64)b;
	ab += ab >= 0 ? (1 << 30) : (1 - (1 << 30));
	return (s32)eng_div_pow2_trunc64(ab, 31);
}

/*
 * RoundingDivideByPOT. Exponents above 31 (reachable only by SOFTMAX on
 * degenerate rows) follow what TFLite's compiled code does on x86-64 and
 * arm64: an all-ones mask and a shift count taken modulo 32.
 */
static inline s32 eng_rdbpot(s32 x, int exponent)
{
	s32 mask, rem, thr;

	if (exponent <= 0)
		return x;
	mask = exponent >= 32 ? -1 : (s32)(((u64)1 << exponent) - 1);
	rem = x & mask;
	thr = (mask >> 1) + (x < 0 ? 1 : 0);
	return (x >> (exponent & 31)) + (rem > thr ? 1 : 0);
}

/* MultiplyByQuantizedMultiplier, double rounding; shift in [-31, 30]. */
static inline s32 eng_mbqm(s32 x, s32 m, int shift)
{
	int left = shift > 0 ? shift : 0;
	int right = shift > 0 ? 0 : -shift;

	return eng_rdbpot(eng_srdhm(eng_wshl(x, left), m), right);
}

static inline s32 eng_clamp(s32 v, s32 lo, s32 hi)
{
	return v < lo ? lo : (v > hi ? hi : v);
}

/* Requantize an int32 accumulator to the output type. */
static inline s32 eng_requant(s32 acc, s32 m, int shift, s32 zp, s32 lo,
			      s32 hi)
{
	return eng_clamp(eng_wadd(eng_mbqm(acc, m, shift), zp), lo, hi);
}

/* Address of element (n, h, w, c). */
static inline size_t eng_idx(const struct eng_tensor *t, u32 n, u32 h, u32 w,
			     u32 c)
{
	return (size_t)n * t->st[0] + (size_t)h * t->st[1] +
	       (size_t)w * t->st[2] + (size_t)c * t->st[3];
}

static inline s8 *eng_i8(const struct eng_tensor *t, u32 n, u32 h, u32 w,
			 u32 c)
{
	return (s8 *)t->base + eng_idx(t, n, h, w, c);
}

/* Fixed-point helpers (gemmlowp's FixedPoint on int32 raw values). */
s32 eng_fp_exp_on_negative_values(s32 a, int int_bits);
s32 eng_fp_one_over_one_plus_x(s32 a);
s32 eng_fp_logistic(s32 a, int int_bits);
s32 eng_fp_tanh(s32 a, int int_bits);

#endif /* _EDGENPU_ENG_INTERNAL_H_ */
