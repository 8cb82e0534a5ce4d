// SPDX-License-Identifier: MIT
/*
 * cpu_exec_test: the CPU executor's fast kernels give the engine's bytes.
 *
 * 1. Kernels: random CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, ADD and
 *    SUB ops (odd channel counts, padding, strides 1 and 2, dilation, per-channel
 *    and per-tensor quantization with positive and negative shifts,
 *    activation clamps, extreme zero points and values, absent bias) run
 *    on the engine and through a CPU plan with each kernel set; the
 *    outputs must be equal byte for byte.
 * 2. Models: every model under MODELS_DIR (DIR/NAME/model.tflite) and
 *    every .tflite of the optional SHARED_DIR runs with
 *    EDGENPU_CPU_KERNELS=engine, c and each vector set this CPU has
 *    (avx2; neon, dotprod) on the same random inputs, with every
 *    intermediate kept; edgenpu_runner_compare() must find no op whose
 *    output differs.
 * 3. On arm64, the NEON requantization (cpu_requant_neon.h) against
 *    TFLite's scalar formulas, lane by lane, on every shift and the
 *    edge cases of its rounding.
 *
 * Linked with libedgenpu.a, so that it reaches the internal CPU plan.
 *
 *   cpu_exec_test MODELS_DIR [SHARED_DIR]
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu_plan.h"
#include "cpu_requant_neon.h"
#include "engine_jobbuild.h"
#include "tap.h"

/* One random op: its buffers, stream and description. */
struct kcase {
	uint8_t w[1 << 16];		/* filter, bias, multipliers, shifts */
	int8_t in[1 << 15];
	int8_t ref[1 << 15];
	int8_t out[1 << 15];
	struct edgenpu_cmd_tensor t[6];
	struct edgenpu_cmd_conv_params p;
	struct edgenpu_cmd_add_params ap;
	uint32_t opcode, nt, out_bytes, in_bytes;
	int32_t lo, hi;
	char what[160];
};

static uint32_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (uint32_t)(*s >> 11);
}

/* A value in [lo, hi]. */
static int32_t rr(uint64_t *s, int32_t lo, int32_t hi)
{
	return (int32_t)(lo + (int64_t)(rnd(s) % (uint64_t)((int64_t)hi - lo + 1)));
}

/* Random int8 bytes, sometimes all at one extreme. */
static void fill_i8(uint64_t *s, int8_t *p, size_t n)
{
	int mode = rr(s, 0, 7);
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (int8_t)(mode == 0 ? -128 : mode == 1 ? 127 : rr(s, -128, 127));
}

/* Bias, requantization and clamp of a case with @oc output channels. */
static void quant(uint64_t *s, struct kcase *k, uint32_t oc, uint64_t off)
{
	int32_t *bias = (int32_t *)(k->w + off);
	int32_t *pm = bias + oc, *ps = pm + oc;
	int pc = rr(s, 0, 2) != 0, big = rr(s, 0, 3) == 0;
	uint32_t c;

	for (c = 0; c < oc; c++) {
		bias[c] = big ? rr(s, -(1 << 30), 1 << 30) : rr(s, -40000, 40000);
		pm[c] = (int32_t)((1u << 30) + rnd(s) % (1u << 30));
		ps[c] = rr(s, -14, 3);
		if (rr(s, 0, 40) == 0)
			ps[c] = rr(s, 0, 1) ? 30 : -31;
	}
	/* Odd buffers: a zero multiplier, or a negative one (engine only). */
	if (rr(s, 0, 15) == 0)
		pm[rr(s, 0, (int32_t)oc - 1)] = rr(s, 0, 1) ? 0 : -5;
	k->t[2] = jb_t(0, EDGENPU_DTYPE_INT32, off, 1, 1, 1, oc, 0);
	if (rr(s, 0, 5) == 0)
		k->t[2] = jb_t(EDGENPU_CMD_NO_BUFFER, 0, 0, 0, 0, 0, 0, 0);
	k->t[3].zero_point = rr(s, -128, 127);
	k->nt = 4;
	if (pc) {
		k->t[3].flags = EDGENPU_TENSOR_F_PER_CHANNEL;
		k->t[4] = jb_t(0, EDGENPU_DTYPE_INT32, off + 4ull * oc, 1, 1, 1, oc, 0);
		k->t[5] = jb_t(0, EDGENPU_DTYPE_INT32, off + 8ull * oc, 1, 1, 1, oc, 0);
		k->nt = 6;
	} else {
		k->t[3].multiplier = (int32_t)((1u << 30) + rnd(s) % (1u << 30));
		k->t[3].shift = rr(s, -14, 3);
	}
	k->lo = rr(s, -128, 20);
	k->hi = rr(s, k->lo, 127);
	if (rr(s, 0, 2) == 0) {
		k->lo = -128;
		k->hi = 127;
	}
}

