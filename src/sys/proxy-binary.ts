// What the installed proxy engine can do, asked of the binary itself.
import type { Runtime } from './runtime.js';
import type { ProxyEngine } from '../model/config.js';
import { MpwanError } from '../model/errors.js';
import { libevHasNativeMptcp, type EngineCaps } from '../proxy/launch.js';

/** What to install for an engine; the shadowsocks ones are not in OpenWrt's official feeds. */
const INSTALL: Record<ProxyEngine, string> = {
  relay: "it comes with mpwan: reinstall the mpwan package",
  'shadowsocks-rust': 'it is not in OpenWrt\'s feeds: install shadowsocks-rust-sslocal from a feed that has it (ImmortalWrt, or build it), or use engine relay',
  'shadowsocks-libev': 'it is not in OpenWrt\'s feeds since 2024: install shadowsocks-libev-ss-redir (and mptcpize) from a feed that has it, or use engine relay',
};
const BINARY: Record<ProxyEngine, [string, string]> = {
  relay: ['mpwan-relay', '--version'],
  'shadowsocks-rust': ['sslocal', '--version'],
  'shadowsocks-libev': ['ss-redir', '-h'],
};

export async function detectEngineCaps(rt: Runtime, engine: ProxyEngine): Promise<EngineCaps> {
  const [binary, flag] = BINARY[engine];
  const r = await rt.exec([binary, flag], { timeoutMs: 5000 });
  if (r.status === 127) throw new MpwanError('kernel_unsupported', `proxy engine ${engine}: '${binary}' is not installed: ${INSTALL[engine]}`);
  if (engine !== 'shadowsocks-libev') return { libevNativeMptcp: false };
  const native = libevHasNativeMptcp(r.stdout + r.stderr);
  if (!native) {
    // Its --mptcp only knows the old out-of-tree kernel: MPTCP comes from mptcpize instead.
    const m = await rt.exec(['mptcpize', '--help'], { timeoutMs: 5000 });
    if (m.status === 127) throw new MpwanError('kernel_unsupported', `this ${binary} predates upstream MPTCP support and needs mptcpize: install the mptcpize package`);
  }
  return { libevNativeMptcp: native };
}
