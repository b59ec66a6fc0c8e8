/* agent/podspec.h — translates one container of a Pod into a runtime spec
 * (struct rt_spec), the way the kubelet and a CRI runtime together do:
 * command/args against the image's ENTRYPOINT/CMD with $(VAR) expansion,
 * env (image env, envFrom, env with every valueFrom kind), workingDir,
 * user/groups, securityContext, resources, namespaces (sandbox or host) and
 * mounts (volumes, subPath, /etc/hosts, /etc/hostname, /etc/resolv.conf,
 * the termination log). Also materializes configMap, secret, downwardAPI and
 * projected volumes atomically, like the kubelet's AtomicWriter.
 *
 * Nothing here talks to the API server: ConfigMaps and Secrets come through
 * a lookup callback. A failure means the kubelet's CreateContainerConfigError
 * with the message left in err (`configmap "x" not found`). */
#ifndef AGENT_PODSPEC_H
#define AGENT_PODSPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "runtime/container.h"
#include "runtime/image.h"

#define AGENT_ENV_MAX 4096		 /* env entries per container, envFrom included */
#define AGENT_VOLUME_FILES_MAX 4096	 /* files per configMap/secret/... volume */
#define AGENT_VOLUME_BYTES_MAX (8 << 20) /* payload bytes per volume */

/* Returns the object (borrowed, valid until the call returns) or NULL when it
 * does not exist. resource: "configmaps" or "secrets". */
typedef const json_t *(*agent_get_object_fn)(void *ud, const char *resource, const char *ns,
					     const char *name);

struct agent_pod_ctx {
	const struct rt_image_info *image; /* the container's resolved image */
	/* Sandbox namespaces to join (net, ipc, uts; pid when the pod sets
	 * shareProcessNamespace); NULL: a new one. hostNetwork/hostIPC/hostPID
	 * choose the host's instead. */
	const char *ns_path[RT_NS__COUNT];
	const char *pod_ip;	    /* status.podIP */
	const char *const *pod_ips; /* status.podIPs (NULL-terminated); NULL: pod_ip */
	const char *host_ip;	    /* status.hostIP */
	const char *node_name;	    /* NULL: the pod's spec.nodeName */
	/* Node allocatable, for resourceFieldRef of a limit that is not set. */
	int64_t node_cpu_milli, node_memory, node_ephemeral;
	agent_get_object_fn get_object;
	void *ud;
	const char *volume_dir; /* DATA_DIR/pods/<uid>/volumes */
	/* Files the caller prepared for the pod; NULL: not mounted. */
	const char *hosts_path, *hostname_path, *resolv_path;
	const char *termination_log_path; /* this container's */
	/* The Service variables ("K=V", NULL-terminated; dns_service_env), set
	 * before the container's own env. NULL: none. */
	const char *const *service_env;
};

/* Fills out (rt_spec_init first) for container (an element of the pod's
 * spec.containers or spec.initContainers). Everything the spec points to is
 * allocated here; free it with agent_spec_free. Fields this call never sets
 * (log_path, bundle, rlimits, masked/readonly paths, fds) are left to the
 * caller and not freed. 0 or -errno with a message. */
int agent_pod_container_spec(const json_t *pod, const json_t *container,
			     const struct agent_pod_ctx *ctx, struct rt_spec *out, char *err,
			     size_t errlen);
void agent_spec_free(struct rt_spec *spec);

/* The container's env as the kubelet computes it (envFrom, then env with
 * valueFrom; without the image's env): a NULL-terminated "K=V" vector,
 * caller frees with agent_env_free. */
int agent_container_env(const json_t *pod, const json_t *container, const struct agent_pod_ctx *ctx,
			char ***out, char *err, size_t errlen);
void agent_env_free(char **env);

/* $(VAR) expansion with the kubelet's rules: $$ is a literal $, $(UNDEFINED)
 * and an unterminated $( stay as written. env: NULL-terminated "K=V". Caller
 * frees; NULL on allocation failure. */
char *agent_expand(const char *in, char *const *env);

/* The value of a downward-API fieldPath (metadata.name, metadata.labels['k'],
 * status.podIP...); caller frees *out. */
