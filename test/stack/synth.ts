/**
 * Synthesizes the pipeline stack the way `cdk synth` does (same feature flags from
 * cdk.json), but without bundling the Lambdas or running validation plugins: tests assert
 * on the template; the full synth with bundling and cdk-nag runs in CI.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { readPipelineConfig } from '../../lib/config/pipeline-config';
import { PROJECT_ROOT } from '../../lib/pipeline-function';
import { PipelineStack } from '../../lib/pipeline-stack';

const CDK_JSON_CONTEXT = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')).context as Record<string, unknown>;

export interface Synthesized {
  readonly app: App;
  readonly stack: PipelineStack;
  readonly template: Template;
  /** The CloudFormation logical id of a construct or of its default child resource. */
  logicalId(construct: IConstruct): string;
  /** A token (bucket ARN, …) as it appears in the template. */
  resolve(value: unknown): unknown;
}

export function synthPipeline(context: Record<string, unknown> = {}, env?: { account?: string; region?: string }): Synthesized {
  const app = new App({
    context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [], ...context },
    builtinCloudFormationValidation: false,
  });
  const config = readPipelineConfig((key) => app.node.tryGetContext(key));
  const stack = new PipelineStack(app, config.stackName, { config, env });
  const template = Template.fromStack(stack);
  return {
    app,
    stack,
    template,
    logicalId(construct) {
      const resource = CfnResource.isCfnResource(construct) ? construct : construct.node.defaultChild;
      return stack.getLogicalId(resource as CfnResource);
    },
    resolve: (value) => Stack.of(stack).resolve(value),
  };
}

export interface PolicyStatementJson {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

/** Every statement of the identity policies attached to a role, in template form. */
export function statementsOfRole(synthesized: Synthesized, role: IConstruct): PolicyStatementJson[] {
  const roleId = synthesized.logicalId(role);
  const policies = synthesized.template.findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((policy) => (policy.Properties.Roles as unknown[]).some((ref) => JSON.stringify(ref) === JSON.stringify({ Ref: roleId })))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as PolicyStatementJson[]);
}
