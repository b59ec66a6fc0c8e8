/* runtime/image_cli.c — `minikube image import|pull|ls|rm|gc`, the command
 * line over the image store (image.h). Output of `ls` follows `crictl
 * images`: IMAGE, TAG, IMAGE ID (12 hex), SIZE. */
#define _GNU_SOURCE
#include "runtime/image.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct image_flags {
	const char *data_dir;
	struct rt_pull_opts pull;
	const char *args[4];
	int nargs;
	bool help;
};

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "Manage the node's images.\n\n"
	    "Usage:\n"
	    "  minikube image import FILE|DIR   OCI layout (dir or tar) or docker save archive\n"
	    "  minikube image pull [--ca-file F] [--insecure] [--config-json F] REF\n"
	    "  minikube image ls\n"
	    "  minikube image rm REF|ID\n"
	    "  minikube image gc                 free blobs and layers no image uses\n\n"
	    "Flags:\n"
	    "  --data-dir DIR      state directory (default /var/lib/minikube)\n"
	    "  --ca-file F         extra PEM CA bundle for the registry (pull)\n"
	    "  --insecure          plain HTTP, loopback registries only (pull)\n"
	    "  --config-json F     docker config.json with registry credentials (pull)\n"
	    "  -h, --help          this help\n");
}

static const char *flag_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);
	const char *a = argv[*i];
	if (strncmp(a, name, n))
		return NULL;
	if (a[n] == '=')
		return a + n + 1;
	if (a[n] == 0 && *i + 1 < argc)
		return argv[++*i];
	return NULL;
}

static int parse_flags(int argc, char **argv, struct image_flags *f)
{
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v;
		if (!strcmp(a, "-h") || !strcmp(a, "--help"))
			f->help = true;
		else if ((v = flag_value(argc, argv, &i, "--data-dir")))
			f->data_dir = v;
		else if ((v = flag_value(argc, argv, &i, "--ca-file")))
			f->pull.ca_file = v;
		else if ((v = flag_value(argc, argv, &i, "--config-json")))
			f->pull.config_json = v;
		else if (!strcmp(a, "--insecure"))
			f->pull.insecure = true;
		else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "minikube image: unknown flag %s\n", a);
			return -1;
		} else if (f->nargs < 4)
			f->args[f->nargs++] = a;
		else
			return -1;
	}
	return 0;
}

static void human_size(uint64_t n, char *out, size_t len)
{
	if (n >= 1000000)
		snprintf(out, len, "%.3gMB", n / 1e6);
	else if (n >= 1000)
		snprintf(out, len, "%.3gkB", n / 1e3);
	else
		snprintf(out, len, "%lluB", (unsigned long long)n);
}

static int cmd_ls(struct rt_images *imgs)
{
	struct rt_image_summary *l;
	size_t n;
	char err[512];
	if (rt_image_list(imgs, &l, &n, err, sizeof err)) {
		fprintf(stderr, "minikube image ls: %s\n", err);
		return 1;
	}
	int w = 5;
	for (size_t i = 0; i < n; i++)
		if ((int)strlen(l[i].repo) > w)
			w = (int)strlen(l[i].repo);
	printf("%-*s  %-20s  %-13s  %s\n", w, "IMAGE", "TAG", "IMAGE ID", "SIZE");
	for (size_t i = 0; i < n; i++) {
		char size[32];
		human_size(l[i].size, size, sizeof size);
		printf("%-*s  %-20s  %-13.12s  %s\n", w, l[i].repo, l[i].tag,
		       strlen(l[i].id) > 7 ? l[i].id + 7 : l[i].id, size);
	}
	rt_image_list_free(l, n);
	return 0;
}

/* One warning line per refused layer entry, counted for the summary. */
static void print_refusal(void *ud, const char *msg)
{
	unsigned *n = ud;
	if (++*n <= 100)
		fprintf(stderr, "warning: %s\n", msg);
	else if (*n == 101)
		fprintf(stderr, "warning: more refused entries not shown\n");
}

static void print_refused_total(unsigned n)
{
	if (n)
		fprintf(stderr,
			"warning: %u layer entr%s refused (unsafe paths or links): "
			"they are not in the image\n",
			n, n == 1 ? "y was" : "ies were");
}

