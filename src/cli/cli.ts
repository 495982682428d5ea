// `mpwan` command line: finds the command, parses its arguments, runs it, and is the one place
// that turns errors into one line and an exit code: 0 ok, 1 runtime failure, 2 invalid config
// or usage.
import type { Runtime } from '../sys/runtime.js';
import { MpwanError } from '../model/errors.js';
import { settled } from '../lib/async.js';
import { helpText, parseArgs } from './args.js';
import { COMMANDS, type Command } from './commands.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './apply.js';

export { EXIT_FAILURE, EXIT_OK, EXIT_USAGE };

function usage(): string {
  const rows = COMMANDS.map((c) => [`${c.name} ${c.args}`.trim(), c.summary]);
  const width = Math.max(...rows.map((r) => r[0].length));
  return 'Usage: mpwan <command> [options]   (mpwan <command> --help for one command)\n\nCommands:\n' +
    rows.map(([u, s]) => `  ${u.padEnd(width)}  ${s}\n`).join('') +
    '\nExit status: 0 done, 1 failed (the error says why), 2 invalid configuration or usage.\n';
}

/** The command named by the first one or two words, and the arguments after them. */
function find(args: string[]): { command: Command; rest: string[] } | { group: string } | null {
  const two = COMMANDS.find((c) => c.name === `${args[0]} ${args[1]}`);
  if (two) return { command: two, rest: args.slice(2) };
  const one = COMMANDS.find((c) => c.name === args[0]);
  if (one) return { command: one, rest: args.slice(1) };
  return COMMANDS.some((c) => c.name.startsWith(`${args[0]} `)) ? { group: args[0] } : null;
}

const subcommands = (group: string) => COMMANDS.filter((c) => c.name.startsWith(`${group} `)).map((c) => `  mpwan ${c.name} ${c.args}\n`).join('');

export async function runCli(rt: Runtime, args: string[]): Promise<number> {
  await settled();
  const wantsJson = args.includes('--json');
  const [first] = args;
  if (first === undefined || first === 'help' || first === '--help' || first === '-h') {
    const target = first === 'help' && args.length > 1 ? find(args.slice(1)) : null;
    const text = target && 'command' in target ? commandHelp(target.command) : usage();
    if (first === undefined) { rt.stderr(text); return EXIT_USAGE; }
    rt.stdout(text);
    return EXIT_OK;
  }
  if (first === '--version') return runCli(rt, ['version']);
  try {
    const found = find(args);
    if (found === null) throw new MpwanError('invalid_argument', `unknown command '${first.slice(0, 40)}' (see 'mpwan --help')`);
    if ('group' in found) {
      const help = args[1] === '--help' || args[1] === '-h';
      const text = `Usage:\n${subcommands(found.group)}`;
      if (help) rt.stdout(text); else rt.stderr(text);
      return help ? EXIT_OK : EXIT_USAGE;
    }
    const { command, rest } = found;
    const parsed = parseArgs(rest, command.flags, command.positional, `mpwan ${command.name}`);
    if (parsed.help) { rt.stdout(commandHelp(command)); return EXIT_OK; }
    return await command.run(rt, parsed);
  } catch (e) {
    return report(rt, e, wantsJson);
  }
}

function commandHelp(c: Command): string {
  return helpText(`mpwan ${c.name} ${c.args}`.trim(), c.details ? `${c.summary}\n\n${c.details}` : c.summary, c.flags);
}

/** One error, one place: a message that says what is wrong (and how to fix it), and the exit code. */
function report(rt: Runtime, e: unknown, json: boolean): number {
  const err = e instanceof MpwanError ? e : new MpwanError('internal', `internal error: ${(e as Error)?.stack ?? String(e)}`);
  if (json) rt.stdout(JSON.stringify({ error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } }) + '\n');
  else rt.stderr(`mpwan: ${err.message}\n`);
  return err.code === 'invalid_config' || err.code === 'invalid_argument' ? EXIT_USAGE : EXIT_FAILURE;
}
