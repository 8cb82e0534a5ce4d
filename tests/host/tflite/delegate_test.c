// SPDX-License-Identifier: MIT
/*
 * libedgenpu-tflite.so under TensorFlow Lite 2.14 (the oracle chroot's):
 * TFLite's C API loads it with TfLiteExternalDelegateCreate() and runs
 * models with it; TAP output.
 *
 *   delegate_test DELEGATE.so MODELS_DIR [SHARED_DIR]
 *
 * With EDGENPU_TFD_DEVICE=N|PATH (in the guest, on an NPU: tests/guest/
 * tfd-test) only the model runs below are made, on that device instead
 * of device=cpu: every generated model wholly delegated and bit-exact,
 * the real models, and relu_fallback's two partitions around RELU. With
 * EDGENPU_TFD_UNPLUG=PATH too (the device's sysfs "remove" file), only
 * the unplug test: the chain model runs, the device is removed, and the
 * next Invoke fails with the delegate's message, without a crash.
 *
 * - options: unknown keys and bad values are refused naming the key (the
 *   plugin's own report_error, and TfLiteExternalDelegateCreate());
 * - every generated model with expected outputs (MODELS_DIR/<name>/
 *   {model.tflite,input<i>.bin,expected<i>.bin}, TFLite's reference
 *   kernels): with device=cpu the delegate claims every node, and the
 *   outputs equal expected<i>.bin byte for byte, on the first and on a
 *   second Invoke;
 * - SHARED_DIR/add_self.tflite (ADD(x, x), conv), and the shared real
 *   models hello_world_int8, person_detect (as shipped:
 *   TFLite refuses it, skipped) and person_detect_fixed (the oracle's
 *   patched copy, made by scripts/tflite-delegate-test): wholly
 *   delegated, outputs equal the reference kernels' on a pattern input;
 * - the chain model: 100 Invokes after the first allocate nothing (the
 *   plain build counts every malloc of the process);
 * - ResizeInputTensor after the delegate was applied: a conv model through
 *   four shapes and add_self through two are delegated again at each and
 *   equal the reference kernels; a shape edgenpu cannot run (op cost above
 *   2^32) leaves the node to TFLite, or fails AllocateTensors naming the op
 *   with require_full_offload, and resizing back runs bit-exact again;
 * - models with nodes libedgenpu cannot run (SHARED_DIR/relu_fallback.tflite
 *   from gen_fallback_model.py, conv-dwconv-RELU-conv-fc: two partitions
 *   around RELU; keyword_scrambled_8bit's SVDFs and int16 QUANTIZE):
 *   those nodes stay with TFLite,
 *   the outputs equal a run without the delegate (both runs use the
 *   reference kernels, BuiltinRefOpResolver, in this process), and
 *   require_full_offload=true makes interpreter creation fail with a
 *   message naming the op (keyword_scrambled_8bit is placed but not
 *   run: see svdf_broken);
 * - profile=PATH: relu_fallback's 3 Invokes leave a trace that parses as
 *   JSON with 3 "partition invoke", "input copy" and "output copy" events
 *   per partition; a path that cannot be opened is refused, naming it;
 *   one Invoke more than the event buffer holds drops 2 events, and the
 *   trace and a warning say so.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tensorflow/lite/core/c/c_api.h"
#include "tensorflow/lite/core/c/c_api_experimental.h"
#include "tensorflow/lite/delegates/external/external_delegate.h"

#include "custom_alloc.h"
#include "ref_resolver.h"
#include "file_util.h"
#include "tap.h"

#define TFL_RANK_MAX 8

/*
 * Allocation counting for the steady-state check, in the plain build: the
 * program's malloc family is the whole process's (TFLite's and the
 * delegate's calls land here) and forwards to glibc's.
 */
#ifndef __SANITIZE_ADDRESS__
#define COUNT_ALLOCS 1
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void __libc_free(void *p);
static unsigned long g_allocs;

void *malloc(size_t size)
{
	g_allocs++;
	return __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
	g_allocs++;
	return __libc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
	g_allocs++;
	return __libc_realloc(p, size);
}

void free(void *p)
{
	__libc_free(p);
}
#endif

/* LeakSanitizer's, in the sanitized build only. */
extern void __lsan_ignore_object(const void *p) __attribute__((weak));

struct ctx {
	struct tap tap;
	const char *so;
	const char *device;		/* "cpu", or EDGENPU_TFD_DEVICE */
	void *resolver;
	char log[1 << 16];		/* stderr captured by capture_*() */
	char reported[1024];		/* the plugin's report_error */
	int saved_fd;
	FILE *tmp;
};

/* The plugin's report_error has no user data: the test's only global. */
static char *g_reported;
static size_t g_reported_len;

static void on_report(const char *msg)
{
	snprintf(g_reported, g_reported_len, "%s", msg);
}

static int capture_begin(struct ctx *c)
{
	fflush(stderr);
	c->tmp = tmpfile();
	if (!c->tmp)
		return -1;
	c->saved_fd = dup(2);
	dup2(fileno(c->tmp), 2);
	return 0;
}

static void capture_end(struct ctx *c)
{
	size_t n;

	fflush(stderr);
	dup2(c->saved_fd, 2);
	close(c->saved_fd);
	rewind(c->tmp);
	n = fread(c->log, 1, sizeof(c->log) - 1, c->tmp);
	c->log[n] = 0;
	fclose(c->tmp);
	c->tmp = NULL;
}

static TfLiteDelegate *make_delegate(const struct ctx *c,
				     const char *const *kv)
{
	TfLiteExternalDelegateOptions o =
		TfLiteExternalDelegateOptionsDefault(c->so);

	for (; kv && kv[0]; kv += 2)
		TfLiteExternalDelegateOptionsInsert(&o, kv[0], kv[1]);
	return TfLiteExternalDelegateCreate(&o);
}

/* An interpreter of @m on the reference kernels, with @d if not NULL. */
static TfLiteInterpreter *make_interp(struct ctx *c, TfLiteModel *m,
				      TfLiteDelegate *d)
{
	TfLiteInterpreterOptions *o = TfLiteInterpreterOptionsCreate();
	TfLiteInterpreter *it;

	TfLiteInterpreterOptionsSetNumThreads(o, 1);
	TfLiteInterpreterOptionsSetOpResolver(o, ref_find_builtin,
					      ref_find_custom, c->resolver);
	if (d)
		TfLiteInterpreterOptionsAddDelegate(o, d);
	it = TfLiteInterpreterCreate(m, o);
	TfLiteInterpreterOptionsDelete(o);
	if (it && TfLiteInterpreterAllocateTensors(it) != kTfLiteOk) {
		TfLiteInterpreterDelete(it);
		it = NULL;
	}
	return it;
}

