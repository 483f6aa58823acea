/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Command-line options the tools share that name xskb's own settings. Apart
 * from util.h because these need <xskb/napi.h>, whose kernel names clash
 * with some system headers the rest of the tools' code includes.
 */
#ifndef XSKB_TOOLS_XSKB_OPTS_H
#define XSKB_TOOLS_XSKB_OPTS_H

#include <xskb/napi.h>

/* --mode copy|zerocopy|auto and --attach drv|skb, or a usage error (exit 2)
 * saying what is accepted. */
enum xskb_bind_mode xt_opt_bind_mode(const char *prog, const char *s);
enum xskb_attach_mode xt_opt_attach_mode(const char *prog, const char *s);
/* --idle-us N (0..10000000): busy-poll time before the NAPI loop sleeps;
 * 0 becomes XSKB_NAPI_NEVER_SLEEP. */
unsigned int xt_opt_idle_us(const char *prog, const char *s);

#endif
