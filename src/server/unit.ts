// The aggregation server's files and its systemd unit, as `mpwan server setup` writes them. Pure.
import type { CongestionControl } from '../model/config.js';

export const SERVER_PATHS = {
  key: '/etc/mpwan-server/relay.key',
  ssConfig: '/etc/mpwan-server/ss-server.json',
  relay: '/usr/local/sbin/mpwan-relay',
  unit: '/etc/systemd/system/mpwan-server.service',
  sysctl: '/etc/sysctl.d/90-mpwan-server.conf',
};

/** Routers have up to 8 uplinks: accept a subflow from each. */
export const SERVER_LIMITS = { subflows: 8, addAddrAccepted: 8 };

function execStart(engine: 'relay' | 'shadowsocks-rust' | 'shadowsocks-libev', port: number, congestion: CongestionControl): string {
  if (engine === 'relay') return `${SERVER_PATHS.relay} server --listen [::]:${port} --key-file ${SERVER_PATHS.key}${congestion === 'system' ? '' : ` --congestion ${congestion}`}`;
  return engine === 'shadowsocks-rust'
    ? `/usr/bin/ssserver -c ${SERVER_PATHS.ssConfig}`
    : `/usr/bin/mptcpize run /usr/bin/ss-server -c ${SERVER_PATHS.ssConfig}`;
}

/** `congestion`: of the relay's connections to routers (the shadowsocks engines keep the system's). */
export function serverUnit(engine: 'relay' | 'shadowsocks-rust' | 'shadowsocks-libev', port: number, signal: string[], congestion: CongestionControl = 'bbr'): string {
  return [
    '# Written by mpwan server setup: the MPTCP aggregation server for mpwan routers.',
    '[Unit]',
    `Description=mpwan aggregation server (${engine === 'relay' ? 'mpwan-relay' : 'shadowsocks'} over MPTCP)`,
    'After=network-online.target',
    'Wants=network-online.target',
    '',
    '[Service]',
    // Limits and endpoints live in the kernel only: set them again on every start.
    `ExecStartPre=/usr/sbin/ip mptcp limits set subflows ${SERVER_LIMITS.subflows} add_addr_accepted ${SERVER_LIMITS.addAddrAccepted}`,
    ...signal.map((a) => `ExecStartPre=-/usr/sbin/ip mptcp endpoint add ${a} signal`),
    `ExecStart=${execStart(engine, port, congestion)}`,
    'Restart=on-failure',
    'RestartSec=2',
    'LimitNOFILE=1048576',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}
