import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { validateConfig } from '../../src/config/validate.js';
import { quoteUci } from '../../src/config/uci-edit.js';
import { serverOrder } from '../../src/config/servers.js';

const FILE = '/etc/config/mpwan';
const validate = (text: string) => validateConfig(text, FILE);
const messages = (text: string) => validate(text).errors.map((e) => `${e.line} ${e.option}: ${e.message}`);
const globals = (...lines: string[]) => ["config globals 'globals'", ...lines.map((l) => `\toption ${l}`)].join('\n') + '\n';
const uplink = (...lines: string[]) => ["config uplink 'wan'", ...lines.map((l) => `\toption ${l}`)].join('\n') + '\n';
const shipped = readFileSync(new URL('../../files/etc/config/mpwan', import.meta.url), 'utf8');

const DEFAULT_HEALTH = { hosts: [], probeServer: true, interval: 0.5, timeout: 1, downAfter: 3, upAfter: 3, onDown: 'withdraw' };
const DEFAULT_GLOBALS = { enabled: true, health: DEFAULT_HEALTH, sysctls: {}, tableBase: 5100, rulePref: 5000, subflowsMin: 0, addAddrAcceptedMin: 0, looseRpFilter: true, defaultRoute: true };

describe('config validation', () => {
  it('accepts the shipped default config', () => {
    const r = validate(shipped);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(r.config!.globals, DEFAULT_GLOBALS);
    assert.deepEqual(r.config!.uplinks, []);
  });

  it('accepts the examples in the shipped config once uncommented', () => {
    const uncommented = shipped
      .replace(/^\t# (option \w+ '[^']*')/gm, '\t$1')
      .replace(/^#(config |\t)/gm, '$1');
    const r = validate(uncommented);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.warnings.map((w) => w.option), ['wan', 'wanb', 'wan6'], 'no server and no probe_host: nothing to probe');
    assert.deepEqual(r.config!.uplinks.map((u) => [u.name, u.mode, u.priority, u.table]), [
      ['wan', 'on', 50, 5100], ['wanb', 'backup', 60, 5101], ['wan6', 'on', 50, 5102],
    ]);
    assert.deepEqual(r.config!.globals.sysctls, { scheduler: 'default', stale_loss_cnt: '4', blackhole_timeout: '0', checksum_enabled: '0' });
  });

  it('fills every default, and an empty file is a valid config', () => {
    const expected = {
      globals: DEFAULT_GLOBALS,
      uplinks: [
        { name: 'wan', mode: 'on', priority: 50, ula: false, fullmesh: false, health: DEFAULT_HEALTH, metered: false, quota: null, rates: {}, table: 5100, line: 1 },
        { name: 'lte', mode: 'backup', priority: 7, ula: true, fullmesh: true, health: DEFAULT_HEALTH, metered: false, quota: null, rates: {}, table: 5101, line: 2 },
      ],
      servers: [],
      proxy: { enabled: false, engine: 'relay', port: 1100, lan: ['lan'], bypass: [], threads: null, checkInterval: 10, quic: 'tcp', udp: 'server', duplicate: [], congestion: 'bbr', holdDown: 60, line: 0 },
    };
    const r = validate("config uplink 'wan'\nconfig uplink 'lte'\n\toption mode 'backup'\n\toption priority '7'\n\toption ula '1'\n\toption fullmesh 'yes'\n");
    const unprobed = (line: number, option: string) => ({
      file: FILE, line, option, message: 'no health probes: probe_host is empty and there is no server to ping, so only a lost carrier takes this uplink down (set probe_host)',
    });
    assert.deepEqual(r, { config: expected, errors: [], warnings: [unprobed(1, 'wan'), unprobed(2, 'lte')] });
    assert.deepEqual(validate('').config, { ...expected, uplinks: [] });
    assert.deepEqual(validate("config globals 'globals'\n").config!.globals, DEFAULT_GLOBALS);
  });

  it('warns about what is valid but probably not meant', () => {
    const warnings = (text: string) => validate(text).warnings.map((w) => `${w.line} ${w.option}: ${w.message}`);
    // What libuci ignores: text after `<unquoted value>;`, an option without a value.
    assert.deepEqual(warnings("config globals 'globals'\n\toption enabled 1;option rule_pref 6000\n\toption table_base\n"), [
      "2 : 'option rule_pref 6000' after ';' is ignored: libuci ends the line at a ';' right after an unquoted value (put a space before the ';')",
      "3 : 'option table_base' has no value: libuci ignores the line, so table_base is neither set nor cleared",
    ]);
    assert.equal(validate("config globals 'globals'\n\toption rule_pref 6000;option table_base 7000\n").config!.globals.tableBase, 5100);
    // Uplinks with nothing to probe: no probe_host, and no server address to ping.
    const server = (host: string) => `config server 'vps'\n\toption host '${host}'\n\toption password 'x'\n`;
    assert.deepEqual(warnings(`config uplink 'wan'\nconfig uplink 'lte'\n\toption mode 'off'\n${server('vps.example')}`), [
      "1 wan: no health probes: probe_host is empty and the server's host 'vps.example' is a name, not an address, so only a lost carrier takes this uplink down (set probe_host)",
    ]);
    assert.deepEqual(warnings(`config uplink 'wan'\n${server('203.0.113.7')}`), [], 'the server address is pinged');
    assert.deepEqual(warnings("config globals 'globals'\n\tlist probe_host '192.0.2.1'\nconfig uplink 'wan'\n"), []);
    assert.deepEqual(warnings("config uplink 'wan'\n\tlist probe_host '192.0.2.1'\nconfig uplink 'lte'\n").map((w) => w.slice(0, 6)), ['3 lte:']);
    assert.deepEqual(warnings("config globals 'globals'\n\toption enabled '0'\nconfig uplink 'wan'\n"), [], 'mpwan is off');
    // A config with errors gets its errors only (and what libuci ignores).
    assert.deepEqual(warnings("config uplink 'wan'\n\toption mode 'fast'\n"), []);
  });

  it('reads every globals option; sysctls hold only what is set, as the kernel writes them', () => {
    const r = validate(globals(
      "enabled '0'", "table_base '300'", "rule_pref '900'", "subflows '2'", "add_addr_accepted '8'", "rp_filter_loose 'off'", "default_route '0'",
      "scheduler 'redundant_1'", "path_manager 'userspace'", "checksum 'true'", "allow_join_initial_addr_port 'disabled'",
      "add_addr_timeout '120'", "close_timeout '60'", "stale_loss_cnt '4294967295'", "blackhole_timeout '0'", "syn_retrans_before_tcp_fallback '255'",
    ));
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.config!.globals, {
      enabled: false, tableBase: 300, rulePref: 900, subflowsMin: 2, addAddrAcceptedMin: 8, looseRpFilter: false, defaultRoute: false, health: DEFAULT_HEALTH,
      sysctls: {
        scheduler: 'redundant_1', path_manager: 'userspace', checksum_enabled: '1', allow_join_initial_addr_port: '0',
        add_addr_timeout: '120', close_timeout: '60', stale_loss_cnt: '4294967295', blackhole_timeout: '0', syn_retrans_before_tcp_fallback: '255',
      },
    });
    assert.deepEqual(validate(globals("stale_loss_cnt '2'")).config!.globals.sysctls, { stale_loss_cnt: '2' });
  });

  it('reads health-check defaults from globals, and lets an uplink override each', () => {
    const r = validate(globals("probe_interval '2'", "probe_timeout '3'", "down_after '5'", "up_after '4'", "on_down 'backup'", "probe_server '0'") +
      "\tlist probe_host '192.0.2.1'\n" + uplink("probe_interval '0.2'", "up_after '1'") + "config uplink 'lte'\n\tlist probe_host '2001:db8::1'\n\toption on_down 'withdraw'\n");
    assert.deepEqual(r.errors, []);
    const [wan, lte] = r.config!.uplinks.map((u) => u.health);
    assert.deepEqual(wan, { hosts: ['192.0.2.1'], probeServer: false, interval: 0.2, timeout: 3, downAfter: 5, upAfter: 1, onDown: 'backup' });
    assert.deepEqual(lte, { hosts: ['2001:db8::1'], probeServer: false, interval: 2, timeout: 3, downAfter: 5, upAfter: 4, onDown: 'withdraw' });
    assert.deepEqual(messages(uplink("probe_interval '0.1'", "probe_timeout '0.5'", "on_down 'drop'") + "\tlist probe_host 'example.org'\n"), [
      "2 wan.probe_interval: '0.1' is not valid: expected a number of seconds from 0.2 to 3600 (like 0.5 or 2)",
      "3 wan.probe_timeout: '0.5' is not valid: expected a decimal integer from 1 to 30",
      "4 wan.on_down: 'drop' is not valid: expected one of withdraw, backup",
      "5 wan.probe_host: 'example.org' is not valid: expected an IPv4 or IPv6 address",
    ]);
  });

  it('takes booleans in every uci spelling and nothing else', () => {
    for (const [raw, want] of [['1', true], ['yes', true], ['on', true], ['true', true], ['enabled', true],
      ['0', false], ['no', false], ['off', false], ['false', false], ['disabled', false]] as const) {
      assert.equal(validate(uplink(`ula '${raw}'`)).config!.uplinks[0].ula, want, raw);
    }
    for (const raw of ['2', 'Yes', 'TRUE', 'y', ' 1']) {
      assert.deepEqual(messages(uplink(`ula '${raw}'`)), [
        `2 wan.ula: '${raw}' is not valid: expected a boolean ('1' or '0'; yes/no, on/off, true/false and enabled/disabled also work)`,
      ]);
    }
  });

  it('takes integers in plain decimal only, within range', () => {
    for (const raw of ['1e3', '0x10', ' 5', '5 ', '05', '-1', '+1', '5.0', '1001', '99999999999']) {
      assert.deepEqual(messages(uplink(`priority '${raw}'`)), [`2 wan.priority: '${raw}' is not valid: expected a decimal integer from 0 to 1000`], raw);
    }
    assert.equal(validate(uplink("priority '0'")).config!.uplinks[0].priority, 0);
    assert.equal(validate(uplink("priority '1000'")).config!.uplinks[0].priority, 1000);
    // As in libuci, `option x ''` leaves x unset: the default applies.
    assert.equal(validate(uplink("priority ''")).config!.uplinks[0].priority, 50);
    assert.deepEqual(messages(globals("subflows '9'", "add_addr_accepted '-1'")), [
      "2 globals.subflows: '9' is not valid: expected a decimal integer from 0 to 8",
      "3 globals.add_addr_accepted: '-1' is not valid: expected a decimal integer from 0 to 8",
    ]);
  });

  it('checks each sysctl against what the kernel accepts', () => {
    assert.deepEqual(messages(globals(
      "scheduler 'bbr-like'", "scheduler_x 'a'", "path_manager 'netlink'", "checksum '2'", "allow_join_initial_addr_port 'maybe'",
      "add_addr_timeout '2147484'", "close_timeout '0x1'", "stale_loss_cnt '4294967296'", "blackhole_timeout '2147483648'",
      "syn_retrans_before_tcp_fallback '256'",
    )), [
      "2 globals.scheduler: 'bbr-like' is not valid: expected a scheduler name: 1 to 15 letters, digits or _ (see net.mptcp.available_schedulers)",
      "3 globals.scheduler_x: unknown option (did you mean 'scheduler'?)",
      "4 globals.path_manager: 'netlink' is not valid: expected one of kernel, userspace",
      "5 globals.checksum: '2' is not valid: expected a boolean ('1' or '0'; yes/no, on/off, true/false and enabled/disabled also work)",
      "6 globals.allow_join_initial_addr_port: 'maybe' is not valid: expected a boolean ('1' or '0'; yes/no, on/off, true/false and enabled/disabled also work)",
      "7 globals.add_addr_timeout: '2147484' is not valid: expected a decimal integer from 0 to 2147483",
      "8 globals.close_timeout: '0x1' is not valid: expected a decimal integer from 0 to 2147483",
      "9 globals.stale_loss_cnt: '4294967296' is not valid: expected a decimal integer from 0 to 4294967295",
      "10 globals.blackhole_timeout: '2147483648' is not valid: expected a decimal integer from 0 to 2147483647",
      "11 globals.syn_retrans_before_tcp_fallback: '256' is not valid: expected a decimal integer from 0 to 255",
    ]);
    assert.match(messages(globals("scheduler 'a_very_long_name1'"))[0], /1 to 15 letters/);
    // Any name LuCI's uciname takes: one the kernel lacks is left out when the plan is made.
    assert.deepEqual(validate(globals("scheduler 'Default_2'")).config!.globals.sysctls, { scheduler: 'Default_2' });
  });

  it('keeps the routing tables clear of 0, mwan3 (1-60), the kernel (253-255) and 2^31', () => {
    const tables = (base: string) => messages(globals(`table_base '${base}'`));
    assert.deepEqual(tables('0'), [
      '2 globals.table_base: tables 0-63 would include 0, which the kernel reserves (RT_TABLE_UNSPEC)',
      "2 globals.table_base: tables 0-63 would overlap mwan3's tables 1-60",
    ]);
    assert.deepEqual(tables('60'), ["2 globals.table_base: tables 60-123 would overlap mwan3's tables 1-60"]);
    assert.deepEqual(tables('190'), ["2 globals.table_base: tables 190-253 would include the kernel's tables 253-255 (default, main, local)"]);
    assert.deepEqual(tables('255'), ["2 globals.table_base: tables 255-318 would include the kernel's tables 253-255 (default, main, local)"]);
    assert.deepEqual(tables('2147483585'), ['2 globals.table_base: tables 2147483585-2147483648 would go past 2147483647: use at most 2147483584']);
    assert.deepEqual(tables('2147483648'), ["2 globals.table_base: '2147483648' is not valid: expected a decimal integer from 0 to 2147483647"]);
    for (const ok of ['61', '189', '256', '5100', '2147483584']) assert.deepEqual(tables(ok), [], ok);
  });

  it('keeps the rule priority clear of the kernel, mwan3 and netifd, and before the main table', () => {
    const pref = (p: string) => messages(globals(`rule_pref '${p}'`));
    assert.deepEqual(pref('0'), ["2 globals.rule_pref: 0 is the kernel's rule for the local table"]);
    assert.deepEqual(pref('1000'), ["2 globals.rule_pref: 1000 is in mwan3's range 1000-3999"]);
    assert.deepEqual(pref('3999'), ["2 globals.rule_pref: 3999 is in mwan3's range 1000-3999"]);
    assert.deepEqual(pref('10000'), ["2 globals.rule_pref: 10000 is used by netifd's source routing (ip4table)"]);
    assert.deepEqual(pref('20000'), ["2 globals.rule_pref: 20000 is used by netifd's source routing (ip4table)"]);
    assert.deepEqual(pref('32766'), ["2 globals.rule_pref: 32766 is the kernel's rule for the main table"]);
    assert.deepEqual(pref('32767'), ["2 globals.rule_pref: 32767 is the kernel's rule for the default table"]);
    assert.deepEqual(pref('40000'), ["2 globals.rule_pref: 40000 comes after the kernel's main-table rule (32766), so it would never be reached: use 1-32765"]);
    // rule_pref + 1 .. + 5 hold the `to <server>` and default-route rules: they must be clear too.
    assert.deepEqual(pref('995'), ["2 globals.rule_pref: rule_pref + 5 = 1000 is in mwan3's range 1000-3999: mpwan uses rule_pref to rule_pref + 5"]);
    assert.deepEqual(pref('999'), ["2 globals.rule_pref: rule_pref + 1 = 1000 is in mwan3's range 1000-3999: mpwan uses rule_pref to rule_pref + 5"]);
    assert.deepEqual(pref('9999'), ["2 globals.rule_pref: rule_pref + 1 = 10000 is used by netifd's source routing (ip4table): mpwan uses rule_pref to rule_pref + 5"]);
    assert.deepEqual(pref('32765'), ["2 globals.rule_pref: rule_pref + 1 = 32766 is the kernel's rule for the main table: mpwan uses rule_pref to rule_pref + 5"]);
    for (const ok of ['1', '994', '4000', '9994', '10001', '32760']) assert.deepEqual(pref(ok), [], ok);
  });

  it('numbers uplink tables by position among all uplink sections, from table_base', () => {
    const r = validate("config globals 'globals'\n\toption table_base '300'\nconfig uplink 'a'\nconfig uplink 'b'\nconfig uplink 'c'\n");
    assert.deepEqual(r.config!.uplinks.map((u) => [u.name, u.table, u.line]), [['a', 300, 3], ['b', 301, 4], ['c', 302, 5]]);
  });

  it('checks uplink sections: named, name length, mode, options, count', () => {
    assert.deepEqual(messages([
      'config uplink',
      "config uplink 'wan'",
      "\toption mode 'fast'",
      "\toption table '7'",
      "\toption priorty '3'",
      "\tlist ula '1'",
      `config uplink '${'x'.repeat(65)}'`,
      `config uplink '${'y'.repeat(64)}'`,
    ].join('\n')), [
      "1 @uplink[0]: an uplink section must be named after its netifd interface (config uplink 'wan')",
      "3 wan.mode: 'fast' is not valid: expected one of on, backup, off",
      '4 wan.table: unknown option: the table is computed as globals.table_base + the position of the uplink section',
      "5 wan.priorty: unknown option (did you mean 'priority'?)",
      "6 wan.ula: takes one value: use 'option ula', not 'list ula'",
      `7 ${'x'.repeat(65)}: interface name is 65 characters long: at most 64`,
    ]);
    const many = (n: number) => Array.from({ length: n }, (_, i) => `config uplink 'u${i}'\n`).join('');
    assert.deepEqual(messages(many(63)), []);
    assert.equal(validate(many(63)).config!.uplinks[62].table, 5162, 'the last table, 5163, is the relay\'s for LAN UDP');
    assert.deepEqual(messages(many(65)), ['64 u63: too many uplinks: at most 63 (this is number 64 of 65)']);
  });

  it('checks the globals section: at most one, named globals; unknown section types', () => {
    assert.deepEqual(messages([
      "config globals 'main'",
      "config globals 'globals'",
      "config upink 'x'",
      'config constructor',
      '\toption __proto__ 1',
      "config zzz 'y'",
    ].join('\n')), [
      "1 main: the globals section must be named 'globals' (config globals 'globals')",
      "2 globals: only one 'globals' section is allowed (the first is on line 1)",
      "3 x: unknown section type 'upink' (did you mean 'uplink'?)",
      "4 @constructor[0]: unknown section type 'constructor'",
      "6 y: unknown section type 'zzz'",
    ]);
    assert.deepEqual(messages('config globals\n\toption __proto__ 1\n\toption enabeld 1\n'), [
      '2 @globals[0].__proto__: unknown option',
      "3 @globals[0].enabeld: unknown option (did you mean 'enabled'?)",
    ]);
  });

  it('reports every problem at once, in line order, with file, line, option and reason', () => {
    const r = validate([
      "config globals 'globals'",
      "\toption enabled 'maybe'",
      "\toption stale_loss_cnt '-1'",
      "\toption table_base '0x10'",
      "\toption rule_pref '1500'",
      "\tlist subflows '2'",
      "config uplink 'wan'",
      "\toption mode 'fast'",
      "\toption priorty '3'",
      "\toption priority ' 5'",
      'config uplink',
      "config upink 'x'",
      "config globals 'second'",
      "\toption 'bad name' 1",
      "config uplink 'lte",
    ].join('\n'));
    assert.equal(r.config, null);
    assert.ok(r.errors.every((e) => e.file === FILE));
    assert.deepEqual(r.errors.map((e) => `${e.line} ${e.option}: ${e.message}`), [
      "2 globals.enabled: 'maybe' is not valid: expected a boolean ('1' or '0'; yes/no, on/off, true/false and enabled/disabled also work)",
      "3 globals.stale_loss_cnt: '-1' is not valid: expected a decimal integer from 0 to 4294967295",
      "4 globals.table_base: '0x10' is not valid: expected a decimal integer from 0 to 2147483647",
      "5 globals.rule_pref: 1500 is in mwan3's range 1000-3999",
      "6 globals.subflows: takes one value: use 'option subflows', not 'list subflows'",
      "8 wan.mode: 'fast' is not valid: expected one of on, backup, off",
      "9 wan.priorty: unknown option (did you mean 'priority'?)",
      "10 wan.priority: ' 5' is not valid: expected a decimal integer from 0 to 1000",
      "11 @uplink[1]: an uplink section must be named after its netifd interface (config uplink 'wan')",
      "12 x: unknown section type 'upink' (did you mean 'uplink'?)",
      "13 second: only one 'globals' section is allowed (the first is on line 1)",
      "14 : invalid option name 'bad name' (use letters, digits and _)",
      '15 : unterminated single quote (nothing closes it before the end of the file)',
    ]);
  });

  it('turns parse errors into file-level problems', () => {
    assert.deepEqual(validate("config uplink 'wan'\n\toption mode on backup\n").errors, [
      { file: FILE, line: 2, option: '', message: "too many arguments ('backup'): quote values that contain spaces" },
    ]);
  });

  it('hints at a missing closing quote when a value runs over lines', () => {
    assert.deepEqual(messages("config uplink 'wan'\n\toption mode 'on\n\toption priority '10\n"), [
      "2 wan.mode: 'on\\n\\toption priority 10' is not valid: expected one of on, backup, off (the value runs over several lines: is a closing quote missing?)",
    ]);
  });

  it('the engine needs what it reads: the relay a key, shadowsocks a password; with no engine set, the server decides', () => {
    const key = 'AB'.repeat(32);
    const relay = validate(`config server 'vps'\n\toption host '203.0.113.7'\n\toption key '${key}'\nconfig proxy 'proxy'\n`);
    assert.equal(relay.config!.proxy.engine, 'relay');
    assert.equal(relay.config!.servers[0].key, key.toLowerCase());
    const ss = validate("config server 'vps'\n\toption host '203.0.113.7'\n\toption password 'x'\nconfig proxy 'proxy'\n");
    assert.equal(ss.config!.proxy.engine, 'shadowsocks-rust', 'a config from before the relay keeps its engine');
    assert.deepEqual(messages("config server 'vps'\n\toption host '203.0.113.7'\n\toption password 'x'\nconfig proxy 'proxy'\n\toption engine 'relay'\n"),
      ["1 vps.key: is required by the relay engine: import the mpwan:// link 'mpwan server setup' printed"]);
    assert.deepEqual(messages(`config server 'vps'\n\toption host '203.0.113.7'\n\toption key '${key}'\nconfig proxy 'proxy'\n\toption engine 'shadowsocks-libev'\n`),
      ['1 vps.password: is required by engine shadowsocks-libev: import the ss:// link of the shadowsocks server']);
    assert.deepEqual(messages(`config server 'vps'\n\toption host 'h'\n\toption key '${'a'.repeat(63)}'\n`),
      [`3 vps.key: '${'a'.repeat(63)}' is not valid: expected 64 hexadecimal digits (the key in the mpwan:// link 'mpwan server setup' printed)`]);
  });

  it('reads the aggregation server and checks host, port, password and cipher', () => {
    const ok = validate("config server 'vps'\n\toption host '203.0.113.7'\n\toption port '8443'\n\toption password 'secret'\n\toption method 'aes-256-gcm'\n");
    assert.deepEqual(ok.config!.servers, [{ name: 'vps', enabled: true, priority: 50, host: '203.0.113.7', port: 8443, password: 'secret', method: 'aes-256-gcm', line: 1 }]);
    assert.deepEqual(messages("config server 'vps'\n\toption host 'bad host!'\n\toption port '70000'\n\toption method 'rc4-md5'\n"), [
      "2 vps.host: 'bad host!' is not valid: expected an IP address or a host name",
      "3 vps.port: '70000' is not valid: expected a decimal integer from 1 to 65535",
      "4 vps.method: 'rc4-md5' is not valid: expected one of aes-128-gcm, aes-256-gcm, chacha20-ietf-poly1305, 2022-blake3-aes-128-gcm, 2022-blake3-aes-256-gcm, 2022-blake3-chacha20-poly1305",
    ]);
  });

  it("takes a server host as LuCI's host datatype does: an address, or a name of letters, digits, _ - and dots", () => {
    const hostOf = (h: string) => validate(`config server 'vps'\n\toption host ${quoteUci(h)}\n\toption password 'x'\n`);
    for (const ok of ['vps.example', 'vps_1.example', 'example.com.', '203.0.113.7', '2001:db8::7', `${'a.'.repeat(125)}abc`, `${'a'.repeat(64)}.example`]) {
      assert.deepEqual(hostOf(ok).errors, [], ok);
    }
    for (const bad of ['1.2.3', 'bad host!', '-a.example', 'a.example-', 'a.', `${'a.'.repeat(126)}ab`, '010.0.0.1', 'fe80::1%eth0']) {
      assert.equal(hostOf(bad).errors.length, 1, bad);
    }
  });

  it('reads a bypass prefix length as LuCI writes it, in decimal', () => {
    const bypass = (b: string) => validate(`config server 'vps'\n\toption host 'vps.example'\n\toption password 'x'\nconfig proxy 'proxy'\n\tlist bypass '${b}'\n`);
    assert.deepEqual(bypass('10.0.0.0/08').config!.proxy.bypass, ['10.0.0.0/8']);
    assert.deepEqual(bypass('2001:db8::/064').config!.proxy.bypass, ['2001:db8::/64']);
    assert.deepEqual(bypass('192.0.2.7').config!.proxy.bypass, ['192.0.2.7']);
    for (const bad of ['192.0.2.0/024', '192.0.2.0/33', '2001:db8::/0128', '10.0.0.0/255.0.0.0', '192.0.2.0/']) assert.equal(bypass(bad).config, null, bad);
  });

  it('takes any printable password: spaces and non-ASCII letters, 1 to 256 bytes, no control characters', () => {
    const password = (p: string) => validate(`config server 'vps'\n\toption host 'vps.example'\n\toption password ${quoteUci(p)}\n`);
    for (const ok of ['my secret', ' lead and trail ', 'pässwörd', 'x', 'a'.repeat(256), 'é'.repeat(128), '#;\'"\\']) {
      assert.deepEqual(password(ok).errors, [], ok);
      assert.equal(password(ok).config!.servers[0].password, ok);
    }
    for (const bad of ['a'.repeat(257), 'é'.repeat(129), 'tab\there', 'line\nbreak', 'bell\x07', 'del\x7f', 'c1\x85']) {
      assert.match(messages(`config server 'vps'\n\toption host 'vps.example'\n\toption password ${quoteUci(bad)}\n`)[0], /vps\.password: .* is not valid: expected 1 to 256 bytes of printable text/, bad);
    }
  });

  it('a server section with a bad value still counts as the enabled server', () => {
    const proxy = "config proxy 'proxy'\n";
    assert.deepEqual(messages(`${proxy}config server 'vps'\n\toption host 'vps.example'\n\toption password 'tab\there'\n`), [
      "4 vps.password: 'tab\\there' is not valid: expected 1 to 256 bytes of printable text (spaces and non-ASCII letters too; no tabs or line breaks)",
    ]);
    assert.deepEqual(messages(`${proxy}config server 'vps'\n\toption password 'x'\n`), ['2 vps.host: is required']);
    // A disabled one does not: the proxy still needs one.
    assert.deepEqual(messages(`${proxy}config server 'vps'\n\toption enabled '0'\n\toption password 'tab\there'\n`), [
      "1 proxy: the proxy needs an enabled 'config server' section (mpwan server import '<the link mpwan server setup printed>')",
      '2 vps.host: is required',
      "4 vps.password: 'tab\\there' is not valid: expected 1 to 256 bytes of printable text (spaces and non-ASCII letters too; no tabs or line breaks)",
    ]);
  });

  it('reads the proxy section: lists, defaults, and that it needs an enabled server', () => {
    const server = "config server 'vps'\n\toption host 'vps.example'\n\toption password 'x'\n";
    const r = validate(`${server}config proxy 'proxy'\n\tlist lan 'lan'\n\tlist lan 'guest'\n\toption bypass '192.0.2.0/24'\n\toption threads '2'\n`);
    assert.deepEqual(r.config!.proxy, { enabled: true, engine: 'shadowsocks-rust', port: 1100, lan: ['lan', 'guest'], bypass: ['192.0.2.0/24'], threads: 2, checkInterval: 10, quic: 'tcp', udp: 'direct', duplicate: [], congestion: 'bbr', holdDown: 60, line: 4,
    });
    assert.deepEqual(messages("config proxy 'proxy'\n\tlist bypass '192.0.2.0/33'\n\tlist bypass '2001:db8::/32'\n"), [
      "1 proxy: the proxy needs an enabled 'config server' section (mpwan server import '<the link mpwan server setup printed>')",
      "2 proxy.bypass: '192.0.2.0/33' is not valid: expected an IPv4 or IPv6 address or prefix (192.0.2.0/24, 2001:db8::/32)",
    ]);
    assert.equal(validate("config proxy 'proxy'\n\toption enabled '0'\n").config!.proxy.enabled, false);
  });

  it('reads udp and duplicate: UDP through the server with the relay only, duplicate spelled as the relay reads it', () => {
    const relayServer = `config server 'vps'\n\toption host 'vps.example'\n\toption key '${'ab'.repeat(32)}'\n`;
    const ssServer = "config server 'vps'\n\toption host 'vps.example'\n\toption password 'x'\n";
    const proxy = (lines: string) => `config proxy 'proxy'\n${lines}`;
    assert.equal(validate(relayServer + proxy('')).config!.proxy.udp, 'server');
    assert.equal(validate(ssServer + proxy('')).config!.proxy.udp, 'direct');
    assert.equal(validate(relayServer + proxy("\toption udp 'direct'\n")).config!.proxy.udp, 'direct');
    assert.deepEqual(messages(ssServer + proxy("\toption udp 'server'\n")), [
      "5 proxy.udp: 'server' needs the relay engine: shadowsocks-rust carries TCP only (set udp 'direct', or engine 'relay')",
    ]);
    const dup = validate(relayServer + proxy(["dscp:ef", 'dscp:af41', 'dscp:0', 'dscp:63', 'port:3478', 'port:65535'].map((d) => `\tlist duplicate '${d}'\n`).join('')));
    assert.deepEqual(dup.config!.proxy.duplicate, ['dscp:46', 'dscp:34', 'dscp:0', 'dscp:63', 'port:3478', 'port:65535']);
    for (const bad of ['dscp:64', 'dscp:EF', 'dscp:xx', 'dscp:07', 'port:0', 'port:65536', 'port:03478', 'ef', 'dscp:', 'port:1 ']) {
      assert.deepEqual(messages(relayServer + proxy(`\tlist duplicate '${bad}'\n`)).length, 1, bad);
    }
    assert.deepEqual(validate(relayServer + proxy("\toption udp 'direct'\n\tlist duplicate 'dscp:ef'\n")).warnings.map((w) => `${w.line} ${w.option}: ${w.message}`), [
      "4 proxy.duplicate: has no effect with udp 'direct': only UDP sent through the server is duplicated",
    ]);
  });

  it('takes several servers, each with a priority; refuses two for the same host and port, and more than 8 enabled', () => {
    const server = (name: string, host: string, ...lines: string[]) =>
      [`config server '${name}'`, `\toption host '${host}'`, `\toption key '${'ab'.repeat(32)}'`, ...lines.map((l) => `\toption ${l}`)].join('\n') + '\n';
    const r = validate(server('a', '203.0.113.7', "priority '20'") + server('b', '203.0.113.8') + server('c', '203.0.113.9', "priority '20'", "enabled '0'"));
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.config!.servers.map((s) => [s.name, s.priority, s.enabled]), [['a', 20, true], ['b', 50, true], ['c', 20, false]]);
    assert.deepEqual(serverOrder(r.config!.servers).map((s) => s.name), ['a', 'b'], 'by priority, disabled ones left out');
    const tie = validate(server('x', '203.0.113.7') + server('y', '203.0.113.8', "priority '10'") + server('z', '203.0.113.9'));
    assert.deepEqual(serverOrder(tie.config!.servers).map((s) => s.name), ['y', 'x', 'z'], 'ties keep config order');
    assert.deepEqual(messages(server('a', '203.0.113.7') + server('b', '203.0.113.7', "port '8388'")), [
      "4 b: same host and port as server 'a' (line 1): one section per server",
    ]);
    assert.deepEqual(messages(server('a', '203.0.113.7') + server('b', '203.0.113.7', "port '8389'")), [], 'another port is another server');
    const nine = Array.from({ length: 9 }, (_, i) => server(`s${i}`, `203.0.113.${i + 1}`)).join('');
    assert.deepEqual(messages(nine), ['25 s8: too many enabled servers: at most 8 (this is number 9 of 9)']);
    assert.deepEqual(messages(nine + server('off', '203.0.113.50', "enabled '0'")), ['25 s8: too many enabled servers: at most 8 (this is number 9 of 9)']);
  });

  it('needs the engine\'s secret on every enabled server; the engine follows the most preferred one', () => {
    const key = `\toption key '${'ab'.repeat(32)}'\n`;
    const relay = (name: string, prio = 50) => `config server '${name}'\n\toption host '203.0.113.${prio}'\n\toption priority '${prio}'\n${key}`;
    const ss = (name: string, prio = 50) => `config server '${name}'\n\toption host '203.0.113.${prio}'\n\toption priority '${prio}'\n\toption password 'x'\n`;
    const proxy = "config proxy 'proxy'\n";
    assert.equal(validate(relay('a') + proxy).config!.proxy.engine, 'relay');
    assert.deepEqual(messages(relay('a', 20) + ss('b', 30) + proxy), ["5 b.key: is required by the relay engine: import the mpwan:// link 'mpwan server setup' printed"]);
    assert.deepEqual(messages(relay('a', 30) + ss('b', 20) + proxy), ['1 a.password: is required by engine shadowsocks-rust: import the ss:// link of the shadowsocks server']);
    assert.deepEqual(messages(relay('a', 20) + ss('b', 30).replace("\toption host", "\toption enabled '0'\n\toption host") + proxy), [], 'a disabled server is not used');
  });

  it('reads hold_down: seconds a better server must stay healthy before new traffic returns to it', () => {
    const withHold = (v: string) => `config server 'vps'\n\toption host '203.0.113.7'\n\toption key '${'ab'.repeat(32)}'\nconfig proxy 'proxy'\n\toption hold_down '${v}'\n`;
    assert.equal(validate(withHold('0')).config!.proxy.holdDown, 0);
    assert.equal(validate(withHold('600')).config!.proxy.holdDown, 600);
    assert.deepEqual(messages(withHold('1.5')), ["5 proxy.hold_down: '1.5' is not valid: expected a decimal integer from 0 to 86400"]);
  });

  it('reads metered uplinks: backup endpoints unless mode says otherwise, a quota with K/M/G/T, its period and action', () => {
    const lte = (...lines: string[]) => validate(["config uplink 'lte'", ...lines.map((l) => `\toption ${l}`)].join('\n') + '\n');
    assert.deepEqual(lte("metered '1'").config!.uplinks[0], {
      name: 'lte', mode: 'backup', priority: 50, ula: false, fullmesh: false, health: { ...DEFAULT_HEALTH, interval: 5 }, metered: true, quota: null, rates: {}, table: 5100, line: 1,
    });
    assert.equal(lte("metered '1'", "probe_interval '0.5'").config!.uplinks[0].health.interval, 0.5, 'probed as often as it says');
    assert.equal(validate("config globals 'globals'\n\toption probe_interval '10'\nconfig uplink 'lte'\n\toption metered '1'\n").config!.uplinks[0].health.interval, 10, 'never more often than the globals say');
    assert.equal(lte("metered '1'", "mode 'on'").config!.uplinks[0].mode, 'on', 'an explicit mode wins');
    assert.equal(lte("metered '0'").config!.uplinks[0].mode, 'on');
    assert.deepEqual(lte("metered '1'", "quota '20G'").config!.uplinks[0].quota, { bytes: 20e9, period: 'month', resetDay: 1, action: 'backup' });
    assert.deepEqual(lte("metered '1'", "quota '1.5m'", "quota_period 'day'", "quota_action 'off'").config!.uplinks[0].quota,
      { bytes: 1.5e6, period: 'day', resetDay: 1, action: 'off' });
    assert.deepEqual(lte("metered '1'", "quota '500M'", "quota_reset_day '31'").config!.uplinks[0].quota, { bytes: 500e6, period: 'month', resetDay: 31, action: 'backup' });
    for (const [raw, bytes] of [['1', 1], ['1024', 1024], ['2K', 2000], ['3T', 3e12], ['0.5G', 5e8], ['1000T', 1e15]] as const) {
      assert.equal(lte("metered '1'", `quota '${raw}'`).config!.uplinks[0].quota!.bytes, bytes, raw);
    }
    for (const bad of ['0', '0K', '1.5', '1.2345G', '-1G', '1 G', '1GB', '1KiB', '01G', 'G', '1001T', '1e9', '.5G']) {
      assert.deepEqual(lte("metered '1'", `quota '${bad}'`).errors.map((e) => e.option), ['lte.quota'], bad);
    }
    assert.deepEqual(messages("config uplink 'lte'\n\toption quota '1G'\n"), ["2 lte.quota: is counted on metered uplinks only: add option metered '1'"]);
    assert.deepEqual(messages("config uplink 'lte'\n\toption metered '1'\n\toption quota '1G'\n\toption quota_reset_day '32'\n"),
      ["4 lte.quota_reset_day: '32' is not valid: expected a decimal integer from 1 to 31"]);
    const warnings = (...lines: string[]) => lte(...lines).warnings.filter((w) => w.option.startsWith('lte.')).map((w) => `${w.line} ${w.option}: ${w.message}`);
    assert.deepEqual(warnings("metered '1'", "quota_period 'day'", "quota_action 'off'"), [
      '3 lte.quota_period: has no effect without option quota', '4 lte.quota_action: has no effect without option quota',
    ]);
    assert.deepEqual(warnings("metered '1'", "quota '1G'", "quota_period 'day'", "quota_reset_day '5'"), [
      "5 lte.quota_reset_day: has no effect with quota_period 'day' (the count starts again at every midnight)",
    ]);
  });
});
