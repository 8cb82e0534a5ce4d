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
 *
 * A backend registers itself with one &struct edgenpu_backend_driver,
 * listed in edgenpu_backends.c, which module init walks. The core keeps
 * the device's statistics; a backend that shows them reads them through
 * the functions below, never the core's structures.
 */
#ifndef __EDGENPU_BACKEND_H__
#define __EDGENPU_BACKEND_H__

#include <linux/types.h>

struct device;
struct sg_table;
struct edgenpu_device;
struct edgenpu_job;
struct drm_edgenpu_caps;

/* The most cores a device may have (&drm_edgenpu_caps.num_cores). */
#define EDGENPU_MAX_CORES	8

/* The most jobs one core may hold (&drm_edgenpu_caps.core_queue_depth). */
#define EDGENPU_MAX_INFLIGHT	2

/**
 * struct edgenpu_backend_driver - a built-in backend, as module init sees it
 * @name: short name, for messages
 * @init: register the backend's drivers and create its devices. Called
 *	once at module load, in the order of edgenpu_backends.c; a failure
 *	undoes what this call did and returns a negative errno.
 * @exit: undo @init; every device the backend created is destroyed when
 *	it returns. Called at module unload, in reverse order.
 */
struct edgenpu_backend_driver {
	const char *name;
	int (*init)(void);
	void (*exit)(void);
};

/**
 * struct edgenpu_backend_ops - what a backend provides to the core
 * @name: short backend name, reported to userspace ("vnpu").
 * @get_caps: fill the device's capabilities. Called once at creation;
 *	the core owns the result afterwards. Among them
 *	&drm_edgenpu_caps.core_queue_depth: how many jobs one core may hold
 *	at once, the running one and those queued behind it in the device,
 *	so that the next job starts without waiting for the driver; 0 means
 *	1, more than %EDGENPU_MAX_INFLIGHT fails the creation. The core's
 *	scheduler gives a core no more.
 * @run_job: start @job on core @job->core->index, or queue it behind the
 *	jobs the core already holds (at most the queue depth in all), which
 *	the core must end in the order they were given. Also called again,
 *	in order, for the jobs a @reset dropped other than the timed-out
 *	one: they start over. On the fence-signalling path: must not
 *	allocate memory. May sleep.
 * @reset: stop core @core and bring it back to idle. Jobs the core
 *	finished before it stopped may be reported from inside, in order;
 *	every other job it held (the running one and those queued behind
 *	it) must never be reported by edgenpu_job_done() after this
 *	returns, until @run_job gives it to the core again. May sleep.
 * @job_timeout_ms: how long a job may run before the core is reset; 0
 *	takes the module's job_timeout_ms.
 * @file_open: optional: a file was opened; set *@ctx to the backend's
 *	state for it (a device MMU context), which edgenpu_job_file_ctx()
 *	returns for the file's jobs. Not called once
 *	edgenpu_device_destroy() has begun. May sleep.
 * @file_close: optional: free what @file_open made, once the file and
 *	every job and buffer object of it are gone. Not called once
 *	edgenpu_device_destroy() has begun: the backend then frees what is
 *	left itself. May sleep.
 * @prepare_job: optional: make @job ready to run (map its buffers for
 *	the device) at submission, where memory may be allocated, which
 *	@run_job must not do. Its result is in edgenpu_job_priv(). May sleep.
 * @cleanup_job: optional: undo @prepare_job when the job is freed, which
 *	is after it ran or failed. Not called once edgenpu_device_destroy()
 *	has begun. May sleep.
 * @coredump: optional: the backend's section of the crash dump of a job
 *	that timed out on core @core: text, at most @size bytes into @buf
 *	(NUL-terminated, as scnprintf() leaves it); returns the bytes
 *	written, without the NUL. Called from the timeout handler before
 *	@reset, so that it shows the core as it hung, with the device
 *	present: on the fence-signalling path, it must neither allocate
 *	memory nor sleep.
 */
struct edgenpu_backend_ops {
	const char *name;
	unsigned int job_timeout_ms;
	void (*get_caps)(void *priv, struct drm_edgenpu_caps *caps);
	void (*run_job)(void *priv, struct edgenpu_job *job);
	void (*reset)(void *priv, unsigned int core);
	int (*file_open)(void *priv, void **ctx);
	void (*file_close)(void *priv, void *ctx);
	int (*prepare_job)(void *priv, struct edgenpu_job *job);
	void (*cleanup_job)(void *priv, struct edgenpu_job *job);
	size_t (*coredump)(void *priv, unsigned int core, char *buf,
			   size_t size);
};

/**
 * struct edgenpu_job_buffer - one entry of a job's buffer table, for DMA
 * @sgt: the buffer's pages, mapped for the backend's device (the DRM
 *	device's parent) by the DMA API; valid while the job lives
 * @size: its size in bytes
 * @flags: DRM_EDGENPU_BUF_READ and/or DRM_EDGENPU_BUF_WRITE
 */
struct edgenpu_job_buffer {
	struct sg_table *sgt;
	u64 size;
	u32 flags;
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

void *edgenpu_job_file_ctx(const struct edgenpu_job *job);
void edgenpu_job_set_priv(struct edgenpu_job *job, void *priv);
void *edgenpu_job_priv(const struct edgenpu_job *job);
const void *edgenpu_job_cmds(const struct edgenpu_job *job, u32 *size);
u32 edgenpu_job_num_buffers(const struct edgenpu_job *job);
int edgenpu_job_buffer(struct edgenpu_job *job, u32 i,
		       struct edgenpu_job_buffer *buf);
u64 *edgenpu_job_profile_area(struct edgenpu_job *job, u32 *op_count);
void edgenpu_job_set_times(struct edgenpu_job *job, u64 start_ns, u64 end_ns);
void edgenpu_job_set_fault(struct edgenpu_job *job, s32 op_index, u32 code,
			   const char *msg);

/**
 * struct edgenpu_device_stats - a device's job counters, as the core keeps them
 * @jobs_done: jobs that completed
 * @jobs_failed: jobs that failed on the device, timed out or were cancelled
 * @busy_ns: total device time spent executing jobs
 */
struct edgenpu_device_stats {
	u64 jobs_done;
	u64 jobs_failed;
	u64 busy_ns;
};

void edgenpu_device_read_stats(struct edgenpu_device *edev,
			       struct edgenpu_device_stats *stats);
unsigned int edgenpu_core_resets(struct edgenpu_device *edev,
				 unsigned int core);

#endif /* __EDGENPU_BACKEND_H__ */
