import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { validateConfig } from '../../src/config/schema.js';

const validate = (text: string) => validateConfig(text, '/etc/config/mpwan');
const messages = (text: string) => validate(text).errors.map((e) => `${e.line} ${e.option}: ${e.message}`);

describe('config validation', () => {
  it('accepts the shipped default config', () => {
    const r = validate(readFileSync(new URL('../../files/etc/config/mpwan', import.meta.url), 'utf8'));
    assert.deepEqual(r.errors, []);
    assert.equal(r.config!.globals.enabled, true);
  });

  it('fills defaults and computes tables in file order', () => {
    const r = validate("config uplink 'wan'\nconfig uplink 'lte'\n\toption mode 'backup'\n\toption priority '7'\n");
    assert.deepEqual(r.config, {
      globals: { enabled: true, sysctls: {}, tableBase: 5100, rulePref: 5000, subflowsMin: 0, addAddrAcceptedMin: 0, looseRpFilter: true },
      uplinks: [
        { name: 'wan', mode: 'on', priority: 50, ula: false, fullmesh: false, table: 5100, line: 1 },
        { name: 'lte', mode: 'backup', priority: 7, ula: false, fullmesh: false, table: 5101, line: 2 },
      ],
      servers: [],
      proxy: { enabled: false, engine: 'shadowsocks-rust', port: 1100, lan: ['lan'], bypass: [], threads: null, checkInterval: 10 },
    });
  });

  it('maps sysctl options, booleans in every uci spelling', () => {
    const r = validate("config globals 'globals'\n\toption checksum 'yes'\n\toption stale_loss_cnt '2'\n\toption scheduler 'default'\n\toption enabled 'off'\n");
    assert.deepEqual(r.config!.globals.sysctls, { checksum_enabled: '1', stale_loss_cnt: '2', scheduler: 'default' });
    assert.equal(r.config!.globals.enabled, false);
  });

  it('reports every problem at once, with line, option and reason', () => {
    assert.deepEqual(messages([
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
    ].join('\n')), [
      "2 globals.enabled: 'maybe' is not valid: expected a boolean ('0' or '1')",
      "3 globals.stale_loss_cnt: '-1' is not valid: expected a non-negative integer",
      "4 globals.table_base: '0x10' is not valid: expected an integer from 61 to 2147483584",
      "5 globals.rule_pref: 1500 is in mwan3's range 1000-3999",
      '6 globals.subflows: is a single value: use option, not list',
      "8 wan.mode: 'fast' is not valid: expected one of on, backup, off",
      "9 wan.priorty: unknown option (did you mean 'priority'?)",
      "10 wan.priority: ' 5' is not valid: expected an integer from 0 to 1000",
      "11 @uplink[1]: an uplink section must be named after its netifd interface (config uplink 'wan')",
      "12 x: unknown section type 'upink' (did you mean 'uplink'?)",
      "13 second: only one 'globals' section is allowed",
    ]);
    assert.equal(validate("config uplink 'wan'\n\toption mode 'fast'\n").config, null);
  });

  it('keeps tables and rule priorities out of the kernel, mwan3 and netifd ranges', () => {
    assert.match(messages("config globals 'globals'\n\toption table_base '200'\n")[0], /253-255/);
    assert.match(messages("config globals 'globals'\n\toption table_base '60'\n")[0], /from 61/);
    assert.match(messages("config globals 'globals'\n\toption rule_pref '10000'\n")[0], /netifd/);
    assert.match(messages("config globals 'globals'\n\toption rule_pref '32766'\n")[0], /from 1 to 32765/);
    assert.deepEqual(messages("config globals 'globals'\n\toption table_base '300'\n\toption rule_pref '900'\n"), []);
  });

  it('reads the aggregation server and checks host, port, password and cipher', () => {
    const ok = validate("config server 'vps'\n\toption host '203.0.113.7'\n\toption port '8443'\n\toption password 'secret'\n\toption method 'aes-256-gcm'\n");
    assert.deepEqual(ok.config!.servers, [{ name: 'vps', enabled: true, host: '203.0.113.7', port: 8443, password: 'secret', method: 'aes-256-gcm', line: 1 }]);
    assert.deepEqual(messages("config server 'vps'\n\toption host 'bad host!'\n\toption port '70000'\n\toption method 'rc4-md5'\n"), [
      '1 vps.password: is required',
      "2 vps.host: 'bad host!' is not valid: expected an IP address or a host name",
      "3 vps.port: '70000' is not valid: expected an integer from 1 to 65535",
      "4 vps.method: 'rc4-md5' is not valid: expected one of aes-128-gcm, aes-256-gcm, chacha20-ietf-poly1305, 2022-blake3-aes-128-gcm, 2022-blake3-aes-256-gcm, 2022-blake3-chacha20-poly1305",
    ]);
    assert.match(messages("config server 'a'\n\toption host 'a.example'\n\toption password 'x'\nconfig server 'b'\n\toption host 'b.example'\n\toption password 'y'\n")[0], /only one server can be enabled/);
  });

  it('turns parse errors into problems', () => {
    assert.deepEqual(messages("config uplink 'wan\n"), ['1 : unterminated single quote']);
  });
});
