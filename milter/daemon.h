/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon: the process-level chores of a mail filter that Postfix admins
 * expect: the socket's directory and a stale socket, the pidfile,
 * detaching, and dropping root.
 */
#ifndef DAEMON_H
#define DAEMON_H

#include <stdbool.h>
#include <sys/types.h>

#include "milter/account.h"

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
bool daemon_socket_prepare(const char *path, const struct account *);

/* Gives the socket libmilter created to the filter's user. */
bool daemon_socket_chown(const char *path, const struct account *);

/* Opens the pidfile while still root; -1 (logged) on failure. */
int daemon_pidfile_open(const char *path);
bool daemon_pidfile_write(int fd, pid_t pid);

/*
 * Detaches from the terminal. Returns in the child; the parent writes the
 * child's pid into pidfd (if >= 0) and exits 0.
 */
bool daemon_detach(int pidfd);

/* setgroups, setgid, setuid, then proves root cannot be regained. */
bool daemon_drop_privileges(const struct account *);

#endif
