// SPDX-License-Identifier: MIT
/*
 * accel-run's input readers: raw .bin, .npy, BMP and PGM/PPM files into an
 * input tensor's bytes. Every reader checks each header field against the
 * buffer's length before it reads past it: the files come from the user,
 * and tests/fuzz/input_fuzz.c feeds them anything.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "input.h"

/* The largest input file read: far above any model input. */
#define AR_INPUT_MAX_FILE	(1 << 30)

__attribute__((format(printf, 3, 4)))
static int input_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

enum ar_input_format ar_input_format_of(const char *path)
{
	if (ends_with(path, ".npy"))
		return AR_INPUT_NPY;
	if (ends_with(path, ".bmp"))
		return AR_INPUT_BMP;
	if (ends_with(path, ".pgm") || ends_with(path, ".ppm"))
		return AR_INPUT_PNM;
	return AR_INPUT_RAW;
}

static int is_byte_type(int dtype)
{
	return dtype == EDGENPU_DT_INT8 || dtype == EDGENPU_DT_UINT8;
}

/* Height, width and channels an image must have for this tensor. */
static int image_dims(const struct edgenpu_tensor_info *t, int32_t *h,
		      int32_t *w, int32_t *c)
{
	if (t->rank == 4 && t->shape[0] == 1) {
		*h = t->shape[1];
		*w = t->shape[2];
		*c = t->shape[3];
	} else if (t->rank == 3) {
		*h = t->shape[0];
		*w = t->shape[1];
		*c = t->shape[2];
	} else if (t->rank == 2) {
		*h = t->shape[0];
		*w = t->shape[1];
		*c = 1;
	} else {
		return -1;
	}
	return 0;
}

static void store_pixel(const struct ar_input_dst *d, size_t i, uint8_t px)
{
	if (d->info->dtype == EDGENPU_DT_INT8 && d->minus128)
		d->data[i] = (uint8_t)(int8_t)((int)px - 128);
	else
		d->data[i] = px;	/* raw: the byte reinterpreted as the type */
}

/* @count bytes are about to be written: they must fit the tensor's buffer. */
static int check_room(const struct ar_input_dst *d, size_t count, char *err,
		      size_t errlen)
{
	if (count > d->size)
		return input_fail(err, errlen, "%zu bytes do not fit input '%s' (%zu bytes)",
				  count, d->info->name, d->size);
	return 0;
}

/* ---- BMP ---- */

struct bmp_header {
	uint32_t off, hsize, ncolors, stride;
	int32_t width, height;
	int topdown;
};

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static int bmp_header(const uint8_t *f, size_t n, struct bmp_header *b,
		      char *err, size_t errlen)
{
	uint32_t comp;
	uint16_t bpp;

	if (n < 54 || f[0] != 'B' || f[1] != 'M')
		return input_fail(err, errlen, "not a BMP file");
	b->off = get_le32(f + 10);
	b->hsize = get_le32(f + 14);
	b->width = (int32_t)get_le32(f + 18);
	b->height = (int32_t)get_le32(f + 22);
	bpp = (uint16_t)(f[28] | f[29] << 8);
	comp = get_le32(f + 30);
	b->ncolors = get_le32(f + 46);
	if (b->hsize < 40 || bpp != 8 || comp != 0 || b->width <= 0 ||
	    b->height == 0 || b->height == INT32_MIN)
		return input_fail(err, errlen,
				  "only uncompressed 8-bit palette BMPs are supported");
	if (b->ncolors == 0)
		b->ncolors = 256;
	b->topdown = b->height < 0;
	if (b->topdown)
		b->height = -b->height;
	b->stride = ((uint32_t)b->width + 3) & ~3u;
	return 0;
}

/* The palette and the rows lie inside the file, in that order. */
static int bmp_check_layout(const struct bmp_header *b, size_t n, char *err,
			    size_t errlen)
{
	if (b->ncolors > 256 ||
	    14 + (size_t)b->hsize + 4 * (size_t)b->ncolors > b->off ||
	    b->off > n || (n - b->off) / b->stride < (size_t)b->height)
		return input_fail(err, errlen, "truncated or inconsistent BMP");
	return 0;
}

static int bmp_pixels(const uint8_t *f, const struct bmp_header *b,
		      const struct ar_input_dst *d, char *err, size_t errlen)
{
	const uint8_t *palette = f + 14 + b->hsize;
	int32_t y, x;

	for (y = 0; y < b->height; y++) {
		/* Bottom-up rows (the usual BMP) are flipped to top-down. */
		const uint8_t *row = f + b->off + (size_t)b->stride *
				     (size_t)(b->topdown ? y : b->height - 1 - y);

		for (x = 0; x < b->width; x++) {
			const uint8_t *pal;

			if (row[x] >= b->ncolors)
				return input_fail(err, errlen, "palette is not grayscale");
			pal = palette + 4 * (size_t)row[x];
			if (pal[0] != pal[1] || pal[1] != pal[2])
				return input_fail(err, errlen, "palette is not grayscale");
			store_pixel(d, (size_t)y * (size_t)b->width + (size_t)x,
				    pal[0]);
		}
	}
	return 0;
}

