/* scheduler/filter.c — kube-scheduler's default filters over the cache, in
 * upstream order (NodeUnschedulable, NodeName, TaintToleration, NodeAffinity,
 * NodePorts, NodeResourcesFit, PodTopologySpread, InterPodAffinity), the
 * per-attempt counts they need (upstream PreFilter), the "0/N nodes are
 * available" message, and sched_schedule_one. Volumes as VolumeBinding
 * does for claims that are already bound: a PV's node affinity must match
 * the node; a missing or terminating claim, or an unbound one of an Immediate
 * class (the binder has not bound it yet), fails the pod before any node is
 * looked at. Unbound claims of WaitForFirstConsumer classes wait for the
 * node: the driver annotates them with the chosen node (selected-node) for
 * the binder and provisioner (controllers/persistentvolume.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/jsonutil.h"
#include "scheduler/sched_internal.h"

/* ---- node-level checks ---- */

bool tolerates(const struct sched_pod *p, const struct taint *t)
{
	for (uint32_t i = 0; i < p->ntols; i++) {
		const struct toleration *to = &p->tols[i];
		if (to->effect != EFFECT_ANY && to->effect != t->effect)
			continue;
		if (to->key && to->key != t->key)
			continue;
		if (to->exists || to->value == t->value)
			return true;
	}
	return false;
}

/* The first taint the pod does not tolerate: NoSchedule/NoExecute, or
 * PreferNoSchedule when prefer. */
const struct taint *untolerated_taint(const struct sched_pod *p, const struct sched_node *n, bool prefer)
{
	for (uint32_t i = 0; i < n->ntaints; i++) {
		const struct taint *t = &n->taints[i];
		bool relevant = prefer ? t->effect == EFFECT_PREFER_NO_SCHEDULE
				       : t->effect == EFFECT_NO_SCHEDULE || t->effect == EFFECT_NO_EXECUTE;
		if (relevant && !tolerates(p, t))
			return t;
	}
	return NULL;
}

bool pod_fits_node_affinity(const struct sched_cache *c, const struct sched_pod *p, const struct sched_node *n)
{
	if (p->has_node_sel && !selector_match(&c->strs, &p->node_sel, &n->labels, n->name_id))
		return false;
	if (!p->has_aff_terms)
		return true;
	for (uint32_t i = 0; i < p->naff_terms; i++)
		if (selector_match(&c->strs, &p->aff_terms[i], &n->labels, n->name_id))
			return true;
	return false;
}

static bool ports_conflict(const struct sched_pod *p, const struct sched_node *n)
{
	if (!p->nports || !n->nports)
		return false;
	for (uint32_t i = 0; i < n->npods; i++) {
		const struct sched_pod *q = n->pods[i];
		if (q->removed)
			continue;
		for (uint32_t a = 0; a < p->nports; a++)
			for (uint32_t b = 0; b < q->nports; b++) {
				const struct hostport *x = &p->ports[a], *y = &q->ports[b];
				if (x->port == y->port && x->proto == y->proto && (!x->ip || !y->ip || x->ip == y->ip))
					return true;
			}
	}
	return false;
}

static void add_reason(struct verdict *v, const char *reason)
{
	if (v->n < 4)
		snprintf(v->reason[v->n++], sizeof(v->reason[0]), "%s", reason);
}

/* Requests on the node plus those of nominated pods that go first. */
static void used_with_nominated(const struct sched_pod *p, const struct sched_node *n, int64_t used[RES_N])
{
	memcpy(used, n->req, sizeof(n->req));
	for (uint32_t i = 0; i < n->nnominated; i++) {
		const struct sched_pod *q = n->nominated[i];
		if (q->priority < p->priority || (!strcmp(q->name, p->name) && !strcmp(q->ns, p->ns)))
			continue;
		for (int k = 0; k < RES_N; k++)
			used[k] += q->req[k];
	}
}

