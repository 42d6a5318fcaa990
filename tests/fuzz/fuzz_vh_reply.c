/*
 * fuzz_vh_reply.c — zvmd reading what a validator helper sends it
 * (supervisor/validator.c): the helper runs attacker-chosen ELF bytes
 * through the parser and validator, so zvmd treats its replies as hostile.
 * Input: byte 0 picks zvmd's state (hashing or validating), byte 1 whether
 * a memfd comes along and how it is sealed, the rest is the record itself,
 * sent as one SEQPACKET message. Invariants: a HASHED reply is only taken
 * with a memfd sealed against every change whose size is the one claimed;
 * strings come back terminated; a verdict names a rule from zvmd's own
 * table (or "unknown-rule") and at most 15 bytes.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "protocol/protocol.h"
#include "supervisor/validator.h"
#include "tests/fuzz/fuzz-check.h"

/* the reason shows in CHECK's message */
#define CHECK_WHY(cond, why) CHECK((cond) && why)

static int sv[2] = { -1, -1 };

static int make_memfd(uint8_t how, uint64_t size)
{
	int fd = memfd_create("fuzz", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	int seals = 0;

	if (fd < 0)
		return -1;
	if (ftruncate(fd, (off_t)(size & 0xffff)) < 0) {
		close(fd);
		return -1;
	}
	if (how & 2)
		seals |= F_SEAL_WRITE;
	if (how & 4)
		seals |= F_SEAL_GROW;
	if (how & 8)
		seals |= F_SEAL_SHRINK;
	if (seals)
		fcntl(fd, F_ADD_SEALS, seals);
	return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zvm_vhelper h = { .pidfd = -1, .memfd = -1 };
	struct zvm_vh_reply r;
	struct sfi_verdict v;
	int fd = -1, kind;

	if (size < 2 || size > 2 + 2 * sizeof(r))
		return 0;
	if (sv[0] < 0 && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return 0;
	h.sock = sv[0];
	h.state = (data[0] & 1) ? ZVM_VH_VALIDATING : ZVM_VH_HASHING;
	if (data[1] & 1) {
		uint64_t claimed = 0;
		if (size - 2 >= offsetof(struct zvm_vh_reply, size) + 8)
			memcpy(&claimed, data + 2 + offsetof(struct zvm_vh_reply, size), 8);
		fd = make_memfd(data[1], (data[1] & 16) ? claimed : claimed + 1);
	}
	if (zvm_sendmsg_fds(sv[1], data + 2, size - 2, &fd, fd >= 0, MSG_DONTWAIT) < 0) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	if (fd >= 0)
		close(fd);
	memset(&r, 0xa5, sizeof(r));
	kind = zvm_vh_read(&h, &r);
	CHECK_WHY(kind == 0 || kind == ZVM_VH_HASHED || kind == ZVM_VH_RESULT || kind == ZVM_VH_ERROR || kind < 0,
	      "unknown kind");
	if (kind > 0) {
		CHECK_WHY(memchr(r.rule, 0, sizeof(r.rule)) && memchr(r.disasm, 0, sizeof(r.disasm)) &&
			      memchr(r.message, 0, sizeof(r.message)),
		      "a string came back unterminated");
	}
	if (kind == ZVM_VH_HASHED) {
		int seals = fcntl(h.memfd, F_GET_SEALS);
		CHECK_WHY(h.state == ZVM_VH_HASHING, "HASHED taken while validating");
		CHECK_WHY(h.memfd >= 0 && (seals & (F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK)) ==
					      (F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK),
		      "HASHED taken with a memfd that can change");
		CHECK_WHY((uint64_t)lseek(h.memfd, 0, SEEK_END) == h.size && h.size > 0, "HASHED size is not the memfd's");
		close(h.memfd);
	} else {
		CHECK_WHY(h.memfd < 0, "a memfd was kept without a HASHED reply");
	}
	if (kind == ZVM_VH_RESULT) {
		CHECK_WHY(h.state == ZVM_VH_VALIDATING && (r.rc == 0 || r.rc == 1), "RESULT out of state or range");
		zvm_vh_verdict(&r, &v);
		CHECK_WHY(v.nbytes <= sizeof(v.bytes), "verdict bytes over 15");
		CHECK_WHY(v.rule && v.reason && memchr(v.disasm, 0, sizeof(v.disasm)), "verdict strings");
	}
	/* drain anything left so the next input starts clean */
	while (recv(sv[0], &r, sizeof(r), MSG_DONTWAIT) > 0)
		;
	return 0;
}
