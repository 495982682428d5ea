// flock(2) for QuickJS, whose os module has none: we open the lock file, and `flock -x 0`
// (BusyBox's applet on OpenWrt, util-linux's elsewhere) locks it as its stdin, which is our open
// file. The lock belongs to that open file, so it stays ours after flock exits, until we close
// the file or die (however we die: the kernel closes it). Our children never inherit it: qjs
// closes every descriptor above 2 in a child.
import * as os from 'os';
import { exec } from './exec.js';
import { errnoText } from './common.js';

/** Waits (at most `timeoutMs`) for the lock; the function that releases it, or null on timeout. */
export async function lockFile(path: string, timeoutMs: number): Promise<(() => void) | null> {
  const fd = os.open(path, os.O_RDONLY | os.O_CREAT, 0o644);
  if (fd < 0) throw new Error(`${path}: ${errnoText(fd)}`);
  const r = await exec(['flock', '-x', '0'], { timeoutMs }, fd);
  if (r.status === 0) return () => { os.close(fd); };
  os.close(fd);
  if (r.timedOut) return null;
  throw new Error(r.status === 127 ? "the 'flock' program was not found (BusyBox's, or util-linux's)" : `flock ${path}: ${r.stderr.trim() || `exit status ${r.status}`}`);
}
