/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The register map of the reference NPU's PCI device, as
 * Documentation/edgenpu/hardware.rst describes it. Every register is 32
 * bits; the driver reaches them only through enpci_read()/enpci_write()
 * and the per-core variants in enpci_drv.h.
 */
#ifndef __ENPCI_REGS_H__
#define __ENPCI_REGS_H__

#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/sizes.h>
#include <linux/types.h>

#define ENPCI_VENDOR_ID			0x1234
#define ENPCI_DEVICE_ID			0x4e50

/* Global registers (BAR0). */
#define ENPCI_ID			0x000
#define   ENPCI_ID_VALUE		0x4e505531
#define ENPCI_VERSION			0x004
#define   ENPCI_VERSION_MAJOR(v)	((v) >> 16)
#define ENPCI_FEATURES			0x008
#define   ENPCI_FEATURES_MMU		BIT(0)
#define   ENPCI_FEATURES_FAULT_INJ	BIT(1)
#define ENPCI_NUM_CORES			0x00c
#define ENPCI_OP_MASK_LO		0x010
#define ENPCI_OP_MASK_HI		0x014
#define ENPCI_QUEUE_DEPTH		0x018
#define ENPCI_SRAM_KIB			0x01c
#define ENPCI_TIMESTAMP_LO		0x020
#define ENPCI_TIMESTAMP_HI		0x024
#define ENPCI_IRQ_PENDING		0x030
#define ENPCI_RESET			0x040
#define ENPCI_POWER			0x044
#define   ENPCI_POWER_ON		0
#define   ENPCI_POWER_IDLE		1
#define   ENPCI_POWER_OFF		2
#define ENPCI_MMU_CTX_TABLE_LO		0x050
#define ENPCI_MMU_CTX_TABLE_HI		0x054
#define ENPCI_MMU_NUM_CTX		0x058
#define ENPCI_MMU_INVALIDATE		0x05c

/* The fault injection block (test only; FEATURES_FAULT_INJ). */
#define ENPCI_INJ_HANG			0x8000
#define ENPCI_INJ_FAIL			0x8004
#define ENPCI_INJ_CORRUPT		0x8008
#define ENPCI_INJ_LATENCY_US		0x800c

/* Per-core registers: core C's block is at ENPCI_CORE_BASE(C). */
#define ENPCI_CORE_BASE(c)		(0x1000 + (c) * 0x100)
#define ENPCI_Q_BASE_LO			0x00
#define ENPCI_Q_BASE_HI			0x04
#define ENPCI_Q_SIZE			0x08
#define ENPCI_Q_HEAD			0x0c
#define ENPCI_Q_TAIL			0x10
#define ENPCI_STATUS			0x14
#define   ENPCI_STATUS_BUSY		BIT(0)
#define   ENPCI_STATUS_IDLE_OFF		BIT(1)
#define ENPCI_IRQ_STATUS		0x18
#define ENPCI_IRQ_MASK			0x1c
#define   ENPCI_IRQ_DONE		BIT(0)
#define   ENPCI_IRQ_ERROR		BIT(1)
#define   ENPCI_IRQ_QUEUE_FAULT		BIT(2)
#define   ENPCI_IRQ_ALL			(ENPCI_IRQ_DONE | ENPCI_IRQ_ERROR | \
					 ENPCI_IRQ_QUEUE_FAULT)
#define ENPCI_CORE_RESET		0x20
#define ENPCI_FAULT_STATUS		0x24
#define ENPCI_FAULT_ADDR_LO		0x28
#define ENPCI_FAULT_ADDR_HI		0x2c
#define ENPCI_FAULT_INFO		0x30
#define   ENPCI_FAULT_INFO_OP(i)	((i) & 0xffff)
#define   ENPCI_FAULT_INFO_CODE(i)	((i) >> 16)
#define ENPCI_JOBS_DONE			0x34

/* FAULT_STATUS and completion record status codes. */
#define ENPCI_FAULT_NONE		0
#define ENPCI_FAULT_TRANSLATION		1
#define ENPCI_FAULT_PERMISSION		2
#define ENPCI_FAULT_DESCRIPTOR		3
#define ENPCI_FAULT_ENGINE		4
#define ENPCI_FAULT_OPMASK		5

/* Descriptor flags. */
#define ENPCI_DESC_PROFILE		BIT(0)

/* Buffer table entry flags (the command stream's access bits). */
#define ENPCI_BUF_READ			BIT(0)
#define ENPCI_BUF_WRITE			BIT(1)

/* Device MMU: context table entries and page table entries. */
#define ENPCI_CTX_VALID			BIT_ULL(0)
#define ENPCI_PTE_VALID			BIT_ULL(0)
#define ENPCI_PTE_READ			BIT_ULL(1)
#define ENPCI_PTE_WRITE			BIT_ULL(2)
#define ENPCI_PTE_ADDR_MASK		GENMASK_ULL(51, 12)
#define ENPCI_VA_BITS			39
#define ENPCI_PT_ENTRIES		512
#define ENPCI_PAGE_SIZE			4096

/**
 * struct enpci_desc - a descriptor ring entry
 * @ctx: MMU context id of the job's buffers
 * @flags: ENPCI_DESC_*
 * @cmd_addr: bus address of the command stream
 * @cmd_size: its size in bytes
 * @num_buffers: entries in the buffer table
 * @buftab_addr: bus address of the buffer table
 * @profile_addr: bus address of the profile area
 * @done_addr: bus address of the completion record
 * @seqno: copied into the completion record
 * @reserved: 0
 */
struct enpci_desc {
	__le32 ctx;
	__le32 flags;
	__le64 cmd_addr;
	__le32 cmd_size;
	__le32 num_buffers;
	__le64 buftab_addr;
	__le64 profile_addr;
	__le64 done_addr;
	__le64 seqno;
	__le64 reserved;
};

/**
 * struct enpci_done - a completion record, written by the device
 * @seqno: the descriptor's seqno
 * @status: 0, or the ENPCI_FAULT_* code
 * @info: FAULT_INFO of the failure
 * @start_ns: TIMESTAMP when the job started
 * @end_ns: TIMESTAMP when it ended
 */
struct enpci_done {
	__le64 seqno;
	__le32 status;
	__le32 info;
	__le64 start_ns;
	__le64 end_ns;
};

/**
 * struct enpci_buf_entry - a buffer table entry
 * @va: the buffer's device virtual address in the job's context
 * @size: its size in bytes
 * @flags: ENPCI_BUF_*
 */
struct enpci_buf_entry {
	__le64 va;
	__le32 size;
	__le32 flags;
};

static_assert(sizeof(struct enpci_desc) == 64);
static_assert(sizeof(struct enpci_done) == 32);
static_assert(sizeof(struct enpci_buf_entry) == 16);

#define ENPCI_MAX_CMD_SIZE		SZ_1M
#define ENPCI_MAX_BUFFERS		256

#endif /* __ENPCI_REGS_H__ */
