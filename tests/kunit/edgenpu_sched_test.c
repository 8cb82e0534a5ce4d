// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of job scheduling: completion, fence signalling order,
 * device errors, timeouts with core reset, and banning after repeated
 * hangs. Jobs are built in the kernel (kernel BOs, a real command stream
 * validated by the engine) and go through the real scheduler path; a
 * test backend decides what the "hardware" does with each job.
 */

#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/sched/signal.h>
#include <linux/dma-fence.h>
#include <linux/dma-mapping.h>
#include <linux/sizes.h>
#include <linux/vmalloc.h>
#include <linux/wait_bit.h>

#include <drm/drm_file.h>
#include <drm/drm_gem_shmem_helper.h>

#include "edgenpu_compat.h"
#include "edgenpu_device.h"
#include "edgenpu_exec.h"
#include "edgenpu_file.h"
#include "edgenpu_hang.h"
#include "edgenpu_ioctl.h"
#include "edgenpu_job.h"
#include "engine_jobbuild.h"

enum ks_mode { KS_COMPLETE, KS_FAIL, KS_HANG, KS_LATE_IRQ, KS_DONE_IN_RESET,
	       KS_HANG_QUEUED };

#define KS_MAX_JOBS	8

/*
 * Timeouts. The scheduler's timer starts before run_job, so a vCPU that
 * stalls longer than the timeout inside run_job (TCG on a loaded host)
 * turns a job that completes there into a "hang": the suites whose jobs
 * must not hang get a timeout no stall reaches, and only the hang suite
 * a short one, still well past such stalls.
 */
#define KS_HANG_TIMEOUT_MS	300
#define KS_SAFE_TIMEOUT_MS	60000

struct ks_backend {
	enum ks_mode mode;
	struct edgenpu_job *held;	/* KS_DONE_IN_RESET: the job reset reports */
	u64 ran[KS_MAX_JOBS];	/* seqnos, in the order the core ran them */
	int nran;
	int resets;
	bool reset_since_run;	/* the core was reset since its last job began */
	int dumps;		/* coredump sections written */
	int late_dumps;		/* ...of them after the hung core's reset */
	int queued;		/* KS_HANG_QUEUED: jobs given, the first hangs */
	int opens;		/* file_open calls */
	int closes;		/* file_close calls */
	u32 depth;		/* the core's queue depth, for get_caps */
	spinlock_t lock; /* protects ran, nran */
};

static void ks_get_caps(void *priv, struct drm_edgenpu_caps *caps)
{
	struct ks_backend *b = priv;

	caps->num_cores = 1;
	caps->max_bo_size = SZ_1M;
	caps->core_queue_depth = b->depth;
}

static void ks_run_job(void *priv, struct edgenpu_job *job)
{
	struct ks_backend *b = priv;

	spin_lock(&b->lock);
	if (b->nran < KS_MAX_JOBS)
		b->ran[b->nran++] = job->seqno;
	spin_unlock(&b->lock);
	WRITE_ONCE(b->reset_since_run, false);
	switch (b->mode) {
	case KS_COMPLETE:
		edgenpu_job_done(job, 0);
		break;
	case KS_FAIL:
		edgenpu_job_done(job, -EIO);
		break;
	case KS_HANG:
		break;	/* never raises its interrupt */
	case KS_DONE_IN_RESET:
		b->held = job;	/* finishes just as the reset catches it */
		break;
	case KS_HANG_QUEUED:
		/*
		 * A core of two jobs: the first one hangs, the next waits
		 * behind it and runs only once a reset has cleared the way
		 * (the core gives it back after the reset).
		 */
		if (b->queued++ && READ_ONCE(b->resets))
			edgenpu_job_done(job, 0);
		break;
	case KS_LATE_IRQ:
		/*
		 * Finishes, but the scheduler only hears of it after the
		 * job's timer fired: a spurious timeout.
		 */
		edgenpu_job_done(job, 0);
		msleep(3 * KS_HANG_TIMEOUT_MS);
		break;
	}
}

static void ks_reset(void *priv, unsigned int core)
{
	struct ks_backend *b = priv;

	b->resets++;
	WRITE_ONCE(b->reset_since_run, true);
	if (b->held) {
		edgenpu_job_done(b->held, 0);
		b->held = NULL;
	}
}

/* The crash dump's backend section must show the core before its reset. */
static size_t ks_coredump(void *priv, unsigned int core, char *buf, size_t size)
{
	struct ks_backend *b = priv;

	b->dumps++;
	if (READ_ONCE(b->reset_since_run))
		b->late_dumps++;
	return scnprintf(buf, size, "kstest core %u\n", core);
}

static int ks_file_open(void *priv, void **ctx)
{
	struct ks_backend *b = priv;

	b->opens++;
	*ctx = b;
	return 0;
}

static void ks_file_close(void *priv, void *ctx)
{
	struct ks_backend *b = priv;

	b->closes++;
}

#define KS_OPS(timeout_ms) {			\
	.name = "kstest",			\
	.job_timeout_ms = (timeout_ms),		\
	.get_caps = ks_get_caps,		\
	.run_job = ks_run_job,			\
	.reset = ks_reset,			\
	.coredump = ks_coredump,		\
	.file_open = ks_file_open,		\
	.file_close = ks_file_close,		\
}

