import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../lib/pipeline-function';
import { synthPipeline } from './synth';

const run = promisify(execFile);

describe('CDK app', () => {
  it('stops with the list of bad settings, not a stack trace', async () => {
    const failure = await run(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'bin/app.ts')], {
      cwd: PROJECT_ROOT,
      // How the CDK CLI hands -c values to the app.
      env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify({ alertEmails: 'ops@example', loadSchedule: 'hourly' }) },
    }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr.trim()).toBe(
      [
        'Invalid deployment settings (CDK context):',
        '  - alertEmails: "ops@example" is not an email address',
        '  - loadSchedule: "hourly" is not a recurring schedule expression; expected rate(N minutes|hours|days) or cron(minutes hours day-of-month month day-of-week year)',
      ].join('\n'),
    );
  });

  it('is environment-agnostic: no account, region or lookups needed to synthesize', () => {
    const { app, stack } = synthPipeline();
    expect(stack.resolve(stack.account)).toEqual({ Ref: 'AWS::AccountId' });
    expect(stack.resolve(stack.region)).toEqual({ Ref: 'AWS::Region' });
    expect(app.synth().manifest.missing).toBeUndefined();
  });
});
