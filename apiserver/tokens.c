/* Join tokens in DATA_DIR/tls/join-tokens: create, list, delete, check, and
 * the `minikube token` command. See tokens.h for the file format. The file is
 * small (at most JOIN_TOKEN_MAX lines) and rewritten atomically (temp file +
 * rename), so a running server reading it never sees half a write. */
#define _GNU_SOURCE
#include "apiserver/tokens.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/crypto.h"
#include "common/pki.h"

#define TOKENS_FILE "tls/join-tokens"
#define TOKENS_MAX_LINE 512

static void sha256_text(const char *s, char out[65])
{
	sha256_hex(s, strlen(s), out);
}

static bool is_hex(const char *s, size_t len)
{
	if (strlen(s) != len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	return true;
}

static bool desc_valid(const char *d)
{
	if (strlen(d) > JOIN_TOKEN_MAX_DESC)
		return false;
	for (; *d; d++)
		if ((unsigned char)*d < 0x20 || *d == 0x7f)
			return false;
	return true;
}

/* One line into t; false when the line is malformed (then skipped). */
static bool token_line_parse(char *line, struct join_token_info *t)
{
	char *save = NULL, *id, *hash, *exp, *desc;
	line[strcspn(line, "\r\n")] = 0;
	if (!(id = strtok_r(line, " ", &save)) || !(hash = strtok_r(NULL, " ", &save)) ||
	    !(exp = strtok_r(NULL, " ", &save)))
		return false;
	desc = save ? save : "";
	if (!is_hex(id, JOIN_TOKEN_ID_LEN) || !is_hex(hash, 64) ||
	    strlen(desc) > JOIN_TOKEN_MAX_DESC)
		return false;
	memset(t, 0, sizeof *t);
	snprintf(t->id, sizeof t->id, "%s", id);
	snprintf(t->hash, sizeof t->hash, "%s", hash);
	snprintf(t->desc, sizeof t->desc, "%s", desc);
	t->expires = strtoll(exp, NULL, 10);
	return true;
}

static char *tokens_path(const char *data_dir)
{
	char *p;
	return asprintf(&p, "%s/" TOKENS_FILE, data_dir) < 0 ? NULL : p;
}

/* Reads every well-formed token; a missing file is an empty list. */
static int tokens_read(const char *data_dir, struct join_token_info **out, size_t *n)
{
	char *path = tokens_path(data_dir), line[TOKENS_MAX_LINE];
	FILE *f = path ? fopen(path, "re") : NULL;
	int rc = f || errno == ENOENT ? 0 : -errno;
	free(path);
	*n = 0;
	/* Room for one more, so create can append. */
	*out = calloc(JOIN_TOKEN_MAX + 1, sizeof **out);
	if (!*out || !f) {
		if (f)
			fclose(f);
		if (rc || !*out)
			free(*out), *out = NULL;
		return *out || rc ? rc : -ENOMEM;
	}
	while (*n < JOIN_TOKEN_MAX && fgets(line, sizeof line, f))
		if (token_line_parse(line, &(*out)[*n]))
			(*n)++;
	fclose(f);
	return 0;
}

static int tokens_write(const char *data_dir, const struct join_token_info *t, size_t n)
{
	char *path = tokens_path(data_dir), *tmp = NULL;
	int rc = 0, fd;
	FILE *f;
	if (!path || asprintf(&tmp, "%s.XXXXXX", path) < 0) {
		free(path);
		return -ENOMEM;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0 || fchmod(fd, 0600) < 0 || !(f = fdopen(fd, "w"))) {
		rc = -errno;
		if (fd >= 0)
			close(fd), unlink(tmp);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s %s %lld %s\n", t[i].id, t[i].hash, t[i].expires, t[i].desc);
	if (fflush(f) || fsync(fileno(f)))
		rc = -errno;
	if (fclose(f) && !rc)
		rc = -EIO;
	if (!rc && rename(tmp, path) < 0)
		rc = -errno;
	if (rc)
		unlink(tmp);
out:
	free(tmp);
	free(path);
	return rc;
}

static int ca_hash_read(const char *data_dir, char hash[65], char **err)
{
	char path[4096], pem[65536];
	snprintf(path, sizeof path, "%s/tls/ca.crt", data_dir);
	FILE *f = fopen(path, "re");
	if (!f)
		return asprintf(
			   err,
			   "cannot read %s (%s): start `minikube server --data-dir %s` once first",
			   path, strerror(errno), data_dir),
		       -ENOENT;
	size_t len = fread(pem, 1, sizeof pem - 1, f);
	fclose(f);
	pem[len] = 0;
	if (pki_cert_pem_hash(pem, hash) < 0)
		return asprintf(err, "%s holds no certificate", path), -EINVAL;
	return 0;
}

static bool id_taken(const struct join_token_info *t, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(t[i].id, id))
			return true;
	return false;
}

int join_token_create(const char *data_dir, long long ttl_s, const char *desc, char **token_out,
		      char **err)
{
	struct join_token_info *all = NULL;
	size_t n = 0;
	char ca[65], secret[JOIN_TOKEN_SECRET_LEN + 1];
	int rc;
	*token_out = NULL;
	if (!desc_valid(desc ? desc : ""))
		return asprintf(err, "--description must be at most %d printable characters",
				JOIN_TOKEN_MAX_DESC),
		       -EINVAL;
	if (ttl_s < 0)
		return asprintf(err, "--ttl must not be negative"), -EINVAL;
	if ((rc = ca_hash_read(data_dir, ca, err)))
		return rc;
	if ((rc = tokens_read(data_dir, &all, &n)))
		return asprintf(err, "cannot read the join tokens: %s", strerror(-rc)), rc;
	if (n >= JOIN_TOKEN_MAX) {
		free(all);
		return asprintf(err, "too many join tokens (%d): delete some first",
				JOIN_TOKEN_MAX),
		       -ENOSPC;
	}
	struct join_token_info *t = &all[n];
	do
		pki_random_hex(t->id, JOIN_TOKEN_ID_LEN / 2);
	while (id_taken(all, n, t->id));
	pki_random_hex(secret, JOIN_TOKEN_SECRET_LEN / 2);
	sha256_text(secret, t->hash);
	t->expires = ttl_s ? (long long)time(NULL) + ttl_s : 0;
	snprintf(t->desc, sizeof t->desc, "%s", desc ? desc : "");
	rc = tokens_write(data_dir, all, n + 1);
	if (rc == 0 && asprintf(token_out, "K10%s::%s.%s", ca, t->id, secret) < 0)
		rc = -ENOMEM, *token_out = NULL;
	else if (rc)
		asprintf(err, "cannot write %s/" TOKENS_FILE ": %s", data_dir, strerror(-rc));
	secure_zero(secret, sizeof secret);
	free(all);
	return rc;
}

int join_token_list(const char *data_dir, struct join_token_info **out, size_t *n, char **err)
{
	int rc = tokens_read(data_dir, out, n);
	if (rc)
		asprintf(err, "cannot read the join tokens in %s: %s", data_dir, strerror(-rc));
	return rc;
}

int join_token_delete(const char *data_dir, const char *id, char **err)
{
	struct join_token_info *all = NULL;
	size_t n = 0, kept = 0;
	int rc = tokens_read(data_dir, &all, &n);
	if (rc)
		return asprintf(err, "cannot read the join tokens: %s", strerror(-rc)), rc;
	for (size_t i = 0; i < n; i++)
		if (strcmp(all[i].id, id))
			all[kept++] = all[i];
	if (kept == n)
		rc = -ENOENT, asprintf(err, "no join token with id \"%s\"", id);
	else if ((rc = tokens_write(data_dir, all, kept)))
		asprintf(err, "cannot write the join tokens: %s", strerror(-rc));
	free(all);
	return rc;
}

int join_token_check(const char *data_dir, const char *id_secret, time_t now)
{
	char id[JOIN_TOKEN_ID_LEN + 1], hash[65];
	const char *dot = strchr(id_secret, '.');
	struct join_token_info *all = NULL;
	size_t n = 0;
	int rc = -EACCES;
	if (!dot || dot - id_secret != JOIN_TOKEN_ID_LEN || !is_hex(dot + 1, JOIN_TOKEN_SECRET_LEN))
		return -EACCES;
	memcpy(id, id_secret, JOIN_TOKEN_ID_LEN);
	id[JOIN_TOKEN_ID_LEN] = 0;
	sha256_text(dot + 1, hash);
	if (tokens_read(data_dir, &all, &n))
		return -EACCES;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(all[i].id, id) && ct_equal(all[i].hash, hash, 64))
			rc = all[i].expires && all[i].expires <= (long long)now ? -EKEYEXPIRED : 0;
	free(all);
	return rc;
}

