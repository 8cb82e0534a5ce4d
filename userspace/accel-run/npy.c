// SPDX-License-Identifier: MIT
/*
 * accel-run: the .npy writer of model outputs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "npy.h"

/* The bounce buffer: the most one write() is given. */
#define NPY_CHUNK	(64 * 1024)
/* Room for the header: the magic, its length and the dictionary. */
#define NPY_HDR_MAX	256

static int write_all(int fd, const uint8_t *buf, size_t n)
{
	while (n) {
		ssize_t w = write(fd, buf, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			return -1;
		}
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

static const char *npy_descr(int dtype)
{
	switch (dtype) {
	case EDGENPU_DT_INT8:
		return "|i1";
	case EDGENPU_DT_UINT8:
		return "|u1";
	case EDGENPU_DT_INT16:
		return "<i2";
	default:
		return "<i4";
	}
}

/*
 * The version 1.0 header for @t in @hdr (NPY_HDR_MAX bytes), padded with
 * spaces and a newline to a multiple of 64 bytes; returns its length.
 */
static size_t npy_header(const struct edgenpu_tensor_info *t, char *hdr)
{
	char shape[160];
	size_t k = 0, len;
	uint32_t i;

	shape[0] = 0;
	for (i = 0; i < t->rank; i++)
		k += (size_t)snprintf(shape + k, sizeof(shape) - k, "%d,%s",
				      t->shape[i], i + 1 < t->rank ? " " : "");
	if (t->rank > 1 && k)
		shape[k - 1] = 0;	/* "(1, 2)", but "(5,)" for rank 1 */
	len = (size_t)snprintf(hdr + 10, NPY_HDR_MAX - 10,
			       "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }",
			       npy_descr(t->dtype), shape);
	while ((10 + len + 1) % 64 && len < NPY_HDR_MAX - 12)
		hdr[10 + len++] = ' ';
	hdr[10 + len++] = '\n';
	memcpy(hdr, "\x93NUMPY\x01\x00", 8);
	hdr[8] = (char)(len & 0xff);
	hdr[9] = (char)(len >> 8);
	return 10 + len;
}

/*
 * @buf (NPY_CHUNK bytes) already holds @fill bytes of header; @data
 * follows them through it, at most NPY_CHUNK bytes a write().
 */
static int write_chunked(int fd, uint8_t *buf, size_t fill, const void *data,
			 size_t size)
{
	size_t n, done = 0;

	do {
		n = size - done < NPY_CHUNK - fill ? size - done : NPY_CHUNK - fill;
		if (n)
			memcpy(buf + fill, (const uint8_t *)data + done, n);
		done += n;
		if (write_all(fd, buf, fill + n))
			return -1;
		fill = 0;
	} while (done < size);
	return 0;
}

/*
 * @data is usually an output's buffer object, mapped from the device. A
 * device mapping is fine for memcpy() but not for write(): a file system
 * that pins the user pages it writes from (9p, FUSE, O_DIRECT) cannot pin
 * its pages and fails with EFAULT. So the bytes reach the file through an
 * ordinary bounce buffer, at most NPY_CHUNK at a time, and only that
 * buffer is ever handed to write().
 */
int ar_npy_write(const char *path, const struct edgenpu_tensor_info *t,
		 const void *data, size_t size)
{
	uint8_t *buf = malloc(NPY_CHUNK);
	int fd = -1, ret = -1, err;

	if (!buf)
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0)
		goto out;
	ret = write_chunked(fd, buf, npy_header(t, (char *)buf), data, size);
out:
	err = errno;
	if (fd >= 0 && close(fd) && !ret) {
		err = errno;
		ret = -1;
	}
	free(buf);
	errno = err;
	return ret;
}
