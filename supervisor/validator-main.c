/*
 * validator-main.c — zvm-validator, the unprivileged helper that reads,
 * hashes, parses and validates one client image for zvmd
 * (supervisor/validator.h). zvmd starts it as root with its socket at fd 3
 * and `zvm-validator UID GID`; it drops to that uid with no capabilities,
 * sets no_new_privs and loads a seccomp allow-list before it touches the
 * client's fd. It serves images of one client uid, one at a time, until
 * zvmd closes its socket or it refuses an image (then it exits).
 */
#include <cap-ng.h>
#include <errno.h>
#include <stdarg.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "protocol/protocol.h"
#include "seccomp-policy/seccomp-policy.h"
#include "supervisor/validator.h"

static int sock = ZVM_VH_SOCKET_FD;

static void send_reply(const struct zvm_vh_reply *r, int fd)
{
	if (zvm_sendmsg_fds(sock, r, sizeof(*r), &fd, fd >= 0, MSG_NOSIGNAL) != (ssize_t)sizeof(*r))
		_exit(1);
}

__attribute__((noreturn, format(printf, 2, 3)))
static void fail(int rc, const char *fmt, ...)
{
	struct zvm_vh_reply r = { .kind = ZVM_VH_ERROR, .rc = rc };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r.message, sizeof(r.message), fmt, ap);
	va_end(ap);
	send_reply(&r, -1);
	_exit(0);
}

/* A request and exactly one fd, the image (a second one is closed and
 * the request refused). */
static int recv_request(struct zvm_vh_request *req, int *fd)
{
	int fds[2];
	unsigned nfds = 0;
	ssize_t n = zvm_recvmsg_fds(sock, req, sizeof(*req), fds, 2, &nfds, 0, NULL);

	*fd = -1;
	if (n != (ssize_t)sizeof(*req) || nfds != 1) {
		for (unsigned i = 0; i < nfds; i++)
			close(fds[i]);
		return -EPROTO;
	}
	*fd = fds[0];
	return 0;
}

static void drop_privileges(uid_t uid, gid_t gid)
{
	struct rlimit as = { 4ull << 30, 4ull << 30 }, nofile = { 16, 16 }, core = { 0, 0 };
	int rc;

	/* Nothing but the socket is kept from zvmd. */
	close_range(ZVM_VH_SOCKET_FD + 1, ~0U, 0);
	if (setrlimit(RLIMIT_AS, &as) < 0 || setrlimit(RLIMIT_NOFILE, &nofile) < 0 || setrlimit(RLIMIT_CORE, &core) < 0)
		fail(-errno, "setting the helper's limits: %s", strerror(errno));
	capng_clear(CAPNG_SELECT_BOTH);
	rc = capng_change_id((int)uid, (int)gid, CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING);
	if (rc != 0)
		fail(-EPERM, "validator helper: dropping to uid %u: libcap-ng error %d", (unsigned)uid, rc);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		fail(-errno, "validator helper: prctl: %s", strerror(errno));
	if (getuid() != uid || geteuid() != uid || getgid() != gid)
		fail(-EPERM, "validator helper: ids did not change");
	{
		/* OpenSSL picks its code path on first use: before the filter. */
		uint8_t d[32];
		SHA256((const uint8_t *)"", 0, d);
	}
	if ((rc = zvm_seccomp_load_validator_stage()) < 0)
		fail(rc, "validator helper: seccomp: %s", strerror(-rc));
}

/* One image: copy, hash, and on zvmd's word validate. */
static void serve_one(const struct zvm_vh_request *req, int fd)
{
	struct zvm_vh_reply r = { .kind = ZVM_VH_HASHED };
	struct sfi_options opt;
	struct sfi_verdict v;
	struct sfi_image img;
	struct timespec t0, t1;
	char err[256] = "", go;
	uint8_t *bytes;
	uint64_t size;
	int mfd, rc;

	mfd = zvm_vh_copy_image(fd, SFI_MAX_IMAGE_SIZE, err, sizeof(err));
	close(fd);
	if (mfd < 0)
		fail(mfd, "%s", err);
	size = r.size = (uint64_t)lseek(mfd, 0, SEEK_END);
	bytes = mmap(NULL, size, PROT_READ, MAP_SHARED, mfd, 0);
	if (bytes == MAP_FAILED)
		fail(-errno, "mapping the image: %s", strerror(errno));
	SHA256(bytes, size, r.sha256);
	send_reply(&r, mfd);
	close(mfd);
	if (read(sock, &go, 1) != 1)
		_exit(0);
	if (go != 'V') {
		munmap(bytes, size);
		return; /* zvmd knew it */
	}
	memset(&r, 0, sizeof(r));
	r.kind = ZVM_VH_RESULT;
	opt.deterministic = req->deterministic != 0;
	if ((rc = sfi_image_parse(bytes, size, &img, err, sizeof(err))) < 0)
		fail(rc, "%s", err);
	munmap(bytes, size);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = sfi_validate_image(&img, &opt, &v);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (rc < 0)
		fail(rc, "validator: %s", strerror(-rc));
	r.rc = rc;
	r.validate_s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (rc == 1) {
		snprintf(r.rule, sizeof(r.rule), "%s", v.rule ? v.rule : "");
		r.offset = v.offset;
		r.address = v.address;
		r.instructions = v.instructions;
		r.nbytes = (uint8_t)(v.nbytes <= sizeof(r.bytes) ? v.nbytes : sizeof(r.bytes));
		memcpy(r.bytes, v.bytes, r.nbytes);
		snprintf(r.disasm, sizeof(r.disasm), "%s", v.disasm);
	}
	sfi_image_free(&img);
	send_reply(&r, -1);
}

int main(int argc, char **argv)
{
	struct zvm_vh_request req;
	struct stat st;
	int fd;

	/* zvmd runs it through /proc/self/fd/N: name it for ps and tests */
	prctl(PR_SET_NAME, "zvm-validator", 0, 0, 0);
	if (argc != 3 || fstat(ZVM_VH_SOCKET_FD, &st) < 0 || !S_ISSOCK(st.st_mode)) {
		fprintf(stderr, "zvm-validator: a helper of zvmd, started by it (docs/zvmd.md); not for use by hand\n");
		return 2;
	}
	drop_privileges((uid_t)strtoul(argv[1], NULL, 10), (gid_t)strtoul(argv[2], NULL, 10));
	/* zvmd sends a helper only images of the uid it first served (it is
	 * bound to that uid), so what one image leaves here is that uid's. */
	while (recv_request(&req, &fd) == 0)
		serve_one(&req, fd);
	return 0;
}
