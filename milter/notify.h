/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * notify: systemd's service notification protocol (sd_notify(3)) for
 * Type=notify, written here so the daemon needs no libsystemd: each
 * message is one datagram of "KEY=VALUE" lines sent to the unix socket
 * named by $NOTIFY_SOCKET (a path, or an abstract name written with a
 * leading '@'). Outside systemd (no $NOTIFY_SOCKET) every call does
 * nothing.
 */
#ifndef NOTIFY_H
#define NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

/*
 * The address $NOTIFY_SOCKET names: "/path" or "@abstract". False for
 * anything else (empty, relative, too long).
 */
bool notify_parse_addr(
    const char *value, struct sockaddr_un *, socklen_t *addrlen);

/*
 * Reads and unsets $NOTIFY_SOCKET and opens the datagram socket, so that
 * later sends need no file system access (they happen after the privilege
 * drop). False (logged) when the variable is set but unusable; true when
 * it is unset.
 */
bool notify_open(void);

/* Sends MSG as one datagram; nothing without notify_open()'s socket. */
void notify_send(const char *msg);

/* "READY=1" with a STATUS= line. */
void notify_ready(const char *status);

/*
 * "RELOADING=1" with MONOTONIC_USEC= (CLOCK_MONOTONIC now, as systemd's
 * notify-reload expects) into BUF; the message notify_reloading() sends.
 */
void notify_reloading_msg(char *buf, size_t len, uint64_t monotonic_usec);
void notify_reloading(void);

void notify_stopping(void);

/* "STATUS=..." alone: a one-line summary systemctl status shows. */
void notify_status(const char *status);

void notify_close(void);

/*
 * The one-line summary STATUS= carries: how many identities, whether the
 * SES synchroniser runs (SYNC: "yes", "dry-run", "no") and how its last
 * pass ended (LAST_PASS 0: none yet; LAST_ERROR NULL: it succeeded).
 */
void notify_summary(char *buf, size_t len, size_t nidentities, const char *sync,
    time_t last_pass, const char *last_error);

#endif
