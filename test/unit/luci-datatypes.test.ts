import assert from 'node:assert/strict';
import { GLOBALS, PROXY, SERVER, UPLINK, luciDatatypes, type Spec } from '../../src/config/options.js';
import { quoteUci } from '../../src/config/uci-edit.js';
import { validateConfig } from '../../src/config/validate.js';
import { byteSize, duplicateMatch } from '../../src/config/value-types.js';
import { compile, luciAccepts } from './builders/luci-datatypes.js';

const SPECS: Record<string, Spec> = { globals: GLOBALS, uplink: UPLINK, proxy: PROXY, server: SERVER };

/** Whether mpwan takes the value for the option: a config that is valid apart from it stays valid. */
function mpwanAccepts(section: string, option: string, value: string): boolean {
  const line = `\t${SPECS[section][option].list ? 'list' : 'option'} ${option} ${quoteUci(value)}\n`;
  // A server the engine under test can use: a key for the relay, a password for shadowsocks.
  const secret = (option === 'engine' && value === 'relay') || option === 'udp' ? `\toption key '${'ab'.repeat(32)}'\n` : "\toption password 'x'\n";
  const server = (without: string) => "config server 'vps'\n"
    + (without === 'host' ? '' : "\toption host 'vps.example'\n") + (['password', 'key'].includes(without) ? '' : secret);
  const text = section === 'globals' ? `config globals 'globals'\n${line}`
    : section === 'uplink' ? `config uplink 'wan'\n${option.startsWith('quota') ? "\toption metered '1'\n\toption quota '1G'\n" : ''}${line}`
    : section === 'proxy' ? `${server('')}config proxy 'proxy'\n${line}`
    : `${server(option)}${line}`;
  return validateConfig(text, 'test').errors.length === 0;
}

// LuCI never checks an empty field (it removes the option), and a text input holds no line break.
const TRICKY = [
  '0', '1', '-1', '-0', '00', '08', '+5', '5.0', '5.5', ' 5', '5 ', '\t5', '0x10', '1e3', '.5', '5.', '0.1', '0.2', '0.25', '2.0', '9.9', '10.5',
  '9'.repeat(30), 'x'.repeat(300), 'abc', 'A', '_', 'a b', 'é', 'yes', 'on', 'enabled', 'TRUE', 'Yes', 'Default', 'bbr-like', 'lan', 'wan-1',
  'x'.repeat(15), 'x'.repeat(16), 'x'.repeat(64), 'x'.repeat(65), 'x'.repeat(256), 'x'.repeat(257), 'é'.repeat(128), 'é'.repeat(129), 'tab\there',
  '192.0.2.1', '1.2.3.4.5', '256.1.1.1', '010.0.0.1', '1.2.3', '12345', '::', '::1', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8:9', '1::2:3:4:5:6:7',
  '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8', '::ffff:192.0.2.1', '::ffff:010.0.0.1', '1.2.3.4::', 'fe80::1%eth0', '[::1]', 'FE80::A',
  '192.0.2.0/24', '192.0.2.0/0', '192.0.2.0/32', '192.0.2.0/33', '192.0.2.0/08', '192.0.2.0/024', '192.0.2.0/-8', '10.0.0.0/255.0.0.0',
  '2001:db8::/32', '2001:db8::/128', '2001:db8::/129', '2001:db8::/064', '::/0', '2001:db8::1/64/1',
  'example.com', 'vps_1.example', 'example.com.', 'a.', 'ab.', 'a..b', '-a.example', 'a-.example', 'a.example-', `${'a'.repeat(63)}.com`,
  `${'a'.repeat(64)}.com`, `${'a.'.repeat(125)}abc`, `${'a.'.repeat(126)}ab`,
];

/** Boundaries of a datatype's numbers (n-1, n, n+1, n±0.1) in plain and tricky spellings, and its literals. */
function candidates(datatype: string): string[] {
  const out = new Set(TRICKY);
  for (const m of datatype.matchAll(/\d+(\.\d+)?/g)) {
    for (const x of [-1, -0.1, 0, 0.1, 1].map((d) => Math.round((Number(m[0]) + d) * 10) / 10)) {
      const s = String(x);
      for (const v of [s, `0${s}`, `${s}.0`, `+${s}`, ` ${s}`]) out.add(v);
    }
  }
  for (const m of datatype.matchAll(/'([^']*)'/g)) for (const v of [m[1], m[1].toUpperCase(), ` ${m[1]}`]) out.add(v);
  return [...out];
}

// Where LuCI cannot say what mpwan means: 'luci' = only LuCI accepts (the form needs a
// `validate` of its own), 'mpwan' = only mpwan accepts (the datatype is the stricter one).
type Gap = 'luci' | 'mpwan' | null;
const ADDRESS_GAPS: Record<string, Gap> = {
  '010.0.0.1': 'luci', // LuCI reads leading zeros as decimal; mpwan refuses them (inet_aton reads 010 as octal 8)
  '::ffff:010.0.0.1': 'luci',
  '1:2:3:4:5:6:7::': 'mpwan', // LuCI's parseIPv6 refuses a '::' that stands for one group at either end
  '::2:3:4:5:6:7:8': 'mpwan',
};
const GAPS: Record<string, (v: string) => Gap> = {
  probe_host: (v) => ADDRESS_GAPS[v] ?? null,
  bypass: (v) => ADDRESS_GAPS[v] ?? null,
  host: (v) => ADDRESS_GAPS[v] ?? null,
  // No LuCI type refuses control characters; a text input cannot hold a line break, a tab can be pasted.
  password: (v) => (/[\x00-\x1f\x7f-\x9f]/.test(v) && Buffer.byteLength(v) <= 256 ? 'luci' : null),
  // No LuCI type matches a pattern: the form checks the spelling with duplicateMatch.parse.
  duplicate: (v) => (duplicateMatch.parse(v) === null && luciAccepts(duplicateMatch.datatype, v) ? 'luci' : null),
  quota: (v) => (byteSize.parse(v) === null && luciAccepts(byteSize.datatype, v) ? 'luci' : null),
  // LuCI cannot tell 2.0 from 002: its datatype takes whole seconds and tenths below 10.
  probe_interval: (v) => (/^(0|[1-9][0-9]*)\.[0-9]$/.test(v) && Number(v) >= 0.2 && Number(v) <= 3600 && (v.endsWith('.0') || Number(v) >= 10) ? 'mpwan' : null),
};