static int cmd_import(struct rt_images *imgs, const char *path)
{
	char err[1024], **names = NULL;
	unsigned refused = 0;
	rt_images_set_warn(imgs, print_refusal, &refused);
	int rc = rt_image_import(imgs, path, &names, err, sizeof err);
	rt_images_set_warn(imgs, NULL, NULL);
	print_refused_total(refused);
	if (rc) {
		fprintf(stderr, "minikube image import: %s\n", err);
		return 1;
	}
	for (size_t i = 0; names && names[i]; i++)
		printf("imported %s\n", names[i]);
	if (!names || !names[0])
		printf("imported (untagged)\n");
	rt_strv_free(names);
	return 0;
}

static int cmd_pull(struct rt_images *imgs, const char *ref, const struct rt_pull_opts *o)
{
	char err[1024], *name = NULL;
	unsigned refused = 0;
	rt_images_set_warn(imgs, print_refusal, &refused);
	int rc = rt_image_pull(imgs, ref, o, &name, err, sizeof err);
	rt_images_set_warn(imgs, NULL, NULL);
	print_refused_total(refused);
	if (rc) {
		fprintf(stderr, "minikube image pull: %s\n", err);
		return 1;
	}
	printf("pulled %s\n", name);
	free(name);
	return 0;
}

static int cmd_gc(struct rt_images *imgs)
{
	struct rt_gc_stats st;
	char err[512];
	if (rt_image_gc(imgs, &st, err, sizeof err)) {
		fprintf(stderr, "minikube image gc: %s\n", err);
		return 1;
	}
	printf("removed %u blobs (%llu bytes) and %u layers\n", st.blobs_removed,
	       (unsigned long long)st.bytes_freed, st.layers_removed);
	return 0;
}

static int cmd_rm(struct rt_images *imgs, const char *ref)
{
	char err[512];
	if (rt_image_remove(imgs, ref, err, sizeof err)) {
		fprintf(stderr, "minikube image rm: %s\n", err);
		return 1;
	}
	printf("deleted %s\n", ref);
	return cmd_gc(imgs); /* like crictl rmi: the space comes back now */
}

static int dispatch(struct rt_images *imgs, const char *cmd, const struct image_flags *f)
{
	if (!strcmp(cmd, "ls") || !strcmp(cmd, "list"))
		return cmd_ls(imgs);
	if (!strcmp(cmd, "gc"))
		return cmd_gc(imgs);
	if (!strcmp(cmd, "import"))
		return cmd_import(imgs, f->args[0]);
	if (!strcmp(cmd, "pull"))
		return cmd_pull(imgs, f->args[0], &f->pull);
	return cmd_rm(imgs, f->args[0]);
}

int rt_cli_image(int argc, char **argv)
{
	struct image_flags f = {0};
	const char *cmd = argc > 1 ? argv[1] : NULL;
	if (!cmd || !strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
		usage(cmd ? stdout : stderr);
		return cmd ? 0 : 2;
	}
	bool known = !strcmp(cmd, "import") || !strcmp(cmd, "pull") || !strcmp(cmd, "ls") ||
		     !strcmp(cmd, "list") || !strcmp(cmd, "rm") || !strcmp(cmd, "gc");
	if (!known || parse_flags(argc, argv, &f)) {
		if (!known)
			fprintf(stderr, "minikube image: unknown command \"%s\"\n", cmd);
		usage(stderr);
		return 2;
	}
	if (f.help) {
		usage(stdout);
		return 0;
	}
	bool needs_arg = !strcmp(cmd, "import") || !strcmp(cmd, "pull") || !strcmp(cmd, "rm");
	if (f.nargs != (needs_arg ? 1 : 0)) {
		fprintf(stderr, "minikube image %s: %s\n", cmd,
			needs_arg ? "takes exactly one argument" : "takes no arguments");
		return 2;
	}
	struct rt_images *imgs;
	char err[512];
	if (rt_images_open(&imgs, f.data_dir, err, sizeof err)) {
		fprintf(stderr, "minikube image: %s\n", err);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN); /* TLS writes to a closed peer must not kill us */
	int rc = dispatch(imgs, cmd, &f);
	rt_images_close(imgs);
	return rc;
}
