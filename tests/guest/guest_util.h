/* SPDX-License-Identifier: MIT */
/*
 * Small helpers shared by the guest tests: writing and reading the short
 * sysfs and debugfs files of the module's controls.
 */
#ifndef EDGENPU_GUEST_UTIL_H
#define EDGENPU_GUEST_UTIL_H

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Write @val to @path; 1 if all of it was written. */
static inline int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), ok;

	if (fd < 0)
		return 0;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	close(fd);
	return ok;
}

/* The number in a small file, or -1. */
static inline long read_long(const char *path)
{
	char buf[32] = { 0 };
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? strtol(buf, NULL, 10) : -1;
}

#endif
