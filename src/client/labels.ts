import type { DescEnum } from '@bufbuild/protobuf';

/** An enum value as people write it: JobState.SCHEDULED (2) is "scheduled"; an unknown number stays a number. */
export function enumLabel(schema: DescEnum, value: number): string {
  return schema.value[value]?.localName.toLowerCase().replaceAll('_', '-') ?? String(value);
}

/** The value of a label ("scheduled", "SCHEDULED", "timed-out", "JOB_STATE_SCHEDULED"); throws RangeError naming the choices. */
export function enumValue(schema: DescEnum, label: string): number {
  const wanted = label.trim().toUpperCase().replaceAll('-', '_');
  const found = schema.values.find((v) => v.number !== 0 && (v.localName === wanted || v.name === wanted));
  if (found === undefined) throw new RangeError(`${JSON.stringify(label)} is not one of ${enumLabels(schema).join(', ')}`);
  return found.number;
}

export function enumLabels(schema: DescEnum): string[] {
  return schema.values.filter((v) => v.number !== 0).map((v) => enumLabel(schema, v.number));
}
