// The ubus calls the views make, and how their failures reach the user. The plugin answers
// errors as `{error: {code, message}}` with ubus status 0; transport and ACL failures reject
// the rpc promise. Both become an MpwanError shown as a LuCI notification, never a blank page.
import rpc from 'luci/rpc';
import ui from 'luci/ui';
import type { Connections, Diagnosis, Status } from './types.js';

export class MpwanError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

type Reply = Record<string, unknown> & { error?: { code?: string; message?: string } };

function unwrap<T>(r: Reply): T {
  if (r && typeof r === 'object' && r.error) throw new MpwanError(r.error.code ?? 'error', r.error.message ?? String(r.error.code));
  return r as T;
}

const declare = <T>(method: string, params: string[] = []) => {
  const call = rpc.declare<Reply>({ object: 'mpwan', method, params, expect: { '': {} }, reject: true });
  return (...args: unknown[]): Promise<T> => call(...args).then((r) => unwrap<T>(r));
};

export const callStatus = declare<Status>('status');
export const callDiagnose = declare<Diagnosis>('diagnose', ['uplink']);
export const callConnections = declare<Connections>('connections');
export const callReload = declare<{ changes: string[]; warnings: string[] }>('reload');

const shown = new Map<string, HTMLElement>();

/** One notification per distinct message: a failing poll must not stack a new one at every poll. */
export function notifyError(e: unknown): void {
  const msg = e instanceof Error ? e.message : String(e);
  const prev = shown.get(msg);
  if (prev && prev.isConnected) return;
  shown.set(msg, ui.addNotification(_('mpwan'), E('p', {}, [msg]), 'error'));
}
