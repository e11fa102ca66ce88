/* SPDX-License-Identifier: BSD-2-Clause */
#include "milter/account.h"

#include <grp.h>
#include <pwd.h>
#include <string.h>

bool
account_lookup(const char *spec, struct account *u, const char **why)
{
	char buf[256], *group;
	struct passwd *pw;
	struct group *gr;

	memset(u, 0, sizeof(*u));
	if (*spec == '\0')
		return true;
	if (strlen(spec) >= sizeof(buf)) {
		*why = "user name too long";
		return false;
	}
	strcpy(buf, spec);
	if ((group = strchr(buf, ':')) != NULL)
		*group++ = '\0';
	if ((pw = getpwnam(buf)) == NULL) {
		*why = "no such user";
		return false;
	}
	if (strlen(pw->pw_name) >= sizeof(u->name)) {
		*why = "user name too long";
		return false;
	}
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	strcpy(u->name, pw->pw_name);
	if (group != NULL) {
		if ((gr = getgrnam(group)) == NULL) {
			*why = "no such group";
			return false;
		}
		u->gid = gr->gr_gid;
	}
	u->set = true;
	return true;
}
