/**
 * The SNS topic administrators are emailed from, encrypted with a key CloudWatch may use,
 * and the one way alarms are created here, so that every alarm notifies it.
 */
import { ArnFormat, Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlertTopicProps {
  readonly emails: readonly string[];
  /** Alarm names start with this, e.g. the stack name. */
  readonly alarmNamePrefix: string;
}

export type PipelineAlarmProps = Omit<cloudwatch.AlarmProps, 'alarmName' | 'actionsEnabled'> & {
  /** Appended to the alarm name prefix, e.g. `transform-failures`. */
  readonly name: string;
};

export class AlertTopic extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  private readonly action: SnsAction;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: AlertTopicProps,
  ) {
    super(scope, id);
    const key = new kms.Key(this, 'Key', {
      description: 'Encrypts the totesys pipeline alert topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    // CloudWatch publishes alarm notifications to the encrypted topic, so it must use the key;
    // only on behalf of this account's alarms (no confused deputy).
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'totesys pipeline alerts',
      masterKey: key,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsOfThisAccount',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          ArnLike: {
            'aws:SourceArn': Stack.of(this).formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
        },
      }),
    );
    for (const email of props.emails) this.topic.addSubscription(new EmailSubscription(email));
    this.action = new SnsAction(this.topic);
  }

  /** An alarm that emails the administrators when it fires and again when it recovers. */
  alarm(id: string, props: PipelineAlarmProps): cloudwatch.Alarm {
    const { name, ...alarmProps } = props;
    const alarm = new cloudwatch.Alarm(this, id, {
      ...alarmProps,
      alarmName: `${this.props.alarmNamePrefix}-${name}`,
      actionsEnabled: true,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
    return alarm;
  }
}
