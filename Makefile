# SPDX-License-Identifier: GPL-2.0-only
#
# edgenpu top-level Makefile. `make help` lists the targets.
# Kernel builds go through Kbuild (this directory's Kbuild file); this
# Makefile only drives them, and builds the userspace.

BUILD ?= $(CURDIR)/build
EDGENPU_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/edgenpu
# ccache, when installed (scripts/install-deps installs it): a warm make
# check in a fresh clone compiles only the files that changed since the
# last run. Paths are hashed relative to the tree, so any clone hits.
# CCACHE= turns it off.
CCACHE ?= $(shell command -v ccache 2>/dev/null)
ifneq ($(CCACHE),)
export CCACHE_DIR ?= $(EDGENPU_CACHE)/ccache
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1
ifeq ($(origin CC),default)
CC := $(CCACHE) cc
endif
endif
GUEST_ARCH ?= x86_64
KERNEL ?= debug-latest
VERSION := $(shell cat $(CURDIR)/VERSION)

# When make is invoked by Kbuild (make -C KDIR M=...), hand over.
ifneq ($(KERNELRELEASE),)
include $(src)/Kbuild
else

.DEFAULT_GOAL := all
.PHONY: all help check demo deps kernels modules guest vm-shell bench-submit bench-models bench-delegate bench-pci \
	checkpatch sparse clean

