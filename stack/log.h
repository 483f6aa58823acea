/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The library's one way to say something: xskb_log() hands every message to
 * the printer set with xskb_set_print() (NULL silences the library).
 */
#ifndef XSKB_LOG_H
#define XSKB_LOG_H

#include <xskb/xsk.h>	/* enum xskb_print_level */

__attribute__((format(printf, 2, 3)))
void xskb_log(enum xskb_print_level level, const char *fmt, ...);
#define pr_warn(fmt, ...)	xskb_log(XSKB_LOG_WARN, fmt, ##__VA_ARGS__)
#define pr_info(fmt, ...)	xskb_log(XSKB_LOG_INFO, fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...)	xskb_log(XSKB_LOG_DEBUG, fmt, ##__VA_ARGS__)

#endif /* XSKB_LOG_H */
