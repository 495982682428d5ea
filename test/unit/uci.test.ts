import assert from 'node:assert/strict';
import { parseUci } from '../../src/config/uci-read.js';
import { quoteUci, removeSection, setOption } from '../../src/config/uci-edit.js';
import { sectionLabel, type UciSection } from '../../src/config/uci-syntax.js';

/** The parse as plain data: [label, type, line, {option: values or [values, 'list']}]. */
const plain = (text: string) => {
  const { sections, errors } = parseUci(text);
  assert.deepEqual(errors, []);
  return sections.map((s: UciSection) => [
    sectionLabel(s), s.type, s.line,
    Object.fromEntries([...s.options].map(([k, o]) => [k, o.list ? [...o.values, 'list'] : o.values.join('|')])),
  ]);
};
const value = (text: string) => parseUci(`config t 's'\n\toption v ${text}\n`).sections[0].options.get('v')?.values[0];
const errorsOf = (text: string) => parseUci(text).errors.map((e) => `${e.line}: ${e.message}`);

describe('UCI parser', () => {
  it('reads package, sections, options and lists with their lines', () => {
    const { sections, errors } = parseUci([
      'package mpwan',
      '',
      "config globals 'globals'",
      "\toption enabled '1'",
      "config uplink 'wan'",
      "  list probe '192.0.2.1'",
      '\t\tlist probe "192.0.2.2"',
    ].join('\n'));
    assert.deepEqual(errors, []);
    assert.equal(sections.length, 2);
    assert.deepEqual({ ...sections[0], options: [...sections[0].options] }, {
      type: 'globals', name: 'globals', index: 0, line: 3,
      options: [['enabled', { values: ['1'], list: false, line: 4, lines: [4] }]],
    });
    assert.deepEqual(sections[1].options.get('probe'), { values: ['192.0.2.1', '192.0.2.2'], list: true, line: 6, lines: [6, 7] });
  });

  it('quotes: single literal, double and bare with backslash escapes, pieces glued', () => {
    assert.equal(value(`'a \\n "b" # c'`), 'a \\n "b" # c');
    assert.equal(value('"a \\"b\\" \\\\ \\n \'c\' # d"'), 'a "b" \\ n \'c\' # d');
    assert.equal(value('a\\ b\\#c\\\'d'), "a b#c'd");
    assert.equal(value(`'a'"b"c'd'`), 'abcd');
    assert.equal(value(`'it'\\''s'`), "it's");
    assert.equal(value(`''x`), 'x');
  });

  it('reads quoted values over several lines and backslash line continuations, as libuci does', () => {
    const { sections } = parseUci("config t 's'\n\toption a 'one\ntwo'\n\toption b \"x\\\ny\"\n\toption c p\\\nq\n\toption d 'z'\n");
    const o = sections[0].options;
    assert.deepEqual([o.get('a')!.values[0], o.get('b')!.values[0], o.get('c')!.values[0]], ['one\ntwo', 'xy', 'pq']);
    assert.deepEqual([o.get('a')!.line, o.get('b')!.line, o.get('c')!.line, o.get('d')!.line], [2, 4, 6, 8]);
  });

  it('comments: whole lines, after tokens, and an unquoted # inside a word', () => {
    assert.deepEqual(plain([
      '# header',
      "   # indented comment",
      "config t 'a' # after the header",
      "\toption x 'y'# glued",
      '\toption z b#c d e',
      "\toption q '#not a comment'",
    ].join('\n')), [['a', 't', 3, { x: 'y', z: 'b', q: '#not a comment' }]]);
  });

  it('takes tabs, spaces, CRLF line ends, ; between statements and the one-letter keywords', () => {
    assert.deepEqual(plain("config t 'a'\r\n \t option x '1' \t\r\nc t 'b'; o y 2 ; l z '3';l z 4\r\n"), [
      ['a', 't', 1, { x: '1' }],
      ['b', 't', 3, { y: '2', z: ['3', '4', 'list'] }],
    ]);
  });

  it('labels anonymous sections @type[n], counting every section of the type', () => {
    const { sections } = parseUci("config uplink\nconfig uplink 'wan'\nconfig uplink ''\nconfig globals\n");
    assert.deepEqual(sections.map(sectionLabel), ['@uplink[0]', 'wan', '@uplink[2]', '@globals[0]']);
    assert.deepEqual(sections.map((s) => s.index), [0, 1, 2, 0]);
    assert.equal(sections[2].name, undefined);
  });

  it('merges a repeated named section into the first; option overrides, list appends', () => {
    assert.deepEqual(plain([
      "config uplink 'wan'",
      "\toption mode 'on'",
      "\toption priority '1'",
      "config uplink 'lte'",
      "config uplink 'wan'",
      "\toption mode 'off'",
      "\tlist mode 'x'",
      "\tlist extra 'e'",
    ].join('\n')), [
      ['wan', 'uplink', 1, { mode: ['off', 'x', 'list'], priority: '1', extra: ['e', 'list'] }],
      ['lte', 'uplink', 4, {}],
    ]);
  });

  it("follows libuci on `option x ''` (ignored) and on option after list (replaces)", () => {
    assert.deepEqual(plain("config t 'a'\n\toption x 'kept'\n\toption x ''\n\tlist y 1\n\toption y 2\n\tlist z ''\n"), [
      ['a', 't', 1, { x: 'kept', y: '2', z: ['', 'list'] }],
    ]);
  });

  it('reports each malformed statement with its line and carries on', () => {
    assert.deepEqual(errorsOf([
      "option enabled '1'", // 1
      "config 'uplink' 'wan' 'extra'", // 2
      'config', // 3
      'config bad\\ type', // 4
      "config uplink 'wan-1'", // 5
      "\toption quiet 'x'", // 6: inside the broken section: not an orphan
      'config uplink ok', // 7
      "\toption 'bad name' 1", // 8
      '\toption mode', // 9: no value: libuci ignores it
      '\toption', // 10
      '\tlist probe a b', // 11
      '\tfrobnicate x', // 12
      "\t'option' x y", // 13
      'package', // 14
      'package a b', // 15
      "config server 'ok'", // 16
      "config uplink 'x'", // 17
      "\toption bad\\ name 'y'", // 18
      'config uplink "open', // 19: runs to the end of the file
      "\toption mode 'on'",
    ].join('\n')), [
      "1: 'option' outside of a config section",
      "2: too many arguments ('extra'): quote values that contain spaces",
      "3: 'config' needs a section type",
      "4: invalid section type 'bad type'",
      "5: invalid section name 'wan-1' (use letters, digits and _)",
      "8: invalid option name 'bad name' (use letters, digits and _)",
      "10: 'option' needs a name",
      "11: too many arguments ('b'): quote values that contain spaces",
      "12: unknown keyword 'frobnicate' (expected config, option or list)",
      "13: unknown keyword ''option'' (expected config, option or list)",
      "14: 'package' needs a name",
      "15: too many arguments ('b'): quote values that contain spaces",
      "16: section 'ok' is already a 'uplink' (line 7); it cannot also be a 'server'",
      "18: invalid option name 'bad name' (use letters, digits and _)",
      '19: unterminated double quote (nothing closes it before the end of the file)',
    ]);
  });

  it('reports an unterminated single quote at the line it opens, and hints when one swallows lines', () => {
    assert.deepEqual(errorsOf("config t 'a'\n\toption x 'y\n\toption z 1\n"), ['2: unterminated single quote (nothing closes it before the end of the file)']);
    assert.deepEqual(errorsOf("config uplink 'wan\n\toption mode 'on\n"), [
      "1: invalid section name 'wan\\n\\toption mode on' (use letters, digits and _) (a quoted value on line 1 runs to line 2: is a closing quote missing?)",
    ]);
  });

  it('quoteUci writes what uci export writes', () => {
    assert.equal(quoteUci("it's"), "'it'\\''s'");
    assert.equal(value(quoteUci(`a'b"c\\d#e f`)), `a'b"c\\d#e f`);
  });
});

