// SPDX-License-Identifier: MIT
/*
 * libedgenpu: the command-stream writer (the builder: hand-made jobs use
 * it through the API, the planner through the internal calls of
 * model_internal.h), and the engine's own validator in userspace, so that
 * a stream can be checked (with the kernel's exact message) before it is
 * submitted.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <drm/edgenpu_cmdstream.h>

#include "edgenpu.h"
#include "model_internal.h"

struct edgenpu_cmd_builder {
	int refs;
	uint8_t *buf;		/* header, then the ops */
	size_t size, cap;
	uint32_t nops;
};

static void cmd_header_init(struct edgenpu_cmd_header *h, uint32_t op_count,
			    uint64_t total_size)
{
	memset(h, 0, sizeof(*h));
	h->magic = EDGENPU_CMD_MAGIC;
	h->version_major = EDGENPU_CMD_VERSION_MAJOR;
	h->version_minor = EDGENPU_CMD_VERSION_MINOR;
	h->header_size = sizeof(*h);
	h->op_count = op_count;
	h->total_size = total_size;
}

int edgenpu_cmd_builder_create(struct edgenpu_cmd_builder **out)
{
	struct edgenpu_cmd_builder *b;

	if (!out)
		return -EINVAL;
	*out = NULL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->refs = 1;
	b->cap = 4096;
	b->buf = calloc(1, b->cap);
	if (!b->buf) {
		free(b);
		return -ENOMEM;
	}
	b->size = sizeof(struct edgenpu_cmd_header);
	*out = b;
	return 0;
}

struct edgenpu_cmd_builder *edgenpu_cmd_builder_ref(struct edgenpu_cmd_builder *b)
{
	if (b)
		b->refs++;
	return b;
}

void edgenpu_cmd_builder_unref(struct edgenpu_cmd_builder *b)
{
	if (!b || --b->refs > 0)
		return;
	free(b->buf);
	free(b);
}

int edgenpu__grow_zeroed(uint8_t **buf, size_t *cap, size_t need)
{
	size_t ncap = *cap ? *cap : 4096;
	uint8_t *nb;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	nb = realloc(*buf, ncap);
	if (!nb)
		return -ENOMEM;
	memset(nb + *cap, 0, ncap - *cap);
	*buf = nb;
	*cap = ncap;
	return 0;
}

static int reserve(struct edgenpu_cmd_builder *b, size_t more)
{
	if (b->size + more > EDGENPU_CMD_MAX_SIZE)
		return -E2BIG;
	return edgenpu__grow_zeroed(&b->buf, &b->cap, b->size + more);
}

int edgenpu_cmd_builder_add_op(struct edgenpu_cmd_builder *b, uint32_t opcode,
			       uint32_t flags, int32_t act_min, int32_t act_max,
			       const void *params, uint32_t params_size,
			       const struct edgenpu_cmd_tensor *tensors,
			       uint32_t num_tensors)
{
	struct edgenpu_cmd_op op;
	size_t size;
	int ret;

	if (!b || opcode > UINT16_MAX || num_tensors > EDGENPU_CMD_MAX_TENSORS ||
	    (params_size && !params) || (num_tensors && !tensors) ||
	    params_size % 8 || params_size > EDGENPU_CMD_MAX_PARAMS_SIZE)
		return -EINVAL;
	if (b->nops == EDGENPU_CMD_MAX_OPS)
		return -E2BIG;
	size = sizeof(op) + params_size +
	       (size_t)num_tensors * sizeof(struct edgenpu_cmd_tensor);
	ret = reserve(b, size);
	if (ret)
		return ret;
	memset(&op, 0, sizeof(op));
	op.size = (uint32_t)size;
	op.opcode = (uint16_t)opcode;
	op.num_tensors = (uint16_t)num_tensors;
	op.params_size = params_size;
	op.tensor_size = sizeof(struct edgenpu_cmd_tensor);
	op.flags = flags;
	op.act_min = act_min;
	op.act_max = act_max;
	memcpy(b->buf + b->size, &op, sizeof(op));
	if (params_size)
		memcpy(b->buf + b->size + sizeof(op), params, params_size);
	if (num_tensors)
		memcpy(b->buf + b->size + sizeof(op) + params_size, tensors,
		       num_tensors * sizeof(*tensors));
	b->size += size;
	b->nops++;
	return 0;
}

int edgenpu_cmd_builder_stream(struct edgenpu_cmd_builder *b,
			       const void **stream, size_t *size)
{
	struct edgenpu_cmd_header h;

	if (!b || !stream || !size)
		return -EINVAL;
	if (!b->buf && reserve(b, 0))
		return -ENOMEM;
	cmd_header_init(&h, b->nops, b->size);
	memcpy(b->buf, &h, sizeof(h));
	*stream = b->buf;
	*size = b->size;
	return 0;
}

void edgenpu__cmd_builder_reset(struct edgenpu_cmd_builder *b)
{
	b->size = sizeof(struct edgenpu_cmd_header);
	b->nops = 0;
}

int edgenpu__cmd_builder_take(struct edgenpu_cmd_builder *b,
			      uint8_t **stream, size_t *size)
{
	const void *s;
	int ret = edgenpu_cmd_builder_stream(b, &s, size);

	if (ret)
		return ret;
	*stream = b->buf;
	/* The next op makes a new buffer (the header's bytes included). */
	b->buf = NULL;
	b->cap = 0;
	edgenpu__cmd_builder_reset(b);
	return 0;
}

int edgenpu_cmd_validate(const void *stream, size_t size,
			 struct edgenpu_bo *const *bufs, const uint32_t *buf_flags,
			 uint32_t nbufs, int32_t *op_index, char *err,
			 size_t errlen)
{
	struct edgenpu_engine_buffer eb[EDGENPU_CMD_MAX_BUFFERS];
	struct edgenpu_engine_error e;
	void *scratch;
	uint32_t i;
	int ret;

	if (err && errlen)
		err[0] = 0;
	if (op_index)
		*op_index = -1;
	if (!stream || nbufs > EDGENPU_CMD_MAX_BUFFERS || (nbufs && (!bufs || !buf_flags)))
		return -EINVAL;
	memset(eb, 0, sizeof(eb));
	for (i = 0; i < nbufs; i++) {
		if (!bufs[i])
			return -EINVAL;
		eb[i].ptr = edgenpu_bo_map(bufs[i]);
		if (!eb[i].ptr)
			return -ENOMEM;
		eb[i].size = edgenpu_bo_size(bufs[i]);
		eb[i].flags = buf_flags[i];
	}
	scratch = aligned_alloc(64, EDGENPU_ENGINE_SCRATCH_SIZE);
	if (!scratch)
		return -ENOMEM;
	memset(&e, 0, sizeof(e));
	ret = edgenpu_engine_validate(stream, size, eb, nbufs, scratch,
				      EDGENPU_ENGINE_SCRATCH_SIZE, &e);
	free(scratch);
	if (ret) {
		if (op_index)
			*op_index = e.op_index;
		if (err && errlen)
			snprintf(err, errlen, "%s", e.msg);
	}
	return ret;
}
