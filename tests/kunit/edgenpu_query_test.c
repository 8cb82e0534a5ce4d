// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for device creation, backend registration and
 * DRM_IOCTL_EDGENPU_QUERY.
 *
 * Each case creates a real edgenpu device on a KUnit fake device with a
 * test backend. The ioctl handler is called directly for every path that
 * does not copy to user memory; the copies themselves are covered by the
 * guest tests (KUnit's own user-memory helper leaks its mm on arm64).
 */

#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/sizes.h>

#include "edgenpu_device.h"
#include "edgenpu_drv.h"
#include "edgenpu_file.h"
#include "edgenpu_ioctl.h"

#define KT_CORES	3
#define KT_OP_MASK	0x5ull

static void kt_get_caps(void *priv, struct drm_edgenpu_caps *caps)
{
	caps->num_cores = KT_CORES;
	caps->op_mask = KT_OP_MASK;
	caps->max_bo_size = SZ_1G;
}

/* A backend whose core finishes every job at once, successfully. */
static void kt_run_job(void *priv, struct edgenpu_job *job)
{
	edgenpu_job_done(job, 0);
}

static void kt_reset(void *priv, unsigned int core)
{
}

static const struct edgenpu_backend_ops kt_ops = {
	.name = "ktest",
	.get_caps = kt_get_caps,
	.run_job = kt_run_job,
	.reset = kt_reset,
};

struct kt_ctx {
	struct edgenpu_device *edev;
	bool destroyed;
};

static int kt_init(struct kunit *test)
{
	struct kt_ctx *ctx;
	struct device *dev;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);

	dev = kunit_device_register(test, "edgenpu-ktest");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	ctx->edev = edgenpu_device_create(dev, &kt_ops, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx->edev);
	test->priv = ctx;
	return 0;
}

static void kt_exit(struct kunit *test)
{
	struct kt_ctx *ctx = test->priv;

	if (ctx && !IS_ERR_OR_NULL(ctx->edev) && !ctx->destroyed)
		edgenpu_device_destroy(ctx->edev);
}

static int kt_ioctl(struct kunit *test, struct drm_edgenpu_query *q)
{
	struct kt_ctx *ctx = test->priv;

	return edgenpu_ioctl_query(&ctx->edev->drm, q, NULL);
}

static void fill_device(struct kunit *test)
{
	struct kt_ctx *ctx = test->priv;
	union edgenpu_query_data u;
	int n;

	memset(&u, 0xa5, sizeof(u));
	n = edgenpu_query_fill(ctx->edev, NULL, DRM_EDGENPU_QUERY_DEVICE, &u);
	KUNIT_ASSERT_EQ(test, n, (int)sizeof(u.info));
	KUNIT_EXPECT_EQ(test, u.info.uapi_major, EDGENPU_UAPI_VERSION_MAJOR);
	KUNIT_EXPECT_EQ(test, u.info.uapi_minor, EDGENPU_UAPI_VERSION_MINOR);
	KUNIT_EXPECT_EQ(test, u.info.module_version, EDGENPU_MODULE_VERSION);
	KUNIT_EXPECT_EQ(test, u.info.device_id, (u32)ctx->edev->id);
	KUNIT_EXPECT_STREQ(test, u.info.backend, "ktest");
	KUNIT_EXPECT_STREQ(test, u.info.name, ctx->edev->name);
	KUNIT_EXPECT_EQ(test, strncmp(u.info.name, "ktest", 5), 0);
	/* NUL padding, not stale bytes, after the strings. */
	KUNIT_EXPECT_EQ(test, u.info.backend[EDGENPU_NAME_LEN - 1], 0);
}

static void fill_caps(struct kunit *test)
{
	struct kt_ctx *ctx = test->priv;
	union edgenpu_query_data u;
	int n;

	memset(&u, 0xa5, sizeof(u));
	n = edgenpu_query_fill(ctx->edev, NULL, DRM_EDGENPU_QUERY_CAPS, &u);
	KUNIT_ASSERT_EQ(test, n, (int)sizeof(u.caps));
	KUNIT_EXPECT_EQ(test, u.caps.num_cores, KT_CORES);
	KUNIT_EXPECT_EQ(test, u.caps.op_mask, KT_OP_MASK);
	KUNIT_EXPECT_EQ(test, u.caps.max_bo_size, (u64)SZ_1G);
	/* The core fills what is the same for every backend. */
	KUNIT_EXPECT_EQ(test, u.caps.cmdstream_major, EDGENPU_CMD_VERSION_MAJOR);
	KUNIT_EXPECT_EQ(test, u.caps.max_buffers, DRM_EDGENPU_MAX_JOB_BUFFERS);
	KUNIT_EXPECT_GT(test, u.caps.max_file_jobs, 0);
	/* A backend that says nothing of its queue holds one job a core. */
	KUNIT_EXPECT_EQ(test, u.caps.core_queue_depth, 1);
	KUNIT_EXPECT_EQ(test, u.caps.pad, 0);
}

