// What needs the user's attention above everything else: an invalid config file (the daemon
// keeps the last valid one in force), a proxy engine that cannot run, and the warnings of
// config, plan and kernel.
import type { Status } from '../lib/types.js';

type ConfigError = NonNullable<Status['config_error']>;

/** As `mpwan check` and `mpwan status` print a problem: file:line: option: message. */
const problemText = (e: ConfigError['errors'][number]) => `${e.file}:${e.line}: ${e.option ? `${e.option}: ` : ''}${e.message}`;

function renderConfigError(c: ConfigError): HTMLElement {
  const items = c.errors.length ? c.errors.map(problemText) : [c.message];
  return E('div', { class: 'alert-message warning mpwan-alert', id: 'mpwan-config-error' }, [
    E('h4', {}, [_('The config file is invalid')]),
    E('p', {}, [_('mpwan keeps the last valid configuration in force until the file is fixed:')]),
    E('ul', {}, items.map((t) => E('li', {}, [t]))),
  ]);
}

function renderWarnings(warnings: string[]): HTMLElement {
  return E('div', { class: 'mpwan-card mpwan-wide', id: 'mpwan-warnings' }, [
    E('h3', {}, [_('Warnings')]),
    E('ul', {}, warnings.map((w) => E('li', { class: 'mpwan-note warning' }, [w]))),
  ]);
}

/** The configured proxy engine is not installed: the backend's sentence says what to install. */
function renderProxyError(text: string): HTMLElement {
  return E('div', { class: 'alert-message warning mpwan-alert', id: 'mpwan-proxy-error' }, [
    E('h4', {}, [_('The LAN proxy cannot run')]),
    E('p', {}, [text]),
    E('p', {}, [_('Until then LAN traffic takes the normal route: one uplink per connection, not aggregated.')]),
  ]);
}

/** The notices for this reply, none when all is well (no placeholders: see luci.d.ts). */
export function renderNotices(s: Status): HTMLElement[] {
  const out: HTMLElement[] = [];
  if (s.config_error) out.push(renderConfigError(s.config_error));
  if (s.proxy?.error) out.push(renderProxyError(s.proxy.error));
  if (s.warnings?.length) out.push(renderWarnings(s.warnings));
  return out;
}
