/* Unit tests for node-pressure eviction (agent/eviction.h): the kubelet's
 * --eviction-hard syntax and its errors, threshold arithmetic, quantities as
 * the kubelet prints them, the ranking (over requests, priority, usage above
 * requests), critical pods, and the Evicted message. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/eviction.h"
#include "tests/test.h"

#define MI (1024LL * 1024)

static void test_parse(void)
{
	struct eviction_config c;
	char err[256];
	eviction_config_default(&c);
	CHECK(c.t[EVICTION_MEMORY].set && c.t[EVICTION_MEMORY].bytes == 100 * MI);
	CHECK(c.t[EVICTION_NODEFS].set && c.t[EVICTION_NODEFS].percent == 10);

	CHECK_INT(eviction_config_parse("memory.available<100Mi,nodefs.available<10%", &c, err,
					sizeof err),
		  0);
	CHECK_INT(eviction_threshold_bytes(&c.t[EVICTION_MEMORY], 2048 * MI), 100 * MI);
	CHECK_INT(eviction_threshold_bytes(&c.t[EVICTION_NODEFS], 1000000), 100000);

	/* like the kubelet, a signal left out has no threshold */
	CHECK_INT(eviction_config_parse("memory.available<1.5Gi", &c, err, sizeof err), 0);
	CHECK_INT(eviction_threshold_bytes(&c.t[EVICTION_MEMORY], 0), 1536 * MI);
	CHECK(!c.t[EVICTION_NODEFS].set);
	CHECK_INT(eviction_threshold_bytes(&c.t[EVICTION_NODEFS], 1000000), 0);
	CHECK(!eviction_crossed(&c, EVICTION_NODEFS, 0, 1000000));

	/* percentages of memory, spaces, imagefs counts as the nodefs, a
	 * signal observed elsewhere is accepted */
	CHECK_INT(eviction_config_parse(
		      " memory.available<5% , imagefs.available<15%,nodefs.inodesFree<5%", &c, err,
		      sizeof err),
		  0);
	CHECK_INT(eviction_threshold_bytes(&c.t[EVICTION_MEMORY], 2000 * MI), 100 * MI);
	CHECK_INT(eviction_threshold_bytes(&c.t[EVICTION_NODEFS], 1000), 150);
	CHECK_INT(eviction_config_parse("memory.available<12.5%", &c, err, sizeof err), 0);
	CHECK_INT(eviction_threshold_bytes(&c.t[EVICTION_MEMORY], 800), 100);
	/* 0 turns a signal off */
	CHECK_INT(
	    eviction_config_parse("memory.available<0,nodefs.available<0%", &c, err, sizeof err),
	    0);
	CHECK(!c.t[EVICTION_MEMORY].set && !c.t[EVICTION_NODEFS].set);

	CHECK_INT(eviction_config_parse("memory.available>100Mi", &c, err, sizeof err), -EINVAL);
	CHECK(strstr(err, "expected signal<quantity") != NULL);
	CHECK_INT(eviction_config_parse("memory.free<100Mi", &c, err, sizeof err), -EINVAL);
	CHECK(strstr(err, "unknown signal memory.free") != NULL);
	CHECK_INT(eviction_config_parse("memory.available<lots", &c, err, sizeof err), -EINVAL);
	CHECK(strstr(err, "lots is not a quantity") != NULL);
	CHECK_INT(eviction_config_parse("nodefs.available<150%", &c, err, sizeof err), -EINVAL);
	CHECK(strstr(err, "between 0% and 100%") != NULL);
	CHECK_INT(eviction_config_parse("nodefs.available<-5%", &c, err, sizeof err), -EINVAL);
	CHECK_INT(eviction_config_parse("nodefs.available<%", &c, err, sizeof err), -EINVAL);
	CHECK_INT(eviction_config_parse("memory.available<", &c, err, sizeof err), -EINVAL);
	CHECK_INT(eviction_config_parse("memory.available<-1Mi", &c, err, sizeof err), -EINVAL);
	CHECK_INT(eviction_config_parse(NULL, &c, err, sizeof err), -EINVAL);
	char big[EVICTION_FLAG_MAX + 64];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = 0;
	CHECK_INT(eviction_config_parse(big, &c, err, sizeof err), -EINVAL);
}