/** What `uci show` prints for the file (package name left out), or why uci refuses it. */
const uciShow = (text: string): string => {
  const { sections, errors } = parseUci(text);
  if (errors.length > 0) return 'refused';
  return sections.flatMap((s) => [
    `${sectionLabel(s)}=${s.type}`,
    ...[...s.options].map(([k, o]) => `${sectionLabel(s)}.${k}=${o.values.map(quoteUci).join(' ')}`),
  ]).join('\n');
};

describe('UCI parser agrees with libuci', () => {
  // Each row: a line after "config s 'a'\n\t" (or a whole file when it starts with config or ;)
  // and what `uci -c <dir> show` printed for it, with uci built from source (openwrt/uci
  // 66127cd, libubox 1aa36ee). A `;` right after an unquoted word ends the line; a missing or
  // empty value sets nothing; a `;` that leaves only the line break behind is refused.
  const ROWS: [string, string][] = [
    ["option v\n", "a=s"],
    ["option v # c\n", "a=s"],
    ["option v ''\n", "a=s"],
    ["option v 1\n\toption v\n", "a=s\na.v='1'"],
    ["option v 1\n\toption v #\n", "a=s\na.v='1'"],
    ["option v a;option w c\n", "a=s\na.v='a'"],
    ["option v a; b\n", "a=s\na.v='a'"],
    ["option v a;b c d\n", "a=s\na.v='a'"],
    ["option\tv\ta;option w c\n", "a=s\na.v='a'"],
    ["o v a;o w c\n", "a=s\na.v='a'"],
    ["list v a;list v b\n", "a=s\na.v='a'"],
    ["option v;option w c\n", "a=s"],
    ["option v a;\n", "a=s\na.v='a'"],
    ["option v a;\r\n", "a=s\na.v='a'"],
    ["option v a; # c\n", "a=s\na.v='a'"],
    ["option v 'a';option w c\n", "a=s\na.v='a'\na.w='c'"],
    ["option v \"a\";option w c\n", "a=s\na.v='a'\na.w='c'"],
    ["option v a ;option w c\n", "a=s\na.v='a'\na.w='c'"],
    ["option v a\f;option w c\n", "a=s\na.v='a'\na.w='c'"],
    ["option v a\\b;option w c\n", "a=s\na.v='ab'\na.w='c'"],
    ["option v a\\;;option w c\n", "a=s\na.v='a;'\na.w='c'"],
    ["option v 'a;b'\n", "a=s\na.v='a;b'"],
    ["option v 'a';option w b;option x c\n", "a=s\na.v='a'\na.w='b'"],
    ["option v 'a' ;option w b ;option x c\n", "a=s\na.v='a'\na.w='b'\na.x='c'"],
    ["option v 'a'; # c\n", "a=s\na.v='a'"],
    ["option v 'a';", "a=s\na.v='a'"],
    ["option v a '' option w c\n", "a=s\na.v='a'\na.w='c'"],
    ["option v a \"\" # c\n", "a=s\na.v='a'"],
    ["list v\n", "a=s\na.v=''"],
    ["list v # c\n", "a=s\na.v=''"],
    ["option v 1\n\tlist v\n", "a=s\na.v='1' ''"],
    ["option v 'x\ny';option w 1\n", "a=s\na.v='x\ny'\na.w='1'"],
    ["option v x\\\ny;option w 1\n", "a=s\na.v='xy'\na.w='1'"],
    ["config s;option v 1\n", "@s[0]=s"],
    ["config s a;b\n", "a=s"],
    ["config 's' 'a';option v 1\n", "a=s\na.v='1'"],
    ["option v 'a';\n", "refused: invalid command"],
    ["option v a ;\n", "refused: invalid command"],
    ["option v 'a' ; \n", "refused: invalid command"],
    ["option v 'a';\r\n", "refused: invalid command"],
    ["option v a ;;option w c\n", "refused: invalid command"],
    ["option v a ; ; option w c\n", "refused: invalid command"],
    ["option v a '' b\n", "refused: invalid command"],
    ["option v a b\n", "refused: too many arguments"],
    ["option 'v';x\n", "refused: too many arguments"],
    ["config 's';option v 1\n", "refused: too many arguments"],
    ["config s 'a';\n", "refused: invalid command"],
    ["option\u000bv a\n", "refused: invalid command"],
    [";option v a\n", "refused: invalid command"],
    ["option\n", "refused: invalid command"],
    ["option '' a\n", "refused: insufficient arguments"],
  ];
  for (const [input, shown] of ROWS) {
    it(`${JSON.stringify(input)} -> ${shown.startsWith('refused') ? shown : JSON.stringify(shown)}`, () => {
      const text = input.startsWith('config') || input.startsWith(';') ? input : `config s 'a'\n\t${input}`;
      assert.equal(uciShow(text), shown.startsWith('refused') ? 'refused' : shown);
    });
  }

  it('warns about what libuci ignores: text after a cutting ; and options without a value', () => {
    assert.deepEqual(parseUci("config s 'a'\n\toption v a;option w c\n\toption x # no value\n\toption y a; # fine\n\toption z ''\n").warnings, [
      { line: 2, message: "'option w c' after ';' is ignored: libuci ends the line at a ';' right after an unquoted value (put a space before the ';')" },
      { line: 3, message: "'option x' has no value: libuci ignores the line, so x is neither set nor cleared" },
      { line: 5, message: "'option z' has no value: libuci ignores the line, so z is neither set nor cleared" },
    ]);
  });
});

