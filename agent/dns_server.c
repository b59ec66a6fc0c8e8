/* agent/dns_server.c — the DNS server on the agent's loop: UDP and TCP on
 * one address, cluster names answered from the record store, everything
 * else forwarded to the upstream resolvers over one UDP socket, with a
 * fixed-size cache of their answers.
 *
 * The hot path allocates nothing: a datagram is read into the server's
 * buffer, answered into a second one and sent with uv_udp_try_send (a full
 * socket buffer drops the reply; the client retries). In-flight forwards
 * live in a fixed table indexed by the upstream query ID; a 250 ms tick
 * moves a query that timed out to the next upstream, then answers SERVFAIL.
 * TCP connections (DNS_TCP_MAX_CONNS, closed after DNS_TCP_IDLE_MS idle)
 * carry length-prefixed messages; their replies are written with a copy. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "agent/dns.h"

#define TICK_MS 250
#define SLOT_BITS 8 /* DNS_FWD_SLOTS == 1 << SLOT_BITS */
#define SLOT_QUERY 512
#define UDP_RCVBUF (1 << 20)

_Static_assert(DNS_FWD_SLOTS == 1 << SLOT_BITS, "slot index fits the low ID bits");

struct tcp_conn;

/* A query in flight upstream. A chase (an ExternalName's target, asked
 * for the client) keeps the client's own query in orig: the answer is the
 * CNAME followed by the target's records. */
struct fwd_slot {
	bool used, chase;
	uint16_t id_up, id_client, udp_size, qlen, olen;
	uint8_t attempt;
	uint32_t cname_ttl;
	uint64_t deadline;
	struct tcp_conn *conn; /* TCP client, or NULL: UDP client at addr */
	struct sockaddr_storage client;
	uint8_t query[SLOT_QUERY];
	uint8_t orig[SLOT_QUERY];
};

struct cache_ent {
	uint64_t stored_ms, expires_ms;
	uint16_t key_len, len;
	uint8_t key[262];
	uint8_t msg[DNS_CACHE_MSG];
};

struct listener {
	struct dns_server *s;
	uv_udp_t udp;
	uv_tcp_t tcp;
	int open; /* handles not yet closed */
};

struct tcp_conn {
	struct dns_server *s;
	struct tcp_conn *prev, *next;
	uv_tcp_t tcp;
	uv_timer_t idle;
	uint8_t *buf;
	size_t len, cap;
	int open;
};

struct dns_server {
	uv_loop_t *loop;
	const struct logger *log;
	struct dns_store *store;
	struct listener *lis;
	uv_udp_t up;
	uv_timer_t tick;
	char addr[INET6_ADDRSTRLEN];
	int port;
	struct sockaddr_storage upstreams[DNS_MAX_UPSTREAMS];
	size_t n_up;
	uint64_t rng;
	struct fwd_slot *slots;
	size_t next_slot, in_flight;
	struct cache_ent *cache;
	struct tcp_conn *conns;
	size_t n_conns;
	struct dns_server_stats st;
	bool stopping;
	uint8_t rbuf[DNS_TCP_MAX];
	uint8_t obuf[DNS_TCP_MAX + 2];
};

static uint64_t now_ms(const struct dns_server *s)
{
	return uv_now(s->loop);
}

static void set_id(uint8_t *msg, uint16_t id)
{
	msg[0] = (uint8_t)(id >> 8);
	msg[1] = (uint8_t)id;
}

static uint32_t rand32(struct dns_server *s)
{
	s->rng ^= s->rng << 13; /* xorshift64 */
	s->rng ^= s->rng >> 7;
	s->rng ^= s->rng << 17;
	return (uint32_t)(s->rng >> 16);
}

/* ---- upstreams ---- */

static int parse_hostport(const char *text, int default_port, struct sockaddr_storage *ss)
{
	char host[INET6_ADDRSTRLEN + 8];
	int port = default_port;
	snprintf(host, sizeof host, "%s", text);
	char *colon = strrchr(host, ':');
	if (colon && strchr(host, ':') == colon) { /* one colon: IPv4 with a port */
		*colon = '\0';
		port = atoi(colon + 1);
	}
	memset(ss, 0, sizeof *ss);
	if (uv_ip4_addr(host, port, (struct sockaddr_in *)ss) == 0)
		return 0;
	return uv_ip6_addr(host, port, (struct sockaddr_in6 *)ss) == 0 ? 0 : -EINVAL;
}

