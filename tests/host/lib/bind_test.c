// SPDX-License-Identifier: MIT
/*
 * bind_test: edgenpu_runner_bind_input() and edgenpu_runner_bind_output()
 * on the CPU executor. Built with ASan and UBSan (the library's sources
 * compiled in), so that the caller's memory, allocated at exactly each
 * tensor's size, catches any read or write past its end. TAP.
 *
 *   bind_test MODELS_DIR
 *
 * Every generated model with expected outputs (MODELS_DIR/<name>/
 * {model.tflite,input<i>.bin,expected<i>.bin}): its inputs and outputs
 * bound to caller memory, with the runner's own buffers filled with other
 * bytes, runs bit-exact with the expected outputs and leaves the runner's
 * own outputs untouched; bound again to a second set at other addresses,
 * on three threads, likewise; unbound (NULL), it runs on its own buffers
 * again and leaves the last bound outputs alone. Then the refusals: index
 * out of range, too small, misaligned, overlapping a buffer the run writes,
 * each leaving the binding as it was.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "edgenpu.h"
#include "file_util.h"
#include "tap.h"

#define MAXIO 8

/* @size bytes, 64-byte aligned, nothing after them (ASan sees the end). */
static void *exact(size_t size, int fill)
{
	void *p = NULL;

	if (posix_memalign(&p, 64, size ? size : 1))
		return NULL;
	memset(p, fill, size);
	return p;
}

static int all_bytes(const void *p, size_t n, int v)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != (unsigned char)v)
			return 0;
	return 1;
}

struct io {
	size_t nin, nout;
	size_t in_size[MAXIO], out_size[MAXIO];
	void *in[MAXIO], *want[MAXIO];	/* input<i>.bin, expected<i>.bin */
};

static void io_free(struct io *io)
{
	size_t i;

	for (i = 0; i < io->nin; i++)
		free(io->in[i]);
	for (i = 0; i < io->nout; i++)
		free(io->want[i]);
}

/* The model's files, sized as the runner's buffers; 0 or -1. */
static int io_load(struct edgenpu_runner *r, const char *dir, struct io *io)
{
	char path[4096];
	size_t n;

	memset(io, 0, sizeof(*io));
	while (io->nin < MAXIO && edgenpu_runner_input(r, io->nin, &n)) {
		io->in_size[io->nin] = n;
		snprintf(path, sizeof(path), "%s/input%zu.bin", dir, io->nin);
		io->in[io->nin] = tu_read_file(path, &n);
		if (!io->in[io->nin++] || n != io->in_size[io->nin - 1])
			return -1;
	}
	while (io->nout < MAXIO && edgenpu_runner_output(r, io->nout, &n)) {
		io->out_size[io->nout] = n;
		snprintf(path, sizeof(path), "%s/expected%zu.bin", dir, io->nout);
		io->want[io->nout] = tu_read_file(path, &n);
		if (!io->want[io->nout++] || n != io->out_size[io->nout - 1])
			return -1;
	}
	return io->nin && io->nout ? 0 : -1;
}

/*
 * One bound run over fresh exact-size buffers: the runner's own buffers
 * filled with other bytes first. 1 when the outputs are bit-exact and the
 * runner's own outputs untouched. The buffers are returned in @bin/@bout.
 */
static int bound_run(struct edgenpu_runner *r, const struct io *io,
		     void **bin, void **bout, const char **why)
{
	void *own_out[MAXIO];
	size_t i;

	for (i = 0; i < io->nin; i++) {
		memset(edgenpu_runner_input(r, i, NULL), 0x5a, io->in_size[i]);
		bin[i] = exact(io->in_size[i], 0);
		if (!bin[i])
			return *why = "out of memory", 0;
		memcpy(bin[i], io->in[i], io->in_size[i]);
	}
	for (i = 0; i < io->nout; i++) {
		own_out[i] = (void *)(uintptr_t)edgenpu_runner_output(r, i, NULL);
		bout[i] = exact(io->out_size[i], 0xa5);
		if (!bout[i])
			return *why = "out of memory", 0;
	}
	for (i = 0; i < io->nin; i++)
		if (edgenpu_runner_bind_input(r, i, bin[i], io->in_size[i]) ||
		    edgenpu_runner_input(r, i, NULL) != bin[i])
			return *why = "bind_input", 0;
	for (i = 0; i < io->nout; i++) {
		/* the runner's own output, unless bound: its bytes kept */
		if (own_out[i] != bout[i])
			memset(own_out[i], 0x3c, io->out_size[i]);
		if (edgenpu_runner_bind_output(r, i, bout[i], io->out_size[i]) ||
		    edgenpu_runner_output(r, i, NULL) != bout[i])
			return *why = "bind_output", 0;
	}
	if (edgenpu_runner_run(r))
		return *why = edgenpu_runner_last_error(r), 0;
	for (i = 0; i < io->nout; i++) {
		if (memcmp(bout[i], io->want[i], io->out_size[i]))
			return *why = "a bound output differs from expected", 0;
		if (!all_bytes(own_out[i], io->out_size[i], 0x3c))
			return *why = "the runner's own output was written", 0;
	}
	return 1;
}

