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

#include "edgenpu.h"
#include "accel-run.h"

/* The bounce buffer: the most one write() is given. */
#define NPY_CHUNK	(64 * 1024)

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

/*
 * @data is usually an output's buffer object, mapped from the device. A
 * device mapping is fine for memcpy() but not for write(): a file system
 * that pins the user pages it writes from (9p, FUSE, O_DIRECT) cannot pin
 * its pages and fails with EFAULT. So the bytes reach the file through an
 * ordinary bounce buffer, at most NPY_CHUNK at a time, and only that
 * buffer is ever handed to write(). Returns 0, or -1 with errno set.
 */
int write_npy(const char *path, const struct edgenpu_tensor_info *t,
	      const void *data, size_t size)
{
	char hdr[256], shape[160];
	const char *descr;
	size_t k = 0, len, fill, n, done = 0;
	uint32_t i;
	uint8_t *buf;
	int fd, err;

	switch (t->dtype) {
	case EDGENPU_DT_INT8:
		descr = "|i1";
		break;
	case EDGENPU_DT_UINT8:
		descr = "|u1";
		break;
	case EDGENPU_DT_INT16:
		descr = "<i2";
		break;
	default:
		descr = "<i4";
		break;
	}
	shape[0] = 0;
	for (i = 0; i < t->rank; i++)
		k += (size_t)snprintf(shape + k, sizeof(shape) - k, "%d,%s",
				      t->shape[i], i + 1 < t->rank ? " " : "");
	if (t->rank > 1 && k)
		shape[k - 1] = 0;	/* "(1, 2)", but "(5,)" for rank 1 */
	len = (size_t)snprintf(hdr + 10, sizeof(hdr) - 10,
			       "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }",
			       descr, shape);
	while ((10 + len + 1) % 64 && len < sizeof(hdr) - 12)
		hdr[10 + len++] = ' ';
	hdr[10 + len++] = '\n';
	memcpy(hdr, "\x93NUMPY\x01\x00", 8);
	hdr[8] = (char)(len & 0xff);
	hdr[9] = (char)(len >> 8);
	buf = malloc(NPY_CHUNK);
	if (!buf)
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0)
		goto fail;
	memcpy(buf, hdr, 10 + len);
	fill = 10 + len;
	do {
		n = size - done < NPY_CHUNK - fill ? size - done : NPY_CHUNK - fill;
		if (n)
			memcpy(buf + fill, (const uint8_t *)data + done, n);
		done += n;
		if (write_all(fd, buf, fill + n))
			goto fail;
		fill = 0;
	} while (done < size);
	free(buf);
	return close(fd);
fail:
	err = errno;
	if (fd >= 0)
		close(fd);
	free(buf);
	errno = err;
	return -1;
}
