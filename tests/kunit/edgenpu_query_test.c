// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for device creation and DRM_IOCTL_EDGENPU_QUERY.
 *
 * Each case creates a real edgenpu device on a KUnit fake device with a
 * test backend, and calls the ioctl handler with buffers in a real user
 * address space, so copy_to_user() and its faults are exercised.
 */

#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/mman.h>
#include <linux/uaccess.h>

#include "edgenpu_drv.h"

#define KT_CORES	3
#define KT_OP_MASK	0x5ull

static void kt_get_caps(void *priv, struct drm_edgenpu_caps *caps)
{
	caps->num_cores = KT_CORES;
	caps->op_mask = KT_OP_MASK;
	caps->max_bo_size = SZ_1G;
}

static const struct edgenpu_backend_ops kt_ops = {
	.name = "ktest",
	.get_caps = kt_get_caps,
};

struct kt_ctx {
	struct edgenpu_device *edev;
	void __user *ubuf;
	bool destroyed;
};

static int kt_init(struct kunit *test)
{
	struct kt_ctx *ctx;
	struct device *dev;
	unsigned long uaddr;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);

	dev = kunit_device_register(test, "edgenpu-ktest");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	ctx->edev = edgenpu_device_create(dev, &kt_ops, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx->edev);

	uaddr = kunit_vm_mmap(test, NULL, 0, PAGE_SIZE * 2,
			      PROT_READ | PROT_WRITE,
			      MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_NE_MSG(test, uaddr, 0, "no user memory");
	ctx->ubuf = (void __user *)uaddr;
	test->priv = ctx;
	return 0;
}

static void kt_exit(struct kunit *test)
{
	struct kt_ctx *ctx = test->priv;

	if (ctx && !IS_ERR_OR_NULL(ctx->edev) && !ctx->destroyed)
		edgenpu_device_destroy(ctx->edev);
}

/* Fill the user buffer with a marker so untouched bytes show. */
static void kt_poison(struct kunit *test, size_t len)
{
	struct kt_ctx *ctx = test->priv;
	u8 *k = kunit_kmalloc(test, len, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, k);
	memset(k, 0xa5, len);
	KUNIT_ASSERT_EQ(test, copy_to_user(ctx->ubuf, k, len), 0);
}

static u8 *kt_read(struct kunit *test, size_t len)
{
	struct kt_ctx *ctx = test->priv;
	u8 *k = kunit_kzalloc(test, len, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, k);
	KUNIT_ASSERT_EQ(test, copy_from_user(k, ctx->ubuf, len), 0);
	return k;
}

static int kt_query(struct kunit *test, u32 id, u32 *size)
{
	struct kt_ctx *ctx = test->priv;
	struct drm_edgenpu_query q = {
		.query = id,
		.size = *size,
		.data = (uintptr_t)ctx->ubuf,
	};
	int ret;

	ret = edgenpu_ioctl_query(&ctx->edev->drm, &q, NULL);
	*size = q.size;
	return ret;
}

static void query_device_exact(struct kunit *test)
{
	struct kt_ctx *ctx = test->priv;
	struct drm_edgenpu_device_info *info;
	u32 size = sizeof(*info);

	kt_poison(test, size);
	KUNIT_ASSERT_EQ(test, kt_query(test, DRM_EDGENPU_QUERY_DEVICE, &size), 0);
	KUNIT_EXPECT_EQ(test, size, sizeof(*info));
	info = (void *)kt_read(test, sizeof(*info));
	KUNIT_EXPECT_EQ(test, info->uapi_major, EDGENPU_UAPI_VERSION_MAJOR);
	KUNIT_EXPECT_EQ(test, info->uapi_minor, EDGENPU_UAPI_VERSION_MINOR);
	KUNIT_EXPECT_EQ(test, info->module_version, EDGENPU_MODULE_VERSION);
	KUNIT_EXPECT_EQ(test, info->device_id, (u32)ctx->edev->id);
	KUNIT_EXPECT_STREQ(test, info->backend, "ktest");
	KUNIT_EXPECT_STREQ(test, info->name, ctx->edev->name);
	KUNIT_EXPECT_EQ(test, strncmp(info->name, "ktest", 5), 0);
}