/*
 * Set the inputs: from DIR/input<i>.bin if @dir, else a fixed pattern.
 * 0, or -1 with a diagnostic.
 */
static int set_inputs(TfLiteInterpreter *it, const char *dir)
{
	int32_t i, n = TfLiteInterpreterGetInputTensorCount(it);

	for (i = 0; i < n; i++) {
		TfLiteTensor *t = TfLiteInterpreterGetInputTensor(it, i);
		size_t want = TfLiteTensorByteSize(t), size = want, k;
		char path[4096];
		unsigned char *buf;
		int ret;

		if (dir) {
			snprintf(path, sizeof(path), "%s/input%d.bin", dir, i);
			buf = tu_read_file(path, &size);
		} else {
			buf = malloc(want ? want : 1);
			for (k = 0; buf && k < want; k++)
				buf[k] = (unsigned char)(k * 37u + 11u);
		}
		if (!buf || size != want) {
			tap_diag("input %d: missing or %zu bytes, tensor has %zu",
				 i, size, want);
			free(buf);
			return -1;
		}
		ret = TfLiteTensorCopyFromBuffer(t, buf, size) == kTfLiteOk;
		free(buf);
		if (!ret)
			return -1;
	}
	return 0;
}

static int invoke(TfLiteInterpreter *it, const char *what)
{
	if (TfLiteInterpreterInvoke(it) == kTfLiteOk)
		return 0;
	tap_diag("%s: Invoke failed", what);
	return -1;
}

/* Outputs equal DIR/expected<i>.bin: 1, or 0 with a diagnostic. */
static int outputs_match_files(TfLiteInterpreter *it, const char *dir)
{
	int32_t i, n = TfLiteInterpreterGetOutputTensorCount(it);

	for (i = 0; i < n; i++) {
		const TfLiteTensor *t = TfLiteInterpreterGetOutputTensor(it, i);
		size_t size = 0, k, diff = 0;
		char path[4096];
		const unsigned char *got = TfLiteTensorData(t);
		unsigned char *want;

		snprintf(path, sizeof(path), "%s/expected%d.bin", dir, i);
		want = tu_read_file(path, &size);
		if (!want || size != TfLiteTensorByteSize(t) || !got) {
			tap_diag("output %d: %s missing or %zu bytes", i, path,
				 size);
			free(want);
			return 0;
		}
		for (k = 0; k < size; k++)
			diff += got[k] != want[k];
		free(want);
		if (diff) {
			tap_diag("output %d: %zu of %zu bytes differ", i, diff,
				 size);
			return 0;
		}
	}
	return 1;
}

/* Outputs of @a and @b equal byte for byte. */
static int outputs_equal(TfLiteInterpreter *a, TfLiteInterpreter *b)
{
	int32_t i, n = TfLiteInterpreterGetOutputTensorCount(a);

	if (n != TfLiteInterpreterGetOutputTensorCount(b))
		return 0;
	for (i = 0; i < n; i++) {
		const TfLiteTensor *x = TfLiteInterpreterGetOutputTensor(a, i);
		const TfLiteTensor *y = TfLiteInterpreterGetOutputTensor(b, i);
		size_t size = TfLiteTensorByteSize(x);

		if (size != TfLiteTensorByteSize(y) ||
		    memcmp(TfLiteTensorData(x), TfLiteTensorData(y), size)) {
			tap_diag("output %d differs", i);
			return 0;
		}
	}
	return 1;
}

/* "edgenpu-tflite: ...: N of M nodes delegated": 0 if no such line. */
static int delegated(const char *log, int *n, int *m)
{
	const char *p = strstr(log, " nodes delegated");

	while (p && p > log && p[-1] != ':')
		p--;
	return p && sscanf(p, " %d of %d", n, m) == 2;
}

/*
 * Why keyword_scrambled_8bit is placed but not run: TFLite 2.14's own
 * SVDF kernels fail on it, with or without the delegate. The reference
 * kernel refuses its activation (svdf.cc: "params->activation !=
 * kTfLiteActRelu") and then the heap is corrupted at interpreter
 * deletion ("double free or corruption"); the optimized kernel reads past
 * a heap block under ASan.
 */
static const char svdf_broken[] =
	"TFLite 2.14's SVDF kernels fail on this model without the delegate too";

/* Not through strstr(): ASan's strstr measures the whole haystack on
 * every call, quadratic on a trace of 65536 events. */
static int count(const char *hay, const char *needle)
{
	size_t len = strlen(needle);
	int n = 0;

	for (; *hay; hay++)
		if (*hay == *needle && !strncmp(hay, needle, len))
			n++;
	return n;
}

/* A JSON checker (RFC 8259's grammar, numbers through strtod) for the
 * profile's trace: the end of the value at @p, or NULL. */
static const char *js_value(const char *p, int depth);

static const char *js_ws(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

static const char *js_string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	for (; *p && *p != '"'; p++) {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\' && (!*++p || !strchr("\"\\/bfnrtu", *p)))
			return NULL;
	}
	return *p ? p + 1 : NULL;
}

static const char *js_list(const char *p, char close, int depth, int object)
{
	p = js_ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (object) {
			p = js_string(p);
			if (!p)
				return NULL;
			p = js_ws(p);
			if (*p++ != ':')
				return NULL;
		}
		p = js_value(p, depth + 1);
		if (!p)
			return NULL;
		p = js_ws(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
		p = js_ws(p);
	}
}

static const char *js_value(const char *p, int depth)
{
	char *end;

	p = js_ws(p);
	if (depth > 64)
		return NULL;
	switch (*p) {
	case '{':
		return js_list(p, '}', depth, 1);
	case '[':
		return js_list(p, ']', depth, 0);
	case '"':
		return js_string(p);
	case 't':
		return strncmp(p, "true", 4) ? NULL : p + 4;
	case 'f':
		return strncmp(p, "false", 5) ? NULL : p + 5;
	case 'n':
		return strncmp(p, "null", 4) ? NULL : p + 4;
	}
	if (*p != '-' && (*p < '0' || *p > '9'))
		return NULL;
	strtod(p, &end);
	return end;
}

static int json_valid(const char *s)
{
	const char *p = js_value(s, 0);

	return p && !*js_ws(p);
}

/* The delegate's event buffer (DLG_PROFILE_EVENTS), 3 per partition Invoke. */
#define PROFILE_EVENTS 65536

