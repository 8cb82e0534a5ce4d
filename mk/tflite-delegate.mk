# SPDX-License-Identifier: MIT
#
# libedgenpu-tflite.so, the TensorFlow Lite external delegate (issue 13),
# included by the top-level Makefile. Every variable starts with TFD_.
#
#   tflite-delegate       $(BUILD)/tflite-delegate/libedgenpu-tflite.so,
#                         built on the host with the project's flags
#                         against the TFLite C headers of the oracle chroot
#                         (scripts/tflite-oracle-setup makes it if missing)
#   tflite-delegate-test  TFLite 2.14 in the chroot loads it through
#                         TfLiteExternalDelegateCreate() and runs every
#                         generated model (device=cpu), bit-exact with the
#                         reference kernels' expected outputs (TAP); the
#                         second copy it loads is built with ASan/UBSan
#
# The delegate links libedgenpu.so.1: it uses the API and the few internal
# functions the library exports for it alone (lib_private.h), so it needs
# libedgenpu1 of exactly its own version. A version script exports only
# the two plugin functions.
#
# TFLite's C headers: TFLITE_INCDIR when set (a machine with Debian's
# libtensorflow-lite-dev: /usr/include); otherwise the oracle chroot's,
# which are the same package's. TFLITE_DELEGATE=yes|no|auto says whether
# `make install` builds and installs the delegate (auto: when TFLite's
# headers are in TFLITE_INCDIR or /usr/include).

