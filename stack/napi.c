/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The NAPI loop: one thread polls its queues with a budget (rx.c), busy
 * polls while packets flow and sleeps in poll(2) when idle, the way the
 * kernel's NAPI switches between polling and interrupts.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "rx.h"
#include "skbuff_internal.h"

#define MAX_NAPI_QUEUES 64

struct xskb_napi {
	struct xskb_queue *queues[MAX_NAPI_QUEUES];
	struct pollfd pfds[MAX_NAPI_QUEUES + 1];	/* the sockets, then wake_fd */
	int wake_fd;			/* eventfd: xskb_napi__stop() ends a sleep at once */
	unsigned int nr;
	int budget;
	unsigned int idle_usec;
	int sleep_ms;
	int cpu;			/* 0: unpinned, else CPU + 1 */
	int stop;
	int running;			/* a thread is inside xskb_napi__run() */
	int err;			/* why the last run ended on its own (-ENODEV), else 0 */
	bool started;			/* xskb_napi__start()'s thread exists */
	bool free_on_exit;		/* destroyed from inside the loop */
	int run_err;			/* the thread's claim result, for xskb_napi__start() */
	bool run_ready;
	pthread_t runner;
	pthread_mutex_t lock;
	pthread_cond_t ready;		/* run_ready set, or running cleared */
	pthread_t thread;
	struct xskb_napi_stats stats;
};

int xskb_napi__create(struct xskb_napi **out, struct xskb_queue **queues, unsigned int nr,
		      const struct xskb_napi_opts *opts)
{
	struct xskb_napi *n;
	int err;

	if (!out)
		return -EINVAL;
	*out = NULL;
	err = XSKB_OPTS_CHECK(opts, "xskb_napi_opts");
	if (err)
		return err;
	if (!queues || !nr || nr > MAX_NAPI_QUEUES) {
		pr_warn("a NAPI loop polls 1..%d queues (got %u)\n", MAX_NAPI_QUEUES, nr);
		return -EINVAL;
	}
	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->budget = XSKB_OPT(opts, budget, XSKB_NAPI_POLL_WEIGHT);
	n->idle_usec = XSKB_OPT(opts, idle_usec, XSKB_NAPI_DEFAULT_IDLE_USEC);
	n->sleep_ms = XSKB_OPT(opts, sleep_ms, 100);
	n->cpu = XSKB_OPT(opts, cpu, 0);
	if (n->budget < 0 || n->sleep_ms < 0 || n->cpu < 0) {
		pr_warn("NAPI budget, sleep and CPU must not be negative\n");
		free(n);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < nr; i++) {
		if (!queues[i] || !queues[i]->handler) {
			pr_warn("NAPI queue %u has no handler (set xskb_queue_opts.handler)\n", i);
			free(n);
			return -EINVAL;
		}
		n->queues[i] = queues[i];
		n->pfds[i].fd = queues[i]->fd;
		n->pfds[i].events = POLLIN;
	}
	n->nr = nr;
	n->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (n->wake_fd < 0) {
		err = -errno;
		pr_warn("cannot create the NAPI loop's eventfd: %s\n", strerror(-err));
		free(n);
		return err;
	}
	n->pfds[nr].fd = n->wake_fd;
	n->pfds[nr].events = POLLIN;
	pthread_mutex_init(&n->lock, NULL);
	pthread_cond_init(&n->ready, NULL);
	*out = n;
	return 0;
}

static __u64 mono_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000u + (__u64)ts.tv_nsec / 1000u;
}

/* Own every queue's UMEM, or none: a partial claim is undone. */
static int napi_claim(struct xskb_napi *n)
{
	for (unsigned int i = 0; i < n->nr; i++) {
		xskb_umem_claim(n->queues[i]->umem);
		if (xskb_umem_owned(n->queues[i]->umem))
			continue;
		pr_warn("queue %u: its UMEM is polled by another thread\n", n->queues[i]->queue_id);
		while (i--)
			xskb_umem_release_owner(n->queues[i]->umem);
		return -EBUSY;
	}
	return 0;
}

/* Tell xskb_napi__start() how the claim went. */
static void napi_report(struct xskb_napi *n, int err)
{
	pthread_mutex_lock(&n->lock);
	n->run_err = err;
	n->run_ready = true;
	pthread_cond_broadcast(&n->ready);
	pthread_mutex_unlock(&n->lock);
}