/*
 * @invokes Invokes of @model with profile=@trace, stderr captured into
 * c->log; the trace as a string (NULL if none), the file removed.
 */
static char *profile_run(struct ctx *c, const char *model, const char *trace,
			 long invokes, int *ok)
{
	const char *const kv[] = { "device", "cpu", "profile", trace, NULL };
	TfLiteModel *m = TfLiteModelCreateFromFile(model);
	TfLiteDelegate *d;
	TfLiteInterpreter *it;
	char *json;
	size_t size = 0;
	long i;

	if (capture_begin(c))
		return NULL;
	d = m ? make_delegate(c, kv) : NULL;
	it = d ? make_interp(c, m, d) : NULL;
	*ok = it && !set_inputs(it, NULL);
	for (i = 0; *ok && i < invokes; i++)
		*ok = TfLiteInterpreterInvoke(it) == kTfLiteOk;
	TfLiteInterpreterDelete(it);
	if (d)
		TfLiteExternalDelegateDelete(d);
	TfLiteModelDelete(m);
	capture_end(c);
	json = tu_read_file(trace, &size);
	unlink(trace);
	return json;
}

/* profile=PATH on @model (@nparts partitions): 3 Invokes, then the trace. */
static void test_profile(struct ctx *c, const char *model, int nparts)
{
	static const char *const names[] = { "partition invoke", "input copy",
		"output copy" };
	char trace[64], needle[64], *json;
	size_t i;
	int ok;

	snprintf(trace, sizeof(trace), "/tmp/edgenpu-profile-%d.json",
		 (int)getpid());
	json = profile_run(c, model, trace, 3, &ok);
	if (!tap_check(&c->tap, ok, "profile: 3 Invokes of relu_fallback with profile=%s",
		       trace))
		tap_diag("log: %s", c->log);
	tap_check(&c->tap, json && json_valid(json),
		  "profile: the trace is written at destruction and parses as JSON");
	for (i = 0; i < 3; i++) {
		snprintf(needle, sizeof(needle), "\"name\":\"%s\"", names[i]);
		if (!tap_check(&c->tap, json && count(json, needle) == 3 * nparts,
			       "profile: %d \"%s\" events", 3 * nparts, names[i]))
			tap_diag("found %d", json ? count(json, needle) : -1);
	}
	/*
	 * device=cpu, tensors in TFLite's 64-byte aligned arena: every
	 * partition input and output is bound in place, nothing copied.
	 */
	tap_check(&c->tap, json && count(json, "\"bytes\":0,\"in_place\":") == 6 * nparts &&
		  count(json, "\"in_place\":0}") == 0 &&
		  count(json, "\"bytes\":") == 6 * nparts && !strstr(json, "dropped"),
		  "profile: every copy event says 0 bytes copied and its (non-zero) bytes in place; nothing dropped");
	free(json);
}

/*
 * A full event buffer: one Invoke more than it holds (one partition), so
 * that 2 events are dropped; the trace keeps the first PROFILE_EVENTS,
 * says "dropped_events":"2", and a warning says so.
 */
static void test_profile_full(struct ctx *c, const char *dir)
{
	long invokes = PROFILE_EVENTS / 3 + 1;
	char trace[64], model[4096], *json;
	int ok;

	snprintf(trace, sizeof(trace), "/tmp/edgenpu-profile-full-%d.json",
		 (int)getpid());
	snprintf(model, sizeof(model), "%s/model.tflite", dir);
	json = profile_run(c, model, trace, invokes, &ok);
	tap_check(&c->tap, ok, "profile: %ld Invokes of a one-partition model",
		  invokes);
	tap_check(&c->tap, json && json_valid(json) &&
		  count(json, "\"ph\":\"X\"") == PROFILE_EVENTS &&
		  strstr(json, "\"dropped_events\":\"2\""),
		  "profile: a full buffer keeps the first %d events, the trace says 2 were dropped",
		  PROFILE_EVENTS);
	if (!tap_check(&c->tap, strstr(c->log, "2 more were dropped") != NULL,
		       "profile: a warning names the dropped events"))
		tap_diag("log: %s", c->log);
	free(json);
}

/* An event @name in trace @json whose args end with @args. */
static int event_has(const char *json, const char *name, const char *args)
{
	char head[64];
	const char *at, *end, *a;

	snprintf(head, sizeof(head), "\"name\":\"%s\"", name);
	for (at = strstr(json, head); at; at = strstr(at + 1, head)) {
		end = strstr(at, "}}");
		a = strstr(at, args);
		if (end && a && a < end)
			return 1;
	}
	return 0;
}

/*
 * Where the CPU executor cannot read or write TFLite's tensor in place it
 * copies, and the profile counts those bytes: input 0 and output 0 of the
 * conv model in custom allocations (TFLite's C++ API, custom_alloc.cc)
 * 32 bytes past a 64-byte boundary, one at a time (the library binds only
 * 64-byte aligned memory). The misaligned tensor is copied ("bytes" its
 * size), the aligned one bound ("in_place"), and the output equals the
 * reference kernels' on the same pattern input.
 */
static void test_custom_alloc(struct ctx *c, const char *dir, const char *name)
{
	char model[4096], trace[64], want[2][96], *grown;
	unsigned char got[4096];
	TfLiteModel *m;
	TfLiteInterpreter *ref;
	size_t insz = 0, outsz = 0, size = 0;
	int pass;

	snprintf(model, sizeof(model), "%s/model.tflite", dir);
	m = TfLiteModelCreateFromFile(model);
	ref = m ? make_interp(c, m, NULL) : NULL;
	if (!ref || set_inputs(ref, NULL) || invoke(ref, name)) {
		tap_check(&c->tap, 0, "%s: custom allocations: the reference run", name);
		goto out;
	}
	for (pass = 0; pass < 2; pass++) {
		const char *kv[] = { "device", "cpu", "profile", trace, NULL };
		const TfLiteTensor *ro = TfLiteInterpreterGetOutputTensor(ref, 0);
		TfLiteDelegate *d;
		int ok;

		snprintf(trace, sizeof(trace), "/tmp/edgenpu-custom-%d-%d.json",
			 (int)getpid(), pass);
		d = make_delegate(c, kv);
		ok = d && !custom_alloc_run(model, d, c->resolver,
					    pass ? 0 : 32, pass ? 32 : 0, got,
					    sizeof(got), &insz, &outsz);
		if (d)
			TfLiteExternalDelegateDelete(d);	/* writes the trace */
		grown = tu_read_file(trace, &size);
		unlink(trace);
		snprintf(want[0], sizeof(want[0]), "\"bytes\":%zu,\"in_place\":%zu}",
			 pass ? (size_t)0 : insz, pass ? insz : (size_t)0);
		snprintf(want[1], sizeof(want[1]), "\"bytes\":%zu,\"in_place\":%zu}",
			 pass ? outsz : (size_t)0, pass ? (size_t)0 : outsz);
		if (!ok || !grown) {
			tap_diag("custom_alloc_run failed or no trace");
			ok = 0;
		} else if (!event_has(grown, "input copy", want[0]) ||
			   !event_has(grown, "output copy", want[1])) {
			tap_diag("want input copy %s, output copy %s in %s",
				 want[0], want[1], grown);
			ok = 0;
		}
		ok = ok && outsz == TfLiteTensorByteSize(ro) &&
		     !memcmp(got, TfLiteTensorData(ro), outsz);
		tap_check(&c->tap, ok, "%s: %s in a custom allocation 32 bytes past a 64-byte boundary: copied (%zu bytes in the profile), %s bound in place, outputs equal the reference kernels'",
			  name, pass ? "output 0" : "input 0",
			  pass ? outsz : insz, pass ? "input" : "output");
		free(grown);
	}
out:
	TfLiteInterpreterDelete(ref);
	TfLiteModelDelete(m);
}