static int read_bmp(const uint8_t *f, size_t n, const struct ar_input_dst *d,
		    char *err, size_t errlen)
{
	struct bmp_header b = { 0 };
	int32_t h, w, c;
	int ret;

	ret = bmp_header(f, n, &b, err, errlen);
	if (ret)
		return ret;
	if (image_dims(d->info, &h, &w, &c) || c != 1 || h != b.height ||
	    w != b.width)
		return input_fail(err, errlen,
				  "%dx%d grayscale image does not fit input '%s'",
				  b.width, b.height, d->info->name);
	ret = bmp_check_layout(&b, n, err, errlen);
	if (!ret)
		ret = check_room(d, (size_t)b.width * (size_t)b.height, err,
				 errlen);
	if (!ret)
		ret = bmp_pixels(f, &b, d, err, errlen);
	return ret;
}

/* ---- PGM (P5) and PPM (P6) ---- */

/* The next decimal header field, after whitespace and # comments. */
static int pnm_int(const uint8_t *f, size_t n, size_t *pos, long *v)
{
	while (*pos < n) {
		if (f[*pos] == '#') {
			while (*pos < n && f[*pos] != '\n')
				(*pos)++;
		} else if (f[*pos] == ' ' || f[*pos] == '\t' ||
			   f[*pos] == '\n' || f[*pos] == '\r') {
			(*pos)++;
		} else {
			break;
		}
	}
	*v = 0;
	if (*pos >= n || f[*pos] < '0' || f[*pos] > '9')
		return -1;
	/* Stops before it could overflow; no real image is that large. */
	while (*pos < n && f[*pos] >= '0' && f[*pos] <= '9' && *v < 100000)
		*v = *v * 10 + (f[(*pos)++] - '0');
	return 0;
}

static int read_pnm(const uint8_t *f, size_t n, const struct ar_input_dst *d,
		    char *err, size_t errlen)
{
	long w, h, maxval;
	int32_t th, tw, tc;
	size_t pos = 2, i, count;
	int ch, ret;

	if (n < 3 || f[0] != 'P' || (f[1] != '5' && f[1] != '6'))
		return input_fail(err, errlen,
				  "not a binary PGM (P5) or PPM (P6) file");
	ch = f[1] == '5' ? 1 : 3;
	if (pnm_int(f, n, &pos, &w) || pnm_int(f, n, &pos, &h) ||
	    pnm_int(f, n, &pos, &maxval) || pos >= n || maxval < 1 ||
	    maxval > 255)
		return input_fail(err, errlen, "bad header (maxval must be <= 255)");
	pos++;	/* the single whitespace before the pixels */
	if (image_dims(d->info, &th, &tw, &tc) || th != h || tw != w || tc != ch)
		return input_fail(err, errlen,
				  "%ldx%ldx%d image does not fit input '%s'",
				  w, h, ch, d->info->name);
	count = (size_t)w * (size_t)h * (size_t)ch;
	if (n - pos < count)
		return input_fail(err, errlen, "truncated pixel data");
	ret = check_room(d, count, err, errlen);
	for (i = 0; !ret && i < count; i++)
		store_pixel(d, i, f[pos + i]);
	return ret;
}

/* ---- .npy ---- */

/* The header dictionary, NUL-terminated in @hdr; *@data where data starts. */
static int npy_header(const uint8_t *f, size_t n, char *hdr, size_t hdrsize,
		      size_t *data, char *err, size_t errlen)
{
	size_t hlen, start;

	if (n < 10 || memcmp(f, "\x93NUMPY", 6))
		return input_fail(err, errlen, "not a .npy file");
	if (f[6] == 1) {
		hlen = (size_t)f[8] | (size_t)f[9] << 8;
		start = 10;
	} else if (n >= 12 && (f[6] == 2 || f[6] == 3)) {
		hlen = get_le32(f + 8);
		start = 12;
	} else {
		return input_fail(err, errlen, "unknown .npy version");
	}
	if (hlen >= hdrsize || n - start < hlen)
		return input_fail(err, errlen, "bad .npy header");
	memcpy(hdr, f + start, hlen);
	hdr[hlen] = 0;
	*data = start + hlen;
	return 0;
}

/* 'descr' names the tensor's one-byte type; the order is C's. */
static int npy_check_type(const char *hdr, const struct edgenpu_tensor_info *t,
			  char *err, size_t errlen)
{
	int i8 = t->dtype == EDGENPU_DT_INT8;
	const char *want = i8 ? "i1" : "u1";
	const char *p = strstr(hdr, "'descr':"), *q;

	if (!p || !(p = strchr(p + 8, '\'')) || !(q = strchr(p + 1, '\'')) ||
	    q - p != 4 || (p[1] != '|' && p[1] != '<') || memcmp(p + 2, want, 2))
		return input_fail(err, errlen, "dtype must be %s for input '%s' (%s)",
				  want, t->name, i8 ? "int8" : "uint8");
	if (strstr(hdr, "'fortran_order': True"))
		return input_fail(err, errlen, "Fortran order is not supported");
	return 0;
}

