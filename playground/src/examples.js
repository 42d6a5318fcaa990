// Example programs per language: the first is what a new visitor sees.
export const examples = {
  c: [
    { name: 'Hello, world', stdin: '', args: '', source: `#include <stdio.h>

int main(int argc, char **argv)
{
	printf("Hello from a zvm cell!\\n");
	for (int i = 1; i < argc; i++)
		printf("argv[%d] = %s\\n", i, argv[i]);
	return 0;
}
` },
    { name: 'Sum numbers from stdin', stdin: '1 2 3\n4 5\n', args: '', source: `#include <stdio.h>

int main(void)
{
	long sum = 0, x;
	int n = 0;

	while (scanf("%ld", &x) == 1) {
		sum += x;
		n++;
	}
	printf("%d numbers, sum %ld\\n", n, sum);
	return 0;
}
` },
    { name: 'Word frequencies', stdin: 'the cat and the hat and the bat\n', args: '', source: `#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct word { char text[32]; int count; };

static int by_count(const void *a, const void *b)
{
	const struct word *x = a, *y = b;
	return y->count - x->count ?: strcmp(x->text, y->text);
}

int main(void)
{
	static struct word w[1024];
	char buf[32];
	int n = 0;

	while (scanf("%31s", buf) == 1) {
		int i;
		for (i = 0; i < n && strcmp(w[i].text, buf); i++)
			;
		if (i == n && n < 1024)
			strcpy(w[n++].text, buf);
		if (i < n)
			w[i].count++;
	}
	qsort(w, n, sizeof(w[0]), by_count);
	for (int i = 0; i < n; i++)
		printf("%4d %s\\n", w[i].count, w[i].text);
	return 0;
}
` },
    { name: 'Files in the cell', stdin: '', args: '', source: `#include <stdio.h>

/* The cell has an in-memory file system of its own: nothing of the host. */
int main(void)
{
	FILE *f = fopen("/tmp/note.txt", "w");
	fprintf(f, "written inside the cell\\n");
	fclose(f);

	char line[64];
	f = fopen("/tmp/note.txt", "r");
	fgets(line, sizeof(line), f);
	printf("read back: %s", line);
	fprintf(stderr, "fopen(\\"/etc/passwd\\") -> %p\\n", (void *)fopen("/etc/passwd", "r"));
	return 0;
}
` },
    { name: 'Compile error', stdin: '', args: '', source: `#include <stdio.h>

int main(void)
{
	printf("%d\\n", undeclared_variable);
	return 0
}
` },
    { name: 'Infinite loop (time limit)', stdin: '', args: '', source: `int main(void)
{
	volatile unsigned long n = 0;
	for (;;)
		n++;
}
` },
    { name: 'Exit code and stderr', stdin: '', args: '', source: `#include <stdio.h>

int main(void)
{
	fprintf(stderr, "something went wrong\\n");
	return 3;
}
` },
  ],
  lua: [
    { name: 'Hello, world', stdin: '', args: 'a b', source: `print("Hello from " .. _VERSION .. " in a zvm cell!")
for i, a in ipairs(arg) do
  print(("arg[%d] = %s"):format(i, a))
end
` },
    { name: 'Read stdin', stdin: 'banana\napple\ncherry\n', args: '', source: `local lines = {}
for line in io.lines() do
  lines[#lines + 1] = line
end
table.sort(lines)
print(table.concat(lines, ", "))
` },
    { name: 'Factorials', stdin: '', args: '', source: `local function fact(n)
  if n <= 1 then return 1 end
  return n * fact(n - 1)
end
for n = 1, 20, 3 do
  print(n, fact(n))
end
` },
    { name: 'Error', stdin: '', args: '', source: `local t = nil
print(t.field)
` },
  ],
  python: [
    { name: 'Hello, world', stdin: '', args: '', source: `import sys
print("Hello from Python", sys.version.split()[0], "in a zvm cell!")
` },
    { name: 'Read stdin', stdin: '3\n1\n2\n', args: '', source: `import sys
nums = sorted(int(x) for x in sys.stdin.read().split())
print(nums, sum(nums))
` },
  ],
};

// A language the server offers but this page has no example for.
export function fallbackExample(language) {
  return { name: 'Empty', stdin: '', args: '', source: '' };
}

export const fileNames = { c: 'main.c', lua: 'main.lua', python: 'main.py' };
