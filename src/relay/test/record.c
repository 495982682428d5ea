/* C unit tests of the router's records (tcp/record.c): any split of the stream into reads, as
 * rec_want allows them, gives back the bytes and the end; a record too long is refused. */
#include "test/check.h"
#include "tcp/tcp.h"
#include <string.h>

/* Feeds `stream` to a reader in reads of at most `step` bytes; returns the payload gathered. */
static size_t read_all(const uint8_t *stream, size_t n, size_t step, struct half *h, uint8_t *out, int *bad)
{
	size_t at = 0, got = 0;
	*bad = 0;
	while (at < n && !h->eof) {
		size_t want = rec_want(h, step);
		size_t take = want < n - at ? want : n - at;
		uint8_t buf[64];
		memcpy(buf, stream + at, take);
		ssize_t p = rec_take(h, buf, take);
		if (p < 0) {
			*bad = 1;
			return got;
		}
		memcpy(out + got, buf, (size_t)p); /* the payload stays at the start of the read */
		got += (size_t)p, at += take;
	}
	return got;
}

void test_records(void)
{
	uint8_t stream[64], out[64];
	size_t n = 0;
	rec_head(stream + n, 3), memcpy(stream + n + REC_HEAD, "abc", 3), n += REC_HEAD + 3;
	rec_head(stream + n, 11), memcpy(stream + n + REC_HEAD, "hello world", 11), n += REC_HEAD + 11;
	rec_head(stream + n, 0), n += REC_HEAD;
	CHECK(n == 26 && !memcmp(stream, "\0\0\0\3abc\0\0\0\x0bhello", 12));
	for (size_t step = 1; step <= 40; step++) {
		struct half h = { 0 };
		int bad;
		size_t got = read_all(stream, n, step, &h, out, &bad);
		CHECK(!bad && h.eof && got == 14 && !memcmp(out, "abchello world", 14) && !h.rec_left && !h.rec_have);
	}
	struct half h = { 0 };
	CHECK(rec_want(&h, 1000) == REC_HEAD);
	uint8_t head[REC_HEAD];
	rec_head(head, 100);
	CHECK(rec_take(&h, head, 2) == 0 && rec_want(&h, 1000) == 2 && rec_take(&h, head + 2, 2) == 0);
	CHECK(h.rec_left == 100 && rec_want(&h, 1000) == 104 && rec_want(&h, 50) == 50 && !h.eof);
	struct half big = { 0 };
	rec_head(head, REC_MAX + 1);
	CHECK(rec_take(&big, head, REC_HEAD) < 0);
	rec_head(head, REC_MAX);
	CHECK(rec_take(&big, head, REC_HEAD) == 0 && big.rec_left == REC_MAX);
}
