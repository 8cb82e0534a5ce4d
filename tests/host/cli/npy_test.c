// SPDX-License-Identifier: MIT
/*
 * accel-run's .npy writer (ar_npy_write) never hands write() a pointer into the output's
 * mapping. On the NPU an output lives in a buffer object mapped from the
 * device; a file system that pins the user pages a write() comes from
 * (9p, FUSE, O_DIRECT) cannot pin those and fails with EFAULT. Here a
 * MAP_SHARED mapping of a memfd stands for the BO, and write() and
 * fwrite() are wrapped (-Wl,--wrap) to see every buffer they are given.
 *
 *   npy_test WORKDIR
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "edgenpu.h"
#include "npy.h"
#include "tap.h"

/* The region no write may come from, and what the writes did. */
static const uint8_t *region;
static size_t region_size;
static size_t from_region, calls, bytes, largest;

static void note(const void *buf, size_t n)
{
	const uint8_t *p = buf;

	calls++;
	if (n > largest)
		largest = n;
	if (region && p < region + region_size && p + n > region)
		from_region++;
}

ssize_t __real_write(int fd, const void *buf, size_t n);
ssize_t __wrap_write(int fd, const void *buf, size_t n);
size_t __real_fwrite(const void *buf, size_t size, size_t n, FILE *f);
size_t __wrap_fwrite(const void *buf, size_t size, size_t n, FILE *f);

ssize_t __wrap_write(int fd, const void *buf, size_t n)
{
	ssize_t ret;

	note(buf, n);
	ret = __real_write(fd, buf, n);
	if (ret > 0)
		bytes += (size_t)ret;
	return ret;
}

/* stdio would write() from the caller's buffer unseen: count it too. */
size_t __wrap_fwrite(const void *buf, size_t size, size_t n, FILE *f)
{
	note(buf, size * n);
	return __real_fwrite(buf, size, n, f);
}

static void reset(const void *map, size_t size)
{
	region = map;
	region_size = size;
	from_region = calls = bytes = largest = 0;
}

/* The file is a .npy header (a multiple of 64 bytes) and then @data. */
static int file_ok(const char *path, const void *data, size_t size)
{
	uint8_t hdr[10], *buf;
	struct stat st;
	size_t hlen;
	FILE *f;
	int ok;

	if (stat(path, &st) || !(f = fopen(path, "rb")))
		return 0;
	if (fread(hdr, 1, 10, f) != 10 || memcmp(hdr, "\x93NUMPY\x01\x00", 8)) {
		fclose(f);
		return 0;
	}
	hlen = 10 + (hdr[8] | (size_t)hdr[9] << 8);
	buf = malloc(size + 1);
	ok = buf && hlen % 64 == 0 && (size_t)st.st_size == hlen + size &&
	     fseek(f, (long)hlen, SEEK_SET) == 0 &&
	     fread(buf, 1, size + 1, f) == size && !memcmp(buf, data, size);
	free(buf);
	fclose(f);
	return ok;
}

/* A 200,000-byte output from the shared mapping. */
static void test_big(struct tap *tap, const char *work, uint8_t *map,
		     size_t size)
{
	struct edgenpu_tensor_info t;
	char path[4096];
	struct stat st;
	int ret;

	memset(&t, 0, sizeof(t));
	t.dtype = EDGENPU_DT_INT8;
	t.rank = 3;
	t.shape[0] = 1;
	t.shape[1] = 200;
	t.shape[2] = 1000;
	t.size = size;
	snprintf(path, sizeof(path), "%s/big.npy", work);
	reset(map, size);
	ret = ar_npy_write(path, &t, map, size);
	tap_check(tap, ret == 0, "a %zu-byte output from a shared mapping is written (%d)",
		  size, ret);
	tap_check(tap, calls > 0 && from_region == 0,
		  "no write() or fwrite() is given a pointer into the mapping (%zu of %zu calls are)",
		  from_region, calls);
	tap_check(tap, stat(path, &st) == 0 && bytes == (size_t)st.st_size,
		  "every byte of the file went through write() (%zu bytes)", bytes);
	tap_check(tap, largest <= 64 * 1024,
		  "through a bounded buffer: the largest write() is %zu bytes", largest);
	tap_check(tap, file_ok(path, map, size),
		  "the file is the .npy header and the output's bytes");
}

/* A small output, an empty one, and a path that cannot be created. */
static void test_small(struct tap *tap, const char *work, uint8_t *map)
{
	struct edgenpu_tensor_info t;
	char path[4096];
	int ret;

	memset(&t, 0, sizeof(t));
	t.dtype = EDGENPU_DT_INT8;
	t.rank = 2;
	t.shape[0] = 1;
	t.shape[1] = 4;
	snprintf(path, sizeof(path), "%s/small.npy", work);
	reset(map, 4);
	ret = ar_npy_write(path, &t, map, 4);
	tap_check(tap, ret == 0 && from_region == 0 && file_ok(path, map, 4),
		  "a 4-byte output: written, from ordinary memory");
	t.shape[1] = 0;
	reset(map, 1);
	ret = ar_npy_write(path, &t, map, 0);
	tap_check(tap, ret == 0 && from_region == 0 && file_ok(path, map, 0),
		  "an empty output: the header alone");

	snprintf(path, sizeof(path), "%s/no/such/dir/x.npy", work);
	errno = 0;
	ret = ar_npy_write(path, &t, map, 4);
	tap_check(tap, ret == -1 && errno == ENOENT,
		  "a path in no directory: -1 with errno ENOENT (%d, %s)", ret,
		  strerror(errno));
}

int main(int argc, char **argv)
{
	const char *work = argc > 1 ? argv[1] : "/tmp";
	struct tap tap = { 0 };
	size_t size = 200000, i;
	uint8_t *map;
	int fd;

	fd = memfd_create("edgenpu-npy-test", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, (off_t)size)) {
		perror("memfd");
		return 1;
	}
	map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	for (i = 0; i < size; i++)
		map[i] = (uint8_t)(i * 131 + (i >> 9));
	test_big(&tap, work, map, size);
	test_small(&tap, work, map);
	munmap(map, size);
	close(fd);
	return tap_done(&tap);
}
