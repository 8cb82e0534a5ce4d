/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The cores' descriptor rings, doorbells, completion interrupts and
 * resets.
 */
#ifndef __ENPCI_QUEUE_H__
#define __ENPCI_QUEUE_H__

#include <linux/interrupt.h>

struct edgenpu_job;
struct enpci_core;
struct enpci_device;
struct enpci_map;

int enpci_queue_init(struct enpci_device *npu);
void enpci_queue_hw_init(struct enpci_core *core);
void enpci_queue_run(struct enpci_core *core, struct edgenpu_job *job,
		     const struct enpci_map *map);
void enpci_queue_reset(struct enpci_core *core);
irqreturn_t enpci_queue_irq(int irq, void *data);

#endif /* __ENPCI_QUEUE_H__ */
