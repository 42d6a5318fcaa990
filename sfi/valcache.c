/*
 * valcache.c — remembers which images were found valid, keyed by SHA-256.
 *
 * A cache entry lets a later run skip validation, so the cache is part of
 * the trusted base: it is only used in a directory owned by the current user
 * and writable by nobody else, and an entry is an empty file whose name
 * holds the digest, the validator's identity and the options. Only valid
 * verdicts are stored; a missing or unusable cache just means "validate".
 *
 * The identity is derived, not maintained: SFI_VALIDATOR_ID is the SHA-256
 * of the validator's sources and of the Zydis headers' version, generated
 * at build time (mk/validator-id.sh), and the Zydis library's own version
 * is added at run time. A rule change, a new Zydis, a rebuilt decoder:
 * old entries no longer match and the image is validated again.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <Zydis/Zydis.h>

#include "sfi/sfi.h"
#include "sfi/valcache-internal.h"
#include "validator-id.h" /* $(BUILD)/gen, from the Makefile */

static int safe_dir(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022))
		return -EPERM;
	return 0;
}

static int cache_dir(char *out, size_t len)
{
	const char *env = getenv("ZVM_CACHE_DIR"), *home;
	char base[PATH_MAX];

	if (env && strcmp(env, "off") == 0)
		return -ENOENT;
	if (env && *env) {
		snprintf(out, len, "%s", env);
	} else {
		if ((env = getenv("XDG_CACHE_HOME")) && *env)
			snprintf(base, sizeof(base), "%s", env);
		else if ((home = getenv("HOME")) && *home)
			snprintf(base, sizeof(base), "%s/.cache", home);
		else
			return -ENOENT;
		mkdir(base, 0700);
		if ((size_t)snprintf(out, len, "%.*s/zvm", (int)(len - 5), base) >= len)
			return -ENAMETOOLONG;
	}
	if (mkdir(out, 0700) < 0 && errno != EEXIST)
		return -errno;
	return safe_dir(out);
}

const char *sfi_validator_id(void)
{
	static char id[sizeof(SFI_VALIDATOR_ID) + 24];

	if (!id[0])
		snprintf(id, sizeof(id), "%s-z%016llx", SFI_VALIDATOR_ID,
			 (unsigned long long)ZydisGetVersion());
	return id;
}

static int entry_path(const char *id, const struct sfi_image *img, const struct sfi_options *opt,
		      char *out, size_t len)
{
	char dir[PATH_MAX], hex[65];
	int rc = cache_dir(dir, sizeof(dir));

	if (rc < 0)
		return rc;
	for (int i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", img->sha256[i]);
	if ((size_t)snprintf(out, len, "%s/%s.%s.%s", dir, hex, id,
			     opt->deterministic ? "det" : "nondet") >= len)
		return -ENAMETOOLONG;
	return 0;
}

int sfi_valcache_lookup_as(const char *id, const struct sfi_image *img, const struct sfi_options *opt)
{
	char path[PATH_MAX];
	struct stat st;

	if (entry_path(id, img, opt, path, sizeof(path)) < 0)
		return 0;
	if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid())
		return 0;
	return 1;
}

int sfi_valcache_store_as(const char *id, const struct sfi_image *img, const struct sfi_options *opt)
{
	char path[PATH_MAX];
	int rc = entry_path(id, img, opt, path, sizeof(path)), fd;

	if (rc < 0)
		return rc;
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

int sfi_valcache_lookup(const struct sfi_image *img, const struct sfi_options *opt)
{
	return sfi_valcache_lookup_as(sfi_validator_id(), img, opt);
}

int sfi_valcache_store(const struct sfi_image *img, const struct sfi_options *opt)
{
	return sfi_valcache_store_as(sfi_validator_id(), img, opt);
}
