/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Crash dumps of timed-out jobs, as devcoredumps.
 */
#ifndef __EDGENPU_COREDUMP_H__
#define __EDGENPU_COREDUMP_H__

struct edgenpu_job;

void edgenpu_coredump(struct edgenpu_job *job);

#endif /* __EDGENPU_COREDUMP_H__ */
