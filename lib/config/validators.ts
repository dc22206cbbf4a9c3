/**
 * Checks for single deploy-time settings. Each returns a problem description (what is wrong
 * and what is expected) or undefined when the value is fine, so the caller can report every
 * problem at once rather than the first.
 */
import { SOURCE_TABLE_NAMES } from '../../lambdas/core/schema/source-tables';

export type Problem = string | undefined;

// Pragmatic address check (the WHATWG form rule, plus a dot in the domain): it catches the
// typos that would otherwise silently create a subscription nobody can confirm.
const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export function checkEmail(address: string): Problem {
  return EMAIL.test(address) ? undefined : `"${address}" is not an email address`;
}

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\((.*)\)$/;
const CRON_FIELD = /^[0-9A-Za-z*?,\-/#]+$/;

export interface ParsedSchedule {
  readonly expression: string;
  /** The interval between runs, for `rate(...)` expressions; undefined for cron. */
  readonly intervalMinutes?: number;
}

const MINUTES_PER_UNIT: Record<string, number> = { minute: 1, hour: 60, day: 1440 };

/** A recurring EventBridge Scheduler expression: `rate(N unit)` or a 6-field `cron(...)`. */
export function parseScheduleExpression(expression: string): ParsedSchedule | { problem: string } {
  const rate = RATE.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    const unit = rate[2]!;
    if (value < 1) return { problem: `"${expression}": the rate must be at least 1` };
    const singular = !unit.endsWith('s');
    if (value === 1 && !singular) return { problem: `"${expression}": use the singular unit for 1, e.g. rate(1 hour)` };
    if (value > 1 && singular) return { problem: `"${expression}": use the plural unit above 1, e.g. rate(15 minutes)` };
    return { expression, intervalMinutes: value * MINUTES_PER_UNIT[unit.replace(/s$/, '')]! };
  }
  const cron = CRON.exec(expression);
  if (cron) {
    const fields = cron[1]!.trim().split(/\s+/);
    if (fields.length !== 6) {
      return {
        problem: `"${expression}": a cron expression has 6 fields (minutes hours day-of-month month day-of-week year), found ${fields.length}`,
      };
    }
    const bad = fields.find((field) => !CRON_FIELD.test(field));
    if (bad !== undefined) return { problem: `"${expression}": "${bad}" is not a valid cron field` };
    for (const [index, field] of fields.entries()) {
      const problem = cronFieldProblem(field, CRON_FIELDS[index]!);
      if (problem) return { problem: `"${expression}": ${problem}` };
    }
    if ((fields[2] === '?') === (fields[4] === '?')) {
      return { problem: `"${expression}": exactly one of day-of-month and day-of-week must be "?"` };
    }
    return { expression };
  }
  return {
    problem: `"${expression}" is not a recurring schedule expression; expected rate(N minutes|hours|days) or cron(minutes hours day-of-month month day-of-week year)`,
  };
}

interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** Special forms this field allows besides numbers, ranges, lists and steps. */
  readonly special?: RegExp;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** EventBridge cron fields and their ranges (names count from min: JAN = 1, SUN = 1). */
const CRON_FIELDS: readonly CronField[] = [
  { name: 'minutes', min: 0, max: 59 },
  { name: 'hours', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31, special: /^(\?|L|LW|\d{1,2}W)$/ },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day-of-week', min: 1, max: 7, names: WEEKDAYS, special: /^(\?|L|[1-7]L|[1-7]#[1-5])$/ },
  { name: 'year', min: 1970, max: 2199 },
];

/** Why one cron field cannot be scheduled (a value out of range, a bad step), or undefined. */
function cronFieldProblem(field: string, spec: CronField): Problem {
  if (spec.special?.test(field)) return undefined;
  const value = (text: string): number | undefined => {
    if (/^\d+$/.test(text)) return Number(text);
    const index = spec.names?.indexOf(text.toUpperCase()) ?? -1;
    return index >= 0 ? spec.min + index : undefined;
  };
  const range = `${spec.min}-${spec.max}${spec.names ? ` or ${spec.names[0]}-${spec.names.at(-1)}` : ''}`;
  for (const item of field.split(',')) {
    const [span, step, extra] = item.split('/');
    if (extra !== undefined || span === '') return `${spec.name} "${item}" is not a value, range or step`;
    if (step !== undefined && !(/^\d+$/.test(step) && Number(step) >= 1 && Number(step) <= spec.max)) {
      return `${spec.name} step "${step}" must be 1..${spec.max}`;
    }
    if (span === '*') continue;
    const ends = span!.split('-');
    if (ends.length > 2) return `${spec.name} "${item}" is not a value, range or step`;
    for (const end of ends) {
      const number = value(end);
      if (number === undefined || number < spec.min || number > spec.max) {
        return `${spec.name} "${end}" is outside ${range}`;
      }
    }
  }
  return undefined;
}