static void add_upstream(struct dns_server *s, const char *text)
{
	if (s->n_up < DNS_MAX_UPSTREAMS && !parse_hostport(text, DNS_PORT, &s->upstreams[s->n_up]))
		s->n_up++;
}

static void upstreams_from_resolv(struct dns_server *s, const char *path)
{
	FILE *f = fopen(path, "re");
	char line[512], ip[INET6_ADDRSTRLEN + 1];
	if (!f)
		return;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, " nameserver %46s", ip) == 1)
			add_upstream(s, ip);
	fclose(f);
}

static bool sockaddr_equal(const struct sockaddr_storage *a, const struct sockaddr *b)
{
	if (a->ss_family != b->sa_family)
		return false;
	if (b->sa_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
	return x->sin6_port == y->sin6_port && !memcmp(&x->sin6_addr, &y->sin6_addr, 16);
}

/* Our own address is never an upstream (that would loop). */
static void drop_own_address(struct dns_server *s)
{
	struct sockaddr_storage self;
	if (parse_hostport(s->addr, s->port, &self))
		return;
	for (size_t i = 0; i < s->n_up;) {
		if (sockaddr_equal(&s->upstreams[i], (struct sockaddr *)&self)) {
			memmove(&s->upstreams[i], &s->upstreams[i + 1],
				(s->n_up - i - 1) * sizeof s->upstreams[0]);
			s->n_up--;
		} else {
			i++;
		}
	}
}

/* ---- replies ---- */

static void conn_write(struct tcp_conn *c, const uint8_t *msg, size_t len);

struct reply_to {
	const struct sockaddr *addr; /* UDP */
	struct tcp_conn *conn;	     /* TCP */
};

static void reply(struct dns_server *s, const struct reply_to *to, const uint8_t *msg, size_t len)
{
	if (!len)
		return;
	if (to->conn) {
		conn_write(to->conn, msg, len);
		return;
	}
	if (!s->lis)
		return;
	uv_buf_t b = uv_buf_init((char *)msg, (unsigned)len);
	if (uv_udp_try_send(&s->lis->udp, &b, 1, to->addr) < 0)
		s->st.dropped++;
}

/* ---- cache ---- */

/* The cache key: the query's lowercased name, type and class, and the
 * flags that change an answer's shape (EDNS, DO, CD). */
static size_t cache_key(const struct dns_query *q, uint8_t key[262])
{
	memcpy(key, q->key, q->key_len);
	key[q->key_len] = (uint8_t)(q->edns | q->dnssec_ok << 1 | (q->flags & 0x10) << 2);
	return q->key_len + 1;
}

static uint32_t key_hash(const uint8_t *key, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ key[i]) * 16777619u;
	return h;
}

/* Two-way set associative: a key lives in one of two neighbouring slots. */
static struct cache_ent *cache_find(struct dns_server *s, const uint8_t *key, size_t n)
{
	size_t i = key_hash(key, n) % DNS_CACHE_SLOTS & ~(size_t)1;
	for (size_t k = i; k < i + 2; k++) {
		struct cache_ent *e = &s->cache[k];
		if (e->len && e->key_len == n && !memcmp(e->key, key, n))
			return e;
	}
	return NULL;
}

static void cache_store(struct dns_server *s, const struct dns_query *q, const uint8_t *msg,
			size_t len)
{
	uint8_t key[262];
	uint32_t ttl;
	uint8_t rcode = msg[3] & 0xF;
	if (len > DNS_CACHE_MSG || msg[2] & 0x02 ||
	    (rcode != DNS_R_NOERROR && rcode != DNS_R_NXDOMAIN) ||
	    dns_msg_min_ttl(msg, len, &ttl) || ttl == 0)
		return;
	size_t n = cache_key(q, key);
	struct cache_ent *e = cache_find(s, key, n);
	if (!e) {
		size_t i = key_hash(key, n) % DNS_CACHE_SLOTS & ~(size_t)1;
		struct cache_ent *a = &s->cache[i], *b = &s->cache[i + 1];
		e = a->expires_ms <= b->expires_ms ? a : b; /* the sooner to expire goes */
	}
	ttl = ttl > DNS_CACHE_MAX_TTL ? DNS_CACHE_MAX_TTL : ttl;
	e->stored_ms = now_ms(s);
	e->expires_ms = e->stored_ms + ttl * 1000ull;
	e->key_len = (uint16_t)n;
	memcpy(e->key, key, n);
	e->len = (uint16_t)len;
	memcpy(e->msg, msg, len);
}

