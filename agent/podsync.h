/* agent/podsync.h — the agent's pod worker: runs the pods bound to this node.
 *
 * podsync.c watches pods with fieldSelector spec.nodeName=<node> (list, then
 * watch from the list's resourceVersion, relist on 410 or stream end) and
 * drives each pod on a 1 s tick and on every watch event: a sandbox holding
 * the pod's net/ipc/uts namespaces (sandbox.c), init containers in order
 * (sidecars, restartPolicy Always, are kept running beside the app
 * containers and stopped after them), then app containers, restarts with
 * CrashLoopBackOff back-off, graceful deletion, and re-adoption of running
 * containers after an agent restart
 * (runtime containers carry a label in their bundle text: pod uid, kind,
 * container name, attempt), and the containers' probes (agent/probe.h:
 * readiness sets ready, a failed liveness or startup probe kills the
 * container and the restart policy brings it back). podstatus.c turns what
 * the runtime reports into the Pod's status (pure functions, unit tested);
 * podsync.c PATCHes it when it changed.
 *
 * A pod that is not hostNetwork gets its own network namespace wired to the
 * node's pod network (agent/net.h): status.podIP is its address, released
 * when the pod is deleted or finished. Without a pod network (the Node has
 * no pod CIDR) the namespace has only loopback up. */
#ifndef AGENT_PODSYNC_H
#define AGENT_PODSYNC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <jansson.h>

#include "runtime/container.h"

struct net;
struct node;
struct podsync;

#define PODSYNC_TICK_MS 1000
#define PODSYNC_BACKOFF_START_MS 10000
#define PODSYNC_BACKOFF_MAX_MS 300000
#define PODSYNC_CONTAINERS_MAX 64 /* per list (init or app) */
#define PODSYNC_LABEL "minikube-pod/v1"

/* Starts the pod worker once the Node is registered (n->podsync). Failures
 * (no runtime) are logged and leave the node without pods. */
void podsync_start(struct node *n);
/* Stops watches and timers (containers keep running). NULL is a no-op. */
void podsync_stop(struct podsync *ps);
/* Frees what is left after the loop ended. NULL is a no-op. */
void podsync_free(struct podsync *ps);
/* The container runtime the pods run on (NULL when it could not start);
 * borrowed, valid until podsync_free. */
struct rt *podsync_rt(const struct podsync *ps);
/* The node's images as Node status.images (largest first), or NULL. */
json_t *podsync_node_images(struct podsync *ps);
/* Where the log of a container's previous instance is kept when it restarts
 * (for `kubectl logs --previous`). */
void podsync_previous_log_path(const char *data_dir, const char *uid, const char *name, char *out, size_t n);

/* ---- node-pressure eviction (agent/eviction.h) ---- */

enum eviction_signal;
struct eviction_pod;
/* The node's pods that may still run (not finished, deleted or evicted),
 * with their usage for signal s: memory from the containers' cgroups, disk
 * as the bytes under the pod's and its containers' directories. The caller
 * clears each (eviction_pod_clear) and frees the array. 0 or -errno. */
int podsync_eviction_pods(struct podsync *ps, enum eviction_signal s, struct eviction_pod **out, size_t *n);
/* Evicts a pod: kills its containers and reports it Failed, reason Evicted,
 * with message. 0, or -ENOENT when the pod is not (or no longer) running. */
int podsync_evict(struct podsync *ps, const char *uid, const char *message);

/* ---- podstatus.c: status computation, no I/O ---- */

enum ctr_view_state { CV_WAITING, CV_RUNNING, CV_TERMINATED };

/* What the agent knows about one container, for its status. Strings are
 * borrowed; NULL means absent. */
struct ctr_view {
	const char *name;
	const char *image, *image_id, *container_id;
	enum ctr_view_state state;
	const char *reason, *message; /* waiting or terminated */
	int exit_code, signal;
	int64_t started_ns, finished_ns; /* CLOCK_REALTIME, 0: unknown */
	int restart_count;
	const json_t *last_state; /* {"terminated":{...}} or NULL */
	/* A running container whose startup probe has not passed (not_started)
	 * or that is not ready by its probes (not_ready); false: as running. */
	bool not_started, not_ready;
	/* A sidecar: an init container with restartPolicy Always. It keeps
	 * running beside the app containers; it lets the next init container
	 * start once started, and is ready by its readiness probe. */
	bool sidecar;
};

/* "Always", "OnFailure" or "Never" (static) from spec.restartPolicy. */
const char *podstatus_restart_policy(const json_t *pod);
/* Whether a container that exited with code should be started again. */
bool podstatus_should_restart(const char *policy, int exit_code);
/* The reason of a terminated container: OOMKilled, Completed or Error. */
const char *podstatus_term_reason(int exit_code, bool oom);
/* Next back-off after one of cur ms: 0 -> 10 s -> 20 s ... -> 5 min. */
uint64_t podstatus_backoff_next(uint64_t cur);
/* RFC 3339 seconds ("2026-11-22T04:00:00Z") from CLOCK_REALTIME ns. */
void podstatus_time(int64_t ns, char out[32]);
/* {"name":..,"state":{..},"lastState":{..},"ready":..,...}; new reference. */
json_t *podstatus_container(const struct ctr_view *v, bool init);
/* The Initialized condition (the kubelet's): every regular init container
 * completed (exit 0) and every sidecar started, or an app container ran
 * already (a sidecar restarting later does not undo it). */
