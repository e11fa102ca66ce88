/* SPDX-License-Identifier: BSD-2-Clause */
#include "milter/daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "milter/log.h"

const char *
daemon_socket_path(const char *spec)
{
	if (strncmp(spec, "unix:", 5) == 0)
		return spec + 5;
	if (strncmp(spec, "local:", 6) == 0)
		return spec + 6;
	return NULL;
}

static bool
daemon_socket_dir(const char *path, const struct account *u)
{
	char buf[sizeof(((struct sockaddr_un *)0)->sun_path)];
	const char *dir;

	snprintf(buf, sizeof(buf), "%s", path);
	dir = dirname(buf);
	if (mkdir(dir, u->set ? 0750 : 0755) == 0) {
		/* Postfix reaches it through the group; see contrib/add-user. */
		if (u->set && chown(dir, u->uid, u->gid) != 0) {
			log_warn("chown %s", dir);
			return false;
		}
		log_info("created socket directory %s", dir);
	} else if (errno != EEXIST) {
		log_warn("cannot create socket directory %s", dir);
		return false;
	}
	return true;
}

bool
daemon_socket_prepare(const char *path, const struct account *u)
{
	struct sockaddr_un sun;
	struct stat st;
	int fd, rc, err;

	if (!daemon_socket_dir(path, u))
		return false;
	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return true;
		log_warn("%s", path);
		return false;
	}
	if (!S_ISSOCK(st.st_mode)) {
		log_warnx(
		    "%s exists and is not a socket; not touching it", path);
		return false;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0) {
		log_warn("socket");
		return false;
	}
	rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	err = errno;
	close(fd);
	if (rc == 0) {
		log_warnx(
		    "another instance is listening on %s; not starting", path);
		return false;
	}
	if (err != ECONNREFUSED) {
		errno = err;
		log_warn("cannot tell whether %s is in use", path);
		return false;
	}
	if (unlink(path) != 0) {
		log_warn("cannot remove stale socket %s", path);
		return false;
	}
	log_info("removed stale socket %s", path);
	return true;
}

bool
daemon_socket_chown(const char *path, const struct account *u)
{
	if (!u->set)
		return true;
	if (chown(path, u->uid, u->gid) != 0) {
		log_warn("chown %s", path);
		return false;
	}
	return true;
}

int
daemon_pidfile_open(const char *path)
{
	int fd = open(
	    path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);

	if (fd < 0)
		log_warn("pidfile %s", path);
	return fd;
}

bool
daemon_pidfile_write(int fd, pid_t pid)
{
	char buf[32];
	int len = snprintf(buf, sizeof(buf), "%ld\n", (long)pid);

	if (write(fd, buf, (size_t)len) != len) {
		log_warn("pidfile");
		return false;
	}
	return true;
}

bool
daemon_detach(int pidfd)
{
	pid_t pid;
	int fd;

	if ((pid = fork()) < 0) {
		log_warn("fork");
		return false;
	}
	if (pid > 0) {
		if (pidfd >= 0 && !daemon_pidfile_write(pidfd, pid)) {
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
	return true;
}
