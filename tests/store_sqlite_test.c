/* Unit tests for the SQLite store backend (storage/store.h, storage/sqlite.c):
 * CRUD and its errors, revisions, prefix lists with pagination and at older
 * revisions, watches (replay, live, stop inside callbacks), compaction,
 * persistence across reopen, survival of SIGKILL, bounded history under churn,
 * volatile keys (kept in memory, flushed rarely: same semantics, no disk
 * writes between flushes, what a reopen or a SIGKILL keeps of them).
 * Also prints a few timings (never asserted). Runs in a mkdtemp directory. */
#define _GNU_SOURCE
#include "storage/store.h"

#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/test.h"

static char test_dir[] = "/tmp/store_sqlite_test.XXXXXX";

static void db_path(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/%s", test_dir, name);
}

static struct store *store_open_named(const char *name)
{
	char path[256];
	db_path(path, sizeof path, name);
	struct store *s = NULL;
	char *err = NULL;
	int rc = store_open_sqlite(path, &s, &err);
	if (rc != 0)
		fprintf(stderr, "open %s: %d %s\n", path, rc, err ? err : "");
	free(err);
	return s;
}

static double now_sec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int put(struct store *s, const char *key, const char *value)
{
	return store_create(s, key, value, strlen(value), NULL);
}

/* ---- watch recorder ---- */

#define REC_MAX 64

struct rec_event {
	enum store_event_type type;
	int64_t rev;
	char key[64];
	char value[64];
	char prev[64];
	int has_prev;
};

struct rec {
	struct rec_event ev[REC_MAX];
	int n;
	struct store_watch *self; /* stopped after stop_after events when > 0 */
	int stop_after;
	struct store_watch **victim; /* stopped on this recorder's first event */
};

