# SPDX-License-Identifier: GPL-2.0-only
#
# Compiler flags shared by edgenpu.ko and edgenpu_test.ko. Include with
# edgenpu_version_file and edgenpu_top set.
#
# The module's release comes from the project's VERSION file: the one
# version source for module, library and packages. An in-tree copy
# carries edgenpu_version.mk with EDGENPU_VERSION set.

-include $(dir $(lastword $(MAKEFILE_LIST)))edgenpu_version.mk
EDGENPU_VERSION ?= $(strip $(shell cat $(edgenpu_version_file) 2>/dev/null))
edgenpu_ver := $(subst ., ,$(or $(EDGENPU_VERSION),0.0.0))

ccflags-y += -DEDGENPU_VERSION_MAJOR=$(word 1,$(edgenpu_ver)) \
	     -DEDGENPU_VERSION_MINOR=$(word 2,$(edgenpu_ver)) \
	     -DEDGENPU_VERSION_PATCH=$(word 3,$(edgenpu_ver))

# Out of tree, the uapi header lives in the project's include/uapi; its
# "drm.h" comes from the kernel's include/uapi/drm.
ccflags-y += -I$(edgenpu_top)/include/uapi -I$(srctree)/include/uapi/drm

# Feature probes: grep the target kernel's headers for an API and define
# EDGENPU_HAVE_<NAME>. edgenpu_compat.h is the only reader.
#   $(call edgenpu_probe,NAME,header,extended regex)
edgenpu_probe = $(if $(shell grep -qsE '$(3)' $(srctree)/$(2) && echo y),-DEDGENPU_HAVE_$(1))

ccflags-y += $(call edgenpu_probe,DRM_DRIVER_DATE,include/drm/drm_drv.h,char \*date;)
ccflags-y += $(call edgenpu_probe,DRM_GEM_VMAP_UNLOCKED,include/drm/drm_gem.h,int drm_gem_vmap_unlocked.struct)
ccflags-y += $(call edgenpu_probe,DRM_GPU_SCHED_STAT_RESET,include/drm/gpu_scheduler.h,DRM_GPU_SCHED_STAT_RESET)
ccflags-y += $(call edgenpu_probe,DRM_GPU_SCHED_STAT_NO_HANG,include/drm/gpu_scheduler.h,DRM_GPU_SCHED_STAT_NO_HANG)
ccflags-y += $(call edgenpu_probe,DRM_SCHED_START_ERRNO,include/drm/gpu_scheduler.h,drm_sched_start.struct drm_gpu_scheduler .sched. int errno)
ccflags-y += $(call edgenpu_probe,DRM_SCHED_JOB_CLIENT_ID,include/drm/gpu_scheduler.h,u64 drm_client_id.;)
ccflags-y += $(call edgenpu_probe,DRM_SCHED_INIT_ARGS,include/drm/gpu_scheduler.h,struct drm_sched_init_args [{])

