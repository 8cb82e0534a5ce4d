// SPDX-License-Identifier: GPL-2.0-only
/*
 * edgenpu hang accounting: every job that timed out counts against its
 * file and its user. A file that hung ban_after_hangs jobs may submit no
 * more; a user who hung user_hang_limit jobs within user_hang_window_s is
 * refused on every file until the window ends, so that reopening the
 * device does not undo the ban. See Documentation/edgenpu/security.rst.
 */

#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

#include <kunit/visibility.h>

#include "edgenpu_device.h"
#include "edgenpu_file.h"
#include "edgenpu_hang.h"

static unsigned int ban_after_hangs = 3;
module_param(ban_after_hangs, uint, 0644);
MODULE_PARM_DESC(ban_after_hangs,
		 "Hung jobs after which a file may submit no more (default 3, 0 = never)");

static unsigned int user_hang_limit = 4;
module_param(user_hang_limit, uint, 0644);
MODULE_PARM_DESC(user_hang_limit,
		 "Hung jobs of one user within user_hang_window_s after which none of the user's files may submit (default 4, 0 = never)");

/* Bumped by every write of user_hang_window_s: forgets all records. */
static atomic_t edgenpu_hang_epoch = ATOMIC_INIT(0);
static unsigned int user_hang_window_s = 60;

static int edgenpu_set_hang_window(const char *val,
				   const struct kernel_param *kp)
{
	int ret = param_set_uint(val, kp);

	if (!ret)
		atomic_inc(&edgenpu_hang_epoch);
	return ret;
}

static const struct kernel_param_ops edgenpu_hang_window_ops = {
	.set = edgenpu_set_hang_window,
	.get = param_get_uint,
};
module_param_cb(user_hang_window_s, &edgenpu_hang_window_ops,
		&user_hang_window_s, 0644);
MODULE_PARM_DESC(user_hang_window_s,
		 "Seconds a user's hangs are remembered (default 60); writing it forgets every record");

/* Find @uid's record, or recycle the stalest one. Under hang_lock. */
static struct edgenpu_hang_user *edgenpu_hang_slot(struct edgenpu_device *edev,
						   kuid_t uid)
{
	struct edgenpu_hang_user *h, *old = &edev->hang_users[0];
	u32 i;

	for (i = 0; i < EDGENPU_HANG_USERS; i++) {
		h = &edev->hang_users[i];
		if (h->count && uid_eq(h->uid, uid))
			return h;
		if (!h->count || time_before(h->since, old->since))
			old = h;
	}
	old->uid = uid;
	old->count = 0;
	return old;
}

/* Is record @h still in force? Under hang_lock. */
static bool edgenpu_hang_live(const struct edgenpu_hang_user *h)
{
	return h->count && h->epoch == atomic_read(&edgenpu_hang_epoch) &&
	       time_before(jiffies, h->since + READ_ONCE(user_hang_window_s) * HZ);
}

/**
 * edgenpu_hang_note() - count a hang against its file and its user
 * @edev: the device
 * @efile: the file of the job that hung, or NULL
 *
 * Called before the job's fence signals, so that a SUBMIT after the last
 * allowed hang sees the ban.
 */
void edgenpu_hang_note(struct edgenpu_device *edev, struct edgenpu_file *efile)
{
	unsigned int limit = READ_ONCE(ban_after_hangs);
	struct edgenpu_hang_user *h;
	unsigned long flags;

	if (!efile)
		return;
	if (atomic_inc_return(&efile->hangs) >= limit && limit)
		WRITE_ONCE(efile->banned, true);
	spin_lock_irqsave(&edev->hang_lock, flags);
	h = edgenpu_hang_slot(edev, efile->uid);
	if (!edgenpu_hang_live(h)) {
		h->count = 0;
		h->since = jiffies;
		h->epoch = atomic_read(&edgenpu_hang_epoch);
	}
	h->count++;
	spin_unlock_irqrestore(&edev->hang_lock, flags);
}

static bool edgenpu_user_banned(struct edgenpu_device *edev, kuid_t uid)
{
	unsigned int limit = READ_ONCE(user_hang_limit);
	unsigned long flags;
	bool banned = false;
	u32 i;

	if (!limit)
		return false;
	spin_lock_irqsave(&edev->hang_lock, flags);
	for (i = 0; i < EDGENPU_HANG_USERS; i++) {
		struct edgenpu_hang_user *h = &edev->hang_users[i];

		if (uid_eq(h->uid, uid) && edgenpu_hang_live(h) &&
		    h->count >= limit)
			banned = true;
	}
	spin_unlock_irqrestore(&edev->hang_lock, flags);
	return banned;
}

/**
 * edgenpu_file_check_ban() - may this file submit?
 * @efile: the file
 *
 * Return: 0, or -EIO when the file hung ban_after_hangs jobs or its user
 * hung user_hang_limit jobs within user_hang_window_s (LAST_ERROR says
 * which).
 */
int edgenpu_file_check_ban(struct edgenpu_file *efile)
{
	const char *why = NULL;

	if (READ_ONCE(efile->banned))
		why = "banned: this file's jobs hung too often";
	else if (edgenpu_user_banned(efile->edev, efile->uid))
		why = "banned for a while: this user's jobs hung too often";
	if (!why)
		return 0;
	edgenpu_file_set_error(efile, -EIO, why, 0);
	return -EIO;
}
EXPORT_SYMBOL_IF_KUNIT(edgenpu_file_check_ban);
