/* zvm-compile: zvm-cc on untrusted C in a jail of its own (docs/compile.md).
 *
 * The caller (zvm serve, unprivileged, or root by mistake) hands a source
 * directory; the compile runs in fresh user, mount, pid, net, ipc and uts
 * namespaces on an empty tmpfs root that holds only read-only binds of the
 * toolchain, a copy of the sources, a bounded /tmp and /out, under rlimits,
 * a wall limit that kills the whole pid namespace and, where the caller has a
 * delegated cgroup v2 subtree, a cgroup of its own. */
#ifndef ZVM_COMPILE_H
#define ZVM_COMPILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct zc_limits {
	uint64_t wall_ms;      /* the whole pid namespace is killed after it */
	uint64_t cpu_ms;       /* RLIMIT_CPU of each process (rounded up to s) */
	uint64_t memory;       /* RLIMIT_AS of each process; memory.max */
	uint64_t output_bytes; /* per stream, stdout and stderr of the compiler */
	uint64_t file_bytes;   /* RLIMIT_FSIZE; the largest .nexe copied out */
	uint64_t src_bytes;    /* the sources, all files together */
	unsigned pids;         /* RLIMIT_NPROC (per user namespace), pids.max */
	unsigned nofile;       /* RLIMIT_NOFILE */
	uid_t uid;             /* the host uid a root caller drops to */
	gid_t gid;
	const char *cgroup;    /* a delegated cgroup v2 directory, or NULL: detect */
	bool no_cgroup;        /* never use a cgroup */
};

void zc_limits_default(struct zc_limits *l);

/* The verdicts, in the order the report prints them. */
enum zc_status { ZC_OK, ZC_ERROR, ZC_TIMEOUT, ZC_MEMORY, ZC_OUTPUT };
const char *zc_status_name(enum zc_status s);

struct zc_result {
	enum zc_status status;
	int exit_code;          /* zvm-cc's, or -1 when it did not exit */
	int signal;             /* the signal that ended it, or 0 */
	char *out, *err;        /* what it printed, cut at output_bytes */
	size_t out_len, err_len;
	bool truncated;
	uint64_t cpu_ms, wall_ms, memory_bytes;
	bool cgroup;            /* limits also enforced by a cgroup */
};

/* One bind of the jail: a host path, read-only at jail (a file or a
 * directory). */
struct zc_bind {
	char host[4096];
	char jail[4096];
	bool dir;
};

struct zc_toolchain {
	struct zc_bind *b;
	int n, cap;
};

/* Finds gcc, as, ld, sh, zvm-cc (beside this program: self_dir/zvm-cc) and
 * its runtime (self_dir/../runtime), gcc's own directory, and every shared
 * library they load (their DT_NEEDED, transitively). Runs in the caller;
 * reads only the host's toolchain. Returns 0 or -errno with msg filled. */
int zc_toolchain_find(struct zc_toolchain *t, const char *self_dir, char *msg, size_t msglen);
void zc_toolchain_free(struct zc_toolchain *t);

/* The DT_NEEDED names and PT_INTERP of an ELF file: calls fn for each.
 * Pure apart from reading path. Returns 0 or -errno. */
int zc_elf_needed(const char *path, int (*fn)(const char *name, bool interp, void *data), void *data);

/* One source file, read by the caller before the jail is built. */
struct zc_file {
	char *name; /* relative to the source dir, no "..", no leading "/" */
	char *data;
	size_t len;
	mode_t mode;
};

struct zc_sources {
	struct zc_file *f;
	int n, cap;
	size_t total;
};

/* Reads dir's regular files (subdirectories to 8 levels; symlinks and
 * other kinds refused) into memory, at most limit bytes and 4096 files. */
int zc_sources_read(struct zc_sources *s, const char *dir, size_t limit, char *msg, size_t msglen);
void zc_sources_free(struct zc_sources *s);

/* Runs zvm-cc on the sources' .c files in the jail, then zvm validate on
 * the image; on ok the image is written to out_path (through a temporary
 * file beside it, renamed), on any other verdict out_path is removed.
 * Returns 0 when the compiler ran (r filled, any verdict), or -errno when
 * the jail could not be built (msg says why). */
int zc_run(const struct zc_limits *l, const struct zc_toolchain *t, const struct zc_sources *s,
	   const char *out_path, struct zc_result *r, char *msg, size_t msglen);
void zc_result_free(struct zc_result *r);

/* Loads the compiler's seccomp filter (compile/filter.c: a deny-list, each
 * refusal EPERM) on the calling thread; needs no_new_privs first. Runs in
 * the compiler's process before exec. Returns 0 or -errno. */
int zc_seccomp_apply(void);

/* The report: one JSON object, one line. Returns a malloc'd string. */
char *zc_result_json(const struct zc_result *r);

/* Copies s[0..len) replacing invalid UTF-8 with U+FFFD (jansson takes only
 * UTF-8). Returns a malloc'd string and its length in *outlen. */
char *zc_utf8_clean(const char *s, size_t len, size_t *outlen);

#endif
