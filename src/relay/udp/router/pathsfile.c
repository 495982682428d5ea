/* Router: the --paths-file the daemon writes (and rewrites before a SIGHUP): one healthy
 * uplink per line, best first, `<name> <source address>`, then `metered` for an uplink whose
 * bytes cost (paths.c sends it no keepalives while it carries nothing). Read by the main thread; the UDP
 * thread applies the result (paths.c). */
#include "udp/router/router.h"
#include "shared/util.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define FILE_MAX 65536

/* Names go into the stats file's JSON unescaped: only what interface names are made of. */
static int name_ok(const char *s, size_t n)
{
	if (n == 0 || n > 31)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("_.-@:+", c)))
			return 0;
	}
	return 1;
}

/* FNV-1a: a file whose text did not change is not complained about again. */
static uint32_t text_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 16777619u;
	return h;
}

static void parse_line(char *line, int no, int family, int say, struct path_list *out)
{
	char *save, *name = strtok_r(line, " \t\r", &save), *addr = name ? strtok_r(NULL, " \t\r", &save) : NULL;
	if (!name || name[0] == '#')
		return;
	struct dest d = { 0 };
	if (addr && inet_pton(AF_INET, addr, d.addr) == 1)
		d.family = 4;
	else if (addr && inet_pton(AF_INET6, addr, d.addr) == 1)
		d.family = 6;
	dest_normalize(&d);
	char *flag = addr ? strtok_r(NULL, " \t\r", &save) : NULL;
	int metered = flag && !strcmp(flag, "metered");
	const char *why = !addr || !d.family || (flag && !metered) || strtok_r(NULL, " \t\r", &save) ? "not `<name> <address> [metered]`"
			  : !name_ok(name, strlen(name))	     ? "a bad uplink name"
			  : d.family != family			     ? "not of the server's address family"
			  : out->n == MAX_PATHS			     ? "one path too many"
								     : NULL;
	for (int i = 0; !why && i < out->n; i++)
		if (dest_equal(&out->p[i].src, &d))
			why = "a source address given twice";
	if (why) {
		if (say)
			logmsg("paths file, line %d: %s: ignored", no, why);
		return;
	}
	memcpy(out->p[out->n].name, name, strlen(name) + 1);
	out->p[out->n].metered = (uint8_t)metered;
	out->p[out->n++].src = d;
}

int paths_load(const char *file, int family, struct path_list *out)
{
	static uint32_t last = 1; /* no text hashes to 1 in practice; the first read always speaks */
	static char text[FILE_MAX + 1];
	out->n = 0;
	if (!file)
		return 0;
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, text, FILE_MAX);
	int err = errno;
	if (fd >= 0)
		close(fd);
	if (n < 0) {
		if (last != 0)
			logmsg("paths file %s: %s: UDP leaves by the routing table's choice", file, strerror(err));
		last = 0;
		return 0;
	}
	text[n] = 0;
	uint32_t h = text_hash(text, (size_t)n);
	int say = h != last;
	last = h;
	int no = 0;
	for (char *line = text, *next; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		parse_line(line, ++no, family, say, out);
	}
	return out->n;
}
