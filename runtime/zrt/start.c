/*
 * start.c — from the loader's start-up block to musl's __libc_start_main.
 *
 * crt0.S calls __zvm_start(info). ZRT sets up its memory, clock and file
 * system (channels, the image), then builds what the Linux kernel would
 * have put on the stack — argv, NULL, envp, NULL, the aux vector — and
 * hands it to musl, which sets up TLS, stdio and runs constructors and
 * main. The aux vector points at a one-entry program header table with
 * the image's PT_TLS (from the linker script's symbols): the ELF headers
 * are not loaded into the cell, and musl finds the TLS template there.
 */
#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "zrt.h"
#include "zvm.h"

const struct zvm_info *zvm_info;
uint64_t __zvm_thread_pointer;
long zrt_proc_init(const struct zvm_info *i);

/* The program could not be started (docs/report.md): outside zvm run's own
 * 122-127 so the two cannot be confused. */
#define ZRT_EXIT_START_FAILED 121

extern char __tdata_start[] __attribute__((weak, visibility("hidden")));
extern char __tdata_end[] __attribute__((weak, visibility("hidden")));
extern char __tbss_end[] __attribute__((weak, visibility("hidden")));
extern char __zvm_tls_align[] __attribute__((weak, visibility("hidden"))); /* an absolute symbol: the value is the address */

int main(int, char **, char **);
int __libc_start_main(int (*)(int, char **, char **), int, char **, void (*)(void), void (*)(void),
		      void (*)(void));

static Elf64_Phdr tls_phdr;
static unsigned char at_random[16];

static void fail(const char *msg);

/* zrt_fs_init's error, said on stderr; the cell ends */
void zrt_start_failed(long rc)
{
	fail(rc == -ENOEXEC ? "zrt: the program's embedded archive cannot be mounted (damaged, or over the memory limit)\n"
	     : rc == -EINVAL ? "zrt: /dev/image is not a valid tar archive\n"
	     : rc == -ENAMETOOLONG ? "zrt: /dev/image: a name longer than 4095 bytes\n"
	     : rc == -ENOSPC || rc == -ENOMEM ? "zrt: /dev/image does not fit in the memory limit\n"
	     : "zrt: /dev/image cannot be read\n");
}

static void fail(const char *msg)
{
	/* stderr is the channel named /dev/stderr, if there is one */
	for (uint32_t i = 0; zvm_info && i < zvm_info->channel_count; i++) {
		const struct zvm_channel_info *c = (const void *)(uintptr_t)zvm_info->channels;
		if (!strcmp((const char *)(uintptr_t)c[i].alias, "/dev/stderr")) {
			zvm_trap_write((int)i, msg, strlen(msg), 0);
			break;
		}
	}
	zvm_trap_exit(ZRT_EXIT_START_FAILED);
}

/* What a login would have set, unless the manifest or --env says otherwise
 * (docs/runtime.md): HOME is the cell's user's home in /etc/passwd. The
 * strings are copied below (writable, as a program may expect). */
static const char *const env_defaults[] = { "HOME=" ZRT_HOME, "PATH=" ZRT_PATH };

/* Whether env[0..n) sets the variable NAME=... names. */
static int has_name(char *const *env, uint32_t n, const char *def)
{
	size_t len = (size_t)(strchr(def, '=') - def) + 1;

	for (uint32_t i = 0; i < n; i++)
		if (env[i] && !strncmp(env[i], def, len))
			return 1;
	return 0;
}

/* C11 5.1.2.2.1: argv's strings are modifiable, and programs write into
 * environ's too (gawk): the loader's are in the read-only info block, so
 * each string is copied into one writable block of ZRT's heap (src may
 * be dst: each pointer is read before it is replaced). */
static int copy_strings(char **dst, char *const *src, uint32_t n)
{
	size_t total = 0;
	char *p;

	for (uint32_t i = 0; i < n; i++)
		total += src[i] ? strlen(src[i]) + 1 : 0;
	if (!total) {
		memcpy(dst, src, n * sizeof(char *));
		return 0;
	}
	if (!(p = zrt_alloc(total)))
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		size_t len;
		if (!src[i]) {
			dst[i] = NULL;
			continue;
		}
		len = strlen(src[i]) + 1;
		memcpy(p, src[i], len);
		dst[i] = p;
		p += len;
	}
	return 0;
}

/* argv..., NULL, envp..., NULL, then the aux vector, from the block: a
 * start's, or a template copy's job's (template.c). NULL when out of memory. */
