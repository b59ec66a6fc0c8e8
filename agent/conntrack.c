/* agent/conntrack.c — ctnetlink through libnl-3's core (see conntrack.h).
 * No libnetfilter_conntrack and no libnl-nf: the messages are three nested
 * attributes deep, and the core library is linked already for the routes.
 * The dump collects the original tuple of every matching entry as the
 * kernel sent it (any protocol, ports or ICMP ids alike), with its zone and
 * id; each is then deleted by that tuple, the id making sure a new entry
 * that reuses the tuple meanwhile is left alone. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "agent/agent_internal.h"
#include "agent/conntrack.h"

#define CT_DELETE_MAX 65536 /* entries deleted by one call (bounded memory) */

int ct_addr_parse(const char *ip, uint32_t *out)
{
	struct in_addr a;
	if (!ip || inet_pton(AF_INET, ip, &a) != 1)
		return -EINVAL;
	*out = a.s_addr;
	return 0;
}

static int tuple_parse(struct nlattr *attr, struct ct_tuple *t)
{
	struct nlattr *tb[CTA_TUPLE_MAX + 1], *ip[CTA_IP_MAX + 1], *pr[CTA_PROTO_MAX + 1];
	memset(t, 0, sizeof *t);
	if (!attr || nla_parse_nested(tb, CTA_TUPLE_MAX, attr, NULL) < 0 || !tb[CTA_TUPLE_IP] ||
	    !tb[CTA_TUPLE_PROTO] || nla_parse_nested(ip, CTA_IP_MAX, tb[CTA_TUPLE_IP], NULL) < 0 ||
	    nla_parse_nested(pr, CTA_PROTO_MAX, tb[CTA_TUPLE_PROTO], NULL) < 0)
		return -EINVAL;
	if (!ip[CTA_IP_V4_SRC] || !ip[CTA_IP_V4_DST] || !pr[CTA_PROTO_NUM] ||
	    nla_len(ip[CTA_IP_V4_SRC]) < 4 || nla_len(ip[CTA_IP_V4_DST]) < 4)
		return -EINVAL;
	memcpy(&t->src, nla_data(ip[CTA_IP_V4_SRC]), 4);
	memcpy(&t->dst, nla_data(ip[CTA_IP_V4_DST]), 4);
	t->proto = nla_get_u8(pr[CTA_PROTO_NUM]);
	if (pr[CTA_PROTO_SRC_PORT] && nla_len(pr[CTA_PROTO_SRC_PORT]) >= 2)
		t->sport = ntohs(nla_get_u16(pr[CTA_PROTO_SRC_PORT]));
	if (pr[CTA_PROTO_DST_PORT] && nla_len(pr[CTA_PROTO_DST_PORT]) >= 2)
		t->dport = ntohs(nla_get_u16(pr[CTA_PROTO_DST_PORT]));
	return 0;
}

static bool is_ct_entry(const struct nlmsghdr *h)
{
	return h->nlmsg_type == ((NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW) &&
	       h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct nfgenmsg)) &&
	       ((const struct nfgenmsg *)NLMSG_DATA(h))->nfgen_family == AF_INET;
}

int ct_entry_parse(const struct nlmsghdr *h, struct ct_entry *e)
{
	struct nlattr *tb[CTA_MAX + 1];
	if (!is_ct_entry(h) ||
	    nlmsg_parse((struct nlmsghdr *)h, sizeof(struct nfgenmsg), tb, CTA_MAX, NULL) < 0 ||
	    tuple_parse(tb[CTA_TUPLE_ORIG], &e->orig) ||
	    tuple_parse(tb[CTA_TUPLE_REPLY], &e->reply))
		return -EINVAL;
	return 0;
}

bool ct_entry_matches(const struct ct_entry *e, const struct ct_match *m)
{
	const struct ct_tuple *o = &e->orig, *r = &e->reply;
	if (m->proto && o->proto != m->proto)
		return false;
	if (m->any_ip && o->src != m->any_ip && o->dst != m->any_ip && r->src != m->any_ip &&
	    r->dst != m->any_ip)
		return false;
	if (m->orig_dst && o->dst != m->orig_dst)
		return false;
	if (m->orig_dport && o->dport != m->orig_dport)
		return false;
	return !m->reply_src || r->src == m->reply_src;
}

/* ---- the kernel side ---- */

/* An entry to delete: its original tuple attribute as received, zone, id. */
struct victim {
	struct nlattr *tuple; /* malloc'd copy, header included */
	uint16_t zone;	      /* network order, as received */
	uint32_t id;	      /* network order */
	bool has_zone, has_id;
};

struct dump {
	const struct ct_match *m;
	size_t n;
	struct victim *v;
	size_t n_v, cap;
	bool full;
};

