/**
 * The setup every fault file shares: the generated input, one FaultPipeline, and the
 * fault-free reference run of that input (made before the file's tests, ended after).
 */
import { afterAll, beforeAll } from 'vitest';
import { type GeneratedInput, generatedInput } from './history';
import { FaultPipeline, type Reference } from './pipeline';

export interface ReferenceRun {
  readonly input: GeneratedInput;
  readonly pipeline: FaultPipeline;
  /** The fault-free run's result; read it in tests, once `beforeAll` has made it. */
  readonly reference: Reference;
}

export function useReferenceRun(): ReferenceRun {
  const input = generatedInput();
  const pipeline = new FaultPipeline();
  let reference: Reference | undefined;
  beforeAll(async () => {
    reference = await pipeline.reference(input.objects);
  }, 60_000);
  afterAll(() => pipeline.end());
  return {
    input,
    pipeline,
    get reference() {
      if (!reference) throw new Error('the reference run has not been made yet (it runs in beforeAll)');
      return reference;
    },
  };
}
