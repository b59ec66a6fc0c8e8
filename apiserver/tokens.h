/* Node join tokens beyond the server's built-in one: `minikube token
 * create|list|delete` and the check the node-certificate endpoint makes.
 * Tokens live in DATA_DIR/tls/join-tokens (0600), one per line:
 *   <id> <sha256 hex of the secret> <expiry unix seconds, 0 = never> <description>
 * Only a hash of each secret is stored. The server re-reads the file on every
 * check, so tokens created or deleted while it runs take effect at once. */
#ifndef APISERVER_TOKENS_H
#define APISERVER_TOKENS_H

#include <stddef.h>
#include <time.h>

#define JOIN_TOKEN_ID_LEN 6	 /* hex digits */
#define JOIN_TOKEN_SECRET_LEN 16 /* hex digits */
#define JOIN_TOKEN_MAX_DESC 200
#define JOIN_TOKEN_MAX 1000 /* tokens in the file */

struct join_token_info {
	char id[JOIN_TOKEN_ID_LEN + 1];
	char hash[65];
	long long expires; /* unix seconds, 0 = never */
	char desc[JOIN_TOKEN_MAX_DESC + 1];
};

/* Creates a token valid for ttl_s seconds (0 = forever) and prints nothing:
 * *token_out (malloc'd) is "K10<ca sha256>::<id>.<secret>". */
int join_token_create(const char *data_dir, long long ttl_s, const char *desc, char **token_out,
		      char **err);
/* All tokens (secrets are never stored). *out malloc'd (caller frees). */
int join_token_list(const char *data_dir, struct join_token_info **out, size_t *n, char **err);
/* -ENOENT when no token has that id. */
int join_token_delete(const char *data_dir, const char *id, char **err);
/* Checks "<id>.<secret>": 0 when valid at now, -EKEYEXPIRED when expired,
 * -EACCES otherwise (unknown id, wrong secret, malformed). */
int join_token_check(const char *data_dir, const char *id_secret, time_t now);

/* Parses a duration like "24h", "90m", "30s", "2h30m", "0" into seconds;
 * -EINVAL when malformed. */
int join_token_parse_ttl(const char *s, long long *out);

/* `minikube token ...` */
int join_token_cli(int argc, char **argv);

#endif
