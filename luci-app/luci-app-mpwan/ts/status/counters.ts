// The MPTCP counters that matter, each with the sentence to show when it signals a problem.
// Counters are totals since boot (MPTcpExt in /proc/net/netstat). Pure.

export interface CounterNote { level: 'warning' | 'info'; text: string }

const FALLBACKS = ['MPCapableFallbackACK', 'MPCapableFallbackSYNACK'];

export function counterNotes(c: Record<string, number>): CounterNote[] {
  const n = (k: string) => c[k] ?? 0;
  const notes: CounterNote[] = [];
  const fallbacks = FALLBACKS.reduce((s, k) => s + n(k), 0);
  if (fallbacks > 0)
    notes.push({ level: 'warning', text: _('%d connections fell back to plain TCP: something between the router and the server removes MPTCP options, or the server does not speak MPTCP.').format(fallbacks) });
  if (n('MPJoinRejected') > 0)
    notes.push({ level: 'warning', text: _('%d extra subflows were rejected: the peer\'s limits (ip mptcp limits) are probably too low.').format(n('MPJoinRejected')) });
  if (n('MPJoinSynTx') > 0 && n('MPJoinSynAckRx') === 0)
    notes.push({ level: 'warning', text: _('Subflow joins were sent but none was answered: the server may refuse joins, or traffic from the other uplinks is filtered.') });
  if (n('Blackhole') > 0)
    notes.push({ level: 'warning', text: _('MPTCP was turned off for a while after a blackhole was detected (net.mptcp.blackhole_timeout).') });
  if (n('MPCapableSYNTX') === 0)
    notes.push({ level: 'info', text: _('No MPTCP connection has been opened from this router yet.') });
  return notes;
}

/** Rows of the counters table: label, counter name. */
export const COUNTER_ROWS: [string, string][] = [
  [_('MPTCP connections opened'), 'MPCapableSYNTX'],
  [_('Accepted by the server'), 'MPCapableSYNACKRX'],
  [_('Fell back to TCP (ACK)'), 'MPCapableFallbackACK'],
  [_('Fell back to TCP (SYN/ACK)'), 'MPCapableFallbackSYNACK'],
  [_('Subflow joins sent'), 'MPJoinSynTx'],
  [_('Subflow joins answered'), 'MPJoinSynAckRx'],
  [_('Subflow joins rejected'), 'MPJoinRejected'],
  [_('MPTCP retransmissions'), 'MPTCPRetrans'],
  [_('Blackholes detected'), 'Blackhole'],
];