int join_token_parse_ttl(const char *s, long long *out)
{
	long long total = 0;
	if (!s || !*s)
		return -EINVAL;
	if (!strcmp(s, "0"))
		return *out = 0, 0;
	while (*s) {
		char *end;
		errno = 0;
		long long v = strtoll(s, &end, 10);
		if (end == s || v < 0 || errno || v > 100LL * 365 * 86400)
			return -EINVAL;
		long long mul = *end == 'h'   ? 3600
				: *end == 'm' ? 60
				: *end == 's' ? 1
				: *end == 'd' ? 86400
					      : 0;
		if (!mul)
			return -EINVAL;
		total += v * mul;
		s = end + 1;
	}
	*out = total;
	return 0;
}

/* ---- `minikube token` ---- */

static void usage_token(FILE *out)
{
	fprintf(
	    out,
	    "Manage node join tokens (K10<CA sha256>::<id>.<secret>).\n\n"
	    "Usage:\n"
	    "  minikube token create [--ttl 24h] [--description TEXT] [--data-dir DIR]\n"
	    "  minikube token list [--data-dir DIR]\n"
	    "  minikube token delete ID [--data-dir DIR]\n\n"
	    "Flags:\n"
	    "  --data-dir DIR      the server's data directory (default /var/lib/minikube)\n"
	    "  --ttl DURATION      lifetime like 24h, 90m, 2h30m; 0 = never expires (default 24h)\n"
	    "  --description TEXT  shown by `token list`\n"
	    "  -h, --help          this help\n\n"
	    "The server's built-in token (printed at server start) always works.\n");
}

