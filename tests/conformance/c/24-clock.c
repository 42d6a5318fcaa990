// conformance: differs="TIME" why="the cell's clock is virtual (starts at the manifest's Epoch), the host's is real"
/* time(), clock_gettime, gettimeofday, clock(): values are printed on TIME lines (not compared);
   the properties that must hold everywhere are printed on the other lines. */
#include <stdio.h>
#include <sys/time.h>
#include <time.h>

int main(void)
{
	time_t t0 = time(NULL);
	struct timespec r0, r1, m0, m1;
	int a = clock_gettime(CLOCK_REALTIME, &r0);
	int b = clock_gettime(CLOCK_MONOTONIC, &m0);
	volatile unsigned long spin = 0;
	for (unsigned long i = 0; i < 1000000; i++)
		spin += i;
	clock_gettime(CLOCK_REALTIME, &r1);
	clock_gettime(CLOCK_MONOTONIC, &m1);
	struct timeval tv;
	int c = gettimeofday(&tv, NULL);
	time_t t1;
	time(&t1);
	printf("TIME time=%lld realtime=%lld.%09ld monotonic=%lld.%09ld\n", (long long)t0, (long long)r0.tv_sec, r0.tv_nsec,
	       (long long)m0.tv_sec, m0.tv_nsec);
	printf("TIME gettimeofday=%lld.%06ld\n", (long long)tv.tv_sec, (long)tv.tv_usec);
	printf("calls return 0: %d %d %d\n", a, b, c);
	printf("nanoseconds in range: %d %d\n", r0.tv_nsec >= 0 && r0.tv_nsec < 1000000000, m0.tv_nsec >= 0 && m0.tv_nsec < 1000000000);
	printf("time(&t) == return: %d\n", t1 == time(NULL) || t1 + 1 == time(NULL));
	printf("realtime non-decreasing: %d\n", r1.tv_sec > r0.tv_sec || (r1.tv_sec == r0.tv_sec && r1.tv_nsec >= r0.tv_nsec));
	printf("monotonic non-decreasing: %d\n", m1.tv_sec > m0.tv_sec || (m1.tv_sec == m0.tv_sec && m1.tv_nsec >= m0.tv_nsec));
	printf("time agrees with realtime: %d\n", t0 <= r0.tv_sec + 1 && r0.tv_sec <= t1);
	clock_t cl = clock();
	printf("clock() not failing: %d\n", cl != (clock_t)-1);
	struct timespec res;
	printf("clock_getres ok: %d\n", clock_getres(CLOCK_MONOTONIC, &res) == 0 && res.tv_sec == 0);
	struct timespec req = { 0, 1000000 };
	printf("nanosleep 1ms: %d\n", nanosleep(&req, NULL));
	struct timespec m2;
	clock_gettime(CLOCK_MONOTONIC, &m2);
	long long passed = (m2.tv_sec - m1.tv_sec) * 1000000000LL + (m2.tv_nsec - m1.tv_nsec);
	printf("at least 1ms passed over the sleep: %d\n", passed >= 1000000);
	struct tm tm;
	gmtime_r(&t0, &tm);
	char buf[64];
	strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
	printf("TIME now %s\n", buf);
	return 0;
}
