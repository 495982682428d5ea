// Settings: a form.Map over /etc/config/mpwan with every option of mpwan's option table
// (src/config/options.ts; mpwan rejects unknown options, so the form offers only real ones).
// Each option's datatype comes from that table at build time (lib/form.ts); where LuCI's
// datatype accepts what mpwan refuses, a `validate` calls mpwan's own parser, and the rules
// that tie sections together run on Save (settings/save-check.ts).
// Save & Apply commits through rpcd; procd's reload trigger on 'mpwan' re-plans in place.
// Every section saves only options the user changed.
import view from 'luci/view';
import form from 'luci/form';
import uci from 'luci/uci';
import { globalsSection, uplinkHealthSection, uplinksSection } from './settings/general.js';
import { serverSection } from './settings/server.js';
import { proxySection } from './settings/proxy.js';
import { checkedOnSave } from './settings/save-check.js';

/** A theme may give every select a fixed width (bootstrap: 210 px): ours grow to their longest label. */
const CSS = '#cbi-mpwan select{width:auto;min-width:210px;max-width:100%}';

export default view.extend({
  load() {
    return uci.load('mpwan');
  },

  render(): Promise<Node> {
    const m = new form.Map('mpwan', _('Multipath WAN: settings'),
      _('mpwan adds one MPTCP endpoint per uplink so that one TCP connection uses them all.'));
    globalsSection(m);
    uplinksSection(m);
    uplinkHealthSection(m);
    // The server's secret fields follow the proxy's engine field, found by the section's id.
    serverSection(m, uci.sections('mpwan', 'proxy')[0]?.['.name'] ?? null);
    proxySection(m);
    checkedOnSave(m);
    // Beside the map, not in it: the map re-renders its own contents after a save.
    return m.render().then((node) => E('div', {}, [E('style', {}, [CSS]), node]));
  },
});
