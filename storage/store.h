/* The key/revision store behind one control plane.
 *
 * Keys are byte strings like "/registry/pods/default/web-1"; values are the
 * serialized objects. Every committed change gets the next value of a single
 * increasing revision (the API's resourceVersion). Watchers are called from the
 * commit path itself, synchronously, in revision order, exactly once per change.
 * The store knows keys, revisions and bytes, never kinds.
 *
 * All calls happen on the owning thread (the control plane's libuv loop); a
 * store is not shared between threads. Functions return 0 or a negative errno:
 *   -ENOENT     key absent (get, update, delete)
 *   -EEXIST     create of a present key
 *   -ECANCELED  update/delete whose expected revision is stale (409 Conflict)
 *   -ERANGE     revision older than the compacted history (410 Expired)
 *   -EIO        backend failure (message via store_last_error)
 *   -EINVAL     bad argument: empty or over-long key, over-long prefix, negative or
 *               future revision
 *   -E2BIG      value longer than STORE_VALUE_MAX
 *   -ENOMEM     out of memory
 *   -EDEADLK    write called from inside a watch callback
 */
#ifndef STORAGE_STORE_H
#define STORAGE_STORE_H

#include <stddef.h>
#include <stdint.h>

/* Bounds on what a store accepts (etcd's request limit is 1.5 MiB). */
#define STORE_KEY_MAX 2048
#define STORE_VALUE_MAX (8u << 20)

struct store;

struct store_kv {
	char *key;   /* owned */
	char *value; /* owned, NUL-terminated for convenience; len excludes NUL */
	size_t len;
	int64_t create_rev; /* revision that created this key (since its last deletion) */
	int64_t mod_rev;    /* revision of this value */
};

void store_kv_clear(struct store_kv *kv); /* frees key/value, zeroes */

struct store_list {
	struct store_kv *items; /* owned array */
	size_t count;
	int64_t rev; /* the revision the list was read at */
	int more;    /* 1 when limit cut the list short: continue after the last key */
};

void store_list_clear(struct store_list *l);

enum store_event_type { STORE_EVENT_CREATE, STORE_EVENT_UPDATE, STORE_EVENT_DELETE };

struct store_event {
	enum store_event_type type;
	const char *key;
	const char *value; /* new value; for DELETE the last value before deletion */
	size_t len;
	const char *prev_value; /* previous value for UPDATE (NULL otherwise) */
	size_t prev_len;
	int64_t rev; /* revision of this change */
};

/* Called for each event; ev and its strings are borrowed for the call only.
 * A watch callback must not call back into the store's write functions. */
typedef void (*store_watch_cb)(void *ud, const struct store_event *ev);

struct store_watch;

/* Volatile keys: high-churn data worth little after a crash (Lease renewals,
 * Events) that must not wear out an SD card. Keys under a volatile prefix
 * share the revision sequence, watch events and get/list/CAS semantics of
 * every other key, but live in memory: a write to one reaches the disk only
 * through store_flush (the latest value of each key changed since the last
 * flush, in one small transaction) and store_close. A kill -9 or power cut
 * loses the volatile changes made since the last flush; everything else
 * stays as durable as before. Revisions never go backwards across a crash:
 * the store reserves them in blocks, so after one the next revision may
 * jump ahead. History of volatile keys (for watches and lists at an older
 * revision) is kept in memory only, bounded by volatile_history changes and,
 * with store_history_tick, by age; it is lost on restart: such a watch or
 * list from before the bound, or from before the store was opened, gets
 * -ERANGE (410 Expired, relist), as from a compacted revision. */
struct store_options {
	const char *const *volatile_prefixes; /* NULL-terminated; NULL: none */
	/* Resident keys (Nodes: small, few, rewritten by status heartbeats) are
	 * held in memory like volatile ones, but every write also rewrites their
	 * one row in the file in the same transaction: exactly as durable as
	 * other keys, at about one page per write instead of a history row and
	 * two index entries. Their history is in memory only, as above. */
	const char *const *resident_prefixes; /* NULL-terminated; NULL: none */
	int64_t volatile_history;	      /* changes of both kept as history; 0: 1000 */
};

/* Opens (creating if needed) the SQLite store at path. *err gets a malloc'd
 * message on failure (caller frees). */
int store_open_sqlite(const char *path, struct store **out, char **err);
/* The same with options (NULL: the defaults, no volatile keys). The store
 * keeps its own copy of the prefixes. */
int store_open_sqlite_opts(const char *path, const struct store_options *opts, struct store **out,
			   char **err);
/* Closes the store and frees any watches still running (their handles become
 * invalid). Not to be called from a watch callback. */
void store_close(struct store *s);

/* Latest committed revision (0 for an empty store). */
int64_t store_revision(const struct store *s);
/* Oldest revision a watch or list may still start from. */
int64_t store_compacted_revision(const struct store *s);

int store_get(struct store *s, const char *key, struct store_kv *out);

/* Lists keys starting with prefix, in key order, as of revision rev (0 = latest),
 * starting strictly after start_after (NULL = from the beginning), at most limit
 * items (0 = no limit). -ERANGE if rev is compacted. */
int store_list(struct store *s, const char *prefix, int64_t rev, const char *start_after,
	       size_t limit, struct store_list *out);
