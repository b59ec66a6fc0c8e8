/* benchmarks/netbench.c — the network benchmark's load generator and echo
 * server (benchmarks/net-bench). net-bench runs it from the host inside a pod's
 * (or a node's) network namespace through `nsenter --net=/proc/PID/ns/net`, so
 * the pod image needs nothing but busybox. Plain libc: no library to link.
 *
 *   netbench serve PORT                    TCP server for the modes below
 *   netbench crr HOST PORT N [SAMPLES]     N x (connect, 64 B request, 64 B
 *                                          reply, close): p50/p90/p99 in us
 *   netbench rr HOST PORT N [SAMPLES]      N request/reply round trips on one
 *                                          connection
 *   netbench crr-ab|rr-ab HOST1 PORT1 HOST2 PORT2 N [SAMPLES1 SAMPLES2]
 *                                          the same, the two destinations taken
 *                                          in turn (ABBA order) from one
 *                                          process: a paired comparison that
 *                                          the machine's load hits alike; adds
 *                                          the ratio of the p50s and its spread
 *                                          over 10 consecutive blocks
 *   netbench stream HOST PORT SECONDS      one TCP stream: Gbit/s received
 *   netbench dns SERVER NAME SECONDS WINDOW [SAMPLES]
 *                                          UDP A queries for NAME, WINDOW in
 *                                          flight: qps, p50/p99, lost
 * Results are one line of key=value pairs on stdout; SAMPLES, when given,
 * receives one latency a line in ms (for benchmarks/plot-cdf). Every socket
 * has a 2 s timeout so a broken path ends the run with an error, not a hang. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MSG 64
#define IO_TIMEOUT_S 2
#define STREAM_CHUNK (128 * 1024)
#define DNS_MAX_WINDOW 1024
#define DNS_LOST_MS 1000

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void set_timeouts(int fd)
{
	struct timeval tv = {.tv_sec = IO_TIMEOUT_S};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static int full_io(int fd, void *buf, size_t n, int wr)
{
	char *p = buf;
	while (n > 0) {
		ssize_t r = wr ? send(fd, p, n, MSG_NOSIGNAL) : recv(fd, p, n, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static int parse_addr(const char *host, const char *port, struct sockaddr_in *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)atoi(port));
	if (inet_pton(AF_INET, host, &sa->sin_addr) != 1) {
		fprintf(stderr, "netbench: %s is not an IPv4 address\n", host);
		return -1;
	}
	return 0;
}

static int dial(const struct sockaddr_in *sa)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	set_timeouts(fd);
	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* ---- server ---- */

/* One connection whose first byte says what it wants: 'C' one reply then
 * close, 'R' replies until EOF, 'S' count bytes until EOF and send the count. */
static void *serve_conn(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char buf[STREAM_CHUNK];
	if (full_io(fd, buf, MSG, 0) < 0)
		goto out;
	if (buf[0] == 'S') {
		uint64_t total = MSG;
		ssize_t r;
		while ((r = recv(fd, buf, sizeof(buf), 0)) > 0)
			total += (uint64_t)r;
		full_io(fd, &total, sizeof(total), 1);
		goto out;
	}
	do {
		if (full_io(fd, buf, MSG, 1) < 0)
			break;
	} while (buf[0] == 'R' && full_io(fd, buf, MSG, 0) == 0);
out:
	close(fd);
	return NULL;
}

static int cmd_serve(const char *port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port))};
	int one = 1, lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 512) < 0) {
		perror("netbench serve");
		return 1;
	}
	printf("listening port=%s\n", port);
	fflush(stdout);
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE)
				continue;
			perror("netbench accept");
			return 1;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		set_timeouts(fd);
		/* Latency runs are served inline (no thread start in the path);
		 * peek at the mode so streams get a thread of their own. */
		char mode = 0;
		if (recv(fd, &mode, 1, MSG_PEEK) != 1) {
			close(fd);
			continue;
		}
		if (mode == 'C') {
			serve_conn((void *)(intptr_t)fd);
			continue;
		}
		pthread_t t;
		pthread_attr_t at;
		pthread_attr_init(&at);
		pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&t, &at, serve_conn, (void *)(intptr_t)fd) != 0)
			close(fd);
		pthread_attr_destroy(&at);
	}
}