/* Padding (pad0, pad1) and output extent of a window along one axis. */
static uint32_t window(uint64_t *s, uint32_t in, uint32_t eff, uint32_t stride,
		       uint32_t *pad0, uint32_t *pad1)
{
	*pad0 = rr(s, 0, 1) ? rr(s, 0, (int32_t)eff - 1) : 0;
	*pad1 = rr(s, 0, 1) ? rr(s, 0, (int32_t)eff - 1) : 0;
	if (in + *pad0 + *pad1 < eff)
		*pad1 = eff - in - *pad0;
	return (in + *pad0 + *pad1 - eff) / stride + 1;
}

/* A channel count: odd ones, and multiples of the vector width. */
static uint32_t channels(uint64_t *s, int32_t max)
{
	return rr(s, 0, 2) ? (uint32_t)rr(s, 1, max) : 16u * (uint32_t)rr(s, 1, 3);
}

static void make_conv(uint64_t *s, struct kcase *k, int depthwise)
{
	uint32_t n = rr(s, 1, 2), ih = rr(s, 1, 10), iw = rr(s, 1, 10);
	uint32_t ic = channels(s, 37), oc = depthwise ? ic : channels(s, 37);
	uint32_t kh = depthwise ? 3 : rr(s, 1, 3), kw = depthwise ? 3 : rr(s, 1, 3);
	uint32_t oh, ow, fbytes;

	memset(&k->p, 0, sizeof(k->p));
	k->p.stride_h = rr(s, 1, 2);
	k->p.stride_w = rr(s, 0, 3) ? k->p.stride_h : (uint32_t)rr(s, 1, 2);
	k->p.dilation_h = rr(s, 0, 5) ? 1 : 2;
	k->p.dilation_w = rr(s, 0, 5) ? 1 : 2;
	if (rr(s, 0, 3) == 0 && !depthwise)
		kh = kw = k->p.stride_h = k->p.stride_w = 1;	/* pointwise */
	oh = window(s, ih, (kh - 1) * k->p.dilation_h + 1, k->p.stride_h,
		    &k->p.pad_top, &k->p.pad_bottom);
	ow = window(s, iw, (kw - 1) * k->p.dilation_w + 1, k->p.stride_w,
		    &k->p.pad_left, &k->p.pad_right);
	if (depthwise)
		k->p.depth_multiplier = 1;
	k->opcode = depthwise ? EDGENPU_OP_DEPTHWISE_CONV_2D : EDGENPU_OP_CONV_2D;
	k->t[0] = jb_t(1, EDGENPU_DTYPE_INT8, 0, n, ih, iw, ic, 0);
	if (depthwise)
		k->t[1] = jb_t(0, EDGENPU_DTYPE_INT8, 0, 1, kh, kw, oc, 0);
	else
		k->t[1] = jb_t(0, EDGENPU_DTYPE_INT8, 0, oc, kh, kw, ic, 0);
	k->t[3] = jb_t(2, EDGENPU_DTYPE_INT8, 0, n, oh, ow, oc, 0);
	fbytes = (depthwise ? 1 : ic) * kh * kw * oc;
	fill_i8(s, (int8_t *)k->w, fbytes);
	quant(s, k, oc, (fbytes + 63) & ~63u);
	k->in_bytes = n * ih * iw * ic;
	k->out_bytes = n * oh * ow * oc;
	snprintf(k->what, sizeof(k->what),
		 "%s in %ux%ux%ux%u k %ux%u s %u,%u d %u,%u pad %u,%u,%u,%u oc %u %s",
		 depthwise ? "dw" : "conv", n, ih, iw, ic, kh, kw, k->p.stride_h,
		 k->p.stride_w, k->p.dilation_h, k->p.dilation_w, k->p.pad_top,
		 k->p.pad_left, k->p.pad_bottom, k->p.pad_right, oc,
		 k->nt == 6 ? "pc" : "pt");
}

