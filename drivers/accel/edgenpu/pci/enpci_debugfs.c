// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test hooks of the PCI backend, for the guest tests of device MMU
 * isolation, reset and runtime PM (tests/guest/pci_test.c).
 *
 * The kernel builds every buffer table from buffer object handles, so no
 * client can name a device address; to show that the device MMU, and not
 * only the kernel, keeps a job inside its own context, a test must hand
 * the device an address the kernel would never write. These files do
 * that, and are therefore off unless the module is loaded with
 * enpci_test_hooks=1; with it, root can point a job at any device
 * address of its context and inject device faults. Never on a
 * production system.
 *
 * /sys/kernel/debug/edgenpu-pci/<PCI address>/ then holds:
 *  mmu_maps       every live buffer mapping: context, owner, address
 *  redirect_next  "INDEX VA": the next job of a file the writer opened
 *                 runs with buffer table entry INDEX at device address VA
 *  queue_fault_next  "1": the next job of a file the writer opened gets
 *                 a completion record address the device cannot write,
 *                 so that the core stops with QUEUE_FAULT after it ran
 *  inj_*          the device's fault injection registers (when present)
 *  power          the POWER register, read without resuming the device
 *  queues         each core's Q_HEAD, Q_TAIL, Q_SIZE, STATUS and
 *                 JOBS_DONE, and how many jobs the driver has given it
 */

#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>

#include "enpci_debugfs.h"
#include "enpci_mmu.h"

static bool enpci_test_hooks;
module_param(enpci_test_hooks, bool, 0444);
MODULE_PARM_DESC(enpci_test_hooks,
		 "Unsafe, for tests only: PCI backend debugfs files that redirect jobs' buffers to any device address and inject device faults (default off)");

/* The registers the hooks expose: the INJ_* block, then POWER. */
#define ENPCI_TEST_NREGS	5

/**
 * struct enpci_test_reg - one register behind a debugfs file
 * @npu: the device
 * @reg: its offset in BAR0
 */
struct enpci_test_reg {
	struct enpci_device *npu;
	u32 reg;
};

/**
 * struct enpci_test - a device's test hook state
 * @dir: its debugfs directory
 * @lock: protects @pid, @index, @va and @qf_pid
 * @pid: the process whose next job is redirected; 0 when none is armed
 * @index: the buffer table entry to redirect
 * @va: the device address it gets
 * @qf_pid: the process whose next job ends in a QUEUE_FAULT; 0 when none
 * @regs: the registers behind the inj_* and power files
 */
struct enpci_test {
	struct dentry *dir;
	spinlock_t lock; /* pid, index, va, qf_pid */
	pid_t pid;
	u32 index;
	u64 va;
	pid_t qf_pid;
	struct enpci_test_reg regs[ENPCI_TEST_NREGS];
};

static struct dentry *enpci_debugfs_root;

/* One line per buffer of every live job mapping; ctx->lock is held. */
static void enpci_maps_show_ctx(struct seq_file *m, struct enpci_ctx *ctx)
{
	struct enpci_map *map;
	u32 i;

	list_for_each_entry(map, &ctx->maps, node)
		for (i = 0; i < map->nbufs; i++)
			seq_printf(m, "%u %d 0x%llx %u %u\n", ctx->id, ctx->pid,
				   le64_to_cpu(map->buftab[i].va),
				   le32_to_cpu(map->buftab[i].size),
				   le32_to_cpu(map->buftab[i].flags));
}