static void query_size_probe(struct kunit *test)
{
	struct kt_ctx *ctx = test->priv;
	struct drm_edgenpu_query q = { .query = DRM_EDGENPU_QUERY_CAPS };

	/* size 0: only the kernel's size comes back; data is not touched. */
	KUNIT_EXPECT_EQ(test, edgenpu_ioctl_query(&ctx->edev->drm, &q, NULL), 0);
	KUNIT_EXPECT_EQ(test, q.size, sizeof(struct drm_edgenpu_caps));
}

static void query_short_struct(struct kunit *test)
{
	u32 size = 8;
	u8 *buf;
	int i;

	kt_poison(test, 64);
	KUNIT_ASSERT_EQ(test, kt_query(test, DRM_EDGENPU_QUERY_DEVICE, &size), 0);
	KUNIT_EXPECT_EQ(test, size, sizeof(struct drm_edgenpu_device_info));
	buf = kt_read(test, 64);
	KUNIT_EXPECT_EQ(test, ((u32 *)buf)[0], EDGENPU_UAPI_VERSION_MAJOR);
	/* Nothing past the user's 8 bytes may be written. */
	for (i = 8; i < 64; i++)
		KUNIT_EXPECT_EQ_MSG(test, buf[i], 0xa5, "byte %d", i);
}

static void query_long_struct(struct kunit *test)
{
	const u32 ksize = sizeof(struct drm_edgenpu_caps);
	u32 size = ksize + 100;
	struct drm_edgenpu_caps *caps;
	u8 *buf;
	u32 i;

	kt_poison(test, ksize + 200);
	KUNIT_ASSERT_EQ(test, kt_query(test, DRM_EDGENPU_QUERY_CAPS, &size), 0);
	KUNIT_EXPECT_EQ(test, size, ksize);
	buf = kt_read(test, ksize + 200);
	caps = (void *)buf;
	KUNIT_EXPECT_EQ(test, caps->num_cores, KT_CORES);
	KUNIT_EXPECT_EQ(test, caps->op_mask, KT_OP_MASK);
	KUNIT_EXPECT_EQ(test, caps->max_bo_size, (u64)SZ_1G);
	/* The user's tail is zeroed, and not one byte further. */
	for (i = ksize; i < ksize + 100; i++)
		KUNIT_EXPECT_EQ_MSG(test, buf[i], 0, "byte %u", i);
	for (; i < ksize + 200; i++)
		KUNIT_EXPECT_EQ_MSG(test, buf[i], 0xa5, "byte %u", i);
}

static void query_rejects_reserved(struct kunit *test)
{
	struct kt_ctx *ctx = test->priv;
	struct drm_device *drm = &ctx->edev->drm;
	struct drm_edgenpu_query q;

	q = (struct drm_edgenpu_query){ .size = 8, .data = (uintptr_t)ctx->ubuf,
					.flags = 1 };
	KUNIT_EXPECT_EQ(test, edgenpu_ioctl_query(drm, &q, NULL), -EINVAL);
	q = (struct drm_edgenpu_query){ .size = 8, .data = (uintptr_t)ctx->ubuf,
					.flags = 0x80000000 };
	KUNIT_EXPECT_EQ(test, edgenpu_ioctl_query(drm, &q, NULL), -EINVAL);
	q = (struct drm_edgenpu_query){ .size = 8, .data = (uintptr_t)ctx->ubuf,
					.pad = 1 };
	KUNIT_EXPECT_EQ(test, edgenpu_ioctl_query(drm, &q, NULL), -EINVAL);
	/* A rejected query reports nothing back. */
	KUNIT_EXPECT_EQ(test, q.size, 8);
}

