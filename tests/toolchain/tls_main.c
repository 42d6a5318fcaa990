/* Thread-local variables defined in another file (tls_part.c): gcc uses
 * the initial-exec model (x@gottpoff(%rip)), which the static link
 * relaxes to local-exec; the thread pointer comes from %fs:0, rewritten. */
#include <stdio.h>

extern __thread int tls_count;
extern __thread long tls_table[16];
int tls_bump(int by);

int main(void)
{
	for (int i = 0; i < 16; i++)
		tls_table[i] = i * i;
	tls_count = 5;
	tls_bump(3);
	printf("tls_count %d table %ld %ld bump %d\n", tls_count, tls_table[3], tls_table[15], tls_bump(1));
	return 0;
}
