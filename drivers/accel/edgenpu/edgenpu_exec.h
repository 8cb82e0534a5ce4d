/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The engine glue: a job's buffer table as the engine sees it, the
 * engine's validator at submission and executor at run time, and the
 * engine's reports as userspace reads them. edgenpu_job_execute() and
 * edgenpu_job_corrupt(), for backends, are in edgenpu_backend.h.
 */
#ifndef __EDGENPU_EXEC_H__
#define __EDGENPU_EXEC_H__

#include <linux/types.h>

struct edgenpu_device;
struct edgenpu_file;
struct edgenpu_job;

int edgenpu_exec_init(struct edgenpu_device *edev);
void edgenpu_exec_fini(struct edgenpu_device *edev);
void edgenpu_exec_describe_buffer(struct edgenpu_job *job, u32 i, u32 flags);
void edgenpu_exec_bind_buffers(struct edgenpu_job *job);
bool edgenpu_exec_buffer_writes(const struct edgenpu_job *job, u32 i);
int edgenpu_job_validate(struct edgenpu_job *job, struct edgenpu_file *efile);
void edgenpu_exec_report_failure(struct edgenpu_job *job, int error);

#endif /* __EDGENPU_EXEC_H__ */