static void fill_unknown(struct kunit *test)
{
	struct kt_ctx *ctx = test->priv;
	union edgenpu_query_data u;

	KUNIT_EXPECT_EQ(test, edgenpu_query_fill(ctx->edev, NULL, 3, &u), -EINVAL);
	KUNIT_EXPECT_EQ(test, edgenpu_query_fill(ctx->edev, NULL, U32_MAX, &u), -EINVAL);
	/* A per-file query needs a file. */
	KUNIT_EXPECT_EQ(test, edgenpu_query_fill(ctx->edev, NULL,
						 DRM_EDGENPU_QUERY_LAST_ERROR, &u),
			-EINVAL);
}

static void query_size_probe(struct kunit *test)
{
	struct drm_edgenpu_query q = { .query = DRM_EDGENPU_QUERY_CAPS };

	/* size 0: only the kernel's size comes back; data is not touched. */
	KUNIT_EXPECT_EQ(test, kt_ioctl(test, &q), 0);
	KUNIT_EXPECT_EQ(test, q.size, sizeof(struct drm_edgenpu_caps));
	q = (struct drm_edgenpu_query){ .query = DRM_EDGENPU_QUERY_DEVICE };
	KUNIT_EXPECT_EQ(test, kt_ioctl(test, &q), 0);
	KUNIT_EXPECT_EQ(test, q.size, sizeof(struct drm_edgenpu_device_info));
}

static void query_rejects_reserved(struct kunit *test)
{
	struct drm_edgenpu_query q;

	q = (struct drm_edgenpu_query){ .flags = 1 };
	KUNIT_EXPECT_EQ(test, kt_ioctl(test, &q), -EINVAL);
	q = (struct drm_edgenpu_query){ .flags = 0x80000000 };
	KUNIT_EXPECT_EQ(test, kt_ioctl(test, &q), -EINVAL);
	q = (struct drm_edgenpu_query){ .pad = 1 };
	KUNIT_EXPECT_EQ(test, kt_ioctl(test, &q), -EINVAL);
	/* A rejected query reports nothing back. */
	KUNIT_EXPECT_EQ(test, q.size, 0);
}

static void query_rejects_unknown_and_huge(struct kunit *test)
{
	struct drm_edgenpu_query q;

	q = (struct drm_edgenpu_query){ .query = 3 };
	KUNIT_EXPECT_EQ(test, kt_ioctl(test, &q), -EINVAL);
	q = (struct drm_edgenpu_query){ .query = U32_MAX };
	KUNIT_EXPECT_EQ(test, kt_ioctl(test, &q), -EINVAL);
	q = (struct drm_edgenpu_query){ .size = EDGENPU_QUERY_MAX_SIZE + 1 };
	KUNIT_EXPECT_EQ(test, kt_ioctl(test, &q), -EINVAL);
	q = (struct drm_edgenpu_query){ .size = U32_MAX };
	KUNIT_EXPECT_EQ(test, kt_ioctl(test, &q), -EINVAL);
}

static void query_after_unplug(struct kunit *test)
{
	struct kt_ctx *ctx = test->priv;
	struct drm_edgenpu_query q = { .query = DRM_EDGENPU_QUERY_DEVICE };

	edgenpu_device_destroy(ctx->edev);
	ctx->destroyed = true;
	KUNIT_EXPECT_EQ(test, kt_ioctl(test, &q), -ENODEV);
	KUNIT_EXPECT_EQ(test, q.size, 0);
}

static struct kunit_case edgenpu_query_cases[] = {
	KUNIT_CASE(fill_device),
	KUNIT_CASE(fill_caps),
	KUNIT_CASE(fill_unknown),
	KUNIT_CASE(query_size_probe),
	KUNIT_CASE(query_rejects_reserved),
	KUNIT_CASE(query_rejects_unknown_and_huge),
	KUNIT_CASE(query_after_unplug),
	{}
};

static struct kunit_suite edgenpu_query_suite = {
	.name = "edgenpu_query",
	.init = kt_init,
	.exit = kt_exit,
	.test_cases = edgenpu_query_cases,
};

