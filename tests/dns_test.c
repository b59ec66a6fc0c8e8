/* Tests for agent/dns*.c: the wire codec (parsing, compression, truncation,
 * malformed input), every kind of cluster record and error answer from the
 * record store, the server over real UDP and TCP sockets on loopback,
 * forwarding to an upstream the test plays (cache, SERVFAIL on silence) and
 * the dummy interface in a throwaway network namespace. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agent/dns.h"
#include "test.h"

/* ---- helpers ---- */

static size_t make_query(uint8_t *b, uint16_t id, const char *name, uint16_t type, uint16_t edns)
{
	size_t len = 12;
	memset(b, 0, 12);
	b[0] = (uint8_t)(id >> 8), b[1] = (uint8_t)id;
	b[2] = 0x01; /* RD */
	b[5] = 1;
	for (const char *p = name; *p;) {
		size_t l = strcspn(p, ".");
		b[len++] = (uint8_t)l;
		memcpy(b + len, p, l);
		len += l;
		p += l + (p[l] == '.');
	}
	b[len++] = 0;
	b[len++] = (uint8_t)(type >> 8), b[len++] = (uint8_t)type;
	b[len++] = 0, b[len++] = 1;
	if (edns) {
		uint8_t opt[11] = {0, 0, 41, (uint8_t)(edns >> 8), (uint8_t)edns};
		memcpy(b + len, opt, 11);
		len += 11;
		b[11] = 1;
	}
	return len;
}

/* A response as text: "rcode=N tc=N aa=N" then one line per record,
 * "SECTION owner TYPE ttl data". */
static void render(const uint8_t *m, size_t len, char *out, size_t cap)
{
	char name[256], target[256];
	size_t pos = 12, next, o = 0;
	if (len < 12) {
		snprintf(out, cap, "short");
		return;
	}
	o += (size_t)snprintf(out + o, cap - o, "rcode=%d tc=%d aa=%d id=%d\n", m[3] & 15,
			      !!(m[2] & 2), !!(m[2] & 4), m[0] << 8 | m[1]);
	for (int i = 0; i < (m[4] << 8 | m[5]); i++) {
		if (dns_name_read(m, len, pos, name, &next))
			return;
		o += (size_t)snprintf(out + o, cap - o, "Q %s\n", name);
		pos = next + 4;
	}
	const char *sec[] = {"AN", "NS", "AR"};
	for (int s = 0; s < 3; s++) {
		int count = m[6 + 2 * s] << 8 | m[7 + 2 * s];
		for (int i = 0; i < count && o < cap - 300; i++) {
			if (dns_name_read(m, len, pos, name, &next) || next + 10 > len)
				return;
			pos = next;
			int type = m[pos] << 8 | m[pos + 1];
			unsigned ttl = (unsigned)m[pos + 4] << 24 | m[pos + 5] << 16 |
				       m[pos + 6] << 8 | m[pos + 7];
			size_t rd = pos + 10, rdlen = (size_t)(m[pos + 8] << 8 | m[pos + 9]);
			char data[300] = "";
			if (type == DNS_T_A)
				inet_ntop(AF_INET, m + rd, data, sizeof data);
			else if (type == DNS_T_AAAA)
				inet_ntop(AF_INET6, m + rd, data, sizeof data);
			else if (type == DNS_T_CNAME || type == DNS_T_NS || type == DNS_T_SOA ||
				 type == DNS_T_PTR)
				dns_name_read(m, len, rd, data, &next);
			else if (type == DNS_T_SRV && !dns_name_read(m, len, rd + 6, target, &next))
				snprintf(data, sizeof data, "%d %s", m[rd + 4] << 8 | m[rd + 5],
					 target);
			else if (type == DNS_T_TXT)
				snprintf(data, sizeof data, "%.*s", m[rd],
					 (const char *)m + rd + 1);
			o += (size_t)snprintf(out + o, cap - o, "%s %s %d %u %s\n", sec[s], name,
					      type, ttl, data);
			pos = rd + rdlen;
		}
	}
}

static json_t *load(const char *text)
{
	json_t *j = json_loads(text, 0, NULL);
	if (!j)
		fprintf(stderr, "bad JSON in test: %s\n", text);
	return j;
}

static void store_add(struct dns_store *s, const char *text, bool slice)
{
	json_t *j = load(text);
	CHECK_INT(slice ? dns_store_slice_set(s, j) : dns_store_service_set(s, j), 0);
	json_decref(j);
}

/* Asks the store; out gets the rendered answer ("" when not ours). */
static void ask(struct dns_store *s, const char *name, uint16_t type, uint16_t edns, size_t cap,
		char *out, size_t outcap)
{
	uint8_t q[512], r[65535];
	struct dns_query dq;
	size_t ql = make_query(q, 4242, name, type, edns);
	*out = '\0';
	if (dns_query_parse(q, ql, &dq) != 0) {
		snprintf(out, outcap, "unparsable");
		return;
	}
	size_t n = dns_store_answer(s, q, &dq, r, cap);
	if (n)
		render(r, n, out, outcap);
}

#define HAS(text, needle)                                                                          \
	do {                                                                                       \
		if (!strstr(text, needle)) {                                                       \
			fprintf(stderr, "%s:%d: missing \"%s\" in:\n%s", __FILE__, __LINE__,       \
				needle, text);                                                     \
			test_failed_checks++;                                                      \
		}                                                                                  \
	} while (0)
#define HASNT(text, needle)                                                                        \
	do {                                                                                       \
		if (strstr(text, needle)) {                                                        \
			fprintf(stderr, "%s:%d: unexpected \"%s\" in:\n%s", __FILE__, __LINE__,    \
				needle, text);                                                     \
			test_failed_checks++;                                                      \
		}                                                                                  \
	} while (0)

/* ---- codec ---- */

