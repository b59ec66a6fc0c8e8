/* runtime/container_user.c — resolving an image/OCI user ("uid", "uid:gid",
 * "name", "name:group") against the container's own /etc/passwd and
 * /etc/group (never the host's), looked up through the layers from the top.
 * Files are opened component by component with O_NOFOLLOW so a symlinked
 * /etc/passwd in an image cannot make us read a host file. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "runtime/container_internal.h"

static FILE *open_etc(const char *const *dirs, size_t n, const char *name)
{
	for (size_t i = n; i-- > 0;) {
		int d = open(dirs[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (d < 0)
			continue;
		int etc = openat(d, "etc", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(d);
		if (etc < 0)
			continue;
		int f = openat(etc, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		close(etc);
		if (f >= 0)
			return fdopen(f, "re");
	}
	return NULL;
}

static bool parse_id(const char *s, unsigned long *out)
{
	if (!*s)
		return false;
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (*end || errno || v > 0x7fffffff || s[0] == '-')
		return false;
	*out = v;
	return true;
}

/* Splits "a:b:c:..." of one passwd/group line into at most max fields. */
static int split(char *line, char **f, int max)
{
	int n = 0;
	line[strcspn(line, "\n")] = 0;
	for (char *p = line; n < max;) {
		f[n++] = p;
		p = strchr(p, ':');
		if (!p)
			break;
		*p++ = 0;
	}
	return n;
}

struct pw {
	bool found;
	unsigned long uid, gid;
	char name[64], home[256];
};

static void find_passwd(const char *const *dirs, size_t n, const char *user, bool numeric,
			unsigned long uid, struct pw *pw)
{
	FILE *f = open_etc(dirs, n, "passwd");
	char line[1024];
	while (f && fgets(line, sizeof(line), f)) {
		char *fl[7];
		unsigned long u, g;
		if (split(line, fl, 7) < 7 || !parse_id(fl[2], &u) || !parse_id(fl[3], &g))
			continue;
		if (numeric ? u != uid : strcmp(fl[0], user))
			continue;
		pw->found = true;
		pw->uid = u;
		pw->gid = g;
		snprintf(pw->name, sizeof(pw->name), "%s", fl[0]);
		snprintf(pw->home, sizeof(pw->home), "%s", fl[5]);
		break;
	}
	if (f)
		fclose(f);
}

static bool member(char *list, const char *name)
{
	for (char *save = NULL, *m = strtok_r(list, ",", &save); m; m = strtok_r(NULL, ",", &save))
		if (!strcmp(m, name))
			return true;
	return false;
}

/* Looks a group up by name (fills *gid) and collects the user's groups. */
static int scan_groups(const char *const *dirs, size_t n, const char *group, gid_t *gid,
		       const char *user, gid_t *groups, size_t max, size_t *ng)
{
	FILE *f = open_etc(dirs, n, "group");
	bool found = !group;
	char line[4096];
	while (f && fgets(line, sizeof(line), f)) {
		char *fl[4];
		unsigned long g;
		if (split(line, fl, 4) < 4 || !parse_id(fl[2], &g))
			continue;
		if (group && !strcmp(fl[0], group)) {
			*gid = (gid_t)g;
			found = true;
		}
		if (user && *user && member(fl[3], user) && *ng < max)
			groups[(*ng)++] = (gid_t)g;
	}
	if (f)
		fclose(f);
	return found ? 0 : -ENOENT;
}

int rt_user_resolve(const char *const *dirs, size_t n_dirs, const char *user, uid_t *uid,
		    gid_t *gid, gid_t *groups, size_t max_groups, size_t *n_groups, char *home,
		    size_t home_len, char *err, size_t errlen)
{
	char u[256], *g = NULL;
	*n_groups = 0;
	if (!user || !*user)
		user = "0";
	if (snprintf(u, sizeof(u), "%s", user) >= (int)sizeof(u))
		return rt_err(err, errlen, EINVAL, "user name too long");
	if ((g = strchr(u, ':')))
		*g++ = 0;
	unsigned long id;
	bool numeric = parse_id(u, &id);
	struct pw pw = {0};
	find_passwd(dirs, n_dirs, u, numeric, numeric ? id : 0, &pw);
	if (!numeric && !pw.found)
		return rt_err(err, errlen, ENOENT,
			      "unable to find user %s: no matching entries in passwd file", u);
	*uid = (uid_t)(numeric ? id : pw.uid);
	*gid = (gid_t)(pw.found ? pw.gid : 0);
	if (home && home_len)
		snprintf(home, home_len, "%s", pw.found && pw.home[0] ? pw.home : "/");
	unsigned long gv;
	bool gnum = g && parse_id(g, &gv);
	if (gnum)
		*gid = (gid_t)gv;
	int r = scan_groups(dirs, n_dirs, g && !gnum ? g : NULL, gid, pw.found ? pw.name : NULL,
			    groups, max_groups, n_groups);
	if (r < 0)
		return rt_err(err, errlen, ENOENT, "unable to find group %s", g);
	return 0;
}
