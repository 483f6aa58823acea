/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Library-wide plumbing for the datapath: the message printer every error
 * goes through, extensible-options validation, and enum names.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

static int default_print(enum xskb_print_level level, const char *fmt, va_list ap)
{
	if (level > XSKB_LOG_INFO)
		return 0;
	fputs("xskb: ", stderr);
	return vfprintf(stderr, fmt, ap);
}

static xskb_print_fn_t print_fn = default_print;

xskb_print_fn_t xskb_set_print(xskb_print_fn_t fn)
{
	return __atomic_exchange_n(&print_fn, fn, __ATOMIC_ACQ_REL);
}

void xskb_log(enum xskb_print_level level, const char *fmt, ...)
{
	xskb_print_fn_t fn = __atomic_load_n(&print_fn, __ATOMIC_ACQUIRE);
	int saved = errno;	/* callers log, then return -errno */
	va_list ap;

	if (!fn)
		return;
	va_start(ap, fmt);
	fn(level, fmt, ap);
	va_end(ap);
	errno = saved;
}

/*
 * An options struct from a newer header may be larger than ours; that is
 * fine as long as the fields we do not know about are zero (libbpf's rule).
 */
int xskb_opts_check(const void *opts, size_t user_sz, size_t our_sz, const char *what)
{
	if (user_sz < sizeof(size_t)) {
		pr_warn("%s: sz is %zu; initialise it with XSKB_OPTS()\n", what, user_sz);
		return -EINVAL;
	}
	for (size_t i = our_sz; i < user_sz; i++) {
		if (((const unsigned char *)opts)[i]) {
			pr_warn("%s: unknown non-zero field at offset %zu (newer header than library?)\n",
				what, i);
			return -EINVAL;
		}
	}
	return 0;
}

const char *xskb_rx_drop_str(enum xskb_rx_drop reason)
{
	static const char *const names[XSKB_DROP_MAX] = {
		[XSKB_DROP_NOMEM] = "nomem",
		[XSKB_DROP_RUNT] = "runt",
		[XSKB_DROP_TOO_BIG] = "too_big",
		[XSKB_DROP_INVALID_DESC] = "invalid_desc",
	};

	return (unsigned int)reason < XSKB_DROP_MAX ? names[reason] : "unknown";
}

const char *xskb_bind_mode_str(enum xskb_bind_mode mode)
{
	switch (mode) {
	case XSKB_MODE_AUTO: return "auto";
	case XSKB_MODE_COPY: return "copy";
	case XSKB_MODE_ZEROCOPY: return "zerocopy";
	}
	return "unknown";
}
