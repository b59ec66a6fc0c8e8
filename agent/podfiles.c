/* agent/podfiles.c — the contents of the files the agent prepares for a
 * pod's containers: /etc/hosts (the kubelet's managed hosts file with
 * hostAliases) and /etc/resolv.conf (dnsPolicy and dnsConfig, with the
 * kubelet's merge rules and limits). Pure text building; the caller writes
 * them under the pod's directory and passes the paths in agent_pod_ctx. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "agent/agent_internal.h"
#include "agent/podspec.h"
#include "common/jsonutil.h"

#define RESOLV_MAX_NAMESERVERS 3
#define RESOLV_MAX_SEARCH 32
#define RESOLV_MAX_LINE 2048

static const char standard_hosts[] = "127.0.0.1\tlocalhost\n"
				     "::1\tlocalhost ip6-localhost ip6-loopback\n"
				     "fe00::0\tip6-localnet\n"
				     "fe00::0\tip6-mcastprefix\n"
				     "fe00::1\tip6-allnodes\n"
				     "fe00::2\tip6-allrouters\n";

static void host_aliases(FILE *f, const json_t *pod)
{
	const json_t *aliases = json_path(pod, "spec.hostAliases");
	size_t i, j;
	json_t *a, *h;
	if (!json_array_size(aliases))
		return;
	fputs("\n# Entries added by HostAliases.\n", f);
	json_array_foreach(aliases, i, a)
	{
		const char *ip = json_path_str(a, "ip");
		if (!ip || !json_array_size(json_object_get(a, "hostnames")))
			continue;
		fputs(ip, f);
		json_array_foreach(json_object_get(a, "hostnames"), j, h)
		{
			if (json_is_string(h))
				fprintf(f, "\t%s", json_string_value(h));
		}
		fputc('\n', f);
	}
}

char *agent_pod_hosts_file(const json_t *pod, const char *const *pod_ips, const char *host_hosts,
			   const char *cluster_domain)
{
	char *out = NULL, host[64];
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	if (!f)
		return NULL;
	bool host_net = json_is_true(json_path(pod, "spec.hostNetwork"));
	if (host_net) {
		fputs("# Kubernetes-managed hosts file (host network).\n", f);
		fputs(host_hosts ? host_hosts : "", f);
		if (host_hosts && *host_hosts && host_hosts[strlen(host_hosts) - 1] != '\n')
			fputc('\n', f);
	} else {
		const char *sub = json_path_str(pod, "spec.subdomain");
		const char *ns = json_path_str(pod, "metadata.namespace");
		fputs("# Kubernetes-managed hosts file.\n", f);
		fputs(standard_hosts, f);
		agent_pod_hostname(pod, host, sizeof(host));
		for (size_t i = 0; pod_ips && pod_ips[i]; i++) {
			if (sub && *sub)
				fprintf(f, "%s\t%s.%s.%s.svc.%s\t%s\n", pod_ips[i], host, sub,
					ns ? ns : "default",
					cluster_domain ? cluster_domain : "cluster.local", host);
			else
				fprintf(f, "%s\t%s\n", pod_ips[i], host);
		}
	}
	host_aliases(f, pod);
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* ---- resolv.conf ---- */

struct resolv {
	struct agent_strv servers, search, options;
};

static void resolv_clear(struct resolv *r)
{
	agent_strv_clear(&r->servers);
	agent_strv_clear(&r->search);
	agent_strv_clear(&r->options);
}

static bool strv_has(const struct agent_strv *sv, const char *s, size_t n)
{
	for (size_t i = 0; i < sv->n; i++)
		if (strlen(sv->v[i]) == n && !strncmp(sv->v[i], s, n))
			return true;
	return false;
}

static int add_unique(struct agent_strv *sv, const char *s, size_t n)
{
	if (n == 0 || strv_has(sv, s, n))
		return 0;
	return agent_strv_addn(sv, s, n);
}

/* Sets option name[:value], replacing one of the same name. */
static int set_option(struct agent_strv *opts, const char *s, size_t n)
{
	size_t name = strcspn(s, ":");
	name = name < n ? name : n;
	for (size_t i = 0; i < opts->n; i++) {
		if (strcspn(opts->v[i], ":") == name && !strncmp(opts->v[i], s, name)) {
			char *d = strndup(s, n);
			if (!d)
				return -ENOMEM;
			free(opts->v[i]);
			opts->v[i] = d;
			return 0;
		}
	}
	return n ? agent_strv_addn(opts, s, n) : 0;
}

/* Adds the whitespace-separated words of line to sv with fn. */
static int add_words(struct agent_strv *sv, const char *line,
		     int (*fn)(struct agent_strv *, const char *, size_t))
{
	for (const char *p = line; *p;) {
		p += strspn(p, " \t");
		size_t n = strcspn(p, " \t\n");
		int r = n ? fn(sv, p, n) : 0;
		if (r < 0)
			return r;
		p += n;
		if (*p == '\n')
			break;
	}
	return 0;
}

