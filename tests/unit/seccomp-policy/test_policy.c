/*
 * test_policy.c — the seccomp allow-lists as tables: (system call,
 * arguments) -> allowed or killed. Each row runs in a forked child that
 * reserves the sandbox range, loads one stage (cell or pool) and makes the
 * raw call; the filter answers with SECCOMP_RET_TRAP, and with no handler
 * installed the SIGSYS kills the child. "Allowed" means the call came back
 * (whatever it returned), "killed" means the child died of SIGSYS.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "seccomp-policy/seccomp-policy.h"
#include "sfi/sfi.h"

#define G4 0x100000000ull
#define RW (PROT_READ | PROT_WRITE)
#define RX (PROT_READ | PROT_EXEC)
#define X32 0x40000000
#define INT80 (-1000)            /* pseudo number: the i386 ABI, int $0x80 */

enum stage { CELL, POOL };
enum want { ALLOWED, KILLED };

struct row {
	const char *what;
	long nr;
	uint64_t a[6];
	enum want want;
};

static const struct row cell_rows[] = {
	/* channel I/O: fds [64, 128) only, compared on all 64 bits */
	{ "read fd 64",                   SYS_read, { 64, 0, 0 }, ALLOWED },
	{ "read fd 127",                  SYS_read, { 127, 0, 0 }, ALLOWED },
	{ "read fd 63",                   SYS_read, { 63, 0, 0 }, KILLED },
	{ "read fd 128",                  SYS_read, { 128, 0, 0 }, KILLED },
	{ "read fd 0",                    SYS_read, { 0, 0, 0 }, KILLED },
	{ "read fd -1",                   SYS_read, { ~0ull, 0, 0 }, KILLED },
	{ "read fd 64 + 2^32",            SYS_read, { 64 + G4, 0, 0 }, KILLED },
	{ "write fd 64",                  SYS_write, { 64, 0, 0 }, ALLOWED },
	{ "write fd 100",                 SYS_write, { 100, 0, 0 }, ALLOWED },
	{ "write fd 1",                   SYS_write, { 1, 0, 0 }, KILLED },
	{ "write fd 2",                   SYS_write, { 2, 0, 0 }, KILLED },
	{ "write fd 128",                 SYS_write, { 128, 0, 0 }, KILLED },
	{ "write fd 192",                 SYS_write, { 192, 0, 0 }, KILLED },
	{ "pread64 fd 65",                SYS_pread64, { 65, 0, 0, 0 }, ALLOWED },
	{ "pread64 fd 3",                 SYS_pread64, { 3, 0, 0, 0 }, KILLED },
	{ "pwrite64 fd 127",              SYS_pwrite64, { 127, 0, 0, 0 }, ALLOWED },
	{ "pwrite64 fd 2",                SYS_pwrite64, { 2, 0, 0, 0 }, KILLED },
	{ "readv fd 64",                  SYS_readv, { 64, 0, 0 }, KILLED },
	{ "writev fd 64",                 SYS_writev, { 64, 0, 0 }, KILLED },
	/* mprotect: [addr, addr+len) at or below 4 GiB, never PROT_EXEC */
	{ "mprotect one page RW",         SYS_mprotect, { 0x10000, 0x1000, RW }, ALLOWED },
	{ "mprotect PROT_NONE",           SYS_mprotect, { 0x10000, 0x1000, PROT_NONE }, ALLOWED },
	{ "mprotect RX",                  SYS_mprotect, { 0x10000, 0x1000, RX }, KILLED },
	{ "mprotect PROT_EXEC alone",     SYS_mprotect, { 0x10000, 0x1000, PROT_EXEC }, KILLED },
	{ "mprotect RWX below 4 GiB",     SYS_mprotect, { 0x20000, 0x1000, RW | PROT_EXEC }, KILLED },
	{ "mprotect len 0",               SYS_mprotect, { 0x10000, 0, RW }, ALLOWED },
	{ "mprotect len 0 at 4 GiB",      SYS_mprotect, { G4, 0, RW }, KILLED },
	{ "mprotect last page, ends at 4 GiB", SYS_mprotect, { G4 - 0x1000, 0x1000, RW }, ALLOWED },
	{ "mprotect two pages, end at 4 GiB",  SYS_mprotect, { G4 - 0x2000, 0x2000, RW }, ALLOWED },
	{ "mprotect 0xFFFFF000+0x2000 crosses 4 GiB", SYS_mprotect, { G4 - 0x1000, 0x2000, RW }, KILLED },
	{ "mprotect 0xFFFFF000+0x1001 crosses 4 GiB", SYS_mprotect, { G4 - 0x1000, 0x1001, RW }, KILLED },
	{ "mprotect three pages to 4 GiB", SYS_mprotect, { G4 - 0x3000, 0x3000, RW }, ALLOWED },
	{ "mprotect [4 KiB, 4 GiB)",      SYS_mprotect, { 0x1000, G4 - 0x1000, PROT_READ }, ALLOWED },
	{ "mprotect [4 KiB, 4 GiB + 4 KiB)", SYS_mprotect, { 0x1000, G4, PROT_READ }, KILLED },
	{ "mprotect one byte past 4 GiB", SYS_mprotect, { 0x12345000, G4 - 0x12345000 + 1, PROT_READ }, KILLED },
	{ "mprotect up to 4 GiB exactly", SYS_mprotect, { 0x12345000, G4 - 0x12345000, PROT_READ }, ALLOWED },
	{ "mprotect len 2^32 + 2^12 from 0", SYS_mprotect, { 0, G4 + 0x1000, PROT_READ }, KILLED },
	{ "mprotect len 2^33 from 0",     SYS_mprotect, { 0, 2 * G4, PROT_READ }, KILLED },
	{ "mprotect len 2^32 from 4 KiB (low halves wrap to 4 KiB + 0)", SYS_mprotect, { 0x1000, G4, RW }, KILLED },
	{ "mprotect [2 GiB, 4 GiB)",      SYS_mprotect, { G4 / 2, G4 / 2, PROT_READ }, ALLOWED },
	{ "mprotect [2 GiB + 4 KiB, 4 GiB + 4 KiB)", SYS_mprotect, { G4 / 2 + 0x1000, G4 / 2, RW }, KILLED },
	{ "mprotect [0, 4 GiB)",          SYS_mprotect, { 0, G4, PROT_READ }, ALLOWED },
	{ "mprotect [0, 4 GiB + 4 KiB)",  SYS_mprotect, { 0, G4 + 0x1000, PROT_READ }, KILLED },
	{ "mprotect at 4 GiB",            SYS_mprotect, { G4, 0x1000, RW }, KILLED },
	{ "mprotect trusted memory (8 GiB)", SYS_mprotect, { 2 * G4, 0x1000, RW }, KILLED },
	{ "mprotect len 2^64 - 4 KiB (wraps)", SYS_mprotect, { 0x1000, -0x1000ull, RW }, KILLED },
	{ "mprotect len 2^64 - 1",        SYS_mprotect, { 0x10000, ~0ull, RW }, KILLED },
	{ "mprotect addr 2^64 - 4 KiB",   SYS_mprotect, { -0x1000ull, 0x1000, RW }, KILLED },
	{ "mprotect len 2^33",            SYS_mprotect, { 0x10000, 2 * G4, RW }, KILLED },
	/* madvise: MADV_DONTNEED only, same range rule */
	{ "madvise DONTNEED one page",    SYS_madvise, { 0x10000, 0x1000, MADV_DONTNEED }, ALLOWED },
	{ "madvise DONTNEED last page",   SYS_madvise, { G4 - 0x1000, 0x1000, MADV_DONTNEED }, ALLOWED },
	{ "madvise DONTNEED crosses 4 GiB", SYS_madvise, { G4 - 0x1000, 0x2000, MADV_DONTNEED }, KILLED },
	{ "madvise DONTNEED trusted memory", SYS_madvise, { 2 * G4, 0x1000, MADV_DONTNEED }, KILLED },
	{ "madvise DONTNEED wraps",       SYS_madvise, { 0x1000, -0x1000ull, MADV_DONTNEED }, KILLED },
	{ "madvise DONTNEED len 0",       SYS_madvise, { 0x10000, 0, MADV_DONTNEED }, ALLOWED },
	{ "madvise FREE",                 SYS_madvise, { 0x10000, 0x1000, MADV_FREE }, KILLED },
	{ "madvise REMOVE",               SYS_madvise, { 0x10000, 0x1000, MADV_REMOVE }, KILLED },
	{ "madvise DONTFORK",             SYS_madvise, { 0x10000, 0x1000, MADV_DONTFORK }, KILLED },
	/* everything else */
	{ "openat",                       SYS_openat, { (uint64_t)AT_FDCWD, 0, 0 }, KILLED },
	{ "open",                         SYS_open, { 0, 0, 0 }, KILLED },
	{ "close fd 64",                  SYS_close, { 64 }, KILLED },
	{ "lseek fd 64",                  SYS_lseek, { 64, 0, 0 }, KILLED },
	{ "fstat fd 64",                  SYS_fstat, { 64, 0 }, KILLED },
	{ "ioctl fd 64",                  SYS_ioctl, { 64, 0, 0 }, KILLED },
	{ "fcntl fd 64",                  SYS_fcntl, { 64, 0 }, KILLED },
	{ "dup fd 64",                    SYS_dup, { 64 }, KILLED },
	{ "mmap",                         SYS_mmap, { 0, 0x1000, RW, MAP_PRIVATE | MAP_ANONYMOUS, ~0ull, 0 }, KILLED },
	{ "munmap",                       SYS_munmap, { 0x10000, 0x1000 }, KILLED },
	{ "mremap",                       SYS_mremap, { 0x10000, 0x1000, 0x2000, 0 }, KILLED },
	{ "brk",                          SYS_brk, { 0 }, KILLED },
	{ "execve",                       SYS_execve, { 0, 0, 0 }, KILLED },
	{ "clone",                        SYS_clone, { 0, 0, 0, 0, 0 }, KILLED },
	{ "kill",                         SYS_kill, { 0, 0 }, KILLED },
	{ "getpid",                       SYS_getpid, { 0 }, KILLED },
	{ "socket",                       SYS_socket, { 0, 0, 0 }, KILLED },
	{ "prctl",                        SYS_prctl, { 0 }, KILLED },
	{ "seccomp",                      SYS_seccomp, { 0 }, KILLED },
	{ "rt_sigaction",                 SYS_rt_sigaction, { SIGSYS, 0, 0, 8 }, KILLED },
	{ "rt_sigprocmask",               SYS_rt_sigprocmask, { 0, 0, 0, 8 }, KILLED },
	{ "ptrace",                       SYS_ptrace, { 0 }, KILLED },
	{ "x32 write fd 64",              X32 | 1, { 64, 0, 0 }, KILLED },
	{ "i386 getpid (int $0x80)",      INT80, { 20 }, KILLED },
	{ "i386 write fd 64 (int $0x80)", INT80, { 4, 64, 0, 0 }, KILLED },
	{ "exit_group",                   SYS_exit_group, { 0 }, ALLOWED },
	{ "exit",                         SYS_exit, { 0 }, ALLOWED },
};

