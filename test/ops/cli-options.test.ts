/** The command line: help for every command, and exit code 2 with the reason for usage errors. */
import { describe, expect, it } from 'vitest';
import { runCli } from '../../ops/cli';
import { parseCommandLine } from '../../ops/cli-options';
import { captureIo } from './support/local-state';

describe('ops command line', () => {
  it.each([[[]], [['--help']], [['help']]])('prints the overview for %j', async (argv) => {
    const io = captureIo();
    expect(await runCli(argv, io.io)).toBe(0);
    expect(io.stdout.join('')).toMatch(/^Usage: npm run ops -- <command> <target> \[options\]/);
    expect(io.stdout.join('')).toContain('Exit codes: 0 all well; 1 differences, failures or something needing attention; 2 usage errors.');
  });

  it.each(['status', 'replay', 'reconcile'])('prints help for %s', async (command) => {
    for (const argv of [
      [command, '--help'],
      ['help', command],
    ]) {
      const io = captureIo();
      expect(await runCli(argv, io.io)).toBe(0);
      expect(io.stdout.join('')).toMatch(new RegExp(`^Usage: npm run ops -- ${command} `));
    }
  });

  it.each([
    [['stats', '--local'], 'unknown command "stats"'],
    [['status'], 'choose exactly one target: --local or --stack NAME'],
    [['status', '--local', '--stack', 'X'], 'choose exactly one target: --local or --stack NAME'],
    [['status', '--local', '--region', 'eu-west-2'], '--region applies to --stack only'],
    [['status', '--stack', 'X', '--state-dir', 'here'], '--state-dir applies to --local only'],
    [['status', '--local', '--table', 'staff'], '--table applies to replay only'],
    [['status', '--local', '--database-url', 'mysql://x'], '--database-url must be a postgres:// or postgresql:// URL'],
    [['status', '--local', '--port', '80'], '--port must be a whole number from 1024 to 65535, not "80"'],
    [['status', '--stack', 'X', '--db-ssl', 'maybe'], '--db-ssl must be require, no-verify or disable'],
    [['reconcile', '--local', '--bogus'], "Unknown option '--bogus'"],
    [['status', '--local', '--warehouse-schema', 'Star'], '--warehouse-schema: "Star" is not a plain schema name'],
    [['replay', '--stack', 'X', '--dlq', 'both'], '--dlq must be transform or load, not "both"'],
    [['replay', '--stack', 'X', '--table', 'staff', '--from', '2', '--to', 'x'], '--to must be a sequence number'],
  ])('exits 2 for %j', async (argv, message) => {
    const io = captureIo();
    expect(await runCli(argv, io.io)).toBe(2);
    expect(io.stderr.join('')).toContain(`error: ${message}`);
    expect(io.stdout).toEqual([]);
  });

  it('parses a full replay and target', () => {
    expect(
      parseCommandLine([
        'replay',
        '--stack',
        'TotesysElt',
        '--region',
        'eu-west-2',
        '--table',
        'payment',
        '--from',
        '3',
        '--to',
        '9',
        '--load',
        '--json',
      ]),
    ).toEqual({
      command: 'replay',
      target: { kind: 'stack', stackName: 'TotesysElt', region: 'eu-west-2' },
      json: true,
      verbose: false,
      replay: { kind: 'transform', table: 'payment', from: 3, to: 9, dryRun: false, load: true },
    });
    expect(parseCommandLine(['status', '--local'])).toMatchObject({ target: { kind: 'local', stateDir: '.local', port: 54329 } });
    expect(parseCommandLine(['status', '--local', '--warehouse-schema', 'analytics'])).toMatchObject({
      target: { kind: 'local', warehouseSchema: 'analytics' },
    });
    expect(parseCommandLine(['status', '--stack', 'S', '--warehouse-schema', 'analytics'])).toMatchObject({
      target: { kind: 'stack', warehouseSchema: 'analytics' },
    });
  });
});
