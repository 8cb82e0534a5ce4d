// SPDX-License-Identifier: MIT
/*
 * libedgenpu (internal): Chrome trace event JSON for accel-run bench
 * --trace and the TFLite delegate's profile option (trace.h).
 */
#include <errno.h>
#include <inttypes.h>

#include "trace.h"

void edgenpu__json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void trace_event(FILE *f, const struct edgenpu__trace_event *e,
			uint64_t base)
{
	int a, first = 1;

	fputs("{\"name\":", f);
	edgenpu__json_string(f, e->name);
	fputs(",\"cat\":", f);
	edgenpu__json_string(f, e->cat);
	fprintf(f, ",\"ph\":\"X\",\"ts\":%.3f,\"dur\":%.3f,\"pid\":1,\"tid\":1,\"args\":{",
		(double)(e->ts_ns - base) / 1e3, (double)e->dur_ns / 1e3);
	for (a = 0; a < EDGENPU__TRACE_ARGS; a++) {
		if (!e->arg_key[a])
			continue;
		fputs(first ? "" : ",", f);
		edgenpu__json_string(f, e->arg_key[a]);
		fprintf(f, ":%" PRId64, e->arg_val[a]);
		first = 0;
	}
	fputs("}}", f);
}

int edgenpu__trace_write(FILE *f, const struct edgenpu__trace_event *ev,
			 size_t n, uint64_t dropped)
{
	uint64_t base = UINT64_MAX;
	size_t i;

	for (i = 0; i < n; i++)
		if (ev[i].ts_ns < base)
			base = ev[i].ts_ns;
	fputs("{\"displayTimeUnit\":\"ns\",", f);
	if (dropped)
		fprintf(f, "\"otherData\":{\"dropped_events\":\"%" PRIu64 "\"},",
			dropped);
	fputs("\"traceEvents\":[", f);
	for (i = 0; i < n; i++) {
		fputs(i ? ",\n" : "\n", f);
		trace_event(f, &ev[i], base);
	}
	fputs("\n]}\n", f);
	fflush(f);
	return ferror(f) ? -EIO : 0;
}
