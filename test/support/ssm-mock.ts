/**
 * An in-memory Parameter Store behind aws-sdk-client-mock, so the real SsmParameterStore
 * adapter runs against it: GetParameter of a missing name raises ParameterNotFound, and
 * PutParameter over an existing name needs Overwrite, as in SSM.
 */
import { GetParameterCommand, ParameterAlreadyExists, ParameterNotFound, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';

export class FakeSsm {
  readonly mock = mockClient(SSMClient);
  readonly parameters = new Map<string, string>();
  /** When set and true for a put, the put fails (crash injection). */
  failPut: ((name: string) => boolean) | undefined;

  constructor() {
    this.install();
  }

  reset(): void {
    this.parameters.clear();
    this.failPut = undefined;
    this.mock.reset();
    this.install();
  }

  restore(): void {
    this.mock.restore();
  }

  private install(): void {
    this.mock.on(GetParameterCommand).callsFake(async (input) => {
      const value = this.parameters.get(input.Name!);
      if (value === undefined) {
        throw new ParameterNotFound({ message: `parameter ${input.Name} not found`, $metadata: { httpStatusCode: 400 } });
      }
      return { Parameter: { Name: input.Name, Value: value, Type: 'String' } };
    });
    this.mock.on(PutParameterCommand).callsFake(async (input) => {
      if (this.failPut?.(input.Name!)) {
        throw Object.assign(new Error(`injected failure writing ${input.Name}`), { name: 'InjectedFailure' });
      }
      if (this.parameters.has(input.Name!) && !input.Overwrite) {
        throw new ParameterAlreadyExists({ message: `parameter ${input.Name} exists`, $metadata: { httpStatusCode: 400 } });
      }
      this.parameters.set(input.Name!, input.Value!);
      return { Version: 1 };
    });
  }
}