char **zrt_start_vector(const struct zvm_info *info, uint32_t *argc_out, char ***envp_out)
{
	static char *none[1];
	char **argv, **envp, **vec, **env_out;
	uint32_t argc, envc;
	uint64_t *aux;
	size_t n, ndef;

	argc = info->argv ? info->argc : 0;
	envc = info->envp ? info->envc : 0;
	argv = info->argv ? (char **)(uintptr_t)info->argv : none;
	envp = info->envp ? (char **)(uintptr_t)info->envp : none;
	ndef = 0;
	for (size_t d = 0; d < sizeof(env_defaults) / sizeof(env_defaults[0]); d++)
		ndef += !has_name(envp, envc, env_defaults[d]);
	n = (size_t)argc + 1 + envc + ndef + 1 + 2 * 12;
	vec = zrt_alloc(n * sizeof(char *));
	if (!vec || copy_strings(vec, argv, argc) < 0)
		return NULL;
	vec[argc] = NULL;
	env_out = vec + argc + 1;
	memcpy(env_out, envp, envc * sizeof(char *));
	for (size_t d = 0, given = envc; d < sizeof(env_defaults) / sizeof(env_defaults[0]); d++)
		if (!has_name(envp, (uint32_t)given, env_defaults[d]))
			env_out[envc++] = (char *)env_defaults[d];
	if (copy_strings(env_out, env_out, envc) < 0)
		return NULL;
	vec[argc + 1 + envc] = NULL;
	/* A shell's PWD names its working directory: when the environment
	 * sets one that exists in the file system, the program starts there
	 * (zvm exec mirrors the caller's directory at its host path). */
	for (uint32_t i = 0; i < envc; i++)
		if (!strncmp(env_out[i], "PWD=/", 5))
			zrt_sys_chdir(env_out[i] + 4);
	aux = (uint64_t *)(vec + argc + 1 + envc + 1);
	*aux++ = AT_PHDR;   *aux++ = (uint64_t)(uintptr_t)&tls_phdr;
	*aux++ = AT_PHENT;  *aux++ = sizeof(Elf64_Phdr);
	*aux++ = AT_PHNUM;  *aux++ = 1;
	*aux++ = AT_PAGESZ; *aux++ = 4096;
	*aux++ = AT_RANDOM; *aux++ = (uint64_t)(uintptr_t)at_random;
	*aux++ = AT_UID;    *aux++ = 1000;
	*aux++ = AT_EUID;   *aux++ = 1000;
	*aux++ = AT_GID;    *aux++ = 1000;
	*aux++ = AT_EGID;   *aux++ = 1000;
	*aux++ = AT_SECURE; *aux++ = 0;
	*aux++ = AT_HWCAP;  *aux++ = 0;
	*aux++ = AT_NULL;   *aux++ = 0;
	*argc_out = argc;
	*envp_out = env_out;
	return vec;
}

__attribute__((noreturn)) void __zvm_start(const struct zvm_info *info);
void __zvm_start(const struct zvm_info *info)
{
	char **vec, **envp;
	uint32_t argc;
	long rc;

	zvm_info = info;
	if (!info || info->magic != ZVM_INFO_MAGIC || info->version != ZVM_INFO_VERSION)
		zvm_trap_exit(ZRT_EXIT_START_FAILED); /* a loader we do not understand */
	zrt_mem_init(info);
	zrt_clock_init(info);
	zrt_proc_init(info);
	rc = zrt_fs_init(info);
	if (rc < 0)
		zrt_start_failed(rc);

	tls_phdr.p_type = PT_TLS;
	tls_phdr.p_flags = PF_R;
	if (__tdata_start) {
		tls_phdr.p_vaddr = tls_phdr.p_paddr = (uint64_t)(uintptr_t)__tdata_start;
		tls_phdr.p_filesz = (uint64_t)(__tdata_end - __tdata_start);
		tls_phdr.p_memsz = (uint64_t)(__tbss_end - __tdata_start);
	}
	tls_phdr.p_align = (uint64_t)(uintptr_t)__zvm_tls_align ? (uint64_t)(uintptr_t)__zvm_tls_align : 1;
	zrt_sys_getrandom(at_random, sizeof(at_random), 0);

	if (!(vec = zrt_start_vector(info, &argc, &envp)))
		fail("zrt: out of memory at start\n");
	__libc_start_main(main, (int)argc, vec, 0, 0, 0);
	zrt_exit(127); /* not reached: musl calls exit() */
}
