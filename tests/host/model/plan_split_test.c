// SPDX-License-Identifier: MIT
/*
 * plan_split_test: the planner keeps every job (command stream) within
 * the work limits (Documentation/edgenpu/cmdstream.rst, "Cost").
 *
 *  - A model of four 3x3 convolutions over [1,256,256,64] costs 2^33.17
 *    units, each op 2^31.17: it is planned as two jobs, each under
 *    EDGENPU_CMD_MAX_JOB_COST, which the engine accepts (the runner
 *    validates every job); the device's smaller limits split it further
 *    or move the ops off the NPU, with the reason.
 *  - One convolution of 2^32.17 units runs nowhere: -E2BIG and a message.
 *  - A small model of convolutions, depthwise convolutions and an ADD,
 *    planned with a job limit of 10^6 units (a parameter of the planner),
 *    is split into several jobs whose results equal the unsplit plan's
 *    bit for bit, every op's output compared.
 *
 * The models are written here as TFLite flatbuffers (a minimal writer);
 * with DIR they are also saved there as NAME.tflite (for accel-run).
 *
 *   plan_split_test [DIR]
 *
 * TAP on stdout; exit 1 if anything failed. Built with ASan and UBSan.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <drm/edgenpu_cmdstream.h>

#include "edgenpu.h"
#include "tap.h"

#define MAX_OP_COST	EDGENPU_CMD_MAX_OP_COST
#define MAX_JOB_COST	EDGENPU_CMD_MAX_JOB_COST

static const char *save_dir;

/* ---- a minimal flatbuffer writer, front to back ---- */

struct fb {
	uint8_t *b;
	size_t n, cap;
};

static size_t fb_reserve(struct fb *f, size_t size, size_t align)
{
	size_t pos = (f->n + align - 1) & ~(align - 1);

	if (pos + size > f->cap) {
		size_t cap = f->cap ? f->cap : 4096;

		while (cap < pos + size)
			cap *= 2;
		f->b = realloc(f->b, cap);
		if (!f->b)
			abort();
		memset(f->b + f->cap, 0, cap - f->cap);
		f->cap = cap;
	}
	f->n = pos + size;
	return pos;
}

static void fb_put(struct fb *f, size_t pos, const void *v, size_t n)
{
	memcpy(f->b + pos, v, n);
}

/* Offset field (or vector element) at @slot refers to @target, later. */
static void fb_link(struct fb *f, size_t slot, size_t target)
{
	uint32_t off = (uint32_t)(target - slot);

	fb_put(f, slot, &off, 4);
}

enum { F_ABSENT, F_I8, F_I32, F_OFF };

struct fld {
	int kind;
	int64_t v;
};

/*
 * A table of @n fields, its vtable first. Returns the table's position;
 * slot[i] is the position of offset field i (F_OFF), for fb_link().
 */
static size_t fb_table(struct fb *f, int n, const struct fld *fl, size_t *slot)
{
	size_t vt = fb_reserve(f, 4 + 2 * (size_t)n, 4), t, p;
	uint16_t h[2] = { (uint16_t)(4 + 2 * n), 0 };
	int32_t so;
	int i;

	t = fb_reserve(f, 4, 8);
	for (i = 0; i < n; i++) {
		uint16_t o = 0;
		int8_t b;
		int32_t w;

		switch (fl[i].kind) {
		case F_I8:
			p = fb_reserve(f, 1, 1);
			b = (int8_t)fl[i].v;
			fb_put(f, p, &b, 1);
			break;
		case F_I32:
		case F_OFF:
			p = fb_reserve(f, 4, 4);
			w = (int32_t)fl[i].v;
			fb_put(f, p, &w, 4);
			if (slot)
				slot[i] = p;
			break;
		default:
			continue;
		}
		o = (uint16_t)(p - t);
		fb_put(f, vt + 4 + 2 * (size_t)i, &o, 2);
	}
	h[1] = (uint16_t)(f->n - t);
	fb_put(f, vt, h, 4);
	so = (int32_t)(t - vt);
	fb_put(f, t, &so, 4);
	return t;
}

/* A vector of @n elements of @esize bytes; returns its position. */
static size_t fb_vec(struct fb *f, uint32_t n, size_t esize, const void *data)
{
	size_t p = fb_reserve(f, 4 + n * esize + (esize == 1), 4);

	fb_put(f, p, &n, 4);
	if (n)
		fb_put(f, p + 4, data, n * esize);
	return p;
}

