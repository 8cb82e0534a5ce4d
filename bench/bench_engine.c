// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * bench_engine: CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED on
 * MobileNet v2 224x224 layer shapes, single-threaded, in one process:
 *   - the engine (what the NPU runs; the CPU executor's path for ops
 *     without a kernel of their own),
 *   - the CPU executor's own kernels (libedgenpu's cpu_*.o, the release
 *     build, at the best ISA level this CPU has: a one-op CPU plan), and
 *   - XNNPACK's QS8/QC8 operators (Debian libxnnpack, 2022-02 snapshot).
 * Prints GMAC/s of each, the ratio XNNPACK time / CPU executor time per
 * layer (above 1: the executor is faster), the overall ratios (total MACs
 * over total time, i.e. MAC-weighted) and the geometric mean of the
 * per-layer ratios, for the executor and for the engine. It checks that
 * the executor's output is the engine's byte for byte (exit 1 if not)
 * and reports the largest difference from XNNPACK, which requantizes in
 * fp32 where TFLite's reference kernels use fixed point.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xnnpack.h>

#include "cpu_plan.h"
#include "edgenpu_engine.h"
#include "engine_jobbuild.h"

enum kind { K_CONV, K_DW, K_FC };

struct layer {
	const char *name;
	enum kind kind;
	u32 h, w, cin, cout, k, stride;
};

/* MobileNet v2 (224x224, width 1.0) layer shapes. */
static const struct layer layers[] = {
	{ "conv0 3x3/2 224x224x3->32", K_CONV, 224, 224, 3, 32, 3, 2 },
	{ "dw 3x3/1 112x112x32", K_DW, 112, 112, 32, 32, 3, 1 },
	{ "pw 112x112 32->16", K_CONV, 112, 112, 32, 16, 1, 1 },
	{ "pw 112x112 16->96", K_CONV, 112, 112, 16, 96, 1, 1 },
	{ "dw 3x3/2 112x112x96", K_DW, 112, 112, 96, 96, 3, 2 },
	{ "pw 56x56 96->24", K_CONV, 56, 56, 96, 24, 1, 1 },
	{ "pw 56x56 24->144", K_CONV, 56, 56, 24, 144, 1, 1 },
	{ "dw 3x3/1 56x56x144", K_DW, 56, 56, 144, 144, 3, 1 },
	{ "pw 28x28 32->192", K_CONV, 28, 28, 32, 192, 1, 1 },
	{ "dw 3x3/1 28x28x192", K_DW, 28, 28, 192, 192, 3, 1 },
	{ "pw 14x14 384->64", K_CONV, 14, 14, 384, 64, 1, 1 },
	{ "pw 14x14 576->96", K_CONV, 14, 14, 576, 96, 1, 1 },
	{ "dw 3x3/1 14x14x576", K_DW, 14, 14, 576, 576, 3, 1 },
	{ "pw 7x7 960->320", K_CONV, 7, 7, 960, 320, 1, 1 },
	{ "pw 7x7 320->1280", K_CONV, 7, 7, 320, 1280, 1, 1 },
	{ "fc 1280->1000", K_FC, 1, 1, 1280, 1000, 1, 1 },
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* TFLite's QuantizeMultiplier (userspace side of the engine contract). */
static void quantize_multiplier(double m, s32 *q, s32 *shift)
{
	int e;
	double f;
	long long r;

	if (m == 0.0) {
		*q = 0;
		*shift = 0;
		return;
	}
	f = frexp(m, &e);
	r = llround(f * (double)(1ll << 31));
	if (r == (1ll << 31)) {
		r /= 2;
		e++;
	}
	if (e < -31) {
		e = 0;
		r = 0;
	}
	*q = (s32)r;
	*shift = e;
}

static void fill(s8 *p, size_t n, unsigned int *seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (s8)(rand_r(seed) & 0xff);
}

/* Time fn until at least 0.3 s have passed; best of 3 rounds. */
#define TIME_IT(best, stmt) do {					\
	int _r;								\
	best = 1e30;							\
	for (_r = 0; _r < 3; _r++) {					\
		double _t0 = now_s(), _t;				\
		long _it = 0;						\
		do {							\
			stmt;						\
			_it++;						\
			_t = now_s() - _t0;				\
		} while (_t < 0.1);					\
		if (_t / _it < best)					\
			best = _t / _it;				\
	}								\
} while (0)

/*
 * A CPU plan of the one-op stream over @bufs (input 0, output 3, the rest
 * constants), one thread, at the best ISA level; NULL on failure.
 */
