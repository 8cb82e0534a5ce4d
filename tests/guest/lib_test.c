// SPDX-License-Identifier: MIT
/*
 * Guest test of libedgenpu's device interface on a real edgenpu device:
 * discovery, the command-stream builder, userspace validation that agrees
 * with the kernel's, synchronous submit and wait, syncobjs, sync_file out-
 * and in-fences (poll()able, and ordering jobs of two files), dma-buf
 * export/import between two opens of the device, and re-imports of a
 * dma-buf the file already has a handle for (one object, one handle,
 * closed with the last reference).
 *
 *   edgenpu-lib-test [/dev/accel/accelN]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <drm/edgenpu_accel.h>
#include <drm/edgenpu_cmdstream.h>

#include "edgenpu.h"
#include "edgenpu_engine.h"
#include "guest_util.h"
#include "tap.h"

#define N	64
#define DBG	"/sys/kernel/debug/edgenpu/edgenpu-vnpu.0/"

struct rig {
	struct edgenpu_device *dev;
	struct edgenpu_bo *cmd, *a, *b, *out;
	struct edgenpu_bo *bufs[3];
	uint32_t flags[3];
	size_t size;
};

static struct edgenpu_cmd_tensor tensor(uint32_t buf, uint64_t offset, int32_t zp,
					int32_t mult, int32_t shift)
{
	struct edgenpu_cmd_tensor t;

	memset(&t, 0, sizeof(t));
	t.buffer = buf;
	t.dtype = EDGENPU_DTYPE_INT8;
	t.offset = offset;
	t.dims[0] = t.dims[1] = t.dims[2] = 1;
	t.dims[3] = N;
	t.zero_point = zp;
	t.multiplier = mult;
	t.shift = shift;
	return t;
}

/* out = a + b, requantized; out_offset moves the output tensor. */
static int build_add(struct edgenpu_cmd_builder *bld, uint64_t out_offset)
{
	struct edgenpu_cmd_add_params p = { .left_shift = 20 };
	struct edgenpu_cmd_tensor t[3] = {
		tensor(0, 0, 3, 1073741824, -1),
		tensor(1, 0, -7, 1500000000, -2),
		tensor(2, out_offset, 5, 1700000000, -19),
	};

	return edgenpu_cmd_builder_add_op(bld, EDGENPU_OP_ADD, 0, -128, 127, &p,
					  sizeof(p), t, 3);
}

static int rig_init(struct rig *r, const char *path)
{
	int ret;

	memset(r, 0, sizeof(*r));
	ret = edgenpu_device_open(path, &r->dev);
	ret = ret ?: edgenpu_bo_create(r->dev, 4096, &r->cmd);
	ret = ret ?: edgenpu_bo_create(r->dev, N, &r->a);
	ret = ret ?: edgenpu_bo_create(r->dev, N, &r->b);
	ret = ret ?: edgenpu_bo_create(r->dev, N, &r->out);
	if (ret)
		return ret;
	if (!edgenpu_bo_map(r->cmd) || !edgenpu_bo_map(r->a) ||
	    !edgenpu_bo_map(r->b) || !edgenpu_bo_map(r->out))
		return -ENOMEM;
	r->bufs[0] = r->a;
	r->bufs[1] = r->b;
	r->bufs[2] = r->out;
	r->flags[0] = r->flags[1] = DRM_EDGENPU_BUF_READ;
	r->flags[2] = DRM_EDGENPU_BUF_WRITE;
	return 0;
}

static void rig_fini(struct rig *r)
{
	edgenpu_bo_unref(r->cmd);
	edgenpu_bo_unref(r->a);
	edgenpu_bo_unref(r->b);
	edgenpu_bo_unref(r->out);
	edgenpu_device_unref(r->dev);
}

static void rig_load(struct rig *r, const void *stream, size_t size, int seed)
{
	int8_t *a = edgenpu_bo_map(r->a), *b = edgenpu_bo_map(r->b);
	int i;

	memcpy(edgenpu_bo_map(r->cmd), stream, size);
	r->size = size;
	for (i = 0; i < N; i++) {
		a[i] = (int8_t)(i * 7 + seed);
		b[i] = (int8_t)(100 - i * 3 - seed);
	}
	memset(edgenpu_bo_map(r->out), 0, N);
}