static const struct edgenpu_backend_ops ks_ops = KS_OPS(KS_SAFE_TIMEOUT_MS);
static const struct edgenpu_backend_ops ks_hang_ops = KS_OPS(KS_HANG_TIMEOUT_MS);

struct ks_ctx {
	struct ks_backend backend;
	struct device *dev;
	struct edgenpu_device *edev;
	struct drm_file *file;
	u8 stream[512];
	u32 stream_size;
};

static int ks_init_ops(struct kunit *test, const struct edgenpu_backend_ops *ops,
		       u32 depth)
{
	struct edgenpu_cmd_tensor t[2];
	struct ks_ctx *ctx;
	struct device *dev;
	struct jb j;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	spin_lock_init(&ctx->backend.lock);
	ctx->backend.depth = depth;
	dev = kunit_device_register(test, "edgenpu-kstest");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	ctx->dev = dev;
	ctx->edev = edgenpu_device_create(dev, ops, &ctx->backend);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx->edev);

	/* A file of the device, as open() would make it. */
	ctx->file = kunit_kzalloc(test, sizeof(*ctx->file), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->file);
	KUNIT_ASSERT_EQ(test, edgenpu_file_open(&ctx->edev->drm, ctx->file), 0);

	jb_init(&j, ctx->stream, sizeof(ctx->stream));
	t[0] = jb_t(0, EDGENPU_DTYPE_INT8, 0, 1, 1, 1, 16, 0);
	t[1] = jb_t(1, EDGENPU_DTYPE_INT8, 0, 1, 1, 1, 16, 0);
	jb_op(&j, EDGENPU_OP_RESHAPE, 0, 0, 0, NULL, 0, t, 2);
	ctx->stream_size = jb_finish(&j);
	KUNIT_ASSERT_NE(test, ctx->stream_size, 0);
	test->priv = ctx;
	return 0;
}

static int ks_init(struct kunit *test)
{
	return ks_init_ops(test, &ks_ops, 0);
}

static int ks_init_hang(struct kunit *test)
{
	return ks_init_ops(test, &ks_hang_ops, 0);
}

static int ks_init_queue(struct kunit *test)
{
	return ks_init_ops(test, &ks_hang_ops, 2);
}

static void ks_exit(struct kunit *test)
{
	struct ks_ctx *ctx = test->priv;

	if (!ctx || IS_ERR_OR_NULL(ctx->edev))
		return;
	if (ctx->file && ctx->file->driver_priv)
		edgenpu_file_close(&ctx->edev->drm, ctx->file);
	edgenpu_device_destroy(ctx->edev);
}

/* Build and validate one job: in (read) -> out (write), not queued. */
static struct edgenpu_job *ks_build(struct kunit *test)
{
	struct ks_ctx *ctx = test->priv;
	struct edgenpu_file *efile = ctx->file->driver_priv;
	struct drm_gem_shmem_object *in, *out;
	struct edgenpu_job *job;

	job = edgenpu_job_alloc(efile, 2);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, job);
	in = drm_gem_shmem_create(&ctx->edev->drm, PAGE_SIZE);
	out = drm_gem_shmem_create(&ctx->edev->drm, PAGE_SIZE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, in);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, out);
	KUNIT_ASSERT_EQ(test, edgenpu_job_add_buffer(job, &in->base,
						     DRM_EDGENPU_BUF_READ), 0);
	KUNIT_ASSERT_EQ(test, edgenpu_job_add_buffer(job, &out->base,
						     DRM_EDGENPU_BUF_WRITE), 0);
	job->cmds = kvmemdup(ctx->stream, ctx->stream_size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, job->cmds);
	job->cmd_size = ctx->stream_size;
	KUNIT_ASSERT_EQ(test, edgenpu_job_validate(job, efile), 0);
	return job;
}

/* Build, validate and queue one job; returns its finished fence. */
static struct dma_fence *ks_submit(struct kunit *test, u64 *seqno_out)
{
	struct ks_ctx *ctx = test->priv;
	struct edgenpu_file *efile = ctx->file->driver_priv;
	struct edgenpu_job *job = ks_build(test);
	struct dma_fence *fence;
	u64 seqno;

	KUNIT_ASSERT_EQ(test, edgenpu_job_pin_and_queue(job, DRM_EDGENPU_PRIO_NORMAL,
							NULL, &seqno), 0);
	fence = xa_load(&efile->jobs, seqno);
	KUNIT_ASSERT_NOT_NULL(test, fence);
	if (seqno_out)
		*seqno_out = seqno;
	return dma_fence_get(fence);
}

static void ks_wait(struct kunit *test, struct dma_fence *fence)
{
	KUNIT_ASSERT_GT(test, dma_fence_wait_timeout(fence, false, 5 * HZ), 0);
}

static void sched_completes(struct kunit *test)
{
	struct ks_ctx *ctx = test->priv;
	struct dma_fence *f = ks_submit(test, NULL);

	ks_wait(test, f);
	KUNIT_EXPECT_EQ(test, f->error, 0);
	KUNIT_EXPECT_EQ(test, ctx->backend.resets, 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&ctx->edev->stats.jobs_done), 1);
	dma_fence_put(f);
}

