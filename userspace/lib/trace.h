/* SPDX-License-Identifier: MIT */
/*
 * Chrome trace event format (JSON, which Perfetto and chrome://tracing
 * open) for libedgenpu's tools: accel-run bench --trace and the TFLite
 * delegate's profile option. Internal: not part of the public API; both
 * link libedgenpu.a.
 */
#ifndef EDGENPU_TRACE_H
#define EDGENPU_TRACE_H

#include <stdint.h>
#include <stdio.h>

#include "lib_private.h"

#define EDGENPU__TRACE_ARGS 3

/* One complete ("X") event: @name and @cat are not copied. */
struct edgenpu__trace_event {
	const char *name, *cat;
	uint64_t ts_ns, dur_ns;		/* CLOCK_MONOTONIC, duration */
	const char *arg_key[EDGENPU__TRACE_ARGS];	/* NULL: none */
	int64_t arg_val[EDGENPU__TRACE_ARGS];
};

/*
 * @s as a JSON string, quoted and escaped (quotes, backslashes, control
 * characters); NULL as "".
 */
void edgenpu__json_string(FILE *f, const char *s);

/*
 * Write @n events to @f as one trace, times relative to the earliest
 * event, one process and thread; @dropped (events not recorded) goes into
 * "otherData" when not zero. 0, or -EIO when @f reports an error.
 */
EDGENPU_PRIVATE int edgenpu__trace_write(FILE *f, const struct edgenpu__trace_event *ev,
					 size_t n, uint64_t dropped);

#endif
