/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The interface between the edgenpu core and an NPU backend.
 *
 * The core never touches hardware. Everything device-specific goes
 * through one &struct edgenpu_backend_ops table that a backend hands to
 * edgenpu_device_create() from its own probe routine.
 *
 * Jobs reach a backend validated, with every buffer mapped: the backend
 * starts the job on the core it is given and reports its end, from any
 * context including hard IRQ, with edgenpu_job_done().
 */
#ifndef __EDGENPU_BACKEND_H__
#define __EDGENPU_BACKEND_H__

#include <linux/types.h>

struct device;
struct edgenpu_device;
struct edgenpu_job;
struct drm_edgenpu_caps;

/**
 * struct edgenpu_backend_ops - what a backend provides to the core
 * @name: short backend name, reported to userspace ("vnpu").
 * @get_caps: fill the device's capabilities. Called once at creation;
 *	the core owns the result afterwards.
 * @run_job: start @job on core @job->core->index. The core runs one job
 *	at a time. May sleep.
 * @reset: stop core @core and bring it back to idle. The job it was
 *	running, if any, must never be reported by edgenpu_job_done()
 *	after this returns. May sleep.
 * @job_timeout_ms: how long a job may run before the core is reset; 0
 *	takes the module's job_timeout_ms.
 */
struct edgenpu_backend_ops {
	const char *name;
	unsigned int job_timeout_ms;
	void (*get_caps)(void *priv, struct drm_edgenpu_caps *caps);
	void (*run_job)(void *priv, struct edgenpu_job *job);
	void (*reset)(void *priv, unsigned int core);
};

struct edgenpu_device *edgenpu_device_create(struct device *parent,
					     const struct edgenpu_backend_ops *ops,
					     void *priv);
void edgenpu_device_destroy(struct edgenpu_device *edev);

void edgenpu_job_done(struct edgenpu_job *job, int error);
unsigned int edgenpu_job_core(const struct edgenpu_job *job);
int edgenpu_job_execute(struct edgenpu_job *job, void *scratch,
			int (*cancelled)(void *ctx), void *ctx);
void edgenpu_job_corrupt(struct edgenpu_job *job);

#endif /* __EDGENPU_BACKEND_H__ */
