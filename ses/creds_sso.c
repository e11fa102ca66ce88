/* SPDX-License-Identifier: BSD-2-Clause */
#include <curl/curl.h>
#include <openssl/evp.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ses/awsenv.h"
#include "ses/creds_sso.h"
#include "ses/errbuf.h"
#include "ses/http.h"

#define SRC "sso"

int
creds_sso_cache_name(const char *key, char out[CREDS_SSO_CACHE_NAME_SIZE])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	if (EVP_Digest(key, strlen(key), md, &n, EVP_sha1(), NULL) != 1 ||
	    n != 20)
		return -1;
	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	memcpy(out + 40, ".json", 6);
	return 0;
}

enum creds_status
creds_sso_parse_token(const char *json, size_t len, time_t now,
    const char *name, char **token, char *err, size_t errlen)
{
	json_t *root;
	json_error_t je;
	const char *tok, *exp_s;
	time_t exp;
	enum creds_status st = CREDS_EFETCH;

	*token = NULL;
	root = json_loadb(json, len, 0, &je);
	tok = json_string_value(json_object_get(root, "accessToken"));
	exp_s = json_string_value(json_object_get(root, "expiresAt"));
	if (tok == NULL || *tok == '\0' || exp_s == NULL)
		errbuf_set(err, errlen,
		    "Error loading SSO Token: Token for %.200s is invalid",
		    name);
	else if (creds_parse_time(exp_s, &exp) == -1 || exp <= now)
		errbuf_set(err, errlen, "%s", CREDS_SSO_MSG_LOGIN);
	else if ((*token = strdup(tok)) == NULL) {
		errbuf_set(err, errlen, "%s", strerror(ENOMEM));
		st = CREDS_ENOMEM;
	} else
		st = CREDS_OK;
	json_decref(root);
	return st;
}

enum creds_status
creds_sso_parse_role(
    const char *json, size_t len, struct creds *out, char *err, size_t errlen)
{
	json_t *root, *rc, *exp;
	json_error_t je;
	const char *id, *secret, *tok;
	enum creds_status st = CREDS_EFETCH;

	memset(out, 0, sizeof(*out));
	root = json_loadb(json, len, 0, &je);
	rc = json_object_get(root, "roleCredentials");
	id = json_string_value(json_object_get(rc, "accessKeyId"));
	secret = json_string_value(json_object_get(rc, "secretAccessKey"));
	tok = json_string_value(json_object_get(rc, "sessionToken"));
	exp = json_object_get(rc, "expiration");
	/* role credentials are temporary: an empty token is a broken answer */
	if (id == NULL || secret == NULL || tok == NULL || *tok == '\0' ||
	    !json_is_integer(exp) || json_integer_value(exp) <= 0)
		errbuf_set(err, errlen,
		    "Error when retrieving credentials from " SRC
		    ": the GetRoleCredentials response has no complete "
		    "roleCredentials");
	else
		st = creds_set(out, id, secret, tok,
		    (time_t)(json_integer_value(exp) / 1000), CREDS_SOURCE_SSO,
		    err, errlen);
	json_decref(root);
	return st;
}

/* The portal's error type, from the body's __type. */
static void
error_type(const struct http_response *resp, char *out, size_t outlen)
{
	json_t *root;
	json_error_t je;
	const char *t;

	root =
	    json_loadb(resp->body != NULL ? resp->body : "", resp->len, 0, &je);
	t = json_string_value(json_object_get(root, "__type"));
	errbuf_printable(t != NULL ? t : "Unknown", out, outlen);
	out[strcspn(out, ":")] = '\0';
	json_decref(root);
}

enum creds_status
creds_sso_fetch(struct http_client *http, const struct awsenv_endpoint *ep,
    const char *role, const char *account, const char *token, struct creds *out,
    char *err, size_t errlen)
{
	struct http_response resp;
	struct http_header h[2];
	char *r = NULL, *a = NULL, *url = NULL, type[80];
	enum creds_status st = CREDS_EFETCH;
	size_t plen = strlen(ep->path);

	memset(out, 0, sizeof(*out));
	memset(&resp, 0, sizeof(resp));
	if ((r = curl_easy_escape(NULL, role, 0)) == NULL ||
	    (a = curl_easy_escape(NULL, account, 0)) == NULL ||
	    asprintf(&url,
		"%s%s%s%sfederation/credentials?role_name=%s"
		"&account_id=%s",
		ep->tls ? "https://" : "http://", ep->host_header, ep->path,
		plen > 0 && ep->path[plen - 1] == '/' ? "" : "/", r, a) == -1) {
		url = NULL;
		errbuf_set(err, errlen, "%s", strerror(ENOMEM));
		st = CREDS_ENOMEM;
		goto done;
	}
	h[0] = (struct http_header){ "Accept", "application/json" };
	h[1] = (struct http_header){ "x-amz-sso_bearer_token", token };
	if (http_request(http, "GET", url, h, 2, NULL, 0, &resp) == -1)
		errbuf_set(err, errlen,
		    "Error when retrieving credentials from " SRC ": %s",
		    resp.message != NULL ? resp.message : "no response");
	else if (resp.status == 401 || resp.status == 403)
		errbuf_set(err, errlen, "%s", CREDS_SSO_MSG_LOGIN);
	else if (resp.status != 200) {
		error_type(&resp, type, sizeof(type));
		errbuf_set(err, errlen,
		    "An error occurred (%s) when calling the "
		    "GetRoleCredentials operation (HTTP status %ld)",
		    type, resp.status);
	} else
		st =
		    creds_sso_parse_role(resp.body, resp.len, out, err, errlen);
done:
	http_response_free(&resp);
	curl_free(r);
	curl_free(a);
	free(url);
	return st;
}