static int enpci_maps_show(struct seq_file *m, void *data)
{
	struct enpci_device *npu = m->private;
	struct enpci_ctx *ctx;

	seq_puts(m, "ctx pid va size flags\n");
	/* Contexts leave the list under ctx_lock before they are freed. */
	mutex_lock(&npu->ctx_lock);
	list_for_each_entry(ctx, &npu->contexts, node) {
		mutex_lock(&ctx->lock);
		enpci_maps_show_ctx(m, ctx);
		mutex_unlock(&ctx->lock);
	}
	mutex_unlock(&npu->ctx_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(enpci_maps);

static int enpci_redirect_show(struct seq_file *m, void *data)
{
	struct enpci_device *npu = m->private;
	struct enpci_test *test = npu->test;
	pid_t pid;
	u32 index;
	u64 va;

	spin_lock_irq(&test->lock);
	pid = test->pid;
	index = test->index;
	va = test->va;
	spin_unlock_irq(&test->lock);
	if (pid)
		seq_printf(m, "%d %u 0x%llx\n", pid, index, va);
	else
		seq_puts(m, "none\n");
	return 0;
}

/*
 * A hook file's command, NUL-terminated in @buf, and whom it arms: *@pid
 * is the writer's process, or 0 for "none", which disarms.
 */
static int enpci_test_cmd(const char __user *ubuf, size_t len, char *buf,
			  size_t size, pid_t *pid)
{
	if (len >= size)
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = 0;
	*pid = sysfs_streq(buf, "none") ? 0 : task_tgid_nr(current);
	return 0;
}

/* "INDEX VA" arms a redirect for the writer's next job; "none" disarms. */
static ssize_t enpci_redirect_write(struct file *file, const char __user *ubuf,
				    size_t len, loff_t *ppos)
{
	struct enpci_device *npu = file_inode(file)->i_private;
	struct enpci_test *test = npu->test;
	char buf[48];
	u32 index = 0;
	u64 va = 0;
	pid_t pid;
	int ret;

	ret = enpci_test_cmd(ubuf, len, buf, sizeof(buf), &pid);
	if (ret)
		return ret;
	if (pid && (sscanf(buf, "%u %llx", &index, &va) != 2 ||
		    index >= ENPCI_MAX_BUFFERS))
		return -EINVAL;

	spin_lock_irq(&test->lock);
	test->pid = pid;
	test->index = index;
	test->va = va;
	spin_unlock_irq(&test->lock);
	return len;
}

DEFINE_SHOW_STORE_ATTRIBUTE(enpci_redirect);

static int enpci_queue_fault_show(struct seq_file *m, void *data)
{
	struct enpci_device *npu = m->private;
	struct enpci_test *test = npu->test;
	pid_t pid;

	spin_lock_irq(&test->lock);
	pid = test->qf_pid;
	spin_unlock_irq(&test->lock);
	if (pid)
		seq_printf(m, "%d\n", pid);
	else
		seq_puts(m, "none\n");
	return 0;
}

/* "1" arms a QUEUE_FAULT for the writer's next job; "none" disarms. */
static ssize_t enpci_queue_fault_write(struct file *file,
				       const char __user *ubuf, size_t len,
				       loff_t *ppos)
{
	struct enpci_device *npu = file_inode(file)->i_private;
	struct enpci_test *test = npu->test;
	char buf[8];
	pid_t pid;
	int ret;

	ret = enpci_test_cmd(ubuf, len, buf, sizeof(buf), &pid);
	if (ret)
		return ret;
	if (pid && !sysfs_streq(buf, "1"))
		return -EINVAL;

	spin_lock_irq(&test->lock);
	test->qf_pid = pid;
	spin_unlock_irq(&test->lock);
	return len;
}

DEFINE_SHOW_STORE_ATTRIBUTE(enpci_queue_fault);

/*
 * Register files: raw accesses, without a runtime PM reference, so that
 * power shows the state the device is in (IDLE keeps every register).
 */
static int enpci_reg_get(void *data, u64 *val)
{
	const struct enpci_test_reg *r = data;

	*val = enpci_read(r->npu, r->reg);
	return 0;
}

static int enpci_reg_set(void *data, u64 val)
{
	const struct enpci_test_reg *r = data;

	if (val > U32_MAX)
		return -EINVAL;
	enpci_write(r->npu, r->reg, val);
	return 0;
}

/*
 * One line per core: its queue registers, read without resuming the
 * device, and the jobs the driver holds on it. Shows whether the ring
 * holds a job queued behind the running one.
 */
static int enpci_queues_show(struct seq_file *m, void *data)
{
	struct enpci_device *npu = m->private;
	unsigned int i;

	seq_puts(m, "core head tail size status jobs_done driver_jobs\n");
	for (i = 0; i < npu->num_cores; i++) {
		struct enpci_core *core = &npu->cores[i];
		unsigned long flags;
		u32 count;

		spin_lock_irqsave(&core->lock, flags);
		count = core->count;
		spin_unlock_irqrestore(&core->lock, flags);
		seq_printf(m, "%u %u %u %u %u %u %u\n", i,
			   enpci_core_read(core, ENPCI_Q_HEAD),
			   enpci_core_read(core, ENPCI_Q_TAIL),
			   enpci_core_read(core, ENPCI_Q_SIZE),
			   enpci_core_read(core, ENPCI_STATUS),
			   enpci_core_read(core, ENPCI_JOBS_DONE), count);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(enpci_queues);

DEFINE_DEBUGFS_ATTRIBUTE(enpci_reg_rw_fops, enpci_reg_get, enpci_reg_set, "%llu\n");
DEFINE_DEBUGFS_ATTRIBUTE(enpci_reg_ro_fops, enpci_reg_get, NULL, "%llu\n");

static void enpci_debugfs_reg(struct enpci_test *test, struct enpci_device *npu,
			      unsigned int i, const char *name, u32 reg)
{
	test->regs[i].npu = npu;
	test->regs[i].reg = reg;
	if (reg == ENPCI_POWER)
		debugfs_create_file_unsafe(name, 0400, test->dir, &test->regs[i],
					   &enpci_reg_ro_fops);
	else
		debugfs_create_file_unsafe(name, 0600, test->dir, &test->regs[i],
					   &enpci_reg_rw_fops);
}

static void enpci_debugfs_regs(struct enpci_test *test, struct enpci_device *npu)
{
	enpci_debugfs_reg(test, npu, 0, "power", ENPCI_POWER);
	/* The block exists only on a device with fault injection on. */
	if (!(npu->features & ENPCI_FEATURES_FAULT_INJ))
		return;
	enpci_debugfs_reg(test, npu, 1, "inj_hang", ENPCI_INJ_HANG);
	enpci_debugfs_reg(test, npu, 2, "inj_fail", ENPCI_INJ_FAIL);
	enpci_debugfs_reg(test, npu, 3, "inj_corrupt", ENPCI_INJ_CORRUPT);
	enpci_debugfs_reg(test, npu, 4, "inj_latency_us", ENPCI_INJ_LATENCY_US);
}

/**
 * enpci_debugfs_register() - the hooks' debugfs root, at module load
 *
 * Nothing unless enpci_test_hooks is set.
 */
void enpci_debugfs_register(void)
{
	if (!enpci_test_hooks)
		return;
	pr_notice("edgenpu: enpci_test_hooks is set: unsafe test-only debugfs files are enabled\n");
	enpci_debugfs_root = debugfs_create_dir("edgenpu-pci", NULL);
}

/**
 * enpci_debugfs_unregister() - remove the root, after every device went
 */
void enpci_debugfs_unregister(void)
{
	debugfs_remove_recursive(enpci_debugfs_root);
	enpci_debugfs_root = NULL;
}

/**
 * enpci_debugfs_init() - a device's hook files, when the hooks are on
 * @npu: the device, at probe, before the core's device exists (so before
 *	any job); the state is device-managed
 *
 * Failures only leave the hooks out: they are never needed to run jobs.
 */
void enpci_debugfs_init(struct enpci_device *npu)
{
	struct device *dev = &npu->pdev->dev;
	struct enpci_test *test;

	if (!enpci_debugfs_root)
		return;
	test = devm_kzalloc(dev, sizeof(*test), GFP_KERNEL);
	if (!test)
		return;
	spin_lock_init(&test->lock);
	/* Before the files: their handlers use it. */
	npu->test = test;
	test->dir = debugfs_create_dir(pci_name(npu->pdev), enpci_debugfs_root);
	debugfs_create_file("mmu_maps", 0400, test->dir, npu, &enpci_maps_fops);
	debugfs_create_file("redirect_next", 0600, test->dir, npu,
			    &enpci_redirect_fops);
	debugfs_create_file("queue_fault_next", 0600, test->dir, npu,
			    &enpci_queue_fault_fops);
	debugfs_create_file("queues", 0400, test->dir, npu, &enpci_queues_fops);
	enpci_debugfs_regs(test, npu);
}

/**
 * enpci_debugfs_fini() - remove a device's hook files
 * @npu: the device, at removal after its last job, or when probe fails
 *
 * debugfs_remove_recursive() waits out readers and writers in progress.
 */
void enpci_debugfs_fini(struct enpci_device *npu)
{
	if (!npu->test)
		return;
	debugfs_remove_recursive(npu->test->dir);
	npu->test = NULL;
}

/**
 * enpci_debugfs_redirect() - apply an armed redirect to a starting job
 * @core: the core
 * @buftab: the buffer table the core will read, filled for the job
 * @map: the job's mapping, in its file's context
 *
 * One-shot: the first job of a file the arming process opened takes the
 * redirect, whether or not it has entry INDEX. On the fence-signalling
 * path: a spinlock, no allocation.
 */
void enpci_debugfs_redirect(struct enpci_core *core,
			    struct enpci_buf_entry *buftab,
			    const struct enpci_map *map)
{
	struct enpci_test *test = core->npu->test;
	unsigned long flags;
	bool done = false;
	u32 index = 0;
	u64 va = 0;

	spin_lock_irqsave(&test->lock, flags);
	if (test->pid && test->pid == map->ctx->pid) {
		index = test->index;
		va = test->va;
		if (index < map->nbufs)
			buftab[index].va = cpu_to_le64(va);
		test->pid = 0;
		done = true;
	}
	spin_unlock_irqrestore(&test->lock, flags);
	if (done)
		dev_notice(&core->npu->pdev->dev,
			   "test hook: core %u: context %u's buffer %u redirected to device address 0x%llx\n",
			   core->index, map->ctx->id, index, va);
}

/*
 * A device address no device can write: above every guest's physical
 * address space and every IOMMU's input range.
 */
#define ENPCI_TEST_BAD_DMA	0xfff0000000000000ull

/**
 * enpci_debugfs_queue_fault() - apply an armed QUEUE_FAULT to a queued job
 * @core: the core; its lock is held
 * @d: the job's ring entry, not yet given to the device (before Q_TAIL)
 * @map: the job's mapping, in its file's context
 *
 * One-shot: the first job of a file the arming process opened gets a
 * completion record address the device cannot write. The device runs the
 * job, fails to write its record, and stops the core with QUEUE_FAULT:
 * the path by which the driver fails the job at the ring's head and
 * queues the jobs behind it again. On the fence-signalling path: a
 * spinlock, no allocation.
 */
void enpci_debugfs_queue_fault(struct enpci_core *core, struct enpci_desc *d,
			       const struct enpci_map *map)
{
	struct enpci_test *test = core->npu->test;
	bool done = false;

	spin_lock(&test->lock);
	if (test->qf_pid && test->qf_pid == map->ctx->pid) {
		d->done_addr = cpu_to_le64(ENPCI_TEST_BAD_DMA);
		test->qf_pid = 0;
		done = true;
	}
	spin_unlock(&test->lock);
	if (done)
		dev_notice(&core->npu->pdev->dev,
			   "test hook: core %u: context %u's job gets an unwritable completion record\n",
			   core->index, map->ctx->id);
}
