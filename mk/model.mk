# SPDX-License-Identifier: MIT
#
# libedgenpu's model half: the TFLite reader, lowering, planner and CPU
# executor, tested against TFLite 2.14's reference kernels. Included by
# the top-level Makefile; also works standalone:
#   make -f mk/model.mk model-test
# Every variable here starts with MODEL_ (BUILD is the only shared name;
# the included mk/flags.mk and engine/sources.mk bring EDGENPU_* and
# edgenpu_engine_sources).
#
#   model-test        (needs `models` from mk/oracle.mk) every generated
#                     model bit-exact against TFLite's reference kernels on
#                     the CPU executor; hostile/truncated/mutated model
#                     files; the real models of ../shared/models when
#                     present; accel-run's CLI; the planner's splitting of
#                     work into jobs within the cost limits. All under ASan
#                     and UBSan.
#   model-fuzz-smoke  30 s of libFuzzer on the reader and planner
#   model-fuzz        MODEL_FUZZ_TIME seconds of the same (default 600)
#   input-fuzz-smoke  MODEL_FUZZ_SECONDS of libFuzzer on accel-run's input
#                     readers (seeds: tests/fuzz/input_corpus)
#   model-corpus      refresh tests/fuzz/model_corpus from $(BUILD)/models

BUILD ?= $(CURDIR)/build

MODEL_ROOT := $(abspath $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))/..)
# The flags shared with the other userspace builds (EDGENPU_*).
include $(MODEL_ROOT)/mk/flags.mk

# Standalone: bring in the `models` target. (The top-level Makefile
# defines VERSION before it includes every mk/*.mk, oracle.mk among them.)
ifeq ($(origin VERSION),undefined)
include $(MODEL_ROOT)/mk/oracle.mk
endif

MODEL_OUT := $(BUILD)/model
MODEL_MODELS := $(BUILD)/models
MODEL_SHARED ?= $(MODEL_ROOT)/../shared/models
MODEL_FUZZ_SECONDS ?= 20
MODEL_FUZZ_TIME ?= 600
MODEL_CC ?= $(CCACHE) gcc
MODEL_CLANG ?= $(shell command -v clang-14 || command -v clang)
MODEL_SEED ?= 7