static void test_parse_query(void)
{
	uint8_t q[512];
	struct dns_query dq;
	size_t n = make_query(q, 7, "Web.Default.svc.cluster.local", DNS_T_A, 1400);
	CHECK_INT(dns_query_parse(q, n, &dq), 0);
	CHECK_INT(dq.rcode, 0);
	CHECK_INT(dq.id, 7);
	CHECK_STR(dq.name, "Web.Default.svc.cluster.local");
	CHECK(dq.plain);
	CHECK(dq.edns);
	CHECK_INT(dq.udp_size, 1400);
	CHECK_INT(dq.qtype, DNS_T_A);
	CHECK(memcmp(dq.key, "\3web\7default", 12) == 0); /* cache key is lowercased */

	n = make_query(q, 8, "", DNS_T_NS, 0); /* the root */
	CHECK_INT(dns_query_parse(q, n, &dq), 0);
	CHECK_STR(dq.name, "");
	CHECK_INT(dq.udp_size, 512);

	n = make_query(q, 9, "a.b", DNS_T_A, 100); /* EDNS below 512 counts as 512 */
	CHECK_INT(dns_query_parse(q, n, &dq), 0);
	CHECK_INT(dq.udp_size, 512);
}

static void test_parse_malformed(void)
{
	uint8_t q[512];
	struct dns_query dq;
	size_t n = make_query(q, 1, "x.example", DNS_T_A, 0);
	for (size_t cut = 0; cut < 12; cut++) /* no header: dropped */
		CHECK_INT(dns_query_parse(q, cut, &dq), -EINVAL);
	for (size_t cut = 12; cut < n; cut++) { /* a cut question: FORMERR */
		CHECK_INT(dns_query_parse(q, cut, &dq), 0);
		CHECK_INT(dq.rcode, DNS_R_FORMERR);
	}
	q[2] |= 0x80; /* a response is never answered */
	CHECK_INT(dns_query_parse(q, n, &dq), -EINVAL);
	q[2] = 0x10; /* opcode 2 (STATUS) */
	CHECK_INT(dns_query_parse(q, n, &dq), 0);
	CHECK_INT(dq.rcode, DNS_R_NOTIMP);
	q[2] = 1;
	q[5] = 2; /* two questions */
	CHECK_INT(dns_query_parse(q, n, &dq), 0);
	CHECK_INT(dq.rcode, DNS_R_FORMERR);
	q[5] = 1;
	q[12] = 0xC0; /* a pointer in the question */
	q[13] = 12;
	CHECK_INT(dns_query_parse(q, n, &dq), 0);
	CHECK_INT(dq.rcode, DNS_R_FORMERR);

	/* a FORMERR reply echoes the ID and nothing else breaks */
	uint8_t r[512];
	size_t rl = dns_reply_error(r, sizeof r, q, &dq, DNS_R_FORMERR);
	CHECK(rl >= 12);
	CHECK_INT(r[3] & 15, DNS_R_FORMERR);
	CHECK_INT(r[1], 1);
}

static void test_name_read_loops(void)
{
	/* a pointer to itself must not hang or overflow */
	uint8_t m[16] = {0};
	char out[256];
	size_t next;
	m[12] = 0xC0;
	m[13] = 12;
	CHECK_INT(dns_name_read(m, 14, 12, out, &next), -EINVAL);
	m[12] = 63; /* a label past the end */
	CHECK_INT(dns_name_read(m, 14, 12, out, &next), -EINVAL);
}

static void test_writer_compression(void)
{
	uint8_t q[512], r[512];
	struct dns_query dq;
	struct dns_writer w;
	size_t n = make_query(q, 3, "Alias.NS.svc.cluster.local", DNS_T_A, 0);
	CHECK_INT(dns_query_parse(q, n, &dq), 0);
	dns_writer_start(&w, r, sizeof r, q, &dq, 0, true);
	CHECK_INT(dns_put_name(&w, DNS_ANSWER, NULL, DNS_T_CNAME, 5, "real.ns.svc.cluster.local"),
		  0);
	uint8_t ip[4] = {10, 0, 0, 1};
	CHECK_INT(dns_put_addr(&w, DNS_ANSWER, "real.ns.svc.cluster.local", 5, AF_INET, ip), 0);
	size_t len = dns_writer_finish(&w, 0);
	/* header+question, CNAME: ptr(2)+10+("real"=5 + ptr 2), A: ptr(2)+10+4 */
	CHECK_INT(len, n + 2 + 10 + 7 + 2 + 10 + 4);
	char text[2048];
	render(r, len, text, sizeof text);
	HAS(text, "Q Alias.NS.svc.cluster.local\n");
	HAS(text, "AN Alias.NS.svc.cluster.local 5 5 real.NS.svc.cluster.local\n");
	HAS(text, "AN real.NS.svc.cluster.local 1 5 10.0.0.1\n");
	HAS(text, "aa=1");
}

static void test_writer_truncates(void)
{
	uint8_t q[512], r[512];
	struct dns_query dq;
	struct dns_writer w;
	size_t n = make_query(q, 3, "many.example", DNS_T_A, 0);
	CHECK_INT(dns_query_parse(q, n, &dq), 0);
	dns_writer_start(&w, r, 512, q, &dq, 0, false);
	int fitted = 0;
	for (int i = 0; i < 100; i++) {
		uint8_t ip[4] = {10, 0, 0, (uint8_t)i};
		fitted += dns_put_addr(&w, DNS_ANSWER, NULL, 5, AF_INET, ip) == 0;
	}
	size_t len = dns_writer_finish(&w, 0);
	CHECK(len <= 512);
	CHECK_INT(fitted, (512 - (int)n) / 16);
	CHECK(r[2] & 0x02); /* TC */
	CHECK_INT(r[7], fitted);
}

static void test_msg_ttls(void)
{
	uint8_t q[512], r[512];
	struct dns_query dq;
	struct dns_writer w;
	size_t n = make_query(q, 3, "x.example", DNS_T_A, 1232);
	CHECK_INT(dns_query_parse(q, n, &dq), 0);
	dns_writer_start(&w, r, sizeof r, q, &dq, 0, false);
	uint8_t ip[4] = {1, 2, 3, 4};
	dns_put_addr(&w, DNS_ANSWER, NULL, 300, AF_INET, ip);
	dns_put_addr(&w, DNS_ANSWER, NULL, 60, AF_INET, ip);
	size_t len = dns_writer_finish(&w, 0);
	uint32_t ttl;
	CHECK_INT(dns_msg_min_ttl(r, len, &ttl), 0);
	CHECK_INT(ttl, 60);
	CHECK_INT(dns_msg_age(r, len, 100), 0);
	CHECK_INT(dns_msg_min_ttl(r, len, &ttl), 0);
	CHECK_INT(ttl, 0);
	char text[1024];
	render(r, len, text, sizeof text);
	HAS(text, "AN x.example 1 200 1.2.3.4");
	/* negative answers: the SOA's minimum */
	dns_writer_start(&w, r, sizeof r, q, &dq, DNS_R_NXDOMAIN, false);
	dns_put_soa(&w, DNS_AUTHORITY, "example", 3600, 1);
	len = dns_writer_finish(&w, DNS_R_NXDOMAIN);
	CHECK_INT(dns_msg_min_ttl(r, len, &ttl), 0);
	CHECK_INT(ttl, 3600);
	CHECK_INT(dns_msg_min_ttl(r, 20, &ttl), -EINVAL);
}

