/*
 * bpf.c — the third wall: cgroup-BPF programs on a cell's v2 group that
 * refuse socket creation and device access, whatever the seccomp filter
 * and the namespaces let through. Each program is two instructions
 * ("return 0": deny), loaded with libbpf.
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgroups/cgroups.h"

static int load_deny(enum bpf_prog_type type, char *err, size_t errlen)
{
	const struct bpf_insn deny[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 }, /* r0 = 0 */
		{ .code = BPF_JMP | BPF_EXIT },                                        /* exit */
	};
	int fd = bpf_prog_load(type, "zvm_deny", "GPL", deny, 2, NULL);

	if (fd < 0)
		snprintf(err, errlen, "loading a cgroup-BPF program (type %d): %s", type, strerror(-fd));
	return fd;
}

int zvm_cg_deny_sockets_and_devices(struct zvm_cg_cell *c, char *err, size_t errlen)
{
	static const struct {
		enum bpf_prog_type type;
		enum bpf_attach_type attach;
	} progs[] = {
		{ BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET_SOCK_CREATE },
		{ BPF_PROG_TYPE_CGROUP_DEVICE, BPF_CGROUP_DEVICE },
	};
	int cg, rc = 0;

	if (!c->path_v2[0]) {
		snprintf(err, errlen, "no cgroup v2 group for this cell");
		return -ENOENT;
	}
	cg = open(c->path_v2, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", c->path_v2, strerror(errno));
		return rc;
	}
	for (unsigned i = 0; i < sizeof(progs) / sizeof(progs[0]) && rc == 0; i++) {
		int fd = load_deny(progs[i].type, err, errlen);
		if (fd < 0) {
			rc = fd;
			break;
		}
		rc = bpf_prog_attach(fd, cg, progs[i].attach, 0);
		if (rc < 0) {
			rc = -errno;
			snprintf(err, errlen, "attaching to %s: %s", c->path_v2, strerror(errno));
			close(fd);
			break;
		}
		c->bpf_links[i] = fd;
	}
	close(cg);
	return rc;
}
