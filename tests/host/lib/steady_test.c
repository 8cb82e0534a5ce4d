// SPDX-License-Identifier: MIT
/*
 * steady_test: the run loop of a runner makes no allocation. Linked with
 * the library's archive and -Wl,--wrap for malloc, calloc, realloc and
 * free, so that every allocation the library's own code makes is counted.
 * Models from MODELS_DIR run on the CPU executor, or on the NPU DEVICE
 * (in the guest): after a first run, ten more runs must allocate nothing,
 * and the inputs and outputs must be the runner's own buffers, the same
 * at every call (no copies in or out; on the NPU they are the mapped BOs
 * the device reads and writes). On the CPU the larger models also run with
 * three worker threads (edgenpu_runner_set_threads()): the pool is made
 * once, and a run hands it work without allocating. On the CPU, runs with
 * input and output bound to caller memory (edgenpu_runner_bind_input(),
 * _output()), rebound before every run, allocate nothing either. Two
 * runners started and finished in turn (edgenpu_runner_start(), _finish())
 * allocate nothing and give edgenpu_runner_run()'s output.
 *
 *   steady_test MODELS_DIR [DEVICE]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edgenpu.h"
#include "tap.h"

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void __real_free(void *p);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
void __wrap_free(void *p);

/* Atomic: the runner's worker threads allocate through these too. */
static atomic_ulong nalloc;

void *__wrap_malloc(size_t size)
{
	nalloc++;
	return __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
	nalloc++;
	return __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t size)
{
	nalloc++;
	return __real_realloc(p, size);
}

void __wrap_free(void *p)
{
	__real_free(p);
}

static void steady(struct tap *t, const char *dir, const char *name,
		   struct edgenpu_device *dev, uint64_t mask, unsigned int threads)
{
	struct edgenpu_model *m = NULL;
	struct edgenpu_plan *p = NULL;
	struct edgenpu_runner *r = NULL;
	const void *out0;
	char path[4096], err[256];
	size_t size;
	void *in0;
	int i, ok = 1;

	snprintf(path, sizeof(path), "%s/%s/model.tflite", dir, name);
	atomic_store(&nalloc, 0);
	if (edgenpu_model_load_file(path, &m, err, sizeof(err)) ||
	    edgenpu_plan_create(m, mask, &p, err, sizeof(err)) ||
	    edgenpu_runner_create(p, dev, &r, err, sizeof(err))) {
		tap_check(t, 0, "%s: %s", name, err);
		goto out;
	}
	if (threads > 1 && edgenpu_runner_set_threads(r, threads)) {
		tap_check(t, 0, "%s: %u threads", name, threads);
		goto out;
	}
	/* The counting works: setting up allocates. */
	tap_check(t, atomic_load(&nalloc) > 0,
		  "%s (%u thread(s)): loading, planning and the runner allocate (%lu)",
		  name, threads, atomic_load(&nalloc));
	in0 = edgenpu_runner_input(r, 0, &size);
	memset(in0, 7, size);
	out0 = edgenpu_runner_output(r, 0, &size);
	ok = !edgenpu_runner_run(r);
	atomic_store(&nalloc, 0);
	for (i = 0; i < 10 && ok; i++) {
		ok = !edgenpu_runner_run(r) &&
		     edgenpu_runner_input(r, 0, &size) == in0 &&
		     edgenpu_runner_output(r, 0, &size) == out0;
	}
	tap_check(t, ok && atomic_load(&nalloc) == 0,
		  "%s (%u thread(s)): 10 runs after the first allocate nothing, in place (allocations) (%lu)",
		  name, threads, atomic_load(&nalloc));
out:
	edgenpu_runner_unref(r);
	edgenpu_plan_unref(p);
	edgenpu_model_unref(m);
}

/*
 * On the CPU executor, input 0 and output 0 bound to caller memory
 * (edgenpu_runner_bind_input() and _output()), alternating between two
 * sets before every run: binding and running allocate nothing, and both
 * sets get the same output.
 */