static void test_model(struct tap *t, const char *dir, const char *name)
{
	struct edgenpu_model *m = NULL;
	struct edgenpu_plan *p = NULL;
	struct edgenpu_runner *r = NULL;
	void *in1[MAXIO] = { 0 }, *out1[MAXIO] = { 0 };
	void *in2[MAXIO] = { 0 }, *out2[MAXIO] = { 0 };
	const char *why = "";
	char path[4096], err[256] = "";
	struct io io;
	size_t i;
	int ok = 0;

	memset(&io, 0, sizeof(io));
	snprintf(path, sizeof(path), "%s/model.tflite", dir);
	if (edgenpu_model_load_file(path, &m, err, sizeof(err)) ||
	    edgenpu_plan_create(m, EDGENPU_OP_MASK_ALL, &p, err, sizeof(err)) ||
	    edgenpu_runner_create(p, NULL, &r, err, sizeof(err))) {
		/* models the planner refuses are the other tests' business */
		tap_skip(t, err, "%s", name);
		goto out;
	}
	if (io_load(r, dir, &io)) {
		why = "model files";
		goto done;
	}
	/* bound to a first set of buffers, one thread */
	if (!bound_run(r, &io, in1, out1, &why))
		goto done;
	/* to a second set at other addresses, three threads */
	if (edgenpu_runner_set_threads(r, 3)) {
		why = "set_threads";
		goto done;
	}
	if (!bound_run(r, &io, in2, out2, &why))
		goto done;
	/* unbound: the runner's own buffers again; the bound ones left alone */
	for (i = 0; i < io.nout; i++)
		memset(out2[i], 0x77, io.out_size[i]);
	for (i = 0; i < io.nin; i++) {
		void *own;

		if (edgenpu_runner_bind_input(r, i, NULL, 0) ||
		    (own = edgenpu_runner_input(r, i, NULL)) == in2[i]) {
			why = "unbind input";
			goto done;
		}
		memcpy(own, io.in[i], io.in_size[i]);
	}
	for (i = 0; i < io.nout; i++)
		if (edgenpu_runner_bind_output(r, i, NULL, 0) ||
		    edgenpu_runner_output(r, i, NULL) == out2[i]) {
			why = "unbind output";
			goto done;
		}
	if (edgenpu_runner_run(r)) {
		why = edgenpu_runner_last_error(r);
		goto done;
	}
	for (i = 0; i < io.nout; i++) {
		if (memcmp(edgenpu_runner_output(r, i, NULL), io.want[i],
			   io.out_size[i])) {
			why = "unbound: an output differs from expected";
			goto done;
		}
		if (!all_bytes(out2[i], io.out_size[i], 0x77)) {
			why = "unbound: the formerly bound output was written";
			goto done;
		}
	}
	ok = 1;
done:
	if (!tap_check(t, ok, "%s: inputs and outputs bound (1 thread, then other addresses on 3), then unbound: outputs equal expected, only the bound memory written",
		       name))
		tap_diag("%s", why);
out:
	edgenpu_runner_unref(r);	/* before the memory it was bound to */
	for (i = 0; i < MAXIO; i++) {
		free(in1[i]);
		free(out1[i]);
		free(in2[i]);
		free(out2[i]);
	}
	io_free(&io);
	edgenpu_plan_unref(p);
	edgenpu_model_unref(m);
}

