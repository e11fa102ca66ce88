/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sigv4: the known answers of spec/ses-api.md (botocore with a fixed
 * clock), the canonical request piece by piece, and refused inputs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ses/sigv4.h"

#define CT "application/x-www-form-urlencoded; charset=utf-8"
#define AKID "AKIDEXAMPLE"
#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define TOKEN "FQoGZXIvYXdzEXAMPLESESSIONTOKEN/+="

#define BODY1 \
	"Action=SetIdentityMailFromDomain&Version=2010-12-01" \
	"&Identity=example.com&MailFromDomain=bounce.example.com" \
	"&BehaviorOnMXFailure=RejectMessage"
#define BODY2 \
	"Action=SetIdentityMailFromDomain&Version=2010-12-01" \
	"&Identity=user%2Btag%40example.com"
#define BODY3 \
	"Action=GetIdentityMailFromDomainAttributes" \
	"&Version=2010-12-01&Identities.member.1=example.com" \
	"&Identities.member.2=user%40example.com"

static struct sigv4_request
request(
    const char *host, const char *date, const char *region, const char *body)
{
	struct sigv4_request r = {
		.method = "POST",
		.host = host,
		.path = "/",
		.query = "",
		.content_type = CT,
		.body = body,
		.body_len = strlen(body),
		.amz_date = date,
		.region = region,
		.service = "ses",
	};

	return r;
}

static struct sigv4_request
vector1(void)
{
	return request("email.us-east-1.amazonaws.com", "20150830T123600Z",
	    "us-east-1", BODY1);
}

static void
hexify(const unsigned char *k, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", k[i]);
}

static void
assert_authorization(
    const struct sigv4_request *r, const char *token, const char *expect)
{
	struct sigv4_credentials c = { AKID, SECRET, token };
	char *auth;

	assert_int_equal(sigv4_authorization(r, &c, &auth), 0);
	assert_string_equal(auth, expect);
	free(auth);
}

static void
assert_canonical(
    const struct sigv4_request *r, const char *token, const char *expect)
{
	char *creq;

	assert_int_equal(sigv4_canonical_request(r, token, &creq), 0);
	assert_string_equal(creq, expect);
	free(creq);
}

static void
test_signing_key(void **state)
{
	unsigned char key[SIGV4_KEY_SIZE];
	char h[2 * SIGV4_KEY_SIZE + 1];

	(void)state;
	assert_int_equal(
	    sigv4_signing_key(SECRET, "20150830", "us-east-1", "ses", key), 0);
	hexify(key, sizeof(key), h);
	assert_string_equal(h,
	    "014f8b93dc29e3ee7ef062512b3883d17b978ea40bcb697e6e861e81a8a5a60b");
}

static void
test_signing_key_refuses(void **state)
{
	unsigned char key[SIGV4_KEY_SIZE];

	(void)state;
	assert_int_equal(
	    sigv4_signing_key(NULL, "20150830", "us-east-1", "ses", key), -1);
	assert_int_equal(
	    sigv4_signing_key(SECRET, "2015083", "us-east-1", "ses", key), -1);
	assert_int_equal(
	    sigv4_signing_key(SECRET, "20150830T", "us-east-1", "ses", key),
	    -1);
	assert_int_equal(
	    sigv4_signing_key(SECRET, "2015o830", "us-east-1", "ses", key), -1);
	assert_int_equal(
	    sigv4_signing_key(SECRET, "20150830", "us/east", "ses", key), -1);
	assert_int_equal(
	    sigv4_signing_key(SECRET, "20150830", "us-east-1", "", key), -1);
}

static void
test_vector1(void **state)
{
	struct sigv4_request r = vector1();

	(void)state;
	assert_authorization(&r, NULL,
	    "AWS4-HMAC-SHA256 "
	    "Credential=AKIDEXAMPLE/20150830/us-east-1/ses/aws4_request, "
	    "SignedHeaders=content-type;host;x-amz-date, Signature="
	    "81c68a0c0c4ada29d442c2ab2d94bacb91812c378cca0e0ceda1ce2dad20af1e");
}

static void
test_vector2_session_token(void **state)
{
	struct sigv4_request r;

	(void)state;
	r = request("email.eu-west-1.amazonaws.com", "20240229T235959Z",
	    "eu-west-1", BODY2);
	assert_authorization(&r, TOKEN,
	    "AWS4-HMAC-SHA256 "
	    "Credential=AKIDEXAMPLE/20240229/eu-west-1/ses/aws4_request, "
	    "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, "
	    "Signature="
	    "cddcc9610c23443ab971af911e0712344821126d8e63f95c70dd8dacf5c26ac3");
}

static void
test_vector3(void **state)
{
	struct sigv4_request r;

	(void)state;
	r = request("email.us-west-2.amazonaws.com", "20230101T000000Z",
	    "us-west-2", BODY3);
	assert_authorization(&r, NULL,
	    "AWS4-HMAC-SHA256 "
	    "Credential=AKIDEXAMPLE/20230101/us-west-2/ses/aws4_request, "
	    "SignedHeaders=content-type;host;x-amz-date, Signature="
	    "d0ba84c987ab2ed1677809ad23b07a00a239c060727a594a4b7f0a14994a3dbc");
}

