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
 * pseudo-random pattern.
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
	struct edgenpu_engine_error err;
	void *mem[EDGENPU_FUZZ_MAXBUF] = { 0 };
	uint32_t nb, i;
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
	if (edgenpu_engine_validate(stream, size - pos, bufs, nb, scratch, ssize,
				    &err) == 0)
		edgenpu_engine_run(stream, size - pos, bufs, nb, scratch, ssize,
				   NULL, &err);
	else if (err.err >= 0 || !memchr(err.msg, 0, sizeof(err.msg)))
		abort();	/* a rejection must carry an errno and a message */
	free(stream);
	for (i = 0; i < nb; i++)
		free(mem[i]);
	return 0;
}
