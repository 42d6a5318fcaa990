/*
 * template.c — zvm_template_keep(), the template point (docs/zvmd.md,
 * "Templates").
 *
 * Before the request: stdio is flushed, so no byte the template wrote
 * waits in a buffer to come out in every copy. The request is the heap
 * trap's ZVM_HEAP_KEEP: in a run that makes a template the cell ends in
 * the trap and its memory is kept; each copy returns from the same trap
 * with its own job's start-up block. ZRT then takes what is the job's from
 * that block: arguments, environment, the clock and random stream (from
 * the job's Seed and Epoch), a fresh file tree and fd table on the job's
 * channels and image (the template's files and open fds are not carried),
 * and the job's memory limit. The tree starts from the program's embedded
 * archive as zrt_fs_keep_base built it, alone, just before the request:
 * parsing the archive again was a third of a Python copy's page faults
 * (docs/benchmarks.md, "Where a Python copy's time goes"). The heap, the
 * interpreter's state, anything the program built, stays: that is the
 * point.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <unistd.h>

#include "zrt.h"
#include "zvm.h"

long zrt_proc_init(const struct zvm_info *i);

int zvm_template_keep(int *argc, char ***argv)
{
	const struct zvm_info *info;
	char **vec, **envp;
	uint32_t n;
	long r, rc;

	fflush(NULL);
	zrt_fs_keep_base(); /* without it (out of memory), a copy parses the archive */
	r = zvm_trap_heap(ZVM_HEAP_KEEP);
	if (r <= 0) {
		zrt_fs_drop_base();
		return (int)r; /* 0: no template is made here; -EALREADY: a copy asked again */
	}
	info = (const struct zvm_info *)(uintptr_t)r;
	if (info->magic != ZVM_INFO_MAGIC || info->version != ZVM_INFO_VERSION ||
	    !(info->flags & ZVM_INFO_TEMPLATE_COPY))
		zvm_trap_exit(121); /* a loader we do not understand */
	zvm_info = info;
	zrt_mem_set_limit(info);
	zrt_clock_init(info);
	zrt_proc_init(info);
	rc = zrt_fs_init_copy(info);
	if (rc < 0)
		zrt_start_failed(rc);
	/* what stdin held of the template's input, and its end of file */
	__fpurge(stdin);
	clearerr(stdin);
	clearerr(stdout);
	clearerr(stderr);
	if (!(vec = zrt_start_vector(info, &n, &envp))) {
		static const char msg[] = "zrt: out of memory in a template copy\n";
		write(2, msg, sizeof(msg) - 1);
		zvm_trap_exit(121);
	}
	environ = envp;
	if (argc)
		*argc = (int)n;
	if (argv)
		*argv = vec;
	return 1;
}
