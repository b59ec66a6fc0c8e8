/* The default store backend: one SQLite file per control plane.
 *
 * Layout (kine-like, but with the latest value per key indexed directly):
 *   log(rev PK, key, created, deleted, create_rev, prev_rev, value)
 *       one row per committed change; rev is the global revision. A delete
 *       writes a tombstone row (deleted = 1) that carries the deleted value;
 *       prev_rev points at the row it supersedes (0 for a create).
 *   current(key PK, rev)   the live row of each existing key, kept in the
 *       same transaction, so GET/LIST/COUNT at the latest revision never scan
 *       history.
 *   meta(name PK, value)   "compact_rev": history at or below it is gone.
 * Lists at an older revision and watch replays read the log; compaction
 * deletes superseded rows and tombstones in small transactions.
 *
 * The current revision is not stored separately: it is MAX(log.rev), or the
 * compacted revision if compaction removed the newest rows (only tombstones
 * can be the newest row and still be removed). Rows above the compacted
 * revision are never deleted, so that maximum never goes backwards.
 *
 * Durability: WAL with synchronous=NORMAL. A commit is appended to the WAL
 * without fsync; the WAL is fsync'd at checkpoints. A committed write survives
 * the process being killed (-9), which is what we promise; a power cut may
 * lose the last few commits but never corrupts the file. Skipping one fsync
 * per write spares SD cards and is ~4x faster (reference §3.5).
 *
 * The file is opened with locking_mode=EXCLUSIVE: the revision is cached in
 * memory, so a second writer on the same file must be refused, not raced.
 *
 * Volatile keys (store_options.volatile_prefixes: Leases, Events) live in an
 * attached in-memory database "vol" with the same log/current tables, so
 * they keep every semantic of the others (one revision sequence, CAS,
 * lists at a revision, watch replay, batches and their rollback) without
 * touching the file. A key is in exactly one of the two; a prefix that
 * spans both is answered by a UNION ALL of the two (merged in key or
 * revision order). vol.dirty names the keys changed since the last flush;
 * store_flush copies their latest values into the file's "volatile" table
 * (and drops deleted ones), which is loaded back into vol at open. Resident
 * keys (resident_prefixes: Nodes) live in vol too, but each write also
 * rewrites their row of "volatile" in its own transaction: durable like any
 * other write, about one page instead of a log row and two index entries.
 * Revisions used by volatile writes are reserved durably in blocks
 * (meta "rev_floor"), so a crash that loses them never makes the revision
 * go back; the current revision at open is the largest of MAX(log.rev),
 * the compacted revision, rev_floor and the volatile snapshot's revisions.
 * When to flush is store_flush_tick's policy (store.h): created and deleted
 * volatile keys soon after a burst of them ends, mere new values (Lease
 * renewals) hourly, so that an idle cluster writes almost nothing. */
#include "storage/store.h"

#include <assert.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/watch_hub.h"

#define SCHEMA_VERSION 2
#define STR_(x) #x
#define STR(x) STR_(x)
#define BUSY_TIMEOUT_MS 5000
/* Revisions compacted per transaction: keeps each write lock short. */
#define COMPACT_BATCH 1000
/* A watch replay reads history in batches bounded by count and bytes, so no
 * statement is open while callbacks run and memory stays bounded. */
#define REPLAY_BATCH 256
#define REPLAY_BATCH_BYTES (4u << 20)
/* Revisions reserved durably per write of meta "rev_floor" by volatile writes:
 * at idle (3 Leases renewed every 10 s) one page about every 9 hours; a crash
 * makes the next revision jump ahead by at most this much. */
#define REV_RESERVE 10000
#define VOL_HISTORY_DEFAULT 1000
/* store_history_tick marks the revision every VOL_MARK_MS: history of volatile
 * keys older than STORE_VOL_HISTORY_MS is dropped at each mark. */
#define VOL_MARK_MS (30 * 1000)
#define VOL_MARKS (STORE_VOL_HISTORY_MS / VOL_MARK_MS)

enum stmt_id {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_SAVEPOINT,
	ST_RELEASE,
	ST_ROLLBACK_TO,
	ST_GET,
	ST_CUR_INSERT,
	ST_CUR_UPDATE,
	ST_CUR_DELETE,
	ST_LOG_INSERT,
	ST_LOG_TOMBSTONE,
	ST_LIST_LATEST_GE,
	ST_LIST_LATEST_GT,
	ST_LIST_AT_GE,
	ST_LIST_AT_GT,
	ST_COUNT,
	ST_REPLAY,
	ST_COMPACT_SUPERSEDED,
	ST_COMPACT_TOMBSTONES,
	ST_META_SET,
	ST_DIRTY_MARK,
	ST_FLUSH_UPSERT,
	ST_FLUSH_REMOVE,
	ST_DIRTY_CLEAR,
	ST_VOL_NTH_REV,
	ST_VOL_COUNT_AFTER,
	ST_SNAP_UPSERT,
	ST_SNAP_REMOVE,
	ST__COUNT
};

/* Which tables a statement reads: the file's, the in-memory volatile ones,
 * or both (prefixes that span durable and volatile keys). Transaction and
 * meta statements exist only as DB_MAIN; flush and trim ones only as DB_VOL. */
enum stmt_db { DB_MAIN, DB_VOL, DB_MIX, DB__COUNT };

/* clang-format off */
/* Column layout shared by GET and the LIST queries: key, value, create_rev, rev.
 * Range parameters: ?1 lower bound, ?2 upper bound (exclusive), ?3 limit,
 * ?4 revision. */
#define SQL_GET(d)                                                                                 \
	"SELECT c.key, l.value, l.create_rev, l.rev FROM " d ".current c "                         \
	"JOIN " d ".log l ON l.rev = c.rev WHERE c.key = ?1"
#define SQL_LATEST_ARM(d, op)                                                                      \
	"SELECT c.key, l.value, l.create_rev, l.rev FROM " d ".current c JOIN " d ".log l "        \
	"ON l.rev = c.rev WHERE c.key " op " ?1 AND c.key < ?2"
#define SQL_LIST_LATEST(d, op) SQL_LATEST_ARM(d, op) " ORDER BY c.key LIMIT ?3"
#define SQL_LIST_LATEST_MIX(op)                                                                    \
	SQL_LATEST_ARM("main", op) " UNION ALL " SQL_LATEST_ARM("vol", op) " ORDER BY 1 LIMIT ?3"
/* The row visible at ?4 is the newest row of its key at or below ?4, unless
 * that row is a tombstone. */
#define SQL_AT_ARM(d, op)                                                                          \
	"SELECT l.key, l.value, l.create_rev, l.rev FROM " d ".log l INDEXED BY log_key_rev "      \
	"WHERE l.key " op " ?1 AND l.key < ?2 AND l.rev <= ?4 AND l.deleted = 0 "                  \
	"AND NOT EXISTS (SELECT 1 FROM " d ".log n WHERE n.key = l.key AND n.rev > l.rev "         \
	"AND n.rev <= ?4)"
#define SQL_LIST_AT(d, op) SQL_AT_ARM(d, op) " ORDER BY l.key LIMIT ?3"
#define SQL_LIST_AT_MIX(op)                                                                        \
	SQL_AT_ARM("main", op) " UNION ALL " SQL_AT_ARM("vol", op) " ORDER BY 1 LIMIT ?3"
#define SQL_COUNT_ARM(d) "(SELECT COUNT(*) FROM " d ".current WHERE key >= ?1 AND key < ?2)"
/* NOT INDEXED: walk the log by revision, never by key. */
#define SQL_REPLAY_ARM(d)                                                                          \
	"SELECT l.rev, l.key, l.created, l.deleted, l.value, p.value "                             \
	"FROM " d ".log l NOT INDEXED LEFT JOIN " d ".log p ON p.rev = l.prev_rev "                \
	"WHERE l.rev > ?1 AND l.key >= ?2 AND l.key < ?3"
