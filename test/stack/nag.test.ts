import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { synthPipeline } from './synth';

/** Settings that between them create every optional resource the stack has. */
const CONFIGURATIONS: Record<string, Record<string, unknown>> = {
  defaults: {},
  'everything supplied, load Lambda in a VPC with a created security group': {
    alertEmails: 'ops@example.com,data@example.org',
    ingestionBucketName: 'acme-ingest',
    ingestionPrefix: 'totesys',
    processedBucketName: 'acme-processed',
    processedPrefix: 'star',
    sequenceParameterPath: '/acme/totesys',
    dbSecret: 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:totesys/warehouse-AbC123',
    vpcId: 'vpc-0123456789abcdef0',
    subnetIds: 'subnet-0123456789abcdef0,subnet-89abcdef',
    sourceDbSecret: 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:totesys/source-AbC123',
  },
  'ingest Lambda, no VPC': {
    sourceDbSecret: 'totesys/source',
  },
  'secret by name, given security group': {
    dbSecret: 'totesys/warehouse',
    vpcId: 'vpc-0123456789abcdef0',
    subnetIds: 'subnet-0123456789abcdef0',
    securityGroupIds: 'sg-0123456789abcdef0',
  },
};

interface Acknowledgement {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

function acknowledgementsIn(root: IConstruct): Acknowledgement[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([qualifiedId, reason]) => ({
          path: construct.node.path,
          id: qualifiedId.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

/** What cdk-nag reports with every acknowledgement ignored. */
function unacknowledgedFindings(root: IConstruct): { ruleName: string; paths: string[] }[] {
  const pack = new AwsSolutionsChecks();
  Object.defineProperty(pack, 'isAcknowledged', { value: () => false });
  return pack.validateScope(root).violations.map((violation) => ({
    ruleName: violation.ruleName,
    paths: violation.violatingResources.map((resource) => resource.constructPath ?? ''),
  }));
}

describe('cdk-nag AwsSolutions checks', () => {
  it.each(Object.entries(CONFIGURATIONS))('pass with %s', (_name, context) => {
    const { app } = synthPipeline(context);
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(
      report.violations.map(
        (violation) => `${violation.ruleName} at ${violation.violatingResources.map((r) => r.constructPath).join(', ')}`,
      ),
    ).toEqual([]);
    expect(report.success).toBe(true);
  });

  it.each(Object.entries(CONFIGURATIONS))('acknowledge, with a reason, only findings that exist (%s)', (_name, context) => {
    const { app } = synthPipeline(context);
    const acknowledgements = acknowledgementsIn(app);
    expect(acknowledgements.length).toBeGreaterThan(0);
    const findings = unacknowledgedFindings(app);
    for (const acknowledgement of acknowledgements) {
      expect(acknowledgement.reason.length, `${acknowledgement.id} at ${acknowledgement.path}`).toBeGreaterThanOrEqual(40);
      const silenced = findings.some(
        (finding) =>
          finding.ruleName === acknowledgement.id &&
          finding.paths.some((path) => path === acknowledgement.path || path.startsWith(`${acknowledgement.path}/`)),
      );
      expect(silenced, `${acknowledgement.id} at ${acknowledgement.path} silences nothing`).toBe(true);
    }
  });
});
