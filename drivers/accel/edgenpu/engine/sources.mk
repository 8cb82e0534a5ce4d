# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# The engine's source files: the one list every build reads. edgenpu.ko
# (the driver's Makefile, in or out of a kernel tree), the KUnit module
# (tests/kunit/Makefile generates one wrapper per name), libedgenpu and the
# host tests (mk/*.mk), the guest programs and the musl build all take
# their engine files from here, so adding, removing or renaming an engine
# file is an edit of this list alone.
#
# Base names below engine/, without ".c". Plain variable assignment only:
# Kbuild and GNU make both include this file.

edgenpu_engine_sources := eng_check eng_conv eng_core eng_data eng_elem eng_ops eng_pool
