/* SPDX-License-Identifier: MIT */
/*
 * TAP output for every C test program (host, guest and fuzz smoke):
 * "ok N - name" lines, "# SKIP" results, "# ..." diagnostics, the plan at
 * the end and a non-zero exit status if anything failed. Header-only, no
 * global state: each program owns its struct tap.
 */
#ifndef EDGENPU_TAP_H
#define EDGENPU_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/*
 * @last: when the previous result was printed (0 before the first); a
 * result that took TAP_SLOW_S or more is followed by a diagnostic with its
 * time, so a log shows where a test spends its seconds.
 */
struct tap {
	int n;
	int failed;
	double last;
};

#define TAP_SLOW_S 2.0

static inline double tap_now(void)
{
	struct timespec ts;

	if (!timespec_get(&ts, TIME_UTC))
		return 0;
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* After a result: its time, when it was slow. */
static inline void tap_time(struct tap *t)
{
	double now = tap_now();

	if (t->last > 0 && now - t->last >= TAP_SLOW_S)
		printf("# (%d took %.1f s)\n", t->n, now - t->last);
	t->last = now;
}

static inline int tap_check(struct tap *t, int ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline void tap_skip(struct tap *t, const char *why, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline void tap_diag(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

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
	tap_time(t);
	fflush(stdout);
	return ok;
}

/* A check that could not run here; it counts as passed, as TAP says. */
static inline void tap_skip(struct tap *t, const char *why, const char *fmt, ...)
{
	va_list ap;

	t->n++;
	printf("ok %d - ", t->n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" # SKIP %s\n", why);
	tap_time(t);
	fflush(stdout);
}

/* A diagnostic line; TAP consumers show it, they do not count it. */
static inline void tap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static inline int tap_done(struct tap *t)
{
	printf("1..%d\n", t->n);
	if (t->failed)
		printf("# %d of %d failed\n", t->failed, t->n);
	return t->failed ? 1 : 0;
}

#endif