/* An empty token is no token, as in botocore. */
static void
test_empty_token_is_none(void **state)
{
	struct sigv4_request r = vector1();

	(void)state;
	assert_authorization(&r, "",
	    "AWS4-HMAC-SHA256 "
	    "Credential=AKIDEXAMPLE/20150830/us-east-1/ses/aws4_request, "
	    "SignedHeaders=content-type;host;x-amz-date, Signature="
	    "81c68a0c0c4ada29d442c2ab2d94bacb91812c378cca0e0ceda1ce2dad20af1e");
}

static void
test_canonical_vector1(void **state)
{
	struct sigv4_request r = vector1();

	(void)state;
	assert_canonical(&r, NULL,
	    "POST\n/\n\n"
	    "content-type:" CT "\n"
	    "host:email.us-east-1.amazonaws.com\n"
	    "x-amz-date:20150830T123600Z\n\n"
	    "content-type;host;x-amz-date\n"
	    "deeb384dc1af0ca0ced15519339eb1fab8a943ce8c57c0ad38071417f5fc0de1");
}

static void
test_canonical_token_header(void **state)
{
	struct sigv4_request r;

	(void)state;
	r = request("email.eu-west-1.amazonaws.com", "20240229T235959Z",
	    "eu-west-1", BODY2);
	assert_canonical(&r, TOKEN,
	    "POST\n/\n\n"
	    "content-type:" CT "\n"
	    "host:email.eu-west-1.amazonaws.com\n"
	    "x-amz-date:20240229T235959Z\n"
	    "x-amz-security-token:" TOKEN "\n\n"
	    "content-type;host;x-amz-date;x-amz-security-token\n"
	    "9f456b64d7b7ecb3aab4a65d17b31f517ee235fdc4642b1be3fa2539144a4332");
}

/*
 * The path is escaped once more (SES v2's identities show up as %2540),
 * the query is sorted by name then value, a bare name gets its '=', a
 * non-default port stays in the host, an empty body hashes as "".
 */