static void test_crossed(void)
{
	struct eviction_config c;
	eviction_config_default(&c);
	CHECK(eviction_crossed(&c, EVICTION_MEMORY, 99 * MI, 2048 * MI));
	CHECK(!eviction_crossed(&c, EVICTION_MEMORY, 100 * MI, 2048 * MI));
	CHECK(eviction_crossed(&c, EVICTION_NODEFS, 9, 100));
	CHECK(!eviction_crossed(&c, EVICTION_NODEFS, 10, 100));
	CHECK(!eviction_crossed(&c, EVICTION_NODEFS, 0, 0)); /* unknown capacity: never */
}

static void test_quantity(void)
{
	char q[32];
	eviction_quantity(100 * MI, q, sizeof q);
	CHECK_STR(q, "100Mi");
	eviction_quantity(51200 * 1024, q, sizeof q);
	CHECK_STR(q, "50Mi");
	eviction_quantity(3080000LL * 1024, q, sizeof q);
	CHECK_STR(q, "3080000Ki");
	eviction_quantity(1536, q, sizeof q);
	CHECK_STR(q, "1536");
	eviction_quantity(0, q, sizeof q);
	CHECK_STR(q, "0");
	eviction_quantity(3LL << 30, q, sizeof q);
	CHECK_STR(q, "3Gi");
}

static json_t *pod(const char *name, int priority, const char *req, const char *extra)
{
	char buf[2048];
	snprintf(buf, sizeof buf,
		 "{\"metadata\":{\"name\":\"%s\",\"namespace\":\"default\",\"uid\":\"uid-%s\"%s},"
		 "\"spec\":{\"priority\":%d,\"containers\":[{\"name\":\"main\",\"image\":"
		 "\"busybox\"%s%s%s},"
		 "{\"name\":\"side\",\"image\":\"busybox\"}]}}",
		 name, name, extra ? extra : "", priority,
		 req ? ",\"resources\":{\"requests\":{\"memory\":\"" : "", req ? req : "",
		 req ? "\"}}" : "");
	json_t *j = json_loads(buf, 0, NULL);
	if (!j) {
		fprintf(stderr, "bad test JSON: %s\n", buf);
		abort();
	}
	return j;
}

/* A candidate with usage (bytes) in its main container; < 0: no stats. */
static void cand(struct eviction_pod *e, const char *name, int priority, const char *req,
		 int64_t usage, const char *extra)
{
	json_t *j = pod(name, priority, req, extra);
	CHECK_INT(eviction_pod_init(e, j, EVICTION_MEMORY), 0);
	if (usage >= 0)
		eviction_pod_add_usage(e, "main", usage);
	json_decref(j);
}

static int find(const struct eviction_pod *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return (int)i;
	return -1;
}

static void test_rank(void)
{
	struct eviction_pod v[7];
	/* within requests, lowest priority */
	cand(&v[0], "within-low", -10, "500Mi", 100 * MI, NULL);
	/* over requests, high priority, far over */
	cand(&v[1], "over-high", 1000, "1Mi", 400 * MI, NULL);
	/* over requests, low priority, a little over */
	cand(&v[2], "over-low-small", 0, "10Mi", 20 * MI, NULL);
	/* over requests, same low priority, more above its request */
	cand(&v[3], "over-low-big", 0, "100Mi", 300 * MI, NULL);
	/* best effort: no request, using something: over */
	cand(&v[4], "besteffort-high", 500, NULL, 5 * MI, NULL);
	/* within requests, high priority */
	cand(&v[5], "within-high", 100, "1Gi", 10 * MI, NULL);
	/* over requests but critical */
	cand(&v[6], "critical", 2000001000, NULL, 900 * MI, NULL);
	eviction_rank(v, 7);
	static const char *const want[] = {"over-low-big", "over-low-small", "besteffort-high",
					   "over-high",	   "critical",	     "within-low",
					   "within-high"};
	for (int i = 0; i < 7; i++)
		CHECK_STR(v[i].name, want[i]);
	CHECK_INT(eviction_pick(v, 7), 0);
	CHECK(v[find(v, 7, "critical")].critical);
	for (int i = 0; i < 7; i++)
		eviction_pod_clear(&v[i]);

	/* a pod without stats goes first; critical ones are never picked */
	cand(&v[0], "stats", 0, NULL, 50 * MI, NULL);
	cand(&v[1], "nostats", 10, NULL, -1, NULL);
	cand(&v[2], "mirror", 0, NULL, 800 * MI,
	     ",\"annotations\":{\"kubernetes.io/config.mirror\":\"x\"}");
	eviction_rank(v, 3);
	CHECK_STR(v[0].name, "nostats");
	CHECK_STR(v[1].name, "mirror");
	CHECK_INT(eviction_pick(v, 3), 0);
	CHECK_INT(eviction_pick(v + 1, 1), -1); /* only the mirror pod left */
	for (int i = 0; i < 3; i++)
		eviction_pod_clear(&v[i]);

	/* equal in every respect: the order given stays */
	cand(&v[0], "a", 0, "1Mi", 2 * MI, NULL);
	cand(&v[1], "b", 0, "1Mi", 2 * MI, NULL);
	eviction_rank(v, 2);
	CHECK_STR(v[0].name, "a");
	eviction_pod_clear(&v[0]);
	eviction_pod_clear(&v[1]);
}

