/* scheduler/cache.c — the scheduler's view of the cluster: interned strings,
 * compiled selectors, and node/pod info derived from their JSON once per
 * change. Pods placed on a node (bound or assumed) are summed into that
 * node's requests; nominated pods reserve room on their nominated node. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/jsonutil.h"
#include "common/labels.h"
#include "common/quantity.h"
#include "scheduler/sched_internal.h"

/* ---- pods ---- */

static int64_t quantity_of(const json_t *list, const char *name, int scale)
{
	const char *s = json_string_value(json_object_get(list, name));
	int64_t v = 0;
	if (s && quantity_parse(s, scale, &v) < 0)
		v = 0;
	if (!s && json_is_integer(json_object_get(list, name)))
		v = json_integer_value(json_object_get(list, name)) * (scale == 3 ? 1000 : 1);
	return v;
}

/* A container's requests; limits stand in for absent requests, as API
 * defaulting would have done. */
static void container_requests(const json_t *ctr, int64_t out[RES_N])
{
	const json_t *res = json_object_get(ctr, "resources");
	const json_t *req = json_object_get(res, "requests"), *lim = json_object_get(res, "limits");
	static const char *const names[] = {"cpu", "memory", "ephemeral-storage"};
	for (int r = RES_CPU; r <= RES_EPH; r++) {
		const json_t *from = json_object_get(req, names[r]) ? req : lim;
		out[r] = quantity_of(from, names[r], r == RES_CPU ? 3 : 0);
	}
}

#define DEFAULT_MILLI_CPU 100
#define DEFAULT_MEMORY (200LL * 1024 * 1024)

static void nonzero(const int64_t req[RES_N], int64_t out[2])
{
	out[0] = req[RES_CPU] ? req[RES_CPU] : DEFAULT_MILLI_CPU;
	out[1] = req[RES_MEM] ? req[RES_MEM] : DEFAULT_MEMORY;
}

/* Effective requests: max(sum of containers + sidecars, each init container
 * on top of the sidecars started before it) + overhead. */
static void pod_requests(const json_t *spec, struct sched_pod *p)
{
	int64_t sum[RES_N] = {0}, sidecars[RES_N] = {0}, init_max[RES_N] = {0}, nz_sum[2] = {0}, nz_init[2] = {0};
	size_t i;
	json_t *ctr;
	json_array_foreach (json_object_get(spec, "containers"), i, ctr) {
		int64_t r[RES_N], nz[2];
		container_requests(ctr, r);
		nonzero(r, nz);
		for (int k = 0; k < RES_PODS; k++)
			sum[k] += r[k];
		nz_sum[0] += nz[0];
		nz_sum[1] += nz[1];
	}
	json_array_foreach (json_object_get(spec, "initContainers"), i, ctr) {
		int64_t r[RES_N], nz[2];
		container_requests(ctr, r);
		nonzero(r, nz);
		const char *restart = json_string_value(json_object_get(ctr, "restartPolicy"));
		bool sidecar = restart && !strcmp(restart, "Always");
		for (int k = 0; k < RES_PODS; k++) {
			int64_t during = sidecars[k] + r[k];
			if (during > init_max[k])
				init_max[k] = during;
			if (sidecar)
				sidecars[k] += r[k];
		}
		for (int k = 0; k < 2; k++)
			if (nz[k] > nz_init[k])
				nz_init[k] = nz[k];
		if (sidecar) {
			nz_sum[0] += nz[0];
			nz_sum[1] += nz[1];
		}
	}
	const json_t *overhead = json_object_get(spec, "overhead");
	for (int k = 0; k < RES_PODS; k++) {
		int64_t run = sum[k] + sidecars[k];
		p->req[k] = (run > init_max[k] ? run : init_max[k]) + quantity_of(overhead,
										  k == RES_CPU	 ? "cpu"
										  : k == RES_MEM ? "memory"
												 : "ephemeral-storage",
										  k == RES_CPU ? 3 : 0);
	}
	p->req[RES_PODS] = 1;
	p->nonzero[0] = nz_sum[0] > nz_init[0] ? nz_sum[0] : nz_init[0];
	p->nonzero[1] = nz_sum[1] > nz_init[1] ? nz_sum[1] : nz_init[1];
}

static uint8_t effect_of(const char *e)
{
	if (!e || !*e)
		return EFFECT_ANY;
	if (!strcmp(e, "NoSchedule"))
		return EFFECT_NO_SCHEDULE;
	if (!strcmp(e, "PreferNoSchedule"))
		return EFFECT_PREFER_NO_SCHEDULE;
	if (!strcmp(e, "NoExecute"))
		return EFFECT_NO_EXECUTE;
	return 0xff; /* unknown: matches nothing */
}

static int parse_tolerations(struct strtab *t, const json_t *arr, struct sched_pod *p)
{
	size_t n = json_array_size(arr), i;
	if (!n)
		return 0;
	p->tols = calloc(n, sizeof(*p->tols));
	if (!p->tols)
		return -ENOMEM;
	json_t *x;
	json_array_foreach (arr, i, x) {
		struct toleration *to = &p->tols[p->ntols];
		const char *op = json_string_value(json_object_get(x, "operator"));
		const char *key = json_string_value(json_object_get(x, "key"));
		to->key = key && *key ? strtab_intern(t, key) : 0;
		to->exists = op && !strcmp(op, "Exists");
		if (op && !to->exists && strcmp(op, "Equal"))
			continue; /* Lt/Gt are behind a feature gate */
		to->value = strtab_intern(t, json_string_value(json_object_get(x, "value")) ?: "");
		to->effect = effect_of(json_string_value(json_object_get(x, "effect")));
		if (!to->key && !to->exists)
			continue; /* an empty key needs Exists */
		p->ntols++;
	}
	return 0;
}

