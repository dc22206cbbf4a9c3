/**
 * `status` shows what the ingest stage ingested: per table, the last sequence and the
 * cursor's snapshot time from its parameter (`/totesys/local/ingest/<table>` locally).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileParameterStore } from '../../lambdas/adapters/file/file-parameter-store';
import { INGEST_PARAMETER_PATH } from '../../local/ingest-source';
import { runCli } from '../../ops/cli';
import { type PipelineStatus, collectStatus } from '../../ops/status';
import { type LocalState, buildLocalState, captureIo } from './support/local-state';

const TAKEN_AT = '2026-03-04T05:06:07.890Z';
let state: LocalState;

beforeAll(async () => {
  state = await buildLocalState();
  const parameters = new FileParameterStore(join(state.stateDir, 'parameters.json'));
  await parameters.put(
    `${INGEST_PARAMETER_PATH}/sales_order`,
    JSON.stringify({ sequence: 4, cursor: { xmin: '900', xmax: '905', inProgress: 1, takenAt: TAKEN_AT } }),
  );
  await parameters.put(`${INGEST_PARAMETER_PATH}/currency`, JSON.stringify({ sequence: 1 }));
  await parameters.put(`${INGEST_PARAMETER_PATH}/design`, 'not json');
}, 180_000);

afterAll(async () => {
  await state?.dispose();
});

describe('status: the ingest stage', () => {
  it("reads each table's last sequence and cursor time from the ingest parameter", async () => {
    const status = await collectStatus(state.target);
    const of = (table: string) => status.tables.find((t) => t.table === table)!.ingestStage;
    expect(of('sales_order')).toEqual({ parameter: '/totesys/local/ingest/sales_order', lastSequence: 4, cursorTakenAt: TAKEN_AT });
    expect(of('currency')).toEqual({ parameter: '/totesys/local/ingest/currency', lastSequence: 1, cursorTakenAt: null });
    expect(of('design')).toMatchObject({ parameter: '/totesys/local/ingest/design', error: expect.stringMatching(/is not JSON/) });
    expect(of('payment')).toBeNull();
  });

  it('prints a line per ingested table, and the same in --json', async () => {
    const human = captureIo();
    await runCli(['status', ...state.cliTarget], human.io);
    const text = human.stdout.join('');
    expect(text).toContain('Ingest stage (');
    expect(text).toContain(`  sales_order: sequence 4, cursor ${TAKEN_AT}\n`);
    expect(text).toContain('  currency: sequence 1, cursor none (next run reads in full)\n');
    expect(text).toMatch(/ {2}design: cannot be read \(.*is not JSON\)/);
    expect(text).not.toMatch(/^ {2}payment: sequence/m);
    const machine = captureIo();
    await runCli(['status', ...state.cliTarget, '--json'], machine.io);
    const parsed = JSON.parse(machine.stdout.join('')) as PipelineStatus;
    expect(parsed.tables.find((t) => t.table === 'sales_order')!.ingestStage).toMatchObject({ lastSequence: 4, cursorTakenAt: TAKEN_AT });
  });
});
