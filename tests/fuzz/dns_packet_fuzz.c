/* libFuzzer target: raw bytes as a DNS datagram through the server's whole
 * answer path without sockets — query parsing, the record store's answers
 * (into a buffer the size the query asked for), and the walks the forwarder
 * does over upstream answers (minimum TTL, ageing, name reading with
 * compression pointers, copying records behind an ExternalName's CNAME). Nothing may read or write
 * out of bounds, loop, or leak, whatever the bytes. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent/dns.h"

static struct dns_store *store; /* built once: the answers need records */

static void add(const char *text, bool slice)
{
	json_t *j = json_loads(text, 0, NULL);
	if (!j || (slice ? dns_store_slice_set(store, j) : dns_store_service_set(store, j)))
		abort();
	json_decref(j);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (dns_store_new(NULL, 0, &store))
		abort();
	add("{\"metadata\":{\"namespace\":\"default\",\"name\":\"web\"},\"spec\":{\"clusterIP\":"
	    "\"10.43.0.20\",\"clusterIPs\":[\"10.43.0.20\",\"fd00::20\"],\"ports\":[{\"name\":"
	    "\"http\",\"port\":80}]}}",
	    false);
	add("{\"metadata\":{\"namespace\":\"default\",\"name\":\"db\"},\"spec\":{\"clusterIP\":"
	    "\"None\"}}",
	    false);
	add("{\"metadata\":{\"namespace\":\"default\",\"name\":\"db-1\",\"labels\":{"
	    "\"kubernetes.io/service-name\":\"db\"}},\"ports\":[{\"name\":\"pg\",\"port\":5432}],"
	    "\"endpoints\":[{\"addresses\":[\"10.42.0.5\"],\"hostname\":\"db-0\"},"
	    "{\"addresses\":[\"10.42.0.6\"]}]}",
	    true);
	add("{\"metadata\":{\"namespace\":\"default\",\"name\":\"ext\"},\"spec\":{\"type\":"
	    "\"ExternalName\",\"externalName\":\"example.com\"}}",
	    false);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[DNS_TCP_MAX], copy[DNS_TCP_MAX];
	struct dns_query q;
	char name[256];
	size_t next;
	uint32_t ttl;
	if (size > DNS_TCP_MAX)
		return 0;
	if (dns_query_parse(data, size, &q) == 0) {
		size_t n = q.rcode ? dns_reply_error(out, q.udp_size, data, &q, q.rcode)
				   : dns_store_answer(store, data, &q, out, q.udp_size);
		if (n > q.udp_size)
			abort();
		if (n && dns_msg_min_ttl(out, n, &ttl)) /* our own answers always walk */
			abort();
	}
	/* the bytes as an upstream answer */
	memcpy(copy, data, size);
	dns_msg_min_ttl(copy, size, &ttl);
	dns_msg_age(copy, size, 7);
	for (size_t off = 12; off < size && off < 64; off++)
		dns_name_read(copy, size, off, name, &next);
	/* its records copied after a CNAME, as an ExternalName chase does */
	uint8_t query[512];
	size_t ql =
	    dns_query_build(query, sizeof query, 1, "ext.default.svc.cluster.local", 1, false);
	if (ql && dns_query_parse(query, ql, &q) == 0) {
		struct dns_writer w;
		size_t pos = dns_msg_records(copy, size);
		dns_writer_start(&w, out, 512, query, &q, 0, false);
		dns_put_name(&w, DNS_ANSWER, NULL, DNS_T_CNAME, 30, "example.com");
		for (int i = 0; pos && i < 64; i++)
			if (dns_put_copy(&w, DNS_ANSWER, copy, size, &pos) == -EINVAL)
				break;
		size_t n = dns_writer_finish(&w, 0);
		if (n > 512 || dns_msg_min_ttl(out, n, &ttl))
			abort();
	}
	return 0;
}
