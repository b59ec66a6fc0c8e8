/* Authorization of API requests (a simplified upstream Node authorizer plus
 * NodeRestriction) and the node-certificate endpoint nodes join through.
 *
 * - system:masters may do everything.
 * - A node (client certificate CN system:node:<N>, O system:nodes) may read
 *   everything except secrets, configmaps and serviceaccounts, which it may
 *   only get by name; create/update/patch its own Node (and nodes/N/status);
 *   create/update/patch/delete its own Lease kube-node-lease/N; update/patch
 *   pods/X/status and delete pods bound to it (spec.nodeName == N); create,
 *   update and patch events; create serviceaccounts/X/token bound to a pod
 *   bound to it that runs as X (pod_node: that pod's node); get/list/watch
 *   PersistentVolumes and claims, and delete a PersistentVolume pinned to it
 *   (required node affinity kubernetes.io/hostname In [N]; pod_node: N), as
 *   its agent finishes the reclaim of a local-path volume.
 * - A service account (group system:serviceaccounts) may do everything: there
 *   is no RBAC yet.
 * - Anyone else is refused.
 * The decision is a pure function of the attributes so it can be tested as a
 * table (tests/nodeauth_test.c). */
#ifndef APISERVER_NODEAUTH_H
#define APISERVER_NODEAUTH_H

#include <stdbool.h>
#include <stddef.h>

struct authz_attrs {
	const char *user;
	const char *const *groups; /* NULL-terminated, may be NULL */
	const char *verb;	   /* get list watch create update patch delete deletecollection */
	const char *api_group;	   /* "" for core */
	const char *resource;	   /* plural */
	const char *sub;	   /* subresource or "" */
	const char *ns;		   /* "" when cluster-scoped or all namespaces */
	const char *name;	   /* "" for collections */
	const char *pod_node;	   /* spec.nodeName of the target pod (or the node a
				      PersistentVolume is pinned to), NULL: unknown */
};

/* true when allowed; otherwise reason (may be empty) says why not. */
bool authz_decide(const struct authz_attrs *a, char *reason, size_t len);

/* Upstream's 403 message: `nodes "n2" is forbidden: User "system:node:n1"
 * cannot patch resource "nodes" in API group "" at the cluster scope: <reason>`. */
void authz_forbidden_message(const struct authz_attrs *a, const char *reason, char *out,
			     size_t len);

/* The node name in "system:node:<name>" when it is a valid DNS-1123
 * subdomain, else NULL. */
const char *authz_node_name(const char *user);
bool authz_dns_subdomain_valid(const char *s);

#endif