/* A generated model with expected outputs: all delegated, bit-exact. */
static void test_expected(struct ctx *c, const char *dir, const char *name)
{
	const char *const kv[] = { "device", c->device, "log", "info", NULL };
	TfLiteDelegate *d = make_delegate(c, kv);
	TfLiteModel *m = NULL;
	TfLiteInterpreter *it = NULL;
	char path[4096];
	int ok = 0, n = -1, tot = -1;

	snprintf(path, sizeof(path), "%s/model.tflite", dir);
	if (d)
		m = TfLiteModelCreateFromFile(path);
	if (m && !capture_begin(c)) {
		it = make_interp(c, m, d);
		capture_end(c);
	}
	if (!d || !m || !it)
		tap_diag("%s: delegate %p model %p interpreter %p; log: %s",
			 name, (void *)d, (void *)m, (void *)it, c->log);
	else if (!delegated(c->log, &n, &tot) || n != tot || !n)
		tap_diag("%s: not every node delegated; log: %s", name, c->log);
	else if (!set_inputs(it, dir) && !invoke(it, name) &&
		 outputs_match_files(it, dir) && !invoke(it, name) &&
		 outputs_match_files(it, dir))
		ok = 1;
	tap_check(&c->tap, ok, "%s: %d of %d nodes on edgenpu (device=%s), outputs equal TFLite's reference kernels' twice",
		  name, n, tot, c->device);
	TfLiteInterpreterDelete(it);
	TfLiteModelDelete(m);
	TfLiteExternalDelegateDelete(d);
}

/*
 * A real model: wholly delegated with device=cpu, outputs equal the
 * reference kernels' in this process on a pattern input. Skipped if
 * TFLite itself refuses the model.
 */
static void test_real(struct ctx *c, const char *path, const char *name)
{
	const char *const kv[] = { "device", c->device, "log", "info", NULL };
	TfLiteDelegate *d = make_delegate(c, kv);
	TfLiteModel *m = TfLiteModelCreateFromFile(path);
	TfLiteInterpreter *it = NULL, *ref = NULL;
	int ok = 0, n = -1, tot = -1;

	if (m && !capture_begin(c)) {
		ref = make_interp(c, m, NULL);
		capture_end(c);
	}
	if (!ref) {
		tap_skip(&c->tap, "TFLite 2.14 refuses it without the delegate",
			 "%s", name);
		goto out;
	}
	if (d && !capture_begin(c)) {
		it = make_interp(c, m, d);
		capture_end(c);
	}
	if (!it)
		tap_diag("%s: log: %s", name, c->log);
	else if (!delegated(c->log, &n, &tot) || n != tot || !n)
		tap_diag("%s: not every node delegated; log: %s", name, c->log);
	else
		ok = !set_inputs(it, NULL) && !set_inputs(ref, NULL) &&
		     !invoke(it, name) && !invoke(ref, name) &&
		     outputs_equal(it, ref);
	tap_check(&c->tap, ok, "%s: %d of %d nodes on edgenpu (device=%s), outputs equal the reference kernels'",
		  name, n, tot, c->device);
out:
	TfLiteInterpreterDelete(it);
	TfLiteInterpreterDelete(ref);
	TfLiteModelDelete(m);
	TfLiteExternalDelegateDelete(d);
}

/* 100 Invokes after the first allocate nothing (plain build). */
static void test_steady(struct ctx *c, const char *dir, const char *name)
{
	static const char *const kv[] = { "device", "cpu", NULL };
	TfLiteDelegate *d = make_delegate(c, kv);
	TfLiteModel *m = NULL;
	TfLiteInterpreter *it = NULL;
	char path[4096];
	int i;

	snprintf(path, sizeof(path), "%s/model.tflite", dir);
	if (d)
		m = TfLiteModelCreateFromFile(path);
	if (m)
		it = make_interp(c, m, d);
	if (it && !set_inputs(it, dir) && !invoke(it, name)) {
#ifdef COUNT_ALLOCS
		unsigned long before = g_allocs;
		int ok;

		for (i = 0; i < 100 && TfLiteInterpreterInvoke(it) == kTfLiteOk; i++)
			;
		ok = before > 0 && i == 100 && g_allocs == before &&
		     outputs_match_files(it, dir);
		if (!ok)
			tap_diag("%d Invokes, %lu allocations", i,
				 g_allocs - before);
		tap_check(&c->tap, ok, "%s: 100 more Invokes allocate nothing (TFLite and delegate) and give the same outputs",
			  name);
#else
		(void)i;
		tap_skip(&c->tap, "allocations are counted in the plain build",
			 "%s: 100 more Invokes allocate nothing", name);
#endif
	} else {
		tap_check(&c->tap, 0, "%s: steady state", name);
	}
	TfLiteInterpreterDelete(it);
	TfLiteModelDelete(m);
	TfLiteExternalDelegateDelete(d);
}

/* Resize input 0 of @it to @dims (@rank) and allocate; stderr into c->log. */
static int resize_alloc(struct ctx *c, TfLiteInterpreter *it, const int *dims,
			int rank)
{
	int ok = 0;

	if (!capture_begin(c)) {
		ok = TfLiteInterpreterResizeInputTensor(it, 0, dims, rank) ==
		     kTfLiteOk &&
		     TfLiteInterpreterAllocateTensors(it) == kTfLiteOk;
		capture_end(c);
	}
	return ok;
}