static bool fits_resources(const struct sched_pod *p, const struct sched_node *n, struct verdict *v)
{
	static const char *const names[] = {"Insufficient cpu", "Insufficient memory",
					    "Insufficient ephemeral-storage"};
	int64_t used[RES_N];
	used_with_nominated(p, n, used);
	int before = v->n;
	if (used[RES_PODS] + 1 > n->alloc[RES_PODS])
		add_reason(v, "Too many pods");
	for (int k = RES_CPU; k <= RES_EPH; k++)
		if (p->req[k] > 0 && p->req[k] > n->alloc[k] - used[k])
			add_reason(v, names[k]);
	return v->n == before;
}

/* ---- topology spread ---- */

static bool node_has_keys(const struct sched_node *n, const struct spread *s, uint32_t ns, bool hard)
{
	for (uint32_t i = 0; i < ns; i++)
		if (s[i].hard == hard && !labelset_get(&n->labels, s[i].topo_key))
			return false;
	return true;
}

static bool spread_counts_node(const struct cycle *cy, uint32_t i, const struct sched_node *n)
{
	const struct spread *s = &cy->spreads[i];
	if (!labelset_get(&n->labels, s->topo_key))
		return false;
	if (!cy->spreads_default && !node_has_keys(n, cy->spreads, cy->nspreads, s->hard))
		return false;
	if (s->honor_affinity && !pod_fits_node_affinity(cy->c, cy->p, n))
		return false;
	return !s->honor_taints || !untolerated_taint(cy->p, n, false);
}

static void spread_recompute_min(struct spread_state *st, const struct spread *s)
{
	st->min = INT64_MAX;
	for (uint32_t d = 0; d < st->ndomains; d++)
		if (st->counts[st->domains[d]] < st->min)
			st->min = st->counts[st->domains[d]];
	if (st->ndomains < (uint32_t)s->min_domains || st->min == INT64_MAX)
		st->min = 0;
}

static int spread_init(struct cycle *cy)
{
	cy->ss = calloc(cy->nspreads, sizeof(*cy->ss));
	if (!cy->ss)
		return -ENOMEM;
	for (uint32_t i = 0; i < cy->nspreads; i++) {
		struct spread_state *st = &cy->ss[i];
		st->counts = malloc(cy->nvals * sizeof(*st->counts));
		st->domains = malloc(cy->nvals * sizeof(*st->domains));
		st->eligible = calloc(cy->c->nlist + 1, 1);
		if (!st->counts || !st->domains || !st->eligible)
			return -ENOMEM;
		memset(st->counts, 0xff, cy->nvals * sizeof(*st->counts));
		st->self = selector_match(&cy->c->strs, &cy->spreads[i].sel, cy->p->labels, 0);
		for (uint32_t j = 0; j < cy->c->nlist; j++) {
			const struct sched_node *n = cy->c->list[j];
			if (!spread_counts_node(cy, i, n))
				continue;
			uint32_t v = labelset_get(&n->labels, cy->spreads[i].topo_key);
			st->eligible[j] = 1;
			st->nnodes++;
			if (st->counts[v] < 0) {
				st->counts[v] = 0;
				st->domains[st->ndomains++] = v;
			}
		}
	}
	return 0;
}

/* Pods with these labels in namespace ns, count of them, on node n. */
static void spread_account(struct cycle *cy, const struct labelset *labels, uint32_t ns, const struct sched_node *n,
			   int delta)
{
	if (ns != cy->p->ns_id)
		return;
	for (uint32_t i = 0; i < cy->nspreads; i++) {
		if (!cy->ss[i].eligible[n->list_slot])
			continue;
		uint32_t v = labelset_get(&n->labels, cy->spreads[i].topo_key);
		if (selector_match(&cy->c->strs, &cy->spreads[i].sel, labels, 0))
			cy->ss[i].counts[v] += delta;
	}
}

/* Default spreading: when the pod has no constraints of its own but
 * Services/ReplicaSets/StatefulSets/RCs select it, spread softly by
 * hostname (maxSkew 3) and zone (maxSkew 5) over their merged selector. */