struct token_args {
	const char *data_dir, *ttl, *desc, *id;
};

static const char *arg_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);
	if (strncmp(argv[*i], name, n))
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] == 0 && *i + 1 < argc)
		return argv[++*i];
	return NULL;
}

static int token_args_parse(int argc, char **argv, struct token_args *a)
{
	for (int i = 2; i < argc; i++) {
		const char *v;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return usage_token(stdout), 1;
		else if ((v = arg_value(argc, argv, &i, "--data-dir")))
			a->data_dir = v;
		else if ((v = arg_value(argc, argv, &i, "--ttl")))
			a->ttl = v;
		else if ((v = arg_value(argc, argv, &i, "--description")))
			a->desc = v;
		else if (argv[i][0] != '-' && !a->id)
			a->id = argv[i];
		else
			return fprintf(stderr, "minikube token: unknown argument %s\n\n", argv[i]),
			       usage_token(stderr), -1;
	}
	return 0;
}

static int token_cmd_create(const struct token_args *a)
{
	long long ttl;
	char *tok = NULL, *err = NULL;
	if (join_token_parse_ttl(a->ttl, &ttl))
		return fprintf(stderr,
			       "minikube token create: invalid --ttl %s (like 24h, 90m, 0)\n",
			       a->ttl),
		       2;
	if (join_token_create(a->data_dir, ttl, a->desc, &tok, &err)) {
		fprintf(stderr, "minikube token create: %s\n", err ? err : "failed");
		free(err);
		return 1;
	}
	printf("%s\n", tok);
	secure_zero(tok, strlen(tok));
	free(tok);
	return 0;
}

static int token_cmd_list(const struct token_args *a)
{
	struct join_token_info *t = NULL;
	size_t n = 0;
	char *err = NULL;
	if (join_token_list(a->data_dir, &t, &n, &err)) {
		fprintf(stderr, "minikube token list: %s\n", err ? err : "failed");
		free(err);
		return 1;
	}
	printf("%-8s %-22s %s\n", "ID", "EXPIRES", "DESCRIPTION");
	for (size_t i = 0; i < n; i++) {
		char when[32] = "never";
		time_t e = (time_t)t[i].expires;
		struct tm tm;
		if (e && gmtime_r(&e, &tm))
			strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
		printf("%-8s %-22s %s%s\n", t[i].id, when, t[i].desc,
		       e && e <= time(NULL) ? " (expired)" : "");
	}
	free(t);
	return 0;
}

static int token_cmd_delete(const struct token_args *a)
{
	char *err = NULL;
	if (!a->id)
		return fprintf(stderr,
			       "minikube token delete: which token? (an ID from `token list`)\n"),
		       2;
	if (join_token_delete(a->data_dir, a->id, &err)) {
		fprintf(stderr, "minikube token delete: %s\n", err ? err : "failed");
		free(err);
		return 1;
	}
	printf("token %s deleted\n", a->id);
	return 0;
}

int join_token_cli(int argc, char **argv)
{
	struct token_args a = {.data_dir = "/var/lib/minikube", .ttl = "24h", .desc = ""};
	const char *sub = argc > 1 ? argv[1] : "";
	if (!strcmp(sub, "-h") || !strcmp(sub, "--help") || !strcmp(sub, "help"))
		return usage_token(stdout), 0;
	int rc = token_args_parse(argc, argv, &a);
	if (rc)
		return rc > 0 ? 0 : 2;
	if (!strcmp(sub, "create"))
		return token_cmd_create(&a);
	if (!strcmp(sub, "list"))
		return token_cmd_list(&a);
	if (!strcmp(sub, "delete"))
		return token_cmd_delete(&a);
	fprintf(stderr, "minikube token: unknown command \"%s\"\n\n", sub);
	usage_token(stderr);
	return 2;
}
