// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * libFuzzer target: arbitrary command streams and buffer tables through
 * edgenpu_engine_validate() and edgenpu_engine_run() under ASan/UBSan.
 *
 * Input layout (see mkcorpus.c, which writes valid seeds):
 *   u8 nbufs (taken modulo EDGENPU_FUZZ_MAXBUF + 1)
 *   nbufs x { u16 size (little endian, modulo 8193); u8 flags }
 *   u8 scratch selector (bit 0: give only a small scratch)
 *   remaining bytes: the command stream
 * Each buffer is its own exact-size allocation so that any access outside
 * the validated ranges is an ASan report; buffer contents are a fixed
 * pseudo-random pattern. Validation must give the same verdict when the
 * buffer table carries no pointers at all (the kernel validates before it
 * maps anything); a valid job then runs, through edgenpu_engine_run() or,
 * for odd-sized inputs, edgenpu_engine_execute().
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "edgenpu_engine.h"

#define EDGENPU_FUZZ_MAXBUF 8

static void *scratch;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct edgenpu_engine_buffer bufs[EDGENPU_FUZZ_MAXBUF];
	struct edgenpu_engine_buffer nomem[EDGENPU_FUZZ_MAXBUF];
	struct edgenpu_engine_error err, err2;
	void *mem[EDGENPU_FUZZ_MAXBUF] = { 0 };
	uint32_t nb, i;
	int ret;
	size_t pos = 0;
	uint64_t ssize = EDGENPU_ENGINE_SCRATCH_SIZE;
	uint8_t *stream;

	if (!scratch)
		scratch = aligned_alloc(64, EDGENPU_ENGINE_SCRATCH_SIZE);
	if (size < 2)
		return 0;
	nb = data[pos++] % (EDGENPU_FUZZ_MAXBUF + 1);
	if (size < pos + 3 * nb + 1)
		return 0;
	for (i = 0; i < nb; i++) {
		uint32_t sz = (data[pos] | (uint32_t)data[pos + 1] << 8) % 8193;
		uint32_t k;

		mem[i] = malloc(sz ? sz : 1);
		for (k = 0; k < sz; k++)
			((uint8_t *)mem[i])[k] = (uint8_t)(k * 131 + i * 17 + 7);
		bufs[i].ptr = mem[i];
		bufs[i].size = sz;
		bufs[i].flags = data[pos + 2] & 3;
		bufs[i].reserved = 0;
		pos += 3;
	}
	if (data[pos++] & 1)
		ssize = 4096;
	stream = malloc(size - pos ? size - pos : 1);
	memcpy(stream, data + pos, size - pos);
	memcpy(nomem, bufs, sizeof(bufs));
	for (i = 0; i < nb; i++)
		nomem[i].ptr = NULL;
	ret = edgenpu_engine_validate(stream, size - pos, bufs, nb, scratch,
				      ssize, &err);
	if (edgenpu_engine_validate(stream, size - pos, nomem, nb, scratch,
				    ssize, &err2) != ret ||
	    err2.code != err.code || err2.op_index != err.op_index ||
	    err2.tensor != err.tensor)
		abort();	/* validation may not depend on the pointers */
	if (ret == 0 && (size & 1))
		edgenpu_engine_execute(stream, size - pos, bufs, nb, scratch,
				       ssize, NULL, &err);
	else if (ret == 0)
		edgenpu_engine_run(stream, size - pos, bufs, nb, scratch, ssize,
				   NULL, &err);
	else if (err.err >= 0 || !memchr(err.msg, 0, sizeof(err.msg)))
		abort();	/* a rejection must carry an errno and a message */
	free(stream);
	for (i = 0; i < nb; i++)
		free(mem[i]);
	return 0;
}
