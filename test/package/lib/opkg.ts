// Building the packages once per run, reading .ipk files with the system tar, and a small
// opkg stand-in that installs, upgrades and removes them in a staging root the way opkg does:
// control files into /usr/lib/opkg/info, the file list, conffile checksums, postinst/prerm.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { hostIpkArch, repoRoot } from '../../lib/install.js';

export const STUBS = resolve(new URL('../stubs', import.meta.url).pathname);
/** The real netifd captures (a copy of shared/fixtures/netifd). */
export const FIXTURES = join(repoRoot, 'test/fixtures/netifd');
export const version: string = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version;

const dirs: string[] = [];
process.on('exit', () => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });
export function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

/** The .ipk file name `make package` writes: mpwan is per architecture, luci-app-mpwan is all. */
export function ipkName(name: string, fullVersion: string, arch = hostIpkArch): string {
  return `${name}_${fullVersion}_${name === 'mpwan' ? arch : 'all'}.ipk`;
}

const built = new Map<string, string>();
/** `scripts/package.mjs` into a temporary folder (once per argument set); returns the folder. */
export function buildPackages(extra: string[] = []): string {
  const key = extra.join(' ');
  const have = built.get(key);
  if (have) return have;
  const out = tempDir('mpwan-dist-');
  execFileSync('node', ['scripts/package.mjs', '--out', out, ...extra], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  built.set(key, out);
  return out;
}

export interface TarEntry { mode: string; owner: string; size: number; name: string; type: string }

/** `tar -tvz --numeric-owner` of a .tar.gz, parsed. */
export function listTarGz(file: string): TarEntry[] {
  const out = execFileSync('tar', ['--numeric-owner', '-tvzf', file], { encoding: 'utf8' });
  return out.split('\n').filter(Boolean).map((line) => {
    const m = line.match(/^(\S)(\S{9})\s+(\S+)\s+(\d+)\s+\S+\s+\S+\s+(.*)$/);
    if (!m) throw new Error(`unexpected tar line: ${line}`);
    return { type: m[1], mode: m[2], owner: m[3], size: Number(m[4]), name: m[5] };
  });
}

export interface Ipk {
  file: string;
  dir: string;
  outer: TarEntry[];
  control: Record<string, string>;
  controlText: string;
  controlFiles: TarEntry[];
  data: TarEntry[];
  conffiles: string[];
}

/** Unpacks an .ipk with tar: the outer archive, control.tar.gz and data.tar.gz's listing. */
export function readIpk(file: string): Ipk {
  const dir = tempDir('mpwan-ipk-');
  execFileSync('tar', ['-xzf', file, '-C', dir]);
  mkdirSync(join(dir, 'CONTROL'));
  execFileSync('tar', ['-xzf', join(dir, 'control.tar.gz'), '-C', join(dir, 'CONTROL')]);
  const controlText = readFileSync(join(dir, 'CONTROL/control'), 'utf8');
  const control: Record<string, string> = {};
  let last = '';
  for (const line of controlText.split('\n')) {
    if (line === '') continue;
    if (line.startsWith(' ')) { control[last] += `\n${line.slice(1)}`; continue; }
    const i = line.indexOf(': ');
    last = line.slice(0, i);
    control[last] = line.slice(i + 2);
  }
  const conffilesPath = join(dir, 'CONTROL/conffiles');
  return {
    file, dir, control, controlText,
    outer: listTarGz(file),
    controlFiles: listTarGz(join(dir, 'control.tar.gz')),
    data: listTarGz(join(dir, 'data.tar.gz')),
    conffiles: existsSync(conffilesPath) ? readFileSync(conffilesPath, 'utf8').split('\n').filter(Boolean) : [],
  };
}

const md5 = (f: string) => createHash('md5').update(readFileSync(f)).digest('hex');

/** What a postinst/prerm run printed. */
export interface ScriptRun { status: number | null; stdout: string; stderr: string }

/**
 * opkg in a staging root. Conffiles follow opkg: on an upgrade, a conffile the user changed
 * (its checksum differs from the one the old package installed) is kept and the package's
 * new version is written next to it as `<file>-opkg`; an unchanged one is replaced.
 */
export class StagingRoot {
  readonly root = tempDir('mpwan-stage-');
  readonly bin = tempDir('mpwan-bin-');
  /** The Architecture values opkg accepts here (opkg.conf's arch lines): all and this machine's. */
  readonly arches = ['all', hostIpkArch];

  constructor(readonly env: Record<string, string> = {}) {
    mkdirSync(join(this.root, 'lib'), { recursive: true });
    copyFileSync(join(STUBS, 'functions.sh'), join(this.root, 'lib/functions.sh'));
    mkdirSync(join(this.root, 'usr/lib/opkg/info'), { recursive: true });
  }

  info(pkg: string, ext: string) { return join(this.root, 'usr/lib/opkg/info', `${pkg}.${ext}`); }
  path(p: string) { return join(this.root, p); }
  installed(pkg: string): string | null {
    try { return /^Version: (.*)$/m.exec(readFileSync(this.info(pkg, 'control'), 'utf8'))![1]; } catch { return null; }
  }

  private runScript(pkg: string, script: string, args: string[], extraEnv: Record<string, string> = {}): ScriptRun | null {
    const f = this.info(pkg, script);
    if (!existsSync(f)) return null;
    const r = spawnSync('sh', [f, ...args], {
      encoding: 'utf8',
      env: { PATH: `${this.bin}:${process.env.PATH}`, IPKG_INSTROOT: this.root, PKG_ROOT: this.root, ...this.env, ...extraEnv },
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  /** opkg install (or upgrade, when the package is already installed) of one .ipk. */
  install(file: string): { upgrade: boolean; postinst: ScriptRun | null; keptConffiles: string[] } {
    const ipk = readIpk(file);
    const pkg = ipk.control.Package;
    if (!this.arches.includes(ipk.control.Architecture)) {
      throw new Error(`opkg: ${pkg} is for ${ipk.control.Architecture}, this root takes ${this.arches.join(', ')}`);
    }
    const upgrade = this.installed(pkg) !== null;
    const oldSums = upgrade ? this.conffileSums(pkg) : {};
    const unpacked = join(ipk.dir, 'DATA');
    mkdirSync(unpacked);
    execFileSync('tar', ['-xzpf', join(ipk.dir, 'data.tar.gz'), '-C', unpacked]);
    const files = filesUnder(unpacked);
    const kept: string[] = [];
    for (const f of files) {
      const target = join(this.root, f);
      mkdirSync(dirname(target), { recursive: true });
      if (upgrade && ipk.conffiles.includes(`/${f}`) && existsSync(target) && oldSums[`/${f}`] !== md5(target)) {
        renameSync(join(unpacked, f), `${target}-opkg`);
        kept.push(`/${f}`);
        continue;
      }
      renameSync(join(unpacked, f), target);
    }
    // Control files as opkg keeps them; the list names every file the package installed.
    for (const c of readdirSync(join(ipk.dir, 'CONTROL'))) copyFileSync(join(ipk.dir, 'CONTROL', c), this.info(pkg, c));
    writeFileSync(this.info(pkg, 'list'), files.map((f) => `/${f}\n`).join(''));
    const sums = Object.fromEntries(ipk.conffiles.map((c) => [c, kept.includes(c) ? oldSums[c] : md5(join(this.root, c))]));
    writeFileSync(this.info(pkg, 'conffile-sums.json'), JSON.stringify(sums));
    const postinst = this.runScript(pkg, 'postinst', ['configure'], upgrade ? { PKG_UPGRADE: '1' } : {});
    return { upgrade, postinst, keptConffiles: kept };
  }

  /** opkg remove: prerm, then every file but the conffiles the user changed, then postrm. */
  remove(pkg: string): { prerm: ScriptRun | null; postrm: ScriptRun | null } {
    const prerm = this.runScript(pkg, 'prerm', ['remove']);
    const sums = this.conffileSums(pkg);
    for (const f of readFileSync(this.info(pkg, 'list'), 'utf8').split('\n').filter(Boolean)) {
      const p = join(this.root, f);
      if (!existsSync(p)) continue;
      if (f in sums && sums[f] !== md5(p)) continue;
      rmSync(p);
    }
    const postrm = this.runScript(pkg, 'postrm', ['remove']);
    for (const c of readdirSync(join(this.root, 'usr/lib/opkg/info'))) if (c.startsWith(`${pkg}.`)) rmSync(join(this.root, 'usr/lib/opkg/info', c));
    return { prerm, postrm };
  }

  private conffileSums(pkg: string): Record<string, string> {
    try { return JSON.parse(readFileSync(this.info(pkg, 'conffile-sums.json'), 'utf8')); } catch { return {}; }
  }

  /** `ubus` on the scripts' PATH answering `call network.interface dump` with a fixture. */
  useNetifdDump(file: string | null) {
    const body = file ? `[ "$1 $2 $3" = "call network.interface dump" ] && exec cat '${file}'\n` : '';
    writeFileSync(join(this.bin, 'ubus'), `#!/bin/sh\n${body}echo "Command failed: Not found" >&2\nexit 4\n`, { mode: 0o755 });
  }

  /** `qjs` on the scripts' PATH, as the quickjs package installs it. */
  useQjs(qjs: string) {
    writeFileSync(join(this.bin, 'qjs'), `#!/bin/sh\nexec '${qjs}' "$@"\n`, { mode: 0o755 });
  }

  log(): string[] {
    try { return readFileSync(join(this.root, 'tmp/functions.log'), 'utf8').split('\n').filter(Boolean); } catch { return []; }
  }
}

export function filesUnder(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? filesUnder(p, base) : [p.slice(base.length + 1)];
  });
}
