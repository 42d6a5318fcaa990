/*
 * clock.c — the deterministic virtual clock and random numbers.
 *
 * Time inside a cell is a counter, not the host's clock: it starts at the
 * manifest's Epoch (realtime) and at 0 (monotonic and CPU clocks) and every
 * read advances it by ZRT_CLOCK_STEP_NS, so loops that wait for time to
 * pass terminate and two runs see the same times. Sleeping advances it by
 * the requested amount at once. getrandom is a xoshiro256** stream seeded
 * from the manifest's Seed: reproducible, and not cryptographic.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "zrt.h"
#include "zvm.h"

#define ZRT_CLOCK_STEP_NS 1000ull /* 1 µs per read */

static uint64_t epoch_ns, virtual_ns;
static uint64_t rng[4];

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void zrt_clock_init(const struct zvm_info *info)
{
	uint64_t s = info->seed;

	epoch_ns = info->epoch_ns;
	virtual_ns = 0;
	for (int i = 0; i < 4; i++)
		rng[i] = splitmix64(&s);
}

static uint64_t tick(void)
{
	virtual_ns += ZRT_CLOCK_STEP_NS;
	return virtual_ns;
}

uint64_t zrt_clock_now_ns(void)
{
	return epoch_ns + tick();
}

static void to_timespec(uint64_t ns, struct timespec *ts)
{
	ts->tv_sec = (time_t)(ns / 1000000000ull);
	ts->tv_nsec = (long)(ns % 1000000000ull);
}

long zrt_sys_clock_gettime(int clk, void *out)
{
	struct timespec *ts = out;
	uint64_t v;

	switch (clk) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
	case 11: /* CLOCK_TAI */
		v = epoch_ns + tick();
		break;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID:
		v = tick();
		break;
	default:
		return -EINVAL;
	}
	if (ts)
		to_timespec(v, ts);
	return 0;
}

long zrt_sys_clock_getres(int clk, void *out)
{
	struct timespec *ts = out;

	if (clk < 0 || clk > 11)
		return -EINVAL;
	if (ts)
		to_timespec(ZRT_CLOCK_STEP_NS, ts);
	return 0;
}

long zrt_sys_gettimeofday(void *tv, void *tz)
{
	struct timeval {
		int64_t tv_sec, tv_usec;
	} *t = tv;
	uint64_t v = epoch_ns + tick();

	if (t) {
		t->tv_sec = (int64_t)(v / 1000000000ull);
		t->tv_usec = (int64_t)(v % 1000000000ull / 1000);
	}
	if (tz)
		memset(tz, 0, 8); /* struct timezone: UTC */
	return 0;
}

long zrt_sys_time(int64_t *t)
{
	int64_t s = (int64_t)((epoch_ns + tick()) / 1000000000ull);

	if (t)
		*t = s;
	return s;
}

static long sleep_for(const struct timespec *req)
{
	if (!req || req->tv_sec < 0 || req->tv_nsec < 0 || req->tv_nsec >= 1000000000L)
		return -EINVAL;
	virtual_ns += (uint64_t)req->tv_sec * 1000000000ull + (uint64_t)req->tv_nsec;
	return 0;
}

long zrt_sys_nanosleep(const void *req, void *rem)
{
	long r = sleep_for(req);

	if (r == 0 && rem)
		memset(rem, 0, sizeof(struct timespec));
	return r;
}

long zrt_sys_clock_nanosleep(int clk, int flags, const void *req, void *rem)
{
	const struct timespec *ts = req;

	if (clk != CLOCK_REALTIME && clk != CLOCK_MONOTONIC && clk != CLOCK_BOOTTIME)
		return -EINVAL;
	if (!ts || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000L)
		return -EINVAL;
	if (flags & TIMER_ABSTIME) {
		uint64_t target = (uint64_t)ts->tv_sec * 1000000000ull + (uint64_t)ts->tv_nsec;
		uint64_t base = clk == CLOCK_REALTIME ? epoch_ns : 0;
		if (target > base + virtual_ns)
			virtual_ns = target - base;
		return 0;
	}
	return zrt_sys_nanosleep(req, rem);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t next_random(void)
{
	uint64_t result = rotl(rng[1] * 5, 7) * 9, t = rng[1] << 17;

	rng[2] ^= rng[0];
	rng[3] ^= rng[1];
	rng[1] ^= rng[2];
	rng[0] ^= rng[3];
	rng[2] ^= t;
	rng[3] = rotl(rng[3], 45);
	return result;
}

long zrt_sys_getrandom(void *buf, size_t n, unsigned flags)
{
	unsigned char *p = buf;
	size_t done = 0;

	if (flags & ~7u) /* GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE */
		return -EINVAL;
	if (n > 33554431)
		n = 33554431; /* Linux's cap per call */
	while (done < n) {
		uint64_t v = next_random();
		size_t k = n - done < 8 ? n - done : 8;
		memcpy(p + done, &v, k);
		done += k;
	}
	return (long)n;
}