static int default_spreads(struct cycle *cy)
{
	struct sched_cache *c = cy->c;
	struct selector merged = {0};
	bool any = false;
	for (uint32_t i = 0; i < c->owners.cap; i++) {
		if (!smap_live(&c->owners, i))
			continue;
		const struct owner *o = c->owners.vals[i];
		if (o->ns_id != cy->p->ns_id || !selector_match(&c->strs, &o->sel, cy->p->labels, 0))
			continue;
		if (selector_and(&merged, &o->sel) < 0) {
			sched_selector_free(&merged);
			return -ENOMEM;
		}
		any = true;
	}
	if (!any)
		return 0;
	cy->spreads = calloc(2, sizeof(*cy->spreads));
	if (!cy->spreads || selector_and(&cy->spreads[1].sel, &merged) < 0) {
		sched_selector_free(&merged);
		return -ENOMEM;
	}
	cy->spreads[0] = (struct spread){
	    .max_skew = 3, .min_domains = 1, .topo_key = c->key_hostname, .honor_affinity = true, .sel = merged};
	cy->spreads[1].max_skew = 5;
	cy->spreads[1].min_domains = 1;
	cy->spreads[1].topo_key = c->key_zone;
	cy->spreads[1].honor_affinity = true;
	cy->nspreads = 2;
	cy->spreads_default = true;
	return 0;
}

static void spread_filter(const struct cycle *cy, const struct sched_node *n, struct verdict *v)
{
	for (uint32_t i = 0; i < cy->nspreads; i++) {
		const struct spread *s = &cy->spreads[i];
		if (!s->hard)
			continue;
		uint32_t val = labelset_get(&n->labels, s->topo_key);
		if (!val) {
			add_reason(v, "node(s) didn't match pod topology spread constraints "
				      "(missing required label)");
			v->unresolvable = true;
			return;
		}
		int64_t cnt = val < cy->nvals && cy->ss[i].counts[val] > 0 ? cy->ss[i].counts[val] : 0;
		if (cnt + cy->ss[i].self - cy->ss[i].min > s->max_skew) {
			add_reason(v, "node(s) didn't match pod topology spread constraints");
			return;
		}
	}
}

/* ---- inter-pod affinity ---- */

static bool matches_all_terms(const struct strtab *t, const struct aterm *terms, uint32_t n,
			      const struct labelset *labels, uint32_t ns)
{
	for (uint32_t i = 0; i < n; i++)
		if (!aterm_match(t, &terms[i], labels, ns))
			return false;
	return n > 0;
}

/* The incoming pod's required terms against existing pods (by labels). */
static void affinity_account(struct cycle *cy, const struct labelset *labels, uint32_t ns, const struct sched_node *n,
			     int delta)
{
	const struct sched_pod *p = cy->p;
	const struct strtab *t = &cy->c->strs;
	if (p->nreq_aff && matches_all_terms(t, p->req_aff, p->nreq_aff, labels, ns)) {
		for (uint32_t i = 0; i < p->nreq_aff; i++) {
			uint32_t v = labelset_get(&n->labels, p->req_aff[i].topo_key);
			if (v)
				pairmap_add(&cy->aff, pair_key(p->req_aff[i].topo_key, v), delta);
		}
	}
	for (uint32_t i = 0; i < p->nreq_anti; i++) {
		uint32_t v = labelset_get(&n->labels, p->req_anti[i].topo_key);
		if (v && aterm_match(t, &p->req_anti[i], labels, ns))
			pairmap_add(&cy->anti, pair_key(p->req_anti[i].topo_key, v), delta);
	}
}

/* Symmetry: an existing pod q's required anti-affinity against the incoming pod. */
static void existing_anti_account(struct cycle *cy, const struct sched_pod *q, const struct sched_node *n, int sign)
{
	for (uint32_t i = 0; i < q->nreq_anti; i++) {
		uint32_t v = labelset_get(&n->labels, q->req_anti[i].topo_key);
		if (v && pod_matches_aterm(&cy->c->strs, &q->req_anti[i], cy->p))
			pairmap_add(&cy->existing_anti, pair_key(q->req_anti[i].topo_key, v), sign);
	}
}

