// SPDX-License-Identifier: MIT
/*
 * libedgenpu-tflite.so: a TensorFlow Lite external delegate that runs
 * the nodes libedgenpu can run through libedgenpu plans and runners.
 *
 * TFLite loads it with TfLiteExternalDelegateCreate(), benchmark_model
 * --external_delegate_path or Python's load_delegate(); it exports only
 * tflite_plugin_create_delegate() and tflite_plugin_destroy_delegate().
 *
 * Placement is the library's own: every node is tried as a one-op model
 * through edgenpu_plan_create_limits() with the device's op mask and work
 * limits (device=cpu: every opcode, the CPU executor), and the delegate
 * claims a node exactly when that plan exists and places the op on the
 * NPU (device=cpu: when the plan exists). There is no second list of
 * supported ops here. Each partition TFLite hands back becomes one model
 * (struct tfl_model, built from TFLite's tensors and parsed options), one
 * plan and one runner, made once in the kernel's init; Invoke runs it,
 * allocating nothing.
 *
 * Copies at the partition boundary: with device=cpu every Invoke binds the
 * runner's inputs and outputs to TFLite's tensors
 * (edgenpu_runner_bind_input()/_output(): the CPU executor reads and writes
 * them in place); TFLite's data.raw is stable between AllocateTensors
 * calls, but binding at every Invoke costs a few comparisons and never
 * uses a stale address. A tensor the library does not take (not 64-byte
 * aligned: only a custom allocation with
 * kTfLiteCustomAllocationFlagsSkipAlignCheck; or overlapping a buffer the
 * run writes) is copied into or out of the runner's own buffer instead.
 * A runner on a device copies every input and output: the device reads
 * and writes only its buffer objects, and TFLite 2.14 lets a delegate
 * neither place tensors in them (custom allocations are the
 * application's, not in TfLiteContext) nor save the copy with buffer
 * handles (CopyFromBufferHandle runs whenever the CPU reads the tensor;
 * only a tensor passed from one partition straight to another could stay
 * on the device, which would need runners sharing buffer objects).
 *
 * threads=N: each runner's CPU executor runs its kernels on N threads
 * (edgenpu_runner_set_threads(), set in the kernel's init; the pool of
 * N - 1 workers is the runner's); 0, the default, is the number of online
 * CPUs.
 *
 * A resized input (ResizeInputTensor + AllocateTensors) re-plans: the
 * delegate does not set kTfLiteDelegateFlagsAllowDynamicTensors, so TFLite
 * undoes the delegation at the resize and applies the delegate again once
 * the new shapes have propagated, and every kernel is made anew. The size
 * check in kern_prepare() is a guard only.
 *
 * profile=PATH: the file is opened (truncated) when the delegate is
 * created, and every partition Invoke adds three events to a buffer of
 * DLG_PROFILE_EVENTS allocated then (the Invoke, its input copy and its
 * output copy, with the bytes copied and those bound in place); the trace (trace.h, Chrome's trace
 * event format) is written when the delegate is destroyed. Events past
 * the buffer's end are counted, not kept ("dropped_events" in the
 * trace's otherData, and a warning).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tensorflow/lite/core/c/common.h"
#include "tensorflow/lite/core/c/builtin_op_data.h"
#include "tensorflow/lite/builtin_ops.h"
#include "tensorflow/lite/delegates/external/external_delegate_interface.h"

#include "edgenpu.h"
#include "lower.h"	/* the schema's Padding and ActivationFunctionType */
#include "model_internal.h"
#include "trace.h"

