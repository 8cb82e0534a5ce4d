/* SPDX-License-Identifier: MIT */
/*
 * libedgenpu internal: what the buffer objects keep in their device.
 */
#ifndef EDGENPU_DEVICE_INTERNAL_H
#define EDGENPU_DEVICE_INTERNAL_H

#include "edgenpu.h"

/*
 * The head of the device's list of live buffer objects (bo.c's), one per
 * GEM handle of its file. Importing a dma-buf the file already has a
 * handle for gives that handle again (the BO's own, when this file
 * exported it): the list finds its object, so that the handle has one
 * owner and is closed once, with the object's last reference. Used under
 * the library's threading rule: one thread at a time per device.
 */
struct edgenpu_bo **edgenpu__device_bos(struct edgenpu_device *dev);

#endif
