// One answer line of `mpwan-relay probe` (src/relay/probe.c): `<id> ok <ms>`,
// `<id> fail <reason>` (`fail key: ...`: a server that closed the signed handshake unanswered;
// `fail key file: ...`: the key file could not be read), or `0 bad <reason>` for a request it
// could not parse. Pure.

export type ProbeAnswer =
  | { id: number; ok: true; ms: number }
  | { id: number; ok: false; error: string; wrongKey?: true; noKey?: true };

/** The answer, or null for a line that is none (`bad`: a bug of ours, logged by the caller). */
export function parseProbeAnswer(line: string): ProbeAnswer | null {
  const m = /^(\d{1,9}) (ok|fail) (.*)$/.exec(line);
  if (!m || m[1] === '0') return null;
  const id = Number(m[1]);
  if (m[2] === 'fail' && m[3].startsWith('key file: ')) return { id, ok: false, error: m[3], noKey: true };
  if (m[2] === 'fail' && m[3].startsWith('key: ')) {
    return { id, ok: false, error: `wrong key? ${m[3].slice(5)} (or the clocks are more than a minute apart)`, wrongKey: true };
  }
  if (m[2] === 'fail') return { id, ok: false, error: m[3] };
  return /^\d+$/.test(m[3]) ? { id, ok: true, ms: Number(m[3]) } : null;
}

/** The request line for one connect, in the helper's format; with a key file (a path without spaces), a signed handshake too. */
export function probeRequest(id: number, source: string, host: string, port: number, timeoutMs: number, keyFile?: string): string {
  const key = keyFile && /^\/[^\s]{1,300}$/.test(keyFile) ? ` ${keyFile}` : '';
  return `${id} ${source} ${host} ${port} ${Math.max(1, Math.min(60000, Math.round(timeoutMs)))}${key}\n`;
}