/* Rows replaced by a change in (?1, ?2], then tombstones in (?1, ?2]. */
#define SQL_COMPACT_SUPERSEDED(d)                                                                  \
	"DELETE FROM " d ".log WHERE rev IN (SELECT prev_rev FROM " d ".log "                      \
	"WHERE rev > ?1 AND rev <= ?2 AND prev_rev != 0)"
#define SQL_COMPACT_TOMBSTONES(d)                                                                  \
	"DELETE FROM " d ".log WHERE rev > ?1 AND rev <= ?2 AND deleted = 1"

/* The data statements of one database d (main or vol). The tombstone
 * copies the deleted value inside SQLite. */
#define SQL_DATA(d)                                                                                \
	[ST_GET] = SQL_GET(d),                                                                     \
	[ST_CUR_INSERT] = "INSERT OR IGNORE INTO " d ".current(key, rev) VALUES(?1, ?2)",          \
	[ST_CUR_UPDATE] = "UPDATE " d ".current SET rev = ?2 WHERE key = ?1",                      \
	[ST_CUR_DELETE] = "DELETE FROM " d ".current WHERE key = ?1",                              \
	[ST_LOG_INSERT] = "INSERT INTO " d ".log(rev, key, created, deleted, create_rev, "         \
			  "prev_rev, value) VALUES(?1, ?2, ?3, 0, ?4, ?5, ?6)",                    \
	[ST_LOG_TOMBSTONE] = "INSERT INTO " d ".log(rev, key, created, deleted, create_rev, "      \
			     "prev_rev, value) SELECT ?1, key, 0, 1, create_rev, rev, value "      \
			     "FROM " d ".log WHERE rev = ?2",                                      \
	[ST_LIST_LATEST_GE] = SQL_LIST_LATEST(d, ">="),                                            \
	[ST_LIST_LATEST_GT] = SQL_LIST_LATEST(d, ">"),                                             \
	[ST_LIST_AT_GE] = SQL_LIST_AT(d, ">="),                                                    \
	[ST_LIST_AT_GT] = SQL_LIST_AT(d, ">"),                                                     \
	[ST_COUNT] = "SELECT " SQL_COUNT_ARM(d),                                                   \
	[ST_REPLAY] = SQL_REPLAY_ARM(d) " ORDER BY l.rev LIMIT ?4",                                \
	[ST_COMPACT_SUPERSEDED] = SQL_COMPACT_SUPERSEDED(d),                                       \
	[ST_COMPACT_TOMBSTONES] = SQL_COMPACT_TOMBSTONES(d)

static const char *const stmt_sql[DB__COUNT][ST__COUNT] = {
    [DB_MAIN] =
	{
	    [ST_BEGIN] = "BEGIN IMMEDIATE",
	    [ST_COMMIT] = "COMMIT",
	    [ST_ROLLBACK] = "ROLLBACK",
	    [ST_SAVEPOINT] = "SAVEPOINT w",
	    [ST_RELEASE] = "RELEASE w",
	    [ST_ROLLBACK_TO] = "ROLLBACK TO w",
	    [ST_META_SET] = "INSERT INTO meta(name, value) VALUES(?1, ?2) "
			    "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
	    SQL_DATA("main"),
	},
    [DB_VOL] =
	{
	    SQL_DATA("vol"),
	    [ST_DIRTY_MARK] = "INSERT OR IGNORE INTO vol.dirty(key) VALUES(?1)",
	    /* WHERE 1: an upsert from a SELECT needs a WHERE to parse. */
	    [ST_FLUSH_UPSERT] =
		"INSERT INTO main.volatile(key, create_rev, mod_rev, value) "
		"SELECT c.key, l.create_rev, l.rev, l.value FROM vol.dirty d "
		"JOIN vol.current c ON c.key = d.key JOIN vol.log l ON l.rev = c.rev "
		"WHERE 1 ON CONFLICT(key) DO UPDATE SET create_rev = excluded.create_rev, "
		"mod_rev = excluded.mod_rev, value = excluded.value",
	    [ST_FLUSH_REMOVE] =
		"DELETE FROM main.volatile WHERE key IN (SELECT d.key FROM vol.dirty d "
		"WHERE NOT EXISTS (SELECT 1 FROM vol.current c WHERE c.key = d.key))",
	    [ST_DIRTY_CLEAR] = "DELETE FROM vol.dirty",
	    [ST_VOL_NTH_REV] =
		"SELECT rev FROM vol.log WHERE rev > ?1 ORDER BY rev LIMIT 1 OFFSET ?2",
	    [ST_VOL_COUNT_AFTER] = "SELECT COUNT(*) FROM vol.log WHERE rev > ?1",
	    /* Write-through of one resident key. */
	    [ST_SNAP_UPSERT] = "INSERT INTO main.volatile(key, create_rev, mod_rev, value) "
			       "SELECT c.key, l.create_rev, l.rev, l.value FROM vol.current c "
			       "JOIN vol.log l ON l.rev = c.rev WHERE c.key = ?1 "
			       "ON CONFLICT(key) DO UPDATE SET create_rev = excluded.create_rev, "
			       "mod_rev = excluded.mod_rev, value = excluded.value",
	    [ST_SNAP_REMOVE] = "DELETE FROM main.volatile WHERE key = ?1",
	},
    [DB_MIX] =
	{
	    [ST_LIST_LATEST_GE] = SQL_LIST_LATEST_MIX(">="),
	    [ST_LIST_LATEST_GT] = SQL_LIST_LATEST_MIX(">"),
	    [ST_LIST_AT_GE] = SQL_LIST_AT_MIX(">="),
	    [ST_LIST_AT_GT] = SQL_LIST_AT_MIX(">"),
	    [ST_COUNT] = "SELECT " SQL_COUNT_ARM("main") " + " SQL_COUNT_ARM("vol"),
	    [ST_REPLAY] =
		SQL_REPLAY_ARM("main") " UNION ALL " SQL_REPLAY_ARM("vol") " ORDER BY 1 LIMIT ?4",
	},
};

#define SQL_TABLES(d)                                                                              \
	"CREATE TABLE IF NOT EXISTS " d "log("                                                     \
	" rev INTEGER PRIMARY KEY, key TEXT NOT NULL,"                                             \
	" created INTEGER NOT NULL, deleted INTEGER NOT NULL,"                                     \
	" create_rev INTEGER NOT NULL, prev_rev INTEGER NOT NULL,"                                 \
	" value BLOB NOT NULL);"                                                                   \
	"CREATE INDEX IF NOT EXISTS " d "log_key_rev ON log(key, rev);"                            \
	"CREATE TABLE IF NOT EXISTS " d "current(key TEXT PRIMARY KEY, rev INTEGER NOT NULL)"      \
	" WITHOUT ROWID;"

/* Version 2 added "volatile": the value of each volatile key as of the last
 * flush, and of each resident key as of its last write. */
static const char schema_sql[] =
    SQL_TABLES("main.")
    "CREATE TABLE IF NOT EXISTS meta(name TEXT PRIMARY KEY, value INTEGER NOT NULL)"
    " WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS volatile(key TEXT PRIMARY KEY, create_rev INTEGER NOT NULL,"
    " mod_rev INTEGER NOT NULL, value BLOB NOT NULL);";

static const char vol_schema_sql[] =
    "ATTACH DATABASE ':memory:' AS vol;"
    SQL_TABLES("vol.")
    "CREATE TABLE vol.dirty(key TEXT PRIMARY KEY) WITHOUT ROWID;";
/* clang-format on */

