/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon: the process-level chores of a mail filter that Postfix admins
 * expect: the socket's directory and a stale socket, the pidfile,
 * detaching, and dropping root.
 */
#ifndef DAEMON_H
#define DAEMON_H

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "milter/account.h"

/*
 * For a unix socket spec, the path (pointer into spec); NULL for inet.
 */
const char *daemon_socket_path(const char *spec);

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

/* Opens the pidfile while still root; -1 (logged) on failure. */
int daemon_pidfile_open(const char *path);
bool daemon_pidfile_write(int fd, pid_t pid);

/*
 * Detaches from the terminal. Returns in the child; the parent writes the
 * child's pid into pidfd (if >= 0) and exits 0.
 */
bool daemon_detach(int pidfd);

/*
 * No core dump and no ptrace by other accounts from here on: the process
 * holds AWS secrets. First thing in main(), before any secret is read.
 */
bool daemon_no_core(void);

/*
 * setgroups, setgid, setuid, then proves root cannot be regained and that
 * the process is still not dumpable (a change of credentials resets it).
 */
bool daemon_drop_privileges(const struct account *);

#endif