static void test_pod_init(void)
{
	struct eviction_pod e;
	json_t *j = json_loads(
	    "{\"metadata\":{\"name\":\"p\",\"namespace\":\"ns\",\"uid\":\"u\"},\"spec\":{"
	    "\"containers\":[{\"name\":\"a\",\"resources\":{\"limits\":{\"memory\":\"64Mi\","
	    "\"ephemeral-storage\":\"1Gi\"}}},{\"name\":\"b\",\"resources\":{\"requests\":{"
	    "\"memory\":\"32Mi\"},\"limits\":{\"memory\":\"1Gi\"}}}],"
	    "\"initContainers\":[{\"name\":\"i\",\"resources\":{\"requests\":{\"memory\":\"4Gi\"}}}"
	    "]}}",
	    0, NULL);
	CHECK_INT(eviction_pod_init(&e, j, EVICTION_MEMORY), 0);
	CHECK_INT(e.request, 96 * MI); /* limits stand in; init containers do not count */
	CHECK_INT(e.usage, -1);
	CHECK_INT(e.priority, 0);
	CHECK(!e.critical);
	eviction_pod_add_usage(&e, "a", 10 * MI);
	eviction_pod_add_usage(&e, NULL, 1 * MI);
	CHECK_INT(e.usage, 11 * MI);
	CHECK_INT(e.ctrs[0].usage, 10 * MI);
	CHECK_INT(e.ctrs[1].usage, -1);
	eviction_pod_clear(&e);
	CHECK_INT(eviction_pod_init(&e, j, EVICTION_NODEFS), 0);
	CHECK_INT(e.request, 1024 * MI);
	eviction_pod_clear(&e);
	json_decref(j);
	j = json_loads("{\"metadata\":{\"name\":\"p\"},\"spec\":{}}", 0, NULL);
	CHECK_INT(eviction_pod_init(&e, j, EVICTION_MEMORY), -EINVAL);
	eviction_pod_clear(&e);
	json_decref(j);
}

static void test_message(void)
{
	struct eviction_config c;
	struct eviction_pod e;
	char msg[1024];
	eviction_config_default(&c);
	cand(&e, "hog", 0, "1Mi", 20 * MI, NULL);
	eviction_pod_add_usage(&e, "side", 512 * 1024);
	eviction_message(&c, EVICTION_MEMORY, 51200 * 1024, 2048 * MI, &e, msg, sizeof msg);
	CHECK_STR(
	    msg,
	    "The node was low on resource: memory. Threshold quantity: 100Mi, available: 50Mi. "
	    "Container main was using 20Mi, request is 1Mi, has larger consumption of memory. "
	    "Container side was using 512Ki, request is 0, has larger consumption of memory. ");
	eviction_pod_clear(&e);
	/* a percentage threshold prints the bytes it stands for */
	eviction_message(&c, EVICTION_NODEFS, 1000, 10240 * 1024, NULL, msg, sizeof msg);
	CHECK_STR(
	    msg,
	    "The node was low on resource: ephemeral-storage. Threshold quantity: 1Mi, available: "
	    "1000. ");
	/* a container within its request is not named */
	cand(&e, "fine", 0, "1Gi", 20 * MI, NULL);
	eviction_message(&c, EVICTION_MEMORY, 0, 2048 * MI, &e, msg, sizeof msg);
	CHECK_STR(
	    msg, "The node was low on resource: memory. Threshold quantity: 100Mi, available: 0. ");
	eviction_pod_clear(&e);
	/* a short buffer truncates, never overflows */
	char tiny[16];
	eviction_message(&c, EVICTION_MEMORY, 0, 2048 * MI, NULL, tiny, sizeof tiny);
	CHECK_STR(tiny, "The node was lo");
}

int main(void)
{
	TEST_RUN(test_parse);
	TEST_RUN(test_crossed);
	TEST_RUN(test_quantity);
	TEST_RUN(test_rank);
	TEST_RUN(test_pod_init);
	TEST_RUN(test_message);
	return test_summary();
}
