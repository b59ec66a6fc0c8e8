/* The authorization table (apiserver/nodeauth.h): what the admin, a node
 * and anyone else may do, and upstream's wording of the 403 message. */
#include "apiserver/nodeauth.h"
#include "apiserver/tokens.h"
#include "common/pki.h"
#include "tests/test.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static const char *const NODES[] = {"system:nodes", NULL};
static const char *const MASTERS[] = {"system:masters", NULL};
static const char *const OTHERS[] = {"developers", NULL};
static const char *const ACCOUNTS[] = {"system:serviceaccounts", "system:authenticated", NULL};

struct row {
	const char *user;
	const char *const *groups;
	const char *verb, *group, *resource, *sub, *ns, *name, *pod_node;
	bool allowed;
	const char *reason; /* substring of the reason when denied, or NULL */
};

static const struct row TABLE[] = {
    /* the admin may do everything */
    {"kubernetes-admin", MASTERS, "delete", "", "nodes", "", "", "n2", NULL, true, NULL},
    {"kubernetes-admin", MASTERS, "list", "", "secrets", "", "", "", NULL, true, NULL},
    /* a node reads everything but secrets/configmaps/serviceaccounts lists */
    {"system:node:n1", NODES, "list", "", "pods", "", "", "", NULL, true, NULL},
    {"system:node:n1", NODES, "watch", "", "services", "", "", "", NULL, true, NULL},
    {"system:node:n1", NODES, "get", "apps", "deployments", "", "default", "web", NULL, true, NULL},
    {"system:node:n1", NODES, "get", "", "secrets", "", "default", "s1", NULL, true, NULL},
    {"system:node:n1", NODES, "list", "", "secrets", "", "default", "", NULL, false, "by name"},
    {"system:node:n1", NODES, "watch", "", "configmaps", "", "", "", NULL, false, "by name"},
    /* its own Node only */
    {"system:node:n1", NODES, "create", "", "nodes", "", "", "n1", NULL, true, NULL},
    {"system:node:n1", NODES, "patch", "", "nodes", "", "", "n1", NULL, true, NULL},
    {"system:node:n1", NODES, "update", "", "nodes", "status", "", "n1", NULL, true, NULL},
    {"system:node:n1", NODES, "patch", "", "nodes", "", "", "n2", NULL, false,
     "node 'n1' cannot modify node 'n2'"},
    {"system:node:n1", NODES, "create", "", "nodes", "", "", "n2", NULL, false,
     "cannot modify node 'n2'"},
    {"system:node:n1", NODES, "delete", "", "nodes", "", "", "n1", NULL, false, NULL},
    /* its own Lease only */
    {"system:node:n1", NODES, "create", "coordination.k8s.io", "leases", "", "kube-node-lease",
     "n1", NULL, true, NULL},
    {"system:node:n1", NODES, "update", "coordination.k8s.io", "leases", "", "kube-node-lease",
     "n1", NULL, true, NULL},
    {"system:node:n1", NODES, "update", "coordination.k8s.io", "leases", "", "kube-node-lease",
     "n2", NULL, false, "same name"},
    {"system:node:n1", NODES, "update", "coordination.k8s.io", "leases", "", "default", "n1", NULL,
     false, "same name"},
    /* pods bound to it */
    {"system:node:n1", NODES, "patch", "", "pods", "status", "default", "p", "n1", true, NULL},
    {"system:node:n1", NODES, "update", "", "pods", "status", "default", "p", "n2", false,
     "no relationship"},
    {"system:node:n1", NODES, "patch", "", "pods", "status", "default", "p", NULL, false,
     "no relationship"},
    {"system:node:n1", NODES, "delete", "", "pods", "", "default", "p", "n1", true, NULL},
    {"system:node:n1", NODES, "delete", "", "pods", "", "default", "p", "", false,
     "no relationship"},
    {"system:node:n1", NODES, "patch", "", "pods", "", "default", "p", "n1", false, NULL},
    {"system:node:n1", NODES, "create", "", "pods", "", "default", "p", NULL, false, NULL},
    /* events */
    {"system:node:n1", NODES, "create", "", "events", "", "default", "e", NULL, true, NULL},
    {"system:node:n1", NODES, "create", "events.k8s.io", "events", "", "default", "e", NULL, true,
     NULL},
    {"system:node:n1", NODES, "delete", "", "events", "", "default", "e", NULL, false, NULL},
    /* everything else */
    {"system:node:n1", NODES, "create", "", "secrets", "", "default", "x", NULL, false, NULL},
    {"system:node:n1", NODES, "delete", "", "namespaces", "", "", "default", NULL, false, NULL},
    {"system:node:n1", NODES, "deletecollection", "", "pods", "", "default", "", NULL, false, NULL},
    /* volumes: read all; delete only one pinned to this node (local-path reclaim) */
    {"system:node:n1", NODES, "watch", "", "persistentvolumes", "", "", "", NULL, true, NULL},
    {"system:node:n1", NODES, "get", "", "persistentvolumeclaims", "", "default", "data", NULL, true, NULL},
    {"system:node:n1", NODES, "delete", "", "persistentvolumes", "", "", "pvc-1", "n1", true, NULL},
    {"system:node:n1", NODES, "delete", "", "persistentvolumes", "", "", "pvc-2", "n2", false,
     "no relationship found between node 'n1' and this object"},
    {"system:node:n1", NODES, "delete", "", "persistentvolumes", "", "", "static", "", false, NULL},
    {"system:node:n1", NODES, "update", "", "persistentvolumes", "", "", "pvc-1", "n1", false, NULL},
    {"system:node:n1", NODES, "delete", "", "persistentvolumeclaims", "", "default", "data", NULL, false, NULL},
    /* a node name without the group, or a bad name, is nobody */
    {"system:node:n1", OTHERS, "get", "", "pods", "", "default", "p", NULL, false, NULL},
    {"system:node:N1", NODES, "get", "", "pods", "", "default", "p", NULL, false, NULL},
    {"alice", OTHERS, "list", "", "pods", "", "", "", NULL, false, NULL},
    {"alice", NULL, "list", "", "pods", "", "", "", NULL, false, NULL},
    /* TokenRequest: only for a pod bound to the node that runs as the account */
    {"system:node:n1", NODES, "create", "", "serviceaccounts", "token", "default", "web", "n1", true,
     NULL},
    {"system:node:n1", NODES, "create", "", "serviceaccounts", "token", "default", "web", "n2", false,
     "no relationship"},
    {"system:node:n1", NODES, "create", "", "serviceaccounts", "token", "default", "web", "", false,
     "no relationship"},
    {"system:node:n1", NODES, "create", "", "serviceaccounts", "", "default", "web", NULL, false,
     NULL},
    /* no RBAC: a service account may do what the admin may */
    {"system:serviceaccount:default:web", ACCOUNTS, "list", "", "pods", "", "default", "", NULL, true,
     NULL},
    {"system:serviceaccount:default:web", ACCOUNTS, "create", "", "serviceaccounts", "token",
     "default", "web", NULL, true, NULL},
};