/* An event committed inside an open batch, dispatched when the batch commits. */
struct queued_event {
	enum store_event_type type;
	char *key, *value, *prev;
	size_t len, prev_len;
	int64_t rev;
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *stmt[DB__COUNT][ST__COUNT];
	int64_t rev;
	int64_t compact_rev;
	struct watch_hub hub;
	char err[512];
	/* Group commit: writes between store_batch_begin and store_batch_commit
	 * share one transaction (each write is a savepoint). */
	bool batch;
	int64_t batch_rev0, batch_floor0;
	struct queued_event *queue;
	size_t nqueue, capqueue;
	/* Volatile and resident keys (none when nvol is 0): the first
	 * nresident prefixes are resident, the others volatile. */
	char **vol_prefix; /* owned */
	size_t nvol, nresident;
	int64_t vol_history;	 /* changes of history kept in memory */
	int64_t vol_changes;	 /* vol.log rows above vol_compact_rev, about */
	int64_t vol_compact_rev; /* no volatile history at or below it */
	struct {
		bool started;
		uint64_t mark_ms;	/* when the last mark was taken */
		int64_t rev[VOL_MARKS]; /* the revision at each mark, a ring */
		size_t next;		/* the oldest mark, overwritten next */
	} age;
	int64_t rev_floor;	 /* revisions up to it are reserved durably */
	bool vol_dirty;		 /* vol.dirty may have rows */
	/* Volatile keys created or deleted (not resident ones): the flush
	 * policy of store_flush_tick writes those sooner than new values. */
	int64_t vol_shape;
	struct {
		bool started;
		int64_t shape_seen;  /* vol_shape at the last tick */
		uint64_t shape_ms;   /* when a tick last saw vol_shape move */
		uint64_t pending_ms; /* the first tick that saw it since the flush; 0: none */
		uint64_t flushed_ms; /* the last flush (attempt) */
	} tick;
	struct store_stats stats;
};

/* Keys under a prefix, optionally strictly after a key: lo (op >= or >) up to
 * hi exclusive. hi_len < 0 means "no upper bound": it is then bound as a
 * zero-length BLOB, which SQLite orders after every TEXT value. */
struct key_range {
	const char *lo;
	int lo_exclusive;
	char hi[STORE_KEY_MAX + 1];
	int hi_len;
};

static int store_fail(struct store *s, const char *what)
{
	snprintf(s->err, sizeof s->err, "%s: %s", what, sqlite3_errmsg(s->db));
	return -EIO;
}

/* A copy of a TEXT column (never NULL in our schema); NULL when out of memory. */
static char *col_strdup(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	return t ? strdup((const char *)t) : NULL;
}

static char *bytes_dup(const void *p, size_t n)
{
	char *d = malloc(n + 1);
	if (!d)
		return NULL;
	if (n)
		memcpy(d, p, n);
	d[n] = '\0';
	return d;
}

/* ---- arguments ---- */

static int key_check(const char *key)
{
	if (!key)
		return -EINVAL;
	size_t n = strnlen(key, STORE_KEY_MAX + 1);
	return n == 0 || n > STORE_KEY_MAX ? -EINVAL : 0;
}

static int prefix_check(const char *prefix)
{
	return prefix && strnlen(prefix, STORE_KEY_MAX + 1) > STORE_KEY_MAX ? -EINVAL : 0;
}

static int value_check(const char *value, size_t len)
{
	if (len > STORE_VALUE_MAX)
		return -E2BIG;
	return !value && len ? -EINVAL : 0;
}

/* Smallest string above every string that starts with prefix: drop trailing
 * 0xff bytes, then increment the last byte. */
static void key_range_set_upper(struct key_range *r, const char *prefix)
{
	size_t n = strlen(prefix);
	memcpy(r->hi, prefix, n);
	while (n > 0 && (unsigned char)r->hi[n - 1] == 0xff)
		n--;
	if (n == 0) {
		r->hi_len = -1;
		return;
	}
	r->hi[n - 1] = (char)((unsigned char)r->hi[n - 1] + 1);
	r->hi_len = (int)n;
}

static void key_range_init(struct key_range *r, const char *prefix, const char *start_after)
{
	key_range_set_upper(r, prefix);
	if (start_after && strcmp(start_after, prefix) >= 0) {
		r->lo = start_after;
		r->lo_exclusive = 1;
	} else {
		r->lo = prefix;
		r->lo_exclusive = 0;
	}
}

/* Binds the range to ?lo and ?hi. */
static void key_range_bind(const struct key_range *r, sqlite3_stmt *st, int lo, int hi)
{
	sqlite3_bind_text(st, lo, r->lo, -1, SQLITE_STATIC);
	if (r->hi_len < 0)
		sqlite3_bind_zeroblob(st, hi, 0);
	else
		sqlite3_bind_text(st, hi, r->hi, r->hi_len, SQLITE_STATIC);
}

/* ---- volatile keys ---- */

/* The index of the volatile or resident prefix key is under, -1 if none. */
static int key_prefix(const struct store *s, const char *key)
{
	for (size_t i = 0; i < s->nvol; i++)
		if (strncmp(key, s->vol_prefix[i], strlen(s->vol_prefix[i])) == 0)
			return (int)i;
	return -1;
}

/* Held in the in-memory tables (volatile or resident). */
static bool key_volatile(const struct store *s, const char *key)
{
	return key_prefix(s, key) >= 0;
}

static bool key_resident(const struct store *s, const char *key)
{
	int i = key_prefix(s, key);
	return i >= 0 && (size_t)i < s->nresident;
}

/* The tables holding key. */
static enum stmt_db key_db(const struct store *s, const char *key)
{
	return key_volatile(s, key) ? DB_VOL : DB_MAIN;
}

/* The tables holding the keys under prefix: those of a volatile prefix it
 * is inside of, both when a volatile prefix is inside it, else the file's. */
static enum stmt_db prefix_db(const struct store *s, const char *prefix)
{
	if (key_volatile(s, prefix))
		return DB_VOL;
	size_t n = strlen(prefix);
	for (size_t i = 0; i < s->nvol; i++)
		if (strncmp(s->vol_prefix[i], prefix, n) == 0)
			return DB_MIX;
	return DB_MAIN;
}

/* Oldest revision a list or watch of keys in db may start from. */
static int64_t db_floor(const struct store *s, enum stmt_db db)
{
	if (db == DB_MAIN || s->vol_compact_rev < s->compact_rev)
		return s->compact_rev;
	return s->vol_compact_rev;
}

/* SQL is_volatile(key), for the snapshot reconciliation at open. */
static void sql_is_volatile(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	const struct store *s = sqlite3_user_data(ctx);
	const unsigned char *key = sqlite3_value_text(argv[0]);
	sqlite3_result_int(ctx, key && key_volatile(s, (const char *)key));
}

/* ---- statements and transactions ---- */

static sqlite3_stmt *stmt(struct store *s, enum stmt_db db, enum stmt_id id)
{
	assert(s->stmt[db][id]);
	return s->stmt[db][id];
}

/* Steps a statement that returns no rows, then resets it. */
static int stmt_run_in(struct store *s, enum stmt_db db, enum stmt_id id, const char *what)
{
	sqlite3_stmt *st = stmt(s, db, id);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_fail(s, what);
	return 0;
}

static int stmt_run(struct store *s, enum stmt_id id, const char *what)
{
	return stmt_run_in(s, DB_MAIN, id, what);
}

static int tx_begin(struct store *s)
{
	return stmt_run(s, s->batch ? ST_SAVEPOINT : ST_BEGIN, "begin");
}

static int tx_commit(struct store *s)
{
	return stmt_run(s, s->batch ? ST_RELEASE : ST_COMMIT, "commit");
}

/* Keeps the first error's message: rollback runs on an error path. */
static void tx_rollback(struct store *s)
{
	if (sqlite3_get_autocommit(s->db))
		return;
	if (s->batch) { /* undo this write only; the batch goes on */
		sqlite3_step(stmt(s, DB_MAIN, ST_ROLLBACK_TO));
		sqlite3_reset(stmt(s, DB_MAIN, ST_ROLLBACK_TO));
		sqlite3_step(stmt(s, DB_MAIN, ST_RELEASE));
		sqlite3_reset(stmt(s, DB_MAIN, ST_RELEASE));
		return;
	}
	sqlite3_step(stmt(s, DB_MAIN, ST_ROLLBACK));
	sqlite3_reset(stmt(s, DB_MAIN, ST_ROLLBACK));
}

static int tx_finish(struct store *s, int rc)
{
	if (rc == 0)
		rc = tx_commit(s);
	if (rc < 0)
		tx_rollback(s);
	return rc;
}

/* ---- open / close ---- */

static int db_exec(struct store *s, const char *sql, const char *what)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_fail(s, what);
	return 0;
}

