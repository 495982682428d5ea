import assert from 'node:assert/strict';
import { renderTable, renderTableRemoval } from '../../src/nft/table.js';
import { engineLaunch, libevHasNativeMptcp, planProxy, relayServerLine } from '../../src/proxy/launch.js';
import { encodeSsLink, parseServerLink, parseSsLink } from '../../src/server/uri.js';
import { serverUnit } from '../../src/server/unit.js';
import { decodeBase64, encodeBase64 } from '../../src/lib/base64.js';
import { encodeUtf8 } from '../../src/lib/utf8.js';
import { parseUci } from '../../src/config/uci-read.js';
import { upsertSection } from '../../src/config/uci-edit.js';
import { countConnectionsTo, mptcpTokensOf, parseSubflows, silentServerConnections } from '../../src/observe/ss.js';
import type { ProxyConfig, ServerConfig } from '../../src/model/config.js';

const proxy: ProxyConfig = { enabled: true, engine: 'shadowsocks-libev', port: 1100, lan: ['lan'], bypass: [], threads: null, checkInterval: 10, quic: 'tcp', udp: 'direct', duplicate: [], congestion: 'bbr', holdDown: 60, line: 0 };
const server: ServerConfig = { name: 'vps', enabled: true, priority: 50, host: '203.0.113.7', port: 8388, password: 's3cret', method: 'chacha20-ietf-poly1305', line: 1 };

describe('nft table', () => {
  const redirect = { lanDevices: ['br-lan'], port: 1100, bypass: ['203.0.113.7', '2001:db8::/32'], rejectQuic: false, udpPort: null };
  const marks = [{ uplink: 'wan', dev: 'wan0', mark: 0x1000000 }, { uplink: 'wan2', dev: 'wan1', mark: 0x2000000 }];

  it('replaces the whole table in one transaction and redirects only LAN TCP', () => {
    const text = renderTable({ marks: [], redirect })!;
    assert.ok(text.startsWith('table inet mpwan {}\ndelete table inet mpwan\ntable inet mpwan {\n'));
    assert.match(text, /iifname != \{ "br-lan" \} return/);
    assert.match(text, /meta l4proto != tcp return/);
    assert.match(text, /fib daddr type \{ local, broadcast, multicast, anycast \} return/);
    assert.match(text, /elements = \{ 0\.0\.0\.0\/8, 10\.0\.0\.0\/8, .*192\.168\.0\.0\/16.*203\.0\.113\.7 \}/);
    assert.match(text, /elements = \{ .*fc00::\/7, fe80::\/10, ff00::\/8, 2001:db8::\/32 \}/);
    assert.match(text, /meta l4proto tcp redirect to :1100/);
    assert.doesNotMatch(text, /reject|ct mark/);
    assert.equal(renderTableRemoval(), 'table inet mpwan {}\ndelete table inet mpwan\n');
  });

  it('marks flows by the uplink they leave through, and carries the mark on their later packets', () => {
    const text = renderTable({ marks, redirect: null })!;
    assert.match(text, /ct mark & 0x7f000000 != 0 return/, 'a flow keeps the uplink it started on');
    assert.match(text, /oifname "wan0" ct mark set ct mark & 0x80ffffff \| 0x01000000/);
    assert.match(text, /oifname "wan1" ct mark set ct mark & 0x80ffffff \| 0x02000000/);
    assert.match(text, /type filter hook prerouting priority mangle;[^}]*ct direction original .* meta mark set ct mark & 0x7f000000/);
    assert.match(text, /type route hook output priority mangle;[^}]*ct direction original .* meta mark set ct mark & 0x7f000000/);
    assert.doesNotMatch(text, /redirect/);
  });

  it('rejects LAN QUIC to proxied destinations with an ICMP error while redirecting, when quic is tcp', () => {
    const text = renderTable({ marks, redirect: { ...redirect, rejectQuic: true } })!;
    const quic = text.slice(text.indexOf('\tchain quic {'));
    assert.match(quic, /^\tchain quic \{\n\t\ttype filter hook forward priority filter - 1;.*\n\t\tiifname != \{ "br-lan" \} return\n\t\tudp dport != 443 return\n/);
    assert.match(quic, /ip daddr @bypass4 return\n\t\tip6 daddr @bypass6 return\n\t\treject with icmpx type port-unreachable/);
    assert.equal(renderTable({ marks: [], redirect: null }), null, 'nothing to hold: no table');
  });

  it("hands LAN UDP to the relay by TPROXY with udp 'server', leaving QUIC, the router and the bypass list alone", () => {
    assert.doesNotMatch(renderTable({ marks, redirect })!, /tproxy/);
    const text = renderTable({ marks, redirect: { ...redirect, udpPort: 1100 } })!;
    const udp = text.slice(text.indexOf('\tchain udp_to_relay {'), text.indexOf('\t}', text.indexOf('\tchain udp_to_relay {')));
    assert.deepEqual(udp.split('\n').map((l) => l.trim()).slice(1), [
      'type filter hook prerouting priority mangle + 1; policy accept;',
      'iifname != { "br-lan" } return',
      'meta l4proto != udp return',
      'udp dport 443 return comment "!mpwan: QUIC follows option quic"',
      'fib daddr type { local, broadcast, multicast, anycast } return comment "!mpwan: the router itself"',
      'ip daddr @bypass4 return',
      'ip6 daddr @bypass6 return',
      'meta l4proto udp tproxy to :1100 meta mark set 0x80000000 accept comment "!mpwan: LAN UDP to the relay"',
      '',
    ]);
  });
});

