/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The PCI backend's section of a crash dump: the device's registers and
 * the hung core's queue, read before the core is reset.
 */
#ifndef __ENPCI_DUMP_H__
#define __ENPCI_DUMP_H__

#include <linux/types.h>

size_t enpci_dump(void *priv, unsigned int core, char *buf, size_t size);

#endif /* __ENPCI_DUMP_H__ */
