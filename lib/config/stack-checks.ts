/**
 * Settings that can only be judged against the stack they are deployed with: the
 * warehouse secret's region and account, and TLS modes worth a warning. The stack is
 * environment-agnostic by default (region and account are deploy-time tokens), so a
 * check that needs them is made at synth when they are concrete (`env` given, or
 * CDK_DEFAULT_* when the app passes them) and otherwise by a CloudFormation rule that
 * refuses the deployment before any resource changes.
 */
import { Annotations, Aws, CfnRule, Fn, type Stack, Token, Validations } from 'aws-cdk-lib';
import type { PipelineConfig } from './pipeline-config';

const SECRET_ARN_PARTS = /^arn:[^:]+:secretsmanager:([^:]+):(\d{12}):secret:/;

export function checkSettingsAgainstStack(stack: Stack, config: PipelineConfig): void {
  checkSecretLocation(stack, config);
  if (config.warehouse.ssl !== 'require') {
    Validations.of(stack).addWarning(
      'totesys:UnverifiedDatabaseTls',
      `dbSsl=${config.warehouse.ssl}: the load Lambda ${config.warehouse.ssl === 'disable' ? 'sends the warehouse password and data unencrypted' : 'encrypts but does not verify the warehouse certificate, so anyone on the network path can impersonate it'}. Use dbSsl=require (the default) unless the network is trusted.`,
    );
  }
}

/**
 * The load Lambda reads the secret with a client in its own region and under its own
 * account's role, so a secret elsewhere would only fail at run time.
 */
function checkSecretLocation(stack: Stack, config: PipelineConfig): void {
  const secret = config.warehouse.secret;
  if (!secret || !('arn' in secret)) return;
  const [, region, account] = SECRET_ARN_PARTS.exec(secret.arn) ?? [];
  if (region === undefined || account === undefined) return;
  for (const [what, value, stackValue, pseudo] of [
    ['region', region, stack.region, Aws.REGION],
    ['account', account, stack.account, Aws.ACCOUNT_ID],
  ] as const) {
    const problem = `dbSecret: ${secret.arn} is in ${what} ${value}; the load Lambda reads it from the stack's own ${what}`;
    if (!Token.isUnresolved(stackValue)) {
      if (stackValue !== value) Annotations.of(stack).addError(`${problem} (${stackValue}). Copy or replicate the secret there.`);
      continue;
    }
    new CfnRule(stack, `WarehouseSecretIn${what === 'region' ? 'Region' : 'Account'}`, {
      assertions: [{ assert: Fn.conditionEquals(pseudo, value), assertDescription: `${problem}. Copy or replicate the secret there.` }],
    });
  }
}
