/* Allocation-heavy: binary trees of every even depth from 4 to N built,
 * checked and freed (the "binary-trees" benchmark: malloc/free bound), and
 * one long-lived tree kept throughout.
 *   bintree [N]   maximum depth; default 17 */
#include <stdio.h>
#include <stdlib.h>

static long arg(int argc, char **argv, long def)
{
	long v = 0;
	if (argc < 2)
		return def;
	for (const char *p = argv[1]; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (*p - '0');
	return v > 0 ? v : def;
}

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
	int max = (int)arg(argc, argv, 17);
	struct node *keep = make(max);
	long total = 0;

	for (int d = 4; d <= max; d += 2) {
		int iters = 1 << (max - d + 4);
		long part = 0;
		for (int i = 0; i < iters; i++) {
			struct node *t = make(d);
			part += check(t);
			drop(t);
		}
		printf("%d trees of depth %d check %ld\n", iters, d, part);
		total += part;
	}
	printf("long lived tree of depth %d check %ld; total %ld\n", max, check(keep), total);
	drop(keep);
	return 0;
}
