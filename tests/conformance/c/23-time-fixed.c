// conformance: env="TZ=UTC0"
/* gmtime/localtime/strftime/mktime/timegm on fixed timestamps (no current time). */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <time.h>

int main(void)
{
	const time_t stamps[] = { 0, 1, 86399, 86400, 951782400 /* 2000-02-29 */, 1234567890, 1700000000, 2147483647,
	                          2147483648LL, 4102444800LL /* 2100-01-01 */, -1, -86401, 1709251199 };
	char buf[256];
	for (size_t i = 0; i < sizeof stamps / sizeof stamps[0]; i++) {
		struct tm tm;
		gmtime_r(&stamps[i], &tm);
		strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %a %A %b %B %j %U %W %u %w %e %C %y %G %g %V %D %F %R %T %p %I %%", &tm);
		printf("%lld: %s yday=%d wday=%d isdst=%d\n", (long long)stamps[i], buf, tm.tm_yday, tm.tm_wday, tm.tm_isdst);
		time_t back = timegm(&tm);
		printf("  timegm round trip %s\n", back == stamps[i] ? "ok" : "MISMATCH");
	}
	struct tm t = { 0 };
	t.tm_year = 124;
	t.tm_mon = 1;
	t.tm_mday = 29;
	t.tm_hour = 12;
	t.tm_isdst = 0;
	time_t m = mktime(&t);
	printf("mktime 2024-02-29 12:00 = %lld wday %d yday %d\n", (long long)m, t.tm_wday, t.tm_yday);
	struct tm n = { 0 };
	n.tm_year = 123;
	n.tm_mon = 11;
	n.tm_mday = 31 + 1;
	n.tm_hour = 25;
	n.tm_min = -30;
	n.tm_sec = 3600;
	m = mktime(&n);
	strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &n);
	printf("mktime normalises to %s (%lld)\n", buf, (long long)m);
	struct tm *lt = localtime(&(time_t){ 1000000000 });
	strftime(buf, sizeof buf, "%c | %x | %X | %Z | %z", lt);
	printf("localtime in TZ=UTC0: %s\n", buf);
	printf("asctime: %s", asctime(gmtime(&(time_t){ 1234567890 })));
	printf("ctime: %s", ctime(&(time_t){ 0 }));
	printf("difftime: %.1f\n", difftime(1700000000, 1600000000));
	size_t r = strftime(buf, 5, "%Y-%m-%d", gmtime(&(time_t){ 0 }));
	printf("strftime too small: %zu\n", r);
	memset(&t, 0, sizeof t);
	char *end = strptime("2023-07-14 08:09:10", "%Y-%m-%d %H:%M:%S", &t);
	printf("strptime rest [%s] %d-%d-%d %d:%d:%d -> %lld\n", end ? end : "(null)", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday,
	       t.tm_hour, t.tm_min, t.tm_sec, (long long)timegm(&t));
	return 0;
}