static void steady_bound(struct tap *t, const char *dir, const char *name,
			 unsigned int threads)
{
	struct edgenpu_model *m = NULL;
	struct edgenpu_plan *p = NULL;
	struct edgenpu_runner *r = NULL;
	void *in[2] = { NULL, NULL }, *out[2] = { NULL, NULL };
	char path[4096], err[256];
	size_t isz = 0, osz = 0;
	int i, ok = 1;

	snprintf(path, sizeof(path), "%s/%s/model.tflite", dir, name);
	if (edgenpu_model_load_file(path, &m, err, sizeof(err)) ||
	    edgenpu_plan_create(m, EDGENPU_OP_MASK_ALL, &p, err, sizeof(err)) ||
	    edgenpu_runner_create(p, NULL, &r, err, sizeof(err)) ||
	    (threads > 1 && edgenpu_runner_set_threads(r, threads)) ||
	    !edgenpu_runner_input(r, 0, &isz) ||
	    !edgenpu_runner_output(r, 0, &osz)) {
		tap_check(t, 0, "%s: bound: %s", name, err);
		goto out;
	}
	for (i = 0; i < 2; i++) {
		if (posix_memalign(&in[i], 64, isz) ||
		    posix_memalign(&out[i], 64, osz)) {
			tap_check(t, 0, "%s: bound: memory", name);
			goto out;
		}
		memset(in[i], 7, isz);
		memset(out[i], i, osz);
	}
	ok = !edgenpu_runner_bind_input(r, 0, in[1], isz) &&
	     !edgenpu_runner_bind_output(r, 0, out[1], osz) &&
	     !edgenpu_runner_run(r);
	atomic_store(&nalloc, 0);
	for (i = 0; i < 10 && ok; i++)
		ok = !edgenpu_runner_bind_input(r, 0, in[i % 2], isz) &&
		     !edgenpu_runner_bind_output(r, 0, out[i % 2], osz) &&
		     !edgenpu_runner_run(r);
	tap_check(t, ok && atomic_load(&nalloc) == 0 && !memcmp(out[0], out[1], osz),
		  "%s (%u thread(s)): 10 runs bound to caller memory, two sets in turn, allocate nothing (%lu) and give the same output",
		  name, threads, atomic_load(&nalloc));
out:
	edgenpu_runner_unref(r);
	for (i = 0; i < 2; i++) {
		free(in[i]);
		free(out[i]);
	}
	edgenpu_plan_unref(p);
	edgenpu_model_unref(m);
}

/*
 * edgenpu_runner_start() and _finish(): two runners of one plan started
 * in turn, one queued while the other runs (on the NPU; on the CPU the
 * run happens in start). After a first round the loop allocates nothing,
 * and every run's output equals edgenpu_runner_run()'s. Misuse is refused:
 * finish without start (-EINVAL), a second start (-EBUSY), binding while
 * started (-EBUSY on the CPU; a device refuses binding anyway). The last
 * started run is left for edgenpu_runner_unref() to finish.
 */
static void steady_pipelined(struct tap *t, const char *dir, const char *name,
			     struct edgenpu_device *dev, uint64_t mask)
{
	struct edgenpu_model *m = NULL;
	struct edgenpu_plan *p = NULL;
	struct edgenpu_runner *r[2] = { NULL, NULL };
	char path[4096], err[256];
	size_t isz = 0, osz = 0;
	uint8_t *ref = NULL;
	int i, ok, misuse;

	snprintf(path, sizeof(path), "%s/%s/model.tflite", dir, name);
	if (edgenpu_model_load_file(path, &m, err, sizeof(err)) ||
	    edgenpu_plan_create(m, mask, &p, err, sizeof(err)) ||
	    edgenpu_runner_create(p, dev, &r[0], err, sizeof(err)) ||
	    edgenpu_runner_create(p, dev, &r[1], err, sizeof(err))) {
		tap_check(t, 0, "%s: pipelined: %s", name, err);
		goto out;
	}
	for (i = 0; i < 2; i++) {
		void *in = edgenpu_runner_input(r[i], 0, &isz);

		memset(in, 7, isz);	/* isz is set by the call before */
	}
	ok = !edgenpu_runner_run(r[0]);
	edgenpu_runner_output(r[0], 0, &osz);
	ref = malloc(osz);
	if (!ok || !ref) {
		tap_check(t, 0, "%s: pipelined: the plain run", name);
		goto out;
	}
	memcpy(ref, edgenpu_runner_output(r[0], 0, &osz), osz);
	memset((void *)edgenpu_runner_output(r[0], 0, NULL), 0, osz);

