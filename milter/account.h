/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * account: the service account the configuration names ("user" or
 * "user:group"), looked up in the password and group databases. Kept apart
 * from the daemon module so that checking a configuration never links the
 * code that drops privileges.
 */
#ifndef ACCOUNT_H
#define ACCOUNT_H

#include <stdbool.h>
#include <sys/types.h>

struct account {
	bool set; /* false: keep the user we were started as */
	uid_t uid;
	gid_t gid;
	char name[64];
};

/*
 * Parses "USER" or "USER:GROUP" (a missing group: the user's primary
 * group); an empty SPEC leaves the account unset. False with *why set for
 * an unknown user or group.
 */
bool account_lookup(const char *spec, struct account *, const char **why);

#endif
