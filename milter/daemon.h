/*
 * daemon: the process-level chores of a mail filter that Postfix admins
 * expect: the socket's directory and a stale socket, the pidfile,
 * detaching, and dropping root.
 */
#ifndef DAEMON_H
#define DAEMON_H

#include <stdbool.h>
#include <sys/types.h>

struct daemon_user {
	bool set;	/* false: keep the user we were started as */
	uid_t uid;
	gid_t gid;
	char name[64];
};

/* Parses "USER" or "USER:GROUP" (a missing group: the user's primary group). */
bool daemon_user_lookup(const char *spec, struct daemon_user *, const char **why);

/*
 * For a unix socket spec, the path (pointer into spec); NULL for inet.
 */
const char *daemon_socket_path(const char *spec);

/*
 * Makes a unix socket's path ready for libmilter: creates a missing parent
 * directory for the filter (owned by the filter's user), removes a stale
 * socket nobody listens on, and refuses when another instance is live.
 * Returns false with the reason logged.
 */
bool daemon_socket_prepare(const char *path, const struct daemon_user *);

/* Gives the socket libmilter created to the filter's user. */
bool daemon_socket_chown(const char *path, const struct daemon_user *);

/* Opens the pidfile while still root; -1 (logged) on failure. */
int daemon_pidfile_open(const char *path);
bool daemon_pidfile_write(int fd, pid_t pid);

/*
 * Detaches from the terminal. Returns in the child; the parent writes the
 * child's pid into pidfd (if >= 0) and exits 0.
 */
bool daemon_detach(int pidfd);

/* setgroups, setgid, setuid, then proves root cannot be regained. */
bool daemon_drop_privileges(const struct daemon_user *);

#endif
