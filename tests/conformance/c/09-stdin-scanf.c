// conformance: stdin=input.txt
/* scanf on stdin: words, then numbers pulled out of the stream. */
#include <stdio.h>
#include <string.h>

int main(void)
{
	char w[512];
	int count = 0, r;
	size_t letters = 0;
	for (int i = 0; i < 11; i++) {
		r = scanf("%511s", w);
		if (r != 1)
			break;
		count++;
		letters += strlen(w);
		printf("word %d: %s\n", count, w);
	}
	int a, b;
	double x, y;
	unsigned h;
	r = scanf("%d %d %lf %lf %x", &a, &b, &x, &y, &h);
	printf("numbers r=%d: %d %d %g %g %u\n", r, a, b, x, y, h);
	while ((r = scanf("%511s", w)) == 1) {
		count++;
		letters += strlen(w);
	}
	printf("words=%d letters=%zu last=[%s] r=%d\n", count, letters, w, r);
	return 0;
}