static struct edgenpu_job_desc rig_desc(struct rig *r)
{
	return (struct edgenpu_job_desc){
		.cmd = r->cmd, .cmd_size = r->size, .bufs = r->bufs,
		.buf_flags = r->flags, .nbufs = 3,
		.priority = DRM_EDGENPU_PRIO_NORMAL,
	};
}

/* The rig's output equals the engine's userspace build on its inputs. */
static int rig_output_ok(struct rig *r, const void *stream, size_t size)
{
	static _Alignas(64) uint8_t scratch[EDGENPU_ENGINE_SCRATCH_SIZE];
	int8_t want[N];
	struct edgenpu_engine_buffer bufs[3] = {
		{ edgenpu_bo_map(r->a), N, EDGENPU_BUF_READ, 0 },
		{ edgenpu_bo_map(r->b), N, EDGENPU_BUF_READ, 0 },
		{ want, N, EDGENPU_BUF_WRITE, 0 },
	};
	struct edgenpu_engine_error err;

	if (edgenpu_engine_run(stream, size, bufs, 3, scratch, sizeof(scratch),
			       NULL, &err))
		return 0;
	return !memcmp(want, edgenpu_bo_map(r->out), N);
}

/* The file still has GEM handle @handle (BO_INFO knows it). */
static int handle_open(struct edgenpu_device *dev, uint32_t handle)
{
	struct drm_edgenpu_bo_info info = { .handle = handle };

	return gu_ioctl(edgenpu_device_fd(dev), DRM_IOCTL_EDGENPU_BO_INFO, &info) == 0;
}

static int fence_ready(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN);
}