static void create_rejects_bad_ops(struct kunit *test)
{
	static const struct edgenpu_backend_ops no_caps = { .name = "x" };
	static const struct edgenpu_backend_ops no_name = {
		.get_caps = kt_get_caps,
		.run_job = kt_run_job,
		.reset = kt_reset,
	};
	static const struct edgenpu_backend_ops no_run = {
		.name = "x",
		.get_caps = kt_get_caps,
		.reset = kt_reset,
	};
	struct device *dev = kunit_device_register(test, "edgenpu-ktest-bad");

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	KUNIT_EXPECT_EQ(test, PTR_ERR(edgenpu_device_create(dev, NULL, NULL)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(edgenpu_device_create(dev, &no_caps, NULL)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(edgenpu_device_create(dev, &no_name, NULL)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(edgenpu_device_create(dev, &no_run, NULL)),
			-EINVAL);
}

/* More jobs a core than the core's scheduler allows (1 to 2). */
static void kt_get_caps_deep(void *priv, struct drm_edgenpu_caps *caps)
{
	kt_get_caps(priv, caps);
	caps->core_queue_depth = EDGENPU_MAX_INFLIGHT + 1;
}

static void create_rejects_deep_queue(struct kunit *test)
{
	static const struct edgenpu_backend_ops deep = {
		.name = "x",
		.get_caps = kt_get_caps_deep,
		.run_job = kt_run_job,
		.reset = kt_reset,
	};
	struct device *dev = kunit_device_register(test, "edgenpu-ktest-deep");

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	KUNIT_EXPECT_EQ(test, PTR_ERR(edgenpu_device_create(dev, &deep, NULL)),
			-EINVAL);
}

static void create_unique_ids(struct kunit *test)
{
	struct device *d1 = kunit_device_register(test, "edgenpu-ktest-a");
	struct device *d2 = kunit_device_register(test, "edgenpu-ktest-b");
	struct edgenpu_device *e1, *e2;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, d1);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, d2);
	e1 = edgenpu_device_create(d1, &kt_ops, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, e1);
	e2 = edgenpu_device_create(d2, &kt_ops, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, e2);
	KUNIT_EXPECT_NE(test, e1->id, e2->id);
	KUNIT_EXPECT_STRNEQ(test, e1->name, e2->name);
	KUNIT_EXPECT_EQ(test, e1->caps.num_cores, KT_CORES);
	edgenpu_device_destroy(e2);
	edgenpu_device_destroy(e1);
}

/*
 * Built-in backends start in order, all or none: when one fails, those
 * started before it stop, last first, and none after it starts.
 */
static char kb_log[16];
static unsigned int kb_len;

static void kb_note(char c)
{
	if (kb_len < sizeof(kb_log) - 1)
		kb_log[kb_len++] = c;
}

static int kb_init_a(void)
{
	kb_note('A');
	return 0;
}

static void kb_exit_a(void)
{
	kb_note('a');
}

static int kb_init_fail(void)
{
	kb_note('F');
	return -ENODEV;
}

static void kb_exit_fail(void)
{
	kb_note('f');
}

static int kb_init_c(void)
{
	kb_note('C');
	return 0;
}

static void kb_exit_c(void)
{
	kb_note('c');
}

static const struct edgenpu_backend_driver kb_a = {
	.name = "a", .init = kb_init_a, .exit = kb_exit_a,
};

static const struct edgenpu_backend_driver kb_fail = {
	.name = "fail", .init = kb_init_fail, .exit = kb_exit_fail,
};

static const struct edgenpu_backend_driver kb_c = {
	.name = "c", .init = kb_init_c, .exit = kb_exit_c,
};

static void backends_start_unwinds(struct kunit *test)
{
	const struct edgenpu_backend_driver *const good[] = { &kb_a, &kb_c };
	const struct edgenpu_backend_driver *const bad[] = {
		&kb_a, &kb_fail, &kb_c
	};

	memset(kb_log, 0, sizeof(kb_log));
	kb_len = 0;
	KUNIT_EXPECT_EQ(test, edgenpu_backends_start(good, ARRAY_SIZE(good)), 0);
	edgenpu_backends_stop(good, ARRAY_SIZE(good));
	KUNIT_EXPECT_STREQ(test, kb_log, "ACca");

	memset(kb_log, 0, sizeof(kb_log));
	kb_len = 0;
	KUNIT_EXPECT_EQ(test, edgenpu_backends_start(bad, ARRAY_SIZE(bad)),
			-ENODEV);
	KUNIT_EXPECT_STREQ(test, kb_log, "AFa");
}

static struct kunit_case edgenpu_device_cases[] = {
	KUNIT_CASE(create_rejects_bad_ops),
	KUNIT_CASE(create_rejects_deep_queue),
	KUNIT_CASE(create_unique_ids),
	KUNIT_CASE(backends_start_unwinds),
	{}
};

static struct kunit_suite edgenpu_device_suite = {
	.name = "edgenpu_device",
	.test_cases = edgenpu_device_cases,
};

kunit_test_suites(&edgenpu_query_suite, &edgenpu_device_suite);
