/* Unit tests of the container engine's pure parts (no root needed): CRI log
 * records, partial lines and rotation, mount option parsing, capability
 * names, the seccomp compile-once cache, user resolution against a rootfs'
 * /etc files, and OCI config.json parsing with its error paths. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/container_internal.h"
#include "runtime/oci.h"
#include "tests/test.h"

static char tmp[64];

static void cleanup(void)
{
	if (tmp[0]) {
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmp);
	}
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void test_log_format(void)
{
	char out[128];
	/* 2006-01-02T15:04:05.000000007Z */
	size_t n = rt_log_format(out, sizeof(out), 1136214245000000007LL, 0, false, "hi", 2);
	CHECK_STR(out, "2006-01-02T15:04:05.000000007Z stdout F hi\n");
	CHECK_INT(n, strlen(out));
	rt_log_format(out, sizeof(out), 1136214245000000000LL, 1, true, "part", 4);
	CHECK_STR(out, "2006-01-02T15:04:05.000000000Z stderr P part\n");
	/* never overflows */
	char small[48];
	n = rt_log_format(small, sizeof(small), 0, 0, false, "0123456789abcdef", 16);
	CHECK(n > 0 && n < sizeof(small));
	CHECK(n > 0 && small[n - 1] == '\n');
	char tiny[39]; /* header does not fit: nothing written */
	CHECK_INT(rt_log_format(tiny, sizeof(tiny), 0, 0, false, "x", 1), 0);
}

static char *dump(const char *path)
{
	char p[128];
	snprintf(p, sizeof(p), "%s/dump", tmp);
	int fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0600);
	char err[128];
	rt_log_dump(path, fd, fd, err, sizeof(err));
	off_t n = lseek(fd, 0, SEEK_END);
	char *buf = calloc(1, (size_t)n + 1);
	if (pread(fd, buf, (size_t)n, 0) < 0)
		buf[0] = 0;
	close(fd);
	return buf;
}

static void test_log_writer(void)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/c.log", tmp);
	struct rt_log_writer *w = calloc(1, sizeof(*w));
	CHECK_INT(rt_log_open(w, path, 0, 0), 0);
	rt_log_feed(w, 0, "a\nb", 3);
	rt_log_feed(w, 1, "err\n", 4);
	rt_log_feed(w, 0, "c\n", 2);
	char *big = malloc(20000);
	memset(big, 'x', 20000);
	rt_log_feed(w, 0, big, 20000); /* longer than a record: P + remainder */
	rt_log_feed(w, 0, "\n", 1);
	rt_log_feed(w, 0, "tail", 4); /* no newline at EOF */
	rt_log_close(w);
	char raw[65536];
	CHECK(file_read_small(path, raw, sizeof(raw)) > 0);
	CHECK(strstr(raw, " stdout F a\n") != NULL);
	CHECK(strstr(raw, " stderr F err\n") != NULL);
	CHECK(strstr(raw, " stdout F bc\n") != NULL);
	CHECK(strstr(raw, " stdout P xxxx") != NULL);
	CHECK(strstr(raw, " stdout F tail\n") != NULL);
	char *d = dump(path);
	CHECK(strncmp(d, "a\nerr\nbc\nxxx", 12) == 0);
	CHECK(strlen(d) == 2 + 4 + 3 + 20001 + 5);
	free(d);
	free(big);
	/* rotation keeps max_files - 1 old files */
	CHECK_INT(rt_log_open(w, path, 1000, 2), 0);
	for (int i = 0; i < 100; i++)
		rt_log_feed(w, 0, "0123456789012345678901234567890123456789\n", 41);
	rt_log_close(w);
	char p[160];
	snprintf(p, sizeof(p), "%s.1", path);
	CHECK(access(p, F_OK) == 0);
	snprintf(p, sizeof(p), "%s.2", path);
	CHECK(access(p, F_OK) < 0);
	struct stat st;
	CHECK(stat(path, &st) == 0 && st.st_size < 1100);
	free(w);
	char err[128];
	CHECK_INT(rt_log_dump("/nonexistent/log", 1, 2, err, sizeof(err)), -ENOENT);
}

