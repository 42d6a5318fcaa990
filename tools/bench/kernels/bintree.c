/* Allocation-heavy: binary trees built and freed (malloc/free). */
#include <stdio.h>
#include <stdlib.h>

struct node { struct node *l, *r; };

static struct node *make(int d)
{
	struct node *n = malloc(sizeof(*n));
	n->l = d ? make(d - 1) : NULL;
	n->r = d ? make(d - 1) : NULL;
	return n;
}

static long check(const struct node *n) { return n->l ? 1 + check(n->l) + check(n->r) : 1; }
static void drop(struct node *n) { if (n->l) { drop(n->l); drop(n->r); } free(n); }

int main(int argc, char **argv)
{
	int max = argc > 1 ? atoi(argv[1]) : 17;
	long total = 0;

	for (int d = 4; d <= max; d += 2) {
		int iters = 1 << (max - d + 4);
		for (int i = 0; i < iters; i++) {
			struct node *t = make(d);
			total += check(t);
			drop(t);
		}
	}
	printf("trees %ld\n", total);
	return 0;
}
