/* runtime/container_monitor.h — private: the per-container monitor process
 * (see container_monitor.c). */
#ifndef RUNTIME_CONTAINER_MONITOR_H
#define RUNTIME_CONTAINER_MONITOR_H

#include "runtime/container_internal.h"

struct rt_monitor_args {
	struct rt *rt;
	const struct rt_spec *spec;
	char id[RT_ID_MAX + 1];
	char dir[400];
	char fifo[420];
	char log_path[500];
	struct rt_cgroup cg;
	bool init_in_cgroup; /* cloned into cg (v2): no join needed */
	void *prewarm_stack; /* the launcher's rt_prewarm thread stack, or NULL */
	struct rt_init_args init;
};

/* Runs in the double-forked child: clones the init, then supervises it. */
void rt_monitor_run(struct rt_monitor_args *m) __attribute__((noreturn));

#endif
