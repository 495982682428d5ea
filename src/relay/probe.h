/* mpwan-relay probe (probe.c): TCP connects on request for the daemon's health probes. */
#ifndef MPWAN_PROBE_H
#define MPWAN_PROBE_H

int probe_main(void);

#endif