static void sched_fence_order(struct kunit *test)
{
	struct ks_ctx *ctx = test->priv;
	struct dma_fence *f[5];
	u64 seq[5];
	int i;

	for (i = 0; i < 5; i++)
		f[i] = ks_submit(test, &seq[i]);
	ks_wait(test, f[4]);
	/* One entity: the core ran them in submission order... */
	KUNIT_ASSERT_EQ(test, ctx->backend.nran, 5);
	for (i = 0; i < 5; i++)
		KUNIT_EXPECT_EQ(test, ctx->backend.ran[i], seq[i]);
	/* ...and the last to finish implies every earlier one did. */
	for (i = 0; i < 5; i++) {
		KUNIT_EXPECT_TRUE(test, dma_fence_is_signaled(f[i]));
		dma_fence_put(f[i]);
	}
}

static void sched_device_error(struct kunit *test)
{
	struct ks_ctx *ctx = test->priv;
	struct edgenpu_file *efile = ctx->file->driver_priv;
	struct dma_fence *f;

	ctx->backend.mode = KS_FAIL;
	f = ks_submit(test, NULL);
	ks_wait(test, f);
	KUNIT_EXPECT_EQ(test, f->error, -EIO);
	KUNIT_EXPECT_EQ(test, efile->last_error.error, -EIO);
	KUNIT_EXPECT_EQ(test, atomic64_read(&ctx->edev->stats.jobs_failed), 1);
	KUNIT_EXPECT_EQ(test, ctx->backend.resets, 0);
	dma_fence_put(f);
}

static void sched_timeout_reset_ban(struct kunit *test)
{
	struct ks_ctx *ctx = test->priv;
	struct edgenpu_file *efile = ctx->file->driver_priv;
	struct dma_fence *f;
	int i;

	/* Each hang: the timeout resets the core and fails the job. */
	ctx->backend.mode = KS_HANG;
	for (i = 1; i <= 3; i++) {
		f = ks_submit(test, NULL);
		ks_wait(test, f);
		KUNIT_EXPECT_EQ(test, f->error, -ETIMEDOUT);
		KUNIT_EXPECT_EQ(test, ctx->backend.resets, i);
		KUNIT_EXPECT_EQ(test, atomic_read(&efile->hangs), i);
		KUNIT_EXPECT_EQ(test, atomic_read(&ctx->edev->cores[0].resets), i);
		dma_fence_put(f);
	}
	/* The backend wrote its dump section before each reset, never after. */
	KUNIT_EXPECT_GE(test, ctx->backend.dumps, 1);
	KUNIT_EXPECT_EQ(test, ctx->backend.late_dumps, 0);
	/* Three hangs ban the file (ban_after_hangs=3)... */
	KUNIT_EXPECT_TRUE(test, READ_ONCE(efile->banned));
	/* ...and the recovered core runs the next job normally. */
	ctx->backend.mode = KS_COMPLETE;
	f = ks_submit(test, NULL);
	ks_wait(test, f);
	KUNIT_EXPECT_EQ(test, f->error, 0);
	dma_fence_put(f);
}

/*
 * A timeout that fires after the job finished is not a hang: no reset, no
 * hang counted, the job's result stands, and the job is still freed (on
 * kernels before 6.17 the scheduler leaves that to the driver; a leaked
 * job pins its buffers and warns at unload).
 */
static void sched_false_timeout(struct kunit *test)
{
	struct ks_ctx *ctx = test->priv;
	struct edgenpu_file *efile = ctx->file->driver_priv;
	struct dma_fence *f;

	ctx->backend.mode = KS_LATE_IRQ;
	f = ks_submit(test, NULL);
	ks_wait(test, f);
	KUNIT_EXPECT_EQ(test, f->error, 0);
	dma_fence_put(f);
	KUNIT_EXPECT_TRUE(test, wait_var_event_timeout(&ctx->edev->live_jobs,
						       !atomic_read(&ctx->edev->live_jobs),
						       10 * HZ));
	KUNIT_EXPECT_EQ(test, ctx->backend.resets, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&efile->hangs), 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&ctx->edev->stats.jobs_done), 1);

	/* The core still runs jobs. */
	ctx->backend.mode = KS_COMPLETE;
	f = ks_submit(test, NULL);
	ks_wait(test, f);
	KUNIT_EXPECT_EQ(test, f->error, 0);
	dma_fence_put(f);
}

