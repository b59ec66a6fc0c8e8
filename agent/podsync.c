/* agent/podsync.c — runs the pods bound to this node (see podsync.h).
 *
 * One struct podsync hangs off struct node: the runtime and image store
 * handles, the pod table (a list of struct pod keyed by uid), the watch
 * stream and a 1 s tick. Every pod is driven by pod_sync(), which is
 * idempotent: it looks at what the runtime reports and takes the next step
 * (sandbox, init containers in order, app containers, restarts with
 * back-off, termination), then PATCHes pods/X/status when the computed
 * status differs from the last one written. Runtime calls are short and
 * synchronous; image pulls run on the libuv thread pool. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent/agent.h"
#include "agent/agent_internal.h"
#include "agent/dns.h"
#include "agent/eviction.h"
#include "agent/net.h"
#include "agent/podspec.h"
#include "agent/podsync.h"
#include "agent/probe.h"
#include "agent/svcwatch.h"
#include "common/crypto.h"
#include "runtime/image.h"

#define PODS_PATH "/api/v1/pods"
#define RELIST_MS 1000
#define WATCH_LINE_MAX (4 << 20)
#define CLUSTER_DOMAIN "cluster.local"
#define START_EVENTS 1	      /* Created and Started */
#define START_EVENT_PRESENT 2 /* and Pulled: the image was already present */

struct pod_ctr {
	char name[64];
	bool init;
	int attempt;		/* restartCount */
	char id[RT_ID_MAX + 1]; /* current runtime container, "" none */
	struct rt_state st;	/* last polled state when id[0] */
	json_t *last_state;	/* {"terminated":{...}} of the previous attempt */
	uint64_t backoff_ms, next_start_ms, delay_ms;
	bool restart_due; /* exit seen, restart scheduled at next_start_ms */
	char reason[48], message[256];
	char image[256], image_id[128];
	char image_name[256]; /* normalized name the image resolved to */
	bool pulling, pulled, just_pulled; /* just_pulled: for this start's events */
	unsigned start_events;		   /* START_EVENT* still to send (pod_start_events) */
	uint64_t pull_backoff_ms, pull_next_ms;
	struct probe_ctr *probes; /* app containers with probes, else NULL */
	/* The instance whose postStart hook runs, or failed and is being killed
	 * (then SIGKILL at hook_kill_at_ms). */
	char poststart_id[RT_ID_MAX + 1];
	uint64_t hook_kill_at_ms;
	bool poststart_rerun; /* adopted while its postStart hook had not ended */
	bool sidecar;	      /* an init container with restartPolicy Always */
	/* Being stopped (pod_stop_begin): SIGTERM still to send, its preStop
	 * hook runs; SIGKILL at stop_kill_at_ms once SIGTERM was sent. */
	bool term_due, prestop_busy;
	uint64_t stop_kill_at_ms;
};

struct pod {
	struct pod *next;
	char uid[64], ns[64], name[256];
	json_t *obj;
	char sandbox_id[RT_ID_MAX + 1];
	char ip[NET_IP_MAX]; /* last looked up by pod_ip() */
	int sandbox_attempt;
	pid_t sandbox_pid; /* a sandbox container's (sandbox_is_container, or an older agent's) */
	bool ns_held;	   /* the pod's namespaces are bind-mounted (sandbox_ns_create) */
	struct pod_ctr *ctrs; /* init containers first */
	size_t n_init, n_ctrs;
	bool seen, files_ready, deleting, delete_sent, sandbox_stopped, refs_retry;
	uint64_t kill_deadline_ms; /* stopping: SIGTERM is due by then at the latest */
	bool stop_graceful;	   /* stopping with a grace period above 0 */
	bool finishing;		   /* its work is over: what runs is stopped (pod_finish) */
	char start_time[32];
	uint64_t first_seen_ms; /* for how long cluster DNS may hold the start */
	json_t *status_sent, *conds;
	/* "configmaps/NAME" -> false (to fetch), "pending", null (absent) or
	 * the object: what the pod's env and volumes reference. */
	json_t *refs;
	/* serviceAccountToken volumes: a token arrived and is not written yet;
	 * a renewal is in flight; no renewal attempt before this time. */
	bool tokens_dirty, token_busy;
	uint64_t token_retry_ms;
	char *evicted; /* the eviction message once evicted (eviction.h) */
	/* waiting for claims to bind: since when, last asked, last FailedMount */
	uint64_t claims_since_ms, claims_asked_ms, mount_event_ms;
};

struct adopted {
	char id[RT_ID_MAX + 1];
	char label[256];
};

struct podsync {
	struct node *n;
	struct rt *rt;
	struct rt_images *imgs;
	char data_dir[1024];
	char host_ip[64];
	uv_timer_t tick, relist;
	struct httpc_stream *watch;
	struct httpc_lines lines;
	char rv[32];
	struct pod *pods;
	struct adopted *adopted; /* from rt_container_list, until the first list */
	size_t n_adopted;
	bool stopping, listed;
	int handles_open;
};

static void pod_sync(struct podsync *ps, struct pod *p);
static void ctr_poststart(struct podsync *ps, struct pod *p, struct pod_ctr *c);
static void ctr_start_events(struct podsync *ps, struct pod *p, struct pod_ctr *c);
static void ctr_poststart_adopted(struct podsync *ps, struct pod *p, struct pod_ctr *c);
static void pod_hooks_due(struct podsync *ps, struct pod *p, uint64_t now);
static void pod_stop_turns(struct podsync *ps, struct pod *p);
static void watch_start(struct podsync *ps);
static void list_start(struct podsync *ps);

/* ---- helpers ---- */

static const char *jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static const json_t *pod_spec(const struct pod *p)
{
	return json_object_get(p->obj, "spec");
}

static bool pod_host_network(const struct pod *p)
{
	return json_is_true(json_object_get(pod_spec(p), "hostNetwork"));
}

static const json_t *ctr_spec(const struct pod *p, const struct pod_ctr *c)
{
	const json_t *arr = json_object_get(pod_spec(p), c->init ? "initContainers" : "containers");
	size_t i;
	json_t *e;
	json_array_foreach(arr, i, e)
	{
		const char *nm = jstr(e, "name");
		if (nm && !strcmp(nm, c->name))
			return e;
	}
	return NULL;
}

static struct pod *pod_find(struct podsync *ps, const char *uid)
{
	for (struct pod *p = ps->pods; p; p = p->next)
		if (!strcmp(p->uid, uid))
			return p;
	return NULL;
}

static void pod_free(struct pod *p)
{
	for (size_t i = 0; i < p->n_ctrs; i++) {
		json_decref(p->ctrs[i].last_state);
		probe_ctr_free(p->ctrs[i].probes);
	}
	free(p->ctrs);
	json_decref(p->obj);
	json_decref(p->status_sent);
	json_decref(p->conds);
	json_decref(p->refs);
	free(p->evicted);
	free(p);
}

static void pod_unlink(struct podsync *ps, struct pod *p)
{
	for (struct pod **pp = &ps->pods; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			return;
		}
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void pod_dir(const struct podsync *ps, const struct pod *p, const char *sub, char *out,
		    size_t n)
{
	snprintf(out, n, "%s/pods/%s%s%s", ps->data_dir, p->uid, sub[0] ? "/" : "", sub);
}

void podsync_previous_log_path(const char *data_dir, const char *uid, const char *name, char *out, size_t n)
{
	snprintf(out, n, "%s/pods/%s/logs/%s.previous.log", data_dir, uid, name);
}

/* Keeps the log of a container about to be replaced for `kubectl logs
 * --previous` (in the pod's directory, removed with the pod). */
static void previous_log_keep(struct podsync *ps, const struct pod *p, const char *name, const char *id)
{
	struct rt_state st;
	char err[256], path[1400], dir[1200];
	if (!id[0] || rt_container_state(ps->rt, id, &st, err, sizeof err) || !st.log_path[0])
		return;
	snprintf(dir, sizeof dir, "%s/pods/%s/logs", ps->data_dir, p->uid);
	podsync_previous_log_path(ps->data_dir, p->uid, name, path, sizeof path);
	if (agent_mkdir_p(dir, 0700) == 0 && rename(st.log_path, path) < 0)
		log_v(&ps->n->log, 2, "pods", "cannot keep the previous log container=%s error=\"%s\"", name,
		      strerror(errno));
}

/* Runtime calls whose failure only matters in the log. */
static void rt_remove(struct podsync *ps, const char *id)
{
	char err[256];
	struct rt_state st;
	if (rt_container_state(ps->rt, id, &st, err, sizeof err))
		return; /* already gone */
	if (rt_container_delete(ps->rt, id, true, err, sizeof err))
		log_warn(&ps->n->log, "pods", "cannot remove container id=%s error=\"%s\"", id,
			 err);
}

static void rt_signal(struct podsync *ps, const char *id, int sig, bool all)
{
	char err[256];
	if (rt_container_kill(ps->rt, id, sig, all, err, sizeof err))
		log_v(&ps->n->log, 1, "pods", "kill failed id=%s sig=%d error=\"%s\"", id, sig,
		      err);
}

/* ---- the pod table ---- */

/* Builds the container list from the spec (bounded, names validated). */
static int pod_ctrs_build(struct pod *p)
{
	const json_t *init = json_object_get(pod_spec(p), "initContainers");
	const json_t *app = json_object_get(pod_spec(p), "containers");
	size_t ni = json_array_size(init), na = json_array_size(app);
	if (na == 0 || ni > PODSYNC_CONTAINERS_MAX || na > PODSYNC_CONTAINERS_MAX)
		return -EINVAL;
	p->ctrs = calloc(ni + na, sizeof *p->ctrs);
	if (!p->ctrs)
		return -ENOMEM;
	p->n_init = ni;
	p->n_ctrs = ni + na;
	for (size_t i = 0; i < ni + na; i++) {
		const json_t *c = json_array_get(i < ni ? init : app, i < ni ? i : i - ni);
		const char *nm = jstr(c, "name");
		const char *img = jstr(c, "image");
		if (!nm || !*nm || strlen(nm) > 63 || !img || strlen(img) > 255)
			return -EINVAL;
		snprintf(p->ctrs[i].name, sizeof p->ctrs[i].name, "%s", nm);
		snprintf(p->ctrs[i].image, sizeof p->ctrs[i].image, "%s", img);
		p->ctrs[i].init = i < ni;
		const char *restart = jstr(c, "restartPolicy");
		p->ctrs[i].sidecar = i < ni && restart && !strcmp(restart, "Always");
		char err[256] = "";
		if ((i >= ni || p->ctrs[i].sidecar) &&
		    !(p->ctrs[i].probes = probe_ctr_new(c, err, sizeof err)) && err[0])
			return -ENOMEM;
	}
	return 0;
}

static struct pod_ctr *ctr_by(struct pod *p, bool init, const char *name)
{
	for (size_t i = 0; i < p->n_ctrs; i++)
		if (p->ctrs[i].init == init && !strcmp(p->ctrs[i].name, name))
			return &p->ctrs[i];
	return NULL;
}

/* Re-adopts the runtime containers an earlier agent started for this pod. */
static void pod_adopt(struct podsync *ps, struct pod *p)
{
	char uid[64], kind[16], name[64];
	int attempt;
	for (size_t i = 0; i < ps->n_adopted; i++) {
		struct adopted *a = &ps->adopted[i];
		if (!a->id[0] || sandbox_label_parse(a->label, uid, kind, name, &attempt) ||
		    strcmp(uid, p->uid))
			continue;
		if (!strcmp(kind, "sandbox")) {
			if (!p->sandbox_id[0] || attempt >= p->sandbox_attempt) {
				snprintf(p->sandbox_id, sizeof p->sandbox_id, "%s", a->id);
				p->sandbox_attempt = attempt;
			}
		} else {
			struct pod_ctr *c = ctr_by(p, !strcmp(kind, "init"), name);
			if (c && (!c->id[0] || attempt >= c->attempt)) {
				snprintf(c->id, sizeof c->id, "%s", a->id);
				c->attempt = attempt;
				c->pulled = true;
			}
		}
		log_info(&ps->n->log, "pods", "re-adopted container id=%s pod=%s/%s", a->id, p->ns,
			 p->name);
		a->id[0] = 0; /* taken */
	}
	for (size_t i = 0; i < p->n_ctrs; i++)
		ctr_poststart_adopted(ps, p, &p->ctrs[i]);
}

static struct pod *pod_add(struct podsync *ps, json_t *obj)
{
	const json_t *meta = json_object_get(obj, "metadata");
	const char *uid = jstr(meta, "uid"), *ns = jstr(meta, "namespace"),
		   *name = jstr(meta, "name");
	char probe[RT_ID_MAX + 1];
	if (!uid || !ns || !name || strlen(ns) > 63 || strlen(name) > 253 ||
	    sandbox_container_id(uid, "sandbox", "", 0, probe, sizeof probe))
		return NULL;
	struct pod *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	snprintf(p->uid, sizeof p->uid, "%s", uid);
	snprintf(p->ns, sizeof p->ns, "%s", ns);
	snprintf(p->name, sizeof p->name, "%s", name);
	p->obj = json_incref(obj);
	if (pod_ctrs_build(p)) {
		log_warn(&ps->n->log, "pods", "ignoring a pod with unusable containers pod=%s/%s",
			 ns, name);
		pod_free(p);
		return NULL;
	}
	const json_t *status = json_object_get(obj, "status");
	const char *t = jstr(status, "startTime");
	if (t && strlen(t) < sizeof p->start_time)
		snprintf(p->start_time, sizeof p->start_time, "%s", t);
	else
		podstatus_time(now_ns(), p->start_time);
	if (json_is_array(json_object_get(status, "conditions")))
		p->conds = json_incref(json_object_get(status, "conditions"));
	pod_adopt(ps, p);
	p->next = ps->pods;
	ps->pods = p;
	log_info(&ps->n->log, "pods", "pod added pod=%s/%s uid=%s", ns, name, uid);
	return p;
}

/* A pod from the list or a watch event: add it or take its new object. */
static void pod_upsert(struct podsync *ps, json_t *obj)
{
	const char *uid = jstr(json_object_get(obj, "metadata"), "uid");
	struct pod *p = uid ? pod_find(ps, uid) : NULL;
	if (p) {
		json_decref(p->obj);
		p->obj = json_incref(obj);
	} else if (!(p = pod_add(ps, obj)))
		return;
	p->seen = true;
	pod_sync(ps, p);
}

/* The node's pod network (agent/net.h), NULL when off. */
static struct net *pod_net(const struct podsync *ps)
{
	return net_nodes_net(ps->n->net);
}

/* The pod's address: the node's for hostNetwork, else the one its sandbox
 * holds in the pod network (NULL: none yet, or no pod network). Kept once
 * known: the IPAM keeps a pod's address across sandbox re-creations, and a
 * lookup reads every IPAM file, which every status computation would pay. */
static const char *pod_ip(struct podsync *ps, struct pod *p)
{
	if (pod_host_network(p))
		return ps->host_ip;
	if (p->ip[0])
		return p->ip;
	if ((p->sandbox_id[0] || p->ns_held) && pod_net(ps) &&
	    net_pod_ip(pod_net(ps), p->uid, p->ip) == 0)
		return p->ip;
	p->ip[0] = 0;
	return NULL;
}

/* Where a probe or hook of container c connects (the pod's IP, the node's
 * loopback for a hostNetwork pod without one) or executes. */
static struct probe_target probe_target_of(struct podsync *ps, struct pod *p, const struct pod_ctr *c)
{
	const char *ip = pod_ip(ps, p);
	return (struct probe_target){
	    .pod_ip = ip && *ip ? ip : pod_host_network(p) ? "127.0.0.1" : NULL,
	    .rt = ps->rt,
	    .ctr_id = c->id,
	};
}

/* Removes every runtime container of the pod, then the pod's entry. */
static void pod_remove_all(struct podsync *ps, struct pod *p)
{
	for (size_t i = 0; i < p->n_ctrs; i++)
		if (p->ctrs[i].id[0])
			rt_remove(ps, p->ctrs[i].id);
	if (p->sandbox_id[0])
		rt_remove(ps, p->sandbox_id);
	p->sandbox_id[0] = 0;
	for (size_t i = 0; i < p->n_ctrs; i++)
		p->ctrs[i].id[0] = 0;
	sandbox_ns_release(ps->data_dir, p->uid);
	p->ns_held = false;
	if (pod_net(ps) && !pod_host_network(p))
		net_pod_detach(pod_net(ps), p->uid);
}

/* Unmounts what volumes mounted below dir (emptyDir medium Memory), the
 * last mounted first. */
static void unmount_below(const char *dir)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096], mp[4096];
	struct agent_strv found = {0};
	size_t dl = strlen(dir);
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) == 1 && !strncmp(mp, dir, dl) &&
		    mp[dl] == '/')
			agent_strv_add(&found, mp);
	if (f)
		fclose(f);
	for (size_t i = found.n; i-- > 0;)
		umount2(found.v[i], MNT_DETACH);
	agent_strv_clear(&found);
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)ftw;
	if (flag == FTW_DP ? rmdir(path) : unlink(path))
		return 0; /* best effort: keep going */
	return 0;
}

