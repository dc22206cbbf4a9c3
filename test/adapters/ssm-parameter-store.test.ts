/** SsmParameterStore against in-memory SSM (aws-sdk-client-mock). */
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { SsmParameterStore } from '../../lambdas/adapters/aws/ssm-parameter-store';
import { FakeSsm } from '../support/ssm-mock';

const ssm = new FakeSsm();
const store = new SsmParameterStore(new SSMClient({ region: 'eu-west-2' }));
beforeEach(() => ssm.reset());
afterAll(() => ssm.restore());

describe('SsmParameterStore', () => {
  it('reports a missing parameter as undefined', async () => {
    expect(await store.get('/totesys/transform/staff/last-processed-sequence')).toBeUndefined();
  });

  it('creates and then overwrites a String parameter', async () => {
    await store.put('/p', '1');
    await store.put('/p', '2');
    expect(await store.get('/p')).toBe('2');
    expect(ssm.mock).toHaveReceivedCommandWith(PutParameterCommand, { Name: '/p', Value: '2', Type: 'String', Overwrite: true });
  });

  it('lets other errors through', async () => {
    ssm.mock.on(GetParameterCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(store.get('/p')).rejects.toThrow('Rate exceeded');
  });
});
