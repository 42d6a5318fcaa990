/* The jail's view of the host: the toolchain zvm-cc runs and nothing else.
 * Binaries are found on the host and bound at fixed jail paths; their
 * shared libraries are found by reading DT_NEEDED, so the set is the
 * minimal one on whatever Debian release builds it. */
#include "compile/compile.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Where the jail's loader (no ld.so.cache) looks, and where we look. */
static const char *const lib_dirs[] = { "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64",
					"/lib", "/usr/lib", NULL };

/* The programs zvm-cc runs by name (execvp with PATH=/usr/bin:/bin). */
static const struct {
	const char *name; /* looked up in PATH on the host */
	const char *jail;
} programs[] = {
	{ "gcc", "/usr/bin/gcc" }, /* zvm-cc's C to assembly step */
	{ "as", "/usr/bin/as" },   /* rewritten assembly to objects */
	{ "ld", "/usr/bin/ld" },   /* the static link */
	{ "sh", "/bin/sh" },       /* zvm-cc's popen("gcc -print-file-name=include") */
};

static int push_bind(struct zc_toolchain *t, const char *host, const char *jail, bool dir)
{
	if (t->n == t->cap) {
		int cap = t->cap ? t->cap * 2 : 32;
		struct zc_bind *nb = realloc(t->b, cap * sizeof(*nb));
		if (!nb)
			return -ENOMEM;
		t->b = nb;
		t->cap = cap;
	}
	for (int i = 0; i < t->n; i++)
		if (!strcmp(t->b[i].jail, jail))
			return 0;
	if (strlen(host) >= sizeof(t->b[0].host) || strlen(jail) >= sizeof(t->b[0].jail))
		return -ENAMETOOLONG;
	strcpy(t->b[t->n].host, host);
	strcpy(t->b[t->n].jail, jail);
	t->b[t->n].dir = dir;
	t->n++;
	return 0;
}

void zc_toolchain_free(struct zc_toolchain *t)
{
	free(t->b);
	t->b = NULL;
	t->n = t->cap = 0;
}

/* vaddr -> file offset through the PT_LOAD headers */
static int vaddr_off(const Elf64_Phdr *ph, int n, uint64_t va, size_t size, uint64_t *off)
{
	for (int i = 0; i < n; i++)
		if (ph[i].p_type == PT_LOAD && va >= ph[i].p_vaddr && va - ph[i].p_vaddr < ph[i].p_filesz) {
			*off = ph[i].p_offset + (va - ph[i].p_vaddr);
			return *off < size ? 0 : -ENOEXEC;
		}
	return -ENOEXEC;
}

int zc_elf_needed(const char *path, int (*fn)(const char *name, bool interp, void *data), void *data)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;
	struct stat st;
	const unsigned char *m;
	const Elf64_Ehdr *eh;
	const Elf64_Phdr *ph;
	const Elf64_Dyn *dyn = NULL;
	size_t ndyn = 0;
	uint64_t stroff = 0, strva = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || st.st_size < (off_t)sizeof(Elf64_Ehdr)) {
		close(fd);
		return -ENOEXEC;
	}
	m = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return -errno;
	eh = (const Elf64_Ehdr *)m;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_phentsize != sizeof(Elf64_Phdr) ||
	    eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > (uint64_t)st.st_size) {
		rc = -ENOEXEC;
		goto out_unmap;
	}
	ph = (const Elf64_Phdr *)(m + eh->e_phoff);
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_offset + ph[i].p_filesz > (uint64_t)st.st_size) {
			rc = -ENOEXEC;
			goto out_unmap;
		}
		if (ph[i].p_type == PT_INTERP && ph[i].p_filesz > 1 && m[ph[i].p_offset + ph[i].p_filesz - 1] == '\0') {
			if ((rc = fn((const char *)m + ph[i].p_offset, true, data)) < 0)
				goto out_unmap;
		} else if (ph[i].p_type == PT_DYNAMIC) {
			dyn = (const Elf64_Dyn *)(m + ph[i].p_offset);
			ndyn = ph[i].p_filesz / sizeof(Elf64_Dyn);
		}
	}
	for (size_t i = 0; i < ndyn && dyn[i].d_tag != DT_NULL; i++)
		if (dyn[i].d_tag == DT_STRTAB)
			strva = dyn[i].d_un.d_ptr;
	if (!dyn || !strva)
		goto out_unmap; /* static: nothing needed */
	if ((rc = vaddr_off(ph, eh->e_phnum, strva, st.st_size, &stroff)) < 0)
		goto out_unmap;
	for (size_t i = 0; i < ndyn && dyn[i].d_tag != DT_NULL; i++) {
		uint64_t o = stroff + dyn[i].d_un.d_val;
		if (dyn[i].d_tag != DT_NEEDED)
			continue;
		if (o >= (uint64_t)st.st_size || !memchr(m + o, '\0', st.st_size - o)) {
			rc = -ENOEXEC;
			goto out_unmap;
		}
		if ((rc = fn((const char *)m + o, false, data)) < 0)
			goto out_unmap;
	}
out_unmap:
	munmap((void *)m, st.st_size);
	return rc;
}

struct walk {
	struct zc_toolchain *t;
	char *msg;
	size_t msglen;
	const char *from;
};

static int add_elf(struct walk *w, const char *host);

