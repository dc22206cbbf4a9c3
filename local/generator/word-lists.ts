/**
 * Small word lists the generator draws names from. Written for this project (not taken
 * from the reference dump); a few entries carry apostrophes and non-ASCII letters so the
 * pipeline's text handling is exercised.
 */

export const FIRST_NAMES = [
  'Abigail', 'Adrian', 'Aisha', 'Alfie', 'Amara', 'Arthur', 'Beatrice', 'Bilal', 'Brenda', 'Callum',
  'Chidi', 'Clara', 'Declan', 'Delia', 'Edwin', 'Elodie', 'Esther', 'Farid', 'Fiona', 'Gareth',
  'Greta', 'Harriet', 'Hugo', 'Imogen', 'Isaac', 'Jasper', 'José', 'Keira', 'Kwame', 'Leona',
  'Lorenzo', 'Maeve', 'Malik', 'Marnie', 'Nadia', 'Niall', 'Octavia', 'Oskar', 'Priya', 'Quentin',
  'Rhiannon', 'Rufus', 'Saoirse', 'Silas', 'Tamsin', 'Tobias', 'Una', 'Vikram', 'Wilhelmina', 'Zoë',
] as const;

export const LAST_NAMES = [
  'Abernethy', 'Achterberg', 'Bellweather', 'Blackwood', 'Brannigan', 'Carraway', 'Castellano', 'Cheswick',
  "D'Arcy", 'Delacroix', 'Dunmore', 'Eastwood', 'Fairbanks', 'Fenwick', 'Gallagher', 'Greenhalgh',
  'Hargreaves', 'Holloway', 'Ingleby', 'Jablonski', 'Kettering', 'Kowalczyk', 'Lindqvist', 'Lockhart',
  'Marchetti', 'Merriweather', 'Müller', 'Nakamura', 'Northcott', "O'Callaghan", 'Okonkwo', 'Pemberton',
  'Quigley', 'Radcliffe', 'Rosenthal', 'Saltonstall', 'Sørensen', 'Thistlewood', 'Underhill', 'Vasquez',
  'Wainwright', 'Whitlock', 'Yardley', 'Zielinski',
] as const;

export const NAME_PREFIXES = ['Mr.', 'Mrs.', 'Ms.', 'Dr.', 'Miss'] as const;
export const NAME_SUFFIXES = ['Jr.', 'Sr.', 'II', 'III', 'PhD', 'MD', 'DVM', 'DDS'] as const;

export const COMPANY_FORMS = ['Inc', 'LLC', 'Group', 'and Sons', 'Ltd', 'Holdings', 'Partners'] as const;

export const STREET_KINDS = [
  'Avenue', 'Bridge', 'Causeway', 'Close', 'Common', 'Court', 'Crescent', 'Drive', 'Gardens', 'Gate',
  'Grove', 'Heights', 'Hill', 'Lane', 'Mews', 'Parade', 'Place', 'Rise', 'Road', 'Row', 'Square',
  'Street', 'Terrace', 'Vale', 'View', 'Walk', 'Way', 'Wharf', 'Yard',
] as const;

export const DISTRICTS = [
  'Avon', 'Bedfordshire', 'Berkshire', 'Borders', 'Buckinghamshire', 'Cambridgeshire', 'Cheshire',
  'Cornwall', 'Cumbria', 'Derbyshire', 'Dorset', 'Essex',
] as const;

export const PLACE_STEMS = [
  'Ash', 'Beck', 'Bram', 'Chal', 'Dun', 'Elm', 'Fern', 'Glen', 'Hart', 'Hol', 'Kings', 'Lang', 'Mar',
  'Nether', 'Oak', 'Pen', 'Red', 'Sand', 'Thorn', 'Upper', 'Wester', 'Wick',
] as const;

export const PLACE_ENDINGS = ['ford', 'ton', 'bury', 'field', 'mouth', 'wick', 'ham', 'ley', 'borough', 'stead', 'port'] as const;
export const PLACE_QUALIFIERS = ['North', 'South', 'East', 'West', 'New', 'Port', 'Lake', 'Fort', 'Mount'] as const;

export const COUNTRIES = [
  'United Kingdom', 'Ireland', 'France', 'Germany', 'Netherlands', 'Belgium', 'Spain', 'Portugal', 'Italy',
  'Norway', 'Sweden', 'Finland', 'Poland', 'Czechia', 'Greece', 'Turkey', 'Egypt', 'Kenya', 'Nigeria',
  'Ghana', 'South Africa', 'Brazil', 'Argentina', 'Chile', 'Peru', 'Mexico', 'Canada', 'United States of America',
  'Japan', 'Republic of Korea', 'India', 'Sri Lanka', 'Viet Nam', 'Indonesia', 'Australia', 'New Zealand', 'Fiji',
  "Côte d'Ivoire", 'Curaçao', 'Réunion', 'Åland Islands', 'Saint Helena, Ascension and Tristan da Cunha',
] as const;

export const DEPARTMENTS = [
  { name: 'Sales', location: 'Manchester' },
  { name: 'Purchasing', location: 'Manchester' },
  { name: 'Production', location: 'Leeds' },
  // The real database spells this one `Leds`; the pipeline must carry it through untouched.
  { name: 'Dispatch', location: 'Leds' },
  { name: 'Finance', location: 'Manchester' },
  { name: 'Facilities', location: 'Manchester' },
  { name: 'Communications', location: 'Leeds' },
  { name: 'HR', location: 'Leeds' },
] as const;

/** What a department may be renamed to in a later run. */
export const DEPARTMENT_RENAMES = ['Operations', 'Logistics', 'People', 'Marketing', 'Procurement', 'Accounts', 'Estates', 'Customer Service'] as const;

export const CURRENCY_CODES = ['GBP', 'USD', 'EUR'] as const;

export const PAYMENT_TYPE_NAMES = ['SALES_RECEIPT', 'SALES_REFUND', 'PURCHASE_PAYMENT', 'PURCHASE_REFUND'] as const;

export const DESIGN_MATERIALS = [
  'Canvas', 'Denim', 'Hessian', 'Jute', 'Leather', 'Linen', 'Nylon', 'Oilskin', 'Suede', 'Tweed', 'Velvet', 'Wool',
] as const;

export const FILE_DIRECTORIES = [
  '/srv/designs', '/srv/designs/archive', '/srv/designs/2023', '/srv/designs/2024', '/data/art', '/data/art/print',
  '/home/studio', '/home/studio/drafts', '/mnt/share', '/mnt/share/totes', '/opt/assets', '/opt/assets/legacy',
  '/var/lib/designs', '/var/tmp', '/usr/share/designs', '/Users/design/Library', '/Volumes/Studio', '/tmp',
] as const;

export const ITEM_CODE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
export const FILE_SUFFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
