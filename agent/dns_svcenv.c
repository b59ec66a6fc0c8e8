/* agent/dns_svcenv.c — the Service environment variables the kubelet gives
 * every container (the other, older way to discover Services): for each
 * Service with a ClusterIP in the pod's namespace (when enableServiceLinks)
 * and always for default/kubernetes,
 *   WEB_SERVICE_HOST=10.43.0.20  WEB_SERVICE_PORT=80
 *   WEB_SERVICE_PORT_HTTP=80     (each named port)
 *   WEB_PORT=tcp://10.43.0.20:80
 *   WEB_PORT_80_TCP=tcp://10.43.0.20:80, _PROTO=tcp, _PORT=80, _ADDR=10.43.0.20
 * A pure function of svcwatch's cache. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/agent_internal.h"
#include "agent/dns.h"
#include "common/jsonutil.h"

/* "my-svc" -> "MY_SVC" */
static void env_name(const char *s, char *out, size_t cap)
{
	size_t i = 0;
	for (; s[i] && i + 1 < cap; i++)
		out[i] = s[i] == '-' ? '_' : (char)toupper((unsigned char)s[i]);
	out[i] = '\0';
}

static int add(struct agent_strv *sv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int add(struct agent_strv *sv, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return n < 0 ? -ENOMEM : agent_strv_take(sv, s);
}

static int service_vars(const json_t *svc, struct agent_strv *sv)
{
	const char *ip = json_path_str(svc, "spec.clusterIP");
	const json_t *ports = json_path(svc, "spec.ports");
	char name[80], pname[80], proto[16], lproto[16], hostport[80];
	if (!ip || !*ip || !strcmp(ip, "None") || !json_array_size(ports))
		return 0;
	env_name(json_path_str(svc, "metadata.name") ?: "", name, sizeof name);
	bool v6 = strchr(ip, ':') != NULL;
	int rc = add(sv, "%s_SERVICE_HOST=%s", name, ip);
	size_t i;
	json_t *p;
	json_array_foreach(ports, i, p)
	{
		json_int_t port = json_integer_value(json_object_get(p, "port"));
		const char *pn = json_path_str(p, "name");
		snprintf(proto, sizeof proto, "%s", json_path_str(p, "protocol") ?: "TCP");
		for (size_t k = 0; k < sizeof proto; k++) {
			lproto[k] = (char)tolower((unsigned char)proto[k]);
			proto[k] = (char)toupper((unsigned char)proto[k]);
		}
		snprintf(hostport, sizeof hostport, v6 ? "[%s]:%lld" : "%s:%lld", ip,
			 (long long)port);
		if (i == 0) {
			rc = rc ? rc : add(sv, "%s_SERVICE_PORT=%lld", name, (long long)port);
			rc = rc ? rc : add(sv, "%s_PORT=%s://%s", name, lproto, hostport);
		}
		if (pn && *pn) {
			env_name(pn, pname, sizeof pname);
			rc = rc ? rc
				: add(sv, "%s_SERVICE_PORT_%s=%lld", name, pname, (long long)port);
		}
		rc = rc ? rc
			: add(sv, "%s_PORT_%lld_%s=%s://%s", name, (long long)port, proto, lproto,
			      hostport);
		rc = rc ? rc
			: add(sv, "%s_PORT_%lld_%s_PROTO=%s", name, (long long)port, proto, lproto);
		rc = rc ? rc
			: add(sv, "%s_PORT_%lld_%s_PORT=%lld", name, (long long)port, proto,
			      (long long)port);
		rc = rc ? rc : add(sv, "%s_PORT_%lld_%s_ADDR=%s", name, (long long)port, proto, ip);
	}
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int dns_service_env(const json_t *services, const char *ns, bool links, char ***out)
{
	struct agent_strv sv = {0};
	const char *key;
	json_t *svc;
	int rc = 0;
	/* default/kubernetes unless the pod's namespace has its own `kubernetes` */
	bool own_kubernetes = false;
	json_object_foreach((json_t *)services, key, svc)
	{
		const char *sns = json_path_str(svc, "metadata.namespace") ?: "";
		const char *name = json_path_str(svc, "metadata.name") ?: "";
		bool mine = links && !strcmp(sns, ns);
		own_kubernetes |= mine && !strcmp(name, "kubernetes");
		if (rc == 0 && mine)
			rc = service_vars(svc, &sv);
	}
	json_t *master = json_object_get(services, "default/kubernetes");
	if (rc == 0 && master && !own_kubernetes && !(links && !strcmp(ns, "default")))
		rc = service_vars(master, &sv);
	if (rc == 0 && !sv.v && !(sv.v = calloc(1, sizeof(char *))))
		rc = -ENOMEM;
	if (rc) {
		agent_strv_clear(&sv);
		return rc;
	}
	qsort(sv.v, sv.n, sizeof *sv.v, cmp_str);
	*out = sv.v;
	return 0;
}
