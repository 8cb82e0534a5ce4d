// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * External oracle: ONNX node tests (Debian libonnx-testdata) run through
 * the engine. onnx_pb2raw.py maps each node onto an engine op and writes
 * DIR/cases.txt; this program builds the jobs, runs them and compares.
 *
 * Tolerance: 1 LSB for QLinearConv/QLinearMatMul. ONNX's reference
 * requantizes in float (x * scale, round half to even), the engine (like
 * TensorFlow Lite) with a Q31 fixed-point multiplier and double rounding
 * (round half up, then half away from zero), so results may differ by one
 * at ties and near-ties. ConvInteger/MatMulInteger are integer-only and
 * are compared exactly (tolerance 0, identity requantization).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edgenpu_engine.h"
#include "engine_jobbuild.h"
#include "tap.h"

static int rd_ints(FILE *f, const char *key, int32_t *v, int n)
{
	char k[32];
	int i;

	if (fscanf(f, "%31s", k) != 1 || strcmp(k, key))
		return -1;
	for (i = 0; i < n; i++)
		if (fscanf(f, "%d", &v[i]) != 1)
			return -1;
	return 0;
}

static int32_t *rd_data(FILE *f, int n)
{
	int32_t *v = calloc(n ? n : 1, sizeof(*v));
	int i;

	for (i = 0; i < n; i++)
		if (fscanf(f, "%d", &v[i]) != 1) {
			free(v);
			return NULL;
		}
	return v;
}

static int run_case(struct tap *tp, FILE *f, const char *name,
		    const char *kind)
{
	int32_t in[5], w[5], nb, par[8], out[9];
	int32_t *xv, *wv, *bv = NULL, *ev;
	int8_t *x8, *w8, *o8;
	static uint8_t stream[4096];
	void *scratch = aligned_alloc(64, EDGENPU_ENGINE_SCRATCH_SIZE);
	struct edgenpu_engine_buffer bufs[4];
	struct edgenpu_engine_error err;
	struct edgenpu_cmd_tensor t[4];
	struct edgenpu_cmd_conv_params p;
	int nin, nw, nout, i, ret, good = 1, maxd = 0;
	char endk[16];
	struct jb j;

	if (rd_ints(f, "in", in, 5))
		return -1;
	nin = in[0] * in[1] * in[2] * in[3];
	xv = rd_data(f, nin);
	if (rd_ints(f, "w", w, 5))
		return -1;
	nw = w[0] * w[1] * w[2] * w[3];
	wv = rd_data(f, nw);
	if (rd_ints(f, "bias", &nb, 1))
		return -1;
	if (nb)
		bv = rd_data(f, nb);
	if (rd_ints(f, "par", par, 8) || rd_ints(f, "out", out, 9))
		return -1;
	nout = out[0] * out[1] * out[2] * out[3];
	ev = rd_data(f, nout);
	if (!xv || !wv || !ev || fscanf(f, "%15s", endk) != 1 || strcmp(endk, "end"))
		return -1;
	x8 = malloc(nin);
	w8 = malloc(nw);
	o8 = malloc(nout);
	for (i = 0; i < nin; i++)
		x8[i] = (int8_t)xv[i];
	for (i = 0; i < nw; i++)
		w8[i] = (int8_t)wv[i];
	t[0] = jb_t(0, EDGENPU_DTYPE_INT8, 0, in[0], in[1], in[2], in[3], in[4]);
	t[1] = jb_t(1, EDGENPU_DTYPE_INT8, 0, w[0], w[1], w[2], w[3], w[4]);
	t[2] = nb ? jb_t(2, EDGENPU_DTYPE_INT32, 0, 1, 1, 1, nb, 0) : jb_none();
	t[3] = jb_q(jb_t(3, EDGENPU_DTYPE_INT8, 0, out[0], out[1], out[2], out[3],
			 out[4]), out[5], out[6]);
	bufs[0] = (struct edgenpu_engine_buffer){ x8, nin, EDGENPU_BUF_READ, 0 };
	bufs[1] = (struct edgenpu_engine_buffer){ w8, nw, EDGENPU_BUF_READ, 0 };
	bufs[2] = (struct edgenpu_engine_buffer){ bv, nb * 4ull, EDGENPU_BUF_READ, 0 };
	bufs[3] = (struct edgenpu_engine_buffer){ o8, nout, EDGENPU_BUF_WRITE, 0 };
	jb_init(&j, stream, sizeof(stream));
	if (!strcmp(kind, "conv")) {
		p = jb_conv(par[0], par[1], par[2], par[3], par[4], par[5], par[6],
			    par[7], 0);
		jb_op(&j, EDGENPU_OP_CONV_2D, 0, -128, 127, &p, sizeof(p), t, 4);
	} else {
		jb_op(&j, EDGENPU_OP_FULLY_CONNECTED, 0, -128, 127, NULL, 0, t, 4);
	}
	ret = edgenpu_engine_run(stream, jb_finish(&j), bufs, 4, scratch,
				 EDGENPU_ENGINE_SCRATCH_SIZE, NULL, &err);
	if (ret) {
		tap_diag("%s: engine rejected: %s", name, err.msg);
		good = 0;
	}
	for (i = 0; good && i < nout; i++) {
		int d = abs(o8[i] - ev[i]);

		if (d > maxd)
			maxd = d;
	}
	if (maxd > out[7])
		good = 0;
	tap_check(tp, good, "ONNX %s (%d outputs, max diff %d LSB, tolerance %d)",
		  name, nout, maxd, out[7]);
	free(xv);
	free(wv);
	free(bv);
	free(ev);
	free(x8);
	free(w8);
	free(o8);
	free(scratch);
	return 0;
}

int main(int argc, char **argv)
{
	char path[1024], key[16], name[128], kind[16];
	struct tap t = { 0 };
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR (from onnx_pb2raw.py)\n", argv[0]);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/cases.txt", argv[1]);
	f = fopen(path, "r");
	if (!f) {
		perror(path);
		return 2;
	}
	while (fscanf(f, "%15s %127s", key, name) == 2) {
		if (!strcmp(key, "skip")) {
			char why[256] = "";

			if (!fgets(why, sizeof(why), f))
				why[0] = 0;
			why[strcspn(why, "\n")] = 0;
			tap_skip(&t, why + strspn(why, " "), "ONNX %s", name);
			continue;
		}
		if (fscanf(f, "%15s", kind) != 1 || run_case(&t, f, name, kind)) {
			tap_check(&t, 0, "ONNX case file malformed at %s", name);
			break;
		}
	}
	fclose(f);
	return tap_done(&t);
}
