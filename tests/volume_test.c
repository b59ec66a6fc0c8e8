/* agent/volume.c: projected serviceAccountToken sources — the key a pod's
 * token is kept under, the TokenRequest the agent sends for it, when it is
 * renewed (80% of its lifetime), and the token file written atomically
 * through ..data with the volume's defaultMode. */
#define _GNU_SOURCE
#include "agent/podspec.h"
#include "tests/test.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static json_t *tokens; /* "tokens/<key>" -> TokenRequest */

static const json_t *get_object(void *ud, const char *res, const char *ns, const char *name)
{
	char key[400];
	(void)ud, (void)ns;
	snprintf(key, sizeof key, "%s/%s", res, name);
	return json_object_get(tokens, key);
}

static void test_key_and_request(void)
{
	char key[300];
	json_t *src = json_pack("{s:i,s:s}", "expirationSeconds", 3607, "path", "token");
	CHECK_INT(agent_token_key(src, key, sizeof key), 0);
	CHECK_STR(key, "3607/");
	json_decref(src);
	src = json_pack("{s:s,s:s}", "audience", "vault", "path", "t");
	CHECK_INT(agent_token_key(src, key, sizeof key), 0);
	CHECK_STR(key, "3600/vault"); /* the API's default lifetime */
	json_decref(src);

	json_t *pod = json_pack("{s:{s:s,s:s,s:s}}", "metadata", "name", "web", "namespace",
				"default", "uid", "u-1");
	json_t *tr = agent_token_request(pod, "3607/");
	CHECK_STR(json_string_value(json_object_get(tr, "kind")), "TokenRequest");
	CHECK_INT(
	    json_integer_value(json_object_get(json_object_get(tr, "spec"), "expirationSeconds")),
	    3607);
	json_t *ref = json_object_get(json_object_get(tr, "spec"), "boundObjectRef");
	CHECK_STR(json_string_value(json_object_get(ref, "kind")), "Pod");
	CHECK_STR(json_string_value(json_object_get(ref, "name")), "web");
	CHECK_STR(json_string_value(json_object_get(ref, "uid")), "u-1");
	CHECK_INT(json_array_size(json_object_get(json_object_get(tr, "spec"), "audiences")), 0);
	json_decref(tr);
	tr = agent_token_request(pod, "600/vault");
	CHECK_STR(json_string_value(
		      json_array_get(json_object_get(json_object_get(tr, "spec"), "audiences"), 0)),
		  "vault");
	json_decref(tr);
	CHECK(agent_token_request(pod, "garbage") == NULL);
	CHECK(agent_token_request(pod, "10/") == NULL);
	json_decref(pod);
}

static void test_renew_at(void)
{
	/* 3600 s issued, expiring 2027-01-01T01:00:00Z: renewed 720 s before. */
	json_t *tr = json_pack("{s:{s:i},s:{s:s,s:s}}", "spec", "expirationSeconds", 3600, "status",
			       "token", "x", "expirationTimestamp", "2027-01-01T01:00:00Z");
	CHECK_INT(agent_token_renew_at(tr), 1798765200LL - 720);
	json_decref(tr);
	tr = json_pack("{s:{s:s}}", "status", "token", "x");
	CHECK_INT(agent_token_renew_at(tr), 0);
	json_decref(tr);
}

static void test_token_file(void)
{
	char dir[] = "/tmp/volume_test.XXXXXX", path[300], buf[64] = "";
	CHECK(mkdtemp(dir) != NULL);
	json_t *pod = json_pack("{s:{s:s,s:s,s:s},s:{s:s}}", "metadata", "name", "web", "namespace",
				"default", "uid", "u-1", "spec", "serviceAccountName", "default");
	json_t *vol = json_pack("{s:s,s:{s:i,s:[{s:{s:i,s:s}}]}}", "name", "kube-api-access-abcde",
				"projected", "defaultMode", 0440, "sources", "serviceAccountToken",
				"expirationSeconds", 3607, "path", "token");
	struct agent_pod_ctx ctx = {.get_object = get_object, .volume_dir = dir};
	char err[256] = "";
	CHECK(agent_volume_has_token(vol));
	tokens = json_object();
	/* No token fetched yet: the volume cannot be written. */
	CHECK(agent_volume_materialize(pod, vol, &ctx, err, sizeof err) < 0);
	CHECK(strstr(err, "token") != NULL);
	json_object_set_new(tokens, "tokens/3607/",
			    json_pack("{s:{s:s}}", "status", "token", "one"));
	CHECK_INT(agent_volume_materialize(pod, vol, &ctx, err, sizeof err), 0);
	snprintf(path, sizeof path, "%s/kubernetes.io~projected/kube-api-access-abcde/token", dir);
	FILE *f = fopen(path, "r");
	CHECK(f && fgets(buf, sizeof buf, f));
	if (f)
		fclose(f);
	CHECK_STR(buf, "one");
	struct stat st;
	CHECK(lstat(path, &st) == 0 && S_ISLNK(st.st_mode)); /* through ..data */
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0440);
	/* A renewed token replaces the file in place. */
	json_object_set_new(tokens, "tokens/3607/",
			    json_pack("{s:{s:s}}", "status", "token", "two"));
	CHECK_INT(agent_volume_materialize(pod, vol, &ctx, err, sizeof err), 0);
	f = fopen(path, "r");
	CHECK(f && fgets(buf, sizeof buf, f));
	if (f)
		fclose(f);
	CHECK_STR(buf, "two");
	json_decref(tokens);
	json_decref(vol);
	json_decref(pod);
	char cmd[200];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd)) {
	}
}

int main(void)
{
	TEST_RUN(test_key_and_request);
	TEST_RUN(test_renew_at);
	TEST_RUN(test_token_file);
	return test_summary();
}