/* ---- models ---- */

#define TFL_INT8	9
#define TFL_INT32	2
#define OP_ADD		0
#define OP_CONV		3
#define OP_DWCONV	4

struct t_tensor {
	char name[32];
	int type;
	int rank;
	int32_t shape[4];
	int nscale;
	float scale[64];
	int64_t zp;
	int qdim;
	void *data;
	size_t size;
};

struct t_op {
	int builtin;
	int nin;
	int32_t in[3];
	int32_t out;
};

struct net {
	struct t_tensor t[64];
	int nt;
	struct t_op o[16];
	int no;
	int32_t in, out;
	uint64_t cost[16];	/* each op's cost, by cmdstream.rst's table */
	uint64_t seed;
};

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int32_t tensor(struct net *n, const char *name, int type,
		      const int32_t shape[4], float scale, int64_t zp)
{
	struct t_tensor *t = &n->t[n->nt];

	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s%d", name, n->nt);
	t->type = type;
	t->rank = 4;
	memcpy(t->shape, shape, sizeof(t->shape));
	t->nscale = 1;
	t->scale[0] = scale;
	t->zp = zp;
	return n->nt++;
}

static void *random_bytes(struct net *n, size_t size, int lo, int hi)
{
	int8_t *d = malloc(size);
	size_t i;

	for (i = 0; i < size; i++)
		d[i] = (int8_t)(lo + (int)(rnd(&n->seed) % (uint64_t)(hi - lo + 1)));
	return d;
}

/*
 * A 3x3 (or @k x @k) SAME, stride 1 convolution of tensor @in to @oc
 * channels (depthwise when @dw: multiplier 1), per-channel weights when
 * @pc, with a bias when @bias. Returns the output tensor.
 */
static int32_t conv(struct net *n, int32_t in, int k, int oc, int dw, int pc,
		    int bias, float out_scale)
{
	const struct t_tensor *x = &n->t[in];
	int32_t c = x->shape[3], fshape[4], oshape[4];
	int32_t f, b = -1, o;
	struct t_op *op = &n->o[n->no];
	float in_scale = x->scale[0];
	int j;

	if (dw)
		oc = c;
	fshape[0] = dw ? 1 : oc;
	fshape[1] = k;
	fshape[2] = k;
	fshape[3] = dw ? oc : c;
	f = tensor(n, "filter", TFL_INT8, fshape, 0.004f, 0);
	n->t[f].size = (size_t)fshape[0] * k * k * fshape[3];
	n->t[f].data = random_bytes(n, n->t[f].size, -127, 127);
	if (pc) {
		n->t[f].nscale = oc;
		n->t[f].qdim = dw ? 3 : 0;
		for (j = 0; j < oc; j++)
			n->t[f].scale[j] = 0.002f + 0.0002f * (float)j;
	}
	if (bias) {
		int32_t *bd = malloc(oc * sizeof(*bd));

		b = tensor(n, "bias", TFL_INT32, (const int32_t[4]){ oc },
			   in_scale * 0.004f, 0);
		for (j = 0; j < oc; j++)
			bd[j] = (int32_t)(rnd(&n->seed) % 4001) - 2000;
		n->t[b].data = bd;
		n->t[b].size = oc * sizeof(*bd);
		n->t[b].rank = 1;
	}
	memcpy(oshape, x->shape, sizeof(oshape));
	oshape[3] = oc;
	o = tensor(n, "act", TFL_INT8, oshape, out_scale, 3);
	op->builtin = dw ? OP_DWCONV : OP_CONV;
	op->nin = bias ? 3 : 2;
	op->in[0] = in;
	op->in[1] = f;
	op->in[2] = b;
	op->out = o;
	/* E * KH * KW (* C for CONV_2D, ungrouped) */
	n->cost[n->no] = (uint64_t)oshape[0] * oshape[1] * oshape[2] * oc *
			 k * k * (dw ? 1 : c);
	n->no++;
	return o;
}

static int32_t add(struct net *n, int32_t a, int32_t b, float out_scale)
{
	struct t_op *op = &n->o[n->no];
	int32_t o = tensor(n, "sum", TFL_INT8, n->t[a].shape, out_scale, -2);

	op->builtin = OP_ADD;
	op->nin = 2;
	op->in[0] = a;
	op->in[1] = b;
	op->out = o;
	n->cost[n->no] = 8ull * n->t[a].shape[0] * n->t[a].shape[1] *
			 n->t[a].shape[2] * n->t[a].shape[3];
	n->no++;
	return o;
}

