/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Helpers shared by the xskb tools and integration tests: strict option
 * parsing, entering a network namespace, running a command without a shell.
 * Everything returns 0 (or a value) on success and a negative errno on error.
 */
#ifndef XSKB_TOOLS_UTIL_H
#define XSKB_TOOLS_UTIL_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

/* Parse an unsigned integer (decimal or 0x hex) within [min, max].
 * -EINVAL: not a number; -ERANGE: outside the bounds. */
int xt_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* Parse a rate/size with an optional k/M/G suffix (powers of 1000). */
int xt_parse_scaled(const char *s, uint64_t min, uint64_t max, uint64_t *out);
int xt_parse_mac(const char *s, uint8_t mac[6]);
int xt_parse_ipv4(const char *s, struct in_addr *out);
/* Parse "LO-HI" or "N" port ranges (1..65535). */
int xt_parse_port_range(const char *s, uint16_t *lo, uint16_t *hi);

/* Move the calling thread into network namespace @name (/run/netns/@name). */
int xt_netns_enter(const char *name);
/* Open a namespace handle (O_RDONLY fd on /run/netns/@name or /proc/self/ns/net
 * for NULL); the caller closes it. */
int xt_netns_open(const char *name);
/* Switch the calling thread to the namespace behind @fd. */
int xt_netns_set(int fd);

/* Run argv[0] (searched in PATH) with argv; no shell. Returns its exit
 * status (0..255), or -errno if it could not be run. With @quiet its stdout
 * and stderr go to /dev/null. */
int xt_run(const char *const argv[], bool quiet);

uint64_t xt_now_ns(void);

/* Command-line helpers shared by the tools. */
/* Print "PROG: <message> (try --help)" to stderr and exit with status 2. */
__attribute__((noreturn, format(printf, 2, 3)))
void xt_usage_error(const char *prog, const char *fmt, ...);
/* The value of option @opt within [min, max] (k/M/G suffixes when @scaled),
 * or a usage error naming the option, the value and the bounds. */
uint64_t xt_opt_u64(const char *prog, const char *opt, const char *s, uint64_t min, uint64_t max,
		    bool scaled);
/* xt_opt_u64() for a value that must also be a power of two (ring sizes,
 * frame sizes). */
uint64_t xt_opt_pow2(const char *prog, const char *opt, const char *s, uint64_t min, uint64_t max);
/* getopt_long() (with opterr = 0 and a leading ':' in the short options)
 * returned ':' or '?' as @c: name the option and exit as xt_usage_error(). */
__attribute__((noreturn))
void xt_bad_option(const char *prog, char *const argv[], int c);

#endif