/* A job that finished just as its timeout hit is no hang (reset reports it). */
static void sched_done_in_reset(struct kunit *test)
{
	struct ks_ctx *ctx = test->priv;
	struct edgenpu_file *efile = ctx->file->driver_priv;
	struct dma_fence *f;

	ctx->backend.mode = KS_DONE_IN_RESET;
	f = ks_submit(test, NULL);
	ks_wait(test, f);
	KUNIT_EXPECT_EQ(test, f->error, 0);
	KUNIT_EXPECT_EQ(test, ctx->backend.resets, 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&efile->hangs), 0);
	dma_fence_put(f);

	/*
	 * Its dump section was taken before the reset showed it was no
	 * hang, and dropped: the next hang's section is taken again.
	 */
	KUNIT_EXPECT_EQ(test, ctx->backend.dumps, 1);
	ctx->backend.mode = KS_HANG;
	f = ks_submit(test, NULL);
	ks_wait(test, f);
	KUNIT_EXPECT_EQ(test, f->error, -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, ctx->backend.dumps, 2);
	KUNIT_EXPECT_EQ(test, ctx->backend.late_dumps, 0);
	dma_fence_put(f);
}

/* Seqnos grow and are never handed out twice, reaped or not. */
static void sched_seqno_unique(struct kunit *test)
{
	struct ks_ctx *ctx = test->priv;
	struct drm_edgenpu_wait w = { .kind = DRM_EDGENPU_WAIT_JOB,
				      .timeout_ns = S64_MAX };
	struct dma_fence *f;
	u64 seq, prev = 0;
	int i;

	for (i = 0; i < 4; i++) {
		f = ks_submit(test, &seq);
		KUNIT_EXPECT_GT(test, seq, prev);
		prev = seq;
		ks_wait(test, f);
		dma_fence_put(f);
		w.seqno = seq;
		KUNIT_EXPECT_EQ(test, edgenpu_ioctl_wait(&ctx->edev->drm, &w,
							 ctx->file), 0);
		/* Reaped once: the next WAIT does not know it. */
		KUNIT_EXPECT_EQ(test, edgenpu_ioctl_wait(&ctx->edev->drm, &w,
							 ctx->file), -ENOENT);
	}
}

/* Results nobody waits for do not pile up: the oldest are forgotten. */
static void sched_unreaped_bounded(struct kunit *test)
{
	struct ks_ctx *ctx = test->priv;
	struct edgenpu_file *efile = ctx->file->driver_priv;
	struct dma_fence *f;
	int i;

	ctx->edev->limits.jobs = 2;
	ctx->edev->limits.unreaped = 3;
	for (i = 0; i < 12; i++) {
		f = ks_submit(test, NULL);
		ks_wait(test, f);
		dma_fence_put(f);
		KUNIT_EXPECT_LE(test, atomic_read(&efile->jobs_count), 5);
	}
}

/* Per-file limits: jobs in flight (-EAGAIN) and pinned bytes (-ENOSPC). */
static void sched_file_limits(struct kunit *test)
{
	struct ks_ctx *ctx = test->priv;
	struct edgenpu_file *efile = ctx->file->driver_priv;
	struct edgenpu_job *a, *b;
	struct drm_gem_shmem_object *bo;
	struct dma_fence *f;

	ctx->edev->limits.jobs = 2;
	a = edgenpu_job_alloc(efile, 1);
	b = edgenpu_job_alloc(efile, 1);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, a);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, b);
	KUNIT_EXPECT_EQ(test, PTR_ERR(edgenpu_job_alloc(efile, 1)), -EAGAIN);
	KUNIT_EXPECT_EQ(test, efile->last_error.error, -EAGAIN);
	edgenpu_job_put(b);
	b = edgenpu_job_alloc(efile, 1);
	KUNIT_EXPECT_NOT_ERR_OR_NULL(test, b);
	if (!IS_ERR(b))
		edgenpu_job_put(b);

	/* Two pages of buffers plus the stream do not fit in two pages. */
	bo = drm_gem_shmem_create(&ctx->edev->drm, PAGE_SIZE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, bo);
	KUNIT_ASSERT_EQ(test, edgenpu_job_add_buffer(a, &bo->base,
						     DRM_EDGENPU_BUF_READ), 0);
	ctx->edev->limits.pinned = PAGE_SIZE;
	a->cmd_size = 64;
	KUNIT_EXPECT_EQ(test, edgenpu_job_pin(a), -ENOSPC);
	KUNIT_EXPECT_EQ(test, atomic64_read(&efile->pinned_bytes), 0);
	edgenpu_job_put(a);

	/* Limits that fit: jobs run, and give back what they charged. */
	ctx->edev->limits.pinned = SZ_1M;
	f = ks_submit(test, NULL);
	ks_wait(test, f);
	dma_fence_put(f);
	KUNIT_EXPECT_TRUE(test, wait_var_event_timeout(&ctx->edev->live_jobs,
						       !atomic_read(&ctx->edev->live_jobs),
						       10 * HZ));
	KUNIT_EXPECT_EQ(test, atomic64_read(&efile->pinned_bytes), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&efile->jobs_in_flight), 0);
}

/* A buffer named twice in one job's table is refused. */
static void sched_duplicate_buffer(struct kunit *test)
{
	struct ks_ctx *ctx = test->priv;
	struct edgenpu_file *efile = ctx->file->driver_priv;
	struct drm_gem_shmem_object *bo;
	struct edgenpu_job *job;

	job = edgenpu_job_alloc(efile, 2);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, job);
	bo = drm_gem_shmem_create(&ctx->edev->drm, PAGE_SIZE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, bo);
	KUNIT_EXPECT_EQ(test, edgenpu_job_add_buffer(job, &bo->base,
						     DRM_EDGENPU_BUF_READ), 0);
	drm_gem_object_get(&bo->base);
	KUNIT_EXPECT_EQ(test, edgenpu_job_add_buffer(job, &bo->base,
						     DRM_EDGENPU_BUF_WRITE), -EINVAL);
	edgenpu_job_put(job);
}