static const struct row pool_rows[] = {
	/* executable memory only below 4 GiB, the range bounded too */
	{ "mprotect RX one page",         SYS_mprotect, { 0x10000, 0x1000, RX }, ALLOWED },
	{ "mprotect RX last page",        SYS_mprotect, { G4 - 0x1000, 0x1000, RX }, ALLOWED },
	{ "mprotect RX crosses 4 GiB",    SYS_mprotect, { G4 - 0x1000, 0x2000, RX }, KILLED },
	{ "mprotect RX [0x20000, 4 GiB + 4 KiB)", SYS_mprotect, { 0x20000, G4 - 0x20000 + 0x1000, RX }, KILLED },
	{ "mprotect RX at 4 GiB",         SYS_mprotect, { G4, 0x1000, RX }, KILLED },
	{ "mprotect RX trusted memory",   SYS_mprotect, { 3 * G4, 0x1000, RX }, KILLED },
	{ "mprotect RX wraps",            SYS_mprotect, { 0x1000, -0x1000ull, RX }, KILLED },
	{ "mprotect RX three pages to 4 GiB", SYS_mprotect, { G4 - 0x3000, 0x3000, RX }, ALLOWED },
	{ "mprotect RX [0x10000, 4 GiB)", SYS_mprotect, { 0x10000, G4 - 0x10000, RX }, ALLOWED },
	{ "mprotect RX len 2^32 - 1 from 0x10000", SYS_mprotect, { 0x10000, G4 - 1, RX }, KILLED },
	{ "mprotect RX len 0",            SYS_mprotect, { 0x10000, 0, RX }, ALLOWED },
	{ "mprotect PROT_EXEC, huge len", SYS_mprotect, { 0x10000, ~0ull, PROT_EXEC }, KILLED },
	/* without PROT_EXEC anywhere (the worker's own memory) */
	{ "mprotect R above 4 GiB",       SYS_mprotect, { G4 + 0x1000, 0x1000, PROT_READ }, ALLOWED },
	{ "mprotect RW crossing 4 GiB",   SYS_mprotect, { G4 - 0x1000, 0x2000, RW }, ALLOWED },
	{ "mmap RW",                      SYS_mmap, { 0, 0x1000, RW, MAP_PRIVATE | MAP_ANONYMOUS, ~0ull, 0 }, ALLOWED },
	{ "mmap RX",                      SYS_mmap, { 0, 0x1000, RX, MAP_PRIVATE | MAP_ANONYMOUS, ~0ull, 0 }, KILLED },
	{ "mmap PROT_EXEC below 4 GiB",   SYS_mmap, { 0x10000, 0x1000, PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, ~0ull, 0 }, KILLED },
	{ "madvise anything",             SYS_madvise, { 0x10000, 0x1000, MADV_NORMAL }, ALLOWED },
	{ "read fd 0",                    SYS_read, { 0, 0, 0 }, ALLOWED },
	{ "write fd 1",                   SYS_write, { 1, 0, 0 }, ALLOWED },
	/* random-access channel writes and a template's memory (fd 127), no other fd */
	{ "pwrite64 fd 127",              SYS_pwrite64, { 127, 0, 0, 0 }, ALLOWED },
	{ "pwrite64 fd 3",                SYS_pwrite64, { 3, 0, 0, 0 }, KILLED },
	{ "getpid",                       SYS_getpid, { 0 }, ALLOWED },
	/* no file system, network, processes or new privileges */
	{ "openat",                       SYS_openat, { (uint64_t)AT_FDCWD, 0, 0 }, KILLED },
	{ "open",                         SYS_open, { 0, 0, 0 }, KILLED },
	{ "stat",                         SYS_stat, { 0, 0 }, KILLED },
	{ "socket",                       SYS_socket, { 0, 0, 0 }, KILLED },
	{ "connect",                      SYS_connect, { 0, 0, 0 }, KILLED },
	{ "execve",                       SYS_execve, { 0, 0, 0 }, KILLED },
	{ "clone",                        SYS_clone, { 0, 0, 0, 0, 0 }, KILLED },
	{ "fork",                         SYS_fork, { 0 }, KILLED },
	{ "kill",                         SYS_kill, { 0, 0 }, KILLED },
	{ "ptrace",                       SYS_ptrace, { 0 }, KILLED },
	{ "ioctl",                        SYS_ioctl, { 0, 0, 0 }, KILLED },
	{ "mremap",                       SYS_mremap, { 0x10000, 0x1000, 0x2000, 0 }, KILLED },
	{ "process_vm_writev",            SYS_process_vm_writev, { 0 }, KILLED },
	{ "x32 getpid",                   X32 | SYS_getpid, { 0 }, KILLED },
	{ "i386 getpid (int $0x80)",      INT80, { 20 }, KILLED },
	{ "exit_group",                   SYS_exit_group, { 0 }, ALLOWED },
};

