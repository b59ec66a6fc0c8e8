/* Unit tests of agent/conntrack.h: parsing ctnetlink entry messages, the
 * matching rules, and — as root, in a throwaway network namespace — real
 * entries made by UDP packets (one through a DNAT like a Service's) deleted
 * by a pod's address and by Service address + port + endpoint, leaving the
 * others alone. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "agent/conntrack.h"
#include "test.h"

static uint32_t A(const char *ip)
{
	uint32_t a = 0;
	CHECK_INT(ct_addr_parse(ip, &a), 0);
	return a;
}

static void put_tuple(struct nl_msg *m, int type, const char *src, const char *dst, int proto,
		      int sport, int dport)
{
	struct nlattr *t = nla_nest_start(m, type | NLA_F_NESTED);
	struct nlattr *ip = nla_nest_start(m, CTA_TUPLE_IP | NLA_F_NESTED);
	uint32_t s = A(src), d = A(dst);
	nla_put(m, CTA_IP_V4_SRC, 4, &s);
	nla_put(m, CTA_IP_V4_DST, 4, &d);
	nla_nest_end(m, ip);
	struct nlattr *pr = nla_nest_start(m, CTA_TUPLE_PROTO | NLA_F_NESTED);
	nla_put_u8(m, CTA_PROTO_NUM, (uint8_t)proto);
	if (sport) {
		nla_put_u16(m, CTA_PROTO_SRC_PORT, htons((uint16_t)sport));
		nla_put_u16(m, CTA_PROTO_DST_PORT, htons((uint16_t)dport));
	}
	nla_nest_end(m, pr);
	nla_nest_end(m, t);
}

/* An entry message as the kernel dumps it: client -> service, DNATed to ep. */
static struct nl_msg *entry_msg(int family)
{
	struct nfgenmsg g = {.nfgen_family = (uint8_t)family, .version = NFNETLINK_V0};
	struct nl_msg *m = nlmsg_alloc_simple((NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW, 0);
	nlmsg_append(m, &g, sizeof g, NLMSG_ALIGNTO);
	put_tuple(m, CTA_TUPLE_ORIG, "10.42.0.5", "10.43.0.10", IPPROTO_UDP, 40000, 53);
	put_tuple(m, CTA_TUPLE_REPLY, "10.42.1.7", "10.42.0.5", IPPROTO_UDP, 5353, 40000);
	nla_put_u32(m, CTA_ID, htonl(7));
	return m;
}

static void test_parse(void)
{
	struct ct_entry e;
	struct nl_msg *m = entry_msg(AF_INET);
	CHECK_INT(ct_entry_parse(nlmsg_hdr(m), &e), 0);
	CHECK(e.orig.src == A("10.42.0.5") && e.orig.dst == A("10.43.0.10"));
	CHECK_INT(e.orig.proto, IPPROTO_UDP);
	CHECK_INT(e.orig.sport, 40000);
	CHECK_INT(e.orig.dport, 53);
	CHECK(e.reply.src == A("10.42.1.7") && e.reply.dst == A("10.42.0.5"));
	CHECK_INT(e.reply.sport, 5353);
	nlmsg_free(m);

	m = entry_msg(AF_INET6); /* not ours to read */
	CHECK_INT(ct_entry_parse(nlmsg_hdr(m), &e), -EINVAL);
	nlmsg_free(m);

	/* A message without a reply tuple is refused, not half read. */
	struct nfgenmsg g = {.nfgen_family = AF_INET, .version = NFNETLINK_V0};
	m = nlmsg_alloc_simple((NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW, 0);
	nlmsg_append(m, &g, sizeof g, NLMSG_ALIGNTO);
	put_tuple(m, CTA_TUPLE_ORIG, "10.42.0.5", "10.43.0.10", IPPROTO_UDP, 1, 2);
	CHECK_INT(ct_entry_parse(nlmsg_hdr(m), &e), -EINVAL);
	nlmsg_free(m);

	/* Another message type (an expectation) is not an entry. */
	m = nlmsg_alloc_simple((NFNL_SUBSYS_CTNETLINK_EXP << 8) | IPCTNL_MSG_EXP_NEW, 0);
	nlmsg_append(m, &g, sizeof g, NLMSG_ALIGNTO);
	CHECK_INT(ct_entry_parse(nlmsg_hdr(m), &e), -EINVAL);
	nlmsg_free(m);

	uint32_t x;
	CHECK_INT(ct_addr_parse("10.42.0.256", &x), -EINVAL);
	CHECK_INT(ct_addr_parse("fd00::1", &x), -EINVAL);
	CHECK_INT(ct_addr_parse(NULL, &x), -EINVAL);
}

static void test_matches(void)
{
	struct ct_entry e = {
	    .orig = {A("10.42.0.5"), A("10.43.0.10"), 40000, 53, IPPROTO_UDP},
	    .reply = {A("10.42.1.7"), A("10.42.0.5"), 5353, 40000, IPPROTO_UDP},
	};
	struct ct_match m = {0};
	CHECK(ct_entry_matches(&e, &m)); /* no condition: everything */
	m.any_ip = A("10.42.0.5");	 /* the client pod */
	CHECK(ct_entry_matches(&e, &m));
	m.any_ip = A("10.42.1.7"); /* the endpoint, seen only in the reply */
	CHECK(ct_entry_matches(&e, &m));
	m.any_ip = A("10.42.0.6");
	CHECK(!ct_entry_matches(&e, &m));

	struct ct_match svc = {.proto = IPPROTO_UDP,
			       .orig_dst = A("10.43.0.10"),
			       .orig_dport = 53,
			       .reply_src = A("10.42.1.7")};
	CHECK(ct_entry_matches(&e, &svc));
	svc.proto = IPPROTO_TCP;
	CHECK(!ct_entry_matches(&e, &svc));
	svc.proto = IPPROTO_UDP;
	svc.orig_dport = 54;
	CHECK(!ct_entry_matches(&e, &svc));
	svc.orig_dport = 53;
	svc.reply_src = A("10.42.1.8"); /* another endpoint of the Service */
	CHECK(!ct_entry_matches(&e, &svc));
	svc.reply_src = A("10.42.1.7");
	svc.orig_dst = A("10.43.0.11"); /* another Service of the endpoint */
	CHECK(!ct_entry_matches(&e, &svc));
	svc.orig_dst = 0; /* a NodePort: any local address */
	CHECK(ct_entry_matches(&e, &svc));
}

/* ---- as root, in a private network namespace ---- */

static int sh(const char *cmd)
{
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void udp_send(const char *src, int sport, const char *dst, int dport)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in s = {.sin_family = AF_INET, .sin_port = htons((uint16_t)sport)};
	struct sockaddr_in d = {.sin_family = AF_INET, .sin_port = htons((uint16_t)dport)};
	inet_pton(AF_INET, src, &s.sin_addr);
	inet_pton(AF_INET, dst, &d.sin_addr);
	CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&s, sizeof s) == 0 &&
	      sendto(fd, "x", 1, 0, (struct sockaddr *)&d, sizeof d) == 1);
	if (fd >= 0)
		close(fd);
}