/* DATA_DIR/pods/<uid>: volumes, /etc files, termination logs. Never crosses
 * into another filesystem nor follows symlinks. */
static void pod_dir_remove(struct podsync *ps, const char *uid)
{
	char dir[1100];
	snprintf(dir, sizeof dir, "%s/pods/%s", ps->data_dir, uid);
	unmount_below(dir);
	if (nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) && errno != ENOENT)
		log_warn(&ps->n->log, "pods", "cannot remove %s error=\"%s\"", dir,
			 strerror(errno));
}

static void pod_forget(struct podsync *ps, struct pod *p)
{
	log_info(&ps->n->log, "pods", "pod removed pod=%s/%s uid=%s", p->ns, p->name, p->uid);
	pod_remove_all(ps, p);
	pod_dir_remove(ps, p->uid);
	pod_unlink(ps, p);
	pod_free(p);
}

/* ---- configMaps and Secrets the pod references ---- */

#define POD_REFS_MAX 64

static void ref_add(json_t *set, const char *res, const char *name)
{
	char key[320];
	if (!name || !*name || strlen(name) > 253 || json_object_size(set) >= POD_REFS_MAX)
		return;
	snprintf(key, sizeof key, "%s/%s", res, name);
	if (!json_object_get(set, key))
		json_object_set_new(set, key, json_false());
}

static void refs_from_container(json_t *set, const json_t *c)
{
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(c, "envFrom"), i, e)
	{
		ref_add(set, "configmaps", jstr(json_object_get(e, "configMapRef"), "name"));
		ref_add(set, "secrets", jstr(json_object_get(e, "secretRef"), "name"));
	}
	json_array_foreach(json_object_get(c, "env"), i, e)
	{
		const json_t *vf = json_object_get(e, "valueFrom");
		ref_add(set, "configmaps", jstr(json_object_get(vf, "configMapKeyRef"), "name"));
		ref_add(set, "secrets", jstr(json_object_get(vf, "secretKeyRef"), "name"));
	}
}

static void refs_from_volume(json_t *set, const json_t *v)
{
	size_t i;
	json_t *src;
	ref_add(set, "configmaps", jstr(json_object_get(v, "configMap"), "name"));
	ref_add(set, "secrets", jstr(json_object_get(v, "secret"), "secretName"));
	ref_add(set, "persistentvolumeclaims", jstr(json_object_get(v, "persistentVolumeClaim"), "claimName"));
	json_array_foreach(json_object_get(json_object_get(v, "projected"), "sources"), i, src)
	{
		char key[300];
		ref_add(set, "configmaps", jstr(json_object_get(src, "configMap"), "name"));
		ref_add(set, "secrets", jstr(json_object_get(src, "secret"), "name"));
		const json_t *tok = json_object_get(src, "serviceAccountToken");
		if (json_is_object(tok) && agent_token_key(tok, key, sizeof key) == 0)
			ref_add(set, "tokens", key);
	}
}

static json_t *pod_refs_build(const struct pod *p)
{
	json_t *set = json_object();
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(pod_spec(p), "initContainers"), i, e)
	{
		refs_from_container(set, e);
	}
	json_array_foreach(json_object_get(pod_spec(p), "containers"), i, e)
	{
		refs_from_container(set, e);
	}
	json_array_foreach(json_object_get(pod_spec(p), "volumes"), i, e)
	{
		refs_from_volume(set, e);
	}
	json_array_foreach(json_object_get(pod_spec(p), "imagePullSecrets"), i, e)
	{
		ref_add(set, "secrets", jstr(e, "name"));
	}
	return set;
}

/* agent_get_object_fn over the pod's fetched references. */
static const json_t *pod_get_object(void *ud, const char *resource, const char *ns,
				    const char *name)
{
	const struct pod *p = ud;
	char key[320];
	(void)ns; /* always the pod's own namespace */
	snprintf(key, sizeof key, "%s/%s", resource, name ? name : "");
	const json_t *o = json_object_get(p->refs, key);
	return json_is_object(o) ? o : NULL;
}

struct ref_ctx {
	struct podsync *ps;
	char uid[64], key[320];
};

static void on_ref(void *ud, int status, const struct httpc_resp *resp, const char *body,
		   size_t len)
{
	struct ref_ctx *r = ud;
	struct pod *p = r->ps->stopping ? NULL : pod_find(r->ps, r->uid);
	json_t *obj = status == 200 || status == 201 ? json_loadb(body, len, 0, NULL) : NULL;
	if (p && json_is_object(obj) && !strncmp(r->key, "tokens/", 7))
		p->tokens_dirty = true;
	if (p && json_is_object(obj))
		json_object_set(p->refs, r->key, obj);
	else if (p)
		json_object_set_new(p->refs, r->key, status == 404 ? json_null() : json_false());
	if (p && status != 200 && status != 201 && status != 404)
		log_warn(&r->ps->n->log, "pods", "cannot read %s pod=%s/%s status=%d", r->key,
			 p->ns, p->name, status);
	json_decref(obj);
	if (p)
		pod_sync(r->ps, p);
	free(r);
}

/* POST .../serviceaccounts/SA/token for a token volume (key: agent_token_key). */
static int token_request(struct podsync *ps, struct pod *p, const char *key, httpc_done_fn cb,
			 void *ud)
{
	char path[700];
	json_t *tr = agent_token_request(p->obj, key);
	char *body = tr ? json_dumps(tr, JSON_COMPACT) : NULL;
	json_decref(tr);
	if (!body)
		return -EINVAL;
	snprintf(path, sizeof path, "/api/v1/namespaces/%s/serviceaccounts/%s/token", p->ns,
		 jstr(pod_spec(p), "serviceAccountName") ?: "default");
	int rc = httpc_request(ps->n->api, "POST", path, "application/json", body, strlen(body),
			       cb, ud);
	free(body);
	return rc;
}

/* Fetches what the pod references; true once every reference is known
 * (found or absent). Absent ones are asked for again when forget_absent. */
static bool pod_refs_ready(struct podsync *ps, struct pod *p, bool forget_absent)
{
	if (!p->refs && !(p->refs = pod_refs_build(p)))
		return false;
	const char *key;
	json_t *v;
	bool ready = true;
	json_object_foreach(p->refs, key, v)
	{
		if (json_is_null(v) && forget_absent)
			v = json_false();
		if (json_is_object(v) || json_is_null(v))
			continue;
		ready = false;
		if (json_is_string(v))
			continue; /* in flight */
		char path[700];
		const char *slash = strchr(key, '/');
		struct ref_ctx *r = calloc(1, sizeof *r);
		if (!r || !slash)
			return free(r), false;
		r->ps = ps;
		snprintf(r->uid, sizeof r->uid, "%s", p->uid);
		snprintf(r->key, sizeof r->key, "%s", key);
		if (!strncmp(key, "persistentvolumes/", 18)) /* cluster-scoped */
			snprintf(path, sizeof path, "/api/v1/%s", key);
		else
			snprintf(path, sizeof path, "/api/v1/namespaces/%s/%.*s/%s", p->ns,
				 (int)(slash - key), key, slash + 1);
		if (!strncmp(key, "tokens/", 7) ? token_request(ps, p, slash + 1, on_ref, r)
						: httpc_request(ps->n->api, "GET", path, NULL, NULL,
								0, on_ref, r))
			free(r);
		else
			json_object_set_new(p->refs, key, json_string("pending"));
	}
	return ready;
}

/* ---- status ---- */

struct req_ctx {
	struct podsync *ps;
	char uid[64];
};

static struct req_ctx *req_ctx_new(struct podsync *ps, const struct pod *p)
{
	struct req_ctx *r = calloc(1, sizeof *r);
	if (r) {
		r->ps = ps;
		snprintf(r->uid, sizeof r->uid, "%s", p->uid);
	}
	return r;
}

static void on_status_patched(void *ud, int status, const struct httpc_resp *resp, const char *body,
			      size_t len)
{
	struct req_ctx *r = ud;
	struct podsync *ps = r->ps;
	struct pod *p = ps->stopping ? NULL : pod_find(ps, r->uid);
	if (p && (status < 200 || status >= 300)) {
		log_warn(&ps->n->log, "pods", "status update failed pod=%s/%s status=%d %.200s",
			 p->ns, p->name, status, status < 0 ? httpc_last_error(ps->n->api) : body);
		json_decref(p->status_sent); /* write again on the next tick */
		p->status_sent = NULL;
	}
	free(r);
}

static void ctr_view_fill(const struct podsync *ps, const struct pod *p, const struct pod_ctr *c,
			  struct ctr_view *v, char cid[80]);

static json_t *pod_status(struct podsync *ps, struct pod *p)
{
	struct ctr_view v[2 * PODSYNC_CONTAINERS_MAX];
	char cids[2 * PODSYNC_CONTAINERS_MAX][80], now[32];
	for (size_t i = 0; i < p->n_ctrs; i++)
		ctr_view_fill(ps, p, &p->ctrs[i], &v[i], cids[i]);
	const char *policy = podstatus_restart_policy(p->obj);
	const struct ctr_view *app = v + p->n_init;
	size_t n_app = p->n_ctrs - p->n_init;
	const char *phase = podstatus_phase(policy, v, p->n_init, app, n_app);
	podstatus_time(now_ns(), now);
	json_t *conds = podstatus_conditions(phase, v, p->n_init, app, n_app, p->conds, now);
	json_t *init = json_array(), *ctrs = json_array();
	for (size_t i = 0; i < p->n_ctrs; i++)
		json_array_append_new(i < p->n_init ? init : ctrs,
				      podstatus_container(&v[i], i < p->n_init));
	json_t *st = json_pack("{s:s, s:o, s:s, s:[{s:s}], s:s, s:o, s:s}", "phase", phase,
			       "conditions", conds, "hostIP", ps->host_ip, "hostIPs", "ip",
			       ps->host_ip, "startTime", p->start_time, "containerStatuses", ctrs,
			       "qosClass", agent_pod_qos_class(p->obj));
	if (st && p->n_init)
		json_object_set_new(st, "initContainerStatuses", init);
	else
		json_decref(init);
	const char *ip = pod_ip(ps, p);
	if (st && ip) {
		json_object_set_new(st, "podIP", json_string(ip));
		json_object_set_new(st, "podIPs", json_pack("[{s:s}]", "ip", ip));
	}
	return st;
}

