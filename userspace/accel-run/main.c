// SPDX-License-Identifier: MIT
/*
 * accel-run: run, check, benchmark and profile models on edgenpu NPUs.
 *
 * Exit codes: 0 ok, 1 the run failed, 2 bad usage or bad input.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "edgenpu.h"
#include "accel-run.h"


static void usage(FILE *f)
{
	fprintf(f,
		"usage: accel-run [--help] [--version] COMMAND [ARGS]\n"
		"\n"
		"commands:\n"
		"  devices    list edgenpu NPUs and their capabilities\n"
		"  info       show a model's inputs, outputs, op placement and memory plan\n"
		"  run        run a model once and write its outputs\n"
		"  bench      measure a model's latency and throughput, with a per-op profile\n"
		"  doctor     find what keeps this machine from its NPU, and say the fix\n"
		"\n"
		"  accel-run devices\n"
		"  accel-run info MODEL [--device N|PATH|cpu]\n"
		"  accel-run run MODEL [--device N|PATH|cpu] [--input NAME=FILE]...\n"
		"                [--output-dir DIR] [--seed N]\n"
		"                [--image-convention raw|minus128] [--top K]\n"
		"                [--check] [--require-full-offload]\n"
		"  accel-run bench MODEL [--device N|PATH|cpu] [--iterations N | --duration S]\n"
		"                [--warmup N] [--parallel P] [--json FILE] [--profile]\n"
		"                [--trace FILE]\n"
		"  accel-run doctor\n"
		"\n"
		"--device N|PATH picks an NPU; cpu runs every op on the library's CPU\n"
		"executor. run defaults to the first NPU (the CPU when there is none,\n"
		"said out loud); info plans for the CPU. Ops the NPU cannot run go to\n"
		"the CPU executor and are listed. --require-full-offload fails instead\n"
		"(always on the CPU executor).\n"
		"--check also runs the CPU reference and compares the output of every\n"
		"op bit for bit, naming the first op that differs (the plan then keeps\n"
		"every intermediate tensor: more memory, no reuse).\n"
		"Inputs: .bin (raw bytes, exact size), .npy (int8/uint8, same shape),\n"
		".bmp (8-bit grayscale), .pgm (P5), .ppm (P6); images become input\n"
		"bytes by --image-convention: raw = the pixel byte reinterpreted as\n"
		"int8 (TFLite Micro's convention, default), minus128 = pixel - 128.\n"
		"Inputs not given are seeded random bytes (--seed, default 1).\n"
		"Outputs are written as DIR/output<i>.npy (default DIR: ., made if\n"
		"missing).\n"
		"\n"
		"exit status: 0 ok, 1 the run failed (or the model needs an op edgenpu\n"
		"cannot run), 2 bad usage or bad input (including malformed models)\n");
}

static void print_device(const struct edgenpu_device_info *i)
{
	printf("%s: %s (backend %s)\n", i->path, i->name, i->backend);
	printf("  module %u.%u.%u, uapi %u.%u (library %s)\n",
	       i->module_version >> 16, (i->module_version >> 8) & 0xff,
	       i->module_version & 0xff, i->uapi_major, i->uapi_minor,
	       edgenpu_version());
	printf("  cores %u, timestamps %llu Hz, max buffer %llu bytes\n",
	       i->num_cores, (unsigned long long)i->timestamp_hz,
	       (unsigned long long)i->max_bo_size);
	printf("  command stream %u.%u, ops mask 0x%llx, flags 0x%llx\n",
	       i->cmdstream_major, i->cmdstream_minor,
	       (unsigned long long)i->op_mask, (unsigned long long)i->flags);
	printf("  work limits: %llu cost units per op, %llu per job\n",
	       (unsigned long long)i->max_op_cost,
	       (unsigned long long)i->max_job_cost);
}

static int cmd_devices(int argc, char **argv)
{
	char paths[64][64];
	size_t n, i;
	int ret, failed = 0;

	if (argc > 1) {
		fprintf(stderr, "accel-run devices: unexpected argument '%s'\n",
			argv[1]);
		return EXIT_USAGE;
	}
	ret = edgenpu_enumerate(paths, 64, &n);
	if (ret) {
		fprintf(stderr, "accel-run: cannot list devices: %s\n",
			edgenpu_strerror(ret));
		return EXIT_RUN_FAILED;
	}
	if (n == 0) {
		fprintf(stderr, "accel-run: no edgenpu device found (is the edgenpu module loaded?)\n");
		return EXIT_RUN_FAILED;
	}
	for (i = 0; i < n && i < 64; i++) {
		struct edgenpu_device_info info;
		struct edgenpu_device *dev;

		ret = edgenpu_device_open(paths[i], &dev);
		if (ret) {
			fprintf(stderr, "accel-run: %s: %s\n", paths[i],
				edgenpu_strerror(ret));
			failed = 1;
			continue;
		}
		edgenpu_device_get_info(dev, &info);
		print_device(&info);
		edgenpu_device_unref(dev);
	}
	return failed ? EXIT_RUN_FAILED : 0;
}

/* ---- models: info and run ---- */

