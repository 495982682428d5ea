// Every `mpwan` command: its usage, one-line summary, flags and handler. The dispatcher in
// cli.ts parses against these, so `--help` works on every command and subcommand, and an
// unknown option is refused the same way everywhere.
import type { Runtime } from '../sys/runtime.js';
import { settled } from '../lib/async.js';
import { SS_METHODS } from '../model/config.js';
import { loadConfigWithWarnings } from '../reconcile/config-file.js';
import { collectStatus } from '../status/collect.js';
import { formatStatus } from './format.js';
import { VERSION } from '../version.js';
import { runDaemon } from '../daemon/daemon.js';
import { serverSetupCommand } from './server.js';
import { serverImportCommand, serverRemoveCommand } from './servers.js';
import { flag, type FlagSpec, type Parsed } from './args.js';
import { EXIT_OK, runApply, runReload, runStop } from './apply.js';

export interface Command {
  /** `apply`, or `server setup` for a subcommand. */
  name: string;
  /** The arguments after the name, as the usage line shows them. */
  args: string;
  summary: string;
  /** More than the summary, for `--help` only. */
  details?: string;
  flags: Record<string, FlagSpec>;
  positional: { min: number; max: number };
  run(rt: Runtime, p: Parsed): Promise<number>;
}

const JSON_FLAG: Record<string, FlagSpec> = { '--json': { help: 'print one JSON object (errors too)' } };
const DRY_RUN: Record<string, FlagSpec> = { '--dry-run': { help: 'print what would change, change nothing' } };
const none = { min: 0, max: 0 };

export const COMMANDS: Command[] = [
  {
    name: 'apply', args: '[--dry-run] [--json]', summary: 'Make the kernel match /etc/config/mpwan and netifd (endpoints, rules, routes, limits, sysctls).',
    flags: { ...DRY_RUN, ...JSON_FLAG }, positional: none,
    run: (rt, p) => runApply(rt, { dryRun: flag(p, '--dry-run'), json: flag(p, '--json') }),
  },
  {
    name: 'stop', args: '[--dry-run] [--json]', summary: 'Stop the daemon and remove everything mpwan set up (endpoints, rules, routes, nft table, proxies).',
    details: 'The MPTCP limits go back to what mpwan found. From the run directory (/var/run/mpwan) go the service\'s\n' +
      'files: the relay key, the proxy\'s config, the status and health files, the proxies\' logs. /etc/config/mpwan stays,\n' +
      'and so does owned.json (what mpwan added, so that it only ever deletes its own).',
    flags: { ...DRY_RUN, ...JSON_FLAG }, positional: none,
    run: (rt, p) => runStop(rt, { dryRun: flag(p, '--dry-run'), json: flag(p, '--json') }),
  },
  {
    name: 'reload', args: '', summary: 'Make a running daemon re-read the config (without one: apply).',
    flags: {}, positional: none, run: (rt) => runReload(rt),
  },
  {
    name: 'daemon', args: '', summary: 'Run in the foreground as the service (procd runs this).',
    flags: {}, positional: none, run: (rt) => runDaemon(rt),
  },
  {
    name: 'status', args: '[--json]', summary: 'Uplinks, their health, endpoints, limits, MPTCP counters, the proxy.',
    flags: JSON_FLAG, positional: none,
    run: async (rt, p) => {
      const s = await collectStatus(rt);
      rt.stdout(flag(p, '--json') ? JSON.stringify(s) + '\n' : formatStatus(s));
      return EXIT_OK;
    },
  },
  {
    name: 'check', args: '', summary: 'Validate the config file only: every problem with its line.',
    flags: {}, positional: none,
    run: async (rt) => {
      await settled();
      const { config, warnings } = loadConfigWithWarnings(rt);
      for (const w of warnings) rt.stderr(`mpwan: warning: ${w}\n`);
      rt.stdout(`Config OK: ${config.uplinks.length} uplink(s)${warnings.length ? `, ${warnings.length} warning(s)` : ''}.\n`);
      return EXIT_OK;
    },
  },
  {
    name: 'server setup', args: '[options]',
    summary: 'Set up this Linux machine (a VPS with a public address) as the aggregation server; prints the line to run on the router.',
    flags: {
      ...DRY_RUN,
      '--address': { value: 'ADDR', help: 'the address routers connect to (default: the first global IPv4 address)' },
      '--port': { value: 'N', help: 'the server port, 1 to 65535 (default 8388, or what an earlier run chose)' },
      '--method': { value: 'CIPHER', help: `shadowsocks engines: the cipher, one of ${SS_METHODS.join(', ')}` },
      '--engine': { value: 'ENGINE', help: 'relay (default: mpwan-relay, authenticated, not encrypted), or shadowsocks-rust / shadowsocks-libev (encrypted; installed separately)' },
      '--relay': { value: 'PATH', help: "the mpwan-relay binary to install (the release tarball's server/ folder has one per architecture)" },
      '--congestion': { value: 'NAME', help: "the relay's congestion control for its connections: bbr (default), cubic, reno, or system (this machine's default)" },
      '--signal': { value: 'ADDR', repeat: true, help: 'announce a further server address to routers (repeatable)' },
      '--name': { value: 'NAME', help: 'the name in the printed link (default mpwan)' },
      '--root': { value: 'DIR', help: 'write files under DIR instead of / (for tests and images)' },
    },
    positional: none, run: serverSetupCommand,
  },
  {
    name: 'server import', args: "'<link>' [--name NAME] [--priority N]",
    summary: "Add the server printed by 'mpwan server setup' (an mpwan:// or ss:// link) to /etc/config/mpwan (the one at the same host and port gets the link's key) and reload.",
    flags: {
      '--name': { value: 'NAME', help: "a new server section's name (default vps, then vps2, vps3...)" },
      '--priority': { value: 'N', help: 'lower is preferred, 0 to 1000 (default 50; ties: config order)' },
    },
    positional: { min: 1, max: 1 }, run: serverImportCommand,
  },
  {
    name: 'server remove', args: 'NAME', summary: 'Remove a server section from /etc/config/mpwan and reload (without a server left, the proxy is turned off).',
    flags: {}, positional: { min: 1, max: 1 }, run: serverRemoveCommand,
  },
  {
    name: 'version', args: '', summary: 'Print the version.', flags: {}, positional: none,
    run: async (rt) => { rt.stdout(`mpwan ${VERSION}\n`); return EXIT_OK; },
  },
];