static void pod_status_write(struct podsync *ps, struct pod *p, json_t *st)
{
	char path[512];
	if (p->status_sent && json_equal(st, p->status_sent))
		return;
	json_t *patch = json_pack("{s:O}", "status", st);
	char *body = patch ? json_dumps(patch, JSON_COMPACT) : NULL;
	json_decref(patch);
	struct req_ctx *r = req_ctx_new(ps, p);
	snprintf(path, sizeof path, "/api/v1/namespaces/%s/pods/%s/status", p->ns, p->name);
	if (!body || !r ||
	    httpc_request(ps->n->api, "PATCH", path, "application/merge-patch+json", body,
			  strlen(body), on_status_patched, r)) {
		free(r);
		free(body);
		return;
	}
	free(body);
	log_info(&ps->n->log, "pods", "status pod=%s/%s phase=%s", p->ns, p->name,
		 jstr(st, "phase"));
	json_decref(p->status_sent);
	p->status_sent = json_incref(st);
	json_decref(p->conds);
	p->conds = json_incref(json_object_get(st, "conditions"));
}

/* ---- containers ---- */

static bool ctr_running(const struct pod_ctr *c)
{
	return c->id[0] && (c->st.status == RT_RUNNING || c->st.status == RT_CREATED ||
			    c->st.status == RT_CREATING);
}

/* Its postStart hook runs: not Running (nor probed) until it is done. */
static bool ctr_in_poststart(const struct pod_ctr *c)
{
	return c->id[0] && !strcmp(c->poststart_id, c->id);
}

static bool ctr_exited(const struct pod_ctr *c)
{
	return c->id[0] && c->st.status == RT_STOPPED;
}

static void ctr_set_waiting(struct pod_ctr *c, const char *reason, const char *msg)
{
	snprintf(c->reason, sizeof c->reason, "%s", reason);
	if (msg != c->message) /* keeping the current message is a no-op, not an overlapping copy */
		snprintf(c->message, sizeof c->message, "%s", msg ? msg : "");
}

/* {"terminated":{...}} of an exited container (new reference). */
static json_t *ctr_terminated_json(const struct pod_ctr *c)
{
	char cid[80];
	snprintf(cid, sizeof cid, "minikube://%s", c->id);
	struct ctr_view v = {
	    .name = c->name,
	    .state = CV_TERMINATED,
	    .reason = c->st.error[0] ? "StartError"
				     : podstatus_term_reason(c->st.exit_code, c->st.oom_killed),
	    .message = c->st.error,
	    .exit_code = c->st.exit_code,
	    .signal = c->st.exit_signal,
	    .started_ns = c->st.started_ns,
	    .finished_ns = c->st.finished_ns,
	    .container_id = cid,
	};
	json_t *full = podstatus_container(&v, false);
	json_t *out = json_incref(json_object_get(full, "state"));
	json_decref(full);
	return out;
}

static void ctr_view_fill(const struct podsync *ps, const struct pod *p, const struct pod_ctr *c,
			  struct ctr_view *v, char cid[80])
{
	(void)ps;
	memset(v, 0, sizeof *v);
	v->name = c->name;
	v->sidecar = c->sidecar;
	v->image = c->image_name[0] ? c->image_name : c->image;
	v->image_id = c->image_id;
	v->restart_count = c->attempt;
	v->last_state = c->last_state;
	if (!c->id[0] || c->restart_due || c->st.status == RT_CREATED ||
	    c->st.status == RT_CREATING || (c->st.status == RT_RUNNING && ctr_in_poststart(c))) {
		v->state = CV_WAITING;
		v->reason = c->reason[0] ? c->reason : "ContainerCreating";
		v->message = c->message;
		if (!c->id[0] && !c->init && p->n_init && !c->reason[0])
			v->reason = "PodInitializing";
		return;
	}
	snprintf(cid, 80, "minikube://%s", c->id);
	v->container_id = cid;
	v->started_ns = c->st.started_ns;
	if (c->st.status == RT_RUNNING) {
		v->state = CV_RUNNING;
		if (c->probes) {
			probe_ctr_instance(c->probes, c->id, node_now_ms());
			v->not_started = !c->probes->started;
			v->not_ready = !c->probes->ready;
		}
		return;
	}
	v->state = CV_TERMINATED;
	v->exit_code = c->st.exit_code;
	v->signal = c->st.exit_signal;
	v->finished_ns = c->st.finished_ns;
	v->reason = c->st.error[0] ? "StartError"
				   : podstatus_term_reason(c->st.exit_code, c->st.oom_killed);
	v->message = c->st.error;
}

static void ctr_poll(struct podsync *ps, struct pod_ctr *c)
{
	char err[256];
	if (!c->id[0])
		return;
	if (rt_container_state(ps->rt, c->id, &c->st, err, sizeof err)) {
		log_warn(&ps->n->log, "pods", "container vanished id=%s error=\"%s\"", c->id, err);
		c->id[0] = 0;
	}
}

/* ---- probes (agent/probe.h) ---- */

static void on_event_posted(void *ud, int status, const struct httpc_resp *resp, const char *body,
			    size_t len)
{
	(void)ud, (void)status, (void)resp, (void)body, (void)len;
}

/* A core/v1 Event about a container of the pod, from the kubelet. */
static void ctr_event(struct podsync *ps, const struct pod *p, const struct pod_ctr *c,
		      const char *type, const char *reason, const char *msg)
{
	char now[32], name[320], path[320], field[100];
	int64_t ns = now_ns();
	podstatus_time(ns, now);
	snprintf(name, sizeof name, "%s.%llx", p->name, (unsigned long long)ns);
	if (c)
		snprintf(field, sizeof field, "spec.%s{%s}", c->init ? "initContainers" : "containers", c->name);
	else
		field[0] = 0; /* about the pod as a whole */
	json_t *ev = json_pack(
	    "{s:s, s:s, s:{s:s, s:s}, s:{s:s, s:s, s:s, s:s, s:s, s:s}, s:s, s:s, s:s,"
	    " s:{s:s, s:s}, s:s, s:s, s:i, s:s, s:s}",
	    "apiVersion", "v1", "kind", "Event", "metadata", "name", name, "namespace", p->ns,
	    "involvedObject", "apiVersion", "v1", "kind", "Pod", "name", p->name, "namespace", p->ns,
	    "uid", p->uid, "fieldPath", field, "reason", reason, "message", msg, "type", type,
	    "source", "component", "kubelet", "host", ps->n->cfg.node_name, "firstTimestamp", now,
	    "lastTimestamp", now, "count", 1, "reportingComponent", "kubelet", "reportingInstance",
	    ps->n->cfg.node_name);
	char *body = ev ? json_dumps(ev, JSON_COMPACT) : NULL;
	json_decref(ev);
	snprintf(path, sizeof path, "/api/v1/namespaces/%s/events", p->ns);
	if (body)
		httpc_request(ps->n->api, "POST", path, "application/json", body, strlen(body),
			      on_event_posted, NULL);
	free(body);
}

/* Liveness or startup failed: SIGTERM now, SIGKILL after the grace period;
 * the restart policy and back-off then bring the container back. */
static void probe_kill(struct podsync *ps, struct pod *p, struct pod_ctr *c, enum probe_kind kind)
{
	char msg[160];
	const json_t *g = json_object_get(pod_spec(p), "terminationGracePeriodSeconds");
	long long grace = probe_ctr_grace(c->probes, kind, json_is_integer(g) ? json_integer_value(g) : 30);
	grace = grace > 3600 ? 3600 : grace;
	c->probes->kill_at_ms = node_now_ms() + (uint64_t)grace * 1000;
	snprintf(msg, sizeof msg, "Container %s failed %s probe, will be restarted", c->name,
		 kind == PROBE_STARTUP ? "startup" : "liveness");
	log_info(&ps->n->log, "pods", "%s pod=%s/%s", msg, p->ns, p->name);
	ctr_event(ps, p, c, "Normal", "Killing", msg);
	rt_signal(ps, c->id, grace ? SIGTERM : SIGKILL, !grace);
}

struct probe_req {
	struct podsync *ps;
	char uid[64], name[64], instance[80];
	bool init; /* a sidecar's */
	enum probe_kind kind;
	bool *returned_early; /* set while probe_run has not returned */
};

static void on_probe_done(void *ud, bool ok, const char *msg)
{
	struct probe_req *r = ud;
	struct podsync *ps = r->ps;
	struct pod *p = ps->stopping ? NULL : pod_find(ps, r->uid);
	struct pod_ctr *c = p ? ctr_by(p, r->init, r->name) : NULL;
	bool sync = !r->returned_early; /* not from inside pod_sync */
	if (r->returned_early)
		*r->returned_early = true;
	if (c && c->probes && !strcmp(c->probes->instance, r->instance)) {
		enum probe_action act = probe_ctr_record(c->probes, r->kind, ok, msg);
		const struct probe_state *s = &c->probes->st[r->kind];
		if (!ok)
			log_v(&ps->n->log, 1, "pods", "probe failed pod=%s/%s container=%s %s", p->ns,
			      p->name, c->name, c->probes->message);
		if (!ok && (s->run == 1 || act == PROBE_ACT_KILL)) /* once per run of failures */
			ctr_event(ps, p, c, "Warning", "Unhealthy", c->probes->message);
		if (act == PROBE_ACT_KILL)
			probe_kill(ps, p, c, r->kind);
		if (act != PROBE_ACT_NONE && sync)
			pod_sync(ps, p);
	}
	free(r);
}

/* Starts the probes that are due on the running app containers and
 * sidecars, and ends the grace period of a container a probe killed. */
static void pod_probes(struct podsync *ps, struct pod *p)
{
	uint64_t now = node_now_ms();
	pod_hooks_due(ps, p, now);
	for (size_t i = 0; i < p->n_ctrs; i++) {
		struct pod_ctr *c = &p->ctrs[i]; /* regular init containers have no probes */
		if (!c->probes || !c->id[0] || c->st.status != RT_RUNNING || ctr_in_poststart(c))
			continue;
		probe_ctr_instance(c->probes, c->id, now);
		if (c->probes->kill && now >= c->probes->kill_at_ms)
			rt_signal(ps, c->id, SIGKILL, true);
		for (int k = 0; k < PROBE__COUNT; k++) {
			struct probe_req *r;
			if (!probe_ctr_due(c->probes, k, now) || !(r = calloc(1, sizeof *r)))
				continue;
			r->ps = ps;
			r->kind = k;
			r->init = c->init;
			snprintf(r->uid, sizeof r->uid, "%s", p->uid);
			snprintf(r->name, sizeof r->name, "%s", c->name);
			snprintf(r->instance, sizeof r->instance, "%s", c->id);
			struct probe_target t = probe_target_of(ps, p, c);
			probe_ctr_begin(c->probes, k, now);
			bool early = false;
			r->returned_early = &early;
			probe_run(ps->n->loop, &c->probes->spec[k], &t, on_probe_done, r);
			if (!early)
				r->returned_early = NULL;
		}
	}
}

/* ---- images ---- */

struct pull_work {
	uv_work_t req;
	struct podsync *ps;
	char uid[64], name[64], ref[256], data_dir[1024];
	char auth_path[1200]; /* the pod's imagePullSecrets as one config.json, or "" */
	uint64_t start_ms;
	bool init;
	int rc;
	char err[512];
};

/* Like Docker's default insecure-registries (127.0.0.0/8): a registry on the
 * node's loopback is spoken to in plain HTTP (a local mirror or cache). */
static bool registry_is_loopback(const char *ref)
{
	struct rt_ref r;
	char err[256];
	if (rt_ref_parse(ref, &r, err, sizeof err))
		return false;
	return !strncmp(r.domain, "127.", 4) || !strncmp(r.domain, "localhost:", 10) ||
	       !strcmp(r.domain, "localhost") || !strncmp(r.domain, "[::1]", 5);
}

static void pull_run(uv_work_t *w)
{
	struct pull_work *pw = w->data;
	struct rt_images *imgs = NULL;
	struct rt_pull_opts opts = {.config_json = pw->auth_path[0] ? pw->auth_path : NULL,
				    .insecure = registry_is_loopback(pw->ref)};
	pw->rc = rt_images_open(&imgs, pw->data_dir, pw->err, sizeof pw->err);
	if (pw->rc == 0)
		pw->rc = rt_image_pull(imgs, pw->ref, &opts, NULL, pw->err, sizeof pw->err);
	rt_images_close(imgs);
	if (pw->auth_path[0])
		unlink(pw->auth_path);
}

/* The registry credentials of a docker-registry Secret: the "auths" map of
 * .dockerconfigjson, or the bare map of the older .dockercfg. */
static json_t *secret_auths(const json_t *secret)
{
	const json_t *data = json_object_get(secret, "data");
	const char *type = jstr(secret, "type");
	bool cfgjson = type && !strcmp(type, "kubernetes.io/dockerconfigjson");
	const char *b64 = jstr(data, cfgjson ? ".dockerconfigjson" : ".dockercfg");
	_cleanup_free_ char *raw = NULL;
	size_t len = 0;
	if (!b64 || !(raw = base64_decode_alloc(b64, strlen(b64), &len)))
		return NULL;
	json_t *doc = json_loadb(raw, len, 0, NULL);
	json_t *auths = json_incref(cfgjson ? json_object_get(doc, "auths") : doc);
	json_decref(doc);
	return auths;
}

