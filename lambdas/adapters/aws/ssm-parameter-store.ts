/** ParameterStore over SSM Parameter Store (String parameters). */
import { GetParameterCommand, ParameterNotFound, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { ParameterStore } from '../../core/ports';

export class SsmParameterStore implements ParameterStore {
  constructor(private readonly client: SSMClient) {}

  async get(name: string): Promise<string | undefined> {
    try {
      const response = await this.client.send(new GetParameterCommand({ Name: name }));
      return response.Parameter?.Value;
    } catch (error) {
      if (error instanceof ParameterNotFound || (error as { name?: string })?.name === 'ParameterNotFound') {
        return undefined;
      }
      throw error;
    }
  }

  async put(name: string, value: string): Promise<void> {
    await this.client.send(new PutParameterCommand({ Name: name, Value: value, Type: 'String', Overwrite: true }));
  }
}