/* ---- statistics ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double pct(const double *v, size_t n, double p)
{
	if (n == 0)
		return 0;
	size_t i = (size_t)(p / 100.0 * (double)n);
	return v[i >= n ? n - 1 : i];
}

/* Sorts v (us), prints percentiles with prefix, writes samples in ms. */
static void report_latency(double *v, size_t n, const char *samples)
{
	if (samples) {
		FILE *f = fopen(samples, "w");
		if (f) {
			for (size_t i = 0; i < n; i++)
				fprintf(f, "%.4f\n", v[i] / 1000.0);
			fclose(f);
		}
	}
	qsort(v, n, sizeof(*v), cmp_double);
	printf("n=%zu p50_us=%.1f p90_us=%.1f p99_us=%.1f max_us=%.1f", n, pct(v, n, 50),
	       pct(v, n, 90), pct(v, n, 99), n ? v[n - 1] : 0.0);
}

/* ---- clients ---- */

static int cmd_crr(const char *host, const char *port, long n, const char *samples, int keep)
{
	struct sockaddr_in sa;
	if (parse_addr(host, port, &sa) < 0 || n <= 0)
		return 2;
	long warm = n / 10 + 10;
	double *v = calloc((size_t)n, sizeof(double));
	if (!v)
		return 1;
	char buf[MSG];
	memset(buf, keep ? 'R' : 'C', sizeof(buf));
	int fd = -1, rc = 1;
	for (long i = -warm; i < n; i++) {
		double t0 = now_us();
		if (fd < 0 && (fd = dial(&sa)) < 0) {
			fprintf(stderr, "netbench: connect %s:%s: %s\n", host, port,
				strerror(errno));
			goto out;
		}
		if (full_io(fd, buf, MSG, 1) < 0 || full_io(fd, buf, MSG, 0) < 0) {
			fprintf(stderr, "netbench: request to %s:%s failed: %s\n", host, port,
				strerror(errno));
			goto out;
		}
		if (!keep) {
			close(fd);
			fd = -1;
		}
		if (i >= 0)
			v[i] = now_us() - t0;
	}
	report_latency(v, (size_t)n, samples);
	printf("\n");
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(v);
	return rc;
}

/* One sample of a crr (fd NULL) or rr (*fd open, dialled on first use). */
static int one_sample(const struct sockaddr_in *sa, int *fd, double *us)
{
	char buf[MSG];
	int keep = fd != NULL, c = -1;
	memset(buf, keep ? 'R' : 'C', sizeof(buf));
	double t0 = now_us();
	if (keep && *fd >= 0)
		c = *fd;
	else if ((c = dial(sa)) < 0)
		return -1;
	if (keep)
		*fd = c;
	if (full_io(c, buf, MSG, 1) < 0 || full_io(c, buf, MSG, 0) < 0)
		return -1;
	if (!keep)
		close(c);
	*us = now_us() - t0;
	return 0;
}

#define AB_BLOCKS 10

static double p50_of(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return pct(v, n, 50);
}