static void
test_canonical_path_query_port(void **state)
{
	struct sigv4_request r;

	(void)state;
	r = request("127.0.0.1:4566", "20230101T000000Z", "us-east-1", "");
	r.path = "/v2/email/identities/user%40example.com/mail-from";
	r.query = "b=2&a=1&a=0&c";
	assert_canonical(&r, NULL,
	    "POST\n"
	    "/v2/email/identities/user%2540example.com/mail-from\n"
	    "a=0&a=1&b=2&c=\n"
	    "content-type:" CT "\n"
	    "host:127.0.0.1:4566\n"
	    "x-amz-date:20230101T000000Z\n\n"
	    "content-type;host;x-amz-date\n"
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_authorization(&r, NULL,
	    "AWS4-HMAC-SHA256 "
	    "Credential=AKIDEXAMPLE/20230101/us-east-1/ses/aws4_request, "
	    "SignedHeaders=content-type;host;x-amz-date, Signature="
	    "04b5da94c4368c2be9d49b134a53a7386bc5a7163aaee152ea402a0dcb80f06e");
}

/* Empty pieces sort first; a key that is a prefix sorts before. */
static void
test_canonical_query_edges(void **state)
{
	struct sigv4_request r;

	(void)state;
	r = request("h", "20230101T000000Z", "us-east-1", "");
	r.content_type = NULL;
	r.query = "ab=1&a=2&&a&a=";
	assert_canonical(&r, NULL,
	    "POST\n/\n=&a=&a=&a=2&ab=1\n"
	    "host:h\nx-amz-date:20230101T000000Z\n\nhost;x-amz-date\n"
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	r.query = NULL;
	assert_canonical(&r, NULL,
	    "POST\n/\n\n"
	    "host:h\nx-amz-date:20230101T000000Z\n\nhost;x-amz-date\n"
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

/* Every byte outside A-Za-z0-9-._~/ of the path is escaped, upper hex. */
static void
test_canonical_path_escapes(void **state)
{
	struct sigv4_request r;

	(void)state;
	r = request("h", "20230101T000000Z", "us-east-1", "");
	r.content_type = NULL;
	r.path = "/a+b*c!d'e(f)g$h,i;j:k@l=m&n~o-p_q.r/";
	assert_canonical(&r, NULL,
	    "POST\n"
	    "/a%2Bb%2Ac%21d%27e%28f%29g%24h%2Ci%3Bj%3Ak%40l%3Dm%26n~o-p_q.r/\n"
	    "\nhost:h\nx-amz-date:20230101T000000Z\n\nhost;x-amz-date\n"
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

/* Values are trimmed and each run of blanks is one space. */
static void
test_canonical_header_trim(void **state)
{
	struct sigv4_request r;

	(void)state;
	r = request("  h  ", "20230101T000000Z", "us-east-1", "");
	r.content_type = " \ttext/plain; \t  charset=utf-8\t ";
	assert_canonical(&r, "  tok  en ",
	    "POST\n/\n\n"
	    "content-type:text/plain; charset=utf-8\n"
	    "host:h\n"
	    "x-amz-date:20230101T000000Z\n"
	    "x-amz-security-token:tok en\n\n"
	    "content-type;host;x-amz-date;x-amz-security-token\n"
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

/* The body is hashed by length: NUL bytes count. */
static void
test_canonical_binary_body(void **state)
{
	static const char body[] = { 'a', '\0', 'b' };
	struct sigv4_request r;

	(void)state;
	r = request("h", "20230101T000000Z", "us-east-1", "");
	r.content_type = NULL;
	r.body = body;
	r.body_len = sizeof(body);
	assert_canonical(&r, NULL,
	    "POST\n/\n\n"
	    "host:h\nx-amz-date:20230101T000000Z\n\nhost;x-amz-date\n"
	    "59b271ae1bbcb1d31d41929817f4b16fb439eb4f31520b5ad1d5ce98920a7138");
}

static void
assert_refused(
    const struct sigv4_request *r, const char *akid, const char *token)
{
	struct sigv4_credentials c = { akid, SECRET, token };
	char *s = (char *)"unchanged";

	assert_int_equal(sigv4_authorization(r, &c, &s), -1);
	assert_null(s);
}

static void
test_refused_inputs(void **state)
{
	struct sigv4_request r;
	const char *paths[] = { "", "a", "//", "/a//b", "/.", "/./a", "/a/..",
		"/a/../b", "/a b", "/a?b", "/a#b", "/\xc3\xa9" };
	const char *dates[] = { "", "20150830", "20150830T123600",
		"20150830T123600z", "20150830 123600Z", "2015083OT123600Z",
		"20150830T123600ZZ" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		r = vector1();
		r.path = paths[i];
		assert_refused(&r, AKID, NULL);
	}
	for (i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
		r = vector1();
		r.amz_date = dates[i];
		assert_refused(&r, AKID, NULL);
	}
	r = vector1();
	r.host = "email.us-east-1.amazonaws.com\r\nX-Evil: 1";
	assert_refused(&r, AKID, NULL);
	r = vector1();
	r.host = "";
	assert_refused(&r, AKID, NULL);
	r = vector1();
	r.content_type = "text/plain\n";
	assert_refused(&r, AKID, NULL);
	r = vector1();
	r.method = "post";
	assert_refused(&r, AKID, NULL);
	r = vector1();
	r.region = "us-east-1/x";
	assert_refused(&r, AKID, NULL);
	r = vector1();
	r.service = "";
	assert_refused(&r, AKID, NULL);
	r = vector1();
	r.query = "a=1#frag";
	assert_refused(&r, AKID, NULL);
	r = vector1();
	r.query = "a=b c";
	assert_refused(&r, AKID, NULL);
	r = vector1();
	r.body = NULL;
	assert_refused(&r, AKID, NULL);
	r = vector1();
	assert_refused(&r, "AKID/x", NULL);
	assert_refused(&r, "AKID,x", NULL);
	assert_refused(&r, "", NULL);
	assert_refused(&r, NULL, NULL);
	assert_refused(&r, AKID, "tok\nen");
	assert_refused(&r, AKID, "tok\xc3\xa9");
}

static void
test_amz_date(void **state)
{
	char d[SIGV4_AMZ_DATE_SIZE];

	(void)state;
	assert_int_equal(sigv4_amz_date(0, d), 0);
	assert_string_equal(d, "19700101T000000Z");
	assert_int_equal(sigv4_amz_date(1440938160, d), 0);
	assert_string_equal(d, "20150830T123600Z");
	assert_int_equal(sigv4_amz_date(1709251199, d), 0);
	assert_string_equal(d, "20240229T235959Z");
	assert_int_equal(sigv4_amz_date(253402300799, d), 0);
	assert_string_equal(d, "99991231T235959Z");
	assert_int_equal(sigv4_amz_date(253402300800, d), -1);
	assert_int_equal(sigv4_amz_date(-1, d), 0);
	assert_string_equal(d, "19691231T235959Z");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signing_key),
		cmocka_unit_test(test_signing_key_refuses),
		cmocka_unit_test(test_vector1),
		cmocka_unit_test(test_vector2_session_token),
		cmocka_unit_test(test_vector3),
		cmocka_unit_test(test_empty_token_is_none),
		cmocka_unit_test(test_canonical_vector1),
		cmocka_unit_test(test_canonical_token_header),
		cmocka_unit_test(test_canonical_path_query_port),
		cmocka_unit_test(test_canonical_query_edges),
		cmocka_unit_test(test_canonical_path_escapes),
		cmocka_unit_test(test_canonical_header_trim),
		cmocka_unit_test(test_canonical_binary_body),
		cmocka_unit_test(test_refused_inputs),
		cmocka_unit_test(test_amz_date),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