static void copy_bytes(char *dst, size_t n, const char *src, size_t len)
{
	if (len >= n)
		len = n - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

static void rec_cb(void *ud, const struct store_event *ev)
{
	struct rec *r = ud;
	if (r->n < REC_MAX) {
		struct rec_event *e = &r->ev[r->n];
		e->type = ev->type;
		e->rev = ev->rev;
		copy_bytes(e->key, sizeof e->key, ev->key, strlen(ev->key));
		copy_bytes(e->value, sizeof e->value, ev->value, ev->len);
		e->has_prev = ev->prev_value != NULL;
		if (ev->prev_value)
			copy_bytes(e->prev, sizeof e->prev, ev->prev_value, ev->prev_len);
	}
	r->n++;
	if (r->victim && *r->victim) {
		store_watch_stop(*r->victim);
		*r->victim = NULL;
	}
	if (r->stop_after > 0 && r->n == r->stop_after && r->self) {
		store_watch_stop(r->self);
		r->self = NULL;
	}
}

/* ---- cases ---- */

static void test_crud(void)
{
	struct store *s = store_open_named("crud.db");
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK_INT(store_revision(s), 0);
	int64_t rev = 0;
	CHECK_INT(store_create(s, "/a", "one", 3, &rev), 0);
	CHECK_INT(rev, 1);
	CHECK_INT(store_create(s, "/a", "two", 3, &rev), -EEXIST);
	CHECK_INT(store_revision(s), 1);

	struct store_kv kv;
	CHECK_INT(store_get(s, "/a", &kv), 0);
	CHECK_STR(kv.key, "/a");
	CHECK_STR(kv.value, "one");
	CHECK_INT(kv.len, 3);
	CHECK_INT(kv.create_rev, 1);
	CHECK_INT(kv.mod_rev, 1);
	store_kv_clear(&kv);
	CHECK_INT(store_get(s, "/missing", &kv), -ENOENT);

	CHECK_INT(store_update(s, "/a", "uno", 3, 5, &rev), -ECANCELED);
	CHECK_INT(store_update(s, "/a", "uno", 3, 1, &rev), 0);
	CHECK_INT(rev, 2);
	CHECK_INT(store_update(s, "/a", "eins", 4, 0, &rev), 0);
	CHECK_INT(rev, 3);
	CHECK_INT(store_update(s, "/missing", "x", 1, 0, NULL), -ENOENT);
	CHECK_INT(store_get(s, "/a", &kv), 0);
	CHECK_STR(kv.value, "eins");
	CHECK_INT(kv.create_rev, 1);
	CHECK_INT(kv.mod_rev, 3);
	store_kv_clear(&kv);

	struct store_kv prev;
	CHECK_INT(store_delete(s, "/a", 2, &rev, &prev), -ECANCELED);
	CHECK_INT(store_delete(s, "/a", 3, &rev, &prev), 0);
	CHECK_INT(rev, 4);
	CHECK_STR(prev.key, "/a");
	CHECK_STR(prev.value, "eins");
	CHECK_INT(prev.mod_rev, 3);
	CHECK_INT(prev.create_rev, 1);
	store_kv_clear(&prev);
	CHECK_INT(store_delete(s, "/a", 0, &rev, NULL), -ENOENT);
	CHECK_INT(store_get(s, "/a", &kv), -ENOENT);

	/* A re-created key starts a new generation. */
	CHECK_INT(store_create(s, "/a", "", 0, &rev), 0);
	CHECK_INT(rev, 5);
	CHECK_INT(store_get(s, "/a", &kv), 0);
	CHECK_INT(kv.create_rev, 5);
	CHECK_INT(kv.len, 0);
	CHECK_STR(kv.value, "");
	store_kv_clear(&kv);

	/* Values are bytes, not strings. */
	CHECK_INT(store_create(s, "/bin", "a\0b", 3, NULL), 0);
	CHECK_INT(store_get(s, "/bin", &kv), 0);
	CHECK_INT(kv.len, 3);
	CHECK(kv.value && memcmp(kv.value, "a\0b", 4) == 0);
	store_kv_clear(&kv);
	CHECK_INT(store_delete(s, "/bin", 0, NULL, NULL), 0);

	/* Failed writes consume no revision. */
	CHECK_INT(store_revision(s), 7);
	CHECK_INT(store_create(s, "", "x", 1, NULL), -EINVAL);
	CHECK_INT(store_create(s, NULL, "x", 1, NULL), -EINVAL);
	CHECK_INT(store_create(s, "/big", "x", STORE_VALUE_MAX + 1, NULL), -E2BIG);
	CHECK(strstr(store_last_error(s), "exceeds") != NULL);
	char *long_key = malloc(STORE_KEY_MAX + 2);
	memset(long_key, 'k', STORE_KEY_MAX + 1);
	long_key[STORE_KEY_MAX + 1] = '\0';
	CHECK_INT(store_create(s, long_key, "x", 1, NULL), -EINVAL);
	long_key[STORE_KEY_MAX] = '\0';
	CHECK_INT(store_create(s, long_key, "x", 1, NULL), 0);
	free(long_key);
	CHECK_INT(store_revision(s), 8);
	store_close(s);
}

static void list_fixture(struct store *s)
{
	const char *keys[] = {"/a/3", "/a/1", "/ab/1", "/a/2", "/b/1", "/a/5", "/a/4"};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		CHECK_INT(put(s, keys[i], keys[i]), 0);
}

static void test_list_prefix_and_pages(void)
{
	struct store *s = store_open_named("list.db");
	if (!s)
		return;
	list_fixture(s);
	struct store_list l;
	CHECK_INT(store_list(s, "/a/", 0, NULL, 0, &l), 0);
	CHECK_INT(l.count, 5);
	CHECK_INT(l.more, 0);
	CHECK_INT(l.rev, 7);
	for (size_t i = 0; i < l.count; i++) {
		char want[32];
		snprintf(want, sizeof want, "/a/%zu", i + 1);
		CHECK_STR(l.items[i].key, want);
		CHECK_STR(l.items[i].value, want);
	}
	store_list_clear(&l);

	/* Pages of 2: /a/1 /a/2 | /a/3 /a/4 | /a/5 */
	char after[32] = "";
	int pages = 0, seen = 0;
	for (;;) {
		CHECK_INT(store_list(s, "/a/", 0, after[0] ? after : NULL, 2, &l), 0);
		pages++;
		for (size_t i = 0; i < l.count; i++) {
			char want[32];
			snprintf(want, sizeof want, "/a/%d", ++seen);
			CHECK_STR(l.items[i].key, want);
		}
		int more = l.more;
		if (l.count)
			snprintf(after, sizeof after, "%s", l.items[l.count - 1].key);
		store_list_clear(&l);
		if (!more || pages > 5)
			break;
	}
	CHECK_INT(pages, 3);
	CHECK_INT(seen, 5);

	CHECK_INT(store_list(s, "/a/", 0, "/a/", 0, &l), 0); /* after the prefix itself */
	CHECK_INT(l.count, 5);
	store_list_clear(&l);
	CHECK_INT(store_list(s, "/a/", 0, "/0", 0, &l), 0); /* before the prefix */
	CHECK_INT(l.count, 5);
	store_list_clear(&l);
	CHECK_INT(store_list(s, "/a/", 0, "/a/5", 0, &l), 0);
	CHECK_INT(l.count, 0);
	CHECK_INT(l.more, 0);
	store_list_clear(&l);
	CHECK_INT(store_list(s, "", 0, NULL, 0, &l), 0);
	CHECK_INT(l.count, 7);
	CHECK_STR(l.items[5].key, "/ab/1");
	store_list_clear(&l);
	CHECK_INT(store_list(s, NULL, 0, "/ab/1", 0, &l), 0);
	CHECK_INT(l.count, 1);
	store_list_clear(&l);

	int64_t n = -1;
	CHECK_INT(store_count(s, "/a/", &n), 0);
	CHECK_INT(n, 5);
	CHECK_INT(store_count(s, "/a", &n), 0);
	CHECK_INT(n, 6);
	CHECK_INT(store_count(s, "", &n), 0);
	CHECK_INT(n, 7);
	CHECK_INT(store_count(s, "/zz", &n), 0);
	CHECK_INT(n, 0);
	store_close(s);
}

/* A prefix ending in 0xff bytes has no simple successor. */
static void test_list_high_bytes(void)
{
	struct store *s = store_open_named("bytes.db");
	if (!s)
		return;
	CHECK_INT(put(s, "\x7f", "a"), 0);
	CHECK_INT(put(s, "\xff", "b"), 0);
	CHECK_INT(put(s,
		      "\xff\xff"
		      "x",
		      "c"),
		  0);
	CHECK_INT(put(s, "\xfe\xff", "d"), 0);
	int64_t n = 0;
	CHECK_INT(store_count(s, "\xff", &n), 0);
	CHECK_INT(n, 2);
	CHECK_INT(store_count(s, "\xff\xff", &n), 0);
	CHECK_INT(n, 1);
	CHECK_INT(store_count(s, "\xfe", &n), 0);
	CHECK_INT(n, 1);
	struct store_list l;
	CHECK_INT(store_list(s, "", 0, NULL, 0, &l), 0);
	CHECK_INT(l.count, 4);
	if (l.count == 4)
		CHECK_STR(l.items[3].key, "\xff\xff"
					  "x");
	store_list_clear(&l);
	store_close(s);
}

static void test_list_at_revision(void)
{
	struct store *s = store_open_named("listrev.db");
	if (!s)
		return;
	CHECK_INT(put(s, "/k/1", "v1"), 0);			 /* 1 */
	CHECK_INT(put(s, "/k/2", "w1"), 0);			 /* 2 */
	CHECK_INT(store_update(s, "/k/1", "v2", 2, 0, NULL), 0); /* 3 */
	CHECK_INT(put(s, "/k/3", "x1"), 0);			 /* 4 */
	CHECK_INT(store_delete(s, "/k/2", 0, NULL, NULL), 0);	 /* 5 */
	CHECK_INT(store_update(s, "/k/1", "v3", 2, 0, NULL), 0); /* 6 */

	struct store_list l;
	CHECK_INT(store_list(s, "/k/", 2, NULL, 0, &l), 0);
	CHECK_INT(l.rev, 2);
	CHECK_INT(l.count, 2);
	if (l.count == 2) {
		CHECK_STR(l.items[0].value, "v1");
		CHECK_INT(l.items[0].mod_rev, 1);
		CHECK_STR(l.items[1].value, "w1");
	}
	store_list_clear(&l);

	CHECK_INT(store_list(s, "/k/", 4, NULL, 0, &l), 0);
	CHECK_INT(l.count, 3);
	if (l.count == 3) {
		CHECK_STR(l.items[0].value, "v2");
		CHECK_INT(l.items[0].create_rev, 1);
		CHECK_INT(l.items[0].mod_rev, 3);
		CHECK_STR(l.items[2].key, "/k/3");
	}
	store_list_clear(&l);

	/* At 5 /k/2 is deleted; paginate one at a time. */
	CHECK_INT(store_list(s, "/k/", 5, NULL, 1, &l), 0);
	CHECK_INT(l.count, 1);
	CHECK_INT(l.more, 1);
	CHECK_STR(l.items[0].value, "v2");
	store_list_clear(&l);
	CHECK_INT(store_list(s, "/k/", 5, "/k/1", 1, &l), 0);
	CHECK_INT(l.count, 1);
	CHECK_STR(l.items[0].key, "/k/3");
	CHECK_INT(l.more, 0);
	store_list_clear(&l);

	CHECK_INT(store_list(s, "/k/", 6, NULL, 0, &l), 0);
	CHECK_INT(l.count, 2);
	CHECK_STR(l.items[0].value, "v3");
	store_list_clear(&l);
	CHECK_INT(store_list(s, "/k/", 7, NULL, 0, &l), -EINVAL);
	CHECK_INT(store_list(s, "/k/", -1, NULL, 0, &l), -EINVAL);
	store_close(s);
}

static void test_watch_replay_and_live(void)
{
	struct store *s = store_open_named("watch.db");
	if (!s)
		return;
	CHECK_INT(put(s, "/p/a", "a1"), 0);			 /* 1 */
	CHECK_INT(put(s, "/q/x", "x1"), 0);			 /* 2 */
	CHECK_INT(store_update(s, "/p/a", "a2", 2, 0, NULL), 0); /* 3 */

	struct rec all = {0}, later = {0}, other = {0};
	struct store_watch *w_all = NULL, *w_later = NULL, *w_other = NULL;
	CHECK_INT(store_watch_start(s, "/p/", 0, rec_cb, &all, &w_all), 0);
	CHECK(w_all != NULL);
	CHECK_INT(all.n, 2); /* replayed: create 1, update 3 */
	CHECK_INT(store_watch_start(s, "/p/", 1, rec_cb, &later, &w_later), 0);
	CHECK_INT(later.n, 1);
	CHECK_INT(store_watch_start(s, NULL, 3, rec_cb, &other, &w_other), 0);
	CHECK_INT(other.n, 0);

	CHECK_INT(put(s, "/p/b", "b1"), 0);		      /* 4 */
	CHECK_INT(put(s, "/q/y", "y1"), 0);		      /* 5 */
	CHECK_INT(store_delete(s, "/p/a", 0, NULL, NULL), 0); /* 6 */

	CHECK_INT(all.n, 4);
	const int64_t revs[] = {1, 3, 4, 6};
	const enum store_event_type types[] = {STORE_EVENT_CREATE, STORE_EVENT_UPDATE,
					       STORE_EVENT_CREATE, STORE_EVENT_DELETE};
	const char *values[] = {"a1", "a2", "b1", "a2"};
	for (int i = 0; i < 4 && i < all.n; i++) {
		CHECK_INT(all.ev[i].rev, revs[i]);
		CHECK_INT(all.ev[i].type, types[i]);
		CHECK_STR(all.ev[i].value, values[i]);
	}
	CHECK(all.ev[1].has_prev);
	CHECK_STR(all.ev[1].prev, "a1");
	CHECK(!all.ev[0].has_prev);
	CHECK(!all.ev[3].has_prev);
	CHECK_INT(later.n, 3);
	CHECK_INT(later.ev[0].rev, 3);
	CHECK_INT(later.ev[2].rev, 6);
	CHECK_INT(other.n, 3);
	CHECK_STR(other.ev[1].key, "/q/y");

	/* Live update events carry the previous value too. */
	CHECK_INT(store_update(s, "/p/b", "b2", 2, 0, NULL), 0); /* 7 */
	CHECK_INT(all.n, 5);
	CHECK_STR(all.ev[4].prev, "b1");
	CHECK_STR(all.ev[4].value, "b2");

	/* A future from_rev delivers nothing up to it. */
	struct rec future = {0};
	struct store_watch *w_future = NULL;
	CHECK_INT(store_watch_start(s, "", 8, rec_cb, &future, &w_future), 0);
	CHECK_INT(put(s, "/p/c", "c"), 0); /* 8 */
	CHECK_INT(future.n, 0);
	CHECK_INT(put(s, "/p/d", "d"), 0); /* 9 */
	CHECK_INT(future.n, 1);

	CHECK_INT(later.n, 6);
	store_watch_stop(w_later);
	CHECK_INT(put(s, "/p/e", "e"), 0);
	CHECK_INT(later.n, 6);
	CHECK_INT(store_watch_start(s, "", -1, rec_cb, &other, &w_later), -EINVAL);
	store_watch_stop(w_all);
	store_watch_stop(w_other);
	/* w_future is left running: store_close frees it. */
	store_close(s);
}

static void test_watch_stop_in_callback(void)
{
	struct store *s = store_open_named("stop.db");
	if (!s)
		return;
	CHECK_INT(put(s, "/x/0", "0"), 0);
	struct rec self = {0}, killer = {0}, victim = {0};
	struct store_watch *w_self = NULL, *w_killer = NULL, *w_victim = NULL;
	CHECK_INT(store_watch_start(s, "/x/", 1, rec_cb, &self, &w_self), 0);
	self.self = w_self;
	self.stop_after = 2;
	CHECK_INT(store_watch_start(s, "/x/", 1, rec_cb, &killer, &w_killer), 0);
	CHECK_INT(store_watch_start(s, "/x/", 1, rec_cb, &victim, &w_victim), 0);
	killer.victim = &w_victim;

	CHECK_INT(put(s, "/x/1", "1"), 0);
	CHECK_INT(self.n, 1);
	CHECK_INT(killer.n, 1);
	CHECK_INT(victim.n, 0); /* stopped before its turn */
	CHECK(w_victim == NULL);
	CHECK_INT(put(s, "/x/2", "2"), 0);
	CHECK_INT(self.n, 2);
	CHECK(self.self == NULL);
	CHECK_INT(put(s, "/x/3", "3"), 0);
	CHECK_INT(self.n, 2);
	CHECK_INT(killer.n, 3);
	CHECK_INT(victim.n, 0);

	/* Stopped by its own callback during the replay: *out is set before
	 * the replay starts, and is NULL on return. */
	struct rec replay2 = {0};
	struct store_watch *w_replay2 = NULL;
	replay2.victim = &w_replay2;
	CHECK_INT(store_watch_start(s, "/x/", 0, rec_cb, &replay2, &w_replay2), 0);
	CHECK_INT(replay2.n, 1);
	CHECK(w_replay2 == NULL);
	CHECK_INT(put(s, "/x/4", "4"), 0);
	CHECK_INT(replay2.n, 1);
	CHECK_INT(killer.n, 4);
	store_watch_stop(w_killer);
	store_close(s);
}

struct order_check {
	int n;
	int64_t last_rev;
	int out_of_order;
	int wrong_prefix;
};

static void order_cb(void *ud, const struct store_event *ev)
{
	struct order_check *o = ud;
	o->out_of_order += ev->rev <= o->last_rev;
	o->wrong_prefix += strncmp(ev->key, "/m/", 3) != 0;
	o->last_rev = ev->rev;
	o->n++;
}

/* More history than one replay batch, interleaved with other prefixes. */
static void test_watch_replay_many(void)
{
	struct store *s = store_open_named("many.db");
	if (!s)
		return;
	char key[32];
	for (int i = 0; i < 700; i++) {
		snprintf(key, sizeof key, "/%c/%04d", i % 2 ? 'm' : 'n', i);
		CHECK_INT(put(s, key, key), 0);
	}
	for (int i = 1; i < 700; i += 2) {
		snprintf(key, sizeof key, "/m/%04d", i);
		CHECK_INT(store_update(s, key, "u", 1, 0, NULL), 0);
	}
	struct order_check o = {0};
	struct store_watch *w = NULL;
	CHECK_INT(store_watch_start(s, "/m/", 0, order_cb, &o, &w), 0);
	CHECK_INT(o.n, 700);
	CHECK_INT(o.out_of_order, 0);
	CHECK_INT(o.wrong_prefix, 0);
	CHECK_INT(o.last_rev, 1050);
	CHECK_INT(put(s, "/m/live", "x"), 0);
	CHECK_INT(o.n, 701);
	store_watch_stop(w);
	store_close(s);
}

/* A watch started from a callback replays the event being dispatched and
 * must not get it a second time from the dispatch in progress. */
struct starter {
	struct store *s;
	struct store_watch *started;
	struct rec inner;
};

static void start_in_cb(void *ud, const struct store_event *ev)
{
	struct starter *st = ud;
	if (!st->started)
		CHECK_INT(store_watch_start(st->s, "", 0, rec_cb, &st->inner, &st->started), 0);
}

static void test_watch_started_in_callback(void)
{
	struct store *s = store_open_named("nestwatch.db");
	if (!s)
		return;
	struct starter st = {.s = s};
	struct store_watch *w = NULL;
	CHECK_INT(store_watch_start(s, "", 0, start_in_cb, &st, &w), 0);
	CHECK_INT(put(s, "/a", "a"), 0);
	CHECK(st.started != NULL);
	CHECK_INT(st.inner.n, 1);
	CHECK_INT(put(s, "/b", "b"), 0);
	CHECK_INT(st.inner.n, 2);
	CHECK_INT(st.inner.ev[1].rev, 2);
	store_watch_stop(st.started);
	store_watch_stop(w);
	store_close(s);
}

struct writer_in_cb {
	struct store *s;
	int rc;
};

static void write_in_cb(void *ud, const struct store_event *ev)
{
	struct writer_in_cb *w = ud;
	w->rc = store_create(w->s, "/nested", "x", 1, NULL);
}

static void test_write_from_callback_refused(void)
{
	struct store *s = store_open_named("nested.db");
	if (!s)
		return;
	struct writer_in_cb ctx = {.s = s, .rc = 1};
	struct store_watch *w = NULL;
	CHECK_INT(store_watch_start(s, "", 0, write_in_cb, &ctx, &w), 0);
	CHECK_INT(put(s, "/a", "a"), 0);
	CHECK_INT(ctx.rc, -EDEADLK);
	CHECK_INT(store_revision(s), 1);
	store_watch_stop(w);
	store_close(s);
}

static void test_compaction(void)
{
	struct store *s = store_open_named("compact.db");
	if (!s)
		return;
	CHECK_INT(put(s, "/c/a", "a1"), 0);			 /* 1 */
	CHECK_INT(put(s, "/c/b", "b1"), 0);			 /* 2 */
	CHECK_INT(store_update(s, "/c/a", "a2", 2, 0, NULL), 0); /* 3 */
	CHECK_INT(store_delete(s, "/c/b", 0, NULL, NULL), 0);	 /* 4 */
	CHECK_INT(store_update(s, "/c/a", "a3", 2, 0, NULL), 0); /* 5 */
	CHECK_INT(put(s, "/c/c", "c1"), 0);			 /* 6 */

	CHECK_INT(store_compact(s, 7), -EINVAL);
	CHECK_INT(store_compact(s, 4), 0);
	CHECK_INT(store_compacted_revision(s), 4);
	CHECK_INT(store_compact(s, 2), 0); /* already done */
	CHECK_INT(store_compacted_revision(s), 4);

	struct store_list l;
	CHECK_INT(store_list(s, "/c/", 3, NULL, 0, &l), -ERANGE);
	CHECK_INT(store_list(s, "/c/", 4, NULL, 0, &l), 0);
	CHECK_INT(l.count, 1);
	CHECK_STR(l.items[0].value, "a2");
	store_list_clear(&l);
	CHECK_INT(store_list(s, "/c/", 0, NULL, 0, &l), 0);
	CHECK_INT(l.count, 2);
	CHECK_STR(l.items[0].value, "a3");
	CHECK_STR(l.items[1].value, "c1");
	store_list_clear(&l);

	struct rec r = {0};
	struct store_watch *w = NULL;
	CHECK_INT(store_watch_start(s, "/c/", 3, rec_cb, &r, &w), -ERANGE);
	CHECK(w == NULL);
	CHECK_INT(store_watch_start(s, "/c/", 4, rec_cb, &r, &w), 0);
	CHECK_INT(r.n, 2);
	CHECK_INT(r.ev[0].rev, 5);
	CHECK_STR(r.ev[0].prev, "a2");
	store_watch_stop(w);

	CHECK_INT(store_compact_keep(s, 100), 0); /* nothing to do */
	CHECK_INT(store_compact_keep(s, -1), -EINVAL);
	CHECK_INT(store_compact_keep(s, 0), 0);
	CHECK_INT(store_compacted_revision(s), 6);
	struct store_kv kv;
	CHECK_INT(store_get(s, "/c/a", &kv), 0);
	CHECK_STR(kv.value, "a3");
	CHECK_INT(kv.create_rev, 1);
	store_kv_clear(&kv);
	CHECK_INT(store_list(s, "/c/", 6, NULL, 0, &l), 0);
	CHECK_INT(l.count, 2);
	store_list_clear(&l);
	store_close(s);
}

static void test_reopen(void)
{
	struct store *s = store_open_named("reopen.db");
	if (!s)
		return;
	CHECK_INT(put(s, "/r/a", "a"), 0);		      /* 1 */
	CHECK_INT(put(s, "/r/b", "b"), 0);		      /* 2 */
	CHECK_INT(store_delete(s, "/r/b", 0, NULL, NULL), 0); /* 3: the newest row is a tombstone */
	CHECK_INT(store_compact(s, 3), 0);		      /* ... and compaction removes it */
	store_close(s);

	s = store_open_named("reopen.db");
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK_INT(store_revision(s), 3);
	CHECK_INT(store_compacted_revision(s), 3);
	struct store_kv kv;
	CHECK_INT(store_get(s, "/r/a", &kv), 0);
	CHECK_STR(kv.value, "a");
	store_kv_clear(&kv);
	CHECK_INT(store_get(s, "/r/b", &kv), -ENOENT);
	int64_t rev = 0;
	CHECK_INT(store_create(s, "/r/c", "c", 1, &rev), 0);
	CHECK_INT(rev, 4);
	store_close(s);
}

static void test_open_errors(void)
{
	struct store *s = (struct store *)1;
	char *err = NULL;
	CHECK_INT(store_open_sqlite("/nonexistent-dir/x/store.db", &s, &err), -EIO);
	CHECK(s == NULL);
	CHECK(err != NULL && strstr(err, "/nonexistent-dir/x/store.db") != NULL);
	free(err);

	char path[256];
	db_path(path, sizeof path, "garbage.db");
	FILE *f = fopen(path, "w");
	if (f) {
		for (int i = 0; i < 512; i++)
			fputs("this is not a database ", f);
		fclose(f);
	}
	err = NULL;
	CHECK_INT(store_open_sqlite(path, &s, &err), -EIO);
	CHECK(err != NULL);
	free(err);
}

static void test_second_open_refused(void)
{
	struct store *a = store_open_named("locked.db");
	if (!a)
		return;
	struct store *b = NULL;
	char *err = NULL;
	char path[256];
	db_path(path, sizeof path, "locked.db");
	CHECK_INT(store_open_sqlite(path, &b, &err), -EIO); /* waits the busy timeout */
	CHECK(b == NULL);
	CHECK(err != NULL);
	free(err);
	store_close(b);
	store_close(a);
}

/* The child writes keys and acknowledges each on a pipe; it is killed with
 * SIGKILL mid-way; every acknowledged key must be there after reopening. */
static void crash_child(int fd)
{
	struct store *s = store_open_named("crash.db");
	if (!s)
		_exit(2);
	for (int i = 0; i < 200; i++) {
		char key[32];
		snprintf(key, sizeof key, "/crash/%03d", i);
		if (store_create(s, key, key, strlen(key), NULL) != 0)
			_exit(3);
		if (write(fd, &i, sizeof i) != sizeof i)
			_exit(4);
	}
	/* Not reached in practice: hang here so that the kill lands. */
	for (;;)
		pause();
}

static void test_crash_safety(void)
{
	int fds[2];
	CHECK_INT(pipe(fds), 0);
	fflush(NULL);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		crash_child(fds[1]);
	}
	close(fds[1]);
	int acked = -1, got = 0, i;
	while (read(fds[0], &i, sizeof i) == sizeof i) {
		acked = i;
		if (++got == 100)
			break;
	}
	kill(pid, SIGKILL);
	/* Acknowledgements already in the pipe count too. */
	while (read(fds[0], &i, sizeof i) == sizeof i)
		acked = i;
	close(fds[0]);
	int status = 0;
	waitpid(pid, &status, 0);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	CHECK(acked >= 99);

	struct store *s = store_open_named("crash.db");
	CHECK(s != NULL);
	if (!s)
		return;
	for (int k = 0; k <= acked; k++) {
		char key[32];
		snprintf(key, sizeof key, "/crash/%03d", k);
		struct store_kv kv;
		CHECK_INT(store_get(s, key, &kv), 0);
		store_kv_clear(&kv);
	}
	CHECK(store_revision(s) >= acked + 1);
	int64_t rev = 0;
	CHECK_INT(store_create(s, "/after", "x", 1, &rev), 0);
	CHECK_INT(rev, store_revision(s));
	store_close(s);
}