static void make_fc(uint64_t *s, struct kcase *k)
{
	uint32_t rows = rr(s, 1, 9), kk = rr(s, 0, 1) ? rr(s, 1, 600) : rr(s, 1, 40);
	uint32_t oc = channels(s, 70);

	/*
	 * One in four wide: 96 to 200 channels, so that three threads split
	 * the few rows' channel blocks (cpu_plan.c's run_gemm_part()).
	 */
	if (rr(s, 0, 3) == 0) {
		oc = rr(s, 96, 200);
		kk = kk > 300 ? 300 : kk;
	}

	k->opcode = EDGENPU_OP_FULLY_CONNECTED;
	k->t[0] = jb_t(1, EDGENPU_DTYPE_INT8, 0, 1, 1, rows, kk, 0);
	k->t[1] = jb_t(0, EDGENPU_DTYPE_INT8, 0, 1, 1, oc, kk, 0);
	k->t[3] = jb_t(2, EDGENPU_DTYPE_INT8, 0, 1, 1, rows, oc, 0);
	fill_i8(s, (int8_t *)k->w, (size_t)oc * kk);
	quant(s, k, oc, ((size_t)oc * kk + 63) & ~(size_t)63);
	k->in_bytes = rows * kk;
	k->out_bytes = rows * oc;
	snprintf(k->what, sizeof(k->what), "fc rows %u k %u oc %u %s", rows, kk,
		 oc, k->nt == 6 ? "pc" : "pt");
}

/*
 * ADD or SUB of two same-shape tensors: the second input lives in the
 * weights buffer (any buffer will do for the engine), with TFLite's
 * left shift of 20 and input multipliers below one.
 */
static void make_add(uint64_t *s, struct kcase *k)
{
	uint32_t h = rr(s, 1, 9), w = rr(s, 1, 9), c = channels(s, 40);
	int i;

	k->opcode = rr(s, 0, 1) ? EDGENPU_OP_ADD : EDGENPU_OP_SUB;
	k->t[0] = jb_t(1, EDGENPU_DTYPE_INT8, 0, 1, h, w, c, 0);
	k->t[1] = jb_t(0, EDGENPU_DTYPE_INT8, 0, 1, h, w, c, 0);
	k->t[2] = jb_t(2, EDGENPU_DTYPE_INT8, 0, 1, h, w, c, 0);
	fill_i8(s, (int8_t *)k->w, (size_t)h * w * c);
	for (i = 0; i < 3; i++) {
		k->t[i].zero_point = rr(s, -128, 127);
		k->t[i].multiplier = (int32_t)((1u << 30) + rnd(s) % (1u << 30));
		k->t[i].shift = i < 2 ? rr(s, -31, 0) : rr(s, -30, 0);
	}
	k->ap.left_shift = rr(s, 0, 3) ? 20 : (uint32_t)rr(s, 0, 24);
	k->ap.reserved = 0;
	k->nt = 3;
	k->lo = rr(s, -128, 20);
	k->hi = rr(s, k->lo, 127);
	k->in_bytes = k->out_bytes = h * w * c;
	snprintf(k->what, sizeof(k->what), "%s %ux%ux%u ls %u",
		 k->opcode == EDGENPU_OP_ADD ? "add" : "sub", h, w, c,
		 k->ap.left_shift);
}

/* A plan holding just the case's one-op stream, over its three buffers. */
static void fake_plan(struct kcase *k, struct edgenpu_plan *plan,
		      struct plan_segment *seg, uint8_t *stream, size_t size)
{
	memset(plan, 0, sizeof(*plan));
	memset(seg, 0, sizeof(*seg));
	plan->nbufs = 3;
	plan->bufs[0] = (struct edgenpu_plan_buffer){ EDGENPU_BUF_WEIGHTS, 0,
		sizeof(k->w), EDGENPU_BUF_READ, k->w };
	plan->bufs[1] = (struct edgenpu_plan_buffer){ EDGENPU_BUF_INPUT, 0,
		k->in_bytes, EDGENPU_BUF_READ, NULL };
	plan->bufs[2] = (struct edgenpu_plan_buffer){ EDGENPU_BUF_OUTPUT, 0,
		k->out_bytes, EDGENPU_BUF_READ | EDGENPU_BUF_WRITE, NULL };
	seg->stream = stream;
	seg->size = size;
	seg->placement = EDGENPU_PLACE_CPU;
	plan->nsegs = 1;
	plan->segs = seg;
}

