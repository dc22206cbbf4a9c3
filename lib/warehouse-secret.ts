/**
 * The warehouse connection secret: an existing one (by complete ARN or name), or a new one
 * holding the RDS-style JSON shape for the operator to fill in after deploying.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { SecretReference } from './config/validators';
import { PLACEHOLDER_HOST } from '../lambdas/load/not-configured';
import { acknowledge } from './nag';

/**
 * The fields the loader reads (RDS secret JSON shape); the password is generated until
 * replaced. Never change this for a deployed stack: CloudFormation would generate the
 * secret value again, overwriting what the operator filled in.
 */
export const WAREHOUSE_SECRET_TEMPLATE = {
  engine: 'postgres',
  // The loader reads this host as "not configured yet" (lambdas/load/not-configured.ts).
  host: PLACEHOLDER_HOST,
  port: 5432,
  username: 'FILL-IN-username',
  dbname: 'FILL-IN-database',
} as const;

export function warehouseSecret(scope: Construct, id: string, existing?: SecretReference): secretsmanager.ISecret {
  if (existing && 'arn' in existing) return secretsmanager.Secret.fromSecretCompleteArn(scope, id, existing.arn);
  if (existing) return secretsmanager.Secret.fromSecretNameV2(scope, id, existing.name);

  const secret = new secretsmanager.Secret(scope, id, {
    description: 'totesys warehouse connection (Postgres): replace host, port, username, password and dbname',
    generateSecretString: {
      secretStringTemplate: JSON.stringify(WAREHOUSE_SECRET_TEMPLATE),
      generateStringKey: 'password',
      excludePunctuation: true,
      passwordLength: 32,
    },
    // Credentials an operator typed in outlive the stack, like the data.
    removalPolicy: RemovalPolicy.RETAIN,
  });
  acknowledge(
    secret,
    'AwsSolutions-SMG4',
    'The warehouse is an external Postgres whose credentials the operator owns; rotating them needs a rotation function with database access, which the stack does not assume. Rotate by updating the secret (see DEPLOY.md).',
  );
  return secret;
}
