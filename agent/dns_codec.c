/* agent/dns_codec.c — the DNS wire format (RFC 1035, EDNS0 RFC 6891):
 * parsing a query, writing an answer with name compression, and walking the
 * records of a forwarded answer to read and age its TTLs. Pure functions on
 * caller buffers: nothing here allocates, and every read is bounded by the
 * message length, so malformed packets are rejected without harm. */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "agent/dns.h"

#define HDR 12
#define MAX_POINTERS 32 /* a longer chain is a loop */

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static bool label_char_plain(uint8_t c)
{
	return isalnum(c) || c == '-' || c == '_';
}

/* ---- reading ---- */

int dns_name_read(const uint8_t *msg, size_t len, size_t off, char out[256], size_t *next)
{
	size_t o = 0, pos = off;
	int jumps = 0;
	bool jumped = false;
	while (pos < len) {
		uint8_t l = msg[pos];
		if (l == 0) {
			if (!jumped)
				*next = pos + 1;
			out[o ? o - 1 : 0] = '\0';
			return 0;
		}
		if ((l & 0xC0) == 0xC0) {
			if (pos + 1 >= len || ++jumps > MAX_POINTERS)
				return -EINVAL;
			if (!jumped)
				*next = pos + 2;
			jumped = true;
			pos = (size_t)(get16(msg + pos) & 0x3FFF);
			continue;
		}
		if (l & 0xC0 || pos + 1 + l > len || o + l + 1 > 255)
			return -EINVAL;
		memcpy(out + o, msg + pos + 1, l);
		o += l;
		out[o++] = '.';
		pos += 1 + l;
	}
	return -EINVAL;
}

/* The question name: uncompressed labels only (a query has nothing to point
 * at), copied as dotted text and as a lowercased wire key. */
static int question_name(const uint8_t *msg, size_t len, size_t *pos, struct dns_query *q)
{
	size_t p = *pos, o = 0, k = 0;
	q->plain = true;
	for (;;) {
		if (p >= len)
			return -EINVAL;
		uint8_t l = msg[p];
		if (l == 0)
			break;
		if (l & 0xC0 || p + 1 + l > len || k + 1 + l + 1 > 255)
			return -EINVAL;
		q->key[k++] = l;
		for (size_t i = 0; i < l; i++) {
			uint8_t c = msg[p + 1 + i];
			q->plain = q->plain && label_char_plain(c);
			q->name[o++] = (char)c;
			q->key[k++] = (uint8_t)tolower(c);
		}
		q->name[o++] = '.';
		p += 1 + l;
	}
	q->name_len = o ? o - 1 : 0;
	q->name[q->name_len] = '\0';
	q->key[k++] = 0;
	q->key_len = k;
	*pos = p + 1;
	return 0;
}

/* Skips a name in place (compression allowed); 0 or -EINVAL. */
static int name_skip(const uint8_t *msg, size_t len, size_t *pos)
{
	size_t p = *pos;
	while (p < len) {
		uint8_t l = msg[p];
		if (l == 0) {
			*pos = p + 1;
			return 0;
		}
		if ((l & 0xC0) == 0xC0) {
			if (p + 2 > len)
				return -EINVAL;
			*pos = p + 2;
			return 0;
		}
		if (l & 0xC0)
			return -EINVAL;
		p += 1 + (size_t)l;
	}
	return -EINVAL;
}

/* The OPT record in the additional section gives the client's UDP size and
 * the DO bit; anything there that does not parse makes the query FORMERR. */
static int read_additional(const uint8_t *msg, size_t len, size_t pos, uint16_t arcount,
			   struct dns_query *q)
{
	for (uint16_t i = 0; i < arcount; i++) {
		if (name_skip(msg, len, &pos) || pos + 10 > len)
			return -EINVAL;
		uint16_t type = get16(msg + pos), rdlen = get16(msg + pos + 8);
		if (pos + 10 + rdlen > len)
			return -EINVAL;
		if (type == DNS_T_OPT) {
			if (q->edns)
				return -EINVAL; /* two OPT records: FORMERR (RFC 6891 6.1.1) */
			uint16_t size = get16(msg + pos + 2);
			q->edns = true;
			q->udp_size = size < 512 ? 512 : size > DNS_UDP_MAX ? DNS_UDP_MAX : size;
			q->dnssec_ok = msg[pos + 6] & 0x80;
		}
		pos += 10 + rdlen;
	}
	return 0;
}