/*
 * Run case @k with the kernels of @isa; 1 when its output is the engine's
 * (in k->ref), and *fast counts the op if a fast kernel ran it.
 */
static int run_isa(struct kcase *k, const struct edgenpu_plan *plan,
		   const struct edgenpu_engine_buffer *bufs, void *scratch,
		   enum cpu_isa isa, uint32_t threads, int *fast)
{
	struct edgenpu_cpu_plan *cp = NULL;
	struct edgenpu_engine_error e;
	int ok;

	memset(k->out, 0x5a, sizeof(k->out));
	if (edgenpu__cpu_plan_create(plan, 0, bufs, 3, scratch, isa, &cp, &e))
		return 0;
	if (edgenpu__cpu_plan_set_threads(cp, threads, 0)) {
		edgenpu__cpu_plan_free(cp);
		return 0;
	}
	ok = !edgenpu__cpu_plan_run(cp, 0, bufs, 3, scratch, NULL, NULL, &e) &&
	     !memcmp(k->out, k->ref, k->out_bytes);
	*fast += (int)edgenpu__cpu_plan_fast_ops(cp, 0);
	edgenpu__cpu_plan_free(cp);
	return ok;
}

/* The case's op on the engine, into k->ref; 0 or the engine's error. */
static int run_engine(struct kcase *k, uint8_t **stream, size_t *size,
		      const struct edgenpu_engine_buffer *bufs, void *scratch)
{
	struct edgenpu_cmd_builder *b = NULL;
	struct edgenpu_engine_error e;
	const void *st;
	int ret;

	ret = edgenpu_cmd_builder_create(&b);
	if (!ret && k->nt == 3)
		ret = edgenpu_cmd_builder_add_op(b, k->opcode, 0, k->lo, k->hi,
						 &k->ap, sizeof(k->ap), k->t, 3);
	else if (!ret)
		ret = edgenpu_cmd_builder_add_op(b, k->opcode, 0, k->lo, k->hi,
			k->opcode == EDGENPU_OP_FULLY_CONNECTED ? NULL : &k->p,
			k->opcode == EDGENPU_OP_FULLY_CONNECTED ? 0 : sizeof(k->p),
			k->t, k->nt);
	if (!ret)
		ret = edgenpu_cmd_builder_stream(b, &st, size);
	*stream = ret ? NULL : malloc(*size);
	if (!ret && !*stream)
		ret = -ENOMEM;
	if (!ret) {
		memcpy(*stream, st, *size);
		ret = edgenpu_engine_run(*stream, *size, bufs, 3, scratch,
					 EDGENPU_ENGINE_SCRATCH_SIZE, NULL, &e);
		if (ret)
			tap_diag("engine: %s", e.msg);
	}
	edgenpu_cmd_builder_unref(b);
	memcpy(k->ref, k->out, k->out_bytes);
	return ret;
}

/* The vector kernel sets compared with the portable ones, where present. */
static const enum cpu_isa vec_isas[] = {
	CPU_ISA_AVX2, CPU_ISA_NEON, CPU_ISA_NEON_DOT,
};
#define NVEC	(sizeof(vec_isas) / sizeof(vec_isas[0]))

/* Kernel sets a random case runs on: the portable one and the CPU's. */
static int fast_sets(void)
{
	size_t i;
	int n = 1;

	for (i = 0; i < NVEC; i++)
		n += edgenpu__cpu_isa_supported(vec_isas[i]);
	return n;
}