static bool pairs_hit(const struct pairmap *m, const struct sched_node *n)
{
	if (!m->n)
		return false;
	for (uint32_t i = 0; i < n->labels.n; i++)
		if (pairmap_get(m, pair_key(n->labels.v[i].key, n->labels.v[i].val)) > 0)
			return true;
	return false;
}

static void affinity_filter(const struct cycle *cy, const struct sched_node *n, struct verdict *v)
{
	const struct sched_pod *p = cy->p;
	if (p->nreq_aff) {
		bool ok = true;
		if (cy->aff_any || !cy->aff_self) { /* the first pod of a self-affine group may go anywhere */
			for (uint32_t i = 0; i < p->nreq_aff && ok; i++) {
				uint32_t val = labelset_get(&n->labels, p->req_aff[i].topo_key);
				ok = val && pairmap_get(&cy->aff, pair_key(p->req_aff[i].topo_key, val)) > 0;
			}
		}
		if (!ok) {
			add_reason(v, "node(s) didn't match pod affinity rules");
			v->unresolvable = true;
			return;
		}
	}
	for (uint32_t i = 0; i < p->nreq_anti; i++) {
		uint32_t val = labelset_get(&n->labels, p->req_anti[i].topo_key);
		if (val && pairmap_get(&cy->anti, pair_key(p->req_anti[i].topo_key, val)) > 0) {
			add_reason(v, "node(s) didn't match pod anti-affinity rules");
			return;
		}
	}
	if (pairs_hit(&cy->existing_anti, n))
		add_reason(v, "node(s) didn't satisfy existing pods anti-affinity rules");
}

/* ---- volumes ---- */

/* upstream VolumeBinding PreFilter: every claim must exist, not be
 * terminating and be bound; the bound PVs are kept for the filter. */
static int volumes_prefilter(struct cycle *cy)
{
	const struct sched_pod *p = cy->p;
	if (!p->nclaims)
		return 0;
	cy->pvs = calloc(p->nclaims, sizeof(*cy->pvs));
	if (!cy->pvs)
		return -ENOMEM;
	bool unbound = false;
	for (uint32_t i = 0; i < p->nclaims; i++) {
		char key[600];
		snprintf(key, sizeof(key), "%s/%s", p->ns, p->claims[i]);
		const struct pvc *claim = smap_get(&cy->c->pvcs, key);
		if (!claim || claim->deleting) {
			snprintf(cy->prefilter, sizeof(cy->prefilter), "persistentvolumeclaim \"%s\" %s", p->claims[i],
				 claim ? "is being deleted" : "not found");
			return 0;
		}
		if (!claim->volume) {
			const struct sclass *sc =
			    claim->class_name[0] ? smap_get(&cy->c->classes, claim->class_name) : NULL;
			if (claim->class_name[0] && !sc) {
				snprintf(cy->prefilter, sizeof(cy->prefilter),
					 "storageclass.storage.k8s.io \"%s\" not found", claim->class_name);
				return 0;
			}
			if (!sc || !sc->wait)
				unbound = true;
			else if (sc->no_provisioner && !cy->static_classes &&
				 !(cy->static_classes = calloc(p->nclaims, sizeof(*cy->static_classes))))
				return -ENOMEM;
			else if (sc->no_provisioner)
				cy->static_classes[cy->nstatic++] = claim->class_name;
			continue;
		}
		cy->pvs[cy->npvs++] = smap_get(&cy->c->pvs, claim->volume);
	}
	if (unbound)
		snprintf(cy->prefilter, sizeof(cy->prefilter), "pod has unbound immediate PersistentVolumeClaims");
	return 0;
}

static bool pv_fits_node(const struct sched_cache *c, const struct pv *pv, const struct sched_node *n)
{
	if (!pv->has_affinity)
		return true;
	for (uint32_t i = 0; i < pv->nterms; i++)
		if (selector_match(&c->strs, &pv->terms[i], &n->labels, n->name_id))
			return true;
	return false;
}