/* The TFLite flatbuffer of @n; free() it. */
static uint8_t *serialize(const struct net *n, size_t *size)
{
	static const int codes[] = { OP_ADD, OP_CONV, OP_DWCONV };
	struct fb f = { 0 };
	size_t root, ms[5], ss[4], v, vt, vo, vb, vc, s[5];
	uint32_t nbuf = 1;
	int i, j;

	root = fb_reserve(&f, 8, 4);
	fb_put(&f, root + 4, "TFL3", 4);
	fb_link(&f, root, fb_table(&f, 5, (const struct fld[]){
		{ F_I32, 3 }, { F_OFF, 0 }, { F_OFF, 0 }, { F_ABSENT, 0 },
		{ F_OFF, 0 } }, ms));

	vc = fb_vec(&f, 3, 4, (const uint32_t[3]){ 0 });
	fb_link(&f, ms[1], vc);
	for (i = 0; i < 3; i++)
		fb_link(&f, vc + 4 + 4 * (size_t)i,
			fb_table(&f, 4, (const struct fld[]){
				{ F_I8, codes[i] }, { F_ABSENT, 0 },
				{ F_I32, 1 }, { F_I32, codes[i] } }, NULL));

	v = fb_vec(&f, 1, 4, (const uint32_t[1]){ 0 });
	fb_link(&f, ms[2], v);
	fb_link(&f, v + 4, fb_table(&f, 4, (const struct fld[]){
		{ F_OFF, 0 }, { F_OFF, 0 }, { F_OFF, 0 }, { F_OFF, 0 } }, ss));

	vt = fb_reserve(&f, 4 + 4 * (size_t)n->nt, 4);
	fb_put(&f, vt, &(uint32_t){ (uint32_t)n->nt }, 4);
	fb_link(&f, ss[0], vt);
	for (i = 0; i < n->nt; i++) {
		const struct t_tensor *t = &n->t[i];
		int64_t zps[64];
		size_t q[7];

		fb_link(&f, vt + 4 + 4 * (size_t)i,
			fb_table(&f, 5, (const struct fld[]){
				{ F_OFF, 0 }, { F_I8, t->type },
				{ F_I32, t->data ? nbuf++ : 0 }, { F_OFF, 0 },
				{ F_OFF, 0 } }, s));
		fb_link(&f, s[0], fb_vec(&f, (uint32_t)t->rank, 4, t->shape));
		fb_link(&f, s[3], fb_vec(&f, (uint32_t)strlen(t->name), 1,
					 t->name));
		fb_link(&f, s[4], fb_table(&f, 7, (const struct fld[]){
			{ F_ABSENT, 0 }, { F_ABSENT, 0 }, { F_OFF, 0 },
			{ F_OFF, 0 }, { F_ABSENT, 0 }, { F_ABSENT, 0 },
			{ F_I32, t->qdim } }, q));
		for (j = 0; j < t->nscale; j++)
			zps[j] = t->zp;
		fb_link(&f, q[2], fb_vec(&f, (uint32_t)t->nscale, 4, t->scale));
		fb_link(&f, q[3], fb_vec(&f, (uint32_t)t->nscale, 8, zps));
	}
	fb_link(&f, ss[1], fb_vec(&f, 1, 4, &n->in));
	fb_link(&f, ss[2], fb_vec(&f, 1, 4, &n->out));

	vo = fb_reserve(&f, 4 + 4 * (size_t)n->no, 4);
	fb_put(&f, vo, &(uint32_t){ (uint32_t)n->no }, 4);
	fb_link(&f, ss[3], vo);
	for (i = 0; i < n->no; i++) {
		const struct t_op *op = &n->o[i];
		int code = op->builtin == OP_ADD ? 0 : op->builtin == OP_CONV ? 1 : 2;
		int opt = op->builtin == OP_ADD ? 11 : op->builtin == OP_CONV ? 1 : 2;

		fb_link(&f, vo + 4 + 4 * (size_t)i,
			fb_table(&f, 5, (const struct fld[]){
				{ F_I32, code }, { F_OFF, 0 }, { F_OFF, 0 },
				{ F_I8, opt }, { F_OFF, 0 } }, s));
		fb_link(&f, s[1], fb_vec(&f, (uint32_t)op->nin, 4, op->in));
		fb_link(&f, s[2], fb_vec(&f, 1, 4, &op->out));
		if (op->builtin == OP_CONV)	/* SAME, stride 1, no activation */
			fb_link(&f, s[4], fb_table(&f, 4, (const struct fld[]){
				{ F_I8, 0 }, { F_I32, 1 }, { F_I32, 1 },
				{ F_I8, 0 } }, NULL));
		else if (op->builtin == OP_DWCONV)	/* multiplier 1 */
			fb_link(&f, s[4], fb_table(&f, 5, (const struct fld[]){
				{ F_I8, 0 }, { F_I32, 1 }, { F_I32, 1 },
				{ F_I32, 1 }, { F_I8, 0 } }, NULL));
		else
			fb_link(&f, s[4], fb_table(&f, 1, (const struct fld[]){
				{ F_I8, 0 } }, NULL));
	}

	vb = fb_reserve(&f, 4 + 4 * (size_t)nbuf, 4);
	fb_put(&f, vb, &nbuf, 4);
	fb_link(&f, ms[4], vb);
	fb_link(&f, vb + 4, fb_table(&f, 0, NULL, NULL));
	for (i = 0, j = 1; i < n->nt; i++) {
		const struct t_tensor *t = &n->t[i];

		if (!t->data)
			continue;
		fb_link(&f, vb + 4 + 4 * (size_t)j++,
			fb_table(&f, 1, (const struct fld[]){ { F_OFF, 0 } }, s));
		fb_link(&f, s[0], fb_vec(&f, (uint32_t)t->size, 1, t->data));
	}
	*size = f.n;
	return f.b;
}

