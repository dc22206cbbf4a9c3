/** Calendar arithmetic on day numbers and naive timestamps: see calendar.ts. */
export {
  MS_PER_DAY,
  civilFromDays,
  compactTimestamp,
  daysFromCivil,
  isoDate,
  isoDayOfWeek,
  splitTimestamp,
} from './calendar';
