/* SPDX-License-Identifier: BSD-2-Clause */
#include "milter/decide.h"

#include <string.h>

static const char *const decide_verdicts[] = {
	"accept",
	"reject",
	"tempfail",
	"lookup-mx",
};

static const char *const decide_reasons[] = {
	"bounce",
	"out-of-scope",
	"unknown-sender",
	"no-mail-from",
	"need-mx",
	"mx-ok",
	"use-default-value",
	"reject-message",
	"internal-error",
};

const char *
decide_verdict_name(enum decide_verdict v)
{
	return decide_verdicts[v];
}

const char *
decide_reason_name(enum decide_reason r)
{
	return decide_reasons[r];
}

static void
decide_set(struct decide_out *out, enum decide_verdict v, enum decide_reason r,
    const char *rcode, const char *xcode)
{
	out->verdict = v;
	out->reason = r;
	out->rcode = rcode;
	out->xcode = xcode;
}

static void
decide_unknown(const struct decide_in *in, struct decide_out *out)
{
	switch (in->unknown_sender) {
	case CONF_REJECT:
		decide_set(out, DECIDE_REJECT, DECIDE_R_UNKNOWN_SENDER, "550",
		    "5.7.1");
		break;
	case CONF_TEMPFAIL:
		decide_set(out, DECIDE_TEMPFAIL, DECIDE_R_UNKNOWN_SENDER, "451",
		    "4.7.1");
		break;
	case CONF_ACCEPT:
		decide_set(
		    out, DECIDE_ACCEPT, DECIDE_R_UNKNOWN_SENDER, NULL, NULL);
		break;
	}
}

static const char *const decide_bases[] = {
	NULL,
	"mx",
	"ses",
	"both",
};

const char *
decide_basis_name(enum decide_basis b)
{
	return decide_bases[b];
}

/* How badly a signal fails: 0 not at all, 1 transiently, 2 for good. */
enum {
	DECIDE_SEV_NONE = -1,
	DECIDE_SEV_OK,
	DECIDE_SEV_TRANSIENT,
	DECIDE_SEV_DEFINITIVE
};

static int
decide_mx_severity(enum decide_mx mx)
{
	if (mx == DECIDE_MX_OK)
		return DECIDE_SEV_OK;
	return mx == DECIDE_MX_TEMPFAIL ? DECIDE_SEV_TRANSIENT
					: DECIDE_SEV_DEFINITIVE;
}

/* SES refuses (or falls back) in every status but Success. */
static int
decide_ses_severity(enum sesstatus_value ses)
{
	switch (ses) {
	case SESSTATUS_SUCCESS:
		return DECIDE_SEV_OK;
	case SESSTATUS_PENDING:
	case SESSTATUS_TEMPORARY_FAILURE:
		return DECIDE_SEV_TRANSIENT;
	case SESSTATUS_FAILED:
		return DECIDE_SEV_DEFINITIVE;
	case SESSTATUS_UNKNOWN:
		break;
	}
	return DECIDE_SEV_NONE;
}

static void
decide_checked(const struct decide_in *in, struct decide_out *out)
{
	int mx = decide_mx_severity(in->mx), ses = decide_ses_severity(in->ses);
	int sev = mx > ses ? mx : ses;

	if (ses == sev)
		out->basis = mx == sev ? DECIDE_BASIS_BOTH : DECIDE_BASIS_SES;
	else
		out->basis = DECIDE_BASIS_MX;
	if (out->basis != DECIDE_BASIS_MX)
		out->status = sesstatus_name(in->ses);
	else
		out->status = sev == DECIDE_SEV_OK ? "Success"
		    : sev == DECIDE_SEV_TRANSIENT  ? "TemporaryFailure"
						   : "Failed";
	if (sev == DECIDE_SEV_OK) {
		decide_set(out, DECIDE_ACCEPT, DECIDE_R_MX_OK, NULL, NULL);
		out->rewrite = in->rewrite_envelope;
	} else if (in->identity->behavior == CONF_USE_DEFAULT_VALUE)
		decide_set(
		    out, DECIDE_ACCEPT, DECIDE_R_USE_DEFAULT, NULL, NULL);
	else if (sev == DECIDE_SEV_TRANSIENT) /* the client retries */
		decide_set(out, DECIDE_TEMPFAIL, DECIDE_R_REJECT_MESSAGE, "451",
		    "4.4.3");
	else
		decide_set(out, DECIDE_REJECT, DECIDE_R_REJECT_MESSAGE, "550",
		    "5.7.1");
}

