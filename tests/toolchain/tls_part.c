/* Defines the thread-local variables tls_main.c uses (zero-initialised:
 * the small runtime does not copy .tdata images). */
__thread int tls_count;
__thread long tls_table[16];

int tls_bump(int by);
int tls_bump(int by)
{
	tls_table[0] += by;
	return tls_count += by;
}