static int db_query_int(struct store *s, const char *sql, int64_t *out)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "prepare");
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, sql);
	return 0;
}

static int db_set_pragmas(struct store *s)
{
	sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
	int rc = db_exec(s, "PRAGMA locking_mode=EXCLUSIVE", "locking mode");
	if (rc == 0)
		rc = db_exec(s, "PRAGMA journal_mode=WAL", "journal mode");
	if (rc == 0)
		rc = db_exec(s, "PRAGMA synchronous=NORMAL", "synchronous");
	/* Truncate the WAL after a checkpoint if it grew past 16 MiB. */
	if (rc == 0)
		rc = db_exec(s, "PRAGMA journal_size_limit=16777216", "journal size limit");
	return rc;
}

static int db_check_wal(struct store *s)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode", -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "journal mode");
	int ok = sqlite3_step(st) == SQLITE_ROW &&
		 strcmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
	sqlite3_finalize(st);
	if (!ok) {
		snprintf(s->err, sizeof s->err, "cannot put the database in WAL mode");
		return -EIO;
	}
	return 0;
}

static int db_init_schema(struct store *s)
{
	int64_t version = 0;
	int rc = db_query_int(s, "PRAGMA user_version", &version);
	if (rc < 0)
		return rc;
	if (version > SCHEMA_VERSION) {
		snprintf(s->err, sizeof s->err,
			 "store schema version %lld is newer than this binary's (%d)",
			 (long long)version, SCHEMA_VERSION);
		return -EIO;
	}
	if (version == SCHEMA_VERSION)
		return 0;
	/* Statements are not prepared yet: plain exec for the transaction. */
	rc = db_exec(s, "BEGIN IMMEDIATE", "begin");
	if (rc == 0)
		rc = db_exec(s, schema_sql, "create schema");
	if (rc == 0)
		rc = db_exec(s, "PRAGMA user_version=" STR(SCHEMA_VERSION), "schema version");
	if (rc == 0)
		rc = db_exec(s, "COMMIT", "commit");
	if (rc < 0 && !sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static int db_prepare_all(struct store *s)
{
	for (int db = 0; db < DB__COUNT; db++) {
		if (db != DB_MAIN && !s->nvol)
			break;
		for (int i = 0; i < ST__COUNT; i++) {
			if (stmt_sql[db][i] &&
			    sqlite3_prepare_v3(s->db, stmt_sql[db][i], -1,
					       SQLITE_PREPARE_PERSISTENT, &s->stmt[db][i],
					       NULL) != SQLITE_OK)
				return store_fail(s, "prepare");
		}
	}
	return 0;
}

static int db_load_revisions(struct store *s)
{
	int64_t floor = 0, snap = 0;
	int rc = db_query_int(s, "SELECT COALESCE(MAX(rev), 0) FROM log", &s->rev);
	if (rc == 0)
		rc = db_query_int(s, "SELECT value FROM meta WHERE name = 'compact_rev'",
				  &s->compact_rev);
	if (rc == 0)
		rc = db_query_int(s, "SELECT value FROM meta WHERE name = 'rev_floor'", &floor);
	if (rc == 0)
		rc = db_query_int(s, "SELECT COALESCE(MAX(mod_rev), 0) FROM volatile", &snap);
	int64_t max[] = {s->compact_rev, floor, snap};
	for (size_t i = 0; i < sizeof max / sizeof max[0]; i++)
		if (max[i] > s->rev)
			s->rev = max[i];
	s->rev_floor = floor;
	return rc;
}

/* Runs sql with ?1, ?2 bound to the range of prefix. */
static int db_exec_range(struct store *s, const char *sql, const char *prefix)
{
	struct key_range r;
	key_range_init(&r, prefix, NULL);
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "prepare");
	key_range_bind(&r, st, 1, 2);
	int step = sqlite3_step(st);
	sqlite3_finalize(st);
	return step == SQLITE_DONE ? 0 : store_fail(s, sql);
}

static int meta_set(struct store *s, const char *name, int64_t value)
{
	sqlite3_stmt *st = stmt(s, DB_MAIN, ST_META_SET);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, value);
	return stmt_run(s, ST_META_SET, name);
}

/* Snapshot rows whose key is no longer volatile become durable keys again
 * (a prefix was dropped); durable keys under a volatile prefix move to the
 * snapshot (a prefix was added: their history goes). Both are no-ops on an
 * ordinary open and write nothing then. */
static int vol_reconcile_tx(struct store *s)
{
	static const char *const out[] = {
	    "INSERT OR IGNORE INTO main.current(key, rev) SELECT key, mod_rev FROM main.volatile "
	    "WHERE NOT is_volatile(key)",
	    "INSERT OR IGNORE INTO main.log(rev, key, created, deleted, create_rev, prev_rev, "
	    "value) "
	    "SELECT v.mod_rev, v.key, v.mod_rev = v.create_rev, 0, v.create_rev, 0, v.value "
	    "FROM main.volatile v JOIN main.current c ON c.key = v.key AND c.rev = v.mod_rev "
	    "WHERE NOT is_volatile(v.key)",
	    "DELETE FROM main.volatile WHERE NOT is_volatile(key)",
	};
	static const char *const in[] = {
	    "INSERT OR REPLACE INTO main.volatile(key, create_rev, mod_rev, value) "
	    "SELECT c.key, l.create_rev, l.rev, l.value FROM main.current c JOIN main.log l "
	    "ON l.rev = c.rev WHERE c.key >= ?1 AND c.key < ?2",
	    "DELETE FROM main.current WHERE key >= ?1 AND key < ?2",
	    "DELETE FROM main.log WHERE key >= ?1 AND key < ?2",
	};
	int64_t changes = sqlite3_total_changes64(s->db);
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < sizeof out / sizeof out[0]; i++)
		rc = db_exec(s, out[i], "volatile keys");
	for (size_t p = 0; p < s->nvol; p++)
		for (size_t i = 0; rc == 0 && i < sizeof in / sizeof in[0]; i++)
			rc = db_exec_range(s, in[i], s->vol_prefix[p]);
	/* Moved rows may have held the newest revisions: keep them reserved. */
	if (rc == 0 && sqlite3_total_changes64(s->db) != changes && s->rev_floor < s->rev) {
		rc = meta_set(s, "rev_floor", s->rev);
		if (rc == 0)
			s->rev_floor = s->rev;
	}
	if (rc == 0 && s->nvol)
		rc = db_exec(
		    s,
		    "INSERT INTO vol.log(rev, key, created, deleted, create_rev, prev_rev, value) "
		    "SELECT mod_rev, key, mod_rev = create_rev, 0, create_rev, 0, value "
		    "FROM main.volatile;"
		    "INSERT INTO vol.current(key, rev) SELECT key, mod_rev FROM main.volatile;",
		    "load volatile keys");
	return rc;
}

static int vol_open(struct store *s)
{
	int rc =
	    sqlite3_create_function(s->db, "is_volatile", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, s,
				    sql_is_volatile, NULL, NULL) == SQLITE_OK
		? 0
		: store_fail(s, "function");
	if (rc == 0 && s->nvol)
		rc = db_exec(s, vol_schema_sql, "volatile tables");
	return rc;
}

static int store_open_db(struct store *s, const char *path)
{
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK)
		return s->db ? store_fail(s, "open") : -ENOMEM;
	sqlite3_extended_result_codes(s->db, 1);
	int rc = db_set_pragmas(s);
	if (rc == 0)
		rc = db_check_wal(s);
	if (rc == 0)
		rc = db_init_schema(s);
	if (rc == 0)
		rc = vol_open(s);
	if (rc == 0)
		rc = db_prepare_all(s);
	if (rc == 0)
		rc = db_load_revisions(s);
	if (rc == 0)
		rc = tx_begin(s);
	if (rc == 0)
		rc = tx_finish(s, vol_reconcile_tx(s));
	/* The history of volatile keys before this open is gone. */
	s->vol_compact_rev = s->rev;
	return rc;
}

static size_t prefixes_count(const char *const *p)
{
	size_t n = 0;
	while (p && p[n])
		n++;
	return n;
}

