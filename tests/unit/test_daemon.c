/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon_dir_safe: the directories root works in by name (the socket's,
 * the parent of one it creates), row by row; the pidfile's lock and what
 * it refuses; no core dumps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "milter/daemon.h"
#include "milter/nocore.h"

struct row {
	uid_t owner;
	mode_t mode;
	uid_t euid;
	bool safe;
	const char *why;
};

static const struct row rows[] = {
	/* root's, readable by the service group: the socket directory */
	{ 0, S_IFDIR | 0750, 0, true, NULL },
	{ 0, S_IFDIR | 0755, 0, true, NULL },
	{ 0, S_IFDIR | 0700, 0, true, NULL },
	/* the running user's own, when started without root */
	{ 1000, S_IFDIR | 0755, 1000, true, NULL },
	/* root's, while running as someone else: still nobody else's */
	{ 0, S_IFDIR | 0755, 1000, true, NULL },
	/* another account could swap names under root */
	{ 999, S_IFDIR | 0750, 0, false, "owned by another account" },
	{ 0, S_IFDIR | 0770, 0, false, "writable by its group or by others" },
	{ 0, S_IFDIR | 0757, 0, false, "writable by its group or by others" },
	/* sticky does not help: others still create names in it (/tmp) */
	{ 0, S_IFDIR | 01777, 0, false, "writable by its group or by others" },
	{ 0, S_IFDIR | 01770, 0, false, "writable by its group or by others" },
	{ 0, S_IFREG | 0644, 0, false, "not a directory" },
	{ 0, S_IFLNK | 0777, 0, false, "not a directory" },
};

static void
test_rows(void **state)
{
	struct stat st;
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		memset(&st, 0, sizeof(st));
		st.st_uid = rows[i].owner;
		st.st_mode = rows[i].mode;
		why = NULL;
		if (daemon_dir_safe(&st, rows[i].euid, &why) != rows[i].safe)
			fail_msg("row %zu: want %s", i,
			    rows[i].safe ? "safe" : "unsafe");
		if (!rows[i].safe)
			assert_string_equal(why, rows[i].why);
	}
}

/* A private directory (0700, ours) and the pidfile's path in it. */
struct piddir {
	char dir[64], path[PATH_MAX];
};

static void
piddir_make(struct piddir *d)
{
	snprintf(d->dir, sizeof(d->dir), "/tmp/test_daemon.XXXXXX");
	assert_non_null(mkdtemp(d->dir));
	snprintf(d->path, sizeof(d->path), "%s/milter.pid", d->dir);
}

static void
piddir_remove(struct piddir *d)
{
	unlink(d->path);
	assert_int_equal(rmdir(d->dir), 0);
}