/* Sends msg (an upstream answer in the client's question) to a client whose
 * limit is udp_size, or a truncated header-and-question when it is over. */
static void reply_forwarded(struct dns_server *s, const struct reply_to *to, uint8_t *msg,
			    size_t len, size_t qend, uint16_t udp_size)
{
	if (!to->conn && len > udp_size) {
		if (qend > len)
			return;
		msg[2] |= 0x02; /* TC: the client retries over TCP */
		memset(msg + 6, 0, 6);
		len = qend;
	}
	reply(s, to, msg, len);
}

static bool cache_answer(struct dns_server *s, const uint8_t *query, const struct dns_query *q,
			 const struct reply_to *to, uint16_t udp_size)
{
	uint8_t key[262];
	size_t n = cache_key(q, key);
	struct cache_ent *e = cache_find(s, key, n);
	uint64_t now = now_ms(s);
	if (!e || e->expires_ms <= now)
		return false;
	memcpy(s->obuf, e->msg, e->len);
	memcpy(s->obuf, query, 2);			/* the client's ID */
	memcpy(s->obuf + 12, query + 12, q->qend - 12); /* and its question's case */
	dns_msg_age(s->obuf, e->len, (uint32_t)((now - e->stored_ms) / 1000));
	s->st.cache_hits++;
	reply_forwarded(s, to, s->obuf, e->len, q->qend, udp_size);
	return true;
}

/* ---- forwarding ---- */

static void slot_free(struct dns_server *s, struct fwd_slot *f)
{
	f->used = false;
	f->conn = NULL;
	s->in_flight--;
}

static int slot_send(struct dns_server *s, struct fwd_slot *f)
{
	const struct sockaddr_storage *up = &s->upstreams[f->attempt];
	uv_buf_t b = uv_buf_init((char *)f->query, f->qlen);
	f->deadline = now_ms(s) + DNS_FWD_TIMEOUT_MS;
	int rc = uv_udp_try_send(&s->up, &b, 1, (const struct sockaddr *)up);
	return rc < 0 ? rc : 0;
}

static void slot_reply_error(struct dns_server *s, struct fwd_slot *f, uint8_t rcode)
{
	struct dns_query q;
	struct reply_to to = {(struct sockaddr *)&f->client, f->conn};
	uint8_t *msg = f->chase ? f->orig : f->query;
	size_t len = f->chase ? f->olen : f->qlen;
	set_id(msg, f->id_client);
	if (dns_query_parse(msg, len, &q) == 0) {
		size_t n = dns_reply_error(s->obuf, sizeof s->obuf, msg, &q, rcode);
		reply(s, &to, s->obuf, n);
	}
	s->st.servfail++;
	slot_free(s, f);
}

static struct fwd_slot *slot_take(struct dns_server *s)
{
	for (size_t k = 0; k < DNS_FWD_SLOTS; k++) {
		size_t i = (s->next_slot + k) % DNS_FWD_SLOTS;
		if (!s->slots[i].used) {
			s->next_slot = i + 1;
			s->in_flight++;
			struct fwd_slot *f = &s->slots[i];
			f->used = true;
			f->chase = false;
			/* random high bits: an off-path answer must guess them */
			f->id_up = (uint16_t)(rand32(s) << SLOT_BITS | i);
			return f;
		}
	}
	return NULL;
}

/* A slot for the client's query (msg), or NULL after answering SERVFAIL. */
static struct fwd_slot *slot_for(struct dns_server *s, const uint8_t *msg, size_t len,
				 const struct dns_query *q, const struct reply_to *to,
				 uint16_t udp_size)
{
	struct fwd_slot *f = s->n_up && len <= SLOT_QUERY ? slot_take(s) : NULL;
	if (!f) {
		s->st.servfail++;
		reply(s, to, s->obuf,
		      dns_reply_error(s->obuf, sizeof s->obuf, msg, q, DNS_R_SERVFAIL));
		return NULL;
	}
	f->id_client = q->id;
	f->udp_size = udp_size;
	f->attempt = 0;
	f->conn = to->conn;
	if (!to->conn)
		memcpy(&f->client, to->addr,
		       to->addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
						       : sizeof(struct sockaddr_in));
	return f;
}