/* ---- the record store ---- */

static struct dns_store *cluster_store(void)
{
	struct dns_store *s;
	CHECK_INT(dns_store_new(NULL, 0, &s), 0);
	store_add(
	    s,
	    "{\"metadata\":{\"namespace\":\"default\",\"name\":\"kubernetes\"},\"spec\":{"
	    "\"type\":\"ClusterIP\",\"clusterIP\":\"10.43.0.1\",\"clusterIPs\":[\"10.43.0.1\"],"
	    "\"ports\":[{\"name\":\"https\",\"protocol\":\"TCP\",\"port\":443}]}}",
	    false);
	store_add(s,
		  "{\"metadata\":{\"namespace\":\"shop\",\"name\":\"web\"},\"spec\":{"
		  "\"clusterIP\":\"10.43.0.20\",\"clusterIPs\":[\"10.43.0.20\",\"fd00::20\"],"
		  "\"ports\":[{\"name\":\"http\",\"protocol\":\"TCP\",\"port\":80},"
		  "{\"name\":\"dns\",\"protocol\":\"UDP\",\"port\":53},{\"port\":9000}]}}",
		  false);
	store_add(s,
		  "{\"metadata\":{\"namespace\":\"shop\",\"name\":\"db\"},\"spec\":{"
		  "\"clusterIP\":\"None\",\"ports\":[{\"name\":\"pg\",\"port\":5432}]}}",
		  false);
	store_add(
	    s,
	    "{\"metadata\":{\"namespace\":\"shop\",\"name\":\"db-abc\",\"labels\":{"
	    "\"kubernetes.io/service-name\":\"db\"}},\"addressType\":\"IPv4\","
	    "\"ports\":[{\"name\":\"pg\",\"protocol\":\"TCP\",\"port\":5432}],\"endpoints\":["
	    "{\"addresses\":[\"10.42.0.5\"],\"hostname\":\"db-0\",\"conditions\":{\"ready\":true}},"
	    "{\"addresses\":[\"10.42.0.6\"],\"conditions\":{\"ready\":true}},"
	    "{\"addresses\":[\"10.42.0.7\"],\"hostname\":\"db-2\",\"conditions\":{\"ready\":false}}"
	    "]}",
	    true);
	store_add(s,
		  "{\"metadata\":{\"namespace\":\"shop\",\"name\":\"ext\"},\"spec\":{"
		  "\"type\":\"ExternalName\",\"externalName\":\"db.example.com\"}}",
		  false);
	return s;
}

static void test_store_cluster_ip(void)
{
	struct dns_store *s = cluster_store();
	char t[8192];
	ask(s, "web.shop.svc.cluster.local", DNS_T_A, 0, 512, t, sizeof t);
	HAS(t, "rcode=0 tc=0 aa=1 id=4242");
	HAS(t, "AN web.shop.svc.cluster.local 1 30 10.43.0.20\n");
	HASNT(t, "fd00");
	ask(s, "web.shop.svc.cluster.local", DNS_T_AAAA, 0, 512, t, sizeof t);
	HAS(t, "AN web.shop.svc.cluster.local 28 30 fd00::20\n");
	/* case-insensitive match, the query's case in the answer */
	ask(s, "WEB.Shop.SVC.Cluster.Local", DNS_T_A, 0, 512, t, sizeof t);
	HAS(t, "AN WEB.Shop.SVC.Cluster.Local 1 30 10.43.0.20\n");
	/* kubernetes.default through the search path */
	ask(s, "kubernetes.default.svc.cluster.local", DNS_T_A, 0, 512, t, sizeof t);
	HAS(t, "AN kubernetes.default.svc.cluster.local 1 30 10.43.0.1\n");
	/* an existing name of another type: NODATA with the SOA */
	ask(s, "kubernetes.default.svc.cluster.local", DNS_T_AAAA, 0, 512, t, sizeof t);
	HAS(t, "rcode=0");
	HASNT(t, "AN ");
	HAS(t, "NS cluster.local 6 30 ns.dns.cluster.local\n");
	ask(s, "web.shop.svc.cluster.local", DNS_T_TXT, 0, 512, t, sizeof t);
	HAS(t, "rcode=0");
	HAS(t, "NS cluster.local 6 ");
	dns_store_free(s);
}

static void test_store_srv(void)
{
	struct dns_store *s = cluster_store();
	char t[8192];
	ask(s, "_http._tcp.web.shop.svc.cluster.local", DNS_T_SRV, 0, 512, t, sizeof t);
	HAS(t, "rcode=0");
	HAS(t, "AN _http._tcp.web.shop.svc.cluster.local 33 30 80 web.shop.svc.cluster.local\n");
	HAS(t, "AR web.shop.svc.cluster.local 1 30 10.43.0.20\n");
	HASNT(t, " 53 web");
	ask(s, "_dns._udp.web.shop.svc.cluster.local", DNS_T_SRV, 0, 512, t, sizeof t);
	HAS(t, "33 30 53 web.shop.svc.cluster.local\n");
	/* a port that is not there, or the wrong protocol: NXDOMAIN */
	ask(s, "_http._udp.web.shop.svc.cluster.local", DNS_T_SRV, 0, 512, t, sizeof t);
	HAS(t, "rcode=3");
	ask(s, "_https._tcp.web.shop.svc.cluster.local", DNS_T_SRV, 0, 512, t, sizeof t);
	HAS(t, "rcode=3");
	/* SRV on the Service: every named port */
	ask(s, "web.shop.svc.cluster.local", DNS_T_SRV, 0, 512, t, sizeof t);
	HAS(t, " 80 web.shop.svc.cluster.local\n");
	HAS(t, " 53 web.shop.svc.cluster.local\n");
	/* headless: one per endpoint, its name in the target */
	ask(s, "_pg._tcp.db.shop.svc.cluster.local", DNS_T_SRV, 0, 512, t, sizeof t);
	HAS(t, "AN _pg._tcp.db.shop.svc.cluster.local 33 30 5432 db-0.db.shop.svc.cluster.local\n");
	HAS(t, " 5432 10-42-0-6.db.shop.svc.cluster.local\n");
	HAS(t, "AR db-0.db.shop.svc.cluster.local 1 30 10.42.0.5\n");
	HASNT(t, "db-2");
	dns_store_free(s);
}

