// When LAN traffic goes to the proxy: only while one runs and the server is not known to be
// down or deaf, so that a failure means the normal route, never a black hole. Pure.

export interface RedirectInputs {
  /** The config asks for the proxy (enabled, with an enabled server). */
  wanted: boolean;
  proxyRunning: boolean;
  serverReachable: boolean | null;
  serverAnswers: boolean | null;
  /** Layer-3 devices of the `lan` interfaces that are up. */
  lanDevices: number;
}

/** The decision, and why the redirect is off when it is (null when on, or when not wanted). */
export function decideRedirect(i: RedirectInputs): { on: boolean; reason: string | null } {
  if (!i.wanted) return { on: false, reason: null };
  if (i.lanDevices === 0) return { on: false, reason: 'none of the lan interfaces is up' };
  if (!i.proxyRunning) return { on: false, reason: 'the proxy is not running' };
  if (i.serverReachable === false) return { on: false, reason: 'the server does not answer' };
  if (i.serverAnswers === false) return { on: false, reason: 'the server answers no proxied connection (wrong password or key?)' };
  return { on: true, reason: null };
}
