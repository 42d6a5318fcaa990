/* malloc until it fails: NULL comes back (ENOMEM), the program goes on,
 * and after freeing everything the memory can be had again. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
	static void *blocks[100000];
	size_t n = 0, mb;

	for (int round = 0; round < 3; round++) {
		while (n < 100000 && (blocks[n] = malloc(1 << 20))) {
			memset(blocks[n], 1, 1 << 20);
			n++;
		}
		mb = n;
		printf("round %d: %zu MiB before malloc said %s\n", round, mb, errno == ENOMEM ? "ENOMEM" : "something else");
		while (n)
			free(blocks[--n]);
	}
	return 0;
}
