/** A host as it appears before ":port" in an address: IPv6 literals in brackets. */
export function formatHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
