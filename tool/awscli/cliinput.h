/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cliinput: what the AWS CLI does with an operation's input before it
 * calls: values read from file:// and fileb:// paths, list arguments
 * (words, or one JSON list), --cli-input-json and --cli-input-yaml merged
 * under the command-line values, the input skeletons of
 * --generate-cli-skeleton, and botocore's parameter validation with its
 * messages.
 *
 * Everything but cliinput_paramfile() (which reads a file) is pure.
 * Values are clivalue trees (clivalue.h) owned by the caller; error texts
 * go to a caller's strbuf and are the CLI's, word for word.
 */
#ifndef AWSCLI_CLIINPUT_H
#define AWSCLI_CLIINPUT_H

#include <stddef.h>

struct clivalue;
struct strbuf;

/* An operation's input member, as the SES model describes it. */
struct cliinput_member {
	const char *name;   /* "Identity" */
	const char *option; /* "--identity" */
	int list;           /* a list of strings */
	int required;
	const char *const *enums; /* NULL-ended, or NULL */
	const char *doc;          /* its doc's first sentence */
};

struct cliinput_op {
	const char *action; /* "SetIdentityMail..." */
	const struct cliinput_member *members;
	size_t nmembers;
};

enum cliinput_status {
	CLIINPUT_OK = 0,
	CLIINPUT_EPARAM, /* the CLI's exit code 252 */
	CLIINPUT_EFATAL, /* another Python error: exit code 255 */
	CLIINPUT_ENOMEM
};

/*
 * get_paramfile(): a VALUE starting with file:// (text: UTF-8, newlines
 * made "\n") or fileb:// (bytes) is replaced by the file's contents, the
 * path expanded like os.path.expanduser() then expandvars(). Returns OK
 * with *OUT NULL when VALUE names no file, OK with *OUT a STR or BYTES when
 * it was read, EPARAM with the CLI's message ("Error parsing parameter
 * '--identity': Unable to load paramfile file://x: [Errno 2] No such file
 * or directory: 'x'", OPTION being the argument's name) in ERR.
 */
enum cliinput_status cliinput_paramfile(const char *option, const char *value,
    struct clivalue **out, struct strbuf *err);

/*
 * A list argument as the CLI unpacks it: the words as strings, except that
 * a single word starting with '[' (after blanks) is read as JSON. TEXT is
 * used instead of the words when a file supplied the value (a string:
 * JSON if it starts with '[', else, as in the CLI, its characters).
 * OPTION names the argument in errors.
 */
enum cliinput_status cliinput_list(const char *option, const char *const *words,
    size_t nwords, const struct clivalue *text, struct clivalue **out,
    struct strbuf *err);

/*
 * The value of --cli-input-json (JSON true) or --cli-input-yaml, already
 * read from any file, parsed into a map. Errors as the CLI's: "Error
 * parsing parameter 'cli-input-json': Invalid JSON received.", "... Invalid
 * type: expecting map, received <class 'list'>".
 */
enum cliinput_status cliinput_document(int json, const char *text, size_t len,
    struct clivalue **out, struct strbuf *err);

/*
 * Moves into PARAMS each pair of the map DOC whose key PARAMS does not
 * have yet, in DOC's order; DOC is freed either way.
 */
enum cliinput_status cliinput_merge(
    struct clivalue *params, struct clivalue *doc);

/*
 * botocore's validation of PARAMS (a map) against OP: 0, or -1 with
 * "Parameter validation failed:\n..." in ERR.
 */
int cliinput_validate(const struct cliinput_op *, const struct clivalue *params,
    struct strbuf *err);

/* --generate-cli-skeleton input and yaml-input, each ending in "\n". */
void cliinput_skeleton_json(const struct cliinput_op *, struct strbuf *out);
void cliinput_skeleton_yaml(const struct cliinput_op *, struct strbuf *out);

#endif
