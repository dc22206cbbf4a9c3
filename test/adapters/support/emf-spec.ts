/**
 * The CloudWatch embedded metric format, as its specification states it
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html):
 * what CloudWatch Logs needs in a log line to extract metrics from it. Returns every way
 * `document` breaks it; empty when it is a valid EMF document.
 */

/** The units CloudWatch accepts (MetricDatum Unit). */
const UNITS = new Set([
  'Seconds',
  'Microseconds',
  'Milliseconds',
  'Bytes',
  'Kilobytes',
  'Megabytes',
  'Gigabytes',
  'Terabytes',
  'Bits',
  'Kilobits',
  'Megabits',
  'Gigabits',
  'Terabits',
  'Percent',
  'Count',
  'Bytes/Second',
  'Kilobytes/Second',
  'Megabytes/Second',
  'Gigabytes/Second',
  'Terabytes/Second',
  'Bits/Second',
  'Kilobits/Second',
  'Megabits/Second',
  'Gigabits/Second',
  'Terabits/Second',
  'Count/Second',
  'None',
]);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export function emfProblems(document: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(document)) return ['the root is not a JSON object'];
  const aws = document._aws;
  if (!isObject(aws)) return ['_aws (the metadata object) is missing'];
  if (typeof aws.Timestamp !== 'number' || !Number.isInteger(aws.Timestamp) || aws.Timestamp < 0) {
    problems.push('_aws.Timestamp is not milliseconds since the epoch');
  }
  if (!Array.isArray(aws.CloudWatchMetrics)) return [...problems, '_aws.CloudWatchMetrics is not an array'];
  for (const [d, directive] of aws.CloudWatchMetrics.entries()) {
    const at = `_aws.CloudWatchMetrics[${d}]`;
    if (!isObject(directive)) {
      problems.push(`${at} is not an object`);
      continue;
    }
    const namespace = directive.Namespace;
    if (typeof namespace !== 'string' || namespace.length < 1 || namespace.length > 1024)
      problems.push(`${at}.Namespace is not a 1-1024 character string`);
    if (!Array.isArray(directive.Dimensions)) problems.push(`${at}.Dimensions is not an array of dimension sets`);
    else {
      for (const [s, set] of directive.Dimensions.entries()) {
        if (!Array.isArray(set)) {
          problems.push(`${at}.Dimensions[${s}] is not an array`);
          continue;
        }
        if (set.length > 30) problems.push(`${at}.Dimensions[${s}] has more than 30 dimensions`);
        for (const key of set) {
          // Each dimension a set names must be a top-level string member (its value).
          if (typeof key !== 'string') problems.push(`${at}.Dimensions[${s}] holds a non-string`);
          else if (typeof document[key] !== 'string' || (document[key] as string).length === 0) {
            problems.push(`dimension ${key} has no non-empty string value at the root`);
          } else if ((document[key] as string).length > 1024) problems.push(`dimension ${key}'s value exceeds 1024 characters`);
        }
      }
    }
    if (!Array.isArray(directive.Metrics) || directive.Metrics.length > 100) {
      problems.push(`${at}.Metrics is not an array of at most 100 metric definitions`);
      continue;
    }
    for (const [m, metric] of directive.Metrics.entries()) {
      if (!isObject(metric) || typeof metric.Name !== 'string' || metric.Name.length < 1 || metric.Name.length > 1024) {
        problems.push(`${at}.Metrics[${m}].Name is not a 1-1024 character string`);
        continue;
      }
      if (metric.Unit !== undefined && !UNITS.has(metric.Unit as string))
        problems.push(`${metric.Name}: unit ${String(metric.Unit)} is not a CloudWatch unit`);
      if (metric.StorageResolution !== undefined && metric.StorageResolution !== 1 && metric.StorageResolution !== 60) {
        problems.push(`${metric.Name}: StorageResolution must be 1 or 60`);
      }
      const value = document[metric.Name];
      const values = Array.isArray(value) ? value : [value];
      if (values.length === 0 || values.length > 100 || !values.every((v) => typeof v === 'number' && Number.isFinite(v))) {
        problems.push(`${metric.Name}: the root member is not a number or an array of 1-100 numbers`);
      }
    }
  }
  return problems;
}