int dns_query_parse(const uint8_t *msg, size_t len, struct dns_query *q)
{
	memset(q, 0, offsetof(struct dns_query, name));
	q->name[0] = '\0';
	q->key_len = 0;
	q->udp_size = 512;
	if (len < HDR)
		return -EINVAL;
	q->id = get16(msg);
	q->flags = get16(msg + 2);
	if (q->flags & 0x8000)
		return -EINVAL; /* a response: never answer one (reflection loops) */
	uint16_t qd = get16(msg + 4), an = get16(msg + 6), ns = get16(msg + 8);
	uint16_t ar = get16(msg + 10);
	q->qend = HDR;
	if ((q->flags >> 11 & 0xF) != 0) {
		q->rcode = DNS_R_NOTIMP;
		return 0;
	}
	if (qd != 1 || an || ns) {
		q->rcode = DNS_R_FORMERR;
		return 0;
	}
	size_t pos = HDR;
	if (question_name(msg, len, &pos, q) || pos + 4 > len) {
		q->rcode = DNS_R_FORMERR;
		return 0;
	}
	q->qtype = get16(msg + pos);
	q->qclass = get16(msg + pos + 2);
	q->qend = pos + 4;
	q->has_question = true;
	memcpy(q->key + q->key_len, msg + pos, 4);
	q->key_len += 4;
	if (read_additional(msg, len, q->qend, ar, q))
		q->rcode = DNS_R_FORMERR;
	return 0;
}

/* ---- writing ---- */

/* Whether the name at off in the message equals labels text[0..n) (dotted,
 * case-insensitive), label by label. */
static bool wire_name_equals(const uint8_t *msg, size_t len, size_t off, const char *text, size_t n)
{
	size_t t = 0;
	int jumps = 0;
	while (off < len) {
		uint8_t l = msg[off];
		if ((l & 0xC0) == 0xC0) {
			if (off + 1 >= len || ++jumps > MAX_POINTERS)
				return false;
			off = get16(msg + off) & 0x3FFF;
			continue;
		}
		if (l == 0)
			return t >= n;
		if (t >= n)
			return false;
		size_t ll = strcspn(text + t, ".");
		ll = t + ll > n ? n - t : ll;
		if (ll != l || off + 1 + l > len ||
		    strncasecmp((const char *)msg + off + 1, text + t, l))
			return false;
		t += ll + 1;
		off += 1 + l;
	}
	return false;
}

/* An earlier name (or one of its suffixes) equal to text[0..n). */
static int find_suffix(const struct dns_writer *w, const char *text, size_t n)
{
	for (size_t i = 0; i < w->n_names; i++) {
		size_t off = w->names[i];
		/* try this name and each of its suffixes, in place */
		while (off < w->len && w->buf[off] && (w->buf[off] & 0xC0) != 0xC0) {
			if (wire_name_equals(w->buf, w->len, off, text, n))
				return (int)off;
			off += 1 + w->buf[off];
		}
	}
	return -1;
}

/* Writes a dotted name, pointing at the longest suffix already written. */
static int put_name(struct dns_writer *w, const char *name)
{
	size_t n = strlen(name), start = w->len;
	if (n && name[n - 1] == '.')
		n--;
	for (size_t t = 0;;) {
		int at = t < n && !w->no_compress ? find_suffix(w, name + t, n - t) : -1;
		if (at >= 0) {
			if (w->len + 2 > w->limit)
				return -ENOSPC;
			put16(w->buf + w->len, (uint16_t)(0xC000 | at));
			w->len += 2;
			break;
		}
		if (t >= n) {
			if (w->len + 1 > w->limit)
				return -ENOSPC;
			w->buf[w->len++] = 0;
			break;
		}
		size_t l = strcspn(name + t, ".");
		l = t + l > n ? n - t : l;
		if (l == 0 || l > 63 || w->len + 1 + l > w->limit || w->len - start + 1 + l > 254)
			return l == 0 || l > 63 ? -EINVAL : -ENOSPC;
		w->buf[w->len] = (uint8_t)l;
		memcpy(w->buf + w->len + 1, name + t, l);
		w->len += 1 + l;
		t += l + 1;
	}
	if (start < 0x3FFF && w->n_names < DNS_COMPRESS_MAX && w->buf[start] &&
	    (w->buf[start] & 0xC0) != 0xC0)
		w->names[w->n_names++] = (uint16_t)start;
	return 0;
}