/* One random case on the engine and on each kernel set. */
static int one_case(uint64_t *s, struct kcase *k, void *scratch, int *fast,
		    char *what, size_t len)
{
	int kind = rr(s, 0, 3), ok = 1;
	struct edgenpu_engine_buffer bufs[3];
	struct edgenpu_plan plan;
	struct plan_segment seg;
	uint8_t *stream = NULL;
	size_t size = 0, i;

	if (kind == 3)
		make_add(s, k);
	else if (kind == 2)
		make_fc(s, k);
	else
		make_conv(s, k, kind);
	if (kind != 3)
		k->t[0].zero_point = rr(s, 0, 3) ? rr(s, -128, 127) :
				     (rr(s, 0, 1) ? -128 : 127);
	fill_i8(s, k->in, k->in_bytes);
	bufs[0] = (struct edgenpu_engine_buffer){ k->w, sizeof(k->w), EDGENPU_BUF_READ, 0 };
	bufs[1] = (struct edgenpu_engine_buffer){ k->in, k->in_bytes, EDGENPU_BUF_READ, 0 };
	bufs[2] = (struct edgenpu_engine_buffer){ k->out, k->out_bytes,
		EDGENPU_BUF_READ | EDGENPU_BUF_WRITE, 0 };
	snprintf(what, len, "%s", k->what);
	if (run_engine(k, &stream, &size, bufs, scratch)) {
		free(stream);
		return 0;
	}
	fake_plan(k, &plan, &seg, stream, size);
	/* 1 or 3 threads, splitting even the smallest op. */
	ok &= run_isa(k, &plan, bufs, scratch, CPU_ISA_C, 1 + 2 * (k->out_bytes & 1), fast);
	for (i = 0; i < NVEC; i++)
		if (edgenpu__cpu_isa_supported(vec_isas[i]))
			ok &= run_isa(k, &plan, bufs, scratch, vec_isas[i],
				      1 + 2 * ((k->in_bytes + i) & 1), fast);
	free(stream);
	return ok;
}

static void kernel_cases(struct tap *t, int count)
{
	struct kcase *k = calloc(1, sizeof(*k));
	/* The engine wants its scratch 64-byte aligned: malloc() is not. */
	void *scratch = aligned_alloc(64, (EDGENPU_ENGINE_SCRATCH_SIZE + 63) & ~(size_t)63);
	uint64_t s = 0x9e3779b97f4a7c15ull;
	int i, bad = 0, fast = 0;
	char what[160];

	if (!k || !scratch) {
		tap_check(t, 0, "kernels: out of memory");
		goto out;
	}
	for (i = 0; i < count; i++)
		if (!one_case(&s, k, scratch, &fast, what, sizeof(what)) &&
		    bad++ < 10)
			tap_diag("case %d differs or fails: %s", i, what);
	tap_check(t, !bad, "kernels: %d random ops equal the engine's bytes (%d differ)",
		  count, bad);
	/* Most cases must reach a fast kernel, or the test proves nothing. */
	tap_check(t, fast >= count * fast_sets() * 3 / 4,
		  "kernels: fast kernels ran %d of the %d op runs", fast,
		  count * fast_sets());
out:
	free(scratch);
	free(k);
}

/*
 * Kernel sets (EDGENPU_CPU_KERNELS) and thread counts compared, those
 * the CPU lacks left out (mode_ok()); the engine's run comes first.
 */
static const struct mode {
	const char *kernels;
	enum cpu_isa isa;
	unsigned int threads;
} modes[] = {
	{ "engine", CPU_ISA_ENGINE, 1 }, { "c", CPU_ISA_C, 1 },
	{ "avx2", CPU_ISA_AVX2, 1 }, { "neon", CPU_ISA_NEON, 1 },
	{ "dotprod", CPU_ISA_NEON_DOT, 1 }, { "c", CPU_ISA_C, 3 },
	{ "avx2", CPU_ISA_AVX2, 4 }, { "neon", CPU_ISA_NEON, 2 },
	{ "dotprod", CPU_ISA_NEON_DOT, 4 },
};
#define NMODES	(sizeof(modes) / sizeof(modes[0]))

static int mode_ok(size_t i)
{
	return edgenpu__cpu_isa_supported(modes[i].isa);
}

/*
 * "engine, c and avx2 kernels, 1 to 4 threads" or the like: the sets
 * and thread counts of this CPU, in @buf.
 */
static const char *mode_names(char *buf, size_t len)
{
	size_t i, n = 0, at = 0;
	unsigned int most = 1;

	for (i = 0; i < NMODES; i++) {
		n += mode_ok(i) && modes[i].threads == 1;
		if (mode_ok(i) && modes[i].threads > most)
			most = modes[i].threads;
	}
	for (i = 0; i < NMODES && at < len; i++) {
		if (!mode_ok(i) || modes[i].threads != 1)
			continue;
		at += (size_t)snprintf(buf + at, len - at, "%s%s",
				       !at ? "" : --n > 1 ? ", " : " and ",
				       modes[i].kernels);
	}
	if (at < len)
		snprintf(buf + at, len - at, " kernels, 1 to %u threads", most);
	return buf;
}

