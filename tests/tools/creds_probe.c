/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * creds_probe: resolves credentials, region and endpoint the way the tool
 * does and prints what the integration tests check. The secret and the
 * token are printed only as SHA-256 digests.
 *
 * usage: creds_probe [--profile P] [--region R] [--endpoint-url U]
 *                    [--gets N] [--debug]
 * Exit: 0 ok, 253 no credentials / no such profile, 255 other errors.
 */
#include <curl/curl.h>
#include <openssl/evp.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ses/awsenv.h"
#include "ses/creds.h"

static void
on_debug(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "DEBUG creds: %s\n", msg);
}

static void
print_sha256(const char *label, const char *s)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	if (EVP_Digest(s, strlen(s), md, &n, EVP_sha256(), NULL) != 1)
		n = 0;
	printf("%s=", label);
	for (i = 0; i < n; i++)
		printf("%02x", md[i]);
	printf("\n");
}

static int
usage(void)
{
	fprintf(stderr,
	    "usage: creds_probe [--profile P] [--region R] "
	    "[--endpoint-url U] [--gets N] [--debug]\n");
	return 2;
}

int
main(int argc, char **argv)
{
	struct creds_options opt = { NULL, NULL, NULL, NULL, NULL, NULL, NULL };
	struct creds_provider *p;
	struct creds c;
	struct awsenv_region r;
	struct awsenv_endpoint ep;
	const char *region = NULL, *endpoint = NULL;
	char err[512];
	enum creds_status st = CREDS_OK;
	int i, gets = 1, rc = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--debug") == 0)
			opt.debug = on_debug;
		else if (i + 1 >= argc)
			return usage();
		else if (strcmp(argv[i], "--profile") == 0)
			opt.profile = argv[++i];
		else if (strcmp(argv[i], "--region") == 0)
			region = argv[++i];
		else if (strcmp(argv[i], "--endpoint-url") == 0)
			endpoint = argv[++i];
		else if (strcmp(argv[i], "--gets") == 0)
			gets = atoi(argv[++i]);
		else
			return usage();
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 255;
	opt.region = region;
	if ((p = creds_provider_new(&opt)) == NULL)
		return 255;
	for (i = 0; i < gets; i++) {
		if ((st = creds_provider_get(p, &c, err, sizeof(err))) !=
		    CREDS_OK) {
			printf("error=%d\n", (int)st);
			fprintf(stderr, "%s\n", err);
			rc = st == CREDS_ENOTFOUND || st == CREDS_EPROFILE
			    ? 253
			    : 255;
			break;
		}
		printf("source=%s\n", creds_source_name(c.source));
		printf("access_key_id=%s\n", c.access_key_id);
		print_sha256("secret_sha256", c.secret_access_key);
		printf("token=%s\n", c.session_token != NULL ? "yes" : "no");
		if (c.session_token != NULL)
			print_sha256("token_sha256", c.session_token);
		printf("expiration=%lld\n", (long long)c.expiration);
		creds_clear(&c);
	}
	creds_provider_free(p);

	if (awsenv_region(region, opt.profile, &r, err, sizeof(err)) ==
	    AWSENV_OK) {
		printf("region=%s\nregion_source=%s\n", r.name, r.source);
		region = r.name;
	} else {
		printf("region_error=%s\n", err);
		region = NULL;
	}
	if (awsenv_endpoint(endpoint, region, &ep, err, sizeof(err)) ==
	    AWSENV_OK) {
		printf("endpoint=%s\nendpoint_host=%s\nendpoint_path=%s\n"
		       "endpoint_source=%s\n",
		    ep.url, ep.host_header, ep.path, ep.source);
		awsenv_endpoint_free(&ep);
	} else
		printf("endpoint_error=%s\n", err);
	curl_global_cleanup();
	return rc;
}