void dns_writer_start(struct dns_writer *w, uint8_t *buf, size_t cap, const uint8_t *query,
		      const struct dns_query *q, uint8_t rcode, bool authoritative)
{
	memset(w, 0, sizeof *w);
	w->buf = buf;
	w->cap = cap;
	w->edns = q->edns;
	w->limit = cap > 11 && q->edns ? cap - 11 : cap;
	size_t qlen = q->has_question ? q->qend - HDR : 0;
	if (cap < HDR + qlen) {
		w->limit = 0; /* dns_writer_finish returns 0: nothing sensible fits */
		return;
	}
	put16(buf, q->id);
	/* QR, the query's opcode and RD; RA: we recurse for names outside the zone */
	uint16_t flags = (uint16_t)(0x8000 | (q->flags & 0x7900) | 0x0080 | (rcode & 0xF));
	if (authoritative)
		flags |= 0x0400;
	put16(buf + 2, flags);
	memset(buf + 4, 0, 8);
	if (qlen) {
		put16(buf + 4, 1);
		memcpy(buf + HDR, query + HDR, qlen);
		w->names[w->n_names++] = HDR;
	}
	w->len = HDR + qlen;
}

/* Owner, type, class IN, ttl and a placeholder rdlength; returns the offset
 * of rdlength, or -ENOSPC. */
static int put_rr_head(struct dns_writer *w, const char *owner, uint16_t type, uint32_t ttl)
{
	if (!owner) {
		if (w->len + 2 > w->limit)
			return -ENOSPC;
		put16(w->buf + w->len, 0xC000 | HDR);
		w->len += 2;
	} else {
		int rc = put_name(w, owner);
		if (rc)
			return rc;
	}
	if (w->len + 10 > w->limit)
		return -ENOSPC;
	put16(w->buf + w->len, type);
	put16(w->buf + w->len + 2, 1);
	put32(w->buf + w->len + 4, ttl);
	w->len += 10;
	return (int)(w->len - 2);
}

struct rr_mark {
	size_t len, n_names;
};

static struct rr_mark rr_begin(const struct dns_writer *w)
{
	return (struct rr_mark){w->len, w->n_names};
}

/* Completes a record (rc 0) or rolls it back; TC when an answer or
 * authority record did not fit. */
static int rr_end(struct dns_writer *w, struct rr_mark m, enum dns_section s, int rdlen_at, int rc)
{
	if (rc == 0 && rdlen_at >= 0) {
		put16(w->buf + rdlen_at, (uint16_t)(w->len - (size_t)rdlen_at - 2));
		w->count[s]++;
		return 0;
	}
	w->len = m.len;
	w->n_names = m.n_names;
	if (rc == -ENOSPC && s != DNS_ADDITIONAL)
		w->tc = true;
	return rc;
}

static int put_raw(struct dns_writer *w, const void *p, size_t n)
{
	if (w->len + n > w->limit)
		return -ENOSPC;
	memcpy(w->buf + w->len, p, n);
	w->len += n;
	return 0;
}

/* Once an answer was cut, later records are left out too (a client that
 * sees TC retries over TCP; a partial tail would only mislead). */
#define RR_OPEN(w, s)                                                                              \
	if ((w)->tc || (w)->limit == 0)                                                            \
		return -ENOSPC;                                                                    \
	struct rr_mark m_ = rr_begin(w);                                                           \
	(void)(s)

int dns_put_addr(struct dns_writer *w, enum dns_section s, const char *owner, uint32_t ttl,
		 int family, const uint8_t *addr)
{
	RR_OPEN(w, s);
	int at = put_rr_head(w, owner, family == AF_INET ? DNS_T_A : DNS_T_AAAA, ttl);
	int rc = at < 0 ? at : put_raw(w, addr, family == AF_INET ? 4 : 16);
	return rr_end(w, m_, s, at, rc);
}

int dns_put_name(struct dns_writer *w, enum dns_section s, const char *owner, uint16_t type,
		 uint32_t ttl, const char *target)
{
	RR_OPEN(w, s);
	int at = put_rr_head(w, owner, type, ttl);
	int rc = at < 0 ? at : put_name(w, target);
	return rr_end(w, m_, s, at, rc);
}