bool podstatus_initialized(const struct ctr_view *init, size_t n_init, const struct ctr_view *app,
			   size_t n_app);
/* The init container to act on next, like the kubelet's
 * computeInitContainerActions: the first one that holds the next ones back
 * (a regular one that has not completed, a sidecar that has not started), or
 * n_init when none does. One after which a container ran already (a later
 * init container or an app container) holds nothing back any more. The
 * sidecars before it are kept running. */
size_t podstatus_init_next(const struct ctr_view *init, size_t n_init, const struct ctr_view *app,
			   size_t n_app);
/* The pod phase (static string) like the kubelet's getPhase: sidecars count
 * as running while they run and not at all once stopped, so a pod whose app
 * containers completed turns Succeeded or Failed once its sidecars exited. */
const char *podstatus_phase(const char *policy, const struct ctr_view *init, size_t n_init,
			    const struct ctr_view *app, size_t n_app);
/* Pod conditions; prev (may be NULL) keeps lastTransitionTime of conditions
 * whose status did not change; now is the time to use for the others. */
json_t *podstatus_conditions(const char *phase, const struct ctr_view *init, size_t n_init,
			     const struct ctr_view *app, size_t n_app, const json_t *prev,
			     const char *now);

/* ---- sandbox.c ---- */

/* The pod's sandbox (see sandbox.c). Most pods get their net, ipc and uts
 * namespaces held by bind mounts under DATA_DIR/pods/<uid>/ns/<kind>, which
 * the containers join by path; a pod with shareProcessNamespace (and no
 * hostPID) gets a sandbox container instead, whose pid namespace they also
 * join. */
bool sandbox_is_container(const json_t *pod);
/* The namespaces the pod holds of its own (bits 1 << RT_NS_*): net and uts
 * unless hostNetwork, ipc unless hostIPC. */
unsigned sandbox_ns_kinds(const json_t *pod);
/* DATA_DIR/pods/<uid>/ns (kind < 0) or its file for kind (enum rt_ns).
 * -EINVAL for a uid that is not [A-Za-z0-9-]{1,40}. */
int sandbox_ns_path(const char *data_dir, const char *uid, int kind, char *out, size_t n);
/* 0 when every namespace of kinds is mounted at its file, else -ENOENT. */
int sandbox_ns_held(const char *data_dir, const char *uid, unsigned kinds);
/* Whether DATA_DIR/pods/<uid>/ns exists (a holder, possibly half made). */
bool sandbox_ns_exists(const char *data_dir, const char *uid);
/* Microseconds a sandbox_ns_create took: namespaces made and mounted, then
 * the pod network wired. */
struct sandbox_times {
	uint64_t ns_us, net_us;
};
/* Makes the pod's namespaces (replacing what an earlier attempt left), its
 * hostname set; the network namespace gets eth0 on the node's pod bridge
 * with the pod's address written to ip (NET_IP_MAX bytes, "" when none) when
 * net (agent/net.h) is not NULL, else loopback up. t may be NULL. 0 or
 * -errno with a message; nothing is left mounted on failure. */
int sandbox_ns_create(struct net *net, const char *data_dir, const json_t *pod, char *ip,
		      struct sandbox_times *t, char *err, size_t errlen);
/* Binds the namespaces of pid (a running container of the pod, or an older
 * agent's sandbox container) onto the pod's files: after an upgrade, or
 * when the agent restarted in a mount namespace without the mounts. The
 * pod network already wired in them stays. 0 or -errno with a message. */
int sandbox_ns_adopt(const char *data_dir, const json_t *pod, pid_t pid, char *err,
		     size_t errlen);
/* Unmounts and removes DATA_DIR/pods/<uid>/ns: the namespaces end with the
 * last process in them. Idempotent. */
void sandbox_ns_release(const char *data_dir, const char *uid);
/* The sandbox container of a shareProcessNamespace pod: busybox `sleep`
 * from a rootfs built once under DATA_DIR/agent/pause. hostNetwork shares
 * the host's network and UTS namespaces; otherwise its network namespace is
 * wired like sandbox_ns_create's. 0 or -errno with a message. */
int sandbox_create(struct rt *rt, struct net *net, const char *data_dir, const json_t *pod,
		   const char *id, const char *label, char *ip, char *err, size_t errlen);
/* Runtime container ids: "<uid>-s<attempt>" for the sandbox and
 * "<uid>-<8 hex of kind+name>-<attempt>" for containers (at most 64 bytes
 * for a 36-byte uid). -EINVAL when the uid is not [A-Za-z0-9-]{1,40}. */
int sandbox_container_id(const char *uid, const char *kind, const char *name, int attempt,
			 char *out, size_t n);
/* "minikube-pod/v1 <uid> <kind> <attempt> <name>" kept in the runtime's bundle
 * text, and its parser (0 or -EINVAL). kind: sandbox, init or app. */
void sandbox_label(const char *uid, const char *kind, const char *name, int attempt, char *out,
		   size_t n);
int sandbox_label_parse(const char *label, char uid[64], char kind[16], char name[64],
			int *attempt);

#endif