static const char *dtype_name(int dt)
{
	switch (dt) {
	case EDGENPU_DT_INT8:
		return "int8";
	case EDGENPU_DT_UINT8:
		return "uint8";
	case EDGENPU_DT_INT16:
		return "int16";
	case EDGENPU_DT_INT32:
		return "int32";
	case EDGENPU_DT_FLOAT32:
		return "float32";
	default:
		return "other";
	}
}

static void shape_str(const struct edgenpu_tensor_info *t, char *buf,
		      size_t len)
{
	size_t k = 0;
	uint32_t i;

	k += (size_t)snprintf(buf + k, len - k, "[");
	for (i = 0; i < t->rank && k < len; i++)
		k += (size_t)snprintf(buf + k, len - k, "%s%d", i ? "," : "",
				      t->shape[i]);
	if (k < len)
		snprintf(buf + k, len - k, "]");
}

static void print_tensor(size_t i, const struct edgenpu_tensor_info *t)
{
	char shape[128];

	shape_str(t, shape, sizeof(shape));
	printf("  %zu '%s' %s %s", i, t->name, dtype_name(t->dtype), shape);
	if (t->scale != 0.0f)
		printf(" scale %.9g zero_point %d", (double)t->scale,
		       t->zero_point);
	else
		printf(" (not quantized)");
	printf(", %zu bytes\n", t->size);
}

/* --device: 0 for cpu, 1 for an NPU (not available yet), -1 bad. */
static int parse_device(const char *spec, uint64_t *op_mask,
			struct edgenpu_plan_limits *limits)
{
	struct edgenpu_device_info info;
	struct edgenpu_device *dev;
	int ret;

	*op_mask = EDGENPU_OP_MASK_ALL;
	memset(limits, 0, sizeof(*limits));	/* the engine's */
	if (!spec || strcmp(spec, "cpu") == 0)
		return 0;
	if (!*spec)
		return -1;
	ret = edgenpu_device_open(spec, &dev);
	if (ret) {
		fprintf(stderr, "accel-run: device %s: %s\n", spec,
			edgenpu_strerror(ret));
		return 2;
	}
	edgenpu_device_get_info(dev, &info);
	*op_mask = info.op_mask;
	limits->max_op_cost = info.max_op_cost;
	limits->max_job_cost = info.max_job_cost;
	edgenpu_device_unref(dev);
	return 1;
}

int load(const char *path, struct edgenpu_model **m)
{
	char err[512];
	int ret = edgenpu_model_load_file(path, m, err, sizeof(err));

	if (ret) {
		fprintf(stderr, "accel-run: %s\n", err[0] ? err :
			edgenpu_strerror(ret));
		return EXIT_USAGE;
	}
	return 0;
}

int plan_exit(int ret)
{
	return ret == -EBADMSG ? EXIT_USAGE : EXIT_RUN_FAILED;
}

static void print_kib(const char *what, uint64_t bytes)
{
	printf("  %-22s %10llu bytes (%.1f KiB)\n", what,
	       (unsigned long long)bytes, (double)bytes / 1024);
}

