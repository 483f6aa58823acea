/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * atomic_t, refcount_t and spinlock_t as the sk_buff code uses them, built on
 * the compiler's __atomic builtins. Kernel names unless XSKB_NO_KERNEL_NAMES.
 */
#ifndef XSKB_ATOMIC_H
#define XSKB_ATOMIC_H

#include <sched.h>
#include <xskb/compiler.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__x86_64__) || defined(__i386__)
#define xskb_cpu_relax() __builtin_ia32_pause()
#elif defined(__aarch64__)
#define xskb_cpu_relax() __asm__ __volatile__("yield" ::: "memory")
#else
#define xskb_cpu_relax() __asm__ __volatile__("" ::: "memory")
#endif

typedef struct { int counter; } xskb_atomic_t;
typedef struct { xskb_atomic_t refs; } xskb_refcount_t;
typedef struct { unsigned int locked; } xskb_spinlock_t;

static inline int xskb_atomic_read(const xskb_atomic_t *v)
{
	return __atomic_load_n(&v->counter, __ATOMIC_RELAXED);
}
static inline void xskb_atomic_set(xskb_atomic_t *v, int i)
{
	__atomic_store_n(&v->counter, i, __ATOMIC_RELAXED);
}
static inline void xskb_atomic_inc(xskb_atomic_t *v)
{
	__atomic_fetch_add(&v->counter, 1, __ATOMIC_RELAXED);
}
/* Value-returning operations are fully ordered, as in the kernel. */
static inline int xskb_atomic_add_return(int i, xskb_atomic_t *v)
{
	return __atomic_add_fetch(&v->counter, i, __ATOMIC_SEQ_CST);
}
static inline int xskb_atomic_sub_return(int i, xskb_atomic_t *v)
{
	return __atomic_sub_fetch(&v->counter, i, __ATOMIC_SEQ_CST);
}
static inline int xskb_atomic_dec_and_test(xskb_atomic_t *v)
{
	return __atomic_sub_fetch(&v->counter, 1, __ATOMIC_SEQ_CST) == 0;
}

static inline unsigned int xskb_refcount_read(const xskb_refcount_t *r)
{
	return (unsigned int)__atomic_load_n(&r->refs.counter, __ATOMIC_RELAXED);
}
static inline void xskb_refcount_set(xskb_refcount_t *r, int n)
{
	__atomic_store_n(&r->refs.counter, n, __ATOMIC_RELAXED);
}
static inline void xskb_refcount_inc(xskb_refcount_t *r)
{
	__atomic_fetch_add(&r->refs.counter, 1, __ATOMIC_RELAXED);
}
/* Release on the decrement, acquire when it hits zero: the freeing thread
 * sees every write made before the other references were dropped. */
static inline int xskb_refcount_dec_and_test(xskb_refcount_t *r)
{
	if (__atomic_sub_fetch(&r->refs.counter, 1, __ATOMIC_RELEASE) == 0) {
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		return 1;
	}
	return 0;
}

/*
 * Spinlock for short critical sections (a few pointer updates, as in skb
 * queues). Test-and-test-and-set; yields after a while so a preempted holder
 * in userspace can run.
 */
static inline void xskb_spin_lock_init(xskb_spinlock_t *l)
{
	l->locked = 0;
}
static inline void xskb_spin_lock(xskb_spinlock_t *l)
{
	unsigned int spins = 0;

	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)) {
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED)) {
			if (++spins < 1024)
				xskb_cpu_relax();
			else
				sched_yield();
		}
	}
}
static inline void xskb_spin_unlock(xskb_spinlock_t *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

#ifndef XSKB_NO_KERNEL_NAMES
typedef xskb_atomic_t atomic_t;
typedef xskb_refcount_t refcount_t;
typedef xskb_spinlock_t spinlock_t;
#define atomic_read(v)			xskb_atomic_read(v)
#define atomic_set(v, i)		xskb_atomic_set(v, i)
#define atomic_inc(v)			xskb_atomic_inc(v)
#define atomic_add_return(i, v)		xskb_atomic_add_return(i, v)
#define atomic_sub_return(i, v)		xskb_atomic_sub_return(i, v)
#define atomic_dec_and_test(v)		xskb_atomic_dec_and_test(v)
#define refcount_read(r)		xskb_refcount_read(r)
#define refcount_set(r, n)		xskb_refcount_set(r, n)
#define refcount_inc(r)			xskb_refcount_inc(r)
#define refcount_dec_and_test(r)	xskb_refcount_dec_and_test(r)
#define spin_lock_init(l)		xskb_spin_lock_init(l)
#define spin_lock(l)			xskb_spin_lock(l)
#define spin_unlock(l)			xskb_spin_unlock(l)
#define spin_lock_irqsave(l, f)		do { (void)(f); xskb_spin_lock(l); } while (0)
#define spin_unlock_irqrestore(l, f)	do { (void)(f); xskb_spin_unlock(l); } while (0)
#define spin_lock_bh(l)			xskb_spin_lock(l)
#define spin_unlock_bh(l)		xskb_spin_unlock(l)
#endif

#ifdef __cplusplus
}
#endif
#endif /* XSKB_ATOMIC_H */
