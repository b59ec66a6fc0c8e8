/* The node's Lease in kube-node-lease: renewed every AGENT_LEASE_RENEW_MS by
 * an unconditional PUT (created with POST when absent), as the kubelet's
 * node lease controller does. The Node controller reads renewTime to tell a
 * live node from a lost one. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/agent.h"

#define LEASES_PATH "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases"

static json_t *lease_object(const struct node *n)
{
	char now[32];
	node_micro_time(now);
	json_t *l = json_pack("{s:s, s:s, s:{s:s, s:s}, s:{s:s, s:i, s:s}}", "apiVersion",
			      "coordination.k8s.io/v1", "kind", "Lease", "metadata", "name",
			      n->cfg.node_name, "namespace", "kube-node-lease", "spec",
			      "holderIdentity", n->cfg.node_name, "leaseDurationSeconds",
			      AGENT_LEASE_SECONDS, "renewTime", now);
	if (l && n->node_uid[0])
		json_object_set_new(json_object_get(l, "metadata"), "ownerReferences",
				    json_pack("[{s:s, s:s, s:s, s:s}]", "apiVersion", "v1", "kind",
					      "Node", "name", n->cfg.node_name, "uid",
					      n->node_uid));
	return l;
}

static void lease_send(struct node *n, const char *method);

static const char *status_message(const char *body, size_t len, char *buf, size_t blen)
{
	json_t *doc = json_loadb(body, len, 0, NULL);
	const char *m = json_string_value(json_object_get(doc, "message"));
	snprintf(buf, blen, "%s", m ? m : "");
	json_decref(doc);
	return buf;
}

static void on_lease(void *ud, int status, const struct httpc_resp *resp, const char *body,
		     size_t len)
{
	struct node *n = ud;
	char msg[512];
	if (n->stopping)
		return;
	if (status == 404 && !n->lease_created) {
		lease_send(n, "POST");
		return;
	}
	if (status == 200 || status == 201) {
		if (!n->lease_created)
			log_info(&n->log, "lease", "%s lease=kube-node-lease/%s",
				 status == 201 ? "created" : "renewing", n->cfg.node_name);
		else
			log_v(&n->log, 2, "lease", "renewed lease=kube-node-lease/%s",
			      n->cfg.node_name);
		n->lease_created = true;
		return;
	}
	if (status == 409) /* created meanwhile: the next tick updates it */
		return;
	n->lease_created = false;
	if (status < 0)
		log_warn(&n->log, "lease", "renewal failed error=\"%s\"", httpc_last_error(n->api));
	else
		log_warn(&n->log, "lease", "renewal failed status=%d message=\"%s\"", status,
			 status_message(body, len, msg, sizeof msg));
}

static void lease_send(struct node *n, const char *method)
{
	char path[512];
	json_t *l = lease_object(n);
	char *body = l ? json_dumps(l, JSON_COMPACT) : NULL;
	json_decref(l);
	if (!strcmp(method, "POST"))
		snprintf(path, sizeof path, LEASES_PATH);
	else
		snprintf(path, sizeof path, LEASES_PATH "/%s", n->cfg.node_name);
	if (!body || httpc_request(n->api, method, path, "application/json", body, strlen(body),
				   on_lease, n))
		log_warn(&n->log, "lease", "cannot queue the lease renewal");
	free(body);
}

static void on_lease_timer(uv_timer_t *t)
{
	struct node *n = t->data;
	if (!n->stopping)
		lease_send(n, "PUT");
}

void node_lease_start(struct node *n)
{
	n->lease_timer.data = n;
	uv_timer_start(&n->lease_timer, on_lease_timer, 0, AGENT_LEASE_RENEW_MS);
}