describe('LuCI datatypes port (test/unit/builders/luci-datatypes.ts)', () => {
  it('keeps validation.js quirks: range reads decimals, uinteger leading zeros, lengths are bytes', () => {
    const cases: [string, string, boolean][] = [
      ['range(0,8)', '5.5', true], ['range(0,8)', '08', true], ['range(0,8)', '-0', true], ['range(0,8)', '+5', false], ['range(0,8)', ' 5', false],
      ['uinteger', '08', true], ['uinteger', '-0', true], ['uinteger', '5.0', false], ['ufloat', '.5', false], ['ufloat', '0.25', true],
      ['length(2)', 'é', true], ['maxlength(1)', 'é', false], ['rangelength(1,3)', 'abc', true],
      ['ipaddr', '10.0.0.0/255.0.0.0', true], ['ipaddr', '10.0.0.0/8', true], ['ipaddr(1)', '10.0.0.0/8', false], ['ipaddr(1)', '010.0.0.1', true],
      ['ipaddr(1)', '1:2:3:4:5:6:7::', false], ['ipaddr(1)', '1::2:3:4:5:6:7', true], ['ipaddr(1)', '::ffff:1.2.3.4', true], ['ipaddr(1)', 'fe80::1%eth0', false],
      ['cidr', '192.0.2.0/024', false], ['cidr', '2001:db8::/064', true], ['cidr', '192.0.2.0/-8', false], ['cidr(1)', '192.0.2.0/-8', true],
      ['hostname', 'a.', false], ['hostname', 'ab.', true], ['hostname', '1.2.3', false], ['hostname', '12345', true], ['hostname', 'a..b', true],
      ['host', '010.0.0.1', true], ['uciname', 'a-b', false],
      ["or('a','b')", 'b', true], ["or('a','b')", 'c', false], ["and(uinteger,'5')", '5', true], ["or('a\\,b')", 'a,b', true],
      ['or(and(length(1),range(0,9)),and(length(2),range(10,99)))', '08', false],
    ];
    for (const [datatype, value, ok] of cases) assert.equal(luciAccepts(datatype, value), ok, `${datatype} ${JSON.stringify(value)}`);
    assert.equal(luciAccepts('uinteger', '', false), false, 'an empty required field');
    assert.throws(() => compile('nosuchtype'), /Unhandled token/);
  });
});

describe('LuCI datatypes agree with the validator', () => {
  const all = luciDatatypes();

  it('cover every option of every section, and compile', () => {
    for (const [section, spec] of Object.entries(SPECS)) {
      assert.deepEqual(Object.keys(all[section as keyof typeof all]).sort(), Object.keys(spec).sort(), section);
      for (const datatype of Object.values(all[section as keyof typeof all])) assert.doesNotThrow(() => compile(datatype), datatype);
    }
  });

  for (const [section, types] of Object.entries(all)) {
    for (const [option, datatype] of Object.entries(types)) {
      it(`${section}.${option}: ${datatype.length > 70 ? `${datatype.slice(0, 70)}...` : datatype}`, () => {
        const gap = GAPS[option] ?? (() => null);
        const wrong: string[] = [];
        for (const v of candidates(datatype)) {
          const luci = luciAccepts(datatype, v);
          const mpwan = mpwanAccepts(section, option, v);
          const expected = gap(v);
          const ok = expected === null ? luci === mpwan : luci === (expected === 'luci') && mpwan === (expected === 'mpwan');
          if (!ok) wrong.push(`${JSON.stringify(v)}: LuCI ${luci ? 'accepts' : 'refuses'}, mpwan ${mpwan ? 'accepts' : 'refuses'}`);
        }
        assert.deepEqual(wrong, []);
      });
    }
  }

  it('turn the range rules into datatypes: table_base and rule_pref', () => {
    const { table_base: tables, rule_pref: pref } = all.globals;
    const accepted = (datatype: string, values: number[]) => values.filter((n) => luciAccepts(datatype, String(n)));
    assert.deepEqual(accepted(tables, [0, 60, 61, 189, 190, 255, 256, 5100, 2147483584, 2147483585]), [61, 189, 256, 5100, 2147483584]);
    // mpwan's rules take rule_pref .. rule_pref + 5: all six must be clear.
    assert.deepEqual(accepted(pref, [0, 1, 994, 995, 999, 1000, 3999, 4000, 9994, 9995, 10000, 10001, 19994, 19995, 20000, 20001, 32760, 32761, 32766, 32767, 40000]),
      [1, 994, 4000, 9994, 10001, 19994, 20001, 32760]);
  });
});
