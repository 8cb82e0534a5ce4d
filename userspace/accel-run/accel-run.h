/* SPDX-License-Identifier: MIT */
/*
 * accel-run: what main.c and the command files (cmd_*.c) share. The
 * helpers they use have their own headers: options.h (run/info/bench
 * options), device.h, model.h, print.h, input.h and npy.h.
 */
#ifndef ACCEL_RUN_H
#define ACCEL_RUN_H

#include <stdio.h>

/* Exit statuses: 0 ok, 1 the run failed, 2 bad usage or bad input. */
#define EXIT_RUN_FAILED 1
#define EXIT_USAGE 2

/* The usage text, for --help (stdout) and for bad usage (stderr). */
void ar_usage(FILE *f);

/* The commands: argv[0] is the command word; each returns an exit status. */
int cmd_devices(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_doctor(int argc, char **argv);

#endif