static struct edgenpu_model *load(struct net *n, const char *name)
{
	struct edgenpu_model *m = NULL;
	char err[512];
	size_t size;
	uint8_t *file = serialize(n, &size);
	int i, ret;

	ret = edgenpu_model_load_memory(file, size, name, &m, err, sizeof(err));
	if (ret)
		printf("# %s: %s\n", name, err);
	if (save_dir) {
		char path[4096];
		FILE *fp;

		snprintf(path, sizeof(path), "%s/%s.tflite", save_dir, name);
		fp = fopen(path, "wb");
		if (!fp || fwrite(file, 1, size, fp) != size)
			printf("# cannot write %s\n", path);
		if (fp)
			fclose(fp);
	}
	free(file);
	for (i = 0; i < n->nt; i++) {
		free(n->t[i].data);
		n->t[i].data = NULL;
	}
	return m;
}

/* ---- checks ---- */

/*
 * The plan's segments: the ops in order, each segment one placement and
 * within @job_limit (and the engine's), its cost the sum of @cost.
 * Returns the number of segments, or -1 after a failed check.
 */
static int check_segments(struct tap *t, const struct edgenpu_plan *p,
			  const uint64_t *cost, uint64_t job_limit,
			  const char *what)
{
	size_t ns = edgenpu_plan_num_segments(p), s, k, len = 0;
	char log[4096] = "";
	uint32_t next = 0;
	int good = 1;

	for (s = 0; s < ns; s++) {
		struct edgenpu_plan_segment seg;
		uint64_t sum = 0;

		if (edgenpu_plan_segment(p, s, &seg) || !seg.num_ops)
			good = 0;
		for (k = 0; good && k < seg.num_ops; k++) {
			struct edgenpu_op_info oi;

			if (seg.ops[k] != next++ ||
			    edgenpu_plan_op_info(p, seg.ops[k], &oi) ||
			    oi.placement != seg.placement || oi.segment != s ||
			    oi.cost != cost[seg.ops[k]])
				good = 0;
			sum += cost[seg.ops[k]];
		}
		if (sum != seg.cost ||
		    sum > (seg.placement == EDGENPU_PLACE_NPU ? job_limit :
			   MAX_JOB_COST))
			good = 0;
		if (len < sizeof(log))
			len += (size_t)snprintf(log + len, sizeof(log) - len,
						"# segment %zu: %s, %u ops, %llu units: %s\n",
						s, seg.placement == EDGENPU_PLACE_NPU ?
						"NPU" : "CPU", seg.num_ops,
						(unsigned long long)seg.cost, seg.reason);
	}
	if (next != edgenpu_plan_num_ops(p))
		good = 0;
	if (!good)
		fputs(log, stdout);
	tap_check(t, good, "%s: %zu jobs run every op once, in order, each within its job limit (%llu units on the NPU) and costing its ops' sum",
	    what, ns, (unsigned long long)job_limit);
	return good ? (int)ns : -1;
}