/* Paired run: sample i goes A then B when i is even, B then A when odd. */
static int cmd_ab(char **a, long n, const char *samples_a, const char *samples_b, int keep)
{
	struct sockaddr_in sa[2];
	if (parse_addr(a[0], a[1], &sa[0]) < 0 || parse_addr(a[2], a[3], &sa[1]) < 0 ||
	    n < AB_BLOCKS)
		return 2;
	long warm = n / 10 + 10;
	double *v[2] = {calloc((size_t)n, sizeof(double)), calloc((size_t)n, sizeof(double))};
	double ratio[AB_BLOCKS];
	int fd[2] = {-1, -1}, rc = 1;
	if (!v[0] || !v[1])
		goto out;
	for (long i = -warm; i < n; i++)
		for (int k = 0; k < 2; k++) {
			int w = (i & 1) ? 1 - k : k;
			double us;
			if (one_sample(&sa[w], keep ? &fd[w] : NULL, &us) < 0) {
				fprintf(stderr, "netbench: %s:%s: %s\n", a[2 * w], a[2 * w + 1],
					strerror(errno));
				goto out;
			}
			if (i >= 0)
				v[w][i] = us;
		}
	/* per block of consecutive samples: how steady the ratio is */
	long bs = n / AB_BLOCKS;
	for (int b = 0; b < AB_BLOCKS; b++) {
		double pa[bs], pb[bs];
		memcpy(pa, v[0] + b * bs, (size_t)bs * sizeof(double));
		memcpy(pb, v[1] + b * bs, (size_t)bs * sizeof(double));
		double ma = p50_of(pa, (size_t)bs), mb = p50_of(pb, (size_t)bs);
		ratio[b] = ma > 0 ? mb / ma : 0;
	}
	qsort(ratio, AB_BLOCKS, sizeof(double), cmp_double);
	printf("a: ");
	report_latency(v[0], (size_t)n, samples_a);
	printf("\nb: ");
	report_latency(v[1], (size_t)n, samples_b);
	double pa = pct(v[0], (size_t)n, 50), pb = pct(v[1], (size_t)n, 50);
	printf("\nratio_p50=%.3f block_ratio_min=%.3f block_ratio_med=%.3f block_ratio_max=%.3f\n",
	       pa > 0 ? pb / pa : 0.0, ratio[0], ratio[AB_BLOCKS / 2], ratio[AB_BLOCKS - 1]);
	rc = 0;
out:
	for (int k = 0; k < 2; k++)
		if (fd[k] >= 0)
			close(fd[k]);
	free(v[0]);
	free(v[1]);
	return rc;
}

static int cmd_stream(const char *host, const char *port, double secs)
{
	struct sockaddr_in sa;
	if (parse_addr(host, port, &sa) < 0)
		return 2;
	int fd = dial(&sa);
	if (fd < 0) {
		fprintf(stderr, "netbench: connect %s:%s: %s\n", host, port, strerror(errno));
		return 1;
	}
	static char buf[STREAM_CHUNK];
	memset(buf, 'S', sizeof(buf));
	double t0 = now_us(), end = t0 + secs * 1e6;
	while (now_us() < end)
		if (full_io(fd, buf, sizeof(buf), 1) < 0) {
			fprintf(stderr, "netbench: stream to %s:%s: %s\n", host, port,
				strerror(errno));
			return 1;
		}
	shutdown(fd, SHUT_WR);
	uint64_t got = 0;
	if (full_io(fd, &got, sizeof(got), 0) < 0) {
		fprintf(stderr, "netbench: no byte count from %s:%s\n", host, port);
		return 1;
	}
	double el = (now_us() - t0) / 1e6;
	printf("bytes=%llu seconds=%.3f gbit_s=%.3f\n", (unsigned long long)got, el,
	       (double)got * 8 / el / 1e9);
	close(fd);
	return 0;
}

/* A query for name, type A, recursion desired, with the given id. */
static size_t dns_query(uint8_t *q, size_t cap, const char *name, uint16_t id)
{
	size_t n = 12;
	memset(q, 0, 12);
	q[0] = (uint8_t)(id >> 8), q[1] = (uint8_t)id;
	q[2] = 0x01; /* RD */
	q[5] = 1;    /* QDCOUNT */
	const char *p = name;
	while (*p && n + 70 < cap) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);
		if (l == 0 || l > 63)
			break;
		q[n++] = (uint8_t)l;
		memcpy(q + n, p, l);
		n += l;
		p += l + (dot ? 1 : 0);
	}
	q[n++] = 0;
	q[n++] = 0, q[n++] = 1; /* A */
	q[n++] = 0, q[n++] = 1; /* IN */
	return n;
}

