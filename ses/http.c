/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * HTTP over a libcurl easy handle kept per client, with transport failures
 * sorted into the classes botocore tells apart and worded as the AWS CLI
 * prints them. The handle runs in a multi handle of its own, which keeps
 * the connection between requests, so that the wait for the network is a
 * curl_multi_poll() that also watches the canceller's descriptor: a stop
 * ends a request at once, where a progress callback would be called only
 * about once a second while no byte moves.
 */
#include <curl/curl.h>

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "ses/http.h"
#include "ses/errbuf.h"

#define DEFAULT_TIMEOUT_MS 60000L
#define DEFAULT_MAX_RESPONSE (1024 * 1024)
/* Only a bound: curl_multi_poll() returns when curl has something to do. */
#define POLL_MAX_MS 1000

struct http_client {
	CURL *curl;
	CURLM *multi;
	const struct ses_cancel *cancel;
	size_t max;
	int ca_errno; /* why the CA file cannot be read; 0 */
	char errbuf[CURL_ERROR_SIZE];
};

/* The response body as it arrives, bounded by max. */
struct sink {
	char *buf;
	size_t len, cap, max;
	int over;
	int connected; /* a connection was up when the request left */
};

static long
ms_or_default(long ms)
{
	return ms == 0 ? DEFAULT_TIMEOUT_MS : ms < 0 ? 0 : ms;
}

struct http_client *
http_client_new(const struct http_options *opt, char *err, size_t errlen)
{
	static const struct http_options defaults;
	struct http_client *hc;
	CURL *c;
	CURLcode rc = CURLE_OK;

	if (opt == NULL)
		opt = &defaults;
	if ((hc = calloc(1, sizeof(*hc))) == NULL ||
	    (hc->curl = curl_easy_init()) == NULL ||
	    (hc->multi = curl_multi_init()) == NULL) {
		if (hc != NULL)
			curl_easy_cleanup(hc->curl);
		free(hc);
		errbuf_set(err, errlen, "cannot create an HTTP client: %s",
		    strerror(ENOMEM));
		return NULL;
	}
	c = hc->curl;
	hc->cancel = opt->cancel;
	hc->max = opt->max_response ? opt->max_response : DEFAULT_MAX_RESPONSE;
	/*
	 * A CA file that cannot be read fails each TLS request, as it does in
	 * the AWS CLI (urllib3 loads it when it connects), not the client.
	 */
	if (opt->ca_file != NULL && access(opt->ca_file, R_OK) == -1)
		hc->ca_errno = errno;
	/* Signals (for DNS timeouts) are process-wide: no good in threads. */
	rc |= curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	/*
	 * A cancelled request must not wait for a name lookup to finish:
	 * the resolver thread is left to end on its own.
	 */
	rc |= curl_easy_setopt(c, CURLOPT_QUICK_EXIT, 1L);
	rc |= curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	rc |= curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	rc |= curl_easy_setopt(
	    c, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	rc |= curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
	rc |= curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
	    ms_or_default(opt->connect_timeout_ms));
	rc |= curl_easy_setopt(
	    c, CURLOPT_TIMEOUT_MS, ms_or_default(opt->timeout_ms));
	rc |= curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)(hc->max > INT64_MAX ? INT64_MAX : hc->max));
	rc |= curl_easy_setopt(c, CURLOPT_ERRORBUFFER, hc->errbuf);
	if (opt->ca_file != NULL) {
		/* A given bundle is the only trust, as with botocore's verify. */
		rc |= curl_easy_setopt(c, CURLOPT_CAINFO, opt->ca_file);
		rc |= curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
	}
	if (opt->no_verify) {
		rc |= curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		rc |= curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (opt->user_agent != NULL)
		rc |= curl_easy_setopt(c, CURLOPT_USERAGENT, opt->user_agent);
	if (opt->no_proxy)
		rc |= curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	if (rc != CURLE_OK) {
		errbuf_set(err, errlen, "cannot set up libcurl: %s",
		    curl_easy_strerror(rc));
		http_client_free(hc);
		return NULL;
	}
	return hc;
}

void
http_client_free(struct http_client *hc)
{
	if (hc == NULL)
		return;
	curl_easy_cleanup(hc->curl);
	curl_multi_cleanup(hc->multi);
	free(hc);
}

const struct ses_cancel *
http_client_cancel(const struct http_client *hc)
{
	return hc->cancel;
}

static size_t
on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct sink *s = arg;
	size_t n = nmemb * size, ncap;
	char *nb;

	if (n > s->max - s->len) {
		s->over = 1;
		return 0;
	}
	if (s->len + n + 1 > s->cap) {
		ncap = s->cap ? s->cap : 4096;
		while (ncap < s->len + n + 1)
			ncap *= 2;
		if (ncap > s->max + 1)
			ncap = s->max + 1;
		/* Not realloc: the old block may hold credentials to wipe. */
		if ((nb = malloc(ncap)) == NULL)
			return 0;
		if (s->buf != NULL) {
			memcpy(nb, s->buf, s->len);
			explicit_bzero(s->buf, s->len);
			free(s->buf);
		}
		s->buf = nb;
		s->cap = ncap;
	}
	memcpy(s->buf + s->len, data, n);
	s->len += n;
	s->buf[s->len] = '\0';
	return n;
}