static void test_big(struct tap *t)
{
	struct net *n = calloc(1, sizeof(*n));
	struct edgenpu_plan_limits lim;
	struct edgenpu_model *m;
	struct edgenpu_plan *p = NULL;
	struct edgenpu_runner *r = NULL;
	struct edgenpu_plan_stats st;
	struct edgenpu_op_info oi;
	uint64_t total = 0;
	char err[512];
	int32_t x;
	int i, ret, ns;

	n->seed = 11;
	x = n->in = tensor(n, "input", TFL_INT8,
			   (const int32_t[4]){ 1, 256, 256, 64 }, 0.05f, 0);
	for (i = 0; i < 4; i++)
		x = conv(n, x, 3, 64, 0, 0, 0, 0.5f);
	n->out = x;
	for (i = 0; i < n->no; i++)
		total += n->cost[i];
	m = load(n, "four_convs_256x256x64");
	tap_check(t, m && n->cost[0] == 2415919104ull && n->cost[0] < MAX_OP_COST &&
	    total > MAX_JOB_COST,
	    "big: four convs of %llu units each (under 2^32), %llu in all (over 2^33)",
	    (unsigned long long)n->cost[0], (unsigned long long)total);
	if (!m)
		goto out;

	/* The engine's limits. */
	ret = edgenpu_plan_create(m, EDGENPU_OP_MASK_ALL, &p, err, sizeof(err));
	tap_check(t, ret == 0, "big: planned (%d%s%s)", ret, ret ? ": " : "", ret ? err : "");
	if (ret)
		goto out;
	ns = check_segments(t, p, n->cost, MAX_JOB_COST, "big");
	edgenpu_plan_get_stats(p, &st);
	tap_check(t, ns == 2 && st.num_segments == 2 && st.num_npu_segments == 2 &&
	    st.cost == total && st.num_npu_ops == 4,
	    "big: 2 NPU jobs (3 ops, 1 op), stats agree (%u jobs, %u on the NPU, %llu units)",
	    st.num_segments, st.num_npu_segments, (unsigned long long)st.cost);
	/* edgenpu_runner_create() validates every job with the engine. */
	ret = edgenpu_runner_create(p, NULL, &r, err, sizeof(err));
	tap_check(t, ret == 0, "big: the engine accepts every job (runner: %d%s%s)", ret,
	    ret ? ": " : "", ret ? err : "");
	edgenpu_runner_unref(r);
	edgenpu_plan_unref(p);
	p = NULL;

	/* A device whose jobs take at most 5 * 10^9 units: 2 ops a job. */
	memset(&lim, 0, sizeof(lim));
	lim.max_job_cost = 5000000000ull;
	ret = edgenpu_plan_create_limits(m, EDGENPU_OP_MASK_ALL, 0, &lim, &p,
					 err, sizeof(err));
	ns = ret ? -1 : check_segments(t, p, n->cost, lim.max_job_cost, "big, job limit 5e9");
	tap_check(t, ns == 2, "big, job limit 5e9: 2 jobs of 2 ops (%d)", ns);
	edgenpu_plan_unref(p);
	p = NULL;

	/* Jobs of 2^32 units: one op each. */
	lim.max_job_cost = 1ull << 32;
	ret = edgenpu_plan_create_limits(m, EDGENPU_OP_MASK_ALL, 0, &lim, &p,
					 err, sizeof(err));
	ns = ret ? -1 : check_segments(t, p, n->cost, lim.max_job_cost, "big, job limit 2^32");
	tap_check(t, ns == 4, "big, job limit 2^32: 4 jobs of 1 op (%d)", ns);
	edgenpu_plan_unref(p);
	p = NULL;

	/* A limit above the engine's counts as the engine's. */
	lim.max_op_cost = 1ull << 40;
	lim.max_job_cost = 1ull << 40;
	ret = edgenpu_plan_create_limits(m, EDGENPU_OP_MASK_ALL, 0, &lim, &p,
					 err, sizeof(err));
	ns = ret ? -1 : check_segments(t, p, n->cost, MAX_JOB_COST, "big, limits 2^40");
	tap_check(t, ns == 2, "big, limits 2^40: clamped to the engine's, 2 jobs (%d)", ns);
	edgenpu_plan_unref(p);
	p = NULL;

	/* Ops over the device's op limit go to the CPU executor, split too. */
	lim.max_op_cost = 1ull << 31;
	lim.max_job_cost = 0;
	ret = edgenpu_plan_create_limits(m, EDGENPU_OP_MASK_ALL, 0, &lim, &p,
					 err, sizeof(err));
	ns = ret ? -1 : check_segments(t, p, n->cost, MAX_JOB_COST, "big, op limit 2^31");
	edgenpu_plan_op_info(p, 0, &oi);
	tap_check(t, ns == 2 && oi.placement == EDGENPU_PLACE_CPU &&
	    strstr(oi.reason, "op cost 2415919104 exceeds the device's limit 2147483648"),
	    "big, op limit 2^31: every op on the CPU executor, '%s', in 2 CPU jobs (%d)",
	    oi.reason, ns);
	ret = ret ? ret : edgenpu_runner_create(p, NULL, &r, err, sizeof(err));
	tap_check(t, ret == 0, "big, op limit 2^31: the engine accepts every job (%d)", ret);
	edgenpu_runner_unref(r);
	edgenpu_plan_unref(p);
out:
	edgenpu_model_unref(m);
	free(n);
}

