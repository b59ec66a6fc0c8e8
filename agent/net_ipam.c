/* agent/net_ipam.c — pod addresses from the node's pod CIDR, one file per
 * allocated address under DATA_DIR/agent/ipam (see net.h). O_EXCL creation
 * makes an allocation atomic; the files outlive the agent, so pods keep
 * their addresses across restarts and net_ipam_gc frees what belonged to
 * pods that went away meanwhile. Like the CNI host-local plugin, allocation
 * continues after the last address handed out, so a freed address is the
 * last to be reused. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/agent_internal.h"
#include "agent/net.h"

#define IPAM_FILE_MAX 2048
#define IPAM_LAST "last"

static int parse_cidr(const char *cidr, uint32_t *base, uint32_t *size, int *prefix)
{
	char ip[NET_IP_MAX];
	int bits;
	struct in_addr a;
	if (!cidr || sscanf(cidr, "%45[^/]/%d", ip, &bits) != 2 || bits < 8 || bits > 30 ||
	    inet_pton(AF_INET, ip, &a) != 1)
		return -EINVAL;
	uint32_t mask = ~0u << (32 - bits);
	*base = ntohl(a.s_addr) & mask;
	*size = ~mask + 1;
	*prefix = bits;
	return 0;
}

static void ip_text(uint32_t host, char out[NET_IP_MAX])
{
	struct in_addr a = {htonl(host)};
	inet_ntop(AF_INET, &a, out, NET_IP_MAX);
}

/* An address of the range that may be handed out: not the network, the
 * gateway nor the broadcast address. */
static bool ip_usable(const struct net_ipam *im, const char *name, uint32_t *host)
{
	struct in_addr a;
	if (inet_pton(AF_INET, name, &a) != 1)
		return false;
	uint32_t h = ntohl(a.s_addr);
	if (host)
		*host = h;
	return h - im->base >= 2 && h - im->base < im->size - 1;
}

int net_cidr_parse(const char *cidr, char network[NET_IP_MAX], int *prefix)
{
	uint32_t base, size;
	int rc = parse_cidr(cidr, &base, &size, prefix);
	if (rc == 0)
		ip_text(base, network);
	return rc;
}