static void test_store_headless(void)
{
	struct dns_store *s = cluster_store();
	char t[8192];
	ask(s, "db.shop.svc.cluster.local", DNS_T_A, 0, 512, t, sizeof t);
	HAS(t, "AN db.shop.svc.cluster.local 1 30 10.42.0.5\n");
	HAS(t, "AN db.shop.svc.cluster.local 1 30 10.42.0.6\n");
	HASNT(t, "10.42.0.7"); /* not ready */
	ask(s, "db-0.db.shop.svc.cluster.local", DNS_T_A, 0, 512, t, sizeof t);
	HAS(t, "AN db-0.db.shop.svc.cluster.local 1 30 10.42.0.5\n");
	HASNT(t, "10.42.0.6");
	ask(s, "10-42-0-6.db.shop.svc.cluster.local", DNS_T_A, 0, 512, t, sizeof t);
	HAS(t, "AN 10-42-0-6.db.shop.svc.cluster.local 1 30 10.42.0.6\n");
	ask(s, "db-2.db.shop.svc.cluster.local", DNS_T_A, 0, 512, t, sizeof t);
	HAS(t, "rcode=3");
	/* the slice goes: the Service stays, without addresses (NODATA) */
	json_t *sl = load("{\"metadata\":{\"namespace\":\"shop\",\"name\":\"db-abc\",\"labels\":{"
			  "\"kubernetes.io/service-name\":\"db\"}}}");
	CHECK_INT(dns_store_slice_delete(s, sl), 0);
	json_decref(sl);
	ask(s, "db.shop.svc.cluster.local", DNS_T_A, 0, 512, t, sizeof t);
	HAS(t, "rcode=0");
	HASNT(t, "AN ");
	dns_store_free(s);
}

static void test_store_slice_before_service(void)
{
	struct dns_store *s;
	char t[4096];
	CHECK_INT(dns_store_new("example.internal", 5, &s), 0);
	store_add(s,
		  "{\"metadata\":{\"namespace\":\"a\",\"name\":\"h-1\",\"labels\":{"
		  "\"kubernetes.io/service-name\":\"h\"}},\"endpoints\":["
		  "{\"addresses\":[\"fd00::5\"]}]}",
		  true);
	ask(s, "h.a.svc.example.internal", DNS_T_AAAA, 0, 512, t, sizeof t);
	HAS(t, "rcode=3"); /* no Service yet */
	store_add(
	    s,
	    "{\"metadata\":{\"namespace\":\"a\",\"name\":\"h\"},\"spec\":{\"clusterIP\":\"None\"}}",
	    false);
	ask(s, "h.a.svc.example.internal", DNS_T_AAAA, 0, 512, t, sizeof t);
	HAS(t, "AN h.a.svc.example.internal 28 5 fd00::5\n");
	ask(s, "fd00--5.h.a.svc.example.internal", DNS_T_AAAA, 0, 512, t, sizeof t);
	HAS(t, "28 5 fd00::5\n");
	/* the zone is configurable: cluster.local is not ours then */
	ask(s, "h.a.svc.cluster.local", DNS_T_A, 0, 512, t, sizeof t);
	CHECK_STR(t, "");
	dns_store_free(s);
}

static void test_store_external_name(void)
{
	struct dns_store *s = cluster_store();
	char t[4096];
	ask(s, "ext.shop.svc.cluster.local", DNS_T_A, 0, 512, t, sizeof t);
	HAS(t, "rcode=0");
	HAS(t, "AN ext.shop.svc.cluster.local 5 30 db.example.com\n");
	dns_store_free(s);
}

static void test_store_pods_and_misc(void)
{
	struct dns_store *s = cluster_store();
	char t[4096];
	ask(s, "10-42-1-9.shop.pod.cluster.local", DNS_T_A, 0, 512, t, sizeof t);
	HAS(t, "AN 10-42-1-9.shop.pod.cluster.local 1 30 10.42.1.9\n");
	ask(s, "fd00--9.shop.pod.cluster.local", DNS_T_AAAA, 0, 512, t, sizeof t);
	HAS(t, "28 30 fd00::9\n");
	ask(s, "10-42-1-999.shop.pod.cluster.local", DNS_T_A, 0, 512, t, sizeof t);
	HAS(t, "rcode=3");
	ask(s, "dns-version.cluster.local", DNS_T_TXT, 0, 512, t, sizeof t);
	HAS(t, "16 30 1.1.0\n");
	ask(s, "cluster.local", DNS_T_SOA, 0, 512, t, sizeof t);
	HAS(t, "AN cluster.local 6 30 ns.dns.cluster.local\n");
	/* names that do not exist: NXDOMAIN with the SOA in authority */
	ask(s, "nope.shop.svc.cluster.local", DNS_T_A, 0, 512, t, sizeof t);
	HAS(t, "rcode=3");
	HAS(t, "NS cluster.local 6 30 ns.dns.cluster.local\n");
	ask(s, "web.shop.svc.cluster.local.shop.svc.cluster.local", DNS_T_A, 0, 512, t, sizeof t);
	HAS(t, "rcode=3");
	ask(s, "example.com.shop.svc.cluster.local", DNS_T_A, 0, 512, t, sizeof t);
	HAS(t, "rcode=3");
	ask(s, "what.cluster.local", DNS_T_A, 0, 512, t, sizeof t);
	HAS(t, "rcode=3");
	/* a namespace with Services exists (NODATA), one without does not */
	ask(s, "shop.svc.cluster.local", DNS_T_A, 0, 512, t, sizeof t);
	HAS(t, "rcode=0");
	ask(s, "empty.svc.cluster.local", DNS_T_A, 0, 512, t, sizeof t);
	HAS(t, "rcode=3");
	/* outside the zone: not ours */
	ask(s, "example.com", DNS_T_A, 0, 512, t, sizeof t);
	CHECK_STR(t, "");
	ask(s, "xcluster.local", DNS_T_A, 0, 512, t, sizeof t);
	CHECK_STR(t, "");
	/* reverse names of Services and headless endpoints; others are not ours */
	ask(s, "20.0.43.10.in-addr.arpa", DNS_T_PTR, 0, 512, t, sizeof t);
	HAS(t, "AN 20.0.43.10.in-addr.arpa 12 30 web.shop.svc.cluster.local\n");
	ask(s, "5.0.42.10.in-addr.arpa", DNS_T_PTR, 0, 512, t, sizeof t);
	HAS(t, "12 30 db-0.db.shop.svc.cluster.local\n");
	ask(s, "6.0.42.10.in-addr.arpa", DNS_T_PTR, 0, 512, t, sizeof t);
	HAS(t, "12 30 10-42-0-6.db.shop.svc.cluster.local\n");
	ask(s, "8.8.8.8.in-addr.arpa", DNS_T_PTR, 0, 512, t, sizeof t);
	CHECK_STR(t, "");
	ask(s, "20.0.43.10.1.in-addr.arpa", DNS_T_PTR, 0, 512, t, sizeof t);
	CHECK_STR(t, "");
	/* deleting the Service removes its name */
	json_t *svc = load("{\"metadata\":{\"namespace\":\"shop\",\"name\":\"web\"}}");
	CHECK_INT(dns_store_service_delete(s, svc), 0);
	json_decref(svc);
	ask(s, "web.shop.svc.cluster.local", DNS_T_A, 0, 512, t, sizeof t);
	HAS(t, "rcode=3");
	/* unusable objects are refused */
	json_t *bad = load("{\"metadata\":{\"namespace\":\"x y\",\"name\":\"a\"}}");
	CHECK_INT(dns_store_service_set(s, bad), -EINVAL);
	CHECK_INT(dns_store_slice_set(s, bad), -EINVAL);
	json_decref(bad);
	dns_store_free(s);
}