/* Reopening does not undo a ban: the user's hangs count across files. */
static void sched_user_ban(struct kunit *test)
{
	struct ks_ctx *ctx = test->priv;
	struct drm_file *other;
	struct dma_fence *f;
	int i;

	ctx->backend.mode = KS_HANG;
	for (i = 0; i < 3; i++) {
		f = ks_submit(test, NULL);
		ks_wait(test, f);
		dma_fence_put(f);
	}
	KUNIT_EXPECT_EQ(test, edgenpu_file_check_ban(ctx->file->driver_priv), -EIO);
	/* A fresh file of the same user may still hang one more... */
	other = kunit_kzalloc(test, sizeof(*other), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, other);
	KUNIT_ASSERT_EQ(test, edgenpu_file_open(&ctx->edev->drm, other), 0);
	KUNIT_EXPECT_EQ(test, edgenpu_file_check_ban(other->driver_priv), 0);
	edgenpu_file_close(&ctx->edev->drm, ctx->file);
	ctx->file = other;
	f = ks_submit(test, NULL);
	ks_wait(test, f);
	dma_fence_put(f);
	/* ...and then the user is banned in every file (user_hang_limit=4). */
	KUNIT_EXPECT_EQ(test, edgenpu_file_check_ban(other->driver_priv), -EIO);
	KUNIT_EXPECT_STREQ(test, ((struct edgenpu_file *)other->driver_priv)->last_error.msg,
			   "banned for a while: this user's jobs hung too often");
}

/* A fence nobody signals until the test says so: "another device". */
static const char *ks_fence_name(struct dma_fence *f)
{
	return "kstest";
}

/* Outlives the test: the fence may be released after it returns. */
static DEFINE_SPINLOCK(ks_fence_lock);

static const struct dma_fence_ops ks_fence_ops = {
	.get_driver_name = ks_fence_name,
	.get_timeline_name = ks_fence_name,
};

/*
 * Teardown while a job killed with its file still waits for a fence of
 * another device: the job holds what it touches, so when that fence
 * finally signals, freeing the job touches no freed memory (KASAN).
 */
static void sched_teardown_foreign_fence(struct kunit *test)
{
	struct ks_ctx *ctx = test->priv;
	struct edgenpu_job *job;
	struct dma_fence *foreign;
	u64 seqno;

	foreign = kzalloc_obj(*foreign, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, foreign);
	dma_fence_init(foreign, &ks_fence_ops, &ks_fence_lock,
		       dma_fence_context_alloc(1), 1);

	job = ks_build(test);
	KUNIT_ASSERT_EQ(test, edgenpu_job_pin_and_queue(job, DRM_EDGENPU_PRIO_NORMAL,
							foreign, &seqno), 0);

	/*
	 * The process is killed: with a fatal signal pending, closing the
	 * file does not wait for the job but kills it, and the killed job
	 * waits for its foreign dependency. (A kthread ignores signals
	 * unless allowed; allowed, SIGKILL is only pending, not fatal.)
	 */
	allow_signal(SIGKILL);
	send_sig(SIGKILL, current, 1);
	edgenpu_file_close(&ctx->edev->drm, ctx->file);
	flush_signals(current);
	disallow_signal(SIGKILL);
	ctx->file->driver_priv = NULL;
	/* Then the device goes and its devres is released. */
	edgenpu_device_destroy(ctx->edev);
	ctx->edev = NULL;
	kunit_device_unregister(test, ctx->dev);

	/* Only now does the other device finish. */
	dma_fence_signal(foreign);
	dma_fence_put(foreign);
	msleep(500);
}

/*
 * Removal frees what the backend keeps for files: an open that comes
 * after it (a racing open()) fails without reaching the backend, and an
 * old file's close does not reach it either.
 */
static void sched_open_after_unplug(struct kunit *test)
{
	struct ks_ctx *ctx = test->priv;
	struct drm_file *late;

	late = kunit_kzalloc(test, sizeof(*late), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, late);
	KUNIT_EXPECT_EQ(test, ctx->backend.opens, 1);
	edgenpu_device_destroy(ctx->edev);
	KUNIT_EXPECT_EQ(test, edgenpu_file_open(&ctx->edev->drm, late), -ENODEV);
	KUNIT_EXPECT_EQ(test, ctx->backend.opens, 1);
	KUNIT_EXPECT_NULL(test, late->driver_priv);
	edgenpu_file_close(&ctx->edev->drm, ctx->file);
	ctx->file->driver_priv = NULL;
	KUNIT_EXPECT_EQ(test, ctx->backend.closes, 0);
	ctx->edev = NULL;
}

/*
 * Removal takes back the DMA mapping a job made of a BO that outlives
 * the job and the device (a file, an mmap or a dma-buf holds it): the BO
 * keeps its pages, and its free later puts them without a warning.
 */
