/**
 * Acknowledging cdk-nag findings. Every acknowledgement names the exact finding and says why
 * it is acceptable, next to the code that causes it.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import type { IConstruct } from 'constructs';

export function acknowledge(scope: IConstruct, ruleId: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: ruleId, reason });
}

/**
 * Acknowledges the AwsSolutions-IAM5 findings for wildcard resource patterns granted to a
 * role (object keys under a prefix, parameters under a path). The finding id is computed
 * the way cdk-nag renders the resource, so a pattern not listed here is still reported.
 */
export function acknowledgeWildcardResources(role: IConstruct, resources: readonly string[], reason: string): void {
  const stack = Stack.of(role);
  for (const resource of resources) {
    const rendered = flattenCfnReference(stack.resolve(resource));
    if (rendered.includes('*')) acknowledge(role, `AwsSolutions-IAM5[Resource::${rendered}]`, reason);
  }
}