/*
 * A fault in the filter's own MX check: no status, no signal, only
 * tempfail (451 4.3.0, as every internal error) or accept. By
 * construction no value of on_internal_error reaches a 5xx.
 */
static void
decide_internal(const struct decide_in *in, struct decide_out *out)
{
	out->basis = DECIDE_BASIS_MX;
	if (in->on_internal_error == CONF_ACCEPT)
		decide_set(
		    out, DECIDE_ACCEPT, DECIDE_R_INTERNAL_ERROR, NULL, NULL);
	else
		decide_set(out, DECIDE_TEMPFAIL, DECIDE_R_INTERNAL_ERROR, "451",
		    "4.3.0");
}

void
decide(const struct decide_in *in, struct decide_out *out)
{
	memset(out, 0, sizeof(*out));
	out->spared = DECIDE_ACCEPT;

	if (in->null_sender)
		decide_set(out, DECIDE_ACCEPT, DECIDE_R_BOUNCE, NULL, NULL);
	else if (in->scope == CONF_SCOPE_AUTHENTICATED && !in->authenticated)
		decide_set(
		    out, DECIDE_ACCEPT, DECIDE_R_OUT_OF_SCOPE, NULL, NULL);
	else if (in->unparsable || in->identity == NULL)
		decide_unknown(in, out);
	else if (in->identity->mail_from_domain == NULL)
		decide_set(
		    out, DECIDE_ACCEPT, DECIDE_R_NO_MAIL_FROM, NULL, NULL);
	else if (in->mx == DECIDE_MX_UNKNOWN)
		decide_set(out, DECIDE_LOOKUP_MX, DECIDE_R_NEED_MX, NULL, NULL);
	else if (in->mx != DECIDE_MX_OK && in->mx != DECIDE_MX_TEMPFAIL &&
	    in->mx != DECIDE_MX_FAILED) /* DECIDE_MX_INTERNAL, or worse */
		decide_internal(in, out);
	else
		decide_checked(in, out);

	/*
	 * Mail from sendmail(1) has no SMTP client to tell: refusing it would
	 * strand it in the maildrop or bounce it. Audit what would have been
	 * done and let it through.
	 */
	if (in->local_submission &&
	    (out->verdict == DECIDE_REJECT ||
		out->verdict == DECIDE_TEMPFAIL)) {
		out->spared = out->verdict;
		out->verdict = DECIDE_ACCEPT;
		out->rcode = out->xcode = NULL;
	}
}

struct decide_buf {
	char *p;
	size_t size, len;
	bool overflow;
};

static void
decide_put(struct decide_buf *b, const char *s, size_t n)
{
	for (; n > 0; n--, s++) {
		unsigned char c = (unsigned char)*s;
		size_t need = c == '%' ? 2 : 1;

		if (b->len + need >= b->size) {
			b->overflow = true;
			return;
		}
		if (c == '%')
			b->p[b->len++] = '%';
		b->p[b->len++] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
	}
}

bool
decide_reply_text(const char *tmpl, const char *domain, const char *identity,
    const char *mx, const char *sender, char *buf, size_t size)
{
	static const char *const vars[] = {
		"%{domain}",
		"%{identity}",
		"%{mx}",
		"%{sender}",
	};
	const char *values[] = { domain, identity, mx, sender };
	struct decide_buf b = { buf, size, 0, false };
	const char *p = tmpl;
	size_t i;

	if (size == 0)
		return false;
	while (*p != '\0' && !b.overflow) {
		for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
			size_t n = strlen(vars[i]);

			if (strncmp(p, vars[i], n) == 0) {
				const char *v =
				    values[i] != NULL ? values[i] : "";

				decide_put(&b, v, strlen(v));
				p += n;
				break;
			}
		}
		if (i == sizeof(vars) / sizeof(vars[0]))
			decide_put(&b, p++, 1);
	}
	b.p[b.len] = '\0';
	return !b.overflow;
}
