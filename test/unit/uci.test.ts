import assert from 'node:assert/strict';
import { parseUci, sectionLabel, setOption } from '../../src/config/uci.js';

describe('UCI parser', () => {
  it('reads sections, options, lists, quotes, escapes and comments', () => {
    const { sections, errors } = parseUci([
      "package mpwan",
      "# a comment",
      "config globals 'globals'",
      "\toption enabled '1'   # trailing comment",
      '\toption scheduler "def\\"ault"',
      "\toption raw 'it'\\''s'",
      "\toption bare a\\ b",
      "\toption glued 'a'\"b\"c",
      "",
      "config uplink wan",
      "\tlist probe '192.0.2.1'",
      "\tlist probe \"192.0.2.2\"",
      "\toption empty ''",
      "config uplink",
      "config uplink",
    ].join('\n'));
    assert.deepEqual(errors, []);
    const [g, wan, a0, a1] = sections;
    assert.equal(g.name, 'globals');
    assert.deepEqual(g.options.get('enabled'), { values: ['1'], list: false, line: 4 });
    assert.equal(g.options.get('scheduler')!.values[0], 'def"ault');
    assert.equal(g.options.get('raw')!.values[0], "it's");
    assert.equal(g.options.get('bare')!.values[0], 'a b');
    assert.equal(g.options.get('glued')!.values[0], 'abc');
    assert.deepEqual(wan.options.get('probe'), { values: ['192.0.2.1', '192.0.2.2'], list: true, line: 11 });
    assert.equal(wan.options.get('empty')!.values[0], '');
    assert.deepEqual([sectionLabel(wan), sectionLabel(a0), sectionLabel(a1)], ['wan', '@uplink[1]', '@uplink[2]']);
  });

  it('merges a repeated named section and lets a later option override', () => {
    const { sections } = parseUci("config uplink 'wan'\n\toption mode 'on'\nconfig uplink 'wan'\n\toption mode 'off'\n");
    assert.equal(sections.length, 1);
    assert.deepEqual(sections[0].options.get('mode')!.values, ['off']);
  });

  it('reports malformed lines with their line numbers', () => {
    const { errors } = parseUci([
      "option enabled '1'",
      "config uplink 'wan",
      'config uplink "wan',
      'config uplink wan extra',
      'config 9-bad',
      "config uplink 'wan-1'",
      'config uplink ok',
      "\toption 'bad name' 1",
      '\toption mode',
      '\tfrobnicate x',
    ].join('\n'));
    assert.deepEqual(errors.map((e) => e.line), [1, 2, 3, 4, 5, 6, 8, 9, 10]);
    assert.match(errors[0].message, /outside of a config section/);
    assert.match(errors[1].message, /unterminated single quote/);
    assert.match(errors[2].message, /unterminated double quote/);
    assert.match(errors[5].message, /invalid section name 'wan-1'/);
    assert.match(errors[8].message, /unknown keyword 'frobnicate'/);
  });
});

describe('setOption', () => {
  const text = [
    '# my router',
    "config globals 'globals'",
    "\toption enabled '1'",
    '',
    "config uplink 'wan'",
    "\toption mode 'on'   # keep",
    '    # comment inside',
    "config uplink 'lte'",
    '',
  ].join('\n');

  it('replaces one option and leaves every other byte alone', () => {
    const out = setOption(text, 'wan', 'mode', 'backup');
    assert.deepEqual(out.split('\n').filter((l, i) => l !== text.split('\n')[i]), ["\toption mode 'backup'"]);
  });

  it('adds a missing option after the section options, quoting it safely', () => {
    const out = setOption(text, 'lte', 'mode', "it's");
    assert.equal(out, text.replace("config uplink 'lte'\n", "config uplink 'lte'\n\toption mode 'it'\\''s'\n"));
    assert.equal(parseUci(out).sections[2].options.get('mode')!.values[0], "it's");
  });

  it('removes an option, and refuses unknown sections', () => {
    assert.ok(!setOption(text, 'wan', 'mode', null).includes('option mode'));
    assert.throws(() => setOption(text, 'nope', 'mode', 'on'), /no section 'nope'/);
  });
});
