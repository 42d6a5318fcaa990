/*
 * zrt.h — the inside of ZRT, the Linux system-call layer that musl sits on
 * (docs/runtime.md). musl's `syscall` instructions are rewritten by zvm-cc
 * into `call __zvm_syscall` (syscall.S), which saves the registers the
 * kernel would have kept and calls zrt_syscall() (dispatch.c) with the
 * number and the six arguments. Every zrt_sys_* returns a result or -errno,
 * exactly like the kernel.
 *
 * ZRT may not call musl's malloc (malloc calls mmap, which lands here):
 * its own memory comes from zrt_alloc()/zrt_free() (mem.c), which take
 * pages from the heap trap.
 *
 * The files here also compile natively (tests/unit/runtime/test_zrt_*.c):
 * there the traps and zrt_alloc are the test's own.
 */
#ifndef ZRT_H
#define ZRT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The cell's identity (docs/runtime.md): uid and gid 1000, named in the
 * /etc/passwd and /etc/group ZRT puts in the tree unless the image has
 * them; HOME and PATH are set unless the manifest sets them. */
#define ZRT_USER "user"
#define ZRT_HOME "/home/user"
#define ZRT_PATH "/usr/local/bin:/usr/bin:/bin"

struct zvm_info;
struct iovec;
struct stat;

/* ---- memory (mem.c) ------------------------------------------------------ */
void *zrt_alloc(size_t bytes);             /* zeroed, 16-byte aligned; NULL when out of memory */
void *zrt_realloc(void *p, size_t old_bytes, size_t new_bytes); /* keeps min(old,new) bytes, zeroes the rest */
void zrt_free(void *p, size_t bytes);      /* bytes as given to zrt_alloc (or the last realloc) */

long zrt_sys_brk(uint64_t addr);
long zrt_sys_mmap(uint64_t addr, uint64_t len, int prot, int flags, int fd, int64_t off);
long zrt_sys_munmap(uint64_t addr, uint64_t len);
long zrt_sys_mremap(uint64_t old, uint64_t old_len, uint64_t new_len, int flags, uint64_t new_addr);
long zrt_sys_mprotect(uint64_t addr, uint64_t len, int prot);
long zrt_sys_madvise(uint64_t addr, uint64_t len, int advice);
long zrt_sys_msync(uint64_t addr, uint64_t len, int flags);
void zrt_mem_init(const struct zvm_info *info);
/* A template copy keeps its template's heap, under its own job's limit. */
void zrt_mem_set_limit(const struct zvm_info *info);

/* ---- files, directories, channels, fds (fs.c, tar.c) -------------------- */
/* At start: / and /dev exist; every channel in the start-up block appears
 * as a character device at its alias (e.g. /dev/stdout) whose reads and
 * writes are trap calls on its handle; fds 0, 1, 2 are opened on
 * /dev/stdin, /dev/stdout, /dev/stderr when those channels exist. A
 * channel whose alias is /dev/image is a tar file unpacked into / at
 * start; if /dev/image-out exists, the file system (without /dev) is
 * written to it as a tar at exit (zrt_fs_fini). The cwd is /. */
int zrt_fs_init(const struct zvm_info *info);  /* 0 or -errno (a bad image) */
void zrt_fs_fini(void);                         /* at exit: write the image back, once */
/* Templates (template.c): before the keep request, the tree of the
 * program's embedded archive alone is built aside (0, or -errno and none
 * is kept); a copy's zrt_fs_init_copy starts from it instead of parsing
 * the archive again (zrt_fs_init when there is none). drop: the run goes
 * on as itself (no template was made). */
int zrt_fs_keep_base(void);
void zrt_fs_drop_base(void);
int zrt_fs_init_copy(const struct zvm_info *info);

long zrt_sys_read(int fd, void *buf, size_t n);
long zrt_sys_write(int fd, const void *buf, size_t n);
long zrt_sys_readv(int fd, const struct iovec *iov, int cnt);
long zrt_sys_writev(int fd, const struct iovec *iov, int cnt);
long zrt_sys_pread(int fd, void *buf, size_t n, int64_t off);
long zrt_sys_pwrite(int fd, const void *buf, size_t n, int64_t off);
long zrt_sys_preadv(int fd, const struct iovec *iov, int cnt, int64_t off);
long zrt_sys_pwritev(int fd, const struct iovec *iov, int cnt, int64_t off);
long zrt_sys_lseek(int fd, int64_t off, int whence);
long zrt_sys_openat(int dirfd, const char *path, int flags, int mode);
long zrt_sys_close(int fd);
long zrt_sys_dup(int fd);
long zrt_sys_dup3(int fd, int newfd, int flags);   /* dup2(a, b) with a != b is dup3(a, b, 0) */
long zrt_sys_fcntl(int fd, int cmd, long arg);
long zrt_sys_ioctl(int fd, unsigned long req, long arg);
long zrt_sys_fstat(int fd, struct stat *st);
long zrt_sys_fstatat(int dirfd, const char *path, struct stat *st, int flags);
long zrt_sys_getdents64(int fd, void *buf, size_t n);
long zrt_sys_mkdirat(int dirfd, const char *path, int mode);
long zrt_sys_unlinkat(int dirfd, const char *path, int flags);
long zrt_sys_renameat2(int olddirfd, const char *old, int newdirfd, const char *new_path, unsigned flags);
long zrt_sys_ftruncate(int fd, int64_t len);
long zrt_sys_truncate(const char *path, int64_t len);
long zrt_sys_faccessat(int dirfd, const char *path, int mode, int flags);
long zrt_sys_getcwd(char *buf, size_t n);
long zrt_sys_chdir(const char *path);
long zrt_sys_fchdir(int fd);
long zrt_sys_readlinkat(int dirfd, const char *path, char *buf, size_t n);
long zrt_sys_fchmodat(int dirfd, const char *path, int mode);
long zrt_sys_fchmod(int fd, int mode);
long zrt_sys_utimensat(int dirfd, const char *path, const void *times, int flags);
long zrt_sys_umask(int mask);
long zrt_sys_fsync(int fd);
long zrt_sys_pipe2(int fds[2], int flags);

/* ---- clock and randomness (clock.c) ------------------------------------- */
void zrt_clock_init(const struct zvm_info *info);
uint64_t zrt_clock_now_ns(void);         /* realtime: epoch + the virtual time; each call advances it */
long zrt_sys_clock_gettime(int clk, void *ts);
long zrt_sys_clock_getres(int clk, void *ts);
long zrt_sys_gettimeofday(void *tv, void *tz);
long zrt_sys_time(int64_t *t);
long zrt_sys_nanosleep(const void *req, void *rem);
long zrt_sys_clock_nanosleep(int clk, int flags, const void *req, void *rem);
long zrt_sys_getrandom(void *buf, size_t n, unsigned flags);

/* ---- the layer itself (dispatch.c, start.c, template.c) ----------------- */
/* argv..., NULL, envp..., NULL, aux vector, for info (strings copied into
 * ZRT's heap); *argc and *envp point into it. NULL when out of memory. */
char **zrt_start_vector(const struct zvm_info *info, uint32_t *argc, char ***envp);
/* zrt_fs_init's error on stderr, then the exit trap. */
void zrt_start_failed(long rc);
long zrt_syscall(long nr, const long args[6]);
__attribute__((noreturn)) void zrt_exit(int code);   /* zrt_fs_fini, then the exit trap */

#endif /* ZRT_H */
