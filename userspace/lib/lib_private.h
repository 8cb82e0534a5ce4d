/* SPDX-License-Identifier: MIT */
/*
 * libedgenpu's private exports: internal functions that libedgenpu.so
 * exports for the TensorFlow Lite delegate (libedgenpu-tflite.so) alone,
 * so that the delegate links the one shared library instead of carrying
 * a copy of it. They are not API: their names start with edgenpu__, no
 * public header declares them, and they may change in any release; the
 * delegate's package depends on libedgenpu1 of exactly its own version.
 * tests/host/lib/check-exports.sh checks that the library exports the
 * EDGENPU_API functions and these, nothing else.
 */
#ifndef EDGENPU_LIB_PRIVATE_H
#define EDGENPU_LIB_PRIVATE_H

#if defined(__GNUC__)
#define EDGENPU_PRIVATE __attribute__((visibility("default")))
#else
#define EDGENPU_PRIVATE
#endif

#endif
