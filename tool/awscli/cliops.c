/* SPDX-License-Identifier: BSD-2-Clause */
#include <sys/ioctl.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ses/awsenv.h"
#include "tool/awscli/cli.h"
#include "tool/awscli/clioutput.h"
#include "ses/client.h"
#include "tool/awscli/clivalue.h"
#include "ses/strbuf.h"
#include "tool/awscli/u8.h"
#include "tool/awscli/cli_int.h"
#include "tool/awscli/cliquery.h"

#ifndef VERSION
#define VERSION "0.0.0"
#endif

#define ERRLEN 1024
/* What the CLI's 0 ("wait for ever") becomes: about 25 days. */
#define NO_TIMEOUT_MS 0x7fffffffL

/* ---- the operations, as the SES model describes them ---- */

static const char *const behaviors[] = { "UseDefaultValue", "RejectMessage",
	NULL };

static const struct cliinput_member set_members[] = {
	{ "Identity", "--identity", 0, 1, NULL,
	    "The verified identity for which you want to enable or disable "
	    "the specified custom MAIL FROM domain." },
	{ "MailFromDomain", "--mail-from-domain", 0, 0, NULL,
	    "The custom MAIL FROM domain that you want the verified identity "
	    "to use." },
	{ "BehaviorOnMXFailure", "--behavior-on-mx-failure", 0, 0, behaviors,
	    "The action that you want Amazon SES to take if it cannot "
	    "successfully read the required MX record when you send an "
	    "email." },
};

