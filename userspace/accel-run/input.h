/* SPDX-License-Identifier: MIT */
/*
 * accel-run's input readers: a file's bytes (raw .bin, .npy, BMP, PGM/PPM)
 * become an input tensor's bytes. Buffers in, 0/-errno out; nothing is
 * printed, a failure's reason is written to the caller's @err instead.
 */
#ifndef ACCEL_RUN_INPUT_H
#define ACCEL_RUN_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "edgenpu.h"

enum ar_input_format {
	AR_INPUT_RAW,		/* .bin and anything else: the bytes as they are */
	AR_INPUT_NPY,		/* .npy, int8/uint8, C order */
	AR_INPUT_BMP,		/* uncompressed 8-bit grayscale-palette BMP */
	AR_INPUT_PNM,		/* binary PGM (P5) or PPM (P6), maxval <= 255 */
};

/**
 * struct ar_input_dst - the tensor a file is read into
 * @info: its shape and dtype (and name, for messages)
 * @data: its bytes
 * @size: how many bytes @data holds
 * @minus128: images into an int8 tensor become pixel - 128; otherwise the
 *	pixel byte is reinterpreted as the type (TFLite Micro's convention)
 */
struct ar_input_dst {
	const struct edgenpu_tensor_info *info;
	uint8_t *data;
	size_t size;
	int minus128;
};

/** The format a file name's extension names (case-insensitive). */
enum ar_input_format ar_input_format_of(const char *path);

/**
 * ar_input_parse() - fill @dst from a file's contents
 * @buf: the contents, @len bytes
 * @fmt: how to read them
 * @dst: the tensor to fill; nothing past @dst->size is written
 * @err: on failure, why ("not a BMP file"), for the user; may be NULL
 *
 * Return: 0; -EINVAL if the contents are malformed, of an unsupported
 * kind or do not fit the tensor.
 */
int ar_input_parse(const uint8_t *buf, size_t len, enum ar_input_format fmt,
		   const struct ar_input_dst *dst, char *err, size_t errlen);

/**
 * ar_input_load() - read the file @path and fill @dst from it
 *
 * The format comes from the extension. Return: 0, -errno if the file
 * cannot be read (@err then holds strerror), or as ar_input_parse().
 */
int ar_input_load(const char *path, const struct ar_input_dst *dst, char *err,
		  size_t errlen);

#endif
