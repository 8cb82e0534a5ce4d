/* SPDX-License-Identifier: MIT */
/*
 * Minimal TAP output for the guest tests: "ok N - name" lines, a plan at
 * the end, and a non-zero exit if anything failed.
 */
#ifndef EDGENPU_TAP_H
#define EDGENPU_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

struct tap {
	int n;
	int failed;
};

static inline int tap_check(struct tap *t, int ok, const char *fmt, ...)
{
	va_list ap;

	t->n++;
	if (!ok)
		t->failed++;
	printf("%sok %d - ", ok ? "" : "not ", t->n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	return ok;
}

static inline int tap_done(struct tap *t)
{
	printf("1..%d\n", t->n);
	if (t->failed)
		printf("# %d of %d failed\n", t->failed, t->n);
	return t->failed ? 1 : 0;
}

#endif