static const struct cliinput_member get_members[] = {
	{ "Identities", "--identities", 1, 1, NULL,
	    "A list of one or more identities." },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

const struct cliinput_op cli_set_input = { "SetIdentityMailFromDomain",
	set_members, NELEM(set_members) };

const struct cliinput_op cli_get_input = {
	"GetIdentityMailFromDomainAttributes", get_members, NELEM(get_members)
};

/*
 * The most members an operation has: ses_command() keeps one option per
 * member in an array of this size, so an operation with more is refused
 * when the program is compiled.
 */
#define OP_MAX_MEMBERS 3
_Static_assert(NELEM(set_members) <= OP_MAX_MEMBERS, "set: OP_MAX_MEMBERS");
_Static_assert(NELEM(get_members) <= OP_MAX_MEMBERS, "get: OP_MAX_MEMBERS");

struct operation {
	const char *command;
	const struct cliinput_op *input;
	int has_output;
	const char *help;
};

static const struct operation set_op = { "set-identity-mail-from-domain",
	&cli_set_input, 0,
	"NAME\n"
	"  set-identity-mail-from-domain - enable or disable the custom MAIL\n"
	"  FROM domain of a verified identity (SES SetIdentityMailFromDomain)\n"
	"\n"
	"SYNOPSIS\n"
	"  " CLI_PROG " [global options] set-identity-mail-from-domain\n"
	"      --identity <value>\n"
	"      [--mail-from-domain <value>]\n"
	"      [--behavior-on-mx-failure <value>]\n"
	"      [--cli-input-json <value> | --cli-input-yaml <value>]\n"
	"      [--generate-cli-skeleton [input | yaml-input | output]]\n"
	"\n"
	"OPTIONS\n"
	"  --identity (string)\n"
	"      The verified identity (an email address or a domain).\n"
	"  --mail-from-domain (string)\n"
	"      The custom MAIL FROM domain, a subdomain of the identity's\n"
	"      domain. Leave it out to disable the custom MAIL FROM domain.\n"
	"  --behavior-on-mx-failure (string)\n"
	"      UseDefaultValue or RejectMessage: what SES does when it cannot\n"
	"      read the MX record of the MAIL FROM domain.\n"
	"  --cli-input-json, --cli-input-yaml (string)\n"
	"      All the parameters as a JSON or YAML document, inline or\n"
	"      file://PATH; options given on the command line win. A null\n"
	"      MailFromDomain means \"disable\" (the AWS CLI refuses it).\n"
	"  --generate-cli-skeleton [input | yaml-input | output]\n"
	"      Print a template of the input (or of the output) and exit.\n"
	"\n"
	"Nothing is printed on success. See " CLI_PROG "(1).\n" };

static const struct operation get_op = {
	"get-identity-mail-from-domain-attributes", &cli_get_input, 1,
	"NAME\n"
	"  get-identity-mail-from-domain-attributes - the custom MAIL FROM\n"
	"  settings of identities (SES GetIdentityMailFromDomainAttributes)\n"
	"\n"
	"SYNOPSIS\n"
	"  " CLI_PROG " [global options] "
	"get-identity-mail-from-domain-attributes\n"
	"      --identities <value> [<value> ...]\n"
	"      [--cli-input-json <value> | --cli-input-yaml <value>]\n"
	"      [--generate-cli-skeleton [input | yaml-input | output]]\n"
	"\n"
	"OPTIONS\n"
	"  --identities (list)\n"
	"      The identities, as separate words (or one JSON list).\n"
	"  --cli-input-json, --cli-input-yaml (string)\n"
	"      All the parameters as a JSON or YAML document, inline or\n"
	"      file://PATH; options given on the command line win.\n"
	"  --generate-cli-skeleton [input | yaml-input | output]\n"
	"      Print a template of the input (or of the output) and exit.\n"
	"\n"
	"OUTPUT\n"
	"  MailFromDomainAttributes: for each known identity its\n"
	"  MailFromDomain, MailFromDomainStatus (Pending, Success, Failed,\n"
	"  TemporaryFailure) and BehaviorOnMXFailure, printed as --output\n"
	"  says (json, text, table, yaml, yaml-stream). See " CLI_PROG "(1).\n"
};

/* ---- the SES commands ---- */

/* One run of an SES command. */
struct run {
	const struct cli_globals *g;
	struct cli_globals debug_globals; /* for callbacks */
	const struct operation *op;
	struct clivalue *params; /* in call order */
	struct awsenv_shared shared;
	int have_shared;
	struct awsenv_region region;
	struct awsenv_endpoint endpoint;
	int have_endpoint;
	struct creds_provider *creds;
	struct ses_client *client;
};

static void
run_free(struct run *r)
{
	ses_client_free(r->client);
	creds_provider_free(r->creds);
	if (r->have_endpoint)
		awsenv_endpoint_free(&r->endpoint);
	if (r->have_shared)
		awsenv_shared_free(&r->shared);
	clivalue_free(r->params);
}

/* A setting from the profile in the config file, or NULL. */
static const char *
config_value(const struct run *r, const char *key)
{
	const char *v;

	if (!r->have_shared)
		return NULL;
	v = awsconfig_get(r->shared.config, r->shared.profile, key);
	return v != NULL && *v != '\0' ? v : NULL;
}

/* Sets NAME to the argument, as the CLI does with its arg table. */
static int
put_param(struct run *r, const char *name, struct clivalue *v)
{
	if (v == NULL ||
	    clivalue_map_set(r->params,
		clivalue_new_str(CLIV_STR, name, strlen(name)), v) == -1)
		return -1;
	return 0;
}

static int
input_error(enum cliinput_status st, struct strbuf *msg)
{
	switch (st) {
	case CLIINPUT_EPARAM:
		return cli_fail_buf(CLI_RC_PARAM, msg);
	case CLIINPUT_EFATAL:
		return cli_fail_buf(CLI_RC_FAILED, msg);
	default:
		strbuf_free(msg);
		return cli_nomem();
	}
}

/* The value of a string option, after any file:// or fileb://. */
static int
string_param(struct run *r, const struct cliinput_member *m, const char *arg)
{
	struct clivalue *v;
	struct strbuf msg;
	enum cliinput_status st;

	strbuf_init(&msg);
	if ((st = cliinput_paramfile(m->option, arg, &v, &msg)) != CLIINPUT_OK)
		return input_error(st, &msg);
	if (v == NULL)
		v = clivalue_new_str(CLIV_STR, arg, strlen(arg));
	return put_param(r, m->name, v) == -1 ? cli_nomem() : CLI_RC_OK;
}

static int
list_param(struct run *r, const struct cliinput_member *m,
    const struct cliargs_val *val)
{
	struct clivalue *text = NULL, *v;
	struct strbuf msg;
	enum cliinput_status st;

	strbuf_init(&msg);
	if (val->nlist == 1 &&
	    (st = cliinput_paramfile(m->option, val->list[0], &text, &msg)) !=
		CLIINPUT_OK)
		return input_error(st, &msg);
	st = cliinput_list(m->option, val->list, val->nlist, text, &v, &msg);
	clivalue_free(text);
	if (st != CLIINPUT_OK)
		return input_error(st, &msg);
	return put_param(r, m->name, v) == -1 ? cli_nomem() : CLI_RC_OK;
}

/* The text of --cli-input-json or --cli-input-yaml: ARG or its file's. */
static int
document_text(const char *option, const char *arg, struct clivalue **text)
{
	struct strbuf msg;
	enum cliinput_status st;

	strbuf_init(&msg);
	if ((st = cliinput_paramfile(option, arg, text, &msg)) != CLIINPUT_OK)
		return input_error(st, &msg);
	if (*text == NULL &&
	    (*text = clivalue_new_str(CLIV_STR, arg, strlen(arg))) == NULL)
		return cli_nomem();
	if ((*text)->kind == CLIV_BYTES) {
		/* json.loads() and ruamel decode bytes, a BOM included */
		if ((*text)->len >= 3 &&
		    memcmp((*text)->str, "\xef\xbb\xbf", 3) == 0) {
			memmove(
			    (*text)->str, (*text)->str + 3, (*text)->len - 2);
			(*text)->len -= 3;
		}
		(*text)->kind = CLIV_STR;
	}
	return CLI_RC_OK;
}

/* --cli-input-json or --cli-input-yaml parsed and merged. */
static int
input_document(struct run *r, int json, const struct clivalue *text)
{
	struct clivalue *doc;
	struct strbuf msg;
	enum cliinput_status st;

	strbuf_init(&msg);
	if (!u8_valid(text->str, text->len, 0)) {
		/* undecodable bytes from fileb:// */
		strbuf_addf(&msg,
		    "Error parsing parameter '%s': Invalid %s "
		    "received.",
		    json ? "cli-input-json" : "cli-input-yaml",
		    json ? "JSON" : "YAML");
		return cli_fail_buf(CLI_RC_PARAM, &msg);
	}
	st = cliinput_document(json, text->str, text->len, &doc, &msg);
	if (st != CLIINPUT_OK)
		return input_error(st, &msg);
	if (cliinput_merge(r->params, doc) != CLIINPUT_OK)
		return cli_nomem();
	return CLI_RC_OK;
}

/*
 * Profile, region, timeouts, endpoint and the client, in the order the
 * CLI checks them when it creates its client.
 */
static int
make_client(struct run *r)
{
	struct ses_client_options o;
	const struct cli_globals *g = r->g;
	const char *ca;
	char err[ERRLEN];
	long v;

	if (awsenv_shared_load(g->profile, &r->shared, err, sizeof(err)) !=
	    AWSENV_OK)
		return cli_fail(CLI_RC_FAILED, err);
	r->have_shared = 1;
	switch (awsenv_region(
	    g->region, g->profile, &r->region, err, sizeof(err))) {
	case AWSENV_OK:
		break;
	case AWSENV_ENOREGION:
		return cli_fail(CLI_RC_CONFIG, err);
	default:
		return cli_fail(CLI_RC_FAILED, err);
	}
	cli_debug(g, "region %s (from %s)", r->region.name, r->region.source);
	if (g->read_timeout < 0 || g->connect_timeout < 0) {
		snprintf(err, sizeof(err),
		    "Attempted to set %s timeout to "
		    "%ld, but the timeout cannot be set to a value less than "
		    "or equal to 0.",
		    g->connect_timeout < 0 ? "connect" : "read",
		    g->connect_timeout < 0 ? g->connect_timeout
					   : g->read_timeout);
		return cli_fail(CLI_RC_FAILED, err);
	}
	if (awsenv_endpoint(g->endpoint_url, r->region.name, &r->endpoint, err,
		sizeof(err)) != AWSENV_OK)
		return cli_fail(CLI_RC_FAILED, err);
	r->have_endpoint = 1;
	cli_debug(
	    g, "endpoint %s (from %s)", r->endpoint.url, r->endpoint.source);

	memset(&o, 0, sizeof(o));
	o.region = r->region.name;
	o.endpoint_url = r->endpoint.url;
	r->debug_globals = *g;
	o.debug = cli_debug_line;
	o.debug_arg = &r->debug_globals;
	/* the CLI uses a CA bundle for https only */
	ca = g->ca_bundle != NULL ? g->ca_bundle : awsenv_get("AWS_CA_BUNDLE");
	if (ca == NULL)
		ca = config_value(r, "ca_bundle");
	if (r->endpoint.tls)
		o.http.ca_file = ca;
	o.http.no_verify = !g->verify_ssl;
	o.http.connect_timeout_ms = g->connect_timeout == 0 ? NO_TIMEOUT_MS
	    : g->connect_timeout > NO_TIMEOUT_MS / 1000
	    ? NO_TIMEOUT_MS
	    : g->connect_timeout * 1000;
	o.http.timeout_ms = g->read_timeout == 0     ? NO_TIMEOUT_MS
	    : g->read_timeout > NO_TIMEOUT_MS / 1000 ? NO_TIMEOUT_MS
						     : g->read_timeout * 1000;
	o.http.user_agent = CLI_PROG "/" VERSION;
	/* $AWS_MAX_ATTEMPTS first (the client reads it), then the config */
	if (awsenv_get("AWS_MAX_ATTEMPTS") == NULL &&
	    config_value(r, "max_attempts") != NULL &&
	    cli_python_int(config_value(r, "max_attempts"), &v) == 0 && v > 0 &&
	    v < INT_MAX)
		o.max_attempts = (int)v;
	if ((r->creds = creds_provider_new(&(struct creds_options){ g->profile,
		 cli_debug_line, &r->debug_globals, r->region.name,
		 cli_mfa_prompt, NULL, NULL })) == NULL)
		return cli_nomem();
	o.creds = r->creds;
	if ((r->client = ses_client_new(&o, err, sizeof(err))) == NULL)
		return cli_fail(CLI_RC_FAILED, err);
	return CLI_RC_OK;
}

/*
 * A value the request cannot carry: a lone surrogate, which Python fails
 * to encode ("'utf-8' codec can't encode"), or a NUL, which this client
 * cannot send. CLI_RC_OK, or the exit code after the message.
 */
static int
unsendable(const struct clivalue *v)
{
	struct strbuf msg;
	unsigned long cp;
	size_t pos, run;

	if (strlen(v->str) != v->len)
		return cli_fail(CLI_RC_PARAM,
		    "A NUL character cannot be sent in a "
		    "parameter.");
	if (!u8_find_surrogate(v->str, v->len, &pos, &cp, &run))
		return CLI_RC_OK;
	strbuf_init(&msg);
	if (run == 1)
		strbuf_addf(&msg,
		    "'utf-8' codec can't encode character "
		    "'\\u%04lx' in position %zu: surrogates not allowed",
		    cp, pos);
	else
		strbuf_addf(&msg,
		    "'utf-8' codec can't encode characters in "
		    "position %zu-%zu: surrogates not allowed",
		    pos, pos + run - 1);
	return cli_fail_buf(CLI_RC_FAILED, &msg);
}

/* The request's parameters in the call's order, as botocore serialises
   them: Identities.member.N for a list, "Identities=" for an empty one. */
struct wire {
	struct ses_param *params;
	size_t n;
	char **keys; /* the member keys, owned */
	size_t nkeys;
};

static void
wire_free(struct wire *w)
{
	size_t i;

	for (i = 0; i < w->nkeys; i++)
		free(w->keys[i]);
	free(w->keys);
	free(w->params);
	memset(w, 0, sizeof(*w));
}

static int
serialize(const struct run *r, struct wire *w)
{
	const struct clivalue *v, *item;
	const char *name;
	size_t i, k, cap = 0;
	int rc;

	memset(w, 0, sizeof(*w));
	for (i = 0; i < r->params->n; i++) {
		v = r->params->items[i];
		cap += v->kind == CLIV_LIST && v->n > 0 ? v->n : 1;
	}
	if ((w->params = calloc(cap + 1, sizeof(*w->params))) == NULL ||
	    (w->keys = calloc(cap + 1, sizeof(*w->keys))) == NULL) {
		wire_free(w);
		return cli_nomem();
	}
	for (i = 0; i < r->params->n; i++) {
		v = r->params->items[i];
		name = r->params->keys[i]->str;
		if (v->kind == CLIV_STR || v->n == 0) {
			if (v->kind == CLIV_STR &&
			    (rc = unsendable(v)) != CLI_RC_OK) {
				wire_free(w);
				return rc;
			}
			w->params[w->n].key = name;
			w->params[w->n++].value =
			    v->kind == CLIV_STR ? v->str : "";
			continue;
		}
		for (k = 0; k < v->n; k++) {
			item = v->items[k];
			if ((rc = unsendable(item)) != CLI_RC_OK) {
				wire_free(w);
				return rc;
			}
			if (asprintf(&w->keys[w->nkeys], "%s.member.%zu", name,
				k + 1) == -1) {
				wire_free(w);
				return cli_nomem();
			}
			w->params[w->n].key = w->keys[w->nkeys++];
			w->params[w->n++].value = item->str;
		}
	}
	return CLI_RC_OK;
}

static struct clivalue *
str_value(const char *s)
{
	return clivalue_new_str(CLIV_STR, s, strlen(s));
}

static int
map_put(struct clivalue *map, const char *key, struct clivalue *v)
{
	return clivalue_map_set(map, str_value(key), v);
}

/* The parsed answer the way botocore builds it: members in model order. */
static struct clivalue *
response(const struct operation *op, const struct sesxml_doc *doc)
{
	const struct sesxml_mail_from *e;
	struct clivalue *resp, *attrs, *entry;
	size_t i;
	int bad = 0;

	if ((resp = clivalue_new(CLIV_MAP)) == NULL)
		return NULL;
	if (!op->has_output)
		return resp;
	if ((attrs = clivalue_new(CLIV_MAP)) == NULL) {
		clivalue_free(resp);
		return NULL;
	}
	for (i = 0; doc != NULL && i < doc->nentries; i++) {
		e = &doc->entries[i];
		if ((entry = clivalue_new(CLIV_MAP)) == NULL) {
			bad = 1;
			break;
		}
		if (e->mail_from_domain != NULL &&
		    map_put(entry, "MailFromDomain",
			str_value(e->mail_from_domain)) == -1)
			bad = 1;
		if (e->status != NULL &&
		    map_put(entry, "MailFromDomainStatus",
			str_value(e->status)) == -1)
			bad = 1;
		if (e->behavior != NULL &&
		    map_put(entry, "BehaviorOnMXFailure",
			str_value(e->behavior)) == -1)
			bad = 1;
		if (map_put(attrs, e->identity, entry) == -1)
			bad = 1;
	}
	if (map_put(resp, "MailFromDomainAttributes", attrs) == -1 || bad) {
		clivalue_free(resp);
		return NULL;
	}
	return resp;
}

/* What --generate-cli-skeleton output shows: every member by its name. */
static struct clivalue *
sample_response(const struct operation *op)
{
	struct clivalue *resp, *attrs, *entry;
	static const char *const names[] = { "MailFromDomain",
		"MailFromDomainStatus", "BehaviorOnMXFailure" };
	size_t i;

	if ((resp = clivalue_new(CLIV_MAP)) == NULL || !op->has_output)
		return resp;
	attrs = clivalue_new(CLIV_MAP);
	entry = clivalue_new(CLIV_MAP);
	for (i = 0; entry != NULL && i < 3; i++)
		if (map_put(entry, names[i], str_value(names[i])) == -1) {
			clivalue_free(entry);
			entry = NULL;
		}
	if (attrs == NULL || entry == NULL ||
	    map_put(attrs, "KeyName", entry) == -1 ||
	    map_put(resp, "MailFromDomainAttributes", attrs) == -1) {
		if (attrs == NULL || entry == NULL) {
			clivalue_free(attrs);
			clivalue_free(entry);
		}
		clivalue_free(resp);
		return NULL;
	}
	return resp;
}

/* The output format: --output, $AWS_DEFAULT_OUTPUT, the profile's, json. */
static int
display(const struct run *r, const struct clivalue *resp)
{
	enum clioutput_format fmt;
	struct clioutput_style style;
	struct winsize ws;
	struct strbuf out, msg;
	const char *name;

	name = r->g->output;
	if (name == NULL)
		name = awsenv_get("AWS_DEFAULT_OUTPUT");
	if (name == NULL)
		name = config_value(r, "output");
	if (name == NULL)
		name = "json";
	if (clioutput_parse(name, &fmt) == -1) {
		strbuf_init(&msg);
		strbuf_addf(&msg, "Unknown output type: %s", name);
		return cli_fail_buf(CLI_RC_FAILED, &msg);
	}
	style.width =
	    ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 ? ws.ws_col : 80;
	style.color = strcmp(r->g->color, "on") == 0 ||
	    (strcmp(r->g->color, "auto") == 0 && isatty(STDOUT_FILENO));
	strbuf_init(&out);
	strbuf_init(&msg);
	if (clioutput_render(
		fmt, r->op->input->action, resp, &style, &out, &msg) == -1) {
		cli_write_out(&out);
		strbuf_free(&out);
		return cli_fail_buf(CLI_RC_FAILED, &msg);
	}
	strbuf_free(&msg);
	if (strbuf_failed(&out)) {
		strbuf_free(&out);
		return cli_nomem();
	}
	cli_write_out(&out);
	strbuf_free(&out);
	return CLI_RC_OK;
}

static int
service_error(const struct run *r, const struct ses_result *res)
{
	struct strbuf msg;
	int rc;

	strbuf_init(&msg);
	switch (res->kind) {
	case SES_ESERVICE:
		strbuf_addf(&msg,
		    "An error occurred (%s) when calling the %s "
		    "operation",
		    res->code != NULL ? res->code : "Unknown",
		    r->op->input->action);
		if (res->retries_exhausted)
			strbuf_addf(&msg, " (reached max retries: %d)",
			    res->attempts - 1);
		strbuf_addf(&msg, ": %s",
		    res->message != NULL ? res->message : "Unknown");
		rc = CLI_RC_SERVICE;
		break;
	case SES_ECREDS:
		strbuf_adds(&msg,
		    res->message != NULL ? res->message : CREDS_MSG_NOTFOUND);
		rc = res->creds_status == CREDS_ENOTFOUND ? CLI_RC_CONFIG
							  : CLI_RC_FAILED;
		break;
	default:
		strbuf_adds(&msg,
		    res->message != NULL ? res->message : "the request failed");
		rc = CLI_RC_FAILED;
		break;
	}
	return cli_fail_buf(rc, &msg);
}

/* Credentials now, so that their absence is reported before anything
   about encoding the request, as botocore's signer does. */
static int
check_credentials(const struct run *r)
{
	struct creds c;
	char err[ERRLEN];
	enum creds_status st;

	st = creds_provider_get(r->creds, &c, err, sizeof(err));
	if (st == CREDS_OK) {
		cli_debug(
		    r->g, "credentials from %s", creds_source_name(c.source));
		creds_clear(&c);
		return CLI_RC_OK;
	}
	if (st == CREDS_ENOMEM)
		return cli_nomem();
	return cli_fail(
	    st == CREDS_ENOTFOUND ? CLI_RC_CONFIG : CLI_RC_FAILED, err);
}

/*
 * With --no-verify-ssl the CLI's urllib3 warns, once, when it has made a
 * TLS connection without checking the certificate; a request that never
 * connected (FAILED says how it failed; NULL: it did not) is not warned
 * about. The text is Debian 12's, file and line included.
 */
static void
insecure_warning(const struct run *r, const struct ses_result *failed)
{
	const char *host = r->endpoint.host;
	size_t len = strlen(host);

	if (r->g->verify_ssl || !r->endpoint.tls)
		return;
	if (failed != NULL && failed->kind == SES_ETRANSPORT &&
	    (failed->http_error == HTTP_ECONNECT ||
		failed->http_error == HTTP_ETLS))
		return;
	if (len > 1 && host[0] == '[') { /* urllib3 names IPv6 bare */
		host++;
		len -= 2;
	}
	fprintf(stderr,
	    "/usr/lib/python3/dist-packages/urllib3/connectionpool.py:1065: "
	    "InsecureRequestWarning: Unverified HTTPS request is being made "
	    "to host '%.*s'. Adding certificate verification is strongly "
	    "advised. See: https://urllib3.readthedocs.io/en/1.26.x/"
	    "advanced-usage.html#ssl-warnings\n"
	    "  warnings.warn(\n",
	    (int)len, host);
}

static int
invoke(struct run *r, int sample_only)
{
	struct ses_result res;
	struct wire w;
	struct clivalue *resp;
	struct strbuf msg;
	size_t k;
	int rc;

	if ((rc = make_client(r)) != CLI_RC_OK)
		return rc;
	strbuf_init(&msg);
	if (cliinput_validate(r->op->input, r->params, &msg) == -1)
		return cli_fail_buf(CLI_RC_PARAM, &msg);
	strbuf_free(&msg);
	if (sample_only) {
		if ((resp = sample_response(r->op)) == NULL)
			return cli_nomem();
		rc = display(r, resp);
		clivalue_free(resp);
		return rc;
	}
	if ((rc = check_credentials(r)) != CLI_RC_OK ||
	    (rc = serialize(r, &w)) != CLI_RC_OK)
		return rc;
	for (k = 0; k < w.n; k++)
		cli_debug(r->g, "parameter %s=%s", w.params[k].key,
		    w.params[k].value);
	rc = ses_call(r->client, r->op->input->action, w.params, w.n, &res);
	wire_free(&w);
	insecure_warning(r, rc == 0 ? NULL : &res);
	if (rc == -1) {
		rc = service_error(r, &res);
		ses_result_free(&res);
		return rc;
	}
	cli_debug(r->g, "%s succeeded after %d attempt(s)",
	    r->op->input->action, res.attempts);
	resp = response(r->op, res.doc);
	ses_result_free(&res);
	if (resp == NULL)
		return cli_nomem();
	if (r->g->query_expr != NULL &&
	    (rc = cliquery_apply(r->g->query_expr, &resp)) != CLI_RC_OK) {
		clivalue_free(resp);
		return rc;
	}
	rc = display(r, resp);
	clivalue_free(resp);
	return rc;
}

enum {
	O_INPUT_JSON,
	O_INPUT_YAML,
	O_SKELETON,
	O_HELP,
	O_EXTRA
};

static const char *const skeleton_choices[] = { "input", "output", "yaml-input",
	NULL };

/* An argument that, typed exactly, makes the required options optional. */
static int
overrides_required(int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--cli-input-json") == 0 ||
		    strcmp(argv[i], "--cli-input-yaml") == 0)
			return 1;
		if (strcmp(argv[i], "--generate-cli-skeleton") == 0 &&
		    !(i + 1 < argc && strcmp(argv[i + 1], "output") == 0))
			return 1;
	}
	return 0;
}