/* Writes the pod's imagePullSecrets, merged in their order (the first
 * Secret naming a registry wins), to pw->auth_path; "" when there are none. */
static void pull_auth_write(struct podsync *ps, struct pod *p, struct pull_work *pw)
{
	json_t *auths = json_object(), *e;
	size_t i;
	json_array_foreach(json_object_get(pod_spec(p), "imagePullSecrets"), i, e)
	{
		json_t *one = secret_auths(pod_get_object(p, "secrets", p->ns, jstr(e, "name")));
		if (json_is_object(one))
			json_object_update_missing(auths, one);
		json_decref(one);
	}
	if (json_object_size(auths)) {
		json_t *doc = json_pack("{s:o}", "auths", auths);
		pod_dir(ps, p, "", pw->auth_path, sizeof pw->auth_path);
		agent_mkdir_p(pw->auth_path, 0750);
		pod_dir(ps, p, "pull-auth.json", pw->auth_path, sizeof pw->auth_path);
		int fd = open(pw->auth_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0 || json_dumpfd(doc, fd, JSON_COMPACT))
			pw->auth_path[0] = 0;
		if (fd >= 0)
			close(fd);
		json_decref(doc);
	} else {
		json_decref(auths);
	}
}

static void pull_done(uv_work_t *w, int status)
{
	struct pull_work *pw = w->data;
	struct podsync *ps = pw->ps;
	ps->handles_open--;
	struct pod *p = ps->stopping ? NULL : pod_find(ps, pw->uid);
	struct pod_ctr *c = p ? ctr_by(p, pw->init, pw->name) : NULL;
	if (c) {
		c->pulling = false;
		char msg[1024];
		if (pw->rc == 0 && status == 0) {
			c->pulled = c->just_pulled = true;
			c->pull_backoff_ms = 0;
			ctr_set_waiting(c, "ContainerCreating", NULL);
			log_info(&ps->n->log, "pods", "pulled image=%s", pw->ref);
			snprintf(msg, sizeof msg, "Successfully pulled image \"%s\" in %.3fs", pw->ref,
				 (double)(node_now_ms() - pw->start_ms) / 1000);
			ctr_event(ps, p, c, "Normal", "Pulled", msg);
		} else {
			c->pull_backoff_ms = podstatus_backoff_next(c->pull_backoff_ms);
			c->pull_next_ms = node_now_ms() + c->pull_backoff_ms;
			ctr_set_waiting(c, "ErrImagePull", pw->err);
			log_warn(&ps->n->log, "pods", "pull failed image=%s error=\"%s\"", pw->ref,
				 pw->err);
			snprintf(msg, sizeof msg, "Failed to pull image \"%s\": %s", pw->ref, pw->err);
			ctr_event(ps, p, c, "Warning", "Failed", msg);
		}
		pod_sync(ps, p);
	}
	free(pw);
}

static void pull_queue(struct podsync *ps, struct pod *p, struct pod_ctr *c)
{
	struct pull_work *pw = calloc(1, sizeof *pw);
	if (!pw)
		return;
	pw->ps = ps;
	pw->req.data = pw;
	pw->init = c->init;
	snprintf(pw->uid, sizeof pw->uid, "%s", p->uid);
	snprintf(pw->name, sizeof pw->name, "%s", c->name);
	snprintf(pw->ref, sizeof pw->ref, "%s", c->image);
	snprintf(pw->data_dir, sizeof pw->data_dir, "%s", ps->data_dir);
	pull_auth_write(ps, p, pw);
	if (uv_queue_work(ps->n->loop, &pw->req, pull_run, pull_done)) {
		free(pw);
		return;
	}
	ps->handles_open++;
	c->pulling = true;
	pw->start_ms = node_now_ms();
	ctr_set_waiting(c, "ContainerCreating", "pulling image");
	char msg[400];
	snprintf(msg, sizeof msg, "Pulling image \"%s\"", c->image);
	ctr_event(ps, p, c, "Normal", "Pulling", msg);
}

static const char *pull_policy(const json_t *spec, const char *image)
{
	const char *p = jstr(spec, "imagePullPolicy");
	if (p && (!strcmp(p, "Never") || !strcmp(p, "IfNotPresent") || !strcmp(p, "Always")))
		return p;
	const char *slash = strrchr(image, '/');
	const char *colon = strrchr(slash ? slash : image, ':');
	if (strchr(image, '@'))
		return "IfNotPresent";
	return !colon || !strcmp(colon, ":latest") ? "Always" : "IfNotPresent";
}

/* Resolves the container's image, or starts a pull: 0 with info filled,
 * -EAGAIN while pulling or backing off, another -errno when it cannot be
 * run (waiting reason set). */
static int ctr_image(struct podsync *ps, struct pod *p, struct pod_ctr *c,
		     struct rt_image_info *info)
{
	char err[512];
	const char *policy = pull_policy(ctr_spec(p, c), c->image);
	if (c->pulling)
		return -EAGAIN;
	if (!strcmp(policy, "Always") && !c->pulled) {
		if (node_now_ms() < c->pull_next_ms) {
			/* Offline: a local copy is better than no pod at all. */
			if (rt_image_resolve(ps->imgs, c->image, info, err, sizeof err) == 0)
				return 0;
			ctr_set_waiting(c, "ImagePullBackOff", c->message);
			return -EAGAIN;
		}
		pull_queue(ps, p, c);
		return -EAGAIN;
	}
	int rc = rt_image_resolve(ps->imgs, c->image, info, err, sizeof err);
	if (rc == 0)
		return 0;
	if (rc != -ENOENT || !strcmp(policy, "Never")) {
		ctr_set_waiting(c, rc == -ENOENT ? "ErrImageNeverPull" : "InvalidImageName", err);
		return rc;
	}
	if (node_now_ms() < c->pull_next_ms) {
		ctr_set_waiting(c, "ImagePullBackOff", c->message);
		return -EAGAIN;
	}
	pull_queue(ps, p, c);
	return -EAGAIN;
}

/* ---- pod files ---- */

static int write_file(const char *path, const char *text)
{
	char tmp[1100];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	FILE *f = fopen(tmp, "we");
	if (!f)
		return -errno;
	fputs(text, f);
	if (fclose(f) != 0)
		return -EIO;
	return rename(tmp, path) < 0 ? -errno : 0;
}

/* /etc/hosts, /etc/hostname, /etc/resolv.conf and the volumes, once. */
static int pod_files(struct podsync *ps, struct pod *p, const struct agent_pod_ctx *ctx, char *err,
		     size_t errlen)
{
	char dir[1100], path[1200], host[80], hosts_txt[65536] = "", resolv_txt[8192] = "";
	pod_dir(ps, p, "volumes", dir, sizeof dir);
	int rc = agent_mkdir_p(dir, 0750);
	if (rc)
		return agent_err(err, errlen, -rc, "cannot create %s", dir);
	agent_read_small("/etc/hosts", hosts_txt, sizeof hosts_txt);
	agent_read_small("/etc/resolv.conf", resolv_txt, sizeof resolv_txt);
	const char *ips[] = {pod_ip(ps, p), NULL};
	_cleanup_free_ char *hosts =
	    agent_pod_hosts_file(p->obj, ips[0] ? ips : NULL, hosts_txt, CLUSTER_DOMAIN);
	_cleanup_free_ char *resolv = agent_pod_resolv_conf(
	    p->obj, resolv_txt, dns_agent_address(ps->n), CLUSTER_DOMAIN, err, errlen);
	if (!hosts || !resolv)
		return -EINVAL;
	agent_pod_hostname(p->obj, host, 64);
	strcat(host, "\n");
	pod_dir(ps, p, "hosts", path, sizeof path);
	if ((rc = write_file(path, hosts)) == 0) {
		pod_dir(ps, p, "hostname", path, sizeof path);
		rc = write_file(path, host);
	}
	if (rc == 0) {
		pod_dir(ps, p, "resolv.conf", path, sizeof path);
		rc = write_file(path, resolv);
	}
	if (rc)
		return agent_err(err, errlen, -rc, "cannot write the pod's files under %s", dir);
	size_t i;
	json_t *vol;
	json_array_foreach(json_object_get(pod_spec(p), "volumes"), i, vol)
	{
		if ((rc = agent_volume_materialize(p->obj, vol, ctx, err, errlen)))
			return rc;
	}
	return 0;
}

static void ctx_paths(struct podsync *ps, struct pod *p, const struct pod_ctr *c,
		      char paths[5][1100])
{
	pod_dir(ps, p, "volumes", paths[0], 1100);
	pod_dir(ps, p, "hosts", paths[1], 1100);
	pod_dir(ps, p, "hostname", paths[2], 1100);
	pod_dir(ps, p, "resolv.conf", paths[3], 1100);
	char sub[200];
	snprintf(sub, sizeof sub, "containers/%s", c ? c->name : "");
	pod_dir(ps, p, sub, paths[4], 1000);
}

/* The context podspec needs, pointing at the sandbox's namespaces: the
 * bind-mounted files, or a sandbox container's /proc/PID/ns (its pid
 * namespace too when the pod shares one). */
static void ctx_fill(struct podsync *ps, struct pod *p, struct agent_pod_ctx *ctx,
		     const char paths[5][1100], char ns[4][1100])
{
	memset(ctx, 0, sizeof *ctx);
	ctx->host_ip = ps->host_ip;
	ctx->pod_ip = pod_ip(ps, p);
	ctx->node_name = ps->n->cfg.node_name;
	ctx->volume_dir = paths[0];
	ctx->hosts_path = paths[1];
	ctx->hostname_path = paths[2];
	ctx->resolv_path = paths[3];
	ctx->get_object = pod_get_object;
	ctx->ud = p;
	static const char *const kinds[4] = {"net", "ipc", "uts", "pid"};
	static const enum rt_ns which[4] = {RT_NS_NET, RT_NS_IPC, RT_NS_UTS, RT_NS_PID};
	unsigned held = p->ns_held ? sandbox_ns_kinds(p->obj) : 0;
	for (int i = 0; i < 4; i++) {
		if (held & (1u << which[i])) {
			if (sandbox_ns_path(ps->data_dir, p->uid, which[i], ns[i], 1100) == 0)
				ctx->ns_path[which[i]] = ns[i];
		} else if (p->sandbox_pid > 0 && !held) {
			snprintf(ns[i], 1100, "/proc/%d/ns/%s", (int)p->sandbox_pid, kinds[i]);
			ctx->ns_path[which[i]] = ns[i];
		}
	}
}

/* Creates and starts attempt c->attempt of the container. */
static int ctr_start(struct podsync *ps, struct pod *p, struct pod_ctr *c)
{
	char err[512], paths[5][1100], ns[4][1100], tlog[1200], label[256];
	struct rt_image_info info = {0};
	int rc = ctr_image(ps, p, c, &info);
	if (rc)
		return rc;
	struct agent_pod_ctx ctx;
	int64_t t0 = now_ns(), t1 = t0, t2 = t0;
	ctx_paths(ps, p, c, paths);
	ctx_fill(ps, p, &ctx, paths, ns);
	ctx.image = &info;
	if (!p->files_ready && (rc = pod_files(ps, p, &ctx, err, sizeof err)) == 0)
		p->files_ready = true, p->tokens_dirty = false; /* the tokens are written */
	if (rc == 0 && (rc = agent_mkdir_p(paths[4], 0750)) == 0) {
		snprintf(tlog, sizeof tlog, "%s/termination-log", paths[4]);
		close(open(tlog, O_WRONLY | O_CREAT | O_CLOEXEC, 0640));
		ctx.termination_log_path = tlog;
	}
	char **service_env = NULL;
	const json_t *services = ps->n->svcwatch ? svcwatch_services(ps->n->svcwatch) : NULL;
	if (rc == 0 && services) {
		bool links = !json_is_false(json_object_get(pod_spec(p), "enableServiceLinks"));
		if (dns_service_env(services, p->ns, links, &service_env))
			rc = agent_err(err, sizeof err, ENOMEM, "out of memory");
		ctx.service_env = (const char *const *)service_env;
	}
	struct rt_spec spec;
	rt_spec_init(&spec);
	if (rc == 0 && !ctr_spec(p, c))
		rc = agent_err(err, sizeof err, ENOENT,
			       "container %s is no longer in the pod's spec", c->name);
	if (rc == 0)
		rc = agent_pod_container_spec(p->obj, ctr_spec(p, c), &ctx, &spec, err, sizeof err);
	if (rc) {
		ctr_set_waiting(c, "CreateContainerConfigError", err);
		p->refs_retry = true;
		goto out;
	}
	sandbox_label(p->uid, c->init ? "init" : "app", c->name, c->attempt, label, sizeof label);
	spec.bundle = label;
	sandbox_container_id(p->uid, c->init ? "init" : "app", c->name, c->attempt, c->id,
			     sizeof c->id);
	rt_remove(ps, c->id); /* a leftover of a failed start */
	t1 = now_ns();
	rc = rt_container_create(ps->rt, c->id, &spec, err, sizeof err);
	t2 = now_ns();
	if (rc == 0 && (rc = rt_container_start(ps->rt, c->id, err, sizeof err)))
		rt_remove(ps, c->id);
	log_v(&ps->n->log, 2, "pods",
	      "container start steps container=%s pod=%s/%s spec_us=%lld create_us=%lld "
	      "start_us=%lld",
	      c->name, p->ns, p->name, (long long)(t1 - t0) / 1000, (long long)(t2 - t1) / 1000,
	      (long long)(now_ns() - t2) / 1000);
	if (rc) {
		ctr_set_waiting(c, "CreateContainerError", err);
		c->id[0] = 0;
	} else {
		ctr_set_waiting(c, "", NULL);
		snprintf(c->image_id, sizeof c->image_id, "%s",
			 info.repo_digest ? info.repo_digest : info.id);
		if (info.name && *info.name)
			snprintf(c->image_name, sizeof c->image_name, "%s", info.name);
		log_info(&ps->n->log, "pods", "started container=%s pod=%s/%s id=%s attempt=%d",
			 c->name, p->ns, p->name, c->id, c->attempt);
		c->start_events = START_EVENTS | (c->just_pulled ? 0 : START_EVENT_PRESENT);
		c->just_pulled = false;
		ctr_poll(ps, c);
		if (json_object_get(json_object_get(ctr_spec(p, c), "lifecycle"), "postStart"))
			ctr_start_events(ps, p, c); /* its hook's events come after these */
		ctr_poststart(ps, p, c);
	}
out:
	agent_spec_free(&spec);
	agent_env_free(service_env);
	rt_image_info_free(&info);
	return rc;
}