static int cmd_dns(const char *server, const char *name, double secs, int window,
		   const char *samples)
{
	struct sockaddr_in sa;
	if (parse_addr(server, "53", &sa) < 0 || window < 1 || window > DNS_MAX_WINDOW)
		return 2;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("netbench dns");
		return 1;
	}
	int big = 4 << 20;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	static double sent_at[65536]; /* 0: not in flight */
	size_t cap = (size_t)(secs * 200000) + 1024, n = 0;
	double *v = malloc(cap * sizeof(double));
	long lost = 0, errors = 0, inflight = 0;
	uint16_t next = 1;
	uint8_t q[512], r[4096];
	double t0 = now_us(), end = t0 + secs * 1e6, last_scan = t0;
	for (;;) {
		double t = now_us();
		while (t < end && inflight < window) {
			while (sent_at[next] != 0 || next == 0)
				next++;
			size_t ql = dns_query(q, sizeof(q), name, next);
			if (send(fd, q, ql, 0) < 0)
				break;
			sent_at[next++] = now_us();
			inflight++;
		}
		if (inflight == 0)
			break;
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int pr = poll(&pfd, 1, 100);
		t = now_us();
		if (pr > 0) {
			ssize_t l;
			while ((l = recv(fd, r, sizeof(r), MSG_DONTWAIT)) >= 12) {
				uint16_t id = (uint16_t)(r[0] << 8 | r[1]);
				if (sent_at[id] == 0)
					continue;
				double lat = now_us() - sent_at[id];
				sent_at[id] = 0;
				inflight--;
				if ((r[3] & 0x0f) != 0 || (r[6] << 8 | r[7]) == 0)
					errors++; /* rcode set or no answer */
				if (n < cap)
					v[n++] = lat;
			}
		}
		if (t - last_scan > 100e3) { /* queries unanswered for a second are lost */
			last_scan = t;
			for (int i = 1; i < 65536; i++)
				if (sent_at[i] != 0 && t - sent_at[i] > DNS_LOST_MS * 1e3) {
					sent_at[i] = 0;
					inflight--;
					lost++;
				}
		}
	}
	double el = (now_us() - t0) / 1e6;
	printf("qps=%.0f ", (double)n / el);
	report_latency(v, n, samples);
	printf(" lost=%ld errors=%ld seconds=%.2f\n", lost, errors, el);
	free(v);
	close(fd);
	return n > 0 ? 0 : 1;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: netbench serve PORT\n"
		"       netbench crr|rr HOST PORT N [SAMPLES]\n"
		"       netbench crr-ab|rr-ab HOST1 PORT1 HOST2 PORT2 N [SAMPLES1 SAMPLES2]\n"
		"       netbench stream HOST PORT SECONDS\n"
		"       netbench dns SERVER NAME SECONDS WINDOW [SAMPLES]\n");
	return 2;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc == 3 && !strcmp(argv[1], "serve"))
		return cmd_serve(argv[2]);
	if ((argc == 5 || argc == 6) && (!strcmp(argv[1], "crr") || !strcmp(argv[1], "rr")))
		return cmd_crr(argv[2], argv[3], atol(argv[4]), argc == 6 ? argv[5] : NULL,
			       !strcmp(argv[1], "rr"));
	if ((argc == 7 || argc == 9) && (!strcmp(argv[1], "crr-ab") || !strcmp(argv[1], "rr-ab")))
		return cmd_ab(argv + 2, atol(argv[6]), argc == 9 ? argv[7] : NULL,
			      argc == 9 ? argv[8] : NULL, !strcmp(argv[1], "rr-ab"));
	if (argc == 5 && !strcmp(argv[1], "stream"))
		return cmd_stream(argv[2], argv[3], atof(argv[4]));
	if ((argc == 6 || argc == 7) && !strcmp(argv[1], "dns"))
		return cmd_dns(argv[2], argv[3], atof(argv[4]), atoi(argv[5]),
			       argc == 7 ? argv[6] : NULL);
	return usage();
}
