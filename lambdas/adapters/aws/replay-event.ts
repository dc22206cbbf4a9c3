/**
 * An operator's replay of one ingestion object through the deployed transform
 * (`ops replay --stack`): an S3 ObjectCreated event, so it queues and retries like any
 * other and ends in the dead-letter queue if it keeps failing, plus `totesysReplay`, which
 * asks the transform to rebuild the batch even though it is already published (`force`).
 *
 * Why the Lambda may honour it: S3 notifications never carry `totesysReplay`, so it can
 * only come from an IAM principal allowed to invoke the function (the operators; the
 * bucket's permission covers only S3's own events). Such a principal can already replay
 * from a workstation, and forcing only rebuilds a batch from the object as it is now,
 * under the same lock and checks as any transform.
 */
import type { S3Event } from 'aws-lambda';

interface ReplayMarker {
  readonly force: true;
  /** ISO instant the operator asked, for the log. */
  readonly requestedAt: string;
}

export interface OperatorReplayEvent extends S3Event {
  readonly totesysReplay: ReplayMarker;
}

/** S3's event key encoding (form encoding: `+` for space), which `decodeS3EventKey` undoes. */
function encodeS3EventKey(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/');
}

export function operatorReplayEvent(
  object: { readonly bucket: string; readonly key: string; readonly etag?: string; readonly size?: number },
  requestedAt: Date,
): OperatorReplayEvent {
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: '',
        eventTime: requestedAt.toISOString(),
        eventName: 'ObjectCreated:Put',
        userIdentity: { principalId: 'ops-replay' },
        requestParameters: { sourceIPAddress: '' },
        responseElements: { 'x-amz-request-id': '', 'x-amz-id-2': '' },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'ops-replay',
          bucket: { name: object.bucket, ownerIdentity: { principalId: '' }, arn: `arn:aws:s3:::${object.bucket}` },
          object: { key: encodeS3EventKey(object.key), size: object.size ?? 0, eTag: object.etag ?? '', sequencer: '' },
        },
      },
    ],
    totesysReplay: { force: true, requestedAt: requestedAt.toISOString() },
  };
}

/** Whether the event is an operator's forced replay (anything else is an ordinary event). */
export function isForcedReplay(event: unknown): event is OperatorReplayEvent {
  const marker = (event as { totesysReplay?: unknown } | null)?.totesysReplay as { force?: unknown } | undefined;
  return typeof marker === 'object' && marker !== null && marker.force === true;
}