static void test_mount_options(void)
{
	unsigned long f, prop;
	char data[64];
	CHECK_INT(rt_mount_options("rbind,ro,nosuid,rprivate,size=1m,mode=755", &f, &prop, data,
				   sizeof(data)),
		  0);
	CHECK(f == (MS_BIND | MS_REC | MS_RDONLY | MS_NOSUID));
	CHECK(prop == (MS_PRIVATE | MS_REC));
	CHECK_STR(data, "size=1m,mode=755");
	CHECK_INT(rt_mount_options("ro,rw", &f, &prop, data, sizeof(data)), 0);
	CHECK(f == 0);
	CHECK_INT(rt_mount_options(NULL, &f, &prop, data, sizeof(data)), 0);
	char small[4];
	CHECK_INT(rt_mount_options("size=100000", &f, &prop, small, sizeof(small)), -E2BIG);
}

static void test_caps(void)
{
	struct rt_capset s, d;
	char err[128], hex[20];
	rt_caps_default(&d);
	rt_caps_to_hex(&d, hex, sizeof(hex));
	CHECK_STR(hex, "00000000a80425fb");
	const char *names[] = {
	    "CAP_CHOWN",	"dac_override", "FSETID", "CAP_FOWNER",	 "MKNOD",
	    "NET_RAW",		"SETGID",	"SETUID", "SETFCAP",	 "SETPCAP",
	    "NET_BIND_SERVICE", "SYS_CHROOT",	"KILL",	  "AUDIT_WRITE", NULL};
	CHECK_INT(rt_caps_parse(names, &s, err, sizeof(err)), 0);
	CHECK(memcmp(&s, &d, sizeof(s)) == 0);
	const char *bad[] = {"CAP_NOPE", NULL};
	CHECK_INT(rt_caps_parse(bad, &s, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "CAP_NOPE") != NULL);
	CHECK_INT(rt_caps_from_hex("00000000a80425fb", &s), 0);
	CHECK(memcmp(&s, &d, sizeof(s)) == 0);
	CHECK_INT(rt_caps_from_hex("zz", &s), -EINVAL);
	const char *all[] = {"ALL", NULL};
	CHECK_INT(rt_caps_parse(all, &s, err, sizeof(err)), 0);
	CHECK(s.bits[0] == 0xffffffffu);
}

static void test_seccomp_compiled_once(void)
{
	struct rt r = {0};
	char err[128];
	CHECK_INT(rt_seccomp_compile(&r, err, sizeof(err)), 0);
	CHECK(r.seccomp_bpf != NULL && r.seccomp_len > 20);
	free(r.seccomp_bpf);
}

/* The exported BPF is cached in DATA_DIR/seccomp: a second runtime loads
 * the cached program instead of compiling (shown by planting a valid
 * one-instruction program under the cache name); a damaged cache file is
 * ignored and the profile compiled again. */
static void test_seccomp_disk_cache(void)
{
	struct rt a = {0}, b = {0}, c = {0};
	char err[256], cmd[400], path[300] = "";
	snprintf(a.data_dir, sizeof(a.data_dir), "%s/sc", tmp);
	mkdir(a.data_dir, 0700);
	b = c = a;
	CHECK_INT(rt_seccomp_prepare(&a, err, sizeof(err)), 0);
	snprintf(cmd, sizeof(cmd), "ls %s/seccomp/*.bpf", a.data_dir);
	FILE *ls = popen(cmd, "r");
	CHECK(ls && fgets(path, sizeof(path), ls));
	if (ls)
		pclose(ls);
	path[strcspn(path, "\n")] = 0;
	struct {
		uint32_t magic, len;
		uint64_t sum;
		struct sock_filter f;
	} plant = {0x3143534bu, 1, 0xcbf29ce484222325ULL, BPF_STMT(BPF_RET | BPF_K, 0x7fff0000u)};
	for (size_t i = 0; i < sizeof(plant.f); i++)
		plant.sum = (plant.sum ^ ((unsigned char *)&plant.f)[i]) * 0x100000001b3ULL;
	FILE *f = fopen(path, "w");
	CHECK(f && fwrite(&plant, sizeof(plant), 1, f) == 1);
	if (f)
		fclose(f);
	CHECK_INT(rt_seccomp_prepare(&b, err, sizeof(err)), 0);
	CHECK_INT(b.seccomp_len, 1); /* loaded from the cache */
	f = fopen(path, "a");
	CHECK(f && fputs("xx", f) >= 0);
	if (f)
		fclose(f);
	CHECK_INT(rt_seccomp_prepare(&c, err, sizeof(err)), 0); /* rejected, recompiled */
	CHECK(c.seccomp_len == a.seccomp_len && c.seccomp_bpf &&
	      !memcmp(a.seccomp_bpf, c.seccomp_bpf, a.seccomp_len * sizeof(*a.seccomp_bpf)));
	free(a.seccomp_bpf);
	free(b.seccomp_bpf);
	free(c.seccomp_bpf);
}