MODEL_ENGINE_DIR := $(MODEL_ROOT)/drivers/accel/edgenpu/engine
MODEL_LIB_SRCS := $(wildcard $(MODEL_ROOT)/userspace/lib/*.c)
include $(MODEL_ENGINE_DIR)/sources.mk
MODEL_ENGINE_SRCS := $(patsubst %,$(MODEL_ENGINE_DIR)/%.c,$(edgenpu_engine_sources))
MODEL_HDRS := $(wildcard $(MODEL_ROOT)/userspace/include/*.h \
	$(MODEL_ROOT)/userspace/lib/*.h $(MODEL_ENGINE_DIR)/*.h \
	$(MODEL_ROOT)/include/uapi/drm/*.h)
MODEL_DRM_CFLAGS := $(shell pkg-config --cflags libdrm 2>/dev/null)
MODEL_DRM_LIBS := $(shell pkg-config --libs libdrm 2>/dev/null)
MODEL_VERSION := $(shell cat $(MODEL_ROOT)/VERSION)
MODEL_INC := -I$(MODEL_ROOT)/userspace/include -I$(MODEL_ROOT)/include/uapi
# Uninitialised locals of the library and the CLI hold a pattern
# (0xfe...), not whatever the stack held: a use of one fails every time.
MODEL_CFLAGS := $(EDGENPU_STD) -O1 -g $(EDGENPU_LIB_WARN) $(EDGENPU_SAN) \
	-ftrivial-auto-var-init=pattern $(MODEL_INC) \
	$(MODEL_DRM_CFLAGS) -DEDGENPU_VERSION=$(MODEL_VERSION)
MODEL_ENGINE_CFLAGS := $(EDGENPU_ENGINE_CFLAGS) -O1 -g $(EDGENPU_ENGINE_WARN) \
	$(EDGENPU_SAN) -I$(MODEL_ENGINE_DIR) -I$(MODEL_ROOT)/include/uapi
# The test programs' own headers (tap.h).
MODEL_TEST_INC := -I$(MODEL_ROOT)/tests/common

MODEL_SAN_OBJS := \
	$(patsubst $(MODEL_ROOT)/userspace/lib/%.c,$(MODEL_OUT)/san/lib/%.o,$(MODEL_LIB_SRCS)) \
	$(patsubst $(MODEL_ENGINE_DIR)/%.c,$(MODEL_OUT)/san/engine/%.o,$(MODEL_ENGINE_SRCS))
MODEL_TEST_DIR := $(MODEL_ROOT)/tests/host/model
MODEL_TEST_BIN := $(MODEL_OUT)/model_test
MODEL_ROBUST_BIN := $(MODEL_OUT)/reader_robust
MODEL_SPLIT_BIN := $(MODEL_OUT)/plan_split_test
MODEL_CLI_BIN := $(MODEL_OUT)/accel-run
MODEL_FAKE_NPU := $(MODEL_OUT)/fake_npu.so
MODEL_MAN := $(MODEL_ROOT)/userspace/accel-run/accel-run.1
MODEL_FUZZ_BIN := $(MODEL_OUT)/model_fuzz
MODEL_CORPUS := $(MODEL_ROOT)/tests/fuzz/model_corpus
MODEL_CLI_DIR := $(MODEL_ROOT)/userspace/accel-run
MODEL_INPUT_FUZZ_BIN := $(MODEL_OUT)/input_fuzz
MODEL_INPUT_CORPUS := $(MODEL_ROOT)/tests/fuzz/input_corpus
MODEL_ROBUST_FILES = $(MODEL_MODELS)/conv2d_s1_same_d1_none_pc/model.tflite \
	$(MODEL_MODELS)/chain_conv_dwconv_add_avgpool_fc_softmax/model.tflite \
	$(MODEL_MODELS)/concat_axis2_3in_samequant/model.tflite \
	$(MODEL_MODELS)/pad_all4d/model.tflite \
	$(MODEL_MODELS)/mean_hw_keep0_requant/model.tflite \
	$(wildcard $(MODEL_SHARED)/*.tflite)

.PHONY: model-test model-fuzz-smoke model-fuzz model-corpus model-clean \
	input-fuzz-smoke

$(MODEL_OUT)/san/lib/%.o: $(MODEL_ROOT)/userspace/lib/%.c $(MODEL_HDRS)
	@mkdir -p $(@D)
	$(MODEL_CC) $(MODEL_CFLAGS) -c -o $@ $<

$(MODEL_OUT)/san/engine/%.o: $(MODEL_ENGINE_DIR)/%.c $(MODEL_HDRS)
	@mkdir -p $(@D)
	$(MODEL_CC) $(MODEL_ENGINE_CFLAGS) -c -o $@ $<

$(MODEL_TEST_BIN): $(MODEL_TEST_DIR)/model_test.c $(MODEL_SAN_OBJS)
	$(MODEL_CC) $(MODEL_CFLAGS) $(MODEL_TEST_INC) -o $@ $^ $(MODEL_DRM_LIBS) -lm

# The shipped library builds the engine's hot loops for three x86-64
# levels and picks one at load time (ENG_HOT); each level is built here on
# its own, as the library builds it (-O3, no sanitizer), and must be
# bit-exact too. A level this CPU lacks is skipped.
MODEL_ISA_LEVELS := $(if $(filter x86_64,$(shell $(MODEL_CC) -dumpmachine | cut -d- -f1)),baseline x86-64-v3 x86-64-v4)
MODEL_ISA_BINS := $(addprefix $(MODEL_OUT)/model_test_,$(MODEL_ISA_LEVELS))

$(MODEL_OUT)/model_test_%: $(MODEL_TEST_DIR)/model_test.c $(MODEL_LIB_SRCS) \
		$(MODEL_ENGINE_SRCS) $(MODEL_HDRS)
	@mkdir -p $(@D)
	$(MODEL_CC) $(EDGENPU_ENGINE_CFLAGS) -O3 -g $(EDGENPU_ENGINE_WARN) $(MODEL_INC) \
		$(MODEL_TEST_INC) $(MODEL_DRM_CFLAGS) -I$(MODEL_ENGINE_DIR) \
		-DEDGENPU_VERSION=$(MODEL_VERSION) \
		$(if $(filter baseline,$*),,-DEDGENPU_ENGINE_TARGET='"arch=$*"') \
		-o $@ $(MODEL_TEST_DIR)/model_test.c $(MODEL_LIB_SRCS) \
		$(MODEL_ENGINE_SRCS) $(MODEL_DRM_LIBS) -lm

$(MODEL_ROBUST_BIN): $(MODEL_TEST_DIR)/reader_robust.c $(MODEL_SAN_OBJS)
	$(MODEL_CC) $(MODEL_CFLAGS) $(MODEL_TEST_INC) -o $@ $^ $(MODEL_DRM_LIBS) -lm

# The planner's job splitting at the work limits (its own models).
$(MODEL_SPLIT_BIN): $(MODEL_TEST_DIR)/plan_split_test.c $(MODEL_SAN_OBJS)
	$(MODEL_CC) $(MODEL_CFLAGS) $(MODEL_TEST_INC) -o $@ $^ $(MODEL_DRM_LIBS) -lm

$(MODEL_CLI_BIN): $(wildcard $(MODEL_CLI_DIR)/*.c) $(MODEL_SAN_OBJS) \
		$(wildcard $(MODEL_CLI_DIR)/*.h)
	$(MODEL_CC) $(MODEL_CFLAGS) -o $@ $(filter-out %.h,$^) $(MODEL_DRM_LIBS) -lm

# A pretend NPU for the CLI test (LD_PRELOAD; not sanitized itself).
$(MODEL_FAKE_NPU): $(MODEL_ROOT)/tests/host/cli/fake_npu.c $(MODEL_HDRS)
	@mkdir -p $(@D)
	$(MODEL_CC) $(EDGENPU_STD) -O1 -g $(EDGENPU_LIB_WARN) -fPIC -shared \
		$(MODEL_INC) $(MODEL_DRM_CFLAGS) -o $@ $< -ldl

# Each suite writes its TAP to $(MODEL_OUT)/<suite>.tap; failures and the
# summary lines are printed, and any failure fails the target.
model-test: models $(MODEL_TEST_BIN) $(MODEL_ROBUST_BIN) $(MODEL_CLI_BIN) \
		$(MODEL_FAKE_NPU) $(MODEL_ISA_BINS) $(MODEL_SPLIT_BIN)
	@fail=0; start=$$(date +%s); \
	run() { name=$$1; shift; t0=$$(date +%s); \
		"$$@" >$(MODEL_OUT)/$$name.tap 2>$(MODEL_OUT)/$$name.err; rc=$$?; \
		grep -E '^(not ok|# )' $(MODEL_OUT)/$$name.tap; \
		echo "$$name: $$(grep -c '^ok' $(MODEL_OUT)/$$name.tap) ok," \
		     "$$(grep -c '^not ok' $(MODEL_OUT)/$$name.tap) not ok," \
		     "exit $$rc, $$(( $$(date +%s) - t0 )) s"; \
		if [ $$rc != 0 ]; then fail=1; tail -n 20 $(MODEL_OUT)/$$name.err; fi; }; \
	run bitexact $(MODEL_TEST_BIN) $(MODEL_MODELS); \
	for l in $(MODEL_ISA_LEVELS); do \
		run isa-$$l $(MODEL_OUT)/model_test_$$l $(MODEL_MODELS) \
			$$( [ $$l = baseline ] || echo $$l ); \
	done; \
	run shared $(MODEL_TEST_DIR)/shared_models.sh $(MODEL_CLI_BIN) \
		$(MODEL_ROOT) $(MODEL_SHARED) $(MODEL_OUT)/shared; \
	run cli $(MODEL_TEST_DIR)/cli_test.sh $(MODEL_CLI_BIN) $(MODEL_MAN) \
		$(MODEL_MODELS) $(MODEL_OUT)/cli $(MODEL_FAKE_NPU); \
	run robust $(MODEL_ROBUST_BIN) $(MODEL_SEED) $(MODEL_ROBUST_FILES); \
	run plansplit $(MODEL_SPLIT_BIN); \
	echo "model-test: $$( [ $$fail = 0 ] && echo passed || echo FAILED )" \
	     "in $$(( $$(date +%s) - start )) s (TAP in $(MODEL_OUT)/*.tap)"; \
	exit $$fail

$(MODEL_FUZZ_BIN): $(MODEL_ROOT)/tests/fuzz/model_fuzz.c $(MODEL_LIB_SRCS) \
		$(MODEL_ENGINE_SRCS) $(MODEL_HDRS)
	@mkdir -p $(@D)
	$(MODEL_CLANG) -g -O1 $(EDGENPU_GNU_STD) -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined $(MODEL_INC) $(MODEL_DRM_CFLAGS) \
		-I$(MODEL_ENGINE_DIR) -DEDGENPU_VERSION=$(MODEL_VERSION) \
		$(MODEL_ROOT)/tests/fuzz/model_fuzz.c $(MODEL_LIB_SRCS) \
		$(MODEL_ENGINE_SRCS) -o $@ $(MODEL_DRM_LIBS) -lm

model-fuzz-smoke: $(MODEL_FUZZ_BIN)
	@$(MODEL_ROOT)/tests/fuzz/run-fuzz.sh $(MODEL_FUZZ_BIN) $(MODEL_CORPUS) \
		$(MODEL_FUZZ_SECONDS) $(MODEL_OUT)/fuzz-smoke

model-fuzz: $(MODEL_FUZZ_BIN)
	@$(MODEL_ROOT)/tests/fuzz/run-fuzz.sh $(MODEL_FUZZ_BIN) $(MODEL_CORPUS) \
		$(MODEL_FUZZ_TIME) $(MODEL_OUT)/fuzz

# accel-run's input readers (BMP, PGM/PPM, .npy, raw), on their own.
$(MODEL_INPUT_FUZZ_BIN): $(MODEL_ROOT)/tests/fuzz/input_fuzz.c \
		$(MODEL_CLI_DIR)/input.c $(MODEL_CLI_DIR)/input.h $(MODEL_HDRS)
	@mkdir -p $(@D)
	$(MODEL_CLANG) -g -O1 $(EDGENPU_GNU_STD) -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined $(EDGENPU_LIB_WARN) $(MODEL_INC) \
		-I$(MODEL_CLI_DIR) $(MODEL_ROOT)/tests/fuzz/input_fuzz.c \
		$(MODEL_CLI_DIR)/input.c -o $@

input-fuzz-smoke: $(MODEL_INPUT_FUZZ_BIN)
	@$(MODEL_ROOT)/tests/fuzz/run-fuzz.sh $(MODEL_INPUT_FUZZ_BIN) \
		$(MODEL_INPUT_CORPUS) $(MODEL_FUZZ_SECONDS) $(MODEL_OUT)/input-fuzz-smoke

# Small generated single-op models, one per op, as seeds (never the
# shared models).
MODEL_CORPUS_NAMES := conv2d_s1_same_d1_none_pc dwconv_m2_s1_same_d1_relu6_pc \
	fc_relu_pc add_bcast_c_relu sub_bcast_c_relu6 mul_bcast_hw_none \
	avgpool_f3_s2_same_relu maxpool_f2_s2_valid_none mean_hw_keep0_requant \
	softmax_beta1p0_rank4 logistic_inscale_small tanh_inscale_large \
	reshape_flatten_shapetensor concat_axis2_3in_samequant pad_all4d \
	transpose_0312 quantize_u8_to_i8_requant

model-corpus: models
	@mkdir -p $(MODEL_CORPUS)
	@for n in $(MODEL_CORPUS_NAMES); do \
		cp $(MODEL_MODELS)/$$n.tflite $(MODEL_CORPUS)/$$n.tflite || exit 1; \
	done

model-clean:
	rm -rf $(MODEL_OUT)