static void test_too_big(struct tap *t)
{
	struct net *n = calloc(1, sizeof(*n));
	struct edgenpu_model *m;
	struct edgenpu_plan *p = NULL;
	char err[512] = "";
	int ret;

	n->seed = 5;
	n->in = tensor(n, "input", TFL_INT8,
		       (const int32_t[4]){ 1, 256, 256, 128 }, 0.05f, 0);
	n->out = conv(n, n->in, 3, 64, 0, 0, 1, 0.5f);
	m = load(n, "conv_2p32_17");
	if (!m) {
		tap_check(t, 0, "too big: model loads");
		free(n);
		return;
	}
	ret = edgenpu_plan_create(m, EDGENPU_OP_MASK_ALL, &p, err, sizeof(err));
	tap_check(t, ret == -E2BIG && !p &&
	    strstr(err, "op 0 (CONV_2D) cannot run: op cost 4831838208 exceeds the limit 4294967296"),
	    "too big: a CONV_2D of %llu units (over 2^32) is refused with -E2BIG and why (%d: %s)",
	    (unsigned long long)n->cost[0], ret, err);
	edgenpu_plan_unref(p);
	edgenpu_model_unref(m);
	free(n);
}

/* Runner of @p on the CPU executor, input from @seed. */
static struct edgenpu_runner *run_plan(struct edgenpu_plan *p, uint64_t seed)
{
	struct edgenpu_runner *r = NULL;
	char err[512];
	uint8_t *in;
	size_t size, i;

	if (edgenpu_runner_create(p, NULL, &r, err, sizeof(err))) {
		printf("# runner: %s\n", err);
		return NULL;
	}
	in = edgenpu_runner_input(r, 0, &size);
	for (i = 0; i < size; i++)
		in[i] = (uint8_t)(rnd(&seed) >> 24);
	if (edgenpu_runner_run(r)) {
		printf("# run: %s\n", edgenpu_runner_last_error(r));
		edgenpu_runner_unref(r);
		return NULL;
	}
	return r;
}

