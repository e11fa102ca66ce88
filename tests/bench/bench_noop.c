/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench_noop: the cheapest filter libmilter allows with the shape of
 * ses-mailfrom-milter, the baseline `make bench` measures it against.
 *
 *   bench_noop -p SOCKET
 *
 * Same callbacks (connect, envfrom, eom, abort, close), same flags
 * (SMFIF_CHGFROM, so the MTA negotiates the same protocol), and the same
 * per-connection allocation with the per-message part filled at MAIL FROM
 * and cleared at end-of-message, abort and close; but no decision, no DNS
 * and no audit line: everything is accepted. What ses-mailfrom-milter
 * costs beyond this is its own work. SIGTERM/SIGINT stop it (libmilter's
 * signal thread); a unix socket is removed at exit.
 */
#include <errno.h>
#include <libmilter/mfapi.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

/* Sized like filter.c's per-message state: a path of up to 256 octets. */
struct noop_msg {
	bool active;
	char sender[257];
	char id[32];
};

struct noop_conn {
	unsigned long seq;
	unsigned nmsg;
	struct noop_msg msg;
};

static atomic_ulong noop_seq;

static sfsistat
noop_connect(SMFICTX *ctx, char *hostname, _SOCK_ADDR *hostaddr)
{
	struct noop_conn *nc;

	(void)hostname;
	(void)hostaddr;
	if ((nc = calloc(1, sizeof(*nc))) == NULL)
		return SMFIS_TEMPFAIL;
	nc->seq = atomic_fetch_add(&noop_seq, 1) + 1;
	smfi_setpriv(ctx, nc);
	return SMFIS_CONTINUE;
}

static sfsistat
noop_envfrom(SMFICTX *ctx, char **argv)
{
	struct noop_conn *nc = smfi_getpriv(ctx);
	struct noop_msg *m;

	if (nc == NULL || argv == NULL || argv[0] == NULL)
		return SMFIS_TEMPFAIL;
	m = &nc->msg;
	memset(m, 0, sizeof(*m));
	m->active = true;
	snprintf(m->id, sizeof(m->id), "%lu.%u", nc->seq, ++nc->nmsg);
	snprintf(m->sender, sizeof(m->sender), "%s", argv[0]);
	return SMFIS_CONTINUE;
}

static void
noop_msg_end(SMFICTX *ctx)
{
	struct noop_conn *nc = smfi_getpriv(ctx);

	if (nc != NULL && nc->msg.active)
		memset(&nc->msg, 0, sizeof(nc->msg));
}

static sfsistat
noop_eom(SMFICTX *ctx)
{
	noop_msg_end(ctx);
	return SMFIS_ACCEPT;
}

static sfsistat
noop_abort(SMFICTX *ctx)
{
	noop_msg_end(ctx);
	return SMFIS_CONTINUE;
}

static sfsistat
noop_close(SMFICTX *ctx)
{
	struct noop_conn *nc = smfi_getpriv(ctx);

	free(nc);
	smfi_setpriv(ctx, NULL);
	return SMFIS_CONTINUE;
}

static struct smfiDesc noop_desc = {
	.xxfi_name = "bench-noop",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = SMFIF_CHGFROM,
	.xxfi_connect = noop_connect,
	.xxfi_envfrom = noop_envfrom,
	.xxfi_eom = noop_eom,
	.xxfi_abort = noop_abort,
	.xxfi_close = noop_close,
};

int
main(int argc, char *argv[])
{
	const char *spec = NULL, *path = NULL;
	int ch, rc;

	while ((ch = getopt(argc, argv, "p:")) != -1) {
		if (ch != 'p') {
			fprintf(stderr, "usage: bench_noop -p SOCKET\n");
			return EX_USAGE;
		}
		spec = optarg;
	}
	if (spec == NULL || optind != argc) {
		fprintf(stderr, "usage: bench_noop -p SOCKET\n");
		return EX_USAGE;
	}
	if (strncmp(spec, "unix:", 5) == 0 || strncmp(spec, "local:", 6) == 0)
		path = strchr(spec, ':') + 1;
	if (smfi_setconn((char *)spec) == MI_FAILURE ||
	    smfi_register(noop_desc) == MI_FAILURE ||
	    smfi_opensocket(true) == MI_FAILURE) {
		fprintf(stderr, "bench_noop: cannot listen on %s\n", spec);
		return EX_UNAVAILABLE;
	}
	rc = smfi_main() == MI_SUCCESS ? EX_OK : EX_SOFTWARE;
	if (path != NULL && unlink(path) != 0 && errno != ENOENT)
		fprintf(stderr, "bench_noop: cannot remove %s: %s\n", path,
		    strerror(errno));
	return rc;
}
