/* scheduler/score.c — kube-scheduler's default score plugins over the
 * feasible nodes, each normalized to 0..100 and weighted like the default
 * profile: TaintToleration 3, NodeAffinity 2, NodeResourcesFit (least
 * allocated) 1, NodeResourcesBalancedAllocation 1, ImageLocality 1,
 * InterPodAffinity 2, PodTopologySpread 2. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "scheduler/sched_internal.h"

enum {
	W_TAINT = 3,
	W_NODE_AFFINITY = 2,
	W_FIT = 1,
	W_BALANCED = 1,
	W_IMAGE = 1,
	W_INTERPOD = 2,
	W_SPREAD = 2,
};

#define MB (1024LL * 1024)
#define IMAGE_MIN_THRESHOLD (23 * MB)
#define IMAGE_MAX_THRESHOLD (1000 * MB) /* per container */

/* upstream DefaultNormalizeScore: scale to 0..100 by the maximum. */
static void normalize_by_max(int64_t *s, uint32_t n, bool reverse)
{
	int64_t max = 0;
	for (uint32_t i = 0; i < n; i++)
		if (s[i] > max)
			max = s[i];
	for (uint32_t i = 0; i < n; i++) {
		int64_t v = max ? MAX_NODE_SCORE * s[i] / max : 0;
		s[i] = reverse ? MAX_NODE_SCORE - v : v;
	}
}

static void taint_scores(const struct cycle *cy, struct sched_node **nodes, uint32_t n, int64_t *s)
{
	for (uint32_t i = 0; i < n; i++) {
		s[i] = 0;
		for (uint32_t t = 0; t < nodes[i]->ntaints; t++)
			if (nodes[i]->taints[t].effect == EFFECT_PREFER_NO_SCHEDULE &&
			    !tolerates(cy->p, &nodes[i]->taints[t]))
				s[i]++;
	}
	normalize_by_max(s, n, true);
}

static void node_affinity_scores(const struct cycle *cy, struct sched_node **nodes, uint32_t n, int64_t *s)
{
	const struct sched_pod *p = cy->p;
	for (uint32_t i = 0; i < n; i++) {
		s[i] = 0;
		for (uint32_t t = 0; t < p->npref; t++)
			if (selector_match(&cy->c->strs, &p->pref[t].sel, &nodes[i]->labels, nodes[i]->name_id))
				s[i] += p->pref[t].weight;
	}
	normalize_by_max(s, n, false);
}

static void fraction(const struct sched_pod *p, const struct sched_node *nd, int r, int64_t *req, int64_t *alloc)
{
	*req = nd->nonzero[r] + p->nonzero[r];
	*alloc = nd->alloc[r == 0 ? RES_CPU : RES_MEM];
}

static void fit_scores(const struct cycle *cy, struct sched_node **nodes, uint32_t n, int64_t *s)
{
	for (uint32_t i = 0; i < n; i++) {
		int64_t sum = 0;
		for (int r = 0; r < 2; r++) {
			int64_t req, alloc;
			fraction(cy->p, nodes[i], r, &req, &alloc);
			if (alloc > 0 && req <= alloc)
				sum += (alloc - req) * MAX_NODE_SCORE / alloc;
		}
		s[i] = sum / 2;
	}
}

static void balanced_scores(const struct cycle *cy, struct sched_node **nodes, uint32_t n, int64_t *s)
{
	for (uint32_t i = 0; i < n; i++) {
		double f[2];
		for (int r = 0; r < 2; r++) {
			int64_t req, alloc;
			fraction(cy->p, nodes[i], r, &req, &alloc);
			f[r] = alloc > 0 ? (double)req / (double)alloc : 1.0;
			if (f[r] > 1)
				f[r] = 1;
		}
		double std = fabs(f[0] - f[1]) / 2;
		s[i] = (int64_t)((1 - std) * MAX_NODE_SCORE);
	}
}

