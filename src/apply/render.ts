// Pure: how each Change is carried out (an `ip` argv or a /proc write), how it is undone,
// and how it reads in a plan.
import { ruleSelector, ruleSuffix, type DesiredRoute, type DesiredRule, type ObservedEndpoint, type ObservedRoute, type ObservedRule } from '../model/kernel.js';
import type { Change } from '../model/plan.js';

export type Action = { argv: string[] } | { write: string; value: string };

const fam = (f: 4 | 6) => (f === 4 ? '-4' : '-6');

/** `pref P <selector> lookup T [suppress_prefixlength N]` */
const ruleArgs = (r: DesiredRule | ObservedRule) => ['pref', String(r.pref), ...ruleSelector(r), 'lookup', String(r.table), ...ruleSuffix(r)];
const ruleArgv = (verb: 'add' | 'del', r: DesiredRule | ObservedRule) => ['ip', fam(r.family), 'rule', verb, ...ruleArgs(r)];

function routeArgs(r: DesiredRoute | ObservedRoute): string[] {
  const args = r.type === 'local' ? ['local', r.dst] : [r.dst];
  if (r.gateway) args.push('via', r.gateway);
  if (r.dev) args.push('dev', r.dev);
  return [...args, 'table', String(r.table)];
}

function endpointAddArgs(address: string, id: number, dev: string | undefined, flags: { backup: boolean; fullmesh: boolean; signal?: boolean; subflow?: boolean }): string[] {
  const argv = ['ip', 'mptcp', 'endpoint', 'add', address, 'id', String(id)];
  if (dev) argv.push('dev', dev);
  if (flags.subflow !== false) argv.push('subflow');
  if (flags.signal) argv.push('signal');
  if (flags.backup) argv.push('backup');
  if (flags.fullmesh) argv.push('fullmesh');
  return argv;
}

export function renderChange(c: Change): Action {
  switch (c.kind) {
    case 'sysctl':
      return { write: c.path, value: c.value };
    case 'limits':
      return { argv: ['ip', 'mptcp', 'limits', 'set', 'subflows', String(c.limits.subflows), 'add_addr_accepted', String(c.limits.addAddrAccepted)] };
    case 'route-replace':
      return { argv: ['ip', fam(c.route.family), 'route', 'replace', ...routeArgs(c.route)] };
    case 'route-del':
      return { argv: ['ip', fam(c.route.family), 'route', 'del', ...routeArgs(c.route)] };
    case 'rule-add':
      return { argv: ruleArgv('add', c.rule) };
    case 'rule-del':
      return { argv: ruleArgv('del', c.rule) };
    case 'endpoint-add':
      return { argv: endpointAddArgs(c.endpoint.address, c.id, c.endpoint.dev, c.endpoint) };
    case 'endpoint-del':
      return { argv: ['ip', 'mptcp', 'endpoint', 'delete', 'id', String(c.endpoint.id)] };
    case 'endpoint-backup':
      return { argv: ['ip', 'mptcp', 'endpoint', 'change', 'id', String(c.endpoint.id), c.backup ? 'backup' : 'nobackup'] };
  }
}

const asObserved = (e: { id: number; address: string; dev: string; backup: boolean; fullmesh: boolean }): ObservedEndpoint => ({
  id: e.id, address: e.address, dev: e.dev, subflow: true, signal: false, backup: e.backup, fullmesh: e.fullmesh,
});

/** The action that restores what was there before `c` was applied. */
export function renderUndo(c: Change): Action {
  switch (c.kind) {
    case 'sysctl':
      return { write: c.path, value: c.old };
    case 'limits':
      return renderChange({ kind: 'limits', limits: c.old, old: c.limits });
    case 'route-replace':
      return c.old
        ? { argv: ['ip', fam(c.old.family), 'route', 'replace', ...routeArgs(c.old)] }
        : renderChange({ kind: 'route-del', route: { ...c.route } });
    case 'route-del':
      return { argv: ['ip', fam(c.route.family), 'route', 'replace', ...routeArgs(c.route)] };
    case 'rule-add':
      return { argv: ruleArgv('del', c.rule) };
    case 'rule-del':
      return { argv: ruleArgv('add', c.rule) };
    case 'endpoint-add':
      return renderChange({ kind: 'endpoint-del', endpoint: asObserved({ ...c.endpoint, id: c.id }), reason: 'undo' });
    case 'endpoint-del': {
      const e = c.endpoint;
      return { argv: endpointAddArgs(e.address, e.id, e.dev, e) };
    }
    case 'endpoint-backup':
      return renderChange({ ...c, backup: !c.backup });
  }
}

/** IPv4 and IPv6 routes and rules can read the same (`local default dev lo`, `fwmark ...`): each says its family. */
const ipv = (x: { family: 4 | 6 }) => `IPv${x.family}`;

/** One line per change, for `mpwan apply --dry-run` and logs. */
export function describeChange(c: Change): string {
  switch (c.kind) {
    case 'sysctl':
      return `set ${c.path.replace('/proc/sys/', '').replace(/\//g, '.')} = ${c.value} (was ${c.old})`;
    case 'limits':
      return `set MPTCP limits subflows ${c.limits.subflows} add_addr_accepted ${c.limits.addAddrAccepted} (was ${c.old.subflows}/${c.old.addAddrAccepted})`;
    case 'route-replace':
      return `${c.old ? 'replace' : 'add'} ${ipv(c.route)} route ${routeArgs(c.route).join(' ')}`;
    case 'route-del':
      return `delete ${ipv(c.route)} route ${routeArgs(c.route).join(' ')}`;
    case 'rule-add':
      return `add ${ipv(c.rule)} rule ${ruleArgs(c.rule).join(' ')}`;
    case 'rule-del':
      return `delete ${ipv(c.rule)} rule ${ruleArgs(c.rule).join(' ')}`;
    case 'endpoint-add': {
      const flags = ['subflow', c.endpoint.backup && 'backup', c.endpoint.fullmesh && 'fullmesh'].filter(Boolean).join(' ');
      return `add endpoint id ${c.id} ${c.endpoint.address} dev ${c.endpoint.dev} ${flags} (${c.endpoint.uplink})`;
    }
    case 'endpoint-del':
      return `delete endpoint id ${c.endpoint.id} ${c.endpoint.address}${c.endpoint.dev ? ` dev ${c.endpoint.dev}` : ''} (${c.reason})`;
    case 'endpoint-backup':
      return `mark endpoint id ${c.endpoint.id} ${c.endpoint.address} ${c.backup ? 'backup' : 'not backup'}`;
  }
}