static void test_store_truncation_and_edns(void)
{
	struct dns_store *s;
	char sl[16384], t[65536];
	CHECK_INT(dns_store_new(NULL, 0, &s), 0);
	store_add(s,
		  "{\"metadata\":{\"namespace\":\"b\",\"name\":\"big\"},\"spec\":{\"clusterIP\":"
		  "\"None\"}}",
		  false);
	int o = snprintf(sl, sizeof sl,
			 "{\"metadata\":{\"namespace\":\"b\",\"name\":\"big-1\",\"labels\":{"
			 "\"kubernetes.io/service-name\":\"big\"}},\"endpoints\":[");
	for (int i = 0; i < 100; i++)
		o += snprintf(sl + o, sizeof sl - (size_t)o, "%s{\"addresses\":[\"10.42.1.%d\"]}",
			      i ? "," : "", i);
	snprintf(sl + o, sizeof sl - (size_t)o, "]}");
	store_add(s, sl, true);
	ask(s, "big.b.svc.cluster.local", DNS_T_A, 0, 512, t, sizeof t);
	HAS(t, "tc=1");
	ask(s, "big.b.svc.cluster.local", DNS_T_A, 4096, 4096, t, sizeof t);
	HAS(t, "tc=0");
	HAS(t, "10.42.1.99\n");
	dns_store_free(s);
}

/* ---- the server over sockets ---- */

struct client {
	int fd;
	struct sockaddr_in to;
};

static int udp_socket(const char *ip, int port, struct sockaddr_in *bound)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	inet_pton(AF_INET, ip, &a.sin_addr);
	socklen_t al = sizeof a;
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) ||
	    getsockname(fd, (void *)&a, &al)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (bound)
		*bound = a;
	return fd;
}

/* Runs the loop until fd has a datagram (or ms pass); returns its length. */
static ssize_t pump_recv(uv_loop_t *loop, int fd, uint8_t *buf, size_t cap, int ms)
{
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		uv_run(loop, UV_RUN_NOWAIT);
		ssize_t n = recv(fd, buf, cap, 0);
		if (n >= 0)
			return n;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 >
		    ms)
			return -1;
		usleep(1000);
	}
}

struct fixture {
	uv_loop_t loop;
	struct dns_server *srv;
	struct logger log;
	int up_fd, cl_fd;
	struct sockaddr_in up, srv_addr;
};

static bool fixture_start(struct fixture *f)
{
	memset(f, 0, sizeof *f);
	f->up_fd = f->cl_fd = -1;
	uv_loop_init(&f->loop);
	f->log.out = fopen("/dev/null", "w");
	f->up_fd = udp_socket("127.0.0.78", 0, &f->up);
	f->cl_fd = udp_socket("127.0.0.1", 0, NULL);
	char upstream[64];
	snprintf(upstream, sizeof upstream, "127.0.0.78:%d", ntohs(f->up.sin_port));
	const char *ups[] = {upstream, NULL};
	struct dns_server_config cfg = {.upstreams = ups, .log = &f->log};
	if (f->up_fd < 0 || f->cl_fd < 0 || dns_server_new(&f->loop, &cfg, &f->srv) ||
	    dns_server_listen(f->srv, "127.0.0.77", 0))
		return false;
	f->srv_addr = (struct sockaddr_in){.sin_family = AF_INET,
					   .sin_port = htons((uint16_t)dns_server_port(f->srv))};
	inet_pton(AF_INET, "127.0.0.77", &f->srv_addr.sin_addr);
	CHECK_STR(dns_server_address(f->srv), "127.0.0.77");
	return true;
}

static void fixture_stop(struct fixture *f)
{
	if (f->srv)
		dns_server_stop(f->srv);
	uv_run(&f->loop, UV_RUN_DEFAULT);
	dns_server_free(f->srv);
	CHECK_INT(uv_loop_close(&f->loop), 0);
	if (f->up_fd >= 0)
		close(f->up_fd);
	if (f->cl_fd >= 0)
		close(f->cl_fd);
	if (f->log.out)
		fclose(f->log.out);
}

static ssize_t udp_ask(struct fixture *f, const uint8_t *q, size_t n, uint8_t *r, size_t cap)
{
	sendto(f->cl_fd, q, n, 0, (struct sockaddr *)&f->srv_addr, sizeof f->srv_addr);
	return pump_recv(&f->loop, f->cl_fd, r, cap, 3000);
}