/* Number of keys under prefix at the latest revision. */
int store_count(struct store *s, const char *prefix, int64_t *out);

/* Writes. The new revision is always store_revision()+1, so a caller can
 * embed it in the value before writing (resourceVersion). *rev_out may be NULL. */
int store_create(struct store *s, const char *key, const char *value, size_t len, int64_t *rev_out);
/* expect_rev 0 = unconditional. */
int store_update(struct store *s, const char *key, const char *value, size_t len,
		 int64_t expect_rev, int64_t *rev_out);
/* prev (may be NULL) receives the deleted key/value. */
int store_delete(struct store *s, const char *key, int64_t expect_rev, int64_t *rev_out,
		 struct store_kv *prev);

/* Watches keys under prefix (NULL or "" = all keys). Events with rev > from_rev
 * that are still in the history are delivered first (synchronously, inside
 * this call), then every new commit. -ERANGE if from_rev <
 * store_compacted_revision(). *out is set before the replay starts, so the
 * callback may stop the watch; if it did, *out is NULL on return. */
int store_watch_start(struct store *s, const char *prefix, int64_t from_rev, store_watch_cb cb,
		      void *ud, struct store_watch **out);
void store_watch_stop(struct store_watch *w);

/* Group commit. Between store_batch_begin and store_batch_commit every write
 * joins one transaction (a failed write undoes only itself), revisions are
 * assigned at once, and watch events are held until the commit succeeds. The
 * caller must not acknowledge a write before store_batch_commit returns 0; if
 * it fails, every write of the batch is gone (revisions roll back too).
 * Without an open batch each write commits on its own. */
int store_batch_begin(struct store *s);
int store_batch_commit(struct store *s);

/* Drops history older than rev (superseded values and tombstones), in small
 * transactions. A rev at or below the compacted revision is a no-op; a rev
 * above store_revision() is -EINVAL. */
int store_compact(struct store *s, int64_t rev);
/* Compacts so that at least keep and at most keep + keep/8 revisions of
 * history remain: an idle store compacts (writes) once per keep/8 revisions,
 * not on every call. Also trims the in-memory history of volatile keys.
 * Cheap when there is nothing to do. Called periodically by the server. */
int store_compact_keep(struct store *s, int64_t keep);

/* Writes the volatile keys changed since the last flush (upserts and
 * removals) to the file in one transaction; nothing at all when none
 * changed. Commits an open batch first. Called periodically by the server
 * and by store_close. */
int store_flush(struct store *s);

/* The flush policy, for a timer that calls it about every second with a
 * monotonic clock in ms (the first call starts the clocks). A flush is due
 *   - once volatile keys were created or deleted (Events, a new Lease): when
 *     none has been for STORE_FLUSH_QUIET_MS (a burst is written in one
 *     transaction after it ends), at the latest STORE_FLUSH_SHAPE_MS after
 *     the first, and never within STORE_FLUSH_MIN_MS of the last flush;
 *   - when keys only got new values (Lease renewals, Event counts):
 *     STORE_FLUSH_VALUES_MS after the last flush.
 * So a kill -9 loses created or deleted volatile keys of at most the last
 * 5 minutes (usually seconds), and their newer values of at most the last
 * hour: an idle cluster writes one page an hour for its Leases instead of
 * one every 5 minutes. Returns 1 when it flushed, 0 when nothing was due,
 * or store_flush's error (retried STORE_FLUSH_MIN_MS later). */
#define STORE_FLUSH_QUIET_MS (10 * 1000)
#define STORE_FLUSH_MIN_MS (30 * 1000)
#define STORE_FLUSH_SHAPE_MS (5 * 60 * 1000)
#define STORE_FLUSH_VALUES_MS (60 * 60 * 1000)
int store_flush_tick(struct store *s, uint64_t now_ms);

/* The age bound of the in-memory history of volatile keys, for a timer
 * that calls it about every second with a monotonic clock in ms (the first
 * call starts the clock): every 30 s it drops the history older than
 * STORE_VOL_HISTORY_MS. Without it only volatile_history bounds that
 * history, and an idle cluster's memory grows for an hour or more (3 Leases
 * renewed every 10 s fill 1,000 changes in 55 minutes, about 1 MB) before it
 * stops: a plateau that reads like a leak. 5 minutes is about as long as
 * Kubernetes keeps etcd's history (--etcd-compaction-interval): a client
 * resuming a watch of Leases, Events or Nodes from older than that gets
 * 410 and relists, as it would there. Returns 0, or the error of the
 * transaction that dropped it. */
#define STORE_VOL_HISTORY_MS (5 * 60 * 1000)
int store_history_tick(struct store *s, uint64_t now_ms);

/* What a store did since it was opened: where the bytes come from. */
struct store_stats {
	int64_t durable_writes;	 /* committed creates/updates/deletes written to the file
				  * (resident keys included) */
	int64_t volatile_writes; /* committed writes kept in memory */
	int64_t flushes;	 /* flushes that wrote something */
	int64_t flushed_keys;	 /* volatile keys written or removed by them */
};
void store_get_stats(const struct store *s, struct store_stats *out);

const char *store_last_error(const struct store *s);

#endif