/* The Pulled (image present), Created and Started events of the containers
 * started in this pod_sync, sent after its status PATCH so that the status
 * is not queued behind them. */
static void ctr_start_events(struct podsync *ps, struct pod *p, struct pod_ctr *c)
{
	char msg[400];
	if (!c->start_events)
		return;
	if (c->start_events & START_EVENT_PRESENT) {
		snprintf(msg, sizeof msg, "Container image \"%s\" already present on machine",
			 c->image);
		ctr_event(ps, p, c, "Normal", "Pulled", msg);
	}
	snprintf(msg, sizeof msg, "Created container %s", c->name);
	ctr_event(ps, p, c, "Normal", "Created", msg);
	snprintf(msg, sizeof msg, "Started container %s", c->name);
	ctr_event(ps, p, c, "Normal", "Started", msg);
	c->start_events = 0;
}

static void pod_start_events(struct podsync *ps, struct pod *p)
{
	for (size_t i = 0; i < p->n_ctrs; i++)
		ctr_start_events(ps, p, &p->ctrs[i]);
}

/* An exited container that the policy restarts: schedule, then replace it. */
static void ctr_maybe_restart(struct podsync *ps, struct pod *p, struct pod_ctr *c)
{
	uint64_t now = node_now_ms();
	if (!c->restart_due) {
		if (c->backoff_ms > 0) { /* a restart that waits: the kubelet says so */
			char msg[300];
			snprintf(msg, sizeof msg, "Back-off restarting failed container %s in pod %s_%s(%s)",
				 c->name, p->name, p->ns, p->uid);
			ctr_event(ps, p, c, "Warning", "BackOff", msg);
		}
		c->restart_due = true;
		c->delay_ms = c->backoff_ms;
		c->next_start_ms = now + c->backoff_ms;
		c->backoff_ms = podstatus_backoff_next(c->backoff_ms);
		json_decref(c->last_state);
		c->last_state = ctr_terminated_json(c);
	}
	if (now < c->next_start_ms) {
		char msg[256];
		/* The delay, not the time left: the status changes once per restart. */
		snprintf(msg, sizeof msg, "back-off %llus restarting failed container=%s pod=%s",
			 (unsigned long long)(c->delay_ms / 1000), c->name, p->name);
		ctr_set_waiting(c, "CrashLoopBackOff", msg);
		return;
	}
	char old[RT_ID_MAX + 1];
	snprintf(old, sizeof old, "%s", c->id);
	c->attempt++;
	c->id[0] = 0;
	c->restart_due = false;
	ctr_set_waiting(c, "", NULL);
	previous_log_keep(ps, p, c->name, old);
	rt_remove(ps, old);
	ctr_start(ps, p, c);
}

/* Creates a container that has none yet, when its image and back-off allow. */
static void ctr_ensure(struct podsync *ps, struct pod *p, struct pod_ctr *c)
{
	if (c->id[0])
		return;
	if (node_now_ms() < c->next_start_ms)
		return;
	ctr_start(ps, p, c);
}

/* ---- the pod state machine ---- */

/* Containers not created yet wait in ContainerCreating with why. */
static int sandbox_failed(struct podsync *ps, struct pod *p, int rc, const char *err)
{
	log_warn(&ps->n->log, "pods", "sandbox failed pod=%s/%s error=\"%s\"", p->ns, p->name,
		 err);
	for (size_t i = 0; i < p->n_ctrs; i++)
		if (!p->ctrs[i].id[0])
			ctr_set_waiting(&p->ctrs[i], "ContainerCreating", err);
	return rc;
}

/* The container kind of sandbox: a shareProcessNamespace pod's (see
 * sandbox.c), or an older agent's kept while it runs. */
static int sandbox_ctr_ensure(struct podsync *ps, struct pod *p)
{
	char err[512], label[256];
	struct rt_state st;
	if (p->sandbox_id[0] &&
	    rt_container_state(ps->rt, p->sandbox_id, &st, err, sizeof err) == 0 &&
	    st.status == RT_RUNNING) {
		p->sandbox_pid = st.pid;
		return 0;
	}
	if (p->sandbox_id[0]) {
		rt_remove(ps, p->sandbox_id);
		p->sandbox_attempt++;
	}
	sandbox_container_id(p->uid, "sandbox", "", p->sandbox_attempt, p->sandbox_id,
			     sizeof p->sandbox_id);
	sandbox_label(p->uid, "sandbox", "", p->sandbox_attempt, label, sizeof label);
	rt_remove(ps, p->sandbox_id);
	int rc = sandbox_create(ps->rt, pod_net(ps), ps->data_dir, p->obj, p->sandbox_id, label,
				p->ip, err, sizeof err);
	if (rc == 0)
		rc = rt_container_state(ps->rt, p->sandbox_id, &st, err, sizeof err);
	if (rc) {
		p->sandbox_id[0] = 0;
		return sandbox_failed(ps, p, rc, err);
	}
	p->sandbox_pid = st.pid;
	log_info(&ps->n->log, "pods", "sandbox started pod=%s/%s id=%s pid=%d", p->ns, p->name,
		 p->sandbox_id, (int)st.pid);
	return 0;
}

/* A running container of the pod: its namespaces are the pod's. 0: none. */
static pid_t pod_running_pid(const struct pod *p)
{
	for (size_t i = 0; i < p->n_ctrs; i++)
		if (p->ctrs[i].id[0] && p->ctrs[i].st.status == RT_RUNNING && p->ctrs[i].st.pid > 0)
			return p->ctrs[i].st.pid;
	return 0;
}

/* The pod's namespaces held by bind mounts: found (the agent restarted),
 * bound again from an older agent's sandbox container (which then goes) or
 * from a running container of the pod (the agent restarted in a mount
 * namespace without the mounts), else made. */
static int sandbox_ns_ensure(struct podsync *ps, struct pod *p)
{
	char err[512];
	struct rt_state st;
	if (p->ns_held)
		return 0;
	if (sandbox_ns_held(ps->data_dir, p->uid, sandbox_ns_kinds(p->obj)) == 0) {
		if (p->sandbox_id[0]) /* an upgrade that stopped half way */
			rt_remove(ps, p->sandbox_id);
		p->sandbox_id[0] = 0;
		p->sandbox_pid = 0;
		p->ns_held = true;
		return 0;
	}
	bool older = p->sandbox_id[0] &&
		     rt_container_state(ps->rt, p->sandbox_id, &st, err, sizeof err) == 0 &&
		     st.status == RT_RUNNING && st.pid > 0;
	if (older && p->sandbox_pid == st.pid)
		return 0; /* kept (below) and still running */
	pid_t from = older ? st.pid : pod_running_pid(p);
	if (from > 0 && sandbox_ns_adopt(ps->data_dir, p->obj, from, err, sizeof err) == 0) {
		log_info(&ps->n->log, "pods",
			 "sandbox namespaces bound again pod=%s/%s from=%s pid=%d", p->ns, p->name,
			 older ? "sandbox-container" : "container", (int)from);
		if (p->sandbox_id[0])
			rt_remove(ps, p->sandbox_id);
		p->sandbox_id[0] = 0;
		p->sandbox_pid = 0;
		p->ns_held = true;
		return 0;
	}
	if (from > 0)
		log_warn(&ps->n->log, "pods",
			 "cannot bind the pod's namespaces again pod=%s/%s error=\"%s\"", p->ns,
			 p->name, err);
	if (older) { /* keep joining it by pid while it runs */
		p->sandbox_pid = st.pid;
		return 0;
	}
	if (p->sandbox_id[0])
		rt_remove(ps, p->sandbox_id);
	p->sandbox_id[0] = 0;
	p->sandbox_pid = 0;
	struct sandbox_times t;
	int rc = sandbox_ns_create(pod_net(ps), ps->data_dir, p->obj, p->ip, &t, err, sizeof err);
	if (rc)
		return sandbox_failed(ps, p, rc, err);
	p->ns_held = true;
	log_info(&ps->n->log, "pods", "sandbox started pod=%s/%s ip=%s ns_us=%llu net_us=%llu",
		 p->ns, p->name, p->ip[0] ? p->ip : "-", (unsigned long long)t.ns_us,
		 (unsigned long long)t.net_us);
	return 0;
}

static int sandbox_ensure(struct podsync *ps, struct pod *p)
{
	return sandbox_is_container(p->obj) ? sandbox_ctr_ensure(ps, p) : sandbox_ns_ensure(ps, p);
}

/* A finished pod's sandbox: its container stopped, its namespaces let go
 * (they end with its last process), its address freed (the status keeps
 * podIP). */
static void sandbox_stop(struct podsync *ps, struct pod *p)
{
	if (p->sandbox_stopped ||
	    (!p->sandbox_id[0] && !p->ns_held && !sandbox_ns_exists(ps->data_dir, p->uid)))
		return;
	if (p->sandbox_id[0])
		rt_signal(ps, p->sandbox_id, SIGKILL, true);
	sandbox_ns_release(ps->data_dir, p->uid);
	p->ns_held = false;
	p->sandbox_stopped = true;
	if (pod_net(ps) && !pod_host_network(p))
		net_pod_detach(pod_net(ps), p->uid);
}

/* The next init container to act on (podstatus_init_next). */
static size_t pod_init_next(struct podsync *ps, struct pod *p)
{
	struct ctr_view v[2 * PODSYNC_CONTAINERS_MAX];
	char cids[2 * PODSYNC_CONTAINERS_MAX][80];
	for (size_t i = 0; i < p->n_ctrs; i++)
		ctr_view_fill(ps, p, &p->ctrs[i], &v[i], cids[i]);
	return podstatus_init_next(v, p->n_init, v + p->n_init, p->n_ctrs - p->n_init);
}

/* A sidecar runs whatever the pod's restartPolicy: started when it has no
 * container, restarted with the usual back-off when it exited. */
static void sidecar_keep_running(struct podsync *ps, struct pod *p, struct pod_ctr *c)
{
	if (ctr_exited(c))
		ctr_maybe_restart(ps, p, c);
	else
		ctr_ensure(ps, p, c);
}

/* Runs init containers in order, the kubelet's way: a regular one runs to
 * completion before the next starts; a sidecar lets the next start as soon
 * as it started (postStart done, startup probe passed) and is kept running
 * from then on. True once the pod is initialized. */
static bool pod_run_inits(struct podsync *ps, struct pod *p, const char *policy)
{
	size_t kept = 0, next;
	if (p->n_init == 0)
		return true;
	while ((next = pod_init_next(ps, p)) < p->n_init) {
		for (; kept < next; kept++)
			if (p->ctrs[kept].sidecar)
				sidecar_keep_running(ps, p, &p->ctrs[kept]);
		struct pod_ctr *c = &p->ctrs[next];
		if (c->sidecar)
			sidecar_keep_running(ps, p, c);
		else if (ctr_exited(c)) {
			if (strcmp(policy, "Never"))
				ctr_maybe_restart(ps, p, c);
		} else
			ctr_ensure(ps, p, c);
		kept = next + 1;
		if (pod_init_next(ps, p) <= next)
			return false; /* it holds the next ones back */
	}
	for (; kept < p->n_init; kept++)
		if (p->ctrs[kept].sidecar)
			sidecar_keep_running(ps, p, &p->ctrs[kept]);
	return true;
}

static void pod_run_apps(struct podsync *ps, struct pod *p, const char *policy)
{
	for (size_t i = p->n_init; i < p->n_ctrs; i++) {
		struct pod_ctr *c = &p->ctrs[i];
		if (ctr_exited(c)) {
			if (podstatus_should_restart(policy, c->st.exit_code))
				ctr_maybe_restart(ps, p, c);
		} else
			ctr_ensure(ps, p, c);
	}
}

static bool phase_terminal(const char *phase)
{
	return phase && (!strcmp(phase, "Succeeded") || !strcmp(phase, "Failed"));
}

/* ---- deletion ---- */

static void on_pod_deleted(void *ud, int status, const struct httpc_resp *resp, const char *body,
			   size_t len)
{
	struct req_ctx *r = ud;
	struct podsync *ps = r->ps;
	struct pod *p = ps->stopping ? NULL : pod_find(ps, r->uid);
	if (p && (status == 200 || status == 404 || status == 409))
		pod_forget(ps, p);
	else if (p) {
		log_warn(&ps->n->log, "pods", "delete failed pod=%s/%s status=%d", p->ns, p->name,
			 status);
		p->delete_sent = false; /* retried on the next tick */
	}
	free(r);
}

