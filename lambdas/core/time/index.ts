/** Calendar arithmetic on day numbers and naive timestamps: see calendar.ts. */
export {
  MS_PER_DAY,
  type CivilDate,
  civilFromDays,
  compactTimestamp,
  dateOfTimestamp,
  daysFromCivil,
  daysInMonth,
  isoDate,
  isoDayOfWeek,
  splitTimestamp,
  timeOfTimestamp,
} from './calendar';