static void test_server_udp_local(void)
{
	struct fixture f;
	uint8_t q[512], r[4096];
	char t[8192];
	if (!fixture_start(&f)) {
		CHECK(!"fixture");
		fixture_stop(&f);
		return;
	}
	json_t *svc = load("{\"metadata\":{\"namespace\":\"default\",\"name\":\"web\"},\"spec\":{"
			   "\"clusterIP\":\"10.43.0.20\"}}");
	dns_store_service_set(dns_server_store(f.srv), svc);
	json_decref(svc);
	size_t n = make_query(q, 0xBEEF, "web.default.svc.cluster.local", DNS_T_A, 0);
	ssize_t got = udp_ask(&f, q, n, r, sizeof r);
	CHECK(got > 0);
	render(r, got > 0 ? (size_t)got : 0, t, sizeof t);
	HAS(t, "id=48879");
	HAS(t, "AN web.default.svc.cluster.local 1 30 10.43.0.20\n");
	/* garbage is dropped, the server keeps answering */
	uint8_t junk[3] = {1, 2, 3};
	sendto(f.cl_fd, junk, sizeof junk, 0, (struct sockaddr *)&f.srv_addr, sizeof f.srv_addr);
	CHECK(pump_recv(&f.loop, f.cl_fd, r, sizeof r, 100) < 0);
	got = udp_ask(&f, q, n, r, sizeof r);
	CHECK(got > 0);
	struct dns_server_stats st;
	dns_server_get_stats(f.srv, &st);
	CHECK_INT(st.answered_local, 2);
	CHECK_INT(st.dropped, 1);
	fixture_stop(&f);
}

static void test_server_tcp(void)
{
	struct fixture f;
	uint8_t q[514], r[65536];
	char t[8192];
	if (!fixture_start(&f)) {
		CHECK(!"fixture");
		fixture_stop(&f);
		return;
	}
	json_t *svc = load("{\"metadata\":{\"namespace\":\"default\",\"name\":\"web\"},\"spec\":{"
			   "\"clusterIP\":\"10.43.0.20\"}}");
	dns_store_service_set(dns_server_store(f.srv), svc);
	json_decref(svc);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	CHECK(fd >= 0);
	connect(fd, (struct sockaddr *)&f.srv_addr, sizeof f.srv_addr);
	size_t n = make_query(q + 2, 77, "web.default.svc.cluster.local", DNS_T_A, 0);
	q[0] = (uint8_t)(n >> 8), q[1] = (uint8_t)n;
	/* two queries in one write: both answered, in order */
	uint8_t two[1028];
	memcpy(two, q, n + 2);
	memcpy(two + n + 2, q, n + 2);
	two[n + 2 + 2 + 1] = 78;
	size_t have = 0;
	bool sent = false;
	for (int i = 0; i < 3000 && have < 4; i++) {
		uv_run(&f.loop, UV_RUN_NOWAIT);
		if (!sent)
			sent = send(fd, two, 2 * (n + 2), MSG_NOSIGNAL) == (ssize_t)(2 * (n + 2));
		ssize_t k = recv(fd, r + have, sizeof r - have, 0);
		if (k > 0)
			have += (size_t)k;
		size_t first = have >= 2 ? (size_t)(r[0] << 8 | r[1]) : 0;
		if (have >= 4 + 2 * first)
			break;
		usleep(1000);
	}
	CHECK(have > 2);
	size_t first = (size_t)(r[0] << 8 | r[1]);
	render(r + 2, first, t, sizeof t);
	HAS(t, "id=77");
	HAS(t, "AN web.default.svc.cluster.local 1 30 10.43.0.20\n");
	render(r + 4 + first, have - 4 - first, t, sizeof t);
	HAS(t, "id=78");
	close(fd);
	fixture_stop(&f);
}

/* The test plays the upstream: reads the forwarded query, answers it. */
static void test_server_forward_and_cache(void)
{
	struct fixture f;
	uint8_t q[512], r[4096], up[4096];
	char t[8192];
	if (!fixture_start(&f)) {
		CHECK(!"fixture");
		fixture_stop(&f);
		return;
	}
	size_t n = make_query(q, 0x1234, "WWW.Example.COM", DNS_T_A, 0);
	sendto(f.cl_fd, q, n, 0, (struct sockaddr *)&f.srv_addr, sizeof f.srv_addr);
	struct sockaddr_in from;
	socklen_t fl = sizeof from;
	ssize_t un = -1;
	for (int i = 0; i < 2000 && un < 0; i++) {
		uv_run(&f.loop, UV_RUN_NOWAIT);
		un = recvfrom(f.up_fd, up, sizeof up, 0, (struct sockaddr *)&from, &fl);
		if (un < 0)
			usleep(1000);
	}
	CHECK(un == (ssize_t)n);
	if (un != (ssize_t)n) {
		fixture_stop(&f);
		return;
	}
	CHECK(memcmp(up + 2, q + 2, n - 2) == 0); /* the query as asked, only the ID differs */
	/* the upstream's answer: A 93.184.216.34, TTL 120 */
	struct dns_query dq;
	struct dns_writer w;
	CHECK_INT(dns_query_parse(up, (size_t)un, &dq), 0);
	uint8_t ans[512];
	dns_writer_start(&w, ans, sizeof ans, up, &dq, 0, false);
	uint8_t ip[4] = {93, 184, 216, 34};
	dns_put_addr(&w, DNS_ANSWER, NULL, 120, AF_INET, ip);
	size_t al = dns_writer_finish(&w, 0);
	/* an answer with a wrong ID is ignored */
	ans[1] ^= 1;
	sendto(f.up_fd, ans, al, 0, (struct sockaddr *)&from, fl);
	CHECK(pump_recv(&f.loop, f.cl_fd, r, sizeof r, 100) < 0);
	ans[1] ^= 1;
	sendto(f.up_fd, ans, al, 0, (struct sockaddr *)&from, fl);
	ssize_t got = pump_recv(&f.loop, f.cl_fd, r, sizeof r, 3000);
	CHECK(got > 0);
	render(r, got > 0 ? (size_t)got : 0, t, sizeof t);
	HAS(t, "id=4660");
	HAS(t, "AN WWW.Example.COM 1 120 93.184.216.34\n");

	/* the same name in another case comes from the cache, in the asker's case */
	n = make_query(q, 0x4321, "www.example.com", DNS_T_A, 0);
	got = udp_ask(&f, q, n, r, sizeof r);
	CHECK(got > 0);
	render(r, got > 0 ? (size_t)got : 0, t, sizeof t);
	HAS(t, "id=17185");
	HAS(t, "Q www.example.com\n");
	HAS(t, "AN www.example.com 1 ");
	CHECK(recv(f.up_fd, up, sizeof up, 0) < 0); /* the upstream was not asked */
	struct dns_server_stats st;
	dns_server_get_stats(f.srv, &st);
	CHECK_INT(st.cache_hits, 1);
	CHECK_INT(st.forwarded, 1);

	/* a silent upstream: SERVFAIL after the timeout */
	n = make_query(q, 0x5555, "silent.example.org", DNS_T_A, 0);
	got = udp_ask(&f, q, n, r, sizeof r);
	CHECK(got > 0);
	render(r, got > 0 ? (size_t)got : 0, t, sizeof t);
	HAS(t, "rcode=2");
	HAS(t, "id=21845");
	fixture_stop(&f);
}