static void sched_unplug_unmaps_bos(struct kunit *test)
{
	struct ks_ctx *ctx = test->priv;
	struct drm_gem_shmem_object *in;
	struct edgenpu_job_buffer buf;
	struct edgenpu_job *job;

	/* A kunit device has no DMA mask: give it dma-direct's. */
	ctx->dev->dma_mask = &ctx->dev->coherent_dma_mask;
	KUNIT_ASSERT_EQ(test, dma_set_mask_and_coherent(ctx->dev, DMA_BIT_MASK(64)), 0);
	job = ks_build(test);
	KUNIT_ASSERT_EQ(test, edgenpu_job_buffer(job, 0, &buf), 0);
	in = to_drm_gem_shmem_obj(job->bos[0]);
	drm_gem_object_get(&in->base);
	edgenpu_job_put(job);
	/* The helper keeps the mapping until the BO goes... */
	KUNIT_EXPECT_PTR_EQ(test, in->sgt, buf.sgt);

	edgenpu_device_destroy(ctx->edev);
	/* ...removal does not wait for that. */
	KUNIT_EXPECT_NULL(test, in->sgt);
	KUNIT_EXPECT_NOT_NULL(test, in->pages);
	drm_gem_object_put(&in->base);
	edgenpu_file_close(&ctx->edev->drm, ctx->file);
	ctx->file->driver_priv = NULL;
	ctx->edev = NULL;
}

static void sched_rejects_bad_stream(struct kunit *test)
{
	struct ks_ctx *ctx = test->priv;
	struct edgenpu_file *efile = ctx->file->driver_priv;
	struct drm_gem_shmem_object *in;
	struct edgenpu_job *job;

	/* One buffer where the stream names two: the validator refuses. */
	job = edgenpu_job_alloc(efile, 1);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, job);
	in = drm_gem_shmem_create(&ctx->edev->drm, PAGE_SIZE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, in);
	KUNIT_ASSERT_EQ(test, edgenpu_job_add_buffer(job, &in->base,
						     DRM_EDGENPU_BUF_READ), 0);
	job->cmds = kvmemdup(ctx->stream, ctx->stream_size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, job->cmds);
	job->cmd_size = ctx->stream_size;
	KUNIT_EXPECT_LT(test, edgenpu_job_validate(job, efile), 0);
	KUNIT_EXPECT_LT(test, efile->last_error.error, 0);
	KUNIT_EXPECT_STRNEQ(test, efile->last_error.msg, "");
	edgenpu_job_put(job);
	/* And a buffer flag that does not exist. */
	job = edgenpu_job_alloc(efile, 1);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, job);
	in = drm_gem_shmem_create(&ctx->edev->drm, PAGE_SIZE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, in);
	KUNIT_EXPECT_EQ(test, edgenpu_job_add_buffer(job, &in->base, 0x10), -EINVAL);
	edgenpu_job_put(job);
	/* Buffer table sizes out of range. */
	KUNIT_EXPECT_EQ(test, PTR_ERR(edgenpu_job_alloc(efile, 0)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(edgenpu_job_alloc(efile, U32_MAX)), -EINVAL);
}

static struct kunit_case edgenpu_sched_cases[] = {
	KUNIT_CASE(sched_completes),
	KUNIT_CASE(sched_fence_order),
	KUNIT_CASE(sched_device_error),
	KUNIT_CASE(sched_rejects_bad_stream),
	KUNIT_CASE(sched_seqno_unique),
	KUNIT_CASE(sched_unreaped_bounded),
	KUNIT_CASE(sched_file_limits),
	KUNIT_CASE(sched_duplicate_buffer),
	KUNIT_CASE(sched_open_after_unplug),
	KUNIT_CASE(sched_unplug_unmaps_bos),
	{}
};

static struct kunit_suite edgenpu_sched_suite = {
	.name = "edgenpu_sched",
	.init = ks_init,
	.exit = ks_exit,
	.test_cases = edgenpu_sched_cases,
};

/*
 * Jobs that hang, or look as if they did, and a removal that gives up
 * waiting for a job (after twice the timeout and 5 s): the short timeout.
 */
static struct kunit_case edgenpu_sched_hang_cases[] = {
	KUNIT_CASE(sched_timeout_reset_ban),
	KUNIT_CASE_SLOW(sched_false_timeout),
	KUNIT_CASE(sched_done_in_reset),
	KUNIT_CASE(sched_user_ban),
	KUNIT_CASE_SLOW(sched_teardown_foreign_fence),
	{}
};

static struct kunit_suite edgenpu_sched_hang_suite = {
	.name = "edgenpu_sched_hang",
	.init = ks_init_hang,
	.exit = ks_exit,
	.test_cases = edgenpu_sched_hang_cases,
};

/*
 * A core that holds two jobs (&drm_edgenpu_caps.core_queue_depth): the
 * second reaches the backend while the first runs; a hang of the first
 * fails it alone, and the core gives the second back after the reset.
 */