/* A runner of @p with the kernels of @mode, its inputs seeded bytes. */
static struct edgenpu_runner *mode_runner(struct edgenpu_plan *p,
					  struct edgenpu_model *m,
					  const struct mode *mode, char *err,
					  size_t errlen)
{
	struct edgenpu_runner *r = NULL;
	uint64_t s = 12345;
	size_t i, j, size;

	setenv("EDGENPU_CPU_KERNELS", mode->kernels, 1);
	if (edgenpu_runner_create(p, NULL, &r, err, errlen))
		return NULL;
	if (edgenpu_runner_set_threads(r, mode->threads)) {
		snprintf(err, errlen, "cannot start %u threads", mode->threads);
		edgenpu_runner_unref(r);
		return NULL;
	}
	for (i = 0; i < edgenpu_model_num_inputs(m); i++) {
		uint8_t *in = edgenpu_runner_input(r, i, &size);

		for (j = 0; j < size; j++)
			in[j] = (uint8_t)rnd(&s);
	}
	if (edgenpu_runner_run(r)) {
		snprintf(err, errlen, "%s", edgenpu_runner_last_error(r));
		edgenpu_runner_unref(r);
		return NULL;
	}
	return r;
}

/* One model: every kernel set against the engine, op by op. */
static void one_model(struct tap *t, const char *path, const char *name)
{
	struct edgenpu_runner *r[NMODES] = { NULL };
	struct edgenpu_model *m = NULL;
	struct edgenpu_plan *p = NULL;
	struct edgenpu_diff d;
	char err[256] = "", names[96];
	size_t i;
	int ok = 1;

	if (edgenpu_model_load_file(path, &m, err, sizeof(err)) ||
	    edgenpu_plan_create_flags(m, EDGENPU_OP_MASK_ALL,
				      EDGENPU_PLAN_KEEP_INTERMEDIATES, &p,
				      err, sizeof(err))) {
		/* The models the library refuses are model-test's business. */
		tap_skip(t, err, "%s: not runnable", name);
		goto out;
	}
	for (i = 0; i < NMODES && ok; i++) {
		if (!mode_ok(i))
			continue;
		r[i] = mode_runner(p, m, &modes[i], err, sizeof(err));
		ok = r[i] != NULL;
	}
	for (i = 1; i < NMODES && ok; i++) {
		if (!r[i])
			continue;
		ok = edgenpu_runner_compare(r[0], r[i], &d) == 0;
		if (!ok)
			snprintf(err, sizeof(err), "%s x%u: op %u differs at byte %zu: %d, not %d",
				 modes[i].kernels, modes[i].threads, d.op,
				 d.offset, d.b, d.a);
	}
	tap_check(t, ok, "%s: %s, agree op by op%s%s",
		  name, mode_names(names, sizeof(names)), ok ? "" : ": ",
		  ok ? "" : err);
out:
	for (i = 0; i < NMODES; i++)
		edgenpu_runner_unref(r[i]);
	edgenpu_plan_unref(p);
	edgenpu_model_unref(m);
}

/* Every DIR/NAME/model.tflite (@nested) or DIR/NAME.tflite. */
static void models_in(struct tap *t, const char *dir, int nested)
{
	struct dirent **ents = NULL;
	char path[4096];
	int i, n = scandir(dir, &ents, NULL, alphasort);
	FILE *f;

	for (i = 0; i < n; i++) {
		const char *nm = ents[i]->d_name;
		size_t len = strlen(nm);

		if (nm[0] == '.' || (!nested && (len < 7 ||
					       strcmp(nm + len - 7, ".tflite"))))
			continue;
		snprintf(path, sizeof(path), nested ? "%s/%s/model.tflite" : "%s/%s",
			 dir, nm);
		f = fopen(path, "rb");
		if (f) {
			fclose(f);
			one_model(t, path, nm);
		}
	}
	for (i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
}

#if defined(__aarch64__)
/* TFLite's SaturatingRoundingDoublingHighMul, as written there. */
static int32_t ref_srdhm(int32_t a, int32_t b)
{
	int64_t ab = (int64_t)a * b;
	int64_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));

	if (a == INT32_MIN && b == INT32_MIN)
		return INT32_MAX;
	return (int32_t)((ab + nudge) / ((int64_t)1 << 31));
}