static int victim_add(struct dump *d, struct nlattr **tb)
{
	if (d->n_v == CT_DELETE_MAX) {
		d->full = true;
		return 0;
	}
	if (d->n_v == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		struct victim *v = realloc(d->v, cap * sizeof *v);
		if (!v)
			return -ENOMEM;
		d->v = v;
		d->cap = cap;
	}
	struct victim *v = &d->v[d->n_v];
	memset(v, 0, sizeof *v);
	size_t len = (size_t)nla_total_size(nla_len(tb[CTA_TUPLE_ORIG]));
	if (!(v->tuple = malloc(len)))
		return -ENOMEM;
	memcpy(v->tuple, tb[CTA_TUPLE_ORIG], len);
	if ((v->has_zone = tb[CTA_ZONE] && nla_len(tb[CTA_ZONE]) >= 2))
		v->zone = nla_get_u16(tb[CTA_ZONE]);
	if ((v->has_id = tb[CTA_ID] && nla_len(tb[CTA_ID]) >= 4))
		v->id = nla_get_u32(tb[CTA_ID]);
	d->n_v++;
	return 0;
}

static int on_entry(struct nl_msg *msg, void *arg)
{
	struct dump *d = arg;
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct nlattr *tb[CTA_MAX + 1];
	struct ct_entry e;
	if (ct_entry_parse(h, &e) || nlmsg_parse(h, sizeof(struct nfgenmsg), tb, CTA_MAX, NULL) < 0)
		return NL_OK; /* not an IPv4 entry: not ours to judge */
	for (size_t i = 0; i < d->n; i++)
		if (ct_entry_matches(&e, &d->m[i])) {
			if (victim_add(d, tb)) /* read the dump to its end all the same */
				d->full = true;
			break;
		}
	return NL_OK;
}

static struct nl_msg *ct_msg(int type, int flags)
{
	struct nfgenmsg g = {.nfgen_family = AF_INET, .version = NFNETLINK_V0};
	struct nl_msg *m = nlmsg_alloc_simple((NFNL_SUBSYS_CTNETLINK << 8) | type, flags);
	if (m && nlmsg_append(m, &g, sizeof g, NLMSG_ALIGNTO) < 0) {
		nlmsg_free(m);
		return NULL;
	}
	return m;
}

static int ct_dump(struct nl_sock *sk, struct dump *d)
{
	struct nl_msg *m = ct_msg(IPCTNL_MSG_CT_GET, NLM_F_REQUEST | NLM_F_DUMP);
	if (!m)
		return -NLE_NOMEM;
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, on_entry, d);
	int rc = nl_send_auto(sk, m);
	nlmsg_free(m);
	return rc < 0 ? rc : nl_recvmsgs_default(sk);
}

/* 0 (also when the entry went away on its own) or a libnl error. */
static int ct_delete_one(struct nl_sock *sk, const struct victim *v)
{
	struct nl_msg *m = ct_msg(IPCTNL_MSG_CT_DELETE, NLM_F_REQUEST | NLM_F_ACK);
	if (!m)
		return -NLE_NOMEM;
	int rc = nla_put(m, CTA_TUPLE_ORIG | NLA_F_NESTED, nla_len(v->tuple), nla_data(v->tuple));
	if (rc == 0 && v->has_zone)
		rc = nla_put(m, CTA_ZONE, sizeof v->zone, &v->zone);
	if (rc == 0 && v->has_id)
		rc = nla_put(m, CTA_ID, sizeof v->id, &v->id);
	if (rc == 0)
		rc = nl_send_auto(sk, m);
	nlmsg_free(m);
	if (rc >= 0)
		rc = nl_wait_for_ack(sk);
	return rc == -NLE_OBJ_NOTFOUND ? 0 : rc < 0 ? rc : 0;
}

int ct_delete(const struct ct_match *m, size_t n, char *err, size_t errlen)
{
	struct dump d = {.m = m, .n = n};
	if (n == 0)
		return 0;
	struct nl_sock *sk = nl_socket_alloc();
	if (!sk)
		return agent_err(err, errlen, ENOMEM, "out of memory");
	int rc = nl_connect(sk, NETLINK_NETFILTER);
	if (rc == 0)
		rc = ct_dump(sk, &d);
	int deleted = 0;
	/* No conntrack in this kernel or namespace: nothing is tracked. */
	if (rc == -NLE_OBJ_NOTFOUND || rc == -NLE_OPNOTSUPP || rc == -NLE_PROTO_MISMATCH)
		rc = 0;
	if (rc < 0)
		rc = agent_err(err, errlen, EIO, "cannot list conntrack entries: %s",
			       nl_geterror(rc));
	else {
		for (size_t i = 0; i < d.n_v; i++) {
			int r = ct_delete_one(sk, &d.v[i]);
			if (r == 0)
				deleted++;
			else if (rc == 0)
				rc = agent_err(err, errlen, EIO,
					       "cannot delete a conntrack entry: %s",
					       nl_geterror(r));
		}
		if (rc == 0 && d.full)
			rc = agent_err(err, errlen, E2BIG,
				       "only %d of the matching conntrack entries deleted "
				       "(limit %d or out of memory)",
				       deleted, CT_DELETE_MAX);
	}
	for (size_t i = 0; i < d.n_v; i++)
		free(d.v[i].tuple);
	free(d.v);
	nl_socket_free(sk);
	return rc < 0 ? rc : deleted;
}
