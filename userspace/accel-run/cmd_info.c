// SPDX-License-Identifier: MIT
/*
 * accel-run info: a model's inputs and outputs, where each op runs, the
 * jobs of one inference and the memory plan.
 */
#define _GNU_SOURCE
#include <stdio.h>

#include "accel-run.h"
#include "device.h"
#include "model.h"
#include "options.h"
#include "print.h"

static void print_io(const struct edgenpu_model *m)
{
	struct edgenpu_tensor_info t;
	size_t i;

	printf("model: %s (%zu ops)\n", edgenpu_model_name(m),
	       edgenpu_model_num_ops(m));
	printf("inputs:\n");
	for (i = 0; i < edgenpu_model_num_inputs(m); i++) {
		edgenpu_model_input_info(m, i, &t);
		ar_print_tensor(i, &t);
	}
	printf("outputs:\n");
	for (i = 0; i < edgenpu_model_num_outputs(m); i++) {
		edgenpu_model_output_info(m, i, &t);
		ar_print_tensor(i, &t);
	}
}

/* A model that cannot be planned still shows its ops, by name. */
static void print_op_names(const struct edgenpu_model *m)
{
	size_t i;

	printf("ops:\n");
	for (i = 0; i < edgenpu_model_num_ops(m); i++)
		printf("  %3zu %s\n", i, edgenpu_model_op_name(m, i));
}

static void print_ops(const struct edgenpu_plan *p, int on_device)
{
	struct edgenpu_op_info oi;
	size_t i;

	printf("placement: %s\n", on_device ?
	       "for the device's op_mask" :
	       "every engine op available (--device cpu: the CPU executor runs all segments)");
	printf("ops:\n");
	for (i = 0; i < edgenpu_plan_num_ops(p); i++) {
		edgenpu_plan_op_info(p, i, &oi);
		printf("  %3zu %-18s -> %-18s %s  %s\n", i, oi.name,
		       oi.engine_name,
		       oi.placement == EDGENPU_PLACE_NPU ? "NPU" : "CPU",
		       oi.reason);
	}
}

static void print_segments(const struct edgenpu_plan *p,
			   const struct edgenpu_plan_stats *st)
{
	struct edgenpu_plan_segment s;
	size_t i;

	printf("cost: %llu units per inference\n", (unsigned long long)st->cost);
	printf("jobs per inference: %u (%u on the NPU, %u on the CPU executor)\n",
	       st->num_segments, st->num_npu_segments,
	       st->num_segments - st->num_npu_segments);
	printf("segments (one job each, in order):\n");
	for (i = 0; i < edgenpu_plan_num_segments(p); i++) {
		edgenpu_plan_segment(p, i, &s);
		printf("  %zu %s %u ops, %llu cost units, %zu-byte command stream: %s\n",
		       i, s.placement == EDGENPU_PLACE_NPU ? "NPU" : "CPU",
		       s.num_ops, (unsigned long long)s.cost, s.stream_size,
		       s.reason);
	}
}

static void print_kib(const char *what, uint64_t bytes)
{
	printf("  %-22s %10llu bytes (%.1f KiB)\n", what,
	       (unsigned long long)bytes, (double)bytes / 1024);
}

static void print_memory(const struct edgenpu_plan *p,
			 const struct edgenpu_plan_stats *st)
{
	printf("memory plan (%zu buffers, allocated once):\n",
	       edgenpu_plan_num_buffers(p));
	print_kib("weights (read-only)", st->weights_bytes);
	print_kib("scratch (shared)", st->scratch_bytes);
	printf("  %-22s %10llu bytes in %u tensors without reuse\n",
	       "intermediates", (unsigned long long)st->intermediate_bytes,
	       st->num_intermediates);
	print_kib("inputs", st->input_bytes);
	print_kib("outputs", st->output_bytes);
	print_kib("command streams", st->stream_bytes);
	print_kib("executor scratch", st->engine_scratch_bytes);
	print_kib("total", st->weights_bytes + st->scratch_bytes +
		  st->input_bytes + st->output_bytes + st->stream_bytes +
		  st->engine_scratch_bytes);
}

/* Plan @m and print the plan; a model that cannot be planned, its ops. */
static int plan_and_print(struct edgenpu_model *m, uint64_t mask,
			  const struct edgenpu_plan_limits *lim, int on_device)
{
	struct edgenpu_plan_stats st;
	struct edgenpu_plan *p;
	char err[512];
	int ret;

	ret = edgenpu_plan_create_limits(m, mask, 0, lim, &p, err, sizeof(err));
	if (ret) {
		print_op_names(m);
		fprintf(stderr, "accel-run: %s\n", err);
		return ar_plan_exit(ret);
	}
	print_ops(p, on_device);
	edgenpu_plan_get_stats(p, &st);
	print_segments(p, &st);
	print_memory(p, &st);
	edgenpu_plan_unref(p);
	return 0;
}

int cmd_info(int argc, char **argv)
{
	struct edgenpu_device *dev = NULL;
	struct edgenpu_model *m = NULL;
	struct edgenpu_plan_limits lim;
	struct ar_options o;
	uint64_t mask;
	int ret;

	ret = ar_options_parse(AR_CMD_INFO, argc, argv, &o);
	if (ret || o.help)
		return ret;
	/* Without --device: planned for the CPU, every engine op available. */
	ret = ar_device_open(o.device, 0, &dev, &mask, &lim);
	if (ret)
		goto out;
	ret = ar_model_load(o.model, &m);
	if (ret)
		goto out;
	print_io(m);
	ret = plan_and_print(m, mask, &lim, dev != NULL);
out:
	edgenpu_model_unref(m);
	edgenpu_device_unref(dev);
	return ret;
}
