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
#include "tap.h"

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

/* The whole file into a fresh buffer of its exact size (*n bytes). */
static uint8_t *read_model(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long len;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 8 ||
	    fseek(f, 0, SEEK_SET))
		goto out;
	*n = (size_t)len;
	buf = malloc(*n);
	if (buf && fread(buf, 1, *n, f) != *n) {
		free(buf);
		buf = NULL;
	}
out:
	fclose(f);
	return buf;
}

/* Every truncation: a fresh exact-size copy each time, so that ASan sees
 * every read past the end. */
static void check_truncations(struct tap *t, const uint8_t *orig, size_t n,
			      const char *name)
{
	struct stats st = { 0 };
	size_t i, step = n <= 4096 ? 1 : n / 600;

	for (i = 0; i < n; i += step) {
		uint8_t *c = malloc(i ? i : 1);

		memcpy(c, orig, i);
		attempt(c, i, &st);
		free(c);
	}
	tap_check(t, st.loaded == 0 && !st.bad_errno && !st.no_msg,
		  "%s: %u truncations: all rejected with -EBADMSG/-EINVAL and a message (%u loaded)",
		  name, st.tried, st.loaded);
}

/* Random byte flips, 1 to 8 bytes per mutant. */
static void check_flips(struct tap *t, const uint8_t *orig, uint8_t *buf,
			size_t n, size_t nmut, uint64_t *seed, const char *name)
{
	struct stats st = { 0 };
	size_t i;

	for (i = 0; i < nmut; i++) {
		unsigned k, nflip = 1 + rnd(seed) % 8;

		memcpy(buf, orig, n);
		for (k = 0; k < nflip; k++)
			buf[rnd(seed) % n] ^= (uint8_t)(1 + rnd(seed) % 255);
		attempt(buf, n, &st);
	}
	tap_check(t, !st.bad_errno && !st.no_msg,
		  "%s: %u byte-flip mutants: no crash, %u loaded, %u planned, %u ran; rejections have a message",
		  name, st.tried, st.loaded, st.planned, st.ran);
}

/* Hostile offsets and lengths over 4-byte-aligned words. */
static void check_hostile(struct tap *t, const uint8_t *orig, uint8_t *buf,
			  size_t n, size_t nmut, uint64_t *seed, const char *name)
{
	static const uint32_t evil[] = {
		0xffffffffu, 0x7fffffffu, 0x80000000u,
		0xfffffffcu, 0x10000u, 4, 0,
	};
	struct stats st = { 0 };
	size_t i;

	for (i = 0; i < nmut; i++) {
		uint32_t v = evil[rnd(seed) % 8 % 7];
		size_t pos = (rnd(seed) % (n / 4)) * 4;

		if (rnd(seed) % 8 == 0)
			v = (uint32_t)n - (uint32_t)(rnd(seed) % 16);
		memcpy(buf, orig, n);
		memcpy(buf + pos, &v, 4);
		attempt(buf, n, &st);
	}
	tap_check(t, !st.bad_errno && !st.no_msg,
		  "%s: %u hostile-offset mutants: no crash, %u loaded, %u planned, %u ran",
		  name, st.tried, st.loaded, st.planned, st.ran);
}

static void check_model(struct tap *t, const char *path, uint64_t *seed)
{
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	struct stats st = { 0 };
	uint8_t *orig, *buf = NULL;
	size_t n = 0, nmut;

	orig = read_model(path, &n);
	if (orig)
		buf = malloc(n);
	if (!buf) {
		tap_check(t, 0, "%s: cannot read", path);
		free(orig);
		return;
	}
	/* Big models run slowly under ASan: fewer mutants. */
	nmut = n <= 65536 ? 1500 : 150;

	attempt(orig, n, &st);
	tap_check(t, st.loaded == 1, "%s: the intact file loads", name);
	check_truncations(t, orig, n, name);
	check_flips(t, orig, buf, n, nmut, seed, name);
	check_hostile(t, orig, buf, n, nmut, seed, name);
	free(orig);
	free(buf);
}

int main(int argc, char **argv)
{
	struct tap t = { 0 };
	uint64_t seed;
	int a;

	if (argc < 3) {
		fprintf(stderr, "usage: reader_robust SEED MODEL...\n");
		return 2;
	}
	seed = strtoull(argv[1], NULL, 0) | 1;
	for (a = 2; a < argc; a++)
		check_model(&t, argv[a], &seed);
	return tap_done(&t);
}