int dns_put_srv(struct dns_writer *w, enum dns_section s, const char *owner, uint32_t ttl,
		uint16_t priority, uint16_t weight, uint16_t port, const char *target)
{
	RR_OPEN(w, s);
	uint8_t fixed[6];
	put16(fixed, priority);
	put16(fixed + 2, weight);
	put16(fixed + 4, port);
	int at = put_rr_head(w, owner, DNS_T_SRV, ttl);
	int rc = at < 0 ? at : put_raw(w, fixed, sizeof fixed);
	/* RFC 2782: the target is not compressed (others may point at it) */
	w->no_compress = true;
	rc = rc ? rc : put_name(w, target);
	w->no_compress = false;
	return rr_end(w, m_, s, at, rc);
}

int dns_put_soa(struct dns_writer *w, enum dns_section s, const char *zone, uint32_t ttl,
		uint32_t serial)
{
	char mname[300], rname[300];
	uint8_t fixed[20];
	snprintf(mname, sizeof mname, "ns.dns.%s", zone);
	snprintf(rname, sizeof rname, "hostmaster.%s", zone);
	put32(fixed, serial);
	put32(fixed + 4, 7200);	  /* refresh, as CoreDNS */
	put32(fixed + 8, 1800);	  /* retry */
	put32(fixed + 12, 86400); /* expire */
	put32(fixed + 16, ttl);	  /* minimum: the negative-caching TTL */
	RR_OPEN(w, s);
	int at = put_rr_head(w, zone, DNS_T_SOA, ttl);
	int rc = at < 0 ? at : put_name(w, mname);
	rc = rc ? rc : put_name(w, rname);
	rc = rc ? rc : put_raw(w, fixed, sizeof fixed);
	return rr_end(w, m_, s, at, rc);
}

int dns_put_txt(struct dns_writer *w, enum dns_section s, const char *owner, uint32_t ttl,
		const char *text)
{
	size_t n = strlen(text);
	uint8_t l = (uint8_t)(n > 255 ? 255 : n);
	RR_OPEN(w, s);
	int at = put_rr_head(w, owner, DNS_T_TXT, ttl);
	int rc = at < 0 ? at : put_raw(w, &l, 1);
	rc = rc ? rc : put_raw(w, text, l);
	return rr_end(w, m_, s, at, rc);
}

int dns_put_copy(struct dns_writer *w, enum dns_section s, const uint8_t *msg, size_t len,
		 size_t *pos)
{
	char owner[256], target[256];
	size_t p, next;
	if (dns_name_read(msg, len, *pos, owner, &p) || p + 10 > len)
		return -EINVAL;
	uint16_t type = get16(msg + p), rdlen = get16(msg + p + 8);
	uint32_t ttl = get32(msg + p + 4);
	size_t rd = p + 10;
	if (rd + rdlen > len)
		return -EINVAL;
	*pos = rd + rdlen;
	if (type == DNS_T_CNAME || type == DNS_T_NS || type == DNS_T_PTR)
		return dns_name_read(msg, len, rd, target, &next)
			   ? -EINVAL
			   : dns_put_name(w, s, owner, type, ttl, target);
	if ((type == DNS_T_A && rdlen != 4) || (type == DNS_T_AAAA && rdlen != 16) ||
	    (type != DNS_T_A && type != DNS_T_AAAA && type != DNS_T_TXT))
		return 0; /* rdata that may hold compressed names cannot be copied as is */
	RR_OPEN(w, s);
	int at = put_rr_head(w, owner, type, ttl);
	int rc = at < 0 ? at : put_raw(w, msg + rd, rdlen);
	return rr_end(w, m_, s, at, rc);
}

size_t dns_writer_finish(struct dns_writer *w, uint8_t rcode)
{
	if (w->limit == 0)
		return 0;
	uint16_t flags = get16(w->buf + 2);
	flags = (uint16_t)((flags & ~0x000F) | (rcode & 0xF));
	if (w->tc)
		flags |= 0x0200;
	put16(w->buf + 2, flags);
	put16(w->buf + 6, w->count[DNS_ANSWER]);
	put16(w->buf + 8, w->count[DNS_AUTHORITY]);
	uint16_t ar = w->count[DNS_ADDITIONAL];
	if (w->edns && w->len + 11 <= w->cap) {
		static const uint8_t opt[11] = {0, 0, DNS_T_OPT, DNS_UDP_MAX >> 8,
						DNS_UDP_MAX & 255};
		memcpy(w->buf + w->len, opt, sizeof opt);
		w->len += sizeof opt;
		ar++;
	}
	put16(w->buf + 10, ar);
	return w->len;
}

size_t dns_reply_error(uint8_t *buf, size_t cap, const uint8_t *query, const struct dns_query *q,
		       uint8_t rcode)
{
	struct dns_writer w;
	dns_writer_start(&w, buf, cap, query, q, rcode, false);
	return dns_writer_finish(&w, rcode);
}