static void image_scores(const struct cycle *cy, struct sched_node **nodes, uint32_t n, int64_t *s)
{
	const struct sched_cache *c = cy->c;
	const struct sched_pod *p = cy->p;
	int64_t max = IMAGE_MAX_THRESHOLD * (p->ncontainers ? p->ncontainers : 1);
	for (uint32_t i = 0; i < n; i++) {
		double sum = 0;
		for (uint32_t k = 0; k < p->nimages; k++)
			for (uint32_t m = 0; m < nodes[i]->nimages; m++)
				if (nodes[i]->images[m].id == p->images[k]) {
					uint32_t spread = p->images[k] < c->capimg ? c->img_nodes[p->images[k]] : 0;
					sum += (double)nodes[i]->images[m].size * spread / (c->nlist ? c->nlist : 1);
					break;
				}
		int64_t v = (int64_t)sum;
		v = v < IMAGE_MIN_THRESHOLD ? IMAGE_MIN_THRESHOLD : v > max ? max : v;
		s[i] = MAX_NODE_SCORE * (v - IMAGE_MIN_THRESHOLD) / (max - IMAGE_MIN_THRESHOLD);
	}
}

/* ---- inter-pod affinity ---- */

/* Adds sign * weight of each term matching (labels, ns), for pods on where. */
static int add_terms(const struct cycle *cy, struct pairmap *m, const struct aterm *terms, uint32_t nterms,
		     const struct labelset *labels, uint32_t ns, const struct sched_node *where, int64_t sign)
{
	for (uint32_t t = 0; t < nterms; t++) {
		uint32_t v = labelset_get(&where->labels, terms[t].topo_key);
		if (v && aterm_match(&cy->c->strs, &terms[t], labels, ns) &&
		    pairmap_add(m, pair_key(terms[t].topo_key, v), sign * terms[t].weight) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* An existing pod q's terms about the incoming pod (symmetry); its
 * required affinity counts with hardPodAffinityWeight 1. */
static int add_existing(const struct cycle *cy, struct pairmap *m, const struct sched_pod *q)
{
	const struct labelset *pl = cy->p->labels;
	uint32_t pns = cy->p->ns_id;
	if (add_terms(cy, m, q->pref_aff, q->npref_aff, pl, pns, q->node, +1) < 0 ||
	    add_terms(cy, m, q->pref_anti, q->npref_anti, pl, pns, q->node, -1) < 0 ||
	    add_terms(cy, m, q->req_aff, q->nreq_aff, pl, pns, q->node, +1) < 0)
		return -ENOMEM;
	return 0;
}

/* The incoming pod's preferred terms against every placed pod, a label
 * group at a time. */
static int add_incoming(const struct cycle *cy, struct pairmap *m)
{
	const struct sched_cache *c = cy->c;
	const struct sched_pod *p = cy->p;
	for (uint32_t j = 0; j < c->nlist; j++) {
		const struct sched_node *nd = c->list[j];
		for (uint32_t k = 0; k < nd->ngroups; k++) {
			const struct ngroup *g = &nd->groups[k];
			if (add_terms(cy, m, p->pref_aff, p->npref_aff, g->labels, g->ns_id, nd, g->count) < 0 ||
			    add_terms(cy, m, p->pref_anti, p->npref_anti, g->labels, g->ns_id, nd, -(int64_t)g->count) <
				0)
				return -ENOMEM;
		}
	}
	return 0;
}

static int interpod_scores(const struct cycle *cy, struct sched_node **nodes, uint32_t n, int64_t *s)
{
	const struct sched_cache *c = cy->c;
	struct pairmap m = {0};
	int r = cy->p->npref_aff || cy->p->npref_anti ? add_incoming(cy, &m) : 0;
	for (uint32_t j = 0; j < c->naff_pods && r == 0; j++)
		if (c->aff_pods[j]->node && c->aff_pods[j]->node->present)
			r = add_existing(cy, &m, c->aff_pods[j]);
	int64_t min = INT64_MAX, max = INT64_MIN;
	for (uint32_t i = 0; i < n; i++) {
		s[i] = 0;
		for (uint32_t l = 0; m.n && l < nodes[i]->labels.n; l++)
			s[i] += pairmap_get(&m, pair_key(nodes[i]->labels.v[l].key, nodes[i]->labels.v[l].val));
		min = s[i] < min ? s[i] : min;
		max = s[i] > max ? s[i] : max;
	}
	for (uint32_t i = 0; i < n; i++)
		s[i] = max > min ? (int64_t)(MAX_NODE_SCORE * ((double)(s[i] - min) / (double)(max - min))) : 0;
	pairmap_free(&m);
	return r;
}

/* ---- topology spread (ScheduleAnyway and the system defaults) ---- */

static bool soft_keys_present(const struct cycle *cy, const struct sched_node *nd)
{
	if (cy->spreads_default)
		return true;
	for (uint32_t i = 0; i < cy->nspreads; i++)
		if (!cy->spreads[i].hard && !labelset_get(&nd->labels, cy->spreads[i].topo_key))
			return false;
	return true;
}

static bool spread_scores(const struct cycle *cy, struct sched_node **nodes, uint32_t n, int64_t *s)
{
	bool any = false;
	double weight[64];
	for (uint32_t i = 0; i < cy->nspreads && i < 64; i++) {
		uint32_t size = cy->spreads[i].topo_key == cy->c->key_hostname ? n : cy->ss[i].ndomains;
		weight[i] = log((double)size + 2);
		any |= !cy->spreads[i].hard;
	}
	if (!any)
		return false;
	int64_t min = INT64_MAX, max = 0;
	for (uint32_t j = 0; j < n; j++) {
		if (!soft_keys_present(cy, nodes[j])) {
			s[j] = -1;
			continue;
		}
		double score = 0;
		for (uint32_t i = 0; i < cy->nspreads && i < 64; i++) {
			const struct spread *sp = &cy->spreads[i];
			uint32_t v = labelset_get(&nodes[j]->labels, sp->topo_key);
			if (sp->hard || !v)
				continue;
			int64_t cnt = v < cy->nvals && cy->ss[i].counts[v] > 0 ? cy->ss[i].counts[v] : 0;
			score += (double)cnt * weight[i] + (double)(sp->max_skew - 1);
		}
		s[j] = (int64_t)llround(score);
		min = s[j] < min ? s[j] : min;
		max = s[j] > max ? s[j] : max;
	}
	for (uint32_t j = 0; j < n; j++) {
		if (s[j] < 0)
			s[j] = 0;
		else if (!max)
			s[j] = MAX_NODE_SCORE;
		else
			s[j] = MAX_NODE_SCORE * (max + min - s[j]) / max;
	}
	return true;
}

static bool any_pod_affinity(const struct cycle *cy)
{
	const struct sched_pod *p = cy->p;
	return p->npref_aff || p->npref_anti || cy->c->naff_pods;
}

static void accumulate(int64_t *total, const int64_t *s, uint32_t n, int weight)
{
	for (uint32_t i = 0; i < n; i++)
		total[i] += weight * s[i];
}

int score_nodes(struct cycle *cy, struct sched_node **nodes, uint32_t n, int64_t *total)
{
	int64_t *s = malloc(n * sizeof(*s));
	if (!s)
		return -ENOMEM;
	memset(total, 0, n * sizeof(*total));
	taint_scores(cy, nodes, n, s);
	accumulate(total, s, n, W_TAINT);
	if (cy->p->npref) {
		node_affinity_scores(cy, nodes, n, s);
		accumulate(total, s, n, W_NODE_AFFINITY);
	}
	fit_scores(cy, nodes, n, s);
	accumulate(total, s, n, W_FIT);
	balanced_scores(cy, nodes, n, s);
	accumulate(total, s, n, W_BALANCED);
	if (cy->p->nimages) {
		image_scores(cy, nodes, n, s);
		accumulate(total, s, n, W_IMAGE);
	}
	int r = 0;
	if (any_pod_affinity(cy)) {
		r = interpod_scores(cy, nodes, n, s);
		accumulate(total, s, n, W_INTERPOD);
	}
	if (cy->nspreads && spread_scores(cy, nodes, n, s))
		accumulate(total, s, n, W_SPREAD);
	free(s);
	return r;
}
