/* runtime/oci.h — private: reading an OCI runtime bundle (config.json +
 * rootfs) into a struct rt_spec, the subset crun needs to run the same
 * bundle. Used by `minikube oci`. */
#ifndef RUNTIME_OCI_H
#define RUNTIME_OCI_H

#include <jansson.h>

#include "runtime/container.h"

struct rt_oci_bundle {
	json_t *config; /* strings in spec are borrowed from here */
	struct rt_spec spec;
	char bundle[512];
	char rootfs[1024];
	const char **args, **env, **caps, **masked, **readonly;
	gid_t *groups;
	struct rt_mount *mounts;
	char **mount_strings; /* owned option/source strings */
	size_t n_mount_strings;
	struct rt_rlimit *rlimits;
};

/* Loads BUNDLE/config.json. Free with rt_oci_bundle_free (also on error). */
int rt_oci_bundle_load(const char *bundle, struct rt_oci_bundle *b, char *err, size_t errlen);
void rt_oci_bundle_free(struct rt_oci_bundle *b);

#endif
