/**
 * Builders for the rows of the small reference tables (address, counterparty, currency,
 * department, design, staff, payment_type) and the names in them.
 */
import { formatDay, formatTimestamp, dayOf } from './naive-time';
import type { Random } from './random';
import type { SourceRecord } from './source-json';
import {
  COMPANY_FORMS,
  COUNTRIES,
  CURRENCY_CODES,
  DESIGN_MATERIALS,
  DISTRICTS,
  FILE_DIRECTORIES,
  FILE_SUFFIX_ALPHABET,
  FIRST_NAMES,
  LAST_NAMES,
  NAME_PREFIXES,
  NAME_SUFFIXES,
  PAYMENT_TYPE_NAMES,
  PLACE_ENDINGS,
  PLACE_QUALIFIERS,
  PLACE_STEMS,
  STREET_KINDS,
} from './word-lists';

/** Share of addresses with a null address_line_2 / district, as in the real data (20/30, 14/30). */
export const NULL_ADDRESS_LINE_2_SHARE = 2 / 3;
export const NULL_DISTRICT_SHARE = 14 / 30;

const DIGITS = '0123456789';

function audit(createdMs: number, updatedMs = createdMs): { created_at: string; last_updated: string } {
  return { created_at: formatTimestamp(createdMs), last_updated: formatTimestamp(updatedMs) };
}

function personName(random: Random, decorated = false): string {
  const name = `${random.pick(FIRST_NAMES)} ${random.pick(LAST_NAMES)}`;
  if (!decorated) return name;
  const roll = random.float();
  if (roll < 0.1) return `${random.pick(NAME_PREFIXES)} ${name}`;
  if (roll < 0.2) return `${name} ${random.pick(NAME_SUFFIXES)}`;
  return name;
}

/** The address columns other than the id, for a new address or one that moved. */
export function addressFields(
  random: Random,
  nulls: { readonly line2: boolean; readonly district: boolean },
): Record<string, string | null> {
  const city = random.chance(0.4)
    ? `${random.pick(PLACE_QUALIFIERS)} ${random.pick(PLACE_STEMS)}${random.pick(PLACE_ENDINGS)}`
    : `${random.pick(PLACE_STEMS)}${random.pick(PLACE_ENDINGS)}`;
  return {
    address_line_1: `${random.string(DIGITS, random.int(2, 5))} ${random.pick(LAST_NAMES)} ${random.pick(STREET_KINDS)}`,
    address_line_2: nulls.line2 ? null : `${random.pick(FIRST_NAMES)} ${random.pick(STREET_KINDS)}`,
    district: nulls.district ? null : random.pick(DISTRICTS),
    city,
    postal_code: random.chance(0.5) ? random.string(DIGITS, 5) : `${random.string(DIGITS, 5)}-${random.string(DIGITS, 4)}`,
    country: random.pick(COUNTRIES),
    phone: `${random.string(DIGITS, 4)} ${random.string(DIGITS, 6)}`,
  };
}

/** `count` addresses with exactly the real data's share of null line 2 and district. */
export function addressRows(random: Random, count: number, createdMs: number): SourceRecord[] {
  const indexes = Array.from({ length: count }, (_, index) => index);
  const nullLine2 = new Set(random.shuffle(indexes).slice(0, Math.round(count * NULL_ADDRESS_LINE_2_SHARE)));
  const nullDistrict = new Set(random.shuffle(indexes).slice(0, Math.round(count * NULL_DISTRICT_SHARE)));
  return indexes.map((index) => ({
    address_id: index + 1,
    ...addressFields(random, { line2: nullLine2.has(index), district: nullDistrict.has(index) }),
    ...audit(createdMs),
  }));
}

export function counterpartyRows(random: Random, count: number, addressCount: number, createdMs: number): SourceRecord[] {
  const names = new Set<string>();
  const rows: SourceRecord[] = [];
  while (rows.length < count) {
    const roll = random.float();
    const name =
      roll < 0.4
        ? `${random.pick(LAST_NAMES)} ${random.pick(COMPANY_FORMS)}`
        : roll < 0.75
          ? `${random.pick(LAST_NAMES)}, ${random.pick(LAST_NAMES)} and ${random.pick(LAST_NAMES)}`
          : `${random.pick(LAST_NAMES)} - ${random.pick(LAST_NAMES)}`;
    if (names.has(name)) continue;
    names.add(name);
    rows.push({
      counterparty_id: rows.length + 1,
      counterparty_legal_name: name,
      legal_address_id: random.int(1, addressCount),
      commercial_contact: personName(random, true),
      delivery_contact: personName(random, true),
      ...audit(createdMs),
    });
  }
  return rows;
}

export function currencyRows(createdMs: number): SourceRecord[] {
  return CURRENCY_CODES.map((code, index) => ({ currency_id: index + 1, currency_code: code, ...audit(createdMs) }));
}

export function departmentRows(
  random: Random,
  departments: readonly { name: string; location: string }[],
  createdMs: number,
): SourceRecord[] {
  return departments.map((department, index) => ({
    department_id: index + 1,
    department_name: department.name,
    location: department.location,
    manager: personName(random),
    ...audit(createdMs),
  }));
}

export function paymentTypeRows(createdMs: number): SourceRecord[] {
  return PAYMENT_TYPE_NAMES.map((name, index) => ({ payment_type_id: index + 1, payment_type_name: name, ...audit(createdMs) }));
}

/** Staff with unique names; `requiredDepartment` gets at least one member. */
export function staffRows(
  random: Random,
  count: number,
  departmentCount: number,
  requiredDepartment: number,
  createdMs: number,
): SourceRecord[] {
  const taken = new Set<string>();
  const people: { first: string; last: string }[] = [];
  while (people.length < count) {
    const first = random.pick(FIRST_NAMES);
    const last = random.pick(LAST_NAMES);
    if (taken.has(`${first} ${last}`)) continue;
    taken.add(`${first} ${last}`);
    people.push({ first, last });
  }
  const departments = people.map(() => random.int(1, departmentCount));
  if (!departments.includes(requiredDepartment)) departments[random.int(0, count - 1)] = requiredDepartment;
  return people.map((person, index) => ({
    staff_id: index + 1,
    first_name: person.first,
    last_name: person.last,
    department_id: departments[index]!,
    email_address: `${emailPart(person.first)}.${emailPart(person.last)}@terrifictotes.com`,
    ...audit(createdMs),
  }));
}

/** `Zoë` → `zoe`, `O'Callaghan` → `ocallaghan`, `Sørensen` → `sorensen`. */
function emailPart(name: string): string {
  return name
    .normalize('NFD')
    .replace(/ø/gi, 'o')
    .replace(/[^A-Za-z]/g, '')
    .toLowerCase();
}

export function designRow(random: Random, id: number, createdMs: number): SourceRecord {
  const material = random.pick(DESIGN_MATERIALS);
  // Artwork files are dated some time before the design entered the database.
  const fileDay = formatDay(dayOf(createdMs) - random.int(0, 600)).replaceAll('-', '');
  return {
    design_id: id,
    design_name: material,
    file_location: random.pick(FILE_DIRECTORIES),
    file_name: `${material.toLowerCase()}-${fileDay}-${random.string(FILE_SUFFIX_ALPHABET, 4)}.json`,
    ...audit(createdMs),
  };
}