/*
 * How long to sleep: sleep_ms, unless a fill ring is running low while
 * frames are out with skbs (held by the handler or freed on other threads):
 * then 1 ms, so frames freed meanwhile reach the fill ring before the
 * kernel finds it empty; 1 ms too while a queue has frames in flight on its
 * TX ring or skbs waiting in its qdisc.
 */
static int napi_sleep_ms(const struct xskb_napi *n)
{
	for (unsigned int i = 0; i < n->nr; i++) {
		struct xskb_queue *q = n->queues[i];

		struct xskb_frame_stats st;

		/* Sent frames wait for their completions (or skbs for room):
		 * the socket does not wake us for those. */
		if (xskb_queue_tx_busy(q))
			return n->sleep_ms < 1 ? n->sleep_ms : 1;
		if (xskb_ring_prod_pending(&q->fill) < q->fill.size / 2 &&
		    !xskb_umem__frame_stats(q->umem, &st) && st.held)
			return n->sleep_ms < 1 ? n->sleep_ms : 1;
	}
	return n->sleep_ms;
}

static int napi_loop(struct xskb_napi *n)
{
	unsigned int idle = 0;
	__u64 idle_since = 0;

	while (!__atomic_load_n(&n->stop, __ATOMIC_ACQUIRE)) {
		int work = 0;

		for (unsigned int i = 0; i < n->nr; i++) {
			int r = xskb_queue__poll(n->queues[i], n->budget);

			if (r > 0)
				work += r;
			else if (xskb_unlikely(r == -ENODEV))
				return r;
		}
		XSKB_STAT_ADD(n->stats.rounds, 1);
		if (work) {
			XSKB_STAT_ADD(n->stats.busy_rounds, 1);
			XSKB_STAT_ADD(n->stats.packets, (__u64)work);
			idle = 0;
			continue;
		}
		/* Idle: look at the clock only every 64 empty rounds. */
		if (n->idle_usec == XSKB_NAPI_NEVER_SLEEP || (++idle & 63)) {
			xskb_cpu_relax();
			continue;
		}
		if (idle == 64) {
			idle_since = mono_usec();
			continue;
		}
		if (mono_usec() - idle_since < n->idle_usec)
			continue;
		/* Nothing for a while: sleep until a socket is readable, the
		 * way NAPI re-enables the interrupt and stops polling. The
		 * fill rings were topped up by the last polls. */
		XSKB_STAT_ADD(n->stats.sleeps, 1);
		/* Completions drained and the TX rings kicked before sleeping. */
		for (unsigned int i = 0; i < n->nr; i++)
			if (xskb_queue_tx_busy(n->queues[i]))
				xskb_queue_tx_flush(n->queues[i]);
		if (poll(n->pfds, n->nr + 1, napi_sleep_ms(n)) > 0 && n->pfds[n->nr].revents) {
			__u64 v;

			if (read(n->wake_fd, &v, sizeof(v)) < 0)
				v = 0;	/* already read: nothing to clear */
		}
		/* A socket whose interface went away never becomes readable. */
		for (unsigned int i = 0; i < n->nr; i++)
			if (xskb_queue_gone(n->queues[i]))
				return -ENODEV;
		idle = 0;
	}
	return 0;
}

int xskb_napi__run(struct xskb_napi *n)
{
	bool free_it;
	int err;

	if (!n)
		return -EINVAL;
	if (__atomic_exchange_n(&n->running, 1, __ATOMIC_ACQ_REL)) {
		pr_warn("this NAPI loop is already running\n");
		return -EALREADY;
	}
	n->runner = pthread_self();
	__atomic_store_n(&n->err, 0, __ATOMIC_RELAXED);
	err = xskb_skb_init_once();
	if (!err)
		err = napi_claim(n);
	napi_report(n, err);
	if (!err) {
		err = napi_loop(n);
		for (unsigned int i = 0; i < n->nr; i++)
			xskb_umem_release_owner(n->queues[i]->umem);
	}
	__atomic_store_n(&n->err, err == -EBUSY ? 0 : err, __ATOMIC_RELAXED);
	/* A stop is for one run: the next xskb_napi__run() runs again. */
	__atomic_store_n(&n->stop, 0, __ATOMIC_RELEASE);
	pthread_mutex_lock(&n->lock);
	free_it = n->free_on_exit;
	__atomic_store_n(&n->running, 0, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&n->ready);
	pthread_mutex_unlock(&n->lock);
	if (free_it) {
		close(n->wake_fd);
		pthread_mutex_destroy(&n->lock);
		pthread_cond_destroy(&n->ready);
		free(n);
	}
	return err;
}

