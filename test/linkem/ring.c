/* AF_PACKET on one veth: frames in through a TPACKET_V3 ring (few wakeups at any rate), frames
 * out by send() past the qdisc. The kernel stamps each frame when it arrives, so a frame's
 * departure is reckoned from then, not from when the loop got to it. */
#include "linkem.h"
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

enum { BLOCK_SIZE = 1 << 18, NBLOCKS = 64, BLOCK_TIMEOUT_MS = 1 };

int64_t mono_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * NS_PER_S + t.tv_nsec;
}

static int64_t real_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (int64_t)t.tv_sec * NS_PER_S + t.tv_nsec;
}

int port_open(struct port *p, const char *dev, char *err, size_t errlen)
{
	*p = (struct port){ .fd = -1 };
	const char *what = "socket";
	int one = 1, v3 = TPACKET_V3;
	p->ifindex = (int)if_nametoindex(dev);
	if (p->ifindex == 0) {
		snprintf(err, errlen, "%s: no such device", dev);
		return -1;
	}
	p->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (p->fd < 0)
		goto fail;
	struct tpacket_req3 req = {
		.tp_block_size = BLOCK_SIZE, .tp_block_nr = NBLOCKS,
		.tp_frame_size = 2048, .tp_frame_nr = BLOCK_SIZE / 2048 * NBLOCKS,
		.tp_retire_blk_tov = BLOCK_TIMEOUT_MS,
	};
	what = "ring";
	/* Our own sends would show up as outgoing frames of this device. */
	if (setsockopt(p->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one) < 0 ||
	    setsockopt(p->fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one) < 0 ||
	    setsockopt(p->fd, SOL_PACKET, PACKET_VERSION, &v3, sizeof v3) < 0 ||
	    setsockopt(p->fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof req) < 0)
		goto fail;
	p->block_size = BLOCK_SIZE;
	p->nblocks = NBLOCKS;
	p->map_len = (size_t)BLOCK_SIZE * NBLOCKS;
	p->map = mmap(NULL, p->map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_LOCKED, p->fd, 0);
	if (p->map == MAP_FAILED)
		p->map = mmap(NULL, p->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, p->fd, 0);
	if (p->map == MAP_FAILED) {
		p->map = NULL;
		goto fail;
	}
	what = "bind";
	struct sockaddr_ll a = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL), .sll_ifindex = p->ifindex };
	if (bind(p->fd, (struct sockaddr *)&a, sizeof a) < 0)
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "%s: %s: %s", dev, what, strerror(errno));
	port_close(p);
	return -1;
}

void port_close(struct port *p)
{
	if (p->map)
		munmap(p->map, p->map_len);
	if (p->fd >= 0)
		close(p->fd);
	p->map = NULL;
	p->fd = -1;
}

void port_drain(struct port *p, void (*fn)(void *, const unsigned char *, uint32_t, uint32_t, int64_t), void *arg)
{
	for (;;) {
		struct tpacket_block_desc *b = (void *)(p->map + (size_t)p->cur * p->block_size);
		if (!(__atomic_load_n(&b->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER))
			return;
		/* Ring stamps are CLOCK_REALTIME; the loop runs on CLOCK_MONOTONIC. A stamp that is
		 * missing, in the future or implausibly old is replaced by now. */
		int64_t mono = mono_ns(), offset = real_ns() - mono;
		struct tpacket3_hdr *h = (void *)((unsigned char *)b + b->hdr.bh1.offset_to_first_pkt);
		for (uint32_t i = 0; i < b->hdr.bh1.num_pkts; i++) {
			int64_t at = (int64_t)h->tp_sec * NS_PER_S + h->tp_nsec - offset;
			if (at > mono || at < mono - NS_PER_S)
				at = mono;
			fn(arg, (unsigned char *)h + h->tp_mac, h->tp_snaplen, h->tp_len, at);
			h = (void *)((unsigned char *)h + h->tp_next_offset);
		}
		__atomic_store_n(&b->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
		p->cur = (p->cur + 1) % p->nblocks;
	}
}

int port_send(struct port *p, const unsigned char *const *data, const uint32_t *len, int n, int *err)
{
	/* Bound to the device: each frame goes out as it is, its protocol read from its header. */
	struct mmsghdr m[PORT_BATCH];
	struct iovec v[PORT_BATCH];
	if (n > PORT_BATCH)
		n = PORT_BATCH;
	for (int i = 0; i < n; i++) {
		v[i] = (struct iovec){ .iov_base = (void *)(uintptr_t)data[i], .iov_len = len[i] };
		m[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &v[i], .msg_iovlen = 1 } };
	}
	int sent = sendmmsg(p->fd, m, (unsigned)n, MSG_DONTWAIT);
	*err = sent < 0 ? errno : 0; /* a partial send says nothing of why: the next call will */
	return sent < 0 ? 0 : sent;
}
