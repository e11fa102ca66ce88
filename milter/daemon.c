/* SPDX-License-Identifier: BSD-2-Clause */
#include "milter/daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <limits.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "milter/log.h"
#include "milter/nocore.h"

const char *
daemon_socket_path(const char *spec)
{
	if (strncmp(spec, "unix:", 5) == 0)
		return spec + 5;
	if (strncmp(spec, "local:", 6) == 0)
		return spec + 6;
	return NULL;
}

bool
daemon_knock_addr(const char *spec, struct sockaddr_storage *ss, socklen_t *len)
{
	struct addrinfo hints, *res;
	struct sockaddr_un sun;
	char port[8], host[256];
	const char *path, *rest, *at;
	size_t n;
	bool v6;

	if ((path = daemon_socket_path(spec)) != NULL) {
		if (strlen(path) >= sizeof(sun.sun_path))
			return false;
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		memcpy(sun.sun_path, path, strlen(path) + 1);
		memset(ss, 0, sizeof(*ss));
		memcpy(ss, &sun, sizeof(sun));
		*len = sizeof(sun);
		return true;
	}
	v6 = strncmp(spec, "inet6:", 6) == 0;
	if (!v6 && strncmp(spec, "inet:", 5) != 0)
		return false;
	rest = spec + (v6 ? 6 : 5);
	at = strchr(rest, '@');
	n = at != NULL ? (size_t)(at - rest) : strlen(rest);
	if (n == 0 || n >= sizeof(port))
		return false;
	memcpy(port, rest, n);
	port[n] = '\0';
	/* libmilter's host: an address or a name, IPv6 with or without [] */
	if (at == NULL || at[1] == '\0' || strcmp(at + 1, "0.0.0.0") == 0 ||
	    strcmp(at + 1, "::") == 0 || strcmp(at + 1, "[::]") == 0)
		snprintf(host, sizeof(host), "%s", v6 ? "::1" : "127.0.0.1");
	else if (snprintf(host, sizeof(host), "%s", at + 1) >=
	    (int)sizeof(host))
		return false;
	n = strlen(host);
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
		memmove(host, host + 1, n - 2);
		host[n - 2] = '\0';
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = v6 ? AF_INET6 : AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if (getaddrinfo(host, port, &hints, &res) != 0)
		return false;
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return true;
}

bool
daemon_dir_safe(const struct stat *st, uid_t euid, const char **why)
{
	if (!S_ISDIR(st->st_mode)) {
		*why = "not a directory";
		return false;
	}
	if (st->st_uid != 0 && st->st_uid != euid) {
		*why = "owned by another account";
		return false;
	}
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		*why = "writable by its group or by others";
		return false;
	}
	return true;
}

/* Opens DIR, which root is about to work in, if daemon_dir_safe(). */
static int
daemon_open_checked(const char *dir, const char *what)
{
	const char *why;
	struct stat st;
	int fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		log_warn("%s %s", what, dir);
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		log_warn("%s %s", what, dir);
		close(fd);
		return -1;
	}
	if (!daemon_dir_safe(&st, geteuid(), &why)) {
		log_warnx("%s %s is %s; refusing to work in it "
			  "(make it root's, mode 0755 or 0750)",
		    what, dir, why);
		close(fd);
		return -1;
	}
	return fd;
}

/* PATH's directory and last component, in the caller's two buffers. */
struct daemon_split {
	char dbuf[PATH_MAX], nbuf[PATH_MAX];
	const char *dir, *name;
};

static bool
daemon_split(const char *path, struct daemon_split *sp)
{
	if (snprintf(sp->dbuf, sizeof(sp->dbuf), "%s", path) >=
		(int)sizeof(sp->dbuf) ||
	    snprintf(sp->nbuf, sizeof(sp->nbuf), "%s", path) >=
		(int)sizeof(sp->nbuf)) {
		log_warnx("%s: path too long", path);
		return false;
	}
	sp->dir = dirname(sp->dbuf);
	sp->name = basename(sp->nbuf);
	return true;
}

/*
 * Creates DIR (its last component) in its parent for OWNER:GROUP with
 * MODE unless it exists; returns a descriptor of DIR, not yet checked.
 */
