// `mpwan server import` and `mpwan server remove` (on the router): the servers in the config.
// The edits are config/server-edit.ts's; here the file is read, the result validated (nothing
// is written when it would not be valid) and the daemon told.
import type { Runtime } from '../sys/runtime.js';
import { SIGHUP } from '../sys/runtime.js';
import { MpwanError } from '../model/errors.js';
import { validateConfig } from '../config/validate.js';
import { serverOrder } from '../config/servers.js';
import { importServer, otherEngineServers, removeServer } from '../config/server-edit.js';
import { configFile } from '../sys/paths.js';
import { signalDaemon } from '../sys/daemon-control.js';
import { settled } from '../lib/async.js';
import { intValue, value, type Parsed } from './args.js';
import { parseServerLink, type RelayLink, type SsLink } from '../server/uri.js';
import { hostPort } from '../lib/inet.js';

const SECTION_NAME = /^[A-Za-z0-9_]{1,32}$/;

function checkName(name: string, what: string) {
  if (!SECTION_NAME.test(name)) throw new MpwanError('invalid_argument', `${what} takes 1 to 32 letters, digits and _ (got '${name.slice(0, 40)}')`);
}

/** Validates the edited text, writes it (0600: it holds secrets) and reloads a running daemon. */
async function commit(rt: Runtime, text: string, said: string) {
  const file = configFile(rt);
  const check = validateConfig(text, file);
  if (!check.config) {
    throw new MpwanError('invalid_config', `the config would not be valid after this, so nothing was changed:\n  ${check.errors.map((e) => `${e.line}: ${e.option}: ${e.message}`).join('\n  ')}`);
  }
  rt.writeFileAtomic(file, text, 0o600);
  const order = serverOrder(check.config.servers);
  rt.stdout(`${said}\n${order.length > 0 ? `Servers, most preferred first: ${order.map((s) => `${s.name} (${hostPort(s.host, s.port)})`).join(', ')}.\n` : 'No server is enabled: LAN traffic takes the normal route.\n'}`);
  const pid = await signalDaemon(rt, SIGHUP);
  rt.stdout(pid ? `The daemon (pid ${pid}) is reloading.\n` : "Start mpwan with '/etc/init.d/mpwan start' (or 'mpwan daemon').\n");
}

/** `mpwan server import LINK`: options as parsed against IMPORT_FLAGS (cli/commands.ts). */
export async function serverImportCommand(rt: Runtime, p: Parsed): Promise<number> {
  await settled();
  const name = value(p, '--name');
  if (name !== undefined) checkName(name, '--name');
  const priority = intValue(p, '--priority', 0, 1000);
  const raw = p.positional[0];
  let link: RelayLink | SsLink;
  try {
    link = parseServerLink(raw);
  } catch (e) {
    throw new MpwanError('invalid_argument', `cannot import the link: ${(e as Error).message}; paste the line 'mpwan server setup' printed`);
  }
  const before = rt.readFile(configFile(rt)) ?? '';
  const others = otherEngineServers(before, link);
  if (others.length > 0) {
    throw new MpwanError('invalid_argument', `one engine carries every server, and ${others.join(', ')} ${others.length > 1 ? 'need' : 'needs'} the ` +
      `${'key' in link ? 'shadowsocks engine' : 'relay'}: remove ${others.length > 1 ? 'them' : 'it'} first (${others.map((o) => `mpwan server remove ${o}`).join('; ')})`);
  }
  // The engine that reads this link: the relay, or the shadowsocks engine that is installed.
  const engine = 'key' in link ? 'relay' : await installedShadowsocks(rt);
  let r;
  try {
    r = importServer(before, link, engine, { ...(name !== undefined ? { name } : {}), ...(priority !== undefined ? { priority } : {}) });
  } catch (e) {
    throw new MpwanError('invalid_argument', (e as Error).message);
  }
  const what = r.action === 'added' ? 'added to' : `updated (${'key' in link ? 'its key' : 'its password and cipher'}) in`;
  await commit(rt, r.text, `Server '${r.name}' (${hostPort(link.host, link.port)}, engine ${engine}${'method' in link ? `, ${link.method}` : ''}) ${what} ${configFile(rt)}.`);
  return 0;
}

/** `mpwan server remove NAME`. */
export async function serverRemoveCommand(rt: Runtime, p: Parsed): Promise<number> {
  await settled();
  const name = p.positional[0];
  checkName(name, 'the server name');
  let r;
  try {
    r = removeServer(rt.readFile(configFile(rt)) ?? '', name);
  } catch (e) {
    throw new MpwanError('invalid_argument', (e as Error).message);
  }
  await commit(rt, r.text, `Server '${name}' removed from ${configFile(rt)}.${r.proxyOff ? ' The proxy is off now (option enabled 0): there is no server left to carry LAN traffic to.' : ''}`);
  return 0;
}

/** sslocal where it is installed, else ss-redir (the engine an ss:// link needs). */
async function installedShadowsocks(rt: Runtime): Promise<'shadowsocks-rust' | 'shadowsocks-libev'> {
  return (await rt.exec(['sslocal', '--version'], { timeoutMs: 5000 })).status !== 127 ? 'shadowsocks-rust' : 'shadowsocks-libev';
}
