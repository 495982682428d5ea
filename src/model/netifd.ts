// netifd's view of the interfaces (`ubus call network.interface dump`), reduced to what mpwan uses.

export interface NetifdAddress {
  address: string;
  mask: number;
}

export interface NetifdRoute {
  target: string;
  mask: number;
  /** Absent (or 0.0.0.0 / ::) for on-link routes such as point-to-point defaults. */
  nexthop?: string;
  source?: string;
  table?: string;
  metric?: number;
}

export interface NetifdInterface {
  name: string;
  up: boolean;
  available: boolean;
  /** Layer-3 device, absent while the interface is down. */
  l3Device?: string;
  proto: string;
  metric: number;
  ipv4: NetifdAddress[];
  ipv6: NetifdAddress[];
  routes: NetifdRoute[];
}
