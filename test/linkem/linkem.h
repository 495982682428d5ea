/* linkem: a user-space link emulator for mpwan's namespace tests and bench (README.md).
 * Frames read from one veth by an AF_PACKET ring are held until their departure time and
 * written to the other veth; each direction has its own rate, delay, jitter, loss and queue. */
#ifndef LINKEM_H
#define LINKEM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NS_PER_MS 1000000LL
#define NS_PER_S 1000000000LL
/* Largest frame held: an MTU of 9000 plus the Ethernet header. Larger (GSO) frames are dropped
 * and counted as oversize: turn GSO/TSO/GRO off on the veths. */
#define MAX_FRAME 9018
/* Frames held per direction, in bytes (a guard against memory use, not a model of the link). */
#define MAX_HELD (64u << 20)

enum { UP, DOWN, NDIRS }; /* UP: --a -> --b (router -> internet), DOWN: --b -> --a */

/* What one direction does to the frames that cross it. */
struct settings {
	uint64_t rate_bps;      /* 0: unlimited */
	uint32_t overhead;      /* bytes counted per frame on top of its length (rate only) */
	int64_t delay_ns;       /* one-way delay after the frame is serialized */
	int64_t jitter_ns;      /* delay varies uniformly within delay +- jitter ... */
	int64_t jitter_every_ns; /* ... drawn anew this often (0: for every frame) */
	bool reorder;           /* let a frame overtake one that drew a longer delay */
	double loss;            /* probability each frame is lost, independently */
	double burst_loss;      /* Gilbert-Elliott: long-run share lost in bursts (a burst loses every frame) ... */
	double burst_len;       /* ... mean frames per burst, or */
	int64_t burst_ns;       /* ... (when non-zero) mean time per burst: an outage, as on a satellite handover */
	int64_t queue_ns;       /* with a rate: drop a frame that would wait longer to be sent ... */
	uint64_t queue_bytes;   /* ... or that would find more bytes queued (when non-zero) */
};

struct counters {
	uint64_t frames, bytes;           /* arrived */
	uint64_t sent, sent_bytes;        /* delivered to the other side */
	uint64_t lost, burst_lost, queue_drops, oversize, overflow, tx_errors, tx_busy;
	int64_t late_max_ns;     /* latest departure after its time (beyond half a tick) */
	int64_t read_lag_max_ns; /* longest a frame waited in the ring before the loop saw it */
};

struct frame {
	struct frame *next, *prev;
	int64_t due; /* CLOCK_MONOTONIC ns */
	uint32_t len;
	unsigned char data[];
};

/* One direction's state: the model (pure, model.c) and its queue of held frames. */
struct dir {
	struct settings s;
	uint64_t rng;
	int64_t link_free;    /* when the serializer is done with what it has */
	int64_t last_due;     /* latest departure given so far (frames never overtake it) */
	int64_t jitter_now, jitter_next;
	bool bad;             /* Gilbert-Elliott state */
	int64_t bad_switch;   /* bursts in time: when the state changes next */
	struct frame *head, *tail; /* by departure time */
	uint64_t held;        /* bytes */
	struct counters c;
};

/* model.c */
void dir_init(struct dir *d, uint64_t seed);
/* The departure time (ns) of a frame of `len` bytes arriving at `now`, or -1 if it is dropped
 * (the reason is counted). */
int64_t dir_admit(struct dir *d, int64_t now, uint32_t len);
void dir_insert(struct dir *d, struct frame *f);
struct frame *dir_pop_due(struct dir *d, int64_t until);
double rng_unit(uint64_t *state);

/* settings.c: "[up|down|both] key value ..." (README.md); returns NULL or an error message
 * written to err. `s` holds both directions and is changed only when the whole text is valid. */
const char *settings_parse(struct settings s[NDIRS], int argc, char **argv, char *err, size_t errlen);
int settings_format(const struct settings *s, char *out, size_t len);
void settings_default(struct settings *s);

/* ring.c: an AF_PACKET socket on one device, receiving through a TPACKET_V3 ring. */
struct port {
	int fd;
	int ifindex;
	unsigned char *map;
	size_t map_len;
	unsigned block_size, nblocks, cur;
};
int port_open(struct port *p, const char *dev, char *err, size_t errlen);
void port_close(struct port *p);
/* Calls fn for every frame the ring holds now, with its arrival time (CLOCK_MONOTONIC ns). */
void port_drain(struct port *p, void (*fn)(void *arg, const unsigned char *data, uint32_t len, uint32_t wire_len, int64_t at), void *arg);
#define PORT_BATCH 64
/* Sends up to n (at most PORT_BATCH) frames in one syscall; returns how many went, and in *err why the next did not. */
int port_send(struct port *p, const unsigned char *const *data, const uint32_t *len, int n, int *err);

int64_t mono_ns(void);

#endif