static int store_set_options(struct store *s, const struct store_options *o)
{
	s->vol_history = o && o->volatile_history > 0 ? o->volatile_history : VOL_HISTORY_DEFAULT;
	s->nresident = o ? prefixes_count(o->resident_prefixes) : 0;
	size_t n = s->nresident + (o ? prefixes_count(o->volatile_prefixes) : 0);
	if (!n)
		return 0;
	if (!(s->vol_prefix = calloc(n, sizeof *s->vol_prefix)))
		return -ENOMEM;
	for (; s->nvol < n; s->nvol++) {
		const char *p = s->nvol < s->nresident
				    ? o->resident_prefixes[s->nvol]
				    : o->volatile_prefixes[s->nvol - s->nresident];
		if (!*p || strlen(p) > STORE_KEY_MAX) {
			snprintf(s->err, sizeof s->err, "a volatile prefix must be 1 to %d bytes",
				 STORE_KEY_MAX);
			return -EINVAL;
		}
		if (!(s->vol_prefix[s->nvol] = strdup(p)))
			return -ENOMEM;
	}
	return 0;
}

int store_open_sqlite_opts(const char *path, const struct store_options *opts, struct store **out,
			   char **err)
{
	*out = NULL;
	if (err)
		*err = NULL;
	struct store *s = calloc(1, sizeof *s);
	if (!s)
		return -ENOMEM;
	int rc = path ? store_set_options(s, opts) : -EINVAL;
	if (rc == 0)
		rc = store_open_db(s, path);
	if (rc < 0) {
		if (err) {
			char msg[640];
			snprintf(msg, sizeof msg, "%s: %s", path ? path : "(null)",
				 s->err[0] ? s->err : strerror(-rc));
			*err = strdup(msg);
		}
		store_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

int store_open_sqlite(const char *path, struct store **out, char **err)
{
	return store_open_sqlite_opts(path, NULL, out, err);
}

/* A clean close keeps the revision exact: no jump to the reserved block. */
static void vol_close(struct store *s)
{
	if (!s->nvol || !s->stmt[DB_VOL][ST_FLUSH_UPSERT])
		return;
	store_flush(s);
	if (s->rev_floor <= s->rev || tx_begin(s) < 0)
		return;
	if (tx_finish(s, meta_set(s, "rev_floor", s->rev)) == 0)
		s->rev_floor = s->rev;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	store_batch_commit(s);
	vol_close(s);
	free(s->queue);
	watch_hub_clear(&s->hub);
	for (int db = 0; db < DB__COUNT; db++)
		for (int i = 0; i < ST__COUNT; i++)
			sqlite3_finalize(s->stmt[db][i]);
	sqlite3_close_v2(s->db);
	for (size_t i = 0; i < s->nvol; i++)
		free(s->vol_prefix[i]);
	free(s->vol_prefix);
	free(s);
}

void store_get_stats(const struct store *s, struct store_stats *out)
{
	*out = s->stats;
}

int64_t store_revision(const struct store *s)
{
	return s->rev;
}

int64_t store_compacted_revision(const struct store *s)
{
	return s->compact_rev;
}

const char *store_last_error(const struct store *s)
{
	return s->err;
}

/* ---- reads ---- */

/* Fills kv from a row laid out as key, value, create_rev, rev. */
static int kv_from_row(sqlite3_stmt *st, struct store_kv *kv)
{
	const void *v = sqlite3_column_blob(st, 1);
	size_t len = (size_t)sqlite3_column_bytes(st, 1);
	kv->key = col_strdup(st, 0);
	kv->value = bytes_dup(v, len);
	kv->len = len;
	kv->create_rev = sqlite3_column_int64(st, 2);
	kv->mod_rev = sqlite3_column_int64(st, 3);
	if (!kv->key || !kv->value) {
		store_kv_clear(kv);
		return -ENOMEM;
	}
	return 0;
}

int store_get(struct store *s, const char *key, struct store_kv *out)
{
	memset(out, 0, sizeof *out);
	int rc = key_check(key);
	if (rc < 0)
		return rc;
	sqlite3_stmt *st = stmt(s, key_db(s, key), ST_GET);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		rc = kv_from_row(st, out);
	else if (step == SQLITE_DONE)
		rc = -ENOENT;
	else
		rc = store_fail(s, "get");
	sqlite3_reset(st);
	return rc;
}

static int list_push(struct store_list *l, size_t *cap, sqlite3_stmt *st)
{
	if (l->count == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct store_kv *items = reallocarray(l->items, ncap, sizeof *items);
		if (!items)
			return -ENOMEM;
		l->items = items;
		*cap = ncap;
	}
	int rc = kv_from_row(st, &l->items[l->count]);
	if (rc == 0)
		l->count++;
	return rc;
}

static int list_check_rev(const struct store *s, enum stmt_db db, int64_t rev)
{
	if (rev < 0 || rev > s->rev)
		return -EINVAL;
	if (rev != 0 && rev < db_floor(s, db))
		return -ERANGE;
	return 0;
}

static sqlite3_stmt *list_stmt(struct store *s, enum stmt_db db, int64_t rev,
			       const struct key_range *r)
{
	enum stmt_id id;
	if (rev == 0 || rev == s->rev)
		id = r->lo_exclusive ? ST_LIST_LATEST_GT : ST_LIST_LATEST_GE;
	else
		id = r->lo_exclusive ? ST_LIST_AT_GT : ST_LIST_AT_GE;
	return stmt(s, db, id);
}

static int list_rows(struct store *s, sqlite3_stmt *st, size_t limit, struct store_list *out)
{
	size_t cap = 0;
	int step, rc = 0;
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		if (limit && out->count == limit) {
			out->more = 1;
			return 0;
		}
		rc = list_push(out, &cap, st);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = store_fail(s, "list");
	return rc;
}

int store_list(struct store *s, const char *prefix, int64_t rev, const char *start_after,
	       size_t limit, struct store_list *out)
{
	memset(out, 0, sizeof *out);
	if (!prefix)
		prefix = "";
	int rc = prefix_check(prefix);
	if (rc == 0)
		rc = prefix_check(start_after);
	enum stmt_db db = prefix_db(s, prefix);
	if (rc == 0)
		rc = list_check_rev(s, db, rev);
	if (rc < 0)
		return rc;
	struct key_range r;
	key_range_init(&r, prefix, start_after);
	sqlite3_stmt *st = list_stmt(s, db, rev, &r);
	key_range_bind(&r, st, 1, 2);
	/* One extra row tells whether the limit cut the list short. */
	sqlite3_bind_int64(st, 3, limit && limit < INT64_MAX ? (sqlite3_int64)limit + 1 : -1);
	if (sqlite3_bind_parameter_count(st) >= 4)
		sqlite3_bind_int64(st, 4, rev);
	rc = list_rows(s, st, limit, out);
	sqlite3_reset(st);
	if (rc < 0) {
		store_list_clear(out);
		return rc;
	}
	out->rev = rev ? rev : s->rev;
	return 0;
}

int store_count(struct store *s, const char *prefix, int64_t *out)
{
	*out = 0;
	if (!prefix)
		prefix = "";
	int rc = prefix_check(prefix);
	if (rc < 0)
		return rc;
	struct key_range r;
	key_range_init(&r, prefix, NULL);
	sqlite3_stmt *st = stmt(s, prefix_db(s, prefix), ST_COUNT);
	key_range_bind(&r, st, 1, 2);
	if (sqlite3_step(st) == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else
		rc = store_fail(s, "count");
	sqlite3_reset(st);
	return rc;
}

/* ---- writes ---- */

/* The live row of a key, read inside a write transaction. */
struct cur_row {
	int64_t rev;
	int64_t create_rev;
	char *value; /* copied only when asked for; caller frees */
	size_t len;
};

static int cur_row_read(struct store *s, enum stmt_db db, const char *key, int want_value,
			struct cur_row *out)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *st = stmt(s, db, ST_GET);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	int rc = 0, step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		out->create_rev = sqlite3_column_int64(st, 2);
		out->rev = sqlite3_column_int64(st, 3);
		const void *v = sqlite3_column_blob(st, 1);
		out->len = (size_t)sqlite3_column_bytes(st, 1);
		if (want_value && !(out->value = bytes_dup(v, out->len)))
			rc = -ENOMEM;
	} else {
		rc = step == SQLITE_DONE ? -ENOENT : store_fail(s, "read");
	}
	sqlite3_reset(st);
	return rc;
}

static int log_insert(struct store *s, enum stmt_db db, int64_t rev, const char *key, int created,
		      int64_t create_rev, int64_t prev_rev, const char *value, size_t len)
{
	sqlite3_stmt *st = stmt(s, db, ST_LOG_INSERT);
	sqlite3_bind_int64(st, 1, rev);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, created);
	sqlite3_bind_int64(st, 4, create_rev);
	sqlite3_bind_int64(st, 5, prev_rev);
	/* A zero-length blob, not NULL, when value is NULL or empty. */
	sqlite3_bind_blob64(st, 6, value ? value : "", len, SQLITE_STATIC);
	return stmt_run_in(s, db, ST_LOG_INSERT, "insert");
}