/* Shape @s ({rank, d0, d1, ...}) as "AxBxC" in @buf. */
static const char *shape_str(const int *s, char *buf, size_t len)
{
	size_t n = 0;
	int k;

	buf[0] = 0;
	for (k = 0; k < s[0] && n < len; k++)
		n += (size_t)snprintf(buf + n, len - n, "%s%d", k ? "x" : "",
				      s[1 + k]);
	return buf;
}

/*
 * ResizeInputTensor + AllocateTensors on an interpreter the delegate was
 * applied to, through each shape of @shapes in turn (each {rank, dims...},
 * a rank of 0 ends the list). The delegate does not set
 * kTfLiteDelegateFlagsAllowDynamicTensors, so TFLite undoes it at the
 * resize and applies it again at AllocateTensors, after propagating the
 * new shapes: the delegate plans each partition anew at the new shape.
 * At every shape: the delegate claims every node again (@nparts
 * partitions), and two Invokes equal the reference kernels resized alike.
 */
static void test_resize(struct ctx *c, const char *path, const char *name,
			const int (*shapes)[1 + TFL_RANK_MAX], int nparts)
{
	static const char *const kv[] = { "device", "cpu", "log", "info", NULL };
	TfLiteDelegate *d = make_delegate(c, kv);
	TfLiteModel *m = d ? TfLiteModelCreateFromFile(path) : NULL;
	TfLiteInterpreter *it = NULL, *ref = NULL;
	char sh[64];
	int i;

	if (m) {
		it = make_interp(c, m, d);
		ref = make_interp(c, m, NULL);
	}
	if (!it || !ref) {
		tap_check(&c->tap, 0, "%s: resize: interpreters", name);
		goto out;
	}
	for (i = 0; shapes[i][0]; i++) {
		const int *s = shapes[i];
		int ok, n = -1, tot = -1;

		shape_str(s, sh, sizeof(sh));
		if (!resize_alloc(c, ref, s + 1, s[0])) {
			tap_check(&c->tap, 0, "%s: resize to %s: the reference interpreter",
				  name, sh);
			continue;
		}
		ok = resize_alloc(c, it, s + 1, s[0]);
		if (!ok)
			tap_diag("log: %s", c->log);
		else if (!delegated(c->log, &n, &tot) || n != tot ||
			 count(c->log, "edgenpu-tflite: partition") != nparts)
			ok = 0, tap_diag("not delegated again; log: %s", c->log);
		else
			ok = !set_inputs(it, NULL) && !set_inputs(ref, NULL) &&
			     !invoke(it, name) && !invoke(ref, name) &&
			     outputs_equal(it, ref) && !invoke(it, name) &&
			     outputs_equal(it, ref);
		tap_check(&c->tap, ok, "%s: input resized to %s: delegated again (%d of %d nodes, %d partitions), outputs equal the reference kernels' twice",
			  name, sh, n, tot, nparts);
	}
out:
	TfLiteInterpreterDelete(ref);
	TfLiteInterpreterDelete(it);
	TfLiteModelDelete(m);
	TfLiteExternalDelegateDelete(d);
}

/*
 * A resize edgenpu cannot run: the conv model at 1x3700x3700x5 costs
 * 3700 * 3700 * 7 * 3 * 3 * 5 = 4.3e9 units, above the engine's
 * EDGENPU_CMD_MAX_OP_COST (2^32), so no plan exists for it. Without
 * require_full_offload the delegate leaves the node to TFLite and says
 * why (not invoked: the reference conv of that size takes seconds); with
 * it, AllocateTensors fails naming the op and the cost. Either way the
 * same interpreter resized back to the model's shape runs bit-exact:
 * delegated again without require_full_offload; on TFLite's own kernels
 * with it, as TFLite removes a delegate whose Prepare failed.
 */
static void test_resize_refused(struct ctx *c, const char *dir,
				const char *name)
{
	static const char *const kv[] = { "device", "cpu", "log", "info", NULL };
	static const char *const full[] = { "device", "cpu", "log", "info",
		"require_full_offload", "true", NULL };
	static const int big[4] = { 1, 3700, 3700, 5 };
	int orig[TFL_RANK_MAX], rank = 0, pass, ok, n, tot;
	char path[4096];
	TfLiteModel *m;

	snprintf(path, sizeof(path), "%s/model.tflite", dir);
	m = TfLiteModelCreateFromFile(path);
	for (pass = 0; m && pass < 2; pass++) {
		TfLiteDelegate *d = make_delegate(c, pass ? full : kv);
		TfLiteInterpreter *it = d ? make_interp(c, m, d) : NULL;
		const TfLiteTensor *in = it ? TfLiteInterpreterGetInputTensor(it, 0) :
					 NULL;
		const char *what = pass ? "require_full_offload=true" :
				   "require_full_offload=false";

		for (rank = 0; in && rank < TfLiteTensorNumDims(in) &&
		     rank < TFL_RANK_MAX; rank++)
			orig[rank] = TfLiteTensorDim(in, rank);
		if (!it || rank != 4) {
			tap_check(&c->tap, 0, "%s: %s: interpreter", name, what);
			goto next;
		}
		ok = resize_alloc(c, it, big, 4);
		n = tot = -1;
		if (!pass) {
			ok = ok && delegated(c->log, &n, &tot) && n == 0 &&
			     tot == 1 && strstr(c->log, "exceeds") &&
			     strstr(c->log, "CONV_2D");
		} else {
			ok = !ok && strstr(c->log, "require_full_offload") &&
			     strstr(c->log, "CONV_2D") &&
			     strstr(c->log, "exceeds");
		}
		if (!tap_check(&c->tap, ok, "%s: %s: resized to 1x3700x3700x5 (op cost above 2^32): %s",
			       name, what, pass ?
			       "AllocateTensors fails naming CONV_2D and its cost" :
			       "the node is left to TFLite, the log says why"))
			tap_diag("log: %s", c->log);
		/*
		 * After the failure TFLite 2.14 has removed the delegate from
		 * the interpreter (RemoveAllDelegates(): "Restored original
		 * execution plan after delegate application failure"), so the
		 * resize back runs on TFLite's own kernels, not delegated.
		 */
		ok = resize_alloc(c, it, orig, rank);
		n = tot = -1;
		if (!ok || (!delegated(c->log, &n, &tot) ? pass == 0 :
			    (pass || n != 1 || tot != 1)))
			ok = 0, tap_diag("log: %s", c->log);
		else
			ok = !set_inputs(it, dir) && !invoke(it, name) &&
			     outputs_match_files(it, dir);
		tap_check(&c->tap, ok, "%s: %s: resized back to the model's shape: %s, outputs equal TFLite's reference kernels'",
			  name, what, pass ?
			  "TFLite removed the delegate at the failure, runs its own kernels" :
			  "delegated again");
next:
		TfLiteInterpreterDelete(it);
		if (d)
			TfLiteExternalDelegateDelete(d);
	}
	if (!m)
		tap_check(&c->tap, 0, "%s: model", name);
	TfLiteModelDelete(m);
}