static bool owner_valid(const char *owner)
{
	size_t n = owner ? strlen(owner) : 0;
	return n > 0 && n < 64 &&
	       strspn(owner, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") ==
		   n;
}

int net_ipam_open(struct net_ipam *im, const char *dir, const char *cidr)
{
	memset(im, 0, sizeof *im);
	if (parse_cidr(cidr, &im->base, &im->size, &im->prefix))
		return -EINVAL;
	if (snprintf(im->dir, sizeof im->dir, "%s", dir) >= (int)sizeof im->dir)
		return -ENAMETOOLONG;
	return agent_mkdir_p(im->dir, 0700);
}

void net_ipam_gateway(const struct net_ipam *im, char out[NET_IP_MAX])
{
	ip_text(im->base + 1, out);
}

/* The file's first line (the owner) into owner and the rest into extra. */
static int ipam_read(const struct net_ipam *im, const char *name, char owner[64], char *extra,
		     size_t elen)
{
	char path[1100], buf[IPAM_FILE_MAX];
	snprintf(path, sizeof path, "%s/%s", im->dir, name);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	ssize_t r = read(fd, buf, sizeof buf - 1);
	if (r < 0)
		return -errno;
	buf[r] = 0;
	char *nl = strchr(buf, '\n');
	if (nl)
		*nl = 0;
	snprintf(owner, 64, "%s", strlen(buf) < 64 ? buf : "");
	if (extra)
		snprintf(extra, elen, "%s", nl ? nl + 1 : "");
	return 0;
}

void net_ipam_foreach(const struct net_ipam *im,
		      void (*fn)(void *ud, const char *ip, const char *owner, const char *extra),
		      void *ud)
{
	DIR *d = opendir(im->dir);
	struct dirent *e;
	char owner[64], extra[IPAM_FILE_MAX];
	while (d && (e = readdir(d)))
		if (ip_usable(im, e->d_name, NULL) &&
		    ipam_read(im, e->d_name, owner, extra, sizeof extra) == 0)
			fn(ud, e->d_name, owner, extra);
	if (d)
		closedir(d);
}

struct find_ctx {
	const char *owner;
	char *ip;
	bool found;
};

static void find_owner(void *ud, const char *ip, const char *owner, const char *extra)
{
	struct find_ctx *f = ud;
	(void)extra;
	if (!f->found && !strcmp(owner, f->owner)) {
		snprintf(f->ip, NET_IP_MAX, "%s", ip);
		f->found = true;
	}
}

int net_ipam_lookup(const struct net_ipam *im, const char *owner, char ip[NET_IP_MAX])
{
	struct find_ctx f = {.owner = owner, .ip = ip};
	if (!owner_valid(owner))
		return -EINVAL;
	net_ipam_foreach(im, find_owner, &f);
	return f.found ? 0 : -ENOENT;
}

static uint32_t last_read(const struct net_ipam *im)
{
	char path[1100], buf[NET_IP_MAX];
	uint32_t h;
	snprintf(path, sizeof path, "%s/" IPAM_LAST, im->dir);
	if (agent_read_small(path, buf, sizeof buf) <= 0 || !ip_usable(im, buf, &h))
		return im->base + 1; /* so the first is base + 2 */
	return h;
}

static void last_write(const struct net_ipam *im, const char *ip)
{
	char path[1100], tmp[1110];
	snprintf(path, sizeof path, "%s/" IPAM_LAST, im->dir);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	FILE *f = fopen(tmp, "we");
	if (!f)
		return;
	int bad = fprintf(f, "%s\n", ip) < 0;
	if (fclose(f) || bad || rename(tmp, path))
		unlink(tmp); /* a hint only: allocation stays correct without it */
}

/* Claims ip for owner: -EEXIST when it is taken. */
static int ipam_claim(const struct net_ipam *im, const char *ip, const char *owner,
		      const char *extra)
{
	char path[1100];
	snprintf(path, sizeof path, "%s/%s", im->dir, ip);
	_cleanup_close_ int fd =
	    open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	char buf[IPAM_FILE_MAX];
	int n = snprintf(buf, sizeof buf, "%s\n%s", owner, extra ? extra : "");
	if (n < 0 || n >= (int)sizeof buf || write(fd, buf, (size_t)n) != n) {
		unlink(path);
		return n >= (int)sizeof buf ? -E2BIG : -EIO;
	}
	return 0;
}

int net_ipam_alloc(struct net_ipam *im, const char *owner, const char *extra, char ip[NET_IP_MAX])
{
	if (!owner_valid(owner))
		return -EINVAL;
	if (net_ipam_lookup(im, owner, ip) == 0)
		return 0;
	uint32_t first = im->base + 2, n = im->size - 3; /* usable addresses */
	uint32_t start = last_read(im) + 1 - first;
	for (uint32_t k = 0; k < n; k++) {
		ip_text(first + (start + k) % n, ip);
		int rc = ipam_claim(im, ip, owner, extra);
		if (rc == 0) {
			last_write(im, ip);
			return 0;
		}
		if (rc != -EEXIST)
			return rc;
	}
	ip[0] = 0;
	return -ENOSPC;
}

struct release_ctx {
	struct net_ipam *im;
	const char *owner;
	bool (*keep)(void *ud, const char *owner);
	void *ud;
	int freed, rc;
};

static void release_one(void *ud, const char *ip, const char *owner, const char *extra)
{
	struct release_ctx *r = ud;
	char path[1100];
	(void)extra;
	bool drop =
	    r->owner ? !strcmp(owner, r->owner) : !owner_valid(owner) || !r->keep(r->ud, owner);
	if (!drop)
		return;
	snprintf(path, sizeof path, "%s/%s", r->im->dir, ip);
	if (unlink(path) == 0)
		r->freed++;
	else if (errno != ENOENT)
		r->rc = -errno;
}

int net_ipam_release(struct net_ipam *im, const char *owner)
{
	if (!owner_valid(owner))
		return -EINVAL;
	struct release_ctx r = {.im = im, .owner = owner};
	net_ipam_foreach(im, release_one, &r);
	return r.rc;
}

int net_ipam_gc(struct net_ipam *im, bool (*keep)(void *ud, const char *owner), void *ud)
{
	struct release_ctx r = {.im = im, .keep = keep, .ud = ud};
	net_ipam_foreach(im, release_one, &r);
	return r.freed;
}
