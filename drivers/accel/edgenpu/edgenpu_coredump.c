// SPDX-License-Identifier: GPL-2.0-only
/*
 * edgenpu crash dumps: a devcoredump of every timed-out job, readable
 * under /sys/class/devcoredump/devcdN/data until read or for five
 * minutes. It is text: the job, the op that was running, the buffer
 * table, the core, the command stream in hex and the backend's view of
 * the hung core (a hardware backend's registers and queue), so that a
 * user can attach it to a bug report and a developer can replay the
 * stream.
 *
 * The timeout handler is on the fence-signalling path and must not
 * allocate: it only takes a job reference and queues the dump, which is
 * built here, from a work item. The backend's part cannot wait for it:
 * the core is reset before the work runs, and a reset clears the very
 * registers that show the hang. So the handler has the backend write
 * its text before the reset into a buffer of the core allocated with
 * the device, which the dump takes later.
 */

#include <linux/bitops.h>
#include <linux/devcoredump.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include <drm/drm_managed.h>

#include "edgenpu_coredump.h"
#include "edgenpu_device.h"
#include "edgenpu_job.h"

#define EDGENPU_DUMP_HEAD	4096
#define EDGENPU_DUMP_BUF_LINE	64
#define EDGENPU_DUMP_HEX_ROW	32
/* "oooooo: " + 32 bytes as "xx" + newline */
#define EDGENPU_DUMP_HEX_LINE	(8 + 2 * EDGENPU_DUMP_HEX_ROW + 1)
/* The backend's section: registers and a few ring entries fit easily. */
#define EDGENPU_DUMP_BACKEND	8192
#define EDGENPU_DUMP_SNAP_BUSY	0

/**
 * struct edgenpu_dump_snap - the backend's text about a hung core
 * @flags: %EDGENPU_DUMP_SNAP_BUSY while @buf holds a capture that no
 *	dump has taken yet; a timeout meanwhile captures nothing
 * @job: the job the capture is of
 * @len: bytes of text in @buf
 * @buf: the text, written by &edgenpu_backend_ops.coredump
 */
struct edgenpu_dump_snap {
	unsigned long flags;
	const struct edgenpu_job *job;
	size_t len;
	char buf[EDGENPU_DUMP_BACKEND];
};

/* The opcode of op @index of a validated stream, or 0. */
static u32 edgenpu_dump_opcode(const struct edgenpu_job *job, u32 index)
{
	const struct edgenpu_cmd_header *h = job->cmds;
	struct edgenpu_cmd_op op;
	u64 pos = h->header_size;
	u32 i;

	for (i = 0; pos + sizeof(op) <= job->cmd_size; i++) {
		memcpy(&op, (const u8 *)job->cmds + pos, sizeof(op));
		if (i == index)
			return op.opcode;
		if (!op.size)
			break;
		pos += op.size;
	}
	return 0;
}

static size_t edgenpu_dump_head(const struct edgenpu_job *job, char *buf,
				size_t size)
{
	struct edgenpu_device *edev = job->edev;
	u32 op = job->timeout_op, core = job->core ? job->core->index : 0;
	size_t n;

	n = scnprintf(buf, size,
		      "edgenpu crash dump\n"
		      "device: %s\nbackend: %s\nmodule: %u.%u.%u\n"
		      "reason: job timed out, core reset\n"
		      "core: %u\ncore_resets: %u\n"
		      "seqno: %llu\npid: %d\n"
		      "ops: %u\nop_at_timeout: %u (%s)\n"
		      "run_ns: %llu\nbuffers: %u\n",
		      edev->name, edev->ops->name, EDGENPU_VERSION_MAJOR,
		      EDGENPU_VERSION_MINOR, EDGENPU_VERSION_PATCH, core,
		      edgenpu_core_resets(edev, core), job->seqno,
		      job->pid, job->op_count, op,
		      edgenpu_engine_op_name(edgenpu_dump_opcode(job, op)),
		      ktime_get_ns() - job->start_ns, job->nbos);
	return n;
}

static size_t edgenpu_dump_buffers(const struct edgenpu_job *job, char *buf,
				   size_t size)
{
	size_t n = 0;
	u32 i;

	for (i = 0; i < job->nbos; i++) {
		u32 f = job->buffers[i].flags;

		n += scnprintf(buf + n, size - n, "  [%u] size=%llu access=%s%s\n",
			       i, job->buffers[i].size,
			       f & EDGENPU_BUF_READ ? "r" : "",
			       f & EDGENPU_BUF_WRITE ? "w" : "");
	}
	n += scnprintf(buf + n, size - n, "profile: %s\nstream_bytes: %u\n",
		       job->profile_bo ? "yes" : "no", job->cmd_size);
	return n;
}

static size_t edgenpu_dump_stream(const struct edgenpu_job *job, char *buf,
				  size_t size)
{
	const u8 *s = job->cmds;
	size_t n = 0;
	u32 off, k;

	for (off = 0; off < job->cmd_size; off += EDGENPU_DUMP_HEX_ROW) {
		n += scnprintf(buf + n, size - n, "%06x: ", off);
		for (k = off; k < job->cmd_size && k < off + EDGENPU_DUMP_HEX_ROW; k++)
			n += scnprintf(buf + n, size - n, "%02x", s[k]);
		n += scnprintf(buf + n, size - n, "\n");
	}
	return n;
}