enum { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

/* threads=N: most CPU executor threads of one runner (its own limit). */
#define DLG_MAX_THREADS 64

/* profile=PATH: events kept (3 per partition Invoke), 80 bytes each. */
#define DLG_PROFILE_EVENTS 65536

struct dlg {
	TfLiteDelegate base;
	int cpu;			/* device=cpu: the CPU executor */
	int full;			/* require_full_offload */
	int log;			/* LOG_* */
	unsigned int threads;		/* threads=N; 0: online CPUs */
	char device[128];
	struct edgenpu_device *dev;
	uint64_t op_mask;
	struct edgenpu_plan_limits limits;
	char profile[4096];		/* profile=PATH, "" if none */
	FILE *trace;			/* open from creation to destruction */
	struct edgenpu__trace_event *ev;	/* DLG_PROFILE_EVENTS */
	size_t nev;
	uint64_t dropped;		/* events the buffer had no room for */
	int nparts;			/* partitions made so far */
};

/* One partition: a model, its plan and runner, made once. */
struct kern {
	char err[512];			/* set: init failed */
	struct edgenpu_runner *runner;
	uint32_t nin, nout;
	int *in_ti, *out_ti;		/* TFLite tensor indices */
	size_t *in_size, *out_size;	/* bytes, as planned */
	struct dlg *d;
	int id, nnodes;			/* for the profile */
	int bind;			/* the CPU executor: try in place */
	size_t copied_in, copied_out;	/* bytes copied by the last Invoke */
	size_t placed_in, placed_out;	/* bytes read/written in place */
};

static void dlog(const struct dlg *d, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void dlog(const struct dlg *d, int level, const char *fmt, ...)
{
	va_list ap;

	if (level > d->log)
		return;
	fputs("edgenpu-tflite: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* enum TfLiteType -> the schema's TensorType (tflite_reader.h). */
static int schema_type(TfLiteType t)
{
	switch (t) {
	case kTfLiteFloat32: return TFL_FLOAT32;
	case kTfLiteFloat16: return TFL_FLOAT16;
	case kTfLiteInt32: return TFL_INT32;
	case kTfLiteUInt8: return TFL_UINT8;
	case kTfLiteInt64: return TFL_INT64;
	case kTfLiteString: return TFL_STRING;
	case kTfLiteBool: return TFL_BOOL;
	case kTfLiteInt16: return TFL_INT16;
	case kTfLiteInt8: return TFL_INT8;
	default: return 127;	/* a type the library names "unknown" */
	}
}

/* TfLitePadding -> the schema's Padding; unknown stays unknown. */
static int64_t schema_padding(TfLitePadding p)
{
	switch (p) {
	case kTfLitePaddingSame: return PAD_SAME;
	case kTfLitePaddingValid: return PAD_VALID;
	default: return 2;
	}
}

/* TfLiteFusedActivation -> the schema's ActivationFunctionType. */
static int64_t schema_act(TfLiteFusedActivation a)
{
	switch (a) {
	case kTfLiteActNone: return ACT_NONE;
	case kTfLiteActRelu: return ACT_RELU;
	case kTfLiteActReluN1To1: return ACT_RELU_N1_TO_1;
	case kTfLiteActRelu6: return ACT_RELU6;
	case kTfLiteActTanh: return 4;
	case kTfLiteActSignBit: return 5;
	default: return 100;	/* SIGMOID: no schema value; refused */
	}
}

static void setv(struct tfl_op *op, int id, int64_t v)
{
	if (id < 0 || id >= TFL_MAX_OPT_FIELDS)
		return;	/* no field of the tables node_options() fills */
	op->optv[id] = v;
	op->optv_set |= 1u << id;
}

/*
 * The options TFLite parsed, as the field values of the schema's option
 * table the lowering reads (tflite_reader.h field ids).
 */
static void node_options(struct tfl_op *op, const TfLiteNode *node)
{
	const void *bd = node->builtin_data;

	op->has_optv = 1;
	if (!bd)
		return;
	switch (op->builtin) {
	case kTfLiteBuiltinConv2d: {
		const TfLiteConvParams *p = bd;

		op->opt_type = TFL_OPTIONS_CONV_2D;
		setv(op, TFL_CONV_PADDING, schema_padding(p->padding));
		setv(op, TFL_CONV_STRIDE_W, p->stride_width);
		setv(op, TFL_CONV_STRIDE_H, p->stride_height);
		setv(op, TFL_CONV_FUSED_ACTIVATION, schema_act(p->activation));
		setv(op, TFL_CONV_DILATION_W, p->dilation_width_factor);
		setv(op, TFL_CONV_DILATION_H, p->dilation_height_factor);
		break;
	}
	case kTfLiteBuiltinDepthwiseConv2d: {
		const TfLiteDepthwiseConvParams *p = bd;

		op->opt_type = TFL_OPTIONS_DEPTHWISE_CONV_2D;
		setv(op, TFL_DWCONV_PADDING, schema_padding(p->padding));
		setv(op, TFL_DWCONV_STRIDE_W, p->stride_width);
		setv(op, TFL_DWCONV_STRIDE_H, p->stride_height);
		setv(op, TFL_DWCONV_DEPTH_MULTIPLIER, p->depth_multiplier);
		setv(op, TFL_DWCONV_FUSED_ACTIVATION, schema_act(p->activation));
		setv(op, TFL_DWCONV_DILATION_W, p->dilation_width_factor);
		setv(op, TFL_DWCONV_DILATION_H, p->dilation_height_factor);
		break;
	}
	case kTfLiteBuiltinAveragePool2d:
	case kTfLiteBuiltinMaxPool2d: {
		const TfLitePoolParams *p = bd;

		op->opt_type = TFL_OPTIONS_POOL_2D;
		setv(op, TFL_POOL_PADDING, schema_padding(p->padding));
		setv(op, TFL_POOL_STRIDE_W, p->stride_width);
		setv(op, TFL_POOL_STRIDE_H, p->stride_height);
		setv(op, TFL_POOL_FILTER_WIDTH, p->filter_width);
		setv(op, TFL_POOL_FILTER_HEIGHT, p->filter_height);
		setv(op, TFL_POOL_FUSED_ACTIVATION, schema_act(p->activation));
		break;
	}
	case kTfLiteBuiltinFullyConnected: {
		const TfLiteFullyConnectedParams *p = bd;

		op->opt_type = TFL_OPTIONS_FULLY_CONNECTED;
		setv(op, TFL_FC_FUSED_ACTIVATION, schema_act(p->activation));
		setv(op, TFL_FC_WEIGHTS_FORMAT, p->weights_format);
		break;
	}
	case kTfLiteBuiltinSoftmax: {
		const TfLiteSoftmaxParams *p = bd;
		uint32_t bits;

		op->opt_type = TFL_OPTIONS_SOFTMAX;
		memcpy(&bits, &p->beta, 4);
		setv(op, TFL_SOFTMAX_BETA, bits);
		break;
	}
	case kTfLiteBuiltinConcatenation: {
		const TfLiteConcatenationParams *p = bd;

		op->opt_type = TFL_OPTIONS_CONCATENATION;
		setv(op, TFL_CONCAT_AXIS, p->axis);
		setv(op, TFL_CONCAT_FUSED_ACTIVATION, schema_act(p->activation));
		break;
	}
	case kTfLiteBuiltinAdd:
		op->opt_type = TFL_OPTIONS_ADD;
		setv(op, TFL_BINARY_FUSED_ACTIVATION,
		     schema_act(((const TfLiteAddParams *)bd)->activation));
		break;
	case kTfLiteBuiltinSub:
		op->opt_type = TFL_OPTIONS_SUB;
		setv(op, TFL_BINARY_FUSED_ACTIVATION,
		     schema_act(((const TfLiteSubParams *)bd)->activation));
		break;
	case kTfLiteBuiltinMul:
		op->opt_type = TFL_OPTIONS_MUL;
		setv(op, TFL_BINARY_FUSED_ACTIVATION,
		     schema_act(((const TfLiteMulParams *)bd)->activation));
		break;
	case kTfLiteBuiltinMean:
		op->opt_type = TFL_OPTIONS_REDUCER;
		setv(op, TFL_REDUCER_KEEP_DIMS,
		     ((const TfLiteReducerParams *)bd)->keep_dims);
		break;
	default:
		/* No options the lowering reads (or an op it lacks). */
		break;
	}
}

static int is_const(const TfLiteTensor *t)
{
	return t->allocation_type == kTfLiteMmapRo && t->data.raw;
}

static int fill_tensor(const TfLiteTensor *src, struct tfl_tensor *t,
		       char *err, size_t errlen)
{
	int k;

	t->name = src->name ? src->name : "";
	if (!src->dims || src->dims->size > TFL_MAX_RANK) {
		snprintf(err, errlen, "tensor '%s': no shape or rank above %d",
			 t->name, TFL_MAX_RANK);
		return -EINVAL;
	}
	t->rank = src->dims->size;
	t->count = 1;
	for (k = 0; k < t->rank; k++) {
		if (src->dims->data[k] < 0) {
			snprintf(err, errlen, "tensor '%s': dynamic dimension %d",
				 t->name, k);
			return -EINVAL;
		}
		t->shape[k] = src->dims->data[k];
		t->count *= src->dims->data[k];
	}
	t->type = schema_type(src->type);
	if (is_const(src)) {
		t->data = (const uint8_t *)src->data.raw;
		t->data_size = src->bytes;
	}
	t->is_variable = src->is_variable;
	t->sparse = src->sparsity != NULL;
	if (src->quantization.type == kTfLiteAffineQuantization &&
	    src->quantization.params) {
		const TfLiteAffineQuantization *q = src->quantization.params;
		int n = q->scale ? q->scale->size : 0;

		if (n <= 0)
			return 0;
		if (!q->zero_point || q->zero_point->size != n) {
			snprintf(err, errlen, "tensor '%s': %d scales, zero points differ",
				 t->name, n);
			return -EINVAL;
		}
		t->scales = calloc((size_t)n, sizeof(float));
		t->zero_points = calloc((size_t)n, sizeof(int64_t));
		if (!t->scales || !t->zero_points)
			return -ENOMEM;
		for (k = 0; k < n; k++) {
			t->scales[k] = q->scale->data[k];
			t->zero_points[k] = q->zero_point->data[k];
		}
		t->nscale = (uint32_t)n;
		t->qdim = q->quantized_dimension;
		/* The reader's rule for a 1-D tensor's stray quantized_dimension. */
		if (n > 1 && t->rank == 1 && t->qdim >= 1 && t->shape[0] == n) {
			t->qdim = 0;
			t->qdim_quirk = 1;
		}
	}
	return 0;
}

/* Local index of TFLite tensor @ti, added on first use; -1 stays -1. */
static int32_t map_tensor(int32_t *map, uint32_t *ntensors, int ti)
{
	if (ti < 0)
		return -1;
	if (map[ti] < 0)
		map[ti] = (int32_t)(*ntensors)++;
	return map[ti];
}

/* Whether a->data[k] already occurs before position @k (ADD x, x). */
static int seen_before(const TfLiteIntArray *a, int k)
{
	int j;

	for (j = 0; j < k; j++)
		if (a->data[j] == a->data[k])
			return 1;
	return 0;
}

static int copy_list(const TfLiteIntArray *a, int32_t *map, uint32_t *nt,
		     int32_t **out, uint32_t *n, int skip_const,
		     const TfLiteContext *ctx)
{
	int k;

	*out = calloc((size_t)a->size + 1, sizeof(int32_t));
	if (!*out)
		return -ENOMEM;
	*n = 0;
	for (k = 0; k < a->size; k++) {
		int ti = a->data[k];

		if (ti < 0 || (skip_const && is_const(&ctx->tensors[ti])) ||
		    seen_before(a, k))
			continue;
		(*out)[(*n)++] = map_tensor(map, nt, ti);
	}
	return 0;
}

/*
 * The model of nodes @nodes (execution order) with the given inputs and
 * outputs (TFLite indices; constants among the inputs are dropped), as an
 * edgenpu model named @name.
 */
static int build_model(TfLiteContext *ctx, const int *nodes, int nnodes,
		       const TfLiteIntArray *ins, const TfLiteIntArray *outs,
		       const char *name, struct edgenpu_model **out,
		       char *err, size_t errlen)
{
	struct tfl_model tm;
	int32_t *map;
	size_t k;
	int i, ret = -ENOMEM;

	memset(&tm, 0, sizeof(tm));
	map = malloc(ctx->tensors_size * sizeof(*map));
	tm.ops = calloc((size_t)nnodes, sizeof(*tm.ops));
	if (!map || !tm.ops)
		goto out;
	for (k = 0; k < ctx->tensors_size; k++)
		map[k] = -1;
	tm.version = 3;
	tm.nsubgraphs = 1;
	for (i = 0; i < nnodes; i++) {
		TfLiteNode *node;
		TfLiteRegistration *reg;
		struct tfl_op *op = &tm.ops[i];
		int j;

		if (ctx->GetNodeAndRegistration(ctx, nodes[i], &node, &reg) !=
		    kTfLiteOk) {
			snprintf(err, errlen, "node %d: no such node", nodes[i]);
			ret = -EINVAL;
			goto out;
		}
		tm.nops++;
		op->builtin = reg->builtin_code;
		op->version = reg->version;
		if (op->builtin == kTfLiteBuiltinCustom)
			op->custom_code = reg->custom_name ? reg->custom_name : "";
		op->in = calloc((size_t)node->inputs->size + 1, sizeof(int32_t));
		op->out = calloc((size_t)node->outputs->size + 1, sizeof(int32_t));
		if (!op->in || !op->out)
			goto out;
		op->nin = (uint32_t)node->inputs->size;
		op->nout = (uint32_t)node->outputs->size;
		for (j = 0; j < node->inputs->size; j++)
			op->in[j] = map_tensor(map, &tm.ntensors,
					       node->inputs->data[j]);
		for (j = 0; j < node->outputs->size; j++)
			op->out[j] = map_tensor(map, &tm.ntensors,
						node->outputs->data[j]);
		node_options(op, node);
	}
	if (copy_list(ins, map, &tm.ntensors, &tm.inputs, &tm.nin, 1, ctx) ||
	    copy_list(outs, map, &tm.ntensors, &tm.outputs, &tm.nout, 0, ctx))
		goto out;
	tm.tensors = calloc(tm.ntensors ? tm.ntensors : 1, sizeof(*tm.tensors));
	if (!tm.tensors)
		goto out;
	for (k = 0; k < ctx->tensors_size; k++) {
		if (map[k] < 0)
			continue;
		ret = fill_tensor(&ctx->tensors[k], &tm.tensors[map[k]], err,
				  errlen);
		if (ret)
			goto out;
	}
	ret = edgenpu__model_wrap(&tm, name, out);
out:
	if (ret == -ENOMEM && !err[0])
		snprintf(err, errlen, "out of memory");
	edgenpu__tfl_free(&tm);
	free(map);
	return ret;
}

/*
 * Whether the library would place node @ni on the NPU (device=cpu: run
 * it at all): 1, or 0 with the reason in @why.
 */
static int claimable(struct dlg *d, TfLiteContext *ctx, int ni,
		     const TfLiteNode *node, char *why, size_t whylen)
{
	struct edgenpu_model *m = NULL;
	struct edgenpu_plan *p = NULL;
	struct edgenpu_op_info oi;
	char name[32];
	int ret;

	why[0] = 0;
	snprintf(name, sizeof(name), "node %d", ni);
	ret = build_model(ctx, &ni, 1, node->inputs, node->outputs, name, &m,
			  why, whylen);
	if (!ret)
		ret = edgenpu_plan_create_limits(m, d->op_mask, 0,
						 d->cpu ? NULL : &d->limits,
						 &p, why, whylen);
	edgenpu_model_unref(m);
	if (ret) {
		if (!why[0])
			snprintf(why, whylen, "%s", edgenpu_strerror(ret));
		return 0;
	}
	ret = edgenpu_plan_op_info(p, 0, &oi);
	if (!ret && !d->cpu && oi.placement != EDGENPU_PLACE_NPU) {
		snprintf(why, whylen, "%s", oi.reason);
		ret = 1;
	}
	edgenpu_plan_unref(p);
	return !ret;
}

static const char *node_name(TfLiteContext *ctx, int ni)
{
	TfLiteNode *node;
	TfLiteRegistration *reg;

	if (ctx->GetNodeAndRegistration(ctx, ni, &node, &reg) != kTfLiteOk)
		return "?";
	if (reg->builtin_code == kTfLiteBuiltinCustom)
		return reg->custom_name ? reg->custom_name : "CUSTOM";
	return edgenpu__tfl_builtin_name(reg->builtin_code);
}

/* threads=N as the runners get it: 0 is the number of online CPUs. */
static unsigned int dlg_threads(const struct dlg *d)
{
	long online;

	if (d->threads)
		return d->threads;
	online = sysconf(_SC_NPROCESSORS_ONLN);
	return online < 1 ? 1 : online > DLG_MAX_THREADS ? DLG_MAX_THREADS :
	       (unsigned int)online;
}

static void kern_free(TfLiteContext *ctx, void *buffer)
{
	struct kern *k = buffer;

	(void)ctx;
	if (!k)
		return;
	edgenpu_runner_unref(k->runner);
	free(k->in_ti);
	free(k->out_ti);
	free(k->in_size);
	free(k->out_size);
	free(k);
}

/* The partition's I/O lists, sizes from the runner. */
static int kern_io(struct kern *k, TfLiteContext *ctx,
		   const TfLiteDelegateParams *dp)
{
	int i;

	k->in_ti = calloc((size_t)dp->input_tensors->size + 1, sizeof(int));
	k->in_size = calloc((size_t)dp->input_tensors->size + 1, sizeof(size_t));
	k->out_ti = calloc((size_t)dp->output_tensors->size + 1, sizeof(int));
	k->out_size = calloc((size_t)dp->output_tensors->size + 1,
			     sizeof(size_t));
	if (!k->in_ti || !k->in_size || !k->out_ti || !k->out_size)
		return -ENOMEM;
	for (i = 0; i < dp->input_tensors->size; i++) {
		int ti = dp->input_tensors->data[i];

		if (ti < 0 || is_const(&ctx->tensors[ti]) ||
		    seen_before(dp->input_tensors, i))
			continue;
		if (!edgenpu_runner_input(k->runner, k->nin,
					  &k->in_size[k->nin]))
			return -EINVAL;
		k->in_ti[k->nin++] = ti;
	}
	for (i = 0; i < dp->output_tensors->size; i++) {
		int ti = dp->output_tensors->data[i];

		if (ti < 0 || seen_before(dp->output_tensors, i))
			continue;
		if (!edgenpu_runner_output(k->runner, k->nout,
					   &k->out_size[k->nout]))
			return -EINVAL;
		k->out_ti[k->nout++] = ti;
	}
	return 0;
}

static void *kern_init(TfLiteContext *ctx, const char *buffer, size_t length)
{
	const TfLiteDelegateParams *dp = (const void *)buffer;
	struct dlg *d = dp->delegate->data_;
	struct edgenpu_model *m = NULL;
	struct edgenpu_plan *p = NULL;
	struct kern *k = calloc(1, sizeof(*k));
	char name[64];
	unsigned int threads = dlg_threads(d);
	int ret;

	(void)length;
	if (!k)
		return NULL;
	k->d = d;
	k->bind = d->cpu;
	k->id = d->nparts++;
	k->nnodes = dp->nodes_to_replace->size;
	snprintf(name, sizeof(name), "partition of %d nodes from node %d",
		 dp->nodes_to_replace->size, dp->nodes_to_replace->data[0]);
	ret = build_model(ctx, dp->nodes_to_replace->data,
			  dp->nodes_to_replace->size, dp->input_tensors,
			  dp->output_tensors, name, &m, k->err,
			  sizeof(k->err));
	if (!ret)
		ret = edgenpu_plan_create_limits(m, d->op_mask, 0,
						 d->cpu ? NULL : &d->limits,
						 &p, k->err, sizeof(k->err));
	edgenpu_model_unref(m);
	if (!ret)
		ret = edgenpu_runner_create(p, d->dev, &k->runner, k->err,
					    sizeof(k->err));
	edgenpu_plan_unref(p);
	if (!ret) {
		ret = edgenpu_runner_set_threads(k->runner, threads);
		if (ret)
			snprintf(k->err, sizeof(k->err),
				 "%s: cannot run the CPU executor on %u threads: %s",
				 name, threads, edgenpu_strerror(ret));
	}
	if (!ret && kern_io(k, ctx, dp))
		snprintf(k->err, sizeof(k->err),
			 "%s: its inputs and outputs are not the plan's", name);
	if (ret && !k->err[0])
		snprintf(k->err, sizeof(k->err), "%s: %s", name,
			 edgenpu_strerror(ret));
	if (!k->err[0])
		dlog(d, LOG_INFO, "%s: planned, %u inputs, %u outputs, %u CPU executor threads",
		     name, k->nin, k->nout, threads);
	return k;
}

static TfLiteStatus kern_prepare(TfLiteContext *ctx, TfLiteNode *node)
{
	struct kern *k = node->user_data;
	uint32_t i;

	if (!k) {
		ctx->ReportError(ctx, "edgenpu-tflite: out of memory");
		return kTfLiteError;
	}
	if (k->err[0]) {
		ctx->ReportError(ctx, "edgenpu-tflite: %s", k->err);
		return kTfLiteError;
	}
	/* The plan was made for these sizes: a resized tensor is refused. */
	for (i = 0; i < k->nin + k->nout; i++) {
		int ti = i < k->nin ? k->in_ti[i] : k->out_ti[i - k->nin];
		size_t want = i < k->nin ? k->in_size[i] :
			      k->out_size[i - k->nin];

		if (ctx->tensors[ti].bytes != want) {
			ctx->ReportError(ctx,
					 "edgenpu-tflite: tensor %d ('%s') is %zu bytes, the plan made at init has %zu (resizing a delegated tensor is not supported)",
					 ti, ctx->tensors[ti].name ?
					 ctx->tensors[ti].name : "",
					 ctx->tensors[ti].bytes, want);
			return kTfLiteError;
		}
	}
	return kTfLiteOk;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* One profile event of partition @k, or one more dropped. */
static void prof_add(struct kern *k, const char *name, uint64_t t0,
		     uint64_t t1, const char *key, int64_t val,
		     const char *key2, int64_t val2)
{
	struct dlg *d = k->d;
	struct edgenpu__trace_event *e;

	if (d->nev == DLG_PROFILE_EVENTS) {
		d->dropped++;
		return;
	}
	e = &d->ev[d->nev++];
	e->name = name;
	e->cat = "edgenpu-tflite";
	e->ts_ns = t0;
	e->dur_ns = t1 - t0;
	e->arg_key[0] = "partition";
	e->arg_val[0] = k->id;
	e->arg_key[1] = key;
	e->arg_val[1] = val;
	e->arg_key[2] = key2;
	e->arg_val[2] = val2;
}

/*
 * Input @i: bound in place (the CPU executor reads TFLite's tensor, no
 * copy) where the library takes it (64-byte aligned, as TFLite's arena
 * is; no overlap with a buffer the run writes), else copied into the
 * runner's own buffer. Bound again at every Invoke: TFLite may move its
 * tensors at AllocateTensors.
 */
static TfLiteStatus kern_copy_in(TfLiteContext *ctx, struct kern *k)
{
	uint32_t i;

	k->copied_in = k->placed_in = 0;
	for (i = 0; i < k->nin; i++) {
		const TfLiteTensor *t = &ctx->tensors[k->in_ti[i]];

		if (!t->data.raw || t->bytes != k->in_size[i]) {
			ctx->ReportError(ctx, "edgenpu-tflite: input tensor %d has no data or %zu bytes, not %zu",
					 k->in_ti[i], t->bytes, k->in_size[i]);
			return kTfLiteError;
		}
		if (k->bind && !edgenpu_runner_bind_input(k->runner, i,
							   t->data.raw,
							   t->bytes)) {
			k->placed_in += k->in_size[i];
			continue;
		}
		if (k->bind)	/* the runner's own buffer again */
			edgenpu_runner_bind_input(k->runner, i, NULL, 0);
		memcpy(edgenpu_runner_input(k->runner, i, NULL), t->data.raw,
		       k->in_size[i]);
		k->copied_in += k->in_size[i];
	}
	return kTfLiteOk;
}

/* Output @i written in place where bound before the run, as inputs. */
static TfLiteStatus kern_bind_out(TfLiteContext *ctx, struct kern *k)
{
	uint32_t i;

	k->placed_out = 0;
	for (i = 0; i < k->nout; i++) {
		TfLiteTensor *t = &ctx->tensors[k->out_ti[i]];

		if (!t->data.raw || t->bytes != k->out_size[i]) {
			ctx->ReportError(ctx, "edgenpu-tflite: output tensor %d has no data or %zu bytes, not %zu",
					 k->out_ti[i], t->bytes, k->out_size[i]);
			return kTfLiteError;
		}
		if (!k->bind)
			continue;
		if (!edgenpu_runner_bind_output(k->runner, i, t->data.raw,
						t->bytes))
			k->placed_out += k->out_size[i];
		else
			edgenpu_runner_bind_output(k->runner, i, NULL, 0);
	}
	return kTfLiteOk;
}

/* The outputs not written in place, copied out of the runner's buffers. */
static void kern_copy_out(TfLiteContext *ctx, struct kern *k)
{
	uint32_t i;

	k->copied_out = 0;
	for (i = 0; i < k->nout; i++) {
		TfLiteTensor *t = &ctx->tensors[k->out_ti[i]];
		const void *o = edgenpu_runner_output(k->runner, i, NULL);

		if (o == t->data.raw)
			continue;	/* bound: written in place */
		memcpy(t->data.raw, o, k->out_size[i]);
		k->copied_out += k->out_size[i];
	}
}

static TfLiteStatus kern_invoke(TfLiteContext *ctx, TfLiteNode *node)
{
	struct kern *k = node->user_data;
	int prof = k->d->trace != NULL;
	uint64_t t0 = prof ? now_ns() : 0, t1 = 0, t2 = 0;

	if (kern_copy_in(ctx, k) != kTfLiteOk ||
	    kern_bind_out(ctx, k) != kTfLiteOk)
		return kTfLiteError;
	if (prof)
		t1 = now_ns();
	if (edgenpu_runner_run(k->runner)) {
		ctx->ReportError(ctx, "edgenpu-tflite: %s",
				 edgenpu_runner_last_error(k->runner));
		return kTfLiteError;
	}
	if (prof)
		t2 = now_ns();
	kern_copy_out(ctx, k);
	if (prof) {
		uint64_t t3 = now_ns();

		prof_add(k, "partition invoke", t0, t3, "nodes", k->nnodes,
			 NULL, 0);
		prof_add(k, "input copy", t0, t1, "bytes",
			 (int64_t)k->copied_in, "in_place",
			 (int64_t)k->placed_in);
		prof_add(k, "output copy", t2, t3, "bytes",
			 (int64_t)k->copied_out, "in_place",
			 (int64_t)k->placed_out);
	}
	return kTfLiteOk;
}

/* Remember an unclaimed node: the first's reason, every op's name once. */
static void note_bad(TfLiteContext *ctx, int ni, const char *why,
		     int *first, char *first_why, size_t fwlen, char *ops,
		     size_t opslen)
{
	const char *name = node_name(ctx, ni);
	size_t len = strlen(ops), nl = strlen(name);
	const char *p;

	if (*first < 0) {
		*first = ni;
		snprintf(first_why, fwlen, "%s", why);
	}
	for (p = ops; (p = strstr(p, name)); p += nl)
		if ((p == ops || p[-1] == ' ') && (!p[nl] || p[nl] == ','))
			return;
	snprintf(ops + len, opslen - len, "%s%s", len ? ", " : "", name);
}

static TfLiteStatus dlg_prepare(TfLiteContext *ctx, TfLiteDelegate *base)
{
	struct dlg *d = base->data_;
	static const TfLiteRegistration reg_tmpl = {
		.init = kern_init, .free = kern_free,
		.prepare = kern_prepare, .invoke = kern_invoke,
		.builtin_code = kTfLiteBuiltinDelegate,
		.custom_name = "edgenpu", .version = 1,
	};
	TfLiteRegistration reg = reg_tmpl;
	TfLiteIntArray *plan, *claim;
	TfLiteStatus st = kTfLiteOk;
	int i, n, first_bad = -1;
	char why[384], first_why[384] = "", ops[256] = "";

	if (ctx->GetExecutionPlan(ctx, &plan) != kTfLiteOk)
		return kTfLiteError;
	n = plan->size;
	/* Our own TfLiteIntArray: {size, data[]}, as common.h lays it out. */
	claim = malloc(sizeof(*claim) + (size_t)(n + 1) * sizeof(int));
	if (!claim)
		return kTfLiteError;
	claim->size = 0;
	for (i = 0; i < n; i++) {
		int ni = plan->data[i];
		TfLiteNode *node;
		TfLiteRegistration *reg_unused;
		int ok;

		if (ctx->GetNodeAndRegistration(ctx, ni, &node, &reg_unused) !=
		    kTfLiteOk) {
			free(claim);
			return kTfLiteError;
		}
		ok = claimable(d, ctx, ni, node, why, sizeof(why));
		if (ok)
			claim->data[claim->size++] = ni;
		else
			note_bad(ctx, ni, why, &first_bad, first_why,
				 sizeof(first_why), ops, sizeof(ops));
		dlog(d, LOG_INFO, "node %d (%s): %s%s", ni,
		     node_name(ctx, ni), ok ? (d->cpu ? "edgenpu CPU executor" :
		     "NPU") : "TFLite: ", ok ? "" : why);
	}
	dlog(d, claim->size == n ? LOG_INFO : LOG_WARN,
	     "%s: %d of %d nodes delegated to edgenpu (%s), %d left to TFLite",
	     d->device, claim->size, n, d->cpu ? "CPU executor" : "NPU",
	     n - claim->size);
	if (d->full && first_bad >= 0) {
		ctx->ReportError(ctx,
				 "edgenpu-tflite: require_full_offload: %d of %d nodes cannot run on edgenpu (ops %s); the first, node %d (%s): %s",
				 n - claim->size, n, ops, first_bad,
				 node_name(ctx, first_bad), first_why);
		st = kTfLiteError;
	} else if (claim->size) {
		st = ctx->ReplaceNodeSubsetsWithDelegateKernels(ctx, reg, claim,
								 base);
	}
	free(claim);
	return st;
}

static int parse_bool(const char *v, int *out)
{
	if (!strcmp(v, "true") || !strcmp(v, "1"))
		*out = 1;
	else if (!strcmp(v, "false") || !strcmp(v, "0"))
		*out = 0;
	else
		return -EINVAL;
	return 0;
}

static int parse_log(const char *v, int *out)
{
	static const char *const names[] = { "error", "warn", "info", "debug" };
	int i;

	for (i = 0; i < 4; i++)
		if (!strcmp(v, names[i]) || (v[0] == '0' + i && !v[1])) {
			*out = i;
			return 0;
		}
	return -EINVAL;
}

/* threads=N: a decimal 0 (online CPUs) to DLG_MAX_THREADS, nothing else. */
static int parse_threads(const char *v, unsigned int *out)
{
	unsigned long n = 0;
	const char *p;

	if (!v[0] || strlen(v) > 3)
		return -EINVAL;
	for (p = v; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		n = n * 10 + (unsigned long)(*p - '0');
	}
	if (n > DLG_MAX_THREADS)
		return -EINVAL;
	*out = (unsigned int)n;
	return 0;
}

static void report(void (*report_error)(const char *), const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void report(void (*report_error)(const char *), const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (report_error)
		report_error(msg);
	else
		fprintf(stderr, "%s\n", msg);
}

/* profile=PATH: the trace, at destruction; errors go to stderr. */
static void dlg_write_profile(struct dlg *d)
{
	int ret = edgenpu__trace_write(d->trace, d->ev, d->nev, d->dropped);

	if (fclose(d->trace) || ret)
		dlog(d, LOG_ERROR, "profile: cannot write '%s'", d->profile);
	else if (d->dropped)
		dlog(d, LOG_WARN, "profile: '%s' holds the first %d events; %llu more were dropped",
		     d->profile, DLG_PROFILE_EVENTS,
		     (unsigned long long)d->dropped);
	d->trace = NULL;
}

static void dlg_free(struct dlg *d)
{
	if (!d)
		return;
	if (d->trace && d->base.Prepare)	/* created: the trace */
		dlg_write_profile(d);
	else if (d->trace)		/* creation failed: no trace */
		fclose(d->trace);
	edgenpu_device_unref(d->dev);
	free(d->ev);
	free(d);
}

/* profile=PATH: the event buffer and the file, opened now. */
static int dlg_open_profile(struct dlg *d,
			    void (*report_error)(const char *))
{
	int ret;

	d->ev = calloc(DLG_PROFILE_EVENTS, sizeof(*d->ev));
	if (!d->ev) {
		report(report_error, "edgenpu-tflite: option 'profile': out of memory");
		return -ENOMEM;
	}
	d->trace = fopen(d->profile, "w");
	if (!d->trace) {
		ret = -errno;
		report(report_error, "edgenpu-tflite: option 'profile': cannot open '%s' for writing: %s",
		       d->profile, strerror(-ret));
		return ret;
	}
	return 0;
}

static int dlg_open(struct dlg *d, void (*report_error)(const char *))
{
	struct edgenpu_device_info info;
	int ret;

	if (d->profile[0] && dlg_open_profile(d, report_error))
		return -EINVAL;
	if (!strcmp(d->device, "cpu")) {
		d->cpu = 1;
		d->op_mask = EDGENPU_OP_MASK_ALL;
		return 0;
	}
	ret = edgenpu_device_open(d->device, &d->dev);
	if (!ret)
		ret = edgenpu_device_get_info(d->dev, &info);
	if (ret) {
		report(report_error, "edgenpu-tflite: option 'device': cannot open '%s': %s",
		       d->device, edgenpu_strerror(ret));
		return ret;
	}
	d->op_mask = info.op_mask;
	d->limits.max_op_cost = info.max_op_cost;
	d->limits.max_job_cost = info.max_job_cost;
	return 0;
}

/* A non-empty string option that fits @size bytes; -EINVAL otherwise. */
static int set_string(char *dst, size_t size, const char *v)
{
	if (!v[0] || strlen(v) >= size)
		return -EINVAL;
	snprintf(dst, size, "%s", v);
	return 0;
}

static int dlg_option_known(const char *k)
{
	return !strcmp(k, "device") || !strcmp(k, "require_full_offload") ||
	       !strcmp(k, "profile") || !strcmp(k, "log") ||
	       !strcmp(k, "threads");
}

/*
 * Set known option @k to @v: NULL, or when @v is bad, what the option
 * takes (for the message).
 */
static const char *dlg_set_option(struct dlg *d, const char *k, const char *v)
{
	if (!strcmp(k, "device"))
		return set_string(d->device, sizeof(d->device), v) ?
		       "an index, a /dev/accel path or 'cpu'" : NULL;
	if (!strcmp(k, "require_full_offload"))
		return parse_bool(v, &d->full) ? "true, false, 1 or 0" : NULL;
	if (!strcmp(k, "profile"))
		return set_string(d->profile, sizeof(d->profile), v) ?
		       "the path of the trace to write" : NULL;
	if (!strcmp(k, "threads"))
		return parse_threads(v, &d->threads) ?
		       "0 (the number of online CPUs) to 64" : NULL;
	return parse_log(v, &d->log) ? "0-3, error, warn, info or debug" : NULL;
}

__attribute__((visibility("default")))
TfLiteDelegate *tflite_plugin_create_delegate(const char *const *keys,
					      const char *const *values,
					      size_t num_options,
					      void (*report_error)(const char *))
{
	struct dlg *d = calloc(1, sizeof(*d));
	size_t i;
	int bad = 0;

	if (!d) {
		report(report_error, "edgenpu-tflite: out of memory");
		return NULL;
	}
	d->log = LOG_WARN;
	snprintf(d->device, sizeof(d->device), "0");
	for (i = 0; i < num_options && !bad; i++) {
		const char *k = keys[i], *v = values[i], *hint;

		if (!k || !v) {
			report(report_error, "edgenpu-tflite: option %zu has no key or value", i);
			bad = 1;
		} else if (!dlg_option_known(k)) {
			report(report_error, "edgenpu-tflite: unknown option '%s' (known: device, require_full_offload, profile, log, threads)", k);
			bad = 1;
		} else if ((hint = dlg_set_option(d, k, v))) {
			report(report_error, "edgenpu-tflite: option '%s': bad value '%s' (%s)",
			       k, v, hint);
			bad = 1;
		}
	}
	if (bad || dlg_open(d, report_error)) {
		dlg_free(d);
		return NULL;
	}
	d->base.data_ = d;
	d->base.Prepare = dlg_prepare;
	d->base.flags = kTfLiteDelegateFlagsNone;
	dlog(d, LOG_DEBUG, "created for device '%s'%s", d->device,
	     d->full ? ", require_full_offload" : "");
	return &d->base;
}

__attribute__((visibility("default")))
void tflite_plugin_destroy_delegate(TfLiteDelegate *delegate)
{
	if (delegate)
		dlg_free(delegate->data_);
}