static int current_write(struct store *s, enum stmt_db db, enum stmt_id id, const char *key,
			 int64_t rev)
{
	sqlite3_stmt *st = stmt(s, db, id);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (id != ST_CUR_DELETE)
		sqlite3_bind_int64(st, 2, rev);
	return stmt_run_in(s, db, id, "index");
}

/* Inside the write of a volatile key: remembers it for the next flush (a
 * resident key: rewrites its row in the file now) and, when rev is past the
 * reserved block, reserves the next one durably in the same transaction
 * (*floor gets the new reservation). */
static int vol_write_tx(struct store *s, const char *key, bool resident, int64_t rev,
			int64_t *floor)
{
	enum stmt_id id = resident ? ST_SNAP_UPSERT : ST_DIRTY_MARK;
	sqlite3_stmt *st = stmt(s, DB_VOL, id);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	int rc = stmt_run_in(s, DB_VOL, id, "mark");
	if (rc == 0 && resident && sqlite3_changes(s->db) == 0) { /* deleted */
		st = stmt(s, DB_VOL, ST_SNAP_REMOVE);
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
		rc = stmt_run_in(s, DB_VOL, ST_SNAP_REMOVE, "remove");
	}
	if (rc == 0 && rev > s->rev_floor) {
		*floor = rev + REV_RESERVE;
		rc = meta_set(s, "rev_floor", *floor);
	}
	return rc;
}

/* Ends the transaction of one write (rc from its body) and counts it; shape:
 * the write created or deleted the key. */
static int write_finish(struct store *s, enum stmt_db db, const char *key, int64_t rev, bool shape,
			int rc)
{
	int64_t floor = 0;
	bool resident = db == DB_VOL && key_resident(s, key);
	if (rc == 0 && db == DB_VOL)
		rc = vol_write_tx(s, key, resident, rev, &floor);
	rc = tx_finish(s, rc);
	if (rc < 0)
		return rc;
	if (db == DB_MAIN || resident)
		s->stats.durable_writes++;
	else
		s->stats.volatile_writes++;
	if (db == DB_MAIN)
		return 0;
	s->vol_changes++;
	s->vol_dirty |= !resident;
	if (shape && !resident)
		s->vol_shape++;
	if (floor)
		s->rev_floor = floor;
	return 0;
}

/* Argument errors also leave a message, for callers that report
 * store_last_error() on any failure they do not map themselves. */
static int write_check(struct store *s, const char *key, const char *value, size_t len)
{
	int rc = 0;
	if (s->hub.depth > 0)
		rc = -EDEADLK;
	else if (s->rev == INT64_MAX)
		rc = -EOVERFLOW;
	else if ((rc = key_check(key)) == 0)
		rc = value_check(value, len);
	if (rc == -EINVAL)
		snprintf(s->err, sizeof s->err, "key must be 1 to %d bytes", STORE_KEY_MAX);
	else if (rc == -E2BIG)
		snprintf(s->err, sizeof s->err, "value of %zu bytes exceeds the limit of %u bytes",
			 len, STORE_VALUE_MAX);
	else if (rc < 0)
		snprintf(s->err, sizeof s->err, "%s", strerror(-rc));
	return rc;
}

static void queue_event(struct store *s, enum store_event_type type, const char *key,
			const char *value, size_t len, const char *prev, size_t prev_len)
{
	if (s->nqueue == s->capqueue) {
		size_t cap = s->capqueue ? s->capqueue * 2 : 64;
		struct queued_event *q = realloc(s->queue, cap * sizeof *q);
		if (!q)
			abort(); /* allocation failure is not input */
		s->queue = q;
		s->capqueue = cap;
	}
	s->queue[s->nqueue++] = (struct queued_event){
	    .type = type,
	    .key = strdup(key),
	    .value = bytes_dup(value ? value : "", len),
	    .prev = prev ? bytes_dup(prev, prev_len) : NULL,
	    .len = len,
	    .prev_len = prev_len,
	    .rev = s->rev,
	};
}

static void queue_clear(struct store *s)
{
	for (size_t i = 0; i < s->nqueue; i++) {
		free(s->queue[i].key);
		free(s->queue[i].value);
		free(s->queue[i].prev);
	}
	s->nqueue = 0;
}

static void store_emit(struct store *s, enum store_event_type type, const char *key,
		       const char *value, size_t len, const char *prev, size_t prev_len)
{
	if (s->batch) {
		queue_event(s, type, key, value, len, prev, prev_len);
		return;
	}
	struct store_event ev = {
	    .type = type,
	    .key = key,
	    .value = value ? value : "",
	    .len = len,
	    .prev_value = prev,
	    .prev_len = prev_len,
	    .rev = s->rev,
	};
	watch_hub_dispatch(&s->hub, &ev);
}

int store_batch_begin(struct store *s)
{
	if (s->batch)
		return 0;
	int rc = stmt_run(s, ST_BEGIN, "begin batch");
	if (rc < 0)
		return rc;
	s->batch = true;
	s->batch_rev0 = s->rev;
	s->batch_floor0 = s->rev_floor;
	return 0;
}

int store_batch_commit(struct store *s)
{
	if (!s->batch)
		return 0;
	s->batch = false;
	int rc = stmt_run(s, ST_COMMIT, "commit batch");
	if (rc < 0) {
		tx_rollback(s);
		s->rev = s->batch_rev0;
		s->rev_floor = s->batch_floor0;
		queue_clear(s);
		return rc;
	}
	for (size_t i = 0; i < s->nqueue; i++) {
		struct queued_event *q = &s->queue[i];
		struct store_event ev = {.type = q->type,
					 .key = q->key,
					 .value = q->value,
					 .len = q->len,
					 .prev_value = q->prev,
					 .prev_len = q->prev_len,
					 .rev = q->rev};
		watch_hub_dispatch(&s->hub, &ev);
	}
	queue_clear(s);
	return 0;
}

static int create_tx(struct store *s, enum stmt_db db, const char *key, const char *value,
		     size_t len, int64_t rev)
{
	int rc = current_write(s, db, ST_CUR_INSERT, key, rev);
	if (rc == 0 && sqlite3_changes(s->db) == 0)
		rc = -EEXIST;
	if (rc == 0)
		rc = log_insert(s, db, rev, key, 1, rev, 0, value, len);
	return rc;
}

int store_create(struct store *s, const char *key, const char *value, size_t len, int64_t *rev_out)
{
	int rc = write_check(s, key, value, len);
	if (rc < 0)
		return rc;
	int64_t rev = s->rev + 1;
	rc = tx_begin(s);
	if (rc < 0)
		return rc;
	enum stmt_db db = key_db(s, key);
	rc = write_finish(s, db, key, rev, true, create_tx(s, db, key, value, len, rev));
	if (rc < 0)
		return rc;
	s->rev = rev;
	if (rev_out)
		*rev_out = rev;
	store_emit(s, STORE_EVENT_CREATE, key, value, len, NULL, 0);
	return 0;
}

