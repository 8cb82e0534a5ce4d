// SPDX-License-Identifier: MIT
/*
 * accel-run: run, check, benchmark and profile models on edgenpu NPUs.
 * This file parses the global options and the command word and hands the
 * rest to the command's file (cmd_<command>.c).
 *
 * Exit codes: 0 ok, 1 the run failed, 2 bad usage or bad input.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "edgenpu.h"
#include "accel-run.h"

void ar_usage(FILE *f)
{
	fprintf(f,
		"usage: accel-run [--help] [--version] COMMAND [ARGS]\n"
		"\n"
		"commands:\n"
		"  devices    list edgenpu NPUs and their capabilities\n"
		"  info       show a model's inputs, outputs, op placement and memory plan\n"
		"  run        run a model once and write its outputs\n"
		"  bench      measure a model's latency and throughput, with a per-op profile\n"
		"  doctor     find what keeps this machine from its NPU, and say the fix\n"
		"\n"
		"  accel-run devices\n"
		"  accel-run info MODEL [--device N|PATH|cpu]\n"
		"  accel-run run MODEL [--device N|PATH|cpu] [--input NAME=FILE]...\n"
		"                [--output-dir DIR] [--seed N]\n"
		"                [--image-convention raw|minus128] [--top K]\n"
		"                [--check] [--require-full-offload] [--threads T]\n"
		"  accel-run bench MODEL [--device N|PATH|cpu] [--iterations N | --duration S]\n"
		"                [--warmup N] [--parallel P | --pipeline D] [--threads T]\n"
		"                [--json FILE] [--profile] [--trace FILE]\n"
		"  accel-run doctor\n"
		"\n"
		"--device N|PATH picks an NPU; cpu runs every op on the library's CPU\n"
		"executor. run and bench default to the first NPU (the CPU when there\n"
		"is none, said out loud); info plans for the CPU. Ops the NPU cannot run\n"
		"go to the CPU executor and are listed. --require-full-offload fails\n"
		"instead (always on the CPU executor).\n"
		"--check also runs the CPU reference and compares the output of every\n"
		"op bit for bit, naming the first op that differs (the plan then keeps\n"
		"every intermediate tensor: more memory, no reuse).\n"
		"Inputs: .bin (raw bytes, exact size), .npy (int8/uint8, same shape),\n"
		".bmp (8-bit grayscale), .pgm (P5), .ppm (P6); images become input\n"
		"bytes by --image-convention: raw = the pixel byte reinterpreted as\n"
		"int8 (TFLite Micro's convention, default), minus128 = pixel - 128.\n"
		"Inputs not given are seeded random bytes (--seed, default 1).\n"
		"Outputs are written as DIR/output<i>.npy (default DIR: ., made if\n"
		"missing).\n"
		"bench --pipeline D streams from one thread through D runners, each\n"
		"started before the oldest is collected, and reports the share of the\n"
		"wall time the NPU was busy (needs an NPU).\n"
		"info, run and bench also take --help.\n"
		"\n"
		"exit status: 0 ok, 1 the run failed (or the model needs an op edgenpu\n"
		"cannot run), 2 bad usage or bad input (including malformed models)\n");
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} ar_commands[] = {
	{ "devices", cmd_devices },
	{ "info", cmd_info },
	{ "run", cmd_run },
	{ "bench", cmd_bench },
	{ "doctor", cmd_doctor },
};

/* --help and --version; -1 to go on to the command word. */
static int parse_global(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	int c;

	/* "+": the first non-option is the command; its options are its own. */
	while ((c = getopt_long(argc, argv, "+hV", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			ar_usage(stdout);
			return 0;
		case 'V':
			printf("accel-run %s\n", edgenpu_version());
			return 0;
		default:
			ar_usage(stderr);
			return EXIT_USAGE;
		}
	}
	return -1;
}

int main(int argc, char **argv)
{
	size_t i;
	int ret;

	ret = parse_global(argc, argv);
	if (ret >= 0)
		return ret;
	if (optind >= argc) {
		ar_usage(stderr);
		return EXIT_USAGE;
	}
	for (i = 0; i < sizeof(ar_commands) / sizeof(ar_commands[0]); i++)
		if (strcmp(argv[optind], ar_commands[i].name) == 0)
			return ar_commands[i].fn(argc - optind, argv + optind);
	fprintf(stderr, "accel-run: unknown command '%s'\n", argv[optind]);
	ar_usage(stderr);
	return EXIT_USAGE;
}
