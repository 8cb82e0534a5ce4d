/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef __EDGENPU_VNPU_H__
#define __EDGENPU_VNPU_H__

#include "../edgenpu_backend.h"

extern const struct edgenpu_backend_driver vnpu_backend_driver;

#endif /* __EDGENPU_VNPU_H__ */
