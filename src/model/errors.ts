// Typed errors. Only cli/ (and later rpc/) turn them into exit codes or JSON replies.

/** Stable machine codes, shared by the CLI's --json output and the ubus API. */
export type ErrorCode =
  | 'invalid_config' // the config file does not validate
  | 'invalid_argument' // bad command-line or ubus arguments
  | 'kernel_unsupported' // no kernel MPTCP, or `ip` without mptcp support
  | 'netifd_unavailable' // ubus network.interface dump failed or returned garbage
  | 'command_failed' // an external program failed while reading state
  | 'apply_failed' // a change failed; previous state restored
  | 'busy' // the daemon (or another mpwan command holding the run dir's lock) did not finish in time
  | 'internal';

export class MpwanError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra facts for --json / ubus (e.g. the config problems). */
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export class CommandError extends MpwanError {
  constructor(
    readonly argv: string[],
    readonly status: number,
    readonly stderr: string,
    code: ErrorCode = 'command_failed',
  ) {
    const why = stderr.trim().split('\n')[0] || (status === 127 ? 'program not found' : `exit status ${status}`);
    super(code, `${argv.join(' ')}: ${why}`, { argv, status, stderr: stderr.trim() });
  }
}