static void slot_start(struct dns_server *s, struct fwd_slot *f)
{
	set_id(f->query, f->id_up);
	s->st.forwarded++;
	while (slot_send(s, f) < 0) { /* unreachable now: try the next one */
		if (++f->attempt >= s->n_up) {
			slot_reply_error(s, f, DNS_R_SERVFAIL);
			return;
		}
	}
}

static void forward(struct dns_server *s, const uint8_t *msg, size_t len, const struct dns_query *q,
		    const struct reply_to *to, uint16_t udp_size)
{
	struct fwd_slot *f = slot_for(s, msg, len, q, to, udp_size);
	if (!f)
		return;
	memcpy(f->query, msg, len);
	f->qlen = (uint16_t)len;
	slot_start(s, f);
}

/* An ExternalName answer (one CNAME) for an address query: the target is
 * asked upstream and its records follow the CNAME, as CoreDNS does, since
 * stub resolvers do not chase a CNAME themselves. False: answer as is. */
static bool chase_cname(struct dns_server *s, const uint8_t *msg, size_t len,
			const struct dns_query *q, const struct reply_to *to, uint16_t udp_size,
			size_t n)
{
	char target[256];
	size_t pos = dns_msg_records(s->obuf, n), next;
	if ((q->qtype != DNS_T_A && q->qtype != DNS_T_AAAA) || !pos || s->obuf[7] != 1 ||
	    s->obuf[6] || (s->obuf[3] & 15) || dns_name_read(s->obuf, n, pos, target, &next) ||
	    next + 10 > n || s->obuf[next] != 0 || s->obuf[next + 1] != DNS_T_CNAME ||
	    dns_name_read(s->obuf, n, next + 10, target, &pos))
		return false;
	uint32_t ttl = (uint32_t)s->obuf[next + 4] << 24 | (uint32_t)s->obuf[next + 5] << 16 |
		       (uint32_t)s->obuf[next + 6] << 8 | s->obuf[next + 7];
	uint8_t tq[SLOT_QUERY], probe[512];
	struct dns_query tdq;
	size_t tl = dns_query_build(tq, sizeof tq, 0, target, q->qtype, true);
	if (!tl || dns_query_parse(tq, tl, &tdq) ||
	    dns_store_answer(s->store, tq, &tdq, probe, sizeof probe))
		return false; /* a name in the cluster zone: the CNAME alone */
	struct fwd_slot *f = slot_for(s, msg, len, q, to, udp_size);
	if (!f)
		return true;
	f->chase = true;
	f->cname_ttl = ttl;
	memcpy(f->orig, msg, len);
	f->olen = (uint16_t)len;
	memcpy(f->query, tq, tl);
	f->qlen = (uint16_t)tl;
	slot_start(s, f);
	return true;
}

/* The client's answer to a chase: its question, the CNAME, the target's
 * answer records, the upstream's rcode. */
static void reply_chase(struct dns_server *s, struct fwd_slot *f, const uint8_t *up, size_t len,
			const struct dns_query *tq)
{
	struct dns_query q;
	struct dns_writer w;
	struct reply_to to = {(struct sockaddr *)&f->client, f->conn};
	if (dns_query_parse(f->orig, f->olen, &q))
		return;
	dns_writer_start(&w, s->obuf, f->udp_size, f->orig, &q, 0, false);
	dns_put_name(&w, DNS_ANSWER, NULL, DNS_T_CNAME, f->cname_ttl, tq->name);
	size_t pos = dns_msg_records(up, len);
	for (unsigned i = 0, an = (unsigned)(up[6] << 8 | up[7]); pos && i < an; i++)
		if (dns_put_copy(&w, DNS_ANSWER, up, len, &pos) == -EINVAL)
			break;
	reply(s, &to, s->obuf, dns_writer_finish(&w, up[3] & 15));
}

