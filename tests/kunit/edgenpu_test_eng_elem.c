// SPDX-License-Identifier: GPL-2.0-only
/*
 * The engine's eng_elem.c, compiled unchanged into the KUnit module: the
 * suites test the kernel build of the very sources edgenpu.ko runs,
 * without exporting engine internals from the production module.
 */
#include "eng_elem.c"