/* Entries of this namespace whose line holds every one of the words. */
static int entries(const char *w1, const char *w2)
{
	FILE *f = fopen("/proc/self/net/nf_conntrack", "re");
	char line[512];
	int n = 0;
	while (f && fgets(line, sizeof line, f))
		if (strstr(line, w1) && (!w2 || strstr(line, w2)))
			n++;
	if (f)
		fclose(f);
	return n;
}

static void test_delete_in_netns(void)
{
	char err[256];
	/* conntrack is on in a namespace once a rule needs it; the DNAT plays
	 * a Service 127.0.0.9:53 with the endpoint 127.0.0.3:5353 */
	CHECK_INT(sh("ip link set lo up && nft -f - <<'EOF'\n"
		     "table ip ctt {\n"
		     " chain out { type filter hook output priority 0; ct state new counter; }\n"
		     " chain nat { type nat hook output priority -100;\n"
		     "  ip daddr 127.0.0.9 udp dport 53 dnat to 127.0.0.3:5353; }\n"
		     "}\nEOF"),
		  0);
	udp_send("127.0.0.2", 4000, "127.0.0.9", 53);	/* a client of the Service */
	udp_send("127.0.0.4", 4001, "127.0.0.9", 53);	/* another client */
	udp_send("127.0.0.2", 4002, "127.0.0.5", 53);	/* not the Service */
	udp_send("127.0.0.6", 4003, "127.0.0.7", 9999); /* a "pod" talking */
	udp_send("127.0.0.8", 4004, "127.0.0.6", 9999); /* talked to */
	CHECK_INT(entries("src=127.0.0.3 dst=127.0.0.2 sport=5353", NULL), 1);
	CHECK_INT(entries("src=127.0.0.6 ", NULL), 2);

	/* A pod's address: its flows either way, nothing else. */
	struct ct_match pod = {.any_ip = A("127.0.0.6")};
	int rc = ct_delete(&pod, 1, err, sizeof err);
	CHECK_INT(rc, 2);
	if (rc < 0)
		fprintf(stderr, "ct_delete: %s\n", err);
	CHECK_INT(entries("127.0.0.6 ", NULL), 0);
	CHECK_INT(entries("udp", NULL), 3);

	/* The endpoint left the Service: both clients' flows to it go, the
	 * flow to another address on the same port stays. */
	struct ct_match gone[] = {
	    {.proto = IPPROTO_TCP, .orig_dst = A("127.0.0.9"), .reply_src = A("127.0.0.3")},
	    {.proto = IPPROTO_UDP,
	     .orig_dst = A("127.0.0.9"),
	     .orig_dport = 53,
	     .reply_src = A("127.0.0.3")},
	};
	CHECK_INT(ct_delete(gone, 2, err, sizeof err), 2);
	CHECK_INT(entries("dst=127.0.0.9", NULL), 0);
	CHECK_INT(entries("src=127.0.0.2 dst=127.0.0.5", NULL), 1);
	/* Again: nothing left to delete. */
	CHECK_INT(ct_delete(gone, 2, err, sizeof err), 0);
	CHECK_INT(ct_delete(gone, 0, err, sizeof err), 0);
}

int main(void)
{
	TEST_RUN(test_parse);
	TEST_RUN(test_matches);
	/* qemu-user (the arm64 unit tests, scripts/test-cross) opens only
	 * NETLINK_ROUTE, _KOBJECT_UEVENT and _AUDIT sockets for the emulated
	 * program: NETLINK_NETFILTER fails with EPROTONOSUPPORT. */
	if (getenv("MK_TEST_EMULATOR"))
		printf("skipped test_delete_in_netns under %s: it does not support "
		       "NETLINK_NETFILTER (ctnetlink) sockets\n",
		       getenv("MK_TEST_EMULATOR"));
	else if (geteuid() == 0 && access("/proc/self/net/nf_conntrack", R_OK) == 0 &&
		 unshare(CLONE_NEWNET) == 0 && sh("command -v nft >/dev/null") == 0)
		TEST_RUN(test_delete_in_netns);
	else
		printf("skipping the kernel part (needs root, conntrack, nft and network "
		       "namespaces)\n");
	return test_summary();
}