static int add_port(struct strtab *t, struct sched_pod *p, const json_t *port, bool host_network)
{
	json_int_t hp = json_integer_value(json_object_get(port, "hostPort"));
	if (hp <= 0 && host_network)
		hp = json_integer_value(json_object_get(port, "containerPort"));
	if (hp <= 0 || hp > 65535)
		return 0;
	struct hostport *ports = realloc(p->ports, (p->nports + 1) * sizeof(*ports));
	if (!ports)
		return -ENOMEM;
	p->ports = ports;
	const char *ip = json_string_value(json_object_get(port, "hostIP"));
	const char *proto = json_string_value(json_object_get(port, "protocol"));
	ports[p->nports].ip = ip && *ip && strcmp(ip, "0.0.0.0") && strcmp(ip, "::") ? strtab_intern(t, ip) : 0;
	ports[p->nports].proto = !proto || !strcmp(proto, "TCP") ? 0 : !strcmp(proto, "UDP") ? 1 : 2;
	ports[p->nports].port = (int32_t)hp;
	p->nports++;
	return 0;
}

/* Upstream normalizes image names without a tag or digest to ":latest". */
static uint32_t image_id(struct strtab *t, const char *image)
{
	if (!image)
		return 0;
	const char *slash = strrchr(image, '/');
	const char *last = slash ? slash + 1 : image;
	if (strchr(last, ':') || strchr(image, '@'))
		return strtab_intern(t, image);
	char buf[1024];
	snprintf(buf, sizeof(buf), "%s:latest", image);
	return strtab_intern(t, buf);
}

static int parse_containers(struct strtab *t, const json_t *spec, struct sched_pod *p)
{
	const json_t *ctrs = json_object_get(spec, "containers");
	bool host_network = json_is_true(json_object_get(spec, "hostNetwork"));
	size_t n = json_array_size(ctrs), i, j;
	p->images = calloc(n ? n : 1, sizeof(*p->images));
	if (!p->images)
		return -ENOMEM;
	json_t *ctr, *port;
	json_array_foreach (ctrs, i, ctr) {
		uint32_t id = image_id(t, json_string_value(json_object_get(ctr, "image")));
		if (id)
			p->images[p->nimages++] = id;
		json_array_foreach (json_object_get(ctr, "ports"), j, port)
			if (add_port(t, p, port, host_network) < 0)
				return -ENOMEM;
	}
	p->ncontainers = (uint32_t)n;
	return 0;
}

