/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Crash dumps of timed-out jobs, as devcoredumps.
 */
#ifndef __EDGENPU_COREDUMP_H__
#define __EDGENPU_COREDUMP_H__

struct edgenpu_device;
struct edgenpu_job;

int edgenpu_coredump_init(struct edgenpu_device *edev);
void edgenpu_coredump_capture(struct edgenpu_job *job);
void edgenpu_coredump_forget(struct edgenpu_job *job);
void edgenpu_coredump(struct edgenpu_job *job);

#endif /* __EDGENPU_COREDUMP_H__ */