/* Threads of this process (/proc/self/task), or -1 without /proc. */
static int count_threads(void)
{
	DIR *dd = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	if (!dd)
		return -1;
	while ((e = readdir(dd)))
		n += e->d_name[0] != '.';
	closedir(dd);
	return n;
}

/*
 * Threads of this process once those of an interpreter just deleted are
 * gone from /proc: pthread_join() returns when the kernel clears the
 * thread's tid, which is before the task leaves /proc/self/task, so a
 * count taken at once can still see them. Waits (up to 2 s) for the count
 * to fall to @base; returns the last count, or -1 without /proc.
 */
static int count_threads_settled(int base)
{
	int n = count_threads(), i;

	for (i = 0; n > base && i < 200; i++) {
		usleep(10000);
		n = count_threads();
	}
	return n;
}

/*
 * threads=N (and the default, the online CPUs): @model delegated in
 * @nparts partitions, each runner's CPU executor on N threads (the log
 * says so, and with /proc the process has N - 1 more threads per
 * partition while the interpreter lives); the outputs of N = 1, 2, 3 equal
 * the reference kernels' (so each other's) on a pattern input.
 */
static void test_threads(struct ctx *c, const char *path, const char *name,
			 int nparts)
{
	TfLiteModel *m = TfLiteModelCreateFromFile(path);
	TfLiteInterpreter *ref = m ? make_interp(c, m, NULL) : NULL;
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	int t, base;

	if (!ref || set_inputs(ref, NULL) || invoke(ref, name)) {
		tap_check(&c->tap, 0, "%s: threads: the reference run", name);
		goto out;
	}
	online = online < 1 ? 1 : online > 64 ? 64 : online;
	base = count_threads();
	for (t = 0; t <= 3; t++) {
		char val[16], want[64];
		const char *kv[] = { "device", "cpu", "log", "info", "threads",
			val, NULL };
		unsigned int threads = t ? (unsigned int)t : (unsigned int)online;
		TfLiteDelegate *d;
		TfLiteInterpreter *it = NULL;
		int before = count_threads_settled(base), during = -1, ok = 0,
		    n = -1,
		    tot = -1;

		snprintf(val, sizeof(val), "%d", t);
		if (!t)
			kv[4] = NULL;	/* the default */
		snprintf(want, sizeof(want), "outputs, %u CPU executor threads",
			 threads);
		d = make_delegate(c, kv);
		if (d && !capture_begin(c)) {
			it = make_interp(c, m, d);
			capture_end(c);
		}
		/* Settled too: a short-lived thread of the setup may linger. */
		if (it)
			during = before >= 0 ?
				 count_threads_settled(before + nparts * ((int)threads - 1)) :
				 count_threads();
		if (!it || !delegated(c->log, &n, &tot) || n <= 0 ||
		    count(c->log, want) != nparts)
			tap_diag("%s: log: %s", name, c->log);
		else if (before >= 0 &&
			 during - before != nparts * ((int)threads - 1))
			tap_diag("%s: %d threads before, %d with the interpreter",
				 name, before, during);
		else
			ok = !set_inputs(it, NULL) && !invoke(it, name) &&
			     outputs_equal(it, ref) && !invoke(it, name) &&
			     outputs_equal(it, ref);
		tap_check(&c->tap, ok, "%s: %s%s: %d partition(s) on %u threads each%s, outputs equal the reference kernels' twice",
			  name, t ? "threads=" : "no threads option (online CPUs)",
			  t ? val : "", nparts, threads,
			  before >= 0 ? " (counted in /proc)" : "");
		TfLiteInterpreterDelete(it);
		if (d)
			TfLiteExternalDelegateDelete(d);
	}
out:
	TfLiteInterpreterDelete(ref);
	TfLiteModelDelete(m);
}

/*
 * A model with a node libedgenpu cannot run (@op): partial delegation
 * equals the reference kernels; require_full_offload fails naming @op.
 * @dir: inputs from there, else a pattern.
 */
static void test_partial(struct ctx *c, const char *path, const char *dir,
			 const char *name, const char *op, int parts,
			 const char *no_invoke)
{
	const char *const kv[] = { "device", c->device, "log", "debug", NULL };
	const char *const full[] = { "device", c->device,
		"require_full_offload", "true", NULL };
	TfLiteModel *m = TfLiteModelCreateFromFile(path);
	TfLiteDelegate *d = make_delegate(c, kv), *df = make_delegate(c, full);
	TfLiteInterpreter *ref = NULL, *it = NULL, *itf = NULL;
	int n = -1, tot = -1, ok = 0;

	if (!m || !d || !df) {
		tap_check(&c->tap, 0, "%s: model and delegates load", name);
		goto out;
	}
	if (!capture_begin(c)) {
		itf = make_interp(c, m, df);
		capture_end(c);
	}
	if (!tap_check(&c->tap, !itf && strstr(c->log, op) &&
		       strstr(c->log, "require_full_offload"),
		       "%s: require_full_offload=true fails naming %s", name, op))
		tap_diag("log: %s", c->log);
	ref = make_interp(c, m, NULL);
	if (!capture_begin(c)) {
		it = make_interp(c, m, d);
		capture_end(c);
	}
	if (!ref || !it)
		tap_diag("%s: interpreters %p %p; log: %s", name, (void *)ref,
			 (void *)it, c->log);
	else if (!delegated(c->log, &n, &tot) || n >= tot)
		tap_diag("%s: expected a node left to TFLite; log: %s", name,
			 c->log);
	else if (!strstr(c->log, op))
		tap_diag("%s: the placement does not name %s; log: %s", name,
			 op, c->log);
	else if (parts && count(c->log, "edgenpu-tflite: partition") != parts)
		tap_diag("%s: expected %d partitions; log: %s", name, parts,
			 c->log);
	else if (no_invoke)
		ok = 1;
	else if (!set_inputs(ref, dir) && !set_inputs(it, dir) &&
		 !invoke(ref, name) && !invoke(it, name))
		ok = outputs_equal(ref, it);
	if (no_invoke)
		tap_check(&c->tap, ok, "%s: %d of %d nodes on edgenpu, %s left to TFLite (not run: %s)",
			  name, n, tot, op, no_invoke);
	else
		tap_check(&c->tap, ok, "%s: %d of %d nodes on edgenpu%s%.0d%s, %s left to TFLite, outputs equal the reference kernels'",
		  name, n, tot, parts ? " in " : "", parts,
		  parts ? " partitions" : "", op);
out:
	TfLiteInterpreterDelete(itf);
	TfLiteInterpreterDelete(it);
	TfLiteInterpreterDelete(ref);
	TfLiteExternalDelegateDelete(df);
	TfLiteExternalDelegateDelete(d);
	TfLiteModelDelete(m);
}

