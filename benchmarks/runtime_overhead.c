/* benchmarks/runtime_overhead.c — resident cost per running container when
 * one long-lived process starts them, as the node agent does: N detached
 * containers are created through the C API from this process, then the
 * Rss/Pss/private memory of their monitor processes is summed from
 * /proc/PID/smaps_rollup. The monitors are forks of this process, so the
 * pages they never write (libraries, relocations, this process's heap) stay
 * shared with it; what a container really adds is its monitor's private
 * memory. Used by benchmarks/runtime-bench.
 *   runtime_overhead DATA_DIR ROOTFS [N]
 * Prints "pss_kb_per_container private_kb_per_container rss_kb_per_container"
 * and removes every container it made. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/container.h"

struct mem {
	long rss, pss, priv;
};

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

static int start_all(struct rt *rt, const char *rootfs, int n, char *err, size_t errlen)
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
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: runtime_overhead DATA_DIR ROOTFS [N]\n");
		return 2;
	}
	int n = argc > 3 ? atoi(argv[3]) : 50;
	if (n < 1 || n > 1000)
		n = 50;
	struct rt_config cfg = {.data_dir = argv[1], .cgroup_parent = "minikube-overhead"};
	struct rt *rt;
	char err[512];
	if (rt_new(&cfg, &rt, err, sizeof(err)) < 0) {
		fprintf(stderr, "runtime_overhead: %s\n", err);
		return 1;
	}
	int r = start_all(rt, argv[2], n, err, sizeof(err));
	struct mem m = {0};
	if (r == 0) {
		usleep(300000);
		for (int i = 0; i < n; i++) {
			char id[32];
			struct rt_state st;
			snprintf(id, sizeof(id), "ovh%d", i);
			if (rt_container_state(rt, id, &st, err, sizeof(err)) == 0)
				add_rollup(st.monitor_pid, &m);
		}
		printf("%ld %ld %ld\n", m.pss / n, m.priv / n, m.rss / n);
	} else {
		fprintf(stderr, "runtime_overhead: %s\n", err);
	}
	for (int i = 0; i < n; i++) {
		char id[32];
		snprintf(id, sizeof(id), "ovh%d", i);
		rt_container_delete(rt, id, true, err, sizeof(err));
	}
	rt_free(rt);
	return r < 0 ? 1 : 0;
}
