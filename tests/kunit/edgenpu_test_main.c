// SPDX-License-Identifier: GPL-2.0-only
/*
 * edgenpu_test: the KUnit suites for the edgenpu driver, as a module of
 * their own so that the production module never carries tests.
 */

#include <linux/module.h>

#include "edgenpu_compat.h"

MODULE_DESCRIPTION("KUnit tests for the edgenpu driver");
MODULE_LICENSE("GPL");
EDGENPU_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