static void on_upstream(uv_udp_t *h, ssize_t nread, const uv_buf_t *buf,
			const struct sockaddr *addr, unsigned flags)
{
	struct dns_server *s = h->data;
	uint8_t *msg = (uint8_t *)buf->base;
	size_t len = (size_t)nread;
	if (nread < 12 || !addr || flags & UV_UDP_PARTIAL || !(msg[2] & 0x80))
		return;
	uint16_t id = (uint16_t)(msg[0] << 8 | msg[1]);
	struct fwd_slot *f = &s->slots[id & (DNS_FWD_SLOTS - 1)];
	if (!f->used || f->id_up != id || !sockaddr_equal(&s->upstreams[f->attempt], addr))
		return;
	struct dns_query q;
	/* the answer must carry our question, byte for byte */
	if (dns_query_parse(f->query, f->qlen, &q) || len < q.qend ||
	    memcmp(msg + 4, f->query + 4, 2) || memcmp(msg + 12, f->query + 12, q.qend - 12))
		return;
	cache_store(s, &q, msg, len);
	set_id(msg, f->id_client);
	struct reply_to to = {(struct sockaddr *)&f->client, f->conn};
	if (f->chase)
		reply_chase(s, f, msg, len, &q);
	else
		reply_forwarded(s, &to, msg, len, q.qend, f->udp_size);
	slot_free(s, f);
}

static void on_tick(uv_timer_t *t)
{
	struct dns_server *s = t->data;
	uint64_t now = now_ms(s);
	if (!s->in_flight)
		return;
	for (size_t i = 0; i < DNS_FWD_SLOTS; i++) {
		struct fwd_slot *f = &s->slots[i];
		if (!f->used || f->deadline > now)
			continue;
		bool sent = false;
		while (!sent && ++f->attempt < s->n_up)
			sent = slot_send(s, f) == 0;
		if (!sent)
			slot_reply_error(s, f, DNS_R_SERVFAIL);
	}
}

/* ---- queries ---- */

static void handle_query(struct dns_server *s, const uint8_t *msg, size_t len,
			 const struct reply_to *to)
{
	struct dns_query q;
	s->st.queries++;
	if (dns_query_parse(msg, len, &q)) {
		s->st.dropped++;
		return;
	}
	uint16_t limit = to->conn ? DNS_TCP_MAX : q.udp_size;
	if (q.rcode) {
		reply(s, to, s->obuf, dns_reply_error(s->obuf, sizeof s->obuf, msg, &q, q.rcode));
		return;
	}
	size_t n = dns_store_answer(s->store, msg, &q, s->obuf, limit);
	if (n) {
		s->st.answered_local++;
		if (!chase_cname(s, msg, len, &q, to, limit, n))
			reply(s, to, s->obuf, n);
		return;
	}
	if (!cache_answer(s, msg, &q, to, limit))
		forward(s, msg, len, &q, to, limit);
}

/* One receive buffer serves every datagram: libuv hands it to the read
 * callback before it asks for the next. */
static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct dns_server *s = ((struct listener *)h->data)->s;
	(void)suggested;
	*buf = uv_buf_init((char *)s->rbuf, sizeof s->rbuf);
}

static void on_udp(uv_udp_t *h, ssize_t nread, const uv_buf_t *buf, const struct sockaddr *addr,
		   unsigned flags)
{
	struct dns_server *s = ((struct listener *)h->data)->s;
	if (nread <= 0 || !addr || s->stopping)
		return;
	if (flags & UV_UDP_PARTIAL) {
		s->st.dropped++;
		return;
	}
	struct reply_to to = {addr, NULL};
	handle_query(s, (const uint8_t *)buf->base, (size_t)nread, &to);
}

/* ---- TCP ---- */

static void conn_closed(uv_handle_t *h)
{
	struct tcp_conn *c = h->data;
	if (--c->open)
		return;
	free(c->buf);
	free(c);
}

static void conn_close(struct tcp_conn *c)
{
	struct dns_server *s = c->s;
	if (!c->s)
		return;
	for (size_t i = 0; i < DNS_FWD_SLOTS; i++) /* its answers have nowhere to go */
		if (s->slots[i].used && s->slots[i].conn == c)
			slot_free(s, &s->slots[i]);
	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->n_conns--;
	c->s = NULL;
	uv_close((uv_handle_t *)&c->tcp, conn_closed);
	uv_close((uv_handle_t *)&c->idle, conn_closed);
}