/* The refusals, on a one-input, one-output model (@dir). */
static void test_refusals(struct tap *t, const char *dir, const char *name)
{
	struct edgenpu_model *m = NULL;
	struct edgenpu_plan *p = NULL;
	struct edgenpu_runner *r = NULL;
	size_t isz = 0, osz = 0;
	char path[4096], err[256] = "";
	unsigned char *a = NULL, *b = NULL, *big = NULL;
	void *own_in, *own_out;

	snprintf(path, sizeof(path), "%s/model.tflite", dir);
	if (edgenpu_model_load_file(path, &m, err, sizeof(err)) ||
	    edgenpu_plan_create(m, EDGENPU_OP_MASK_ALL, &p, err, sizeof(err)) ||
	    edgenpu_runner_create(p, NULL, &r, err, sizeof(err)) ||
	    !(own_in = edgenpu_runner_input(r, 0, &isz)) ||
	    !(own_out = (void *)(uintptr_t)edgenpu_runner_output(r, 0, &osz))) {
		tap_check(t, 0, "%s: runner: %s", name, err);
		goto out;
	}
	a = exact(isz + 64, 0);
	b = exact(osz + 64, 0);
	big = exact(isz + osz + 128, 0);
	if (!a || !b || !big) {
		tap_check(t, 0, "memory");
		goto out;
	}
	tap_check(t, edgenpu_runner_bind_input(NULL, 0, a, isz) == -EINVAL &&
		  edgenpu_runner_bind_output(NULL, 0, b, osz) == -EINVAL,
		  "%s: a NULL runner: -EINVAL", name);
	tap_check(t, edgenpu_runner_bind_input(r, 1, a, isz) == -EINVAL &&
		  edgenpu_runner_bind_output(r, 1, b, osz) == -EINVAL &&
		  edgenpu_runner_bind_input(r, SIZE_MAX, a, isz) == -EINVAL,
		  "%s: an index out of range: -EINVAL", name);
	tap_check(t, edgenpu_runner_bind_input(r, 0, a, isz - 1) == -EINVAL &&
		  edgenpu_runner_bind_output(r, 0, b, osz - 1) == -EINVAL,
		  "%s: memory smaller than the tensor: -EINVAL", name);
	tap_check(t, edgenpu_runner_bind_input(r, 0, a + 1, isz) == -EINVAL &&
		  edgenpu_runner_bind_output(r, 0, b + 32, osz) == -EINVAL &&
		  edgenpu_runner_input(r, 0, NULL) == own_in &&
		  edgenpu_runner_output(r, 0, NULL) == own_out,
		  "%s: memory not 64-byte aligned: -EINVAL, the runner's own buffers kept",
		  name);
	tap_check(t, edgenpu_runner_bind_input(r, 0, own_out, osz + isz) == -EINVAL &&
		  edgenpu_runner_bind_output(r, 0, own_in, isz + osz) == -EINVAL,
		  "%s: an input on the runner's own output, an output on its own input: -EINVAL",
		  name);
	tap_check(t, !edgenpu_runner_bind_input(r, 0, big, isz) &&
		  edgenpu_runner_bind_output(r, 0, big + (isz & ~(size_t)63), osz) == -EINVAL &&
		  edgenpu_runner_output(r, 0, NULL) == own_out,
		  "%s: an output overlapping the bound input: -EINVAL, binding unchanged",
		  name);
	tap_check(t, !edgenpu_runner_bind_input(r, 0, NULL, 0) &&
		  !edgenpu_runner_bind_output(r, 0, big, osz) &&
		  edgenpu_runner_bind_input(r, 0, big + (osz & ~(size_t)63), isz) == -EINVAL &&
		  edgenpu_runner_input(r, 0, NULL) == own_in,
		  "%s: an input overlapping the bound output: -EINVAL, binding unchanged",
		  name);
	tap_check(t, !edgenpu_runner_bind_output(r, 0, b, osz) &&
		  !edgenpu_runner_bind_input(r, 0, big, isz) &&
		  !edgenpu_runner_bind_output(r, 0, big + ((isz + 63) & ~(size_t)63), osz) &&
		  !edgenpu_runner_run(r),
		  "%s: input and output side by side in one allocation: accepted, runs", name);
out:
	edgenpu_runner_unref(r);
	free(a);
	free(b);
	free(big);
	edgenpu_plan_unref(p);
	edgenpu_model_unref(m);
}

static int cmp_names(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

int main(int argc, char **argv)
{
	struct tap t = { 0 };
	char **names = NULL, dir[2048], path[4096];
	size_t n = 0, cap = 0, i;
	struct dirent *e;
	DIR *dd;

	if (argc != 2) {
		fprintf(stderr, "usage: bind_test MODELS_DIR\n");
		return 2;
	}
	dd = opendir(argv[1]);
	while (dd && (e = readdir(dd))) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **grown;

			cap = cap ? 2 * cap : 256;
			grown = realloc(names, cap * sizeof(*names));
			if (!grown)
				return 2;
			names = grown;
		}
		names[n++] = strdup(e->d_name);
	}
	if (dd)
		closedir(dd);
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	tap_check(&t, n > 0, "%zu entries in %s", n, argv[1]);
	for (i = 0; i < n; i++) {
		snprintf(dir, sizeof(dir), "%s/%s", argv[1], names[i]);
		snprintf(path, sizeof(path), "%s/expected0.bin", dir);
		if (!access(path, R_OK))
			test_model(&t, dir, names[i]);
		if (!strcmp(names[i], "conv2d_s1_same_d1_none_pc"))
			test_refusals(&t, dir, names[i]);
		free(names[i]);
	}
	free(names);
	return tap_done(&t);
}