static void *napi_thread(void *arg)
{
	xskb_napi__run(arg);
	return NULL;
}

int xskb_napi__start(struct xskb_napi *n)
{
	pthread_attr_t attr;
	int err;

	if (!n)
		return -EINVAL;
	if (n->started || __atomic_load_n(&n->running, __ATOMIC_ACQUIRE))
		return -EALREADY;
	pthread_attr_init(&attr);
	if (n->cpu) {
		long ncpu = sysconf(_SC_NPROCESSORS_CONF);
		cpu_set_t set;

		if (n->cpu - 1 >= ncpu || n->cpu - 1 >= CPU_SETSIZE) {
			pr_warn("CPU %d does not exist (this machine has %ld)\n", n->cpu - 1, ncpu);
			pthread_attr_destroy(&attr);
			return -EINVAL;
		}
		CPU_ZERO(&set);
		CPU_SET(n->cpu - 1, &set);
		pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	}
	__atomic_store_n(&n->stop, 0, __ATOMIC_RELEASE);
	n->run_ready = false;
	err = pthread_create(&n->thread, &attr, napi_thread, n);
	pthread_attr_destroy(&attr);
	if (err) {
		pr_warn("cannot start the NAPI thread: %s\n", strerror(err));
		return -err;
	}
	pthread_setname_np(n->thread, "xskb-napi");
	/* Return only once the thread owns its UMEMs, or failed to. */
	pthread_mutex_lock(&n->lock);
	while (!n->run_ready)
		pthread_cond_wait(&n->ready, &n->lock);
	err = n->run_err;
	pthread_mutex_unlock(&n->lock);
	if (err) {
		pthread_join(n->thread, NULL);
		return err;
	}
	n->started = true;
	return 0;
}

void xskb_napi__stop(struct xskb_napi *n, bool wait)
{
	if (!n)
		return;
	__u64 one = 1;

	__atomic_store_n(&n->stop, 1, __ATOMIC_RELEASE);
	/* Wake a sleeping loop (write(2) is async-signal-safe). */
	if (write(n->wake_fd, &one, sizeof(one)) < 0)
		one = 0;	/* the counter is saturated: it is awake anyway */
	if (wait && n->started) {
		pthread_join(n->thread, NULL);
		n->started = false;
	}
}

int xskb_napi__error(const struct xskb_napi *n)
{
	return n ? __atomic_load_n(&n->err, __ATOMIC_RELAXED) : -EINVAL;
}

int xskb_napi__stats(const struct xskb_napi *n, struct xskb_napi_stats *st)
{
	if (!n || !st)
		return -EINVAL;
	xskb_stats_read((__u64 *)st, (const __u64 *)&n->stats, sizeof(*st) / sizeof(__u64));
	return 0;
}

void xskb_napi__destroy(struct xskb_napi *n)
{
	if (!n)
		return;
	pthread_mutex_lock(&n->lock);
	if (n->running && pthread_equal(n->runner, pthread_self())) {
		/* From a handler: the loop frees itself when it returns. */
		n->free_on_exit = true;
		if (n->started)
			pthread_detach(n->thread);
		__atomic_store_n(&n->stop, 1, __ATOMIC_RELEASE);
		pthread_mutex_unlock(&n->lock);
		return;
	}
	pthread_mutex_unlock(&n->lock);
	xskb_napi__stop(n, true);
	/* A loop some other thread runs through xskb_napi__run(): wait for it. */
	pthread_mutex_lock(&n->lock);
	while (n->running) {
		__atomic_store_n(&n->stop, 1, __ATOMIC_RELEASE);
		pthread_cond_wait(&n->ready, &n->lock);
	}
	pthread_mutex_unlock(&n->lock);
	close(n->wake_fd);
	pthread_mutex_destroy(&n->lock);
	pthread_cond_destroy(&n->ready);
	free(n);
}