/* The library's core queue depth is the one the caps tell (uapi 1.3). */
static void test_queue_depth(struct tap *t, struct edgenpu_device *dev)
{
	struct drm_edgenpu_caps caps = { 0 };
	struct drm_edgenpu_query q = {
		.query = DRM_EDGENPU_QUERY_CAPS, .size = sizeof(caps),
		.data = (uintptr_t)&caps,
	};
	int ret = gu_ioctl(edgenpu_device_fd(dev), DRM_IOCTL_EDGENPU_QUERY, &q);

	tap_check(t, ret == 0 && caps.core_queue_depth >= 1 &&
		  edgenpu_device_core_queue_depth(dev) == caps.core_queue_depth &&
		  edgenpu_device_core_queue_depth(NULL) == 0,
		  "core queue depth %u, as the caps say (%u)",
		  edgenpu_device_core_queue_depth(dev), caps.core_queue_depth);
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : gu_node0();
	struct edgenpu_cmd_builder *bld = NULL, *bad = NULL;
	const void *stream = NULL, *bstream = NULL;
	size_t size = 0, bsize = 0, count = 0;
	char paths[8][64], msg[128], kmsg[128];
	struct edgenpu_job_desc d;
	struct tap t = { 0 };
	struct rig r, r2;
	uint64_t seq = 0;
	uint32_t st = 0, so = 0;
	int32_t op = -2, kop = -2, err = 1;
	int fd1 = -1, fd2 = -1, buf_fd = -1, ret;
	struct edgenpu_bo *imp = NULL, *imp2 = NULL;
	uint32_t handle = 0;

	ret = edgenpu_enumerate(paths, 8, &count);
	tap_check(&t, ret == 0 && count >= 1,
		  "enumerate finds %zu edgenpu device(s) (%d)", count, ret);
	tap_check(&t, edgenpu_device_open("/dev/null", &r.dev) < 0,
		  "a node that is not an edgenpu device is refused");

	/* Builder and validator. */
	ret = edgenpu_cmd_builder_create(&bld);
	ret = ret ?: build_add(bld, 0);
	ret = ret ?: edgenpu_cmd_builder_stream(bld, &stream, &size);
	tap_check(&t, ret == 0 && size > 0, "builder: one ADD op, %zu bytes (%d)",
		  size, ret);
	tap_check(&t, edgenpu_cmd_builder_add_op(bld, EDGENPU_OP_ADD, 0, 0, 0,
						 NULL, 4, NULL, 0) == -EINVAL,
		  "builder: params of a size not a multiple of 8: EINVAL");
	tap_check(&t, edgenpu_cmd_builder_create(&bad) == 0 &&
		  build_add(bad, 4096) == 0 &&
		  edgenpu_cmd_builder_stream(bad, &bstream, &bsize) == 0,
		  "builder: an ADD whose output lies past its buffer");
	if (!tap_check(&t, rig_init(&r, path) == 0, "open %s, four buffers", path))
		return tap_done(&t);
	test_queue_depth(&t, r.dev);
	rig_load(&r, stream, size, 1);
	ret = edgenpu_cmd_validate(stream, size, r.bufs, r.flags, 3, &op, msg,
				   sizeof(msg));
	tap_check(&t, ret == 0 && op == -1, "validate: the good stream passes (%d%s%s)",
		  ret, msg[0] ? ": " : "", msg);
	ret = edgenpu_cmd_validate(bstream, bsize, r.bufs, r.flags, 3, &op, msg,
				   sizeof(msg));
	tap_check(&t, ret < 0 && op == 0 && msg[0],
		  "validate: the bad one fails at op %d: %s (%d)", op, msg, ret);
	memcpy(edgenpu_bo_map(r.cmd), bstream, bsize);
	d = rig_desc(&r);
	d.cmd_size = bsize;
	ret = edgenpu_submit(r.dev, &d, &seq);
	kmsg[0] = 0;
	edgenpu_device_last_error(r.dev, kmsg, sizeof(kmsg), &kop);
	tap_check(&t, ret < 0 && kop == op && !strcmp(kmsg, msg),
		  "the kernel refuses it the same way (%d, op %d: %s)", ret, kop, kmsg);

	/* Synchronous. */
	rig_load(&r, stream, size, 1);
	d = rig_desc(&r);
	ret = edgenpu_submit(r.dev, &d, &seq);
	ret = ret ?: edgenpu_wait(r.dev, seq, 5000000000ll, &st, &err);
	tap_check(&t, ret == 0 && st == DRM_EDGENPU_JOB_DONE && err == 0 &&
		  rig_output_ok(&r, stream, size),
		  "submit and wait: done, output correct (%d, status %u)", ret, st);

	/* A syncobj as the out-fence. */
	rig_load(&r, stream, size, 2);
	d = rig_desc(&r);
	ret = edgenpu_syncobj_create(r.dev, &so);
	d.out_syncobj = so;
	ret = ret ?: edgenpu_submit(r.dev, &d, &seq);
	ret = ret ?: edgenpu_syncobj_wait(r.dev, so, 5000000000ll);
	tap_check(&t, ret == 0 && rig_output_ok(&r, stream, size),
		  "out-syncobj: signalled, output correct (%d)", ret);
	edgenpu_syncobj_destroy(r.dev, so);

	/* A sync_file as the out-fence: poll() says when. */
	rig_load(&r, stream, size, 3);
	d = rig_desc(&r);
	ret = edgenpu_submit_fence(r.dev, &d, -1, &seq, &fd1);
	tap_check(&t, ret == 0 && fd1 >= 0 && fence_ready(fd1, 5000) &&
		  rig_output_ok(&r, stream, size),
		  "out sync_file: poll() reports it, output correct (%d)", ret);
	if (fd1 >= 0)
		close(fd1);

	/*
	 * A sync_file as the in-fence, across two files: the second file's
	 * job shares no buffer with the first, whose job is slowed to 400 ms;
	 * it still finishes after it.
	 */
	if (tap_check(&t, rig_init(&r2, path) == 0, "a second open of %s", path)) {
		/* The first job is slowed by the vnpu's fault injection. */
		if (!gu_backend_is_vnpu(path)) {
			tap_skip(&t, "the vnpu's fault injection",
				 "in sync_file across files");
		} else {
			rig_load(&r, stream, size, 4);
			rig_load(&r2, stream, size, 5);
			write_file(DBG "latency_us", "400000");
			d = rig_desc(&r);
			ret = edgenpu_submit_fence(r.dev, &d, -1, NULL, &fd1);
			usleep(100000);
			write_file(DBG "latency_us", "0");
			d = rig_desc(&r2);
			ret = ret ?: edgenpu_submit_fence(r2.dev, &d, fd1, NULL, &fd2);
			tap_check(&t, ret == 0 && fd2 >= 0 && !fence_ready(fd2, 50) &&
				  fence_ready(fd2, 5000) && fence_ready(fd1, 0) &&
				  rig_output_ok(&r, stream, size) &&
				  rig_output_ok(&r2, stream, size),
				  "in sync_file: the job waited for the other file's job (%d)", ret);
			if (fd1 >= 0)
				close(fd1);
			if (fd2 >= 0)
				close(fd2);
		}

		/* dma-buf: one file's BO in the other, same bytes. */
		ret = edgenpu_bo_export(r.out, &buf_fd);
		ret = ret ?: edgenpu_bo_import(r2.dev, buf_fd, &imp);
		tap_check(&t, ret == 0 && edgenpu_bo_map(imp) &&
			  !memcmp(edgenpu_bo_map(imp), edgenpu_bo_map(r.out), N),
			  "dma-buf export and import between files: same bytes (%d)", ret);

		/*
		 * The same dma-buf again: the file has a handle for it, and
		 * the kernel gives that handle back. The library must give
		 * back the same object, with one more reference, and close
		 * the handle with the last one.
		 */
		imp2 = NULL;
		ret = ret ?: edgenpu_bo_import(r2.dev, buf_fd, &imp2);
		handle = edgenpu_bo_handle(imp);
		tap_check(&t, ret == 0 && imp2 == imp,
			  "importing a dma-buf twice gives the same object (%d, %p %p)",
			  ret, (void *)imp, (void *)imp2);
		edgenpu_bo_unref(imp);
		tap_check(&t, ret == 0 && handle_open(r2.dev, handle) &&
			  edgenpu_bo_map(imp2) &&
			  !memcmp(edgenpu_bo_map(imp2), edgenpu_bo_map(r.out), N),
			  "after the first import's unref, the handle and the second stay usable");
		edgenpu_bo_unref(imp2);
		tap_check(&t, ret == 0 && !handle_open(r2.dev, handle),
			  "the last unref closes the handle");
		if (buf_fd >= 0)
			close(buf_fd);
		buf_fd = -1;
		rig_fini(&r2);
	}

	/*
	 * A BO this file exported, imported by the same file: the kernel
	 * gives back the BO's own handle, so the library gives back the BO.
	 */
	imp = NULL;
	ret = edgenpu_bo_export(r.out, &buf_fd);
	ret = ret ?: edgenpu_bo_import(r.dev, buf_fd, &imp);
	tap_check(&t, ret == 0 && imp == r.out,
		  "a BO exported and imported by the same file is the same object (%d)", ret);
	edgenpu_bo_unref(imp);	/* the import's reference, whichever object */
	if (buf_fd >= 0)
		close(buf_fd);
	rig_load(&r, stream, size, 6);
	d = rig_desc(&r);
	ret = edgenpu_submit(r.dev, &d, &seq);
	ret = ret ?: edgenpu_wait(r.dev, seq, 5000000000ll, &st, &err);
	tap_check(&t, ret == 0 && st == DRM_EDGENPU_JOB_DONE &&
		  rig_output_ok(&r, stream, size),
		  "after the import's unref the BO still works: a job writes it (%d)", ret);
	d = rig_desc(&r);
	tap_check(&t, edgenpu_submit_fence(r.dev, &d, 12345, NULL, &fd1) < 0 && fd1 == -1,
		  "in-fence that is not a sync_file: refused");
	rig_fini(&r);
	edgenpu_cmd_builder_unref(bld);
	edgenpu_cmd_builder_unref(bad);
	return tap_done(&t);
}