static void on_conn_idle(uv_timer_t *t)
{
	conn_close(t->data);
}

static void on_written(uv_write_t *req, int status)
{
	(void)status;
	free(req);
}

static void conn_write(struct tcp_conn *c, const uint8_t *msg, size_t len)
{
	uv_write_t *req = malloc(sizeof *req + 2 + len);
	if (!req)
		return;
	uint8_t *p = (uint8_t *)(req + 1);
	p[0] = (uint8_t)(len >> 8);
	p[1] = (uint8_t)len;
	memcpy(p + 2, msg, len);
	uv_buf_t b = uv_buf_init((char *)p, (unsigned)(len + 2));
	if (uv_write(req, (uv_stream_t *)&c->tcp, &b, 1, on_written))
		free(req);
}

static void on_conn_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct tcp_conn *c = h->data;
	(void)suggested;
	if (c->cap - c->len < 4096 && c->cap < 2 + DNS_TCP_MAX) {
		size_t cap = c->cap ? c->cap * 2 : 4096;
		cap = cap > 2 + DNS_TCP_MAX ? 2 + DNS_TCP_MAX : cap;
		uint8_t *nb = realloc(c->buf, cap);
		if (nb) {
			c->buf = nb;
			c->cap = cap;
		}
	}
	*buf = uv_buf_init((char *)c->buf + c->len, (unsigned)(c->cap - c->len));
}

static void on_conn_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf)
{
	struct tcp_conn *c = st->data;
	(void)buf;
	if (nread < 0 || !c->s) {
		conn_close(c);
		return;
	}
	c->len += (size_t)nread;
	size_t off = 0;
	while (c->s && c->len - off >= 2) {
		size_t n = (size_t)(c->buf[off] << 8 | c->buf[off + 1]);
		if (c->len - off < 2 + n)
			break;
		struct reply_to to = {NULL, c};
		handle_query(c->s, c->buf + off + 2, n, &to);
		off += 2 + n;
	}
	memmove(c->buf, c->buf + off, c->len - off);
	c->len -= off;
	if (c->s)
		uv_timer_again(&c->idle);
}

static void on_connection(uv_stream_t *server, int status)
{
	struct dns_server *s = ((struct listener *)server->data)->s;
	struct tcp_conn *c = status == 0 ? calloc(1, sizeof *c) : NULL;
	if (!c)
		return;
	c->s = s;
	c->open = 2;
	uv_tcp_init(s->loop, &c->tcp);
	uv_timer_init(s->loop, &c->idle);
	c->tcp.data = c->idle.data = c;
	c->next = s->conns;
	if (s->conns)
		s->conns->prev = c;
	s->conns = c;
	s->n_conns++;
	if (uv_accept(server, (uv_stream_t *)&c->tcp) || s->n_conns > DNS_TCP_MAX_CONNS ||
	    uv_read_start((uv_stream_t *)&c->tcp, on_conn_alloc, on_conn_read)) {
		conn_close(c);
		return;
	}
	uv_timer_start(&c->idle, on_conn_idle, DNS_TCP_IDLE_MS, DNS_TCP_IDLE_MS);
}

/* ---- listening ---- */

static void listener_closed(uv_handle_t *h)
{
	struct listener *l = h->data;
	if (--l->open == 0)
		free(l);
}

static void listener_close(struct listener *l)
{
	if (!l)
		return;
	uv_close((uv_handle_t *)&l->udp, listener_closed);
	uv_close((uv_handle_t *)&l->tcp, listener_closed);
}

static int listener_open(struct dns_server *s, const struct sockaddr *sa, struct listener **out)
{
	struct listener *l = calloc(1, sizeof *l);
	if (!l)
		return -ENOMEM;
	l->s = s;
	l->open = 2;
	uv_udp_init(s->loop, &l->udp);
	uv_tcp_init(s->loop, &l->tcp);
	l->udp.data = l->tcp.data = l;
	int rc = uv_udp_bind(&l->udp, sa, 0);
	struct sockaddr_storage bound;
	int blen = sizeof bound;
	if (rc == 0 && (rc = uv_udp_getsockname(&l->udp, (struct sockaddr *)&bound, &blen)) == 0) {
		int rcvbuf = UDP_RCVBUF;
		uv_recv_buffer_size((uv_handle_t *)&l->udp, &rcvbuf);
		rc = uv_tcp_bind(&l->tcp, (struct sockaddr *)&bound, 0);
	}
	rc = rc ? rc : uv_listen((uv_stream_t *)&l->tcp, 128, on_connection);
	rc = rc ? rc : uv_udp_recv_start(&l->udp, on_alloc, on_udp);
	if (rc) {
		listener_close(l);
		return rc;
	}
	s->port = ntohs(((struct sockaddr_in *)&bound)->sin_port); /* same offset for v6 */
	*out = l;
	return 0;
}