static void test_bitexact(struct tap *t)
{
	struct net *n = calloc(1, sizeof(*n));
	struct edgenpu_plan_limits lim;
	struct edgenpu_model *m;
	struct edgenpu_plan *pu = NULL, *ps = NULL;
	struct edgenpu_runner *ru = NULL, *rs = NULL;
	struct edgenpu_diff d;
	uint64_t total = 0, mask;
	unsigned char seen[256] = { 0 };
	const uint8_t *ou, *os;
	size_t su, ss, k, distinct = 0;
	char err[512];
	int32_t x, a, b;
	int i, ret, ns;
	struct {
		const char *name;
		uint64_t mask, op_limit, job_limit;
		int min_jobs;
	} cases[] = {
		{ "job limit 10^6", EDGENPU_OP_MASK_ALL, 0, 1000000, 4 },
		{ "job limit 650000", EDGENPU_OP_MASK_ALL, 0, 650000, 5 },
		{ "op limit 10^5 (3x3 convs on the CPU)", EDGENPU_OP_MASK_ALL,
		  100000, 1000000, 5 },
		{ "ADD not on the NPU, job limit 10^6", 0, 0, 1000000, 5 },
	};

	n->seed = 3;
	x = n->in = tensor(n, "input", TFL_INT8,
			   (const int32_t[4]){ 1, 16, 16, 16 }, 0.05f, 1);
	a = conv(n, x, 3, 16, 0, 0, 1, 0.25f);		/* 589824 */
	x = conv(n, a, 3, 16, 1, 0, 0, 0.2f);		/* 36864 */
	b = conv(n, x, 3, 16, 0, 1, 1, 0.3f);		/* 589824 */
	x = add(n, a, b, 0.35f);			/* 32768 */
	x = conv(n, x, 3, 16, 0, 0, 1, 0.4f);		/* 589824 */
	x = conv(n, x, 1, 16, 0, 1, 0, 0.3f);		/* 65536 */
	x = conv(n, x, 3, 16, 1, 1, 1, 0.3f);		/* 36864 */
	x = conv(n, x, 3, 16, 0, 0, 1, 0.5f);		/* 589824 */
	n->out = x;
	for (i = 0; i < n->no; i++)
		total += n->cost[i];
	cases[3].mask = EDGENPU_OP_MASK_ALL & ~(1ull << EDGENPU_OP_ADD);
	m = load(n, "small_chain");
	if (!m) {
		tap_check(t, 0, "bit-exact: model loads");
		free(n);
		return;
	}
	ret = edgenpu_plan_create_flags(m, EDGENPU_OP_MASK_ALL,
					EDGENPU_PLAN_KEEP_INTERMEDIATES, &pu,
					err, sizeof(err));
	ns = ret ? -1 : check_segments(t, pu, n->cost, MAX_JOB_COST, "unsplit");
	tap_check(t, ns == 1, "bit-exact: %d ops of %llu units in all make 1 job with the engine's limits (%d%s%s)",
	    n->no, (unsigned long long)total, ret, ret ? ": " : "",
	    ret ? err : "");
	ru = ns == 1 ? run_plan(pu, 99) : NULL;
	ou = ru ? edgenpu_runner_output(ru, 0, &su) : NULL;
	for (k = 0; ou && k < su; k++)
		distinct += !seen[ou[k]]++;
	tap_check(t, ru && distinct >= 32,
	    "bit-exact: the unsplit run's output takes %zu distinct values (not degenerate)",
	    distinct);
	for (i = 0; ru && i < (int)(sizeof(cases) / sizeof(cases[0])); i++) {
		memset(&lim, 0, sizeof(lim));
		lim.max_op_cost = cases[i].op_limit;
		lim.max_job_cost = cases[i].job_limit;
		mask = cases[i].mask;
		ret = edgenpu_plan_create_limits(m, mask,
						 EDGENPU_PLAN_KEEP_INTERMEDIATES,
						 &lim, &ps, err, sizeof(err));
		ns = ret ? -1 : check_segments(t, ps, n->cost, lim.max_job_cost,
					       cases[i].name);
		tap_check(t, ns >= cases[i].min_jobs, "bit-exact, %s: %d jobs (at least %d)",
		    cases[i].name, ns, cases[i].min_jobs);
		rs = ns > 0 ? run_plan(ps, 99) : NULL;
		ret = rs ? edgenpu_runner_compare(ru, rs, &d) : -1;
		os = rs ? edgenpu_runner_output(rs, 0, &ss) : NULL;
		tap_check(t, ret == 0 && os && ss == su && !memcmp(ou, os, su),
		    "bit-exact, %s: every op's output equals the unsplit run's bit for bit (%d%s)",
		    cases[i].name, ret, ret == 1 ? ", differs" : "");
		if (ret == 1)
			printf("# first difference: op %u at byte %zu: %d vs %d\n",
			       d.op, d.offset, d.a, d.b);
		edgenpu_runner_unref(rs);
		edgenpu_plan_unref(ps);
		rs = NULL;
		ps = NULL;
	}
	edgenpu_runner_unref(ru);
	edgenpu_plan_unref(pu);
	edgenpu_model_unref(m);
	free(n);
}

int main(int argc, char **argv)
{
	struct tap t = { 0 };

	if (argc > 2) {
		fprintf(stderr, "usage: plan_split_test [DIR]\n");
		return 2;
	}
	save_dir = argc == 2 ? argv[1] : NULL;
	test_big(&t);
	test_too_big(&t);
	test_bitexact(&t);
	return tap_done(&t);
}
