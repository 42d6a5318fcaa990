// conformance:
/* malloc/calloc/realloc/free stress with a private PRNG; contents are verified and checksummed. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

#define SLOTS 512
static unsigned char *ptr[SLOTS];
static size_t len[SLOTS];
static unsigned char tag[SLOTS];

static int verify(int i)
{
	for (size_t k = 0; k < len[i]; k++)
		if (ptr[i][k] != (unsigned char)(tag[i] + k))
			return 0;
	return 1;
}

int main(void)
{
	uint64_t check = 0;
	int bad = 0, calloc_dirty = 0;
	size_t peak = 0, live = 0;
	for (int step = 0; step < 200000; step++) {
		int i = (int)(rnd() % SLOTS);
		uint64_t r = rnd();
		size_t sz = (r & 3) == 0 ? (size_t)(r >> 8) % 65536 : (size_t)(r >> 8) % 256;
		if ((r & 0x300) == 0x300 && step % 1000 == 0)
			sz = 1u << 20; /* occasionally a large block */
		if (ptr[i]) {
			if (!verify(i))
				bad++;
			for (size_t k = 0; k < len[i]; k += 7)
				check = check * 1099511628211ull + ptr[i][k];
			if ((r >> 40) & 1) {
				unsigned char *q = realloc(ptr[i], sz + 1);
				if (!q) { printf("realloc failed\n"); return 1; }
				size_t keep = len[i] < sz + 1 ? len[i] : sz + 1;
				for (size_t k = 0; k < keep; k++)
					if (q[k] != (unsigned char)(tag[i] + k))
						bad++;
				live -= len[i];
				ptr[i] = q;
				len[i] = sz + 1;
				for (size_t k = 0; k < len[i]; k++)
					q[k] = (unsigned char)(tag[i] + k);
				live += len[i];
			} else {
				free(ptr[i]);
				live -= len[i];
				ptr[i] = NULL;
				len[i] = 0;
			}
		} else {
			if ((r >> 41) & 1) {
				ptr[i] = calloc(sz + 1, 1);
				if (!ptr[i]) { printf("calloc failed\n"); return 1; }
				for (size_t k = 0; k <= sz; k++)
					calloc_dirty += ptr[i][k] != 0;
			} else {
				ptr[i] = malloc(sz + 1);
				if (!ptr[i]) { printf("malloc failed\n"); return 1; }
			}
			len[i] = sz + 1;
			tag[i] = (unsigned char)(r >> 48);
			memset(ptr[i], 0, len[i]);
			for (size_t k = 0; k < len[i]; k++)
				ptr[i][k] = (unsigned char)(tag[i] + k);
			live += len[i];
		}
		if (live > peak)
			peak = live;
		if (step % 25000 == 0)
			printf("step %6d live=%zu check=%016llx\n", step, live, (unsigned long long)check);
	}
	for (int i = 0; i < SLOTS; i++) {
		if (ptr[i] && !verify(i))
			bad++;
		free(ptr[i]);
	}
	printf("bad=%d calloc_dirty=%d peak=%zu check=%016llx\n", bad, calloc_dirty, peak, (unsigned long long)check);
	free(NULL);
	void *z = malloc(0);
	free(z);
	void *p = realloc(NULL, 100);
	printf("realloc(NULL) %s\n", p ? "ok" : "NULL");
	free(p);
	int *arr = calloc(1000, sizeof *arr);
	long s = 0;
	for (int i = 0; i < 1000; i++)
		s += arr[i];
	printf("calloc sum %ld\n", s);
	free(arr);
	void *al = aligned_alloc(64, 256);
	printf("aligned_alloc 64: %d\n", al && ((uintptr_t)al % 64) == 0);
	free(al);
	return 0;
}
