/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The scheduler: one drm_gpu_scheduler per core, hardware fences,
 * completion and timeouts. edgenpu_job_done() and edgenpu_job_core(),
 * for backends, are in edgenpu_backend.h.
 */
#ifndef __EDGENPU_SCHED_H__
#define __EDGENPU_SCHED_H__

struct edgenpu_device;

int edgenpu_sched_init(struct edgenpu_device *edev);
void edgenpu_sched_fini(struct edgenpu_device *edev);
void edgenpu_jobs_drain(struct edgenpu_device *edev);

#endif /* __EDGENPU_SCHED_H__ */