typedef TfLiteDelegate *(*create_fn)(const char *const *, const char *const *,
				     size_t, void (*)(const char *));
typedef void (*destroy_fn)(TfLiteDelegate *);

/* The plugin's own entry points: each option error names its key. */
static void test_options(struct ctx *c)
{
	static const struct {
		const char *k, *v, *want;
	} bad[] = {
		{ "bogus", "1", "'bogus'" },
		{ "device", "", "'device'" },
		{ "device", "/dev/accel/accel99", "'device'" },
		{ "require_full_offload", "maybe", "'require_full_offload'" },
		{ "log", "loud", "'log'" },
		{ "log", "4", "'log'" },
		{ "threads", "-1", "'threads': bad value '-1' (0 (the number of online CPUs) to 64)" },
		{ "threads", "65", "'threads': bad value '65'" },
		{ "threads", "abc", "'threads': bad value 'abc'" },
		{ "threads", "", "'threads'" },
		{ "threads", "1000", "'threads'" },
		{ "threads", "2 ", "'threads'" },
		{ "profile", "/nonexistent/trace.json",
		  "'profile': cannot open '/nonexistent/trace.json' for writing: No such file" },
	};
	static const char *const good_k[] = { "device", "log",
		"require_full_offload" };
	static const char *const good_v[] = { "cpu", "debug", "0" };
	void *h = dlopen(c->so, RTLD_NOW | RTLD_LOCAL);
	create_fn create = h ? (create_fn)(uintptr_t)dlsym(h,
		"tflite_plugin_create_delegate") : NULL;
	destroy_fn destroy = h ? (destroy_fn)(uintptr_t)dlsym(h,
		"tflite_plugin_destroy_delegate") : NULL;
	static const char *const bogus[] = { "device", "cpu", "bogus", "1",
		NULL };
	TfLiteDelegate *d;
	size_t i;

	if (!tap_check(&c->tap, create && destroy,
		       "dlopen: both plugin functions found")) {
		if (h)
			dlclose(h);
		return;
	}
	g_reported = c->reported;
	g_reported_len = sizeof(c->reported);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c->reported[0] = 0;
		d = create(&bad[i].k, &bad[i].v, 1, on_report);
		if (!tap_check(&c->tap, !d && strstr(c->reported, bad[i].want),
			       "%s=\"%s\" is refused, naming %s", bad[i].k,
			       bad[i].v, bad[i].want))
			tap_diag("reported: %s", c->reported);
		if (d)
			destroy(d);
	}
	c->reported[0] = 0;
	if (!capture_begin(c)) {
		d = create(good_k, good_v, 3, on_report);
		capture_end(c);
	} else {
		d = NULL;
	}
	tap_check(&c->tap, d && !c->reported[0],
		  "device=cpu log=debug require_full_offload=0 is accepted");
	if (d)
		destroy(d);
	dlclose(h);

	/*
	 * TFLite 2.14's TfLiteExternalDelegateCreate() returns a wrapper even
	 * when the plugin refused (create returned NULL), and that wrapper's
	 * delegate is uninitialised: deleting or using it crashes. So only
	 * the message is checked, and the wrapper is left alone (and kept
	 * out of LeakSanitizer's report).
	 */
	if (!capture_begin(c)) {
		d = make_delegate(c, bogus);
		capture_end(c);
		if (!tap_check(&c->tap, strstr(c->log, "'bogus'") != NULL,
			       "TfLiteExternalDelegateCreate(): the plugin refuses an unknown key, naming it"))
			tap_diag("log: %s", c->log);
		if (d && __lsan_ignore_object)
			__lsan_ignore_object(d);
	}
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Write "1" to the sysfs file @path; 0 or -1. */
static int write_one(const char *path)
{
	FILE *f = fopen(path, "w");
	int bad;

	if (!f)
		return -1;
	bad = fputs("1", f) < 0;
	return fclose(f) || bad ? -1 : 0;
}

/*
 * A model runs on the device; the device is removed through @remove; the
 * next Invoke must fail with the delegate's message (and not crash), and
 * deleting the interpreter and the delegate must return.
 */
static void test_unplug(struct ctx *c, const char *dir, const char *name,
			const char *remove)
{
	const char *const kv[] = { "device", c->device, NULL };
	TfLiteDelegate *d = make_delegate(c, kv);
	TfLiteInterpreter *it = NULL;
	TfLiteModel *m = NULL;
	TfLiteStatus st = kTfLiteOk;
	char path[4096], *nl;
	int before = 0;

	snprintf(path, sizeof(path), "%s/model.tflite", dir);
	if (d)
		m = TfLiteModelCreateFromFile(path);
	if (m)
		it = make_interp(c, m, d);
	before = it && !set_inputs(it, dir) && !invoke(it, name) &&
		 outputs_match_files(it, dir);
	tap_check(&c->tap, before, "%s: runs bit-exact on %s before the unplug",
		  name, c->device);
	tap_check(&c->tap, !write_one(remove), "the device is removed (%s)",
		  remove);
	c->log[0] = 0;
	if (it && !capture_begin(c)) {
		st = TfLiteInterpreterInvoke(it);
		capture_end(c);
	}
	nl = strchr(c->log, '\n');
	if (nl)
		*nl = 0;
	tap_check(&c->tap, it && st != kTfLiteOk && strstr(c->log, "edgenpu-tflite"),
		  "%s: Invoke after the unplug fails with the delegate's message (%s)",
		  name, c->log);
	TfLiteInterpreterDelete(it);
	TfLiteModelDelete(m);
	TfLiteExternalDelegateDelete(d);
	tap_check(&c->tap, 1, "interpreter and delegate deleted after the unplug");
}

