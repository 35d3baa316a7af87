/* SPDX-License-Identifier: MIT */
/*
 * pagebench/epoch.h - epoch-based reclamation (pb_epoch), one process-wide
 * domain.
 *
 * Fraser's epoch-based reclamation ("Practical lock-freedom", 2004, as in
 * crossbeam-epoch and ck_epoch): a reader announces the global epoch E when
 * it enters a read-side section; an object unlinked from a shared structure
 * is retired with the epoch of its unlinking and its callback runs only once
 * the global epoch has advanced twice past it, which needs every thread that
 * was inside a section at retire time to have left it.  Readers never wait
 * and never write shared state except their own record.
 *
 * There is one domain per process (like liburcu's default flavour): any
 * module may use it; threads register implicitly on their first call (up to
 * PB_EPOCH_MAX_THREADS live threads; one more aborts the process in
 * pb_epoch_enter/retire, returns -1 from pb_epoch_self) and are
 * unregistered when they exit.
 *
 * Thread safety: every function may be called from any thread; each acts on
 * the calling thread's own record.  Ordering: pb_epoch_enter is a full
 * barrier (seq_cst RMW on the thread's record) before the section's loads;
 * pb_epoch_exit is a release of everything the section read; a retire
 * callback runs after (happens-after) the exit of every section that could
 * have seen the object.
 */
#ifndef PAGEBENCH_EPOCH_H
#define PAGEBENCH_EPOCH_H

#include <stdbool.h>
#include <stdint.h>

#define PB_EPOCH_MAX_THREADS 256

/* Embedded in (or beside) a retired object; owned by the domain from
 * pb_epoch_retire until its callback runs. */
struct pb_epoch_entry {
	struct pb_epoch_entry *next;
	uint64_t epoch;
	void (*fn)(struct pb_epoch_entry *e);
};

/*
 * Enter / leave a read-side section.  Sections nest (a counter): only the
 * outermost enter publishes the epoch (one seq_cst exchange, ~tens of ns),
 * inner ones cost a thread-local increment.  Hold a section around a batch
 * of operations, not around each, when speed matters.  A thread must not
 * block for long (sleep, wait on another thread) inside a section: it holds
 * back reclamation for everyone.
 */
void pb_epoch_enter(void);
void pb_epoch_exit(void);
/* True if the calling thread is inside a section (for assertions). */
bool pb_epoch_in_section(void);

/*
 * Retire an object already unlinked from every shared structure (no new
 * reader can reach it; readers in a section may still hold it).  fn(e) runs
 * later, on some thread calling pb_epoch_reclaim / pb_epoch_retire /
 * pb_epoch_barrier, after a grace period.  fn must not enter a section,
 * retire or reclaim.  Lock-free (one CAS push onto the domain's list); every
 * 64th retire of a thread also tries to reclaim.  May be called inside or
 * outside a section.
 */
void pb_epoch_retire(struct pb_epoch_entry *e, void (*fn)(struct pb_epoch_entry *e));

/*
 * Try to advance the global epoch and run the callbacks whose grace period
 * has passed.  Never waits.  Returns how many callbacks it ran.  Any thread,
 * inside or outside a section.
 */
unsigned pb_epoch_reclaim(void);

/*
 * Wait until every object retired (by any thread) before this call has had
 * its callback run.  Spins: the caller must NOT be inside a section, and
 * waits as long as some other thread stays inside one.
 */
void pb_epoch_barrier(void);

/*
 * The calling thread's slot, 0 .. PB_EPOCH_MAX_THREADS-1 (registering it if
 * needed).  Stable for the thread's life; reused by a later thread after it
 * exits (the handover is ordered: release on exit, acquire on claim), so
 * per-thread caches indexed by it pass to the next owner safely.  Returns -1
 * if all slots are taken.
 */
int pb_epoch_self(void);

/* Counters for tests and reports (relaxed snapshots). */
struct pb_epoch_stats {
	uint64_t epoch;	    /* current global epoch */
	uint64_t retired;   /* entries ever retired */
	uint64_t reclaimed; /* callbacks ever run */
	unsigned threads;   /* registered threads */
};
void pb_epoch_stats(struct pb_epoch_stats *st);

#endif /* PAGEBENCH_EPOCH_H */
