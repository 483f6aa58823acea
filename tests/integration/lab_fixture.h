/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the integration tests share: bringing up their own veth lab (failing
 * under CI=true, skipping elsewhere when that is impossible), running the
 * generator in the tx namespace from a thread, and waiting with a bound.
 */
#ifndef XSKB_TEST_LAB_FIXTURE_H
#define XSKB_TEST_LAB_FIXTURE_H

#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab.h"
#include "pktgen.h"
#include "test_helpers.h"
#include "util.h"

static inline bool in_ci(void)
{
	const char *ci = getenv("CI");

	return ci && (!strcmp(ci, "true") || !strcmp(ci, "1"));
}

/*
 * Bring up a lab named @prefix. Returns 0; or, when it cannot be built,
 * prints why and returns -1 under CI (the group fails) and 1 elsewhere (the
 * caller skips its tests).
 */
static inline int fixture_lab_up(const char *prefix, unsigned int mtu, unsigned int queues,
				 struct xt_lab *lab)
{
	struct xt_lab_config cfg = { .prefix = prefix, .mtu = mtu, .queues = queues };
	const char *msg = "";
	int err;

	if (geteuid() != 0) {
		fprintf(stderr, "veth lab needs root (CAP_NET_ADMIN, CAP_BPF): %s\n",
			in_ci() ? "FAILING (CI=true)" : "skipping");
		return in_ci() ? -1 : 1;
	}
	xt_lab_down(prefix);	/* a previous crashed run */
	err = xt_lab_up(&cfg, lab, &msg);
	if (err) {
		fprintf(stderr, "cannot build the veth lab %s: %s (%s): %s\n", prefix, msg,
			strerror(-err), in_ci() ? "FAILING (CI=true)" : "skipping");
		return in_ci() ? -1 : 1;
	}
	return 0;
}

struct gen_job {
	const char *netns;
	struct xt_gen_config cfg;
	struct xt_gen_result res;
	const char *msg;
	int err;
	pthread_t thread;
};

static inline void *gen_thread(void *arg)
{
	struct gen_job *j = arg;

	j->err = xt_netns_enter(j->netns);
	if (!j->err)
		j->err = xt_gen_run(&j->cfg, &j->res, &j->msg);
	return NULL;
}

/* UDP frames of @size bytes from the lab's tx end to its rx end. */
static inline void gen_job_init(struct gen_job *j, const struct xt_lab *lab, enum xt_engine engine,
				uint64_t count, unsigned int size)
{
	memset(j, 0, sizeof(*j));
	j->netns = lab->ns_tx;
	j->cfg.engine = engine;
	j->cfg.ifindex = lab->ifindex_tx;
	j->cfg.count = count;
	j->cfg.max_seconds = 30;
	j->cfg.pkt.tpl = XT_TPL_UDP;
	j->cfg.pkt.size = size;
	memcpy(j->cfg.pkt.src_mac, lab->mac_tx, 6);
	memcpy(j->cfg.pkt.dst_mac, lab->mac_rx, 6);
	j->cfg.pkt.src_ip = lab->ip_tx;
	j->cfg.pkt.dst_ip = lab->ip_rx;
	j->cfg.pkt.src_port = 40000;
	j->cfg.pkt.dst_port = 9000;
}

static inline void gen_start(struct gen_job *j)
{
	assert_int_equal(pthread_create(&j->thread, NULL, gen_thread, j), 0);
}

static inline void gen_wait(struct gen_job *j)
{
	assert_int_equal(pthread_join(j->thread, NULL), 0);
	if (j->err)
		fail_msg("generator: %s (%s)", j->msg ? j->msg : "", strerror(-j->err));
}

/* Run a tool from this build's bin directory, quietly; its exit status.
 * A tool that was not built skips the test (fails it under CI=true). */
static inline int fixture_tool(const char *name, const char *const args[])
{
	char self[PATH_MAX], path[PATH_MAX + 16];
	const char *argv[16] = { path };
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int i;

	assert_true(n > 0);
	self[n] = '\0';
	snprintf(path, sizeof(path), "%s/%s", dirname(self), name);
	if (access(path, X_OK)) {
		if (in_ci())
			fail_msg("%s not built", path);
		print_message("SKIP: %s not built\n", path);
		skip();
	}
	for (i = 0; args[i] && i < 14; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	return xt_run(argv, true);
}

#define TOOL(name, ...) fixture_tool(name, (const char *const[]){ __VA_ARGS__, NULL })

/* Poll @cond every millisecond for at most @ms. */
#define wait_for(cond, ms)						\
	({								\
		bool ok_ = false;					\
		for (int i_ = 0; i_ < (ms); i_++) {			\
			if ((cond)) {					\
				ok_ = true;				\
				break;					\
			}						\
			usleep(1000);					\
		}							\
		ok_ || (cond);						\
	})

#endif