static void test_table(void)
{
	for (size_t i = 0; i < sizeof TABLE / sizeof TABLE[0]; i++) {
		const struct row *r = &TABLE[i];
		struct authz_attrs a = {r->user, r->groups, r->verb, r->group,	 r->resource,
					r->sub,	 r->ns,	    r->name, r->pod_node};
		char reason[256];
		bool got = authz_decide(&a, reason, sizeof reason);
		if (got != r->allowed)
			fprintf(stderr, "row %zu: %s %s %s/%s %s: got %d\n", i, r->user, r->verb,
				r->resource, r->sub, r->name, got);
		CHECK(got == r->allowed);
		if (r->reason)
			CHECK(strstr(reason, r->reason) != NULL);
	}
}

static void test_forbidden_message(void)
{
	struct authz_attrs a = {"system:node:n1", NODES, "patch", "", "nodes", "", "", "n2", NULL};
	char reason[256], msg[1024];
	CHECK(!authz_decide(&a, reason, sizeof reason));
	authz_forbidden_message(&a, reason, msg, sizeof msg);
	CHECK_STR(
	    msg,
	    "nodes \"n2\" is forbidden: User \"system:node:n1\" cannot patch resource \"nodes\" "
	    "in API group \"\" at the cluster scope: node 'n1' cannot modify node 'n2'");
	struct authz_attrs l = {"system:node:n1",      NODES,	 "update",
				"coordination.k8s.io", "leases", "",
				"kube-node-lease",     "n2",	 NULL};
	authz_forbidden_message(&l, "", msg, sizeof msg);
	CHECK_STR(
	    msg, "leases.coordination.k8s.io \"n2\" is forbidden: User \"system:node:n1\" cannot "
		 "update resource \"leases\" in API group \"coordination.k8s.io\" in the namespace "
		 "\"kube-node-lease\"");
	struct authz_attrs s = {"system:node:n1", NODES, "list", "", "secrets", "",
				"default",	  "",	 NULL};
	authz_forbidden_message(&s, NULL, msg, sizeof msg);
	CHECK_STR(
	    msg,
	    "secrets is forbidden: User \"system:node:n1\" cannot list resource \"secrets\" in API "
	    "group \"\" in the namespace \"default\"");
	struct authz_attrs st = {"system:node:n1", NODES,     "patch", "",  "pods",
				 "status",	   "default", "p",     "n2"};
	authz_forbidden_message(&st, "", msg, sizeof msg);
	CHECK(strstr(msg, "cannot patch resource \"pods/status\"") != NULL);
}