static void test_user_resolve(void)
{
	char root[128], etc[160];
	snprintf(root, sizeof(root), "%s/root", tmp);
	snprintf(etc, sizeof(etc), "%s/etc", root);
	mkdir(root, 0755);
	mkdir(etc, 0755);
	char p[200];
	snprintf(p, sizeof(p), "%s/passwd", etc);
	write_text(
	    p, "root:x:0:0:root:/root:/bin/sh\nbroken line\napp:x:1000:1001::/home/app:/bin/sh\n");
	snprintf(p, sizeof(p), "%s/group", etc);
	write_text(p, "root:x:0:\napp:x:1001:\nwheel:x:10:app,other\n");
	const char *dirs[] = {"/nonexistent", root};
	uid_t u;
	gid_t g, gs[4];
	size_t ng;
	char home[64], err[256];
	CHECK_INT(rt_user_resolve(dirs, 2, "app", &u, &g, gs, 4, &ng, home, sizeof(home), err,
				  sizeof(err)),
		  0);
	CHECK_INT(u, 1000);
	CHECK_INT(g, 1001);
	CHECK_INT(ng, 1);
	CHECK_INT(gs[0], 10);
	CHECK_STR(home, "/home/app");
	CHECK_INT(
	    rt_user_resolve(dirs, 2, "app:wheel", &u, &g, gs, 4, &ng, NULL, 0, err, sizeof(err)),
	    0);
	CHECK_INT(g, 10);
	CHECK_INT(rt_user_resolve(dirs, 2, "", &u, &g, gs, 4, &ng, NULL, 0, err, sizeof(err)), 0);
	CHECK_INT(u, 0);
	CHECK_INT(rt_user_resolve(dirs, 2, "-1", &u, &g, gs, 4, &ng, NULL, 0, err, sizeof(err)),
		  -ENOENT);
	/* a symlinked /etc/passwd pointing at the host is not followed */
	char r2[128], e2[160];
	snprintf(r2, sizeof(r2), "%s/root2", tmp);
	snprintf(e2, sizeof(e2), "%s/etc", r2);
	mkdir(r2, 0755);
	mkdir(e2, 0755);
	snprintf(p, sizeof(p), "%s/passwd", e2);
	CHECK_INT(symlink("/etc/passwd", p), 0);
	const char *d2[] = {r2};
	CHECK_INT(rt_user_resolve(d2, 1, "root", &u, &g, gs, 4, &ng, NULL, 0, err, sizeof(err)),
		  -ENOENT);
}

static int load_oci(const char *json, struct rt_oci_bundle *b, char *err, size_t errlen)
{
	char dir[128], p[160];
	snprintf(dir, sizeof(dir), "%s/bundle", tmp);
	mkdir(dir, 0755);
	snprintf(p, sizeof(p), "%s/config.json", dir);
	write_text(p, json);
	return rt_oci_bundle_load(dir, b, err, errlen);
}

