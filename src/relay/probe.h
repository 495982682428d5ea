/* mpwan-relay probe (probe.c): TCP connects on request for the daemon's health probes. */
#ifndef MPWAN_PROBE_H
#define MPWAN_PROBE_H
#include <stddef.h>
#include <stdint.h>
#include "tcp/handshake.h"

int probe_main(void);
/* probe_key.c: the signed handshake of a key check; NULL, or why there is none. */
const char *probe_handshake(const char *key_path, uint8_t out[HS_MAX], size_t *len);

#endif