describe('proxy engines', () => {
  const paths = { config: '/var/run/mpwan/proxy.json', server: '/var/run/mpwan/relay-server', stats: '/var/run/mpwan/relay-stats.json', paths: '/var/run/mpwan/relay-paths' };
  const fileOf = (p: ReturnType<typeof planProxy>) => JSON.parse(p.files[0].text) as Record<string, unknown>;

  it('runs mpwan-relay by default: one process with its threads, its server (and the file with the key) in the server file, the same whichever server', () => {
    const key = 'ab'.repeat(32);
    const p = planProxy({ ...proxy, engine: 'relay', threads: 3 }, { ...server, key }, paths, 4, { libevNativeMptcp: false });
    assert.deepEqual(p.instances, [['mpwan-relay', 'router', '--port', '1100', '--server-file', paths.server, '--threads', '3', '--stats', paths.stats, '--congestion', 'bbr']]);
    assert.deepEqual(p.files, []);
    assert.ok(!JSON.stringify(p.instances).includes(key));
    assert.equal(p.mptcpBy, 'native');
    // Another server: the same launch (a switch is a SIGHUP after the server file changed, not a restart).
    const other = planProxy({ ...proxy, engine: 'relay', threads: 3 }, { ...server, name: 'vps2', host: '2001:db8::7', key: 'cd'.repeat(32) }, paths, 4, { libevNativeMptcp: false });
    assert.equal(engineLaunch(other).digest, engineLaunch(p).digest);
    assert.equal(relayServerLine({ ...server, host: '2001:db8::7' }, '/var/run/mpwan/server-vps.key'), '[2001:db8::7]:8388 /var/run/mpwan/server-vps.key\n');
    const v6 = planProxy({ ...proxy, engine: 'relay' }, { ...server, host: '2001:db8::7', key }, paths, 2, { libevNativeMptcp: false });
    assert.equal(v6.instances[0][7], '2', 'one thread per CPU by default');
    const udp = planProxy({ ...proxy, engine: 'relay', udp: 'server', duplicate: ['dscp:46', 'port:3478'] }, { ...server, key }, paths, 1, { libevNativeMptcp: false });
    assert.deepEqual(udp.instances[0].slice(12), ['--udp', '--paths-file', paths.paths, '--duplicate', 'dscp:46', '--duplicate', 'port:3478']);
    const system = planProxy({ ...proxy, engine: 'relay', congestion: 'system' }, { ...server, key }, paths, 1, { libevNativeMptcp: false });
    assert.ok(!system.instances[0].includes('--congestion'), "'system' leaves the router's default");
  });

  it('runs shadowsocks-libev 3.3.5 under mptcpize, one instance per thread, password only in the config', () => {
    const p = planProxy({ ...proxy, threads: 2 }, server, paths, 4, { libevNativeMptcp: false });
    assert.deepEqual(p.instances, [['mptcpize', 'run', 'ss-redir', '-c', paths.config], ['mptcpize', 'run', 'ss-redir', '-c', paths.config]]);
    assert.equal(fileOf(p).reuse_port, true);
    assert.equal(fileOf(p).mptcp, undefined);
    assert.ok(!JSON.stringify(p.instances).includes('s3cret'));
    assert.equal(planProxy(proxy, server, paths, 4, { libevNativeMptcp: false }).instances.length, 4, 'one per CPU by default');
  });

  it('uses native MPTCP where the engine has it; sslocal gets its worker threads under runtime', () => {
    assert.deepEqual(planProxy(proxy, server, paths, 1, { libevNativeMptcp: true }).instances, [['ss-redir', '-c', paths.config]]);
    const rust = planProxy({ ...proxy, engine: 'shadowsocks-rust' }, server, paths, 2, { libevNativeMptcp: false });
    assert.deepEqual(rust.instances, [['sslocal', '-c', paths.config]]);
    assert.equal(fileOf(rust).mptcp, true);
    assert.deepEqual(fileOf(rust).runtime, { mode: 'multi_thread', worker_count: 2 });
    assert.equal(fileOf(rust).worker_count, undefined, 'sslocal ignores a top-level worker_count');
    assert.deepEqual(fileOf(rust).locals, [{ protocol: 'redir', local_address: '::', local_port: 1100, tcp_redir: 'redirect' }]);
  });

  it('knows which libev --mptcp speaks upstream MPTCP', () => {
    assert.equal(libevHasNativeMptcp('\nshadowsocks-libev 3.3.5\n'), false);
    assert.equal(libevHasNativeMptcp('shadowsocks-libev 3.3.6'), true);
    assert.equal(libevHasNativeMptcp('shadowsocks-libev 4.0.0'), true);
    assert.equal(libevHasNativeMptcp('garbage'), false);
  });
});

