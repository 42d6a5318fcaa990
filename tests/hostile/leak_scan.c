/*
 * leak_scan.c — test helper for t_hostile.sh (leak.S): does any 8-byte
 * little-endian word of DUMP, at any byte offset, fall inside a mapping
 * listed in the MAPS files (/proc/PID/maps copies of zvm and its worker)?
 * Mappings below 8 GiB + 4 KiB are the sandbox's fixed layout (the cell's
 * own memory and the trap slot page at 8 GiB, a constant) and are skipped:
 * every other mapping is the trusted process, placed at random.
 * Exit 0 when clean, 1 with one line per hit, 2 on usage errors.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIXED_LAYOUT_END 0x200001000ull

struct range { uint64_t lo, hi; char name[96]; };

int main(int argc, char **argv)
{
	static struct range r[4096];
	static uint8_t dump[128 << 20];
	size_t nr = 0, n, hits = 0;
	FILE *f;

	if (argc < 3) {
		fprintf(stderr, "usage: leak_scan DUMP MAPS...\n");
		return 2;
	}
	for (int a = 2; a < argc; a++) {
		char line[512];
		if (!(f = fopen(argv[a], "r"))) {
			perror(argv[a]);
			return 2;
		}
		while (fgets(line, sizeof(line), f) && nr < 4096) {
			unsigned long long lo, hi;
			char *name = strchr(line, '/') ? strchr(line, '/') : strchr(line, '[');
			if (sscanf(line, "%llx-%llx", &lo, &hi) != 2 || lo < FIXED_LAYOUT_END)
				continue;
			r[nr].lo = lo;
			r[nr].hi = hi;
			snprintf(r[nr].name, sizeof(r[nr].name), "%s", name ? name : "(anonymous)\n");
			r[nr].name[strcspn(r[nr].name, "\n")] = 0;
			nr++;
		}
		fclose(f);
	}
	if (nr == 0) {
		fprintf(stderr, "leak_scan: no trusted mappings read\n");
		return 2;
	}
	if (!(f = fopen(argv[1], "rb"))) {
		perror(argv[1]);
		return 2;
	}
	n = fread(dump, 1, sizeof(dump), f);
	fclose(f);
	for (size_t i = 0; i + 8 <= n; i++) {
		uint64_t v;
		memcpy(&v, dump + i, 8);
		for (size_t k = 0; k < nr; k++)
			if (v >= r[k].lo && v < r[k].hi) {
				if (hits++ < 20)
					printf("offset 0x%zx: 0x%" PRIx64 " is inside %" PRIx64 "-%" PRIx64 " %s\n",
					       i, v, r[k].lo, r[k].hi, r[k].name);
				break;
			}
	}
	return hits ? 1 : 0;
}
