/* runtime/log_cri.c — container logs in the CRI format kubelet reads:
 *   2006-01-02T15:04:05.000000000Z stdout F a full line
 *   2006-01-02T15:04:05.000000000Z stderr P part of a line longer than 16 KiB
 * The writer (used by the per-container monitor) splits output into lines per
 * stream and rotates by size (path.1 ... path.N-1, newest first). The reader
 * turns the records back into the bytes the container wrote. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "runtime/container_internal.h"

#define LOG_LINE_MAX 16384

size_t rt_log_format(char *out, size_t cap, int64_t ns, int stream, bool partial, const char *data,
		     size_t n)
{
	time_t sec = (time_t)(ns / 1000000000);
	struct tm tm;
	gmtime_r(&sec, &tm);
	int h = snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ %s %c ",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			 tm.tm_sec, (long long)(ns % 1000000000), stream ? "stderr" : "stdout",
			 partial ? 'P' : 'F');
	if (h < 0 || (size_t)h + 2 > cap)
		return 0; /* no room for the header and the newline */
	size_t len = (size_t)h;
	if (n > cap - len - 2)
		n = cap - len - 2;
	memcpy(out + len, data, n);
	len += n;
	out[len++] = '\n';
	out[len] = 0;
	return len;
}

static int open_log(struct rt_log_writer *w, bool truncate)
{
	w->fd = open(w->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (truncate ? O_TRUNC : 0),
		     0640);
	if (w->fd < 0)
		return -errno;
	struct stat st;
	w->size = fstat(w->fd, &st) == 0 ? (uint64_t)st.st_size : 0;
	return 0;
}

int rt_log_open(struct rt_log_writer *w, const char *path, uint64_t max_size, int max_files)
{
	/* not memset: the 2 x 16 KiB line buffers stay untouched (no resident
	 * pages) until the container prints something */
	w->fd = -1;
	w->size = 0;
	w->line_len[0] = w->line_len[1] = 0;
	if (snprintf(w->path, sizeof(w->path), "%s", path) >= (int)sizeof(w->path))
		return -ENAMETOOLONG;
	w->max_size = max_size ? max_size : 10u << 20;
	w->max_files = max_files > 0 ? (max_files > 64 ? 64 : max_files) : 5;
	return open_log(w, false);
}

static void rotate(struct rt_log_writer *w)
{
	char from[600], to[600];
	close(w->fd);
	w->fd = -1;
	for (int i = w->max_files - 1; i >= 1; i--) {
		snprintf(to, sizeof(to), "%s.%d", w->path, i);
		if (i == w->max_files - 1)
			unlink(to);
		if (i > 1)
			snprintf(from, sizeof(from), "%s.%d", w->path, i - 1);
		else
			snprintf(from, sizeof(from), "%s", w->path);
		rename(from, to);
	}
	if (w->max_files <= 1)
		unlink(w->path);
	open_log(w, true);
}

static void write_record(struct rt_log_writer *w, int stream, bool partial, const char *data,
			 size_t n)
{
	char rec[LOG_LINE_MAX + 128];
	if (w->fd < 0)
		return;
	size_t len = rt_log_format(rec, sizeof(rec), rt_now_ns(), stream, partial, data, n);
	for (size_t off = 0; off < len;) {
		ssize_t r = write(w->fd, rec + off, len - off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return; /* disk full: drop the record, keep the container running */
		off += (size_t)r;
	}
	w->size += len;
	if (w->size >= w->max_size)
		rotate(w);
}

void rt_log_feed(struct rt_log_writer *w, int stream, const char *data, size_t n)
{
	if (w->fd < 0)
		return; /* no log (or it could not be reopened at a rotation) */
	stream = stream ? 1 : 0;
	char *line = w->line[stream];
	size_t *len = &w->line_len[stream];
	size_t cap = sizeof(w->line[stream]);
	for (size_t i = 0; i < n; i++) {
		if (data[i] == '\n') {
			write_record(w, stream, false, line, *len);
			*len = 0;
			continue;
		}
		line[(*len)++] = data[i];
		if (*len == cap) {
			write_record(w, stream, true, line, *len);
			*len = 0;
		}
	}
}

void rt_log_flush(struct rt_log_writer *w)
{
	for (int s = 0; s < 2; s++) {
		if (w->line_len[s])
			write_record(w, s, false, w->line[s], w->line_len[s]);
		w->line_len[s] = 0;
	}
}

void rt_log_close(struct rt_log_writer *w)
{
	rt_log_flush(w);
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t r = write(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -errno;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* "TS STREAM TAG content": writes content (+ '\n' for F) to the stream's fd. */
static void dump_line(char *line, size_t len, int out_fd, int err_fd)
{
	if (len && line[len - 1] == '\n')
		line[--len] = 0;
	char *s1 = memchr(line, ' ', len);
	char *s2 = s1 ? memchr(s1 + 1, ' ', len - (size_t)(s1 + 1 - line)) : NULL;
	char *s3 = s2 ? memchr(s2 + 1, ' ', len - (size_t)(s2 + 1 - line)) : NULL;
	if (!s3)
		return; /* not a CRI record */
	int fd = !strncmp(s1 + 1, "stderr ", 7) ? err_fd : out_fd;
	bool full = s2[1] == 'F';
	char *content = s3 + 1;
	size_t clen = len - (size_t)(content - line);
	if (full)
		content[clen++] = '\n'; /* replaces the NUL / newline we removed */
	write_all(fd, content, clen);
}

static int dump_file(const char *path, int out_fd, int err_fd)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return -errno;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, f)) > 0) {
		if ((size_t)n + 1 > cap) /* dump_line may append one byte */
			continue;
		dump_line(line, (size_t)n, out_fd, err_fd);
	}
	free(line);
	fclose(f);
	return 0;
}

int rt_log_dump(const char *log_path, int out_fd, int err_fd, char *err, size_t errlen)
{
	char p[600];
	for (int i = 64; i >= 1; i--) {
		snprintf(p, sizeof(p), "%s.%d", log_path, i);
		if (access(p, R_OK) == 0)
			dump_file(p, out_fd, err_fd);
	}
	int r = dump_file(log_path, out_fd, err_fd);
	if (r < 0)
		return rt_err(err, errlen, -r, "read log %s", log_path);
	return 0;
}
