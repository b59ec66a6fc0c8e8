/* libFuzzer target: raw bytes as an HTTP request through the real request
 * path (socket, llhttp, routing, body decoding, REST handler, SQLite store) of
 * a control plane running in plain-HTTP mode on loopback. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "apiserver/apiserver.h"

static int server_port;

static void *server_thread(void *arg)
{
	(void)arg;
	uv_loop_t loop;
	uv_loop_init(&loop);
	char dir[] = "/tmp/minikube-fuzz-XXXXXX";
	if (!mkdtemp(dir))
		abort();
	struct cp_config cfg;
	cp_config_defaults(&cfg);
	cfg.data_dir = strdup(dir);
	cfg.bind_address = strdup("127.0.0.1");
	cfg.port = 0;
	cfg.plain_http = true;
	struct cp *cp;
	char *err = NULL;
	if (cp_start(&loop, &cfg, &cp, &err)) {
		fprintf(stderr, "fuzz: cannot start: %s\n", err);
		abort();
	}
	cp_config_free(&cfg);
	__atomic_store_n(&server_port, cp_port(cp), __ATOMIC_RELEASE);
	uv_run(&loop, UV_RUN_DEFAULT);
	return NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	pthread_t t;
	pthread_create(&t, NULL, server_thread, NULL);
	while (!__atomic_load_n(&server_port, __ATOMIC_ACQUIRE))
		usleep(1000);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)server_port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
		close(fd);
		return 0;
	}
	size_t off = 0;
	while (off < size) {
		ssize_t w = send(fd, data + off, size - off, MSG_NOSIGNAL);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	shutdown(fd, SHUT_WR);
	char buf[65536];
	struct pollfd p = {.fd = fd, .events = POLLIN};
	/* Read until the server closes (or 2 s pass: watches stay open). */
	while (poll(&p, 1, 2000) > 0 && read(fd, buf, sizeof buf) > 0)
		;
	close(fd);
	return 0;
}