static int update_tx(struct store *s, enum stmt_db db, const char *key, const char *value,
		     size_t len, int64_t expect_rev, int64_t rev, struct cur_row *cur)
{
	int rc = cur_row_read(s, db, key, watch_hub_wants(&s->hub, key), cur);
	if (rc == 0 && expect_rev && expect_rev != cur->rev)
		rc = -ECANCELED;
	if (rc == 0)
		rc = log_insert(s, db, rev, key, 0, cur->create_rev, cur->rev, value, len);
	if (rc == 0)
		rc = current_write(s, db, ST_CUR_UPDATE, key, rev);
	return rc;
}

int store_update(struct store *s, const char *key, const char *value, size_t len,
		 int64_t expect_rev, int64_t *rev_out)
{
	int rc = write_check(s, key, value, len);
	if (rc < 0)
		return rc;
	if (expect_rev < 0)
		return -EINVAL;
	int64_t rev = s->rev + 1;
	struct cur_row cur;
	rc = tx_begin(s);
	if (rc < 0)
		return rc;
	enum stmt_db db = key_db(s, key);
	rc = write_finish(s, db, key, rev, false,
			  update_tx(s, db, key, value, len, expect_rev, rev, &cur));
	if (rc == 0) {
		s->rev = rev;
		if (rev_out)
			*rev_out = rev;
		/* cur.value is NULL when no watcher wanted it. */
		store_emit(s, STORE_EVENT_UPDATE, key, value, len, cur.value ? cur.value : "",
			   cur.value ? cur.len : 0);
	}
	free(cur.value);
	return rc;
}

static int delete_tx(struct store *s, enum stmt_db db, const char *key, int64_t expect_rev,
		     int64_t rev, int want_value, struct cur_row *cur)
{
	int rc = cur_row_read(s, db, key, want_value, cur);
	if (rc == 0 && expect_rev && expect_rev != cur->rev)
		rc = -ECANCELED;
	if (rc == 0) {
		sqlite3_stmt *st = stmt(s, db, ST_LOG_TOMBSTONE);
		sqlite3_bind_int64(st, 1, rev);
		sqlite3_bind_int64(st, 2, cur->rev);
		rc = stmt_run_in(s, db, ST_LOG_TOMBSTONE, "tombstone");
	}
	if (rc == 0)
		rc = current_write(s, db, ST_CUR_DELETE, key, 0);
	return rc;
}

static int kv_fill(struct store_kv *kv, const char *key, struct cur_row *cur)
{
	kv->key = strdup(key);
	if (!kv->key)
		return -ENOMEM;
	kv->value = cur->value; /* ownership moves */
	kv->len = cur->len;
	kv->create_rev = cur->create_rev;
	kv->mod_rev = cur->rev;
	cur->value = NULL;
	return 0;
}

int store_delete(struct store *s, const char *key, int64_t expect_rev, int64_t *rev_out,
		 struct store_kv *prev)
{
	if (prev)
		memset(prev, 0, sizeof *prev);
	int rc = write_check(s, key, NULL, 0);
	if (rc < 0)
		return rc;
	if (expect_rev < 0)
		return -EINVAL;
	int64_t rev = s->rev + 1;
	struct cur_row cur;
	rc = tx_begin(s);
	if (rc < 0)
		return rc;
	int want = prev || watch_hub_wants(&s->hub, key);
	enum stmt_db db = key_db(s, key);
	rc =
	    write_finish(s, db, key, rev, true, delete_tx(s, db, key, expect_rev, rev, want, &cur));
	if (rc < 0) {
		free(cur.value);
		return rc;
	}
	s->rev = rev;
	if (rev_out)
		*rev_out = rev;
	store_emit(s, STORE_EVENT_DELETE, key, cur.value, cur.value ? cur.len : 0, NULL, 0);
	/* Filled after the watchers ran; ENOMEM here loses only the copy. */
	if (prev && kv_fill(prev, key, &cur) < 0)
		rc = -ENOMEM;
	free(cur.value);
	return rc;
}

/* ---- watch ---- */

struct replay_item {
	struct store_event ev;
	char *key, *value, *prev; /* owned copies behind ev */
};

struct replay_batch {
	struct replay_item items[REPLAY_BATCH];
	size_t count;
	int64_t last_rev;
	int complete; /* the history has no more matching rows */
};

static void replay_batch_clear(struct replay_batch *b)
{
	for (size_t i = 0; i < b->count; i++) {
		free(b->items[i].key);
		free(b->items[i].value);
		free(b->items[i].prev);
	}
	b->count = 0;
}

static enum store_event_type replay_type(sqlite3_stmt *st)
{
	if (sqlite3_column_int(st, 2))
		return STORE_EVENT_CREATE;
	return sqlite3_column_int(st, 3) ? STORE_EVENT_DELETE : STORE_EVENT_UPDATE;
}

/* Copies one replay row (rev, key, created, deleted, value, prev value). */
static int replay_item_read(sqlite3_stmt *st, struct replay_item *it)
{
	memset(it, 0, sizeof *it);
	it->ev.type = replay_type(st);
	it->ev.rev = sqlite3_column_int64(st, 0);
	it->key = col_strdup(st, 1);
	const void *v = sqlite3_column_blob(st, 4);
	it->ev.len = (size_t)sqlite3_column_bytes(st, 4);
	it->value = bytes_dup(v, it->ev.len);
	if (it->ev.type == STORE_EVENT_UPDATE) {
		const void *p = sqlite3_column_blob(st, 5);
		it->ev.prev_len = (size_t)sqlite3_column_bytes(st, 5);
		it->prev = bytes_dup(p, it->ev.prev_len);
	}
	it->ev.key = it->key;
	it->ev.value = it->value;
	it->ev.prev_value = it->prev;
	if (!it->key || !it->value || (it->ev.type == STORE_EVENT_UPDATE && !it->prev))
		return -ENOMEM;
	return 0;
}

static int replay_batch_load(struct store *s, enum stmt_db db, const struct key_range *r,
			     int64_t after, struct replay_batch *b)
{
	sqlite3_stmt *st = stmt(s, db, ST_REPLAY);
	sqlite3_bind_int64(st, 1, after);
	key_range_bind(r, st, 2, 3);
	sqlite3_bind_int64(st, 4, REPLAY_BATCH);
	size_t bytes = 0;
	int rc = 0, step = SQLITE_DONE;
	b->complete = 0;
	while (b->count < REPLAY_BATCH && bytes < REPLAY_BATCH_BYTES &&
	       (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct replay_item *it = &b->items[b->count++];
		rc = replay_item_read(st, it);
		if (rc < 0)
			break;
		bytes += it->ev.len + it->ev.prev_len;
		b->last_rev = it->ev.rev;
	}
	if (rc == 0 && step != SQLITE_ROW && step != SQLITE_DONE)
		rc = store_fail(s, "watch replay");
	b->complete = step == SQLITE_DONE;
	sqlite3_reset(st);
	return rc;
}

/* Delivers history after from_rev to w, one bounded batch at a time. */
static int watch_replay(struct store *s, enum stmt_db db, struct store_watch *w, int64_t from_rev)
{
	struct replay_batch *b = calloc(1, sizeof *b);
	if (!b)
		return -ENOMEM;
	struct key_range r;
	key_range_init(&r, w->prefix, NULL);
	int rc = 0;
	int64_t after = from_rev;
	while (rc == 0 && !w->dead && after < s->rev) {
		rc = replay_batch_load(s, db, &r, after, b);
		for (size_t i = 0; rc == 0 && i < b->count; i++)
			watch_hub_deliver(&s->hub, w, &b->items[i].ev);
		replay_batch_clear(b);
		if (b->complete)
			break;
		after = b->last_rev;
	}
	free(b);
	return rc;
}

int store_watch_start(struct store *s, const char *prefix, int64_t from_rev, store_watch_cb cb,
		      void *ud, struct store_watch **out)
{
	*out = NULL;
	if (!prefix)
		prefix = "";
	int rc = prefix_check(prefix);
	if (rc < 0 || !cb || from_rev < 0)
		return rc < 0 ? rc : -EINVAL;
	enum stmt_db db = prefix_db(s, prefix);
	if (from_rev < db_floor(s, db))
		return -ERANGE;
	struct store_watch *w = watch_hub_add(&s->hub, prefix, from_rev, cb, ud);
	if (!w)
		return -ENOMEM;
	*out = w;
	watch_hub_enter(&s->hub);
	rc = watch_replay(s, db, w, from_rev);
	/* Live events start after everything the replay covered. */
	if (w->delivered_rev < s->rev)
		w->delivered_rev = s->rev;
	if (rc < 0 || w->dead) {
		w->dead = 1;
		*out = NULL;
	}
	watch_hub_leave(&s->hub);
	return rc;
}

/* ---- compaction ---- */

/* Drops, in db, the rows superseded by a change in (lo, hi] and the
 * tombstones in (lo, hi]. */
static int compact_range_tx(struct store *s, enum stmt_db db, int64_t lo, int64_t hi)
{
	enum stmt_id ids[] = {ST_COMPACT_SUPERSEDED, ST_COMPACT_TOMBSTONES};
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < sizeof ids / sizeof ids[0]; i++) {
		sqlite3_bind_int64(stmt(s, db, ids[i]), 1, lo);
		sqlite3_bind_int64(stmt(s, db, ids[i]), 2, hi);
		rc = stmt_run_in(s, db, ids[i], "compact");
	}
	return rc;
}