static int64_t log_rows(const char *name)
{
	char path[256];
	db_path(path, sizeof path, name);
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int64_t n = -1;
	if (sqlite3_open(path, &db) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM log", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static void test_churn_stays_bounded(void)
{
	struct store *s = store_open_named("churn.db");
	if (!s)
		return;
	char key[32], val[64];
	for (int k = 0; k < 10; k++) {
		snprintf(key, sizeof key, "/lease/%d", k);
		CHECK_INT(put(s, key, "0"), 0);
	}
	int failures = 0;
	for (int i = 0; i < 10000; i++) {
		snprintf(key, sizeof key, "/lease/%d", i % 10);
		snprintf(val, sizeof val, "renew %d", i);
		failures += store_update(s, key, val, strlen(val), 0, NULL) != 0;
	}
	CHECK_INT(failures, 0);
	CHECK_INT(store_compact_keep(s, 1000), 0);
	CHECK_INT(store_compacted_revision(s), store_revision(s) - 1000);
	struct store_kv kv;
	CHECK_INT(store_get(s, "/lease/9", &kv), 0);
	CHECK_STR(kv.value, "renew 9999");
	store_kv_clear(&kv);
	store_close(s);
	int64_t rows = log_rows("churn.db");
	CHECK(rows >= 1000 && rows <= 1010);
	printf("churn: 10010 writes, keep 1000 -> %lld log rows\n", (long long)rows);
}

/* ---- volatile keys ---- */

static const char *const vol_prefixes[] = {"/v/", "/w/", NULL};
static const char *const resident_prefixes[] = {"/n/", NULL};

static struct store *store_open_vol(const char *name, int64_t history)
{
	char path[256];
	db_path(path, sizeof path, name);
	struct store_options o = {.volatile_prefixes = vol_prefixes,
				  .resident_prefixes = resident_prefixes,
				  .volatile_history = history};
	struct store *s = NULL;
	char *err = NULL;
	int rc = store_open_sqlite_opts(path, &o, &s, &err);
	if (rc != 0)
		fprintf(stderr, "open %s: %d %s\n", path, rc, err ? err : "");
	free(err);
	return s;
}

static long long file_size(const char *name)
{
	char path[256];
	struct stat st;
	db_path(path, sizeof path, name);
	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

static int64_t stat_durable(struct store *s)
{
	struct store_stats st;
	store_get_stats(s, &st);
	return st.durable_writes;
}

/* Volatile keys share the revision sequence and every read, write, list
 * and watch semantic of durable ones, also where a prefix spans both. */
static void test_volatile_semantics(void)
{
	struct store *s = store_open_vol("vol.db", 0);
	CHECK(s != NULL);
	if (!s)
		return;
	int64_t rev = 0;
	CHECK_INT(put(s, "/d/a", "da1"), 0);		       /* 1 */
	CHECK_INT(store_create(s, "/v/a", "va1", 3, &rev), 0); /* 2 */
	CHECK_INT(rev, 2);
	CHECK_INT(put(s, "/d/b", "db1"), 0); /* 3 */
	CHECK_INT(put(s, "/v/b", "vb1"), 0); /* 4 */
	CHECK_INT(store_create(s, "/v/a", "x", 1, NULL), -EEXIST);
	CHECK_INT(store_update(s, "/v/a", "va2", 3, 1, NULL), -ECANCELED);
	CHECK_INT(store_update(s, "/v/a", "va2", 3, 2, &rev), 0); /* 5 */
	CHECK_INT(rev, 5);
	CHECK_INT(store_update(s, "/v/zz", "x", 1, 0, NULL), -ENOENT);
	CHECK_INT(store_delete(s, "/v/b", 1, NULL, NULL), -ECANCELED);
	CHECK_INT(store_revision(s), 5);

	struct store_kv kv;
	CHECK_INT(store_get(s, "/v/a", &kv), 0);
	CHECK_STR(kv.value, "va2");
	CHECK_INT(kv.create_rev, 2);
	CHECK_INT(kv.mod_rev, 5);
	store_kv_clear(&kv);

	/* A prefix spanning both kinds of keys: one list, in key order. */
	struct store_list l;
	CHECK_INT(store_list(s, "", 0, NULL, 0, &l), 0);
	CHECK_INT(l.count, 4);
	if (l.count == 4) {
		CHECK_STR(l.items[0].key, "/d/a");
		CHECK_STR(l.items[1].key, "/d/b");
		CHECK_STR(l.items[2].key, "/v/a");
		CHECK_STR(l.items[3].key, "/v/b");
	}
	store_list_clear(&l);
	CHECK_INT(store_list(s, "/", 0, "/d/a", 2, &l), 0);
	CHECK_INT(l.count, 2);
	CHECK_INT(l.more, 1);
	CHECK_STR(l.items[1].key, "/v/a");
	store_list_clear(&l);
	/* At revision 3, before /v/a's update and /v/b's creation. */
	CHECK_INT(store_list(s, "/", 3, NULL, 0, &l), 0);
	CHECK_INT(l.count, 3);
	if (l.count == 3) {
		CHECK_STR(l.items[2].key, "/v/a");
		CHECK_STR(l.items[2].value, "va1");
	}
	store_list_clear(&l);
	CHECK_INT(store_list(s, "/v/", 4, NULL, 0, &l), 0);
	CHECK_INT(l.count, 2);
	CHECK_STR(l.items[0].value, "va1");
	store_list_clear(&l);
	int64_t n = 0;
	CHECK_INT(store_count(s, "", &n), 0);
	CHECK_INT(n, 4);
	CHECK_INT(store_count(s, "/v/", &n), 0);
	CHECK_INT(n, 2);
	CHECK_INT(store_count(s, "/v/a", &n), 0);
	CHECK_INT(n, 1);

	/* Replay of everything, in revision order, then live events. */
	struct rec r = {0};
	struct store_watch *w = NULL;
	CHECK_INT(store_watch_start(s, "/", 0, rec_cb, &r, &w), 0);
	CHECK_INT(r.n, 5);
	const char *keys[] = {"/d/a", "/v/a", "/d/b", "/v/b", "/v/a"};
	for (int i = 0; i < 5 && i < r.n; i++) {
		CHECK_INT(r.ev[i].rev, i + 1);
		CHECK_STR(r.ev[i].key, keys[i]);
	}
	CHECK_INT(r.ev[4].type, STORE_EVENT_UPDATE);
	CHECK_STR(r.ev[4].prev, "va1");
	struct store_kv prev;
	CHECK_INT(store_delete(s, "/v/b", 4, &rev, &prev), 0); /* 6 */
	CHECK_STR(prev.value, "vb1");
	store_kv_clear(&prev);
	CHECK_INT(r.n, 6);
	CHECK_INT(r.ev[5].type, STORE_EVENT_DELETE);
	CHECK_STR(r.ev[5].value, "vb1");
	store_watch_stop(w);

	/* A batch holds volatile events too and releases them in order. */
	struct rec rb = {0};
	CHECK_INT(store_watch_start(s, "", 6, rec_cb, &rb, &w), 0);
	CHECK_INT(store_batch_begin(s), 0);
	CHECK_INT(store_update(s, "/v/a", "va3", 3, 0, NULL), 0);  /* 7 */
	CHECK_INT(store_create(s, "/v/a", "x", 1, NULL), -EEXIST); /* undoes only itself */
	CHECK_INT(put(s, "/d/c", "dc1"), 0);			   /* 8 */
	CHECK_INT(rb.n, 0);
	CHECK_INT(store_batch_commit(s), 0);
	CHECK_INT(rb.n, 2);
	CHECK_INT(rb.ev[0].rev, 7);
	CHECK_STR(rb.ev[1].key, "/d/c");
	store_watch_stop(w);
	CHECK_INT(store_get(s, "/v/a", &kv), 0);
	CHECK_STR(kv.value, "va3");
	store_kv_clear(&kv);

	/* Compaction covers volatile history like the rest. */
	CHECK_INT(store_compact(s, 7), 0);
	CHECK_INT(store_list(s, "/v/", 6, NULL, 0, &l), -ERANGE);
	CHECK_INT(store_watch_start(s, "/v/", 6, rec_cb, &rb, &w), -ERANGE);
	CHECK_INT(store_list(s, "/v/", 7, NULL, 0, &l), 0);
	CHECK_INT(l.count, 1);
	CHECK_STR(l.items[0].value, "va3");
	store_list_clear(&l);
	store_close(s);
}

/* Writes of volatile keys never reach the file until a flush; the flush
 * writes only when something changed. */
static void test_volatile_no_disk_writes(void)
{
	struct store *s = store_open_vol("volio.db", 0);
	if (!s)
		return;
	CHECK_INT(put(s, "/d/node", "n"), 0);
	CHECK_INT(put(s, "/v/lease", "0"), 0); /* reserves a block of revisions */
	CHECK_INT(put(s, "/w/lease", "0"), 0);
	long long wal = file_size("volio.db-wal"), db = file_size("volio.db");
	CHECK(wal > 0);
	char val[64];
	int failures = 0;
	for (int i = 0; i < 500; i++) {
		snprintf(val, sizeof val, "{\"renewTime\":\"%d\"}", i);
		failures += store_update(s, i % 2 ? "/v/lease" : "/w/lease", val, strlen(val), 0,
					 NULL) != 0;
	}
	CHECK_INT(failures, 0);
	CHECK_INT(file_size("volio.db-wal"), wal);
	CHECK_INT(file_size("volio.db"), db);
	struct store_stats st;
	store_get_stats(s, &st);
	CHECK_INT(st.durable_writes, 1);
	CHECK(st.volatile_writes >= 500);
	CHECK_INT(st.flushes, 0);

	CHECK_INT(store_flush(s), 0);
	long long wal2 = file_size("volio.db-wal");
	CHECK(wal2 > wal);
	store_get_stats(s, &st);
	CHECK_INT(st.flushes, 1);
	CHECK_INT(st.flushed_keys, 2); /* the latest value of each key, not 500 */
	CHECK_INT(store_flush(s), 0);  /* nothing changed */
	CHECK_INT(file_size("volio.db-wal"), wal2);
	store_get_stats(s, &st);
	CHECK_INT(st.flushes, 1);

	/* A resident key is written through at once. */
	CHECK_INT(put(s, "/n/node", "n1"), 0);
	long long wal3 = file_size("volio.db-wal");
	CHECK(wal3 > wal2);
	CHECK_INT(store_update(s, "/n/node", "n2", 2, 0, NULL), 0);
	CHECK(file_size("volio.db-wal") > wal3);
	CHECK_INT(stat_durable(s), 3);
	store_close(s);
}

/* The flush policy: a burst of created keys is written once it has been
 * quiet for STORE_FLUSH_QUIET_MS (never sooner than STORE_FLUSH_MIN_MS after
 * the last flush, at the latest STORE_FLUSH_SHAPE_MS after it began); mere
 * new values (Lease renewals) wait STORE_FLUSH_VALUES_MS; nothing is written
 * when nothing changed. */
static void test_flush_tick_policy(void)
{
	struct store *s = store_open_vol("voltick.db", 0);
	if (!s)
		return;
	struct store_stats st;
	uint64_t t = 1000000;
	CHECK_INT(store_flush_tick(s, t), 0); /* starts the clocks */
	CHECK_INT(put(s, "/v/lease", "0"), 0);
	CHECK_INT(put(s, "/w/ev1", "e"), 0);
	/* Created keys: not within MIN of the start, then once quiet. */
	CHECK_INT(store_flush_tick(s, t += 1000), 0);
	CHECK_INT(store_flush_tick(s, t += STORE_FLUSH_QUIET_MS), 0); /* quiet, but < MIN */
	t = 1000000 + STORE_FLUSH_MIN_MS;
	CHECK_INT(store_flush_tick(s, t), 1);
	store_get_stats(s, &st);
	CHECK_INT(st.flushed_keys, 2);
	long long wal = file_size("voltick.db-wal");

	/* Lease renewals only: nothing for an hour, then one flush. */
	char val[32];
	for (int i = 1; i <= 359; i++) {
		snprintf(val, sizeof val, "%d", i);
		CHECK_INT(store_update(s, "/v/lease", val, strlen(val), 0, NULL), 0);
		CHECK_INT(store_flush_tick(s, t += 10000), 0);
	}
	CHECK_INT(file_size("voltick.db-wal"), wal);
	t += STORE_FLUSH_VALUES_MS - 359 * 10000;
	CHECK_INT(store_flush_tick(s, t), 1);
	CHECK(file_size("voltick.db-wal") > wal);
	CHECK_INT(store_flush_tick(s, t += STORE_FLUSH_VALUES_MS), 0); /* nothing changed */

	/* A burst: no flush while it goes on, one after it ends. */
	uint64_t begin = t += STORE_FLUSH_MIN_MS;
	for (int i = 0; i < 20; i++) {
		snprintf(val, sizeof val, "/w/burst%d", i);
		CHECK_INT(put(s, val, "e"), 0);
		CHECK_INT(store_flush_tick(s, t += 2000), 0);
	}
	store_get_stats(s, &st);
	int64_t flushes = st.flushes;
	while (store_flush_tick(s, t += 1000) == 0)
		CHECK(t - begin < 200000);
	CHECK(t - begin >= 40000 + STORE_FLUSH_QUIET_MS - 2000);
	store_get_stats(s, &st);
	CHECK_INT(st.flushes, flushes + 1);

	/* Never quiet: flushed STORE_FLUSH_SHAPE_MS after the first creation. */
	begin = t;
	int n = 0, flushed = 0;
	while (!flushed && t - begin <= STORE_FLUSH_SHAPE_MS + 5000) {
		snprintf(val, sizeof val, "/w/steady%d", n++);
		CHECK_INT(put(s, val, "e"), 0);
		flushed = store_flush_tick(s, t += 1000);
	}
	CHECK_INT(flushed, 1);
	CHECK(t - begin >= STORE_FLUSH_SHAPE_MS && t - begin <= STORE_FLUSH_SHAPE_MS + 2000);

	/* A deletion is a change of shape too. */
	CHECK_INT(store_delete(s, "/w/ev1", 0, NULL, NULL), 0);
	CHECK_INT(store_flush_tick(s, t += STORE_FLUSH_MIN_MS), 0); /* just seen: not quiet yet */
	CHECK_INT(store_flush_tick(s, t += STORE_FLUSH_QUIET_MS), 1);
	store_close(s);

	/* What was flushed survives a reopen (the close flushes the rest). */
	s = store_open_vol("voltick.db", 0);
	CHECK(s != NULL);
	if (!s)
		return;
	struct store_kv kv;
	CHECK_INT(store_get(s, "/v/lease", &kv), 0);
	CHECK_STR(kv.value, "359");
	store_kv_clear(&kv);
	CHECK_INT(store_get(s, "/w/ev1", &kv), -ENOENT);
	CHECK_INT(store_get(s, "/w/burst19", &kv), 0);
	store_kv_clear(&kv);
	store_close(s);
}

/* A clean close keeps volatile keys and the exact revision; their history
 * does not survive it (watches from before get -ERANGE), durable history does. */
static void test_volatile_reopen(void)
{
	struct store *s = store_open_vol("volre.db", 0);
	if (!s)
		return;
	CHECK_INT(put(s, "/d/a", "d"), 0);    /* 1 */
	CHECK_INT(put(s, "/v/a", "v1"), 0);   /* 2 */
	CHECK_INT(put(s, "/v/gone", "g"), 0); /* 3 */
	CHECK_INT(store_flush(s), 0);
	CHECK_INT(store_update(s, "/v/a", "v2", 2, 0, NULL), 0); /* 4 */
	CHECK_INT(store_delete(s, "/v/gone", 0, NULL, NULL), 0); /* 5 */
	CHECK_INT(put(s, "/w/new", "n"), 0);			 /* 6 */
	store_close(s);

	s = store_open_vol("volre.db", 0);
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK_INT(store_revision(s), 6);
	struct store_kv kv;
	CHECK_INT(store_get(s, "/v/a", &kv), 0);
	CHECK_STR(kv.value, "v2");
	CHECK_INT(kv.create_rev, 2);
	CHECK_INT(kv.mod_rev, 4);
	store_kv_clear(&kv);
	CHECK_INT(store_get(s, "/v/gone", &kv), -ENOENT);
	CHECK_INT(store_get(s, "/w/new", &kv), 0);
	store_kv_clear(&kv);
	struct rec r = {0};
	struct store_watch *w = NULL;
	CHECK_INT(store_watch_start(s, "/v/", 5, rec_cb, &r, &w), -ERANGE);
	CHECK_INT(store_watch_start(s, "", 5, rec_cb, &r, &w), -ERANGE);
	struct store_list l;
	CHECK_INT(store_list(s, "/v/", 5, NULL, 0, &l), -ERANGE);
	CHECK_INT(store_watch_start(s, "/d/", 0, rec_cb, &r, &w), 0); /* durable history stays */
	CHECK_INT(r.n, 1);
	store_watch_stop(w);
	CHECK_INT(store_watch_start(s, "/v/", 6, rec_cb, &r, &w), 0);
	int64_t rev = 0;
	CHECK_INT(store_update(s, "/v/a", "v3", 2, 4, &rev), 0);
	CHECK_INT(rev, 7);
	CHECK_INT(r.n, 2);
	store_watch_stop(w);
	CHECK_INT(store_delete(s, "/w/new", 0, NULL, NULL), 0); /* 8 */
	store_close(s);

	/* Dropping a prefix makes its keys durable again; adding one moves
	 * durable keys into memory. */
	s = store_open_named("volre.db");
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK_INT(store_revision(s), 8);
	CHECK_INT(store_get(s, "/v/a", &kv), 0);
	CHECK_STR(kv.value, "v3");
	CHECK_INT(kv.create_rev, 2);
	CHECK_INT(kv.mod_rev, 7);
	store_kv_clear(&kv);
	CHECK_INT(store_update(s, "/v/a", "v4", 2, 7, NULL), 0); /* 9 */
	CHECK_INT(put(s, "/w/durable", "x"), 0);		 /* 10 */
	CHECK_INT(stat_durable(s), 2);
	store_close(s);

	s = store_open_vol("volre.db", 0);
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK_INT(store_revision(s), 10);
	CHECK_INT(store_get(s, "/w/durable", &kv), 0);
	CHECK_INT(kv.mod_rev, 10);
	store_kv_clear(&kv);
	CHECK_INT(store_update(s, "/v/a", "v5", 2, 9, NULL), 0);
	CHECK_INT(store_update(s, "/w/durable", "y", 1, 10, NULL), 0);
	CHECK_INT(stat_durable(s), 0);
	int64_t n = 0;
	CHECK_INT(store_count(s, "", &n), 0);
	CHECK_INT(n, 3);
	store_close(s);
}

/* The in-memory history of volatile keys is bounded; older starts get
 * -ERANGE, durable prefixes keep their full history. */
static void test_volatile_history_bounded(void)
{
	struct store *s = store_open_vol("volhist.db", 100);
	if (!s)
		return;
	CHECK_INT(put(s, "/d/a", "d"), 0);
	CHECK_INT(put(s, "/v/x", "0"), 0);
	char val[32];
	for (int i = 0; i < 1000; i++) {
		snprintf(val, sizeof val, "%d", i);
		CHECK_INT(store_update(s, "/v/x", val, strlen(val), 0, NULL), 0);
		if (i % 10 == 0)
			CHECK_INT(store_compact_keep(s, 100000), 0);
	}
	CHECK_INT(store_compacted_revision(s), 0);
	struct rec r = {0};
	struct store_watch *w = NULL;
	CHECK_INT(store_watch_start(s, "/v/", 10, rec_cb, &r, &w), -ERANGE);
	CHECK_INT(store_watch_start(s, "/d/", 0, rec_cb, &r, &w), 0);
	CHECK_INT(r.n, 1);
	store_watch_stop(w);
	int64_t from = store_revision(s) - 50;
	r.n = 0;
	CHECK_INT(store_watch_start(s, "/v/", from, rec_cb, &r, &w), 0);
	CHECK_INT(r.n, 50);
	CHECK_STR(r.ev[0].prev, "949");
	store_watch_stop(w);
	struct store_kv kv;
	CHECK_INT(store_get(s, "/v/x", &kv), 0);
	CHECK_STR(kv.value, "999");
	store_kv_clear(&kv);
	store_close(s);
}

/* store_history_tick drops volatile history older than STORE_VOL_HISTORY_MS
 * whatever volatile_history allows, so a steady trickle of renewals (an idle
 * cluster's Leases) stops growing the store's memory after minutes; newer
 * starts still replay, durable prefixes keep their history. */
static void test_volatile_history_age(void)
{
	struct store *s = store_open_vol("volage.db", 1000000);
	if (!s)
		return;
	enum { SECS = STORE_VOL_HISTORY_MS / 1000 * 4 };
	static int64_t rev_at[SECS + 1];
	char val[512];
	uint64_t t = 5000;
	CHECK_INT(put(s, "/d/a", "d"), 0);
	CHECK_INT(put(s, "/v/x", "0"), 0);
	CHECK_INT(store_history_tick(s, t), 0); /* starts the clock */
	long long mem_half = 0;
	for (int i = 1; i <= SECS; i++) {
		int n = snprintf(val, sizeof val, "%d", i);
		memset(val + n, 'x', sizeof val - n); /* a Lease-sized value */
		CHECK_INT(store_update(s, "/v/x", val, sizeof val, 0, NULL), 0);
		rev_at[i] = store_revision(s);
		CHECK_INT(store_history_tick(s, t += 1000), 0);
		if (i == SECS / 2)
			mem_half = (long long)sqlite3_memory_used();
	}
	long long mem_end = (long long)sqlite3_memory_used();
	printf("volatile history by age: SQLite memory %lld bytes after %d s, %lld after %d s\n",
	       mem_half, SECS / 2, mem_end, SECS);
	CHECK(mem_end <= mem_half + 4096);
	struct rec r = {0};
	struct store_watch *w = NULL;
	/* The history kept reaches 5 to 5.5 minutes back (a mark every 30 s). */
	int gone = SECS - STORE_VOL_HISTORY_MS / 1000 - 31;
	int kept = SECS - STORE_VOL_HISTORY_MS / 1000 + 10;
	CHECK_INT(store_watch_start(s, "/v/", rev_at[gone], rec_cb, &r, &w), -ERANGE);
	CHECK_INT(store_watch_start(s, "/v/", rev_at[kept], rec_cb, &r, &w), 0);
	CHECK_INT(r.n, SECS - kept);
	store_watch_stop(w);
	r.n = 0;
	CHECK_INT(store_watch_start(s, "/d/", 0, rec_cb, &r, &w), 0);
	CHECK_INT(r.n, 1);
	store_watch_stop(w);
	store_close(s);
}

/* A killed process loses volatile changes made since the last flush and
 * nothing else: every acknowledged durable write is there, resident keys as
 * last written, and the revision never goes back (no revision handed out
 * before is handed out again). */
static void vol_crash_child(int fd)
{
	struct store *s = store_open_vol("volcrash.db", 0);
	if (!s)
		_exit(2);
	char key[32], val[32];
	for (int i = 0; i < 300; i++) {
		int64_t rev = 0;
		int rc;
		snprintf(val, sizeof val, "%d", i);
		snprintf(key, sizeof key, "/d/%03d", i);
		if (i % 3 == 0) /* durable */
			rc = store_create(s, key, val, strlen(val), &rev);
		else if (i < 3) /* resident, volatile */
			rc = store_create(s, i == 1 ? "/n/node" : "/v/lease", val, strlen(val),
					  &rev);
		else
			rc = store_update(s, i % 3 == 1 ? "/n/node" : "/v/lease", val, strlen(val),
					  0, &rev);
		if (rc != 0)
			_exit(3);
		if (i == 101 && store_flush(s) != 0)
			_exit(5);
		if (write(fd, &rev, sizeof rev) != sizeof rev)
			_exit(4);
	}
	for (;;)
		pause();
}

static void test_volatile_crash(void)
{
	int fds[2];
	CHECK_INT(pipe(fds), 0);
	fflush(NULL);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		vol_crash_child(fds[1]);
	}
	close(fds[1]);
	int64_t rev, acked = 0;
	int got = 0;
	/* Killed once all 300 are acknowledged: the last ones are volatile. */
	while (got < 300 && read(fds[0], &rev, sizeof rev) == sizeof rev) {
		acked = rev;
		got++;
	}
	kill(pid, SIGKILL);
	close(fds[0]);
	int status = 0;
	waitpid(pid, &status, 0);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	CHECK_INT(got, 300);
	CHECK_INT(acked, 300);

	struct store *s = store_open_vol("volcrash.db", 0);
	CHECK(s != NULL);
	if (!s)
		return;
	int64_t n = 0;
	CHECK_INT(store_count(s, "/d/", &n), 0);
	CHECK_INT(n, 100); /* every third write */
	struct store_kv kv;
	CHECK_INT(store_get(s, "/v/lease", &kv), 0);
	CHECK_STR(kv.value, "101"); /* as flushed */
	store_kv_clear(&kv);
	CHECK_INT(store_get(s, "/n/node", &kv), 0);
	CHECK_STR(kv.value, "298"); /* written through */
	CHECK_INT(kv.mod_rev, 299);
	store_kv_clear(&kv);
	CHECK(store_revision(s) >= acked);
	int64_t next = 0;
	CHECK_INT(store_update(s, "/v/lease", "after", 5, 0, &next), 0);
	CHECK(next > acked);
	store_close(s);
}

/* An idle store does not compact (write) on every call. */
static void test_compact_keep_hysteresis(void)
{
	struct store *s = store_open_named("hyst.db");
	if (!s)
		return;
	CHECK_INT(put(s, "/l", "0"), 0);
	for (int i = 0; i < 899; i++)
		CHECK_INT(store_update(s, "/l", "x", 1, 0, NULL), 0);
	CHECK_INT(store_revision(s), 900);
	CHECK_INT(store_compact_keep(s, 800), 0); /* 100 behind: less than 800/8 */
	CHECK_INT(store_compacted_revision(s), 0);
	CHECK_INT(store_update(s, "/l", "y", 1, 0, NULL), 0);
	CHECK_INT(store_compact_keep(s, 800), 0); /* 101 behind */
	CHECK_INT(store_compacted_revision(s), 101);
	store_close(s);
}

static void test_timings(void)
{
	struct store *s = store_open_named("perf.db");
	if (!s)
		return;
	char value[1024];
	memset(value, 'v', sizeof value);
	char key[64];
	const int n = 10000;
	int failures = 0;
	double t0 = now_sec();
	for (int i = 0; i < n; i++) {
		snprintf(key, sizeof key, "/registry/pods/default/pod-%05d", i);
		failures += store_create(s, key, value, sizeof value, NULL) != 0;
	}
	double t1 = now_sec();
	CHECK_INT(failures, 0);
	for (int i = 0; i < n; i++) {
		struct store_kv kv;
		snprintf(key, sizeof key, "/registry/pods/default/pod-%05d", (i * 7919) % n);
		failures += store_get(s, key, &kv) != 0;
		store_kv_clear(&kv);
	}
	double t2 = now_sec();
	struct store_list l;
	CHECK_INT(store_list(s, "/registry/pods/", 0, NULL, 0, &l), 0);
	double t3 = now_sec();
	CHECK_INT(l.count, n);
	store_list_clear(&l);
	CHECK_INT(failures, 0);
	printf("timings (%d keys, 1 KiB values):\n", n);
	printf("  %-28s %10.0f /s\n", "create", n / (t1 - t0));
	printf("  %-28s %10.1f us\n", "get", (t2 - t1) * 1e6 / n);
	printf("  %-28s %10.1f ms\n", "list 10000 at latest", (t3 - t2) * 1e3);
	store_close(s);
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

int main(void)
{
	if (!mkdtemp(test_dir)) {
		perror("mkdtemp");
		return 1;
	}
	TEST_RUN(test_crud);
	TEST_RUN(test_list_prefix_and_pages);
	TEST_RUN(test_list_high_bytes);
	TEST_RUN(test_list_at_revision);
	TEST_RUN(test_watch_replay_and_live);
	TEST_RUN(test_watch_stop_in_callback);
	TEST_RUN(test_watch_replay_many);
	TEST_RUN(test_watch_started_in_callback);
	TEST_RUN(test_write_from_callback_refused);
	TEST_RUN(test_compaction);
	TEST_RUN(test_reopen);
	TEST_RUN(test_open_errors);
	TEST_RUN(test_second_open_refused);
	TEST_RUN(test_crash_safety);
	TEST_RUN(test_churn_stays_bounded);
	TEST_RUN(test_volatile_semantics);
	TEST_RUN(test_volatile_no_disk_writes);
	TEST_RUN(test_volatile_reopen);
	TEST_RUN(test_flush_tick_policy);
	TEST_RUN(test_volatile_history_bounded);
	TEST_RUN(test_volatile_history_age);
	TEST_RUN(test_volatile_crash);
	TEST_RUN(test_compact_keep_hysteresis);
	TEST_RUN(test_timings);
	nftw(test_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	return test_summary();
}