static int parse_node_affinity(struct strtab *t, const json_t *na, struct sched_pod *p)
{
	const json_t *req = json_object_get(na, "requiredDuringSchedulingIgnoredDuringExecution");
	if (req) {
		const json_t *terms = json_object_get(req, "nodeSelectorTerms");
		p->has_aff_terms = true;
		p->aff_terms = calloc(json_array_size(terms) + 1, sizeof(*p->aff_terms));
		if (!p->aff_terms)
			return -ENOMEM;
		size_t i;
		json_t *term;
		json_array_foreach (terms, i, term)
			if (selector_from_node_term(t, term, &p->aff_terms[p->naff_terms++]) < 0)
				return -ENOMEM;
	}
	const json_t *pref = json_object_get(na, "preferredDuringSchedulingIgnoredDuringExecution");
	p->pref = calloc(json_array_size(pref) + 1, sizeof(*p->pref));
	if (!p->pref)
		return -ENOMEM;
	size_t i;
	json_t *x;
	json_array_foreach (pref, i, x) {
		struct pref_term *pt = &p->pref[p->npref++];
		pt->weight = (int32_t)json_integer_value(json_object_get(x, "weight"));
		if (selector_from_node_term(t, json_object_get(x, "preference"), &pt->sel) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* matchLabelKeys / mismatchLabelKeys: the pod's own values folded into the
 * selector (key In (v) / key NotIn (v)); keys the pod lacks are ignored. */
static int fold_label_keys(struct strtab *t, const json_t *keys, const json_t *labels, uint8_t op, struct selector *s)
{
	size_t i;
	json_t *k;
	json_array_foreach (keys, i, k) {
		const char *v = json_string_value(json_object_get(labels, json_string_value(k) ?: ""));
		if (!v)
			continue;
		uint32_t val = strtab_intern(t, v);
		if (selector_add_req(s, strtab_intern(t, json_string_value(k)), op, &val, 1) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* ns_labels: namespace name -> its labels (sched_cache_upsert_namespace), for
 * a term's namespaceSelector. */
static int parse_aterm(struct strtab *t, const json_t *term, const json_t *labels, uint32_t own_ns,
		       const json_t *ns_labels, struct aterm *out)
{
	memset(out, 0, sizeof(*out));
	if (selector_from_label_selector(t, json_object_get(term, "labelSelector"), &out->sel) < 0 ||
	    fold_label_keys(t, json_object_get(term, "matchLabelKeys"), labels, SEL_IN, &out->sel) < 0 ||
	    fold_label_keys(t, json_object_get(term, "mismatchLabelKeys"), labels, SEL_NOTIN, &out->sel) < 0)
		return -ENOMEM;
	out->topo_key = strtab_intern(t, json_string_value(json_object_get(term, "topologyKey")) ?: "");
	const json_t *nss = json_object_get(term, "namespaces");
	const json_t *nssel = json_object_get(term, "namespaceSelector");
	/* namespaceSelector: {} means every namespace; a non-empty one adds the
	 * namespaces whose labels match it now (resolved when the pod is read). */
	out->all_ns = json_is_object(nssel) && !json_object_size(nssel);
	out->ns = calloc(json_array_size(nss) + json_object_size(ns_labels) + 1, sizeof(*out->ns));
	if (!out->ns)
		return -ENOMEM;
	size_t i;
	json_t *ns;
	json_array_foreach (nss, i, ns)
		if (json_is_string(ns))
			out->ns[out->nns++] = strtab_intern(t, json_string_value(ns));
	const char *name;
	json_t *nslabels;
	if (json_object_size(nssel))
		json_object_foreach ((json_t *)ns_labels, name, nslabels)
			if (labels_match_selector(nssel, nslabels))
				out->ns[out->nns++] = strtab_intern(t, name);
	if (!out->nns && !out->all_ns)
		out->ns[out->nns++] = own_ns;
	return 0;
}

static int parse_aterms(struct strtab *t, const json_t *arr, bool weighted, const json_t *labels, uint32_t own_ns,
			const json_t *ns_labels, struct aterm **out, uint32_t *n)
{
	*out = calloc(json_array_size(arr) + 1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	size_t i;
	json_t *x;
	json_array_foreach (arr, i, x) {
		const json_t *term = weighted ? json_object_get(x, "podAffinityTerm") : x;
		if (parse_aterm(t, term, labels, own_ns, ns_labels, &(*out)[*n]) < 0) {
			(*n)++;
			return -ENOMEM;
		}
		(*out)[*n].weight = weighted ? (int32_t)json_integer_value(json_object_get(x, "weight")) : 1;
		(*n)++;
	}
	return 0;
}

static int parse_pod_affinity(struct strtab *t, const json_t *aff, const json_t *labels, const json_t *nsl,
			      struct sched_pod *p)
{
	const json_t *pa = json_object_get(aff, "podAffinity"), *anti = json_object_get(aff, "podAntiAffinity");
	static const char *const req = "requiredDuringSchedulingIgnoredDuringExecution";
	static const char *const pref = "preferredDuringSchedulingIgnoredDuringExecution";
	if (parse_aterms(t, json_object_get(pa, req), false, labels, p->ns_id, nsl, &p->req_aff, &p->nreq_aff) < 0 ||
	    parse_aterms(t, json_object_get(anti, req), false, labels, p->ns_id, nsl, &p->req_anti, &p->nreq_anti) < 0 ||
	    parse_aterms(t, json_object_get(pa, pref), true, labels, p->ns_id, nsl, &p->pref_aff, &p->npref_aff) < 0 ||
	    parse_aterms(t, json_object_get(anti, pref), true, labels, p->ns_id, nsl, &p->pref_anti, &p->npref_anti) < 0)
		return -ENOMEM;
	return 0;
}

static int parse_spreads(struct strtab *t, const json_t *arr, const json_t *labels, struct sched_pod *p)
{
	p->spreads = calloc(json_array_size(arr) + 1, sizeof(*p->spreads));
	if (!p->spreads)
		return -ENOMEM;
	size_t i;
	json_t *x;
	json_array_foreach (arr, i, x) {
		struct spread *s = &p->spreads[p->nspreads++];
		const char *when = json_string_value(json_object_get(x, "whenUnsatisfiable"));
		const char *aff = json_string_value(json_object_get(x, "nodeAffinityPolicy"));
		const char *taints = json_string_value(json_object_get(x, "nodeTaintsPolicy"));
		s->max_skew = (int32_t)json_integer_value(json_object_get(x, "maxSkew"));
		if (s->max_skew < 1)
			s->max_skew = 1;
		s->min_domains = (int32_t)json_integer_value(json_object_get(x, "minDomains"));
		if (s->min_domains < 1)
			s->min_domains = 1;
		s->topo_key = strtab_intern(t, json_string_value(json_object_get(x, "topologyKey")) ?: "");
		s->hard = !when || strcmp(when, "ScheduleAnyway");
		s->honor_affinity = !aff || strcmp(aff, "Ignore");
		s->honor_taints = taints && !strcmp(taints, "Honor");
		if (selector_from_label_selector(t, json_object_get(x, "labelSelector"), &s->sel) < 0 ||
		    fold_label_keys(t, json_object_get(x, "matchLabelKeys"), labels, SEL_IN, &s->sel) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* The claims of spec.volumes: persistentVolumeClaim.claimName, and the
 * <pod>-<volume> claim of a generic ephemeral volume. */
static int parse_claims(const json_t *spec, struct sched_pod *p)
{
	const json_t *vols = json_object_get(spec, "volumes");
	size_t i;
	json_t *v;
	p->claims = calloc(json_array_size(vols) + 1, sizeof(*p->claims));
	if (!p->claims)
		return -ENOMEM;
	json_array_foreach (vols, i, v) {
		const char *claim = json_string_value(json_object_get(json_object_get(v, "persistentVolumeClaim"), "claimName"));
		char buf[600];
		if (!claim && json_is_object(json_object_get(v, "ephemeral"))) {
			snprintf(buf, sizeof(buf), "%s-%s", p->name, json_string_value(json_object_get(v, "name")) ?: "");
			claim = buf;
		}
		if (!claim || !*claim)
			continue;
		if (!(p->claims[p->nclaims] = strdup(claim)))
			return -ENOMEM;
		p->nclaims++;
	}
	return 0;
}

static int parse_pod_spec(struct strtab *t, const json_t *spec, const json_t *labels, const json_t *nsl,
			  struct sched_pod *p)
{
	pod_requests(spec, p);
	p->priority = (int32_t)json_integer_value(json_object_get(spec, "priority"));
	const char *policy = json_string_value(json_object_get(spec, "preemptionPolicy"));
	p->preempt_never = policy && !strcmp(policy, "Never");
	p->want_node = strtab_intern(t, json_string_value(json_object_get(spec, "nodeName")));
	const json_t *ns = json_object_get(spec, "nodeSelector");
	p->has_node_sel = json_object_size(ns) > 0;
	const json_t *aff = json_object_get(spec, "affinity");
	if (selector_from_map(t, ns, &p->node_sel) < 0 ||
	    parse_node_affinity(t, json_object_get(aff, "nodeAffinity"), p) < 0 ||
	    parse_pod_affinity(t, aff, labels, nsl, p) < 0 ||
	    parse_tolerations(t, json_object_get(spec, "tolerations"), p) < 0 || parse_containers(t, spec, p) < 0 ||
	    parse_spreads(t, json_object_get(spec, "topologySpreadConstraints"), labels, p) < 0 ||
	    parse_claims(spec, p) < 0)
		return -ENOMEM;
	return 0;
}

static void lset_release(struct sched_cache *c, struct lset *l)
{
	if (!l || --l->refs)
		return;
	smap_del(&c->lsets, l->key);
	free(l->ls.v);
	free(l->key);
	free(l);
}

/* The shared copy of ls (whose array it takes over), or NULL. */
static struct lset *lset_intern(struct sched_cache *c, struct labelset *ls)
{
	char *key = malloc((size_t)ls->n * 18 + 1), *at = key;
	if (!key) {
		free(ls->v);
		return NULL;
	}
	*at = 0;
	for (uint32_t i = 0; i < ls->n; i++)
		at += sprintf(at, "%x=%x,", ls->v[i].key, ls->v[i].val);
	struct lset *l = smap_get(&c->lsets, key);
	if (l) {
		free(ls->v);
		free(key);
		l->refs++;
		return l;
	}
	l = calloc(1, sizeof(*l));
	if (!l || smap_put(&c->lsets, key, l) < 0) {
		free(l);
		free(ls->v);
		free(key);
		return NULL;
	}
	l->ls = *ls;
	l->key = key;
	l->refs = 1;
	return l;
}

struct sched_pod *sched_pod_parse(struct sched_cache *c, const json_t *pod)
{
	const json_t *meta = json_object_get(pod, "metadata");
	const char *ns = json_string_value(json_object_get(meta, "namespace")) ?: "default";
	const char *name = json_string_value(json_object_get(meta, "name"));
	if (!name || !json_is_object(json_object_get(pod, "spec")))
		return NULL;
	struct sched_pod *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->ns = strdup(ns);
	p->name = strdup(name);
	p->ns_id = strtab_intern(&c->strs, ns);
	const json_t *labels = json_object_get(meta, "labels");
	const char *start =
	    json_path_str(pod, "status.startTime") ?: json_string_value(json_object_get(meta, "creationTimestamp"));
	p->start_time = start ? time_parse_rfc3339(start) : 0;
	p->terminating = json_object_get(meta, "deletionTimestamp") != NULL;
	struct labelset ls;
	if (!p->ns || !p->name || !p->ns_id || labelset_from_json(&c->strs, labels, &ls) < 0 ||
	    !(p->lset = lset_intern(c, &ls)) || parse_pod_spec(&c->strs, json_object_get(pod, "spec"), labels, c->ns_labels, p) < 0) {
		sched_pod_free(c, p);
		return NULL;
	}
	p->labels = &p->lset->ls;
	return p;
}

static void aterms_free(struct aterm *a, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		sched_selector_free(&a[i].sel);
		free(a[i].ns);
	}
	free(a);
}

void sched_pod_free(struct sched_cache *c, struct sched_pod *p)
{
	if (!p)
		return;
	free(p->ns);
	free(p->name);
	lset_release(c, p->lset);
	sched_selector_free(&p->node_sel);
	for (uint32_t i = 0; i < p->naff_terms; i++)
		sched_selector_free(&p->aff_terms[i]);
	free(p->aff_terms);
	for (uint32_t i = 0; i < p->npref; i++)
		sched_selector_free(&p->pref[i].sel);
	free(p->pref);
	free(p->tols);
	free(p->ports);
	aterms_free(p->req_aff, p->nreq_aff);
	aterms_free(p->req_anti, p->nreq_anti);
	aterms_free(p->pref_aff, p->npref_aff);
	aterms_free(p->pref_anti, p->npref_anti);
	for (uint32_t i = 0; i < p->nspreads; i++)
		sched_selector_free(&p->spreads[i].sel);
	free(p->spreads);
	free(p->images);
	for (uint32_t i = 0; i < p->nclaims; i++)
		free(p->claims[i]);
	free(p->claims);
	free(p);
}

bool aterm_ns_match(const struct aterm *t, uint32_t ns)
{
	if (t->all_ns)
		return true;
	for (uint32_t i = 0; i < t->nns; i++)
		if (t->ns[i] == ns)
			return true;
	return false;
}

bool aterm_match(const struct strtab *strs, const struct aterm *t, const struct labelset *labels, uint32_t ns)
{
	return aterm_ns_match(t, ns) && selector_match(strs, &t->sel, labels, 0);
}

bool pod_matches_aterm(const struct strtab *strs, const struct aterm *t, const struct sched_pod *p)
{
	return aterm_match(strs, t, p->labels, p->ns_id);
}

/* ---- nodes ---- */

static void node_clear_info(struct sched_node *n)
{
	free(n->labels.v);
	free(n->taints);
	free(n->images);
	n->labels.v = NULL;
	n->labels.n = 0;
	n->taints = NULL;
	n->images = NULL;
	n->ntaints = n->nimages = 0;
}

static void node_free(struct sched_node *n)
{
	node_clear_info(n);
	free(n->pods);
	free(n->nominated);
	free(n->groups);
	free(n->name);
	free(n);
}

static struct sched_node *node_get_or_add(struct sched_cache *c, const char *name)
{
	struct sched_node *n = smap_get(&c->nodes, name);
	if (n)
		return n;
	n = calloc(1, sizeof(*n));
	if (!n || !(n->name = strdup(name)) || smap_put(&c->nodes, name, n) < 0) {
		if (n)
			free(n->name);
		free(n);
		return NULL;
	}
	n->name_id = strtab_intern(&c->strs, name);
	return n;
}

/* Drops a node struct nobody needs: gone from the API and empty. */
static void node_maybe_release(struct sched_cache *c, struct sched_node *n)
{
	if (n->present || n->npods || n->nnominated)
		return;
	smap_del(&c->nodes, n->name);
	node_free(n);
}

static int ensure_img_cap(struct sched_cache *c, uint32_t id)
{
	if (id < c->capimg)
		return 0;
	uint32_t cap = c->capimg ? c->capimg : 256;
	while (cap <= id)
		cap *= 2;
	uint32_t *v = realloc(c->img_nodes, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	memset(v + c->capimg, 0, (cap - c->capimg) * sizeof(*v));
	c->img_nodes = v;
	c->capimg = cap;
	return 0;
}

static void node_count_images(struct sched_cache *c, const struct sched_node *n, int sign)
{
	for (uint32_t i = 0; i < n->nimages; i++)
		if (ensure_img_cap(c, n->images[i].id) == 0)
			c->img_nodes[n->images[i].id] += (uint32_t)sign;
}

static int node_parse_images(struct sched_cache *c, const json_t *images, struct sched_node *n)
{
	size_t total = 0, i, j;
	json_t *img, *name;
	json_array_foreach (images, i, img)
		total += json_array_size(json_object_get(img, "names"));
	n->images = calloc(total + 1, sizeof(*n->images));
	if (!n->images)
		return -ENOMEM;
	json_array_foreach (images, i, img) {
		int64_t size = json_integer_value(json_object_get(img, "sizeBytes"));
		json_array_foreach (json_object_get(img, "names"), j, name) {
			uint32_t id = image_id(&c->strs, json_string_value(name));
			bool dup = false;
			for (uint32_t k = 0; k < n->nimages && !dup; k++)
				dup = n->images[k].id == id;
			if (id && !dup)
				n->images[n->nimages++] = (struct node_image){id, size};
		}
	}
	return 0;
}

static int node_parse(struct sched_cache *c, const json_t *node, struct sched_node *n)
{
	const json_t *status = json_object_get(node, "status");
	const json_t *alloc = json_object_get(status, "allocatable") ?: json_object_get(status, "capacity");
	n->alloc[RES_CPU] = quantity_of(alloc, "cpu", 3);
	n->alloc[RES_MEM] = quantity_of(alloc, "memory", 0);
	n->alloc[RES_EPH] = quantity_of(alloc, "ephemeral-storage", 0);
	n->alloc[RES_PODS] = quantity_of(alloc, "pods", 0);
	n->unschedulable = json_is_true(json_path(node, "spec.unschedulable"));
	if (labelset_from_json(&c->strs, json_path(node, "metadata.labels"), &n->labels) < 0)
		return -ENOMEM;
	const json_t *taints = json_path(node, "spec.taints");
	n->taints = calloc(json_array_size(taints) + 1, sizeof(*n->taints));
	if (!n->taints)
		return -ENOMEM;
	size_t i;
	json_t *x;
	json_array_foreach (taints, i, x) {
		struct taint *t = &n->taints[n->ntaints++];
		t->key = strtab_intern(&c->strs, json_string_value(json_object_get(x, "key")) ?: "");
		t->value = strtab_intern(&c->strs, json_string_value(json_object_get(x, "value")) ?: "");
		t->effect = effect_of(json_string_value(json_object_get(x, "effect")));
	}
	return node_parse_images(c, json_object_get(status, "images"), n);
}

static void list_add(struct sched_cache *c, struct sched_node *n)
{
	if (c->nlist == c->caplist) {
		uint32_t cap = c->caplist ? c->caplist * 2 : 64;
		struct sched_node **v = realloc(c->list, cap * sizeof(*v));
		if (!v)
			return;
		c->list = v;
		c->caplist = cap;
	}
	n->list_slot = c->nlist;
	c->list[c->nlist++] = n;
}

static void list_remove(struct sched_cache *c, struct sched_node *n)
{
	struct sched_node *last = c->list[--c->nlist];
	c->list[n->list_slot] = last;
	last->list_slot = n->list_slot;
}

void sched_cache_upsert_node(struct sched_cache *c, const json_t *node)
{
	const char *name = json_path_str(node, "metadata.name");
	struct sched_node *n = name ? node_get_or_add(c, name) : NULL;
	if (!n)
		return;
	node_count_images(c, n, -1);
	node_clear_info(n);
	if (node_parse(c, node, n) < 0)
		node_clear_info(n);
	node_count_images(c, n, +1);
	if (!n->present)
		list_add(c, n);
	n->present = true;
}

void sched_cache_remove_node(struct sched_cache *c, const char *name)
{
	struct sched_node *n = smap_get(&c->nodes, name);
	if (!n || !n->present)
		return;
	node_count_images(c, n, -1);
	list_remove(c, n);
	n->present = false;
	node_maybe_release(c, n);
}

/* ---- placing pods ---- */

void node_take_pod(struct sched_node *n, struct sched_pod *p, int sign)
{
	for (int k = 0; k < RES_N; k++)
		n->req[k] += sign * p->req[k];
	n->nonzero[0] += sign * p->nonzero[0];
	n->nonzero[1] += sign * p->nonzero[1];
	n->nports += (uint32_t)(sign * (int)p->nports);
}

static bool has_pod_affinity(const struct sched_pod *p)
{
	return p->nreq_aff || p->nreq_anti || p->npref_aff || p->npref_anti;
}

static int ptr_push(void ***arr, uint32_t *n, uint32_t *cap, void *v)
{
	if (*n == *cap) {
		uint32_t ncap = *cap ? *cap * 2 : 8;
		void **a = realloc(*arr, ncap * sizeof(*a));
		if (!a)
			return -ENOMEM;
		*arr = a;
		*cap = ncap;
	}
	(*arr)[(*n)++] = v;
	return 0;
}

/* Counts p into (sign > 0) or out of its node's label groups. */
static int node_group_pod(struct sched_node *n, const struct sched_pod *p, int sign)
{
	for (uint32_t i = 0; i < n->ngroups; i++) {
		struct ngroup *g = &n->groups[i];
		if (g->labels != p->labels || g->ns_id != p->ns_id)
			continue;
		g->count += (uint32_t)sign;
		if (!g->count)
			*g = n->groups[--n->ngroups];
		return 0;
	}
	if (sign < 0)
		return 0;
	if (n->ngroups == n->capgroups) {
		uint32_t cap = n->capgroups ? n->capgroups * 2 : 4;
		struct ngroup *v = realloc(n->groups, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		n->groups = v;
		n->capgroups = cap;
	}
	n->groups[n->ngroups++] = (struct ngroup){p->labels, p->ns_id, 1};
	return 0;
}

static int place(struct sched_cache *c, struct sched_pod *p, const char *node)
{
	struct sched_node *n = node_get_or_add(c, node);
	if (!n || node_group_pod(n, p, +1) < 0)
		return -ENOMEM;
	if (ptr_push((void ***)&n->pods, &n->npods, &n->cappods, p) < 0) {
		node_group_pod(n, p, -1);
		return -ENOMEM;
	}
	p->slot = n->npods - 1;
	p->node = n;
	node_take_pod(n, p, +1);
	c->placed++;
	if (has_pod_affinity(p) && ptr_push((void ***)&c->aff_pods, &c->naff_pods, &c->capaff_pods, p) == 0) {
		p->aff_slot = c->naff_pods - 1;
		p->in_aff_list = true;
	}
	return 0;
}

static int nominate(struct sched_cache *c, struct sched_pod *p, const char *node)
{
	struct sched_node *n = node_get_or_add(c, node);
	if (!n || ptr_push((void ***)&n->nominated, &n->nnominated, &n->capnominated, p) < 0)
		return -ENOMEM;
	p->nom_slot = n->nnominated - 1;
	p->nominated_on = n;
	return 0;
}

/* Takes a pod off its node and nomination, then frees it. */
static void unplace_and_free(struct sched_cache *c, struct sched_pod *p)
{
	struct sched_node *n = p->node;
	if (n) {
		struct sched_pod *last = n->pods[--n->npods];
		n->pods[p->slot] = last;
		last->slot = p->slot;
		node_take_pod(n, p, -1);
		node_group_pod(n, p, -1);
		c->placed--;
	}
	if (p->in_aff_list) {
		struct sched_pod *last = c->aff_pods[--c->naff_pods];
		c->aff_pods[p->aff_slot] = last;
		last->aff_slot = p->aff_slot;
	}
	struct sched_node *nom = p->nominated_on;
	if (nom) {
		struct sched_pod *last = nom->nominated[--nom->nnominated];
		nom->nominated[p->nom_slot] = last;
		last->nom_slot = p->nom_slot;
	}
	if (n)
		node_maybe_release(c, n);
	if (nom && nom != n)
		node_maybe_release(c, nom);
	sched_pod_free(c, p);
}

static char *pod_key(const char *ns, const char *name, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", ns, name);
	return buf;
}

/* Replaces whatever the cache had for this pod with p placed on node (or
 * nominated there). */
static void store_pod(struct sched_cache *c, struct sched_pod *p, const char *node, const char *nominated, bool assumed)
{
	char key[600];
	pod_key(p->ns, p->name, key, sizeof(key));
	struct sched_pod *old = smap_del(&c->pods, key);
	if (old)
		unplace_and_free(c, old);
	if (!node && !nominated) {
		sched_pod_free(c, p);
		return;
	}
	p->assumed = assumed;
	if ((node ? place(c, p, node) : nominate(c, p, nominated)) < 0 || smap_put(&c->pods, key, p) < 0) {
		unplace_and_free(c, p);
		return;
	}
}

void sched_cache_upsert_pod(struct sched_cache *c, const json_t *pod)
{
	const char *phase = json_path_str(pod, "status.phase");
	const char *ns = json_path_str(pod, "metadata.namespace") ?: "default";
	const char *name = json_path_str(pod, "metadata.name");
	if (!name)
		return;
	if (phase && (!strcmp(phase, "Succeeded") || !strcmp(phase, "Failed"))) {
		sched_cache_remove_pod(c, ns, name);
		return;
	}
	const char *node = json_path_str(pod, "spec.nodeName");
	const char *nominated = json_path_str(pod, "status.nominatedNodeName");
	node = node && *node ? node : NULL;
	nominated = nominated && *nominated ? nominated : NULL;
	char key[600];
	struct sched_pod *old = smap_get(&c->pods, pod_key(ns, name, key, sizeof(key)));
	if (!node && old && old->assumed)
		return; /* the binding is in flight: keep the assumption */
	if (!node && !nominated) {
		sched_cache_remove_pod(c, ns, name); /* pending pods matter to nobody */
		return;
	}
	struct sched_pod *p = sched_pod_parse(c, pod);
	if (p)
		store_pod(c, p, node, nominated, false);
}

void sched_cache_assume_pod(struct sched_cache *c, const json_t *pod, const char *node)
{
	struct sched_pod *p = sched_pod_parse(c, pod);
	if (p)
		store_pod(c, p, node, NULL, true);
}

void sched_cache_forget_pod(struct sched_cache *c, const char *ns, const char *name)
{
	char key[600];
	struct sched_pod *p = smap_get(&c->pods, pod_key(ns, name, key, sizeof(key)));
	if (p && p->assumed)
		sched_cache_remove_pod(c, ns, name);
}

void sched_cache_remove_pod(struct sched_cache *c, const char *ns, const char *name)
{
	char key[600];
	struct sched_pod *p = smap_del(&c->pods, pod_key(ns, name, key, sizeof(key)));
	if (p)
		unplace_and_free(c, p);
}

/* ---- PDBs and owners ---- */

static void pdb_free(struct pdb *d)
{
	if (d) {
		sched_selector_free(&d->sel);
		free(d);
	}
}

void sched_cache_upsert_pdb(struct sched_cache *c, const json_t *pdb)
{
	const char *ns = json_path_str(pdb, "metadata.namespace") ?: "default";
	const char *name = json_path_str(pdb, "metadata.name");
	struct pdb *d = calloc(1, sizeof(*d));
	if (!name || !d) {
		free(d);
		return;
	}
	d->ns_id = strtab_intern(&c->strs, ns);
	d->allowed = (int32_t)json_integer_value(json_path(pdb, "status.disruptionsAllowed"));
	char key[600];
	pod_key(ns, name, key, sizeof(key));
	if (selector_from_label_selector(&c->strs, json_path(pdb, "spec.selector"), &d->sel) < 0) {
		pdb_free(d);
		return;
	}
	pdb_free(smap_del(&c->pdbs, key));
	if (smap_put(&c->pdbs, key, d) < 0)
		pdb_free(d);
}

void sched_cache_remove_pdb(struct sched_cache *c, const char *ns, const char *name)
{
	char key[600];
	pdb_free(smap_del(&c->pdbs, pod_key(ns, name, key, sizeof(key))));
}

static void owner_free(struct owner *o)
{
	if (o) {
		sched_selector_free(&o->sel);
		free(o);
	}
}

void sched_cache_upsert_owner(struct sched_cache *c, const json_t *obj)
{
	const char *kind = json_string_value(json_object_get(obj, "kind"));
	const char *ns = json_path_str(obj, "metadata.namespace") ?: "default";
	const char *name = json_path_str(obj, "metadata.name");
	if (!kind || !name)
		return;
	char key[800];
	snprintf(key, sizeof(key), "%s/%s/%s", kind, ns, name);
	owner_free(smap_del(&c->owners, key));
	const json_t *sel = json_path(obj, "spec.selector");
	bool is_map = !strcmp(kind, "Service") || !strcmp(kind, "ReplicationController");
	if (!json_object_size(sel))
		return; /* selects nothing (or, for a LabelSelector {}, everything: upstream skips
			   it too) */
	struct owner *o = calloc(1, sizeof(*o));
	if (!o)
		return;
	o->ns_id = strtab_intern(&c->strs, ns);
	int r =
	    is_map ? selector_from_map(&c->strs, sel, &o->sel) : selector_from_label_selector(&c->strs, sel, &o->sel);
	if (r < 0 || smap_put(&c->owners, key, o) < 0)
		owner_free(o);
}

void sched_cache_remove_owner(struct sched_cache *c, const char *kind, const char *ns, const char *name)
{
	char key[800];
	snprintf(key, sizeof(key), "%s/%s/%s", kind, ns, name);
	owner_free(smap_del(&c->owners, key));
}

/* ---- volumes ---- */

static void pvc_free(struct pvc *v)
{
	if (v) {
		free(v->volume);
		free(v->class_name);
		free(v);
	}
}

void sched_cache_upsert_pvc(struct sched_cache *c, const json_t *obj)
{
	const char *ns = json_path_str(obj, "metadata.namespace") ?: "default";
	const char *name = json_path_str(obj, "metadata.name");
	const char *volume = json_path_str(obj, "spec.volumeName");
	struct pvc *v = name ? calloc(1, sizeof(*v)) : NULL;
	if (!v)
		return;
	char key[600];
	pod_key(ns, name, key, sizeof(key));
	v->deleting = json_path(obj, "metadata.deletionTimestamp") != NULL;
	const json_t *cls = json_path(obj, "spec.storageClassName");
	const char *beta = json_string_value(
	    json_object_get(json_path(obj, "metadata.annotations"), "volume.beta.kubernetes.io/storage-class"));
	v->class_name = strdup(json_is_string(cls) ? json_string_value(cls) : beta ? beta : "");
	if (!v->class_name || (volume && *volume && !(v->volume = strdup(volume)))) {
		pvc_free(v);
		return;
	}
	pvc_free(smap_del(&c->pvcs, key));
	if (smap_put(&c->pvcs, key, v) < 0)
		pvc_free(v);
}

void sched_cache_remove_pvc(struct sched_cache *c, const char *ns, const char *name)
{
	char key[600];
	pvc_free(smap_del(&c->pvcs, pod_key(ns, name, key, sizeof(key))));
}

static void pv_free(struct pv *v)
{
	if (!v)
		return;
	for (uint32_t i = 0; i < v->nterms; i++)
		sched_selector_free(&v->terms[i]);
	free(v->terms);
	free(v->class_name);
	free(v);
}

void sched_cache_upsert_pv(struct sched_cache *c, const json_t *obj)
{
	const char *name = json_path_str(obj, "metadata.name");
	const json_t *required = json_path(obj, "spec.nodeAffinity.required");
	const json_t *terms = json_object_get(required, "nodeSelectorTerms");
	struct pv *v = name ? calloc(1, sizeof(*v)) : NULL;
	if (!v || !(v->terms = calloc(json_array_size(terms) + 1, sizeof(*v->terms)))) {
		pv_free(v);
		return;
	}
	/* required with no terms matches no node, as upstream */
	v->has_affinity = required != NULL;
	const char *phase = json_path_str(obj, "status.phase") ?: "";
	v->available = !json_is_object(json_path(obj, "spec.claimRef")) && strcmp(phase, "Released") &&
		       strcmp(phase, "Failed") && !json_path(obj, "metadata.deletionTimestamp");
	const char *beta = json_string_value(
	    json_object_get(json_path(obj, "metadata.annotations"), "volume.beta.kubernetes.io/storage-class"));
	v->class_name = strdup(beta ? beta : json_path_str(obj, "spec.storageClassName") ?: "");
	if (!v->class_name) {
		pv_free(v);
		return;
	}
	size_t i;
	json_t *term;
	json_array_foreach (terms, i, term) {
		if (selector_from_node_term(&c->strs, term, &v->terms[v->nterms++]) < 0) {
			pv_free(v);
			return;
		}
	}
	pv_free(smap_del(&c->pvs, name));
	if (smap_put(&c->pvs, name, v) < 0)
		pv_free(v);
}

void sched_cache_remove_pv(struct sched_cache *c, const char *name)
{
	pv_free(smap_del(&c->pvs, name));
}

void sched_cache_upsert_storageclass(struct sched_cache *c, const json_t *obj)
{
	const char *name = json_path_str(obj, "metadata.name");
	struct sclass *v = name ? calloc(1, sizeof(*v)) : NULL;
	if (!v)
		return;
	const char *mode = json_path_str(obj, "volumeBindingMode");
	const char *prov = json_path_str(obj, "provisioner");
	v->wait = mode && !strcmp(mode, "WaitForFirstConsumer");
	v->no_provisioner = prov && !strcmp(prov, "kubernetes.io/no-provisioner");
	free(smap_del(&c->classes, name));
	if (smap_put(&c->classes, name, v) < 0)
		free(v);
}

void sched_cache_remove_storageclass(struct sched_cache *c, const char *name)
{
	free(smap_del(&c->classes, name));
}

/* ---- namespaces (for namespaceSelector) ---- */

void sched_cache_upsert_namespace(struct sched_cache *c, const json_t *ns)
{
	const char *name = json_string_value(json_object_get(json_object_get(ns, "metadata"), "name"));
	json_t *labels = json_object_get(json_object_get(ns, "metadata"), "labels");
	if (name)
		json_object_set_new(c->ns_labels, name, labels ? json_deep_copy(labels) : json_object());
}

void sched_cache_remove_namespace(struct sched_cache *c, const char *name)
{
	json_object_del(c->ns_labels, name);
}

/* ---- the cache ---- */

struct sched_cache *sched_cache_new(void)
{
	struct sched_cache *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	if (!(c->ns_labels = json_object())) {
		free(c);
		return NULL;
	}
	c->key_hostname = strtab_intern(&c->strs, "kubernetes.io/hostname");
	c->key_zone = strtab_intern(&c->strs, "topology.kubernetes.io/zone");
	c->taint_unschedulable = strtab_intern(&c->strs, "node.kubernetes.io/unschedulable");
	if (!c->key_hostname || !c->key_zone || !c->taint_unschedulable) {
		sched_cache_free(c);
		return NULL;
	}
	return c;
}

void sched_cache_free(struct sched_cache *c)
{
	if (!c)
		return;
	for (uint32_t i = 0; i < c->pods.cap; i++)
		if (smap_live(&c->pods, i))
			sched_pod_free(c, c->pods.vals[i]);
	for (uint32_t i = 0; i < c->nodes.cap; i++)
		if (smap_live(&c->nodes, i))
			node_free(c->nodes.vals[i]);
	for (uint32_t i = 0; i < c->pdbs.cap; i++)
		if (smap_live(&c->pdbs, i))
			pdb_free(c->pdbs.vals[i]);
	for (uint32_t i = 0; i < c->owners.cap; i++)
		if (smap_live(&c->owners, i))
			owner_free(c->owners.vals[i]);
	for (uint32_t i = 0; i < c->pvcs.cap; i++)
		if (smap_live(&c->pvcs, i))
			pvc_free(c->pvcs.vals[i]);
	for (uint32_t i = 0; i < c->pvs.cap; i++)
		if (smap_live(&c->pvs, i))
			pv_free(c->pvs.vals[i]);
	for (uint32_t i = 0; i < c->classes.cap; i++)
		if (smap_live(&c->classes, i))
			free(c->classes.vals[i]);
	smap_free(&c->pvcs);
	smap_free(&c->pvs);
	smap_free(&c->classes);
	json_decref(c->ns_labels);
	smap_free(&c->pods);
	smap_free(&c->nodes);
	smap_free(&c->pdbs);
	smap_free(&c->owners);
	for (uint32_t i = 0; i < c->lsets.cap; i++) /* empty unless a pod leaked */
		if (smap_live(&c->lsets, i)) {
			struct lset *l = c->lsets.vals[i];
			free(l->ls.v);
			free(l->key);
			free(l);
		}
	smap_free(&c->lsets);
	free(c->list);
	free(c->aff_pods);
	free(c->img_nodes);
	strtab_free(&c->strs);
	free(c);
}

int sched_cache_node_count(const struct sched_cache *c)
{
	return (int)c->nlist;
}

int sched_cache_pod_count(const struct sched_cache *c)
{
	return c->placed;
}

void sched_cache_set_percentage(struct sched_cache *c, int percent)
{
	c->percent = percent < 0 ? 0 : percent > 100 ? 100 : percent;
}
