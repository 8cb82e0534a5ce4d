# SPDX-License-Identifier: MIT
#
# libedgenpu and accel-run, included by the top-level Makefile.
# Host build: $(BUILD)/userspace; static guest builds come from `make guest`.

include mk/flags.mk
US_OUT := $(BUILD)/userspace
US_CFLAGS := $(EDGENPU_STD) -O2 -g $(EDGENPU_LIB_WARN) -fPIC -DEDGENPU_VERSION=$(VERSION) \
	-Iuserspace/include -Iinclude/uapi $(shell pkg-config --cflags libdrm 2>/dev/null)
US_LIBS := $(shell pkg-config --libs libdrm 2>/dev/null)
# The library links the engine's sources (compiled unchanged, as in the
# module) for its CPU executor. US_LIB_SRCS lists every source so that the
# static guest build of accel-run compiles the same set.
US_ENGINE_DIR := drivers/accel/edgenpu/engine
include $(US_ENGINE_DIR)/sources.mk
US_ENGINE_SRCS := $(patsubst %,$(US_ENGINE_DIR)/%.c,$(edgenpu_engine_sources))
# -O3 vectorizes the engine's inner loops (2.6x on MobileNet v2 over -O2);
# on x86-64 they are also built for AVX2 and AVX-512 and picked at load
# time (ENG_HOT in the engine's edgenpu_port.h; 7.6x over -O2 here).
US_ENGINE_CLONES := $(if $(filter x86_64,$(shell $(CC) -dumpmachine | cut -d- -f1)),-DEDGENPU_ENGINE_CLONES)
US_ENGINE_CFLAGS := $(EDGENPU_ENGINE_CFLAGS) -O3 -g -fPIC -fvisibility=hidden \
	$(US_ENGINE_CLONES) $(EDGENPU_ENGINE_WARN) -I$(US_ENGINE_DIR) -Iinclude/uapi
