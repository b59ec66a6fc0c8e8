/* agent/kubelet_log.c — pods/log from the container's CRI log files (the
 * rotated ones, oldest first, then the live one), with the kubelet's options:
 * tailLines, sinceSeconds/sinceTime, timestamps, limitBytes, follow (poll
 * the file as it grows, across rotations, until the container stops). The
 * same follower feeds attach's output, as WebSocket channel messages, for
 * containers whose monitor has no attach socket (made by older versions). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent/kubelet.h"
#include "agent/podsync.h"

#define LOG_POLL_MS 200
#define LOG_STATE_EVERY 5 /* polls between container state checks */
#define LOG_READ_CHUNK 65536
#define LOG_MAX_ROTATED 64

struct kl_log {
	struct kl_session *s;
	char id[RT_ID_MAX + 1];
	char path[512];
	bool follow, timestamps, ws;
	long tail;	  /* -1: all */
	int64_t since_ns; /* 0: all */
	long long limit;  /* -1: none */
	long long sent;
	int fd;
	ino_t ino;
	struct buf line; /* an incomplete record at the end of what was read */
	uv_timer_t timer;
	int polls;
	bool timer_open, stopped;
	void (*done)(struct kl_session *);
};

/* "2026-11-22T04:00:00.123456789Z" -> ns since the epoch; 0 when unparsable. */
static int64_t rfc3339_ns(const char *ts, size_t len)
{
	char tmp[64];
	if (len >= sizeof tmp)
		return 0;
	memcpy(tmp, ts, len);
	tmp[len] = 0;
	struct tm tm = {0};
	const char *p = strptime(tmp, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p)
		return 0;
	int64_t ns = 0, scale = 100000000;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
			ns += (*p - '0') * scale;
	return (int64_t)timegm(&tm) * 1000000000 + ns;
}

/* One CRI record: "TS STREAM P|F content". */
struct record {
	const char *ts, *content;
	size_t ts_len, content_len;
	int stream; /* 1 stdout, 2 stderr */
	bool partial;
};

static bool record_parse(const char *l, size_t len, struct record *r)
{
	const char *sp1 = memchr(l, ' ', len);
	if (!sp1)
		return false;
	const char *rest = sp1 + 1;
	size_t rlen = len - (size_t)(rest - l);
	if (rlen < 8)
		return false;
	if (!strncmp(rest, "stdout ", 7))
		r->stream = 1;
	else if (!strncmp(rest, "stderr ", 7))
		r->stream = 2;
	else
		return false;
	r->partial = rest[7] == 'P';
	r->ts = l;
	r->ts_len = (size_t)(sp1 - l);
	/* "stdout F" alone (no trailing space) is an empty line. */
	r->content = rlen > 9 ? rest + 9 : "";
	r->content_len = rlen > 9 ? rlen - 9 : 0;
	return true;
}

/* Appends a record as the client sees it; false once limitBytes is reached. */
static bool record_emit(struct kl_log *lg, const struct record *r, struct buf *out)
{
	if (lg->since_ns && rfc3339_ns(r->ts, r->ts_len) < lg->since_ns)
		return true;
	size_t start = out->len;
	if (lg->timestamps) {
		buf_append(out, r->ts, r->ts_len);
		buf_append(out, " ", 1);
	}
	buf_append(out, r->content, r->content_len);
	if (!r->partial)
		buf_append(out, "\n", 1);
	if (lg->limit >= 0 && lg->sent + (long long)(out->len - start) >= lg->limit) {
		out->len = start + (size_t)(lg->limit - lg->sent);
		lg->sent = lg->limit;
		return false;
	}
	lg->sent += (long long)(out->len - start);
	return true;
}

/* Splits data into records; complete ones go to out (or, for attach, to the
 * client as channel messages), an incomplete tail stays in lg->line. */
static bool feed(struct kl_log *lg, const char *data, size_t len, struct buf *out)
{
	buf_append(&lg->line, data, len);
	size_t off = 0;
	bool more = true;
	while (more) {
		char *nl = memchr(lg->line.data + off, '\n', lg->line.len - off);
		if (!nl)
			break;
		struct record r;
		size_t l = (size_t)(nl - (lg->line.data + off));
		if (record_parse(lg->line.data + off, l, &r)) {
			if (lg->ws) {
				struct buf one = {0};
				buf_append(&one, r.content, r.content_len);
				if (!r.partial)
					buf_append(&one, "\n", 1);
				kl_ws_channel(lg->s, (uint8_t)r.stream, one.data, one.len);
				buf_free(&one);
			} else {
				more = record_emit(lg, &r, out);
			}
		}
		off += l + 1;
	}
	memmove(lg->line.data, lg->line.data + off, lg->line.len - off);
	lg->line.len -= off;
	return more;
}

