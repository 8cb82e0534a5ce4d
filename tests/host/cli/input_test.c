// SPDX-License-Identifier: MIT
/*
 * accel-run's input readers (userspace/accel-run/input.c): a valid BMP,
 * PGM, PPM, .npy and .bin each fill the tensor as they should; every
 * truncation of a valid file and each kind of corrupt header fails with
 * -EINVAL and a message, never a crash or a read past the buffer (the
 * test runs under ASan and UBSan, each file in a buffer of its exact
 * size).
 *
 *   input_test WORKDIR
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "input.h"
#include "tap.h"

#define W 6
#define H 5

struct file {
	uint8_t b[2048];
	size_t n;
};

static void put(struct file *f, const void *p, size_t n)
{
	memcpy(f->b + f->n, p, n);
	f->n += n;
}

static void put_le(struct file *f, uint32_t v, size_t bytes)
{
	size_t i;

	for (i = 0; i < bytes; i++)
		f->b[f->n++] = (uint8_t)(v >> (8 * i));
}

static uint8_t pixel(int y, int x)
{
	return (uint8_t)(y * 40 + x * 7 + 3);
}

/* A W x H 8-bit BMP; @gray: a gray palette, else one blue entry. */
static void make_bmp(struct file *f, int topdown, int gray)
{
	uint32_t stride = (W + 3) & ~3u, off = 14 + 40 + 256 * 4;
	int y, x, i;

	f->n = 0;
	put(f, "BM", 2);
	put_le(f, off + stride * H, 4);
	put_le(f, 0, 4);
	put_le(f, off, 4);
	put_le(f, 40, 4);
	put_le(f, W, 4);
	put_le(f, topdown ? (uint32_t)-H : H, 4);
	put_le(f, 1, 2);
	put_le(f, 8, 2);
	for (i = 0; i < 6; i++)
		put_le(f, 0, 4);	/* compression ... important colours */
	for (i = 0; i < 256; i++)
		put_le(f, (uint32_t)i * 0x010101u | (!gray && i == 3 ? 0xff : 0), 4);
	for (y = 0; y < H; y++) {
		int row = topdown ? y : H - 1 - y;

		for (x = 0; x < (int)stride; x++)
			f->b[f->n++] = x < W ? pixel(row, x) : 0;
	}
}

static void make_pnm(struct file *f, int channels)
{
	int i, n;

	f->n = 0;
	n = snprintf((char *)f->b, sizeof(f->b), "P%c\n# a comment\n%d %d\n255\n",
		     channels == 1 ? '5' : '6', W, H);
	f->n = (size_t)n;
	for (i = 0; i < W * H * channels; i++)
		f->b[f->n++] = pixel(i / (W * channels), i % (W * channels));
}

static void make_npy(struct file *f, int version, const char *descr,
		     const char *shape, size_t count)
{
	char dict[200];
	size_t len, start = version == 1 ? 10 : 12, i;

	len = (size_t)snprintf(dict, sizeof(dict),
			       "{'descr': '%s', 'fortran_order': False, 'shape': %s, }",
			       descr, shape);
	while ((start + len + 1) % 64)
		dict[len++] = ' ';
	dict[len++] = '\n';
	f->n = 0;
	put(f, "\x93NUMPY", 6);
	f->b[f->n++] = (uint8_t)version;
	f->b[f->n++] = 0;
	put_le(f, (uint32_t)len, version == 1 ? 2 : 4);
	put(f, dict, len);
	for (i = 0; i < count; i++)
		f->b[f->n++] = (uint8_t)(i * 3 + 1);
}

static void tensor(struct edgenpu_tensor_info *t, int dtype, uint32_t rank,
		   int32_t d0, int32_t d1, int32_t d2, int32_t d3)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "image");
	t->dtype = dtype;
	t->rank = rank;
	t->shape[0] = d0;
	t->shape[1] = d1;
	t->shape[2] = d2;
	t->shape[3] = d3;
	t->size = (size_t)d0 * (size_t)d1 * (rank > 2 ? (size_t)d2 : 1) *
		  (rank > 3 ? (size_t)d3 : 1);
}

