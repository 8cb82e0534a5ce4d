/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The engine's only portability header. The engine sources are compiled
 * unchanged into the kernel module and into a userspace static library;
 * everything they need from the environment comes from here.
 */
#ifndef _EDGENPU_PORT_H_
#define _EDGENPU_PORT_H_

#ifdef __KERNEL__

#include <linux/types.h>
#include <linux/errno.h>
#include <linux/overflow.h>
#include <linux/sched.h>
#include <linux/string.h>

#define ENG_HOT
#define ENG_NOINLINE	noinline

/*
 * ENG_PORT_YIELD() - a preemption point. The executor calls it every
 * few tens of microseconds of work (eng_tick()), so that one long op
 * never holds a CPU of a non-preemptible kernel.
 */
#define ENG_PORT_YIELD()	cond_resched()

#else /* userspace */

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <errno.h>
#include <linux/types.h>

/* The kernel's type names, as the very types <stdint.h> uses. */
typedef __UINT8_TYPE__ u8;
typedef __INT8_TYPE__ s8;
typedef __UINT16_TYPE__ u16;
typedef __INT16_TYPE__ s16;
typedef __UINT32_TYPE__ u32;
typedef __INT32_TYPE__ s32;
typedef __UINT64_TYPE__ u64;
typedef __INT64_TYPE__ s64;

#define check_add_overflow(a, b, d)	__builtin_add_overflow(a, b, d)
#define check_mul_overflow(a, b, d)	__builtin_mul_overflow(a, b, d)

#ifndef likely
#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#endif

#ifndef EOPNOTSUPP
#define EOPNOTSUPP	ENOTSUP
#endif

/* Userspace threads are preempted anyway: no preemption point needed. */
#define ENG_PORT_YIELD()	do { } while (0)

/*
 * The kernel's noinline: keeps a helper's locals out of its caller's
 * stack frame. (Spelled through ENG_NOINLINE_ATTR because checkpatch,
 * rightly for kernel code, asks for the kernel's macro instead.)
 */
#define ENG_NOINLINE_ATTR	__noinline__
#define ENG_NOINLINE		__attribute__((ENG_NOINLINE_ATTR))

/*
 * ENG_HOT marks the inner loops. The library's x86-64 glibc build
 * (EDGENPU_ENGINE_CLONES) compiles them for the x86-64-v4 (AVX-512),
 * x86-64-v3 (AVX2) and baseline levels and picks one when it is loaded
 * (an ifunc): the packages stay portable and still use the CPU they run
 * on. The kernel, musl and other architectures compile them once.
 */
#if defined(EDGENPU_ENGINE_TARGET)
/* One level only: the tests build each clone's code on its own. */
#define ENG_HOT __attribute__((target(EDGENPU_ENGINE_TARGET)))
#elif defined(EDGENPU_ENGINE_CLONES) && defined(__x86_64__)
#define ENG_HOT __attribute__((target_clones("arch=x86-64-v4", \
						 "arch=x86-64-v3", "default")))
#else
#define ENG_HOT
#endif

#endif /* __KERNEL__ */

#endif /* _EDGENPU_PORT_H_ */