static int read_all(int fd, struct buf *into)
{
	char chunk[LOG_READ_CHUNK];
	ssize_t n;
	while ((n = read(fd, chunk, sizeof chunk)) > 0)
		buf_append(into, chunk, (size_t)n);
	return n < 0 ? -errno : 0;
}

/* Keeps only the last n lines of out. */
static void tail_lines(struct buf *out, long n)
{
	if (n < 0 || !out->len)
		return;
	size_t i = out->len;
	if (out->data[i - 1] == '\n')
		i--;
	long seen = 0;
	while (i > 0) {
		if (out->data[i - 1] == '\n' && ++seen == n)
			break;
		i--;
	}
	if (n == 0)
		i = out->len;
	memmove(out->data, out->data + i, out->len - i);
	out->len -= i;
}

/* The whole log so far (rotated files first). The live file stays open at
 * its end for follow. Returns false when limitBytes was reached. */
static bool dump_existing(struct kl_log *lg, struct buf *out)
{
	char p[600];
	struct buf raw = {0};
	for (int i = LOG_MAX_ROTATED; i >= 1; i--) {
		snprintf(p, sizeof p, "%s.%d", lg->path, i);
		int fd = open(p, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		read_all(fd, &raw);
		close(fd);
	}
	lg->fd = open(lg->path, O_RDONLY | O_CLOEXEC);
	if (lg->fd >= 0) {
		struct stat st;
		if (fstat(lg->fd, &st) == 0)
			lg->ino = st.st_ino;
		read_all(lg->fd, &raw);
	}
	/* Tail before the byte limit, as the kubelet does. */
	long long limit = lg->limit;
	lg->limit = -1;
	bool more = feed(lg, raw.data ? raw.data : "", raw.len, out);
	buf_free(&raw);
	tail_lines(out, lg->tail);
	lg->limit = limit;
	if (limit >= 0 && (long long)out->len >= limit) {
		out->len = (size_t)limit;
		more = false;
	}
	lg->sent = (long long)out->len;
	return more;
}

static bool container_running(struct kl_log *lg)
{
	struct rt_state st;
	char err[128];
	return lg->s->rt && rt_container_state(lg->s->rt, lg->id, &st, err, sizeof err) == 0 &&
	       (st.status == RT_RUNNING || st.status == RT_CREATED || st.status == RT_CREATING);
}

/* Reads what the live file gained; follows a rotation (new inode). */
static bool poll_file(struct kl_log *lg, struct buf *out)
{
	bool more = true;
	if (lg->fd >= 0) {
		struct buf raw = {0};
		read_all(lg->fd, &raw);
		more = feed(lg, raw.data ? raw.data : "", raw.len, out);
		buf_free(&raw);
	}
	struct stat st;
	if (more && stat(lg->path, &st) == 0 && (lg->fd < 0 || st.st_ino != lg->ino)) {
		if (lg->fd >= 0)
			close(lg->fd);
		lg->fd = open(lg->path, O_RDONLY | O_CLOEXEC);
		lg->ino = st.st_ino;
		if (lg->fd >= 0) {
			struct buf raw = {0};
			read_all(lg->fd, &raw);
			more = feed(lg, raw.data ? raw.data : "", raw.len, out);
			buf_free(&raw);
		}
	}
	return more;
}

static void log_end(struct kl_log *lg)
{
	if (lg->done)
		lg->done(lg->s);
	else
		kl_finish(lg->s);
}

static void on_poll(uv_timer_t *t)
{
	struct kl_log *lg = t->data;
	struct kl_session *s = lg->s;
	if (s->io.pending(s->io.ud) > KL_HIGH_WATER)
		return; /* the client is slow: read later */
	/* Check the state before reading, so nothing written before the stop
	 * is missed. */
	bool check = ++lg->polls % LOG_STATE_EVERY == 0;
	bool running = !check || container_running(lg);
	struct buf out = {0};
	bool more = poll_file(lg, &out);
	int rc = lg->ws ? 0 : kl_write(s, out.data, out.len);
	buf_free(&out);
	if (rc < 0 || !more || !running)
		log_end(lg);
}

static struct kl_log *log_new(struct kl_session *s, const struct rt_state *st)
{
	struct kl_log *lg = calloc(1, sizeof *lg);
	if (!lg)
		return NULL;
	lg->s = s;
	lg->fd = -1;
	lg->tail = -1;
	lg->limit = -1;
	snprintf(lg->id, sizeof lg->id, "%s", st->id);
	snprintf(lg->path, sizeof lg->path, "%s", st->log_path);
	s->lg = lg;
	return lg;
}

static void follow_start(struct kl_log *lg)
{
	struct kl_session *s = lg->s;
	uv_timer_init(s->loop, &lg->timer);
	lg->timer.data = lg;
	lg->timer_open = true;
	s->handles++;
	uv_timer_start(&lg->timer, on_poll, LOG_POLL_MS, LOG_POLL_MS);
}

/* Reads the options; false when one is bad (answered). */
static bool options_parse(struct kl_session *s, struct kl_log *lg)
{
	char *v;
	lg->follow = kl_query_bool(s, "follow");
	lg->timestamps = kl_query_bool(s, "timestamps");
	if ((v = kl_query(s, "tailLines"))) {
		lg->tail = strtol(v, NULL, 10);
		free(v);
	}
	if ((v = kl_query(s, "limitBytes"))) {
		lg->limit = strtoll(v, NULL, 10);
		free(v);
		if (lg->limit < 1) {
			kl_fail_http(s, 400, "BadRequest", "limitBytes must be greater than zero");
			return false;
		}
	}
	if ((v = kl_query(s, "sinceSeconds"))) {
		long secs = strtol(v, NULL, 10);
		free(v);
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		lg->since_ns = ((int64_t)now.tv_sec - secs) * 1000000000 + now.tv_nsec;
	} else if ((v = kl_query(s, "sinceTime"))) {
		lg->since_ns = rfc3339_ns(v, strlen(v));
		free(v);
	}
	return true;
}

/* The kept log of the container's previous instance (podsync keeps it when
 * it restarts a container), as a stopped container's state. */
static int previous_state(struct kl_session *s, struct rt_state *st)
{
	memset(st, 0, sizeof *st);
	if (!s->rt || !s->uid[0])
		return -ENOENT;
	podsync_previous_log_path(rt_data_dir(s->rt), s->uid, s->container, st->log_path,
				  sizeof st->log_path);
	st->status = RT_STOPPED;
	return access(st->log_path, R_OK) == 0 ? 0 : -ENOENT;
}

void kl_log_serve(struct kl_session *s)
{
	struct rt_state st;
	bool previous = kl_query_bool(s, "previous");
	if (previous && previous_state(s, &st) < 0) {
		kl_fail_http(s, 400, "BadRequest",
			     "previous terminated container \"%s\" in pod \"%s\" not found",
			     s->container, s->pod);
		return;
	}
	if (!previous && kl_find_container(s, NULL, s->container, &st) < 0) {
		kl_fail_http(
		    s, 400, "BadRequest",
		    "container \"%s\" in pod \"%s\" is waiting to start: ContainerCreating",
		    s->container, s->pod);
		return;
	}
	struct kl_log *lg = log_new(s, &st);
	if (!lg) {
		kl_fail_http(s, 500, "InternalError", "out of memory");
		return;
	}
	if (!options_parse(s, lg))
		return;
	static const char head[] =
	    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n";
	struct buf out = {0};
	buf_append(&out, head, sizeof head - 1);
	struct buf body = {0};
	bool more = dump_existing(lg, &body);
	buf_append(&out, body.data ? body.data : "", body.len);
	buf_free(&body);
	int rc = kl_write(s, out.data, out.len);
	buf_free(&out);
	if (rc < 0 || !more || !lg->follow || previous || !container_running(lg)) {
		kl_finish(s);
		return;
	}
	follow_start(lg);
}

int kl_log_attach(struct kl_session *s, const struct rt_state *st,
		  void (*done)(struct kl_session *))
{
	struct kl_log *lg = log_new(s, st);
	if (!lg)
		return -ENOMEM;
	lg->ws = true;
	lg->done = done;
	lg->fd = open(lg->path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	if (lg->fd >= 0 && fstat(lg->fd, &sb) == 0) {
		lg->ino = sb.st_ino;
		lseek(lg->fd, 0, SEEK_END); /* attach shows what comes from now on */
	}
	follow_start(lg);
	return 0;
}

void kl_log_drained(struct kl_session *s)
{
	/* The poll timer reads again on its next tick. */
}

void kl_log_stop(struct kl_session *s)
{
	struct kl_log *lg = s->lg;
	if (!lg || lg->stopped)
		return;
	lg->stopped = true;
	if (lg->fd >= 0)
		close(lg->fd);
	lg->fd = -1;
	buf_free(&lg->line);
	if (lg->timer_open) {
		uv_timer_stop(&lg->timer);
		lg->timer.data = s;
		uv_close((uv_handle_t *)&lg->timer, kl_handle_closed);
	}
}