/* An available static volume of the class that the node can reach (the
 * binder picks which one once the node is chosen). */
static bool static_volume_on(const struct sched_cache *c, const char *cls, const struct sched_node *n)
{
	for (uint32_t i = 0; i < c->pvs.cap; i++) {
		if (!smap_live(&c->pvs, i))
			continue;
		const struct pv *pv = c->pvs.vals[i];
		if (pv->available && !strcmp(pv->class_name, cls) && pv_fits_node(c, pv, n))
			return true;
	}
	return false;
}

/* upstream VolumeBinding Filter: bound claims' volumes must reach the node;
 * unbound WaitForFirstConsumer claims without a provisioner need a volume
 * there to bind to. */
static void volumes_filter(const struct cycle *cy, const struct sched_node *n, struct verdict *v)
{
	bool missing = false, conflict = false;
	for (uint32_t i = 0; i < cy->nstatic; i++)
		if (!static_volume_on(cy->c, cy->static_classes[i], n)) {
			add_reason(v, "node(s) didn't find available persistent volumes to bind");
			v->unresolvable = true;
			return;
		}
	for (uint32_t i = 0; i < cy->npvs; i++) {
		if (!cy->pvs[i])
			missing = true;
		else if (!pv_fits_node(cy->c, cy->pvs[i], n))
			conflict = true;
	}
	if (missing)
		add_reason(v, "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)");
	else if (conflict)
		add_reason(v, "node(s) had volume node affinity conflict");
	if (missing || conflict)
		v->unresolvable = true;
}

/* ---- the cycle ---- */

static void account_labels(struct cycle *cy, const struct labelset *labels, uint32_t ns, const struct sched_node *n,
			   int delta)
{
	if (cy->nspreads)
		spread_account(cy, labels, ns, n, delta);
	if (cy->p->nreq_aff || cy->p->nreq_anti)
		affinity_account(cy, labels, ns, n, delta);
}

void cycle_account(struct cycle *cy, const struct sched_pod *q, const struct sched_node *n, int sign)
{
	if (!n->present)
		return;
	account_labels(cy, q->labels, q->ns_id, n, sign);
	existing_anti_account(cy, q, n, sign);
}

void cycle_finish(struct cycle *cy)
{
	for (uint32_t i = 0; i < cy->nspreads; i++)
		spread_recompute_min(&cy->ss[i], &cy->spreads[i]);
	cy->aff_any = false;
	for (uint32_t i = 0; i < cy->aff.cap && !cy->aff_any; i++)
		cy->aff_any = cy->aff.keys[i] && cy->aff.vals[i] > 0;
}

int cycle_init(struct cycle *cy, struct sched_cache *c, struct sched_pod *p)
{
	memset(cy, 0, sizeof(*cy));
	cy->c = c;
	cy->p = p;
	cy->nvals = c->strs.n;
	cy->spreads = p->spreads;
	cy->nspreads = p->nspreads;
	if (!p->nspreads && default_spreads(cy) < 0)
		return -ENOMEM;
	if (cy->nspreads && spread_init(cy) < 0)
		return -ENOMEM;
	if (volumes_prefilter(cy) < 0)
		return -ENOMEM;
	cy->aff_self = matches_all_terms(&c->strs, p->req_aff, p->nreq_aff, p->labels, p->ns_id);
	if (cy->nspreads || p->nreq_aff || p->nreq_anti) {
		/* every placed pod, a label group at a time */
		for (uint32_t j = 0; j < c->nlist; j++) {
			const struct sched_node *n = c->list[j];
			for (uint32_t k = 0; k < n->ngroups; k++)
				account_labels(cy, n->groups[k].labels, n->groups[k].ns_id, n, (int)n->groups[k].count);
		}
	}
	for (uint32_t j = 0; j < c->naff_pods; j++) {
		const struct sched_pod *q = c->aff_pods[j];
		if (q->node && q->node->present)
			existing_anti_account(cy, q, q->node, +1);
	}
	cycle_finish(cy);
	return 0;
}

