/* SPDX-License-Identifier: MIT */
/*
 * accel-run: the options of info, run and bench, from one table
 * (options.c) that says which command takes which option.
 */
#ifndef ACCEL_RUN_OPTIONS_H
#define ACCEL_RUN_OPTIONS_H

#include <stddef.h>

/* The commands with options, as bits of the table's command mask. */
#define AR_CMD_INFO	(1u << 0)
#define AR_CMD_RUN	(1u << 1)
#define AR_CMD_BENCH	(1u << 2)

#define AR_MAX_INPUTS	64

/* One --input NAME=FILE; @used once an input of the model took it. */
struct ar_input_arg {
	const char *name;
	const char *file;
	int used;
};

struct ar_options {
	const char *model;		/* the one positional argument */
	const char *device;		/* --device, NULL without it */
	int help;			/* --help: the usage was printed */
	/* run */
	struct ar_input_arg inputs[AR_MAX_INPUTS];
	size_t num_inputs;
	const char *output_dir;
	unsigned long long seed;
	int minus128;			/* --image-convention minus128 */
	int top;
	int check;
	int full_offload;		/* --require-full-offload */
	/* bench; iterations and duration stay 0 unless given */
	long iterations;
	double duration;
	long warmup;
	int parallel;
	long pipeline;		/* bench: runs in flight from one thread */
	long threads;			/* --threads: CPU executor threads, 0 = CPUs,
					 * -1 = not given */
	int profile;
	const char *json;
	const char *trace;
};

/**
 * ar_options_parse() - the options of command @cmd (one AR_CMD_*)
 * @argv: argv[0] is the command word; --input's NAME=FILE is split in place
 *
 * Sets the defaults, then the options given, then @o->model. Errors are
 * printed. Return: 0 to go on (or, with @o->help set, to exit 0 after the
 * usage), or EXIT_USAGE.
 */
int ar_options_parse(unsigned int cmd, int argc, char **argv,
		     struct ar_options *o);

#endif
