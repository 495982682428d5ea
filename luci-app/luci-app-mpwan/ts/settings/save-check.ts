// The Save that LuCI's buttons make runs mpwan's cross-section rules (lib/coherence.ts) over
// the config as it would be written, after every field wrote itself and before anything is
// sent to rpcd: a config mpwan would refuse is never staged, and the user reads why in LuCI's
// "Save error" dialog (form.js Map.save shows the message of a rejected callback).
import uci from 'luci/uci';
import { crossProblems, type Problem } from '../lib/coherence.js';
import { configSections } from './proxy.js';

function problemText(p: Problem): string {
  switch (p.kind) {
    case 'proxies': return _('Only one LAN proxy section is allowed: delete the others.');
    case 'servers': return _('At most 8 aggregation servers can be enabled (enabled now: %s): turn some off.').format(p.servers.join(', '));
    case 'same-server': return _('Servers %s and %s have the same host and port: one section per server.').format(p.servers[0], p.servers[1]);
    case 'no-server': return _('The LAN proxy needs an enabled aggregation server: add one (or import its link), or turn the proxy off.');
    case 'udp-engine': return _('LAN UDP through the server needs engine mpwan-relay: %s carries TCP only. Choose engine mpwan-relay, or LAN UDP direct.').format(p.engine);
    case 'needs-key': return _('Engine mpwan-relay needs the relay key of server %s: paste the mpwan:// link printed by mpwan server setup into its Import link field.').format(p.server);
    case 'needs-password': return _('Engine %s needs the password of server %s: paste the server\'s ss:// link into its Import link field.').format(p.engine, p.server);
  }
}

const STAGED = ['creates', 'changes', 'deletes', 'reorder'] as const;

/** What uci.js holds of mpwan's edits in the browser, not yet sent to rpcd. */
const stagedHere = (): string => JSON.stringify(STAGED.map((k) => uci.state[k].mpwan ?? null));

/**
 * Back to `saved`. A refused Save must leave no write behind: the fields wrote themselves into
 * uci.js before the check, and a field the user then sets back to the config's value does not
 * write again (it equals cfgvalue), so the refused value would stay and be sent by the next Save.
 */
function restore(saved: string): void {
  const parts = JSON.parse(saved) as (Record<string, unknown> | true | null)[];
  STAGED.forEach((k, i) => {
    if (parts[i] === null) delete uci.state[k].mpwan;
    else uci.state[k].mpwan = parts[i]!;
  });
}

/** Wraps m.save. The silent saves form.js makes itself (adding or deleting a section) are
 *  steps towards a config, not one: they pass, and the user's Save checks the result. */
export function checkedOnSave(m: LuCI.FormMap): void {
  const save = m.save;
  m.save = function (this: LuCI.FormMap, cb?: () => unknown, silent?: boolean) {
    if (silent) return save.call(this, cb, silent);
    const before = stagedHere();
    return save.call(this, () => {
      const problems = crossProblems(configSections());
      if (problems.length > 0) {
        restore(before);
        throw new Error([_('mpwan would refuse this configuration:'), ...problems.map(problemText)].join('\n'));
      }
      return cb?.();
    }, silent);
  };
}
