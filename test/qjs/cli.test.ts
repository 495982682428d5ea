// The installed CLI bundle under real qjs: usage, exit codes, config errors, and the
// clear errors for a missing kernel MPTCP / `ip` without mptcp support.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync, chmodSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { qjsPath } from '../lib/qjs.js';
import { installRoot } from '../lib/install.js';

describe('mpwan CLI bundle under qjs', function () {
  let root: string;
  let work: string;

  before(() => {
    root = installRoot();
    work = mkdtempSync(join(tmpdir(), 'mpwan-cli-'));
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  function mpwan(args: string[], env: Record<string, string> = {}) {
    const r = spawnSync(qjsPath(), [join(root, 'usr/sbin/mpwan'), ...args], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', MPWAN_UCI_DIR: join(work, 'etc'), MPWAN_RUN_DIR: join(work, 'run'), ...env },
    });
    assert.doesNotMatch(r.stderr, /unhandled promise rejection/i, 'qjs before 2025-09 exits on early async rejections');
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }
  function writeConfig(text: string) {
    mkdirSync(join(work, 'etc'), { recursive: true });
    writeFileSync(join(work, 'etc/mpwan'), text);
  }

  it('is installed as an executable with the qjs interpreter line', () => {
    const text = readFileSync(join(root, 'usr/sbin/mpwan'), 'utf8');
    assert.ok(text.startsWith('#!/usr/bin/qjs\n'));
    assert.doesNotMatch(text, /^import .* from ['"](?!std|os)/m, 'the bundle imports nothing but std and os');
  });

  it('prints its version and usage', () => {
    const v = mpwan(['version']);
    assert.equal(v.status, 0);
    assert.match(v.stdout, /^mpwan \d+\.\d+\.\d+/);
    const h = mpwan(['help']);
    assert.equal(h.status, 0);
    assert.match(h.stdout, /apply \[--dry-run\]/);
  });

  it("server import adds servers (the same host and port gets the new key) and server remove takes one out; one engine carries them all", () => {
    writeConfig("config uplink 'wan'\n");
    const [keyA, keyB] = ['ab'.repeat(32), 'cd'.repeat(32)];
    const relay = mpwan(['server', 'import', `mpwan://${keyA}@198.51.100.7:8400#vps`]);
    assert.equal(relay.status, 0, relay.stderr);
    assert.match(relay.stdout, /Server 'vps' \(198\.51\.100\.7:8400, engine relay\) added to .*\nServers, most preferred first: vps \(198\.51\.100\.7:8400\)\./);
    const second = mpwan(['server', 'import', `mpwan://${keyB}@198.51.100.8:8400`, '--priority', '60']);
    assert.equal(second.status, 0, second.stderr);
    assert.match(second.stdout, /Server 'vps2' .* added .*\nServers, most preferred first: vps \(198\.51\.100\.7:8400\), vps2 \(198\.51\.100\.8:8400\)\./);
    const rekey = mpwan(['server', 'import', `mpwan://${keyB}@198.51.100.7:8400`]);
    assert.match(rekey.stdout, /Server 'vps' .* updated \(its key\)/);
    let cfg = readFileSync(join(work, 'etc/mpwan'), 'utf8');
    assert.equal(cfg.match(/option key 'cd/g)?.length, 2);
    assert.doesNotMatch(cfg, new RegExp(keyA));
    // An ss:// link needs the other servers gone first: nothing changes until they are.
    const ss = (args: string[] = []) => mpwan(['server', 'import', 'ss://Y2hhY2hhMjAtaWV0Zi1wb2x5MTMwNTpwdw@198.51.100.9:8388', ...args], { PATH: '/nonexistent' });
    const refused = ss();
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /one engine carries every server, and vps, vps2 need the relay: remove them first \(mpwan server remove vps; mpwan server remove vps2\)/);
    assert.equal(readFileSync(join(work, 'etc/mpwan'), 'utf8'), cfg);
    writeFileSync(join(work, 'etc/mpwan'), cfg.replace("config proxy 'proxy'\n", "config proxy 'proxy'\n\toption udp 'server'\n"));
    assert.equal(mpwan(['server', 'remove', 'vps']).status, 0);
    const last = mpwan(['server', 'remove', 'vps2']);
    assert.equal(last.status, 0, last.stderr);
    assert.match(last.stdout, /Server 'vps2' removed .* The proxy is off now .*\nNo server is enabled: LAN traffic takes the normal route\./);
    assert.equal(ss().status, 0);
    cfg = readFileSync(join(work, 'etc/mpwan'), 'utf8');
    assert.match(cfg, /option engine 'shadowsocks-libev'/);
    assert.match(cfg, /config proxy 'proxy'\n\toption enabled '1'/, 'the proxy is on again with a server to go to');
    assert.doesNotMatch(cfg, /option udp|option key/);
    assert.match(cfg, /option password 'pw'/);
    const gone = mpwan(['server', 'remove', 'nope']);
    assert.equal(gone.status, 2);
    assert.match(gone.stderr, /no server 'nope' in the config \(servers: vps\)/);
    assert.equal(mpwan(['server', 'remove', 'vps']).status, 0);
    const v6 = mpwan(['server', 'import', `mpwan://${keyA}@[2001:db8::1]:8388`]);
    assert.equal(v6.status, 0, v6.stderr);
    assert.match(v6.stdout, /Server 'vps' \(\[2001:db8::1\]:8388, engine relay\) added/);
    assert.match(readFileSync(join(work, 'etc/mpwan'), 'utf8'), /option host '2001:db8::1'/);
  });

  it('exits 2 on usage errors', () => {
    assert.equal(mpwan([]).status, 2);
    assert.equal(mpwan(['frobnicate']).status, 2);
    const bad = mpwan(['apply', '--force']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /unknown option '--force'/);
  });

  it('validates the whole config first: every error with file and line, exit 2, nothing run', () => {
    writeConfig(`config globals 'globals'\n\toption enabled 'maybe'\n\nconfig uplink 'wan'\n\toption mode 'fast'\n\toption priorty '3'\n`);
    const log = join(work, 'calls.log');
    const bin = join(work, 'bin');
    mkdirSync(bin, { recursive: true });
    // Stand-ins that record any call: an invalid config must not reach ip or ubus.
    for (const tool of ['ip', 'ubus']) {
      writeFileSync(join(bin, tool), `#!/bin/sh\necho ${tool} "$@" >> '${log}'\nexit 1\n`);
      chmodSync(join(bin, tool), 0o755);
    }
    const r = mpwan(['apply'], { PATH: `${bin}:${process.env.PATH}` });
    assert.equal(r.status, 2);
    const file = join(work, 'etc/mpwan');
    assert.match(r.stderr, new RegExp(`${file}:2: globals.enabled: `));
    assert.match(r.stderr, new RegExp(`${file}:5: wan.mode: `));
    assert.match(r.stderr, new RegExp(`${file}:6: wan.priorty: .*priority`));
    assert.throws(() => readFileSync(log), /ENOENT/);
    const j = mpwan(['apply', '--json'], { PATH: `${bin}:${process.env.PATH}` });
    const err = JSON.parse(j.stdout).error;
    assert.equal(err.code, 'invalid_config');
    assert.equal(err.details.errors.length, 3);
  });

  it('says how to fix an `ip` without MPTCP support', () => {
    writeConfig(`config globals 'globals'\n\toption enabled '1'\n`);
    const bin = join(work, 'busybox-ip');
    mkdirSync(bin, { recursive: true });
    // What BusyBox ip / ip-tiny answer for `ip mptcp ...`.
    writeFileSync(join(bin, 'ip'), `#!/bin/sh\ncase "$*" in *mptcp*) echo 'Object "mptcp" is unknown, try "ip help".' >&2; exit 1;; esac\nexec /usr/sbin/ip "$@"\n`);
    writeFileSync(join(bin, 'ubus'), `#!/bin/sh\necho '{"interface":[]}'\n`);
    chmodSync(join(bin, 'ip'), 0o755);
    chmodSync(join(bin, 'ubus'), 0o755);
    const r = mpwan(['apply'], { PATH: `${bin}:${process.env.PATH}` });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /install ip-full/);
  });

  it('checks a valid config', () => {
    writeConfig(readFileSync(join(root, 'etc/config/mpwan'), 'utf8'));
    const r = mpwan(['check']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Config OK/);
  });

  it('every command and subcommand takes --help: its usage, exit 0', () => {
    const commands = ['apply', 'stop', 'reload', 'daemon', 'status', 'check', 'server setup', 'server import', 'server remove', 'version'];
    for (const c of commands) {
      const r = mpwan([...c.split(' '), '--help']);
      assert.equal(r.status, 0, `${c} --help: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^Usage: mpwan ${c}`), c);
    }
    assert.match(mpwan(['server', '--help']).stdout, /mpwan server setup .*\n.*mpwan server import/);
    assert.match(mpwan(['help', 'server', 'setup']).stdout, /--port N/);
  });

  it('server setup and import errors: one line saying what is wrong and what to do, exit 2, no stack trace', () => {
    const cases: [string[], RegExp][] = [
      [['server', 'setup', '--port', '99999'], /--port takes a number from 1 to 65535 \(got '99999'\)/],
      [['server', 'setup', '--port'], /--port needs a value \(N\) \(see 'mpwan server setup --help'\)/],
      [['server', 'setup', '--frobnicate'], /unknown option '--frobnicate' \(see 'mpwan server setup --help'\)/],
      [['server', 'setup', '--method', 'rc4'], /--method takes one of/],
      [['server', 'setup', '--congestion', 'vegas'], /--congestion takes bbr, cubic, reno, system \(got 'vegas'\)/],
      [['server', 'import', 'ss://garbage'], /cannot import the link: .*paste the line 'mpwan server setup' printed/],
      [['server', 'import', 'http://198.51.100.7:8388'], /cannot import the link: not a server link: expected mpwan:\/\/<key>@<host>:<port> \(or ss:/],
      [['server', 'import', ''], /cannot import the link: the link is empty: expected mpwan:\/\//],
      [['server', 'import'], /missing argument \(see 'mpwan server import --help'\)/],
      [['server', 'import', 'ss://x', 'extra'], /unexpected argument 'extra'/],
      [['server', 'import', 'ss://x', '--priority', '1001'], /--priority takes a number from 0 to 1000 \(got '1001'\)/],
      [['server', 'remove'], /missing argument \(see 'mpwan server remove --help'\)/],
      [['server', 'remove', 'a-b'], /the server name takes 1 to 32 letters, digits and _ \(got 'a-b'\)/],
      [['server'], /Usage:\n {2}mpwan server setup/],
      [['apply', '--force'], /unknown option '--force'/],
    ];
    for (const [args, re] of cases) {
      const r = mpwan(args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re, args.join(' '));
      assert.doesNotMatch(r.stderr, /at \S+ \(|internal error/, `no stack trace for ${args.join(' ')}`);
      if (args[0] !== 'server' || args.length > 1) assert.equal(r.stderr.trim().split('\n').length, 1, `one line for ${args.join(' ')}: ${r.stderr}`);
    }
  });
});