/* Parse @f from a heap copy of exactly its size (ASan sees overreads). */
static int parse(const struct file *f, size_t n, enum ar_input_format fmt,
		 const struct ar_input_dst *d, char *err, size_t errlen)
{
	uint8_t *copy = malloc(n ? n : 1);
	int ret;

	if (!copy)
		return -ENOMEM;
	memcpy(copy, f->b, n);
	err[0] = 0;
	ret = ar_input_parse(copy, n, fmt, d, err, errlen);
	free(copy);
	return ret;
}

/* Every proper prefix of @f fails cleanly, with a message. */
static void check_truncations(struct tap *t, const struct file *f,
			      enum ar_input_format fmt,
			      const struct ar_input_dst *d, const char *what)
{
	char err[256];
	size_t n, bad = 0;

	for (n = 0; n < f->n; n++)
		if (parse(f, n, fmt, d, err, sizeof(err)) != -EINVAL || !err[0])
			bad++;
	tap_check(t, bad == 0, "%s: all %zu truncations give -EINVAL and a message (%zu do not)",
		  what, f->n, bad);
}

/* @f fails with -EINVAL and a message that contains @want. */
static void check_error(struct tap *t, const struct file *f,
			enum ar_input_format fmt, const struct ar_input_dst *d,
			const char *want, const char *what)
{
	char err[256];
	int ret = parse(f, f->n, fmt, d, err, sizeof(err));

	tap_check(t, ret == -EINVAL && strstr(err, want), "%s: %d, '%s'", what,
		  ret, err);
}

static int pixels_ok(const uint8_t *dst, int channels, int minus128)
{
	int i;

	for (i = 0; i < W * H * channels; i++) {
		uint8_t px = pixel(i / (W * channels), i % (W * channels));

		if (dst[i] != (minus128 ? (uint8_t)(px - 128) : px))
			return 0;
	}
	return 1;
}

static void test_bmp(struct tap *t)
{
	struct edgenpu_tensor_info ti;
	uint8_t *dst = malloc(W * H);
	struct ar_input_dst d = { &ti, dst, W * H, 0 };
	struct file f;
	char err[256];
	int ret;

	tensor(&ti, EDGENPU_DT_INT8, 4, 1, H, W, 1);
	make_bmp(&f, 0, 1);
	ret = parse(&f, f.n, AR_INPUT_BMP, &d, err, sizeof(err));
	tap_check(t, ret == 0 && pixels_ok(dst, 1, 0),
		  "a bottom-up gray BMP reads top-down, raw (%d %s)", ret, err);
	d.minus128 = 1;
	make_bmp(&f, 1, 1);
	ret = parse(&f, f.n, AR_INPUT_BMP, &d, err, sizeof(err));
	tap_check(t, ret == 0 && pixels_ok(dst, 1, 1),
		  "a top-down gray BMP reads as is, minus128 (%d %s)", ret, err);
	d.minus128 = 0;
	check_truncations(t, &f, AR_INPUT_BMP, &d, "BMP");
	make_bmp(&f, 0, 0);
	check_error(t, &f, AR_INPUT_BMP, &d, "palette is not grayscale",
		    "a BMP with a colour palette entry");
	make_bmp(&f, 0, 1);
	f.b[28] = 24;	/* bits per pixel */
	check_error(t, &f, AR_INPUT_BMP, &d, "only uncompressed 8-bit",
		    "a 24-bit BMP");
	make_bmp(&f, 0, 1);
	f.b[10] = 0x10;	/* pixel offset inside the palette */
	check_error(t, &f, AR_INPUT_BMP, &d, "truncated or inconsistent",
		    "a BMP whose pixels overlap its palette");
	make_bmp(&f, 0, 1);
	tensor(&ti, EDGENPU_DT_INT8, 2, H + 1, W, 0, 0);
	check_error(t, &f, AR_INPUT_BMP, &d, "6x5 grayscale image does not fit input 'image'",
		    "a BMP of another size than the tensor");
	tensor(&ti, EDGENPU_DT_FLOAT32, 2, H, W, 0, 0);
	check_error(t, &f, AR_INPUT_BMP, &d, "images need an int8/uint8 input",
		    "a BMP for a float tensor");
	free(dst);
}