/* Plays the upstream once: the forwarded query's name into name, answered
 * with one A record. */
static bool upstream_answer(struct fixture *f, char name[256], const uint8_t ip[4])
{
	uint8_t up[4096], ans[4096];
	struct sockaddr_in from;
	socklen_t fl = sizeof from;
	ssize_t un = -1;
	for (int i = 0; i < 2000 && un < 0; i++) {
		uv_run(&f->loop, UV_RUN_NOWAIT);
		un = recvfrom(f->up_fd, up, sizeof up, 0, (struct sockaddr *)&from, &fl);
		if (un < 0)
			usleep(1000);
	}
	struct dns_query dq;
	struct dns_writer w;
	if (un < 0 || dns_query_parse(up, (size_t)un, &dq))
		return false;
	snprintf(name, 256, "%s", dq.name);
	dns_writer_start(&w, ans, sizeof ans, up, &dq, 0, false);
	dns_put_addr(&w, DNS_ANSWER, NULL, 60, AF_INET, ip);
	size_t al = dns_writer_finish(&w, 0);
	return sendto(f->up_fd, ans, al, 0, (struct sockaddr *)&from, fl) == (ssize_t)al;
}

/* ExternalName: the target is resolved upstream and follows the CNAME. */
static void test_server_external_name_chase(void)
{
	struct fixture f;
	uint8_t q[512], r[4096];
	char t[8192], asked[256] = "";
	if (!fixture_start(&f)) {
		CHECK(!"fixture");
		fixture_stop(&f);
		return;
	}
	json_t *svc = load("{\"metadata\":{\"namespace\":\"default\",\"name\":\"ext\"},\"spec\":{"
			   "\"type\":\"ExternalName\",\"externalName\":\"db.example.com\"}}");
	json_t *in =
	    load("{\"metadata\":{\"namespace\":\"default\",\"name\":\"alias\"},\"spec\":{"
		 "\"type\":\"ExternalName\",\"externalName\":\"ext.default.svc.cluster.local\"}}");
	dns_store_service_set(dns_server_store(f.srv), svc);
	dns_store_service_set(dns_server_store(f.srv), in);
	json_decref(svc);
	json_decref(in);
	size_t n = make_query(q, 0x0101, "Ext.default.svc.cluster.local", DNS_T_A, 0);
	sendto(f.cl_fd, q, n, 0, (struct sockaddr *)&f.srv_addr, sizeof f.srv_addr);
	uint8_t ip[4] = {192, 0, 2, 7};
	CHECK(upstream_answer(&f, asked, ip));
	CHECK_STR(asked, "db.example.com");
	ssize_t got = pump_recv(&f.loop, f.cl_fd, r, sizeof r, 3000);
	CHECK(got > 0);
	render(r, got > 0 ? (size_t)got : 0, t, sizeof t);
	HAS(t, "rcode=0");
	HAS(t, "id=257");
	HAS(t, "Q Ext.default.svc.cluster.local\n");
	HAS(t, "AN Ext.default.svc.cluster.local 5 30 db.example.com\n");
	HAS(t, "AN db.example.com 1 60 192.0.2.7\n");
	/* a target inside the cluster zone: the CNAME alone, nothing asked */
	n = make_query(q, 0x0202, "alias.default.svc.cluster.local", DNS_T_A, 0);
	got = udp_ask(&f, q, n, r, sizeof r);
	render(r, got > 0 ? (size_t)got : 0, t, sizeof t);
	HAS(t, "AN alias.default.svc.cluster.local 5 30 ext.default.svc.cluster.local\n");
	CHECK(recv(f.up_fd, r, sizeof r, 0) < 0);
	fixture_stop(&f);
}

static void test_server_no_upstream(void)
{
	uv_loop_t loop;
	struct dns_server *srv;
	struct logger log = {.out = fopen("/dev/null", "w")};
	const char *none[] = {NULL};
	struct dns_server_config cfg = {.upstreams = none, .log = &log};
	uint8_t q[512], r[512];
	uv_loop_init(&loop);
	CHECK_INT(dns_server_new(&loop, &cfg, &srv), 0);
	CHECK_INT(dns_server_listen(srv, "127.0.0.77", 0), 0);
	CHECK_INT(dns_server_listen(srv, "not-an-ip", 0), -EINVAL);
	int fd = udp_socket("127.0.0.1", 0, NULL);
	struct sockaddr_in to = {.sin_family = AF_INET,
				 .sin_port = htons((uint16_t)dns_server_port(srv))};
	inet_pton(AF_INET, "127.0.0.77", &to.sin_addr);
	size_t n = make_query(q, 9, "example.net", DNS_T_A, 0);
	sendto(fd, q, n, 0, (struct sockaddr *)&to, sizeof to);
	ssize_t got = pump_recv(&loop, fd, r, sizeof r, 2000);
	CHECK(got >= 12);
	CHECK_INT(got >= 12 ? r[3] & 15 : -1, DNS_R_SERVFAIL);
	close(fd);
	dns_server_stop(srv);
	uv_run(&loop, UV_RUN_DEFAULT);
	dns_server_free(srv);
	CHECK_INT(uv_loop_close(&loop), 0);
	fclose(log.out);
}

/* ---- Service environment variables ---- */

static void free_env(char **env)
{
	for (size_t i = 0; env && env[i]; i++)
		free(env[i]);
	free(env);
}

static bool env_has(char **env, const char *kv)
{
	for (size_t i = 0; env && env[i]; i++)
		if (!strcmp(env[i], kv))
			return true;
	return false;
}

