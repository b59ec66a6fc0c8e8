/* benchmarks/runtime_overhead.c — resident cost per running container when
 * one long-lived process starts them, as the node agent does: N detached
 * containers are created through the C API from this process, then the
 * Rss/Pss/private memory of their monitor processes is summed from
 * /proc/PID/smaps_rollup. The monitors are forks of this process, so the
 * pages they never write (libraries, relocations, this process's heap) stay
 * shared with it; what a container really adds is its monitor's private
 * memory. Used by benchmarks/runtime-bench.
 *   runtime_overhead DATA_DIR ROOTFS [N] [--grow MB] [--maps]
 * Prints "pss_kb_per_container private_kb_per_container rss_kb_per_container"
 * and removes every container it made.
 * --grow MB: an agent that has grown a heap and keeps working: MB of small
 *   (1 KiB) allocations are made and written before the containers start
 *   and rewritten after each one, so every page a monitor still shares with
 *   this process is copied for it (what a busy agent's heap does).
 * --maps: also prints, on stderr, the first monitor's private KiB per
 *   mapping (from /proc/PID/smaps), largest first. */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/container.h"

struct mem {
	long rss, pss, priv;
};

struct heap {
	char **block;
	size_t n;
	int gen;
};

#define GROW_BLOCK 1024

static int heap_grow(struct heap *h, size_t mb)
{
	h->n = mb * 1024 * 1024 / GROW_BLOCK;
	h->block = calloc(h->n, sizeof(*h->block));
	if (!h->block)
		return -1;
	for (size_t i = 0; i < h->n; i++)
		if (!(h->block[i] = malloc(GROW_BLOCK)))
			return -1;
	return 0;
}

static void heap_rewrite(struct heap *h)
{
	h->gen++;
	for (size_t i = 0; i < h->n; i++)
		memset(h->block[i], h->gen, GROW_BLOCK);
}

static void heap_free(struct heap *h)
{
	for (size_t i = 0; i < h->n; i++)
		free(h->block[i]);
	free(h->block);
}

/* Private_Clean + Private_Dirty per mapping of one process, largest first. */
static void print_maps(pid_t pid)
{
	char path[64], line[512], name[512] = "";
	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	struct {
		char name[160];
		long priv, rss;
	} m[256];
	int n = 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		long v;
		int off = 0;
		if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %n", &lo, &hi, &off) == 2 && off > 0) {
			line[strcspn(line, "\n")] = 0;
			snprintf(name, sizeof(name), "%s [%lx+%luK]",
				 line[off] ? line + off : "anon", lo, (hi - lo) / 1024);
			if (n < 256) {
				snprintf(m[n].name, sizeof(m[n].name), "%s", name);
				m[n].priv = m[n].rss = 0;
				n++;
			}
		} else if (n > 0 && (sscanf(line, "Private_Clean: %ld", &v) == 1 ||
				     sscanf(line, "Private_Dirty: %ld", &v) == 1)) {
			m[n - 1].priv += v;
		} else if (n > 0 && sscanf(line, "Rss: %ld", &v) == 1) {
			m[n - 1].rss += v;
		}
	}
	fclose(f);
	fprintf(stderr, "monitor %d: private KiB (rss KiB) per mapping\n", (int)pid);
	for (;;) {
		int best = -1;
		for (int i = 0; i < n; i++)
			if (m[i].priv > 0 && (best < 0 || m[i].priv > m[best].priv))
				best = i;
		if (best < 0)
			break;
		fprintf(stderr, "%6ld (%6ld) %s\n", m[best].priv, m[best].rss, m[best].name);
		m[best].priv = 0;
	}
}

static void add_rollup(pid_t pid, struct mem *m)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		long v;
		if (sscanf(line, "Rss: %ld", &v) == 1)
			m->rss += v;
		else if (sscanf(line, "Pss: %ld", &v) == 1)
			m->pss += v;
		else if (sscanf(line, "Private_Clean: %ld", &v) == 1 ||
			 sscanf(line, "Private_Dirty: %ld", &v) == 1)
			m->priv += v;
	}
	fclose(f);
}

static int start_all(struct rt *rt, const char *rootfs, int n, struct heap *h, char *err,
		     size_t errlen)
{
	const char *args[] = {"/bin/sleep", "600", NULL};
	const char *layers[] = {rootfs, NULL};
	for (int i = 0; i < n; i++) {
		struct rt_spec s;
		char id[32];
		rt_spec_init(&s);
		s.layers = layers;
		s.n_layers = 1;
		s.args = args;
		s.security.no_new_privs = true;
		snprintf(id, sizeof(id), "ovh%d", i);
		int r = rt_container_run(rt, id, &s, err, errlen);
		if (r < 0)
			return r;
		heap_rewrite(h);
	}
	return 0;
}

int main(int argc, char **argv)
{
	long grow_mb = 0;
	bool maps = false;
	const char *pos[3] = {NULL, NULL, NULL}; /* DATA_DIR ROOTFS N */
	int npos = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--grow") == 0 && i + 1 < argc)
			grow_mb = atol(argv[++i]);
		else if (strcmp(argv[i], "--maps") == 0)
			maps = true;
		else if (npos < 3)
			pos[npos++] = argv[i];
	}
	const char *dir = pos[0], *rootfs = pos[1];
	int n = pos[2] ? atoi(pos[2]) : 50;
	if (!rootfs || grow_mb < 0 || grow_mb > 4096) {
		fprintf(stderr,
			"usage: runtime_overhead DATA_DIR ROOTFS [N] [--grow MB] [--maps]\n");
		return 2;
	}
	if (n < 1 || n > 1000)
		n = 50;
	struct heap h = {0};
	if (grow_mb && heap_grow(&h, (size_t)grow_mb) < 0) {
		fprintf(stderr, "runtime_overhead: out of memory\n");
		return 1;
	}
	heap_rewrite(&h);
	struct rt_config cfg = {.data_dir = dir, .cgroup_parent = "minikube-overhead"};
	struct rt *rt;
	char err[512];
	if (rt_new(&cfg, &rt, err, sizeof(err)) < 0) {
		fprintf(stderr, "runtime_overhead: %s\n", err);
		return 1;
	}
	int r = start_all(rt, rootfs, n, &h, err, sizeof(err));
	struct mem m = {0};
	pid_t first = 0;
	if (r == 0) {
		usleep(300000);
		for (int i = 0; i < n; i++) {
			char id[32];
			struct rt_state st;
			snprintf(id, sizeof(id), "ovh%d", i);
			if (rt_container_state(rt, id, &st, err, sizeof(err)) == 0)
				add_rollup(st.monitor_pid, &m);
			if (i == 0)
				first = st.monitor_pid;
		}
		printf("%ld %ld %ld\n", m.pss / n, m.priv / n, m.rss / n);
		if (maps && first > 0) /* after the sums: its buffers dirty our stack */
			print_maps(first);
	} else {
		fprintf(stderr, "runtime_overhead: %s\n", err);
	}
	for (int i = 0; i < n; i++) {
		char id[32];
		snprintf(id, sizeof(id), "ovh%d", i);
		rt_container_delete(rt, id, true, err, sizeof(err));
	}
	rt_free(rt);
	heap_free(&h);
	return r < 0 ? 1 : 0;
}
