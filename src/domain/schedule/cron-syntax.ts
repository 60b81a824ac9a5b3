/**
 * The checks on a cron expression that the library's own messages get wrong for a person: the
 * number of fields (croner would take nicknames such as "@daily" and a 7th year field) and values
 * out of range (croner counts days and months from 0 in its messages). Everything else about the
 * syntax croner checks itself (cron.ts).
 */

interface FieldRule {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Letters allowed besides digits and * ? , - /, as a character class body. */
  readonly letters: string;
  readonly lettersHelp: string;
  /** Names the library replaces by numbers; they are dropped before the checks here. */
  readonly names?: RegExp;
}

const MONTH_NAMES = /\b(?:JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)\b/gi;
const DAY_NAMES = /\b(?:SUN|MON|TUE|WED|THU|FRI|SAT)\b/gi;

const SECOND: FieldRule = { name: 'second', min: 0, max: 59, letters: '', lettersHelp: '' };
const FIVE_FIELDS: readonly FieldRule[] = [
  { name: 'minute', min: 0, max: 59, letters: '', lettersHelp: '' },
  { name: 'hour', min: 0, max: 23, letters: '', lettersHelp: '' },
  { name: 'day-of-month', min: 1, max: 31, letters: 'LW', lettersHelp: ', L (last day) and W (nearest weekday)' },
  { name: 'month', min: 1, max: 12, letters: '', lettersHelp: ' and the names JAN-DEC', names: MONTH_NAMES },
  { name: 'day-of-week', min: 0, max: 7, letters: 'L#', lettersHelp: ', the names SUN-SAT, L (last) and # (nth)', names: DAY_NAMES },
];

export const CRON_FIELDS_HELP = 'expected 5 fields (minute hour day-of-month month day-of-week) or 6 (second first)';

/** Why `expression` is not a 5- or 6-field cron expression, or undefined if these checks pass. */
export function cronSyntaxProblem(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) {
    const count = `it has ${fields.length} field${fields.length === 1 ? '' : 's'}`;
    const year = fields.length === 7 ? ' (a year field is not supported)' : '';
    return `${count}${year}; ${CRON_FIELDS_HELP}`;
  }
  const rules = fields.length === 6 ? [SECOND, ...FIVE_FIELDS] : FIVE_FIELDS;
  for (const [index, rule] of rules.entries()) {
    const problem = fieldProblem(rule, fields[index] ?? '');
    if (problem) return problem;
  }
  return undefined;
}

function fieldProblem(rule: FieldRule, field: string): string | undefined {
  const unnamed = rule.names ? field.replace(rule.names, '') : field;
  const stray = new RegExp(`[^0-9*?,/\\-${rule.letters}]`, 'i').exec(unnamed);
  if (stray) {
    return `the ${rule.name} field "${field}" contains "${stray[0]}"; only numbers, *, ?, ranges (a-b), steps (/n) and lists (a,b)${rule.lettersHelp} are allowed there`;
  }
  for (const item of field.split(',')) {
    if (item === '') return `the ${rule.name} field "${field}" has an empty list item`;
    const [range = '', step, ...extra] = item.split('/');
    if (extra.length > 0 || (step !== undefined && !/^[1-9]\d*$/.test(step))) {
      return `the ${rule.name} field "${field}" has the step "${item.slice(range.length)}"; write a step as /n with a whole number n of at least 1`;
    }
    // The numbers of the range part are range-checked, also in front of a modifier (15W, 5L,
    // 5#2); the modifiers themselves are the library's to judge.
    for (const bound of range.split('-')) {
      const number = /^(\d+)(?:[WL]|#\d*)?$/i.exec(bound)?.[1];
      if (number !== undefined && (Number(number) < rule.min || Number(number) > rule.max)) {
        return `${rule.name} ${number} is out of range ${rule.min}-${rule.max}`;
      }
    }
  }
  return undefined;
}
