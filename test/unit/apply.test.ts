import assert from 'node:assert/strict';
import { applyChanges } from '../../src/apply/apply.js';
import type { Change } from '../../src/model/plan.js';
import type { ExecResult, Runtime } from '../../src/sys/runtime.js';

/** Only what applyChanges uses: exec, answering each argv from a table of stderr replies. */
function fakeRuntime(fail: Record<string, string>) {
  const calls: string[] = [];
  const rt = {
    exec: async (argv: string[]): Promise<ExecResult> => {
      const line = argv.join(' ');
      calls.push(line);
      const stderr = fail[line];
      return { argv, status: stderr === undefined ? 0 : 2, stdout: '', stderr: stderr ?? '', timedOut: false };
    },
    writeFile: () => {},
  } as unknown as Runtime;
  return { rt, calls };
}

const routeDel: Change = { kind: 'route-del', route: { family: 4, table: 5101, dst: 'default', gateway: '10.20.2.1', dev: 'wan1' } };
const ruleAdd: Change = { kind: 'rule-add', rule: { family: 4, pref: 5000, src: '10.20.1.2', table: 5100 } };
const endpointAdd: Change = {
  kind: 'endpoint-add', id: 3,
  endpoint: { uplink: 'wan', address: '10.20.1.2', family: 4, dev: 'wan0', ifindex: 5, backup: false, fullmesh: false },
};

describe('applyChanges', () => {
  it('counts a delete of something the kernel already removed as done, with nothing to undo', async () => {
    const { rt, calls } = fakeRuntime({ 'ip -4 route del default via 10.20.2.1 dev wan1 table 5101': 'RTNETLINK answers: No such process' });
    assert.equal(await applyChanges(rt, [ruleAdd, routeDel, endpointAdd]), null);
    assert.equal(calls.length, 3);
  });

  it('undoes the steps taken, in reverse, when a step fails for another reason', async () => {
    const { rt, calls } = fakeRuntime({ 'ip mptcp endpoint add 10.20.1.2 id 3 dev wan0 subflow': 'Error: Operation not permitted' });
    const failure = await applyChanges(rt, [ruleAdd, routeDel, endpointAdd]);
    assert.equal(failure?.change, endpointAdd);
    assert.deepEqual(calls.slice(3), [
      'ip -4 route replace default via 10.20.2.1 dev wan1 table 5101',
      'ip -4 rule del pref 5000 from 10.20.1.2 lookup 5100',
    ]);
  });
});