static void pod_delete_object(struct podsync *ps, struct pod *p)
{
	char path[512];
	json_t *opts = json_pack("{s:s, s:s, s:i, s:{s:s}}", "kind", "DeleteOptions", "apiVersion",
				 "v1", "gracePeriodSeconds", 0, "preconditions", "uid", p->uid);
	char *body = opts ? json_dumps(opts, JSON_COMPACT) : NULL;
	json_decref(opts);
	struct req_ctx *r = req_ctx_new(ps, p);
	snprintf(path, sizeof path, "/api/v1/namespaces/%s/pods/%s?gracePeriodSeconds=0", p->ns,
		 p->name);
	if (!body || !r ||
	    httpc_request(ps->n->api, "DELETE", path, "application/json", body, strlen(body),
			  on_pod_deleted, r))
		free(r);
	else
		p->delete_sent = true;
	free(body);
}

/* ---- lifecycle hooks (postStart, preStop) ---- */

#define HOOK_GRACE_MIN_MS 2000	  /* the kubelet's least grace after a preStop hook */
#define POSTSTART_TIMEOUT_S 86400 /* the kubelet has none; a bound all the same */

struct hook_req {
	struct podsync *ps;
	char uid[64], name[64], id[RT_ID_MAX + 1];
	bool init;
	bool *returned_early; /* postStart: set while probe_run has not returned */
};

/* The hook of the container's spec at lifecycle.<which>, parsed: 1 to run
 * it, 0 when there is none, -1 when it cannot run (why in err). Init
 * containers have hooks only as sidecars (restartPolicy: Always), like
 * upstream's. */
static int hook_spec(struct pod *p, struct pod_ctr *c, const char *which, struct probe_spec *spec,
		     char *err, size_t errlen)
{
	const json_t *cs = ctr_spec(p, c);
	const json_t *hook = json_object_get(json_object_get(cs, "lifecycle"), which);
	const char *restart = jstr(cs, "restartPolicy");
	memset(spec, 0, sizeof *spec);
	if ((c->init && !(restart && !strcmp(restart, "Always"))) || !json_is_object(hook))
		return 0;
	if (probe_hook_parse(hook, cs, spec, err, errlen) == 0)
		return 1;
	probe_spec_free(spec);
	return -1;
}

static void hook_run(struct podsync *ps, struct pod *p, struct pod_ctr *c, struct probe_spec *spec,
		     probe_done_fn cb, struct hook_req *r)
{
	r->ps = ps;
	snprintf(r->uid, sizeof r->uid, "%s", p->uid);
	snprintf(r->name, sizeof r->name, "%s", c->name);
	snprintf(r->id, sizeof r->id, "%s", c->id);
	r->init = c->init;
	struct probe_target t = probe_target_of(ps, p, c);
	probe_run(ps->n->loop, spec, &t, cb, r);
	probe_spec_free(spec);
}

static bool ctr_prestop(struct podsync *ps, struct pod *p, struct pod_ctr *c, long long grace);

/* A failed postStart hook: the container is killed like the kubelet does
 * (its preStop hook, SIGTERM, SIGKILL after the grace period) and restarted
 * per restartPolicy; it never shows as Running. */
static void poststart_failed(struct podsync *ps, struct pod *p, struct pod_ctr *c, const char *msg)
{
	/* Like the kubelet, the event does not carry the hook's output (it may
	 * hold secrets); the agent's log does. */
	log_warn(&ps->n->log, "pods", "postStart hook failed pod=%s/%s container=%s %s", p->ns,
		 p->name, c->name, msg);
	ctr_event(ps, p, c, "Warning", "FailedPostStartHook", "PostStartHook failed");
	ctr_event(ps, p, c, "Normal", "Killing", "FailedPostStartHook");
	const json_t *g = json_object_get(pod_spec(p), "terminationGracePeriodSeconds");
	long long grace = json_is_integer(g) ? json_integer_value(g) : 30;
	grace = grace < 0 ? 0 : grace > 3600 ? 3600 : grace;
	c->hook_kill_at_ms = node_now_ms() + (uint64_t)grace * 1000;
	if (!ctr_prestop(ps, p, c, grace))
		rt_signal(ps, c->id, grace ? SIGTERM : SIGKILL, !grace);
}

/* An instance whose postStart hook has not succeeded is recorded in the
 * pod's directory (pods/UID/poststart.NAME holds its id), so that an agent
 * killed while the hook ran runs it again on the adopted container: hooks
 * are delivered at least once, and a kubelet restarted mid-hook may resend
 * one. The container shows as not Running until that run ends; a failing
 * run kills it as at first. */
static void poststart_record(struct podsync *ps, struct pod *p, struct pod_ctr *c, bool pending)
{
	char dir[1200], path[1400];
	pod_dir(ps, p, "", dir, sizeof dir);
	snprintf(path, sizeof path, "%s/poststart.%s", dir, c->name);
	if (!pending) {
		unlink(path);
		return;
	}
	FILE *f = agent_mkdir_p(dir, 0700) == 0 ? fopen(path, "we") : NULL;
	if (!f || fprintf(f, "%s\n", c->id) < 0 || fclose(f) != 0)
		log_warn(&ps->n->log, "pods", "cannot record the postStart hook pod=%s/%s container=%s",
			 p->ns, p->name, c->name);
}

static void ctr_poststart_adopted(struct podsync *ps, struct pod *p, struct pod_ctr *c)
{
	char dir[1200], path[1400], id[RT_ID_MAX + 2] = "";
	if (!c->id[0])
		return;
	pod_dir(ps, p, "", dir, sizeof dir);
	snprintf(path, sizeof path, "%s/poststart.%s", dir, c->name);
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	bool read = fgets(id, sizeof id, f) != NULL;
	fclose(f);
	id[strcspn(id, "\n")] = 0;
	if (!read || strcmp(id, c->id))
		return;
	snprintf(c->poststart_id, sizeof c->poststart_id, "%s", c->id);
	c->poststart_rerun = true;
}

/* The postStart hook ended: the container is Running now, or killed. */
static void on_poststart_done(void *ud, bool ok, const char *msg)
{
	struct hook_req *r = ud;
	struct podsync *ps = r->ps;
	struct pod *p = ps->stopping ? NULL : pod_find(ps, r->uid);
	struct pod_ctr *c = p ? ctr_by(p, r->init, r->name) : NULL;
	bool sync = !r->returned_early;
	if (r->returned_early)
		*r->returned_early = true;
	if (c && !strcmp(c->id, r->id) && ctr_in_poststart(c)) {
		if (ok) {
			c->poststart_id[0] = 0;
			poststart_record(ps, p, c, false);
		} else if (!p->deleting)
			poststart_failed(ps, p, c, msg ? msg : "");
		if (sync)
			pod_sync(ps, p);
	}
	free(r);
}

/* Runs lifecycle.postStart (exec, httpGet or sleep) right after the
 * container started; until it ends the container shows as not Running. */
static void ctr_poststart(struct podsync *ps, struct pod *p, struct pod_ctr *c)
{
	struct probe_spec spec;
	char err[200];
	c->poststart_id[0] = 0;
	c->hook_kill_at_ms = 0;
	c->poststart_rerun = false;
	int run = hook_spec(p, c, "postStart", &spec, err, sizeof err);
	if (run == 0)
		return;
	snprintf(c->poststart_id, sizeof c->poststart_id, "%s", c->id);
	poststart_record(ps, p, c, true);
	struct hook_req *r = run > 0 ? calloc(1, sizeof *r) : NULL;
	if (!r) { /* a hook the kubelet cannot run fails (tcpSocket) */
		probe_spec_free(&spec);
		return poststart_failed(ps, p, c, run > 0 ? "out of memory" : err);
	}
	spec.timeout_s = POSTSTART_TIMEOUT_S;
	bool early = false;
	r->returned_early = &early;
	hook_run(ps, p, c, &spec, on_poststart_done, r);
	if (!early)
		r->returned_early = NULL;
}

/* A failed postStart's grace is over: SIGKILL. An adopted container whose
 * postStart had not ended: run it again (see poststart_record). */
static void pod_hooks_due(struct podsync *ps, struct pod *p, uint64_t now)
{
	for (size_t i = 0; i < p->n_ctrs; i++) {
		struct pod_ctr *c = &p->ctrs[i];
		if (c->hook_kill_at_ms && now >= c->hook_kill_at_ms && ctr_in_poststart(c)) {
			rt_signal(ps, c->id, SIGKILL, true);
			c->hook_kill_at_ms = 0;
		}
		if (c->poststart_rerun && ctr_in_poststart(c) && c->st.status == RT_RUNNING) {
			log_info(&ps->n->log, "pods", "postStart hook runs again pod=%s/%s container=%s",
				 p->ns, p->name, c->name);
			ctr_poststart(ps, p, c);
		}
	}
}

/* The hook ended (or failed, or timed out): now the container gets SIGTERM,
 * with at least HOOK_GRACE_MIN_MS left before SIGKILL, like the kubelet. */
static void on_prestop_done(void *ud, bool ok, const char *msg)
{
	struct hook_req *r = ud;
	struct podsync *ps = r->ps;
	struct pod *p = ps->stopping ? NULL : pod_find(ps, r->uid);
	struct pod_ctr *c = p ? ctr_by(p, r->init, r->name) : NULL;
	if (c && !strcmp(c->id, r->id)) {
		if (!ok) {
			char text[700];
			snprintf(text, sizeof text, "PreStopHook failed: %s", msg ? msg : "");
			ctr_event(ps, p, c, "Warning", "FailedPreStopHook", text);
		}
		uint64_t least = node_now_ms() + HOOK_GRACE_MIN_MS;
		if (c->hook_kill_at_ms && c->hook_kill_at_ms < least)
			c->hook_kill_at_ms = least;
		if (c->term_due) { /* stopped in order: SIGTERM when its turn comes */
			c->prestop_busy = false;
			pod_stop_turns(ps, p);
		} else if (ctr_running(c))
			rt_signal(ps, c->id, SIGTERM, false);
	}
	free(r);
}

/* Runs the container's lifecycle.preStop (exec, httpGet or sleep, bounded by
 * the grace period) and sends SIGTERM when it ends; true when one was
 * started. The probes' handler runner does the I/O. */
static bool ctr_prestop(struct podsync *ps, struct pod *p, struct pod_ctr *c, long long grace)
{
	struct probe_spec spec;
	char err[200], text[300];
	int run = grace > 0 ? hook_spec(p, c, "preStop", &spec, err, sizeof err) : 0;
	if (run < 0) {
		snprintf(text, sizeof text, "PreStopHook failed: %s", err);
		ctr_event(ps, p, c, "Warning", "FailedPreStopHook", text);
	}
	if (run <= 0)
		return false;
	struct hook_req *r = calloc(1, sizeof *r);
	if (!r) {
		probe_spec_free(&spec);
		return false;
	}
	spec.timeout_s = (int)grace;
	hook_run(ps, p, c, &spec, on_prestop_done, r);
	return true;
}

/* ---- stopping in order: deletion, and a pod whose work is over ---- */

/* A sidecar's turn for SIGTERM: the app containers and the sidecars declared
 * after it have exited (the kubelet's terminationOrdering; regular init
 * containers are not waited for). */
static bool sidecar_turn(const struct pod *p, size_t i)
{
	for (size_t j = i + 1; j < p->n_ctrs; j++)
		if ((j >= p->n_init || p->ctrs[j].sidecar) && ctr_running(&p->ctrs[j]))
			return false;
	return true;
}

/* SIGTERM to each container being stopped whose preStop hook ended and whose
 * turn came, or to any once the grace period is over; SIGKILL follows at
 * the deadline, HOOK_GRACE_MIN_MS after a late SIGTERM at the least (the
 * kubelet's minimum grace). */
static void pod_stop_turns(struct podsync *ps, struct pod *p)
{
	uint64_t now = node_now_ms();
	for (size_t i = 0; i < p->n_ctrs; i++) {
		struct pod_ctr *c = &p->ctrs[i];
		if (!c->term_due)
			continue;
		if (!ctr_running(c)) {
			c->term_due = false;
			continue;
		}
		bool late = now >= p->kill_deadline_ms;
		if (!late && (c->prestop_busy || (c->sidecar && !sidecar_turn(p, i))))
			continue;
		c->term_due = false;
		c->stop_kill_at_ms = now;
		if (p->stop_graceful)
			c->stop_kill_at_ms = now + HOOK_GRACE_MIN_MS > p->kill_deadline_ms
						 ? now + HOOK_GRACE_MIN_MS
						 : p->kill_deadline_ms;
		rt_signal(ps, c->id, SIGTERM, false);
	}
}

/* Starts stopping every running container like the kubelet: the preStop
 * hooks start at once; SIGTERM follows a container's hook, for a sidecar
 * only once the app containers and the later sidecars exited (pod_stop_turns);
 * SIGKILL after grace seconds. One already being stopped is left to it. */
static void pod_stop_begin(struct podsync *ps, struct pod *p, long long grace)
{
	uint64_t deadline = node_now_ms() + (uint64_t)grace * 1000;
	bool again = p->deleting && p->finishing; /* deleted while its sidecars stop */
	if (!again || deadline < p->kill_deadline_ms)
		p->kill_deadline_ms = deadline; /* a deletion shortens the time, never extends it */
	p->stop_graceful = grace > 0 && (!again || p->stop_graceful);
	for (size_t i = 0; i < p->n_ctrs; i++) {
		struct pod_ctr *c = &p->ctrs[i];
		ctr_poll(ps, c);
		if (!ctr_running(c) || c->term_due || c->stop_kill_at_ms)
			continue;
		char msg[300];
		snprintf(msg, sizeof msg, "Stopping container %s", c->name);
		ctr_event(ps, p, c, "Normal", "Killing", msg);
		c->term_due = true;
		c->prestop_busy = true; /* the hook may end before ctr_prestop returns */
		if (!ctr_prestop(ps, p, c, grace))
			c->prestop_busy = false;
	}
	pod_stop_turns(ps, p);
}

