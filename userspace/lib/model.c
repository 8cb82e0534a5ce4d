// SPDX-License-Identifier: MIT
/*
 * libedgenpu: model objects (a verified TFLite flatbuffer).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model_internal.h"

#define MODEL_MAX_FILE	((size_t)1 << 31)

static void set_err(char *err, size_t errlen, const char *fmt, const char *a,
		    const char *b)
{
	if (err && errlen)
		snprintf(err, errlen, fmt, a, b);
}

int edgenpu_model_load_memory(const void *data, size_t size, const char *name,
			      struct edgenpu_model **out, char *err,
			      size_t errlen)
{
	struct edgenpu_model *m;
	char msg[256];
	int ret;

	if (err && errlen)
		err[0] = 0;
	if (!out || (!data && size))
		return -EINVAL;
	*out = NULL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->refs = 1;
	snprintf(m->name, sizeof(m->name), "%s", name ? name : "model");
	ret = edgenpu__tfl_parse(data, size, &m->m, msg, sizeof(msg));
	if (ret) {
		set_err(err, errlen, "%s: %s", m->name, msg);
		free(m);
		return ret;
	}
	*out = m;
	return 0;
}

int edgenpu__model_wrap(struct tfl_model *tm, const char *name,
			struct edgenpu_model **out)
{
	struct edgenpu_model *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	m->refs = 1;
	snprintf(m->name, sizeof(m->name), "%s", name ? name : "model");
	m->m = *tm;
	memset(tm, 0, sizeof(*tm));
	*out = m;
	return 0;
}

int edgenpu_model_load_file(const char *path, struct edgenpu_model **out,
			    char *err, size_t errlen)
{
	struct stat st;
	const char *base;
	uint8_t *buf;
	size_t got = 0;
	int fd, ret;

	if (err && errlen)
		err[0] = 0;
	if (!path || !out)
		return -EINVAL;
	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		set_err(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size > MODEL_MAX_FILE) {
		set_err(err, errlen, "%s: %s", path,
			"not a regular file of at most 2 GiB");
		close(fd);
		return -EINVAL;
	}
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			set_err(err, errlen, "%s: read failed: %s", path,
				strerror(-ret));
			free(buf);
			close(fd);
			return ret;
		}
		got += (size_t)n;
	}
	close(fd);
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	ret = edgenpu_model_load_memory(buf, got, base, out, err, errlen);
	free(buf);
	return ret;
}

struct edgenpu_model *edgenpu_model_ref(struct edgenpu_model *model)
{
	if (model)
		model->refs++;
	return model;
}

void edgenpu_model_unref(struct edgenpu_model *model)
{
	if (!model || --model->refs > 0)
		return;
	edgenpu__tfl_free(&model->m);
	free(model);
}

const char *edgenpu_model_name(const struct edgenpu_model *model)
{
	return model ? model->name : NULL;
}

size_t edgenpu_model_num_inputs(const struct edgenpu_model *model)
{
	return model ? model->m.nin : 0;
}

size_t edgenpu_model_num_outputs(const struct edgenpu_model *model)
{
	return model ? model->m.nout : 0;
}

size_t edgenpu_model_num_ops(const struct edgenpu_model *model)
{
	return model ? model->m.nops : 0;
}

const char *edgenpu_model_op_name(const struct edgenpu_model *model,
				  size_t index)
{
	if (!model || index >= model->m.nops)
		return NULL;
	return edgenpu__tfl_builtin_name(model->m.ops[index].builtin);
}

static int dtype_of(int type)
{
	switch (type) {
	case TFL_INT8:
		return EDGENPU_DT_INT8;
	case TFL_UINT8:
		return EDGENPU_DT_UINT8;
	case TFL_INT16:
		return EDGENPU_DT_INT16;
	case TFL_INT32:
		return EDGENPU_DT_INT32;
	case TFL_FLOAT32:
		return EDGENPU_DT_FLOAT32;
	default:
		return EDGENPU_DT_OTHER;
	}
}

static int tensor_info(const struct edgenpu_model *model, int32_t ti,
		       struct edgenpu_tensor_info *info)
{
	const struct tfl_tensor *t = &model->m.tensors[ti];
	int k;

	memset(info, 0, sizeof(*info));
	snprintf(info->name, sizeof(info->name), "%s", t->name);
	info->rank = (uint32_t)t->rank;
	for (k = 0; k < t->rank; k++)
		info->shape[k] = t->shape[k];
	info->dtype = dtype_of(t->type);
	if (t->nscale) {
		info->scale = t->scales[0];
		info->zero_point = (int32_t)t->zero_points[0];
	}
	info->size = (size_t)t->count * (size_t)edgenpu__tfl_type_size(t->type);
	return 0;
}

int edgenpu_model_input_info(const struct edgenpu_model *model, size_t index,
			     struct edgenpu_tensor_info *info)
{
	if (!model || !info || index >= model->m.nin)
		return -EINVAL;
	return tensor_info(model, model->m.inputs[index], info);
}

int edgenpu_model_output_info(const struct edgenpu_model *model, size_t index,
			      struct edgenpu_tensor_info *info)
{
	if (!model || !info || index >= model->m.nout)
		return -EINVAL;
	return tensor_info(model, model->m.outputs[index], info);
}
