// The opkg feed index of a folder of .ipk files, as OpenWrt 24.10's package/Makefile makes it:
// scripts/ipkg-make-index.sh prints each package's control file (in file name order) with
// Filename, Size and SHA256sum before Description and a blank line after it; lines starting
// with Maintainer, LicenseFiles, Source(Name, DateEpoch) and Require are dropped; two newlines
// are added when the size hits usign's SHA-512 bug; Packages.gz is `gzip -9n` of it.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const DROPPED = /^(Maintainer|LicenseFiles|Source|SourceName|Require|SourceDateEpoch)/;

/** { packages, packagesGz } (Buffers) for the .ipk files in dir. */
export function opkgIndex(dir) {
  const ipks = readdirSync(dir).filter((f) => f.endsWith('.ipk')).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  let text = '';
  for (const f of ipks) {
    const bytes = readFileSync(join(dir, f));
    const ctl = execFileSync('tar', ['-xzOf', '-', './control.tar.gz'], { input: bytes, maxBuffer: 1 << 30 });
    const control = execFileSync('tar', ['-xzOf', '-', './control'], { input: ctl, encoding: 'utf8' });
    const sha = createHash('sha256').update(bytes).digest('hex');
    const lines = control.replace(/^Description:/m, `Filename: ${f}\nSize: ${bytes.length}\nSHA256sum: ${sha}\nDescription:`)
      .split('\n').filter((l) => !DROPPED.test(l));
    text += `${lines.join('\n')}\n`;
  }
  if (!ipks.length) text += '\n';
  if ([110, 111].includes((64 + Buffer.byteLength(text)) % 128)) text += '\n\n';
  const packages = Buffer.from(text);
  // gzip -9n: no name, no time; the OS byte of gzip's header is 3 (Unix) as GNU gzip writes it.
  const packagesGz = gzipSync(packages, { level: 9 });
  packagesGz[9] = 3;
  return { packages, packagesGz };
}