/* TFLite's RoundingDivideByPOT. */
static int32_t ref_rdbpot(int32_t x, int32_t e)
{
	int32_t mask = (int32_t)(((int64_t)1 << e) - 1);
	int32_t thr = (mask >> 1) + (x < 0 ? 1 : 0);

	return (x >> e) + ((x & mask) > thr ? 1 : 0);
}

/*
 * Four lanes of cpu_rq4_apply() (no zero point, no clamp) against the
 * scalar formulas; 1 when equal, else the first difference in diag.
 */
static int rq4_lanes(const int32_t *x, int32_t m, int32_t l, int32_t r)
{
	int32_t mult[4] = { m, m, m, m }, ls[4] = { l, l, l, l };
	int32_t rs[4] = { r, r, r, r }, got[4];
	struct cpu_rq rq = { mult, ls, rs, 0, INT32_MIN, INT32_MAX };
	struct cpu_rq4 q;
	int i;

	cpu_rq4_load(&rq, 0, &q);
	vst1q_s32(got, cpu_rq4_apply(&q, vld1q_s32(x)));
	for (i = 0; i < 4; i++) {
		int32_t want = ref_rdbpot(ref_srdhm((int32_t)((uint32_t)x[i] << l),
						    m), r);

		if (got[i] != want) {
			tap_diag("rq4: x %d m %d l %d r %d: %d, not %d", x[i],
				 m, l, r, got[i], want);
			return 0;
		}
	}
	return 1;
}

/*
 * x whose high product is exactly +-(2j + 1) 2^(r-1) (a half: l = 1 and
 * m = 2^30 make it x itself) and its neighbours, then the extremes.
 */
static int rq4_halves(int32_t r)
{
	int64_t half = r ? (int64_t)1 << (r - 1) : 0;
	int32_t j, ok = 1, x[4];

	for (j = 0; j < 5 && r; j++) {
		int32_t h = (int32_t)((2 * j + 1) * half);

		if ((2 * j + 1) * half + 1 >= (int64_t)1 << 30)
			break;	/* 2x must not wrap for x to be the product */
		x[0] = h;
		x[1] = -h;
		x[2] = -h - 1;
		x[3] = -h + 1;
		ok &= rq4_lanes(x, 1 << 30, 1, r);
	}
	x[0] = INT32_MIN;
	x[1] = INT32_MAX;
	x[2] = -1;
	x[3] = 0;
	return ok & rq4_lanes(x, INT32_MAX, 0, r) & rq4_lanes(x, 0, 3, r) &
	       rq4_lanes(x, 1, 30, r) & rq4_lanes(x, 1 << 30, 1, r);
}

/* The NEON requantization against TFLite's formulas. */
static void rq_neon_cases(struct tap *t)
{
	uint64_t s = 0x2545f4914f6cdd1dull;
	int32_t r, i, x[4], ok = 1;

	for (r = 0; r <= 31; r++)
		ok &= rq4_halves(r);
	for (i = 0; i < 20000 && ok; i++) {
		x[0] = (int32_t)(rnd(&s) >> rr(&s, 0, 20));
		x[1] = (int32_t)(0u - (uint32_t)x[0]);
		x[2] = rr(&s, -70000, 70000);
		x[3] = (int32_t)((uint32_t)rnd(&s) << 11);
		ok &= rq4_lanes(x, rr(&s, 0, 3) ? (int32_t)((rnd(&s) & INT32_MAX) | 1u << 30) :
				rr(&s, 0, INT32_MAX), rr(&s, 0, 30), rr(&s, 0, 31));
	}
	tap_check(t, ok, "neon: the requantization equals TFLite's formulas "
		  "(every shift, halves, extremes, 20000 random vectors)");
}
#endif

int main(int argc, char **argv)
{
	struct tap t = { 0 };

	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: cpu_exec_test MODELS_DIR [SHARED_DIR]\n");
		return 2;
	}
#if defined(__aarch64__)
	rq_neon_cases(&t);
#endif
	kernel_cases(&t, 500);
	models_in(&t, argv[1], 1);
	if (argc == 3)
		models_in(&t, argv[2], 0);
	unsetenv("EDGENPU_CPU_KERNELS");
	return tap_done(&t);
}
