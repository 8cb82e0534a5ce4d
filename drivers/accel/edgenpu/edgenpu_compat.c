// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel API differences that need more than a macro. See edgenpu_compat.h.
 */

#include "edgenpu_compat.h"

/*
 * drm_sched_init() takes a struct drm_sched_init_args since 6.15 (and in
 * later 6.12 stable releases); before, the same values as arguments.
 * A job costs one credit, so @credit_limit is how many jobs the core
 * may hold at once (&drm_edgenpu_caps.core_queue_depth).
 */
int edgenpu_compat_sched_init(struct drm_gpu_scheduler *sched,
			      const struct drm_sched_backend_ops *ops,
			      u32 credit_limit, long timeout, const char *name,
			      struct device *dev)
{
#ifdef EDGENPU_HAVE_DRM_SCHED_INIT_ARGS
	const struct drm_sched_init_args args = {
		.ops = ops,
		.num_rqs = DRM_SCHED_PRIORITY_COUNT,
		.credit_limit = credit_limit,
		.timeout = timeout,
		.name = name,
		.dev = dev,
	};

	return drm_sched_init(sched, &args);
#else
	return drm_sched_init(sched, ops, NULL, DRM_SCHED_PRIORITY_COUNT,
			      credit_limit, 0, timeout, NULL, NULL, name, dev);
#endif
}
