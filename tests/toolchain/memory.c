/* malloc/realloc/free stress with a checksum; struct copies; VLAs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct big { long a[20]; };
static struct big bump(struct big b) { for (int i = 0; i < 20; i++) b.a[i] += i; return b; }

int main(void)
{
	void *slots[512] = { 0 };
	size_t sizes[512] = { 0 };
	unsigned long sum = 0, seed = 12345;

	for (int round = 0; round < 20000; round++) {
		int i;
		seed = seed * 6364136223846793005ul + 1442695040888963407ul;
		i = (seed >> 33) % 512;
		if (slots[i] && (seed & 3) == 0) {
			size_t ns = (seed >> 20) % 70000 + 1;
			unsigned char *p = realloc(slots[i], ns);
			for (size_t k = sizes[i] < ns ? sizes[i] : ns; k < ns; k++)
				p[k] = (unsigned char)(k * 31);
			slots[i] = p;
			sizes[i] = ns;
		} else if (slots[i]) {
			for (size_t k = 0; k < sizes[i]; k += 97)
				sum += ((unsigned char *)slots[i])[k];
			free(slots[i]);
			slots[i] = NULL;
		} else {
			size_t ns = (seed >> 40) % 3000 + 1;
			unsigned char *p = malloc(ns);
			for (size_t k = 0; k < ns; k++)
				p[k] = (unsigned char)(k * 31);
			slots[i] = p;
			sizes[i] = ns;
		}
	}
	{
		struct big b = { { 0 } };
		int n = 100 + (int)(sum % 7);
		int vla[n];
		for (int i = 0; i < 10; i++)
			b = bump(b);
		for (int i = 0; i < n; i++)
			vla[i] = i * b.a[3];
		printf("checksum %lu big %ld vla %d\n", sum, b.a[19], vla[n - 1]);
	}
	{
		int *z = calloc(1000, sizeof(int)), zs = 0;
		for (int i = 0; i < 1000; i++)
			zs += z[i];
		printf("calloc zero %d\n", zs);
		free(z);
	}
	return 0;
}