# Fragments of the engine and oracle work.
-include $(wildcard mk/*.mk)

all: modules guest

help:
	@echo "edgenpu $(VERSION)"
	@echo "  make demo        build everything, classify an image on the PCI NPU in a VM"
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
	@echo "  make bench-delegate TFLite delegate (device=cpu) vs accel-run, TFLite kernels (host, root)"
	@echo "  make bench-pci      the PCI NPU vs the guest CPU, submit round trip, host/device time (distro VM)"
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

# Guest programs: static, so the initramfs needs no libraries. (The
# mk/*.mk above include these two as well.)
include mk/flags.mk drivers/accel/edgenpu/engine/sources.mk
GUEST_OUT := $(BUILD)/guest/$(GUEST_ARCH)/bin
GUEST_CFLAGS := $(EDGENPU_GNU_STD) -O2 -g $(EDGENPU_WARN) -static \
	-DEDGENPU_VERSION=$(VERSION) -Iinclude/uapi -Iuserspace/include \
	-Idrivers/accel/edgenpu/engine -Itests/guest -Itests/common
ifeq ($(GUEST_ARCH),arm64)
GUEST_CC := $(CCACHE) aarch64-linux-gnu-gcc
GUEST_CFLAGS += -idirafter /usr/aarch64-linux-gnu/include/drm
else
GUEST_CC := $(CCACHE) gcc
GUEST_CFLAGS += -idirafter /usr/include/libdrm
endif
# The kernels (and the arm64 libdrm) scripts/fetch-kernels resolved.
EDGENPU_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/edgenpu
-include $(EDGENPU_CACHE)/kernels.env
ifeq ($(GUEST_ARCH),arm64)
GUEST_LDFLAGS := -L$(LIBDRM_ARM64)
endif

# The programs of tests/guest, one per .c file: edgenpu-NAME from NAME.c,
# with dashes in the program's name for the file's underscores
# (edgenpu-core-ioctl-test from core_ioctl_test.c). Each depends on every
# header a guest program may include; GUEST_SRCS_<name> and
# GUEST_LIBS_<name> add a program's own sources and libraries (name
# without edgenpu-).
GUEST_TESTS := $(subst _,-,$(basename $(notdir $(wildcard tests/guest/*.c))))
GUEST_HDRS := $(wildcard tests/common/*.h tests/guest/*.h) $(US_HDRS)
GUEST_ENGINE_SRCS := $(patsubst %,drivers/accel/edgenpu/engine/%.c,\
	$(edgenpu_engine_sources))
# The engine's and the library's sources are compiled once per
# architecture, into objects that several programs link.
GUEST_OBJ := $(BUILD)/guest/$(GUEST_ARCH)/obj
GUEST_ENGINE_OBJS := $(patsubst drivers/accel/edgenpu/engine/%.c,$(GUEST_OBJ)/engine/%.o,\
	$(GUEST_ENGINE_SRCS))
GUEST_LIB_OBJS := $(patsubst userspace/lib/%.c,$(GUEST_OBJ)/lib/%.o,\
	$(wildcard userspace/lib/*.c)) $(GUEST_ENGINE_OBJS)
GUEST_SRCS_job-test := $(GUEST_ENGINE_OBJS)
GUEST_SRCS_hotplug-test := $(GUEST_ENGINE_OBJS)
GUEST_SRCS_lib-test := $(GUEST_LIB_OBJS)
GUEST_LIBS_lib-test := -ldrm -lm
GUEST_LIBS_ioctl-fuzz := -lpthread
GUEST_LIBS_bench-submit := -lpthread

# (The engine's unused hook parameters: see EDGENPU_ENGINE_WARN.)
$(GUEST_OBJ)/engine/%.o: drivers/accel/edgenpu/engine/%.c $(GUEST_HDRS)
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -Wno-unused-parameter -c -o $@ $<
$(GUEST_OBJ)/lib/%.o: userspace/lib/%.c $(GUEST_HDRS)
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -Wno-unused-parameter -c -o $@ $<

.SECONDEXPANSION:
$(GUEST_OUT)/edgenpu-%: tests/guest/$$(subst -,_,$$*).c $(GUEST_HDRS) \
		$$(GUEST_SRCS_$$*)
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -o $@ $< $(GUEST_SRCS_$*) $(GUEST_LDFLAGS) \
		$(GUEST_LIBS_$*)

# The host's steady-state test, run in the guest on the NPU: the library's
# allocations are counted (-Wl,--wrap), see the test.
$(GUEST_OUT)/edgenpu-steady-test: tests/host/lib/steady_test.c $(GUEST_HDRS) \
		$(GUEST_LIB_OBJS)
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -o $@ $< $(GUEST_LIB_OBJS) $(GUEST_LDFLAGS) -ldrm -lm \
		-Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free

# accel-run links the library's objects directly; the LOGISTIC/TANH
# tables need libm (expf, tanhf).
$(GUEST_OUT)/accel-run: $(US_CLI_SRCS) $(GUEST_LIB_OBJS) $(GUEST_HDRS)
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -o $@ $(US_CLI_SRCS) $(GUEST_LIB_OBJS) $(GUEST_LDFLAGS) \
		-ldrm -lm

# Scripts copied into the guest: edgenpu-NAME from tests/guest/NAME (the
# runner of them all keeps its name, run-guest-tests).
GUEST_SCRIPTS := $(addprefix $(GUEST_OUT)/edgenpu-,guest-tests module-test model-test tfd-test \
	secureboot-test)
$(GUEST_OUT)/edgenpu-guest-tests: tests/guest/run-guest-tests
$(filter-out %/edgenpu-guest-tests,$(GUEST_SCRIPTS)): $(GUEST_OUT)/edgenpu-%: tests/guest/%
$(GUEST_SCRIPTS):
	@mkdir -p $(@D)
	install -m 0755 $< $@

GUEST_PROGS := $(addprefix $(GUEST_OUT)/edgenpu-,$(GUEST_TESTS) steady-test) \
	$(GUEST_OUT)/accel-run
# Those that compile the engine's sources take its warnings (see
# EDGENPU_ENGINE_WARN).
GUEST_WITH_ENGINE := $(addprefix $(GUEST_OUT)/,edgenpu-job-test edgenpu-lib-test \
	edgenpu-hotplug-test edgenpu-steady-test accel-run)
$(GUEST_WITH_ENGINE): GUEST_CFLAGS += -Wno-unused-parameter
guest: $(GUEST_PROGS) $(GUEST_SCRIPTS)

vm-shell:
	scripts/vm-run --kernel $(KERNEL) --arch $(GUEST_ARCH) --interactive

check:
	@scripts/check

# Benchmarks print figures; they assert nothing about speed.
bench-models:
	@scripts/bench-models

bench-delegate:
	@scripts/bench-delegate

bench-submit:
	@scripts/vm-run --kernel $(if $(filter-out debug-latest,$(KERNEL)),$(KERNEL),distro) \
		-- edgenpu-bench-submit 2000

bench-pci:
	@scripts/bench-pci

demo:
	@scripts/demo

checkpatch:
	@scripts/run-checkpatch

sparse:
	@scripts/run-sparse

clean:
	rm -rf $(BUILD)

endif