static long int80(const uint64_t *a)
{
	long rc;

	__asm__ volatile("int $0x80" : "=a"(rc) : "a"(a[0]), "b"(a[1]), "c"(a[2]), "d"(a[3]) : "memory");
	return rc;
}

static bool reserved;

/* Under the cell stage: _exit may be wrapped (ASan's runs more system
 * calls first), so leave with the raw call. */
__attribute__((noreturn)) static void leave(int code)
{
	syscall(SYS_exit_group, code);
	__builtin_unreachable();
}

/* A child that loads the stage and runs fn(arg); its wait status. */
static int in_child(enum stage st, void (*fn)(const void *), const void *arg)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_DUMPABLE, 0); /* no core dump for the expected SIGSYS */
		signal(SIGSYS, SIG_DFL);
		if ((st == CELL ? zvm_seccomp_load_cell_stage() : zvm_seccomp_load_pool_stage()) < 0)
			_exit(100);
		fn(arg);
		leave(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void call_row(const void *arg)
{
	const struct row *r = arg;

	if (r->nr == INT80)
		int80(r->a);
	else
		syscall(r->nr, r->a[0], r->a[1], r->a[2], r->a[3], r->a[4], r->a[5]);
}

static void run_table(enum stage st, const struct row *rows, unsigned n)
{
	unsigned bad = 0;

	for (unsigned i = 0; i < n; i++) {
		int status = in_child(st, call_row, &rows[i]);
		bool killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS;

		assert_false(WIFEXITED(status) && WEXITSTATUS(status) == 100);
		if (killed != (rows[i].want == KILLED)) {
			print_error("%s stage, row %u \"%s\": %s, expected %s (status 0x%x)\n",
				    st == CELL ? "cell" : "pool", i, rows[i].what,
				    killed ? "killed" : "allowed", killed ? "allowed" : "killed", status);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

static void test_cell_stage(void **state)
{
	run_table(CELL, cell_rows, sizeof(cell_rows) / sizeof(cell_rows[0]));
}

static void test_pool_stage(void **state)
{
	run_table(POOL, pool_rows, sizeof(pool_rows) / sizeof(pool_rows[0]));
}

/* The rows' effect on real memory: the last page below 4 GiB can be made
 * writable and written; the same call one page longer (the guard page at
 * 4 GiB) dies before it changes anything. */
static void guard_last_page(const void *arg)
{
	if (syscall(SYS_mprotect, G4 - 0x1000, 0x1000, RW) != 0)
		leave(1);
	*(volatile uint64_t *)(G4 - 8) = 1;
	leave(0);
}

static void guard_crossing(const void *arg)
{
	syscall(SYS_mprotect, G4 - 0x1000, 0x2000, RW);
	*(volatile uint64_t *)G4 = 1; /* only if the guard page became writable */
	leave(0);
}

static void test_guard_page(void **state)
{
	int status;

	if (!reserved)
		skip(); /* ASan's shadow memory sits in the sandbox range */
	status = in_child(CELL, guard_last_page, NULL);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	status = in_child(CELL, guard_crossing, NULL);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cell_stage),
		cmocka_unit_test(test_pool_stage),
		cmocka_unit_test(test_guard_page),
	};

	/* once, inherited by every child: the rows' mprotect/madvise then act
	 * on the sandbox's own PROT_NONE reservation */
	reserved = sfi_cell_reserve() == 0;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
