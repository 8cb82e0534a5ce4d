/* SPDX-License-Identifier: MIT */
/*
 * accel-run: the .npy writer of model outputs.
 */
#ifndef ACCEL_RUN_NPY_H
#define ACCEL_RUN_NPY_H

#include <stddef.h>

#include "edgenpu.h"

/**
 * ar_npy_write() - write @size bytes of tensor @t to @path as a .npy file
 *
 * @data may be a buffer object's device mapping: it is only memcpy()'d,
 * never handed to write(). Return: 0, or -1 with errno set.
 */
int ar_npy_write(const char *path, const struct edgenpu_tensor_info *t,
		 const void *data, size_t size);

#endif