	misuse = edgenpu_runner_finish(r[0]) == -EINVAL &&
		 !edgenpu_runner_start(r[0]) &&
		 edgenpu_runner_start(r[0]) == -EBUSY &&
		 (dev || edgenpu_runner_bind_input(r[0], 0, NULL, 0) == -EBUSY) &&
		 !edgenpu_runner_finish(r[0]) &&
		 edgenpu_runner_finish(r[0]) == -EINVAL &&
		 !memcmp(edgenpu_runner_output(r[0], 0, &osz), ref, osz);
	tap_check(t, misuse,
		  "%s: finish without start is -EINVAL, a second start -EBUSY%s, and start + finish gives run()'s output",
		  name, dev ? "" : ", binding while started -EBUSY");

	ok = !edgenpu_runner_start(r[0]);
	atomic_store(&nalloc, 0);
	for (i = 1; i <= 10 && ok; i++) {
		struct edgenpu_runner *next = r[i % 2], *done = r[(i + 1) % 2];

		memset((void *)edgenpu_runner_output(next, 0, NULL), 0, osz);
		ok = !edgenpu_runner_start(next) && !edgenpu_runner_finish(done) &&
		     !memcmp(edgenpu_runner_output(done, 0, &osz), ref, osz);
	}
	tap_check(t, ok && atomic_load(&nalloc) == 0,
		  "%s: two runners started in turn, one queued while the other runs: 10 runs equal run()'s output and allocate nothing (%lu)",
		  name, atomic_load(&nalloc));
out:
	free(ref);
	edgenpu_runner_unref(r[0]);	/* started: unref finishes it */
	edgenpu_runner_unref(r[1]);
	edgenpu_plan_unref(p);
	edgenpu_model_unref(m);
}

int main(int argc, char **argv)
{
	struct edgenpu_device *dev = NULL;
	struct edgenpu_device_info info;
	struct tap t = { 0 };
	uint64_t mask = EDGENPU_OP_MASK_ALL;
	int ret;

	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: steady_test MODELS_DIR [DEVICE]\n");
		return 2;
	}
	if (argc == 3) {
		ret = edgenpu_device_open(argv[2], &dev);
		if (ret || edgenpu_device_get_info(dev, &info)) {
			tap_check(&t, 0, "open %s: %s", argv[2],
				  edgenpu_strerror(ret));
			return tap_done(&t);
		}
		mask = info.op_mask;
	}
	steady(&t, argv[1], "chain_conv_dwconv_add_avgpool_fc_softmax", dev, mask, 1);
	if (!dev) {	/* seconds per run on the vnpu under TCG */
		steady(&t, argv[1], "mobilenet_v2_224_avgpool_logits", dev, mask, 1);
		steady(&t, argv[1], "chain_conv_dwconv_add_avgpool_fc_softmax", dev, mask, 3);
		steady(&t, argv[1], "mobilenet_v2_224_avgpool_logits", dev, mask, 3);
		steady_bound(&t, argv[1], "chain_conv_dwconv_add_avgpool_fc_softmax", 1);
		steady_bound(&t, argv[1], "mobilenet_v2_224_avgpool_logits", 3);
	}
	steady(&t, argv[1], "mean_hw_keep0_requant", dev, mask, 1);
	steady_pipelined(&t, argv[1], "chain_conv_dwconv_add_avgpool_fc_softmax",
			 dev, mask);
	edgenpu_device_unref(dev);
	return tap_done(&t);
}
