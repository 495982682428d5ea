// One line of a streaming `ping -i` (iputils: `icmp_seq=N`, BusyBox: `seq=N`). Pure.

export type PingLine =
  | { kind: 'reply'; seq: number; ms: number }
  /** Anything that says why there is no answer: unreachable, bind errors, usage. */
  | { kind: 'error'; text: string }
  | { kind: 'other' };

const REPLY = /^\d+ bytes from .*?\b(?:icmp_|icmp6_)?seq=(\d+)\b.*?\btime[=<]([\d.]+) ?ms/;
/** The header, statistics and blank lines say nothing about one probe. */
const NOISE = /^(PING |--- |\d+ packets transmitted|rtt |round-trip |\s*$)/;

export function parsePingLine(line: string): PingLine {
  const m = REPLY.exec(line);
  if (m) return /\(DUP!\)/.test(line) ? { kind: 'other' } : { kind: 'reply', seq: Number(m[1]), ms: Number(m[2]) };
  if (NOISE.test(line)) return { kind: 'other' };
  return { kind: 'error', text: line.trim().replace(/^ping: /, '') };
}
