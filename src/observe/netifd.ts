// Parses `ubus call network.interface dump` (see shared/fixtures/netifd). Pure.
import type { NetifdAddress, NetifdInterface, NetifdRoute } from '../model/netifd.js';
import { canonicalAddress, isValidDeviceName } from '../lib/inet.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function parseAddresses(v: unknown, max: number): NetifdAddress[] {
  const out: NetifdAddress[] = [];
  for (const a of list(v)) {
    if (!isObject(a) || typeof a.address !== 'string') continue;
    const address = canonicalAddress(a.address);
    const mask = typeof a.mask === 'number' ? a.mask : max;
    if (address && Number.isInteger(mask) && mask >= 0 && mask <= max) out.push({ address, mask });
  }
  return out;
}

function parseRoutes(v: unknown): NetifdRoute[] {
  const out: NetifdRoute[] = [];
  for (const r of list(v)) {
    if (!isObject(r) || typeof r.target !== 'string' || typeof r.mask !== 'number') continue;
    const target = canonicalAddress(r.target);
    if (!target) continue;
    const route: NetifdRoute = { target, mask: r.mask };
    if (typeof r.nexthop === 'string') {
      const nh = canonicalAddress(r.nexthop);
      if (nh) route.nexthop = nh;
    }
    if (typeof r.source === 'string') route.source = r.source;
    if (typeof r.table === 'string') route.table = r.table;
    if (typeof r.metric === 'number') route.metric = r.metric;
    out.push(route);
  }
  return out;
}

export function parseInterface(name: string, o: Json): NetifdInterface {
  const dev = typeof o.l3_device === 'string' && isValidDeviceName(o.l3_device) ? o.l3_device : undefined;
  const iface: NetifdInterface = {
    name,
    up: o.up === true,
    available: o.available === true,
    proto: typeof o.proto === 'string' ? o.proto : '',
    metric: typeof o.metric === 'number' ? o.metric : 0,
    ipv4: parseAddresses(o['ipv4-address'], 32),
    ipv6: parseAddresses(o['ipv6-address'], 128),
    routes: parseRoutes(o.route),
  };
  if (dev) iface.l3Device = dev;
  return iface;
}

/** Throws with a short reason when the text is not a netifd dump. */
export function parseNetifdDump(text: string): NetifdInterface[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error('not JSON');
  }
  if (!isObject(doc) || !Array.isArray(doc.interface)) throw new Error('no "interface" array');
  const out: NetifdInterface[] = [];
  for (const o of doc.interface) {
    if (isObject(o) && typeof o.interface === 'string') out.push(parseInterface(o.interface, o));
  }
  return out;
}
