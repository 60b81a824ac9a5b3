/**
 * Job types: 1 to 100 letters, digits and ". _ : -" (the jobs table checks the same). A leaf
 * module so the client package can check types without shipping the rest of the domain.
 */
const TYPE_PATTERN = /^[A-Za-z0-9._:-]{1,100}$/;

export function isJobType(value: string): boolean {
  return TYPE_PATTERN.test(value);
}