static int cmd_info(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct edgenpu_model *m;
	struct edgenpu_plan *p;
	struct edgenpu_plan_stats st;
	struct edgenpu_plan_limits lim;
	const char *device = NULL;
	uint64_t mask;
	char err[512];
	size_t i;
	int c, ret, dev;

	optind = 0;
	while ((c = getopt_long(argc, argv, "d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			device = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "accel-run info: give exactly one MODEL\n");
		return EXIT_USAGE;
	}
	dev = parse_device(device, &mask, &lim);
	if (dev < 0) {
		fprintf(stderr, "accel-run: bad --device\n");
		return EXIT_USAGE;
	}
	if (dev == 2)
		return EXIT_RUN_FAILED;
	ret = load(argv[optind], &m);
	if (ret)
		return ret;
	printf("model: %s (%zu ops)\n", edgenpu_model_name(m),
	       edgenpu_model_num_ops(m));
	printf("inputs:\n");
	for (i = 0; i < edgenpu_model_num_inputs(m); i++) {
		struct edgenpu_tensor_info t;

		edgenpu_model_input_info(m, i, &t);
		print_tensor(i, &t);
	}
	printf("outputs:\n");
	for (i = 0; i < edgenpu_model_num_outputs(m); i++) {
		struct edgenpu_tensor_info t;

		edgenpu_model_output_info(m, i, &t);
		print_tensor(i, &t);
	}
	ret = edgenpu_plan_create_limits(m, mask, 0, &lim, &p, err,
					 sizeof(err));
	if (ret) {
		printf("ops:\n");
		for (i = 0; i < edgenpu_model_num_ops(m); i++)
			printf("  %3zu %s\n", i, edgenpu_model_op_name(m, i));
		fprintf(stderr, "accel-run: %s\n", err);
		edgenpu_model_unref(m);
		return plan_exit(ret);
	}
	printf("placement: %s\n", dev ?
	       "for the device's op_mask" :
	       "every engine op available (--device cpu: the CPU executor runs all segments)");
	printf("ops:\n");
	for (i = 0; i < edgenpu_plan_num_ops(p); i++) {
		struct edgenpu_op_info oi;

		edgenpu_plan_op_info(p, i, &oi);
		printf("  %3zu %-18s -> %-18s %s  %s\n", i, oi.name,
		       oi.engine_name,
		       oi.placement == EDGENPU_PLACE_NPU ? "NPU" : "CPU",
		       oi.reason);
	}
	edgenpu_plan_get_stats(p, &st);
	printf("cost: %llu units per inference\n", (unsigned long long)st.cost);
	printf("jobs per inference: %u (%u on the NPU, %u on the CPU executor)\n",
	       st.num_segments, st.num_npu_segments,
	       st.num_segments - st.num_npu_segments);
	printf("segments (one job each, in order):\n");
	for (i = 0; i < edgenpu_plan_num_segments(p); i++) {
		struct edgenpu_plan_segment s;

		edgenpu_plan_segment(p, i, &s);
		printf("  %zu %s %u ops, %llu cost units, %zu-byte command stream: %s\n",
		       i, s.placement == EDGENPU_PLACE_NPU ? "NPU" : "CPU",
		       s.num_ops, (unsigned long long)s.cost, s.stream_size,
		       s.reason);
	}
	printf("memory plan (%zu buffers, allocated once):\n",
	       edgenpu_plan_num_buffers(p));
	print_kib("weights (read-only)", st.weights_bytes);
	print_kib("scratch (shared)", st.scratch_bytes);
	printf("  %-22s %10llu bytes in %u tensors without reuse\n",
	       "intermediates", (unsigned long long)st.intermediate_bytes,
	       st.num_intermediates);
	print_kib("inputs", st.input_bytes);
	print_kib("outputs", st.output_bytes);
	print_kib("command streams", st.stream_bytes);
	print_kib("executor scratch", st.engine_scratch_bytes);
	print_kib("total", st.weights_bytes + st.scratch_bytes +
		  st.input_bytes + st.output_bytes + st.stream_bytes +
		  st.engine_scratch_bytes);
	edgenpu_plan_unref(p);
	edgenpu_model_unref(m);
	return 0;
}

static uint8_t *read_file(const char *path, size_t *size)
{
	struct stat st;
	uint8_t *buf;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    st.st_size > (1 << 30)) {
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	buf = malloc((size_t)st.st_size + 1);
	while (buf && got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n <= 0) {
			free(buf);
			buf = NULL;
			break;
		}
		got += (size_t)n;
	}
	close(fd);
	*size = got;
	return buf;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcasecmp(s + a - b, suffix) == 0;
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

static void store_pixel(uint8_t *dst, uint8_t px, int dtype, int minus128)
{
	if (dtype == EDGENPU_DT_INT8 && minus128)
		*dst = (uint8_t)(int8_t)((int)px - 128);
	else
		*dst = px;	/* raw: the byte reinterpreted as the type */
}

static int load_bmp(const uint8_t *f, size_t n, const char *path,
		    const struct edgenpu_tensor_info *t, uint8_t *dst,
		    int minus128)
{
	uint32_t off, hsize, comp, ncolors, stride;
	int32_t bw, bh, h, w, c, y, x;
	uint16_t bpp;
	int topdown;

	if (n < 54 || f[0] != 'B' || f[1] != 'M') {
		fprintf(stderr, "accel-run: %s: not a BMP file\n", path);
		return -1;
	}
	memcpy(&off, f + 10, 4);
	memcpy(&hsize, f + 14, 4);
	memcpy(&bw, f + 18, 4);
	memcpy(&bh, f + 22, 4);
	memcpy(&bpp, f + 28, 2);
	memcpy(&comp, f + 30, 4);
	memcpy(&ncolors, f + 46, 4);
	if (hsize < 40 || bpp != 8 || comp != 0 || bw <= 0 || bh == 0 ||
	    bh == INT32_MIN) {
		fprintf(stderr, "accel-run: %s: only uncompressed 8-bit palette BMPs are supported\n",
			path);
		return -1;
	}
	if (ncolors == 0)
		ncolors = 256;
	topdown = bh < 0;
	bh = topdown ? -bh : bh;
	if (image_dims(t, &h, &w, &c) || c != 1 || h != bh || w != bw) {
		fprintf(stderr, "accel-run: %s: %dx%d grayscale image does not fit input '%s'\n",
			path, bw, bh, t->name);
		return -1;
	}
	stride = ((uint32_t)bw + 3) & ~3u;
	if (ncolors > 256 || 14 + (size_t)hsize + 4 * (size_t)ncolors > off ||
	    off > n || (n - off) / stride < (size_t)bh) {
		fprintf(stderr, "accel-run: %s: truncated or inconsistent BMP\n",
			path);
		return -1;
	}
	for (y = 0; y < bh; y++) {
		/* Bottom-up rows (the usual BMP) are flipped to top-down. */
		const uint8_t *row = f + off + (size_t)stride *
				     (size_t)(topdown ? y : bh - 1 - y);

		for (x = 0; x < bw; x++) {
			const uint8_t *pal = f + 14 + hsize + 4 * (size_t)row[x];

			if (row[x] >= ncolors || pal[0] != pal[1] ||
			    pal[1] != pal[2]) {
				fprintf(stderr, "accel-run: %s: palette is not grayscale\n",
					path);
				return -1;
			}
			store_pixel(dst + (size_t)y * bw + x, pal[0], t->dtype,
				    minus128);
		}
	}
	return 0;
}

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
	while (*pos < n && f[*pos] >= '0' && f[*pos] <= '9' && *v < 100000)
		*v = *v * 10 + (f[(*pos)++] - '0');
	return 0;
}

/* P5 (gray) and P6 (RGB), maxval <= 255. */
static int load_pnm(const uint8_t *f, size_t n, const char *path,
		    const struct edgenpu_tensor_info *t, uint8_t *dst,
		    int minus128)
{
	long w, h, maxval;
	int32_t th, tw, tc;
	size_t pos = 2, i, count;
	int ch;

	if (n < 3 || f[0] != 'P' || (f[1] != '5' && f[1] != '6')) {
		fprintf(stderr, "accel-run: %s: not a binary PGM (P5) or PPM (P6) file\n",
			path);
		return -1;
	}
	ch = f[1] == '5' ? 1 : 3;
	if (pnm_int(f, n, &pos, &w) || pnm_int(f, n, &pos, &h) ||
	    pnm_int(f, n, &pos, &maxval) || pos >= n || maxval < 1 ||
	    maxval > 255) {
		fprintf(stderr, "accel-run: %s: bad header (maxval must be <= 255)\n",
			path);
		return -1;
	}
	pos++;	/* the single whitespace before the pixels */
	if (image_dims(t, &th, &tw, &tc) || th != h || tw != w || tc != ch) {
		fprintf(stderr, "accel-run: %s: %ldx%ldx%d image does not fit input '%s'\n",
			path, w, h, ch, t->name);
		return -1;
	}
	count = (size_t)w * (size_t)h * (size_t)ch;
	if (n - pos < count) {
		fprintf(stderr, "accel-run: %s: truncated pixel data\n", path);
		return -1;
	}
	for (i = 0; i < count; i++)
		store_pixel(dst + i, f[pos + i], t->dtype, minus128);
	return 0;
}

/* .npy version 1-3, little-endian or byte-sized descr, C order. */
static int load_npy(const uint8_t *f, size_t n, const char *path,
		    const struct edgenpu_tensor_info *t, uint8_t *dst)
{
	char hdr[4096], want[8], *p, *q;
	size_t hlen, start, count = 1;
	int32_t shape[EDGENPU_MAX_RANK];
	uint32_t rank = 0, i;

	if (n < 10 || memcmp(f, "\x93NUMPY", 6)) {
		fprintf(stderr, "accel-run: %s: not a .npy file\n", path);
		return -1;
	}
	if (f[6] == 1) {
		hlen = (size_t)f[8] | (size_t)f[9] << 8;
		start = 10;
	} else if (n >= 12 && (f[6] == 2 || f[6] == 3)) {
		hlen = (size_t)f[8] | (size_t)f[9] << 8 | (size_t)f[10] << 16 |
		       (size_t)f[11] << 24;
		start = 12;
	} else {
		fprintf(stderr, "accel-run: %s: unknown .npy version\n", path);
		return -1;
	}
	if (hlen >= sizeof(hdr) || n - start < hlen) {
		fprintf(stderr, "accel-run: %s: bad .npy header\n", path);
		return -1;
	}
	memcpy(hdr, f + start, hlen);
	hdr[hlen] = 0;
	snprintf(want, sizeof(want), "%s",
		 t->dtype == EDGENPU_DT_INT8 ? "i1" :
		 t->dtype == EDGENPU_DT_UINT8 ? "u1" : "??");
	p = strstr(hdr, "'descr':");
	if (!p || !(p = strchr(p + 8, '\'')) || !(q = strchr(p + 1, '\'')) ||
	    q - p != 4 || (p[1] != '|' && p[1] != '<') ||
	    memcmp(p + 2, want, 2)) {
		fprintf(stderr, "accel-run: %s: dtype must be %s for input '%s' (%s)\n",
			path, want, t->name, dtype_name(t->dtype));
		return -1;
	}
	if (strstr(hdr, "'fortran_order': True")) {
		fprintf(stderr, "accel-run: %s: Fortran order is not supported\n",
			path);
		return -1;
	}
	p = strstr(hdr, "'shape':");
	if (!p || !(p = strchr(p, '('))) {
		fprintf(stderr, "accel-run: %s: no shape in header\n", path);
		return -1;
	}
	for (p++; *p && *p != ')';) {
		long v;

		while (*p == ' ' || *p == ',')
			p++;
		if (*p == ')')
			break;
		v = strtol(p, &q, 10);
		if (q == p || v < 0 || v > INT32_MAX ||
		    rank >= EDGENPU_MAX_RANK) {
			fprintf(stderr, "accel-run: %s: bad shape\n", path);
			return -1;
		}
		shape[rank++] = (int32_t)v;
		p = q;
	}
	if (rank != t->rank)
		goto mismatch;
	for (i = 0; i < rank; i++) {
		if (shape[i] != t->shape[i])
			goto mismatch;
		count *= (size_t)shape[i];
	}
	if (n - start - hlen != count) {
		fprintf(stderr, "accel-run: %s: %zu data bytes, shape needs %zu\n",
			path, n - start - hlen, count);
		return -1;
	}
	memcpy(dst, f + start + hlen, count);
	return 0;
mismatch:
	fprintf(stderr, "accel-run: %s: shape does not match input '%s'\n",
		path, t->name);
	return -1;
}

int load_input(const char *path, const struct edgenpu_tensor_info *t,
		      uint8_t *dst, size_t size, int minus128)
{
	uint8_t *f;
	size_t n;
	int ret = -1;

	f = read_file(path, &n);
	if (!f) {
		fprintf(stderr, "accel-run: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (ends_with(path, ".npy")) {
		if (t->dtype != EDGENPU_DT_INT8 && t->dtype != EDGENPU_DT_UINT8)
			fprintf(stderr, "accel-run: %s: .npy inputs need an int8/uint8 tensor\n",
				path);
		else
			ret = load_npy(f, n, path, t, dst);
	} else if (ends_with(path, ".bmp") || ends_with(path, ".pgm") ||
		   ends_with(path, ".ppm")) {
		if (t->dtype != EDGENPU_DT_INT8 && t->dtype != EDGENPU_DT_UINT8)
			fprintf(stderr, "accel-run: %s: images need an int8/uint8 input\n",
				path);
		else if (ends_with(path, ".bmp"))
			ret = load_bmp(f, n, path, t, dst, minus128);
		else
			ret = load_pnm(f, n, path, t, dst, minus128);
	} else if (n != size) {
		fprintf(stderr, "accel-run: %s: %zu bytes, input '%s' needs exactly %zu\n",
			path, n, t->name, size);
	} else {
		memcpy(dst, f, size);
		ret = 0;
	}
	free(f);
	return ret;
}

static double deq(const struct edgenpu_tensor_info *t, const void *data,
		  size_t i)
{
	double q;

	switch (t->dtype) {
	case EDGENPU_DT_INT8:
		q = ((const int8_t *)data)[i];
		break;
	case EDGENPU_DT_UINT8:
		q = ((const uint8_t *)data)[i];
		break;
	default:
		return 0;
	}
	return t->scale != 0.0f ? (double)t->scale * (q - t->zero_point) : q;
}

static void print_output(size_t i, const struct edgenpu_tensor_info *t,
			 const void *data, size_t size, int topk)
{
	size_t n = size, k;
	int byte = t->dtype == EDGENPU_DT_INT8 || t->dtype == EDGENPU_DT_UINT8;

	print_tensor(i, t);
	if (byte && n <= 16) {
		printf("    values:");
		for (k = 0; k < n; k++)
			printf(" %d", t->dtype == EDGENPU_DT_INT8 ?
			       ((const int8_t *)data)[k] :
			       ((const uint8_t *)data)[k]);
		printf("\n");
	}
	/* A classifier's output: [1, N]. */
	if (byte && t->rank == 2 && t->shape[0] == 1 && t->shape[1] >= 2) {
		char *used = calloc(n, 1);
		int r;

		if (!used)
			return;
		printf("    top-%d (dequantized):\n",
		       topk < (int)n ? topk : (int)n);
		for (r = 0; r < topk && (size_t)r < n; r++) {
			size_t best = n;

			for (k = 0; k < n; k++)
				if (!used[k] && (best == n ||
						 deq(t, data, k) > deq(t, data, best)))
					best = k;
			used[best] = 1;
			printf("      #%d class %zu: %.6f\n", r + 1, best,
			       deq(t, data, best));
		}
		free(used);
	}
}

uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

struct in_arg {
	const char *name;
	const char *file;
	int used;
};

const char *device_name(const struct edgenpu_device *dev)
{
	static char name[EDGENPU_LIB_NAME_LEN + 80];
	struct edgenpu_device_info info;

	edgenpu_device_get_info(dev, &info);
	snprintf(name, sizeof(name), "%s (%s)", info.name, info.path);
	return name;
}

/*
 * --device: N, a path, or cpu. Without it: the first edgenpu NPU, else
 * the CPU executor, said out loud.
 */
int open_device(const char *spec, struct edgenpu_device **dev,
		uint64_t *op_mask, struct edgenpu_plan_limits *limits)
{
	struct edgenpu_device_info info;
	char paths[1][64];
	size_t n = 0;
	int ret;

	*dev = NULL;
	*op_mask = EDGENPU_OP_MASK_ALL;
	memset(limits, 0, sizeof(*limits));	/* the engine's */
	if (spec && !*spec) {
		fprintf(stderr, "accel-run: bad --device\n");
		return EXIT_USAGE;
	}
	if (spec && strcmp(spec, "cpu") == 0)
		return 0;
	if (!spec) {
		if (edgenpu_enumerate(paths, 1, &n) || n == 0) {
			printf("no edgenpu NPU found: running on the CPU executor\n");
			return 0;
		}
		spec = paths[0];
	}
	ret = edgenpu_device_open(spec, dev);
	if (ret) {
		fprintf(stderr, "accel-run: device %s: %s\n", spec,
			edgenpu_strerror(ret));
		return ret == -ENODEV || ret == -ENOENT ? EXIT_USAGE : EXIT_RUN_FAILED;
	}
	edgenpu_device_get_info(*dev, &info);
	*op_mask = info.op_mask;
	limits->max_op_cost = info.max_op_cost;
	limits->max_job_cost = info.max_job_cost;
	return 0;
}

/* Placement is never silent; --require-full-offload makes CPU ops fatal. */
int report_placement(const struct edgenpu_plan *p,
			    const struct edgenpu_device *dev, int full)
{
	size_t i, n = edgenpu_plan_num_ops(p), cpu = 0;
	struct edgenpu_op_info oi;

	for (i = 0; i < n; i++)
		if (!edgenpu_plan_op_info(p, i, &oi) && oi.placement == EDGENPU_PLACE_CPU)
			cpu++;
	if (!dev) {
		printf("placement: all %zu ops on the CPU executor\n", n);
		if (full) {
			fprintf(stderr, "accel-run: --require-full-offload: no NPU: all %zu op(s) would run on the CPU executor\n",
				n);
			return EXIT_RUN_FAILED;
		}
		return 0;
	}
	printf("placement: %zu ops on the NPU, %zu on the CPU\n", n - cpu, cpu);
	for (i = 0; i < n && cpu; i++) {
		if (edgenpu_plan_op_info(p, i, &oi) || oi.placement != EDGENPU_PLACE_CPU)
			continue;
		fprintf(full ? stderr : stdout, "  op %zu (%s) on the CPU: %s\n", i,
			oi.name, oi.reason);
	}
	if (full && cpu) {
		fprintf(stderr, "accel-run: --require-full-offload: %zu op(s) would run on the CPU\n",
			cpu);
		return EXIT_RUN_FAILED;
	}
	return 0;
}

int make_runner(struct edgenpu_plan *p, struct edgenpu_device *dev,
		       struct edgenpu_runner **r)
{
	char err[512];
	int ret = edgenpu_runner_create(p, dev, r, err, sizeof(err));

	if (ret) {
		fprintf(stderr, "accel-run: %s\n", err[0] ? err : edgenpu_strerror(ret));
		return EXIT_RUN_FAILED;
	}
	return 0;
}

/*
 * --check: the same inputs through the CPU reference, bit for bit, op by
 * op (both runners keep every intermediate), naming the first op whose
 * output differs.
 */
static int check_against(struct edgenpu_model *m, struct edgenpu_runner *r,
			 struct edgenpu_runner *ref)
{
	struct edgenpu_diff d;
	size_t i, size, rsize;
	int ret;

	for (i = 0; i < edgenpu_model_num_inputs(m); i++) {
		const void *src = edgenpu_runner_input(r, i, &size);
		void *dst = edgenpu_runner_input(ref, i, &rsize);

		if (!src || !dst || size != rsize)
			return EXIT_RUN_FAILED;
		memcpy(dst, src, size);
	}
	if (edgenpu_runner_run(ref)) {
		fprintf(stderr, "accel-run: check: the CPU reference failed: %s\n",
			edgenpu_runner_last_error(ref));
		return EXIT_RUN_FAILED;
	}
	ret = edgenpu_runner_compare(r, ref, &d);
	if (ret < 0) {
		fprintf(stderr, "accel-run: check: cannot compare: %s\n",
			edgenpu_strerror(ret));
		return EXIT_RUN_FAILED;
	}
	if (ret) {
		printf("check: FAILED: op %u (%s) is the first whose output differs from the CPU reference: byte %zu is %d, the reference has %d\n",
		       d.op, edgenpu_model_op_name(m, d.op), d.offset, d.a, d.b);
		return EXIT_RUN_FAILED;
	}
	printf("check: bit-exact with the CPU reference (%zu op output(s), %zu model output(s))\n",
	       edgenpu_model_num_ops(m), edgenpu_model_num_outputs(m));
	return 0;
}

/* mkdir -p: @path and every missing parent, 0777 less the umask. */
static int mkdir_p(const char *path)
{
	char buf[4096], *q;
	struct stat st;
	size_t len = strlen(path);

	if (!len) {
		errno = ENOENT;
		return -1;
	}
	if (len >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(buf, path, len + 1);
	for (q = buf + 1; ; q++) {
		if (*q != '/' && *q)
			continue;
		if (q[-1] != '/') {
			char c = *q;

			*q = 0;
			if (mkdir(buf, 0777) && (errno != EEXIST ||
			    stat(buf, &st) || !S_ISDIR(st.st_mode))) {
				if (errno == EEXIST)
					errno = ENOTDIR;
				return -1;
			}
			*q = c;
		}
		if (!*q)
			return 0;
	}
}

static int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "input", required_argument, NULL, 'i' },
		{ "output-dir", required_argument, NULL, 'o' },
		{ "seed", required_argument, NULL, 's' },
		{ "image-convention", required_argument, NULL, 'c' },
		{ "top", required_argument, NULL, 'k' },
		{ "check", no_argument, NULL, 'C' },
		{ "require-full-offload", no_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct edgenpu_device *dev = NULL;
	struct edgenpu_runner *ref = NULL;
	int check = 0, full_offload = 0;
	struct edgenpu_plan_limits lim;
	uint64_t mask;
	struct in_arg ins[64];
	size_t nins = 0, i, j;
	const char *device = NULL, *outdir = ".";
	unsigned long long seed = 1;
	int minus128 = 0, topk = 5, c, ret;
	struct edgenpu_model *m = NULL;
	struct edgenpu_plan *p = NULL;
	struct edgenpu_runner *r = NULL;
	uint64_t rng;
	char err[512], *end;

	optind = 0;
	while ((c = getopt_long(argc, argv, "d:i:o:s:c:k:CFh", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			device = optarg;
			break;
		case 'C':
			check = 1;
			break;
		case 'F':
			full_offload = 1;
			break;
		case 'i':
			if (nins == 64 || !strchr(optarg, '=') ||
			    optarg[0] == '=' || !strchr(optarg, '=')[1]) {
				fprintf(stderr, "accel-run: --input wants NAME=FILE (at most 64)\n");
				return EXIT_USAGE;
			}
			ins[nins].name = optarg;
			ins[nins].file = strchr(optarg, '=') + 1;
			*strchr(optarg, '=') = 0;
			ins[nins++].used = 0;
			break;
		case 'o':
			outdir = optarg;
			break;
		case 's':
			errno = 0;
			seed = strtoull(optarg, &end, 0);
			if (errno || *end || !*optarg) {
				fprintf(stderr, "accel-run: bad --seed '%s'\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case 'c':
			if (strcmp(optarg, "raw") == 0) {
				minus128 = 0;
			} else if (strcmp(optarg, "minus128") == 0) {
				minus128 = 1;
			} else {
				fprintf(stderr, "accel-run: --image-convention is raw or minus128\n");
				return EXIT_USAGE;
			}
			break;
		case 'k':
			topk = atoi(optarg);
			if (topk < 1) {
				fprintf(stderr, "accel-run: bad --top\n");
				return EXIT_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "accel-run run: give exactly one MODEL\n");
		return EXIT_USAGE;
	}
	if (device && !*device) {
		fprintf(stderr, "accel-run: bad --device\n");
		return EXIT_USAGE;
	}
	ret = open_device(device, &dev, &mask, &lim);
	if (ret)
		return ret;
	ret = load(argv[optind], &m);
	if (ret)
		goto out;
	ret = edgenpu_plan_create_limits(m, mask,
					 check ? EDGENPU_PLAN_KEEP_INTERMEDIATES : 0,
					 &lim, &p, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "accel-run: %s\n", err);
		ret = plan_exit(ret);
		goto out;
	}
	ret = report_placement(p, dev, full_offload);
	if (!ret)
		ret = make_runner(p, dev, &r);
	if (!ret && check)
		ret = make_runner(p, NULL, &ref);
	if (ret)
		goto out;
	rng = seed * 0x9e3779b97f4a7c15ull + 1;
	for (i = 0; i < edgenpu_model_num_inputs(m) && !ret; i++) {
		struct edgenpu_tensor_info t;
		size_t size;
		uint8_t *dst = edgenpu_runner_input(r, i, &size);
		char idx[24];

		edgenpu_model_input_info(m, i, &t);
		snprintf(idx, sizeof(idx), "%zu", i);
		for (j = 0; j < nins; j++)
			if (!strcmp(ins[j].name, t.name) ||
			    !strcmp(ins[j].name, idx))
				break;
		if (j < nins) {
			ins[j].used = 1;
			if (load_input(ins[j].file, &t, dst, size, minus128))
				ret = EXIT_USAGE;
			else
				printf("input %zu '%s': %s\n", i, t.name,
				       ins[j].file);
		} else {
			for (j = 0; j < size; j++)
				dst[j] = (uint8_t)(xorshift(&rng) >> 32);
			printf("input %zu '%s': %zu random bytes (seed %llu)\n",
			       i, t.name, size, seed);
		}
	}
	for (j = 0; j < nins && !ret; j++)
		if (!ins[j].used) {
			fprintf(stderr, "accel-run: the model has no input '%s'\n",
				ins[j].name);
			ret = EXIT_USAGE;
		}
	/* Before the run: a directory that cannot be made costs no run. */
	if (!ret && mkdir_p(outdir)) {
		fprintf(stderr, "accel-run: --output-dir %s: %s\n", outdir,
			strerror(errno));
		ret = EXIT_RUN_FAILED;
	}
	if (!ret && edgenpu_runner_run(r)) {
		fprintf(stderr, "accel-run: run failed: %s\n",
			edgenpu_runner_last_error(r));
		ret = EXIT_RUN_FAILED;
	}
	if (!ret && dev)
		printf("ran on %s (device time %.3f ms)\noutputs:\n",
		       device_name(dev), edgenpu_runner_device_ns(r) / 1e6);
	else if (!ret)
		printf("ran on the CPU executor\noutputs:\n");
	for (i = 0; i < edgenpu_model_num_outputs(m) && !ret; i++) {
		struct edgenpu_tensor_info t;
		size_t size;
		const void *data = edgenpu_runner_output(r, i, &size);
		char path[4096];

		edgenpu_model_output_info(m, i, &t);
		print_output(i, &t, data, size, topk);
		snprintf(path, sizeof(path), "%s/output%zu.npy", outdir, i);
		if (write_npy(path, &t, data, size)) {
			fprintf(stderr, "accel-run: %s: %s\n", path,
				strerror(errno));
			ret = EXIT_RUN_FAILED;
		} else {
			printf("    written to %s\n", path);
		}
	}
	if (!ret && ref)
		ret = check_against(m, r, ref);
out:
	edgenpu_runner_unref(ref);
	edgenpu_runner_unref(r);
	edgenpu_plan_unref(p);
	edgenpu_model_unref(m);
	edgenpu_device_unref(dev);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "+hV", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("accel-run %s\n", edgenpu_version());
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[optind], "devices") == 0)
		return cmd_devices(argc - optind, argv + optind);
	if (strcmp(argv[optind], "info") == 0)
		return cmd_info(argc - optind, argv + optind);
	if (strcmp(argv[optind], "run") == 0)
		return cmd_run(argc - optind, argv + optind);
	if (strcmp(argv[optind], "bench") == 0)
		return cmd_bench(argc - optind, argv + optind);
	if (strcmp(argv[optind], "doctor") == 0)
		return cmd_doctor(argc - optind, argv + optind);

	fprintf(stderr, "accel-run: unknown command '%s'\n", argv[optind]);
	usage(stderr);
	return EXIT_USAGE;
}
