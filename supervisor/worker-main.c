/*
 * worker-main.c — zvm-worker, the program every pool worker is.
 *
 * zvmd starts it with exec (zvm_jail_spawn), so a worker begins in a fresh
 * address space: no copy of zvmd's heap (other tenants' queued jobs, the
 * image cache), no other slot's window. It maps its own slot's window from
 * descriptor 4 and runs zvm_worker_main. The descriptors and arguments are
 * described in worker.h; it is not meant to be run by hand.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "supervisor/worker.h"

/* "key=NUMBER" into *v; 1 if arg has that key, 0 if not, -1 if malformed */
static int num_arg(const char *arg, const char *key, unsigned long *v)
{
	size_t n = strlen(key);
	char *end;

	if (strncmp(arg, key, n) != 0 || arg[n] != '=')
		return 0;
	errno = 0;
	*v = strtoul(arg + n + 1, &end, 10);
	return (errno || end == arg + n + 1 || *end) ? -1 : 1;
}

static int usage(const char *why)
{
	/* stderr is normally closed: this is for a person who ran it by hand */
	fprintf(stderr, "zvm-worker: %s\n"
			"zvm-worker is started by zvmd with its descriptors set up (supervisor/worker.h);\n"
			"it is not a command.\n", why);
	return 2;
}

int zvm_worker_start(unsigned long uid, unsigned long gid, const char *ns, unsigned long ncg, int ready_after)
{
	static struct zvm_jail jail = { .hostname = "zvm" };
	struct zvm_slot_shared *sh;
	struct stat st;

	if (uid == 0 || uid >= 0xffffffffu || gid == 0 || gid >= 0xffffffffu || !ns || ncg > 4)
		return usage("needs uid=, gid= (not 0), ns= and cgroups= (at most 4)");
	/* The window must be what this build calls a window: zvmd and the
	 * worker come from the same build (or the size tells they do not). */
	if (fstat(ZVM_WORKER_FD_WINDOW, &st) < 0 || (size_t)st.st_size != sizeof(*sh) ||
	    fcntl(ZVM_WORKER_FD_CTL, F_GETFD) < 0)
		return usage("descriptor 4 is not a slot's window of this build, or 3 is not open");
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED, ZVM_WORKER_FD_WINDOW, 0);
	if (sh == MAP_FAILED)
		return usage("cannot map the window");
	close(ZVM_WORKER_FD_WINDOW);
	jail.uid = (uid_t)uid;
	jail.gid = (gid_t)gid;
	jail.ready_after = ready_after;
	for (int i = 0; i < 4; i++) {
		jail.shared_ns[i] = ns[i] == '1' ? ZVM_WORKER_FD_NS + i : -1;
		jail.cgroup_procs[i] = (unsigned long)i < ncg ? ZVM_WORKER_FD_CGROUP + i : -1;
	}
	/* No OpenSSL start-up here: the worker maps its image without hashing
	 * it (zvmd's validator helper did), and the channel digests use the
	 * low-level SHA-256 calls, which read no configuration file. */
	zvm_worker_main(ZVM_WORKER_FD_CTL, sh, &jail);
}

int main(int argc, char **argv)
{
	unsigned long slot = 0, uid = ~0ul, gid = ~0ul, ncg = 0;
	const char *ns = NULL;

	if (argc == 2 && strcmp(argv[1], "zygote") == 0) {
		struct stat st;
		if (fstat(3, &st) < 0 || !S_ISSOCK(st.st_mode))
			return usage("zygote: descriptor 3 is not zvmd's socket");
		zvm_zygote_main(3, argv[1]);
	}
	for (int i = 1; i < argc; i++) {
		int r;
		if ((r = num_arg(argv[i], "slot", &slot)) || (r = num_arg(argv[i], "uid", &uid)) ||
		    (r = num_arg(argv[i], "gid", &gid)) || (r = num_arg(argv[i], "cgroups", &ncg))) {
			if (r < 0)
				return usage("malformed argument");
		} else if (strncmp(argv[i], "ns=", 3) == 0 && strspn(argv[i] + 3, "01") == 4 && !argv[i][7]) {
			ns = argv[i] + 3;
		} else {
			return usage("unknown argument");
		}
	}
	(void)slot; /* only for a person reading ps */
	return zvm_worker_start(uid, gid, ns, ncg, -1);
}