static void test_pnm(struct tap *t)
{
	struct edgenpu_tensor_info ti;
	uint8_t *dst = malloc(W * H * 3);
	struct ar_input_dst d = { &ti, dst, W * H, 1 };
	struct file f;
	char err[256];
	int ret;

	tensor(&ti, EDGENPU_DT_UINT8, 3, H, W, 1, 0);
	make_pnm(&f, 1);
	ret = parse(&f, f.n, AR_INPUT_PNM, &d, err, sizeof(err));
	tap_check(t, ret == 0 && pixels_ok(dst, 1, 0),
		  "a PGM with a comment reads; uint8 takes the pixel, minus128 or not (%d %s)",
		  ret, err);
	check_truncations(t, &f, AR_INPUT_PNM, &d, "PGM");
	tensor(&ti, EDGENPU_DT_INT8, 4, 1, H, W, 3);
	d.size = W * H * 3;
	d.minus128 = 0;
	make_pnm(&f, 3);
	ret = parse(&f, f.n, AR_INPUT_PNM, &d, err, sizeof(err));
	tap_check(t, ret == 0 && pixels_ok(dst, 3, 0),
		  "a PPM reads into a 3-channel tensor (%d %s)", ret, err);
	memcpy(f.b + f.n - 3 * W * H - 4, "300", 3);
	check_error(t, &f, AR_INPUT_PNM, &d, "maxval must be <= 255",
		    "a PPM with maxval 300");
	check_error(t, &(struct file){ .b = "P3\n6 5\n255\n", .n = 11 },
		    AR_INPUT_PNM, &d, "not a binary PGM (P5) or PPM (P6)",
		    "an ASCII PPM (P3)");
	make_pnm(&f, 1);
	check_error(t, &f, AR_INPUT_PNM, &d, "6x5x1 image does not fit input 'image'",
		    "a PGM for a 3-channel tensor");
	free(dst);
}

static void test_npy(struct tap *t)
{
	struct edgenpu_tensor_info ti;
	uint8_t *dst = malloc(W * H);
	struct ar_input_dst d = { &ti, dst, W * H, 0 };
	struct file f;
	char err[256];
	int ret, v;

	tensor(&ti, EDGENPU_DT_INT8, 3, 1, H, W, 0);
	for (v = 1; v <= 2; v++) {
		make_npy(&f, v, "|i1", "(1, 5, 6)", W * H);
		memset(dst, 0, W * H);
		ret = parse(&f, f.n, AR_INPUT_NPY, &d, err, sizeof(err));
		tap_check(t, ret == 0 && !memcmp(dst, f.b + f.n - W * H, W * H),
			  "a version %d int8 .npy of the tensor's shape reads (%d %s)",
			  v, ret, err);
	}
	check_truncations(t, &f, AR_INPUT_NPY, &d, ".npy");
	make_npy(&f, 1, "<f4", "(1, 5, 6)", W * H * 4);
	check_error(t, &f, AR_INPUT_NPY, &d, "dtype must be i1 for input 'image' (int8)",
		    "a float32 .npy for an int8 tensor");
	make_npy(&f, 1, "|i1", "(1, 6, 5)", W * H);
	check_error(t, &f, AR_INPUT_NPY, &d, "shape does not match input 'image'",
		    "a .npy of another shape");
	make_npy(&f, 1, "|i1", "(1, 5, 6)", W * H - 1);
	check_error(t, &f, AR_INPUT_NPY, &d, "29 data bytes, shape needs 30",
		    "a .npy with a byte missing");
	make_npy(&f, 1, "|i1", "(1, -5, 6)", W * H);
	check_error(t, &f, AR_INPUT_NPY, &d, "bad shape", "a negative dimension");
	make_npy(&f, 1, "|i1", "(1, 1, 1, 1, 1, 1, 1, 1, 1)", W * H);
	check_error(t, &f, AR_INPUT_NPY, &d, "bad shape", "more dimensions than a tensor has");
	make_npy(&f, 1, "|i1", "(1, 5, 6)", W * H);
	f.b[6] = 9;
	check_error(t, &f, AR_INPUT_NPY, &d, "unknown .npy version", "version 9");
	make_npy(&f, 1, "|i1", "(1, 5, 6)", W * H);
	f.b[8] = 0xff;
	check_error(t, &f, AR_INPUT_NPY, &d, "bad .npy header",
		    "a header length past the end of the file");
	free(dst);
}

