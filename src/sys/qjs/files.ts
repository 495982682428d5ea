// Files through QuickJS's std/os modules: reads to EOF (for /proc), atomic writes by rename.
import * as std from 'std';
import * as os from 'os';
import { encodeUtf8 } from '../../lib/utf8.js';
import { EEXIST, ENOENT, errnoText } from './common.js';

export function readFile(path: string): string | null {
  // std.loadFile sizes the file with fseek, which reads nothing from /proc: read to EOF.
  const f = std.open(path, 'r');
  if (!f) return null;
  try {
    return f.readAsString();
  } finally {
    f.close();
  }
}

function writeAll(fd: number, data: string, path: string): void {
  const bytes = encodeUtf8(data);
  for (let off = 0; off < bytes.length; ) {
    const n = os.write(fd, bytes.buffer, off, bytes.length - off);
    if (n <= 0) throw new Error(`${path}: ${errnoText(n || -5)}`);
    off += n;
  }
}

export function writeFile(path: string, data: string): void {
  const fd = os.open(path, os.O_WRONLY | os.O_TRUNC);
  if (fd < 0) throw new Error(`${path}: ${errnoText(fd)}`);
  try {
    writeAll(fd, data, path);
  } finally {
    os.close(fd);
  }
}

export function writeFileAtomic(path: string, data: string, mode = 0o644): void {
  const tmp = `${path}.${os.getpid()}.tmp`;
  const fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode);
  if (fd < 0) throw new Error(`${tmp}: ${errnoText(fd)}`);
  try {
    writeAll(fd, data, tmp);
  } catch (e) {
    os.close(fd);
    os.remove(tmp);
    throw e;
  }
  os.close(fd);
  const r = os.rename(tmp, path);
  if (r < 0) {
    os.remove(tmp);
    throw new Error(`${path}: ${errnoText(r)}`);
  }
}

export function removeFile(path: string): void {
  const r = os.remove(path);
  if (r < 0 && r !== -ENOENT) throw new Error(`${path}: ${errnoText(r)}`);
}

export function makeDir(path: string, mode = 0o755): void {
  let prefix = path.startsWith('/') ? '' : '.';
  for (const part of path.split('/').filter(Boolean)) {
    prefix += '/' + part;
    const r = os.mkdir(prefix, mode);
    if (r < 0 && r !== -EEXIST) throw new Error(`${prefix}: ${errnoText(r)}`);
  }
}

export function listDir(path: string): string[] | null {
  const [names, err] = os.readdir(path);
  return err === 0 ? names.filter((n) => n !== '.' && n !== '..').sort() : null;
}

/** Permission bits and size, or null when the file does not exist. */
export function fileStat(path: string): { mode: number; size: number } | null {
  const [st, err] = os.stat(path);
  return err === 0 ? { mode: st.mode & 0o7777, size: st.size } : null;
}

export function randomBytes(count: number): Uint8Array {
  const fd = os.open('/dev/urandom', os.O_RDONLY);
  if (fd < 0) throw new Error(`/dev/urandom: ${errnoText(fd)}`);
  const buf = new ArrayBuffer(count);
  try {
    for (let off = 0; off < count; ) {
      const n = os.read(fd, buf, off, count - off);
      if (n <= 0) throw new Error('/dev/urandom: short read');
      off += n;
    }
  } finally {
    os.close(fd);
  }
  return new Uint8Array(buf);
}

