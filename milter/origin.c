/* SPDX-License-Identifier: BSD-2-Clause */
#include "milter/origin.h"

#include <string.h>

/* NAME as one whole word of the space-separated LIST. */
static bool
origin_listed(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;

	if (n == 0)
		return false;
	while ((p = strstr(p, name)) != NULL) {
		if ((p == list || p[-1] == ' ') &&
		    (p[n] == ' ' || p[n] == '\0'))
			return true;
		p += n;
	}
	return false;
}

bool
origin_is_local(const struct origin_in *in)
{
	/*
	 * Postfix runs non_smtpd_milters from cleanup(8) for mail that came
	 * with no SMTP client (sendmail(1) through pickup), and cleanup fakes
	 * a connection from localhost with client port 0, where smtpd(8)
	 * always passes the client's real port; every other connect macro is
	 * the same on both paths (Postfix 3.7). Mail re-queued with
	 * postsuper -r keeps its original client port: SMTP mail.
	 */
	if (in->mta != NULL && strncmp(in->mta, "Postfix", 7) == 0 &&
	    in->port == 0)
		return true;
	/*
	 * Sendmail's MSP relays sendmail(1) mail over SMTP from 127.0.0.1,
	 * like any local SMTP client; it is told apart only by the MTA
	 * daemon it is sent to (contrib/sendmail.mc and submit.mc).
	 */
	return in->daemon_name != NULL && in->local_daemons != NULL &&
	    origin_listed(in->local_daemons, in->daemon_name);
}
