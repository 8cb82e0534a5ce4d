# SPDX-License-Identifier: GPL-2.0-only
#
# The module's release, from the project's VERSION file: the one version
# source for module, library and packages. Include with edgenpu_version_file
# set; an in-tree copy carries edgenpu_version.mk with EDGENPU_VERSION set.

-include $(dir $(lastword $(MAKEFILE_LIST)))edgenpu_version.mk
EDGENPU_VERSION ?= $(strip $(shell cat $(edgenpu_version_file) 2>/dev/null))
edgenpu_ver := $(subst ., ,$(or $(EDGENPU_VERSION),0.0.0))

ccflags-y += -DEDGENPU_VERSION_MAJOR=$(word 1,$(edgenpu_ver)) \
	     -DEDGENPU_VERSION_MINOR=$(word 2,$(edgenpu_ver)) \
	     -DEDGENPU_VERSION_PATCH=$(word 3,$(edgenpu_ver))