void cycle_free(struct cycle *cy)
{
	for (uint32_t i = 0; cy->ss && i < cy->nspreads; i++) {
		free(cy->ss[i].counts);
		free(cy->ss[i].domains);
		free(cy->ss[i].eligible);
	}
	free(cy->ss);
	if (cy->spreads_default) {
		for (uint32_t i = 0; i < cy->nspreads; i++)
			sched_selector_free(&cy->spreads[i].sel);
		free(cy->spreads);
	}
	pairmap_free(&cy->aff);
	pairmap_free(&cy->anti);
	pairmap_free(&cy->existing_anti);
	free(cy->pvs);
	free(cy->static_classes);
	memset(cy, 0, sizeof(*cy));
}

bool filter_node(const struct cycle *cy, const struct sched_node *n, struct verdict *v)
{
	const struct sched_cache *c = cy->c;
	const struct sched_pod *p = cy->p;
	v->n = 0;
	v->unresolvable = true;
	if (cy->prefilter[0]) {
		add_reason(v, cy->prefilter);
		return false;
	}
	if (n->unschedulable) {
		struct taint t = {c->taint_unschedulable, 0, EFFECT_NO_SCHEDULE};
		if (!tolerates(p, &t)) {
			add_reason(v, "node(s) were unschedulable");
			return false;
		}
	}
	if (p->want_node && p->want_node != n->name_id) {
		add_reason(v, "node(s) didn't match the requested node name");
		return false;
	}
	const struct taint *t = untolerated_taint(p, n, false);
	if (t) {
		char buf[160];
		snprintf(buf, sizeof(buf), "node(s) had untolerated taint {%s: %s}", strtab_str(&c->strs, t->key),
			 strtab_str(&c->strs, t->value));
		add_reason(v, buf);
		return false;
	}
	if (!pod_fits_node_affinity(c, p, n)) {
		add_reason(v, "node(s) didn't match Pod's node affinity/selector");
		return false;
	}
	v->unresolvable = false;
	if (ports_conflict(p, n)) {
		add_reason(v, "node(s) didn't have free ports for the requested pod ports");
		return false;
	}
	if (!fits_resources(p, n, v))
		return false;
	if (cy->npvs || cy->nstatic) {
		volumes_filter(cy, n, v);
		if (v->n)
			return false;
	}
	if (cy->nspreads && !cy->spreads_default) {
		spread_filter(cy, n, v);
		if (v->n)
			return false;
	}
	affinity_filter(cy, n, v);
	return v->n == 0;
}

/* ---- messages ---- */

