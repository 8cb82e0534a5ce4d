/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR MIT) */
/*
 * edgenpu command stream: the job format that userspace compiles a model
 * into and that the edgenpu engine (the vnpu "firmware") validates and
 * executes. Documentation/edgenpu/cmdstream.rst is the specification;
 * this header is its binary form.
 *
 * Layout of a job, all little-endian, every structure 8-byte aligned:
 *
 *   struct edgenpu_cmd_header
 *   op_count x {
 *       struct edgenpu_cmd_op          (op header)
 *       op parameters                  (params_size bytes)
 *       num_tensors x struct edgenpu_cmd_tensor (tensor_size bytes each)
 *   }
 *
 * Rules:
 * - Every pad, reserved field and undefined flag bit must be zero.
 * - Sizes are explicit (header_size, op size, params_size, tensor_size) so
 *   that a minor version may append fields. An engine accepts larger
 *   structures only when the bytes it does not know are zero.
 * - All quantization parameters are integers computed by userspace; the
 *   engine never sees a float.
 */
#ifndef _UAPI_DRM_EDGENPU_CMDSTREAM_H_
#define _UAPI_DRM_EDGENPU_CMDSTREAM_H_

#include <linux/types.h>

#if defined(__cplusplus)
extern "C" {
#endif

/** @EDGENPU_CMD_MAGIC: first word of every job, "ENPU" in memory order. */
#define EDGENPU_CMD_MAGIC		0x55504e45u
/** @EDGENPU_CMD_VERSION_MAJOR: incompatible format changes bump this. */
#define EDGENPU_CMD_VERSION_MAJOR	1
/** @EDGENPU_CMD_VERSION_MINOR: compatible additions bump this. */
#define EDGENPU_CMD_VERSION_MINOR	0

/** @EDGENPU_CMD_MAX_OPS: most op descriptors one job may hold. */
#define EDGENPU_CMD_MAX_OPS		1024
/** @EDGENPU_CMD_MAX_SIZE: largest job in bytes. */
#define EDGENPU_CMD_MAX_SIZE		(1u << 20)
/** @EDGENPU_CMD_MAX_BUFFERS: largest buffer table a job may index. */
#define EDGENPU_CMD_MAX_BUFFERS		64
/** @EDGENPU_CMD_MAX_TENSORS: most tensor operands of one op. */
#define EDGENPU_CMD_MAX_TENSORS		16
/** @EDGENPU_CMD_MAX_PARAMS_SIZE: largest params block of one op. */
#define EDGENPU_CMD_MAX_PARAMS_SIZE	256
/** @EDGENPU_CMD_MAX_DIM: largest extent of one dimension. */
#define EDGENPU_CMD_MAX_DIM		(1u << 24)
/** @EDGENPU_CMD_MAX_ELEMENTS: largest element count of one tensor. */
#define EDGENPU_CMD_MAX_ELEMENTS	(1u << 30)
/** @EDGENPU_CMD_MAX_REDUCTION: largest dot-product length (int32 safe). */
#define EDGENPU_CMD_MAX_REDUCTION	32768
/** @EDGENPU_CMD_MAX_WINDOW: largest pooling window element count. */
#define EDGENPU_CMD_MAX_WINDOW		65536
/**
 * define EDGENPU_CMD_MAX_OP_COST - most cost units one op may take.
 *
 * A cost unit is about the work of one int8 multiply-accumulate.
 * CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED cost their
 * multiply-accumulates (output elements times the reduction length);
 * pooling costs output elements times the window, MEAN its input
 * elements; the other ops cost their output elements times a small
 * per-element weight (1 to 32, Documentation/edgenpu/cmdstream.rst lists
 * them). An op never costs less than its output element count. The
 * engine refuses a costlier op with -E2BIG, so that no single op can
 * occupy the executing CPU for long.
 */
#define EDGENPU_CMD_MAX_OP_COST		(1ull << 32)
/**
 * define EDGENPU_CMD_MAX_JOB_COST - most cost units of all ops of one job.
 *
 * The sum of the costs (see %EDGENPU_CMD_MAX_OP_COST) of a job's ops; a
 * costlier job is refused with -E2BIG. Split bigger work into several
 * jobs.
 */
#define EDGENPU_CMD_MAX_JOB_COST	(1ull << 33)
/** @EDGENPU_CMD_NO_BUFFER: buffer index of an absent optional operand. */
#define EDGENPU_CMD_NO_BUFFER		0xffffffffu

/**
 * define EDGENPU_BUF_READ - a job's buffer table entry: the job may read
 * this buffer.
 *
 * The one definition of the buffer access bits: the DRM submit ioctl's
 * buffer table (DRM_EDGENPU_BUF_READ in edgenpu_accel.h), the engine's
 * buffer table and libedgenpu all use these values.
 */
#define EDGENPU_BUF_READ		(1u << 0)
/**
 * define EDGENPU_BUF_WRITE - a job's buffer table entry: the job may write
 * this buffer.
 */
#define EDGENPU_BUF_WRITE		(1u << 1)

/**
 * enum edgenpu_cmd_dtype - element type of a tensor operand
 * @EDGENPU_DTYPE_INVALID: never valid; catches zero-filled descriptors.
 * @EDGENPU_DTYPE_INT8: signed 8-bit quantized values.
 * @EDGENPU_DTYPE_UINT8: unsigned 8-bit quantized values (QUANTIZE only).
 * @EDGENPU_DTYPE_INT16: signed 16-bit values (data movement ops only).
 * @EDGENPU_DTYPE_INT32: signed 32-bit values: biases and per-channel
 *	quantization arrays.
 */
enum edgenpu_cmd_dtype {
	EDGENPU_DTYPE_INVALID = 0,
	EDGENPU_DTYPE_INT8 = 1,
	EDGENPU_DTYPE_UINT8 = 2,
	EDGENPU_DTYPE_INT16 = 3,
	EDGENPU_DTYPE_INT32 = 4,
};

/**
 * enum edgenpu_cmd_opcode - operation of an op descriptor
 * @EDGENPU_OP_INVALID: never valid.
 * @EDGENPU_OP_CONV_2D: 2-D convolution, &struct edgenpu_cmd_conv_params.
 * @EDGENPU_OP_DEPTHWISE_CONV_2D: depthwise convolution,
 *	&struct edgenpu_cmd_conv_params.
 * @EDGENPU_OP_FULLY_CONNECTED: matrix times vector(s), no params.
 * @EDGENPU_OP_ADD: broadcasting addition, &struct edgenpu_cmd_add_params.
 * @EDGENPU_OP_SUB: broadcasting subtraction, &struct edgenpu_cmd_add_params.
 * @EDGENPU_OP_MUL: broadcasting multiplication, no params.
 * @EDGENPU_OP_AVERAGE_POOL_2D: &struct edgenpu_cmd_pool_params.
 * @EDGENPU_OP_MAX_POOL_2D: &struct edgenpu_cmd_pool_params.
 * @EDGENPU_OP_MEAN: mean over H and W, no params.
 * @EDGENPU_OP_SOFTMAX: softmax over C, &struct edgenpu_cmd_softmax_params.
 * @EDGENPU_OP_LOGISTIC: sigmoid, &struct edgenpu_cmd_act_params.
 * @EDGENPU_OP_TANH: hyperbolic tangent, &struct edgenpu_cmd_act_params.
 * @EDGENPU_OP_RESHAPE: copy preserving the flat element order, no params.
 * @EDGENPU_OP_CONCATENATION: &struct edgenpu_cmd_concat_params.
 * @EDGENPU_OP_PAD: constant padding, &struct edgenpu_cmd_pad_params.
 * @EDGENPU_OP_TRANSPOSE: &struct edgenpu_cmd_transpose_params.
 * @EDGENPU_OP_QUANTIZE: requantize int8/uint8 to int8/uint8, no params.
 * @EDGENPU_OP_COUNT: one past the last opcode of this version.
 */
enum edgenpu_cmd_opcode {
	EDGENPU_OP_INVALID = 0,
	EDGENPU_OP_CONV_2D = 1,
	EDGENPU_OP_DEPTHWISE_CONV_2D = 2,
	EDGENPU_OP_FULLY_CONNECTED = 3,
	EDGENPU_OP_ADD = 4,
	EDGENPU_OP_SUB = 5,
	EDGENPU_OP_MUL = 6,
	EDGENPU_OP_AVERAGE_POOL_2D = 7,
	EDGENPU_OP_MAX_POOL_2D = 8,
	EDGENPU_OP_MEAN = 9,
	EDGENPU_OP_SOFTMAX = 10,
	EDGENPU_OP_LOGISTIC = 11,
	EDGENPU_OP_TANH = 12,
	EDGENPU_OP_RESHAPE = 13,
	EDGENPU_OP_CONCATENATION = 14,
	EDGENPU_OP_PAD = 15,
	EDGENPU_OP_TRANSPOSE = 16,
	EDGENPU_OP_QUANTIZE = 17,
	EDGENPU_OP_COUNT,
};

/**
 * struct edgenpu_cmd_header - start of a job
 * @magic: %EDGENPU_CMD_MAGIC.
 * @version_major: %EDGENPU_CMD_VERSION_MAJOR the job was written for; the
 *	engine rejects any other major.
 * @version_minor: minor version the job was written for; the engine
 *	rejects a minor newer than its own.
 * @header_size: sizeof(struct edgenpu_cmd_header) as the writer knew it,
 *	a multiple of 8, at least 40. Op descriptors start at this offset.
 * @op_count: number of op descriptors, 1 to %EDGENPU_CMD_MAX_OPS.
 * @total_size: size of the whole job in bytes, header included; equal to
 *	the size handed to the engine and at most %EDGENPU_CMD_MAX_SIZE.
 * @flags: job flags; none are defined, must be zero.
 * @reserved0: reserved, must be zero.
 * @reserved: reserved, must be zero.
 */
struct edgenpu_cmd_header {
	__u32 magic;
	__u16 version_major;
	__u16 version_minor;
	__u32 header_size;
	__u32 op_count;
	__u64 total_size;
	__u32 flags;
	__u32 reserved0;
	__u64 reserved;
};

/**
 * struct edgenpu_cmd_op - header of one op descriptor
 * @size: bytes of the whole descriptor: this header, the params and the
 *	tensors. A multiple of 8; the next descriptor starts right after.
 * @opcode: an &enum edgenpu_cmd_opcode.
 * @num_tensors: number of tensor operands that follow the params.
 * @params_size: bytes of op parameters right after this header, a
 *	multiple of 8 and at most %EDGENPU_CMD_MAX_PARAMS_SIZE.
 * @tensor_size: bytes of each tensor operand, a multiple of 8, at least
 *	sizeof(struct edgenpu_cmd_tensor) of version 1.0.
 * @flags: op flags (%EDGENPU_OP_F_*); undefined bits must be zero.
 * @act_min: fused activation lower clamp, in output quantized units. Ops
 *	without a fused activation require 0.
 * @act_max: fused activation upper clamp; act_min <= act_max, both in the
 *	output type's range. Ops without a fused activation require 0.
 * @reserved: reserved, must be zero.
 */
struct edgenpu_cmd_op {
	__u32 size;
	__u16 opcode;
	__u16 num_tensors;
	__u32 params_size;
	__u32 tensor_size;
	__u32 flags;
	__s32 act_min;
	__s32 act_max;
	__u32 reserved;
};

/**
 * define EDGENPU_OP_F_LUT - LOGISTIC/TANH: map through a 256-entry table.
 *
 * When set, tensor 2 is an int8 table of 256 entries indexed by the input
 * byte reinterpreted as unsigned; this is the int8 path of TensorFlow
 * Lite's reference and optimized kernels. When clear, the engine runs the
 * fixed-point algorithm of &struct edgenpu_cmd_act_params.
 */
#define EDGENPU_OP_F_LUT		(1u << 0)

/**
 * define EDGENPU_TENSOR_F_STRIDED - the strides[] field is meaningful.
 *
 * When clear, strides[] must be zero and the tensor is dense NHWC. When
 * set, strides[] gives the distance in elements between neighbours in
 * each dimension; strides[3] must be 1 and the layout must not overlap
 * itself (see Documentation/edgenpu/cmdstream.rst).
 */
#define EDGENPU_TENSOR_F_STRIDED	(1u << 0)
/**
 * define EDGENPU_TENSOR_F_PER_CHANNEL - output requantized per channel.
 *
 * Only valid on the output of CONV_2D, DEPTHWISE_CONV_2D and
 * FULLY_CONNECTED. The op then carries two more int32 operands holding
 * one multiplier and one shift per output channel, and this tensor's
 * multiplier and shift fields must be zero.
 */
#define EDGENPU_TENSOR_F_PER_CHANNEL	(1u << 1)

/**
 * struct edgenpu_cmd_tensor - one tensor operand of an op
 * @buffer: index into the job's buffer table, or %EDGENPU_CMD_NO_BUFFER
 *	for an absent optional operand (all other fields then zero).
 * @dtype: an &enum edgenpu_cmd_dtype.
 * @flags: %EDGENPU_TENSOR_F_* bits; undefined bits must be zero.
 * @pad: reserved, must be zero.
 * @offset: byte offset of element [0,0,0,0] in the buffer, aligned to the
 *	element size.
 * @dims: shape as N, H, W, C. Tensors of lower rank put 1 in the leading
 *	dimensions. Every extent is 1 to %EDGENPU_CMD_MAX_DIM.
 * @strides: element strides of N, H, W, C when %EDGENPU_TENSOR_F_STRIDED
 *	is set; otherwise all zero.
 * @zero_point: quantization zero point, within the dtype's range; zero
 *	for int32 tensors.
 * @multiplier: Q31 fixed-point multiplier of the requantization this
 *	operand takes part in (see the op's description), 0 or in
 *	[2^30, 2^31 - 1]; zero when unused.
 * @shift: power-of-two exponent paired with @multiplier, -31 to 30;
 *	positive shifts left. Zero when unused.
 * @reserved: reserved, must be zero.
 */
struct edgenpu_cmd_tensor {
	__u32 buffer;
	__u8 dtype;
	__u8 flags;
	__u16 pad;
	__u64 offset;
	__u32 dims[4];
	__u64 strides[4];
	__s32 zero_point;
	__s32 multiplier;
	__s32 shift;
	__u32 reserved;
};

/**
 * struct edgenpu_cmd_conv_params - CONV_2D and DEPTHWISE_CONV_2D options
 * @stride_h: vertical stride, 1 to 64.
 * @stride_w: horizontal stride, 1 to 64.
 * @dilation_h: vertical dilation factor, 1 to 64.
 * @dilation_w: horizontal dilation factor, 1 to 64.
 * @pad_top: zero-point rows virtually added above the input.
 * @pad_left: zero-point columns virtually added left of the input.
 * @pad_bottom: rows below the input; with @pad_top it must give exactly
 *	the output height (TensorFlow Lite puts the odd row of SAME padding
 *	here).
 * @pad_right: columns right of the input; likewise for the width.
 * @depth_multiplier: DEPTHWISE_CONV_2D output channels per input channel
 *	(1 or more); must be zero for CONV_2D.
 * @reserved: reserved, must be zero.
 */
struct edgenpu_cmd_conv_params {
	__u32 stride_h;
	__u32 stride_w;
	__u32 dilation_h;
	__u32 dilation_w;
	__u32 pad_top;
	__u32 pad_left;
	__u32 pad_bottom;
	__u32 pad_right;
	__u32 depth_multiplier;
	__u32 reserved;
};

/**
 * struct edgenpu_cmd_pool_params - AVERAGE_POOL_2D and MAX_POOL_2D options
 * @filter_h: window height, 1 to 4096.
 * @filter_w: window width, 1 to 4096.
 * @stride_h: vertical stride, 1 to 4096.
 * @stride_w: horizontal stride, 1 to 4096.
 * @pad_top: rows virtually added above; padding never counts.
 * @pad_left: columns virtually added left.
 * @pad_bottom: rows below; must give exactly the output height.
 * @pad_right: columns right; must give exactly the output width.
 */
struct edgenpu_cmd_pool_params {
	__u32 filter_h;
	__u32 filter_w;
	__u32 stride_h;
	__u32 stride_w;
	__u32 pad_top;
	__u32 pad_left;
	__u32 pad_bottom;
	__u32 pad_right;
};

/**
 * struct edgenpu_cmd_add_params - ADD and SUB options
 * @left_shift: left shift applied to both offset inputs before their
 *	rescaling, 0 to 24 (TensorFlow Lite uses 20 for int8).
 * @reserved: reserved, must be zero.
 */
struct edgenpu_cmd_add_params {
	__u32 left_shift;
	__u32 reserved;
};

/**
 * struct edgenpu_cmd_softmax_params - SOFTMAX options
 * @input_multiplier: Q31 multiplier of beta * input_scale, as TensorFlow
 *	Lite's PreprocessSoftmaxScaling() computes it for 5 integer bits.
 * @input_left_shift: its left shift, 0 to 31.
 * @diff_min: most negative input difference that still contributes,
 *	-CalculateInputRadius(5, input_left_shift); at most 0.
 * @reserved: reserved, must be zero.
 */
struct edgenpu_cmd_softmax_params {
	__s32 input_multiplier;
	__s32 input_left_shift;
	__s32 diff_min;
	__u32 reserved;
};

/**
 * struct edgenpu_cmd_act_params - LOGISTIC and TANH fixed-point options
 * @input_multiplier: Q31 multiplier from the input scale times 2^27, as
 *	TensorFlow Lite Micro computes it for 4 integer bits. Zero with
 *	%EDGENPU_OP_F_LUT.
 * @input_left_shift: its shift, -31 to 30. Zero with %EDGENPU_OP_F_LUT.
 * @input_range_radius: inputs (minus zero point) at or beyond this
 *	magnitude saturate; non-negative. Zero with %EDGENPU_OP_F_LUT.
 * @reserved: reserved, must be zero.
 */
struct edgenpu_cmd_act_params {
	__s32 input_multiplier;
	__s32 input_left_shift;
	__s32 input_range_radius;
	__u32 reserved;
};

/**
 * struct edgenpu_cmd_concat_params - CONCATENATION options
 * @axis: dimension joined, 0 (N) to 3 (C).
 * @reserved: reserved, must be zero.
 */
struct edgenpu_cmd_concat_params {
	__u32 axis;
	__u32 reserved;
};

/**
 * struct edgenpu_cmd_pad_params - PAD options
 * @before: elements added before the input in N, H, W, C.
 * @after: elements added after the input in N, H, W, C.
 * @pad_value: value of the added elements, in the output dtype's range
 *	(TensorFlow Lite uses the output zero point).
 * @reserved: reserved, must be zero.
 */
struct edgenpu_cmd_pad_params {
	__u32 before[4];
	__u32 after[4];
	__s32 pad_value;
	__u32 reserved;
};

/**
 * struct edgenpu_cmd_transpose_params - TRANSPOSE options
 * @perm: output dimension i is input dimension perm[i]; a permutation
 *	of 0..3.
 */
struct edgenpu_cmd_transpose_params {
	__u32 perm[4];
};

#if defined(__cplusplus)
}
#endif

#endif /* _UAPI_DRM_EDGENPU_CMDSTREAM_H_ */
