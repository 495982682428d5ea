// Status page: notices (invalid config file, proxy engine missing, warnings), one card per
// uplink, live throughput graphs, the default route, proxy and server, LAN UDP, MPTCP
// counters. Polls `mpwan status` at LuCI's refresh interval; a failed poll keeps the last
// data on screen and shows a notification.
import view from 'luci/view';
import poll from 'luci/poll';
import { callStatus, notifyError } from './lib/api.js';
import type { Status } from './lib/types.js';
import { pollSeconds, StatusPage } from './status/page.js';

export default view.extend({
  load(): Promise<Status | null> {
    return callStatus().catch((e: unknown) => { notifyError(e); return null; });
  },

  render(data: unknown): Node {
    const page = new StatusPage(pollSeconds());
    if (data) page.update(data as Status);
    // poll.add starts the poll loop, which runs the function at once: right after load()'s
    // call. Skip that run (the next is one interval later) rather than fetch twice. No interval:
    // poll.add takes LuCI's own (the user's refresh setting), as pollSeconds() does.
    poll.add(() => (page.isFresh() ? undefined : callStatus().then((s) => page.update(s), notifyError)));
    return page.root;
  },

  handleSave: null,
  handleSaveApply: null,
  handleReset: null,
});