include mk/flags.mk drivers/accel/edgenpu/engine/sources.mk
TFD_OUT := $(BUILD)/tflite-delegate
TFD_CACHE := $(or $(EDGENPU_CACHE),$(or $(XDG_CACHE_HOME),$(HOME)/.cache)/edgenpu)
TFD_ROOT := $(TFD_CACHE)/tflite-chroot
TFD_SRC := userspace/tflite-delegate/edgenpu_tflite.c
TFD_MAP := userspace/tflite-delegate/edgenpu_tflite.map
TFD_TEST_SRC := tests/host/tflite/delegate_test.c
TFD_ENGINE_DIR := drivers/accel/edgenpu/engine
TFD_LIB_SRCS := $(wildcard userspace/lib/*.c) \
	$(patsubst %,$(TFD_ENGINE_DIR)/%.c,$(edgenpu_engine_sources))
TFD_HDRS := $(wildcard userspace/include/*.h userspace/lib/*.h \
	include/uapi/drm/*.h $(TFD_ENGINE_DIR)/*.h)
# TFLite's headers are the chroot's, seen through a directory that holds
# only a link to its tensorflow/ (not the chroot's libc headers); -isystem,
# so that our warnings are about our code only.
TFD_SYS_H := $(firstword $(wildcard $(addsuffix /tensorflow/lite/core/c/common.h,\
	$(or $(TFLITE_INCDIR),/usr/include))))
TFLITE_DELEGATE ?= auto
TFD_INSTALL := $(if $(filter yes,$(TFLITE_DELEGATE)),yes,$(if $(filter auto,$(TFLITE_DELEGATE)),$(if $(TFD_SYS_H),yes)))
TFD_TFLITE_DIR := $(if $(TFLITE_INCDIR),$(TFLITE_INCDIR),$(if $(TFD_SYS_H),/usr/include,$(TFD_OUT)/include))
TFD_TFLITE_H := $(TFD_TFLITE_DIR)/tensorflow/lite/core/c/common.h
TFD_TFLITE_INC := -isystem $(TFD_TFLITE_DIR)
TFD_CFLAGS := $(EDGENPU_STD) -O2 -g $(EDGENPU_LIB_WARN) -fPIC \
	-fvisibility=hidden -DEDGENPU_VERSION=$(VERSION) -Iuserspace/include \
	-Iuserspace/lib -Iinclude/uapi $(shell pkg-config --cflags libdrm 2>/dev/null) \
	$(TFD_TFLITE_INC)
TFD_LDFLAGS := -shared -Wl,--version-script=$(TFD_MAP) -Wl,-z,now
TFD_LIBS := $(shell pkg-config --libs libdrm 2>/dev/null) -lm
TFD_US_SO := $(BUILD)/userspace/libedgenpu.so.$(VERSION)
# The sanitized copy: library, engine and delegate with ASan and UBSan.
TFD_SAN_CFLAGS := $(EDGENPU_STD) -O1 -g $(EDGENPU_LIB_WARN) $(EDGENPU_SAN) \
	-fPIC -fvisibility=hidden -DEDGENPU_VERSION=$(VERSION) \
	-Iuserspace/include -Iuserspace/lib -Iinclude/uapi \
	$(shell pkg-config --cflags libdrm 2>/dev/null) $(TFD_TFLITE_INC)
TFD_SAN_ENGINE_CFLAGS := $(EDGENPU_ENGINE_CFLAGS) -O1 -g $(EDGENPU_ENGINE_WARN) \
	$(EDGENPU_SAN) -fPIC -fvisibility=hidden -I$(TFD_ENGINE_DIR) -Iinclude/uapi
TFD_SAN_OBJS := $(patsubst userspace/lib/%.c,$(TFD_OUT)/san/lib/%.o,$(wildcard userspace/lib/*.c)) \
	$(patsubst $(TFD_ENGINE_DIR)/%.c,$(TFD_OUT)/san/engine/%.o,$(patsubst %,$(TFD_ENGINE_DIR)/%.c,$(edgenpu_engine_sources)))

.PHONY: tflite-delegate tflite-delegate-test tflite-chroot-headers

tflite-delegate: $(TFD_OUT)/libedgenpu-tflite.so

# `make install` builds the delegate it installs (see mk/install.mk).
ifeq ($(TFD_INSTALL),yes)
install: tflite-delegate
endif

$(TFD_OUT)/include/tensorflow/lite/core/c/common.h:
	@[ -f $(TFD_ROOT)/usr/include/tensorflow/lite/core/c/common.h ] || \
		scripts/tflite-oracle-setup
	@mkdir -p $(TFD_OUT)/include
	ln -sfn $(TFD_ROOT)/usr/include/tensorflow $(TFD_OUT)/include/tensorflow

$(TFD_OUT)/edgenpu_tflite.o: $(TFD_SRC) $(TFD_HDRS) $(TFD_TFLITE_H)
	@mkdir -p $(@D)
	$(CC) $(TFD_CFLAGS) -c -o $@ $<

$(TFD_OUT)/libedgenpu-tflite.so: $(TFD_OUT)/edgenpu_tflite.o $(TFD_US_SO) $(TFD_MAP)
	$(CC) $(TFD_LDFLAGS) -o $@ $< -L$(BUILD)/userspace -l:libedgenpu.so.1 $(TFD_LIBS)
	@tests/host/tflite/check-delegate-exports.sh $@

$(TFD_OUT)/san/lib/%.o: userspace/lib/%.c $(TFD_HDRS)
	@mkdir -p $(@D)
	$(CC) $(TFD_SAN_CFLAGS) -c -o $@ $<

$(TFD_OUT)/san/engine/%.o: $(TFD_ENGINE_DIR)/%.c $(TFD_HDRS)
	@mkdir -p $(@D)
	$(CC) $(TFD_SAN_ENGINE_CFLAGS) -c -o $@ $<

$(TFD_OUT)/san/edgenpu_tflite.o: $(TFD_SRC) $(TFD_HDRS) $(TFD_TFLITE_H)
	@mkdir -p $(@D)
	$(CC) $(TFD_SAN_CFLAGS) -c -o $@ $<

$(TFD_OUT)/san/libedgenpu-tflite.so: $(TFD_OUT)/san/edgenpu_tflite.o \
		$(TFD_SAN_OBJS) $(TFD_MAP)
	$(CC) $(EDGENPU_SAN) $(TFD_LDFLAGS) -o $@ $< $(TFD_SAN_OBJS) $(TFD_LIBS)

tflite-delegate-test: $(TFD_OUT)/libedgenpu-tflite.so \
		$(TFD_OUT)/san/libedgenpu-tflite.so models
	@scripts/tflite-delegate-test $(TFD_OUT) $(BUILD)/models \
		$(or $(wildcard ../shared/models),/work/shared/models)