static struct edgenpu_cpu_plan *cpu_plan_of(u8 *stream, u32 len,
					    const struct edgenpu_engine_buffer *bufs,
					    void *scratch)
{
	static struct edgenpu_plan plan;	/* large: off the stack */
	struct plan_segment seg = { .stream = stream, .size = len,
				    .placement = EDGENPU_PLACE_CPU };
	struct edgenpu_cpu_plan *cp = NULL;
	struct edgenpu_engine_error err;
	u32 i;

	memset(&plan, 0, sizeof(plan));
	plan.nbufs = 6;
	for (i = 0; i < 6; i++)
		plan.bufs[i] = (struct edgenpu_plan_buffer){
			i == 0 ? EDGENPU_BUF_INPUT : i == 3 ? EDGENPU_BUF_OUTPUT :
			EDGENPU_BUF_WEIGHTS, 0, bufs[i].size, bufs[i].flags,
			i == 0 || i == 3 ? NULL : bufs[i].ptr };
	plan.nsegs = 1;
	plan.segs = &seg;
	if (edgenpu__cpu_plan_create(&plan, 0, bufs, 6, scratch,
				     edgenpu__cpu_isa_choose(), &cp, &err))
		return NULL;
	if (!edgenpu__cpu_plan_fast_total(cp)) {
		edgenpu__cpu_plan_free(cp);
		return NULL;
	}
	return cp;
}