/* One step of stopping: SIGTERM to the containers whose turn came, SIGKILL to
 * those past their time. True while one still runs within its time. */
static bool pod_stop_step(struct podsync *ps, struct pod *p)
{
	uint64_t now = node_now_ms();
	bool waiting = false;
	for (size_t i = 0; i < p->n_ctrs; i++)
		ctr_poll(ps, &p->ctrs[i]);
	pod_stop_turns(ps, p);
	for (size_t i = 0; i < p->n_ctrs; i++) {
		struct pod_ctr *c = &p->ctrs[i];
		if (!ctr_running(c))
			continue;
		if (c->term_due || now < c->stop_kill_at_ms)
			waiting = true;
		else
			rt_signal(ps, c->id, SIGKILL, true);
	}
	return waiting;
}

/* Deletion: the containers stop in order (pod_stop_begin) within the
 * deletion's grace period, then they are removed and the pod DELETEd. */
static void pod_terminate(struct podsync *ps, struct pod *p)
{
	if (!p->deleting) {
		json_t *g = json_object_get(json_object_get(p->obj, "metadata"),
					    "deletionGracePeriodSeconds");
		long long grace = json_is_integer(g) ? json_integer_value(g) : 30;
		grace = grace < 0 ? 0 : grace > 3600 ? 3600 : grace;
		p->deleting = true;
		log_info(&ps->n->log, "pods", "stopping pod=%s/%s grace=%llds", p->ns, p->name,
			 grace);
		pod_stop_begin(ps, p, grace);
	}
	if (pod_stop_step(ps, p))
		return;
	pod_remove_all(ps, p);
	if (!p->delete_sent)
		pod_delete_object(ps, p);
}

/* Every app container exited and the restart policy leaves it so. */
static bool pod_apps_done(const struct pod *p, const char *policy)
{
	for (size_t i = p->n_init; i < p->n_ctrs; i++) {
		const struct pod_ctr *c = &p->ctrs[i];
		if (!ctr_exited(c) || podstatus_should_restart(policy, c->st.exit_code))
			return false;
	}
	return true;
}

static bool pod_any_running(const struct pod *p)
{
	for (size_t i = 0; i < p->n_ctrs; i++)
		if (ctr_running(&p->ctrs[i]))
			return true;
	return false;
}

/* The pod's work is over: its app containers completed and stay so, or it
 * failed for good. What still runs (its sidecars) is stopped in order within
 * terminationGracePeriodSeconds and not restarted; the phase turns
 * Succeeded or Failed once they exited (the Job pattern sidecars are for). */
static void pod_finish(struct podsync *ps, struct pod *p)
{
	for (size_t i = 0; i < p->n_ctrs; i++)
		p->ctrs[i].restart_due = false; /* an exited sidecar stays exited */
	if (!p->finishing) {
		if (!pod_any_running(p))
			return;
		const json_t *g = json_object_get(pod_spec(p), "terminationGracePeriodSeconds");
		long long grace = json_is_integer(g) ? json_integer_value(g) : 30;
		grace = grace < 0 ? 0 : grace > 3600 ? 3600 : grace;
		p->finishing = true;
		log_info(&ps->n->log, "pods", "stopping sidecars pod=%s/%s grace=%llds", p->ns,
			 p->name, grace);
		pod_stop_begin(ps, p, grace);
	}
	pod_stop_step(ps, p);
}

/* A pod on cluster DNS starts once the node knows the kube-dns address (its
 * resolv.conf is written once), or the Services are listed without one, or
 * after AGENT_DNS_WAIT_MS: a pod then falls back to the host's resolvers. */
static bool pod_dns_ready(struct podsync *ps, struct pod *p)
{
	const char *policy = jstr(pod_spec(p), "dnsPolicy");
	if (p->files_ready || pod_host_network(p) || (policy && strncmp(policy, "ClusterFirst", 12)))
		return true;
	if (*dns_agent_address(ps->n) || !ps->n->svcwatch || svcwatch_synced(ps->n->svcwatch))
		return true;
	uint64_t now = node_now_ms();
	if (!p->first_seen_ms)
		p->first_seen_ms = now;
	return now - p->first_seen_ms > AGENT_DNS_WAIT_MS;
}

static void pod_evicted_sync(struct podsync *ps, struct pod *p);

#define CLAIM_RETRY_MS 2000
#define FAILED_MOUNT_MS 60000

/* persistentVolumeClaim volumes: the pod waits (ContainerCreating) until its
 * claims are bound, asking again every CLAIM_RETRY_MS, and says so with a
 * FailedMount event every FAILED_MOUNT_MS, like the kubelet's volume manager. */
static bool pod_claims_ready(struct podsync *ps, struct pod *p)
{
	char waiting[512], msg[1200];
	uint64_t now = node_now_ms();
	bool refetch = p->claims_since_ms && now - p->claims_asked_ms >= CLAIM_RETRY_MS;
	if (agent_volume_claims_ready(p->refs, refetch, waiting, sizeof waiting)) {
		p->claims_since_ms = 0;
		return true;
	}
	if (!p->claims_since_ms)
		p->claims_since_ms = p->mount_event_ms = now;
	if (refetch || p->claims_asked_ms < p->claims_since_ms)
		p->claims_asked_ms = now;
	if (now - p->mount_event_ms >= FAILED_MOUNT_MS) {
		p->mount_event_ms = now;
		snprintf(msg, sizeof msg,
			 "Unable to attach or mount volumes: unmounted volumes=[%s], unattached volumes=[%s]: "
			 "timed out waiting for the condition",
			 waiting, waiting);
		ctr_event(ps, p, NULL, "Warning", "FailedMount", msg);
	}
	return false;
}

/* Rewrites the volumes that project a token (atomically, through ..data). */
static void pod_tokens_write(struct podsync *ps, struct pod *p)
{
	char err[512], paths[5][1100], ns[4][1100];
	struct agent_pod_ctx ctx;
	size_t i;
	json_t *vol;
	p->tokens_dirty = false;
	ctx_paths(ps, p, NULL, paths);
	ctx_fill(ps, p, &ctx, paths, ns);
	json_array_foreach(json_object_get(pod_spec(p), "volumes"), i, vol)
	{
		if (agent_volume_has_token(vol) &&
		    agent_volume_materialize(p->obj, vol, &ctx, err, sizeof err))
			log_v(&ps->n->log, 2, "pods", "token volume not written pod=%s/%s error=\"%s\"",
			      p->ns, p->name, err);
	}
}

struct token_renewal {
	struct podsync *ps;
	char uid[64], key[320];
};

static void on_token_renewed(void *ud, int status, const struct httpc_resp *resp,
			     const char *body, size_t len)
{
	struct token_renewal *t = ud;
	struct pod *p = t->ps->stopping ? NULL : pod_find(t->ps, t->uid);
	json_t *obj = status == 201 ? json_loadb(body, len, 0, NULL) : NULL;
	(void)resp;
	if (p) {
		p->token_busy = false;
		if (json_is_object(obj) && p->refs) {
			json_object_set(p->refs, t->key, obj);
			pod_tokens_write(t->ps, p);
		} else {
			p->token_retry_ms = node_now_ms() + 10000;
			log_warn(&t->ps->n->log, "pods", "token renewal failed pod=%s/%s status=%d",
				 p->ns, p->name, status);
		}
	}
	json_decref(obj);
	free(t);
}

/* Renews one due token at a time (80% of its lifetime, like the kubelet)
 * and writes fetched tokens into the pod's volumes. */
static void pod_tokens_sync(struct podsync *ps, struct pod *p)
{
	const char *key;
	json_t *v;
	if (p->tokens_dirty && p->files_ready) /* else pod_files writes them */
		pod_tokens_write(ps, p);
	if (p->token_busy || node_now_ms() < p->token_retry_ms)
		return;
	json_object_foreach(p->refs, key, v)
	{
		long long at = json_is_object(v) ? agent_token_renew_at(v) : 0;
		if (strncmp(key, "tokens/", 7) || !at || time(NULL) < at)
			continue;
		struct token_renewal *t = calloc(1, sizeof *t);
		if (!t)
			return;
		t->ps = ps;
		snprintf(t->uid, sizeof t->uid, "%s", p->uid);
		snprintf(t->key, sizeof t->key, "%s", key);
		if (token_request(ps, p, key + 7, on_token_renewed, t)) {
			free(t);
			return;
		}
		p->token_busy = true;
		return;
	}
}

static void pod_sync(struct podsync *ps, struct pod *p)
{
	if (ps->stopping || !ps->listed)
		return;
	if (json_object_get(json_object_get(p->obj, "metadata"), "deletionTimestamp"))
		return pod_terminate(ps, p);
	if (p->evicted)
		return pod_evicted_sync(ps, p);
	for (size_t i = 0; i < p->n_ctrs; i++)
		ctr_poll(ps, &p->ctrs[i]);
	pod_probes(ps, p);
	const char *policy = podstatus_restart_policy(p->obj);
	/* A pod the server already knows as finished never runs again (the
	 * agent's data dir may have been wiped): its status is left alone. */
	bool was_terminal = phase_terminal(jstr(json_object_get(p->obj, "status"), "phase"));
	json_t *before = pod_status(ps, p);
	bool terminal = was_terminal || phase_terminal(jstr(before, "phase"));
	json_decref(before);
	bool finish = terminal || pod_apps_done(p, policy);
	bool refs = !finish && pod_refs_ready(ps, p, p->refs_retry) && pod_claims_ready(ps, p) &&
		    pod_dns_ready(ps, p);
	p->refs_retry = false;
	if (refs)
		pod_tokens_sync(ps, p);
	/* Not overlapped with the references' requests: measured on 2 cores
	 * with the server on the node, the sandbox made while they are in
	 * flight slows their replies as much as it saves (agent-bench). */
	if (refs && sandbox_ensure(ps, p) == 0 && pod_run_inits(ps, p, policy))
		pod_run_apps(ps, p, policy);
	if (finish)
		pod_finish(ps, p);
	json_t *st = pod_status(ps, p);
	if (!st || (was_terminal && !phase_terminal(jstr(st, "phase")))) {
		json_decref(st);
		pod_start_events(ps, p);
		return;
	}
	if (phase_terminal(jstr(st, "phase")) && !pod_any_running(p)) /* sidecars stopped */
		sandbox_stop(ps, p);
	pod_status_write(ps, p, st);
	json_decref(st);
	pod_start_events(ps, p);
}

static void on_tick(uv_timer_t *t)
{
	struct podsync *ps = t->data;
	struct pod *next;
	for (struct pod *p = ps->pods; p; p = next) {
		next = p->next; /* pod_sync may free p (deletion) only via callbacks */
		pod_sync(ps, p);
	}
}

/* ---- list and watch ---- */

static void on_relist_timer(uv_timer_t *t)
{
	list_start(t->data);
}

static void relist_later(struct podsync *ps)
{
	if (!ps->stopping)
		uv_timer_start(&ps->relist, on_relist_timer, RELIST_MS, 0);
}

/* After the first list: directories of pods that are gone. */
static void pod_dirs_cleanup(struct podsync *ps)
{
	char dir[1100];
	snprintf(dir, sizeof dir, "%s/pods", ps->data_dir);
	DIR *d = opendir(dir);
	struct dirent *e;
	char probe[RT_ID_MAX + 1];
	while (d && (e = readdir(d)))
		if (sandbox_container_id(e->d_name, "sandbox", "", 0, probe, sizeof probe) == 0 &&
		    !pod_find(ps, e->d_name))
			pod_dir_remove(ps, e->d_name);
	if (d)
		closedir(d);
}

static bool pod_known(void *ud, const char *uid)
{
	return pod_find(ud, uid) != NULL;
}

/* After the first list: containers of pods that are gone. */
static void adopted_cleanup(struct podsync *ps)
{
	char uid[64], kind[16], name[64];
	int attempt;
	for (size_t i = 0; i < ps->n_adopted; i++) {
		struct adopted *a = &ps->adopted[i];
		if (!a->id[0] || sandbox_label_parse(a->label, uid, kind, name, &attempt))
			continue;
		log_info(&ps->n->log, "pods", "removing container of a gone pod id=%s", a->id);
		rt_remove(ps, a->id);
	}
	free(ps->adopted);
	ps->adopted = NULL;
	ps->n_adopted = 0;
	pod_dirs_cleanup(ps);
	if (pod_net(ps))
		net_pods_gc(pod_net(ps), pod_known, ps);
}

static void list_apply(struct podsync *ps, json_t *doc)
{
	for (struct pod *p = ps->pods; p; p = p->next)
		p->seen = false;
	bool first = !ps->listed;
	ps->listed = true;
	size_t i;
	json_t *item;
	json_array_foreach(json_object_get(doc, "items"), i, item)
	{
		if (json_is_object(item))
			pod_upsert(ps, item);
	}
	struct pod *next;
	for (struct pod *p = ps->pods; p; p = next) {
		next = p->next;
		if (!p->seen)
			pod_forget(ps, p);
	}
	if (first)
		adopted_cleanup(ps);
}

