/**
 * Acknowledging cdk-nag findings. Every acknowledgement names the exact finding and says why
 * it is acceptable, next to the code that causes it.
 */
import { CfnResource, Stack, Validations } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import type { Construct, IConstruct } from 'constructs';

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

/** Retention of the log group given to a Lambda function CDK defines for us. */
const CDK_FUNCTION_LOG_RETENTION = logs.RetentionDays.THREE_MONTHS;

/**
 * A Lambda function defined by aws-cdk-lib itself (the bucket notifications handler) logs
 * to an implicit group kept forever; point it at a group of ours with a retention.
 */
export function giveLogGroup(handler: IConstruct): logs.LogGroup | undefined {
  const fn = handler.node.tryFindChild('Resource');
  if (!CfnResource.isCfnResource(fn) || fn.cfnResourceType !== 'AWS::Lambda::Function') return undefined;
  const logGroup = new logs.LogGroup(handler as Construct, 'Logs', { retention: CDK_FUNCTION_LOG_RETENTION });
  fn.addPropertyOverride('LoggingConfig.LogGroup', logGroup.logGroupName);
  return logGroup;
}
