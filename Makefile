# SPDX-License-Identifier: GPL-2.0-only
#
# edgenpu top-level Makefile. `make help` lists the targets.
# Kernel builds go through Kbuild (this directory's Kbuild file); this
# Makefile only drives them, and builds the userspace.

BUILD ?= $(CURDIR)/build
GUEST_ARCH ?= x86_64
KERNEL ?= debug-latest
VERSION := $(shell cat $(CURDIR)/VERSION)

# When make is invoked by Kbuild (make -C KDIR M=...), hand over.
ifneq ($(KERNELRELEASE),)
include $(src)/Kbuild
else

.DEFAULT_GOAL := all
.PHONY: all help check demo deps kernels modules guest vm-shell bench-submit bench-models \
	checkpatch sparse clean

# Fragments of the engine and oracle work.
-include $(wildcard mk/*.mk)

all: modules guest

help:
	@echo "edgenpu $(VERSION)"
	@echo "  make demo        build everything and show the virtual NPU in a VM"
	@echo "  make check       the whole test suite (installs what it needs)"
	@echo "  make deps        install the Debian packages the build needs"
	@echo "  make kernels     download and build the test kernels (cached)"
	@echo "  make modules     build edgenpu.ko against every tested kernel"
	@echo "  make guest       build the guest test programs (GUEST_ARCH=$(GUEST_ARCH))"
	@echo "  make vm-shell    interactive guest (KERNEL=$(KERNEL), GUEST_ARCH)"
	@echo "  make checkpatch  checkpatch.pl --strict on the driver"
	@echo "  make sparse      sparse (C=2) on the driver"
	@echo "  make bench-engine   engine vs XNNPACK QS8, single thread (host)"
	@echo "  make bench-submit   empty-job round trip vs pipe ping-pong (distro VM)"
	@echo "  make bench-models   CPU executor vs XNNPACK, TFLite 2.14 and Arm NN on MobileNet v2 (host)"
	@echo "  make clean       remove build/"

deps:
	@scripts/install-deps

kernels:
	@scripts/fetch-kernels
	@scripts/build-kernel 6.12 x86_64 >/dev/null
	@scripts/build-kernel latest x86_64 >/dev/null
	@scripts/build-kernel latest arm64 >/dev/null

modules:
	@scripts/build-module distro x86_64
	@scripts/build-module debug-6.12 x86_64
	@scripts/build-module debug-latest x86_64
	@scripts/build-module debug-latest arm64

# Guest programs: static, so the initramfs needs no libraries.
GUEST_OUT := $(BUILD)/guest/$(GUEST_ARCH)/bin
GUEST_CFLAGS := -std=c11 -O2 -g -Wall -Wextra -Werror -static \
	-Iinclude/uapi -Itests/guest -Itests/common
ifeq ($(GUEST_ARCH),arm64)
GUEST_CC := aarch64-linux-gnu-gcc
GUEST_CFLAGS += -idirafter /usr/aarch64-linux-gnu/include/drm
else
GUEST_CC := gcc
GUEST_CFLAGS += -idirafter /usr/include/libdrm
endif
# The kernels (and the arm64 libdrm) scripts/fetch-kernels resolved.
EDGENPU_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/edgenpu
-include $(EDGENPU_CACHE)/kernels.env

GUEST_PROGS := $(GUEST_OUT)/edgenpu-query-test $(GUEST_OUT)/edgenpu-job-test \
	$(GUEST_OUT)/edgenpu-lifecycle-test $(GUEST_OUT)/edgenpu-bench-submit \
	$(GUEST_OUT)/edgenpu-lib-test $(GUEST_OUT)/edgenpu-ioctl-fuzz \
	$(GUEST_OUT)/edgenpu-steady-test $(GUEST_OUT)/edgenpu-core-ioctl-test \
	$(GUEST_OUT)/edgenpu-hostile-test
GUEST_ENGINE_SRCS := $(wildcard drivers/accel/edgenpu/engine/*.c)
GUEST_PROGS += $(GUEST_OUT)/accel-run
ifeq ($(GUEST_ARCH),arm64)
GUEST_LDFLAGS := -L$(LIBDRM_ARM64)
endif
GUEST_SCRIPTS := $(GUEST_OUT)/edgenpu-guest-tests $(GUEST_OUT)/edgenpu-module-test \
	$(GUEST_OUT)/edgenpu-model-test

guest: $(GUEST_PROGS) $(GUEST_SCRIPTS)

$(GUEST_OUT)/edgenpu-query-test: tests/guest/query_test.c tests/common/tap.h \
		include/uapi/drm/edgenpu_accel.h
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -o $@ $<

$(GUEST_OUT)/edgenpu-core-ioctl-test: tests/guest/core_ioctl_test.c tests/common/tap.h \
		tests/guest/drm_core_ioctls.h include/uapi/drm/edgenpu_accel.h
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -o $@ $<

$(GUEST_OUT)/edgenpu-hostile-test: tests/guest/hostile_test.c tests/common/tap.h \
		tests/guest/guest_util.h tests/common/engine_jobbuild.h \
		include/uapi/drm/edgenpu_accel.h
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -std=gnu11 -Idrivers/accel/edgenpu/engine \
		-Itests/common -o $@ $<

$(GUEST_OUT)/edgenpu-job-test: tests/guest/job_test.c tests/common/tap.h tests/guest/guest_util.h \
		$(GUEST_ENGINE_SRCS) include/uapi/drm/edgenpu_accel.h
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -std=gnu11 -Idrivers/accel/edgenpu/engine \
		-Itests/common -o $@ $< $(GUEST_ENGINE_SRCS)

$(GUEST_OUT)/edgenpu-lifecycle-test: tests/guest/lifecycle_test.c tests/common/tap.h tests/guest/guest_util.h \
		include/uapi/drm/edgenpu_accel.h
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -std=gnu11 -Idrivers/accel/edgenpu/engine \
		-Itests/common -o $@ $<

$(GUEST_OUT)/edgenpu-bench-submit: tests/guest/bench_submit.c \
		include/uapi/drm/edgenpu_accel.h
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -std=gnu11 -Idrivers/accel/edgenpu/engine \
		-Itests/common -o $@ $< -lpthread

$(GUEST_OUT)/edgenpu-ioctl-fuzz: tests/guest/ioctl_fuzz.c tests/common/tap.h tests/guest/guest_util.h \
		tests/guest/drm_core_ioctls.h tests/common/engine_jobbuild.h include/uapi/drm/edgenpu_accel.h
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -std=gnu11 -Idrivers/accel/edgenpu/engine \
		-Itests/common -o $@ $< -lpthread

# The library's allocations are counted (-Wl,--wrap): see the test.
$(GUEST_OUT)/edgenpu-steady-test: tests/host/lib/steady_test.c $(US_LIB_SRCS) $(US_HDRS)
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -DEDGENPU_VERSION=$(VERSION) -Iuserspace/include \
		-o $@ $< $(US_LIB_SRCS) $(GUEST_LDFLAGS) -ldrm -lm \
		-Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free

$(GUEST_OUT)/edgenpu-lib-test: tests/guest/lib_test.c tests/common/tap.h tests/guest/guest_util.h \
		$(US_LIB_SRCS) $(US_HDRS)
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -DEDGENPU_VERSION=$(VERSION) -Iuserspace/include \
		-Idrivers/accel/edgenpu/engine -o $@ $< $(US_LIB_SRCS) $(GUEST_LDFLAGS) -ldrm -lm

$(GUEST_OUT)/accel-run: $(US_CLI_SRCS) $(US_LIB_SRCS) $(US_HDRS)
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -DEDGENPU_VERSION=$(VERSION) -Iuserspace/include \
		-o $@ $(US_CLI_SRCS) $(US_LIB_SRCS) $(GUEST_LDFLAGS) -ldrm

$(GUEST_OUT)/edgenpu-guest-tests: tests/guest/run-guest-tests
	@mkdir -p $(@D)
	install -m 0755 $< $@

$(GUEST_OUT)/edgenpu-model-test: tests/guest/model-test
	@mkdir -p $(@D)
	install -m 0755 $< $@

$(GUEST_OUT)/edgenpu-module-test: tests/guest/module-test
	@mkdir -p $(@D)
	install -m 0755 $< $@

vm-shell:
	scripts/vm-run --kernel $(KERNEL) --arch $(GUEST_ARCH) --interactive

check:
	@scripts/check

# Benchmarks print figures; they assert nothing about speed.
bench-models:
	@scripts/bench-models

bench-submit:
	@scripts/vm-run --kernel $(if $(filter-out debug-latest,$(KERNEL)),$(KERNEL),distro) \
		-- edgenpu-bench-submit 2000

demo:
	@scripts/demo

checkpatch:
	@scripts/run-checkpatch

sparse:
	@scripts/run-sparse

clean:
	rm -rf $(BUILD)

endif
