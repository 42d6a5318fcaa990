/*
 * client-check.c — libzvm-client against a real zvmd (t_client.sh starts
 * one): upload by fd, jobs by fd and by digest with their output and
 * report, an ERROR reply, an image zvmd refuses, an unreachable socket,
 * STATUS. Linked with libzvm-client alone, so it also shows the library
 * needs nothing else. Prints "ok - what" / "not ok - what" lines.
 *   client-check SOCKET HELLO.nexe CAT.nexe NOT-AN-IMAGE TMPDIR [TEMPLATE-HELLO.nexe]
 * With the last, a template is made from it and a job run as its copy.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/zvm-client.h"

static int failures;

static void check(int cond, const char *what, const char *detail)
{
	printf("%sok - %s%s%s\n", cond ? "" : "not ", what, cond || !detail ? "" : ": ", cond || !detail ? "" : detail);
	failures += !cond;
}

/* The bytes of a file, NUL-terminated (at most len - 1). */
static void slurp(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? 0 : read(fd, buf, len - 1);

	buf[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
}

static int out_file(const char *dir, const char *name, char *path, size_t len)
{
	snprintf(path, len, "%s/%s", dir, name);
	return open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
}

int main(int argc, char **argv)
{
	static struct zvm_report rep;
	const char *sock, *dir;
	static const char *const args[] = { "one", "two" };
	uint8_t digest[32], cat_digest[32], bogus[32];
	char path[4096], text[4096], why[512];
	struct zvm_status st;
	int hello, in, out, err, rc;

	if (argc != 6 && argc != 7) {
		fprintf(stderr, "usage: client-check SOCKET HELLO.nexe CAT.nexe NOT-AN-IMAGE TMPDIR [TEMPLATE-HELLO.nexe]\n");
		return 2;
	}
	sock = argv[1];
	dir = argv[5];
	hello = open(argv[2], O_RDONLY | O_CLOEXEC);
	in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	err = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (hello < 0 || in < 0 || err < 0) {
		perror("client-check: opening");
		return 2;
	}

	rc = zvm_client_upload_fd(sock, NULL, hello, digest, &rep);
	check(rc == 0, "zvm_client_upload_fd: hello.nexe taken, a digest back", rep.message);

	/* by fd: the image itself passed */
	out = out_file(dir, "byfd.out", path, sizeof(path));
	struct zvm_client_job j = { .image_fd = hello, .argv0 = "greeter", .nargs = 2, .args = args,
				    .stdio = { in, out, err } };
	rc = zvm_client_run(sock, NULL, &j, &rep);
	slurp(path, text, sizeof(text));
	check(rc == 0 && rep.state == ZVM_STATE_OK && rep.exit_code == 0 && rep.from_daemon,
	      "zvm_client_run by fd: a report from zvmd, the program ended ok", rep.message);
	check(strstr(text, "hello, world") && strstr(text, "argv[0] = greeter") && strstr(text, "argv[2] = two"),
	      "by fd: the program's stdout in our file, with argv[0] and the arguments given", text);
	check(rep.nchannels == 3 && rep.ch[1].write_bytes == strlen(text) && rep.wall_s > 0,
	      "by fd: the report counts channel 1's bytes as written to the file, and a wall time", NULL);
	close(out);

	/* by digest: nothing but 32 bytes names the image */
	out = out_file(dir, "bydigest.out", path, sizeof(path));
	j = (struct zvm_client_job){ .image_fd = -1, .digest = digest, .stdio = { in, out, err } };
	rc = zvm_client_run(sock, NULL, &j, &rep);
	slurp(path, text, sizeof(text));
	check(rc == 0 && rep.state == ZVM_STATE_OK && rep.exit_code == 0 && strstr(text, "argv[0] = program"),
	      "zvm_client_run by digest: ran, argv[0] 'program' by default", rep.message);
	close(out);

	/* a job's own exit status in the report: cat copies stdin, and fails
	 * (exit 1) on a stdout it cannot write */
	int cat = open(argv[3], O_RDONLY | O_CLOEXEC);
	rc = cat < 0 ? -1 : zvm_client_upload_fd(sock, NULL, cat, cat_digest, &rep);
	check(rc == 0, "cat.nexe uploaded", rep.message);
	int ro = open(argv[2], O_RDONLY | O_CLOEXEC), src = open(argv[4], O_RDONLY | O_CLOEXEC);
	out = out_file(dir, "cat.out", path, sizeof(path));
	j = (struct zvm_client_job){ .image_fd = -1, .digest = cat_digest, .stdio = { src, out, err } };
	rc = zvm_client_run(sock, NULL, &j, &rep);
	slurp(path, text, sizeof(text));
	char expect[4096];
	slurp(argv[4], expect, sizeof(expect));
	check(rc == 0 && rep.state == ZVM_STATE_OK && !rep.exit_code && !strcmp(text, expect) &&
	      rep.ch[0].read_bytes == strlen(expect), "cat by digest: channel 0 read from our fd, copied to channel 1", text);
	close(src);
	src = open(argv[4], O_RDONLY | O_CLOEXEC);
	j.stdio[0] = src;
	j.stdio[1] = ro; /* read-only: every write fails */
	rc = zvm_client_run(sock, NULL, &j, &rep);
	check(rc == 0 && rep.state == ZVM_STATE_OK && rep.exit_code == 1,
	      "a program's non-zero exit code comes back in the report (cat: 1 on an unwritable stdout)", rep.message);
	close(ro);
	close(src);
	close(out);

	/* an ERROR reply: a digest zvmd does not know */
	memset(bogus, 0x5a, sizeof(bogus));
	j = (struct zvm_client_job){ .image_fd = -1, .digest = bogus, .stdio = { in, err, err } };
	rc = zvm_client_run(sock, NULL, &j, &rep);
	check(rc == 125 && strstr(rep.message, "zvmd refused the request (not found)"),
	      "an unknown digest: 125 and zvmd's ERROR (not found) in the report's message", rep.message);

	/* an image zvmd will not take */
	int bad = open(argv[4], O_RDONLY | O_CLOEXEC);
	rc = zvm_client_upload_fd(sock, NULL, bad, digest, &rep);
	check(rc == 126 && rep.state != ZVM_STATE_OK, "uploading a file that is no image: 126 and zvmd's report",
	      rep.message);
	close(bad);
	rc = zvm_client_upload(sock, NULL, "/nonexistent/x.nexe", digest, &rep);
	check(rc == 125 && strstr(rep.message, "/nonexistent/x.nexe"), "uploading a path that does not open: 125, the path named",
	      rep.message);

	/* nobody there */
	snprintf(path, sizeof(path), "%s/nobody.sock", dir);
	j = (struct zvm_client_job){ .image_fd = hello, .stdio = { in, err, err } };
	rc = zvm_client_run(path, NULL, &j, &rep);
	check(rc == 125 && strstr(rep.message, "cannot reach zvmd"), "an unreachable socket: 125, 'cannot reach zvmd'",
	      rep.message);

	if (argc == 7) {
		/* templates (docs/zvmd.md): keep one, then a job as its copy, by name */
		int tpl = open(argv[6], O_RDONLY | O_CLOEXEC);
		out = out_file(dir, "tpl.out", path, sizeof(path));
		j = (struct zvm_client_job){ .image_fd = tpl, .template_name = "client-tpl", .keep = ZVM_TPL_MAKE,
					     .stdio = { in, out, err } };
		rc = zvm_client_run(sock, NULL, &j, &rep);
		check(rc == 0 && rep.state == ZVM_STATE_OK && strstr(rep.message, "kept as template 'client-tpl'"),
		      "zvm_client_run with template_name and an image: the cell kept as that template", rep.message);
		j = (struct zvm_client_job){ .image_fd = -1, .template_name = "client-tpl", .nargs = 2, .args = args,
					     .stdio = { in, out, err } };
		rc = zvm_client_run(sock, NULL, &j, &rep);
		slurp(path, text, sizeof(text));
		check(rc == 0 && rep.state == ZVM_STATE_OK && strstr(text, "a template's copy") && strstr(text, "argv[2] = two"),
		      "zvm_client_run with template_name and no image: a copy, with the job's arguments", text);
		close(out);
		close(tpl);
	}
	rc = zvm_client_status(sock, NULL, &st, why, sizeof(why));
	check(rc == 0 && st.pool == 4 && st.jobs >= 5 && st.ok >= 4, "zvm_client_status: the pool of 4 and the jobs run", why);
	rc = zvm_client_status(path, NULL, &st, why, sizeof(why));
	check(rc == 125 && strstr(why, "cannot reach zvmd"), "zvm_client_status on no socket: 125 and why", why);
	return failures ? 1 : 0;
}
