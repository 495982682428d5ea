// One line of `ip -o monitor link`: `<ifindex>: <name>[@<peer>]: <flags> ...`, or the same
// after `Deleted `. Pure.

/** The device a link event is about, or null for a line that is none. */
export function linkEventDevice(line: string): string | null {
  const m = /^(?:Deleted )?\d+: ([^\s:@]+)(?:@[^\s:]*)?: /.exec(line);
  return m ? m[1] : null;
}