static void
file_put(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

static void
file_expect(const char *path, const char *text)
{
	char buf[64] = "";
	FILE *fp = fopen(path, "r");

	assert_non_null(fp);
	assert_non_null(fgets(buf, sizeof(buf), fp));
	fclose(fp);
	assert_string_equal(buf, text);
}

/*
 * A second instance finds the lock and leaves the first one's pid as it
 * is; the first writes only when told, and removes its own file.
 */
static void
test_pidfile_lock(void **state)
{
	struct daemon_pidfile first, second;
	struct piddir d;

	(void)state;
	piddir_make(&d);
	file_put(d.path, "4242\n");
	assert_true(daemon_pidfile_open(&first, d.path));
	file_expect(d.path, "4242\n"); /* not truncated by the opening */
	assert_false(daemon_pidfile_open(&second, d.path));
	assert_int_equal(second.fd, -1);
	assert_int_equal(second.dirfd, -1);
	file_expect(d.path, "4242\n");
	assert_true(daemon_pidfile_write(&first, 7));
	file_expect(d.path, "7\n");
	daemon_pidfile_remove(&first, d.path);
	assert_int_equal(first.fd, -1);
	assert_int_equal(access(d.path, F_OK), -1);
	piddir_remove(&d);
}

/* Another file in the name's place since the start is not removed. */
static void
test_pidfile_remove_only_ours(void **state)
{
	struct daemon_pidfile pf;
	struct piddir d;

	(void)state;
	piddir_make(&d);
	assert_true(daemon_pidfile_open(&pf, d.path));
	assert_int_equal(unlink(d.path), 0);
	file_put(d.path, "99\n");
	daemon_pidfile_remove(&pf, d.path);
	file_expect(d.path, "99\n");
	piddir_remove(&d);
}

/* A link is not followed and a FIFO does not block the opening. */
static void
test_pidfile_refuses(void **state)
{
	struct daemon_pidfile pf;
	struct piddir d;
	int rfd;

	(void)state;
	piddir_make(&d);
	assert_int_equal(symlink("/etc/passwd", d.path), 0);
	assert_false(daemon_pidfile_open(&pf, d.path));
	assert_int_equal(unlink(d.path), 0);
	assert_int_equal(mkfifo(d.path, 0600), 0);
	assert_false(daemon_pidfile_open(&pf, d.path)); /* no reader */
	rfd = open(d.path, O_RDONLY | O_NONBLOCK);
	assert_true(rfd >= 0);
	assert_false(daemon_pidfile_open(&pf, d.path)); /* a reader */
	close(rfd);
	piddir_remove(&d);
}

static void
test_no_core(void **state)
{
	struct rlimit rl;

	(void)state;
	assert_true(nocore_apply());
	assert_int_equal(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
	assert_int_equal(getrlimit(RLIMIT_CORE, &rl), 0);
	assert_int_equal(rl.rlim_cur, 0);
	assert_int_equal(rl.rlim_max, 0);
}

static void
knock_inet(const char *spec, int family, const char *addr, unsigned port)
{
	struct sockaddr_storage ss;
	char buf[INET6_ADDRSTRLEN];
	socklen_t len = 0;
	const void *a;
	unsigned p;

	assert_true(daemon_knock_addr(spec, &ss, &len));
	assert_int_equal(ss.ss_family, family);
	if (family == AF_INET) {
		a = &((struct sockaddr_in *)&ss)->sin_addr;
		p = ntohs(((struct sockaddr_in *)&ss)->sin_port);
		assert_int_equal(len, sizeof(struct sockaddr_in));
	} else {
		a = &((struct sockaddr_in6 *)&ss)->sin6_addr;
		p = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
		assert_int_equal(len, sizeof(struct sockaddr_in6));
	}
	assert_non_null(inet_ntop(family, a, buf, sizeof(buf)));
	assert_string_equal(buf, addr);
	assert_int_equal(p, port);
}

/* Where the shutdown knock goes: libmilter's listener wakes for it. */
static void
test_knock_addr(void **state)
{
	struct sockaddr_storage ss;
	socklen_t len = 0;

	(void)state;
	assert_true(daemon_knock_addr("unix:/run/x/milter.sock", &ss, &len));
	assert_int_equal(ss.ss_family, AF_UNIX);
	assert_string_equal(
	    ((struct sockaddr_un *)&ss)->sun_path, "/run/x/milter.sock");
	assert_true(daemon_knock_addr("local:/run/y.sock", &ss, &len));
	knock_inet("inet:8891@127.0.0.1", AF_INET, "127.0.0.1", 8891);
	knock_inet("inet:8891", AF_INET, "127.0.0.1", 8891); /* any address */
	knock_inet("inet:8891@0.0.0.0", AF_INET, "127.0.0.1", 8891);
	knock_inet("inet:25@localhost", AF_INET, "127.0.0.1", 25);
	knock_inet("inet6:8891@::1", AF_INET6, "::1", 8891);
	knock_inet("inet6:8891@[::1]", AF_INET6, "::1", 8891);
	knock_inet("inet6:8891@::", AF_INET6, "::1", 8891);
	assert_false(daemon_knock_addr("inet:@127.0.0.1", &ss, &len));
	assert_false(daemon_knock_addr("inet:123456789@127.0.0.1", &ss, &len));
	assert_false(daemon_knock_addr("tcp:25@127.0.0.1", &ss, &len));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_pidfile_lock),
		cmocka_unit_test(test_pidfile_remove_only_ours),
		cmocka_unit_test(test_pidfile_refuses),
		cmocka_unit_test(test_no_core),
		cmocka_unit_test(test_knock_addr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
