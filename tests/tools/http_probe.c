/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * http_probe: drives ses/http.c for the integration tests. Each exchange
 * prints "error=CLASS status=N len=N", then "message=..." or "body=...".
 *
 * usage: http_probe [--ca FILE] [--no-verify] [--connect-timeout-ms N]
 *                   [--timeout-ms N] [--max N] [--repeat N]
 *                   [-H 'Name: value']... METHOD URL [BODY]
 * Exit: 0 when every exchange got a response, 1 otherwise, 2 usage.
 */
#include <curl/curl.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ses/http.h"

#define MAX_HEADERS 16

static int
usage(void)
{
	fprintf(stderr,
	    "usage: http_probe [--ca FILE] [--no-verify] "
	    "[--connect-timeout-ms N] [--timeout-ms N] [--max N] "
	    "[--repeat N] [-H 'Name: value']... METHOD URL [BODY]\n");
	return 2;
}

int
main(int argc, char **argv)
{
	struct http_options o;
	struct http_header h[MAX_HEADERS];
	struct http_client *hc;
	struct http_response resp;
	const char *body = NULL;
	char err[512], *colon;
	size_t nh = 0;
	int i, repeat = 1, rc = 0;

	memset(&o, 0, sizeof(o));
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--no-verify") == 0)
			o.no_verify = 1;
		else if (i + 1 >= argc)
			return usage();
		else if (strcmp(argv[i], "--ca") == 0)
			o.ca_file = argv[++i];
		else if (strcmp(argv[i], "--connect-timeout-ms") == 0)
			o.connect_timeout_ms = atol(argv[++i]);
		else if (strcmp(argv[i], "--timeout-ms") == 0)
			o.timeout_ms = atol(argv[++i]);
		else if (strcmp(argv[i], "--max") == 0)
			o.max_response = strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--repeat") == 0)
			repeat = atoi(argv[++i]);
		else if (strcmp(argv[i], "-H") == 0 && nh < MAX_HEADERS) {
			if ((colon = strchr(argv[++i], ':')) == NULL)
				return usage();
			*colon++ = '\0';
			h[nh].name = argv[i];
			h[nh++].value = colon + strspn(colon, " ");
		} else
			return usage();
	}
	if (argc - i < 2 || argc - i > 3)
		return usage();
	if (argc - i == 3)
		body = argv[i + 2];
	o.no_proxy = 1;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 1;
	if ((hc = http_client_new(&o, err, sizeof(err))) == NULL) {
		printf("client_error=%s\n", err);
		curl_global_cleanup();
		return 1;
	}
	while (repeat-- > 0) {
		if (http_request(hc, argv[i], argv[i + 1], h, nh, body,
			body != NULL ? strlen(body) : 0, &resp) == -1)
			rc = 1;
		printf("error=%s status=%ld len=%zu\n",
		    http_error_name(resp.error), resp.status, resp.len);
		if (resp.message != NULL)
			printf("message=%s\n", resp.message);
		else
			printf("body=%s\n", resp.body != NULL ? resp.body : "");
		http_response_free(&resp);
	}
	http_client_free(hc);
	curl_global_cleanup();
	return rc;
}
