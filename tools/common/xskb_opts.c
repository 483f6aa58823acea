/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Command-line options the tools share that name xskb's own settings (bind
 * mode, attach mode, NAPI idle time); see xskb_opts.h.
 */
#include <string.h>

#include "util.h"
#include "xskb_opts.h"

enum xskb_bind_mode xt_opt_bind_mode(const char *prog, const char *s)
{
	if (!strcmp(s, "copy"))
		return XSKB_MODE_COPY;
	if (!strcmp(s, "zerocopy"))
		return XSKB_MODE_ZEROCOPY;
	if (strcmp(s, "auto"))
		xt_usage_error(prog, "--mode: '%s' is not copy, zerocopy or auto", s);
	return XSKB_MODE_AUTO;
}

enum xskb_attach_mode xt_opt_attach_mode(const char *prog, const char *s)
{
	if (!strcmp(s, "skb"))
		return XSKB_ATTACH_SKB;
	if (strcmp(s, "drv"))
		xt_usage_error(prog, "--attach: '%s' is not drv or skb", s);
	return XSKB_ATTACH_DRV;
}

unsigned int xt_opt_idle_us(const char *prog, const char *s)
{
	unsigned int us = (unsigned int)xt_opt_u64(prog, "--idle-us", s, 0, 10000000, false);

	return us ? us : XSKB_NAPI_NEVER_SLEEP;
}