static void sched_queue_hang_requeues(struct kunit *test)
{
	struct ks_ctx *ctx = test->priv;
	struct ks_backend *b = &ctx->backend;
	struct dma_fence *f1, *f2;
	u64 s1, s2;
	int i;

	/* The depth the backend gave in its caps reaches the scheduler. */
	KUNIT_EXPECT_EQ(test, ctx->edev->caps.core_queue_depth, 2);
	KUNIT_EXPECT_EQ(test, ctx->edev->cores[0].sched.credit_limit, 2);
	b->mode = KS_HANG_QUEUED;
	f1 = ks_submit(test, &s1);
	f2 = ks_submit(test, &s2);
	/* Both reach the core before the first one's timeout. */
	for (i = 0; i < 50 && READ_ONCE(b->queued) < 2; i++)
		usleep_range(2000, 3000);
	KUNIT_EXPECT_EQ(test, READ_ONCE(b->queued), 2);
	KUNIT_EXPECT_EQ(test, b->resets, 0);
	ks_wait(test, f1);
	ks_wait(test, f2);
	KUNIT_EXPECT_EQ(test, f1->error, -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, f2->error, 0);
	KUNIT_EXPECT_EQ(test, b->resets, 1);
	/* The core ran 1, 2, and 2 again after the reset. */
	KUNIT_ASSERT_EQ(test, b->nran, 3);
	KUNIT_EXPECT_EQ(test, b->ran[0], s1);
	KUNIT_EXPECT_EQ(test, b->ran[1], s2);
	KUNIT_EXPECT_EQ(test, b->ran[2], s2);
	KUNIT_EXPECT_EQ(test, atomic64_read(&ctx->edev->stats.jobs_done), 1);
	KUNIT_EXPECT_EQ(test, atomic64_read(&ctx->edev->stats.jobs_failed), 1);
	dma_fence_put(f1);
	dma_fence_put(f2);
	/* Both are freed. */
	KUNIT_EXPECT_TRUE(test, wait_var_event_timeout(&ctx->edev->live_jobs,
						       !atomic_read(&ctx->edev->live_jobs),
						       10 * HZ));
}

/* Removal while the core holds two jobs: both fail with -ENODEV. */
static void sched_queue_unplug(struct kunit *test)
{
	struct ks_ctx *ctx = test->priv;
	struct ks_backend *b = &ctx->backend;
	struct dma_fence *f1, *f2;
	int i, timeouts;

	b->mode = KS_HANG_QUEUED;
	f1 = ks_submit(test, NULL);
	f2 = ks_submit(test, NULL);
	for (i = 0; i < 50 && READ_ONCE(b->queued) < 2; i++)
		usleep_range(2000, 3000);
	KUNIT_EXPECT_EQ(test, READ_ONCE(b->queued), 2);
	edgenpu_device_destroy(ctx->edev);
	timeouts = atomic_read(&ctx->edev->cores[0].resets);
	edgenpu_file_close(&ctx->edev->drm, ctx->file);
	ctx->file->driver_priv = NULL;
	ctx->edev = NULL;
	KUNIT_EXPECT_TRUE(test, dma_fence_is_signaled(f1));
	KUNIT_EXPECT_TRUE(test, dma_fence_is_signaled(f2));
	/* Unless a stalled vCPU let the first one time out before. */
	if (!timeouts) {
		KUNIT_EXPECT_EQ(test, f1->error, -ENODEV);
		KUNIT_EXPECT_EQ(test, f2->error, -ENODEV);
	} else {
		KUNIT_EXPECT_EQ(test, f1->error, -ETIMEDOUT);
	}
	dma_fence_put(f1);
	dma_fence_put(f2);
}

static struct kunit_case edgenpu_sched_queue_cases[] = {
	KUNIT_CASE(sched_queue_hang_requeues),
	KUNIT_CASE(sched_queue_unplug),
	{}
};

static struct kunit_suite edgenpu_sched_queue_suite = {
	.name = "edgenpu_sched_queue",
	.init = ks_init_queue,
	.exit = ks_exit,
	.test_cases = edgenpu_sched_queue_cases,
};

kunit_test_suites(&edgenpu_sched_suite, &edgenpu_sched_hang_suite,
		  &edgenpu_sched_queue_suite);

/*
 * Bad input of every ioctl, class by class, on the paths that refuse it
 * before touching user memory. (The user-pointer classes, stale and
 * foreign handles, run in the guest tests against real files.)
 */
