// SPDX-License-Identifier: GPL-2.0-only
/*
 * The backends built into the module, in the order module init starts
 * them (and the reverse of the order it stops them). A new backend adds
 * its &struct edgenpu_backend_driver here and its objects to the
 * Makefile; nothing else in the core names it.
 */

#include <linux/array_size.h>

#include "edgenpu_drv.h"
#include "pci/enpci_drv.h"
#include "vnpu/vnpu.h"

const struct edgenpu_backend_driver *const edgenpu_backends[] = {
	&vnpu_backend_driver,
	&enpci_backend_driver,
};

const unsigned int edgenpu_num_backends = ARRAY_SIZE(edgenpu_backends);