int agent_pod_field(const json_t *pod, const char *path, const struct agent_pod_ctx *ctx,
		    char **out, char *err, size_t errlen);
/* A resourceFieldRef value ("limits.memory" with divisor "1Mi"); container_name
 * selects the container. Caller frees *out. */
int agent_resource_field(const json_t *pod, const char *container_name, const char *resource,
			 const char *divisor, const struct agent_pod_ctx *ctx, char **out,
			 char *err, size_t errlen);

/* The pod's hostname: spec.hostname, else metadata.name (at most 63 bytes). */
void agent_pod_hostname(const json_t *pod, char *out, size_t n);
/* "Guaranteed", "Burstable" or "BestEffort" (static string). */
const char *agent_pod_qos_class(const json_t *pod);

/* The pod's /etc/hosts as the kubelet manages it: the standard localhost
 * lines, one line per pod IP with the hostname (and the FQDN when
 * spec.subdomain is set), then spec.hostAliases. hostNetwork pods get
 * host_hosts (the node's /etc/hosts) instead of the standard lines. Caller
 * frees; NULL on allocation failure. */
char *agent_pod_hosts_file(const json_t *pod, const char *const *pod_ips, const char *host_hosts,
			   const char *cluster_domain);
/* The pod's /etc/resolv.conf from dnsPolicy (ClusterFirst, ClusterFirstWithHostNet,
 * Default, None) and dnsConfig, like the kubelet: host_resolv is the node's
 * resolv.conf text, cluster_dns the cluster DNS address (NULL: none, so
 * ClusterFirst falls back to Default). At most 3 nameservers and 32 search
 * domains. Caller frees; NULL with a message on error. */
char *agent_pod_resolv_conf(const json_t *pod, const char *host_resolv, const char *cluster_dns,
			    const char *cluster_domain, char *err, size_t errlen);

/* The host directory behind a volume: hostPath's path, or
 * volume_dir/kubernetes.io~<plugin>/<name>. -ENOTSUP for kinds not served. */
int agent_volume_host_dir(const json_t *volume, const struct agent_pod_ctx *ctx, char *out,
			  size_t n, char *err, size_t errlen);
/* Prepares a volume on the host before containers start: emptyDir (a
 * directory; medium Memory mounts a tmpfs with sizeLimit), hostPath (type
 * checks, DirectoryOrCreate/FileOrCreate), and writes configMap, secret,
 * downwardAPI and projected contents atomically (a new timestamped dir, then
 * the ..data symlink renamed over; user-visible names are symlinks through
 * ..data). Call again to update; unchanged contents are not rewritten. */
int agent_volume_materialize(const json_t *pod, const json_t *volume,
			     const struct agent_pod_ctx *ctx, char *err, size_t errlen);

/* persistentVolumeClaim volumes wait for their claim to be Bound and its
 * PersistentVolume to be known. refs is the pod's reference set
 * ("persistentvolumeclaims/NAME" or "persistentvolumes/NAME" -> the object,
 * null when absent, false to fetch, a string while fetching). true when
 * every claim is bound and its volume is in refs; otherwise the volumes
 * still to fetch are added as false, and with refetch the claims not yet
 * bound (and absent volumes) are marked to fetch again; waiting gets the
 * names of the claims waited for, space-separated. */
bool agent_volume_claims_ready(json_t *refs, bool refetch, char *waiting, size_t len);

/* Projected serviceAccountToken sources. The token comes from
 * ctx->get_object(ud, "tokens", ns, key) (a TokenRequest with status.token),
 * key being "<expirationSeconds>/<audience>" (agent_token_key; -ENAMETOOLONG
 * when it does not fit). agent_token_request: the TokenRequest body for key,
 * bound to the pod (caller decrefs; NULL for a bad key).
 * agent_token_renew_at: when a fetched TokenRequest is due for renewal (unix
 * seconds, 80% of its lifetime; 0 when it says nothing usable).
 * agent_volume_has_token: the volume projects a token. */
int agent_token_key(const json_t *src, char *buf, size_t len);
json_t *agent_token_request(const json_t *pod, const char *key);
long long agent_token_renew_at(const json_t *tokenrequest);
bool agent_volume_has_token(const json_t *volume);

#endif
