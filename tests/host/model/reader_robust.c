// SPDX-License-Identifier: MIT
/*
 * reader_robust: hostile model files never crash libedgenpu. For each
 * model file given: every truncation (all lengths for files up to 4 KiB,
 * else 600 spread over the file), random byte flips, and "hostile"
 * 32-bit values (0xffffffff, 0x7fffffff, 0x80000000, the file size,
 * small negatives) written over 4-byte-aligned words. Each mutant is
 * loaded; whatever loads is planned, and whatever plans is run once on
 * the CPU executor. A rejection must come with an errno of -EBADMSG or
 * -EINVAL (loading) and a message. Built with ASan/UBSan, any memory
 * error aborts the test.
 *
 *   reader_robust SEED MODEL...
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edgenpu.h"

static int ntest, nfail;

static void tap(int ok, const char *msg, const char *name)
{
	printf("%sok %d - %s: %s\n", ok ? "" : "not ", ++ntest, name, msg);
	if (!ok)
		nfail++;
	fflush(stdout);
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

struct stats {
	unsigned tried, loaded, planned, ran, bad_errno, no_msg;
};

static void attempt(const uint8_t *buf, size_t n, struct stats *st)
{
	struct edgenpu_model *m = NULL;
	struct edgenpu_plan *p = NULL;
	struct edgenpu_runner *r = NULL;
	char err[512];
	int ret;

	st->tried++;
	err[0] = 0;
	ret = edgenpu_model_load_memory(buf, n, "mutant", &m, err, sizeof(err));
	if (ret) {
		if (ret != -EBADMSG && ret != -EINVAL)
			st->bad_errno++;
		if (!err[0])
			st->no_msg++;
		return;
	}
	st->loaded++;
	err[0] = 0;
	ret = edgenpu_plan_create(m, EDGENPU_OP_MASK_ALL, &p, err, sizeof(err));
	if (ret) {
		if (!err[0])
			st->no_msg++;
		edgenpu_model_unref(m);
		return;
	}
	st->planned++;
	if (!edgenpu_runner_create(p, NULL, &r, err, sizeof(err))) {
		size_t i, size;

		for (i = 0; i < edgenpu_model_num_inputs(m); i++) {
			uint8_t *in = edgenpu_runner_input(r, i, &size);

			memset(in, 0x5a, size);
		}
		if (!edgenpu_runner_run(r))
			st->ran++;
		edgenpu_runner_unref(r);
	}
	edgenpu_plan_unref(p);
	edgenpu_model_unref(m);
}

int main(int argc, char **argv)
{
	uint64_t seed;
	int a;

	if (argc < 3) {
		fprintf(stderr, "usage: reader_robust SEED MODEL...\n");
		return 2;
	}
	seed = strtoull(argv[1], NULL, 0) | 1;
	for (a = 2; a < argc; a++) {
		struct stats st = { 0 };
		const char *name = strrchr(argv[a], '/') ? strrchr(argv[a], '/') + 1 : argv[a];
		uint8_t *orig, *buf;
		size_t n, i, step, nmut;
		char msg[256];
		FILE *f = fopen(argv[a], "rb");
		long len;

		if (!f || fseek(f, 0, SEEK_END) || (len = ftell(f)) < 8 ||
		    fseek(f, 0, SEEK_SET)) {
			tap(0, "cannot read", argv[a]);
			if (f)
				fclose(f);
			continue;
		}
		n = (size_t)len;
		orig = malloc(n);
		buf = malloc(n);
		if (!orig || !buf || fread(orig, 1, n, f) != n) {
			tap(0, "cannot read", argv[a]);
			fclose(f);
			free(orig);
			free(buf);
			continue;
		}
		fclose(f);
		/* Big models run slowly under ASan: fewer mutants. */
		nmut = n <= 65536 ? 1500 : 150;

		attempt(orig, n, &st);
		tap(st.loaded == 1, "the intact file loads", name);

		/* Truncations: a fresh exact-size copy each time, so that
		 * ASan sees every read past the end. */
		memset(&st, 0, sizeof(st));
		step = n <= 4096 ? 1 : n / 600;
		for (i = 0; i < n; i += step) {
			uint8_t *t = malloc(i ? i : 1);

			memcpy(t, orig, i);
			attempt(t, i, &st);
			free(t);
		}
		snprintf(msg, sizeof(msg), "%u truncations: all rejected with -EBADMSG/-EINVAL and a message (%u loaded)",
			 st.tried, st.loaded);
		tap(st.loaded == 0 && !st.bad_errno && !st.no_msg, msg, name);

		/* Random byte flips, 1 to 8 bytes per mutant. */
		memset(&st, 0, sizeof(st));
		for (i = 0; i < nmut; i++) {
			unsigned k, nflip = 1 + rnd(&seed) % 8;

			memcpy(buf, orig, n);
			for (k = 0; k < nflip; k++)
				buf[rnd(&seed) % n] ^= (uint8_t)(1 + rnd(&seed) % 255);
			attempt(buf, n, &st);
		}
		snprintf(msg, sizeof(msg), "%u byte-flip mutants: no crash, %u loaded, %u planned, %u ran; rejections have a message",
			 st.tried, st.loaded, st.planned, st.ran);
		tap(!st.bad_errno && !st.no_msg, msg, name);

		/* Hostile offsets and lengths. */
		memset(&st, 0, sizeof(st));
		for (i = 0; i < nmut; i++) {
			static const uint32_t evil[] = {
				0xffffffffu, 0x7fffffffu, 0x80000000u,
				0xfffffffcu, 0x10000u, 4, 0,
			};
			uint32_t v = evil[rnd(&seed) % 8 % 7];
			size_t pos = (rnd(&seed) % (n / 4)) * 4;

			if (rnd(&seed) % 8 == 0)
				v = (uint32_t)n - (uint32_t)(rnd(&seed) % 16);
			memcpy(buf, orig, n);
			memcpy(buf + pos, &v, 4);
			attempt(buf, n, &st);
		}
		snprintf(msg, sizeof(msg), "%u hostile-offset mutants: no crash, %u loaded, %u planned, %u ran",
			 st.tried, st.loaded, st.planned, st.ran);
		tap(!st.bad_errno && !st.no_msg, msg, name);
		free(orig);
		free(buf);
	}
	printf("1..%d\n", ntest);
	return nfail ? 1 : 0;
}