static void ioctl_bad_input(struct kunit *test)
{
	struct ks_ctx *ctx = test->priv;
	struct drm_device *drm = &ctx->edev->drm;
	struct edgenpu_file *efile = ctx->file->driver_priv;
	struct drm_edgenpu_bo_create bc;
	struct drm_edgenpu_bo_info bi;
	struct drm_edgenpu_submit sb;
	struct drm_edgenpu_wait w;

	/* BO_CREATE: reserved flags, zero and huge sizes. */
	bc = (struct drm_edgenpu_bo_create){ .size = 4096, .flags = 1 };
	KUNIT_EXPECT_EQ(test, edgenpu_ioctl_bo_create(drm, &bc, ctx->file), -EINVAL);
	bc = (struct drm_edgenpu_bo_create){ .size = 0 };
	KUNIT_EXPECT_EQ(test, edgenpu_ioctl_bo_create(drm, &bc, ctx->file), -EINVAL);
	bc = (struct drm_edgenpu_bo_create){ .size = U64_MAX };
	KUNIT_EXPECT_EQ(test, edgenpu_ioctl_bo_create(drm, &bc, ctx->file), -EINVAL);
	bc = (struct drm_edgenpu_bo_create){ .size = SZ_1M + 1 };
	KUNIT_EXPECT_EQ(test, edgenpu_ioctl_bo_create(drm, &bc, ctx->file), -EINVAL);

	/* BO_INFO: reserved flags. */
	bi = (struct drm_edgenpu_bo_info){ .handle = 1, .flags = 0x80 };
	KUNIT_EXPECT_EQ(test, edgenpu_ioctl_bo_info(drm, &bi, ctx->file), -EINVAL);

	/* SUBMIT: flags, pad, job count 0 and over the limit, bad strides. */
	sb = (struct drm_edgenpu_submit){ .job_count = 1, .flags = 1,
					  .job_stride = sizeof(struct drm_edgenpu_job) };
	KUNIT_EXPECT_EQ(test, edgenpu_ioctl_submit(drm, &sb, ctx->file), -EINVAL);
	sb.flags = 0;
	sb.pad = 1;
	KUNIT_EXPECT_EQ(test, edgenpu_ioctl_submit(drm, &sb, ctx->file), -EINVAL);
	sb.pad = 0;
	sb.job_count = 0;
	KUNIT_EXPECT_EQ(test, edgenpu_ioctl_submit(drm, &sb, ctx->file), -EINVAL);
	sb.job_count = DRM_EDGENPU_MAX_SUBMIT_JOBS + 1;
	KUNIT_EXPECT_EQ(test, edgenpu_ioctl_submit(drm, &sb, ctx->file), -EINVAL);
	sb.job_count = U32_MAX;	/* far over the limit */
	KUNIT_EXPECT_EQ(test, edgenpu_ioctl_submit(drm, &sb, ctx->file), -EINVAL);
	sb.job_count = 1;
	sb.job_stride = 8;
	KUNIT_EXPECT_EQ(test, edgenpu_ioctl_submit(drm, &sb, ctx->file), -EINVAL);
	sb.job_stride = sizeof(struct drm_edgenpu_job) + 4;	/* unaligned */
	KUNIT_EXPECT_EQ(test, edgenpu_ioctl_submit(drm, &sb, ctx->file), -EINVAL);
	sb.job_stride = U32_MAX;
	KUNIT_EXPECT_EQ(test, edgenpu_ioctl_submit(drm, &sb, ctx->file), -EINVAL);
	/* A banned file: -EIO, before anything else is looked at. */
	sb.job_stride = sizeof(struct drm_edgenpu_job);
	WRITE_ONCE(efile->banned, true);
	KUNIT_EXPECT_EQ(test, edgenpu_ioctl_submit(drm, &sb, ctx->file), -EIO);
	WRITE_ONCE(efile->banned, false);

	/* WAIT: unknown kind, flags, pad, unknown jobs. */
	w = (struct drm_edgenpu_wait){ .kind = 2 };
	KUNIT_EXPECT_EQ(test, edgenpu_ioctl_wait(drm, &w, ctx->file), -EINVAL);
	w = (struct drm_edgenpu_wait){ .flags = 1 };
	KUNIT_EXPECT_EQ(test, edgenpu_ioctl_wait(drm, &w, ctx->file), -EINVAL);
	w = (struct drm_edgenpu_wait){ .pad = 1 };
	KUNIT_EXPECT_EQ(test, edgenpu_ioctl_wait(drm, &w, ctx->file), -EINVAL);
	/* Output fields are ignored on input: an unknown job is -ENOENT. */
	w = (struct drm_edgenpu_wait){ .seqno = 7, .status = 1, .error = -5 };
	KUNIT_EXPECT_EQ(test, edgenpu_ioctl_wait(drm, &w, ctx->file), -ENOENT);
	w = (struct drm_edgenpu_wait){ .seqno = U64_MAX };
	KUNIT_EXPECT_EQ(test, edgenpu_ioctl_wait(drm, &w, ctx->file), -ENOENT);
	w = (struct drm_edgenpu_wait){ .seqno = 12345 };
	KUNIT_EXPECT_EQ(test, edgenpu_ioctl_wait(drm, &w, ctx->file), -ENOENT);
	w = (struct drm_edgenpu_wait){ .kind = DRM_EDGENPU_WAIT_JOB, .handle = 1 };
	KUNIT_EXPECT_EQ(test, edgenpu_ioctl_wait(drm, &w, ctx->file), -EINVAL);
}

static struct kunit_case edgenpu_ioctl_cases[] = {
	KUNIT_CASE(ioctl_bad_input),
	{}
};

static struct kunit_suite edgenpu_ioctl_suite = {
	.name = "edgenpu_ioctl",
	.init = ks_init,
	.exit = ks_exit,
	.test_cases = edgenpu_ioctl_cases,
};

kunit_test_suites(&edgenpu_ioctl_suite);