/* Names of the entries of @dir, sorted, in *@names; their count. */
static size_t list_dir(const char *dir, char ***names)
{
	size_t n = 0, cap = 0;
	struct dirent *e;
	DIR *dd = opendir(dir);

	*names = NULL;
	while (dd && (e = readdir(dd))) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **more;

			cap = cap ? 2 * cap : 256;
			more = realloc(*names, cap * sizeof(**names));
			if (!more)
				break;
			*names = more;
		}
		(*names)[n++] = strdup(e->d_name);
	}
	if (dd)
		closedir(dd);
	if (n)
		qsort(*names, n, sizeof(**names), cmp_names);
	return n;
}

/*
 * EDGENPU_TFD_DEVICE: the models on that device (see the top): every
 * generated model, the real ones and relu_fallback, as on the CPU.
 */
static int device_main(struct ctx *c, const char *models, const char *shared)
{
	static const char *const real[] = { "hello_world_int8",
		"person_detect_fixed" };
	const char *remove = getenv("EDGENPU_TFD_UNPLUG");
	char **names, path[4096], dir[2048];
	size_t n, i;

	tap_diag("delegate on device=%s", c->device);
	if (remove) {
		snprintf(dir, sizeof(dir), "%s/%s", models,
			 "chain_conv_dwconv_add_avgpool_fc_softmax");
		test_unplug(c, dir, "chain_conv_dwconv_add_avgpool_fc_softmax",
			    remove);
		ref_resolver_delete(c->resolver);
		return tap_done(&c->tap);
	}
	n = list_dir(models, &names);
	tap_check(&c->tap, n > 0, "%zu entries in %s", n, models);
	for (i = 0; i < n; i++) {
		snprintf(dir, sizeof(dir), "%s/%s", models, names[i]);
		snprintf(path, sizeof(path), "%s/expected0.bin", dir);
		if (!access(path, R_OK))
			test_expected(c, dir, names[i]);
		free(names[i]);
	}
	free(names);
	for (i = 0; shared && i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s.tflite", shared, real[i]);
		if (!access(path, R_OK))
			test_real(c, path, real[i]);
		else
			tap_skip(&c->tap, "not in SHARED_DIR", "%s", real[i]);
	}
	snprintf(path, sizeof(path), "%s/relu_fallback.tflite", shared ? shared : ".");
	if (shared && !access(path, R_OK))
		test_partial(c, path, NULL, "relu_fallback", "RELU", 2, NULL);
	else
		tap_skip(&c->tap, "not generated", "relu_fallback");
	ref_resolver_delete(c->resolver);
	return tap_done(&c->tap);
}

int main(int argc, char **argv)
{
	static struct ctx c;
	char **names = NULL, path[4096], dir[2048];
	size_t n, i;

	if (argc < 3) {
		fprintf(stderr, "usage: %s DELEGATE.so MODELS_DIR [SHARED_DIR]\n",
			argv[0]);
		return 2;
	}
	c.so = argv[1];
	c.resolver = ref_resolver_new();
	c.device = getenv("EDGENPU_TFD_DEVICE");
	if (c.device)
		return device_main(&c, argv[2], argc > 3 ? argv[3] : NULL);
	c.device = "cpu";
	test_options(&c);

	n = list_dir(argv[2], &names);
	tap_check(&c.tap, n > 0, "%zu entries in %s", n, argv[2]);
	for (i = 0; i < n; i++) {
		snprintf(dir, sizeof(dir), "%s/%s", argv[2], names[i]);
		snprintf(path, sizeof(path), "%s/expected0.bin", dir);
		if (!access(path, R_OK))
			test_expected(&c, dir, names[i]);
		if (!strcmp(names[i], "chain_conv_dwconv_add_avgpool_fc_softmax")) {
			test_steady(&c, dir, names[i]);
			snprintf(path, sizeof(path), "%s/model.tflite", dir);
			test_threads(&c, path, names[i], 1);
		}
		if (!strcmp(names[i], "conv2d_s1_same_d1_none_pc")) {
			static const int conv_shapes[][1 + TFL_RANK_MAX] = {
				{ 4, 2, 9, 11, 5 }, { 4, 1, 20, 17, 5 },
				{ 4, 3, 4, 3, 5 }, { 4, 1, 9, 11, 5 }, { 0 } };

			snprintf(path, sizeof(path), "%s/model.tflite", dir);
			test_resize(&c, path, names[i], conv_shapes, 1);
			test_resize_refused(&c, dir, names[i]);
			test_custom_alloc(&c, dir, names[i]);
			test_profile_full(&c, dir);
		}
		free(names[i]);
	}
	free(names);
	if (argc > 3) {
		snprintf(path, sizeof(path), "%s/relu_fallback.tflite", argv[3]);
		if (!access(path, R_OK)) {
			test_partial(&c, path, NULL, "relu_fallback", "RELU", 2,
				     NULL);
			test_threads(&c, path, "relu_fallback", 2);
			test_profile(&c, path, 2);
		} else {
			tap_skip(&c.tap, "not generated", "relu_fallback");
		}
		for (i = 0; i < 4; i++) {
			static const char *const real[] = { "add_self",
				"hello_world_int8", "person_detect",
				"person_detect_fixed" };

			snprintf(path, sizeof(path), "%s/%s.tflite", argv[3],
				 real[i]);
			if (!access(path, R_OK))
				test_real(&c, path, real[i]);
			if (i == 3 && !access(path, R_OK))
				test_threads(&c, path, real[i], 1);
			if (!i && !access(path, R_OK)) {
				static const int add_shapes[][1 + TFL_RANK_MAX] = {
					{ 4, 2, 6, 6, 4 }, { 4, 1, 12, 10, 4 },
					{ 0 } };

				test_resize(&c, path, real[i], add_shapes, 1);
			}
			else
				tap_skip(&c.tap, "not in the shared models",
					 "%s", real[i]);
		}
		snprintf(path, sizeof(path), "%s/keyword_scrambled_8bit.tflite",
			 argv[3]);
		if (!access(path, R_OK))
			test_partial(&c, path, NULL, "keyword_scrambled_8bit",
				     "SVDF", 0, svdf_broken);
		else
			tap_skip(&c.tap, "not in the shared models",
				 "keyword_scrambled_8bit");
	} else {
		tap_skip(&c.tap, "no SHARED_DIR given", "partial delegation");
	}
	ref_resolver_delete(c.resolver);
	return tap_done(&c.tap);
}
