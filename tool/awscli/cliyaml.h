/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cliyaml: YAML read and written the way the AWS CLI does it with
 * ruamel.yaml: --cli-input-yaml is YAML(typ='safe').load() and --output
 * yaml is a safe dump in block style with sorted keys.
 *
 * Loading follows YAML 1.2's core schema as ruamel resolves it ("yes" and
 * "on" are strings, "017" is 17, "0o17" is 15, 2001-12-14 is a date), or
 * YAML 1.1 when the document says %YAML 1.1. Merge keys (<<), anchors and
 * aliases, !!binary, !!set and the standard scalar tags are understood; a
 * repeated key, a second document, an unknown tag, a collection as a key,
 * !!omap and !!pairs are "Invalid YAML received." Expansion through
 * aliases is bounded (CLIYAML_MAX_NODES) so a small document cannot make
 * a huge value. Pure: no I/O; libyaml does the parsing.
 */
#ifndef AWSCLI_CLIYAML_H
#define AWSCLI_CLIYAML_H

#include <stddef.h>

struct clivalue;
struct strbuf;

#define CLIYAML_MAX_DEPTH 900
#define CLIYAML_MAX_NODES 100000

enum cliyaml_status {
	CLIYAML_OK = 0,
	CLIYAML_EINVALID, /* ruamel raises a YAMLError */
	/* ruamel raises another error (ValueError from !!int abc, a bad
	   date): the message is in ERR; the CLI exits 255 with it */
	CLIYAML_EFATAL,
	CLIYAML_ENOMEM
};

/*
 * Loads the single document in TEXT (LEN bytes, WTF-8 as u8.h) into *OUT
 * (NULL for an empty stream; freed with clivalue_free()).
 */
enum cliyaml_status cliyaml_load(
    const char *text, size_t len, struct clivalue **out, struct strbuf *err);

/* The tag ruamel's YAML 1.2 resolver gives a plain scalar, e.g. "int". */
const char *cliyaml_resolve(const char *value, size_t len);

/*
 * V as ruamel's safe dumper writes it (block style, keys sorted, indent 2,
 * width 80, Unicode kept), each line ending in '\n'. Scalars and empty
 * collections alone are not handled here (the CLI prints them as JSON).
 */
void cliyaml_dump(const struct clivalue *, struct strbuf *out);
/* The same for the sequence of the N ITEMS (--output yaml-stream). */
void cliyaml_dump_seq(
    const struct clivalue *const *items, size_t n, struct strbuf *out);

#endif
