# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# edgenpu engine: userspace library, host tests, ONNX oracle, fuzzing and
# benchmark. Included by the top-level Makefile; also works standalone:
#   make -f mk/engine.mk BUILD=/tmp/engbuild engine-test
# Every variable here starts with ENGINE_ (BUILD, FUZZ_SECONDS and
# FUZZ_TIME are the only shared names; the included mk/flags.mk and
# engine/sources.mk bring EDGENPU_* and edgenpu_engine_sources).

BUILD ?= $(CURDIR)/build
FUZZ_SECONDS ?= 60
FUZZ_TIME ?= 600

ENGINE_ROOT := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST))))..)
ENGINE_ROOT := $(abspath $(ENGINE_ROOT))
ENGINE_SRCDIR := $(ENGINE_ROOT)/drivers/accel/edgenpu/engine
ENGINE_OUT := $(BUILD)/engine
ENGINE_CC ?= $(CCACHE) gcc
ENGINE_CLANG ?= $(shell command -v clang-14 || command -v clang)
ENGINE_PY ?= python3
# The flags shared with the other userspace builds (EDGENPU_*).
include $(ENGINE_ROOT)/mk/flags.mk

# The engine's file list, shared with Kbuild (edgenpu_engine_sources).
include $(ENGINE_SRCDIR)/sources.mk
ENGINE_SRCS := $(patsubst %,$(ENGINE_SRCDIR)/%.c,$(edgenpu_engine_sources))
ENGINE_HDRS := $(wildcard $(ENGINE_SRCDIR)/*.h) \
	$(ENGINE_ROOT)/include/uapi/drm/edgenpu_cmdstream.h
ENGINE_INC := -I$(ENGINE_SRCDIR) -I$(ENGINE_ROOT)/include/uapi \
	-I$(ENGINE_ROOT)/tests/common
# The engine's own: the kernel's stack budget (512 bytes a function, as
# Kbuild enforces it) and no VLAs or float arithmetic.
ENGINE_WARN := $(EDGENPU_ENGINE_WARN) -Wframe-larger-than=512 -Wvla \
	-Wdouble-promotion -Wfloat-conversion
# No floating point may appear in the engine: -mgeneral-regs-only makes any
# float use a compile error on x86-64 (and arm64).
ENGINE_NOFP := $(if $(filter x86_64 aarch64,$(shell uname -m)),-mgeneral-regs-only)

# Release library: -O3, portable (no -march=native).
ENGINE_CFLAGS ?= $(EDGENPU_ENGINE_CFLAGS) -O3 -fwrapv-pointer $(ENGINE_WARN)
ENGINE_LIB := $(ENGINE_OUT)/libedgenpu_engine.a
ENGINE_OBJS := $(patsubst $(ENGINE_SRCDIR)/%.c,$(ENGINE_OUT)/obj/%.o,$(ENGINE_SRCS))

# Sanitized build for the host tests.
ENGINE_TEST_CFLAGS := $(EDGENPU_STD) -O1 -g $(EDGENPU_SAN) $(EDGENPU_WARN) \
	-Wno-unused-parameter
ENGINE_SAN_OBJS := $(patsubst $(ENGINE_SRCDIR)/%.c,$(ENGINE_OUT)/san/%.o,$(ENGINE_SRCS))
ENGINE_TEST_DIR := $(ENGINE_ROOT)/tests/host/engine
ENGINE_TEST_BIN := $(ENGINE_OUT)/engine_test
ENGINE_ONNX_BIN := $(ENGINE_OUT)/engine_onnx_test
ENGINE_ONNX_DATA ?= /usr/share/libonnx-testdata/data/node

ENGINE_FUZZ_DIR := $(ENGINE_ROOT)/tests/fuzz
ENGINE_FUZZ_BIN := $(ENGINE_OUT)/engine_fuzz
ENGINE_FUZZ_FLAGS := -g -O1 $(EDGENPU_GNU_STD) -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined $(ENGINE_INC)

ENGINE_BENCH_BIN := $(ENGINE_OUT)/bench_engine
ENGINE_BENCH_CFLAGS := $(EDGENPU_ENGINE_CFLAGS) -O3 -march=native \
	-Wall -Wextra -Wno-unused-parameter

.PHONY: engine-lib engine-test engine-onnx-test fuzz-smoke fuzz bench-engine bench-build \
	bench-xnn-model engine-corpus engine-clean

engine-lib: $(ENGINE_LIB)

$(ENGINE_OUT)/obj/%.o: $(ENGINE_SRCDIR)/%.c $(ENGINE_HDRS)
	@mkdir -p $(dir $@)
	$(ENGINE_CC) $(ENGINE_CFLAGS) $(ENGINE_INC) -c $< -o $@

$(ENGINE_LIB): $(ENGINE_OBJS) $(ENGINE_OUT)/nofp.stamp
	@rm -f $@
	ar rcs $@ $(ENGINE_OBJS)

# Prove the engine is free of floating point: compile it once more with the
# FPU/SIMD registers unavailable (as the kernel does); any float is an error.
$(ENGINE_OUT)/nofp.stamp: $(ENGINE_SRCS) $(ENGINE_HDRS)
	@mkdir -p $(dir $@)
	@for f in $(ENGINE_SRCS); do \
		$(ENGINE_CC) $(EDGENPU_ENGINE_CFLAGS) -O2 $(ENGINE_WARN) $(ENGINE_NOFP) $(ENGINE_INC) \
			-c $$f -o /dev/null || exit 1; \
	done
	@touch $@

$(ENGINE_OUT)/san/%.o: $(ENGINE_SRCDIR)/%.c $(ENGINE_HDRS)
	@mkdir -p $(dir $@)
	$(ENGINE_CC) $(EDGENPU_ENGINE_CFLAGS) -O1 -g $(EDGENPU_SAN) \
		$(filter-out -Wframe-larger-than=%,$(ENGINE_WARN)) $(ENGINE_INC) \
		-c $< -o $@

ENGINE_TEST_SRCS := $(ENGINE_TEST_DIR)/engine_test.c
ENGINE_TEST_HDRS := $(ENGINE_ROOT)/tests/common/engine_jobbuild.h \
	$(ENGINE_ROOT)/tests/common/engine_vectors.h

$(ENGINE_TEST_BIN): $(ENGINE_TEST_SRCS) $(ENGINE_TEST_HDRS) $(ENGINE_SAN_OBJS)
	$(ENGINE_CC) $(ENGINE_TEST_CFLAGS) $(ENGINE_INC) -I$(ENGINE_TEST_DIR) \
		$(ENGINE_TEST_SRCS) $(ENGINE_SAN_OBJS) -o $@

engine-test: $(ENGINE_TEST_BIN)
	$(ENGINE_TEST_BIN)

$(ENGINE_ONNX_BIN): $(ENGINE_TEST_DIR)/onnx_test.c $(ENGINE_TEST_HDRS) $(ENGINE_SAN_OBJS)
	$(ENGINE_CC) $(ENGINE_TEST_CFLAGS) $(ENGINE_INC) \
		$(ENGINE_TEST_DIR)/onnx_test.c $(ENGINE_SAN_OBJS) -o $@

engine-onnx-test: $(ENGINE_ONNX_BIN)
	$(ENGINE_PY) $(ENGINE_TEST_DIR)/onnx_pb2raw.py $(ENGINE_ONNX_DATA) \
		$(ENGINE_OUT)/onnx && $(ENGINE_ONNX_BIN) $(ENGINE_OUT)/onnx

$(ENGINE_FUZZ_BIN): $(ENGINE_FUZZ_DIR)/engine_fuzz.c $(ENGINE_SRCS) $(ENGINE_HDRS)
	@mkdir -p $(dir $@)
	$(ENGINE_CLANG) $(ENGINE_FUZZ_FLAGS) $(ENGINE_FUZZ_DIR)/engine_fuzz.c \
		$(ENGINE_SRCS) -o $@

# Regenerate the committed seed corpus (small valid jobs).
engine-corpus: $(ENGINE_FUZZ_DIR)/mkcorpus.c $(ENGINE_TEST_HDRS) $(ENGINE_LIB)
	$(ENGINE_CC) $(EDGENPU_STD) -O1 $(ENGINE_INC) $(ENGINE_FUZZ_DIR)/mkcorpus.c \
		$(ENGINE_LIB) -o $(ENGINE_OUT)/mkcorpus
	$(ENGINE_OUT)/mkcorpus $(ENGINE_FUZZ_DIR)/corpus

fuzz-smoke: $(ENGINE_FUZZ_BIN)
	@$(ENGINE_FUZZ_DIR)/run-fuzz.sh $(ENGINE_FUZZ_BIN) $(ENGINE_FUZZ_DIR)/corpus \
		$(FUZZ_SECONDS) $(ENGINE_OUT)/fuzz-smoke

fuzz: $(ENGINE_FUZZ_BIN)
	@$(ENGINE_FUZZ_DIR)/run-fuzz.sh $(ENGINE_FUZZ_BIN) $(ENGINE_FUZZ_DIR)/corpus \
		$(FUZZ_TIME) $(ENGINE_OUT)/fuzz

# The CPU executor's kernels come from libedgenpu's own objects (the
# release build, userspace.mk), so the bench times what users run.
ENGINE_BENCH_CPU_OBJS := $(patsubst $(ENGINE_ROOT)/userspace/lib/%.c,$(BUILD)/userspace/lib/%.o,\
	$(wildcard $(ENGINE_ROOT)/userspace/lib/cpu_*.c))
$(ENGINE_BENCH_BIN): $(ENGINE_ROOT)/bench/bench_engine.c $(ENGINE_SRCS) $(ENGINE_HDRS) \
		$(ENGINE_TEST_HDRS) $(ENGINE_BENCH_CPU_OBJS)
	@mkdir -p $(dir $@)
	$(ENGINE_CC) $(ENGINE_BENCH_CFLAGS) $(ENGINE_INC) -I$(ENGINE_ROOT)/userspace/lib \
		-I$(ENGINE_ROOT)/userspace/include \
		$(ENGINE_ROOT)/bench/bench_engine.c $(ENGINE_SRCS) $(ENGINE_BENCH_CPU_OBJS) \
		-o $@ -lXNNPACK -lpthreadpool -lpthread -lm

bench-engine: $(ENGINE_BENCH_BIN)
	$(ENGINE_BENCH_BIN)

# A whole int8 TFLite model on XNNPACK's operators (stand-in for TFLite's
# XNNPACK delegate), read with libedgenpu's TFLite reader. Build only; run
#   bench_xnn_model MODEL.tflite INPUT.bin ITERATIONS OUT.bin [THREADS]
ENGINE_XNNMODEL_BIN := $(BUILD)/bench/bench_xnn_model
ENGINE_XNNMODEL_SRCS := $(ENGINE_ROOT)/bench/bench_xnn_model.c \
	$(ENGINE_ROOT)/userspace/lib/tflite_reader.c
ENGINE_XNNMODEL_CFLAGS := $(EDGENPU_STD) -O2 -Wshadow -Wstrict-prototypes \
	$(ENGINE_WARN)

$(ENGINE_XNNMODEL_BIN): $(ENGINE_XNNMODEL_SRCS) \
		$(ENGINE_ROOT)/userspace/lib/tflite_reader.h
	@mkdir -p $(dir $@)
	$(ENGINE_CC) $(ENGINE_XNNMODEL_CFLAGS) -I$(ENGINE_ROOT)/userspace/lib \
		$(ENGINE_XNNMODEL_SRCS) -o $@ -lXNNPACK -lpthreadpool -lm

bench-xnn-model: $(ENGINE_XNNMODEL_BIN)

# The benchmarks' programs, built (not run) by make check so that they
# keep compiling.
bench-build: $(ENGINE_BENCH_BIN) $(ENGINE_XNNMODEL_BIN)

engine-clean:
	rm -rf $(ENGINE_OUT)