static int
daemon_mkdir_at(const char *dir, uid_t owner, gid_t group, mode_t mode)
{
	struct daemon_split sp;
	int pfd, fd = -1;
	bool made;

	if (!daemon_split(dir, &sp))
		return -1;
	if ((pfd = daemon_open_checked(sp.dir, "directory")) < 0)
		return -1;
	made = mkdirat(pfd, sp.name, mode) == 0;
	if (!made && errno != EEXIST)
		log_warn("cannot create %s", dir);
	else if ((fd = openat(pfd, sp.name,
		      O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		log_warn("%s", dir);
	else if (made &&
	    (fchown(fd, owner, group) != 0 || fchmod(fd, mode) != 0)) {
		log_warn("cannot give %s to its owner", dir);
		close(fd);
		fd = -1;
	} else if (made)
		log_info("created %s (uid %ld, gid %ld, mode %03o)", dir,
		    (long)owner, (long)group, (unsigned)mode);
	close(pfd);
	return fd;
}

int
daemon_socket_prepare(const char *path, const struct account *u)
{
	struct daemon_split sp;
	const char *dir, *name, *why = "unreadable";
	struct sockaddr_un sun;
	struct stat st;
	int dfd, fd, rc, err;
	bool grouped;

	if (!daemon_split(path, &sp))
		return -1;
	dir = sp.dir;
	name = sp.name;
	/*
	 * Root's own directory, the service group's to read: Postfix (in
	 * that group) reaches the socket, nobody but root can swap what
	 * root later unlinks or chowns in it. Group 0 (user = root) is no
	 * service group: 0750 would lock the MTA out, so 0755 as without a
	 * user, the socket's umask deciding who connects.
	 */
	grouped = u->set && u->gid != 0;
	if ((dfd = daemon_mkdir_at(dir, geteuid(), grouped ? u->gid : getegid(),
		 grouped ? 0750 : 0755)) < 0)
		return -1;
	if (fstat(dfd, &st) != 0 || !daemon_dir_safe(&st, geteuid(), &why)) {
		log_warnx("socket directory %s is %s; refusing to work in it "
			  "(make it root's, mode 0750, group %s)",
		    dir, why, u->set ? u->name : "any");
		close(dfd);
		return -1;
	}
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		if (errno == ENOENT)
			return dfd;
		log_warn("%s", path);
		close(dfd);
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		log_warnx(
		    "%s exists and is not a socket; not touching it", path);
		close(dfd);
		return -1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		log_warn("socket");
		close(dfd);
		return -1;
	}
	rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	err = errno;
	close(fd);
	if (rc == 0) {
		log_warnx(
		    "another instance is listening on %s; not starting", path);
		close(dfd);
		return -1;
	}
	if (err != ECONNREFUSED) {
		errno = err;
		log_warn("cannot tell whether %s is in use", path);
		close(dfd);
		return -1;
	}
	if (unlinkat(dfd, name, 0) != 0) {
		log_warn("cannot remove stale socket %s", path);
		close(dfd);
		return -1;
	}
	log_info("removed stale socket %s", path);
	return dfd;
}

bool
daemon_socket_chown(int dirfd, const char *path, const struct account *u)
{
	struct daemon_split sp;
	const char *name;
	struct stat st;

	if (!u->set)
		return true;
	if (!daemon_split(path, &sp))
		return false;
	name = sp.name;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
	    !S_ISSOCK(st.st_mode)) {
		log_warnx(
		    "%s is not the socket just created; not touching it", path);
		return false;
	}
	if (fchownat(dirfd, name, u->uid, u->gid, AT_SYMLINK_NOFOLLOW) != 0) {
		log_warn("chown %s", path);
		return false;
	}
	return true;
}

bool
daemon_state_dir(const char *file, const struct account *u)
{
	char buf[PATH_MAX];
	int fd;

	/* Without a user to give it to, the synchroniser makes it itself. */
	if (!u->set || geteuid() != 0)
		return true;
	if (snprintf(buf, sizeof(buf), "%s", file) >= (int)sizeof(buf)) {
		log_warnx("%s: path too long", file);
		return false;
	}
	if ((fd = daemon_mkdir_at(dirname(buf), u->uid, u->gid, 0750)) < 0)
		return false;
	close(fd);
	return true;
}

static void
daemon_pidfile_close(struct daemon_pidfile *pf)
{
	if (pf->fd >= 0)
		close(pf->fd);
	if (pf->dirfd >= 0)
		close(pf->dirfd);
	pf->fd = pf->dirfd = -1;
}

bool
daemon_pidfile_open(struct daemon_pidfile *pf, const char *path)
{
	struct daemon_split sp;
	struct stat st;

	pf->fd = pf->dirfd = -1;
	if (!daemon_split(path, &sp))
		return false;
	if (snprintf(pf->name, sizeof(pf->name), "%s", sp.name) >=
	    (int)sizeof(pf->name)) {
		log_warnx("pidfile %s: name too long", path);
		return false;
	}
	if ((pf->dirfd = daemon_open_checked(sp.dir, "pidfile directory")) < 0)
		return false;
	/*
	 * No O_TRUNC: a running instance's pid stays until this one holds
	 * the lock and listens. O_NONBLOCK: a FIFO put here must not hang
	 * the start (without a reader the open fails, with one it is
	 * refused below).
	 */
	pf->fd = openat(pf->dirfd, pf->name,
	    O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
	if (pf->fd < 0 && errno == ELOOP)
		log_warnx(
		    "pidfile %s is a symbolic link; not following it", path);
	else if (pf->fd < 0 || fstat(pf->fd, &st) != 0)
		log_warn("pidfile %s", path);
	else if (!S_ISREG(st.st_mode))
		log_warnx(
		    "pidfile %s is not a regular file; not touching it", path);
	else if (flock(pf->fd, LOCK_EX | LOCK_NB) == 0)
		return true;
	else if (errno == EWOULDBLOCK)
		log_warnx("pidfile %s is locked by another instance; "
			  "not starting",
		    path);
	else
		log_warn("cannot lock pidfile %s", path);
	daemon_pidfile_close(pf);
	return false;
}

bool
daemon_pidfile_write(const struct daemon_pidfile *pf, pid_t pid)
{
	char buf[32];
	int len = snprintf(buf, sizeof(buf), "%ld\n", (long)pid);

	if (pf->fd < 0)
		return true;
	if (ftruncate(pf->fd, 0) != 0 ||
	    pwrite(pf->fd, buf, (size_t)len, 0) != len) {
		log_warn("pidfile");
		return false;
	}
	return true;
}

void
daemon_pidfile_remove(struct daemon_pidfile *pf, const char *path)
{
	struct stat mine, there;

	if (pf->fd < 0)
		return;
	/*
	 * Without root the directory is usually not ours to change: the
	 * next start overwrites the file under its lock.
	 */
	if (fstat(pf->fd, &mine) == 0 &&
	    fstatat(pf->dirfd, pf->name, &there, AT_SYMLINK_NOFOLLOW) == 0 &&
	    mine.st_dev == there.st_dev && mine.st_ino == there.st_ino &&
	    unlinkat(pf->dirfd, pf->name, 0) != 0 && errno != EACCES &&
	    errno != EPERM)
		log_warn("cannot remove %s", path);
	daemon_pidfile_close(pf);
}

bool
daemon_detach(const struct daemon_pidfile *pf)
{
	pid_t pid;
	int fd;

	if ((pid = fork()) < 0) {
		log_warn("fork");
		return false;
	}
	/*
	 * The lock belongs to the open file description both share: the
	 * parent's exit leaves it with the child.
	 */
	if (pid > 0) {
		if (!daemon_pidfile_write(pf, pid)) {
			kill(pid, SIGTERM);
			_exit(1);
		}
		_exit(0);
	}
	if (setsid() < 0)
		log_warn("setsid");
	if (chdir("/") != 0)
		log_warn("chdir /");
	if ((fd = open("/dev/null", O_RDWR)) >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	return true;
}

bool
daemon_drop_privileges(const struct account *u)
{
	if (!u->set)
		return true;
	if (getuid() != 0) {
		if (getuid() == u->uid)
			return true; /* already unprivileged, as asked */
		log_warnx("must be started as root to run as %s", u->name);
		return false;
	}
	if (setgroups(1, &u->gid) != 0 ||
	    setresgid(u->gid, u->gid, u->gid) != 0 ||
	    setresuid(u->uid, u->uid, u->uid) != 0) {
		log_warn("cannot switch to user %s", u->name);
		return false;
	}
	if (u->uid != 0 && setuid(0) == 0) {
		log_warnx(
		    "could regain root after switching to %s; refusing to run",
		    u->name);
		return false;
	}
	/* setresuid() set it back to fs.suid_dumpable: clear it again. */
	if (!nocore_apply()) {
		log_warn("cannot keep the process from dumping core");
		return false;
	}
	return true;
}