describe('setOption', () => {
  const text = [
    '# my router',
    "config globals 'globals'",
    "\toption enabled '1'",
    '',
    "config uplink 'wan'   # primary",
    "    option mode 'on'   # keep this note",
    "    option priority '10'",
    '    # comment inside',
    '',
    "config uplink 'lte'",
    '',
    'config uplink',
    "\toption mode 'off'",
  ].join('\n');

  it('replaces a value in place: indentation and a trailing comment stay', () => {
    const out = setOption(text, 'wan', 'mode', 'backup');
    assert.equal(out, text.replace("    option mode 'on'   # keep", "    option mode 'backup'   # keep"));
    assert.equal(setOption(out, 'wan', 'mode', 'on'), text);
  });

  it("adds a missing option after the section's last option, indented like it", () => {
    assert.equal(setOption(text, 'wan', 'ula', '1'), text.replace("    option priority '10'\n", "    option priority '10'\n    option ula '1'\n"));
  });

  it('adds to an empty section right after its header, with a tab', () => {
    assert.equal(setOption(text, 'lte', 'mode', 'backup'), text.replace("config uplink 'lte'\n", "config uplink 'lte'\n\toption mode 'backup'\n"));
  });

  it('quotes values safely, so they read back exactly', () => {
    for (const v of ["it's", 'a b # c', '"x"\\y', '', 'two\nlines']) {
      const out = setOption(text, 'lte', 'note', v);
      assert.equal(parseUci(out).sections[2].options.get('note')?.values[0], v === '' ? undefined : v);
    }
    assert.ok(setOption(text, 'lte', 'note', "it's").includes("\toption note 'it'\\''s'\n"));
  });

  it('removes an option line with its comment and nothing else', () => {
    const out = setOption(text, 'wan', 'mode', null);
    assert.equal(out, text.replace("    option mode 'on'   # keep this note\n", ''));
    assert.equal(setOption(text, 'wan', 'ula', null), text, 'removing an absent option changes nothing');
  });

  it('addresses anonymous sections as @type[n] and @type[-1]', () => {
    const expected = text.replace("\toption mode 'off'", "\toption mode 'on'");
    assert.equal(setOption(text, '@uplink[2]', 'mode', 'on'), expected);
    assert.equal(setOption(text, '@uplink[-1]', 'mode', 'on'), expected);
    assert.equal(setOption(text, '@globals[0]', 'enabled', '0'), text.replace("enabled '1'", "enabled '0'"));
  });

  it('leaves one statement for the option when it was repeated or a list', () => {
    const t = "config t 'a'\n\toption x 1\n\tlist x 2\n\toption y 3\n\toption x 4\n";
    assert.equal(setOption(t, 'a', 'x', '9'), "config t 'a'\n\toption x '9'\n\toption y 3\n");
    assert.equal(setOption(t, 'a', 'x', null), "config t 'a'\n\toption y 3\n");
    assert.equal(setOption("config t 'a'\n\tlist x 1 # l\n\tlist x 2\n", 'a', 'x', '5'), "config t 'a'\n\toption x '5' # l\n");
  });

  it('edits the right block of a section that is repeated', () => {
    const t = "config t 'a'\n\toption x 1\nconfig t 'b'\nconfig t 'a'\n\toption y 2\n";
    assert.equal(setOption(t, 'a', 'x', '3'), t.replace('option x 1', "option x '3'"));
    assert.equal(setOption(t, 'a', 'z', '3'), `${t}\toption z '3'\n`);
  });

  it('keeps CRLF line ends, a missing final newline and ; statements intact', () => {
    assert.equal(setOption("config t 'a'\r\n\toption x 1\r\n", 'a', 'y', '2'), "config t 'a'\r\n\toption x 1\r\n\toption y '2'\r\n");
    assert.equal(setOption("config t 'a'\n\toption x 1", 'a', 'y', '2'), "config t 'a'\n\toption x 1\n\toption y '2'");
    const semi = "config t 'a'; option x 1 ; option y '2' # c\nconfig t 'b'\n";
    assert.equal(setOption(semi, 'a', 'x', null), "config t 'a'; option y '2' # c\nconfig t 'b'\n");
    assert.equal(setOption(semi, 'a', 'y', null), "config t 'a'; option x 1 # c\nconfig t 'b'\n");
    assert.equal(setOption(semi, 'a', 'z', '3'), "config t 'a'; option x 1 ; option y '2' # c\n\toption z '3'\nconfig t 'b'\n");
    assert.equal(setOption("config t 'a'; option x 1 ; config t 'b'\n", 'a', 'z', '3'), "config t 'a'; option x 1 ; option z '3' ; config t 'b'\n");
  });

  it('keeps what libuci ignores ignored: the rest of a line after an unquoted value and ;', () => {
    // `option x a;option y b` sets only x: a quoted value would let libuci read y too.
    const cut = "config t 'a'\n\toption x a;option y b\n";
    assert.equal(setOption(cut, 'a', 'x', '9'), "config t 'a'\n\toption x '9' #;option y b\n");
    assert.equal(setOption("config t 'a'\n\tlist x a;list y b\n", 'a', 'x', '9'), "config t 'a'\n\toption x '9' #;list y b\n");
    assert.equal(setOption(cut, 'a', 'x', null), "config t 'a'\n");
    assert.equal(setOption(cut, 'a', 'z', '3'), `${cut}\toption z '3'\n`);
    assert.equal(setOption("config t 'a'; option w '1' ; option x a;junk\n", 'a', 'x', null), "config t 'a'; option w '1'\n");
  });

  it('replaces an option line without a value (which libuci ignores) in place', () => {
    assert.equal(setOption("config t 'a'\n\toption x # none\n\toption x 1\n", 'a', 'x', '5'), "config t 'a'\n\toption x '5' # none\n");
  });

  it('refuses unknown sections, bad option names and files with syntax errors', () => {
    assert.throws(() => setOption(text, 'nope', 'mode', 'on'), /no section 'nope'/);
    assert.throws(() => setOption(text, '@uplink[7]', 'mode', 'on'), /no section '@uplink\[7\]'/);
    assert.throws(() => setOption(text, 'wan', 'bad-name', 'on'), /invalid option name 'bad-name'/);
    assert.throws(() => setOption(`${text}\n\toption broken a b`, 'wan', 'mode', 'on'), /cannot edit a file with errors: line 14: too many arguments \('b'\)/);
  });
});

