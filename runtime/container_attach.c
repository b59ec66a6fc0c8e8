/* runtime/container_attach.c — the client side of attach: connect to a
 * running container's monitor on DIR/attach.sock (SOCK_SEQPACKET, see
 * container.h) and send or receive one framed message. The monitor side
 * lives in container_monitor.c. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "runtime/container_internal.h"

/* sun_path holds 108 bytes: a longer state dir is reached through an
 * O_PATH descriptor of it (/proc/self/fd/N/attach.sock). */
static int connect_dir(const char *dir, int fd)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int dfd = -1;
	if (snprintf(a.sun_path, sizeof(a.sun_path), "%s/attach.sock", dir) >=
	    (int)sizeof(a.sun_path)) {
		dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0)
			return -errno;
		snprintf(a.sun_path, sizeof(a.sun_path), "/proc/self/fd/%d/attach.sock", dfd);
	}
	int r = connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ? -errno : 0;
	if (dfd >= 0)
		close(dfd);
	return r;
}

int rt_container_attach(struct rt *rt, const char *id, bool with_stdin, int *fd, char *err,
			size_t errlen)
{
	*fd = -1;
	struct rt_state st;
	int r = rt_container_state(rt, id, &st, err, errlen);
	if (r < 0)
		return r;
	if (st.status != RT_RUNNING)
		return rt_err(err, errlen, ENOTCONN, "container %s is %s, not running", id,
			      rt_status_string(st.status));
	char dir[600];
	rt_state_dir(rt, id, dir, sizeof(dir));
	int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s < 0)
		return rt_err(err, errlen, errno, "socket");
	r = connect_dir(dir, s);
	if (r < 0) {
		close(s);
		/* no socket (an older monitor) or the monitor just went away */
		return rt_err(err, errlen, ENOTCONN, "attach to %s: %s", id, strerror(-r));
	}
	/* announced while still blocking: the monitor reads it before output */
	if (with_stdin && send(s, "\0", 1, MSG_NOSIGNAL) != 1) {
		r = rt_err(err, errlen, errno, "attach to %s", id);
		close(s);
		return r;
	}
	fcntl(s, F_SETFL, fcntl(s, F_GETFL) | O_NONBLOCK);
	*fd = s;
	return 0;
}

ssize_t rt_attach_send(int fd, enum rt_attach_kind kind, const void *data, size_t n)
{
	uint8_t k = (uint8_t)kind;
	if (n > RT_ATTACH_STDIN_MAX)
		n = RT_ATTACH_STDIN_MAX;
	struct iovec iov[2] = {{&k, 1}, {(void *)data, n}};
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = n ? 2 : 1};
	for (;;) {
		ssize_t w = sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w >= 1)
			return (ssize_t)n;
		if (w < 0 && errno == EINTR)
			continue;
		return w < 0 ? -errno : -EIO;
	}
}

ssize_t rt_attach_recv(int fd, int *kind, char *buf, size_t cap)
{
	uint8_t k = 0;
	struct iovec iov[2] = {{&k, 1}, {buf, cap}};
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};
	*kind = -1;
	for (;;) {
		ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0; /* EOF: a message always has its kind byte */
		*kind = k;
		return n - 1;
	}
}