static void test_oci_config(void)
{
	struct rt_oci_bundle b;
	char err[256];
	int r = load_oci(
	    "{\"process\":{\"args\":[\"sh\",\"-c\",\"true\"],\"env\":[\"A=1\"],\"cwd\":\"/w\","
	    "\"user\":{\"uid\":5,\"gid\":6,\"additionalGids\":[7,8]},\"noNewPrivileges\":true,"
	    "\"capabilities\":{\"effective\":[\"CAP_KILL\"]},"
	    "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1024,\"soft\":512}]},"
	    "\"root\":{\"path\":\"rootfs\",\"readonly\":true},\"hostname\":\"h\","
	    "\"mounts\":[{\"destination\":\"/run\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
	    "\"options\":[\"nosuid\",\"size=1m\"]},{\"destination\":\"/data\",\"type\":\"bind\","
	    "\"source\":\"vol\",\"options\":[\"rbind\",\"ro\"]}],"
	    "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"},"
	    "{\"type\":\"network\",\"path\":\"/proc/1/ns/net\"}],"
	    "\"resources\":{\"memory\":{\"limit\":1048576},\"cpu\":{\"shares\":512,\"quota\":50000,"
	    "\"period\":100000},\"pids\":{\"limit\":10}},\"seccomp\":{}}}",
	    &b, err, sizeof(err));
	CHECK_INT(r, 0);
	if (r == 0) {
		CHECK_STR(b.spec.args[2], "true");
		CHECK(b.spec.args[3] == NULL);
		CHECK_STR(b.spec.env[0], "A=1");
		CHECK_STR(b.spec.cwd, "/w");
		CHECK_INT(b.spec.uid, 5);
		CHECK_INT(b.spec.n_groups, 2);
		CHECK(b.spec.security.no_new_privs);
		CHECK(b.spec.security.readonly_rootfs);
		CHECK_STR(b.spec.security.caps[0], "CAP_KILL");
		CHECK_INT(b.spec.n_rlimits, 1);
		CHECK_INT(b.spec.rlimits[0].soft, 512);
		CHECK(strstr(b.spec.rootfs, "/bundle/rootfs") != NULL);
		CHECK_STR(b.spec.hostname, "h");
		CHECK_INT(b.spec.n_mounts, 2);
		CHECK_STR(b.spec.mounts[0].options, "nosuid,size=1m");
		CHECK_STR(b.spec.mounts[0].source, "tmpfs");
		CHECK(strstr(b.spec.mounts[1].source, "/bundle/vol") != NULL);
		CHECK_INT(b.spec.ns_mode[RT_NS_PID], RT_NS_MODE_NEW);
		CHECK_INT(b.spec.ns_mode[RT_NS_NET], RT_NS_MODE_JOIN);
		CHECK_INT(b.spec.ns_mode[RT_NS_IPC], RT_NS_MODE_HOST);
		CHECK_INT(b.spec.resources.memory_limit, 1048576);
		CHECK_INT(b.spec.resources.cpu_quota, 50000);
		CHECK_INT(b.spec.resources.pids_limit, 10);
		CHECK_INT(b.spec.security.seccomp, RT_SECCOMP_DEFAULT);
	}
	rt_oci_bundle_free(&b);
	static const char *const bad[] = {
	    "[]",
	    "{\"root\":{\"path\":\"r\"}}",
	    "{\"root\":{\"path\":\"r\"},\"process\":{\"args\":[]}}",
	    "{\"root\":{\"path\":\"r\"},\"process\":{\"args\":[1]}}",
	    "{\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"a\"],\"terminal\":true}}",
	    "{\"process\":{\"args\":[\"a\"]}}",
	    "{\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"a\"]},\"linux\":{\"namespaces\":[{"
	    "\"type\":\"user\"}]}}",
	    "{\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"a\"],\"rlimits\":[{\"type\":"
	    "\"RLIMIT_X\"}]}}",
	    "{\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"a\"]},\"mounts\":[{"
	    "\"destination\":\"rel\"}]}",
	    "{not json",
	    NULL,
	};
	for (int i = 0; bad[i]; i++) {
		err[0] = 0;
		CHECK(load_oci(bad[i], &b, err, sizeof(err)) < 0);
		CHECK(err[0] != 0);
		rt_oci_bundle_free(&b);
	}
	CHECK(rt_oci_bundle_load("/nonexistent-bundle", &b, err, sizeof(err)) < 0);
	rt_oci_bundle_free(&b);
}

static void test_ids(void)
{
	CHECK(rt_id_valid("abc-1.2_3"));
	CHECK(!rt_id_valid(""));
	CHECK(!rt_id_valid(".hidden"));
	CHECK(!rt_id_valid("-x"));
	CHECK(!rt_id_valid("a/b"));
	CHECK(!rt_id_valid(".."));
	char longid[80];
	memset(longid, 'a', 65);
	longid[65] = 0;
	CHECK(!rt_id_valid(longid));
	CHECK_STR(rt_status_string(RT_RUNNING), "running");
	CHECK_STR(rt_status_string((enum rt_status)42), "unknown");
}

int main(void)
{
	snprintf(tmp, sizeof(tmp), "/tmp/ctrunit.XXXXXX");
	if (!mkdtemp(tmp))
		return 1;
	atexit(cleanup);
	TEST_RUN(test_log_format);
	TEST_RUN(test_log_writer);
	TEST_RUN(test_mount_options);
	TEST_RUN(test_caps);
	TEST_RUN(test_seccomp_compiled_once);
	TEST_RUN(test_seccomp_disk_cache);
	TEST_RUN(test_user_resolve);
	TEST_RUN(test_oci_config);
	TEST_RUN(test_ids);
	return test_summary();
}
