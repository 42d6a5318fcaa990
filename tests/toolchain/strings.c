/* string.h, qsort, bsearch, strtol, snprintf. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }
static int cmpi(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

int main(void)
{
	char *words[] = { "pear", "apple", "fig", "banana", "cherry", "date", "apple" };
	char buf[256], big[5000];
	int nums[1000], key = 777;
	size_t n = sizeof(words) / sizeof(words[0]);

	qsort(words, n, sizeof(words[0]), cmp);
	for (size_t i = 0; i < n; i++)
		printf("%s%s", words[i], i + 1 < n ? "," : "\n");
	for (int i = 0; i < 1000; i++)
		nums[i] = (i * 7919) % 1000;
	qsort(nums, 1000, sizeof(int), cmpi);
	printf("sorted %d %d %d found %d\n", nums[0], nums[500], nums[999],
	       *(int *)bsearch(&key, nums, 1000, sizeof(int), cmpi));
	snprintf(buf, sizeof(buf), "%s-%05d-%x", "id", 42, 0xbeef);
	printf("%s len %zu chr %s rchr %s str %s\n", buf, strlen(buf), strchr(buf, '-'), strrchr(buf, '-'),
	       strstr(buf, "00"));
	printf("strtol %ld %ld %lu %lld\n", strtol("  -1234xyz", NULL, 10), strtol("0x1f", NULL, 0),
	       strtoul("777", NULL, 8), strtoll("9223372036854775807", NULL, 10));
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	memmove(big + 1, big, 100);
	printf("big %zu cmp %d ncmp %d\n", strlen(big), memcmp(big, big + 1, 50), strncmp("abc", "abd", 2));
	printf("truncated snprintf -> %d\n", snprintf(buf, 5, "%s", "0123456789"));
	printf("[%s]\n", buf);
	return 0;
}