int dns_server_listen(struct dns_server *s, const char *ip, int port)
{
	struct sockaddr_storage sa;
	struct listener *l;
	if (uv_ip4_addr(ip, port, (struct sockaddr_in *)&sa) &&
	    uv_ip6_addr(ip, port, (struct sockaddr_in6 *)&sa))
		return -EINVAL;
	int rc = listener_open(s, (struct sockaddr *)&sa, &l);
	if (rc)
		return rc;
	listener_close(s->lis);
	s->lis = l;
	snprintf(s->addr, sizeof s->addr, "%s", ip);
	drop_own_address(s);
	log_info(s->log, "dns", "listening address=%s port=%d upstreams=%zu", s->addr, s->port,
		 s->n_up);
	return 0;
}

int dns_server_port(const struct dns_server *s)
{
	return s->lis ? s->port : 0;
}

const char *dns_server_address(const struct dns_server *s)
{
	return s->lis ? s->addr : "";
}

struct dns_store *dns_server_store(struct dns_server *s)
{
	return s->store;
}

void dns_server_get_stats(const struct dns_server *s, struct dns_server_stats *st)
{
	*st = s->st;
}

/* ---- lifecycle ---- */

static void up_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct dns_server *s = h->data;
	(void)suggested;
	*buf = uv_buf_init((char *)s->rbuf, sizeof s->rbuf);
}

int dns_server_new(uv_loop_t *loop, const struct dns_server_config *cfg, struct dns_server **out)
{
	struct dns_server *s = calloc(1, sizeof *s);
	if (!s)
		return -ENOMEM;
	s->loop = loop;
	s->log = cfg->log;
	s->slots = calloc(DNS_FWD_SLOTS, sizeof *s->slots);
	s->cache = calloc(DNS_CACHE_SLOTS, sizeof *s->cache);
	int rc = s->slots && s->cache ? dns_store_new(cfg->zone, cfg->ttl, &s->store) : -ENOMEM;
	if (rc) {
		free(s->slots);
		free(s->cache);
		free(s);
		return rc;
	}
	if (getrandom(&s->rng, sizeof s->rng, 0) != sizeof s->rng || !s->rng)
		s->rng = 0x9E3779B97F4A7C15ull ^ (uint64_t)(uintptr_t)s;
	if (cfg->upstreams)
		for (size_t i = 0; cfg->upstreams[i]; i++)
			add_upstream(s, cfg->upstreams[i]);
	else
		upstreams_from_resolv(s, cfg->resolv_conf ? cfg->resolv_conf : "/etc/resolv.conf");
	uv_udp_init(loop, &s->up);
	uv_timer_init(loop, &s->tick);
	s->up.data = s->tick.data = s;
	struct sockaddr_in any;
	uv_ip4_addr("0.0.0.0", 0, &any);
	rc = uv_udp_bind(&s->up, (struct sockaddr *)&any, 0);
	rc = rc ? rc : uv_udp_recv_start(&s->up, up_alloc, on_upstream);
	uv_timer_start(&s->tick, on_tick, TICK_MS, TICK_MS);
	*out = s;
	if (rc)
		log_warn(s->log, "dns", "cannot open the upstream socket: %s", uv_strerror(rc));
	return 0;
}

void dns_server_stop(struct dns_server *s)
{
	if (!s || s->stopping)
		return;
	s->stopping = true;
	listener_close(s->lis);
	s->lis = NULL;
	while (s->conns)
		conn_close(s->conns);
	uv_close((uv_handle_t *)&s->up, NULL);
	uv_close((uv_handle_t *)&s->tick, NULL);
}

void dns_server_free(struct dns_server *s)
{
	if (!s)
		return;
	dns_store_free(s->store);
	free(s->slots);
	free(s->cache);
	free(s);
}
