/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef __EDGENPU_VNPU_H__
#define __EDGENPU_VNPU_H__

int vnpu_init(void);
void vnpu_exit(void);

#endif /* __EDGENPU_VNPU_H__ */