static int on_needed(const char *name, bool interp, void *data)
{
	struct walk *w = data;
	char path[PATH_MAX], real[PATH_MAX], jail[PATH_MAX];
	int rc;

	if (interp) {
		if (!realpath(name, real)) {
			snprintf(w->msg, w->msglen, "%s: its loader %s: %s", w->from, name, strerror(errno));
			return -errno;
		}
		if ((rc = push_bind(w->t, real, name, false)) < 0)
			return rc;
		return 0;
	}
	if (strchr(name, '/')) {
		snprintf(w->msg, w->msglen, "%s: needs %s by path", w->from, name);
		return -EINVAL;
	}
	for (const char *const *d = lib_dirs; *d; d++) {
		snprintf(path, sizeof(path), "%s/%s", *d, name);
		if (!realpath(path, real))
			continue;
		/* bound under its real directory, by the name the loader asks */
		char dir[PATH_MAX];
		snprintf(dir, sizeof(dir), "%s", real);
		snprintf(jail, sizeof(jail), "%s/%s", dirname(dir), name);
		for (int i = 0; i < w->t->n; i++)
			if (!strcmp(w->t->b[i].jail, jail))
				return 0; /* seen, with its own needs */
		if ((rc = push_bind(w->t, real, jail, false)) < 0)
			return rc;
		return add_elf(w, real);
	}
	snprintf(w->msg, w->msglen, "%s: needs %s, found in no library directory", w->from, name);
	return -ENOENT;
}

static int add_elf(struct walk *w, const char *host)
{
	const char *saved = w->from;
	int rc;

	w->from = host;
	rc = zc_elf_needed(host, on_needed, w);
	if (rc < 0 && !w->msg[0])
		snprintf(w->msg, w->msglen, "%s: %s", host, strerror(-rc));
	w->from = saved;
	return rc;
}

static int in_path(const char *name, char *out, size_t len)
{
	const char *p = getenv("PATH");
	char buf[PATH_MAX];

	if (!p || !*p)
		p = "/usr/bin:/bin";
	while (*p) {
		size_t n = strcspn(p, ":");
		if (n && n < sizeof(buf) - strlen(name) - 2) {
			snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, p, name);
			if (access(buf, X_OK) == 0 && realpath(buf, out))
				return strlen(out) < len ? 0 : -ENAMETOOLONG;
		}
		p += n;
		if (*p == ':')
			p++;
	}
	return -ENOENT;
}

/* gcc's own directory (cc1, its headers): gcc -print-prog-name=cc1 */
static int gcc_dir(const char *gcc, char *out, size_t len)
{
	char cmd[PATH_MAX + 32], line[PATH_MAX];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "'%s' -print-prog-name=cc1", gcc);
	if (strchr(gcc, '\'') || !(p = popen(cmd, "re")))
		return -EINVAL;
	if (!fgets(line, sizeof(line), p)) {
		pclose(p);
		return -EIO;
	}
	pclose(p);
	line[strcspn(line, "\n")] = '\0';
	if (line[0] != '/' || !realpath(line, out))
		return -ENOENT;
	(void)len;
	dirname(out);
	return 0;
}

int zc_toolchain_find(struct zc_toolchain *t, const char *self_dir, char *msg, size_t msglen)
{
	struct walk w = { .t = t, .msg = msg, .msglen = msglen };
	char host[PATH_MAX], gdir[PATH_MAX], cc1[PATH_MAX + 8];
	int rc;

	msg[0] = '\0';
	for (size_t i = 0; i < sizeof(programs) / sizeof(programs[0]); i++) {
		if ((rc = in_path(programs[i].name, host, sizeof(host))) < 0) {
			snprintf(msg, msglen, "%s: not found in PATH (the toolchain: mk/deps.sh)", programs[i].name);
			return rc;
		}
		if ((rc = push_bind(t, host, programs[i].jail, false)) < 0 || (rc = add_elf(&w, host)) < 0)
			return rc;
		if (i == 0 && (rc = gcc_dir(host, gdir, sizeof(gdir))) < 0) {
			snprintf(msg, msglen, "%s -print-prog-name=cc1: no absolute path to cc1", host);
			return rc;
		}
	}
	/* cc1 and gcc's headers, at the path gcc was built to look in */
	if ((rc = push_bind(t, gdir, gdir, true)) < 0)
		return rc;
	snprintf(cc1, sizeof(cc1), "%s/cc1", gdir);
	if ((rc = add_elf(&w, cc1)) < 0)
		return rc;
	snprintf(host, sizeof(host), "%s/zvm-cc", self_dir);
	if (access(host, X_OK) != 0) {
		snprintf(msg, msglen, "%s: %s (build it: make)", host, strerror(errno));
		return -errno;
	}
	if ((rc = push_bind(t, host, "/zvm/bin/zvm-cc", false)) < 0 || (rc = add_elf(&w, host)) < 0)
		return rc;
	/* the validator, run on the image before it leaves the jail */
	snprintf(host, sizeof(host), "%s/zvm-local", self_dir);
	if (access(host, X_OK) != 0) {
		snprintf(msg, msglen, "%s: %s (build it: make)", host, strerror(errno));
		return -errno;
	}
	if ((rc = push_bind(t, host, "/zvm/bin/zvm-local", false)) < 0 || (rc = add_elf(&w, host)) < 0)
		return rc;
	snprintf(host, sizeof(host), "%s/../runtime", self_dir);
	if (!realpath(host, gdir)) {
		snprintf(msg, msglen, "%s: %s (build it: make)", host, strerror(errno));
		return -errno;
	}
	return push_bind(t, gdir, "/zvm/runtime", true);
}
