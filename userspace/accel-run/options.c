// SPDX-License-Identifier: MIT
/*
 * accel-run: the options of info, run and bench. One table: each row
 * names an option, the commands that take it and how its value is stored,
 * so that an option two commands share (--device, --help) is parsed once.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel-run.h"
#include "options.h"

enum ar_opt_kind {
	AR_OPT_HELP,		/* print the usage and stop */
	AR_OPT_STRING,		/* a const char * field takes the argument */
	AR_OPT_FLAG,		/* an int field becomes 1 */
	AR_OPT_LONG,		/* a long field, within [min, max] */
	AR_OPT_CUSTOM,		/* set() takes it */
};

struct ar_option {
	const char *name;
	unsigned int cmds;	/* the AR_CMD_* that take it */
	enum ar_opt_kind kind;
	size_t field;		/* offsetof(struct ar_options, ...) */
	long min, max;		/* AR_OPT_LONG */
	int (*set)(struct ar_options *o, char *arg);	/* AR_OPT_CUSTOM */
};

/* getopt_long() returns AR_OPT_BASE + the row, above every short option. */
#define AR_OPT_BASE	256

static int set_input(struct ar_options *o, char *arg)
{
	char *eq = strchr(arg, '=');
	struct ar_input_arg *in = &o->inputs[o->num_inputs];

	if (o->num_inputs == AR_MAX_INPUTS || !eq || eq == arg || !eq[1]) {
		fprintf(stderr, "accel-run: --input wants NAME=FILE (at most %d)\n",
			AR_MAX_INPUTS);
		return EXIT_USAGE;
	}
	*eq = 0;
	in->name = arg;
	in->file = eq + 1;
	in->used = 0;
	o->num_inputs++;
	return 0;
}

static int set_seed(struct ar_options *o, char *arg)
{
	char *end;

	errno = 0;
	o->seed = strtoull(arg, &end, 0);
	if (errno || *end || !*arg) {
		fprintf(stderr, "accel-run: bad --seed '%s'\n", arg);
		return EXIT_USAGE;
	}
	return 0;
}

static int set_image_convention(struct ar_options *o, char *arg)
{
	if (strcmp(arg, "raw") == 0) {
		o->minus128 = 0;
	} else if (strcmp(arg, "minus128") == 0) {
		o->minus128 = 1;
	} else {
		fprintf(stderr, "accel-run: --image-convention is raw or minus128\n");
		return EXIT_USAGE;
	}
	return 0;
}

/* A decimal number in [min, max], nothing after it; 0 or -1. */
static int parse_long(const char *arg, long min, long max, long *v)
{
	char *end;

	errno = 0;
	*v = strtol(arg, &end, 10);
	return errno || end == arg || *end || *v < min || *v > max ? -1 : 0;
}

static int set_top(struct ar_options *o, char *arg)
{
	long v;

	if (parse_long(arg, 1, INT_MAX, &v)) {
		fprintf(stderr, "accel-run: bad --top\n");
		return EXIT_USAGE;
	}
	o->top = (int)v;
	return 0;
}

static int set_duration(struct ar_options *o, char *arg)
{
	char *end;

	o->duration = strtod(arg, &end);
	if (end == arg || *end || !(o->duration > 0) || o->duration > 86400) {
		fprintf(stderr, "accel-run bench: bad value '%s' for --duration\n",
			arg);
		return EXIT_USAGE;
	}
	return 0;
}

static int set_parallel(struct ar_options *o, char *arg)
{
	long v;

	if (parse_long(arg, 1, 64, &v)) {
		fprintf(stderr, "accel-run bench: --parallel takes 1 to 64\n");
		return EXIT_USAGE;
	}
	o->parallel = (int)v;
	return 0;
}

#define AR_CMD_MODEL	(AR_CMD_INFO | AR_CMD_RUN | AR_CMD_BENCH)
#define AR_FIELD(f)	offsetof(struct ar_options, f)

