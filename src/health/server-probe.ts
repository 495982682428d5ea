// When and how long the health monitor's TCP probe of a server runs. Pure.

/**
 * The TCP probe of a server: a connect, then the answer to a signed handshake, two round trips
 * (queues included) that on a satellite (600 ms) outlast the 1 s probe timeout: the timeout, or
 * three times the uplink's measured round trip, in whole seconds.
 */
export function serverProbeTimeoutS(timeoutS: number, latencyMs: number | null): number {
  return Math.max(timeoutS, Math.ceil((3 * (latencyMs ?? 0)) / 1000));
}

/** While ICMP answers, the TCP connect to the server runs this often (while it does not: every round). */
export const SERVER_PROBE_SPACING_MS = 5000;
/** ... and no more often than every this many probe rounds (a slowly probed, metered uplink connects rarely too). */
export const SERVER_PROBE_ROUNDS = 6;