static int
on_prereq(void *arg, char *conn_primary_ip, char *conn_local_ip,
    int conn_primary_port, int conn_local_port)
{
	struct sink *s = arg;

	(void)conn_primary_ip;
	(void)conn_local_ip;
	(void)conn_primary_port;
	(void)conn_local_port;
	s->connected = 1;
	return CURL_PREREQFUNC_OK;
}

static int
header_ok(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s == '\r' || *s == '\n')
			return 0;
	return 1;
}

/*
 * The header list is built by hand rather than with curl_slist_append() so
 * that its strings (a container authorization token, the signature) can
 * be wiped before they are freed.
 */
static struct curl_slist *
header_list(const struct http_header *hdrs, size_t n, int has_body)
{
	struct curl_slist *l;
	size_t i, k = 0;
	int has_ct = 0;

	if (n > SIZE_MAX / sizeof(*l) - 2 ||
	    (l = calloc(n + 2, sizeof(*l))) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (strchr(hdrs[i].name, ':') != NULL ||
		    !header_ok(hdrs[i].name) || !header_ok(hdrs[i].value))
			goto fail;
		if (strcasecmp(hdrs[i].name, "Content-Type") == 0)
			has_ct = 1;
		if (asprintf(&l[k].data, "%s: %s", hdrs[i].name,
			hdrs[i].value) == -1) {
			l[k].data = NULL;
			goto fail;
		}
		k++;
	}
	/* No "Expect: 100-continue" round trip before larger bodies. */
	if ((l[k++].data = strdup("Expect:")) == NULL)
		goto fail;
	/* Without this curl adds a form Content-Type to every body. */
	if (has_body && !has_ct &&
	    (l[k++].data = strdup("Content-Type:")) == NULL)
		goto fail;
	for (i = 0; i + 1 < k; i++)
		l[i].next = &l[i + 1];
	return l;

fail:
	for (i = 0; i < k; i++) {
		explicit_bzero(l[i].data, strlen(l[i].data));
		free(l[i].data);
	}
	free(l);
	return NULL;
}

static void
header_list_free(struct curl_slist *l)
{
	struct curl_slist *p;

	for (p = l; p != NULL; p = p->next) {
		explicit_bzero(p->data, strlen(p->data));
		free(p->data);
	}
	free(l);
}

static int __attribute__((format(printf, 3, 4)))
fail(struct http_response *resp, enum http_error e, const char *fmt, ...)
{
	va_list ap;

	resp->error = e;
	resp->status = 0;
	va_start(ap, fmt);
	if (vasprintf(&resp->message, fmt, ap) == -1)
		resp->message = NULL;
	va_end(ap);
	return -1;
}

/*
 * curl_easy_perform() on the client's multi handle, ended early with
 * CURLE_ABORTED_BY_CALLBACK when the canceller fires.
 */
static CURLcode
perform(struct http_client *hc)
{
	struct curl_waitfd wfd = { ses_cancel_fd(hc->cancel), CURL_WAIT_POLLIN,
		0 };
	CURLcode rc = CURLE_ABORTED_BY_CALLBACK;
	CURLMsg *msg;
	int running, left;

	if (ses_cancel_fired(hc->cancel))
		return rc;
	if (curl_multi_add_handle(hc->multi, hc->curl) != CURLM_OK)
		return CURLE_OUT_OF_MEMORY;
	for (;;) {
		if (curl_multi_perform(hc->multi, &running) != CURLM_OK) {
			rc = CURLE_OUT_OF_MEMORY;
			break;
		}
		if (running == 0) {
			msg = curl_multi_info_read(hc->multi, &left);
			rc = msg != NULL && msg->msg == CURLMSG_DONE
			    ? msg->data.result
			    : CURLE_GOT_NOTHING;
			break;
		}
		if (ses_cancel_fired(hc->cancel))
			break;
		if (curl_multi_poll(hc->multi, wfd.fd >= 0 ? &wfd : NULL,
			wfd.fd >= 0 ? 1 : 0, POLL_MAX_MS, NULL) != CURLM_OK) {
			rc = CURLE_OUT_OF_MEMORY;
			break;
		}
	}
	curl_multi_remove_handle(hc->multi, hc->curl);
	return rc;
}