/** The longest name the transform derives from the path: `<path>/<table>/last-processed-sequence`. */
const SEQUENCE_PARAMETER_SUFFIX_LEVELS = 2;
const LONGEST_SEQUENCE_PARAMETER_SUFFIX_LENGTH = Math.max(...SOURCE_TABLE_NAMES.map((table) => `/${table}/last-processed-sequence`.length));
const PARAMETER_NAME_MAX = 1011;
const PARAMETER_LEVELS_MAX = 15;

/** An SSM hierarchy path such as `/totesys/transform`, under which the transform writes parameters. */
export function checkParameterPath(path: string): Problem {
  if (!path.startsWith('/')) return `"${path}" must start with "/" (e.g. /totesys/transform)`;
  if (path.endsWith('/')) return `"${path}" must not end with "/"`;
  if (!/^(\/[A-Za-z0-9_.-]+)+$/.test(path)) {
    return `"${path}" may contain only letters, digits, "_", ".", "-" between single "/" separators`;
  }
  const firstLevel = path.split('/')[1]!.toLowerCase();
  if (firstLevel.startsWith('aws') || firstLevel.startsWith('ssm')) {
    return `"${path}": names beginning with "aws" or "ssm" are reserved by AWS`;
  }
  const levels = path.split('/').length - 1 + SEQUENCE_PARAMETER_SUFFIX_LEVELS;
  if (levels > PARAMETER_LEVELS_MAX) {
    return `"${path}" is too deep: parameters under it would have ${levels} levels, SSM allows ${PARAMETER_LEVELS_MAX}`;
  }
  if (path.length + LONGEST_SEQUENCE_PARAMETER_SUFFIX_LENGTH > PARAMETER_NAME_MAX) {
    return `"${path}" is too long for the parameter names under it (SSM allows ${PARAMETER_NAME_MAX} characters)`;
  }
  return undefined;
}

/** S3 general purpose bucket naming rules. */
export function checkBucketName(name: string): Problem {
  if (name.length < 3 || name.length > 63) return `"${name}" must be 3 to 63 characters long`;
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) {
    return `"${name}" may contain only lowercase letters, digits, "." and "-", and must start and end with a letter or digit`;
  }
  if (name.includes('..')) return `"${name}" must not contain two adjacent periods`;
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return `"${name}" must not be formatted as an IP address`;
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(name) || /(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name)) {
    return `"${name}" uses a prefix or suffix that S3 reserves`;
  }
  return undefined;
}

/** A key prefix inside a bucket; returned normalised to end with "/" (or empty). */
export function parseKeyPrefix(prefix: string): { prefix: string } | { problem: string } {
  if (prefix === '') return { prefix: '' };
  if (prefix.startsWith('/')) return { problem: `"${prefix}" must not start with "/" (S3 keys have no leading slash)` };
  if (prefix.includes('//')) return { problem: `"${prefix}" must not contain "//"` };
  if (!/^[A-Za-z0-9!_.*'()/-]+$/.test(prefix)) {
    return { problem: `"${prefix}" may contain only letters, digits, "/" and !_.*'()-` };
  }
  if (prefix.includes('*')) return { problem: `"${prefix}" must not contain "*" (it is used in IAM resource patterns)` };
  return { prefix: prefix.endsWith('/') ? prefix : `${prefix}/` };
}

const PARTITION = '(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc)';
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const SECRET_ARN = new RegExp(`^arn:${PARTITION}:secretsmanager:[a-z0-9-]+:\\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$`);

export type SecretReference = { readonly arn: string } | { readonly name: string };

/** A Secrets Manager secret given by its complete ARN or by its name. */
export function parseSecretReference(value: string): SecretReference | { problem: string } {
  if (value.startsWith('arn:')) {
    if (SECRET_ARN.test(value)) return { arn: value };
    return {
      problem:
        `"${value}" is not a complete Secrets Manager secret ARN ` +
        '(arn:<partition>:secretsmanager:<region>:<12-digit account>:secret:<name>-<6 characters>); ' +
        'give the complete ARN as shown in the console, or the secret name',
    };
  }
  return SECRET_NAME.test(value)
    ? { name: value }
    : { problem: `"${value}" is neither a secret ARN nor a valid secret name (letters, digits and /_+=.@- only)` };
}

const ROLE_ARN = new RegExp(`^arn:${PARTITION}:iam::\\d{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$`);

/** An IAM role ARN (what `aws:PrincipalArn` is for anyone acting through that role). */
export function checkRoleArn(arn: string): Problem {
  return ROLE_ARN.test(arn) ? undefined : `"${arn}" is not an IAM role ARN (arn:<partition>:iam::<12-digit account>:role/<name>)`;
}

export function checkResourceId(kind: 'vpc' | 'subnet' | 'sg', id: string): Problem {
  return new RegExp(`^${kind}-([0-9a-f]{8}|[0-9a-f]{17})$`).test(id)
    ? undefined
    : `"${id}" is not a ${kind} id (${kind}- followed by 8 or 17 hexadecimal digits)`;
}

export function checkStackName(name: string): Problem {
  return /^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(name)
    ? undefined
    : `"${name}" is not a CloudFormation stack name (a letter, then letters, digits and hyphens, at most 128)`;
}