int main(void)
{
	double tot_mac = 0, tot_e = 0, tot_x = 0, tot_c = 0;
	double log_ratio = 0, log_ratio_c = 0, worst = 1e30;
	unsigned int seed = 1234;
	size_t li, nl = sizeof(layers) / sizeof(layers[0]);
	void *scratch = aligned_alloc(64, EDGENPU_ENGINE_SCRATCH_SIZE);
	int maxdiff_all = 0;

	if (xnn_initialize(NULL) != xnn_status_success) {
		fprintf(stderr, "xnn_initialize failed\n");
		return 1;
	}
	printf("%-28s %8s %8s %8s %8s %7s %7s %5s\n", "layer", "MMAC", "engine",
	       "cpu", "xnnpack", "x/cpu", "x/eng", "maxd");
	printf("%-28s %8s %8s %8s %8s %7s %7s %5s\n", "", "", "GMAC/s",
	       "GMAC/s", "GMAC/s", "", "", "LSB");
	for (li = 0; li < nl; li++) {
		const struct layer *L = &layers[li];
		u32 pad = L->k / 2, oh, ow, kin, i;
		u32 ptop, pleft, pbot, pright;
		size_t in_n, w_n, out_n;
		s8 *in, *wt, *out_e, *out_x, *out_c;
		struct edgenpu_cpu_plan *cpl;
		double tc;
		s32 *bias, *pcm, *pcs;
		float *wscale;
		double macs, te, tx, in_s = 0.02, out_s;
		s32 in_zp = -3, out_zp = 5;
		u8 stream[4096];
		struct jb j;
		u32 len;
		struct edgenpu_engine_buffer bufs[6];
		struct edgenpu_engine_error err;
		xnn_operator_t xop = NULL;
		enum xnn_status st;
		int maxd = 0;

		if (L->kind == K_FC) {
			oh = ow = 1;
			ptop = pleft = pbot = pright = 0;
		} else {
			u32 tot;

			/* TFLite SAME padding. */
			oh = (L->h + L->stride - 1) / L->stride;
			ow = (L->w + L->stride - 1) / L->stride;
			tot = (oh - 1) * L->stride + L->k > L->h ?
			      (oh - 1) * L->stride + L->k - L->h : 0;
			ptop = tot / 2;
			pbot = tot - ptop;
			tot = (ow - 1) * L->stride + L->k > L->w ?
			      (ow - 1) * L->stride + L->k - L->w : 0;
			pleft = tot / 2;
			pright = tot - pleft;
		}
		(void)pad;
		kin = L->kind == K_DW ? 1 : L->cin;
		in_n = (size_t)L->h * L->w * L->cin;
		w_n = (size_t)L->cout * L->k * L->k * kin;
		out_n = (size_t)oh * ow * L->cout;
		macs = (double)out_n * L->k * L->k * kin;
		in = aligned_alloc(64, in_n + 64);
		wt = aligned_alloc(64, w_n + 64);
		out_e = aligned_alloc(64, out_n + 64);
		out_x = aligned_alloc(64, out_n + 64);
		out_c = aligned_alloc(64, out_n + 64);
		bias = calloc(L->cout, 4);
		pcm = calloc(L->cout, 4);
		pcs = calloc(L->cout, 4);
		wscale = calloc(L->cout, sizeof(float));
		fill(in, in_n, &seed);
		fill(wt, w_n, &seed);
		out_s = in_s * 0.004 * sqrt((double)L->k * L->k * kin) * 74.0 *
			74.0 / 40.0;
		for (i = 0; i < L->cout; i++) {
			wscale[i] = 0.004f * (1.0f + (float)(i % 7) / 10.0f);
			bias[i] = (s32)(rand_r(&seed) % 2001) - 1000;
			quantize_multiplier(in_s * wscale[i] / out_s, &pcm[i],
					    &pcs[i]);
		}
		if (L->kind == K_FC) {
			/* Per-tensor for FC (XNNPACK has no QC8 FC here). */
			for (i = 0; i < L->cout; i++)
				wscale[i] = 0.004f;
			quantize_multiplier(in_s * 0.004 / out_s, &pcm[0],
					    &pcs[0]);
		}

		/* Engine job. */
		{
			struct edgenpu_cmd_tensor t[6];
			struct edgenpu_cmd_conv_params cp;
			u32 nt = 6;

			jb_init(&j, stream, sizeof(stream));
			t[0] = jb_t(0, EDGENPU_DTYPE_INT8, 0, 1, L->h, L->w,
				    L->cin, in_zp);
			if (L->kind == K_DW)
				t[1] = jb_t(1, EDGENPU_DTYPE_INT8, 0, 1, L->k,
					    L->k, L->cout, 0);
			else if (L->kind == K_FC)
				t[1] = jb_t(1, EDGENPU_DTYPE_INT8, 0, 1, 1,
					    L->cout, L->cin, 0);
			else
				t[1] = jb_t(1, EDGENPU_DTYPE_INT8, 0, L->cout,
					    L->k, L->k, L->cin, 0);
			t[2] = jb_t(2, EDGENPU_DTYPE_INT32, 0, 1, 1, 1, L->cout,
				    0);
			t[3] = jb_t(3, EDGENPU_DTYPE_INT8, 0, 1, oh, ow,
				    L->cout, out_zp);
			if (L->kind == K_FC) {
				t[3] = jb_q(t[3], pcm[0], pcs[0]);
				nt = 4;
			} else {
				t[3].flags = EDGENPU_TENSOR_F_PER_CHANNEL;
				t[4] = jb_t(4, EDGENPU_DTYPE_INT32, 0, 1, 1, 1,
					    L->cout, 0);
				t[5] = jb_t(5, EDGENPU_DTYPE_INT32, 0, 1, 1, 1,
					    L->cout, 0);
			}
			cp = jb_conv(L->stride, L->stride, 1, 1, ptop, pleft,
				     pbot, pright, L->kind == K_DW ? 1 : 0);
			if (L->kind == K_FC)
				jb_op(&j, EDGENPU_OP_FULLY_CONNECTED, 0, -128,
				      127, NULL, 0, t, nt);
			else
				jb_op(&j, L->kind == K_DW ?
				      EDGENPU_OP_DEPTHWISE_CONV_2D :
				      EDGENPU_OP_CONV_2D, 0, -128, 127, &cp,
				      sizeof(cp), t, nt);
			len = jb_finish(&j);
		}
		bufs[0] = (struct edgenpu_engine_buffer){ in, in_n,
			EDGENPU_BUF_READ, 0 };
		bufs[1] = (struct edgenpu_engine_buffer){ wt, w_n,
			EDGENPU_BUF_READ, 0 };
		bufs[2] = (struct edgenpu_engine_buffer){ bias,
			4ull * L->cout, EDGENPU_BUF_READ, 0 };
		bufs[3] = (struct edgenpu_engine_buffer){ out_e, out_n,
			EDGENPU_BUF_WRITE, 0 };
		bufs[4] = (struct edgenpu_engine_buffer){ pcm, 4ull * L->cout,
			EDGENPU_BUF_READ, 0 };
		bufs[5] = (struct edgenpu_engine_buffer){ pcs, 4ull * L->cout,
			EDGENPU_BUF_READ, 0 };
		if (edgenpu_engine_run(stream, len, bufs, 6, scratch,
				       EDGENPU_ENGINE_SCRATCH_SIZE, NULL,
				       &err)) {
			fprintf(stderr, "%s: engine: %s (op %d)\n", L->name,
				err.msg, err.op_index);
			return 1;
		}
		TIME_IT(te, edgenpu_engine_run(stream, len, bufs, 6, scratch,
					       EDGENPU_ENGINE_SCRATCH_SIZE,
					       NULL, NULL));

		/* The CPU executor's kernel: same op, its own output. */
		bufs[3].ptr = out_c;
		cpl = cpu_plan_of(stream, len, bufs, scratch);
		if (!cpl || edgenpu__cpu_plan_run(cpl, 0, bufs, 6, scratch,
						  NULL, NULL, &err)) {
			fprintf(stderr, "%s: no CPU executor kernel ran it\n",
				L->name);
			return 1;
		}
		if (memcmp(out_c, out_e, out_n)) {
			fprintf(stderr, "%s: the CPU executor's bytes differ from the engine's\n",
				L->name);
			return 1;
		}
		TIME_IT(tc, edgenpu__cpu_plan_run(cpl, 0, bufs, 6, scratch, NULL,
						  NULL, &err));
		edgenpu__cpu_plan_free(cpl);
		bufs[3].ptr = out_e;

		/* XNNPACK operator. */
		if (L->kind == K_FC) {
			st = xnn_create_fully_connected_nc_qs8(L->cin, L->cout,
				L->cin, L->cout, (int8_t)in_zp, (float)in_s,
				0.004f, wt, bias, (int8_t)out_zp, (float)out_s,
				-128, 127, 0, &xop);
			if (st == xnn_status_success)
				st = xnn_setup_fully_connected_nc_qs8(xop, 1, in,
								      out_x, NULL);
		} else {
			u32 dw = L->kind == K_DW;

			st = xnn_create_convolution2d_nhwc_qc8(ptop, pright,
				pbot, pleft, L->k, L->k, L->stride, L->stride,
				1, 1, dw ? L->cin : 1, dw ? 1 : L->cin,
				dw ? 1 : L->cout, L->cin, L->cout,
				(int8_t)in_zp, (float)in_s, wscale, wt, bias,
				(int8_t)out_zp, (float)out_s, -128, 127,
				dw ? XNN_FLAG_DEPTHWISE_CONVOLUTION : 0, &xop);
			if (st == xnn_status_success)
				st = xnn_setup_convolution2d_nhwc_qc8(xop, 1,
					L->h, L->w, in, out_x, NULL);
		}
		if (st != xnn_status_success ||
		    xnn_run_operator(xop, NULL) != xnn_status_success) {
			fprintf(stderr, "%s: XNNPACK failed (%d)\n", L->name, st);
			return 1;
		}
		TIME_IT(tx, xnn_run_operator(xop, NULL));
		xnn_delete_operator(xop);

		for (i = 0; i < out_n; i++) {
			int d = abs(out_e[i] - out_x[i]);

			if (d > maxd)
				maxd = d;
		}
		if (maxd > maxdiff_all)
			maxdiff_all = maxd;
		printf("%-28s %8.2f %8.2f %8.2f %8.2f %7.3f %7.3f %5d\n", L->name,
		       macs / 1e6, macs / te / 1e9, macs / tc / 1e9,
		       macs / tx / 1e9, tx / tc, tx / te, maxd);
		tot_mac += macs;
		tot_e += te;
		tot_x += tx;
		tot_c += tc;
		log_ratio += log(tx / te);
		log_ratio_c += log(tx / tc);
		worst = tx / tc < worst ? tx / tc : worst;
		free(in);
		free(wt);
		free(out_e);
		free(out_x);
		free(out_c);
		free(bias);
		free(pcm);
		free(pcs);
		free(wscale);
	}
	printf("%-28s %8.2f %8.2f %8.2f %8.2f %7.3f %7.3f %5d\n",
	       "overall (MAC-weighted)", tot_mac / 1e6, tot_mac / tot_e / 1e9,
	       tot_mac / tot_c / 1e9, tot_mac / tot_x / 1e9, tot_x / tot_c,
	       tot_x / tot_e, maxdiff_all);
	printf("geometric mean of per-layer ratios: CPU executor %.3f, engine %.3f; lowest CPU executor layer %.3f\n",
	       exp(log_ratio_c / (double)nl), exp(log_ratio / (double)nl),
	       worst);
	printf("(ratios: XNNPACK's time over ours; CPU executor kernels: %s)\n",
	       edgenpu__cpu_isa_choose() == CPU_ISA_AVX2 ? "AVX2" :
	       edgenpu__cpu_isa_choose() == CPU_ISA_C ? "portable C" : "none");
	free(scratch);
	return 0;
}
