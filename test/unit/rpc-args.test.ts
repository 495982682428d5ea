import assert from 'node:assert/strict';
import { parseRequest, signature, validateArgs, type ArgsSpec, MAX_REQUEST_BYTES } from '../../src/rpc/args.js';

const spec: ArgsSpec = {
  uplink: { type: 'string', pattern: /^[A-Za-z0-9_]+$/, maxLength: 64, required: true, example: 'wan' },
  mode: { type: 'string', enum: ['on', 'backup', 'off'], maxLength: 8, required: true, example: 'on' },
  seconds: { type: 'int', min: 1, max: 30, example: 5 },
  verbose: { type: 'boolean', example: false },
};

describe('rpc arguments', () => {
  it('accepts valid arguments and ignores ubus_rpc_session', () => {
    assert.deepEqual(validateArgs(spec, { uplink: 'wan', mode: 'backup', ubus_rpc_session: 'abc' }), { uplink: 'wan', mode: 'backup' });
  });

  it('rejects injection attempts, wrong types, unknown and missing arguments, listing every problem', () => {
    for (const uplink of ['wan; reboot', '$(reboot)', 'wan\nreboot', '../etc', '`id`', '']) {
      assert.throws(() => validateArgs(spec, { uplink, mode: 'on' }), /characters that are not allowed/, JSON.stringify(uplink));
    }
    assert.throws(() => validateArgs(spec, { uplink: 5, mode: 'fast', extra: 1 }), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'invalid_argument');
      assert.match(e.message, /unknown argument 'extra'.*'uplink' must be a string.*'mode' must be one of on, backup, off/);
      return true;
    });
    assert.throws(() => validateArgs(spec, {}), /missing argument 'uplink'; missing argument 'mode'/);
    assert.throws(() => validateArgs({}, JSON.parse('{"constructor":"x","__proto__":{},"toString":1}')), /unknown argument 'constructor'.*unknown argument '__proto__'.*unknown argument 'toString'/);
    assert.throws(() => validateArgs({}, { ubus_rpc_session: 5 }), /'ubus_rpc_session' must be a string/);
    assert.throws(() => validateArgs(spec, { uplink: 'x'.repeat(65), mode: 'on' }), /longer than 64/);
    assert.throws(() => validateArgs(spec, { uplink: 'w', mode: 'on', seconds: 1.5 }), /integer/);
    assert.throws(() => validateArgs(spec, { uplink: 'w', mode: 'on', seconds: 31 }), /between 1 and 30/);
    assert.throws(() => validateArgs(spec, { uplink: 'w', mode: 'on', verbose: 'yes' }), /true or false/);
  });

  it('parses requests: empty is no arguments; truncated, non-object, huge and deep ones are refused', () => {
    assert.deepEqual(parseRequest(''), {});
    assert.deepEqual(parseRequest('{"a":1}'), { a: 1 });
    assert.throws(() => parseRequest('{"uplink": "wa'), /not valid JSON/);
    assert.throws(() => parseRequest('[1,2]'), /must be a JSON object/);
    assert.throws(() => parseRequest('"x"'), /must be a JSON object/);
    assert.throws(() => parseRequest(JSON.stringify({ a: 'x'.repeat(MAX_REQUEST_BYTES) })), /larger than/);
    assert.throws(() => parseRequest('{"a":' + '['.repeat(100) + ']'.repeat(100) + '}'), /nested deeper/);
    assert.deepEqual(parseRequest('{"a":"[[[[[[[[[[[[["}'), { a: '[[[[[[[[[[[[[' }, 'brackets inside strings do not count');
  });

  it('prints the list signature from the examples', () => {
    assert.deepEqual(signature(spec), { uplink: 'wan', mode: 'on', seconds: 5, verbose: false });
  });
});
