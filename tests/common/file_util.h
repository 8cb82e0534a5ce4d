/* SPDX-License-Identifier: MIT */
/*
 * The host tests' file reader: a whole file in a fresh buffer with a NUL
 * after its last byte, so that a text file can be used as a string.
 */
#ifndef EDGENPU_TEST_FILE_UTIL_H
#define EDGENPU_TEST_FILE_UTIL_H

#include <stdio.h>
#include <stdlib.h>

/* @path's bytes (*@size of them, plus a NUL), or NULL with *@size 0. */
static inline void *tu_read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	*size = 0;
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n) {
			*size = (size_t)n;
			buf[n] = 0;
		} else {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

#endif /* EDGENPU_TEST_FILE_UTIL_H */