static int
classify(struct http_client *hc, CURLcode rc, const struct sink *s,
    const char *url, struct http_response *resp)
{
	const char *detail =
	    hc->errbuf[0] ? hc->errbuf : curl_easy_strerror(rc);

	switch (rc) {
	case CURLE_ABORTED_BY_CALLBACK:
		return fail(resp, HTTP_ECANCELLED,
		    "Request to endpoint URL \"%s\" was cancelled: the "
		    "program is stopping",
		    url);
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
		return fail(resp, HTTP_ECONNECT,
		    "Could not connect to the endpoint URL: \"%s\"", url);
	case CURLE_OPERATION_TIMEDOUT:
		if (!s->connected)
			return fail(resp, HTTP_ECONNECT,
			    "Connect timeout on endpoint URL: \"%s\"", url);
		return fail(resp, HTTP_ETIMEOUT,
		    "Read timeout on endpoint URL: \"%s\"", url);
	case CURLE_UNSUPPORTED_PROTOCOL:
		/* Once connected this is a reply that is not HTTP/1.x. */
		if (!s->connected)
			return fail(resp, HTTP_EOTHER,
			    "Request to endpoint URL "
			    "\"%s\" failed: %s",
			    url, detail);
		/* FALLTHROUGH */
	case CURLE_GOT_NOTHING:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_WEIRD_SERVER_REPLY:
		return fail(resp, HTTP_ECLOSED,
		    "Connection was closed before "
		    "we received a valid response from endpoint URL: \"%s\".",
		    url);
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_ENGINE_INITFAILED:
		if (hc->ca_errno != 0)
			return fail(resp, HTTP_ETLS,
			    "SSL validation failed for %s [Errno %d] %s", url,
			    hc->ca_errno, strerror(hc->ca_errno));
		return fail(resp, HTTP_ETLS, "SSL validation failed for %s %s",
		    url, detail);
	case CURLE_FILESIZE_EXCEEDED:
	case CURLE_WRITE_ERROR:
		if (rc == CURLE_FILESIZE_EXCEEDED || s->over)
			return fail(resp, HTTP_EOTHER,
			    "Response from endpoint "
			    "URL \"%s\" is larger than %zu bytes",
			    url, hc->max);
		/* FALLTHROUGH */
	default:
		return fail(resp, HTTP_EOTHER,
		    "Request to endpoint URL \"%s\" failed: %s", url, detail);
	}
}

int
http_request(struct http_client *hc, const char *method, const char *url,
    const struct http_header *hdrs, size_t n, const char *body, size_t bodylen,
    struct http_response *resp)
{
	struct sink s;
	struct curl_slist *hl;
	CURL *c = hc->curl;
	CURLcode rc = CURLE_OK;
	int get = strcmp(method, "GET") == 0;

	memset(resp, 0, sizeof(*resp));
	memset(&s, 0, sizeof(s));
	s.max = hc->max;
	if (!get && strcmp(method, "POST") != 0 && strcmp(method, "PUT") != 0)
		return fail(resp, HTTP_EOTHER,
		    "Request to endpoint URL \"%s\" "
		    "failed: unsupported method %s",
		    url, method);
	if ((hl = header_list(hdrs, n, !get)) == NULL)
		return fail(resp, HTTP_EOTHER,
		    "Request to endpoint URL \"%s\" "
		    "failed: bad header or out of memory",
		    url);
	hc->errbuf[0] = '\0';
	rc |= curl_easy_setopt(c, CURLOPT_URL, url);
	rc |= curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	rc |= curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	rc |= curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
	rc |= curl_easy_setopt(c, CURLOPT_PREREQFUNCTION, on_prereq);
	rc |= curl_easy_setopt(c, CURLOPT_PREREQDATA, &s);
	rc |= curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, NULL);
	if (get)
		rc |= curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	else {
		rc |= curl_easy_setopt(
		    c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)bodylen);
		rc |= curl_easy_setopt(
		    c, CURLOPT_POSTFIELDS, body != NULL ? body : "");
		if (strcmp(method, "PUT") == 0)
			rc |= curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "PUT");
	}
	if (rc == CURLE_OK)
		rc = perform(hc);
	else
		snprintf(hc->errbuf, sizeof(hc->errbuf), "%s",
		    "cannot set up the request");
	/* The handle must not keep pointers to what is freed here. */
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, NULL);
	curl_easy_setopt(c, CURLOPT_PREREQDATA, NULL);
	header_list_free(hl);
	if (rc != CURLE_OK) {
		if (s.buf != NULL) {
			explicit_bzero(s.buf, s.len);
			free(s.buf);
		}
		return classify(hc, rc, &s, url, resp);
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
	resp->body = s.buf;
	resp->len = s.len;
	return 0;
}

void
http_response_free(struct http_response *resp)
{
	if (resp->body != NULL) {
		explicit_bzero(resp->body, resp->len);
		free(resp->body);
	}
	free(resp->message);
	memset(resp, 0, sizeof(*resp));
}

const char *
http_error_name(enum http_error e)
{
	switch (e) {
	case HTTP_ENONE:
		return "none";
	case HTTP_ECONNECT:
		return "connect";
	case HTTP_ETIMEOUT:
		return "read-timeout";
	case HTTP_ECLOSED:
		return "closed";
	case HTTP_ETLS:
		return "tls";
	case HTTP_ECANCELLED:
		return "cancelled";
	case HTTP_EOTHER:
		break;
	}
	return "other";
}
