/*
 * filter: the libmilter callbacks and the configuration they run under.
 *
 * The running configuration is swapped by filter_set_conf() (at start-up
 * and on reload); each message holds a reference to the configuration it
 * started with, so a reload never changes the rules under a message.
 */
#ifndef FILTER_H
#define FILTER_H

#include <libmilter/mfapi.h>

struct conf;

extern struct smfiDesc filter_desc;

/* Takes over the caller's reference; the previous configuration is released. */
void filter_set_conf(struct conf *);
/* A new reference to the running configuration; release with conf_unref(). */
struct conf *filter_get_conf(void);

#endif
