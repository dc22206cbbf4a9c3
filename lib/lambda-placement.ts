/**
 * A stage Lambda inside the configured VPC (the load and ingest stages, which reach a
 * database): the given subnets, and the given security groups or one the stack creates.
 * The subnets are given explicitly, so the VPC's own AZ and subnet lists are never consulted.
 */
import { Fn } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import type { VpcPlacement } from './config/pipeline-config';

export interface LambdaPlacementOptions {
  /** The created security group's description. */
  readonly description: string;
  /**
   * The created group's outbound rules: `all`, or only HTTPS (AWS APIs: endpoints or a NAT)
   * and this database port. DNS to the VPC resolver is not filtered by security groups.
   */
  readonly egress: 'all' | { readonly databasePort: number; readonly databaseName: string };
}

export interface LambdaPlacement {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly securityGroups: ec2.ISecurityGroup[];
  /** The security group the stack created, when none was given. */
  readonly createdSecurityGroup?: ec2.SecurityGroup;
}

export function lambdaPlacement(scope: Construct, settings: VpcPlacement, options: LambdaPlacementOptions): LambdaPlacement {
  const vpc = ec2.Vpc.fromVpcAttributes(scope, 'Vpc', { vpcId: settings.vpcId, availabilityZones: Fn.getAzs() });
  const subnets = settings.subnetIds.map((subnetId) => ec2.Subnet.fromSubnetId(scope, subnetId, subnetId));
  const given = settings.securityGroupIds.map((groupId) =>
    ec2.SecurityGroup.fromSecurityGroupId(scope, groupId, groupId, { mutable: false }),
  );
  if (given.length > 0) return { vpc, subnets: { subnets }, securityGroups: given };

  const { egress } = options;
  const created = new ec2.SecurityGroup(scope, 'SecurityGroup', {
    vpc,
    description: options.description,
    allowAllOutbound: egress === 'all',
  });
  if (egress !== 'all') {
    created.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'AWS APIs (S3, Secrets Manager, CloudWatch) over HTTPS');
    if (egress.databasePort !== 443) {
      created.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(egress.databasePort), egress.databaseName);
    }
  }
  return { vpc, subnets: { subnets }, securityGroups: [created], createdSecurityGroup: created };
}