/* Row 0 is --help, which -h also names. */
static const struct ar_option ar_option_table[] = {
	{ "help", AR_CMD_MODEL, AR_OPT_HELP, 0, 0, 0, NULL },
	{ "device", AR_CMD_MODEL, AR_OPT_STRING, AR_FIELD(device), 0, 0, NULL },
	{ "input", AR_CMD_RUN, AR_OPT_CUSTOM, 0, 0, 0, set_input },
	{ "output-dir", AR_CMD_RUN, AR_OPT_STRING, AR_FIELD(output_dir), 0, 0, NULL },
	{ "seed", AR_CMD_RUN, AR_OPT_CUSTOM, 0, 0, 0, set_seed },
	{ "image-convention", AR_CMD_RUN, AR_OPT_CUSTOM, 0, 0, 0, set_image_convention },
	{ "top", AR_CMD_RUN, AR_OPT_CUSTOM, 0, 0, 0, set_top },
	{ "check", AR_CMD_RUN, AR_OPT_FLAG, AR_FIELD(check), 0, 0, NULL },
	{ "require-full-offload", AR_CMD_RUN, AR_OPT_FLAG, AR_FIELD(full_offload), 0, 0, NULL },
	{ "iterations", AR_CMD_BENCH, AR_OPT_LONG, AR_FIELD(iterations), 1, 10000000, NULL },
	{ "duration", AR_CMD_BENCH, AR_OPT_CUSTOM, 0, 0, 0, set_duration },
	{ "warmup", AR_CMD_BENCH, AR_OPT_LONG, AR_FIELD(warmup), 0, 1000000, NULL },
	{ "parallel", AR_CMD_BENCH, AR_OPT_CUSTOM, 0, 0, 0, set_parallel },
	{ "pipeline", AR_CMD_BENCH, AR_OPT_LONG, AR_FIELD(pipeline), 1, 16, NULL },
	{ "threads", AR_CMD_RUN | AR_CMD_BENCH, AR_OPT_LONG, AR_FIELD(threads), 0, 64, NULL },
	{ "json", AR_CMD_BENCH, AR_OPT_STRING, AR_FIELD(json), 0, 0, NULL },
	{ "profile", AR_CMD_BENCH, AR_OPT_FLAG, AR_FIELD(profile), 0, 0, NULL },
	{ "trace", AR_CMD_BENCH, AR_OPT_STRING, AR_FIELD(trace), 0, 0, NULL },
};

#define AR_NUM_OPTIONS	(sizeof(ar_option_table) / sizeof(ar_option_table[0]))

static void set_defaults(struct ar_options *o)
{
	memset(o, 0, sizeof(*o));
	o->output_dir = ".";
	o->seed = 1;
	o->top = 5;
	o->warmup = 5;
	o->parallel = 1;
	o->pipeline = 1;
	o->threads = -1;	/* not given: see ar_runner_threads() */
}

/* getopt_long()'s table: the rows @cmd takes. */
static void build_longopts(unsigned int cmd, struct option *lo)
{
	size_t i, n = 0;

	for (i = 0; i < AR_NUM_OPTIONS; i++) {
		const struct ar_option *opt = &ar_option_table[i];

		if (!(opt->cmds & cmd))
			continue;
		lo[n].name = opt->name;
		lo[n].has_arg = opt->kind == AR_OPT_HELP ||
				opt->kind == AR_OPT_FLAG ?
				no_argument : required_argument;
		lo[n].flag = NULL;
		lo[n].val = (int)(AR_OPT_BASE + i);
		n++;
	}
	memset(&lo[n], 0, sizeof(lo[n]));
}

static int apply(struct ar_options *o, const struct ar_option *opt, char *arg)
{
	char *field = (char *)o + opt->field;

	switch (opt->kind) {
	case AR_OPT_HELP:
		o->help = 1;
		ar_usage(stdout);
		return 0;
	case AR_OPT_STRING:
		*(const char **)(void *)field = arg;
		return 0;
	case AR_OPT_FLAG:
		*(int *)(void *)field = 1;
		return 0;
	case AR_OPT_LONG:
		if (!parse_long(arg, opt->min, opt->max, (long *)(void *)field))
			return 0;
		fprintf(stderr, "accel-run bench: bad value '%s' for --%s\n",
			arg, opt->name);
		return EXIT_USAGE;
	default:
		return opt->set(o, arg);
	}
}

/* After the options: what they must agree on, and the one MODEL. */
static int check_args(int argc, char **argv, struct ar_options *o)
{
	if (o->iterations && o->duration) {
		fprintf(stderr, "accel-run bench: give --iterations or --duration, not both\n");
		return EXIT_USAGE;
	}
	if (o->parallel > 1 && o->pipeline > 1) {
		fprintf(stderr, "accel-run bench: give --parallel or --pipeline, not both\n");
		return EXIT_USAGE;
	}
	if (optind != argc - 1) {
		fprintf(stderr, "accel-run %s: give exactly one MODEL\n", argv[0]);
		return EXIT_USAGE;
	}
	o->model = argv[optind];
	return 0;
}

int ar_options_parse(unsigned int cmd, int argc, char **argv,
		     struct ar_options *o)
{
	struct option lo[AR_NUM_OPTIONS + 1];
	int c, ret = 0;

	set_defaults(o);
	build_longopts(cmd, lo);
	optind = 0;	/* a full rescan: main() ran getopt_long() before */
	while (!ret && !o->help &&
	       (c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		if (c == 'h')
			c = AR_OPT_BASE;
		if (c < AR_OPT_BASE)
			return EXIT_USAGE;	/* getopt_long() said why */
		ret = apply(o, &ar_option_table[c - AR_OPT_BASE], optarg);
	}
	if (ret || o->help)
		return ret;
	return check_args(argc, argv, o);
}
