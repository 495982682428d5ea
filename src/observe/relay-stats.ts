// mpwan-relay's counters (its --stats file, src/relay/PROTOCOL.md "Statistics"). Pure: every
// field is read defensively, a missing one is 0.

export interface RelayPathStats {
  name: string;
  source: string;
  alive: boolean;
  rtt_ms: number | null;
  bytes_up: number;
  bytes_down: number;
}

export interface RelayStats {
  /** refused: LAN connections refused at once for want of ports, descriptors or memory; refused_at: Unix seconds of the last (0: none). */
  tcp: { accepted: number; active: number; answered: number; rejected: number; failed: number; bytes_up: number; bytes_down: number; refused: number; refused_at: number };
  udp: { sessions: number; active: number; datagrams_up: number; datagrams_down: number; duplicates_dropped: number; bad: number; paths: RelayPathStats[] };
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);
const pick = <K extends string>(o: Json, keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, num(o[k])])) as Record<K, number>;

/** null when the text is not the relay's JSON. */
export function parseRelayStats(text: string | null): RelayStats | null {
  if (text === null) return null;
  let doc: Json;
  try { doc = obj(JSON.parse(text)); } catch { return null; }
  const tcp = obj(doc.tcp), udp = obj(doc.udp);
  return {
    tcp: pick(tcp, ['accepted', 'active', 'answered', 'rejected', 'failed', 'bytes_up', 'bytes_down', 'refused', 'refused_at'] as const),
    udp: {
      ...pick(udp, ['sessions', 'active', 'datagrams_up', 'datagrams_down', 'duplicates_dropped', 'bad'] as const),
      paths: (Array.isArray(udp.paths) ? udp.paths : []).map(obj).map((p) => ({
        name: typeof p.name === 'string' ? p.name : '', source: typeof p.source === 'string' ? p.source : '',
        alive: p.alive === true, rtt_ms: typeof p.rtt_ms === 'number' ? p.rtt_ms : null, bytes_up: num(p.bytes_up), bytes_down: num(p.bytes_down),
      })),
    },
  };
}