static int parse_host_resolv(struct resolv *r, const char *text)
{
	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		int rc = 0;
		if (!strncmp(l, "nameserver", 10) && (l[10] == ' ' || l[10] == '\t'))
			rc = add_words(&r->servers, l + 10, add_unique);
		else if (!strncmp(l, "search", 6) && (l[6] == ' ' || l[6] == '\t')) {
			agent_strv_clear(&r->search); /* the last search line wins */
			rc = add_words(&r->search, l + 6, add_unique);
		} else if (!strncmp(l, "options", 7) && (l[7] == ' ' || l[7] == '\t'))
			rc = add_words(&r->options, l + 7, set_option);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int cluster_first(struct resolv *r, const json_t *pod, const char *host_resolv,
			 const char *dns, const char *domain)
{
	const char *ns = json_path_str(pod, "metadata.namespace");
	char buf[512];
	struct resolv host = {0};
	int rc = agent_strv_add(&r->servers, dns);
	snprintf(buf, sizeof(buf), "%s.svc.%s", ns ? ns : "default", domain);
	rc = rc < 0 ? rc : add_unique(&r->search, buf, strlen(buf));
	snprintf(buf, sizeof(buf), "svc.%s", domain);
	rc = rc < 0 ? rc : add_unique(&r->search, buf, strlen(buf));
	rc = rc < 0 ? rc : add_unique(&r->search, domain, strlen(domain));
	/* the node's search domains follow the cluster's */
	rc = rc < 0 ? rc : parse_host_resolv(&host, host_resolv ? host_resolv : "");
	for (size_t i = 0; rc == 0 && i < host.search.n; i++)
		rc = add_unique(&r->search, host.search.v[i], strlen(host.search.v[i]));
	resolv_clear(&host);
	return rc < 0 ? rc : set_option(&r->options, "ndots:5", 7);
}

static int apply_dns_config(struct resolv *r, const json_t *cfg)
{
	size_t i;
	json_t *v;
	int rc = 0;
	json_array_foreach(json_object_get(cfg, "nameservers"), i, v)
	{
		if (rc == 0 && json_is_string(v))
			rc = add_unique(&r->servers, json_string_value(v), json_string_length(v));
	}
	json_array_foreach(json_object_get(cfg, "searches"), i, v)
	{
		if (rc == 0 && json_is_string(v))
			rc = add_unique(&r->search, json_string_value(v), json_string_length(v));
	}
	json_array_foreach(json_object_get(cfg, "options"), i, v)
	{
		const char *name = json_path_str(v, "name"), *val = json_path_str(v, "value");
		char opt[256];
		if (rc != 0 || !name)
			continue;
		int n = snprintf(opt, sizeof(opt), "%s%s%s", name, val ? ":" : "", val ? val : "");
		rc = set_option(&r->options, opt, (size_t)n < sizeof(opt) ? (size_t)n : 0);
	}
	return rc;
}

static void write_list(FILE *f, const char *key, const struct agent_strv *sv, size_t max,
		       const char *sep)
{
	if (!sv->n)
		return;
	fputs(key, f);
	for (size_t i = 0; i < sv->n && i < max; i++)
		fprintf(f, "%s%s", i ? sep : " ", sv->v[i]);
	fputc('\n', f);
}

static char *format_resolv(const struct resolv *r)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	if (!f)
		return NULL;
	write_list(f, "search", &r->search, RESOLV_MAX_SEARCH, " ");
	write_list(f, "nameserver", &r->servers, RESOLV_MAX_NAMESERVERS, "\nnameserver ");
	write_list(f, "options", &r->options, 64, " ");
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

char *agent_pod_resolv_conf(const json_t *pod, const char *host_resolv, const char *cluster_dns,
			    const char *cluster_domain, char *err, size_t errlen)
{
	const char *policy = json_path_str(pod, "spec.dnsPolicy");
	const json_t *cfg = json_path(pod, "spec.dnsConfig");
	bool host_net = json_is_true(json_path(pod, "spec.hostNetwork"));
	struct resolv r = {0};
	int rc;
	policy = policy ? policy : "ClusterFirst";
	if (host_net && !strcmp(policy, "ClusterFirst"))
		policy = "Default"; /* ClusterFirstWithHostNet is the opt-in */
	if (!strcmp(policy, "None") && !json_is_object(cfg)) {
		agent_err(err, errlen, EINVAL, "dnsPolicy None needs dnsConfig");
		return NULL;
	}
	if (strncmp(policy, "ClusterFirst", 12) == 0 && cluster_dns && *cluster_dns)
		rc = cluster_first(&r, pod, host_resolv, cluster_dns,
				   cluster_domain ? cluster_domain : "cluster.local");
	else if (strcmp(policy, "None") != 0)
		rc = parse_host_resolv(&r, host_resolv ? host_resolv : "");
	else
		rc = 0;
	if (rc == 0 && json_is_object(cfg))
		rc = apply_dns_config(&r, cfg);
	char *out = rc == 0 ? format_resolv(&r) : NULL;
	resolv_clear(&r);
	if (!out)
		agent_err(err, errlen, ENOMEM, "out of memory");
	return out;
}