static int npy_shape(const char *hdr, int32_t *shape, uint32_t *rank,
		     char *err, size_t errlen)
{
	const char *p = strstr(hdr, "'shape':");
	char *q;
	long v;

	if (!p || !(p = strchr(p, '(')))
		return input_fail(err, errlen, "no shape in header");
	for (*rank = 0, p++; *p && *p != ')';) {
		while (*p == ' ' || *p == ',')
			p++;
		if (*p == ')')
			break;
		v = strtol(p, &q, 10);
		if (q == p || v < 0 || v > INT32_MAX || *rank >= EDGENPU_MAX_RANK)
			return input_fail(err, errlen, "bad shape");
		shape[(*rank)++] = (int32_t)v;
		p = q;
	}
	return 0;
}

/* The array's shape is the tensor's: its element count, or 0 if not. */
static size_t npy_count(const int32_t *shape, uint32_t rank,
			const struct edgenpu_tensor_info *t, int *match)
{
	size_t count = 1;
	uint32_t i;

	*match = rank == t->rank;
	for (i = 0; *match && i < rank; i++) {
		*match = shape[i] == t->shape[i];
		count *= (size_t)shape[i];
	}
	return count;
}

static int read_npy(const uint8_t *f, size_t n, const struct ar_input_dst *d,
		    char *err, size_t errlen)
{
	int32_t shape[EDGENPU_MAX_RANK];
	char hdr[4096];
	size_t start = 0, count;
	uint32_t rank = 0;
	int ret, match;

	ret = npy_header(f, n, hdr, sizeof(hdr), &start, err, errlen);
	if (!ret)
		ret = npy_check_type(hdr, d->info, err, errlen);
	if (!ret)
		ret = npy_shape(hdr, shape, &rank, err, errlen);
	if (ret)
		return ret;
	count = npy_count(shape, rank, d->info, &match);
	if (!match)
		return input_fail(err, errlen, "shape does not match input '%s'",
				  d->info->name);
	if (n - start != count)
		return input_fail(err, errlen, "%zu data bytes, shape needs %zu",
				  n - start, count);
	ret = check_room(d, count, err, errlen);
	if (!ret)
		memcpy(d->data, f + start, count);
	return ret;
}

/* ---- any format ---- */

static int read_raw(const uint8_t *f, size_t n, const struct ar_input_dst *d,
		    char *err, size_t errlen)
{
	if (n != d->size)
		return input_fail(err, errlen, "%zu bytes, input '%s' needs exactly %zu",
				  n, d->info->name, d->size);
	memcpy(d->data, f, n);
	return 0;
}

int ar_input_parse(const uint8_t *buf, size_t len, enum ar_input_format fmt,
		   const struct ar_input_dst *dst, char *err, size_t errlen)
{
	int byte = is_byte_type(dst->info->dtype);

	switch (fmt) {
	case AR_INPUT_NPY:
		if (!byte)
			return input_fail(err, errlen,
					  ".npy inputs need an int8/uint8 tensor");
		return read_npy(buf, len, dst, err, errlen);
	case AR_INPUT_BMP:
	case AR_INPUT_PNM:
		if (!byte)
			return input_fail(err, errlen,
					  "images need an int8/uint8 input");
		if (fmt == AR_INPUT_BMP)
			return read_bmp(buf, len, dst, err, errlen);
		return read_pnm(buf, len, dst, err, errlen);
	default:
		return read_raw(buf, len, dst, err, errlen);
	}
}

/* All of a regular file of at most AR_INPUT_MAX_FILE bytes; 0 or -errno. */
static int read_whole(int fd, uint8_t **out, size_t *len)
{
	struct stat st;
	size_t got = 0;
	uint8_t *buf;
	ssize_t n;

	if (fstat(fd, &st))
		return -errno;
	if (!S_ISREG(st.st_mode) || st.st_size > AR_INPUT_MAX_FILE)
		return -EINVAL;
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return -ENOMEM;
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			free(buf);
			return n < 0 ? -errno : -EIO;	/* 0: it shrank */
		}
		got += (size_t)n;
	}
	*out = buf;
	*len = got;
	return 0;
}

int ar_input_load(const char *path, const struct ar_input_dst *dst, char *err,
		  size_t errlen)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	ret = fd < 0 ? -errno : read_whole(fd, &buf, &len);
	if (fd >= 0)
		close(fd);
	if (ret) {
		if (err && errlen)
			snprintf(err, errlen, "%s", strerror(-ret));
		return ret;
	}
	ret = ar_input_parse(buf, len, ar_input_format_of(path), dst, err,
			     errlen);
	free(buf);
	return ret;
}