size_t dns_query_build(uint8_t *buf, size_t cap, uint16_t id, const char *name, uint16_t type,
		       bool edns)
{
	struct dns_writer w = {.buf = buf, .cap = cap, .limit = cap};
	if (cap < HDR + 4 + 11)
		return 0;
	memset(buf, 0, HDR);
	put16(buf, id);
	put16(buf + 2, 0x0100); /* RD */
	put16(buf + 4, 1);
	w.len = HDR;
	w.no_compress = true;
	if (put_name(&w, name) || w.len + 4 + 11 > cap)
		return 0;
	put16(buf + w.len, type);
	put16(buf + w.len + 2, 1);
	w.len += 4;
	if (edns) {
		static const uint8_t opt[11] = {0, 0, DNS_T_OPT, DNS_UDP_MAX >> 8,
						DNS_UDP_MAX & 255};
		memcpy(buf + w.len, opt, sizeof opt);
		w.len += sizeof opt;
		put16(buf + 10, 1);
	}
	return w.len;
}

size_t dns_msg_records(const uint8_t *msg, size_t len)
{
	size_t pos = HDR;
	if (len < HDR)
		return 0;
	for (uint16_t i = get16(msg + 4); i > 0; i--) {
		if (name_skip(msg, len, &pos) || pos + 4 > len)
			return 0;
		pos += 4;
	}
	return pos;
}

/* ---- walking forwarded answers ---- */

typedef void (*rr_visit)(uint8_t *rr, uint16_t type, size_t rdata, size_t len, void *ud);

/* Calls fn for every record after the question; msg may be modified by fn
 * (TTLs only). */
static int walk_records(uint8_t *msg, size_t len, rr_visit fn, void *ud, bool authority_only)
{
	if (len < HDR)
		return -EINVAL;
	size_t pos = HDR;
	for (uint16_t i = get16(msg + 4); i > 0; i--) {
		if (name_skip(msg, len, &pos) || pos + 4 > len)
			return -EINVAL;
		pos += 4;
	}
	unsigned total = (unsigned)get16(msg + 6) + get16(msg + 8);
	if (!authority_only)
		total += get16(msg + 10);
	for (unsigned i = 0; i < total; i++) {
		if (name_skip(msg, len, &pos) || pos + 10 > len)
			return -EINVAL;
		uint16_t rdlen = get16(msg + pos + 8);
		if (pos + 10 + rdlen > len)
			return -EINVAL;
		fn(msg + pos, get16(msg + pos), pos + 10, rdlen, ud);
		pos += 10 + rdlen;
	}
	return 0;
}

struct min_ttl {
	uint32_t ttl;
	const uint8_t *msg;
	size_t len;
};

static void visit_min(uint8_t *rr, uint16_t type, size_t rdata, size_t rdlen, void *ud)
{
	struct min_ttl *m = ud;
	uint32_t ttl = get32(rr + 4);
	if (type == DNS_T_OPT)
		return;
	if (type == DNS_T_SOA) { /* RFC 2308: min(SOA TTL, SOA minimum) */
		size_t p = rdata;
		if (!name_skip(m->msg, m->len, &p) && !name_skip(m->msg, m->len, &p) &&
		    p + 20 <= rdata + rdlen) {
			uint32_t minimum = get32(m->msg + p + 16);
			ttl = minimum < ttl ? minimum : ttl;
		}
	}
	if (ttl < m->ttl)
		m->ttl = ttl;
}

int dns_msg_min_ttl(const uint8_t *msg, size_t len, uint32_t *ttl)
{
	struct min_ttl m = {UINT32_MAX, msg, len};
	/* walk_records does not write through the pointer when fn does not */
	int rc = walk_records((uint8_t *)msg, len, visit_min, &m, true);
	*ttl = m.ttl == UINT32_MAX ? 0 : m.ttl;
	return rc;
}

static void visit_age(uint8_t *rr, uint16_t type, size_t rdata, size_t rdlen, void *ud)
{
	uint32_t age = *(const uint32_t *)ud, ttl = get32(rr + 4);
	(void)rdata;
	(void)rdlen;
	if (type != DNS_T_OPT)
		put32(rr + 4, ttl > age ? ttl - age : 0);
}

int dns_msg_age(uint8_t *msg, size_t len, uint32_t age)
{
	return walk_records(msg, len, visit_age, &age, false);
}
