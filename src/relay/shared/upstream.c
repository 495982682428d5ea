/* The router's server (upstream.h): one copy under a mutex, and its generation. */
#include "shared/upstream.h"
#include "shared/addr.h"
#include "shared/keys.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#define FILE_MAX 4096

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct upstream current;
static _Atomic unsigned generation;

int upstream_set(const struct upstream *u)
{
	pthread_mutex_lock(&lock);
	int changed = atomic_load(&generation) == 0 || memcmp(&current, u, sizeof current) != 0;
	if (changed) {
		memcpy(&current, u, sizeof current);
		atomic_fetch_add(&generation, 1);
	}
	pthread_mutex_unlock(&lock);
	return changed;
}

unsigned upstream_get(struct upstream *out)
{
	pthread_mutex_lock(&lock);
	memcpy(out, &current, sizeof *out);
	unsigned g = atomic_load(&generation);
	pthread_mutex_unlock(&lock);
	return g;
}

unsigned upstream_generation(void)
{
	return atomic_load_explicit(&generation, memory_order_acquire);
}

int upstream_load(const char *file, struct upstream *u, const char **why)
{
	char text[FILE_MAX + 1];
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, text, FILE_MAX + 1);
	if (fd >= 0)
		close(fd);
	if (n < 0 || n > FILE_MAX) {
		*why = n < 0 ? strerror(errno) : "longer than 4 KB";
		return -1;
	}
	text[n] = 0;
	/* The first line that is not a comment or blank: `<address>:<port> <key file>`. */
	char *save, *line = strtok_r(text, "\n", &save);
	while (line && (line[0] == '#' || strspn(line, " \t\r") == strlen(line)))
		line = strtok_r(NULL, "\n", &save);
	char *s2, *hostport = line ? strtok_r(line, " \t\r", &s2) : NULL, *key = hostport ? strtok_r(NULL, " \t\r", &s2) : NULL;
	struct upstream next;
	memset(&next, 0, sizeof next); /* compared whole by upstream_set: no stray bytes */
	if (!key || strtok_r(NULL, " \t\r", &s2)) {
		*why = "not `<address>:<port> <key file>`";
		return -1;
	}
	if (parse_hostport(hostport, 0, &next.addr, &next.len) < 0) {
		*why = "not a numeric address and port";
		return -1;
	}
	if ((*why = keys_from_file(key, &next.tcp, &next.udp)))
		return -1;
	memcpy(u, &next, sizeof *u);
	return 0;
}
