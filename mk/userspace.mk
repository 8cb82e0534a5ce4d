# SPDX-License-Identifier: MIT
#
# libedgenpu and accel-run, included by the top-level Makefile.
# Host build: $(BUILD)/userspace; static guest builds come from `make guest`.

US_OUT := $(BUILD)/userspace
US_CFLAGS := -std=c11 -O2 -g -Wall -Wextra -Wshadow -Wstrict-prototypes \
	-Werror -fPIC -DEDGENPU_VERSION=$(VERSION) \
	-Iuserspace/include -Iinclude/uapi $(shell pkg-config --cflags libdrm)
US_LIBS := $(shell pkg-config --libs libdrm)
US_LIB_SRCS := $(wildcard userspace/lib/*.c)
US_LIB_OBJS := $(patsubst userspace/lib/%.c,$(US_OUT)/lib/%.o,$(US_LIB_SRCS))
US_HDRS := $(wildcard userspace/include/*.h) $(wildcard include/uapi/drm/*.h)
# The ABI version of the shared library (its soname), not the release.
US_SOVER := 1

.PHONY: userspace
userspace: $(US_OUT)/libedgenpu.a $(US_OUT)/libedgenpu.so.$(VERSION) \
	$(US_OUT)/accel-run

$(US_OUT)/lib/%.o: userspace/lib/%.c $(US_HDRS)
	@mkdir -p $(@D)
	$(CC) $(US_CFLAGS) -fvisibility=hidden -DEDGENPU_BUILDING_LIB -c -o $@ $<

$(US_OUT)/libedgenpu.a: $(US_LIB_OBJS)
	$(AR) rcs $@ $^

$(US_OUT)/libedgenpu.so.$(VERSION): $(US_LIB_OBJS)
	$(CC) -shared -Wl,-soname,libedgenpu.so.$(US_SOVER) -o $@ $^ $(US_LIBS)
	ln -sf libedgenpu.so.$(VERSION) $(US_OUT)/libedgenpu.so.$(US_SOVER)
	ln -sf libedgenpu.so.$(US_SOVER) $(US_OUT)/libedgenpu.so

$(US_OUT)/accel-run: userspace/accel-run/main.c $(US_OUT)/libedgenpu.a $(US_HDRS)
	$(CC) $(US_CFLAGS) -o $@ $< $(US_OUT)/libedgenpu.a $(US_LIBS)
all: userspace
