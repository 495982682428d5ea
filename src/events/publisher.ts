// Sends each event to ubus and to the hotplug scripts without ever making the daemon wait:
// publish() only queues. Each channel works through its own queue one event at a time, in
// order (netifd, too, runs one hotplug call at a time), so a slow or failing script holds up
// only the scripts of later events, never the daemon or the ubus events.
import type { Runtime } from '../sys/runtime.js';
import { SIGKILL } from '../sys/runtime.js';
import { sendEvent } from '../sys/ubus.js';
import { runHotplug } from '../sys/hotplug.js';
import { hotplugEnv, ubusData, type MpwanEvent } from './events.js';

/** Events waiting beyond this are dropped, oldest first: a hung script must not grow the daemon. */
export const BACKLOG = 32;
/** A hotplug call (all of /etc/hotplug.d/mpwan/* for one event) still running after this is killed. */
export const HOTPLUG_TIMEOUT_MS = 30000;

type Log = (level: 'warning' | 'notice', message: string) => Promise<void>;

class SerialQueue {
  private readonly waiting: MpwanEvent[] = [];
  private running = false;

  constructor(private readonly deliver: (e: MpwanEvent) => Promise<void>, private readonly onDrop: () => void) {}

  push(e: MpwanEvent) {
    this.waiting.push(e);
    if (this.waiting.length > BACKLOG) { this.waiting.shift(); this.onDrop(); }
    if (!this.running) void this.drain();
  }

  private async drain() {
    this.running = true;
    while (this.waiting.length > 0) {
      const e = this.waiting.shift()!;
      await this.deliver(e).catch(() => {});
    }
    this.running = false;
  }
}

export class EventPublisher {
  private readonly ubus: SerialQueue;
  private readonly hotplug: SerialQueue;
  /** The last problem said, per channel: each is logged once, not once per event. */
  private readonly said = { ubus: null as string | null, hotplug: null as string | null };

  constructor(rt: Runtime, private readonly log: Log) {
    this.ubus = new SerialQueue(async (e) => this.say('ubus', await sendEvent(rt, e.type, ubusData(e))),
      () => void this.say('ubus', 'ubus send is too slow: events dropped'));
    this.hotplug = new SerialQueue(async (e) => {
      const status = await runHotplug(rt, 'mpwan', hotplugEnv(e), HOTPLUG_TIMEOUT_MS);
      // 127: no hotplug-call (not OpenWrt): there are no scripts to run. A script's own failure is its business.
      this.say('hotplug', status === -SIGKILL ? `a script in /etc/hotplug.d/mpwan ran for over ${HOTPLUG_TIMEOUT_MS / 1000} s and was killed` : null);
    }, () => void this.say('hotplug', `the scripts in /etc/hotplug.d/mpwan are too slow: events dropped for them (more than ${BACKLOG} waiting)`));
  }

  publish(e: MpwanEvent | null) {
    if (!e) return;
    this.ubus.push(e);
    this.hotplug.push(e);
  }

  private say(channel: 'ubus' | 'hotplug', problem: string | null) {
    if (problem && problem !== this.said[channel]) void this.log('warning', `events: ${channel === 'ubus' ? 'ubus send' : 'hotplug'}: ${problem}`);
    this.said[channel] = problem;
  }
}
