/* The traps the ZRT sources call (each compiled natively by its own
 * *-support.c here), faked: a heap over a private mapping (as sfi/traps.c does it: pages past
 * the end are given back) and channels over memory buffers, with a per-call
 * write limit to make writes short. mk/zrt.mk adds -iquote runtime/include
 * for zvm.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "zrt.h"
#include "zrt-support.h"

const struct zvm_info *zvm_info;
uint64_t __zvm_thread_pointer;

unsigned char *fake_region;
uint64_t fake_start, fake_end, fake_limit;
struct fake_chan fake_chans[FAKE_CHANS];

long zvm_trap_heap(uint64_t new_end)
{
	uint64_t old_top, new_top;

	if (new_end == 0)
		return (long)fake_end;
	if (new_end < fake_start)
		return -EINVAL;
	if (new_end > fake_limit)
		return -ENOMEM;
	old_top = (fake_end + 4095) & ~4095ull;
	new_top = (new_end + 4095) & ~4095ull;
	if (new_top < old_top)
		madvise((void *)(uintptr_t)new_top, old_top - new_top, MADV_DONTNEED);
	fake_end = new_end;
	return (long)new_end;
}

long zvm_trap_read(int h, void *buf, uint64_t n, int64_t off)
{
	struct fake_chan *c;
	uint64_t at;

	if (h < 0 || h >= FAKE_CHANS)
		return -EBADF;
	c = &fake_chans[h];
	c->reads++;
	c->last_offset = off;
	at = c->random_read ? (uint64_t)off : c->in_pos;
	if (at >= c->in_len)
		return 0;
	if (n > c->in_len - at)
		n = c->in_len - at;
	memcpy(buf, c->in + at, n);
	if (!c->random_read)
		c->in_pos += n;
	return (long)n;
}

long zvm_trap_write(int h, const void *buf, uint64_t n, int64_t off)
{
	struct fake_chan *c;
	uint64_t at;

	if (h < 0 || h >= FAKE_CHANS)
		return -EBADF;
	c = &fake_chans[h];
	c->writes++;
	c->last_offset = off;
	if (c->write_chunk && n > c->write_chunk)
		n = c->write_chunk;
	at = c->random_write ? (uint64_t)off : c->out_len;
	if (at + n > c->out_cap) {
		c->out_cap = (at + n) * 2 + 4096;
		c->out = realloc(c->out, c->out_cap);
	}
	memcpy(c->out + at, buf, n);
	if (at + n > c->out_len)
		c->out_len = at + n;
	return (long)n;
}

void zvm_trap_exit(int code)
{
	exit(code);
}

/* A fresh cell: 64 MiB of heap, the given channels (alias, type, input). */
void fake_cell(struct zvm_info *info, struct zvm_channel_info *ci, unsigned n, const char *const *aliases,
	       const unsigned *types, const char *const *inputs, const size_t *input_lens)
{
	if (!fake_region)
		fake_region = mmap(NULL, (64ull << 20) + 4096, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	madvise(fake_region, (64ull << 20) + 4096, MADV_DONTNEED);
	fake_start = fake_end = ((uint64_t)(uintptr_t)fake_region + 4095) & ~4095ull;
	fake_limit = fake_start + (64ull << 20) - 4096;
	for (unsigned i = 0; i < FAKE_CHANS; i++) {
		free(fake_chans[i].out);
		memset(&fake_chans[i], 0, sizeof(fake_chans[i]));
	}
	memset(info, 0, sizeof(*info));
	memset(ci, 0, n * sizeof(*ci));
	for (unsigned i = 0; i < n; i++) {
		ci[i].alias = (uint64_t)(uintptr_t)aliases[i];
		ci[i].type = types[i];
		fake_chans[i].random_read = types[i] == 1 || types[i] == 3;
		fake_chans[i].random_write = types[i] == 2 || types[i] == 3;
		if (inputs && inputs[i]) {
			fake_chans[i].in = (const unsigned char *)inputs[i];
			fake_chans[i].in_len = input_lens ? input_lens[i] : strlen(inputs[i]);
			ci[i].size = fake_chans[i].in_len;
		}
	}
	info->magic = ZVM_INFO_MAGIC;
	info->version = ZVM_INFO_VERSION;
	info->channel_count = n;
	info->channels = (uint64_t)(uintptr_t)ci;
	info->heap_start = fake_start;
	info->heap_limit = fake_limit;
	info->epoch_ns = 1700000000ull * 1000000000ull;
	zvm_info = info;
	zrt_mem_init(info);
	zrt_clock_init(info);
}