static void test_raw_and_room(struct tap *t)
{
	struct edgenpu_tensor_info ti;
	uint8_t *dst = malloc(W * H);
	struct ar_input_dst d = { &ti, dst, W * H, 0 };
	struct file f = { .n = W * H };
	char err[256];
	int ret;

	tensor(&ti, EDGENPU_DT_INT16, 2, H, W, 0, 0);
	memset(f.b, 0x5a, f.n);
	ret = parse(&f, f.n, AR_INPUT_RAW, &d, err, sizeof(err));
	tap_check(t, ret == 0 && dst[0] == 0x5a && dst[W * H - 1] == 0x5a,
		  "a .bin of the exact size reads into any type (%d)", ret);
	f.n--;
	check_error(t, &f, AR_INPUT_RAW, &d, "29 bytes, input 'image' needs exactly 30",
		    "a .bin a byte short");
	/* A tensor description larger than its buffer: nothing written past it. */
	tensor(&ti, EDGENPU_DT_INT8, 3, 1, H, W, 0);
	d.size = W * H - 1;
	make_npy(&f, 1, "|i1", "(1, 5, 6)", W * H);
	check_error(t, &f, AR_INPUT_NPY, &d, "do not fit input 'image'",
		    "a .npy larger than the tensor's buffer");
	tensor(&ti, EDGENPU_DT_INT8, 4, 1, H, W, 1);
	make_bmp(&f, 0, 1);
	check_error(t, &f, AR_INPUT_BMP, &d, "do not fit input 'image'",
		    "a BMP larger than the tensor's buffer");
	free(dst);
}

static void test_files(struct tap *t, const char *work)
{
	struct edgenpu_tensor_info ti;
	uint8_t dst[W * H];
	struct ar_input_dst d = { &ti, dst, sizeof(dst), 0 };
	char path[4096], err[256];
	int ret;

	tap_check(t, ar_input_format_of("x.NPY") == AR_INPUT_NPY &&
		  ar_input_format_of("a.Bmp") == AR_INPUT_BMP &&
		  ar_input_format_of("a.pgm") == AR_INPUT_PNM &&
		  ar_input_format_of("a.ppm") == AR_INPUT_PNM &&
		  ar_input_format_of("a.bin") == AR_INPUT_RAW &&
		  ar_input_format_of("npy") == AR_INPUT_RAW,
		  "the format comes from the extension, in any case");
	tensor(&ti, EDGENPU_DT_INT8, 2, H, W, 0, 0);
	snprintf(path, sizeof(path), "%s/no-such-input.bin", work);
	ret = ar_input_load(path, &d, err, sizeof(err));
	tap_check(t, ret == -ENOENT && !strcmp(err, strerror(ENOENT)),
		  "a missing file: -ENOENT, '%s'", err);
	ret = ar_input_load(work, &d, err, sizeof(err));
	tap_check(t, ret == -EINVAL, "a directory: -EINVAL, '%s'", err);
}

int main(int argc, char **argv)
{
	struct tap t = { 0 };

	test_bmp(&t);
	test_pnm(&t);
	test_npy(&t);
	test_raw_and_room(&t);
	test_files(&t, argc > 1 ? argv[1] : "/tmp");
	return tap_done(&t);
}