describe('ss:// links (SIP002)', () => {
  it('round-trips AEAD (base64url userinfo) and 2022 (percent-encoded) links, IPv6 hosts and names', () => {
    const a = { host: '203.0.113.7', port: 8388, method: 'chacha20-ietf-poly1305' as const, password: 'pa:ss/wo+rd', name: 'my vps' };
    const la = encodeSsLink(a);
    assert.match(la, /^ss:\/\/[A-Za-z0-9_-]+@203\.0\.113\.7:8388#my%20vps$/);
    assert.deepEqual(parseSsLink(la), a);
    const b = { host: '2001:db8::7', port: 443, method: '2022-blake3-aes-256-gcm' as const, password: 'AAAA/+==' };
    const lb = encodeSsLink(b);
    assert.equal(lb, 'ss://2022-blake3-aes-256-gcm:AAAA%2F%2B%3D%3D@[2001:db8::7]:443');
    assert.deepEqual(parseSsLink(lb), b);
  });

  it('explains what is wrong with a bad link', () => {
    assert.throws(() => parseSsLink('http://x'), /not an ss:\/\/ link/);
    assert.throws(() => parseSsLink(`ss://${encodeBase64(encodeUtf8('rc4-md5:x'), true, false)}@h:1`), /cipher 'rc4-md5' is not supported/);
    assert.throws(() => parseSsLink('ss://!!!@h:1'), /no method:password/);
    assert.throws(() => parseSsLink(`ss://${encodeBase64(encodeUtf8('aes-256-gcm:x'), true, false)}@h:70000`), /out of range/);
  });

  it('names the mpwan:// form first for a link of neither kind', () => {
    for (const bad of ['http://x', '', '   ', 'vps:8388']) {
      assert.throws(() => parseServerLink(bad), /^Error: (the link is empty|not a server link): expected mpwan:\/\/<key>@<host>:<port> \(or ss:\/\//, JSON.stringify(bad));
    }
    assert.throws(() => parseServerLink('mpwan://abc@h:1'), /key in the link is not 64/);
    assert.equal(parseServerLink(` mpwan://${'a'.repeat(64)}@[2001:db8::1]:8388#vps `).host, '2001:db8::1');
    assert.equal(parseServerLink(encodeSsLink({ host: 'h', port: 1, method: 'aes-256-gcm', password: 'x' })).port, 1);
  });

  it('base64 matches Node for both alphabets', () => {
    for (const n of [0, 1, 2, 3, 4, 31, 32, 33]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 73 + 11) & 255);
      assert.equal(encodeBase64(bytes), Buffer.from(bytes).toString('base64'));
      assert.equal(encodeBase64(bytes, true, false), Buffer.from(bytes).toString('base64url'));
      assert.deepEqual(decodeBase64(Buffer.from(bytes).toString('base64url')), bytes);
    }
    assert.equal(decodeBase64('a$b'), null);
  });
});

describe('upsertSection', () => {
  it('appends a missing section and edits an existing one in place', () => {
    const text = "# mine\nconfig globals 'globals'\n\toption enabled '1'\n";
    const added = upsertSection(text, 'server', 'vps', [['host', '203.0.113.7'], ['port', '8388']]);
    assert.equal(added, "# mine\nconfig globals 'globals'\n\toption enabled '1'\n\nconfig server 'vps'\n\toption host '203.0.113.7'\n\toption port '8388'\n");
    const edited = upsertSection(added, 'server', 'vps', [['port', '443']]);
    assert.equal(edited, added.replace("'8388'", "'443'"));
    assert.equal(parseUci(edited).sections.length, 2);
  });
});

describe('ss parser', () => {
  const line = (local: string, remote: string, ulp: string) =>
    `ESTAB 0 0 ${local} ${remote} bbr wscale:10,10 bytes_sent:100 bytes_acked:90 bytes_received:5 ${ulp}`;
  it('groups MPTCP subflows by connection token and counts fallbacks to plain TCP', () => {
    const text = [
      line('10.20.1.2:40000', '10.99.0.1:8388', 'tcp-ulp-mptcp flags:Mmec token:0000(id:0)/6bfe6b2b(id:0) seq:1'),
      line('10.20.2.2%wan1:40001', '10.99.0.1:8388', 'tcp-ulp-mptcp flags:Jjec token:f759de82(id:0)/6bfe6b2b(id:2) seq:1'),
      line('10.20.1.2:40002', '10.99.0.1:8388', ''),
      line('[2001:db8::2%wan0]:40003', '[2001:db8::1]:443', 'tcp-ulp-mptcp flags:Mmec token:0000(id:0)/11111111(id:0) seq:1'),
    ].join('\n');
    const sf = parseSubflows(text);
    assert.deepEqual(sf.map((s) => [s.token, s.local, s.dev ?? null, s.remotePort, s.bytesSent]), [
      ['6bfe6b2b', '10.20.1.2', null, 8388, 100], ['6bfe6b2b', '10.20.2.2', 'wan1', 8388, 100], ['11111111', '2001:db8::2', 'wan0', 443, 100],
    ]);
    assert.deepEqual(countConnectionsTo(text, '10.99.0.1', 8388), { mptcp: 1, tcp: 1 });
    // Plain TCP held by another process (the daemon's socat probe) is not a proxy fallback.
    const probe = `ESTAB 0 0 10.20.1.2:40009 10.99.0.1:8388 users:(("socat",pid=777,fd=5)) bytes_acked:1`;
    const fallback = `ESTAB 0 0 10.20.1.2:40010 10.99.0.1:8388 users:(("ss-redir",pid=42,fd=9)) bytes_acked:1`;
    assert.deepEqual(countConnectionsTo([text, probe, fallback].join('\n'), '10.99.0.1', 8388, [42]), { mptcp: 1, tcp: 2 });
  });

  it('finds proxied connections the server acknowledged but never answered (a server that cannot decrypt)', () => {
    const conn = (port: number, token: string, received: number, lastsnd: number) =>
      `ESTAB 0 0 10.20.1.2:${port} 10.99.0.1:8388 bbr bytes_sent:120 bytes_acked:121 bytes_received:${received} lastsnd:${lastsnd} lastrcv:${lastsnd} ` +
      `tcp-ulp-mptcp flags:Mmec token:0000(id:0)/${token}(id:0) seq:1`;
    const join = (token: string, received: number) =>
      `ESTAB 0 0 10.20.2.2%wan1:50000 10.99.0.1:8388 bbr bytes_acked:1 bytes_received:${received} lastsnd:9000 tcp-ulp-mptcp flags:Jjec token:f759de82(id:0)/${token}(id:2) seq:1`;
    // `ss ... state established` leaves the State column out.
    const stalled = [conn(40000, 'aaaaaaaa', 0, 6000), join('aaaaaaaa', 0), conn(40001, 'bbbbbbbb', 0, 7000).replace(/^ESTAB /, '')].join('\n');
    assert.deepEqual(silentServerConnections(stalled, '10.99.0.1', 8388, 5000), { silent: 2, answered: 0 });
    // Recent sends are not silent yet; an answer on any subflow counts for the connection.
    const mixed = [conn(40000, 'aaaaaaaa', 0, 1000), conn(40001, 'bbbbbbbb', 0, 7000), join('bbbbbbbb', 300), `ESTAB 0 0 10.20.1.2:40002 10.99.0.1:22 bytes_acked:9 lastsnd:9000`].join('\n');
    assert.deepEqual(silentServerConnections(mixed, '10.99.0.1', 8388, 5000), { silent: 0, answered: 1 });
    // An answer heard long ago (an idle connection, or one closing from before a reload) is no evidence now.
    const old = [conn(40000, 'aaaaaaaa', 0, 6000), conn(40001, 'bbbbbbbb', 0, 7000), conn(40003, 'cccccccc', 5000, 40000)].join('\n');
    assert.deepEqual(silentServerConnections(old, '10.99.0.1', 8388, 5000), { silent: 2, answered: 0 });
    // Only the running proxies' connections, by token from `ss -MnpiHO`.
    const msk = 'ESTAB 0 0 10.20.1.2:40000 10.99.0.1:8388 users:(("ss-redir",pid=4242,fd=7)) subflows:1 remote_key token:aaaaaaaa write_seq:1\n' +
      'ESTAB 0 0 10.20.1.2:40001 10.99.0.1:8388 subflows:1 token:bbbbbbbb';
    const tokens = mptcpTokensOf(msk, [4242]);
    assert.deepEqual([...tokens], ['aaaaaaaa']);
    assert.deepEqual(silentServerConnections(stalled, '10.99.0.1', 8388, 5000, { tokens }), { silent: 1, answered: 0 });
  });
});

describe('the server unit (mpwan server setup)', () => {
  it("runs the relay with bbr unless told otherwise; 'system' leaves the machine's default", () => {
    const execStart = (u: string) => /^ExecStart=(.*)$/m.exec(u)![1];
    assert.equal(execStart(serverUnit('relay', 8443, [])), '/usr/local/sbin/mpwan-relay server --listen [::]:8443 --key-file /etc/mpwan-server/relay.key --congestion bbr');
    assert.equal(execStart(serverUnit('relay', 8443, [], 'cubic')).split(' ').slice(-2).join(' '), '--congestion cubic');
    assert.ok(!execStart(serverUnit('relay', 8443, [], 'system')).includes('--congestion'));
    assert.ok(!execStart(serverUnit('shadowsocks-rust', 8443, [])).includes('--congestion'), 'the shadowsocks engines take the system default');
  });
});