void histogram_add(struct histogram *h, const char *reason)
{
	for (int i = 0; i < h->n; i++)
		if (!strcmp(h->e[i].reason, reason)) {
			h->e[i].count++;
			return;
		}
	if (h->n < (int)(sizeof(h->e) / sizeof(h->e[0]))) {
		snprintf(h->e[h->n].reason, sizeof(h->e[0].reason), "%s", reason);
		h->e[h->n++].count = 1;
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "<prefix>0/N nodes are available: 1 reason, 2 reason." with the entries
 * sorted as strings, like upstream's FitError. */
void histogram_format(const struct histogram *h, int total, const char *prefix, char *out, size_t size)
{
	char items[24][192];
	char *sorted[24] = {0};
	for (int i = 0; i < h->n; i++) {
		snprintf(items[i], sizeof(items[i]), "%d %s", h->e[i].count, h->e[i].reason);
		sorted[i] = items[i];
	}
	qsort(sorted, (size_t)h->n, sizeof(sorted[0]), cmp_str);
	size_t len = (size_t)snprintf(out, size, "%s0/%d nodes are available:", prefix, total);
	for (int i = 0; i < h->n && len < size; i++)
		len += (size_t)snprintf(out + len, size - len, "%s %s", i ? "," : "", sorted[i]);
	if (len < size)
		snprintf(out + len, size - len, ".");
}

/* ---- scheduling one pod ---- */

/* percentageOfNodesToScore, upstream numFeasibleNodesToFind. */
static uint32_t nodes_to_find(const struct sched_cache *c, uint32_t all)
{
	if (all < 100 || c->percent >= 100)
		return all;
	int64_t pct = c->percent ? c->percent : 50 - (int64_t)all / 125;
	if (pct < 5)
		pct = 5;
	uint32_t n = (uint32_t)(all * pct / 100);
	return n < 100 ? 100 : n;
}

static struct sched_node *pick_best(struct cycle *cy, struct sched_node **feasible, uint32_t nf, int *err)
{
	if (nf == 1)
		return feasible[0];
	int64_t *total = calloc(nf, sizeof(*total));
	if (!total || score_nodes(cy, feasible, nf, total) < 0) {
		free(total);
		*err = -ENOMEM;
		return NULL;
	}
	uint32_t best = 0;
	for (uint32_t i = 1; i < nf; i++)
		if (total[i] > total[best])
			best = i;
	free(total);
	return feasible[best];
}

/* A pod that preempted earlier goes to its nominated node if it fits. */
static struct sched_node *try_nominated(struct cycle *cy, const json_t *pod)
{
	const char *nom = json_path_str(pod, "status.nominatedNodeName");
	struct sched_node *n = nom ? smap_get(&cy->c->nodes, nom) : NULL;
	struct verdict v;
	return n && n->present && filter_node(cy, n, &v) ? n : NULL;
}

static int schedule(struct cycle *cy, const json_t *pod, struct sched_result *out)
{
	struct sched_cache *c = cy->c;
	uint32_t all = c->nlist;
	if (!all) {
		snprintf(out->message, sizeof(out->message), "no nodes available to schedule pods");
		return -ENOSPC;
	}
	if (cy->prefilter[0]) { /* upstream: the PreFilter's message, no per-node counts */
		snprintf(out->message, sizeof(out->message), "0/%u nodes are available: %s.", all, cy->prefilter);
		return -ENOSPC;
	}
	struct sched_node *chosen = try_nominated(cy, pod);
	if (chosen) {
		snprintf(out->node, sizeof(out->node), "%s", chosen->name);
		out->feasible = out->evaluated = 1;
		return 0;
	}
	struct sched_node **feasible = malloc(all * sizeof(*feasible));
	struct histogram *h = calloc(1, sizeof(*h));
	if (!feasible || !h) {
		free(feasible);
		free(h);
		return -ENOMEM;
	}
	uint32_t want = nodes_to_find(c, all), nf = 0, seen = 0, start = c->next_start % all;
	struct verdict v;
	for (; seen < all && nf < want; seen++) {
		struct sched_node *n = c->list[(start + seen) % all];
		if (filter_node(cy, n, &v)) {
			feasible[nf++] = n;
			continue;
		}
		for (int i = 0; i < v.n; i++)
			histogram_add(h, v.reason[i]);
	}
	c->next_start = (start + seen) % all;
	out->feasible = (int)nf;
	out->evaluated = (int)seen;
	int err = 0;
	if (!nf) {
		histogram_format(h, (int)all, "", out->message, sizeof(out->message));
		err = -ENOSPC;
	} else if ((chosen = pick_best(cy, feasible, nf, &err)) != NULL) {
		snprintf(out->node, sizeof(out->node), "%s", chosen->name);
	}
	free(feasible);
	free(h);
	return err;
}

int sched_schedule_one(struct sched_cache *c, const json_t *pod, struct sched_result *out)
{
	memset(out, 0, sizeof(*out));
	struct sched_pod *p = sched_pod_parse(c, pod);
	if (!p) {
		snprintf(out->message, sizeof(out->message), "pod has no metadata.name or spec");
		return -EINVAL;
	}
	struct cycle cy;
	int r = cycle_init(&cy, c, p);
	if (r == 0)
		r = schedule(&cy, pod, out);
	cycle_free(&cy);
	sched_pod_free(c, p);
	return r;
}