describe('removeSection', () => {
  const file = "config globals 'globals'\n\toption enabled '1'\n\n# the primary\nconfig server 'a'\n\toption host '203.0.113.7' # its address\n\tlist x '1'\n\nconfig server 'b'\n\toption host 'y'\n";

  it('removes the section and every statement in it, each with its line; the rest stays byte for byte', () => {
    assert.equal(removeSection(file, 'a'), "config globals 'globals'\n\toption enabled '1'\n\n# the primary\n\nconfig server 'b'\n\toption host 'y'\n");
    assert.equal(removeSection(file, 'b'), "config globals 'globals'\n\toption enabled '1'\n\n# the primary\nconfig server 'a'\n\toption host '203.0.113.7' # its address\n\tlist x '1'\n\n");
  });

  it("removes every part of a section libuci merges from repeated 'config' lines, and statements sharing a line with ';'", () => {
    const merged = "config server 'a'\n\toption host 'x' ; option port '1'\nconfig server 'b'\n\toption host 'y'\nconfig server 'a'\n\toption priority '3'\n";
    assert.equal(removeSection(merged, 'a'), "config server 'b'\n\toption host 'y'\n");
    assert.equal(removeSection("config t 'a'; option x '1' ; config t 'b'\n", 'a'), "config t 'b'\n");
  });

  it('refuses an unknown section and a file with errors', () => {
    assert.throws(() => removeSection(file, 'nope'), /no section 'nope'/);
    assert.throws(() => removeSection(`${file}\toption broken a b\n`, 'a'), /cannot edit a file with errors/);
  });
});
