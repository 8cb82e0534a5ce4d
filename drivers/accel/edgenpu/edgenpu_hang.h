/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Hang accounting: hung jobs counted per file and per user, and the
 * bans they lead to.
 */
#ifndef __EDGENPU_HANG_H__
#define __EDGENPU_HANG_H__

struct edgenpu_device;
struct edgenpu_file;

void edgenpu_hang_note(struct edgenpu_device *edev, struct edgenpu_file *efile);
int edgenpu_file_check_ban(struct edgenpu_file *efile);

#endif /* __EDGENPU_HANG_H__ */
