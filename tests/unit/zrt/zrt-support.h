/* Fakes shared by the ZRT unit tests (zrt-support.c). */
#ifndef ZRT_SUPPORT_H
#define ZRT_SUPPORT_H
#include <stddef.h>
#include <stdint.h>
#include "zvm.h"

#define FAKE_CHANS 8
struct fake_chan {
	const unsigned char *in;
	uint64_t in_len, in_pos;
	unsigned char *out;
	uint64_t out_len, out_cap;
	uint64_t write_chunk;   /* 0: whole writes; else at most this per call */
	int random_read, random_write; /* offsets used (channel types 1-3) */
	int64_t last_offset;
	unsigned reads, writes;
};
extern struct fake_chan fake_chans[FAKE_CHANS];
extern uint64_t fake_start, fake_end, fake_limit;

void fake_cell(struct zvm_info *info, struct zvm_channel_info *ci, unsigned n, const char *const *aliases,
	       const unsigned *types, const char *const *inputs, const size_t *input_lens);
#endif