/*
 * The backend's section: the capture of @job, or why there is none.
 * Gives the capture up, so the core's next timeout can capture again.
 */
static size_t edgenpu_dump_backend(const struct edgenpu_job *job,
				   struct edgenpu_dump_snap *snap, char *buf,
				   size_t size)
{
	size_t n;

	if (!test_bit(EDGENPU_DUMP_SNAP_BUSY, &snap->flags) || snap->job != job)
		return scnprintf(buf, size,
				 "backend state: not captured (the device was gone, or an earlier dump of this core was pending)\n");
	n = scnprintf(buf, size, "backend state (before the reset):\n%.*s",
		      (int)snap->len, snap->buf);
	clear_bit_unlock(EDGENPU_DUMP_SNAP_BUSY, &snap->flags);
	return n;
}

/*
 * devcoredump keeps one dump per device, but two dumps of one device
 * created at once both pass its "already has a dump" check and the
 * second one's sysfs link collides (a warning splat on 7.2, seen when
 * two cores time out together). One dump at a time, for every device:
 * the second then finds the first and is dropped, as intended.
 */
static DEFINE_MUTEX(edgenpu_dump_lock);

static void edgenpu_dump_work(struct work_struct *work)
{
	struct edgenpu_job *job = container_of(work, struct edgenpu_job,
					       dump_work);
	struct edgenpu_dump_snap *snap = job->core ? job->core->dump : NULL;
	size_t size, n;
	char *buf;

	size = EDGENPU_DUMP_HEAD + (size_t)job->nbos * EDGENPU_DUMP_BUF_LINE +
	       DIV_ROUND_UP(job->cmd_size, EDGENPU_DUMP_HEX_ROW) *
	       EDGENPU_DUMP_HEX_LINE + 1;
	if (snap)
		size += EDGENPU_DUMP_HEAD + EDGENPU_DUMP_BACKEND;
	buf = vmalloc(size);
	if (buf) {
		n = edgenpu_dump_head(job, buf, size);
		n += edgenpu_dump_buffers(job, buf + n, size - n);
		n += edgenpu_dump_stream(job, buf + n, size - n);
		if (snap)
			n += edgenpu_dump_backend(job, snap, buf + n, size - n);
		/* Takes the buffer, and frees it with vfree(). */
		mutex_lock(&edgenpu_dump_lock);
		dev_coredumpv(job->edev->drm.dev, buf, n, GFP_KERNEL);
		mutex_unlock(&edgenpu_dump_lock);
	} else if (snap) {
		edgenpu_coredump_forget(job);
	}
	edgenpu_job_put(job);
}

/**
 * edgenpu_coredump() - dump a timed-out job, later
 * @job: the job; @job->timeout_op and its core are set
 *
 * Callable on the fence-signalling path: it neither allocates nor waits.
 */
void edgenpu_coredump(struct edgenpu_job *job)
{
	kref_get(&job->refcount);
	INIT_WORK(&job->dump_work, edgenpu_dump_work);
	queue_work(system_unbound_wq, &job->dump_work);
}

/**
 * edgenpu_coredump_capture() - keep the backend's view of a hung core
 * @job: the job that timed out, still on its core
 *
 * Called by the timeout handler before it resets the core, with the
 * device present; on the fence-signalling path, it neither allocates
 * nor waits. edgenpu_coredump() of @job puts the text in the dump, or
 * edgenpu_coredump_forget() drops it when @job was no hang after all.
 */
void edgenpu_coredump_capture(struct edgenpu_job *job)
{
	struct edgenpu_device *edev = job->edev;
	struct edgenpu_dump_snap *snap = job->core->dump;

	if (!snap || test_and_set_bit_lock(EDGENPU_DUMP_SNAP_BUSY, &snap->flags))
		return;
	snap->job = job;
	snap->len = edev->ops->coredump(edev->priv, job->core->index,
					snap->buf, sizeof(snap->buf));
}

/**
 * edgenpu_coredump_forget() - drop the capture of a job that is not dumped
 * @job: the job edgenpu_coredump_capture() was called for
 */
void edgenpu_coredump_forget(struct edgenpu_job *job)
{
	struct edgenpu_dump_snap *snap = job->core ? job->core->dump : NULL;

	if (snap && test_bit(EDGENPU_DUMP_SNAP_BUSY, &snap->flags) &&
	    snap->job == job)
		clear_bit_unlock(EDGENPU_DUMP_SNAP_BUSY, &snap->flags);
}

static void edgenpu_coredump_free(struct drm_device *drm, void *snaps)
{
	kvfree(snaps);
}

/**
 * edgenpu_coredump_init() - the cores' capture buffers, if the backend dumps
 * @edev: the device, its cores counted
 *
 * Freed with the DRM device, after the last job and dump.
 *
 * Return: 0 or -ENOMEM.
 */
int edgenpu_coredump_init(struct edgenpu_device *edev)
{
	struct edgenpu_dump_snap *snaps;
	u32 i, n = edev->caps.num_cores;

	if (!edev->ops->coredump)
		return 0;
	snaps = kvcalloc(n, sizeof(*snaps), GFP_KERNEL);
	if (!snaps)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		edev->cores[i].dump = &snaps[i];
	return drmm_add_action_or_reset(&edev->drm, edgenpu_coredump_free, snaps);
}
