// What the installed proxy engine can do, asked of the binary itself.
import type { Runtime } from './runtime.js';
import type { ProxyEngine } from '../model/config.js';
import { MpwanError } from '../model/errors.js';
import { libevHasNativeMptcp, type EngineCaps } from '../proxy/launch.js';

const INSTALL: Record<ProxyEngine, string> = {
  'shadowsocks-rust': 'opkg install shadowsocks-rust-sslocal (or apk add shadowsocks-rust-sslocal)',
  'shadowsocks-libev': 'opkg install shadowsocks-libev-ss-redir mptcpd (or apk add ...)',
};

export async function detectEngineCaps(rt: Runtime, engine: ProxyEngine): Promise<EngineCaps> {
  const binary = engine === 'shadowsocks-rust' ? 'sslocal' : 'ss-redir';
  const r = await rt.exec([binary, engine === 'shadowsocks-rust' ? '--version' : '-h'], { timeoutMs: 5000 });
  if (r.status === 127) throw new MpwanError('kernel_unsupported', `proxy engine ${engine}: '${binary}' is not installed: ${INSTALL[engine]}`);
  if (engine === 'shadowsocks-rust') return { libevNativeMptcp: false };
  const native = libevHasNativeMptcp(r.stdout + r.stderr);
  if (!native) {
    // Its --mptcp only knows the old out-of-tree kernel: MPTCP comes from mptcpize instead.
    const m = await rt.exec(['mptcpize', '--help'], { timeoutMs: 5000 });
    if (m.status === 127) throw new MpwanError('kernel_unsupported', `this ${binary} predates upstream MPTCP support and needs mptcpize: install mptcpd`);
  }
  return { libevNativeMptcp: native };
}
