# SPDX-License-Identifier: MIT
#
# libedgenpu and accel-run, included by the top-level Makefile.
# Host build: $(BUILD)/userspace; static guest builds come from `make guest`.

US_OUT := $(BUILD)/userspace
US_CFLAGS := -std=c11 -O2 -g -Wall -Wextra -Wshadow -Wstrict-prototypes \
	-Werror -fPIC -DEDGENPU_VERSION=$(VERSION) \
	-Iuserspace/include -Iinclude/uapi $(shell pkg-config --cflags libdrm)
US_LIBS := $(shell pkg-config --libs libdrm)
# The library links the engine's sources (compiled unchanged, as in the
# module) for its CPU executor. US_LIB_SRCS lists every source so that the
# static guest build of accel-run compiles the same set.
US_ENGINE_DIR := drivers/accel/edgenpu/engine
US_ENGINE_SRCS := $(addprefix $(US_ENGINE_DIR)/,eng_core.c eng_conv.c \
	eng_elem.c eng_pool.c eng_data.c)
# -O3 vectorizes the engine's inner loops (2.6x on MobileNet v2 over -O2);
# on x86-64 they are also built for AVX2 and AVX-512 and picked at load
# time (ENG_HOT in the engine's edgenpu_port.h; 7.6x over -O2 here).
US_ENGINE_CLONES := $(if $(filter x86_64,$(shell $(CC) -dumpmachine | cut -d- -f1)),-DEDGENPU_ENGINE_CLONES)
US_ENGINE_CFLAGS := -std=gnu11 -O3 -g -fPIC -fvisibility=hidden $(US_ENGINE_CLONES) \
	-fno-strict-aliasing -Wall -Wextra -Werror -Wno-unused-parameter \
	-I$(US_ENGINE_DIR) -Iinclude/uapi
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

$(US_OUT)/lib/%.o: userspace/lib/%.c $(US_HDRS)
	@mkdir -p $(@D)
	$(CC) $(US_CFLAGS) -fvisibility=hidden -DEDGENPU_BUILDING_LIB -c -o $@ $<

$(US_OUT)/engine/%.o: $(US_ENGINE_DIR)/%.c $(US_HDRS)
	@mkdir -p $(@D)
	$(CC) $(US_ENGINE_CFLAGS) -c -o $@ $<

$(US_OUT)/libedgenpu.a: $(US_LIB_OBJS)
	$(AR) rcs $@ $^

$(US_OUT)/libedgenpu.so.$(VERSION): $(US_LIB_OBJS)
	$(CC) -shared -Wl,-soname,libedgenpu.so.$(US_SOVER) -o $@ $^ $(US_LIBS) -lm
	ln -sf libedgenpu.so.$(VERSION) $(US_OUT)/libedgenpu.so.$(US_SOVER)
	ln -sf libedgenpu.so.$(US_SOVER) $(US_OUT)/libedgenpu.so

$(US_OUT)/accel-run: $(US_CLI_SRCS) $(US_OUT)/libedgenpu.a $(US_HDRS) \
		userspace/accel-run/accel-run.h
	$(CC) $(US_CFLAGS) -o $@ $(US_CLI_SRCS) $(US_OUT)/libedgenpu.a $(US_LIBS) -lm
all: userspace

# The static guest accel-run (top-level Makefile) links the library's
# sources directly; the LOGISTIC/TANH tables need libm (expf, tanhf) after
# them on its link line.
$(BUILD)/guest/$(GUEST_ARCH)/bin/accel-run: US_LIB_SRCS += -lm

# Host tests of the library's packaging.
.PHONY: userspace-test
userspace-test: $(US_OUT)/libedgenpu.so.$(VERSION) $(US_OUT)/accel-run models \
		$(US_OUT)/steady_test $(US_OUT)/npy_test
	@tests/host/lib/check-exports.sh $< userspace/include/edgenpu.h
	@$(US_OUT)/steady_test $(BUILD)/models
	@mkdir -p $(BUILD)/cli-test
	@$(US_OUT)/npy_test $(BUILD)/cli-test
	@tests/host/scripts/guest-command-test.sh $(BUILD)/cli-test/guest-command
	@tests/host/cli/accel-run-test.sh $(US_OUT)/accel-run $(BUILD)/models $(BUILD)/cli-test

# accel-run's .npy writer: what it hands write() (-Wl,--wrap).
$(US_OUT)/npy_test: tests/host/cli/npy_test.c userspace/accel-run/npy.c \
		userspace/accel-run/accel-run.h $(US_HDRS)
	@mkdir -p $(@D)
	$(CC) $(US_CFLAGS) -Iuserspace/accel-run -O1 -fsanitize=address,undefined \
		-fno-sanitize-recover=all -o $@ $< userspace/accel-run/npy.c \
		-Wl,--wrap=write,--wrap=fwrite

# Counts the library's allocations in the run loop (-Wl,--wrap).
$(US_OUT)/steady_test: tests/host/lib/steady_test.c $(US_OUT)/libedgenpu.a
	$(CC) $(US_CFLAGS) -o $@ $< $(US_OUT)/libedgenpu.a $(US_LIBS) -lm \
		-Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free