static size_t env_count(char **env)
{
	size_t n = 0;
	while (env && env[n])
		n++;
	return n;
}

static void test_service_env(void)
{
	json_t *svcs = load(
	    "{\"default/"
	    "kubernetes\":{\"metadata\":{\"namespace\":\"default\",\"name\":\"kubernetes\"},"
	    "\"spec\":{\"clusterIP\":\"10.43.0.1\",\"ports\":[{\"name\":\"https\",\"port\":443}]}},"
	    "\"shop/my-web\":{\"metadata\":{\"namespace\":\"shop\",\"name\":\"my-web\"},"
	    "\"spec\":{\"clusterIP\":\"10.43.0.20\",\"ports\":[{\"name\":\"http-alt\",\"port\":"
	    "8080,"
	    "\"protocol\":\"TCP\"},{\"port\":53,\"protocol\":\"UDP\"}]}},"
	    "\"shop/db\":{\"metadata\":{\"namespace\":\"shop\",\"name\":\"db\"},"
	    "\"spec\":{\"clusterIP\":\"None\",\"ports\":[{\"port\":5432}]}},"
	    "\"other/x\":{\"metadata\":{\"namespace\":\"other\",\"name\":\"x\"},"
	    "\"spec\":{\"clusterIP\":\"10.43.0.30\",\"ports\":[{\"port\":1}]}}}");
	char **env = NULL;
	CHECK_INT(dns_service_env(svcs, "shop", true, &env), 0);
	CHECK(env_has(env, "MY_WEB_SERVICE_HOST=10.43.0.20"));
	CHECK(env_has(env, "MY_WEB_SERVICE_PORT=8080"));
	CHECK(env_has(env, "MY_WEB_SERVICE_PORT_HTTP_ALT=8080"));
	CHECK(env_has(env, "MY_WEB_PORT=tcp://10.43.0.20:8080"));
	CHECK(env_has(env, "MY_WEB_PORT_8080_TCP=tcp://10.43.0.20:8080"));
	CHECK(env_has(env, "MY_WEB_PORT_53_UDP_PROTO=udp"));
	CHECK(env_has(env, "MY_WEB_PORT_53_UDP_PORT=53"));
	CHECK(env_has(env, "MY_WEB_PORT_53_UDP_ADDR=10.43.0.20"));
	CHECK(env_has(env, "KUBERNETES_SERVICE_HOST=10.43.0.1"));
	CHECK(env_has(env, "KUBERNETES_PORT_443_TCP=tcp://10.43.0.1:443"));
	for (size_t i = 0; env && env[i]; i++) {
		CHECK(strncmp(env[i], "DB_", 3) != 0); /* headless: none */
		CHECK(strncmp(env[i], "X_", 2) != 0);  /* another namespace: none */
	}
	size_t all = env_count(env);
	free_env(env);
	/* enableServiceLinks: false keeps only the kubernetes Service */
	CHECK_INT(dns_service_env(svcs, "shop", false, &env), 0);
	CHECK(env_has(env, "KUBERNETES_SERVICE_HOST=10.43.0.1"));
	CHECK(!env_has(env, "MY_WEB_SERVICE_HOST=10.43.0.20"));
	CHECK(env_count(env) < all);
	free_env(env);
	/* in default itself it is listed once */
	CHECK_INT(dns_service_env(svcs, "default", true, &env), 0);
	size_t hosts = 0;
	for (size_t i = 0; env && env[i]; i++)
		hosts += !strncmp(env[i], "KUBERNETES_SERVICE_HOST=", 24);
	CHECK_INT(hosts, 1);
	free_env(env);
	json_decref(svcs);
}

/* ---- the dummy interface, in a network namespace of its own ---- */

static int link_child(void)
{
	bool on_lo = false;
	if (unshare(CLONE_NEWNET))
		return 10;
	if (dns_link_ensure(DNS_LINK, "10.43.0.10", &on_lo))
		return 11;
	if (dns_link_ensure(DNS_LINK, "10.43.0.10", &on_lo)) /* again: already there is fine */
		return 12;
	int fd = udp_socket("10.43.0.10", 0, NULL); /* the address is local and up */
	if (fd < 0)
		return 14;
	close(fd);
	if (on_lo) { /* no dummy driver in this kernel: lo holds the address */
		fprintf(stderr, "test_link: no dummy driver, address on lo\n");
		if (dns_link_remove(DNS_LINK, "10.43.0.10", true))
			return 18;
		fd = udp_socket("10.43.0.10", 0, NULL); /* gone */
		if (fd >= 0)
			close(fd);
		return fd >= 0 ? 19 : 0;
	}
	if (!if_nametoindex(DNS_LINK))
		return 13;
	if (dns_link_ensure(DNS_LINK, "bogus", &on_lo) != -EINVAL)
		return 15;
	if (dns_link_delete(DNS_LINK) || if_nametoindex(DNS_LINK))
		return 16;
	return dns_link_delete(DNS_LINK) == -ENODEV ? 0 : 17;
}

static void test_link(void)
{
	if (geteuid() != 0) {
		fprintf(stderr, "skip test_link: needs root\n");
		return;
	}
	pid_t pid = fork();
	if (pid == 0)
		_exit(link_child());
	int status = 0;
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status));
	CHECK_INT(WEXITSTATUS(status), 0);
}

int main(void)
{
	TEST_RUN(test_parse_query);
	TEST_RUN(test_parse_malformed);
	TEST_RUN(test_name_read_loops);
	TEST_RUN(test_writer_compression);
	TEST_RUN(test_writer_truncates);
	TEST_RUN(test_msg_ttls);
	TEST_RUN(test_store_cluster_ip);
	TEST_RUN(test_store_srv);
	TEST_RUN(test_store_headless);
	TEST_RUN(test_store_slice_before_service);
	TEST_RUN(test_store_external_name);
	TEST_RUN(test_store_pods_and_misc);
	TEST_RUN(test_store_truncation_and_edns);
	TEST_RUN(test_server_udp_local);
	TEST_RUN(test_server_tcp);
	TEST_RUN(test_server_forward_and_cache);
	TEST_RUN(test_server_external_name_chase);
	TEST_RUN(test_server_no_upstream);
	TEST_RUN(test_service_env);
	TEST_RUN(test_link);
	return test_summary();
}