static int
print_help(const char *text)
{
	fputs(text, stdout);
	fflush(stdout);
	return CLI_RC_OK;
}

static int
unknown_options(const char *const *words, size_t n)
{
	size_t i;

	fputs("\nusage: " CLI_USAGE "\nUnknown options: ", stderr);
	for (i = 0; i < n; i++)
		fprintf(stderr, "%s%s", i > 0 ? ", " : "", words[i]);
	fputs("\n\n", stderr);
	return CLI_RC_PARAM;
}

static int
ses_command(const struct cli_globals *g, const struct operation *op, int argc,
    char **argv)
{
	struct cliargs_opt opts[OP_MAX_MEMBERS + O_EXTRA];
	struct cliargs a;
	struct run r;
	struct strbuf out;
	struct clivalue *text[2] = { NULL, NULL };
	const struct cliinput_member *m;
	const char **extra;
	size_t i, nm = op->input->nmembers, nextra;
	enum cliargs_status st;
	int optional, rc, json, yaml;
	const char *skeleton;

	if (argc == 1 && strcmp(argv[0], "help") == 0)
		return print_help(op->help);
	optional = overrides_required(argc, argv);
	for (i = 0; i < nm; i++) {
		m = &op->input->members[i];
		opts[i] = (struct cliargs_opt){ m->option, NULL,
			m->list ? CLIARGS_LIST : CLIARGS_STORE, NULL, NULL,
			m->required && !optional };
	}
	opts[nm + O_INPUT_JSON] = (struct cliargs_opt){ "--cli-input-json",
		NULL, CLIARGS_STORE, NULL, NULL, 0 };
	opts[nm + O_INPUT_YAML] = (struct cliargs_opt){ "--cli-input-yaml",
		NULL, CLIARGS_STORE, NULL, NULL, 0 };
	opts[nm + O_SKELETON] = (struct cliargs_opt){ "--generate-cli-skeleton",
		NULL, CLIARGS_OPTIONAL, skeleton_choices, "input", 0 };
	opts[nm + O_HELP] = (struct cliargs_opt){ "help", NULL,
		CLIARGS_POSITIONAL_OPT, NULL, NULL, 0 };
	if ((st = cliargs_parse(opts, nm + O_EXTRA, argc, argv, &a)) !=
	    CLIARGS_OK)
		return cli_parse_failed(CLI_USAGE, st, &a);
	if (a.vals[nm + O_HELP].value != NULL &&
	    strcmp(a.vals[nm + O_HELP].value, "help") == 0) {
		cliargs_free(&a);
		return print_help(op->help);
	}
	nextra = a.nextras + (a.vals[nm + O_HELP].value != NULL);
	if (nextra > 0) {
		if ((extra = calloc(nextra, sizeof(*extra))) == NULL) {
			cliargs_free(&a);
			return cli_nomem();
		}
		for (i = 0; i < a.nextras; i++)
			extra[i] = a.extras[i];
		if (a.vals[nm + O_HELP].value != NULL)
			extra[i] = a.vals[nm + O_HELP].value;
		rc = unknown_options(extra, nextra);
		free(extra);
		cliargs_free(&a);
		return rc;
	}

	memset(&r, 0, sizeof(r));
	r.g = g;
	r.op = op;
	if ((r.params = clivalue_new(CLIV_MAP)) == NULL) {
		cliargs_free(&a);
		return cli_nomem();
	}
	/* the options in the model's order, each through file:// */
	for (i = 0, rc = CLI_RC_OK; i < nm && rc == CLI_RC_OK; i++) {
		m = &op->input->members[i];
		if (a.vals[i].count == 0)
			continue;
		rc = m->list ? list_param(&r, m, &a.vals[i])
			     : string_param(&r, m, a.vals[i].value);
	}
	json = a.vals[nm + O_INPUT_JSON].count > 0;
	yaml = a.vals[nm + O_INPUT_YAML].count > 0;
	if (rc == CLI_RC_OK && json)
		rc = document_text("--cli-input-json",
		    a.vals[nm + O_INPUT_JSON].value, &text[0]);
	if (rc == CLI_RC_OK && yaml)
		rc = document_text("--cli-input-yaml",
		    a.vals[nm + O_INPUT_YAML].value, &text[1]);
	if (rc == CLI_RC_OK && json && yaml)
		rc = cli_fail(CLI_RC_PARAM,
		    "Only one --cli-input- parameter may be specified.");
	if (rc == CLI_RC_OK && (json || yaml))
		rc = input_document(&r, json, text[json ? 0 : 1]);
	clivalue_free(text[0]);
	clivalue_free(text[1]);
	skeleton = a.vals[nm + O_SKELETON].count > 0
	    ? a.vals[nm + O_SKELETON].value
	    : NULL;
	if (rc != CLI_RC_OK)
		goto done;
	if (skeleton != NULL && strcmp(skeleton, "output") != 0) {
		strbuf_init(&out);
		if (strcmp(skeleton, "input") == 0)
			cliinput_skeleton_json(op->input, &out);
		else
			cliinput_skeleton_yaml(op->input, &out);
		if (strbuf_failed(&out))
			rc = cli_nomem();
		else
			cli_write_out(&out);
		strbuf_free(&out);
		goto done;
	}
	/*
	 * The deliberate difference: SES's documentation says a null
	 * MailFromDomain disables the setting; sending none does that.
	 */
	for (i = 0; i < r.params->n; i++)
		if (r.params->keys[i]->kind == CLIV_STR &&
		    strcmp(r.params->keys[i]->str, "MailFromDomain") == 0 &&
		    r.params->items[i]->kind == CLIV_NONE) {
			cli_debug(g,
			    "MailFromDomain is null: left out, which "
			    "disables the custom MAIL FROM domain");
			clivalue_map_remove(r.params, i);
			break;
		}
	rc = invoke(&r, skeleton != NULL);
done:
	run_free(&r);
	cliargs_free(&a);
	return rc;
}

int
cli_set_identity_mail_from_domain(
    const struct cli_globals *g, int argc, char **argv)
{
	return ses_command(g, &set_op, argc, argv);
}

int
cli_get_identity_mail_from_domain_attributes(
    const struct cli_globals *g, int argc, char **argv)
{
	return ses_command(g, &get_op, argc, argv);
}