static int compact_batch_tx(struct store *s, int64_t lo, int64_t hi)
{
	int rc = compact_range_tx(s, DB_MAIN, lo, hi);
	if (rc == 0 && s->nvol)
		rc = compact_range_tx(s, DB_VOL, lo, hi);
	if (rc == 0)
		rc = meta_set(s, "compact_rev", hi);
	return rc;
}

int store_compact(struct store *s, int64_t rev)
{
	if (s->hub.depth > 0)
		return -EDEADLK;
	if (rev < 0 || rev > s->rev)
		return -EINVAL;
	int brc = store_batch_commit(s); /* compaction runs in transactions of its own */
	if (brc < 0)
		return brc;
	while (s->compact_rev < rev) {
		int64_t hi =
		    rev - s->compact_rev > COMPACT_BATCH ? s->compact_rev + COMPACT_BATCH : rev;
		int rc = tx_begin(s);
		if (rc < 0)
			return rc;
		rc = tx_finish(s, compact_batch_tx(s, s->compact_rev, hi));
		if (rc < 0)
			return rc;
		s->compact_rev = hi;
	}
	return 0;
}

static int vol_query_int(struct store *s, enum stmt_id id, int64_t a, int64_t b, int64_t *out)
{
	sqlite3_stmt *st = stmt(s, DB_VOL, id);
	sqlite3_bind_int64(st, 1, a);
	if (sqlite3_bind_parameter_count(st) >= 2)
		sqlite3_bind_int64(st, 2, b);
	int step = sqlite3_step(st), rc = 0;
	if (step == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else
		rc = step == SQLITE_DONE ? -ENOENT : store_fail(s, "volatile history");
	sqlite3_reset(st);
	return rc;
}

/* Drops the in-memory history of volatile keys from floor up to hi (memory
 * only, nothing is written); changes: how many remain above hi. */
static int vol_trim_to(struct store *s, int64_t floor, int64_t hi, int64_t changes)
{
	int rc;
	if ((rc = store_batch_commit(s)) < 0 || (rc = tx_begin(s)) < 0)
		return rc;
	if ((rc = tx_finish(s, compact_range_tx(s, DB_VOL, floor, hi))) < 0)
		return rc;
	s->vol_compact_rev = hi;
	s->vol_changes = changes;
	return 0;
}

/* Bounds the in-memory history of volatile keys: past 5/4 of the allowed
 * changes, drops the oldest down to 3/4. */
static int vol_trim(struct store *s)
{
	if (!s->nvol || s->vol_changes <= s->vol_history + s->vol_history / 4)
		return 0;
	int64_t floor = db_floor(s, DB_VOL), n = 0, hi = 0;
	int rc = vol_query_int(s, ST_VOL_COUNT_AFTER, floor, 0, &n);
	if (rc < 0 || n <= s->vol_history) {
		s->vol_changes = n;
		return rc;
	}
	int64_t drop = n - s->vol_history * 3 / 4;
	if ((rc = vol_query_int(s, ST_VOL_NTH_REV, floor, drop - 1, &hi)) < 0)
		return rc == -ENOENT ? 0 : rc;
	return vol_trim_to(s, floor, hi, n - drop);
}

int store_history_tick(struct store *s, uint64_t now_ms)
{
	if (!s->nvol)
		return 0;
	if (s->hub.depth > 0)
		return -EDEADLK;
	if (!s->age.started) {
		s->age.started = true;
		s->age.mark_ms = now_ms;
		return 0;
	}
	if (now_ms - s->age.mark_ms < VOL_MARK_MS)
		return 0;
	/* The oldest mark was taken STORE_VOL_HISTORY_MS ago (0: not yet). */
	int64_t hi = s->age.rev[s->age.next], floor = db_floor(s, DB_VOL), n = 0;
	s->age.rev[s->age.next] = s->rev;
	s->age.next = (s->age.next + 1) % VOL_MARKS;
	s->age.mark_ms = now_ms;
	if (hi <= floor)
		return 0;
	int rc = vol_query_int(s, ST_VOL_COUNT_AFTER, hi, 0, &n);
	return rc < 0 ? rc : vol_trim_to(s, floor, hi, n);
}

int store_compact_keep(struct store *s, int64_t keep)
{
	if (keep < 0)
		return -EINVAL;
	if (s->hub.depth > 0)
		return -EDEADLK;
	int rc = vol_trim(s);
	if (rc < 0 || s->rev - keep <= s->compact_rev + keep / 8)
		return rc;
	return store_compact(s, s->rev - keep);
}

int store_flush(struct store *s)
{
	if (!s->nvol || !s->vol_dirty)
		return 0;
	if (s->hub.depth > 0)
		return -EDEADLK;
	int rc = store_batch_commit(s);
	if (rc == 0)
		rc = tx_begin(s);
	if (rc < 0)
		return rc;
	int64_t keys = 0;
	rc = stmt_run_in(s, DB_VOL, ST_FLUSH_UPSERT, "flush");
	keys += sqlite3_changes(s->db);
	if (rc == 0)
		rc = stmt_run_in(s, DB_VOL, ST_FLUSH_REMOVE, "flush");
	keys += sqlite3_changes(s->db);
	if (rc == 0)
		rc = stmt_run_in(s, DB_VOL, ST_DIRTY_CLEAR, "flush");
	if ((rc = tx_finish(s, rc)) < 0)
		return rc;
	s->vol_dirty = false;
	if (keys) {
		s->stats.flushes++;
		s->stats.flushed_keys += keys;
	}
	return 0;
}

int store_flush_tick(struct store *s, uint64_t now_ms)
{
	if (!s->tick.started) {
		s->tick.started = true;
		s->tick.flushed_ms = now_ms;
		s->tick.shape_seen = s->vol_shape;
	}
	if (s->vol_shape != s->tick.shape_seen) {
		s->tick.shape_seen = s->vol_shape;
		s->tick.shape_ms = now_ms;
		if (!s->tick.pending_ms)
			s->tick.pending_ms = now_ms;
	}
	uint64_t since_flush = now_ms - s->tick.flushed_ms;
	bool due;
	if (s->tick.pending_ms)
		due = since_flush >= STORE_FLUSH_MIN_MS &&
		      (now_ms - s->tick.shape_ms >= STORE_FLUSH_QUIET_MS ||
		       now_ms - s->tick.pending_ms >= STORE_FLUSH_SHAPE_MS);
	else
		due = s->vol_dirty && since_flush >= STORE_FLUSH_VALUES_MS;
	if (!due)
		return 0;
	/* A failure is retried after STORE_FLUSH_MIN_MS, not on every tick. */
	s->tick.flushed_ms = now_ms;
	int rc = store_flush(s);
	if (rc < 0)
		return rc;
	s->tick.pending_ms = 0;
	return 1;
}