static void test_node_names(void)
{
	CHECK_STR(authz_node_name("system:node:pi-4.lan"), "pi-4.lan");
	CHECK(authz_node_name("system:node:") == NULL);
	CHECK(authz_node_name("system:node:-a") == NULL);
	CHECK(authz_node_name("system:node:a..b") == NULL);
	CHECK(authz_node_name("system:node:a_b") == NULL);
	CHECK(authz_node_name("system:nodes:a") == NULL);
	CHECK(authz_node_name(NULL) == NULL);
}

/* Join tokens: create/check/expire/delete against a temp data dir (needs a
 * CA certificate there: the check reads only the tokens file). */
static void test_tokens(void)
{
	long long s;
	CHECK_INT(join_token_parse_ttl("24h", &s), 0);
	CHECK_INT(s, 86400);
	CHECK_INT(join_token_parse_ttl("2h30m", &s), 0);
	CHECK_INT(s, 9000);
	CHECK_INT(join_token_parse_ttl("0", &s), 0);
	CHECK_INT(s, 0);
	CHECK(join_token_parse_ttl("", &s) < 0);
	CHECK(join_token_parse_ttl("5x", &s) < 0);
	CHECK(join_token_parse_ttl("-1h", &s) < 0);

	char dir[] = "/tmp/nodeauth-test-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char *err = NULL, *tok = NULL;
	/* No CA yet: a message that says what to do. */
	CHECK(join_token_create(dir, 3600, "x", &tok, &err) < 0);
	CHECK(err && strstr(err, "start `minikube server"));
	free(err);
	err = NULL;
	/* Nothing is valid in an empty directory. */
	CHECK_INT(join_token_check(dir, "abcdef.0123456789abcdef", 0), -EACCES);
	CHECK_INT(join_token_check(dir, "garbage", 0), -EACCES);
	/* With a CA: create, check, expire, delete. */
	struct pki p = {0};
	CHECK_INT(pki_load_or_create(&p, dir, "10.43.0.1", NULL, &err), 0);
	free(tok);
	tok = NULL;
	CHECK_INT(join_token_create(dir, 3600, "pi", &tok, &err), 0);
	char want[80];
	snprintf(want, sizeof want, "K10%s::", p.ca_hash);
	CHECK(tok && !strncmp(tok, want, strlen(want)));
	const char *idsec = tok ? tok + strlen(want) : "";
	CHECK_INT(join_token_check(dir, idsec, time(NULL)), 0);
	CHECK_INT(join_token_check(dir, idsec, time(NULL) + 3601), -EKEYEXPIRED);
	char wrong[64];
	snprintf(wrong, sizeof wrong, "%.7s0000000000000000", idsec);
	CHECK_INT(join_token_check(dir, wrong, time(NULL)), -EACCES);
	struct join_token_info *list = NULL;
	size_t n = 0;
	CHECK_INT(join_token_list(dir, &list, &n, &err), 0);
	CHECK_INT(n, 1);
	CHECK(n == 1 && !strncmp(list[0].id, idsec, 6) && !strcmp(list[0].desc, "pi"));
	free(list);
	char *tok2 = NULL;
	CHECK(join_token_create(dir, 60, "bad\nline", &tok2, &err) < 0 && !tok2);
	free(err);
	err = NULL;
	char id[7];
	snprintf(id, sizeof id, "%.6s", idsec);
	CHECK_INT(join_token_delete(dir, id, &err), 0);
	CHECK_INT(join_token_check(dir, idsec, time(NULL)), -EACCES);
	CHECK_INT(join_token_delete(dir, id, &err), -ENOENT);
	free(err);
	pki_free(&p);
	free(tok);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	CHECK_INT(system(cmd), 0);
}

int main(void)
{
	TEST_RUN(test_table);
	TEST_RUN(test_forbidden_message);
	TEST_RUN(test_node_names);
	TEST_RUN(test_tokens);
	return test_summary();
}