static void on_list(void *ud, int status, const struct httpc_resp *resp, const char *body,
		    size_t len)
{
	struct podsync *ps = ud;
	if (ps->stopping)
		return;
	json_t *doc = status == 200 ? json_loadb(body, len, 0, NULL) : NULL;
	const char *rv = jstr(json_object_get(doc, "metadata"), "resourceVersion");
	if (!doc || !rv || strlen(rv) >= sizeof ps->rv) {
		log_warn(&ps->n->log, "pods", "pod list failed status=%d", status);
		json_decref(doc);
		return relist_later(ps);
	}
	snprintf(ps->rv, sizeof ps->rv, "%s", rv);
	list_apply(ps, doc);
	json_decref(doc);
	watch_start(ps);
}

static void list_start(struct podsync *ps)
{
	char path[512];
	if (ps->stopping)
		return;
	snprintf(path, sizeof path, PODS_PATH "?fieldSelector=spec.nodeName%%3D%s",
		 ps->n->cfg.node_name);
	if (httpc_request(ps->n->api, "GET", path, NULL, NULL, 0, on_list, ps))
		relist_later(ps);
}

static void watch_event(struct podsync *ps, const char *type, json_t *obj)
{
	const char *rv = jstr(json_object_get(obj, "metadata"), "resourceVersion");
	if (rv && strlen(rv) < sizeof ps->rv)
		snprintf(ps->rv, sizeof ps->rv, "%s", rv);
	if (!strcmp(type, "BOOKMARK"))
		return;
	if (!strcmp(type, "DELETED")) {
		const char *uid = jstr(json_object_get(obj, "metadata"), "uid");
		struct pod *p = uid ? pod_find(ps, uid) : NULL;
		if (p)
			pod_forget(ps, p);
		return;
	}
	if (!strcmp(type, "ADDED") || !strcmp(type, "MODIFIED"))
		pod_upsert(ps, obj);
}

static int on_watch_line(void *ud, const char *line, size_t len)
{
	struct podsync *ps = ud;
	json_t *ev = json_loadb(line, len, 0, NULL);
	const char *type = jstr(ev, "type");
	json_t *obj = json_object_get(ev, "object");
	int rc = 0;
	if (!type || !json_is_object(obj))
		rc = -EPROTO;
	else if (!strcmp(type, "ERROR"))
		rc = -ESTALE; /* 410 Gone or another error: relist */
	else
		watch_event(ps, type, obj);
	json_decref(ev);
	return rc;
}

static void on_watch_data(void *ud, const char *chunk, size_t len)
{
	struct podsync *ps = ud;
	if (httpc_lines_feed(&ps->lines, chunk, len, on_watch_line, ps) &&
	    ps->watch) { /* an ERROR event or garbage: start over */
		httpc_stream_cancel(ps->watch);
		ps->watch = NULL;
		httpc_lines_free(&ps->lines);
		relist_later(ps);
	}
}

static void on_watch_end(void *ud, int status)
{
	struct podsync *ps = ud;
	ps->watch = NULL;
	httpc_lines_free(&ps->lines);
	if (ps->stopping)
		return;
	log_v(&ps->n->log, 1, "pods", "watch ended status=%d", status);
	relist_later(ps);
}

static void watch_start(struct podsync *ps)
{
	char path[512];
	snprintf(path, sizeof path,
		 PODS_PATH "?fieldSelector=spec.nodeName%%3D%s&watch=1&resourceVersion=%s"
			   "&allowWatchBookmarks=true",
		 ps->n->cfg.node_name, ps->rv);
	httpc_lines_init(&ps->lines, WATCH_LINE_MAX);
	if (httpc_stream(ps->n->api, "GET", path, on_watch_data, on_watch_end, ps, &ps->watch)) {
		ps->watch = NULL;
		httpc_lines_free(&ps->lines);
		relist_later(ps);
	}
}

/* ---- lifecycle ---- */

static void adopted_load(struct podsync *ps)
{
	struct rt_state *list = NULL;
	size_t n = 0;
	char err[256];
	if (rt_container_list(ps->rt, &list, &n, err, sizeof err)) {
		log_warn(&ps->n->log, "pods", "cannot list containers error=\"%s\"", err);
		return;
	}
	ps->adopted = calloc(n ? n : 1, sizeof *ps->adopted);
	for (size_t i = 0; ps->adopted && i < n; i++) {
		if (strncmp(list[i].bundle, PODSYNC_LABEL " ", strlen(PODSYNC_LABEL) + 1))
			continue;
		struct adopted *a = &ps->adopted[ps->n_adopted++];
		snprintf(a->id, sizeof a->id, "%s", list[i].id);
		snprintf(a->label, sizeof a->label, "%s", list[i].bundle);
	}
	free(list);
}

/* Air-gapped installs: image archives (docker save, OCI layout tars) put in
 * DATA_DIR/images/ are imported when the node starts, once per archive
 * version (a NAME.imported stamp newer than the archive skips it). */
static void images_autoimport(struct podsync *ps)
{
	char dir[1100], path[1400], stamp[1500], err[512];
	snprintf(dir, sizeof dir, "%s/images", ps->data_dir);
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len < 5 || e->d_name[0] == '.' ||
		    (strcmp(e->d_name + len - 4, ".tar") && !strstr(e->d_name, ".tar.")))
			continue;
		struct stat st, ss;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		snprintf(stamp, sizeof stamp, "%s.imported", path);
		if (stat(path, &st) || !S_ISREG(st.st_mode) ||
		    (stat(stamp, &ss) == 0 && ss.st_mtime >= st.st_mtime))
			continue;
		char **names = NULL;
		if (rt_image_import(ps->imgs, path, &names, err, sizeof err)) {
			log_warn(&ps->n->log, "images", "cannot import %s error=\"%s\"", path, err);
			continue;
		}
		for (char **nm = names; nm && *nm; nm++)
			log_info(&ps->n->log, "images", "imported image=%s from=%s", *nm, e->d_name);
		rt_strv_free(names);
		close(open(stamp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
	}
	if (d)
		closedir(d);
}

/* The images on this node, for Node status.images. */
json_t *podsync_node_images(struct podsync *ps)
{
	return ps && ps->imgs ? agent_node_images(ps->imgs) : NULL;
}

static int podsync_open(struct podsync *ps, struct node *n)
{
	char err[512];
	struct agent_machine m;
	struct rt_config rc = {.data_dir = n->cfg.data_dir, .verbosity = n->cfg.verbosity};
	ps->n = n;
	snprintf(ps->data_dir, sizeof ps->data_dir, "%s", n->cfg.data_dir);
	if (agent_machine_read(&n->opts, &m, err, sizeof err) == 0)
		snprintf(ps->host_ip, sizeof ps->host_ip, "%s", m.internal_ip);
	if (n->cfg.node_ip)
		snprintf(ps->host_ip, sizeof ps->host_ip, "%s", n->cfg.node_ip);
	if (rt_new(&rc, &ps->rt, err, sizeof err) ||
	    rt_images_open(&ps->imgs, n->cfg.data_dir, err, sizeof err)) {
		log_error(&n->log, "pods", "cannot open the runtime, no pods will run error=\"%s\"",
			  err);
		return -1;
	}
	images_autoimport(ps);
	adopted_load(ps);
	return 0;
}

void podsync_start(struct node *n)
{
	if (n->podsync)
		return;
	struct podsync *ps = calloc(1, sizeof *ps);
	if (!ps)
		return;
	n->podsync = ps;
	if (podsync_open(ps, n)) {
		ps->stopping = true;
		return;
	}
	uv_timer_init(n->loop, &ps->tick);
	uv_timer_init(n->loop, &ps->relist);
	ps->tick.data = ps->relist.data = ps;
	ps->handles_open += 2;
	uv_timer_start(&ps->tick, on_tick, PODSYNC_TICK_MS, PODSYNC_TICK_MS);
	log_info(&n->log, "pods", "pod sync started node=%s adopted=%zu", n->cfg.node_name,
		 ps->n_adopted);
	list_start(ps);
}

static void on_handle_closed(uv_handle_t *h)
{
	struct podsync *ps = h->data;
	ps->handles_open--;
}

void podsync_stop(struct podsync *ps)
{
	if (!ps || ps->stopping)
		return;
	ps->stopping = true;
	if (ps->watch)
		httpc_stream_cancel(ps->watch);
	ps->watch = NULL;
	httpc_lines_free(&ps->lines);
	uv_close((uv_handle_t *)&ps->tick, on_handle_closed);
	uv_close((uv_handle_t *)&ps->relist, on_handle_closed);
}

struct rt *podsync_rt(const struct podsync *ps)
{
	return ps ? ps->rt : NULL;
}

void podsync_free(struct podsync *ps)
{
	if (!ps)
		return;
	while (ps->pods) {
		struct pod *p = ps->pods;
		ps->pods = p->next;
		pod_free(p);
	}
	free(ps->adopted);
	rt_images_close(ps->imgs);
	rt_free(ps->rt);
	free(ps);
}

/* ---- node-pressure eviction (agent/eviction.h) ---- */

/* Bytes allocated under dir on its filesystem (bounded walk). */
static int64_t du_bytes(int dirfd, int depth, size_t *budget)
{
	DIR *d = fdopendir(dirfd);
	if (!d) {
		close(dirfd);
		return 0;
	}
	struct stat self;
	int64_t sum = 0;
	struct dirent *e;
	bool same = fstat(dirfd, &self) == 0;
	while (same && (e = readdir(d)) && *budget) {
		struct stat st;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_dev != self.st_dev)
			continue; /* other mounts (rootfs overlay, tmpfs volumes) are not this disk */
		(*budget)--;
		sum += (int64_t)st.st_blocks * 512;
		if (S_ISDIR(st.st_mode) && depth < 32) {
			int fd = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd >= 0)
				sum += du_bytes(fd, depth + 1, budget);
		}
	}
	closedir(d);
	return sum;
}

static int64_t path_du(const char *path)
{
	size_t budget = 200000;
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? 0 : du_bytes(fd, 0, &budget);
}

static void pod_usage(struct podsync *ps, struct pod *p, enum eviction_signal s, struct eviction_pod *e)
{
	char err[256], path[1400];
	for (size_t i = p->n_init; i < p->n_ctrs; i++) {
		struct pod_ctr *c = &p->ctrs[i];
		int64_t bytes;
		if (!c->id[0])
			continue;
		if (s == EVICTION_MEMORY && rt_container_memory(ps->rt, c->id, &bytes, err, sizeof err) == 0)
			eviction_pod_add_usage(e, c->name, bytes);
		if (s == EVICTION_NODEFS) {
			snprintf(path, sizeof path, "%s/containers/%s", ps->data_dir, c->id);
			eviction_pod_add_usage(e, c->name, path_du(path));
		}
	}
	if (s == EVICTION_NODEFS) { /* logs, emptyDir volumes on the disk */
		pod_dir(ps, p, "", path, sizeof path);
		eviction_pod_add_usage(e, NULL, path_du(path));
	}
}

int podsync_eviction_pods(struct podsync *ps, enum eviction_signal s, struct eviction_pod **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!ps || ps->stopping)
		return -ESRCH;
	size_t cap = 0;
	for (struct pod *p = ps->pods; p; p = p->next)
		cap++;
	struct eviction_pod *v = calloc(cap + 1, sizeof *v);
	if (!v)
		return -ENOMEM;
	for (struct pod *p = ps->pods; p; p = p->next) {
		if (p->evicted || p->deleting ||
		    json_object_get(json_object_get(p->obj, "metadata"), "deletionTimestamp") ||
		    phase_terminal(jstr(json_object_get(p->obj, "status"), "phase")) ||
		    phase_terminal(jstr(p->status_sent, "phase")) || eviction_pod_init(&v[*n], p->obj, s) < 0)
			continue;
		pod_usage(ps, p, s, &v[(*n)++]);
	}
	*out = v;
	return 0;
}

int podsync_evict(struct podsync *ps, const char *uid, const char *message)
{
	struct pod *p = ps && !ps->stopping ? pod_find(ps, uid) : NULL;
	if (!p || p->evicted || !(p->evicted = strdup(message)))
		return -ENOENT;
	pod_sync(ps, p);
	return 0;
}

/* An evicted pod: every container killed (no grace: a hard threshold), the
 * sandbox stopped, phase Failed with reason Evicted, as the kubelet does. */
static void pod_evicted_sync(struct podsync *ps, struct pod *p)
{
	for (size_t i = 0; i < p->n_ctrs; i++) {
		struct pod_ctr *c = &p->ctrs[i];
		ctr_poll(ps, c);
		c->restart_due = false;
		if (ctr_running(c))
			rt_signal(ps, c->id, SIGKILL, true);
	}
	sandbox_stop(ps, p);
	json_t *st = pod_status(ps, p);
	if (!st)
		return;
	char now[32];
	podstatus_time(now_ns(), now);
	json_object_set_new(st, "phase", json_string("Failed"));
	json_object_set_new(st, "reason", json_string("Evicted"));
	json_object_set_new(st, "message", json_string(p->evicted));
	size_t i;
	json_t *c, *target = NULL; /* kept from the last write: its time stays */
	json_array_foreach(p->conds, i, c)
	{
		if (!strcmp(jstr(c, "type") ?: "", "DisruptionTarget"))
			target = json_incref(c);
	}
	if (!target)
		target = json_pack("{s:s,s:s,s:s,s:s,s:s}", "type", "DisruptionTarget", "status", "True",
				   "lastTransitionTime", now, "reason", "TerminationByKubelet", "message",
				   p->evicted);
	json_array_append_new(json_object_get(st, "conditions"), target);
	pod_status_write(ps, p, st);
	json_decref(st);
}