static void query_rejects_unknown_and_huge(struct kunit *test)
{
	u32 size = 8;

	KUNIT_EXPECT_EQ(test, kt_query(test, 2, &size), -EINVAL);
	size = 8;
	KUNIT_EXPECT_EQ(test, kt_query(test, U32_MAX, &size), -EINVAL);
	size = EDGENPU_QUERY_MAX_SIZE + 1;
	KUNIT_EXPECT_EQ(test, kt_query(test, DRM_EDGENPU_QUERY_DEVICE, &size),
			-EINVAL);
	size = U32_MAX;
	KUNIT_EXPECT_EQ(test, kt_query(test, DRM_EDGENPU_QUERY_DEVICE, &size),
			-EINVAL);
}

static void query_bad_pointer(struct kunit *test)
{
	struct kt_ctx *ctx = test->priv;
	struct drm_edgenpu_query q = {
		.query = DRM_EDGENPU_QUERY_DEVICE,
		.size = 16,
		.data = 0x10,	/* never mapped */
	};

	KUNIT_EXPECT_EQ(test, edgenpu_ioctl_query(&ctx->edev->drm, &q, NULL),
			-EFAULT);
	/* A kernel address is not a user address either. */
	q.data = (uintptr_t)ctx;
	KUNIT_EXPECT_EQ(test, edgenpu_ioctl_query(&ctx->edev->drm, &q, NULL),
			-EFAULT);
}

static void query_after_unplug(struct kunit *test)
{
	struct kt_ctx *ctx = test->priv;
	u32 size = 8;

	edgenpu_device_destroy(ctx->edev);
	ctx->destroyed = true;
	KUNIT_EXPECT_EQ(test, kt_query(test, DRM_EDGENPU_QUERY_DEVICE, &size),
			-ENODEV);
}

static void copy_sized_cases(struct kunit *test)
{
	struct kt_ctx *ctx = test->priv;
	const u8 src[4] = { 1, 2, 3, 4 };
	u8 *buf;

	kt_poison(test, 16);
	KUNIT_ASSERT_EQ(test, edgenpu_copy_sized(ctx->ubuf, 6, src, 4), 0);
	buf = kt_read(test, 16);
	KUNIT_EXPECT_EQ(test, buf[0], 1);
	KUNIT_EXPECT_EQ(test, buf[3], 4);
	KUNIT_EXPECT_EQ(test, buf[4], 0);
	KUNIT_EXPECT_EQ(test, buf[5], 0);
	KUNIT_EXPECT_EQ(test, buf[6], 0xa5);

	KUNIT_EXPECT_EQ(test, edgenpu_copy_sized(ctx->ubuf, 0, src, 4), 0);
	KUNIT_EXPECT_EQ(test, edgenpu_copy_sized((void __user *)0x10, 4, src, 4),
			-EFAULT);
}

static struct kunit_case edgenpu_query_cases[] = {
	KUNIT_CASE(query_device_exact),
	KUNIT_CASE(query_size_probe),
	KUNIT_CASE(query_short_struct),
	KUNIT_CASE(query_long_struct),
	KUNIT_CASE(query_rejects_reserved),
	KUNIT_CASE(query_rejects_unknown_and_huge),
	KUNIT_CASE(query_bad_pointer),
	KUNIT_CASE(query_after_unplug),
	KUNIT_CASE(copy_sized_cases),
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
	struct device *dev = kunit_device_register(test, "edgenpu-ktest-bad");

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	KUNIT_EXPECT_EQ(test, PTR_ERR(edgenpu_device_create(dev, NULL, NULL)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(edgenpu_device_create(dev, &no_caps, NULL)),
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

static struct kunit_case edgenpu_device_cases[] = {
	KUNIT_CASE(create_rejects_bad_ops),
	KUNIT_CASE(create_unique_ids),
	{}
};

static struct kunit_suite edgenpu_device_suite = {
	.name = "edgenpu_device",
	.test_cases = edgenpu_device_cases,
};

kunit_test_suites(&edgenpu_query_suite, &edgenpu_device_suite);
