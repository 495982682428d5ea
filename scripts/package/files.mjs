// Laying out package trees and writing reproducible archives: every member owned by 0:0,
// names sorted, mtimes set to one epoch and gzip without names or times, so the same tree
// gives the same bytes. Uses the system tar and gzip only.
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, lstatSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** Build leftovers that never go into a package. */
export const LEFTOVER = /(\.map|\.ts|\.tsbuildinfo|~|\.orig|\.rej|\.swp)$|(^|\/)(\.[^/]*|tsconfig\.json|node_modules|test|tests)(\/|$)/;

/** Copies one file; 0755 when executable, else 0644. */
export function copyFile(from, to) {
  mkdirSync(dirname(to), { recursive: true });
  cpSync(from, to);
  chmodSync(to, statSync(from).mode & 0o111 ? 0o755 : 0o644);
}

/** Copies a tree, dropping names that match skip; folders 0755, files as copyFile. */
export function copyTree(from, to, skip = LEFTOVER) {
  for (const entry of readdirSync(from)) {
    const src = join(from, entry);
    if (skip.test(entry)) continue;
    const st = lstatSync(src);
    if (st.isDirectory()) {
      mkdirSync(join(to, entry), { recursive: true });
      copyTree(src, join(to, entry), skip);
    } else if (st.isFile()) {
      copyFile(src, join(to, entry));
    } else {
      throw new Error(`${src}: only regular files and folders are packaged`);
    }
  }
}

/** Relative paths of the regular files under dir. */
export function filesUnder(dir, base = dir) {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? filesUnder(p, base) : [relative(base, p)];
  });
}

/** Removes empty folders (install -d of a folder that only held another package's files). */
export function pruneEmpty(dir) {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (lstatSync(p).isDirectory()) {
      pruneEmpty(p);
      if (readdirSync(p).length === 0) rmSync(p, { recursive: true });
    }
  }
}

/** Every folder 0755, whatever the umask made it. */
export function normalizeDirs(dir) {
  chmodSync(dir, 0o755);
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (lstatSync(p).isDirectory()) normalizeDirs(p);
  }
}

/** Reproducible tar.gz writers for one epoch (seconds). */
export function archiver(epoch) {
  const flags = ['--format=gnu', '--owner=0', '--group=0', '--numeric-owner', `--mtime=@${epoch}`];
  const gzipTo = (file, tar) => writeFileSync(file, execFileSync('gzip', ['-n', '-9', '-c'], { input: tar, maxBuffer: 1 << 30 }));
  return {
    /** The members of dir, sorted by name. */
    tarGz(dir, members, file) {
      gzipTo(file, execFileSync('tar', [...flags, '--sort=name', '-C', dir, '-cf', '-', ...members], { maxBuffer: 1 << 30 }));
    },
    /** The members of dir in the order given (an .ipk's debian-binary first, as ar-based tools expect). */
    tarGzInOrder(dir, members, file) {
      gzipTo(file, execFileSync('tar', [...flags, '-C', dir, '-cf', '-', ...members], { maxBuffer: 1 << 30 }));
    },
  };
}

/** Lays out p's files under root (p.stage), drops empty folders, checks for leftovers; returns the files. */
export function stagePackage(p, root) {
  mkdirSync(root, { recursive: true });
  p.stage(root);
  pruneEmpty(root);
  normalizeDirs(root);
  const files = filesUnder(root);
  for (const f of files) if (LEFTOVER.test(f)) throw new Error(`${p.name}: build leftover ${f}`);
  return files;
}
