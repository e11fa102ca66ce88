/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sigv4_sign: signs requests read from stdin, one JSON object a line, so
 * that a test can compare ses/sigv4 (and ses/form) with botocore.
 *
 *   {"host": "email.us-east-1.amazonaws.com", "time": 1440938160,
 *    "region": "us-east-1", "access_key": "AKID", "secret_key": "...",
 *    "session_token": "...", "action": "GetIdentityMailFromDomainAttributes",
 *    "params": [["Identity", "a.com"], ["Identities", ["a", "b"]]]}
 *
 * Optional members: "method" ("POST"), "path" ("/"), "query" (""),
 * "content_type" (the form type; null for none), "service" ("ses"),
 * "amz_date" instead of "time", "session_token", and "body" (used as is)
 * instead of "action"/"params" (a body built with ses/form; a list value
 * goes through form_add_list; without "action" the pairs alone).
 *
 * Prints one line per request: the Authorization value, or with -l
 * "BODY<TAB>AMZ-DATE<TAB>AUTHORIZATION". A request that cannot be signed
 * prints "error" and makes the exit status 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "ses/form.h"
#include "ses/strbuf.h"
#include "ses/sigv4.h"

#define FORM_TYPE "application/x-www-form-urlencoded; charset=utf-8"

static const char *
str(json_t *o, const char *key, const char *dflt)
{
	json_t *v = json_object_get(o, key);

	if (v == NULL)
		return dflt;
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int
add_list(struct strbuf *f, const char *key, json_t *list)
{
	const char **values;
	size_t i, n = json_array_size(list);
	int rc = -1;

	if ((values = calloc(n + 1, sizeof(*values))) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if ((values[i] = json_string_value(json_array_get(list, i))) ==
		    NULL)
			goto done;
	rc = form_add_list(f, key, values, n);
done:
	free(values);
	return rc;
}

static int
build_body(json_t *req, struct strbuf *f)
{
	json_t *params, *pair, *val;
	const char *action, *key;
	size_t i;

	if ((action = str(req, "action", NULL)) != NULL &&
	    form_begin(f, action) == -1)
		return -1;
	params = json_object_get(req, "params");
	json_array_foreach(params, i, pair) {
		key = json_string_value(json_array_get(pair, 0));
		val = json_array_get(pair, 1);
		if (key == NULL)
			return -1;
		if (json_is_array(val)) {
			if (add_list(f, key, val) == -1)
				return -1;
		} else if (!json_is_string(val) ||
		    form_add(f, key, json_string_value(val)) == -1)
			return -1;
	}
	return 0;
}

static int
sign(const char *line, int long_form)
{
	struct sigv4_request r;
	struct sigv4_credentials c;
	struct strbuf f;
	json_t *req, *ct, *t;
	const char *body, *given;
	char date[SIGV4_AMZ_DATE_SIZE], *auth = NULL;
	int rc = -1;

	strbuf_init(&f);
	if ((req = json_loads(line, 0, NULL)) == NULL)
		return -1;
	if ((body = str(req, "body", NULL)) == NULL) {
		if (build_body(req, &f) == -1)
			goto done;
		body = f.data != NULL ? f.data : "";
	}
	if ((t = json_object_get(req, "time")) != NULL) {
		if (!json_is_integer(t) ||
		    sigv4_amz_date((time_t)json_integer_value(t), date) == -1)
			goto done;
	} else if ((given = str(req, "amz_date", NULL)) == NULL ||
	    strlen(given) >= sizeof(date))
		goto done;
	else
		memcpy(date, given, strlen(given) + 1);

	ct = json_object_get(req, "content_type");
	memset(&r, 0, sizeof(r));
	r.method = str(req, "method", "POST");
	r.host = str(req, "host", NULL);
	r.path = str(req, "path", "/");
	r.query = str(req, "query", "");
	r.content_type =
	    json_is_null(ct) ? NULL : str(req, "content_type", FORM_TYPE);
	r.body = body;
	r.body_len = strlen(body);
	r.amz_date = date;
	r.region = str(req, "region", NULL);
	r.service = str(req, "service", "ses");
	c.access_key_id = str(req, "access_key", NULL);
	c.secret_access_key = str(req, "secret_key", NULL);
	c.session_token = str(req, "session_token", NULL);
	if (r.method == NULL || r.path == NULL || r.query == NULL ||
	    (!json_is_null(ct) && r.content_type == NULL) || r.service == NULL)
		goto done;
	if (sigv4_authorization(&r, &c, &auth) == -1)
		goto done;
	if (long_form)
		printf("%s\t%s\t%s\n", body, date, auth);
	else
		printf("%s\n", auth);
	rc = 0;
done:
	free(auth);
	strbuf_free(&f);
	json_decref(req);
	return rc;
}

int
main(int argc, char **argv)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int ch, long_form = 0, status = 0;

	while ((ch = getopt(argc, argv, "l")) != -1) {
		if (ch != 'l') {
			fprintf(stderr, "usage: sigv4_sign [-l] < requests\n");
			return 2;
		}
		long_form = 1;
	}
	while ((n = getline(&line, &cap, stdin)) != -1) {
		if (n > 0 && line[n - 1] == '\n')
			line[n - 1] = '\0';
		if (sign(line, long_form) == -1) {
			printf("error\n");
			status = 1;
		}
		fflush(stdout);
	}
	free(line);
	return status;
}
