# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# The compiler flags every userspace build of the project shares: the
# engine's userspace builds (mk/engine.mk), libedgenpu and accel-run
# (mk/userspace.mk), the sanitized model tests (mk/model.mk) and the guest
# programs (top-level Makefile). Each of them includes this file and adds
# only what is really its own (optimisation level, the engine's stack
# budget and no-FPU check, fuzzing, -static). Every variable here starts
# with EDGENPU_; assignments only, so including it twice is harmless.
# (The kernel builds take their flags from Kbuild and
# drivers/accel/edgenpu/flags.mk.)

# The library, the CLI and the host tests are ISO C11. The engine is
# kernel C, and the guest programs use Linux interfaces beyond ISO C: GNU
# C11.
EDGENPU_STD := -std=c11
EDGENPU_GNU_STD := -std=gnu11

# Every C file: all warnings, as errors.
EDGENPU_WARN := -Wall -Wextra -Werror
# libedgenpu, accel-run and their tests: a shadowed name or a K&R
# prototype is a bug waiting to happen there.
EDGENPU_LIB_WARN := $(EDGENPU_WARN) -Wshadow -Wstrict-prototypes
# The engine keeps the kernel's conventions: its op functions share one
# signature whose parameters not every op reads, and it relies on the
# kernel's aliasing rules (-fno-strict-aliasing, as Kbuild builds it).
EDGENPU_ENGINE_WARN := $(EDGENPU_WARN) -Wno-unused-parameter
EDGENPU_ENGINE_CFLAGS := $(EDGENPU_GNU_STD) -fno-strict-aliasing

# The host tests run under ASan and UBSan; the first report ends the run,
# so a test cannot pass over undefined behaviour.
EDGENPU_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