US_LIB_SRCS := $(wildcard userspace/lib/*.c) $(US_ENGINE_SRCS)
US_LIB_OBJS := $(patsubst userspace/lib/%.c,$(US_OUT)/lib/%.o,$(wildcard userspace/lib/*.c)) \
	$(patsubst $(US_ENGINE_DIR)/%.c,$(US_OUT)/engine/%.o,$(US_ENGINE_SRCS))
US_HDRS := $(wildcard userspace/include/*.h) $(wildcard userspace/lib/*.h) \
	$(wildcard include/uapi/drm/*.h) $(wildcard $(US_ENGINE_DIR)/*.h)
US_CLI_SRCS := $(wildcard userspace/accel-run/*.c)
# The ABI version of the shared library (its soname), not the release.
US_SOVER := 1

.PHONY: userspace
userspace: $(US_OUT)/libedgenpu.a $(US_OUT)/libedgenpu.so.$(VERSION) \
	$(US_OUT)/accel-run

# The CPU executor's kernels (userspace/lib/cpu_*.c): -O3 vectorizes the
# portable kernels' channel loops (EDGENPU_CPU_KERNELS=c; arm64 CPUs run
# the NEON kernels, x86-64 ones without AVX2 the engine).
$(US_OUT)/lib/cpu_%.o: US_CFLAGS += -O3

$(US_OUT)/lib/%.o: userspace/lib/%.c $(US_HDRS)
	@mkdir -p $(@D)
	$(CC) $(US_CFLAGS) -fvisibility=hidden -DEDGENPU_BUILDING_LIB -c -o $@ $<

$(US_OUT)/engine/%.o: $(US_ENGINE_DIR)/%.c $(US_HDRS)
	@mkdir -p $(@D)
	$(CC) $(US_ENGINE_CFLAGS) -c -o $@ $<

$(US_OUT)/libedgenpu.a: $(US_LIB_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

$(US_OUT)/libedgenpu.so.$(VERSION): $(US_LIB_OBJS)
	$(CC) -shared -Wl,-soname,libedgenpu.so.$(US_SOVER) -o $@ $^ $(US_LIBS) -lm
	ln -sf libedgenpu.so.$(VERSION) $(US_OUT)/libedgenpu.so.$(US_SOVER)
	ln -sf libedgenpu.so.$(US_SOVER) $(US_OUT)/libedgenpu.so

$(US_OUT)/accel-run: $(US_CLI_SRCS) $(US_OUT)/libedgenpu.a $(US_HDRS) \
		$(wildcard userspace/accel-run/*.h)
	$(CC) $(US_CFLAGS) -o $@ $(US_CLI_SRCS) $(US_OUT)/libedgenpu.a $(US_LIBS) -lm
all: userspace

# Host tests of the library's packaging.
.PHONY: userspace-test
userspace-test: $(US_OUT)/libedgenpu.so.$(VERSION) $(US_OUT)/accel-run models \
		$(US_OUT)/steady_test $(US_OUT)/npy_test $(US_OUT)/input_test \
		$(US_OUT)/cpu_exec_test $(US_OUT)/bind_test
	@tests/host/lib/check-exports.sh $< userspace/include/edgenpu.h
	@$(US_OUT)/steady_test $(BUILD)/models
	@$(US_OUT)/bind_test $(BUILD)/models >$(US_OUT)/bind_test.tap || \
		{ grep -E '^not ok|^#' $(US_OUT)/bind_test.tap; exit 1; }
	@echo "bind_test: $$(grep -c '^ok' $(US_OUT)/bind_test.tap) ok (TAP in $(US_OUT)/bind_test.tap)"
	@$(US_OUT)/cpu_exec_test $(BUILD)/models $(US_SHARED_MODELS) >$(US_OUT)/cpu_exec_test.tap || \
		{ grep -E '^not ok|^#' $(US_OUT)/cpu_exec_test.tap; exit 1; }
	@echo "cpu_exec_test: $$(grep -c '^ok' $(US_OUT)/cpu_exec_test.tap) ok (TAP in $(US_OUT)/cpu_exec_test.tap)"
	@mkdir -p $(BUILD)/cli-test
	@$(US_OUT)/npy_test $(BUILD)/cli-test
	@$(US_OUT)/input_test $(BUILD)/cli-test
	@tests/host/scripts/guest-command-test.sh $(BUILD)/cli-test/guest-command
	@tests/host/cli/accel-run-test.sh $(US_OUT)/accel-run $(BUILD)/models $(BUILD)/cli-test

# accel-run's .npy writer: what it hands write() (-Wl,--wrap).
$(US_OUT)/npy_test: tests/host/cli/npy_test.c userspace/accel-run/npy.c \
		userspace/accel-run/npy.h tests/common/tap.h $(US_HDRS)
	@mkdir -p $(@D)
	$(CC) $(US_CFLAGS) -Iuserspace/accel-run -Itests/common -O1 $(EDGENPU_SAN) \
		-o $@ $< userspace/accel-run/npy.c \
		-Wl,--wrap=write,--wrap=fwrite

# accel-run's input readers: valid, truncated and corrupt files.
$(US_OUT)/input_test: tests/host/cli/input_test.c userspace/accel-run/input.c \
		userspace/accel-run/input.h tests/common/tap.h $(US_HDRS)
	@mkdir -p $(@D)
	$(CC) $(US_CFLAGS) -Iuserspace/accel-run -Itests/common -O1 $(EDGENPU_SAN) \
		-o $@ $< userspace/accel-run/input.c

# The CPU executor's fast kernels against the engine: random ops, and
# every model with each kernel set (tests/host/lib/cpu_exec_test.c). The
# library's sources are built in, under ASan and UBSan; the engine's
# objects are the library's.
US_SHARED_MODELS := $(firstword $(wildcard ../shared/models /work/shared/models))
$(US_OUT)/cpu_exec_test: tests/host/lib/cpu_exec_test.c tests/common/tap.h \
		tests/common/engine_jobbuild.h \
		$(wildcard userspace/lib/*.c) $(US_HDRS) $(US_OUT)/libedgenpu.a
	$(CC) $(US_CFLAGS) $(EDGENPU_SAN) -DEDGENPU_BUILDING_LIB -Iuserspace/lib \
		-Idrivers/accel/edgenpu/engine \
		-Itests/common -o $@ $< $(wildcard userspace/lib/*.c) \
		$(filter $(US_OUT)/engine/%.o,$(US_LIB_OBJS)) $(US_LIBS) -lm

# edgenpu_runner_bind_input()/_output() on every model, the caller's
# memory at exactly each tensor's size: the library's sources built in,
# under ASan and UBSan (tests/host/lib/bind_test.c).
$(US_OUT)/bind_test: tests/host/lib/bind_test.c tests/common/tap.h \
		$(wildcard userspace/lib/*.c) $(US_HDRS) $(US_OUT)/libedgenpu.a
	$(CC) $(US_CFLAGS) $(EDGENPU_SAN) -DEDGENPU_BUILDING_LIB -Iuserspace/lib \
		-Idrivers/accel/edgenpu/engine \
		-Itests/common -o $@ $< $(wildcard userspace/lib/*.c) \
		$(filter $(US_OUT)/engine/%.o,$(US_LIB_OBJS)) $(US_LIBS) -lm

# Counts the library's allocations in the run loop (-Wl,--wrap).
$(US_OUT)/steady_test: tests/host/lib/steady_test.c tests/common/tap.h \
		$(US_OUT)/libedgenpu.a
	$(CC) $(US_CFLAGS) -Itests/common -o $@ $< $(US_OUT)/libedgenpu.a $(US_LIBS) -lm \
		-Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free

# The arm64 kernels (NEON, and the armv8.2 dot product) against the
# engine: cpu_exec_test cross-built static for arm64 and run under
# qemu-user twice, on a CPU with the dot product (-cpu max) and on one
# without (cortex-a72), so that every arm64 kernel set is compared. The
# library's sources are built in with UBSan in trap mode (a static binary
# takes no sanitizer runtime); libdrm is the arm64 one scripts/fetch-kernels
# resolved ($(LIBDRM_ARM64), from $(EDGENPU_CACHE)/kernels.env).
US_A64_OUT := $(BUILD)/userspace-arm64
US_A64_CC := $(CCACHE) aarch64-linux-gnu-gcc
US_A64_CPUS := max cortex-a72
US_A64_ENGINE_OBJS := $(patsubst $(US_ENGINE_DIR)/%.c,$(US_A64_OUT)/engine/%.o,$(US_ENGINE_SRCS))

# -O3 for the engine, as the host library builds it: under emulation the
# engine's reference runs are most of the test's time.
$(US_A64_OUT)/engine/%.o: $(US_ENGINE_DIR)/%.c $(US_HDRS)
	@mkdir -p $(@D)
	$(US_A64_CC) $(EDGENPU_ENGINE_CFLAGS) -O3 -g $(EDGENPU_ENGINE_WARN) \
		-I$(US_ENGINE_DIR) -Iinclude/uapi -c -o $@ $<

$(US_A64_OUT)/cpu_exec_test: tests/host/lib/cpu_exec_test.c tests/common/tap.h \
		tests/common/engine_jobbuild.h $(wildcard userspace/lib/*.c) \
		$(US_HDRS) $(US_A64_ENGINE_OBJS)
	@test -d "$(LIBDRM_ARM64)" || { echo "no arm64 libdrm: run scripts/fetch-kernels" >&2; exit 1; }
	$(US_A64_CC) $(EDGENPU_STD) -O2 -g $(EDGENPU_LIB_WARN) -static \
		-fsanitize=undefined -fsanitize-undefined-trap-on-error \
		-DEDGENPU_VERSION=$(VERSION) -DEDGENPU_BUILDING_LIB \
		-Iuserspace/include -Iinclude/uapi -Iuserspace/lib -I$(US_ENGINE_DIR) \
		-Itests/common -idirafter /usr/aarch64-linux-gnu/include/drm \
		-o $@ $< $(wildcard userspace/lib/*.c) $(US_A64_ENGINE_OBJS) \
		-L$(LIBDRM_ARM64) -ldrm -lm

.PHONY: cpu-exec-arm64
cpu-exec-arm64: $(US_A64_OUT)/cpu_exec_test models
	@for cpu in $(US_A64_CPUS); do \
		qemu-aarch64 -cpu $$cpu $< $(BUILD)/models $(US_SHARED_MODELS) \
			>$(US_A64_OUT)/cpu_exec_test-$$cpu.tap; rc=$$?; \
		cat $(US_A64_OUT)/cpu_exec_test-$$cpu.tap; \
		echo "cpu_exec_test arm64 -cpu $$cpu: $$(grep -c '^ok' $(US_A64_OUT)/cpu_exec_test-$$cpu.tap) ok, exit $$rc"; \
		[ $$rc = 0 ] || exit 1; \
	done
