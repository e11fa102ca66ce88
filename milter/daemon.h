/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon: the process-level chores of a mail filter that Postfix admins
 * expect: the socket's directory and a stale socket, the pidfile,
 * detaching, and dropping root.
 */
#ifndef DAEMON_H
#define DAEMON_H

#include <limits.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "milter/account.h"

/*
 * For a unix socket spec, the path (pointer into spec); NULL for inet.
 */
const char *daemon_socket_path(const char *spec);

/*
 * Where a client reaches the socket of SPEC (unix:, local:, inet:,
 * inet6:), for the daemon's own knock at shutdown: an inet socket bound
 * to every address (no host, 0.0.0.0, ::) is reached on loopback. A host
 * name is resolved now. False when it cannot be.
 */
bool daemon_knock_addr(
    const char *spec, struct sockaddr_storage *ss, socklen_t *len);

/*
 * The rule for a directory root works in (creates, removes or chowns
 * files by name): owned by root or by the running user, writable by
 * nobody else, so no other account can swap a name under root's hands.
 * False with *why set otherwise.
 */
bool daemon_dir_safe(const struct stat *, uid_t euid, const char **why);

/*
 * Makes a unix socket's path ready for libmilter: creates a missing
 * directory (root's, group the filter's, mode 0750: Postfix reaches the
 * socket as a member of that group), refuses a directory that is not
 * daemon_dir_safe(), removes a stale socket nobody listens on, and refuses
 * when another instance is live. Returns a descriptor of the directory for
 * daemon_socket_chown(), or -1 with the reason logged.
 */
int daemon_socket_prepare(const char *path, const struct account *);

/*
 * Gives the socket libmilter created in DIRFD to the filter's user
 * (fchownat, never following a link, and only if it is a socket).
 */
bool daemon_socket_chown(int dirfd, const char *path, const struct account *);

/*
 * Creates the directory of the state file for the filter's user (mode
 * 0750) when it is missing and the daemon runs as root; an existing one
 * is left as it is.
 */
bool daemon_state_dir(const char *file, const struct account *);

/*
 * The pidfile, held from its opening to the exit: the lock on it says an
 * instance runs, the directory's descriptor removes exactly this file.
 */
struct daemon_pidfile {
	int dirfd, fd; /* -1: no pidfile */
	char name[NAME_MAX + 1];
};

/*
 * Opens and locks the pidfile while still root, in a daemon_dir_safe()
 * directory, never following a link nor blocking on a FIFO, and only a
 * regular file; nothing is written yet. False (logged) on failure, and
 * when another instance holds the lock.
 */
bool daemon_pidfile_open(struct daemon_pidfile *, const char *path);

/* Replaces the content with PID; true without a pidfile. */
bool daemon_pidfile_write(const struct daemon_pidfile *, pid_t pid);

/* Removes the pidfile if the name still holds ours, and closes it. */
void daemon_pidfile_remove(struct daemon_pidfile *, const char *path);

/*
 * Detaches from the terminal. Returns in the child, which keeps the
 * pidfile's lock; the parent writes the child's pid and exits 0.
 */
bool daemon_detach(const struct daemon_pidfile *);

/*
 * setgroups, setgid, setuid, then proves root cannot be regained and that
 * the process is still not dumpable (a change of credentials resets it).
 */
bool daemon_drop_privileges(const struct account *);

#endif
