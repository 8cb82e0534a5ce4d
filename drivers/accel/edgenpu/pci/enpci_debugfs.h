/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The PCI backend's test hooks (module parameter enpci_test_hooks, off
 * by default): debugfs files that list the device MMU's mappings, point
 * a job's buffer table entry at any device address, and reach the
 * device's fault injection and POWER registers. Unsafe by design; for
 * the guest tests only (Documentation/edgenpu/hardware.rst, "Driver test
 * hooks").
 */
#ifndef __ENPCI_DEBUGFS_H__
#define __ENPCI_DEBUGFS_H__

#include <linux/compiler.h>

#include "enpci_drv.h"

struct enpci_desc;
struct enpci_map;

void enpci_debugfs_register(void);
void enpci_debugfs_unregister(void);
void enpci_debugfs_init(struct enpci_device *npu);
void enpci_debugfs_fini(struct enpci_device *npu);
void enpci_debugfs_redirect(struct enpci_core *core,
			    struct enpci_buf_entry *buftab,
			    const struct enpci_map *map);
void enpci_debugfs_queue_fault(struct enpci_core *core, struct enpci_desc *d,
			       const struct enpci_map *map);

/*
 * Apply an armed redirect to the buffer table @buftab the core is about
 * to run. Nothing happens unless the test hooks are on.
 */
static inline void enpci_test_redirect(struct enpci_core *core,
				       struct enpci_buf_entry *buftab,
				       const struct enpci_map *map)
{
	if (unlikely(core->npu->test))
		enpci_debugfs_redirect(core, buftab, map);
}

/*
 * Apply an armed QUEUE_FAULT to ring entry @d, which the core's lock
 * keeps from the device until the doorbell. Nothing unless the test
 * hooks are on.
 */
static inline void enpci_test_queue_fault(struct enpci_core *core,
					  struct enpci_desc *d,
					  const struct enpci_map *map)
{
	if (unlikely(core->npu->test))
		enpci_debugfs_queue_fault(core, d, map);
}

#endif /* __ENPCI_DEBUGFS_H__ */
