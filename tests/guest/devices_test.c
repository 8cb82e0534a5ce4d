// SPDX-License-Identifier: MIT
/*
 * `accel-run devices` (and `accel-run doctor`) name the backend of every
 * device: "pci" for the reference NPU on PCI
 * (Documentation/edgenpu/hardware.rst), "vnpu" for the module's
 * in-kernel virtual NPU. The oracle is sysfs: the driver
 * bound to each accel node's parent device (edgenpu-pci, with the NPU's
 * PCI IDs, or edgenpu-vnpu, a platform driver).
 *
 * usage: edgenpu-devices-test   (accel-run on PATH)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest_util.h"
#include "tap.h"

#define OUT_MAX		(64 * 1024)

/*
 * The standard output of @cmd, NUL-terminated; NULL if it could not run
 * or, with @must_succeed, exited non-zero.
 */
static char *command_output(const char *cmd, int must_succeed)
{
	FILE *p = popen(cmd, "r");
	char *out = calloc(1, OUT_MAX);
	size_t n = 0;
	int status;

	if (!p || !out) {
		if (p)
			pclose(p);
		free(out);
		return NULL;
	}
	while (n < OUT_MAX - 1) {
		size_t got = fread(out + n, 1, OUT_MAX - 1 - n, p);

		if (!got)
			break;
		n += got;
	}
	status = pclose(p);
	if (!WIFEXITED(status) || (must_succeed && WEXITSTATUS(status))) {
		printf("# %s: status 0x%x\n", cmd, status);
		free(out);
		return NULL;
	}
	return out;
}

/* A sysfs number such as "0x1234", or -1. */
static long read_hex(const char *path)
{
	char buf[32] = { 0 };
	FILE *f = fopen(path, "r");
	int ok = f && fgets(buf, sizeof(buf), f);

	if (f)
		fclose(f);
	return ok ? strtol(buf, NULL, 0) : -1;
}

/*
 * The backend sysfs says @node (accelN) has: "pci" or "vnpu" from the
 * driver of its parent device, NULL for another driver's accel device.
 */
static const char *sysfs_backend(const char *node)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *drv;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s/device/driver", gu_class_dir(), node);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return NULL;
	link[n] = 0;
	drv = basename(link);
	if (!strcmp(drv, "edgenpu-vnpu"))
		return "vnpu";
	if (strcmp(drv, "edgenpu-pci"))
		return NULL;
	/* Bound to the PCI driver: the reference NPU's IDs (hardware.rst). */
	snprintf(path, sizeof(path), "%s/%s/device/vendor", gu_class_dir(), node);
	if (read_hex(path) != 0x1234)
		return "(not the reference NPU's vendor)";
	snprintf(path, sizeof(path), "%s/%s/device/device", gu_class_dir(), node);
	if (read_hex(path) != 0x4e50)
		return "(not the reference NPU's device)";
	return "pci";
}

/* The line of @out that names /dev/accel/@node (or /dev/dri/), into @line. */
static void device_line(const char *out, const char *node, char *line,
			size_t size)
{
	char key[96];
	const char *p, *start;

	snprintf(key, sizeof(key), "%s/%s: ", gu_dev_dir(), node);
	p = out ? strstr(out, key) : NULL;
	if (!p)
		return;
	for (start = p; start > out && start[-1] != '\n'; start--)
		;
	snprintf(line, size, "%.*s", (int)strcspn(start, "\n"), start);
}

/* Check @node's lines; counts it in @seen_pci or @seen_vnpu. */
static void check_node(struct tap *t, const char *devices, const char *doctor,
		       const char *node, int *seen_pci, int *seen_vnpu)
{
	const char *want = sysfs_backend(node);
	char line[256] = "", expect[64];

	if (!want)
		return;
	snprintf(expect, sizeof(expect), "(backend %s)", want);
	device_line(devices, node, line, sizeof(line));
	tap_check(t, strstr(line, expect) != NULL,
		  "devices: %s (sysfs: %s) is shown with %s: '%s'", node, want,
		  expect, line);
	line[0] = 0;
	device_line(doctor, node, line, sizeof(line));
	tap_check(t, strstr(line, expect) != NULL,
		  "doctor: %s is shown with %s: '%s'", node, expect, line);
	*seen_pci += !strcmp(want, "pci");
	*seen_vnpu += !strcmp(want, "vnpu");
}

int main(void)
{
	struct tap t = { 0 };
	int seen_pci = 0, seen_vnpu = 0;
	DIR *d = opendir(gu_class_dir());
	struct dirent *e;
	char *out = command_output("accel-run devices", 1);
	char *doctor = command_output("accel-run doctor", 0);

	tap_check(&t, out != NULL, "accel-run devices succeeds");
	while (out && d && (e = readdir(d)))
		if (!strncmp(e->d_name, gu_node_prefix(), strlen(gu_node_prefix())))
			check_node(&t, out, doctor, e->d_name, &seen_pci,
				   &seen_vnpu);
	if (d)
		closedir(d);
	if (!seen_pci)
		tap_skip(&t, "no PCI NPU", "a PCI NPU's backend is pci");
	if (!seen_vnpu)
		tap_skip(&t, "no vnpu", "a vnpu's backend is vnpu");
	free(out);
	free(doctor);
	return tap_done(&t);
}
