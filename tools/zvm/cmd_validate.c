/*
 * cmd_validate.c — `zvm validate`: the SFI verdict for each image.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sfi/sfi.h"
#include "tools/zvm/commands.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: zvm validate [options] FILE...\n"
		"Checks each image against the SFI rules (docs/sfi.md). Prints \"FILE: valid\"\n"
		"or the rule broken, its offset in the text and the instruction.\n"
		"Exit status: 0 all valid, 1 some invalid, 2 a file is not a zvm image.\n"
		"\n"
		"  --nondeterministic  allow rdtsc, cpuid, rdrand, x87 transcendentals, ...\n"
		"  --cache             record valid images in the validation cache\n"
		"  -v, --verbose       also print sizes, instruction count and speed\n"
		"  --rules             list the rules and what each protects\n"
		"  -h, --help          this text\n");
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int validate_one(const char *path, const struct sfi_options *opt, bool verbose, bool cache)
{
	struct sfi_image img;
	struct sfi_verdict v;
	char err[512];
	double t0, dt;
	/* the digest only for the cache; nothing here is run, so no memfd */
	int rc = sfi_image_open(path, SFI_IMAGE_PRIVATE | (cache ? SFI_IMAGE_DIGEST : 0), &img, err, sizeof(err));

	if (rc < 0) {
		fprintf(stderr, "zvm validate: %s\n", err);
		return 2;
	}
	t0 = now_s();
	rc = sfi_validate_image(&img, opt, &v);
	dt = now_s() - t0;
	if (rc < 0) {
		fprintf(stderr, "zvm validate: %s: validator error: %s\n", path, strerror(-rc));
		sfi_image_free(&img);
		return 2;
	}
	if (rc == 0) {
		printf("%s: valid\n", path);
		if (cache)
			sfi_valcache_store(&img, opt);
	} else {
		printf("%s: invalid: rule %s at offset 0x%llx (address 0x%llx): %s\n", path, v.rule,
		       (unsigned long long)v.offset, (unsigned long long)v.address, v.disasm);
		printf("  bytes:");
		for (unsigned i = 0; i < v.nbytes; i++)
			printf(" %02x", v.bytes[i]);
		printf("\n  rule: %s\n", v.reason ? v.reason : "");
	}
	if (verbose)
		printf("  text %zu bytes, %llu instructions, %.3f ms, %.1f MB/s\n", img.text_padded_size,
		       (unsigned long long)v.instructions, dt * 1e3,
		       dt > 0 ? img.text_padded_size / dt / 1e6 : 0.0);
	sfi_image_free(&img);
	return rc == 0 ? 0 : 1;
}

int cmd_validate(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "nondeterministic", no_argument, NULL, 'n' },
		{ "cache", no_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "rules", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 } };
	struct sfi_options opt = { .deterministic = true };
	bool verbose = false, cache = false;
	int c, worst = 0;

	while ((c = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'n': opt.deterministic = false; break;
		case 'c': cache = true; break;
		case 'v': verbose = true; break;
		case 'r':
			for (size_t i = 0; i < sfi_rule_count(); i++)
				printf("%-28s %s\n", sfi_rule_at(i)->name, sfi_rule_at(i)->reason);
			return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return ZVM_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return ZVM_EXIT_USAGE;
	}
	for (int i = optind; i < argc; i++) {
		int rc = validate_one(argv[i], &opt, verbose, cache);
		if (rc > worst)
			worst = rc;
	}
	return worst;
}
